//! The simulated world's configuration, shaped like the world: a cluster of brokers, topics,
//! producers and consumer groups. Every field carries Kafka's own config name (see
//! [`settings`]) and remembers whether it was set explicitly, because some of Kafka's rules
//! depend on that (an explicit `enable.idempotence=true` with `acks=1` is an error; an unset one
//! quietly turns off).
//!
//! Defaults are Apache Kafka 4.1's (see [`KAFKA_VERSION`]). The teaching preset
//! ([`Config::preset`]) departs from broker defaults where a classroom cluster needs it
//! (3 brokers, 6 partitions, replication factor 3, consumers reading from the earliest offset)
//! and says so in [`PRESET_NOTES`].

pub mod settings;

use crate::assignor::AssignorKind;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

pub use settings::{Scope, SettingDef, SettingKind, SETTINGS};

/// The Kafka release whose defaults and behaviour the simulator follows.
pub const KAFKA_VERSION: &str = "4.1";

/// Where the preset differs from Kafka's broker/client defaults, and why.
pub const PRESET_NOTES: &[&str] = &[
    "num.partitions=6 (Kafka's default is 1): enough partitions to see partitioning",
    "default.replication.factor=3 (Kafka's default is 1): replication is part of the lesson",
    "auto.offset.reset=earliest (Kafka's default is latest): consumers read from the start",
    "group.initial.rebalance.delay.ms=0 (Kafka's default is 3000): as in the server.properties Kafka ships for development",
];

/// A value plus whether the user set it (Kafka's `originals()` distinguishes the two).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Setting<T> {
    pub value: T,
    pub explicit: bool,
}

impl<T: Copy> Setting<T> {
    pub const fn default(value: T) -> Self {
        Setting {
            value,
            explicit: false,
        }
    }
    pub fn set(&mut self, value: T) {
        self.value = value;
        self.explicit = true;
    }
    #[inline]
    pub fn get(&self) -> T {
        self.value
    }
}

/// `acks`: how many replicas must have a record before the producer hears back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Acks {
    /// `acks=0`: no response at all.
    None,
    /// `acks=1`: the leader's append.
    Leader,
    /// `acks=all` (`-1`): every replica in the ISR.
    All,
}

impl Acks {
    pub fn name(self) -> &'static str {
        match self {
            Acks::None => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        }
    }
}

/// `partitioner.class`, as short names (Kafka takes a class name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum PartitionerKind {
    /// No partitioner.class: keys hash with murmur2; keyless records use the 3.3+ built-in
    /// adaptive sticky partitioner (`BuiltInPartitioner`). Kafka's default.
    BuiltIn,
    /// `org.apache.kafka.clients.producer.RoundRobinPartitioner` (as fixed in 4.0: once per
    /// record). Ignores keys.
    RoundRobin,
    /// The 2.4 to 3.2 default (`DefaultPartitioner` + `StickyPartitionCache`, KIP-480): keys
    /// hash; keyless records stick to a partition until a new batch is created. Removed in 4.0;
    /// shown for comparison.
    LegacySticky,
}

impl PartitionerKind {
    pub fn name(self) -> &'static str {
        match self {
            PartitionerKind::BuiltIn => "builtin",
            PartitionerKind::RoundRobin => "round-robin",
            PartitionerKind::LegacySticky => "legacy-sticky",
        }
    }
}

pub use crate::compression::payload::ValueKind;
pub use crate::compression::{Compression, CompressionType};

/// How the application calls `send()`: fire-and-forget with a callback, or `send().get()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SendMode {
    Async,
    Sync,
}

/// `isolation.level`: what a consumer's fetches may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum IsolationLevel {
    /// Everything below the high watermark, aborted transactions included (Kafka's default).
    ReadUncommitted,
    /// Only below the last stable offset, without records of aborted transactions.
    ReadCommitted,
}

/// `auto.offset.reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum OffsetReset {
    Earliest,
    Latest,
    None,
}

/// `sim.consumer.commit`: what the consumer application calls to commit (Kafka has no setting
/// for it: it is the application's code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum CommitMode {
    /// The application never commits itself: only `enable.auto.commit` commits (nothing is
    /// committed when that is false).
    Auto,
    /// `commitSync()` after processing each poll's records: the poll loop waits for the
    /// OffsetCommit response.
    Sync,
    /// `commitAsync()` after processing each poll's records: the loop goes on at once; a
    /// failed commit is not retried.
    Async,
}

impl CommitMode {
    pub fn name(self) -> &'static str {
        match self {
            CommitMode::Auto => "auto",
            CommitMode::Sync => "sync",
            CommitMode::Async => "async",
        }
    }
}

/// `partition.assignment.strategy`: a consumer's assignors in order of preference (at most
/// the four Kafka ships, no repeats). Kafka takes class names; short names stand for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StrategyList {
    kinds: [AssignorKind; 4],
    len: u8,
}

/// The Kafka class behind each short assignor name.
pub const ASSIGNOR_CLASSES: [(AssignorKind, &str); 4] = [
    (
        AssignorKind::Range,
        "org.apache.kafka.clients.consumer.RangeAssignor",
    ),
    (
        AssignorKind::RoundRobin,
        "org.apache.kafka.clients.consumer.RoundRobinAssignor",
    ),
    (
        AssignorKind::Sticky,
        "org.apache.kafka.clients.consumer.StickyAssignor",
    ),
    (
        AssignorKind::CooperativeSticky,
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
    ),
];

/// Which rebalance protocol a consumer follows (`ConsumerPartitionAssignor.RebalanceProtocol`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum RebalanceProtocol {
    /// Revoke every partition before joining.
    Eager,
    /// KIP-429: keep what stays; give up only what moves, then rebalance again.
    Cooperative,
}

impl StrategyList {
    /// Kafka 4.x's default: `[RangeAssignor, CooperativeStickyAssignor]` (`ConsumerConfig`).
    pub const KAFKA_DEFAULT: StrategyList = StrategyList {
        kinds: [
            AssignorKind::Range,
            AssignorKind::CooperativeSticky,
            AssignorKind::Range,
            AssignorKind::Range,
        ],
        len: 2,
    };

    /// A list of assignors; `None` when empty or with a repeat.
    pub fn new(kinds: &[AssignorKind]) -> Option<StrategyList> {
        if kinds.is_empty() || kinds.len() > 4 {
            return None;
        }
        let mut out = StrategyList {
            kinds: [AssignorKind::Range; 4],
            len: 0,
        };
        for &k in kinds {
            if out.as_slice().contains(&k) {
                return None;
            }
            out.kinds[out.len as usize] = k;
            out.len += 1;
        }
        Some(out)
    }

    pub fn as_slice(&self) -> &[AssignorKind] {
        &self.kinds[..self.len as usize]
    }

    /// Parses a comma list of Kafka class names or short names (`range`, `roundrobin`,
    /// `sticky`, `cooperative-sticky`).
    pub fn parse(raw: &str) -> Result<StrategyList, String> {
        let mut kinds = Vec::new();
        for part in raw.split(',') {
            let name = part.trim();
            if name.is_empty() {
                continue;
            }
            let kind = AssignorKind::from_name(name)
                .or_else(|| {
                    ASSIGNOR_CLASSES
                        .iter()
                        .find(|(_, class)| *class == name)
                        .map(|(k, _)| *k)
                })
                .ok_or_else(|| {
                    alloc::format!(
                        "'{name}' is not an assignor: expected a comma list of range, roundrobin, sticky, cooperative-sticky (or Kafka's class names, e.g. org.apache.kafka.clients.consumer.CooperativeStickyAssignor)"
                    )
                })?;
            if kinds.contains(&kind) {
                return Err(alloc::format!(
                    "'{name}' is listed twice: name each assignor once"
                ));
            }
            kinds.push(kind);
        }
        StrategyList::new(&kinds).ok_or_else(|| {
            String::from("at least one assignor is needed (Kafka refuses an empty partition.assignment.strategy for a subscribing consumer)")
        })
    }

    /// The protocol every assignor of the list supports, the highest one
    /// (`ConsumerCoordinator`'s constructor): cooperative only when every assignor is
    /// `CooperativeStickyAssignor`, the only built-in one that supports it.
    pub fn rebalance_protocol(&self) -> RebalanceProtocol {
        if self
            .as_slice()
            .iter()
            .all(|k| *k == AssignorKind::CooperativeSticky)
        {
            RebalanceProtocol::Cooperative
        } else {
            RebalanceProtocol::Eager
        }
    }

    /// `range,cooperative-sticky`.
    pub fn display(&self) -> String {
        let names: Vec<&str> = self.as_slice().iter().map(|k| k.name()).collect();
        names.join(",")
    }
}

/// Broker-wide settings (and the `log.`/`default.` defaults of topic settings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerConfig {
    /// `num.partitions`: partitions of a topic created without a count.
    pub num_partitions: Setting<u32>,
    /// `default.replication.factor`.
    pub default_replication_factor: Setting<u32>,
    /// `min.insync.replicas` (broker default; topics override).
    pub min_insync_replicas: Setting<u32>,
    /// `replica.lag.time.max.ms`.
    pub replica_lag_time_max_ms: Setting<u64>,
    /// `unclean.leader.election.enable`.
    pub unclean_leader_election_enable: Setting<bool>,
    /// `replica.fetch.wait.max.ms`.
    pub replica_fetch_wait_max_ms: Setting<u64>,
    /// `group.initial.rebalance.delay.ms`.
    pub group_initial_rebalance_delay_ms: Setting<u64>,
    /// `offsets.topic.num.partitions`.
    pub offsets_topic_num_partitions: Setting<u32>,
    /// `log.segment.bytes` (topics' `segment.bytes` default).
    pub log_segment_bytes: Setting<u32>,
    /// `log.retention.ms` (`None`: -1, no time limit; topics' `retention.ms` default).
    pub log_retention_ms: Setting<Option<u64>>,
    /// `log.retention.bytes` (`None`: -1, no size limit; topics' `retention.bytes` default).
    pub log_retention_bytes: Setting<Option<u64>>,
    /// `log.retention.check.interval.ms`.
    pub log_retention_check_interval_ms: Setting<u64>,
    /// `transaction.state.log.num.partitions`: partitions of `__transaction_state` (picks the
    /// transaction coordinator).
    pub transaction_state_log_num_partitions: Setting<u32>,
    /// `transaction.version`: the cluster's finalized transactions feature level (1: the
    /// classic protocol; 2: KIP-890, the default of a cluster created on Kafka 4.x).
    pub transaction_version: Setting<u32>,
}

/// A topic and its topic-level settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicConfig {
    pub name: String,
    /// Partition count (defaults to the broker's `num.partitions`).
    pub partitions: Setting<u32>,
    /// `replication.factor` (defaults to `default.replication.factor`).
    pub replication_factor: Setting<u32>,
    /// `min.insync.replicas` (defaults to the broker's).
    pub min_insync_replicas: Setting<u32>,
    /// `unclean.leader.election.enable` (defaults to the broker's).
    pub unclean_leader_election_enable: Setting<bool>,
    /// `segment.bytes` (defaults to `log.segment.bytes`).
    pub segment_bytes: Setting<u32>,
    /// `retention.ms` (`None`: -1; defaults to `log.retention.ms`).
    pub retention_ms: Setting<Option<u64>>,
    /// `retention.bytes` (`None`: -1; defaults to `log.retention.bytes`).
    pub retention_bytes: Setting<Option<u64>>,
}

/// What the simulated application produces: Kafka has no names for these (`sim.*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    /// `sim.produce.rate`: records per second the application sends.
    pub records_per_s: Setting<u32>,
    /// `sim.keys`: distinct keys (`key-0` ...); 0 makes every record keyless.
    pub keys: Setting<u32>,
    /// `sim.keyless.percent`: share of records sent with a null key.
    pub keyless_percent: Setting<u32>,
    /// `sim.value.bytes`: serialized value size.
    pub value_bytes: Setting<u32>,
    /// `sim.send.mode`: async (callbacks) or sync (`send().get()`).
    pub send_mode: Setting<SendMode>,
    /// `sim.value.kind`: what the values look like (decides how well they compress).
    pub value_kind: Setting<ValueKind>,
    /// `sim.headers`: headers on every record (`h0`, `h1`, ...).
    pub headers: Setting<u32>,
    /// `sim.header.bytes`: size of each header's value.
    pub header_bytes: Setting<u32>,
    /// `sim.partition`: the partition every record names explicitly (`None`: let the
    /// partitioner choose).
    pub explicit_partition: Setting<Option<u32>>,
    /// `sim.transaction.records`: a transactional application begins a transaction, sends
    /// this many records and commits (0: it begins and ends transactions only when told,
    /// by `Change::BeginTransaction` / `CommitTransaction` / `AbortTransaction`).
    pub transaction_records: Setting<u32>,
    /// `sim.transaction.abort.percent`: share of the application's transactions it aborts
    /// instead of committing (drawn from the seeded RNG).
    pub transaction_abort_percent: Setting<u32>,
}

/// One producer instance (`KafkaProducer`) and its application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerConfig {
    pub client_id: String,
    pub topic: String,
    pub acks: Setting<Acks>,
    pub enable_idempotence: Setting<bool>,
    pub linger_ms: Setting<u64>,
    pub batch_size: Setting<u32>,
    pub buffer_memory: Setting<u64>,
    pub max_block_ms: Setting<u64>,
    pub max_in_flight_requests_per_connection: Setting<u32>,
    pub retries: Setting<u32>,
    pub retry_backoff_ms: Setting<u64>,
    pub retry_backoff_max_ms: Setting<u64>,
    pub request_timeout_ms: Setting<u64>,
    pub delivery_timeout_ms: Setting<u64>,
    pub max_request_size: Setting<u32>,
    pub compression_type: Setting<CompressionType>,
    /// `compression.gzip.level` (-1: zlib's default, 6).
    pub compression_gzip_level: Setting<i32>,
    /// `compression.lz4.level`.
    pub compression_lz4_level: Setting<i32>,
    /// `compression.zstd.level`.
    pub compression_zstd_level: Setting<i32>,
    pub partitioner: Setting<PartitionerKind>,
    pub partitioner_ignore_keys: Setting<bool>,
    pub partitioner_adaptive_partitioning_enable: Setting<bool>,
    pub partitioner_availability_timeout_ms: Setting<u64>,
    /// `key.serializer` (short names for Kafka's classes).
    pub key_serializer: Setting<crate::producer::record::Serializer>,
    /// `value.serializer`.
    pub value_serializer: Setting<crate::producer::record::Serializer>,
    /// `transactional.id` (`None`: not transactional, Kafka's default null).
    pub transactional_id: Option<String>,
    /// `transaction.timeout.ms`: the coordinator aborts a transaction open longer.
    pub transaction_timeout_ms: Setting<u64>,
    pub workload: Workload,
}

impl ProducerConfig {
    /// The codec with the level its `compression.<codec>.level` gives.
    pub fn compression(&self) -> Compression {
        let level = match self.compression_type.value {
            CompressionType::Gzip => self.compression_gzip_level.value,
            CompressionType::Lz4 => self.compression_lz4_level.value,
            CompressionType::Zstd => self.compression_zstd_level.value,
            _ => 0,
        };
        Compression::with_level(self.compression_type.value, level)
            .unwrap_or(Compression::of(self.compression_type.value))
    }

    /// Whether the producer runs idempotent, by `ProducerConfig`'s rules: an explicit value
    /// wins (validation already refused the impossible combinations); unset, it is on unless
    /// acks is not `all` (or retries is 0, or more than 5 requests may be in flight).
    pub fn idempotence_effective(&self) -> bool {
        if self.enable_idempotence.explicit {
            return self.enable_idempotence.value;
        }
        self.acks.value == Acks::All
            && self.retries.value > 0
            && self.max_in_flight_requests_per_connection.value <= 5
    }
}

/// Consumer settings shared by the members of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerConfig {
    pub auto_offset_reset: Setting<OffsetReset>,
    pub enable_auto_commit: Setting<bool>,
    pub auto_commit_interval_ms: Setting<u64>,
    pub fetch_min_bytes: Setting<u32>,
    pub fetch_max_wait_ms: Setting<u64>,
    pub max_poll_records: Setting<u32>,
    pub max_partition_fetch_bytes: Setting<u32>,
    pub heartbeat_interval_ms: Setting<u64>,
    pub session_timeout_ms: Setting<u64>,
    /// `max.poll.interval.ms` (also the classic protocol's rebalance timeout).
    pub max_poll_interval_ms: Setting<u64>,
    /// `sim.consumer.processing`: application time spent per record, so lag can build.
    pub processing_us_per_record: Setting<u64>,
    /// `partition.assignment.strategy`.
    pub partition_assignment_strategy: Setting<StrategyList>,
    /// `sim.consumer.commit`: the application's own commits (`auto`: none, rely on
    /// `enable.auto.commit`; `sync`: commitSync() after each poll's records; `async`:
    /// commitAsync()).
    pub commit_mode: Setting<CommitMode>,
    /// `sim.static.members`: members get a `group.instance.id` (`<group.id>-instance-<n>`),
    /// making them static members (KIP-345). Kafka sets `group.instance.id` per consumer.
    pub static_members: Setting<bool>,
    /// `isolation.level`.
    pub isolation_level: Setting<IsolationLevel>,
}

/// A consumer group: its id, subscription and members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupConfig {
    pub group_id: String,
    pub topics: Vec<String>,
    /// `sim.consumers`: how many members the group starts with.
    pub consumers: Setting<u32>,
    pub consumer: ConsumerConfig,
}

/// What Kafka has no name for about the world itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    /// `sim.brokers`.
    pub brokers: Setting<u32>,
    /// `sim.network.latency`: one-way latency of every link.
    pub network_latency_us: Setting<u64>,
}

/// `sim.pipeline`: whether a consume-transform-produce pipeline runs (see `sim::pipeline`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum PipelineKind {
    None,
    /// Processors read the first topic, transform each record and write it to `output`.
    Ctp,
}

/// `processing.guarantee` (Kafka Streams' name and values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ProcessingGuarantee {
    /// Produce the output, flush, then commit the input offsets (Streams' default).
    AtLeastOnce,
    /// Each poll's output and input offsets in one transaction (KIP-447's exactly-once v2).
    ExactlyOnceV2,
}

impl ProcessingGuarantee {
    /// The other guarantee (what a side-by-side comparison runs).
    pub fn other(self) -> ProcessingGuarantee {
        match self {
            ProcessingGuarantee::AtLeastOnce => ProcessingGuarantee::ExactlyOnceV2,
            ProcessingGuarantee::ExactlyOnceV2 => ProcessingGuarantee::AtLeastOnce,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ProcessingGuarantee::AtLeastOnce => "at_least_once",
            ProcessingGuarantee::ExactlyOnceV2 => "exactly_once_v2",
        }
    }
}

/// The consume-transform-produce pipeline (`sim.pipeline`, `processing.guarantee`,
/// `sim.pipeline.processors`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelineConfig {
    pub kind: Setting<PipelineKind>,
    pub guarantee: Setting<ProcessingGuarantee>,
    /// Processor instances (members of the `ctp` group, one producer each).
    pub processors: Setting<u32>,
}

impl PipelineConfig {
    pub fn kafka_default() -> PipelineConfig {
        PipelineConfig {
            kind: Setting::default(PipelineKind::None),
            guarantee: Setting::default(ProcessingGuarantee::AtLeastOnce),
            processors: Setting::default(2),
        }
    }
}

/// The whole world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub sim: SimConfig,
    pub broker: BrokerConfig,
    pub topics: Vec<TopicConfig>,
    pub producers: Vec<ProducerConfig>,
    pub groups: Vec<GroupConfig>,
    pub pipeline: PipelineConfig,
}

/// A refused configuration: which field, what was wrong, what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The setting's name as the user gave it (Kafka's name, or `sim.*`).
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl ConfigError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl BrokerConfig {
    pub fn kafka_default() -> BrokerConfig {
        BrokerConfig {
            num_partitions: Setting::default(1),
            default_replication_factor: Setting::default(1),
            min_insync_replicas: Setting::default(1),
            replica_lag_time_max_ms: Setting::default(30_000),
            unclean_leader_election_enable: Setting::default(false),
            replica_fetch_wait_max_ms: Setting::default(500),
            group_initial_rebalance_delay_ms: Setting::default(3_000),
            offsets_topic_num_partitions: Setting::default(50),
            log_segment_bytes: Setting::default(1_073_741_824),
            log_retention_ms: Setting::default(Some(604_800_000)),
            log_retention_bytes: Setting::default(None),
            log_retention_check_interval_ms: Setting::default(300_000),
            transaction_state_log_num_partitions: Setting::default(50),
            transaction_version: Setting::default(2),
        }
    }
}

impl ConsumerConfig {
    pub fn kafka_default() -> ConsumerConfig {
        ConsumerConfig {
            auto_offset_reset: Setting::default(OffsetReset::Latest),
            enable_auto_commit: Setting::default(true),
            auto_commit_interval_ms: Setting::default(5_000),
            fetch_min_bytes: Setting::default(1),
            fetch_max_wait_ms: Setting::default(500),
            max_poll_records: Setting::default(500),
            max_partition_fetch_bytes: Setting::default(1_048_576),
            heartbeat_interval_ms: Setting::default(3_000),
            session_timeout_ms: Setting::default(45_000),
            max_poll_interval_ms: Setting::default(300_000),
            processing_us_per_record: Setting::default(0),
            partition_assignment_strategy: Setting::default(StrategyList::KAFKA_DEFAULT),
            static_members: Setting::default(false),
            isolation_level: Setting::default(IsolationLevel::ReadUncommitted),
            commit_mode: Setting::default(CommitMode::Auto),
        }
    }
}

impl ProducerConfig {
    pub fn kafka_default(client_id: &str, topic: &str) -> ProducerConfig {
        ProducerConfig {
            client_id: client_id.to_string(),
            topic: topic.to_string(),
            acks: Setting::default(Acks::All),
            enable_idempotence: Setting::default(true),
            linger_ms: Setting::default(5),
            batch_size: Setting::default(16_384),
            buffer_memory: Setting::default(33_554_432),
            max_block_ms: Setting::default(60_000),
            max_in_flight_requests_per_connection: Setting::default(5),
            retries: Setting::default(2_147_483_647),
            retry_backoff_ms: Setting::default(100),
            retry_backoff_max_ms: Setting::default(1_000),
            request_timeout_ms: Setting::default(30_000),
            delivery_timeout_ms: Setting::default(120_000),
            max_request_size: Setting::default(1_048_576),
            compression_type: Setting::default(CompressionType::None),
            compression_gzip_level: Setting::default(-1),
            compression_lz4_level: Setting::default(9),
            compression_zstd_level: Setting::default(3),
            partitioner: Setting::default(PartitionerKind::BuiltIn),
            partitioner_ignore_keys: Setting::default(false),
            partitioner_adaptive_partitioning_enable: Setting::default(true),
            partitioner_availability_timeout_ms: Setting::default(0),
            key_serializer: Setting::default(crate::producer::record::Serializer::String),
            value_serializer: Setting::default(crate::producer::record::Serializer::String),
            transactional_id: None,
            transaction_timeout_ms: Setting::default(60_000),
            workload: Workload {
                records_per_s: Setting::default(200),
                keys: Setting::default(6),
                keyless_percent: Setting::default(50),
                value_bytes: Setting::default(100),
                send_mode: Setting::default(SendMode::Async),
                value_kind: Setting::default(ValueKind::Json),
                headers: Setting::default(0),
                header_bytes: Setting::default(8),
                explicit_partition: Setting::default(None),
                transaction_records: Setting::default(10),
                transaction_abort_percent: Setting::default(0),
            },
        }
    }
}

impl Config {
    /// The teaching world shared by the page and `streamscope run`: brokers 0, 1, 2; topic
    /// `orders` with 6 partitions and replication factor 3; one producer; group `g1` with two
    /// consumers reading from the earliest offset; groups form without the initial rebalance
    /// delay. See [`PRESET_NOTES`].
    pub fn preset() -> Config {
        let mut broker = BrokerConfig::kafka_default();
        broker.num_partitions = Setting::default(6);
        broker.default_replication_factor = Setting::default(3);
        broker.group_initial_rebalance_delay_ms = Setting::default(0);
        let mut consumer = ConsumerConfig::kafka_default();
        consumer.auto_offset_reset = Setting::default(OffsetReset::Earliest);
        let mut c = Config {
            sim: SimConfig {
                brokers: Setting::default(3),
                network_latency_us: Setting::default(1_000),
            },
            broker,
            topics: vec![TopicConfig {
                name: "orders".to_string(),
                partitions: Setting::default(6),
                replication_factor: Setting::default(3),
                min_insync_replicas: Setting::default(1),
                unclean_leader_election_enable: Setting::default(false),
                segment_bytes: Setting::default(1_073_741_824),
                retention_ms: Setting::default(Some(604_800_000)),
                retention_bytes: Setting::default(None),
            }],
            producers: vec![ProducerConfig::kafka_default("producer-1", "orders")],
            groups: vec![GroupConfig {
                group_id: "g1".to_string(),
                topics: vec!["orders".to_string()],
                consumers: Setting::default(2),
                consumer,
            }],
            pipeline: PipelineConfig::kafka_default(),
        };
        c.inherit_topic_defaults();
        c
    }

    /// Topic settings not set explicitly follow the broker's defaults, as in Kafka.
    pub fn inherit_topic_defaults(&mut self) {
        for t in &mut self.topics {
            if !t.partitions.explicit {
                t.partitions.value = self.broker.num_partitions.value;
            }
            if !t.replication_factor.explicit {
                t.replication_factor.value = self.broker.default_replication_factor.value;
            }
            if !t.min_insync_replicas.explicit {
                t.min_insync_replicas.value = self.broker.min_insync_replicas.value;
            }
            if !t.unclean_leader_election_enable.explicit {
                t.unclean_leader_election_enable.value =
                    self.broker.unclean_leader_election_enable.value;
            }
            if !t.segment_bytes.explicit {
                t.segment_bytes.value = self.broker.log_segment_bytes.value;
            }
            if !t.retention_ms.explicit {
                t.retention_ms.value = self.broker.log_retention_ms.value;
            }
            if !t.retention_bytes.explicit {
                t.retention_bytes.value = self.broker.log_retention_bytes.value;
            }
        }
    }

    /// Apply `name=value` with Kafka's name (see [`settings::set`]); the config is unchanged
    /// when it fails. Call [`Config::validate`] once all settings are in.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let mut next = self.clone();
        settings::set(&mut next, name, value)?;
        next.inherit_topic_defaults();
        *self = next;
        Ok(())
    }

    /// Cross-field rules Kafka enforces (and the simulator's own limits).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let brokers = self.sim.brokers.value;
        if self.topics.is_empty() {
            return Err(ConfigError::new("topics", "at least one topic is needed"));
        }
        for t in &self.topics {
            let rf = t.replication_factor.value;
            if rf == 0 || rf > brokers {
                let name = if t.replication_factor.explicit {
                    "replication.factor"
                } else {
                    "default.replication.factor"
                };
                return Err(ConfigError::new(
                    name,
                    alloc::format!(
                        "{rf} for topic '{}' is out of range: must be between 1 and sim.brokers ({brokers}); Kafka refuses a replication factor larger than the number of brokers",
                        t.name
                    ),
                ));
            }
        }
        for p in &self.producers {
            if !self.topics.iter().any(|t| t.name == p.topic) {
                return Err(ConfigError::new(
                    "topic",
                    alloc::format!(
                        "producer '{}' writes to unknown topic '{}'",
                        p.client_id,
                        p.topic
                    ),
                ));
            }
            validate_producer(p)?;
            let parts = self
                .topics
                .iter()
                .find(|t| t.name == p.topic)
                .map_or(0, |t| t.partitions.value);
            if let Some(ep) = p.workload.explicit_partition.value {
                if ep >= parts {
                    return Err(ConfigError::new(
                        "sim.partition",
                        alloc::format!("{ep} is out of range: topic '{}' has partitions 0 to {} (or -1: let the partitioner choose)", p.topic, parts.saturating_sub(1)),
                    ));
                }
            }
        }
        for g in &self.groups {
            for t in &g.topics {
                if !self.topics.iter().any(|x| &x.name == t) {
                    return Err(ConfigError::new(
                        "group.topics",
                        alloc::format!("group '{}' subscribes to unknown topic '{t}'", g.group_id),
                    ));
                }
            }
            let c = &g.consumer;
            if c.heartbeat_interval_ms.value >= c.session_timeout_ms.value {
                return Err(ConfigError::new(
                    "heartbeat.interval.ms",
                    "must be lower than session.timeout.ms (Kafka's rule)",
                ));
            }
        }
        Ok(())
    }
}

/// `ProducerConfig`'s idempotence rules (`postProcessAndValidateIdempotenceConfigs`) and
/// `delivery.timeout.ms >= linger.ms + request.timeout.ms`.
fn validate_producer(p: &ProducerConfig) -> Result<(), ConfigError> {
    if p.enable_idempotence.explicit && p.enable_idempotence.value {
        if p.acks.value != Acks::All {
            return Err(ConfigError::new(
                "acks",
                alloc::format!(
                    "acks={} with enable.idempotence=true: Kafka requires acks=all for the idempotent producer (set acks=all, or leave enable.idempotence unset so it turns off)",
                    p.acks.value.name()
                ),
            ));
        }
        if p.max_in_flight_requests_per_connection.value > 5 {
            return Err(ConfigError::new(
                "max.in.flight.requests.per.connection",
                "must be at most 5 with enable.idempotence=true",
            ));
        }
        if p.retries.value == 0 {
            return Err(ConfigError::new(
                "retries",
                "must be greater than 0 with enable.idempotence=true",
            ));
        }
    }
    // Checked after the idempotence rules, as Kafka does: an unset enable.idempotence may have
    // turned off (acks, retries or max.in.flight), and a transactional producer needs it.
    if p.transactional_id.is_some() && !p.idempotence_effective() {
        let why = if p.enable_idempotence.explicit {
            String::from("enable.idempotence=false")
        } else if p.acks.value != Acks::All {
            alloc::format!("acks={} turned it off", p.acks.value.name())
        } else if p.retries.value == 0 {
            String::from("retries=0 turned it off")
        } else {
            String::from("max.in.flight.requests.per.connection > 5 turned it off")
        };
        return Err(ConfigError::new(
            "transactional.id",
            alloc::format!(
                "Cannot set a transactional.id without also enabling idempotence ({why}; a transactional producer needs acks=all)"
            ),
        ));
    }
    let need = p.linger_ms.value.saturating_add(p.request_timeout_ms.value);
    if p.delivery_timeout_ms.explicit && p.delivery_timeout_ms.value < need {
        return Err(ConfigError::new(
            "delivery.timeout.ms",
            alloc::format!("must be at least linger.ms + request.timeout.ms ({need})"),
        ));
    }
    Ok(())
}
