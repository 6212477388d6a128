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
//!
//! Every default comes from the settings registry's rows ([`settings::SETTINGS`]): a part of
//! the config (`ProducerConfig`, `BrokerConfig`, ...) is built as a bare shape (`Default`,
//! whose placeholder values are never read) and `kafka_default()` gives each field its row's
//! default. The preset's departures go through the registry too ([`PRESET_DEPARTURES`]).

mod assignment;
pub mod export;
pub mod settings;
mod validation;
mod values;

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

pub use assignment::{RebalanceProtocol, StrategyList, ASSIGNOR_CLASSES};
pub use settings::{Scope, SettingDef, SettingKind, SETTINGS};
pub use values::{
    Acks, CommitMode, IsolationLevel, OffsetReset, PartitionerKind, PipelineKind,
    ProcessingGuarantee, SendMode,
};

/// The Kafka release whose defaults and behaviour the simulator follows.
pub const KAFKA_VERSION: &str = "4.1";

/// Where the preset differs from Kafka's broker/client defaults, and why.
pub const PRESET_NOTES: &[&str] = &[
    "num.partitions=6 (Kafka's default is 1): enough partitions to see partitioning",
    "default.replication.factor=3 (Kafka's default is 1): replication is part of the lesson",
    "auto.offset.reset=earliest (Kafka's default is latest): consumers read from the start",
    "group.initial.rebalance.delay.ms=0 (Kafka's default is 3000): as in the server.properties Kafka ships for development",
];

/// The preset's departures from the registry's defaults, one per [`PRESET_NOTES`] line, stored
/// as defaults (not marked as set by the user).
pub const PRESET_DEPARTURES: [(&SettingDef, &str); 4] = [
    (&settings::broker::NUM_PARTITIONS, "6"),
    (&settings::broker::DEFAULT_REPLICATION_FACTOR, "3"),
    (&settings::consumer::AUTO_OFFSET_RESET, "earliest"),
    (&settings::broker::GROUP_INITIAL_REBALANCE_DELAY_MS, "0"),
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

/// A placeholder value for a config part's bare shape: never read, since the registry gives
/// every field its default (`kafka_default()`).
pub trait Blank {
    const BLANK: Self;
}

impl<T: Blank> Default for Setting<T> {
    fn default() -> Self {
        Setting {
            value: T::BLANK,
            explicit: false,
        }
    }
}

macro_rules! blank {
    ($($ty:ty = $v:expr),* $(,)?) => {
        $(impl Blank for $ty {
            const BLANK: Self = $v;
        })*
    };
}

blank!(
    u32 = 0,
    u64 = 0,
    i32 = 0,
    bool = false,
    Option<u32> = None,
    Option<u64> = None,
    Acks = Acks::None,
    PartitionerKind = PartitionerKind::BuiltIn,
    CompressionType = CompressionType::None,
    ValueKind = ValueKind::Json,
    crate::producer::record::Serializer = crate::producer::record::Serializer::String,
    SendMode = SendMode::Async,
    IsolationLevel = IsolationLevel::ReadUncommitted,
    OffsetReset = OffsetReset::Earliest,
    CommitMode = CommitMode::Auto,
    StrategyList = StrategyList::KAFKA_DEFAULT,
    PipelineKind = PipelineKind::None,
    ProcessingGuarantee = ProcessingGuarantee::AtLeastOnce,
);

pub use crate::compression::payload::ValueKind;
pub use crate::compression::{Compression, CompressionType};

/// Broker-wide settings (and the `log.`/`default.` defaults of topic settings).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupConfig {
    pub group_id: String,
    pub topics: Vec<String>,
    /// `sim.consumers`: how many members the group starts with.
    pub consumers: Setting<u32>,
    pub consumer: ConsumerConfig,
}

/// What Kafka has no name for about the world itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimConfig {
    /// `sim.brokers`.
    pub brokers: Setting<u32>,
    /// `sim.network.latency`: one-way latency of every link.
    pub network_latency_us: Setting<u64>,
}

/// The consume-transform-produce pipeline (`sim.pipeline`, `processing.guarantee`,
/// `sim.pipeline.processors`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PipelineConfig {
    pub kind: Setting<PipelineKind>,
    pub guarantee: Setting<ProcessingGuarantee>,
    /// Processor instances (members of the `ctp` group, one producer each).
    pub processors: Setting<u32>,
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
    /// Kafka's broker defaults (the registry's).
    pub fn kafka_default() -> BrokerConfig {
        let mut b = BrokerConfig::default();
        settings::apply_defaults(&mut b);
        b
    }
}

impl ConsumerConfig {
    /// Kafka's consumer defaults, and the simulator's for the consumer application.
    pub fn kafka_default() -> ConsumerConfig {
        let mut c = ConsumerConfig::default();
        settings::apply_defaults(&mut c);
        c
    }
}

impl ProducerConfig {
    /// Kafka's producer defaults, and the simulator's for its application.
    pub fn kafka_default(client_id: &str, topic: &str) -> ProducerConfig {
        let mut p = ProducerConfig {
            client_id: client_id.to_string(),
            topic: topic.to_string(),
            ..ProducerConfig::default()
        };
        settings::apply_defaults(&mut p);
        settings::apply_defaults(&mut p.workload);
        p
    }
}

impl PipelineConfig {
    /// No pipeline; its settings at their defaults.
    pub fn kafka_default() -> PipelineConfig {
        let mut p = PipelineConfig::default();
        settings::apply_defaults(&mut p);
        p
    }
}

impl Config {
    /// The preset's world (brokers 0, 1, 2; topic `orders`; producer `producer-1`; group
    /// `g1` subscribed to `orders`) with every setting at its registry default: Kafka's, and
    /// the preset's for `sim.*`.
    pub fn kafka_default() -> Config {
        let topic = "orders";
        let mut sim = SimConfig::default();
        settings::apply_defaults(&mut sim);
        let mut orders = TopicConfig {
            name: topic.to_string(),
            ..TopicConfig::default()
        };
        settings::apply_defaults(&mut orders);
        let mut g1 = GroupConfig {
            group_id: "g1".to_string(),
            topics: vec![topic.to_string()],
            consumer: ConsumerConfig::kafka_default(),
            ..GroupConfig::default()
        };
        settings::apply_defaults(&mut g1);
        let mut c = Config {
            sim,
            broker: BrokerConfig::kafka_default(),
            topics: vec![orders],
            producers: vec![ProducerConfig::kafka_default("producer-1", topic)],
            groups: vec![g1],
            pipeline: PipelineConfig::kafka_default(),
        };
        c.inherit_topic_defaults();
        c
    }

    /// The teaching world shared by the page and `streamscope run`: brokers 0, 1, 2; topic
    /// `orders` with 6 partitions and replication factor 3; one producer; group `g1` with two
    /// consumers reading from the earliest offset; groups form without the initial rebalance
    /// delay. See [`PRESET_NOTES`]; the departures are [`PRESET_DEPARTURES`].
    pub fn preset() -> Config {
        let mut c = Config::kafka_default();
        for (def, value) in PRESET_DEPARTURES {
            let stored = settings::set_unmarked(&mut c, def, value);
            debug_assert!(
                stored.is_ok(),
                "the preset's {}={value} is refused",
                def.name
            );
        }
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
}
