//! The broker's settings (`KafkaConfig`, Kafka 4.1 defaults) and the topic settings that
//! override them (`LogConfig`): partitions and replication, the ISR and unclean election,
//! segments and retention, the coordinators' internal topics and the transactions feature
//! level. A topic setting's default is the broker setting it follows. Only `num.partitions`
//! applies live (Kafka can add partitions to a topic, never remove them).

use super::codec::{Flag, Ms, OptBytes, OptMs, U32};
use super::{
    int, ms_or_unlimited, ms_range, SettingKind, DAY_MS, I32_MAX, I64_MAX, LIVE, ON_RESET,
};

registry! {
    NUM_PARTITIONS = ("num.partitions", Broker, int(1, 1024), "1", LIVE,
        Broker.num_partitions: U32,
        "Partitions of a topic created without a count (preset: 6).");
    DEFAULT_REPLICATION_FACTOR = ("default.replication.factor", Broker, int(1, 16), "1", ON_RESET,
        Broker.default_replication_factor: U32,
        "Replication factor of a topic created without one (preset: 3).");
    REPLICATION_FACTOR = ("replication.factor", Topic, int(1, 16), DEFAULT_REPLICATION_FACTOR.name, ON_RESET,
        Topic.replication_factor: U32,
        "Replicas per partition.");
    MIN_INSYNC_REPLICAS = ("min.insync.replicas", Broker, int(1, 16), "1", ON_RESET,
        Broker.min_insync_replicas: U32,
        "ISR size acks=all needs (broker default).");
    TOPIC_MIN_INSYNC_REPLICAS = (MIN_INSYNC_REPLICAS.name, Topic, int(1, 16), MIN_INSYNC_REPLICAS.name, ON_RESET,
        Topic.min_insync_replicas: U32,
        "ISR size acks=all needs (topic).");
    UNCLEAN_LEADER_ELECTION_ENABLE = ("unclean.leader.election.enable", Broker, SettingKind::Bool, "false", ON_RESET,
        Broker.unclean_leader_election_enable: Flag,
        "Let an out-of-sync replica lead when no ISR member is alive (loses acknowledged records).");
    TOPIC_UNCLEAN_LEADER_ELECTION_ENABLE = (UNCLEAN_LEADER_ELECTION_ENABLE.name, Topic, SettingKind::Bool, UNCLEAN_LEADER_ELECTION_ENABLE.name, ON_RESET,
        Topic.unclean_leader_election_enable: Flag,
        "Unclean election for this topic.");
    REPLICA_LAG_TIME_MAX_MS = ("replica.lag.time.max.ms", Broker, ms_range(1, DAY_MS), "30000", ON_RESET,
        Broker.replica_lag_time_max_ms: Ms,
        "A follower not caught up this long leaves the ISR.");
    LOG_SEGMENT_BYTES = ("log.segment.bytes", Broker, int(1_048_576, I32_MAX), "1073741824", ON_RESET,
        Broker.log_segment_bytes: U32,
        "Size at which a partition's active log segment rolls (broker default; at least 1 MiB since Kafka 4.0).");
    SEGMENT_BYTES = ("segment.bytes", Topic, int(1_048_576, I32_MAX), LOG_SEGMENT_BYTES.name, ON_RESET,
        Topic.segment_bytes: U32,
        "Size at which the topic's active log segment rolls.");
    LOG_RETENTION_MS = ("log.retention.ms", Broker, ms_or_unlimited(0), "604800000", ON_RESET,
        Broker.log_retention_ms: OptMs,
        "Delete a closed segment once its newest record is this old (broker default; -1: no time limit).");
    RETENTION_MS = ("retention.ms", Topic, ms_or_unlimited(0), LOG_RETENTION_MS.name, ON_RESET,
        Topic.retention_ms: OptMs,
        "Time retention for the topic (-1: no limit).");
    LOG_RETENTION_BYTES = ("log.retention.bytes", Broker, int(-1, I64_MAX), "-1", ON_RESET,
        Broker.log_retention_bytes: OptBytes,
        "Delete the oldest segments while a partition's log exceeds this by a segment (broker default; -1: no size limit).");
    RETENTION_BYTES = ("retention.bytes", Topic, int(-1, I64_MAX), LOG_RETENTION_BYTES.name, ON_RESET,
        Topic.retention_bytes: OptBytes,
        "Size retention per partition for the topic (-1: no limit).");
    LOG_RETENTION_CHECK_INTERVAL_MS = ("log.retention.check.interval.ms", Broker, ms_range(1, DAY_MS), "300000", ON_RESET,
        Broker.log_retention_check_interval_ms: Ms,
        "How often every broker applies retention to its logs.");
    REPLICA_FETCH_WAIT_MAX_MS = ("replica.fetch.wait.max.ms", Broker, ms_range(0, DAY_MS), "500", ON_RESET,
        Broker.replica_fetch_wait_max_ms: Ms,
        "Longest a follower fetch waits at the leader.");
    GROUP_INITIAL_REBALANCE_DELAY_MS = ("group.initial.rebalance.delay.ms", Broker, ms_range(0, DAY_MS), "3000", ON_RESET,
        Broker.group_initial_rebalance_delay_ms: Ms,
        "An empty group waits this long before its first rebalance.");
    OFFSETS_TOPIC_NUM_PARTITIONS = ("offsets.topic.num.partitions", Broker, int(1, 1000), "50", ON_RESET,
        Broker.offsets_topic_num_partitions: U32,
        "Partitions of __consumer_offsets (picks the group coordinator).");
    TRANSACTION_STATE_LOG_NUM_PARTITIONS = ("transaction.state.log.num.partitions", Broker, int(1, 1000), "50", ON_RESET,
        Broker.transaction_state_log_num_partitions: U32,
        "Partitions of __transaction_state (picks the transaction coordinator).");
    TRANSACTION_VERSION = ("transaction.version", Broker, int(1, 2), "2", ON_RESET,
        Broker.transaction_version: U32,
        "The transactions feature level (kafka-features): 1 = classic (AddPartitionsToTxn per new partition), 2 = KIP-890 (partitions added by the produce itself, epoch bumped at every transaction end).");
}
