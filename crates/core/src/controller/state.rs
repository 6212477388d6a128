//! What only the KRaft controller keeps (`QuorumController`): here the count of leader
//! elections it has made, its `LeaderElectionRateAndTimeMs` timer, and its heartbeat settings. The registration state of each broker and
//! each partition's leadership, ISR and leader epoch are the metadata image it writes through
//! its context (`context::ControllerCtx`; see the module doc for that simplification).

/// `broker.heartbeat.interval.ms`.
pub const BROKER_HEARTBEAT_INTERVAL_US: u64 = 2_000_000;
/// `broker.session.timeout.ms`.
pub const BROKER_SESSION_TIMEOUT_US: u64 = 9_000_000;

/// The active controller's own state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QuorumController {
    /// Leader elections so far (every change to a new leader counts; going offline does not).
    pub(crate) leader_elections: u64,
    /// `kafka.controller:type=ControllerStats,name=LeaderElectionRateAndTimeMs`: a Yammer
    /// timer (kept as its meter: count and rates) updated once per change of the brokers'
    /// membership the controller handles, a broker fenced or registered. That is where
    /// Kafka's controller updates it: the timer of its `BrokerChange` state, named after
    /// leader elections for compatibility (`ControllerState.BrokerChange`). Kafka 4.x's KRaft
    /// controller no longer registers it (it was the ZooKeeper controller's); it is kept under
    /// that name because learners' dashboards and notes use it.
    pub(crate) leader_election_timer: crate::metrics::yammer::YammerMeter,
}

impl QuorumController {
    /// Leader elections so far.
    pub fn leader_elections(&self) -> u64 {
        self.leader_elections
    }

    /// `LeaderElectionRateAndTimeMs` at `now` (its count and rates).
    pub fn leader_election_rate_and_time(
        &self,
        now: crate::time::SimTime,
    ) -> crate::metrics::yammer::MeterValues {
        self.leader_election_timer.values(now)
    }
}
