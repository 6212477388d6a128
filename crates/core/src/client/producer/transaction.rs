//! The client's side of transactions (`TransactionManager`): initTransactions
//! (InitProducerId), beginTransaction, the partitions a transaction writes to
//! (AddPartitionsToTxn under transaction.version 1; under 2, KIP-890, the produce request
//! adds them), and commitTransaction / abortTransaction (EndTxn once every batch completed).
//!
//! Simplified: one transactional request is in flight at a time (as Kafka's sender does), and
//! it is retried after retry.backoff.ms on CONCURRENT_TRANSACTIONS; the coordinator is found
//! without a FindCoordinator round trip; PRODUCER_FENCED and INVALID_PRODUCER_EPOCH are fatal
//! (the application stops; Kafka's would close the producer); an abort fails the batches not
//! yet sent (`TransactionAbortedException`) and lets those in flight complete.

use crate::net::TopicPartitionId;
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

/// A transactional producer's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientTxnTimer {
    /// A producer retries its transactional request (CONCURRENT_TRANSACTIONS).
    ClientRetry { producer: u32 },
    /// A transactional request got no answer within request.timeout.ms: sent again.
    RequestTimeout { producer: u32, seq: u64 },
    /// sendOffsetsToTransaction()'s request is sent again after a retriable error.
    OffsetsRetry { producer: u32 },
    /// A TxnOffsetCommit got no answer within request.timeout.ms: sent again.
    OffsetsTimeout { producer: u32, seq: u64 },
    /// An idempotent producer's InitProducerId is sent again: it got no answer within
    /// request.timeout.ms, or no broker was reachable (`idempotence`).
    ProducerIdRetry { producer: u32, seq: u64 },
}

/// What `sendOffsetsToTransaction(offsets, groupMetadata)` puts in the transaction: the
/// consumer's positions and its `ConsumerGroupMetadata` (group, member id, generation,
/// group.instance.id), which the group coordinator checks as it would an OffsetCommit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnOffsets {
    pub group: u32,
    pub offsets: Vec<(TopicPartitionId, u64)>,
    pub member_id: String,
    pub generation: u32,
    pub instance_id: Option<String>,
}

/// Where a sendOffsetsToTransaction() is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetsStep {
    /// AddOffsetsToTxn to the transaction coordinator (transaction.version 1).
    AddingOffsets,
    /// TxnOffsetCommit to the group coordinator.
    Committing,
}

/// `TransactionManager.State`, as far as the simulator goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ClientTxnState {
    /// initTransactions() waits for InitProducerId.
    Initializing,
    /// No transaction open.
    Ready,
    /// beginTransaction() was called.
    InTransaction,
    /// commitTransaction(): batches flush, then EndTxn(commit).
    Committing,
    /// abortTransaction(): EndTxn(abort) once in-flight batches completed.
    Aborting,
    /// Fenced (PRODUCER_FENCED / INVALID_PRODUCER_EPOCH): nothing more can be sent.
    Fatal,
}

impl ClientTxnState {
    /// Kafka's name (`TransactionManager.State`).
    pub fn name(self) -> &'static str {
        match self {
            ClientTxnState::Initializing => "INITIALIZING",
            ClientTxnState::Ready => "READY",
            ClientTxnState::InTransaction => "IN_TRANSACTION",
            ClientTxnState::Committing => "COMMITTING_TRANSACTION",
            ClientTxnState::Aborting => "ABORTING_TRANSACTION",
            ClientTxnState::Fatal => "FATAL_ERROR",
        }
    }
}

/// A transactional producer's `TransactionManager`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionManager {
    pub transactional_id: String,
    /// The coordinator broker (leader of the transactional.id's `__transaction_state`
    /// partition).
    pub coordinator: u32,
    /// `transaction.version` the cluster runs (1 or 2).
    pub version: u32,
    pub state: ClientTxnState,
    /// Partitions (of the producer's topic) the coordinator has in this transaction.
    pub added: BTreeSet<u32>,
    /// Partitions written to but not yet added (V1: waiting for AddPartitionsToTxn).
    pub pending: BTreeSet<u32>,
    /// sendOffsetsToTransaction() put a group's offsets in the open transaction.
    pub offsets_added: bool,
    /// A sendOffsetsToTransaction() in progress, and its step.
    pub sending_offsets: Option<(TxnOffsets, OffsetsStep)>,
    /// Numbers the TxnOffsetCommits, so a timeout knows whether its request is the one out.
    pub offsets_seq: u64,
    /// An InitProducerId / AddPartitionsToTxn / EndTxn is in flight.
    pub request_in_flight: bool,
    /// A batch of the open transaction failed: commitTransaction aborts instead (Kafka's
    /// ABORTABLE_ERROR state).
    pub abortable_error: bool,
    /// Numbers the requests, so a timeout knows whether its request is still the one out.
    pub request_seq: u64,
    /// A retry after CONCURRENT_TRANSACTIONS is scheduled.
    pub retry_scheduled: bool,
    /// The error that made the producer fatal.
    pub fatal_error: Option<crate::net::KafkaError>,
    pub committed: u64,
    pub aborted: u64,
}

impl TransactionManager {
    pub fn new(transactional_id: String, coordinator: u32, version: u32) -> TransactionManager {
        TransactionManager {
            transactional_id,
            coordinator,
            version,
            state: ClientTxnState::Initializing,
            added: BTreeSet::new(),
            pending: BTreeSet::new(),
            offsets_added: false,
            sending_offsets: None,
            offsets_seq: 0,
            request_in_flight: false,
            request_seq: 0,
            abortable_error: false,
            retry_scheduled: false,
            fatal_error: None,
            committed: 0,
            aborted: 0,
        }
    }

    /// Whether batches of `partition` may be drained now (`isSendToPartitionAllowed`): V1
    /// only once the coordinator added it; V2 always (the produce adds it).
    pub fn may_send_to(&self, partition: u32) -> bool {
        match self.state {
            ClientTxnState::Fatal | ClientTxnState::Initializing => false,
            _ => self.version >= 2 || self.added.contains(&partition),
        }
    }

    /// Whether the transaction is ending (every batch is sendable at once).
    pub fn ending(&self) -> bool {
        matches!(
            self.state,
            ClientTxnState::Committing | ClientTxnState::Aborting
        )
    }
}

/// What the application calls (a trace event of its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum TxnCall {
    Begin,
    Commit,
    Abort,
}
