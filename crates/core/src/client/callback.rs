//! What a client hands back to the application that drives it, the way Kafka's clients do it
//! through callbacks, futures and calls that block until an answer: the consumer's
//! `ConsumerRebalanceListener` and commit outcome, and the producer's `flush()`,
//! `commitTransaction()` / `abortTransaction()` returning and the fencing its next call throws.
//!
//! A client names no application: it hands a [`ClientCallback`] to `Sim::return_to_application`
//! (in `app::callbacks`), which gives it to the application that owns the client (a pipeline
//! processor, the transactional producing application) or drops it when no application asked.
//! The callback runs at once, on the client's own step, as Kafka runs rebalance listeners inside
//! `poll()` and completes a future on the I/O thread.

use crate::net::{GroupError, KafkaError, TopicPartitionId};
use crate::time::SimTime;
use alloc::vec::Vec;

/// One answer from a client to its application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientCallback {
    /// `ConsumerRebalanceListener.onPartitionsRevoked` with the positions of the partitions
    /// given up: all of them before an eager rejoin (`onJoinPrepare`), the revoked ones when a
    /// cooperative assignment takes effect (`onJoinComplete`).
    PartitionsRevoked {
        consumer: u32,
        positions: Vec<(TopicPartitionId, u64)>,
    },
    /// An OffsetCommit was refused: `commitSync()` throws (CommitFailedException,
    /// RebalanceInProgressException), `commitAsync()`'s OffsetCommitCallback gets the error.
    CommitFailed { consumer: u32, error: GroupError },
    /// `send().get()` returned: the record created at `created_at` is acknowledged (or
    /// failed).
    SendReturned { producer: u32, created_at: SimTime },
    /// `flush()` returned: nothing of the producer is queued or in flight.
    Flushed { producer: u32 },
    /// `initTransactions()` returned: the producer has its id and epoch.
    Initialized { producer: u32 },
    /// sendOffsetsToTransaction()'s AddOffsetsToTxn succeeded: its TxnOffsetCommit is next.
    OffsetsAdded { producer: u32 },
    /// sendOffsetsToTransaction() returned: the offsets are in the transaction.
    OffsetsCommitted { producer: u32 },
    /// sendOffsetsToTransaction() threw CommitFailedException: the group coordinator refused
    /// the consumer's group metadata (a stale generation, an unknown member, a fenced
    /// instance).
    OffsetsRefused { producer: u32, error: GroupError },
    /// `commitTransaction()` (`commit`) or `abortTransaction()` returned.
    TransactionCompleted { producer: u32, commit: bool },
    /// The producer is fenced (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH, or its transaction
    /// timed out): the application's next call on it throws.
    Fenced { producer: u32, error: KafkaError },
}
