//! What the engine hands the brokers with each request, response or timer (the role is an
//! actor, `crate::actor`): the time, the partitions' replicas and logs, a read-only view of the
//! brokers, the broker and topic settings, the purgatories, where the transaction
//! coordinators are, and the outbox their effects go to.
//!
//! Simplified: the replicas and logs every broker hosts are handed as the whole cluster's
//! `&mut [Topic]` (`Sim.topics`, which the controller also writes: leaders, ISRs, epochs), and
//! the brokers' liveness as `&[Broker]` (`Sim.brokers`); a handler touches only the replicas
//! of the broker it runs for and reads the rest as the controller's metadata. The purgatories
//! and fetcher sessions still live on `Sim` (see `broker::state`) and are lent here.

use crate::actor::Outbox;
use crate::broker::purgatory::{DelayedProduce, ParkedFetch, PendingVerification};
use crate::broker::timers::BrokerTimer;
use crate::cluster::{Broker, Partition, Topic};
use crate::config::{Config, TopicConfig};
use crate::coordinator::txn::state::TxnCoordinators;
use crate::net::TopicPartitionId;
use crate::time::SimTime;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;

/// What a broker does to another role directly, where Kafka sends a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum BrokerCall {
    /// The leader of `tp` asks to take `broker` out of (`expand = false`) or back into its ISR.
    /// Kafka's leader sends AlterPartition to the KRaft controller; here the controller's
    /// commit is a broker timer at the same simulated time (`BrokerTimer::IsrShrink` /
    /// `IsrExpand`), with no round trip.
    AlterPartition {
        tp: TopicPartitionId,
        broker: u32,
        expand: bool,
    },
    /// The invariant monitor reads what is new in the leader's log of `tp` (after every
    /// append). Not Kafka: the simulator's observer (`crate::monitor`), which reads the log
    /// as it is when the effect is applied (the handler appends nothing more to `tp` after).
    ReadLog { tp: TopicPartitionId },
    /// A `crash:leader=…,ahead` fault waiting for this append: `broker` crashes now, before
    /// its followers fetch it. Not Kafka: the fault schedule's moment (`sim::schedule`).
    CrashAheadLeader { broker: u32 },
}

pub(crate) type BrokerOutbox = Outbox<BrokerTimer, BrokerCall>;

/// The broker settings the handlers read (`server.properties`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BrokerSettings {
    /// replica.lag.time.max.ms
    pub replica_lag_time_max_ms: u64,
    /// log.retention.check.interval.ms
    pub log_retention_check_interval_ms: u64,
    /// transaction.version (2: KIP-890's implicit add of a partition to the transaction).
    pub transaction_version: u32,
    /// replica.fetch.wait.max.ms
    pub replica_fetch_wait_max_ms: u64,
}

impl BrokerSettings {
    pub(crate) fn of(config: &Config) -> BrokerSettings {
        BrokerSettings {
            replica_lag_time_max_ms: config.broker.replica_lag_time_max_ms.value,
            log_retention_check_interval_ms: config.broker.log_retention_check_interval_ms.value,
            transaction_version: config.broker.transaction_version.value,
            replica_fetch_wait_max_ms: config.broker.replica_fetch_wait_max_ms.value,
        }
    }

    /// The isr-expiration period: half of `replica.lag.time.max.ms` (at least 1 ms; Kafka's
    /// scheduler refuses a zero period).
    pub(crate) fn isr_expiration_period_us(&self) -> u64 {
        (self.replica_lag_time_max_ms * 1000 / 2).max(1000)
    }
}

/// One handler call's context.
pub(crate) struct BrokerCtx<'a> {
    pub now: SimTime,
    /// Every partition with its replicas and their logs (see the module doc).
    pub topics: &'a mut [Topic],
    /// The brokers, read-only: whether each is up (the controller's and engine's to change).
    pub brokers: &'a [Broker],
    pub settings: BrokerSettings,
    /// The topics' configs (retention, segment.bytes), one per topic of `topics`.
    pub topic_configs: &'a [TopicConfig],
    /// The fetch purgatory (`DelayedFetch`) of every broker.
    pub parked_fetches: &'a mut Vec<ParkedFetch>,
    /// The produce purgatory (`DelayedProduce`) of every broker.
    pub delayed_produces: &'a mut Vec<DelayedProduce>,
    /// The follower fetch sessions running: (follower, leader) (`ReplicaFetcherManager`).
    pub replica_fetchers: &'a mut BTreeSet<(u32, u32)>,
    /// Transactional produces held for their coordinator's verification (KIP-890).
    pub txn_verifications: &'a mut Vec<PendingVerification>,
    /// The transaction coordinators, read only for where a transactional.id's coordinator is
    /// (`coordinator_of`, the `__transaction_state` metadata every broker has) and whether any
    /// transactional.id exists (the leaders keep no transaction index before).
    pub txn: &'a TxnCoordinators,
    /// The id of the next record (a transaction marker is one), shared with the producers.
    pub next_record_id: &'a mut u64,
    /// The partition a `crash:leader=…,ahead` fault waits on, if any (the fault schedule's).
    pub crash_ahead: Option<TopicPartitionId>,
    pub out: BrokerOutbox,
}

impl BrokerCtx<'_> {
    pub(crate) fn partition(&self, tp: TopicPartitionId) -> Option<&Partition> {
        partition(self.topics, tp)
    }

    pub(crate) fn partition_mut(&mut self, tp: TopicPartitionId) -> Option<&mut Partition> {
        self.topics
            .get_mut(tp.topic as usize)?
            .partitions
            .get_mut(tp.partition as usize)
    }

    /// Whether broker `b` is up.
    pub(crate) fn alive(&self, b: u32) -> bool {
        self.brokers.get(b as usize).is_some_and(|x| x.alive)
    }
}

/// Partition `tp` of the cluster's `topics`.
pub(crate) fn partition(topics: &[Topic], tp: TopicPartitionId) -> Option<&Partition> {
    topics
        .get(tp.topic as usize)?
        .partitions
        .get(tp.partition as usize)
}
