//! A producer instance as one frame of the page's canvas shows it ([`ProducerFrame`], part of
//! [`super::Frame`]): its settings by Kafka's names, its counters, the compression ratio so
//! far, what its send() waits for, its transaction as the client and the coordinator have it,
//! and (borrowed) its accumulator and produce requests in flight.

use crate::coordinator::txn::state::{TxnMetadata, TxnState};
use crate::net::{KafkaError, TopicPartitionId};
use crate::producer::accumulator::RecordAccumulator;
use crate::producer::transaction::ClientTxnState;
use crate::producer::{InFlightRequest, Producer, ProducerState};
use crate::sim::view::is_processor_producer;
use crate::sim::Sim;
use crate::SimTime;
use alloc::collections::{BTreeMap, BTreeSet};

/// A transactional.id's transaction at its coordinator.
#[derive(Clone, Copy, Debug)]
pub struct CoordinatorTxnFrame<'a> {
    pub state: TxnState,
    /// The partitions in the transaction, while the state names them
    /// (`TxnState::names_partitions`; borrowed).
    pub partitions: Option<&'a BTreeSet<TopicPartitionId>>,
}

impl<'a> CoordinatorTxnFrame<'a> {
    fn of(m: &'a TxnMetadata) -> CoordinatorTxnFrame<'a> {
        CoordinatorTxnFrame {
            state: m.state,
            partitions: m.state.names_partitions().then_some(&m.partitions),
        }
    }
}

/// A transactional producer's transaction, at the client and at its coordinator.
#[derive(Clone, Copy, Debug)]
pub struct ProducerTxnFrame<'a> {
    pub transactional_id: &'a str,
    /// The client's `TransactionManager` state.
    pub state: ClientTxnState,
    /// PRODUCER_FENCED / INVALID_PRODUCER_EPOCH once fenced.
    pub fatal_error: Option<KafkaError>,
    pub committed: u64,
    pub aborted: u64,
    /// Its transaction at the coordinator of its transactional.id.
    pub coordinator: Option<CoordinatorTxnFrame<'a>>,
}

/// A producer instance with what the page shows of it.
#[derive(Clone, Copy, Debug)]
pub struct ProducerFrame<'a> {
    pub index: u32,
    /// Its producer id and epoch, -1 while it has none (NO_PRODUCER_ID: neither idempotent
    /// nor transactional, or still waiting for InitProducerId's answer).
    pub producer_id: i64,
    pub epoch: i16,
    /// An idempotent producer whose InitProducerId is not answered yet: its batches wait.
    pub awaits_producer_id: bool,
    pub state: ProducerState,
    /// A Running instance its application no longer drives (`Sim::is_zombie`).
    pub zombie: bool,
    /// A pipeline processor's producer (drawn with its processor).
    pub processor: bool,
    pub idempotent: bool,
    /// The topic it writes to.
    pub topic: u32,
    /// acks, partitioner and compression.type as Kafka names them.
    pub acks: &'static str,
    pub partitioner: &'static str,
    pub compression: &'static str,
    /// Bytes on the wire over bytes before compression of the batches sent so far; before
    /// any, the estimate new batches start from (`CompressionRatioEstimator`).
    pub compression_ratio: f64,
    pub linger_ms: u64,
    pub batch_size: u32,
    pub buffer_memory: u64,
    /// buffer.memory in use.
    pub buffer_used: u64,
    pub max_block_ms: u64,
    pub max_in_flight_requests_per_connection: u32,
    /// send() waits for each record's acknowledgement (`sim.send.mode=sync`).
    pub sync: bool,
    pub records_sent: u64,
    pub records_acknowledged: u64,
    /// send() is blocked on buffer.memory since then.
    pub blocked_since: Option<SimTime>,
    /// Sync send: the record `send().get()` waits for.
    pub awaiting_ack: Option<u64>,
    pub txn: Option<ProducerTxnFrame<'a>>,
    /// Produce requests awaiting their response (borrowed).
    pub in_flight: &'a BTreeMap<u64, InFlightRequest>,
    /// Its record accumulator: the queued batches per partition (borrowed).
    pub accumulator: &'a RecordAccumulator,
    /// The errors its batches got: the last one, counts, the leaders' refusals per partition
    /// (borrowed).
    pub errors: &'a crate::producer::errors::ProduceErrors,
    /// Records failed for good (their callbacks got the exception).
    pub records_failed: u64,
}

impl Sim {
    /// Producer instance `p` as the page shows it.
    pub fn producer_frame<'a>(&'a self, p: &'a Producer) -> ProducerFrame<'a> {
        let c = &p.config;
        let compression_ratio = if p.stats.bytes_uncompressed > 0 {
            p.stats.bytes_on_wire as f64 / p.stats.bytes_uncompressed as f64
        } else {
            p.accumulator.ratio_estimate as f64
        };
        ProducerFrame {
            index: p.index,
            producer_id: p.producer_id,
            epoch: p.epoch,
            awaits_producer_id: p.awaits_producer_id() || p.txn.is_some() && p.producer_id < 0,
            state: p.state,
            zombie: self.is_zombie(p),
            processor: is_processor_producer(p),
            idempotent: p.idempotent,
            topic: p.topic,
            acks: c.acks.value.name(),
            partitioner: c.partitioner.value.name(),
            compression: c.compression_type.value.name(),
            compression_ratio,
            linger_ms: c.linger_ms.value,
            batch_size: c.batch_size.value,
            buffer_memory: c.buffer_memory.value,
            buffer_used: p.accumulator.buffer_used,
            max_block_ms: c.max_block_ms.value,
            max_in_flight_requests_per_connection: c.max_in_flight_requests_per_connection.value,
            sync: c.workload.send_mode.value == crate::config::SendMode::Sync,
            records_sent: p.stats.records_sent,
            records_acknowledged: p.stats.records_acknowledged,
            blocked_since: p.blocked.as_ref().map(|b| b.since),
            awaiting_ack: p.awaiting_ack,
            txn: p.txn.as_ref().map(|tm| ProducerTxnFrame {
                transactional_id: &tm.transactional_id,
                state: tm.state,
                fatal_error: tm.fatal_error,
                committed: tm.committed,
                aborted: tm.aborted,
                coordinator: self
                    .transaction_metadata(&tm.transactional_id)
                    .map(CoordinatorTxnFrame::of),
            }),
            in_flight: &p.in_flight,
            accumulator: &p.accumulator,
            errors: &p.errors,
            records_failed: p.stats.records_failed,
        }
    }
}
