//! The engine's side of the consumer actor: it hands a consumer its context (`context`) with
//! each message, wake-up or call, and applies the effects the consumer returns, in order, so
//! message ids and timer sequence numbers are those of a direct call.

use crate::actor::Effect;
use crate::client::consumer::context::{ConsumerCtx, ConsumerWake};
use crate::cluster::Metadata;
use crate::consumer::{BufferedRecord, Consumer};
use crate::event::{Delivery, Event};
use crate::net::{Body, FetchedPartition, ListedOffset, Node, TopicPartitionId};
use crate::sim::{Pending, Sim};
use alloc::vec::Vec;

impl Sim {
    /// Runs one handler of consumer `c` with its context, then applies its effects.
    fn with_consumer<R>(
        &mut self,
        c: u32,
        handler: impl FnOnce(&mut Consumer, &mut ConsumerCtx) -> R,
    ) -> R {
        let n = self.consumers.len();
        // Every index the engine holds names an instance (see `Sim::consumer`).
        assert!(
            (c as usize) < n,
            "consumer instance {c} does not exist ({n} instances)"
        );
        let cons = &mut self.consumers[c as usize];
        let mut ctx = ConsumerCtx {
            now: self.now,
            metadata: Metadata::new(&self.topics, &self.brokers),
            config: &self.config.groups[cons.group as usize].consumer,
            subscription: &self.config.groups[cons.group as usize].topics,
            rng: &mut self.rng,
            out: Default::default(),
        };
        let result = handler(cons, &mut ctx);
        let effects = core::mem::take(&mut ctx.out).into_effects();
        for effect in effects {
            match effect {
                Effect::Send { from, to, body } => {
                    debug_assert_eq!(from, Node::Consumer(c), "a consumer sends as itself");
                    self.send(from, to, body);
                }
                Effect::Timer { at, timer } => {
                    let pending = match timer {
                        ConsumerWake::Poll => Pending::ConsumerPoll { consumer: c },
                        ConsumerWake::OffsetReset => Pending::OffsetResetRetry { consumer: c },
                        ConsumerWake::Timer => Pending::ConsumerTimer { consumer: c },
                        ConsumerWake::OffsetFetch => Pending::OffsetFetchRetry { consumer: c },
                    };
                    self.schedule(at, pending);
                }
                Effect::Call(callback) => self.return_to_application(callback),
            }
        }
        result
    }

    /// `Fetcher.sendFetches` for consumer `c`.
    pub(crate) fn send_consumer_fetches(&mut self, c: u32) {
        self.with_consumer(c, |cons, ctx| cons.send_fetches(ctx));
    }

    /// A fetch response from `from` at consumer `c`.
    pub(crate) fn on_consumer_fetch_response(
        &mut self,
        c: u32,
        from: Node,
        parts: Vec<FetchedPartition>,
    ) -> Delivery {
        let Node::Broker(b) = from else {
            unreachable!("fetch responses come from brokers")
        };
        self.with_consumer(c, |cons, ctx| cons.on_fetch_response(ctx, b, parts))
    }

    /// The wake-up for waiting resets.
    pub(crate) fn on_offset_reset_retry(&mut self, c: u32) -> Option<Event> {
        self.with_consumer(c, |cons, ctx| cons.on_offset_reset_retry(ctx))
    }

    /// A leader's ListOffsets answer.
    pub(crate) fn on_list_offsets_response(
        &mut self,
        c: u32,
        from: Node,
        partitions: Vec<ListedOffset>,
    ) -> Delivery {
        self.with_consumer(c, |cons, ctx| {
            cons.on_list_offsets_response(ctx, from, partitions)
        })
    }

    /// Resets outstanding to a broker that went down are asked again now.
    pub(crate) fn retry_resets_sent_to_dead_brokers(&mut self, c: u32) {
        self.with_consumer(c, |cons, ctx| cons.retry_resets_sent_to_dead_brokers(ctx));
    }
    /// A member's request to its coordinator (see `Consumer::send_to_coordinator`).
    pub(crate) fn send_to_coordinator(&mut self, c: u32, body: Body) {
        self.with_consumer(c, |cons, ctx| cons.send_to_coordinator(ctx, body));
    }

    /// FindCoordinator, unless one is outstanding.
    pub(crate) fn find_coordinator(&mut self, c: u32) {
        self.with_consumer(c, |cons, ctx| cons.find_coordinator(ctx));
    }

    /// OffsetFetch for the assigned partitions with no position.
    pub(crate) fn send_offset_fetch(&mut self, c: u32) {
        self.with_consumer(c, |cons, ctx| cons.send_offset_fetch(ctx));
    }

    /// OffsetCommit of the consumed positions; returns its correlation id.
    pub(crate) fn send_commit(&mut self, c: u32) -> u64 {
        self.with_consumer(c, |cons, ctx| cons.send_commit(ctx))
    }

    /// OffsetCommit of `offsets`; returns its correlation id.
    pub(crate) fn send_commit_of(&mut self, c: u32, offsets: Vec<(TopicPartitionId, u64)>) -> u64 {
        self.with_consumer(c, |cons, ctx| cons.send_commit_of(ctx, offsets))
    }

    /// The application blocks in `commitSync()`.
    pub(crate) fn block_in_commit_sync(&mut self, c: u32, request_id: u64) {
        self.with_consumer(c, |cons, ctx| cons.block_in_commit_sync(ctx, request_id));
    }

    /// The application calls `poll()` now, if its process runs.
    pub(crate) fn poll_now(&mut self, c: u32) {
        self.with_consumer(c, |cons, ctx| cons.poll_now(ctx));
    }

    /// A rejoin is asked for.
    pub(crate) fn rejoin(&mut self, c: u32) {
        self.with_consumer(c, |cons, ctx| cons.rejoin(ctx));
    }

    /// A group coordinator's answer at consumer `c`.
    pub(crate) fn on_coordinator_response(&mut self, c: u32, body: Body) -> Delivery {
        self.with_consumer(c, |cons, ctx| cons.on_coordinator_response(ctx, body))
    }

    /// The OffsetFetch retry after UNSTABLE_OFFSET_COMMIT.
    pub(crate) fn on_offset_fetch_retry(&mut self, c: u32) -> Option<Event> {
        self.with_consumer(c, |cons, ctx| cons.on_offset_fetch_retry(ctx))
    }
    /// `KafkaConsumer.poll()`: a due auto-commit, a pending assignment and a requested rejoin
    /// first (rebalance callbacks run inside `poll()`), then up to `max_poll_records` records
    /// from the buffer, records-lag-max, and the next fetches. Returns how many records the
    /// application gets, and the records themselves when it asks for them (`keep`).
    ///
    /// Simplified: records-lag-max is read from the leaders' high watermarks (last stable
    /// offsets) now, where Kafka's consumer keeps those its fetch responses carried.
    pub(crate) fn poll(
        &mut self,
        c: u32,
        max_poll_records: u32,
        keep: bool,
    ) -> (u32, Vec<BufferedRecord>) {
        let polled = self.with_consumer(c, |cons, ctx| {
            cons.poll_records(ctx, max_poll_records, keep)
        });
        let lag = self.consumer_lag_max(c);
        let cons = &mut self.consumers[c as usize];
        cons.records_lag_max = cons.records_lag_max.max(lag);
        self.send_consumer_fetches(c);
        polled
    }

    /// The member's heartbeat / auto-commit timer (`Consumer::on_timer`).
    pub(crate) fn on_consumer_timer(&mut self, c: u32) -> Option<Event> {
        self.with_consumer(c, |cons, ctx| cons.on_timer(ctx))
    }
}

#[cfg(test)]
mod tests {
    use crate::actor::Effect;
    use crate::client::consumer::context::ConsumerCtx;
    use crate::cluster::Metadata;
    use crate::config::Config;
    use crate::net::{Body, Node};
    use crate::time::SimTime;
    use crate::Sim;

    /// The fetcher changes only its consumer and returns what it sends: one fetch per
    /// leader of the partitions it may fetch, carrying the member's own fetch settings.
    #[test]
    fn the_fetcher_returns_its_fetches_as_effects() {
        let mut sim = Sim::new(Config::preset(), 3).unwrap();
        sim.run_until(SimTime(3_000_000));
        let mut cons = sim.consumers[0].clone();
        assert!(
            !cons.assignment.is_empty(),
            "consumer 0 owns partitions by 3 s"
        );
        cons.fetch_in_flight.iter_mut().for_each(|f| *f = false);
        cons.buffer.clear();
        let config = sim.config.groups[cons.group as usize].consumer.clone();
        let mut rng = crate::rng::Rng::new(1);
        let mut ctx = ConsumerCtx {
            now: sim.now(),
            metadata: Metadata::new(&sim.topics, &sim.brokers),
            config: &config,
            subscription: &[],
            rng: &mut rng,
            out: Default::default(),
        };
        cons.send_fetches(&mut ctx);
        let effects = core::mem::take(&mut ctx.out).into_effects();
        let mut fetched = 0;
        for e in &effects {
            let Effect::Send {
                from,
                to: Node::Broker(b),
                body:
                    Body::ConsumerFetch {
                        params, partitions, ..
                    },
            } = e
            else {
                panic!("the fetcher only sends fetches: {e:?}");
            };
            assert_eq!(*from, Node::Consumer(0));
            assert_eq!(params.max_wait_ms, config.fetch_max_wait_ms.value);
            for (tp, pos) in partitions {
                assert_eq!(sim.partition(*tp).unwrap().leader, Some(*b));
                assert_eq!(cons.positions.get(tp), Some(pos));
                fetched += 1;
            }
            assert!(cons.fetch_in_flight[*b as usize]);
        }
        assert_eq!(
            fetched,
            cons.positions.len(),
            "every positioned partition is fetched"
        );
    }
}
