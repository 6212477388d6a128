//! A broker's metrics under Kafka's JMX names (issue 14), Yammer meters (`metrics::yammer`)
//! marked where Kafka marks them:
//!
//! - `kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec`: the records of each batch
//!   the leader took (`ReplicaManager.appendToLocalLog`, `numAppendedMessages`; a duplicate
//!   batch of an idempotent producer counts too, as its append info carries its records);
//! - `...,name=FailedProduceRequestsPerSec`: once per partition whose append failed for a
//!   reason Kafka calls unexpected (`processFailedRecord`: NOT_ENOUGH_REPLICAS, an
//!   out-of-order sequence, a fenced producer epoch), not for NOT_LEADER_OR_FOLLOWER nor for a
//!   transactional batch its coordinator did not verify (those never reach the append);
//! - `kafka.server:type=ReplicaManager,name=IsrShrinksPerSec` / `IsrExpandsPerSec`: at the
//!   leader, when the controller accepted its AlterPartition (`Partition`'s
//!   `AlterPartitionListener.markIsrShrink` / `markIsrExpand`); the controller's own removal of
//!   a fenced broker from an ISR is not the leader's shrink and is not counted;
//! - `kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions`: a gauge, the partitions
//!   this broker leads with an ISR smaller than the replicas (`Partition.isUnderReplicated`).
//!
//! The meters are kept, marked and read through `broker::state::Brokers` (`metrics_mut`,
//! `metric_values`). A broker process that starts again has new meters (a new JVM); a broker that is down has
//! none to read. Simplified: only the all-topics `BrokerTopicMetrics` are kept (not the
//! per-topic ones); a shrink of several followers is one mark per follower (the simulator's
//! AlterPartition removes one follower at a time, see `isr`).

use crate::cluster::Topic;
use crate::metrics::yammer::{MeterValues, YammerMeter};
use crate::net::KafkaError;
use crate::time::SimTime;

/// Kafka's MBean group of the topic metrics.
pub const BROKER_TOPIC_METRICS: &str = "kafka.server:type=BrokerTopicMetrics";
/// Kafka's MBean group of the replica manager's metrics.
pub const REPLICA_MANAGER: &str = "kafka.server:type=ReplicaManager";

/// One broker's meters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BrokerMetrics {
    pub messages_in: YammerMeter,
    pub failed_produce_requests: YammerMeter,
    pub isr_shrinks: YammerMeter,
    pub isr_expands: YammerMeter,
}

impl BrokerMetrics {
    /// A broker process's meters, created when it starts.
    pub fn new(start: SimTime) -> BrokerMetrics {
        BrokerMetrics {
            messages_in: YammerMeter::new(start),
            failed_produce_requests: YammerMeter::new(start),
            isr_shrinks: YammerMeter::new(start),
            isr_expands: YammerMeter::new(start),
        }
    }
}

/// A broker metric's reading: its MBean group and name, and a meter's attributes or a gauge's
/// value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BrokerMetricValue {
    Meter {
        group: &'static str,
        name: &'static str,
        values: MeterValues,
    },
    Gauge {
        group: &'static str,
        name: &'static str,
        value: f64,
    },
}

/// Whether Kafka counts a refused append in FailedProduceRequestsPerSec (`processFailedRecord`
/// is not called for the errors it expects).
pub(crate) fn counts_as_failed(error: KafkaError) -> bool {
    error != KafkaError::NotLeaderOrFollower
}

/// Partitions `b` leads whose ISR is smaller than their replicas.
pub fn under_replicated_partitions(topics: &[Topic], b: u32) -> u32 {
    topics
        .iter()
        .flat_map(|t| t.partitions.iter())
        .filter(|p| p.leader == Some(b) && p.isr.len() < p.replicas.len())
        .count() as u32
}
