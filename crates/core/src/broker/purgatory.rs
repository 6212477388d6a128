//! The request purgatories of a broker (`DelayedOperationPurgatory`): a fetch parked until
//! data arrives or its wait runs out (`DelayedFetch`), and an acks=all produce parked until its
//! records are replicated or its timeout runs out (`DelayedProduce`), and a transactional produce
//! held for its coordinator's verification (KIP-890, `broker::txn_verification`).

use crate::net::{Node, TopicPartitionId};
use crate::time::SimTime;
use alloc::vec::Vec;

/// A fetch parked at a leader until data arrives or its wait runs out (Kafka's
/// `DelayedFetch` in the fetch purgatory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParkedFetch {
    pub id: u64,
    pub broker: u32,
    pub fetcher: Node,
    /// What the request asked for (`min_bytes`, `max_wait_ms`, ...).
    pub params: crate::net::FetchParams,
    pub partitions: Vec<(TopicPartitionId, u64)>,
    pub deadline: SimTime,
}

/// An acks=all produce waiting for the high watermark (`DelayedProduce`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DelayedProduce {
    pub broker: u32,
    pub producer: u32,
    pub request_id: u64,
    /// (partition, batch id, base offset, end offset the high watermark must reach)
    pub waits: Vec<(TopicPartitionId, u64, u64, u64)>,
    /// The response to send once every wait is met.
    pub results: Vec<crate::net::PartitionProduceResult>,
}

/// What a leader remembers of an idempotent producer's last batches on one partition:
/// (first sequence, last sequence, base offset, id of the batch's first record)
/// (`ProducerStateEntry`). Kafka rebuilds this from each replica's own log; here one table
/// serves every replica and an entry counts only while the current leader's log still holds
/// that batch at that offset (so a new leader knows exactly the batches it has).
pub type ProducerStateEntries = alloc::collections::VecDeque<(i32, i32, u64, u64)>;

/// The producer a produce request comes from: its id, epoch and transactional id.
pub type ProducerIds = (i64, i16, Option<alloc::string::String>);

/// A produce request held at its leader for the coordinator's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingVerification {
    pub id: u64,
    pub broker: u32,
    pub producer: u32,
    pub request_id: u64,
    pub ids: ProducerIds,
    pub acks: crate::config::Acks,
    pub timeout_ms: u64,
    pub batches: Vec<(
        TopicPartitionId,
        crate::producer::accumulator::ProducerBatch,
    )>,
    /// The partitions asked about.
    pub partitions: Vec<TopicPartitionId>,
}
