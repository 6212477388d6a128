//! What the engine hands the KRaft controller with each timer or fault input (the role is an
//! actor, `crate::actor`): the time, the metadata image it writes (the brokers' registration
//! state and the partitions' leadership, ISR and leader epochs), the topics' settings, and the
//! outbox its effects go to: its timers (`ControllerTimer`) and what the brokers, coordinators
//! and clients do when they learn its decisions (`ControllerCall`).

use crate::actor::Outbox;
use crate::cluster::{Broker, Topic};
use crate::config::TopicConfig;
use crate::net::TopicPartitionId;
use crate::time::SimTime;

/// The controller's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControllerTimer {
    /// The session of `broker`, whose heartbeats stopped, expires (`broker.session.timeout.ms`
    /// after its last heartbeat): the controller fences it.
    FenceBroker { broker: u32 },
}

/// What the other roles do when they learn the controller's decisions. In Kafka each follows
/// from the metadata records the controller appends (`PartitionChangeRecord`,
/// `FenceBrokerRecord`, `RegisterBrokerRecord`) as the brokers replay them and the clients
/// refresh their metadata; here the engine applies them at once, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ControllerCall {
    /// `broker` was fenced: the leaderships of `__consumer_offsets` partitions it held moved,
    /// and the group coordinators with them (`GroupCoordinators::move_leaders`).
    MoveGroupCoordinators { broker: u32 },
    /// `broker` was fenced: its `__transaction_state` partitions' coordinators move
    /// (`TxnCoordinators::move_leaders`).
    MoveTxnCoordinators { broker: u32 },
    /// `broker` registered again: it leads the `__consumer_offsets` partitions that had no
    /// leader and reloads the groups of those it still led (`GroupCoordinators::after_restart`).
    GroupCoordinatorsAfterRestart { broker: u32 },
    /// `broker` registered again: it takes the `__transaction_state` partitions whose leader is
    /// down (`TxnCoordinators::after_restart`).
    TxnCoordinatorsAfterRestart { broker: u32 },
    /// The brokers replayed the new leaderships: each alive follower starts a fetch session
    /// with each alive leader it follows and has none with (`ReplicaFetcherManager`).
    StartReplicaFetchers,
    /// The invariant monitor reads the partition's leader log anew (after a leader change the
    /// leader, its epoch or its log differ).
    MonitorRead(TopicPartitionId),
    /// The partition's leader replayed its smaller ISR (`PartitionChangeRecord`): its high
    /// watermark may move (or, below min.insync.replicas, stay still), and acks=all produces
    /// waiting on it are checked.
    AdvanceHighWatermark(TopicPartitionId),
    /// Partitions have new leaders: the clients find them in their next metadata; consumers
    /// drop a fetch outstanding to a broker that is down and fetch again, producers' senders
    /// run.
    LeadersChanged,
}

pub(crate) type ControllerOutbox = Outbox<ControllerTimer, ControllerCall>;

/// One handler call's context.
pub(crate) struct ControllerCtx<'a> {
    pub now: SimTime,
    /// The topics' partitions: their leadership, ISR and leader epochs are the controller's
    /// (the replicas' logs are the brokers'; the controller reads only which broker holds one).
    pub topics: &'a mut [Topic],
    /// The brokers' registration state.
    pub brokers: &'a mut [Broker],
    /// The topics' settings, by topic index (`unclean.leader.election.enable`).
    pub topic_configs: &'a [TopicConfig],
    pub out: ControllerOutbox,
}

impl ControllerCtx<'_> {
    /// Asserts that `broker` is a broker of the cluster (the engine checks every input).
    pub fn assert_broker(&self, broker: u32) {
        let n = self.brokers.len();
        assert!(
            (broker as usize) < n,
            "the controller is handed broker {broker}: not a broker of the cluster ({n} brokers)"
        );
    }
}

/// Whether topic `topic` allows unclean leader election (`unclean.leader.election.enable`).
pub(crate) fn unclean_election(topic_configs: &[TopicConfig], topic: usize) -> bool {
    topic_configs
        .get(topic)
        .is_some_and(|c| c.unclean_leader_election_enable.value)
}
