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

/// Bytes a follower takes per partition per fetch (`replica.fetch.max.bytes`).
const REPLICA_FETCH_MAX_BYTES: u64 = 1_048_576;
/// How many batches per producer and partition a leader remembers for deduplication.
const PRODUCER_STATE_BATCHES: usize = 5;

impl Sim {
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
        let alive: Vec<u32> = self
            .brokers
            .iter()
            .filter(|b| b.alive)
            .map(|b| b.id)
            .collect();
        let placed = place_replicas(&mut self.rng, &alive, count - old, rf);
        let t = &mut self.topics[topic as usize];
        for (i, reps) in placed.into_iter().enumerate() {
            t.partitions
                .push(Partition::new(topic, old + i as u32, &reps));
        }
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

    /// A produce request at broker `b`.
    pub(super) fn on_produce_request(
        &mut self,
        b: u32,
        producer: u32,
        request_id: u64,
        producer_id: i64,
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
            let min_isr = self.topics[tp.topic as usize].min_insync_replicas as usize;
            let part = &mut self.topics[tp.topic as usize].partitions[tp.partition as usize];
            if acks == Acks::All && part.isr.len() < min_isr {
                results.push(PartitionProduceResult {
                    tp,
                    batch_id: batch.id,
                    base_offset: -1,
                    error: Some(KafkaError::NotEnoughReplicas),
                });
                continue;
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
                        duplicates += batch.records.len() as u32;
                        // acks=all answers a duplicate like the original: once the high
                        // watermark passed the batch (Kafka's DelayedProduce waits on the
                        // offsets the duplicate check returns).
                        waits.push((tp, batch.id, off, off + batch.records.len() as u64));
                        results.push(PartitionProduceResult {
                            tp,
                            batch_id: batch.id,
                            base_offset: off as i64,
                            error: None,
                        });
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
        // every appended batch (errors and duplicates are answered together with them).
        let respond_now = match acks {
            Acks::None => None,
            Acks::Leader => Some(true),
            Acks::All => Some(self.high_watermark_reached(&waits)),
        };
        let responded = match respond_now {
            None => false,
            Some(true) => {
                self.send(
                    Node::Broker(b),
                    Node::Producer(producer),
                    Body::ProduceResponse {
                        request_id,
                        results,
                    },
                );
                true
            }
            Some(false) => {
                self.delayed_produces.push(DelayedProduce {
                    broker: b,
                    producer,
                    request_id,
                    waits,
                    results,
                });
                false
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
    fn on_leader_log_grew(&mut self, tp: TopicPartitionId) -> bool {
        self.monitor_read(tp);
        self.wake_parked(tp, true);
        self.advance_high_watermark(tp)
    }

    /// Recomputes the high watermark; when it moves, acks=all produces and consumer fetches
    /// waiting on it complete.
    pub(super) fn advance_high_watermark(&mut self, tp: TopicPartitionId) -> bool {
        let min_isr = self
            .topics
            .get(tp.topic as usize)
            .map_or(1, |t| t.min_insync_replicas);
        let moved = self
            .partition_mut(tp)
            .and_then(|p| p.maybe_advance_high_watermark(min_isr))
            .is_some();
        if moved {
            self.complete_delayed_produces(tp);
            self.wake_parked(tp, false);
        }
        moved
    }

    /// Every batch of an acks=all request is below its partition's high watermark.
    fn high_watermark_reached(&self, waits: &[(TopicPartitionId, u64, u64, u64)]) -> bool {
        waits.iter().all(|(tp, _, _, end)| {
            self.partition(*tp)
                .is_some_and(|p| p.high_watermark() >= *end)
        })
    }

    fn complete_delayed_produces(&mut self, tp: TopicPartitionId) {
        let mut i = 0;
        while i < self.delayed_produces.len() {
            let d = &self.delayed_produces[i];
            if !d.waits.iter().any(|w| w.0 == tp) {
                i += 1;
                continue;
            }
            if self.high_watermark_reached(&d.waits) {
                let d = self.delayed_produces.remove(i);
                self.send(
                    Node::Broker(d.broker),
                    Node::Producer(d.producer),
                    Body::ProduceResponse {
                        request_id: d.request_id,
                        results: d.results,
                    },
                );
            } else {
                i += 1;
            }
        }
    }

    /// Answers parked fetches that include `tp`: follower fetches when the log grows
    /// (`replicas = true`), consumer fetches when the high watermark moves.
    fn wake_parked(&mut self, tp: TopicPartitionId, replicas: bool) {
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
            for (tp, offset) in &partitions {
                let Some(p) = self.partition_mut(*tp) else {
                    continue;
                };
                if p.leader != Some(b) {
                    continue;
                }
                if let Some(r) = p.replica_mut(follower) {
                    r.leader_view_leo = *offset;
                }
                // A follower caught up to the high watermark rejoins the ISR
                // (`Partition.isFollowerInSync`, via AlterPartition to the controller).
                if !p.isr.contains(&follower) && *offset >= p.high_watermark() && p.leader.is_some()
                {
                    p.isr.push(follower);
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
        if available.1 >= min_bytes.max(1) || wait_us == 0 {
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

    /// (records, bytes) a fetch could return now: followers read to the log end, consumers
    /// only below the high watermark.
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
                _ => p.high_watermark(),
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
                _ => l.high_watermark,
            };
            let mut entries = Vec::new();
            let mut bytes = 0u64;
            for (off, e) in l.log.range(*offset, end) {
                // At least one record, then up to the byte limit.
                if !entries.is_empty() && bytes + e.size_bytes as u64 > max_bytes {
                    break;
                }
                bytes += e.size_bytes as u64;
                entries.push((off, *e));
            }
            total += entries.len() as u32;
            parts.push(FetchedPartition {
                tp: *tp,
                high_watermark: l.high_watermark,
                log_start_offset: l.log.log_start_offset(),
                entries,
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
            let Some(r) = p.replica_mut(follower) else {
                continue;
            };
            for (off, e) in fp.entries {
                if off == r.log.log_end_offset() {
                    r.log.append(e);
                    n += 1;
                }
            }
            let hw = fp.high_watermark.min(r.log.log_end_offset());
            if hw > r.high_watermark {
                r.high_watermark = hw;
            }
        }
        self.send_replica_fetch(follower, leader);
        Delivery::Fetched { records: n }
    }
}
