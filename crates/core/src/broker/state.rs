//! The brokers' own state, one struct for every broker of the cluster (as `TxnCoordinators`
//! holds every transaction coordinator): what `ReplicaManager` and `ProducerStateManager` keep
//! in memory at partition leaders: the producer state of idempotent producers, the leaders'
//! transaction indexes, the markers waiting to be replicated, and the ids of the fetch and
//! verification purgatories' entries, and each broker's Yammer meters (`broker::metrics`).
//!
//! Simplified: the replicas and logs the brokers host stay in `Sim.topics` and the brokers'
//! liveness in `Sim.brokers` (the controller writes both); the fetch, produce and verification
//! purgatories and the replica fetcher sessions stay on `Sim` too
//! (`Sim.parked_fetches`, `Sim.delayed_produces`, `Sim.txn_verifications`,
//! `Sim.replica_fetchers`) while the controller, which empties them when a broker dies, is
//! converted separately.

use crate::broker::metrics::{
    under_replicated_partitions, BrokerMetricValue, BrokerMetrics, BROKER_TOPIC_METRICS,
    REPLICA_MANAGER,
};
use crate::broker::purgatory::ProducerStateEntries;
use crate::broker::txn_index::{MarkerWait, PartitionTxns};
use crate::cluster::Topic;
use crate::metrics::yammer::YammerMeter;
use crate::net::TopicPartitionId;
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// Every broker's in-memory state as a partition leader.
#[derive(Clone, Debug, Default)]
pub(crate) struct Brokers {
    /// Producer-state of idempotent producers at leaders: last batches per (pid, partition):
    /// (first sequence, last sequence, base offset), at most 5.
    pub(crate) producer_state: BTreeMap<(i64, TopicPartitionId), ProducerStateEntries>,
    /// Open and aborted transactions per partition, from the leaders' logs.
    pub(crate) partition_txns: BTreeMap<TopicPartitionId, PartitionTxns>,
    /// Transaction markers waiting to be replicated before their answer.
    pub(crate) marker_waits: Vec<MarkerWait>,
    /// The id of the next transactional produce held for verification.
    pub(crate) next_verification_id: u64,
    /// The id of the next fetch parked in a fetch purgatory.
    pub(crate) next_fetch_id: u64,
    /// Each broker's Yammer meters (`broker::metrics`), by broker id.
    pub(crate) metrics: Vec<BrokerMetrics>,
}

impl Brokers {
    /// Broker `b`'s meters (created at time 0 with the cluster, as every broker starts then).
    pub(crate) fn metrics_mut(&mut self, b: u32) -> &mut BrokerMetrics {
        let i = b as usize;
        if self.metrics.len() <= i {
            self.metrics
                .resize(i + 1, BrokerMetrics::new(SimTime::ZERO));
        }
        &mut self.metrics[i]
    }

    /// Broker `b`'s process started again at `now`: new meters.
    pub(crate) fn restart_metrics(&mut self, b: u32, now: SimTime) {
        *self.metrics_mut(b) = BrokerMetrics::new(now);
    }

    /// Broker `b`'s metrics at `now`.
    pub(crate) fn metric_values(
        &self,
        topics: &[Topic],
        b: u32,
        now: SimTime,
    ) -> Vec<BrokerMetricValue> {
        let m = self
            .metrics
            .get(b as usize)
            .copied()
            .unwrap_or(BrokerMetrics::new(SimTime::ZERO));
        let meter = |group, name, meter: YammerMeter| BrokerMetricValue::Meter {
            group,
            name,
            values: meter.values(now),
        };
        alloc::vec![
            meter(BROKER_TOPIC_METRICS, "MessagesInPerSec", m.messages_in),
            meter(
                BROKER_TOPIC_METRICS,
                "FailedProduceRequestsPerSec",
                m.failed_produce_requests
            ),
            meter(REPLICA_MANAGER, "IsrShrinksPerSec", m.isr_shrinks),
            meter(REPLICA_MANAGER, "IsrExpandsPerSec", m.isr_expands),
            BrokerMetricValue::Gauge {
                group: REPLICA_MANAGER,
                name: "UnderReplicatedPartitions",
                value: f64::from(under_replicated_partitions(topics, b)),
            },
        ]
    }
}
