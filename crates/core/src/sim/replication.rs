//! Broker-side handlers: produce at the partition leader, fetch (followers and consumers) with
//! long polling, the high watermark, and acks=all completion (`ReplicaManager`,
//! `DelayedProduce`, `DelayedFetch`, `ReplicaFetcherThread`).

use super::{DelayedProduce, ParkedFetch, Pending, Sim};
use crate::cluster::{place_replicas, Partition};
use crate::config::Acks;
use crate::event::{Delivery, Event};
use crate::log::{EntryKind, LogEntry};
use crate::net::{
    Body, FetchedPartition, KafkaError, Node, PartitionProduceResult, TopicPartitionId,
};
use crate::producer::accumulator::ProducerBatch;
use alloc::vec::Vec;

/// Timers of the brokers' own background work and purgatories, dispatched by
/// [`Sim::on_broker_timer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BrokerTimer {
    /// `ReplicaManager`'s "isr-expiration" task (every replica.lag.time.max.ms / 2).
    IsrExpiration,
    /// The controller commits a follower's removal from an ISR.
    IsrShrink { tp: TopicPartitionId, broker: u32 },
    /// The controller commits a follower's return to an ISR.
    IsrExpand { tp: TopicPartitionId, broker: u32 },
    /// An acks=all `DelayedProduce` reaches the request's timeout (the producer's
    /// request.timeout.ms, carried in the request).
    ProduceExpire { producer: u32, request_id: u64 },
    /// `LogManager`'s "kafka-log-retention" task (every log.retention.check.interval.ms).
    RetentionCheck,
}

/// Bytes a follower takes per partition per fetch (`replica.fetch.max.bytes`).
const REPLICA_FETCH_MAX_BYTES: u64 = 1_048_576;
/// How many batches per producer and partition a leader remembers for deduplication.
const PRODUCER_STATE_BATCHES: usize = 5;

impl Sim {
    /// Starts the brokers' periodic tasks: isr-expiration at once (Kafka's initial delay is 0)
    /// and log retention after `log.initial.task.delay.ms` (30 s).
    pub(super) fn start_broker_timers(&mut self) {
        for t in 0..self.topics.len() as u32 {
            self.apply_segment_bytes(t);
        }
        self.schedule(self.now, Pending::Broker(BrokerTimer::IsrExpiration));
        let first = self.now.plus(super::retention::LOG_INITIAL_TASK_DELAY_US);
        self.schedule(first, Pending::Broker(BrokerTimer::RetentionCheck));
    }

    /// Dispatches a broker timer; `None` when it found nothing to do (not an event).
    pub(super) fn on_broker_timer(&mut self, t: BrokerTimer) -> Option<Event> {
        match t {
            BrokerTimer::IsrExpiration => self.on_isr_expiration(),
            BrokerTimer::IsrShrink { tp, broker } => self.on_isr_shrink(tp, broker),
            BrokerTimer::IsrExpand { tp, broker } => self.on_isr_expand(tp, broker),
            BrokerTimer::ProduceExpire {
                producer,
                request_id,
            } => self.on_produce_expire(producer, request_id),
            BrokerTimer::RetentionCheck => self.on_retention_check(),
        }
    }

    /// `CreatePartitions`: the controller places the new partitions like new topics' and
    /// every client learns them from metadata: producers partition over the new count (keys
    /// move), consumer groups rebalance. Followers pick the new partitions up in their next
    /// fetch.
    pub(super) fn add_partitions(&mut self, topic: u32, count: u32) {
        let Some(t) = self.topics.get(topic as usize) else {
            return;
        };
        let old = t.partitions.len() as u32;
        if count <= old {
            return;
        }
        let rf = t.partitions.first().map_or(1, |p| p.replicas.len() as u32);
        // Registered, unfenced brokers: what the controller knows (a crashed broker it has not
        // fenced yet still counts; `Sim::apply` refused the change if too few are left).
        let usable: Vec<u32> = self
            .brokers
            .iter()
            .filter(|b| !b.fenced)
            .map(|b| b.id)
            .collect();
        assert!(
            usable.len() as u32 >= rf,
            "CreatePartitions needs rf usable brokers"
        );
        let placed = place_replicas(&mut self.rng, &usable, count - old, rf);
        let t = &mut self.topics[topic as usize];
        for (i, reps) in placed.into_iter().enumerate() {
            t.partitions
                .push(Partition::new(topic, old + i as u32, &reps));
        }
        self.apply_segment_bytes(topic);
        // Followers start fetching the new partitions (a follower with no session to their
        // leader yet never replicated them: found by the liveness monitor).
        self.start_replica_fetchers();
        for p in &mut self.producers {
            if p.topic == topic {
                p.accumulator.grow(count);
                p.next_sequence.resize(count as usize, 0);
                p.next_ordinal.resize(count as usize, 0);
            }
        }
        let subscribed: Vec<u32> = self
            .groups
            .iter()
            .filter(|g| {
                self.config.groups[g.index as usize]
                    .topics
                    .iter()
                    .any(|n| *n == self.topics[topic as usize].name)
            })
            .map(|g| g.index)
            .collect();
        for g in subscribed {
            let members: Vec<u32> = self
                .consumers
                .iter()
                .filter(|c| c.group == g)
                .map(|c| c.index)
                .collect();
            for c in members {
                self.rejoin(c);
            }
        }
    }

    /// Each alive follower runs one fetch session per alive leader it follows
    /// (`ReplicaFetcherManager`); sessions already running are left alone.
    pub(super) fn start_replica_fetchers(&mut self) {
        let n = self.brokers.len() as u32;
        for follower in 0..n {
            for leader in 0..n {
                let up = |b: u32| self.brokers.get(b as usize).is_some_and(|x| x.alive);
                if follower != leader
                    && up(follower)
                    && up(leader)
                    && !self.replica_fetchers.contains(&(follower, leader))
                {
                    self.send_replica_fetch(follower, leader);
                }
            }
        }
    }

    /// Sends a follower's fetch for every partition it follows from `leader`, at its log end
    /// offsets (which tells the leader how far it has come). With nothing to follow there, the
    /// session ends.
    pub(super) fn send_replica_fetch(&mut self, follower: u32, leader: u32) {
        self.truncate_diverged(follower, leader);
        let mut partitions = Vec::new();
        for t in &self.topics {
            for p in &t.partitions {
                if p.leader == Some(leader) {
                    if let Some(r) = p.replica(follower) {
                        partitions.push((
                            TopicPartitionId {
                                topic: p.topic,
                                partition: p.index,
                            },
                            r.log.log_end_offset(),
                        ));
                    }
                }
            }
        }
        if partitions.is_empty() {
            self.replica_fetchers.remove(&(follower, leader));
            return;
        }
        self.replica_fetchers.insert((follower, leader));
        self.send(
            Node::Broker(follower),
            Node::Broker(leader),
            Body::ReplicaFetch {
                follower,
                partitions,
            },
        );
    }

    /// Leader-epoch truncation (KIP-101, KIP-279): before fetching, a follower whose log
    /// diverges from its leader's (an entry at the same offset written under another epoch, or
    /// a log longer than the leader's) truncates to where they agree, as the
    /// OffsetsForLeaderEpoch exchange (or the fetch's diverging-epoch answer) makes it do.
    /// Simplified: the common prefix is found by comparing the two logs directly.
    fn truncate_diverged(&mut self, follower: u32, leader: u32) {
        for t in &mut self.topics {
            for p in &mut t.partitions {
                if p.leader != Some(leader) {
                    continue;
                }
                let (Some(li), Some(fi)) = (
                    p.replicas.iter().position(|r| r.broker == leader),
                    p.replicas.iter().position(|r| r.broker == follower),
                ) else {
                    continue;
                };
                let (l, f) = (&p.replicas[li].log, &p.replicas[fi].log);
                let same = |o: u64| match (l.get(o), f.get(o)) {
                    (Some(a), Some(b)) => {
                        a.record_id == b.record_id && a.leader_epoch == b.leader_epoch
                    }
                    // Below a log start (retention): taken as agreeing.
                    _ => o < l.log_start_offset().max(f.log_start_offset()),
                };
                let fleo = f.log_end_offset();
                if fleo == 0 || (fleo <= l.log_end_offset() && same(fleo - 1)) {
                    continue;
                }
                let mut keep = fleo.min(l.log_end_offset());
                while keep > f.log_start_offset() && !same(keep - 1) {
                    keep -= 1;
                }
                let r = &mut p.replicas[fi];
                r.log.truncate_to(keep);
                r.high_watermark = r.high_watermark.min(keep);
            }
        }
    }

    /// A produce request at broker `b`.
    pub(super) fn on_produce_request(
        &mut self,
        b: u32,
        producer: u32,
        request_id: u64,
        (producer_id, producer_epoch, transactional_id): (i64, i16, Option<alloc::string::String>),
        acks: Acks,
        batches: Vec<(TopicPartitionId, ProducerBatch)>,
    ) -> Delivery {
        let mut results = Vec::with_capacity(batches.len());
        let mut waits = Vec::new();
        let mut appended = 0u32;
        let mut duplicates = 0u32;
        let mut touched = Vec::new();
        for (tp, batch) in batches {
            let Some(part) = self.partition_mut(tp) else {
                continue;
            };
            if part.leader != Some(b) {
                results.push(PartitionProduceResult {
                    tp,
                    batch_id: batch.id,
                    base_offset: -1,
                    error: Some(KafkaError::NotLeaderOrFollower),
                });
                continue;
            }
            let min_isr = self.topics[tp.topic as usize].min_insync_replicas;
            let part = &mut self.topics[tp.topic as usize].partitions[tp.partition as usize];
            if acks == Acks::All && part.isr.len() < part.effective_min_isr(min_isr) {
                results.push(PartitionProduceResult {
                    tp,
                    batch_id: batch.id,
                    base_offset: -1,
                    error: Some(KafkaError::NotEnoughReplicas),
                });
                continue;
            }
            // A transactional batch: fenced epochs are refused; the coordinator learns (V2)
            // or has (V1) the partition (see `sim::transactions`).
            if let Some(tid) = &transactional_id {
                if let Err(e) =
                    self.check_transactional_produce(tp, tid, producer_id, producer_epoch)
                {
                    results.push(PartitionProduceResult {
                        tp,
                        batch_id: batch.id,
                        base_offset: -1,
                        error: Some(e),
                    });
                    continue;
                }
            }
            // Idempotent producer: a batch the leader already has is answered, not appended.
            if let (true, Some(seq)) = (producer_id >= 0, batch.base_sequence) {
                let last = seq.wrapping_add(batch.records.len() as i32 - 1);
                // Forget batches the leader's log no longer holds (truncated, or never
                // replicated to this leader).
                if let (Some(state), Some(lr)) = (
                    self.producer_state.get_mut(&(producer_id, tp)),
                    self.topics[tp.topic as usize].partitions[tp.partition as usize]
                        .leader_replica(),
                ) {
                    state.retain(|(_, _, off, first_id)| {
                        lr.log.get(*off).is_some_and(|e| e.record_id == *first_id)
                    });
                }
                if let Some(state) = self.producer_state.get(&(producer_id, tp)) {
                    if let Some(&(_, _, off, _)) =
                        state.iter().find(|(f, l, _, _)| *f == seq && *l == last)
                    {
                        let n = batch.records.len() as u64;
                        duplicates += n as u32;
                        results.push(PartitionProduceResult {
                            tp,
                            batch_id: batch.id,
                            base_offset: off as i64,
                            error: None,
                        });
                        // acks=all: like an append, the answer waits until the high
                        // watermark passed the original batch (`DelayedProduce` in Kafka
                        // waits on the required offset whether or not the batch was new).
                        waits.push((tp, batch.id, off, off + n));
                        continue;
                    }
                    // Not a duplicate: it must follow the last batch exactly, else a gap.
                    let expected = state.back().map(|(_, l, _, _)| l.wrapping_add(1));
                    if expected.is_some_and(|e| e != seq) {
                        results.push(PartitionProduceResult {
                            tp,
                            batch_id: batch.id,
                            base_offset: -1,
                            error: Some(KafkaError::OutOfOrderSequenceNumber),
                        });
                        continue;
                    }
                }
            }
            let part = &mut self.topics[tp.topic as usize].partitions[tp.partition as usize];
            let epoch = part.leader_epoch;
            let Some(leader) = part.leader_replica_mut() else {
                continue;
            };
            let base = leader.log.log_end_offset();
            let first_ordinal = batch.first_ordinal.unwrap_or(0);
            for (i, r) in batch.records.iter().enumerate() {
                leader.log.append(LogEntry {
                    record_id: r.id,
                    producer_id,
                    producer,
                    ordinal: first_ordinal.wrapping_add(i as u32),
                    key: r.key,
                    size_bytes: r.size_bytes,
                    leader_epoch: epoch,
                    timestamp: r.created_at,
                    kind: EntryKind::Data,
                    producer_epoch: if producer_id >= 0 { producer_epoch } else { -1 },
                    transactional: transactional_id.is_some(),
                });
            }
            let end = leader.log.log_end_offset();
            appended += batch.records.len() as u32;
            if let (true, Some(seq)) = (producer_id >= 0, batch.base_sequence) {
                let last = seq.wrapping_add(batch.records.len() as i32 - 1);
                let state = self.producer_state.entry((producer_id, tp)).or_default();
                let first_id = batch.records.first().map_or(0, |r| r.id);
                state.push_back((seq, last, base, first_id));
                while state.len() > PRODUCER_STATE_BATCHES {
                    state.pop_front();
                }
            }
            results.push(PartitionProduceResult {
                tp,
                batch_id: batch.id,
                base_offset: base as i64,
                error: None,
            });
            waits.push((tp, batch.id, base, end));
            touched.push(tp);
        }
        // A `crash:leader=…,ahead` fault waiting on one of these partitions: the leader dies
        // right after this append, before its followers fetch it (see `sim::schedule`).
        let crash_after = self
            .ahead_watch
            .is_some_and(|(_, wtp)| touched.contains(&wtp));
        for tp in &touched {
            if crash_after {
                self.monitor_read(*tp);
                self.advance_high_watermark(*tp);
            } else {
                self.on_leader_log_grew(*tp);
            }
        }
        // acks=1 answers after the leader's append; acks=all once the high watermark passed
        // every appended or duplicate batch (errors are answered together with them).
        let mut delayed = DelayedProduce {
            broker: b,
            producer,
            request_id,
            waits,
            results,
        };
        let responded = match acks {
            Acks::None => false,
            Acks::Leader => {
                self.respond_produce(delayed);
                true
            }
            // `tryCompleteElseWatch`: answered now if every wait is already decided, else
            // parked in the purgatory until decided or the request's timeout.
            Acks::All => {
                if self.decide_waits(&mut delayed) {
                    self.respond_produce(delayed);
                    true
                } else {
                    let timeout_us = self
                        .producers
                        .get(producer as usize)
                        .map_or(30_000, |p| p.config.request_timeout_ms.value)
                        * 1000;
                    self.schedule(
                        self.now.plus(timeout_us),
                        Pending::Broker(BrokerTimer::ProduceExpire {
                            producer,
                            request_id,
                        }),
                    );
                    self.delayed_produces.push(delayed);
                    false
                }
            }
        };
        if crash_after {
            self.crash_ahead_leader(b);
        }
        Delivery::Appended {
            records: appended,
            duplicates,
            responded,
        }
    }

    /// After the leader's log grew: parked follower fetches for the partition wake up, and
    /// the high watermark may move (with an ISR of one). Returns whether it moved.
    pub(super) fn on_leader_log_grew(&mut self, tp: TopicPartitionId) -> bool {
        self.monitor_read(tp);
        self.wake_parked(tp, true);
        self.advance_high_watermark(tp)
    }

    /// Recomputes the high watermark; when it moves, consumer fetches waiting on it wake.
    /// acks=all produces waiting on the partition are checked either way: the high watermark,
    /// the ISR or the leadership may have changed (`tryCompleteDelayedRequests`).
    pub(super) fn advance_high_watermark(&mut self, tp: TopicPartitionId) -> bool {
        let min_isr = self
            .topics
            .get(tp.topic as usize)
            .map_or(1, |t| t.min_insync_replicas);
        let moved = self
            .partition_mut(tp)
            .and_then(|p| p.maybe_advance_high_watermark(min_isr))
            .is_some();
        self.complete_delayed_produces(tp);
        self.complete_marker_waits(tp);
        if moved {
            self.wake_parked(tp, false);
        }
        moved
    }

    /// `Partition.checkEnoughReplicasReachOffset` for broker `b`: `None` while the high
    /// watermark is below `required`; once it is reached, no error if the ISR still has
    /// min.insync.replicas members, else NOT_ENOUGH_REPLICAS_AFTER_APPEND (appended, then the
    /// ISR shrank); NOT_LEADER_OR_FOLLOWER once `b` no longer leads the partition.
    ///
    /// Since 3.7 the high watermark freezes below min.insync.replicas, so a wait whose ISR
    /// shrank too far usually stays undecided and expires with REQUEST_TIMED_OUT instead.
    fn check_enough_replicas(
        &self,
        b: u32,
        tp: TopicPartitionId,
        required: u64,
    ) -> Option<Option<KafkaError>> {
        let Some(p) = self.partition(tp) else {
            return Some(Some(KafkaError::NotLeaderOrFollower));
        };
        if p.leader != Some(b) {
            return Some(Some(KafkaError::NotLeaderOrFollower));
        }
        if p.high_watermark() < required {
            return None;
        }
        let min_isr = self
            .topics
            .get(tp.topic as usize)
            .map_or(1, |t| t.min_insync_replicas);
        if p.isr.len() >= p.effective_min_isr(min_isr) {
            Some(None)
        } else {
            Some(Some(KafkaError::NotEnoughReplicasAfterAppend))
        }
    }

    /// `DelayedProduce.tryComplete`: decides every pending wait it can (the decided ones leave
    /// `waits`, their result takes the error); returns whether none is left.
    fn decide_waits(&self, d: &mut DelayedProduce) -> bool {
        let b = d.broker;
        let mut decided = Vec::new();
        d.waits.retain(
            |&(tp, batch_id, _, end)| match self.check_enough_replicas(b, tp, end) {
                Some(error) => {
                    decided.push((batch_id, error));
                    false
                }
                None => true,
            },
        );
        for (batch_id, error) in decided {
            if let Some(r) = d.results.iter_mut().find(|r| r.batch_id == batch_id) {
                r.error = error;
            }
        }
        d.waits.is_empty()
    }

    /// Sends a produce request's response from its leader.
    fn respond_produce(&mut self, d: DelayedProduce) {
        self.send(
            Node::Broker(d.broker),
            Node::Producer(d.producer),
            Body::ProduceResponse {
                request_id: d.request_id,
                results: d.results,
            },
        );
    }

    /// Checks the acks=all produces waiting on `tp` and answers those now fully decided.
    fn complete_delayed_produces(&mut self, tp: TopicPartitionId) {
        if !self
            .delayed_produces
            .iter()
            .any(|d| d.waits.iter().any(|w| w.0 == tp))
        {
            return;
        }
        let all = core::mem::take(&mut self.delayed_produces);
        let mut keep = Vec::with_capacity(all.len());
        let mut done = Vec::new();
        for mut d in all {
            if d.waits.iter().any(|w| w.0 == tp) && self.decide_waits(&mut d) {
                done.push(d);
            } else {
                keep.push(d);
            }
        }
        self.delayed_produces = keep;
        for d in done {
            self.respond_produce(d);
        }
    }

    /// `DelayedProduce.onExpiration`: the request's timeout passed with batches still
    /// waiting; those answer REQUEST_TIMED_OUT, the decided ones keep their result. (The
    /// producer, whose own request.timeout.ms started earlier, has usually given up on the
    /// request already and ignores the answer.)
    fn on_produce_expire(&mut self, producer: u32, request_id: u64) -> Option<Event> {
        let i = self
            .delayed_produces
            .iter()
            .position(|d| d.producer == producer && d.request_id == request_id)?;
        let mut d = self.delayed_produces.remove(i);
        let broker = d.broker;
        let partitions = d.waits.len() as u32;
        for &(_, batch_id, _, _) in &d.waits {
            if let Some(r) = d.results.iter_mut().find(|r| r.batch_id == batch_id) {
                r.error = Some(KafkaError::RequestTimedOut);
            }
        }
        d.waits.clear();
        self.respond_produce(d);
        Some(Event::ProduceWaitExpired {
            broker,
            producer,
            partitions,
        })
    }

    /// Answers parked fetches that include `tp`: follower fetches when the log grows
    /// (`replicas = true`), consumer fetches when the high watermark moves.
    pub(super) fn wake_parked(&mut self, tp: TopicPartitionId, replicas: bool) {
        let mut i = 0;
        while i < self.parked_fetches.len() {
            let f = &self.parked_fetches[i];
            let is_replica = matches!(f.fetcher, Node::Broker(_));
            if is_replica == replicas && f.partitions.iter().any(|(t, _)| *t == tp) {
                let f = self.parked_fetches.remove(i);
                self.respond_fetch(f.broker, f.fetcher, &f.partitions);
            } else {
                i += 1;
            }
        }
    }

    /// A fetch (follower or consumer) at broker `b`. Answers now if there is data to return,
    /// else parks it for `replica.fetch.wait.max.ms` / `fetch.max.wait.ms`.
    pub(super) fn on_fetch_request(
        &mut self,
        b: u32,
        fetcher: Node,
        partitions: Vec<(TopicPartitionId, u64)>,
    ) -> Delivery {
        let mut hw_moved = 0;
        if let Node::Broker(follower) = fetcher {
            // The fetch offset is the follower's log end offset: the leader learns it here,
            // and the high watermark can move.
            let now = self.now;
            for (tp, offset) in &partitions {
                let Some(p) = self.partition_mut(*tp) else {
                    continue;
                };
                if p.leader != Some(b) {
                    continue;
                }
                let leo = p.log_end_offset();
                if let Some(r) = p.replica_mut(follower) {
                    r.update_fetch_state(*offset, leo, now);
                }
                // A follower caught up to the high watermark rejoins the ISR
                // (`Partition.isFollowerInSync`, via AlterPartition to the controller).
                if !p.isr.contains(&follower) && *offset >= p.high_watermark() {
                    self.schedule(
                        now,
                        Pending::Broker(BrokerTimer::IsrExpand {
                            tp: *tp,
                            broker: follower,
                        }),
                    );
                }
                if self.advance_high_watermark(*tp) {
                    hw_moved += 1;
                }
            }
        }
        let available = self.fetchable(b, fetcher, &partitions);
        let (min_bytes, wait_us) = match fetcher {
            Node::Broker(_) => (
                1u64,
                self.config.broker.replica_fetch_wait_max_ms.value * 1000,
            ),
            Node::Consumer(c) => {
                let g = self
                    .consumers
                    .get(c as usize)
                    .map_or(0, |c| c.group as usize);
                let cc = &self.config.groups[g].consumer;
                (
                    cc.fetch_min_bytes.value as u64,
                    cc.fetch_max_wait_ms.value * 1000,
                )
            }
            Node::Producer(_) => (1, 0),
        };
        // A fetch below the log start offset is answered at once (OFFSET_OUT_OF_RANGE).
        let out_of_range = partitions.iter().any(|(tp, offset)| {
            self.partition(*tp).is_some_and(|p| {
                p.leader == Some(b)
                    && p.leader_replica()
                        .is_some_and(|l| *offset < l.log.log_start_offset())
            })
        });
        if available.1 >= min_bytes.max(1) || wait_us == 0 || out_of_range {
            let records = self.respond_fetch(b, fetcher, &partitions);
            return Delivery::FetchServed {
                records,
                parked: false,
                high_watermark_moved: hw_moved,
            };
        }
        let id = self.next_fetch_id;
        self.next_fetch_id += 1;
        let deadline = self.now.plus(wait_us);
        self.parked_fetches.push(ParkedFetch {
            id,
            broker: b,
            fetcher,
            partitions,
            deadline,
        });
        self.schedule(deadline, Pending::FetchExpire { fetch_id: id });
        Delivery::FetchServed {
            records: 0,
            parked: true,
            high_watermark_moved: hw_moved,
        }
    }

    pub(super) fn on_fetch_expire(&mut self, fetch_id: u64) -> Option<Event> {
        let i = self.parked_fetches.iter().position(|f| f.id == fetch_id)?;
        let f = self.parked_fetches.remove(i);
        self.respond_fetch(f.broker, f.fetcher, &f.partitions);
        Some(Event::FetchWaitExpired {
            broker: f.broker,
            fetcher: f.fetcher,
        })
    }

    /// Whether a fetcher is a read_committed consumer (the fetch's isolation level, looked up
    /// from its group's config rather than carried in the request).
    pub(super) fn read_committed(&self, fetcher: Node) -> bool {
        let Node::Consumer(c) = fetcher else {
            return false;
        };
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
    pub(super) fn consumer_fetch_end(&self, fetcher: Node, tp: TopicPartitionId) -> u64 {
        if self.read_committed(fetcher) {
            self.last_stable_offset(tp)
        } else {
            self.partition(tp).map_or(0, |p| p.high_watermark())
        }
    }

    /// (records, bytes) a fetch could return now: followers read to the log end, consumers
    /// only below the high watermark (read_committed: the last stable offset).
    fn fetchable(
        &self,
        b: u32,
        fetcher: Node,
        partitions: &[(TopicPartitionId, u64)],
    ) -> (u64, u64) {
        let mut records = 0;
        let mut bytes = 0;
        for (tp, offset) in partitions {
            let Some(p) = self.partition(*tp) else {
                continue;
            };
            if p.leader != Some(b) {
                continue;
            }
            let end = match fetcher {
                Node::Broker(_) => p.log_end_offset(),
                _ => self.consumer_fetch_end(fetcher, *tp),
            };
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

    /// Sends a fetch response with what each partition has past the fetch offset.
    fn respond_fetch(
        &mut self,
        b: u32,
        fetcher: Node,
        partitions: &[(TopicPartitionId, u64)],
    ) -> u32 {
        let max_bytes = match fetcher {
            Node::Consumer(c) => {
                let g = self
                    .consumers
                    .get(c as usize)
                    .map_or(0, |c| c.group as usize);
                self.config.groups[g]
                    .consumer
                    .max_partition_fetch_bytes
                    .value as u64
            }
            _ => REPLICA_FETCH_MAX_BYTES,
        };
        let mut parts = Vec::new();
        let mut total = 0u32;
        for (tp, offset) in partitions {
            let Some(p) = self.partition(*tp) else {
                continue;
            };
            if p.leader != Some(b) {
                continue;
            }
            let Some(l) = p.leader_replica() else {
                continue;
            };
            let end = match fetcher {
                Node::Broker(_) => l.log.log_end_offset(),
                _ => self.consumer_fetch_end(fetcher, *tp),
            };
            let mut entries = Vec::new();
            let mut bytes = 0u64;
            // Below the log start offset: OFFSET_OUT_OF_RANGE, no records (the fetcher sees
            // its offset under `log_start_offset` and resets).
            let from = if *offset < l.log.log_start_offset() {
                end
            } else {
                *offset
            };
            for (off, e) in l.log.range(from, end) {
                // At least one record, then up to the byte limit.
                if !entries.is_empty() && bytes + e.size_bytes as u64 > max_bytes {
                    break;
                }
                bytes += e.size_bytes as u64;
                entries.push((off, e));
            }
            total += entries.len() as u32;
            let read_committed = self.read_committed(fetcher);
            let aborted_transactions = match entries.last() {
                Some((last, _)) if read_committed => self.aborted_transactions(*tp, from, last + 1),
                _ => Vec::new(),
            };
            parts.push(FetchedPartition {
                tp: *tp,
                high_watermark: l.high_watermark,
                log_start_offset: l.log.log_start_offset(),
                entries,
                last_stable_offset: self.last_stable_offset(*tp),
                aborted_transactions,
            });
        }
        let body = match fetcher {
            Node::Broker(_) => Body::ReplicaFetchResponse { parts },
            _ => Body::ConsumerFetchResponse { parts },
        };
        self.send(Node::Broker(b), fetcher, body);
        total
    }

    /// A follower got records from its leader: append, take the leader's high watermark,
    /// and fetch again at once.
    pub(super) fn on_replica_fetch_response(
        &mut self,
        follower: u32,
        from: Node,
        parts: Vec<FetchedPartition>,
    ) -> Delivery {
        let Node::Broker(leader) = from else {
            return Delivery::Group;
        };
        let mut n = 0;
        for fp in parts {
            let Some(p) = self.partition_mut(fp.tp) else {
                continue;
            };
            // A response from a broker that no longer leads the partition (or to a replica
            // that leads it now) is stale: Kafka fences it by leader epoch
            // (FENCED_LEADER_EPOCH); it must not touch the log.
            if p.leader != Some(leader) || p.leader == Some(follower) {
                continue;
            }
            let Some((r, leader_log)) = follower_and_leader_log(p, follower, leader) else {
                continue;
            };
            // Its log ends below the leader's log start (retention deleted what it needs):
            // OFFSET_OUT_OF_RANGE, it truncates fully and starts at the leader's log start.
            if fp.log_start_offset > r.log.log_end_offset() {
                r.log.truncate_fully_and_start_at(fp.log_start_offset);
                r.high_watermark = r.high_watermark.max(fp.log_start_offset);
            }
            for (off, e) in fp.entries {
                if off == r.log.log_end_offset() {
                    // The copy shares the leader's storage where the leader still holds it.
                    match leader_log {
                        Some(l) => r.log.append_copy(e, l),
                        None => r.log.append(e),
                    };
                    n += 1;
                }
            }
            let hw = fp.high_watermark.min(r.log.log_end_offset());
            if hw > r.high_watermark {
                r.high_watermark = hw;
            }
            // The follower's log start follows the leader's (`maybeIncrementLogStartOffset`).
            let start = fp.log_start_offset.min(r.high_watermark);
            r.log.advance_start(start);
        }
        self.send_replica_fetch(follower, leader);
        Delivery::Fetched { records: n }
    }
}

/// The follower's replica (mutable) and the leader's log of partition `p`.
fn follower_and_leader_log(
    p: &mut crate::cluster::Partition,
    follower: u32,
    leader: u32,
) -> Option<(&mut crate::cluster::Replica, Option<&crate::log::Log>)> {
    let fi = p.replicas.iter().position(|r| r.broker == follower)?;
    let Some(li) = p.replicas.iter().position(|r| r.broker == leader) else {
        return Some((&mut p.replicas[fi], None));
    };
    if fi == li {
        return Some((&mut p.replicas[fi], None));
    }
    let (f, l) = if fi < li {
        let (a, b) = p.replicas.split_at_mut(li);
        (&mut a[fi], &b[0])
    } else {
        let (a, b) = p.replicas.split_at_mut(fi);
        (&mut b[0], &a[li])
    };
    Some((f, Some(&l.log)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::time::SimTime;

    /// `checkEnoughReplicasReachOffset`: a wait whose offset the high watermark has passed
    /// completes without error while the ISR holds min.insync.replicas, with
    /// NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below it meanwhile, and with
    /// NOT_LEADER_OR_FOLLOWER once the broker no longer leads.
    #[test]
    fn delayed_produce_outcomes() {
        let mut c = Config::preset();
        c.set(
            crate::config::settings::broker::MIN_INSYNC_REPLICAS.name,
            "2",
        )
        .unwrap();
        let mut sim = Sim::new(c, 1).unwrap();
        sim.run_until(SimTime(1_000_000));
        let tp = TopicPartitionId {
            topic: 0,
            partition: 0,
        };
        let leader = sim.partition(tp).and_then(|p| p.leader).unwrap();
        let hw = sim.partition(tp).unwrap().high_watermark();
        assert!(hw > 10);
        let outcome = |sim: &mut Sim, isr: Option<usize>, lead: bool| {
            let mut s = sim.clone();
            let p = s.partition_mut(tp).unwrap();
            if let Some(n) = isr {
                p.isr.truncate(n);
            }
            if !lead {
                p.leader = p.replicas.iter().map(|r| r.broker).find(|b| *b != leader);
            }
            let mut d = DelayedProduce {
                broker: leader,
                producer: 0,
                request_id: 999_999,
                waits: alloc::vec![(tp, 7, hw - 10, hw - 5), (tp, 8, hw, hw + 5)],
                results: alloc::vec![
                    PartitionProduceResult {
                        tp,
                        batch_id: 7,
                        base_offset: (hw - 10) as i64,
                        error: None,
                    },
                    PartitionProduceResult {
                        tp,
                        batch_id: 8,
                        base_offset: hw as i64,
                        error: None,
                    },
                ],
            };
            let all = s.decide_waits(&mut d);
            (all, d.waits.len(), d.results[0].error, d.results[1].error)
        };
        // The second batch is above the high watermark: still waiting.
        assert_eq!(outcome(&mut sim, None, true), (false, 1, None, None));
        assert_eq!(
            outcome(&mut sim, Some(1), true),
            (
                false,
                1,
                Some(KafkaError::NotEnoughReplicasAfterAppend),
                None
            )
        );
        let nl = Some(KafkaError::NotLeaderOrFollower);
        assert_eq!(outcome(&mut sim, None, false), (true, 0, nl, nl));
    }
}
