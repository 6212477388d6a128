//! The settings as a Kafka user writes them (issue 14, "Use it for real"): Java `Properties`
//! for the producer, the consumer, the topic and the broker (`server.properties`), and
//! kafka-python code (`KafkaProducer(...)`, `KafkaConsumer(...)` with keyword arguments). Every
//! line comes from the settings registry (`config::settings`), under Kafka's names.
//!
//! Where Kafka 4.x or kafka-python has no equivalent, the export says so in a comment rather
//! than writing something wrong: the legacy sticky partitioner (removed from Kafka 4.0), a JSON
//! serializer (Kafka ships none), and the settings kafka-python's clients do not take (checked
//! against kafka-python's own `DEFAULT_CONFIG`: `KAFKA_PYTHON_PRODUCER` and
//! `KAFKA_PYTHON_CONSUMER`, transcribed from kafka-python 3.0.12, and
//! `tests/golden/kafka_python_config.json`, written by `tools/kafka_python_config.py`).
//! Simplified: the brokers' addresses are placeholders (`broker-N:9092`).

use super::settings::{self, consumer, producer, Scope, SettingDef, SETTINGS};
use super::Config;
use crate::assignor::AssignorKind;
use crate::producer::record::Serializer;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The registry rows kafka-python 3.0.12's `KafkaProducer` takes, as keyword arguments named
/// as Kafka names them with `_` for `.` (its `DEFAULT_CONFIG`); the export also writes
/// `bootstrap_servers` and the serializers.
pub const KAFKA_PYTHON_PRODUCER: &[&SettingDef] = &[
    &producer::ACKS,
    &producer::BATCH_SIZE,
    &producer::COMPRESSION_TYPE,
    &producer::DELIVERY_TIMEOUT_MS,
    &producer::ENABLE_IDEMPOTENCE,
    &producer::LINGER_MS,
    &producer::MAX_BLOCK_MS,
    &producer::MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
    &producer::MAX_REQUEST_SIZE,
    &producer::REQUEST_TIMEOUT_MS,
    &producer::RETRIES,
    &producer::RETRY_BACKOFF_MS,
    &producer::TRANSACTION_TIMEOUT_MS,
    &producer::TRANSACTIONAL_ID,
];

/// The registry rows kafka-python 3.0.12's `KafkaConsumer` takes (its `DEFAULT_CONFIG`); the
/// export also writes `bootstrap_servers`, `group_id` and the deserializers.
pub const KAFKA_PYTHON_CONSUMER: &[&SettingDef] = &[
    &consumer::AUTO_COMMIT_INTERVAL_MS,
    &consumer::AUTO_OFFSET_RESET,
    &consumer::ENABLE_AUTO_COMMIT,
    &consumer::FETCH_MAX_WAIT_MS,
    &consumer::FETCH_MIN_BYTES,
    &consumer::HEARTBEAT_INTERVAL_MS,
    &consumer::ISOLATION_LEVEL,
    &consumer::MAX_PARTITION_FETCH_BYTES,
    &consumer::MAX_POLL_INTERVAL_MS,
    &consumer::MAX_POLL_RECORDS,
    &consumer::PARTITION_ASSIGNMENT_STRATEGY,
    &consumer::SESSION_TIMEOUT_MS,
];

/// A registry row's kafka-python keyword (Kafka's name with `_` for `.`).
pub fn kafka_python_keyword(d: &SettingDef) -> String {
    d.name.replace('.', "_")
}

/// The registry rows of `scope`, with their values in `cfg`.
fn rows(cfg: &Config, scope: Scope) -> impl Iterator<Item = (&'static SettingDef, String)> + '_ {
    SETTINGS
        .iter()
        .filter(move |d| d.scope == scope)
        .filter_map(move |d| Some((d, d.access.get(cfg)?)))
}

fn brokers(cfg: &Config) -> Vec<String> {
    (0..cfg.sim.brokers.value)
        .map(|b| format!("broker-{b}:9092"))
        .collect()
}

/// Kafka's class for a serializer (or deserializer), if Kafka ships one.
fn serde_class(s: Serializer, de: bool) -> Option<String> {
    let base = match s {
        Serializer::String => "String",
        Serializer::Integer => "Integer",
        Serializer::Long => "Long",
        Serializer::Bytes => "ByteArray",
        Serializer::Json => return None,
    };
    let kind = if de { "Deserializer" } else { "Serializer" };
    Some(format!(
        "org.apache.kafka.common.serialization.{base}{kind}"
    ))
}

fn assignor_class(k: AssignorKind) -> &'static str {
    match k {
        AssignorKind::Range => "org.apache.kafka.clients.consumer.RangeAssignor",
        AssignorKind::RoundRobin => "org.apache.kafka.clients.consumer.RoundRobinAssignor",
        AssignorKind::Sticky => "org.apache.kafka.clients.consumer.StickyAssignor",
        AssignorKind::CooperativeSticky => {
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"
        }
    }
}

/// A `Properties` key (`key`: also `=`, `:`, `#`, `!` and spaces escaped) or value, with `\`,
/// line breaks and a leading space escaped, as `java.util.Properties.load` reads them back.
fn escape_property(s: &str, key: bool) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '=' | ':' | '#' | '!' | ' ' if key => {
                out.push('\\');
                out.push(c);
            }
            ' ' if i == 0 => out.push_str("\\ "),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out
}

fn property(out: &mut String, name: &str, value: &str) {
    out.push_str(&escape_property(name, true));
    out.push('=');
    out.push_str(&escape_property(value, false));
    out.push('\n');
}

/// One registry row as a `Properties` line, or a comment where Kafka 4.x has no value for it.
fn java_row(out: &mut String, d: &SettingDef, value: &str) {
    let name = d.name;
    if name == settings::producer::PARTITIONER_CLASS.name {
        match value {
            "round-robin" => property(
                out,
                name,
                "org.apache.kafka.clients.producer.RoundRobinPartitioner",
            ),
            "legacy-sticky" => out.push_str(&format!(
                "# {name}: the 2.4-3.2 sticky DefaultPartitioner was removed in Kafka 4.0; \
                 leave it unset for the built-in partitioner\n"
            )),
            _ => out.push_str(&format!(
                "# {name} unset: the built-in partitioner (KIP-794)\n"
            )),
        }
    } else if name == settings::producer::KEY_SERIALIZER.name
        || name == settings::producer::VALUE_SERIALIZER.name
    {
        let class = Serializer::from_name(value).and_then(|s| serde_class(s, false));
        match class {
            Some(c) => property(out, name, &c),
            None => out.push_str(&format!(
                "# {name}: Kafka ships no JSON serializer; use your own or your schema \
                 registry's\n"
            )),
        }
    } else if name == settings::producer::TRANSACTIONAL_ID.name && value.is_empty() {
        out.push_str(&format!("# {name} unset: not transactional\n"));
    } else if name == settings::consumer::PARTITION_ASSIGNMENT_STRATEGY.name {
        let classes: Vec<&str> = value
            .split(',')
            .filter_map(|n| AssignorKind::from_name(n.trim()))
            .map(assignor_class)
            .collect();
        property(out, name, &classes.join(","));
    } else {
        property(out, name, value);
    }
}

/// The settings as Java `Properties`: the producer's, the consumer's (with its deserializers
/// and group.id), each topic's (`kafka-topics.sh --create` and its `--config`s) and the
/// broker's `server.properties`.
pub fn java_properties(cfg: &Config) -> String {
    let mut out = String::new();
    let servers = brokers(cfg).join(",");
    out.push_str("# Producer (KafkaProducer)\n");
    property(&mut out, "bootstrap.servers", &servers);
    for (d, v) in rows(cfg, Scope::Producer) {
        java_row(&mut out, d, &v);
    }
    for g in &cfg.groups {
        out.push_str(&format!(
            "\n# Consumer (KafkaConsumer) of group {}\n",
            g.group_id
        ));
        property(&mut out, "bootstrap.servers", &servers);
        property(&mut out, "group.id", &g.group_id);
        java_deserializers(&mut out, cfg);
        for (d, v) in rows(cfg, Scope::Consumer) {
            java_row(&mut out, d, &v);
        }
    }
    for t in &cfg.topics {
        out.push_str(&format!(
            "\n# Topic {} (kafka-topics.sh --create --topic {} --partitions {} \
             --replication-factor {}, then --config for each line)\n",
            t.name, t.name, t.partitions.value, t.replication_factor.value
        ));
        for (d, v) in rows(cfg, Scope::Topic) {
            if d.name != settings::broker::REPLICATION_FACTOR.name {
                java_row(&mut out, d, &v);
            }
        }
    }
    out.push_str("\n# Broker (server.properties)\n");
    for (d, v) in rows(cfg, Scope::Broker) {
        java_row(&mut out, d, &v);
    }
    out
}

/// The consumer's deserializers, matching the producer's serializers.
fn java_deserializers(out: &mut String, cfg: &Config) {
    let Some(p) = cfg.producers.first() else {
        return;
    };
    for (name, s) in [
        ("key.deserializer", p.key_serializer.value),
        ("value.deserializer", p.value_serializer.value),
    ] {
        match serde_class(s, true) {
            Some(c) => property(out, name, &c),
            None => out.push_str(&format!(
                "# {name}: Kafka ships no JSON deserializer; use your own or your schema \
                 registry's\n"
            )),
        }
    }
}

mod python;
pub use python::kafka_python;
