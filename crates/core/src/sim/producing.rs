//! Producer handlers: the application's `send()`, the sender thread's drain, responses.

use super::{Pending, Sim};
use crate::config::{Acks, PartitionerKind, ProducerConfig, SendMode};
use crate::event::{Delivery, Event};
use crate::inspect::RecordOutcome;
use crate::murmur2::murmur2;
use crate::net::{Body, KafkaError, Node, PartitionProduceResult, TopicPartitionId};
use crate::producer::accumulator::{
    PartitionerState, ProducerBatch, RecordAccumulator, RecordMeta,
};
use crate::producer::partitioner::{BuiltInPartitioner, LegacySticky, PartitionReason, RoundRobin};
use crate::producer::record::{key_bytes, HeaderSpec};
use crate::producer::{
    BlockedSend, ClientError, InFlightRequest, Producer, ProducerState, ProducerStats,
};
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// `delivery.timeout.ms`, raised to linger.ms + request.timeout.ms when it was left unset
/// (Kafka overrides a default that is too small; an explicit one that is too small is refused
/// by validation).
fn delivery_timeout_us(c: &crate::config::ProducerConfig) -> u64 {
    let floor = c.linger_ms.value.saturating_add(c.request_timeout_ms.value);
    c.delivery_timeout_ms.value.max(floor).saturating_mul(1000)
}

/// `ProducerBatch.close()`: the batch's records are written for real (and compressed),
/// which fixes its size on the wire, and the topic's compression ratio estimate moves toward
/// what was observed (`CompressionRatioEstimator`: up at once, down by 0.005 a batch).
fn close_batch(p: &mut Producer, b: &mut crate::producer::accumulator::ProducerBatch) {
    if b.wire_bytes.is_some() {
        return; // a retried batch was closed already
    }
    let uncompressed = crate::record::RECORD_BATCH_OVERHEAD as u64 + b.records_bytes as u64;
    let wire = if b.compressed {
        let enc = crate::compression::encode_producer_batch(
            b,
            p.config.compression(),
            p.config.key_serializer.value,
            p.config.workload.value_kind.value,
        );
        match enc {
            Ok(enc) => {
                let observed =
                    enc.compressed_records_bytes as f32 / enc.records_bytes.max(1) as f32;
                let est = p.accumulator.ratio_estimate;
                p.accumulator.ratio_estimate = if observed > est {
                    (est + 0.05).max(observed)
                } else if observed < est {
                    est - 0.005
                } else {
                    est
                };
                enc.wire_size() as u64
            }
            Err(_) => uncompressed,
        }
    } else {
        uncompressed
    };
    b.wire_bytes = Some(wire.min(u32::MAX as u64) as u32);
    p.stats.bytes_uncompressed += uncompressed;
    p.stats.bytes_on_wire += wire;
}

impl Sim {
    /// A new `KafkaProducer` instance for application `app`, with a fresh producer id.
    pub(crate) fn create_producer(&mut self, app: u32, config: ProducerConfig) -> u32 {
        let index = self.producers.len() as u32;
        let topic = self
            .topics
            .iter()
            .position(|t| t.name == config.topic)
            .unwrap_or(0) as u32;
        let partitions = self
            .topics
            .get(topic as usize)
            .map_or(0, |t| t.partitions.len() as u32);
        let partitioner = match config.partitioner.value {
            PartitionerKind::BuiltIn => {
                PartitionerState::BuiltIn(BuiltInPartitioner::new(config.batch_size.value))
            }
            PartitionerKind::RoundRobin => PartitionerState::RoundRobin(RoundRobin::default()),
            PartitionerKind::LegacySticky => {
                PartitionerState::LegacySticky(LegacySticky::default())
            }
        };
        // A transactional producer gets its producer id from its coordinator (InitProducerId).
        let txn = config
            .transactional_id
            .as_deref()
            .map(|tid| self.new_transaction_manager(tid));
        let producer_id = if txn.is_some() {
            -1
        } else {
            self.next_producer_id += 1;
            self.next_producer_id - 1
        };
        let first_batch = self.next_batch_id;
        self.next_batch_id += 1 << 32;
        let n_brokers = self.brokers.len();
        let p = Producer {
            index,
            app,
            producer_id,
            epoch: 0,
            idempotent: config.idempotence_effective(),
            accumulator: RecordAccumulator::new(
                partitions,
                config.batch_size.value,
                config.buffer_memory.value,
                first_batch,
            ),
            config,
            topic,
            state: ProducerState::Running,
            partitioner,
            rng: self.rng.fork(),
            next_sequence: alloc::vec![0; partitions as usize],
            next_ordinal: alloc::vec![0; partitions as usize],
            in_flight: BTreeMap::new(),
            in_flight_per_broker: alloc::vec![0; n_brokers],
            drain_index: alloc::vec![0; n_brokers],
            node_ready_at: alloc::vec![SimTime::ZERO; n_brokers],
            node_drained_at: alloc::vec![SimTime::ZERO; n_brokers],
            awaiting_ack: None,
            wake_at: None,
            blocked: None,
            stats: ProducerStats::default(),
            txn,
            crashed: false,
        };
        let mut p = p;
        p.accumulator.compressed =
            p.config.compression_type.value != crate::compression::CompressionType::None;
        let transactional = p.txn.is_some();
        self.producers.push(p);
        if transactional {
            self.txn_send_init(index);
        }
        index
    }

    /// A live change of a producer setting: Kafka cannot change a running producer, so the
    /// application closes it (its batches complete first) and creates a new one.
    pub(crate) fn restart_producer(&mut self, app: u32) {
        let old = self.app_producer[app as usize];
        let mut was_waiting = false;
        if let Some(p) = self.producers.get_mut(old as usize) {
            p.state = ProducerState::Closing;
            was_waiting = p.awaiting_ack.take().is_some();
            // A send() blocked on buffer memory fails as Kafka's does when the producer closes
            // ("Producer closed while allocating memory").
            if p.blocked.take().is_some() {
                p.stats.records_failed += 1;
                was_waiting = true;
            }
        }
        if was_waiting {
            // The application's blocked send().get() is abandoned with the old instance;
            // it carries on with the new one.
            if let Some(dt) = self.produce_interval(app) {
                self.schedule_tick(app, self.now.plus(dt));
            }
        }
        self.sender_run(old);
        self.maybe_finish_close(old);
        let cfg = self.config.producers[app as usize].clone();
        let new = self.create_producer(app, cfg);
        self.app_producer[app as usize] = new;
    }

    /// A closing producer with nothing queued or in flight finishes closing (as its own
    /// event, so the trace shows it).
    pub(crate) fn maybe_finish_close(&mut self, idx: u32) {
        let done = self
            .producers
            .get(idx as usize)
            .is_some_and(|p| p.state == ProducerState::Closing && p.drained());
        if done {
            self.schedule(self.now, Pending::FinishClose { producer: idx });
        }
    }

    pub(crate) fn on_finish_close(&mut self, idx: u32) -> Option<Event> {
        let p = self.producers.get_mut(idx as usize)?;
        if p.state != ProducerState::Closing || !p.drained() {
            return None;
        }
        p.state = ProducerState::Closed;
        Some(Event::ProducerClosed { producer: idx })
    }

    /// Microseconds between two `send()` calls of an application.
    pub(crate) fn produce_interval(&self, app: u32) -> Option<u64> {
        let rate = self
            .config
            .producers
            .get(app as usize)?
            .workload
            .records_per_s
            .value;
        if rate == 0 {
            return None;
        }
        Some((1_000_000 / rate as u64).max(1))
    }

    /// The application calls `send()` once.
    pub(crate) fn on_produce_tick(&mut self, app: u32, at: SimTime) -> Option<Event> {
        if self.app_next_send.get(app as usize).copied().flatten() != Some(at) {
            return None; // superseded (the rate changed)
        }
        self.app_next_send[app as usize] = None;
        let idx = self.app_producer[app as usize];
        let p = &self.producers[idx as usize];
        if p.blocked.is_some() {
            // The application thread is inside a blocked send(); it resumes from there.
            return Some(Event::SendBlocked { producer: idx });
        }
        let sync = p.config.workload.send_mode.value == SendMode::Sync;
        if sync && p.awaiting_ack.is_some() {
            // send().get() has not returned: the next send waits for the acknowledgement.
            return Some(Event::SendBlocked { producer: idx });
        }
        if p.txn.is_some() {
            // A transactional application begins, commits or aborts between its sends.
            let (event, send) = self.txn_app_step(idx);
            if !send {
                return event;
            }
        }
        Some(self.app_send(idx))
    }

    /// The application's `send()` of its next record.
    pub(crate) fn app_send(&mut self, idx: u32) -> Event {
        let rec = self.make_record(idx);
        self.producers[idx as usize].stats.records_sent += 1;
        // KafkaProducer.ensureValidRecordSize: a record that can never fit fails at once.
        let p = &self.producers[idx as usize];
        let upper = crate::record::batch_size_upper_bound(
            rec.key_len.map(|k| k as usize),
            Some(rec.value_len as usize),
            &rec.headers.sizes(),
        ) as u64;
        let too_large =
            upper > p.config.max_request_size.value as u64 || upper > p.config.buffer_memory.value;
        if too_large {
            self.producers[idx as usize].stats.records_failed += 1;
            self.journal.push(crate::inspect::JournalEntry {
                rec,
                producer: idx,
                partition: u32::MAX,
                batch_id: u64::MAX,
                reason: PartitionReason::Explicit,
                outcome: RecordOutcome::Failed {
                    error: ClientError::RecordTooLarge.name(),
                },
            });
            self.schedule_next_send_for(idx, rec.created_at);
            return Event::SendFailed {
                producer: idx,
                record_id: rec.id,
                error: ClientError::RecordTooLarge,
            };
        }
        self.send_record(idx, rec)
    }

    /// The next `send()` of the application instance `idx` drives: its application's tick
    /// (a transactional zombie has a timer of its own).
    pub(crate) fn schedule_next_send_for(&mut self, idx: u32, last_created: SimTime) {
        let Some(p) = self.producers.get(idx as usize) else {
            return;
        };
        if p.txn.is_some() {
            self.txn_next_tick(idx, Some(last_created));
        } else {
            self.schedule_next_send(p.app, last_created);
        }
    }

    /// The record the application sends now: a key from its key space (or none), the
    /// serializers' sizes, headers, an explicit partition if it names one.
    pub(crate) fn make_record(&mut self, idx: u32) -> RecordMeta {
        let record_id = self.next_record_id;
        self.next_record_id += 1;
        let now = self.now;
        let partitions = self.topics[self.producers[idx as usize].topic as usize]
            .partitions
            .len();
        let p = &mut self.producers[idx as usize];
        let w = &p.config.workload;
        let key = if w.keys.value == 0 || p.rng.percent(w.keyless_percent.value) {
            None
        } else {
            Some(p.rng.below(w.keys.value as u64) as u32)
        };
        let mut kb = [0u8; 24];
        let key_ser = p.config.key_serializer.value;
        let key_len = key.map(|k| key_bytes(key_ser, k, &mut kb).len() as u32);
        RecordMeta {
            id: record_id,
            key,
            key_len,
            value_len: p
                .config
                .value_serializer
                .value
                .value_len(w.value_bytes.value),
            headers: HeaderSpec {
                count: w.headers.value.min(u8::MAX as u32) as u8,
                value_len: w.header_bytes.value.min(u16::MAX as u32) as u16,
            },
            explicit_partition: w
                .explicit_partition
                .value
                .filter(|ep| (*ep as usize) < partitions),
            size_bytes: 0,
            created_at: now,
        }
    }

    /// A pipeline processor's output record: the input's key, sent to `partition` (the
    /// transform keeps key and value size).
    pub(crate) fn make_output_record(
        &mut self,
        idx: u32,
        key: Option<u32>,
        partition: u32,
    ) -> RecordMeta {
        let mut rec = self.make_record(idx);
        let ser = self.producers[idx as usize].config.key_serializer.value;
        let mut kb = [0u8; 24];
        rec.key = key;
        rec.key_len = key.map(|k| key_bytes(ser, k, &mut kb).len() as u32);
        rec.explicit_partition = Some(partition);
        rec
    }

    /// Sends a pipeline processor's output record (its event is part of the processor's).
    pub(crate) fn send_output_record(&mut self, idx: u32, rec: RecordMeta) {
        let _ = self.send_record(idx, rec);
    }

    /// Partitions and appends `rec`. When the accumulator has no buffer memory for a new
    /// batch, `send()` blocks: every batch becomes sendable, and the send waits up to
    /// `max.block.ms` for memory to come back.
    pub(crate) fn send_record(&mut self, idx: u32, mut rec: RecordMeta) -> Event {
        let now = self.now;
        let leaders = self.topics[self.producers[idx as usize].topic as usize].leaders();
        let p = &mut self.producers[idx as usize];
        let n = leaders.len() as u32;
        let ignore_keys = p.config.partitioner_ignore_keys.value;
        let keyed = rec.key.map(|k| {
            let mut kb = [0u8; 24];
            let h = murmur2(key_bytes(p.config.key_serializer.value, k, &mut kb));
            (
                ((h & 0x7fff_ffff) as u32) % n.max(1),
                PartitionReason::KeyHash {
                    murmur2: h,
                    partitions: n,
                },
            )
        });
        let acc = &mut p.accumulator;
        let result = match (rec.explicit_partition, &mut p.partitioner) {
            // An explicit partition wins over every partitioner (`KafkaProducer.partition`).
            (Some(ep), _) => acc.append_fixed(ep, &mut rec, now, PartitionReason::Explicit),
            (None, PartitionerState::RoundRobin(rr)) => {
                let (part, counter) = rr.partition(&leaders);
                acc.append_fixed(part, &mut rec, now, PartitionReason::RoundRobin { counter })
            }
            (None, PartitionerState::BuiltIn(b)) => match keyed {
                Some((part, reason)) if !ignore_keys => {
                    acc.append_fixed(part, &mut rec, now, reason)
                }
                _ => acc.append_built_in(b, &mut rec, now, &mut p.rng, &leaders),
            },
            (None, PartitionerState::LegacySticky(s)) => {
                acc.append_legacy(s, keyed, &mut rec, now, &mut p.rng, &leaders)
            }
        };
        let result = match result {
            Ok(r) => r,
            Err(_) => {
                let first_block = p.blocked.is_none();
                let (since, at) = match p.blocked {
                    Some(b) => (b.since, b.deadline),
                    None => (now, now.plus(p.config.max_block_ms.value * 1000)),
                };
                p.blocked = Some(BlockedSend {
                    record: rec,
                    since,
                    deadline: at,
                });
                if first_block {
                    self.schedule(at, Pending::BlockTimeout { producer: idx, at });
                }
                self.sender_run(idx);
                return Event::SendBlocked { producer: idx };
            }
        };
        let p = &mut self.producers[idx as usize];
        p.blocked = None;
        self.journal.push(crate::inspect::JournalEntry {
            rec,
            producer: idx,
            partition: result.partition,
            batch_id: result.batch_id,
            reason: result.reason,
            outcome: RecordOutcome::Pending,
        });
        if let Some(t) = p.txn.as_mut() {
            // `maybeAddPartition`: a partition new to the transaction is added before its
            // first batch is sent (V1: AddPartitionsToTxn; V2: by the produce itself).
            t.records += 1;
            if t.version < 2 && !t.added.contains(&result.partition) {
                t.pending.insert(result.partition);
            }
        }
        let sync = p.config.workload.send_mode.value == SendMode::Sync;
        if sync {
            p.awaiting_ack = Some(rec.id);
        } else {
            self.schedule_next_send_for(idx, rec.created_at);
        }
        // RecordAccumulator wakes the sender only when a batch filled up or a new one began.
        let full = self.producers[idx as usize]
            .accumulator
            .deque(result.partition)
            .and_then(|d| d.back())
            .is_some_and(|b| b.is_full());
        let requests_sent = if result.new_batch || full {
            self.sender_run(idx)
        } else {
            0
        };
        Event::RecordAppended {
            producer: idx,
            record_id: rec.id,
            key: rec.key,
            partition: result.partition,
            batch_id: result.batch_id,
            new_batch: result.new_batch,
            reason: result.reason,
            requests_sent,
        }
    }

    /// The application's next `send()`, no sooner than its rate allows after the last one.
    pub(crate) fn schedule_next_send(&mut self, app: u32, last_created: SimTime) {
        if let Some(dt) = self.produce_interval(app) {
            let at = last_created.plus(dt).max(self.now);
            self.schedule_tick(app, at);
        }
    }

    /// Schedules application `app`'s next `send()` at `at` (replacing any other).
    pub(crate) fn schedule_tick(&mut self, app: u32, at: SimTime) {
        if self.draining {
            return; // the run is draining: applications send nothing more
        }
        if let Some(slot) = self.app_next_send.get_mut(app as usize) {
            *slot = Some(at);
            self.schedule(at, Pending::ProduceTick { app, at });
        }
    }

    /// After a workload change: an application that is not waiting on anything sends again
    /// at its (new) rate; a send planned further away than the new interval comes forward.
    pub(crate) fn resume_sending(&mut self, app: u32) {
        let idx = self.app_producer[app as usize] as usize;
        let p = &self.producers[idx];
        let waiting = p.blocked.is_some() || p.awaiting_ack.is_some();
        let Some(dt) = self.produce_interval(app) else {
            self.app_next_send[app as usize] = None;
            return;
        };
        let want = self.now.plus(dt);
        match self.app_next_send[app as usize] {
            None if !waiting => self.schedule_tick(app, want),
            Some(at) if at > want => self.schedule_tick(app, want),
            _ => {}
        }
    }

    /// Buffer memory came back: a blocked `send()` tries again.
    pub(crate) fn on_retry_blocked_send(&mut self, idx: u32) -> Option<Event> {
        let rec = self.producers.get(idx as usize)?.blocked?.record;
        Some(self.send_record(idx, rec))
    }

    /// `max.block.ms` ran out: the blocked `send()` fails (`BufferExhaustedException`, a
    /// `TimeoutException`) and the application carries on.
    pub(crate) fn on_block_timeout(&mut self, idx: u32, at: SimTime) -> Option<Event> {
        let p = self.producers.get_mut(idx as usize)?;
        let blocked = p.blocked?;
        if blocked.deadline != at {
            return None;
        }
        p.blocked = None;
        p.stats.records_failed += 1;
        let app = p.app;
        self.journal.push(crate::inspect::JournalEntry {
            rec: blocked.record,
            producer: idx,
            partition: u32::MAX,
            batch_id: u64::MAX,
            reason: PartitionReason::Explicit,
            outcome: RecordOutcome::Failed {
                error: ClientError::BufferExhausted.name(),
            },
        });
        let p = &self.producers[idx as usize];
        let running = p.state == ProducerState::Running;
        if running {
            let _ = app;
            self.schedule_next_send_for(idx, blocked.record.created_at);
        }
        Some(Event::SendFailed {
            producer: idx,
            record_id: blocked.record.id,
            error: ClientError::BufferExhausted,
        })
    }

    pub(crate) fn on_sender_wake(&mut self, producer: u32, at: SimTime) -> Option<Event> {
        let p = self.producers.get(producer as usize)?;
        if p.wake_at != Some(at) {
            return None; // superseded by an earlier wake-up
        }
        self.producers[producer as usize].wake_at = None;
        let requests_sent = self.sender_run(producer);
        Some(Event::SenderWoke {
            producer,
            requests_sent,
        })
    }

    /// One pass of the sender thread (`Sender.sendProducerData`): find ready brokers, drain
    /// each one's partitions into a produce request, send. Returns requests sent.
    pub(crate) fn sender_run(&mut self, idx: u32) -> u32 {
        // Kafka's sender loops without sleeping while something is sendable and a
        // connection has room; each pass takes at most one batch per partition.
        let mut total = 0;
        self.expire_batches(idx);
        self.txn_maybe_add_partitions(idx);
        loop {
            let sent = self.sender_pass(idx);
            total += sent;
            if sent == 0 {
                break;
            }
        }
        self.txn_maybe_send_end(idx);
        total
    }

    /// One pass of `Sender.sendProducerData`.
    pub(crate) fn sender_pass(&mut self, idx: u32) -> u32 {
        let now = self.now;
        let Some(p) = self.producers.get(idx as usize) else {
            return 0;
        };
        if p.state == ProducerState::Closed {
            return 0;
        }
        let topic = p.topic;
        let leaders = self.topics[topic as usize].leaders();
        let p = &mut self.producers[idx as usize];
        // Closing, or a send() blocked on memory (`free.queued() > 0`): everything is sendable.
        // Committing or aborting a transaction flushes too.
        let flushing = p.state == ProducerState::Closing
            || p.blocked.is_some()
            || p.txn.as_ref().is_some_and(|t| t.ending());
        let linger_us = p.config.linger_ms.value * 1000;
        // ready(): rebuild the adaptive partitioner's load statistics, find ready leaders.
        if let PartitionerState::BuiltIn(b) = &mut p.partitioner {
            if p.config.partitioner_adaptive_partitioning_enable.value && leaders.len() >= 2 {
                // partitioner.availability.timeout.ms: a leader that has had sendable data
                // but was not drained for longer than that is left out of the choice.
                let timeout = p.config.partitioner_availability_timeout_ms.value * 1000;
                let (ready_at, drained_at) = (&p.node_ready_at, &p.node_drained_at);
                let available = |l: u32| {
                    timeout == 0
                        || ready_at
                            .get(l as usize)
                            .zip(drained_at.get(l as usize))
                            .is_none_or(|(r, d)| r.since(*d) <= timeout)
                };
                let qs = p.accumulator.queue_sizes(&leaders, available);
                b.update_load_stats(
                    qs.as_ref().map(|(s, i)| (&s[..], &i[..])),
                    leaders.len() as u32,
                );
            }
        }
        let mut ready_nodes: Vec<u32> = Vec::new();
        for (part, leader) in leaders.iter().enumerate() {
            if let Some(l) = leader {
                if p.txn.as_ref().is_none_or(|t| t.may_send_to(part as u32))
                    && p.accumulator
                        .first_ready(part as u32, now, linger_us, flushing)
                    && !ready_nodes.contains(l)
                {
                    ready_nodes.push(*l);
                }
            }
        }
        ready_nodes.sort_unstable();
        for n in &ready_nodes {
            if let Some(t) = p.node_ready_at.get_mut(*n as usize) {
                *t = now;
            }
        }
        let mut sent = 0;
        let max_in_flight = p.config.max_in_flight_requests_per_connection.value;
        let max_request = p.config.max_request_size.value;
        let acks = p.config.acks.value;
        for node in ready_nodes {
            // A killed broker's host refuses the connection: the batches wait for the
            // metadata that names a new leader (`NetworkClient.ready` is false).
            if self
                .brokers
                .get(node as usize)
                .is_some_and(|b| b.refuses_connections)
            {
                continue;
            }
            let p = &mut self.producers[idx as usize];
            if p.in_flight_per_broker[node as usize] >= max_in_flight {
                continue;
            }
            // drainBatchesForOneNode: the first batch of every partition this broker leads.
            let parts: Vec<u32> = leaders
                .iter()
                .enumerate()
                .filter(|(_, l)| **l == Some(node))
                .map(|(i, _)| i as u32)
                .collect();
            let len = parts.len() as u32;
            let start = p.drain_index[node as usize] % len.max(1);
            let mut batches = Vec::new();
            let mut size: u32 = 0;
            let mut visited = 0;
            for i in 0..len {
                let part = parts[((start + i) % len) as usize];
                // A transactional producer sends to a partition only once it is in the
                // transaction (`isSendToPartitionAllowed`).
                let allowed = p.txn.as_ref().is_none_or(|t| t.may_send_to(part));
                if !allowed || p.accumulator.backing_off(part, now) {
                    visited = i + 1;
                    continue;
                }
                let front = p.accumulator.deque(part).and_then(|d| d.front());
                if let Some(b) = front {
                    if !batches.is_empty() && size.saturating_add(b.size_bytes) > max_request {
                        break;
                    }
                    let was_ready = p.accumulator.first_ready(part, now, linger_us, flushing);
                    if let Some(mut b) = p.accumulator.pop_first(part) {
                        size = size.saturating_add(b.size_bytes);
                        close_batch(p, &mut b);
                        if p.idempotent && b.base_sequence.is_none() {
                            let seq = &mut p.next_sequence[part as usize];
                            b.base_sequence = Some(*seq);
                            *seq = seq.wrapping_add(b.records.len() as i32);
                        }
                        if b.first_ordinal.is_none() {
                            if let Some(o) = p.next_ordinal.get_mut(part as usize) {
                                b.first_ordinal = Some(*o);
                                *o = o.wrapping_add(b.records.len() as u32);
                            }
                        }
                        b.attempts += 1;
                        if !was_ready && b.attempts == 1 {
                            b.rode_along = true;
                            p.stats.batches_piggybacked += 1;
                        }
                        p.stats.batches_sent += 1;
                        batches.push(b);
                    }
                }
                visited = i + 1;
            }
            p.drain_index[node as usize] = (start + visited) % len.max(1);
            if !batches.is_empty() {
                p.node_drained_at[node as usize] = now;
            }
            if batches.is_empty() {
                continue;
            }
            let request_id = self.next_request_id;
            self.next_request_id += 1;
            let p = &mut self.producers[idx as usize];
            p.stats.requests_sent += 1;
            let wire: Vec<(TopicPartitionId, _)> = batches
                .iter()
                .map(|b| {
                    (
                        TopicPartitionId {
                            topic,
                            partition: b.partition,
                        },
                        b.clone(),
                    )
                })
                .collect();
            let producer_id = if p.idempotent { p.producer_id } else { -1 };
            let timeout_ms = p.config.request_timeout_ms.value;
            let (producer_epoch, transactional_id) = match p.txn.as_mut() {
                Some(t) => {
                    // V2: the produce request adds its partitions to the transaction.
                    t.added.extend(batches.iter().map(|b| b.partition));
                    (p.epoch, Some(t.transactional_id.clone()))
                }
                None => (p.epoch, None),
            };
            // acks=0: no response will come, so the batches complete as soon as they are
            // sent, with offset -1, and take no in-flight slot.
            let results: Vec<PartitionProduceResult> = if acks == Acks::None {
                batches
                    .iter()
                    .map(|b| PartitionProduceResult {
                        tp: TopicPartitionId {
                            topic,
                            partition: b.partition,
                        },
                        batch_id: b.id,
                        base_offset: -1,
                        error: None,
                    })
                    .collect()
            } else {
                p.in_flight_per_broker[node as usize] += 1;
                let timeout = p.config.request_timeout_ms.value * 1000;
                self.schedule(
                    now.plus(timeout),
                    Pending::RequestTimeout {
                        producer: idx,
                        request_id,
                    },
                );
                Vec::new()
            };
            self.producers[idx as usize].in_flight.insert(
                request_id,
                InFlightRequest {
                    request_id,
                    broker: node,
                    sent_at: now,
                    batches,
                },
            );
            self.send(
                Node::Producer(idx),
                Node::Broker(node),
                Body::Produce {
                    request_id,
                    producer: idx,
                    producer_id,
                    producer_epoch,
                    transactional_id,
                    acks,
                    timeout_ms,
                    batches: wire,
                },
            );
            if acks == Acks::None {
                self.complete_request(idx, request_id, &results);
            }
            sent += 1;
        }
        // The sender sleeps until a queued batch lingers out, ends its backoff or expires.
        self.schedule_sender_wake(idx);
        sent
    }

    /// A produce response arrived: complete its batches.
    pub(crate) fn on_produce_response(
        &mut self,
        idx: u32,
        request_id: u64,
        results: Vec<PartitionProduceResult>,
    ) -> Delivery {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return Delivery::Group;
        };
        if let Some(r) = p.in_flight.get(&request_id) {
            let b = r.broker as usize;
            p.in_flight_per_broker[b] = p.in_flight_per_broker[b].saturating_sub(1);
        }
        let (records, error) = self.complete_request(idx, request_id, &results);
        if let Some(e) = results
            .iter()
            .filter_map(|r| r.error)
            .find(|e| e.is_fencing())
        {
            // PRODUCER_FENCED / INVALID_PRODUCER_EPOCH: a transactional producer is done.
            self.txn_fatal(idx, e);
        }
        self.sender_run(idx);
        self.maybe_finish_close(idx);
        if self.pipeline.is_some() {
            self.pipeline_check_flush(idx);
        }
        Delivery::Acknowledged { records, error }
    }

    /// Completes the batches of a request: callbacks run, buffer memory returns, a waiting
    /// `send().get()` returns. Returns (records completed, first error).
    pub(crate) fn complete_request(
        &mut self,
        idx: u32,
        request_id: u64,
        results: &[PartitionProduceResult],
    ) -> (u32, Option<crate::net::KafkaError>) {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return (0, None);
        };
        let Some(req) = p.in_flight.remove(&request_id) else {
            return (0, None);
        };
        let mut n = 0;
        let mut first_error = None;
        for b in req.batches {
            let res = results.iter().find(|r| r.batch_id == b.id);
            let error = res.map_or(Some(KafkaError::NetworkException), |r| r.error);
            let base_offset = res.map_or(-1, |r| r.base_offset);
            first_error = first_error.or(error);
            n += self.complete_batch(idx, b, error, base_offset);
        }
        (n, first_error)
    }

    /// `Sender.completeBatch`: success, a retry (retriable error, attempts and
    /// delivery.timeout.ms left), or a failure. Returns records that reached an outcome.
    pub(crate) fn complete_batch(
        &mut self,
        idx: u32,
        mut b: ProducerBatch,
        error: Option<KafkaError>,
        base_offset: i64,
    ) -> u32 {
        let now = self.now;
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return 0;
        };
        let count = b.records.len() as u64;
        if let Some(e) = error {
            let deadline = b.created_at.plus(delivery_timeout_us(&p.config));
            let can_retry = e.is_retriable()
                && b.attempts <= p.config.retries.value
                && now < deadline
                && p.state != ProducerState::Closed;
            if can_retry {
                // Exponential backoff (KIP-580): retry.backoff.ms x 2^(attempts-1), +-20%
                // jitter, at most retry.backoff.max.ms.
                let base = p.config.retry_backoff_ms.value.max(1) * 1000;
                let max = p
                    .config
                    .retry_backoff_max_ms
                    .value
                    .max(p.config.retry_backoff_ms.value)
                    * 1000;
                let exp = base.saturating_mul(1u64 << (b.attempts.saturating_sub(1)).min(30));
                let jittered = exp.min(max) / 1000 * (800 + p.rng.below(401));
                b.retry_at = Some(now.plus(jittered.min(max)));
                p.stats.batches_retried += 1;
                p.accumulator.reenqueue(b);
                self.schedule_sender_wake(idx);
                return 0;
            }
            p.stats.records_failed += count;
            if let Some(t) = p.txn.as_mut() {
                // `TransactionManager.transitionToAbortableError`: a transaction that lost a
                // batch can only be aborted.
                if e != KafkaError::TransactionAborted {
                    t.abortable_error = true;
                }
            }
            for r in &b.records {
                self.journal
                    .set_outcome(r.id, RecordOutcome::Failed { error: e.name() });
            }
        } else {
            p.stats.records_acknowledged += count;
            if let Some(first) = b.first_ordinal {
                let tp = TopicPartitionId {
                    topic: p.topic,
                    partition: b.partition,
                };
                self.monitor.acknowledged(idx, tp, first, count as u32);
            }
            for (i, r) in b.records.iter().enumerate() {
                let offset = if base_offset >= 0 {
                    base_offset + i as i64
                } else {
                    -1
                };
                self.journal
                    .set_outcome(r.id, RecordOutcome::Acknowledged { offset });
            }
        }
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return 0;
        };
        p.accumulator.deallocate(&b);
        let mut released_sync: Option<SimTime> = None;
        if let Some(w) = p.awaiting_ack {
            if let Some(r) = b.records.iter().find(|r| r.id == w) {
                p.awaiting_ack = None;
                released_sync = Some(r.created_at);
            }
        }
        if p.blocked.is_some() {
            self.schedule(now, Pending::RetryBlockedSend { producer: idx });
        }
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return count as u32;
        };
        let current = self.app_producer.get(p.app as usize) == Some(&idx);
        if let (Some(created), ProducerState::Running, true) = (released_sync, p.state, current) {
            // send().get() returned: the application sends its next record, no sooner than
            // its rate allows.
            let app = p.app;
            if let Some(dt) = self.produce_interval(app) {
                self.schedule_tick(app, created.plus(dt).max(now));
            }
        }
        count as u32
    }

    /// `request.timeout.ms` passed without a response: the client closes the connection, so
    /// every request in flight to that broker fails (the timed-out one with
    /// REQUEST_TIMED_OUT, the others with NETWORK_EXCEPTION) and is retried or failed.
    pub(crate) fn on_request_timeout(&mut self, idx: u32, request_id: u64) -> Option<Event> {
        let p = self.producers.get(idx as usize)?;
        let broker = p.in_flight.get(&request_id)?.broker;
        let (requests, records) = self.close_connection(idx, broker, Some(request_id));
        Some(Event::RequestTimedOut {
            producer: idx,
            broker,
            requests,
            records,
        })
    }

    /// The producer's connection to `broker` closed, after `timed_out` ran out of
    /// request.timeout.ms or because the broker's process died (`None`): every request in
    /// flight to it fails (REQUEST_TIMED_OUT for the timed-out one, NETWORK_EXCEPTION, a
    /// disconnect, for the others) and is retried or failed. Returns (requests, records).
    pub(crate) fn close_connection(
        &mut self,
        idx: u32,
        broker: u32,
        timed_out: Option<u64>,
    ) -> (u32, u32) {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return (0, 0);
        };
        let ids: Vec<u64> = p
            .in_flight
            .values()
            .filter(|r| r.broker == broker)
            .map(|r| r.request_id)
            .collect();
        if ids.is_empty() {
            return (0, 0);
        }
        if let Some(n) = p.in_flight_per_broker.get_mut(broker as usize) {
            *n = 0;
        }
        // The connection to that broker closed: if it was the transaction coordinator, the
        // next transactional request looks the coordinator up again.
        if p.txn.as_ref().is_some_and(|t| t.coordinator == broker) {
            self.txn_refresh_coordinator(idx);
        }
        let mut records = 0;
        for id in &ids {
            let Some(req) = self.producers[idx as usize].in_flight.remove(id) else {
                continue;
            };
            let e = if Some(*id) == timed_out {
                KafkaError::RequestTimedOut
            } else {
                KafkaError::NetworkException
            };
            for b in req.batches {
                records += b.records.len() as u32;
                self.complete_batch(idx, b, Some(e), -1);
            }
        }
        self.sender_run(idx);
        self.maybe_finish_close(idx);
        (ids.len() as u32, records)
    }

    /// Batches past delivery.timeout.ms fail with TimeoutException, queued or in flight
    /// (`RecordAccumulator.expiredBatches`, `Sender.getExpiredInflightBatches`).
    pub(crate) fn expire_batches(&mut self, idx: u32) -> u32 {
        let now = self.now;
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return 0;
        };
        let timeout = delivery_timeout_us(&p.config);
        let expired = p.accumulator.take_expired(now, timeout);
        let mut n = 0;
        for b in expired {
            n += b.records.len() as u32;
            self.fail_expired(idx, b);
        }
        let p = &mut self.producers[idx as usize];
        let mut inflight_expired = Vec::new();
        for req in p.in_flight.values_mut() {
            let mut i = 0;
            while i < req.batches.len() {
                if now.since(req.batches[i].created_at) >= timeout {
                    inflight_expired.push(req.batches.remove(i));
                } else {
                    i += 1;
                }
            }
        }
        for b in inflight_expired {
            n += b.records.len() as u32;
            self.fail_expired(idx, b);
        }
        n
    }

    pub(crate) fn fail_expired(&mut self, idx: u32, b: ProducerBatch) {
        if let Some(p) = self.producers.get_mut(idx as usize) {
            p.stats.batches_expired += 1;
        }
        // A timeout is final here: complete_batch cannot retry past the deadline.
        self.complete_batch(idx, b, Some(KafkaError::RequestTimedOut), -1);
    }

    /// Wakes the sender at the earliest time a queued batch becomes sendable or expires.
    pub(crate) fn schedule_sender_wake(&mut self, idx: u32) {
        let now = self.now;
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return;
        };
        let linger_us = p.config.linger_ms.value * 1000;
        let timeout = delivery_timeout_us(&p.config);
        let Some(at) = p.accumulator.next_wake(now, linger_us, timeout) else {
            return;
        };
        if p.wake_at.is_none_or(|w| w > at || w < now) {
            p.wake_at = Some(at);
            self.schedule(at, Pending::SenderWake { producer: idx, at });
        }
    }
}
