//! A broker's roles as a partition leader and follower: produce and fetch handling at the
//! leader (`ReplicaManager`), the purgatories where acks=all produces and long-polling fetches
//! wait, follower replication with leader-epoch truncation (`ReplicaFetcherThread`), the high
//! watermark, ISR shrink and expansion, and log retention; the brokers' own timers.
//!
//! Simplified: the broker's state still lives on the engine's `Sim` (its partitions in
//! `Sim.topics`, its purgatories in `Sim.delayed_produces` / `Sim.parked_fetches`); the
//! handlers here are `impl Sim` blocks that read only what the broker would know: a request's
//! fields, its own replicas and the controller's metadata.

pub mod context;
pub mod fetch;
pub mod host;
pub mod isr;
pub mod list_offsets;
pub mod produce;
pub mod purgatory;
pub mod replication;
pub mod retention;
pub mod state;
pub mod timers;
pub mod transactions;
pub mod txn_index;
pub mod txn_verification;
