//! What only the KRaft controller keeps (`QuorumController`): here the count of leader
//! elections it has made, and its heartbeat settings. The registration state of each broker and
//! each partition's leadership, ISR and leader epoch are the metadata image it writes through
//! its context (`context::ControllerCtx`; see the module doc for that simplification).

/// `broker.heartbeat.interval.ms`.
pub const BROKER_HEARTBEAT_INTERVAL_US: u64 = 2_000_000;
/// `broker.session.timeout.ms`.
pub const BROKER_SESSION_TIMEOUT_US: u64 = 9_000_000;

/// The active controller's own state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuorumController {
    /// Leader elections so far (every change to a new leader counts; going offline does not).
    pub(crate) leader_elections: u64,
}

impl QuorumController {
    /// Leader elections so far.
    pub fn leader_elections(&self) -> u64 {
        self.leader_elections
    }
}
