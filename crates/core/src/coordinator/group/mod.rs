//! The group coordinator of the classic protocol (`GroupCoordinator`, `ClassicGroup`): the
//! broker that leads the group's `__consumer_offsets` partition (`placement`), its requests
//! (`requests`: OffsetFetch, OffsetCommit and the dispatch), the join phase (`join`), SyncGroup,
//! Heartbeat, LeaveGroup and session expiry (`sync`), transactional offset commits
//! (`txn_offsets`), and what it keeps per group and member (`state`).
//!
//! The coordinators are an actor (`crate::actor`): their handlers change only
//! `GroupCoordinators` and return their messages, timers and the calls on other roles that
//! Kafka makes by request (`context::GroupCall`); `host` is the engine's side, which hands them
//! the context and applies what they return.
//!
//! Simplified: the group's state lives in memory; a new coordinator loads the committed offsets
//! and the last stored generation of its groups, not a replayed `__consumer_offsets` log.

pub mod context;
pub mod host;
pub mod join;
pub mod placement;
pub mod requests;
pub mod state;
pub mod sync;
pub mod txn_offsets;
