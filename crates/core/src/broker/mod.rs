//! A broker's roles as a partition leader and follower: produce and fetch handling at the
//! leader (`ReplicaManager`), the purgatories where acks=all produces and long-polling fetches
//! wait, follower replication with leader-epoch truncation (`ReplicaFetcherThread`), the high
//! watermark, ISR shrink and expansion, and log retention; the brokers' own timers.
//!
//! The brokers are an actor (`crate::actor`): their handlers are methods of
//! `state::Brokers` (one struct for every broker, as `TxnCoordinators` holds every
//! coordinator) that take a `context::BrokerCtx` and return their messages, timers and the
//! calls on other roles (`context::BrokerCall`: AlterPartition to the controller, the
//! invariant monitor's read of a grown log, the ahead-crash fault); `host` is the engine's
//! side, which hands them the context and applies what they return, in order.
//!
//! Simplified: the replicas and logs the brokers host stay in `Sim.topics` and the brokers'
//! liveness in `Sim.brokers` (the controller writes both), handed to the handlers as the whole
//! cluster's `&mut [Topic]` and a read-only `&[Broker]`; the purgatories and fetcher sessions
//! stay on `Sim` too (the controller empties them when a broker dies) and are lent through the
//! context. `CreatePartitions` (`replication`) is still `impl Sim`: it changes the clients too.

pub mod context;
pub mod fetch;
pub mod host;
pub mod isr;
pub mod list_offsets;
pub mod metrics;
pub mod produce;
pub mod purgatory;
pub mod replication;
pub mod retention;
pub mod state;
pub mod timers;
pub mod transactions;
pub mod txn_index;
pub mod txn_verification;
