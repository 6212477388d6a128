//! The producer instances as the page and the summary show them: settings, counters, the
//! accumulator's batches and the produce requests in flight with their sequence numbers.

use crate::config::SendMode;
use crate::producer::{Producer, ProducerState};
use crate::sim::Sim;
use crate::time::SimTime;
use alloc::string::String;
use alloc::vec::Vec;

/// A producer batch as the page shows it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BatchView {
    pub batch_id: u64,
    pub partition: u32,
    pub records: u32,
    pub size_bytes: u32,
    pub batch_size: u32,
    pub age_us: u64,
    pub full: bool,
    /// Compression ratio the batch's size estimate uses (1.0 without compression).
    pub estimated_ratio: f32,
}

/// A producer instance as the page shows it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProducerView {
    pub index: u32,
    pub producer_id: i64,
    pub state: ProducerState,
    pub acks: &'static str,
    pub partitioner: &'static str,
    pub idempotent: bool,
    pub send_mode: &'static str,
    pub linger_ms: u64,
    pub batch_size: u32,
    pub buffer_memory_used: u64,
    pub buffer_memory: u64,
    pub records_sent: u64,
    pub records_acknowledged: u64,
    pub records_failed: u64,
    pub batches_sent: u64,
    pub batches_piggybacked: u64,
    pub compression_type: &'static str,
    /// Bytes of batches sent, before and after compression (their ratio is the real one).
    pub bytes_uncompressed: u64,
    pub bytes_on_wire: u64,
    /// The ratio the next batch's estimate starts from (`CompressionRatioEstimator`).
    pub compression_ratio_estimate: f32,
    pub requests_in_flight: u32,
    /// Sync send: the record `send().get()` waits for.
    pub awaiting_ack: Option<u64>,
    /// `send()` blocked on buffer.memory since this time (microseconds).
    pub blocked_since_us: Option<u64>,
    pub batches_retried: u64,
    pub batches_expired: u64,
    pub batches: Vec<BatchView>,
    /// Produce requests awaiting their response, oldest first.
    pub in_flight: Vec<InFlightView>,
    pub producer_epoch: i16,
    pub transactional_id: Option<String>,
    /// The transaction manager's state (`READY`, `IN_TRANSACTION`, ...).
    pub transaction_state: Option<&'static str>,
    /// PRODUCER_FENCED / INVALID_PRODUCER_EPOCH once fenced.
    pub transaction_error: Option<&'static str>,
    pub transactions_committed: u64,
    pub transactions_aborted: u64,
}

/// A produce request awaiting its response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InFlightView {
    pub request_id: u64,
    pub broker: u32,
    pub sent_at_us: u64,
    pub batches: Vec<InFlightBatchView>,
}

/// A batch inside a request in flight, with its sequence numbers (idempotent producer).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InFlightBatchView {
    pub batch_id: u64,
    pub partition: u32,
    pub records: u32,
    /// First and last sequence number (`None` without idempotence).
    pub base_sequence: Option<i32>,
    pub last_sequence: Option<i32>,
    /// 1 on the first send, more after retries.
    pub attempts: u32,
}

impl Sim {
    pub fn producer_views(&self) -> Vec<ProducerView> {
        let now = self.now();
        self.producers
            .iter()
            .map(|p| producer_view(p, now))
            .collect()
    }
}

/// One producer instance: its settings, counters, batches and requests in flight.
fn producer_view(p: &Producer, now: SimTime) -> ProducerView {
    ProducerView {
        index: p.index,
        producer_id: p.producer_id,
        state: p.state,
        acks: p.config.acks.value.name(),
        partitioner: p.config.partitioner.value.name(),
        idempotent: p.idempotent,
        send_mode: match p.config.workload.send_mode.value {
            SendMode::Async => "async",
            SendMode::Sync => "sync",
        },
        linger_ms: p.config.linger_ms.value,
        batch_size: p.config.batch_size.value,
        buffer_memory_used: p.accumulator.buffer_used,
        buffer_memory: p.config.buffer_memory.value,
        records_sent: p.stats.records_sent,
        records_acknowledged: p.stats.records_acknowledged,
        records_failed: p.stats.records_failed,
        batches_sent: p.stats.batches_sent,
        batches_piggybacked: p.stats.batches_piggybacked,
        compression_type: p.config.compression_type.value.name(),
        bytes_uncompressed: p.stats.bytes_uncompressed,
        bytes_on_wire: p.stats.bytes_on_wire,
        compression_ratio_estimate: p.accumulator.ratio_estimate,
        requests_in_flight: p.in_flight.len() as u32,
        awaiting_ack: p.awaiting_ack,
        blocked_since_us: p.blocked.map(|b| b.since.micros()),
        batches_retried: p.stats.batches_retried,
        batches_expired: p.stats.batches_expired,
        batches: batch_views(p, now),
        in_flight: in_flight_views(p),
        producer_epoch: p.epoch,
        transactional_id: p.txn.as_ref().map(|t| t.transactional_id.clone()),
        transaction_state: p.txn.as_ref().map(|t| t.state.name()),
        transaction_error: p.txn.as_ref().and_then(|t| t.fatal_error.map(|e| e.name())),
        transactions_committed: p.txn.as_ref().map_or(0, |t| t.committed),
        transactions_aborted: p.txn.as_ref().map_or(0, |t| t.aborted),
    }
}

/// The batches in a producer's accumulator, partition by partition.
fn batch_views(p: &Producer, now: SimTime) -> Vec<BatchView> {
    p.accumulator
        .deques
        .iter()
        .flatten()
        .flat_map(|d| d.iter())
        .map(|b| BatchView {
            batch_id: b.id,
            partition: b.partition,
            records: b.record_count(),
            size_bytes: b.size_bytes,
            batch_size: p.config.batch_size.value,
            age_us: now.since(b.created_at),
            full: b.is_full(),
            estimated_ratio: b.estimated_ratio,
        })
        .collect()
}

/// A producer's produce requests awaiting their response, with their batches' sequences.
fn in_flight_views(p: &Producer) -> Vec<InFlightView> {
    p.in_flight
        .values()
        .map(|r| InFlightView {
            request_id: r.request_id,
            broker: r.broker,
            sent_at_us: r.sent_at.micros(),
            batches: r
                .batches
                .iter()
                .map(|b| InFlightBatchView {
                    batch_id: b.id,
                    partition: b.partition,
                    records: b.record_count(),
                    base_sequence: b.base_sequence,
                    last_sequence: b
                        .base_sequence
                        .map(|s| s.wrapping_add(b.record_count().saturating_sub(1) as i32)),
                    attempts: b.attempts,
                })
                .collect(),
        })
        .collect()
}
