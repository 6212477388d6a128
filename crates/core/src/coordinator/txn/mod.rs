//! The transaction coordinator (`TransactionCoordinator`, `TransactionStateManager`).
//!
//! The flow: initTransactions sends InitProducerId to the coordinator, which gives the producer
//! id and bumps the epoch, fencing any older instance with the same transactional.id and
//! aborting a transaction it left open. Under transaction.version 1 the producer sends
//! AddPartitionsToTxn before its first write to each partition; under 2 (KIP-890) the produce
//! request itself adds the partition and the epoch is bumped at every transaction end.
//! commitTransaction / abortTransaction send EndTxn: the coordinator moves to PREPARE_COMMIT /
//! PREPARE_ABORT, answers, and has every partition leader of the transaction append a COMMIT /
//! ABORT control marker (WriteTxnMarkers); once every marker is replicated (the high watermark
//! passed it) the transaction is COMPLETE_*. A transaction open longer than
//! transaction.timeout.ms is aborted by the coordinator's check with an epoch bump.
//!
//! The coordinators are an actor (`crate::actor`): their handlers (`requests`, `markers`,
//! `timeout`, `placement`) change only `TxnCoordinators` and return their messages, timers and
//! the calls on other roles that Kafka makes by request (`context::CoordinatorCall`); `host`
//! is the engine's side, which hands them the context and applies what they return.
//!
//! Simplified: FindCoordinator is answered at once (no message); the state lives in memory (no
//! `__transaction_state` log to replicate or reload); the epoch never overflows into a new
//! producer id.

pub mod context;
pub mod host;
pub mod markers;
pub mod placement;
pub mod requests;
pub mod state;
pub mod timeout;
