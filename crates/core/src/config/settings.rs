//! The registry of every setting the simulator understands, under Kafka's own config names.
//!
//! Naming rule: a bare name applies to every kind of thing that has it (`min.insync.replicas`
//! sets the broker default and every topic); a prefix narrows it (`producer.`, `consumer.`,
//! `topic.`, `broker.`). Where Kafka takes a class name a short value stands for it
//! (`partitioner.class=builtin|round-robin|legacy-sticky`). What Kafka has no name for is
//! `sim.*`. Durations: Kafka's `*.ms` settings take a bare integer of milliseconds; every
//! duration also takes an integer with a unit: `us`, `ms`, `s` or `m`.

use super::{
    Acks, CommitMode, CompressionType, Config, ConfigError, OffsetReset, PartitionerKind, SendMode,
    ValueKind,
};
use alloc::format;
use alloc::string::String;

/// Which kind of thing a setting belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Broker,
    Topic,
    Producer,
    Consumer,
    Sim,
}

impl Scope {
    pub fn prefix(self) -> &'static str {
        match self {
            Scope::Broker => "broker.",
            Scope::Topic => "topic.",
            Scope::Producer => "producer.",
            Scope::Consumer => "consumer.",
            Scope::Sim => "sim.",
        }
    }
}

/// A setting's type and allowed range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingKind {
    /// An integer in `min..=max`.
    Int {
        min: i64,
        max: i64,
    },
    /// A duration whose bare integer is in `unit_us` units; allowed `min_us..=max_us`, and
    /// `-1` (no limit, Kafka's convention for retention) when `unlimited`.
    Duration {
        unit_us: u64,
        min_us: u64,
        max_us: u64,
        unlimited: bool,
    },
    Bool,
    /// One of the listed values.
    Enum(&'static [&'static str]),
    /// A comma list of assignors (short names or Kafka class names), most preferred first.
    AssignorList,
    /// Free text (`transactional.id`; empty: unset).
    Text,
}

/// One row of the registry.
#[derive(Clone, Copy, Debug)]
pub struct SettingDef {
    pub name: &'static str,
    pub scope: Scope,
    pub kind: SettingKind,
    /// The default as Kafka (or the preset, for `sim.*`) has it.
    pub default: &'static str,
    pub doc: &'static str,
}

const MS: u64 = 1_000;
const fn int(min: i64, max: i64) -> SettingKind {
    SettingKind::Int { min, max }
}
const fn ms_range(min_ms: u64, max_ms: u64) -> SettingKind {
    SettingKind::Duration {
        unit_us: MS,
        min_us: min_ms * MS,
        max_us: max_ms * MS,
        unlimited: false,
    }
}
/// A `*.ms` retention duration: `min_ms` or more, or -1 for no limit (capped at
/// `i64::MAX` microseconds, about 292,000 years).
const fn ms_or_unlimited(min_ms: u64) -> SettingKind {
    SettingKind::Duration {
        unit_us: MS,
        min_us: min_ms * MS,
        max_us: i64::MAX as u64,
        unlimited: true,
    }
}
const I64_MAX: i64 = i64::MAX;
const I32_MAX: i64 = i32::MAX as i64;
/// Longest duration the simulator accepts (a day) — longer ones would never fire in a run.
const DAY_MS: u64 = 86_400_000;

macro_rules! def {
    ($name:expr, $scope:ident, $kind:expr, $default:expr, $doc:expr) => {
        SettingDef {
            name: $name,
            scope: Scope::$scope,
            kind: $kind,
            default: $default,
            doc: $doc,
        }
    };
}

/// Every setting, in the order `streamscope run --help` lists them.
pub const SETTINGS: &[SettingDef] = &[
    // Producer (ProducerConfig, Kafka 4.1 defaults).
    def!("acks", Producer, SettingKind::Enum(&["0", "1", "all", "-1"]), "all", "Replicas that must have a record before it is acknowledged."),
    def!("enable.idempotence", Producer, SettingKind::Bool, "true", "Producer id + sequence numbers; brokers drop duplicates. Unset, it turns off when acks is not all."),
    def!("linger.ms", Producer, ms_range(0, DAY_MS), "5", "How long a batch waits for more records (4.0 default: 5)."),
    def!("batch.size", Producer, int(0, I32_MAX), "16384", "Bytes per partition batch."),
    def!("buffer.memory", Producer, int(0, 1 << 40), "33554432", "Bytes the accumulator may hold."),
    def!("max.block.ms", Producer, ms_range(0, DAY_MS), "60000", "How long send() blocks when buffer.memory is exhausted."),
    def!("max.in.flight.requests.per.connection", Producer, int(1, 1000), "5", "Unacknowledged requests per broker connection."),
    def!("retries", Producer, int(0, I32_MAX), "2147483647", "Retries of a failed batch (bounded by delivery.timeout.ms)."),
    def!("retry.backoff.ms", Producer, ms_range(0, DAY_MS), "100", "First retry backoff (exponential since 3.7)."),
    def!("retry.backoff.max.ms", Producer, ms_range(0, DAY_MS), "1000", "Retry backoff cap."),
    def!("request.timeout.ms", Producer, ms_range(0, DAY_MS), "30000", "How long the producer waits for a response."),
    def!("delivery.timeout.ms", Producer, ms_range(0, DAY_MS), "120000", "Upper bound from send() to success or failure."),
    def!("max.request.size", Producer, int(1, I32_MAX), "1048576", "Largest produce request."),
    def!("compression.type", Producer, SettingKind::Enum(&["none", "gzip", "snappy", "lz4", "zstd"]), "none", "Batch compression codec, applied to the real batch bytes."),
    def!("compression.gzip.level", Producer, int(-1, 9), "-1", "gzip level (1-9; -1: zlib's default, 6; 0 is refused as in Kafka)."),
    def!("compression.lz4.level", Producer, int(1, 17), "9", "lz4 level (Kafka: 9 is liblz4's fast compressor, others LZ4 HC; the simulator runs the fast one at every level)."),
    def!("compression.zstd.level", Producer, int(-131_072, 22), "3", "zstd level."),
    def!("partitioner.class", Producer, SettingKind::Enum(&["builtin", "round-robin", "legacy-sticky"]), "builtin", "builtin: Kafka 3.3+ default; round-robin: RoundRobinPartitioner; legacy-sticky: the 2.4-3.2 default."),
    def!("partitioner.ignore.keys", Producer, SettingKind::Bool, "false", "Built-in partitioner ignores keys (keyed records go sticky)."),
    def!("partitioner.adaptive.partitioning.enable", Producer, SettingKind::Bool, "true", "Built-in partitioner favours partitions with shorter queues."),
    def!("partitioner.availability.timeout.ms", Producer, ms_range(0, DAY_MS), "0", "Skip partitions whose leader is not ready for this long (0 = off)."),
    def!("key.serializer", Producer, SettingKind::Enum(crate::producer::record::Serializer::NAMES), "string", "string|integer|long|json|bytes: Kafka's StringSerializer, IntegerSerializer, ... (the bytes decide the partition)."),
    def!("transactional.id", Producer, SettingKind::Text, "", "Makes the producer transactional (implies enable.idempotence and acks=all); its coordinator is partition abs(hashCode) % transaction.state.log.num.partitions of __transaction_state. Empty: none."),
    def!("transaction.timeout.ms", Producer, ms_range(1, 900_000), "60000", "The coordinator aborts a transaction open longer than this (at most the broker's transaction.max.timeout.ms, 900000)."),
    def!("value.serializer", Producer, SettingKind::Enum(crate::producer::record::Serializer::NAMES), "string", "How values become bytes (integer: 4 bytes, long: 8)."),
    // Consumer (ConsumerConfig).
    def!("auto.offset.reset", Consumer, SettingKind::Enum(&["earliest", "latest", "none"]), "latest", "Where to start without a committed offset (preset: earliest)."),
    def!("enable.auto.commit", Consumer, SettingKind::Bool, "true", "Commit positions in the background."),
    def!("auto.commit.interval.ms", Consumer, ms_range(0, DAY_MS), "5000", "Auto-commit period."),
    def!("fetch.min.bytes", Consumer, int(0, I32_MAX), "1", "Bytes a fetch waits for."),
    def!("fetch.max.wait.ms", Consumer, ms_range(0, DAY_MS), "500", "Longest a fetch waits for fetch.min.bytes."),
    def!("max.poll.records", Consumer, int(1, I32_MAX), "500", "Records one poll() returns at most."),
    def!("max.partition.fetch.bytes", Consumer, int(0, I32_MAX), "1048576", "Bytes per partition per fetch."),
    def!("heartbeat.interval.ms", Consumer, ms_range(1, DAY_MS), "3000", "Heartbeat period to the group coordinator."),
    def!("session.timeout.ms", Consumer, ms_range(1, DAY_MS), "45000", "A member silent this long is removed."),
    def!("max.poll.interval.ms", Consumer, ms_range(1, DAY_MS), "300000", "Longest gap between polls; also the rebalance timeout."),
    def!("isolation.level", Consumer, SettingKind::Enum(&["read_uncommitted", "read_committed"]), "read_uncommitted", "read_committed: fetch only below the last stable offset and drop records of aborted transactions."),
    def!("partition.assignment.strategy", Consumer, SettingKind::AssignorList, "range,cooperative-sticky", "Assignors in order of preference; the group votes (Kafka 4 default: RangeAssignor, CooperativeStickyAssignor, so Range). Only cooperative-sticky alone rebalances cooperatively."),
    // Broker (and topic defaults).
    def!("num.partitions", Broker, int(1, 1024), "1", "Partitions of a topic created without a count (preset: 6)."),
    def!("default.replication.factor", Broker, int(1, 16), "1", "Replication factor of a topic created without one (preset: 3)."),
    def!("replication.factor", Topic, int(1, 16), "default.replication.factor", "Replicas per partition."),
    def!("min.insync.replicas", Broker, int(1, 16), "1", "ISR size acks=all needs (broker default)."),
    def!("min.insync.replicas", Topic, int(1, 16), "min.insync.replicas", "ISR size acks=all needs (topic)."),
    def!("unclean.leader.election.enable", Broker, SettingKind::Bool, "false", "Let an out-of-sync replica lead when no ISR member is alive (loses acknowledged records)."),
    def!("unclean.leader.election.enable", Topic, SettingKind::Bool, "unclean.leader.election.enable", "Unclean election for this topic."),
    def!("replica.lag.time.max.ms", Broker, ms_range(1, DAY_MS), "30000", "A follower not caught up this long leaves the ISR."),
    def!("log.segment.bytes", Broker, int(1_048_576, I32_MAX), "1073741824", "Size at which a partition's active log segment rolls (broker default; at least 1 MiB since Kafka 4.0)."),
    def!("segment.bytes", Topic, int(1_048_576, I32_MAX), "log.segment.bytes", "Size at which the topic's active log segment rolls."),
    def!("log.retention.ms", Broker, ms_or_unlimited(0), "604800000", "Delete a closed segment once its newest record is this old (broker default; -1: no time limit)."),
    def!("retention.ms", Topic, ms_or_unlimited(0), "log.retention.ms", "Time retention for the topic (-1: no limit)."),
    def!("log.retention.bytes", Broker, int(-1, I64_MAX), "-1", "Delete the oldest segments while a partition's log exceeds this by a segment (broker default; -1: no size limit)."),
    def!("retention.bytes", Topic, int(-1, I64_MAX), "log.retention.bytes", "Size retention per partition for the topic (-1: no limit)."),
    def!("log.retention.check.interval.ms", Broker, ms_range(1, DAY_MS), "300000", "How often every broker applies retention to its logs."),
    def!("replica.fetch.wait.max.ms", Broker, ms_range(0, DAY_MS), "500", "Longest a follower fetch waits at the leader."),
    def!("group.initial.rebalance.delay.ms", Broker, ms_range(0, DAY_MS), "3000", "An empty group waits this long before its first rebalance."),
    def!("offsets.topic.num.partitions", Broker, int(1, 1000), "50", "Partitions of __consumer_offsets (picks the group coordinator)."),
    def!("transaction.state.log.num.partitions", Broker, int(1, 1000), "50", "Partitions of __transaction_state (picks the transaction coordinator)."),
    def!("transaction.version", Broker, int(1, 2), "2", "The transactions feature level (kafka-features): 1 = classic (AddPartitionsToTxn per new partition), 2 = KIP-890 (partitions added by the produce itself, epoch bumped at every transaction end)."),
    // Simulator (no Kafka name).
    def!("sim.brokers", Sim, int(1, 16), "3", "Brokers in the cluster (ids 0..n-1)."),
    def!("sim.consumers", Sim, int(0, 64), "2", "Members of each consumer group at start."),
    def!("sim.produce.rate", Sim, int(0, 10_000_000), "200", "Records per second the application sends."),
    def!("sim.keys", Sim, int(0, 1_000_000), "6", "Distinct keys (key-0, key-1, ...); 0 = all keyless."),
    def!("sim.keyless.percent", Sim, int(0, 100), "50", "Share of records sent with a null key."),
    def!("sim.value.bytes", Sim, int(0, 1_048_576), "100", "Serialized value size in bytes."),
    def!("sim.value.kind", Sim, SettingKind::Enum(&["json", "text", "letters", "random"]), "json", "What values look like: json orders, text, A-Z letters (like kafka-producer-perf-test), random bytes."),
    def!("sim.headers", Sim, int(0, 32), "0", "Headers on every record (h0, h1, ...)."),
    def!("sim.header.bytes", Sim, int(0, 65_535), "8", "Size of each header value in bytes."),
    def!("sim.partition", Sim, int(-1, 1023), "-1", "Partition every record names explicitly (-1: the partitioner chooses)."),
    def!("sim.send.mode", Sim, SettingKind::Enum(&["async", "sync"]), "async", "async: send() with a callback; sync: send().get() per record."),
    def!("sim.network.latency", Sim, SettingKind::Duration { unit_us: 1, min_us: 1, max_us: 10_000_000, unlimited: false }, "1ms", "One-way latency of every network link."),
    def!("sim.consumer.processing", Sim, SettingKind::Duration { unit_us: 1, min_us: 0, max_us: 10_000_000, unlimited: false }, "0us", "Application time per consumed record (lets lag build up)."),
    def!("sim.transaction.records", Sim, int(0, 1_000_000), "10", "A transactional application's records per transaction (begin, send N, commit); 0: transactions only when the page begins and ends them."),
    def!("sim.transaction.abort.percent", Sim, int(0, 100), "0", "Share of its transactions the application aborts instead of committing."),
    def!("sim.consumer.commit", Sim, SettingKind::Enum(&["auto", "sync", "async"]), "auto", "What the consumer application calls after processing a poll's records: auto (nothing; enable.auto.commit commits), sync (commitSync(): the loop waits for the response), async (commitAsync(): no wait, no retry)."),
    def!("sim.pipeline", Sim, SettingKind::Enum(&["none", "ctp"]), "none", "ctp: a consume-transform-produce pipeline: processors (group ctp) read the first topic and write each record to topic output; a read_committed verifier (group verifier) reads output."),
    def!("processing.guarantee", Sim, SettingKind::Enum(&["at_least_once", "exactly_once_v2"]), "at_least_once", "Kafka Streams' setting for the pipeline: at_least_once (produce, flush, then commit offsets: a crash in between repeats work) or exactly_once_v2 (each poll's output and offsets in one transaction, KIP-447)."),
    def!("sim.pipeline.processors", Sim, int(1, 16), "2", "Processor instances of the pipeline."),
    def!("sim.static.members", Sim, SettingKind::Bool, "false", "Give every member a group.instance.id (<group.id>-instance-<n>): static membership, KIP-345."),
];

/// The registry rows for `name` (a name can exist on several scopes).
pub fn lookup(name: &str) -> impl Iterator<Item = &'static SettingDef> + '_ {
    SETTINGS.iter().filter(move |d| d.name == name)
}

/// A parsed value, before it is stored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    /// Microseconds.
    Duration(u64),
    Bool(bool),
    Enum(&'static str),
    /// `-1` for a duration that allows it: no limit.
    Unlimited,
    Assignors(super::StrategyList),
}

fn allowed(kind: SettingKind) -> String {
    match kind {
        SettingKind::Int { min, max } => format!("an integer from {min} to {max}"),
        SettingKind::Duration {
            unit_us,
            min_us,
            max_us,
            unlimited,
        } => {
            let unit = if unit_us == MS { "ms" } else { "us" };
            let or = if unlimited {
                ", or -1 for no limit"
            } else {
                ""
            };
            format!(
                "a duration from {} to {} (an integer in {unit}, or with a unit: us, ms, s, m){or}",
                fmt_us(min_us),
                fmt_us(max_us)
            )
        }
        SettingKind::Bool => String::from("true or false"),
        SettingKind::Enum(vals) => format!("one of {}", vals.join(", ")),
        SettingKind::AssignorList => String::from(
            "a comma list of range, roundrobin, sticky, cooperative-sticky (or Kafka's class names)",
        ),
        SettingKind::Text => String::from("text"),
    }
}

fn fmt_us(us: u64) -> String {
    if us.is_multiple_of(1_000_000) && us > 0 {
        format!("{}s", us / 1_000_000)
    } else if us.is_multiple_of(1_000) && us > 0 {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}

/// Parse `raw` for a setting; the error names the setting and what is allowed.
pub fn parse(def: &SettingDef, raw: &str) -> Result<Value, ConfigError> {
    let raw = raw.trim();
    let bad = || {
        ConfigError::new(
            def.name,
            format!("'{raw}' is not valid: expected {}", allowed(def.kind)),
        )
    };
    match def.kind {
        SettingKind::Int { min, max } => {
            let v: i64 = raw.parse().map_err(|_| bad())?;
            if v < min || v > max {
                return Err(ConfigError::new(
                    def.name,
                    format!("{v} is out of range: expected {}", allowed(def.kind)),
                ));
            }
            Ok(Value::Int(v))
        }
        SettingKind::Duration {
            unit_us,
            min_us,
            max_us,
            unlimited,
        } => {
            if unlimited && raw == "-1" {
                return Ok(Value::Unlimited);
            }
            let (digits, mult) = split_unit(raw, unit_us).ok_or_else(bad)?;
            let neg = digits.starts_with('-');
            let n: u64 = digits.trim_start_matches('-').parse().map_err(|_| bad())?;
            if neg && n != 0 {
                return Err(ConfigError::new(
                    def.name,
                    format!("{raw} is out of range: expected {}", allowed(def.kind)),
                ));
            }
            let us = n.checked_mul(mult).ok_or_else(bad)?;
            if us < min_us || us > max_us {
                return Err(ConfigError::new(
                    def.name,
                    format!("{raw} is out of range: expected {}", allowed(def.kind)),
                ));
            }
            Ok(Value::Duration(us))
        }
        SettingKind::Bool => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(bad()),
        },
        SettingKind::Enum(vals) => vals
            .iter()
            .find(|v| **v == raw)
            .map(|v| Value::Enum(v))
            .ok_or_else(bad),
        SettingKind::AssignorList => super::StrategyList::parse(raw)
            .map(Value::Assignors)
            .map_err(|m| ConfigError::new(def.name, m)),
        // Text is stored by `set` itself (a `Value` is `Copy`).
        SettingKind::Text => Ok(Value::Enum("")),
    }
}

fn split_unit(raw: &str, bare_unit_us: u64) -> Option<(&str, u64)> {
    for (suffix, mult) in [
        ("us", 1u64),
        ("ms", 1_000),
        ("s", 1_000_000),
        ("m", 60_000_000),
    ] {
        if let Some(d) = raw.strip_suffix(suffix) {
            // "ms" also ends with "s": try the longer suffixes first (the order above).
            if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                return Some((d, mult));
            }
        }
    }
    if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return Some((raw, bare_unit_us));
    }
    None
}

/// Apply `name=value` to the config by the naming rule above.
pub fn set(cfg: &mut Config, name: &str, raw: &str) -> Result<(), ConfigError> {
    let name = name.trim();
    if name.strip_prefix("producer.").unwrap_or(name) == "transactional.id" {
        let id = raw.trim();
        if id.chars().count() > 249 {
            return Err(ConfigError::new(
                "transactional.id",
                "is too long: at most 249 characters (as a topic name)",
            ));
        }
        for p in &mut cfg.producers {
            p.transactional_id = (!id.is_empty()).then(|| String::from(id));
        }
        return Ok(());
    }
    let mut hit = false;
    for def in lookup(name) {
        let v = parse(def, raw)?;
        store(cfg, def, v)?;
        hit = true;
    }
    if hit {
        return Ok(());
    }
    for scope in [
        Scope::Producer,
        Scope::Consumer,
        Scope::Topic,
        Scope::Broker,
    ] {
        if let Some(rest) = name.strip_prefix(scope.prefix()) {
            if let Some(def) = lookup(rest).find(|d| d.scope == scope) {
                let v = parse(def, raw)?;
                return store(cfg, def, v);
            }
        }
    }
    Err(ConfigError::new(
        name,
        "unknown setting: see `streamscope run --help` for the list (Kafka's config names, with sim.* for what Kafka has no name for)",
    ))
}

fn int_u32(v: Value) -> u32 {
    match v {
        Value::Int(i) => i.clamp(0, u32::MAX as i64) as u32,
        _ => 0,
    }
}
fn int_i32(v: Value) -> i32 {
    match v {
        Value::Int(i) => i.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
        _ => 0,
    }
}
fn int_u64(v: Value) -> u64 {
    match v {
        Value::Int(i) => i.max(0) as u64,
        _ => 0,
    }
}
/// Durations are stored in Kafka's unit (ms) for `*.ms` settings; sub-millisecond values
/// are refused for those since Kafka cannot express them.
fn dur_ms(def: &SettingDef, v: Value) -> Result<u64, ConfigError> {
    match v {
        Value::Duration(us) if us.is_multiple_of(MS) => Ok(us / MS),
        Value::Duration(_) => Err(ConfigError::new(
            def.name,
            "must be a whole number of milliseconds (Kafka's unit for this setting)",
        )),
        _ => Ok(0),
    }
}
/// A retention time in ms (`None`: -1, no limit).
fn opt_ms(def: &SettingDef, v: Value) -> Result<Option<u64>, ConfigError> {
    match v {
        Value::Unlimited => Ok(None),
        v => dur_ms(def, v).map(Some),
    }
}
/// A retention size in bytes (`None`: negative, no limit).
fn opt_bytes(v: Value) -> Option<u64> {
    match v {
        Value::Int(i) if i >= 0 => Some(i as u64),
        _ => None,
    }
}
fn dur_us(v: Value) -> u64 {
    match v {
        Value::Duration(us) => us,
        _ => 0,
    }
}
fn boolean(v: Value) -> bool {
    matches!(v, Value::Bool(true))
}
fn enum_str(v: Value) -> &'static str {
    match v {
        Value::Enum(s) => s,
        _ => "",
    }
}

fn serializer(v: Value) -> crate::producer::record::Serializer {
    crate::producer::record::Serializer::from_name(enum_str(v))
        .unwrap_or(crate::producer::record::Serializer::String)
}

fn store(cfg: &mut Config, def: &SettingDef, v: Value) -> Result<(), ConfigError> {
    match def.scope {
        Scope::Producer => {
            for p in &mut cfg.producers {
                match def.name {
                    "acks" => p.acks.set(match enum_str(v) {
                        "0" => Acks::None,
                        "1" => Acks::Leader,
                        _ => Acks::All,
                    }),
                    "enable.idempotence" => p.enable_idempotence.set(boolean(v)),
                    "linger.ms" => p.linger_ms.set(dur_ms(def, v)?),
                    "batch.size" => p.batch_size.set(int_u32(v)),
                    "buffer.memory" => p.buffer_memory.set(int_u64(v)),
                    "max.block.ms" => p.max_block_ms.set(dur_ms(def, v)?),
                    "max.in.flight.requests.per.connection" => {
                        p.max_in_flight_requests_per_connection.set(int_u32(v))
                    }
                    "retries" => p.retries.set(int_u32(v)),
                    "retry.backoff.ms" => p.retry_backoff_ms.set(dur_ms(def, v)?),
                    "retry.backoff.max.ms" => p.retry_backoff_max_ms.set(dur_ms(def, v)?),
                    "request.timeout.ms" => p.request_timeout_ms.set(dur_ms(def, v)?),
                    "delivery.timeout.ms" => p.delivery_timeout_ms.set(dur_ms(def, v)?),
                    "max.request.size" => p.max_request_size.set(int_u32(v)),
                    "compression.type" => p.compression_type.set(
                        CompressionType::from_name(enum_str(v)).unwrap_or(CompressionType::None),
                    ),
                    "compression.gzip.level" => {
                        let l = int_i32(v);
                        if l == 0 {
                            return Err(ConfigError::new(def.name, "0 is out of range: expected -1 (zlib's default) or 1 to 9 (Kafka refuses 0)"));
                        }
                        p.compression_gzip_level.set(l)
                    }
                    "compression.lz4.level" => p.compression_lz4_level.set(int_i32(v)),
                    "compression.zstd.level" => p.compression_zstd_level.set(int_i32(v)),
                    "partitioner.class" => p.partitioner.set(match enum_str(v) {
                        "round-robin" => PartitionerKind::RoundRobin,
                        "legacy-sticky" => PartitionerKind::LegacySticky,
                        _ => PartitionerKind::BuiltIn,
                    }),
                    "partitioner.ignore.keys" => p.partitioner_ignore_keys.set(boolean(v)),
                    "partitioner.adaptive.partitioning.enable" => {
                        p.partitioner_adaptive_partitioning_enable.set(boolean(v))
                    }
                    "partitioner.availability.timeout.ms" => {
                        p.partitioner_availability_timeout_ms.set(dur_ms(def, v)?)
                    }
                    "transaction.timeout.ms" => p.transaction_timeout_ms.set(dur_ms(def, v)?),
                    "key.serializer" => p.key_serializer.set(serializer(v)),
                    "value.serializer" => p.value_serializer.set(serializer(v)),
                    _ => {}
                }
            }
        }
        Scope::Consumer => {
            for g in &mut cfg.groups {
                let c = &mut g.consumer;
                match def.name {
                    "auto.offset.reset" => c.auto_offset_reset.set(match enum_str(v) {
                        "earliest" => OffsetReset::Earliest,
                        "none" => OffsetReset::None,
                        _ => OffsetReset::Latest,
                    }),
                    "enable.auto.commit" => c.enable_auto_commit.set(boolean(v)),
                    "auto.commit.interval.ms" => c.auto_commit_interval_ms.set(dur_ms(def, v)?),
                    "fetch.min.bytes" => c.fetch_min_bytes.set(int_u32(v)),
                    "fetch.max.wait.ms" => c.fetch_max_wait_ms.set(dur_ms(def, v)?),
                    "max.poll.records" => c.max_poll_records.set(int_u32(v)),
                    "max.partition.fetch.bytes" => c.max_partition_fetch_bytes.set(int_u32(v)),
                    "heartbeat.interval.ms" => c.heartbeat_interval_ms.set(dur_ms(def, v)?),
                    "session.timeout.ms" => c.session_timeout_ms.set(dur_ms(def, v)?),
                    "max.poll.interval.ms" => c.max_poll_interval_ms.set(dur_ms(def, v)?),
                    "isolation.level" => {
                        c.isolation_level.set(if enum_str(v) == "read_committed" {
                            super::IsolationLevel::ReadCommitted
                        } else {
                            super::IsolationLevel::ReadUncommitted
                        })
                    }
                    "partition.assignment.strategy" => {
                        if let Value::Assignors(list) = v {
                            c.partition_assignment_strategy.set(list)
                        }
                    }
                    _ => {}
                }
            }
        }
        Scope::Broker => {
            let b = &mut cfg.broker;
            match def.name {
                "num.partitions" => b.num_partitions.set(int_u32(v)),
                "default.replication.factor" => b.default_replication_factor.set(int_u32(v)),
                "min.insync.replicas" => b.min_insync_replicas.set(int_u32(v)),
                "replica.lag.time.max.ms" => b.replica_lag_time_max_ms.set(dur_ms(def, v)?),
                "unclean.leader.election.enable" => {
                    b.unclean_leader_election_enable.set(boolean(v))
                }
                "replica.fetch.wait.max.ms" => b.replica_fetch_wait_max_ms.set(dur_ms(def, v)?),
                "group.initial.rebalance.delay.ms" => {
                    b.group_initial_rebalance_delay_ms.set(dur_ms(def, v)?)
                }
                "offsets.topic.num.partitions" => b.offsets_topic_num_partitions.set(int_u32(v)),
                "log.segment.bytes" => b.log_segment_bytes.set(int_u32(v)),
                "log.retention.ms" => b.log_retention_ms.set(opt_ms(def, v)?),
                "log.retention.bytes" => b.log_retention_bytes.set(opt_bytes(v)),
                "log.retention.check.interval.ms" => {
                    b.log_retention_check_interval_ms.set(dur_ms(def, v)?)
                }
                "transaction.state.log.num.partitions" => {
                    b.transaction_state_log_num_partitions.set(int_u32(v))
                }
                "transaction.version" => b.transaction_version.set(int_u32(v)),
                _ => {}
            }
        }
        Scope::Topic => {
            for t in &mut cfg.topics {
                match def.name {
                    "replication.factor" => t.replication_factor.set(int_u32(v)),
                    "min.insync.replicas" => t.min_insync_replicas.set(int_u32(v)),
                    "unclean.leader.election.enable" => {
                        t.unclean_leader_election_enable.set(boolean(v))
                    }
                    "segment.bytes" => t.segment_bytes.set(int_u32(v)),
                    "retention.ms" => t.retention_ms.set(opt_ms(def, v)?),
                    "retention.bytes" => t.retention_bytes.set(opt_bytes(v)),
                    _ => {}
                }
            }
        }
        Scope::Sim => match def.name {
            "sim.brokers" => cfg.sim.brokers.set(int_u32(v)),
            "sim.network.latency" => cfg.sim.network_latency_us.set(dur_us(v)),
            "sim.consumers" => {
                for g in &mut cfg.groups {
                    g.consumers.set(int_u32(v));
                }
            }
            "sim.static.members" => {
                for g in &mut cfg.groups {
                    g.consumer.static_members.set(boolean(v));
                }
            }
            "sim.pipeline" => cfg.pipeline.kind.set(if enum_str(v) == "ctp" {
                super::PipelineKind::Ctp
            } else {
                super::PipelineKind::None
            }),
            "processing.guarantee" => {
                cfg.pipeline
                    .guarantee
                    .set(if enum_str(v) == "exactly_once_v2" {
                        super::ProcessingGuarantee::ExactlyOnceV2
                    } else {
                        super::ProcessingGuarantee::AtLeastOnce
                    })
            }
            "sim.pipeline.processors" => cfg.pipeline.processors.set(int_u32(v)),
            "sim.consumer.processing" => {
                for g in &mut cfg.groups {
                    g.consumer.processing_us_per_record.set(dur_us(v));
                }
            }
            "sim.consumer.commit" => {
                let mode = match enum_str(v) {
                    "sync" => CommitMode::Sync,
                    "async" => CommitMode::Async,
                    _ => CommitMode::Auto,
                };
                for g in &mut cfg.groups {
                    g.consumer.commit_mode.set(mode);
                }
            }
            _ => {
                for p in &mut cfg.producers {
                    let w = &mut p.workload;
                    match def.name {
                        "sim.produce.rate" => w.records_per_s.set(int_u32(v)),
                        "sim.keys" => w.keys.set(int_u32(v)),
                        "sim.keyless.percent" => w.keyless_percent.set(int_u32(v)),
                        "sim.value.bytes" => w.value_bytes.set(int_u32(v)),
                        "sim.headers" => w.headers.set(int_u32(v)),
                        "sim.value.kind" => w
                            .value_kind
                            .set(ValueKind::from_name(enum_str(v)).unwrap_or(ValueKind::Json)),
                        "sim.header.bytes" => w.header_bytes.set(int_u32(v)),
                        "sim.partition" => w.explicit_partition.set(match v {
                            Value::Int(i) if i >= 0 => Some(i as u32),
                            _ => None,
                        }),
                        "sim.transaction.records" => w.transaction_records.set(int_u32(v)),
                        "sim.transaction.abort.percent" => {
                            w.transaction_abort_percent.set(int_u32(v))
                        }
                        "sim.send.mode" => w.send_mode.set(if enum_str(v) == "sync" {
                            SendMode::Sync
                        } else {
                            SendMode::Async
                        }),
                        _ => {}
                    }
                }
            }
        },
    }
    Ok(())
}

/// The current value of a setting as text, for controls and `--help` (first matching scope).
pub fn current(cfg: &Config, name: &str) -> Option<String> {
    use alloc::string::ToString;
    let p = cfg.producers.first();
    let g = cfg.groups.first().map(|g| &g.consumer);
    let t = cfg.topics.first();
    let b = &cfg.broker;
    let s = match name {
        "acks" => p?.acks.value.name().to_string(),
        "enable.idempotence" => p?.enable_idempotence.value.to_string(),
        "linger.ms" => p?.linger_ms.value.to_string(),
        "batch.size" => p?.batch_size.value.to_string(),
        "partitioner.class" => p?.partitioner.value.name().to_string(),
        "sim.send.mode" => match p?.workload.send_mode.value {
            SendMode::Sync => "sync".to_string(),
            SendMode::Async => "async".to_string(),
        },
        "sim.produce.rate" => p?.workload.records_per_s.value.to_string(),
        "sim.keys" => p?.workload.keys.value.to_string(),
        "num.partitions" => t?.partitions.value.to_string(),
        "replication.factor" => t?.replication_factor.value.to_string(),
        "min.insync.replicas" => t?.min_insync_replicas.value.to_string(),
        "segment.bytes" => t?.segment_bytes.value.to_string(),
        "retention.ms" => t?.retention_ms.value.map_or(-1, |v| v as i64).to_string(),
        "retention.bytes" => t?
            .retention_bytes
            .value
            .map_or(-1, |v| v as i64)
            .to_string(),
        "max.poll.records" => g?.max_poll_records.value.to_string(),
        "enable.auto.commit" => g?.enable_auto_commit.value.to_string(),
        "sim.consumer.commit" => g?.commit_mode.value.name().to_string(),
        "partition.assignment.strategy" => g?.partition_assignment_strategy.value.display(),
        "sim.brokers" => cfg.sim.brokers.value.to_string(),
        "offsets.topic.num.partitions" => b.offsets_topic_num_partitions.value.to_string(),
        "transactional.id" => p?.transactional_id.clone().unwrap_or_default(),
        "transaction.timeout.ms" => p?.transaction_timeout_ms.value.to_string(),
        "transaction.version" => b.transaction_version.value.to_string(),
        "sim.pipeline" => match cfg.pipeline.kind.value {
            super::PipelineKind::None => "none".to_string(),
            super::PipelineKind::Ctp => "ctp".to_string(),
        },
        "processing.guarantee" => cfg.pipeline.guarantee.value.name().to_string(),
        "sim.pipeline.processors" => cfg.pipeline.processors.value.to_string(),
        "isolation.level" => match g?.isolation_level.value {
            super::IsolationLevel::ReadCommitted => "read_committed".to_string(),
            super::IsolationLevel::ReadUncommitted => "read_uncommitted".to_string(),
        },
        _ => return None,
    };
    Some(s)
}

/// Parses a duration with a unit (`250us`, `5ms`, `10s`, `2m`) into microseconds: for
/// command-line flags such as `--until`, where a bare number would be ambiguous.
pub fn parse_duration_us(raw: &str) -> Result<u64, String> {
    let raw = raw.trim();
    let bad = || {
        format!("'{raw}' is not a duration: write an integer with a unit, e.g. 500ms, 10s, 2m (units: us, ms, s, m)")
    };
    if raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (digits, mult) = split_unit(raw, 0).ok_or_else(bad)?;
    if digits.starts_with('-') {
        return Err(format!("'{raw}' is negative: a duration must be 0 or more"));
    }
    let n: u64 = digits.parse().map_err(|_| bad())?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("'{raw}' is too long"))
}

/// Whether a running simulation can take `name` live: producer settings (the producer is
/// recreated, as Kafka requires), what the application does (`sim.produce.rate`, keys,
/// value size, send mode), and `num.partitions` (partitions can be added to a live topic,
/// never removed). Everything else (brokers, other topic settings, groups) applies on reset.
pub fn is_live(name: &str) -> bool {
    let bare = name.strip_prefix("producer.").unwrap_or(name);
    let bare = bare.strip_prefix("broker.").unwrap_or(bare);
    lookup(bare).any(|d| d.scope == Scope::Producer)
        || bare == "num.partitions"
        || matches!(
            bare,
            "sim.produce.rate"
                | "sim.keys"
                | "sim.keyless.percent"
                | "sim.value.bytes"
                | "sim.send.mode"
                | "sim.headers"
                | "sim.header.bytes"
                | "sim.partition"
                | "sim.value.kind"
                | "sim.transaction.records"
                | "sim.transaction.abort.percent"
        )
}
