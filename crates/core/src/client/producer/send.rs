//! A producer instance's creation (by the engine: its producer id, batch ids and forked rng
//! come from the run), the application's `send()` (partition and append, a send blocked on
//! buffer.memory) and `close()` completing. The send path is a handler of the producer
//! (`crate::actor`): it learns the partition count and leaders from the metadata, and its
//! the application's next send is a call in its outbox; the inspector's journal is written
//! through the context.

use crate::config::{PartitionerKind, ProducerConfig, SendMode};
use crate::event::Event;
use crate::inspect::RecordOutcome;
use crate::murmur2::murmur2;
use crate::producer::accumulator::{
    AppendResult, BufferExhausted, PartitionerState, RecordAccumulator, RecordMeta,
};
use crate::producer::context::{ProducerCall, ProducerCtx, ProducerTimer};
use crate::producer::partitioner::{BuiltInPartitioner, LegacySticky, PartitionReason, RoundRobin};
use crate::producer::record::key_bytes;
use crate::producer::{BlockedSend, ClientError, Producer, ProducerState, ProducerStats};
use crate::sim::Sim;
use crate::time::SimTime;
use alloc::collections::BTreeMap;

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
        let partitioner = partitioner_for(&config);
        // Every instance starts without a producer id (NO_PRODUCER_ID, -1, epoch -1): a
        // transactional one gets it from its coordinator, an idempotent one from any broker
        // (InitProducerId), one that is neither never has one, as in Kafka.
        let txn = config
            .transactional_id
            .as_deref()
            .map(|tid| self.new_transaction_manager(tid));
        let first_batch = self.next_batch_id;
        self.next_batch_id += 1 << 32;
        let n_brokers = self.brokers.len();
        let p = Producer {
            index,
            app,
            producer_id: -1,
            epoch: -1,
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
            flush_requested: false,
            stats: ProducerStats::default(),
            metrics: Default::default(),
            txn,
            crashed: false,
            producer_id_request: Default::default(),
            errors: Default::default(),
        };
        let mut p = p;
        p.accumulator.compressed =
            p.config.compression_type.value != crate::compression::CompressionType::None;
        let (transactional, idempotent) = (p.txn.is_some(), p.awaits_producer_id());
        self.producers.push(p);
        if transactional {
            self.txn_send_init(index);
        } else if idempotent {
            self.with_producer(index, |p, ctx| p.send_init_producer_id(ctx));
        }
        index
    }

    /// The application's `send()` of `rec` on instance `idx` (`Producer::send`).
    pub(crate) fn producer_send(&mut self, idx: u32, rec: RecordMeta, check_size: bool) -> Event {
        let event = self
            .with_producer(idx, |p, ctx| p.send(ctx, rec, check_size))
            .unwrap_or_else(|| panic!("producer instance {idx} does not exist"));
        self.after_send(idx, event)
    }

    /// Partitions and appends `rec` (a blocked `send()` trying again).
    fn send_record(&mut self, idx: u32, rec: RecordMeta) -> Event {
        let event = self
            .with_producer(idx, |p, ctx| p.send_record(ctx, rec))
            .unwrap_or_else(|| panic!("producer instance {idx} does not exist"));
        self.after_send(idx, event)
    }

    /// `send()` returned to the application with `event`.
    fn after_send(&mut self, idx: u32, event: Event) -> Event {
        let transactional = self.producer(idx).txn.is_some();
        if transactional && matches!(event, Event::RecordAppended { .. }) {
            // send() returned: the transactional application counts the record.
            self.txn_app_record_sent(idx);
        }
        event
    }

    /// Buffer memory came back: a blocked `send()` tries again.
    pub(crate) fn on_retry_blocked_send(&mut self, idx: u32) -> Option<Event> {
        let rec = self.producers.get(idx as usize)?.blocked?.record;
        Some(self.send_record(idx, rec))
    }

    pub(crate) fn on_block_timeout(&mut self, idx: u32, at: SimTime) -> Option<Event> {
        self.with_producer(idx, |p, ctx| p.on_block_timeout(ctx, at))?
    }
}

impl Producer {
    /// `close()`: no new sends; queued batches are sent at once and in-flight ones finish (the
    /// engine runs the sender next). A `send().get()` waiting is abandoned, and a `send()`
    /// blocked on buffer memory fails as Kafka's does ("Producer closed while allocating
    /// memory"). Returns whether the application was waiting in one of them.
    pub(crate) fn close(&mut self, now: SimTime) -> bool {
        self.state = ProducerState::Closing;
        let mut was_waiting = self.awaiting_ack.take().is_some();
        if self.blocked.take().is_some() {
            self.stats.records_failed += 1;
            self.metrics.on_error(1, now);
            was_waiting = true;
        }
        was_waiting
    }

    /// The producer's process dies (a crashed pipeline processor): what it had queued or in
    /// flight is gone with it, and it does nothing more.
    pub(crate) fn kill(&mut self) {
        self.state = ProducerState::Closed;
        self.crashed = true;
        self.in_flight.clear();
        self.in_flight_per_broker.iter_mut().for_each(|n| *n = 0);
        for d in self.accumulator.deques.iter_mut().flatten() {
            d.clear();
        }
        self.awaiting_ack = None;
        self.blocked = None;
        self.wake_at = None;
        debug_assert!(self.drained(), "a killed producer keeps nothing");
    }

    /// A closing producer with nothing queued or in flight finishes closing (as its own
    /// event, so the trace shows it).
    pub(crate) fn maybe_finish_close(&mut self, ctx: &mut ProducerCtx) {
        if self.state == ProducerState::Closing && self.drained() {
            ctx.out.timer(ctx.now, ProducerTimer::FinishClose);
        }
    }

    pub(crate) fn on_finish_close(&mut self) -> Option<Event> {
        if self.state != ProducerState::Closing || !self.drained() {
            return None;
        }
        self.state = ProducerState::Closed;
        Some(Event::ProducerClosed {
            producer: self.index,
        })
    }

    /// `KafkaProducer.send()`: counted, then `ensureValidRecordSize` (a record that can never
    /// fit fails at once; skipped for a pipeline's output, `check_size` false, which keeps
    /// its input's size), then partitioned and appended.
    pub(crate) fn send(
        &mut self,
        ctx: &mut ProducerCtx,
        rec: RecordMeta,
        check_size: bool,
    ) -> Event {
        self.stats.records_sent += 1;
        let upper = crate::record::batch_size_upper_bound(
            rec.key_len.map(|k| k as usize),
            Some(rec.value_len as usize),
            &rec.headers.sizes(),
        ) as u64;
        let too_large = upper > self.config.max_request_size.value as u64
            || upper > self.config.buffer_memory.value;
        if !check_size || !too_large {
            return self.send_record(ctx, rec);
        }
        self.stats.records_failed += 1;
        self.metrics.on_error(1, ctx.now);
        let producer = self.index;
        ctx.journal.push(crate::inspect::JournalEntry {
            rec,
            producer,
            topic: self.topic,
            sent: None,
            partition: u32::MAX,
            batch_id: u64::MAX,
            reason: PartitionReason::Explicit,
            outcome: RecordOutcome::Failed {
                error: ClientError::RecordTooLarge.name(),
            },
        });
        ctx.out.call(ProducerCall::NextSend {
            last_created: rec.created_at,
        });
        Event::SendFailed {
            producer,
            record_id: rec.id,
            error: ClientError::RecordTooLarge,
        }
    }

    /// Partitions and appends `rec`. When the accumulator has no buffer memory for a new
    /// batch, `send()` blocks: every batch becomes sendable, and the send waits up to
    /// `max.block.ms` for memory to come back.
    pub(crate) fn send_record(&mut self, ctx: &mut ProducerCtx, mut rec: RecordMeta) -> Event {
        let (now, idx) = (ctx.now, self.index);
        let leaders = ctx.metadata.leaders(self.topic);
        let result = match partition_and_append(self, &leaders, &mut rec, now) {
            Ok(r) => r,
            Err(_) => return self.block_send(ctx, rec),
        };
        self.blocked = None;
        ctx.journal.push(crate::inspect::JournalEntry {
            rec,
            producer: idx,
            topic: self.topic,
            sent: None,
            partition: result.partition,
            batch_id: result.batch_id,
            reason: result.reason,
            outcome: RecordOutcome::Pending,
        });
        if let Some(t) = self.txn.as_mut() {
            // `maybeAddPartition`: a partition new to the transaction is added before its
            // first batch is sent (V1: AddPartitionsToTxn; V2: by the produce itself).
            if t.version < 2 && !t.added.contains(&result.partition) {
                t.pending.insert(result.partition);
            }
        }
        if self.config.workload.send_mode.value == SendMode::Sync {
            self.awaiting_ack = Some(rec.id);
        } else {
            ctx.out.call(ProducerCall::NextSend {
                last_created: rec.created_at,
            });
        }
        // RecordAccumulator wakes the sender only when a batch filled up or a new one began.
        let full = self
            .accumulator
            .deque(result.partition)
            .and_then(|d| d.back())
            .is_some_and(|b| b.is_full());
        let requests_sent = if result.new_batch || full {
            self.sender_run(ctx)
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

    /// buffer.memory is exhausted: `send()` blocks (for at most max.block.ms from the first
    /// attempt) and the sender drains what it can to free memory.
    fn block_send(&mut self, ctx: &mut ProducerCtx, rec: RecordMeta) -> Event {
        let now = ctx.now;
        let first_block = self.blocked.is_none();
        let (since, at) = match self.blocked {
            Some(b) => (b.since, b.deadline),
            None => (now, now.plus(self.config.max_block_ms.value * 1000)),
        };
        self.blocked = Some(BlockedSend {
            record: rec,
            since,
            deadline: at,
        });
        if first_block {
            ctx.out.timer(at, ProducerTimer::BlockTimeout { at });
        }
        self.sender_run(ctx);
        Event::SendBlocked {
            producer: self.index,
        }
    }

    /// `max.block.ms` ran out: the blocked `send()` fails (`BufferExhaustedException`, a
    /// `TimeoutException`) and the application carries on.
    fn on_block_timeout(&mut self, ctx: &mut ProducerCtx, at: SimTime) -> Option<Event> {
        let blocked = self.blocked?;
        if blocked.deadline != at {
            return None;
        }
        self.blocked = None;
        self.stats.records_failed += 1;
        self.metrics.on_error(1, ctx.now);
        let producer = self.index;
        ctx.journal.push(crate::inspect::JournalEntry {
            rec: blocked.record,
            producer,
            topic: self.topic,
            sent: None,
            partition: u32::MAX,
            batch_id: u64::MAX,
            reason: PartitionReason::Explicit,
            outcome: RecordOutcome::Failed {
                error: ClientError::BufferExhausted.name(),
            },
        });
        if self.state == ProducerState::Running {
            ctx.out.call(ProducerCall::NextSend {
                last_created: blocked.record.created_at,
            });
        }
        Some(Event::SendFailed {
            producer,
            record_id: blocked.record.id,
            error: ClientError::BufferExhausted,
        })
    }
}

/// `KafkaProducer.partition` and `RecordAccumulator.append`: an explicit partition, else the
/// configured partitioner (a key's murmur2 hash unless partitioner.ignore.keys), appended to
/// that partition's batch; `Err` when buffer.memory has no room.
fn partition_and_append(
    p: &mut Producer,
    leaders: &[Option<u32>],
    rec: &mut RecordMeta,
    now: SimTime,
) -> Result<AppendResult, BufferExhausted> {
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
    match (rec.explicit_partition, &mut p.partitioner) {
        // An explicit partition wins over every partitioner (`KafkaProducer.partition`).
        (Some(ep), _) => acc.append_fixed(ep, rec, now, PartitionReason::Explicit),
        (None, PartitionerState::RoundRobin(rr)) => {
            let (part, counter) = rr.partition(leaders);
            acc.append_fixed(part, rec, now, PartitionReason::RoundRobin { counter })
        }
        (None, PartitionerState::BuiltIn(b)) => match keyed {
            Some((part, reason)) if !ignore_keys => acc.append_fixed(part, rec, now, reason),
            _ => acc.append_built_in(b, rec, now, &mut p.rng, leaders),
        },
        (None, PartitionerState::LegacySticky(s)) => {
            acc.append_legacy(s, keyed, rec, now, &mut p.rng, leaders)
        }
    }
}

/// The partitioner a new producer starts with (`partitioner.class`, or the built-in one).
fn partitioner_for(config: &ProducerConfig) -> PartitionerState {
    match config.partitioner.value {
        PartitionerKind::BuiltIn => {
            PartitionerState::BuiltIn(BuiltInPartitioner::new(config.batch_size.value))
        }
        PartitionerKind::RoundRobin => PartitionerState::RoundRobin(RoundRobin::default()),
        PartitionerKind::LegacySticky => PartitionerState::LegacySticky(LegacySticky::default()),
    }
}
