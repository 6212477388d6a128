//! The group coordinator of the classic protocol (`GroupCoordinator`, `ClassicGroup`): the
//! broker that leads the group's `__consumer_offsets` partition (`placement`), its requests
//! (`requests`: OffsetFetch, OffsetCommit and the dispatch), the join phase (`join`), SyncGroup,
//! Heartbeat, LeaveGroup and session expiry (`sync`), transactional offset commits
//! (`txn_offsets`), and what it keeps per group and member (`state`).
//!
//! Simplified: the group's state lives in memory; a new coordinator loads the committed offsets
//! and the last stored generation of its groups, not a replayed `__consumer_offsets` log.

pub mod join;
pub mod placement;
pub mod requests;
pub mod state;
pub mod sync;
pub mod txn_offsets;
