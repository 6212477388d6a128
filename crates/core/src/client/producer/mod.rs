//! The producer (`KafkaProducer`): the application's `send()`, the partitioner, the
//! [`accumulator::RecordAccumulator`] and the sender thread's in-flight requests.
//!
//! Settings are fixed at construction, as in Kafka: a live change closes this instance
//! (its queued and in-flight batches complete first) and starts a new one with a new
//! producer id. A producer that is neither idempotent nor transactional has none
//! (NO_PRODUCER_ID, -1, epoch -1) and sends no InitProducerId; an idempotent one asks any
//! broker for its id before its first produce ([`idempotence`]), a transactional one asks its
//! coordinator ([`transaction`]).

pub mod accumulator;
pub mod context;
pub mod errors;
pub mod host;
pub mod idempotence;
pub mod metrics;
pub mod partitioner;
pub mod record;
pub mod responses;
pub mod send;
pub mod sender;
pub mod transaction;
pub mod transactional;
pub mod txn_offsets;

use crate::config::ProducerConfig;
use crate::producer::accumulator::PartitionerState;
use crate::producer::accumulator::{ProducerBatch, RecordAccumulator};
use crate::rng::Rng;
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// Lifecycle of a producer instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ProducerState {
    Running,
    /// `close()` called: no new sends; queued batches are sent at once, in-flight ones finish.
    Closing,
    Closed,
}

/// A `send()` waiting for buffer memory (`BufferPool.allocate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockedSend {
    pub record: crate::producer::accumulator::RecordMeta,
    pub since: SimTime,
    /// When `max.block.ms` runs out.
    pub deadline: SimTime,
}

/// Errors the producer raises itself, before a request is sent (Kafka's exception names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ClientError {
    /// `BufferExhaustedException` (a `TimeoutException`): no memory within `max.block.ms`.
    BufferExhausted,
    /// `RecordTooLargeException`: larger than `max.request.size` or `buffer.memory`.
    RecordTooLarge,
}

impl ClientError {
    pub fn name(self) -> &'static str {
        match self {
            ClientError::BufferExhausted => "BufferExhaustedException",
            ClientError::RecordTooLarge => "RecordTooLargeException",
        }
    }
}

/// A produce request the sender is waiting on.
#[derive(Clone, Debug, PartialEq)]
pub struct InFlightRequest {
    pub request_id: u64,
    pub broker: u32,
    pub sent_at: SimTime,
    pub batches: Vec<ProducerBatch>,
}

/// Counters of one producer instance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProducerStats {
    pub records_sent: u64,
    pub records_acknowledged: u64,
    pub records_failed: u64,
    pub batches_sent: u64,
    /// Batches sent again after a retriable error.
    pub batches_retried: u64,
    /// Batches failed by delivery.timeout.ms.
    pub batches_expired: u64,
    /// Uncompressed and on-the-wire bytes of the batches sent (the compression ratio).
    pub bytes_uncompressed: u64,
    pub bytes_on_wire: u64,
    /// Batches that left with a ready batch without being ready themselves (piggyback).
    pub batches_piggybacked: u64,
    pub requests_sent: u64,
}

/// One `KafkaProducer` instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Producer {
    /// Index of this instance in the run (its network node id).
    pub index: u32,
    /// The application this instance serves (live changes replace the instance, not it).
    pub app: u32,
    pub producer_id: i64,
    pub epoch: i16,
    pub idempotent: bool,
    pub config: ProducerConfig,
    pub topic: u32,
    pub state: ProducerState,
    pub accumulator: RecordAccumulator,
    pub partitioner: PartitionerState,
    pub rng: Rng,
    /// Next sequence number per partition (idempotent producer).
    pub next_sequence: Vec<i32>,
    /// Next monitor ordinal per partition (see `monitor`).
    pub next_ordinal: Vec<u32>,
    pub in_flight: BTreeMap<u64, InFlightRequest>,
    /// In-flight requests per broker connection (indexed by broker id).
    pub in_flight_per_broker: Vec<u32>,
    /// `drainIndex` per broker: where the next drain starts.
    pub drain_index: Vec<u32>,
    /// Per broker: when it last had a sendable batch, and when the sender last drained it
    /// (Kafka's `NodeLatencyStats`, for `partitioner.availability.timeout.ms`).
    pub node_ready_at: Vec<SimTime>,
    pub node_drained_at: Vec<SimTime>,
    /// Sync send: the record `send().get()` is waiting for.
    pub awaiting_ack: Option<u64>,
    /// When the sender will next wake for a linger timer.
    pub wake_at: Option<SimTime>,
    /// The application's `send()` waiting for buffer memory.
    pub blocked: Option<BlockedSend>,
    /// The application called `flush()`, which has not returned yet.
    pub flush_requested: bool,
    pub stats: ProducerStats,
    /// Its metrics under Kafka's names (`metrics`).
    pub metrics: metrics::ProducerMetrics,
    /// `transactional.id` set: the transaction manager.
    pub txn: Option<transaction::TransactionManager>,
    /// The process died (a crashed pipeline processor): messages to it are lost.
    pub crashed: bool,
    /// An idempotent producer's InitProducerId (`idempotence`).
    pub producer_id_request: idempotence::ProducerIdRequest,
    /// The errors its batches got (`errors`), for the page.
    pub errors: errors::ProduceErrors,
}

impl Producer {
    pub fn in_flight_records(&self) -> u64 {
        self.in_flight
            .values()
            .flat_map(|r| r.batches.iter())
            .map(|b| b.records.len() as u64)
            .sum()
    }

    /// Closing is done when nothing is queued or in flight.
    pub fn drained(&self) -> bool {
        self.accumulator.is_empty() && self.in_flight.is_empty()
    }
}
