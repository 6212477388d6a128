//! The brokers' own state, one struct for every broker of the cluster (as `TxnCoordinators`
//! holds every transaction coordinator): what `ReplicaManager` and `ProducerStateManager` keep
//! in memory at partition leaders: the producer state of idempotent producers, the leaders'
//! transaction indexes, the markers waiting to be replicated, and the ids of the fetch and
//! verification purgatories' entries.
//!
//! Simplified: the replicas and logs the brokers host stay in `Sim.topics` and the brokers'
//! liveness in `Sim.brokers` (the controller writes both); the fetch, produce and verification
//! purgatories and the replica fetcher sessions stay on `Sim` too
//! (`Sim.parked_fetches`, `Sim.delayed_produces`, `Sim.txn_verifications`,
//! `Sim.replica_fetchers`) while the controller, which empties them when a broker dies, is
//! converted separately.

use crate::broker::purgatory::ProducerStateEntries;
use crate::broker::txn_index::{MarkerWait, PartitionTxns};
use crate::net::TopicPartitionId;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// Every broker's in-memory state as a partition leader.
#[derive(Clone, Debug, Default)]
pub(crate) struct Brokers {
    /// Producer-state of idempotent producers at leaders: last batches per (pid, partition):
    /// (first sequence, last sequence, base offset), at most 5.
    pub(crate) producer_state: BTreeMap<(i64, TopicPartitionId), ProducerStateEntries>,
    /// Open and aborted transactions per partition, from the leaders' logs.
    pub(crate) partition_txns: BTreeMap<TopicPartitionId, PartitionTxns>,
    /// Transaction markers waiting to be replicated before their answer.
    pub(crate) marker_waits: Vec<MarkerWait>,
    /// The id of the next transactional produce held for verification.
    pub(crate) next_verification_id: u64,
    /// The id of the next fetch parked in a fetch purgatory.
    pub(crate) next_fetch_id: u64,
}
