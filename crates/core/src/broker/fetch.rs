//! Fetch at the partition leader, for followers and consumers alike (`ReplicaManager.fetchMessages`):
//! answered at once when `min_bytes` are there, else parked in the fetch purgatory
//! (`DelayedFetch`) for `max_wait_ms`; a follower reads to the log end, a consumer to the high
//! watermark or, under read_committed, the last stable offset, with the aborted transactions
//! of what it returns. Everything the leader needs comes in the request (`FetchParams`).

use crate::broker::context::{partition, BrokerCall, BrokerCtx};
use crate::broker::state::Brokers;
use crate::broker::timers::BrokerTimer;
use crate::cluster::{Replica, Topic};
use crate::config::IsolationLevel;
use crate::event::{Delivery, Event};
use crate::net::{Body, FetchParams, FetchedPartition, Node, TopicPartitionId};
use crate::sim::{ParkedFetch, Sim};
use alloc::vec::Vec;

impl Sim {
    /// Whether a fetcher is a read_committed consumer, as the consumer itself knows it (its
    /// group's isolation.level); the leader reads it from the request (`FetchParams`).
    pub(crate) fn read_committed(&self, fetcher: Node) -> bool {
        let Node::Consumer(c) = fetcher else {
            return false; // a follower reads to the log end
        };
        // Public views ask with an index from the page (`consumer_read_committed`): an unknown
        // consumer reads uncommitted here, not a panic.
        let g = self
            .consumers
            .get(c as usize)
            .map_or(0, |c| c.group as usize);
        self.config.groups.get(g).is_some_and(|g| {
            g.consumer.isolation_level.value == crate::config::IsolationLevel::ReadCommitted
        })
    }

    /// Where a consumer's fetch ends: the high watermark, or the last stable offset for
    /// read_committed.
    pub(crate) fn consumer_fetch_end(&self, fetcher: Node, tp: TopicPartitionId) -> u64 {
        let level = if self.read_committed(fetcher) {
            IsolationLevel::ReadCommitted
        } else {
            IsolationLevel::ReadUncommitted
        };
        self.fetch_end(fetcher, level, tp)
    }
}

impl Brokers {
    /// A fetch (follower or consumer) at broker `b`. Answers now if there is data to return,
    /// else parks it for `replica.fetch.wait.max.ms` / `fetch.max.wait.ms`.
    pub(crate) fn on_fetch_request(
        &mut self,
        ctx: &mut BrokerCtx,
        b: u32,
        fetcher: Node,
        params: FetchParams,
        partitions: Vec<(TopicPartitionId, u64)>,
    ) -> Delivery {
        let hw_moved = match fetcher {
            Node::Broker(follower) => {
                self.update_follower_fetch_state(ctx, b, follower, &partitions)
            }
            _ => 0,
        };
        let available = self.fetchable(ctx.topics, b, fetcher, params, &partitions);
        let (min_bytes, wait_us) = (params.min_bytes, params.max_wait_ms * 1000);
        // A fetch below the log start offset is answered at once (OFFSET_OUT_OF_RANGE).
        let out_of_range = partitions.iter().any(|(tp, offset)| {
            ctx.partition(*tp).is_some_and(|p| {
                p.leader == Some(b)
                    && p.leader_replica()
                        .is_some_and(|l| *offset < l.log.log_start_offset())
            })
        });
        if available.1 >= min_bytes.max(1) || wait_us == 0 || out_of_range {
            let records = self.respond_fetch(ctx, b, fetcher, params, &partitions);
            return Delivery::FetchServed {
                records,
                parked: false,
                high_watermark_moved: hw_moved,
            };
        }
        let id = self.next_fetch_id;
        self.next_fetch_id += 1;
        let deadline = ctx.now.plus(wait_us);
        ctx.parked_fetches.push(ParkedFetch {
            id,
            broker: b,
            fetcher,
            params,
            partitions,
            deadline,
        });
        ctx.out
            .timer(deadline, BrokerTimer::FetchExpire { fetch_id: id });
        Delivery::FetchServed {
            records: 0,
            parked: true,
            high_watermark_moved: hw_moved,
        }
    }

    /// `Partition.updateFollowerFetchState`: the fetch offset is the follower's log end
    /// offset: the leader learns it here, and the high watermark can move (returns on how
    /// many partitions it did).
    fn update_follower_fetch_state(
        &mut self,
        ctx: &mut BrokerCtx,
        b: u32,
        follower: u32,
        partitions: &[(TopicPartitionId, u64)],
    ) -> u32 {
        let now = ctx.now;
        let mut hw_moved = 0;
        for (tp, offset) in partitions {
            let Some(p) = ctx.partition_mut(*tp) else {
                continue; // not a partition of this cluster
            };
            if p.leader != Some(b) {
                continue; // `b` no longer leads it: the answer says so
            }
            let leo = p.log_end_offset();
            if let Some(r) = p.replica_mut(follower) {
                r.update_fetch_state(*offset, leo, now);
            }
            // A follower caught up to the high watermark rejoins the ISR
            // (`Partition.isFollowerInSync`, via AlterPartition to the controller).
            if !p.isr.contains(&follower) && *offset >= p.high_watermark() {
                ctx.out.call(BrokerCall::AlterPartition {
                    tp: *tp,
                    broker: follower,
                    expand: true,
                });
            }
            if self.advance_high_watermark(ctx, *tp) {
                hw_moved += 1;
            }
        }
        hw_moved
    }

    /// `DelayedFetch.onExpiration`: the parked fetch's wait ran out; it is answered with what
    /// there is.
    pub(crate) fn on_fetch_expire(&mut self, ctx: &mut BrokerCtx, fetch_id: u64) -> Option<Event> {
        let i = ctx.parked_fetches.iter().position(|f| f.id == fetch_id)?;
        let f = ctx.parked_fetches.remove(i);
        self.respond_fetch(ctx, f.broker, f.fetcher, f.params, &f.partitions);
        Some(Event::FetchWaitExpired {
            broker: f.broker,
            fetcher: f.fetcher,
        })
    }

    /// (records, bytes) a fetch could return now: followers read to the log end, consumers
    /// only below the high watermark (read_committed: the last stable offset).
    pub(crate) fn fetchable(
        &self,
        topics: &[Topic],
        b: u32,
        fetcher: Node,
        params: FetchParams,
        partitions: &[(TopicPartitionId, u64)],
    ) -> (u64, u64) {
        let mut records = 0;
        let mut bytes = 0;
        for (tp, offset) in partitions {
            let Some(p) = partition(topics, *tp) else {
                continue;
            };
            if p.leader != Some(b) {
                continue;
            }
            let end = self.fetch_end(topics, fetcher, params.isolation_level, *tp);
            if end > *offset {
                records += end - offset;
                if let Some(l) = p.leader_replica() {
                    bytes += l
                        .log
                        .range(*offset, end)
                        .map(|(_, e)| e.size_bytes as u64)
                        .sum::<u64>();
                }
            }
        }
        (records, bytes)
    }

    /// Answers parked fetches that include `tp`: follower fetches when the log grows
    /// (`replicas = true`), consumer fetches when the high watermark moves.
    pub(crate) fn wake_parked(&self, ctx: &mut BrokerCtx, tp: TopicPartitionId, replicas: bool) {
        let mut i = 0;
        while i < ctx.parked_fetches.len() {
            let f = &ctx.parked_fetches[i];
            let is_replica = matches!(f.fetcher, Node::Broker(_));
            if is_replica == replicas && f.partitions.iter().any(|(t, _)| *t == tp) {
                let f = ctx.parked_fetches.remove(i);
                self.respond_fetch(ctx, f.broker, f.fetcher, f.params, &f.partitions);
            } else {
                i += 1;
            }
        }
    }

    /// Where the leader ends a fetch (`UnifiedLog.read`'s `FetchIsolation`): a follower reads
    /// to the log end, a consumer to the high watermark or, under read_committed, the last
    /// stable offset.
    pub(crate) fn fetch_end(
        &self,
        topics: &[Topic],
        fetcher: Node,
        level: IsolationLevel,
        tp: TopicPartitionId,
    ) -> u64 {
        match (fetcher, level) {
            (Node::Broker(_), _) => partition(topics, tp).map_or(0, |p| p.log_end_offset()),
            (_, IsolationLevel::ReadCommitted) => self.last_stable_offset(topics, tp),
            (_, IsolationLevel::ReadUncommitted) => {
                partition(topics, tp).map_or(0, |p| p.high_watermark())
            }
        }
    }

    /// Sends a fetch response with what each partition has past the fetch offset.
    pub(crate) fn respond_fetch(
        &self,
        ctx: &mut BrokerCtx,
        b: u32,
        fetcher: Node,
        params: FetchParams,
        partitions: &[(TopicPartitionId, u64)],
    ) -> u32 {
        let topics = &*ctx.topics;
        let mut parts = Vec::new();
        let mut total = 0u32;
        for (tp, offset) in partitions {
            let Some(p) = partition(topics, *tp) else {
                continue;
            };
            if p.leader != Some(b) {
                continue;
            }
            let Some(l) = p.leader_replica() else {
                continue;
            };
            let end = self.fetch_end(topics, fetcher, params.isolation_level, *tp);
            let fp = self.fetched_partition(topics, *tp, l, (*offset, end), fetcher, params);
            total += fp.entries.len() as u32;
            parts.push(fp);
        }
        let body = match fetcher {
            Node::Broker(_) => Body::ReplicaFetchResponse { parts },
            _ => Body::ConsumerFetchResponse { parts },
        };
        ctx.out.send(Node::Broker(b), fetcher, body);
        total
    }

    /// What the leader's replica `l` of `tp` returns from `offset` up to `end`.
    fn fetched_partition(
        &self,
        topics: &[Topic],
        tp: TopicPartitionId,
        l: &Replica,
        (offset, end): (u64, u64),
        fetcher: Node,
        params: FetchParams,
    ) -> FetchedPartition {
        let max_bytes = params.partition_max_bytes;
        let mut entries = Vec::new();
        let mut bytes = 0u64;
        // Below the log start offset: OFFSET_OUT_OF_RANGE, no records (the fetcher sees
        // its offset under `log_start_offset` and resets).
        let from = if offset < l.log.log_start_offset() {
            end
        } else {
            offset
        };
        for (off, e) in l.log.range(from, end) {
            // At least one record, then up to the byte limit.
            if !entries.is_empty() && bytes + e.size_bytes as u64 > max_bytes {
                break;
            }
            bytes += e.size_bytes as u64;
            entries.push((off, e));
        }
        let read_committed = matches!(fetcher, Node::Consumer(_))
            && params.isolation_level == IsolationLevel::ReadCommitted;
        let aborted_transactions = match entries.last() {
            Some((last, _)) if read_committed => self.aborted_transactions(tp, from, last + 1),
            _ => Vec::new(),
        };
        FetchedPartition {
            tp,
            high_watermark: l.high_watermark,
            log_start_offset: l.log.log_start_offset(),
            entries,
            last_stable_offset: self.last_stable_offset(topics, tp),
            aborted_transactions,
        }
    }
}
