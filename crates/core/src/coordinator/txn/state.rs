//! What the transaction coordinator keeps per transactional.id (`TransactionMetadata` with its
//! `TransactionState`), and the coordinators' timers (the timed-out check, marker retries).
//! Vocabulary shared
//! by the engine, its trace and the handlers; it imports nothing above it.

use crate::net::TopicPartitionId;
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

/// `transaction.abort.timed.out.transaction.cleanup.interval.ms` (Kafka's default, 10 s).
pub const ABORT_TIMED_OUT_INTERVAL_US: u64 = 10_000_000;

/// A transaction's state at its coordinator (`TransactionState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TxnState {
    Empty,
    Ongoing,
    PrepareCommit,
    PrepareAbort,
    CompleteCommit,
    CompleteAbort,
}

impl TxnState {
    /// Kafka's name (`TransactionState.name`).
    pub fn name(self) -> &'static str {
        match self {
            TxnState::Empty => "Empty",
            TxnState::Ongoing => "Ongoing",
            TxnState::PrepareCommit => "PrepareCommit",
            TxnState::PrepareAbort => "PrepareAbort",
            TxnState::CompleteCommit => "CompleteCommit",
            TxnState::CompleteAbort => "CompleteAbort",
        }
    }

    /// Whether a transaction may move from this state to `next` (Kafka's
    /// `TransactionState.validPreviousStates`, with KIP-890's abort of an empty transaction;
    /// plus the shortcut this simulator takes: an end with no partitions completes at once,
    /// with no markers to write).
    pub fn may_become(self, next: TxnState) -> bool {
        use TxnState::*;
        let done = matches!(self, Empty | CompleteCommit | CompleteAbort);
        match next {
            Empty => done,
            Ongoing => done || self == Ongoing,
            PrepareCommit => self == Ongoing,
            PrepareAbort => self == Ongoing || done,
            CompleteCommit => matches!(self, PrepareCommit | Ongoing | Empty | CompleteCommit),
            CompleteAbort => self == PrepareAbort || self == Ongoing || done,
        }
    }

    pub(crate) fn preparing(self) -> bool {
        matches!(self, TxnState::PrepareCommit | TxnState::PrepareAbort)
    }
}

impl TxnMetadata {
    /// Moves the transaction to `next`, asserting that Kafka allows the move.
    pub(crate) fn transition_to(&mut self, next: TxnState) {
        debug_assert!(
            self.state.may_become(next),
            "transaction {}: {} -> {} is not a transition Kafka makes",
            self.transactional_id,
            self.state.name(),
            next.name()
        );
        self.state = next;
    }
}

/// What the transaction coordinators hold (`TransactionStateManager`): the leader and replicas
/// of each `__transaction_state` partition (its leader coordinates the transactional.ids that
/// hash to it), the transactions by transactional.id, and whether the check for timed-out
/// transactions is scheduled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxnCoordinators {
    pub leaders: Vec<u32>,
    /// Replicas of each `__transaction_state` partition, in assignment order.
    pub replicas: Vec<Vec<u32>>,
    pub transactions: BTreeMap<String, TxnMetadata>,
    pub timer_running: bool,
}

/// A transactional.id at its coordinator (`TransactionMetadata`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnMetadata {
    pub transactional_id: String,
    pub coordinator: u32,
    /// The `__transaction_state` partition holding it.
    pub state_partition: u32,
    pub producer_id: i64,
    pub epoch: i16,
    pub state: TxnState,
    /// Partitions in the current (or completing) transaction.
    pub partitions: BTreeSet<TopicPartitionId>,
    /// Consumer groups whose offsets are in it (sendOffsetsToTransaction).
    pub groups: BTreeSet<u32>,
    /// When the transaction began (its first partition was added).
    pub started_at: SimTime,
    pub timeout_us: u64,
    /// Markers not yet acknowledged, and those of them sent and not answered.
    pub pending_markers: BTreeSet<TopicPartitionId>,
    pub markers_in_flight: BTreeSet<TopicPartitionId>,
    /// The epoch the markers are written with.
    pub marker_epoch: i16,
    pub last_update: SimTime,
}

impl TxnMetadata {
    /// A transactional.id the coordinator has just seen in InitProducerId: epoch 0, Empty.
    pub(crate) fn new(
        transactional_id: String,
        coordinator: u32,
        state_partition: u32,
        producer_id: i64,
        timeout_ms: u64,
        now: SimTime,
    ) -> TxnMetadata {
        TxnMetadata {
            transactional_id,
            coordinator,
            state_partition,
            producer_id,
            epoch: 0,
            state: TxnState::Empty,
            partitions: BTreeSet::new(),
            groups: BTreeSet::new(),
            started_at: now,
            timeout_us: timeout_ms.saturating_mul(1000),
            pending_markers: BTreeSet::new(),
            markers_in_flight: BTreeSet::new(),
            marker_epoch: 0,
            last_update: now,
        }
    }
}

/// The transaction coordinators' timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TxnTimer {
    /// The coordinators' periodic check for timed-out transactions.
    AbortTimedOut,
    /// The coordinator sends markers again (a partition had no leader).
    MarkerRetry { producer_id: i64 },
}
