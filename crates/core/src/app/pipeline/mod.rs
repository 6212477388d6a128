//! A consume-transform-produce pipeline (`sim.pipeline=ctp`), run as Kafka Streams runs one:
//! processors in the consumer group `ctp` (Streams' `application.id`) read the first topic,
//! transform each record and write it to topic `output`, with `processing.guarantee`:
//!
//! - `at_least_once`: the processor produces a poll's output, flushes, then commits the input
//!   offsets (commitSync). A crash between the produce and the commit repeats the work: the
//!   next owner of the partition starts from the last commit, and the output is written again.
//! - `exactly_once_v2` (KIP-447): each poll's output and its input offsets are one
//!   transaction: beginTransaction, the sends, sendOffsetsToTransaction with the consumer's
//!   group metadata (transaction.version 1: AddOffsetsToTxn to the transaction coordinator, then
//!   TxnOffsetCommit to the group coordinator; version 2 (KIP-890): TxnOffsetCommit alone), then
//!   commitTransaction. The group coordinator rejects a TxnOffsetCommit from a stale generation
//!   (the processor aborts and starts again from the committed offsets), and holds the offsets
//!   as pending until the transaction ends; meanwhile an OffsetFetch with requireStable (every
//!   Java consumer asks for it) is answered UNSTABLE_OFFSET_COMMIT, so a new owner waits.
//!
//! A processor that crashes and restarts with the same transactional.id fences its old self
//! (InitProducerId bumps the epoch and aborts the open transaction at once); one replaced by
//! an instance with another transactional.id leaves the old transaction open until
//! transaction.timeout.ms (Streams sets 10 s), holding the output's LSO back meanwhile.
//!
//! A verifier, the consumer group `verifier` (read_committed, from the earliest offset, no
//! deduplication of its own), reads `output`; the pipeline counts, per input record, how often
//! its output reached the verifier (`PipelineReport`).
//!
//! Simplified: one transaction per poll (Streams commits every commit.interval.ms, 100 ms
//! under exactly-once); the transform is the identity on key and value, written to the same
//! partition number of `output` (Streams would hash the key; with equal partition counts and
//! keyed input that is the same partition); the processors use the group's assignor, not
//! Streams' `StreamsPartitionAssignor`; the `__consumer_offsets` COMMIT / ABORT marker is applied
//! when the coordinator prepares the transaction's end (its log is not modelled).

pub mod outcome;
pub mod processor;
pub mod setup;
pub mod state;

pub use state::*;
