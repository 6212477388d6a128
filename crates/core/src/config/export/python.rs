//! The settings as kafka-python code: `KafkaProducer(...)` and one `KafkaConsumer(...)` per
//! group, a keyword argument per registry row kafka-python takes (Kafka's name with `_` for
//! `.`), the rest listed as comments. kafka-python's differences from the Java client that change
//! what a setting means are said where they matter: its DefaultPartitioner hashes keys with
//! murmur2 as Java does but sends each keyless record to a random partition (no sticky batches),
//! and it has no RoundRobinPartitioner.

use super::{brokers, kafka_python_keyword, rows, KAFKA_PYTHON_CONSUMER, KAFKA_PYTHON_PRODUCER};
use crate::assignor::AssignorKind;
use crate::config::settings::{self, Scope, SettingDef, SettingKind};
use crate::config::Config;
use crate::producer::record::Serializer;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// A Python string literal.
fn py_str(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A registry value as a Python literal of the row's kind.
fn py_value(d: &SettingDef, value: &str) -> String {
    match d.kind {
        SettingKind::Bool => String::from(if value == "true" { "True" } else { "False" }),
        SettingKind::Int { .. } | SettingKind::Duration { .. } => String::from(value),
        _ => py_str(value),
    }
}

/// kafka-python's serializer (or deserializer) for one of ours; `None` for bytes (sent as given).
fn py_serde(s: Serializer, de: bool) -> Option<&'static str> {
    Some(match (s, de) {
        (Serializer::String, false) => "str.encode",
        (Serializer::String, true) => "bytes.decode",
        (Serializer::Integer, false) => "lambda v: v.to_bytes(4, 'big', signed=True)",
        (Serializer::Integer, true) => "lambda b: int.from_bytes(b, 'big', signed=True)",
        (Serializer::Long, false) => "lambda v: v.to_bytes(8, 'big', signed=True)",
        (Serializer::Long, true) => "lambda b: int.from_bytes(b, 'big', signed=True)",
        (Serializer::Json, false) => "lambda v: json.dumps(v).encode()",
        (Serializer::Json, true) => "lambda b: json.loads(b)",
        (Serializer::Bytes, _) => return None,
    })
}

fn py_assignor(k: AssignorKind) -> (&'static str, &'static str) {
    match k {
        AssignorKind::Range => (
            "kafka.coordinator.assignors.range",
            "RangePartitionAssignor",
        ),
        AssignorKind::RoundRobin => (
            "kafka.coordinator.assignors.roundrobin",
            "RoundRobinPartitionAssignor",
        ),
        AssignorKind::Sticky => (
            "kafka.coordinator.assignors.sticky.sticky_assignor",
            "StickyPartitionAssignor",
        ),
        AssignorKind::CooperativeSticky => (
            "kafka.coordinator.assignors.cooperative_sticky",
            "CooperativeStickyAssignor",
        ),
    }
}

/// What a client call is written from: its keyword arguments and its comments.
#[derive(Default)]
struct Call {
    args: Vec<(String, String)>,
    notes: Vec<String>,
    imports: Vec<String>,
}

impl Call {
    fn arg(&mut self, name: &str, value: String) {
        self.args.push((String::from(name), value));
    }

    /// One registry row: a keyword argument when kafka-python takes it, else a comment.
    fn row(&mut self, d: &SettingDef, value: &str, accepted: &[&SettingDef]) {
        let py = kafka_python_keyword(d);
        let name = d.name;
        if name == settings::producer::PARTITIONER_CLASS.name {
            self.notes.push(format!(
                "{name}={value}: kafka-python has only its DefaultPartitioner (murmur2 for keys as \
                 in Java, a random partition for each keyless record)"
            ));
        } else if name == settings::producer::KEY_SERIALIZER.name
            || name == settings::producer::VALUE_SERIALIZER.name
        {
            if let Some(f) = Serializer::from_name(value).and_then(|s| py_serde(s, false)) {
                self.arg(&py, String::from(f));
            }
        } else if name == settings::producer::TRANSACTIONAL_ID.name && value.is_empty() {
            // Not transactional: no argument.
        } else if name == settings::consumer::PARTITION_ASSIGNMENT_STRATEGY.name {
            let mut classes = Vec::new();
            for k in value
                .split(',')
                .filter_map(|n| AssignorKind::from_name(n.trim()))
            {
                let (module, class) = py_assignor(k);
                self.imports.push(format!("from {module} import {class}"));
                classes.push(class);
            }
            self.arg(&py, format!("[{}]", classes.join(", ")));
        } else if name == settings::producer::ACKS.name {
            let v = if value == "all" {
                py_str(value)
            } else {
                String::from(value)
            };
            self.arg(&py, v);
        } else if name == settings::producer::COMPRESSION_TYPE.name && value == "none" {
            self.arg(&py, String::from("None"));
        } else if accepted.iter().any(|a| a.name == d.name) {
            self.arg(&py, py_value(d, value));
        } else {
            self.notes.push(format!("{name}={value}"));
        }
    }

    fn write(&self, out: &mut String, var: &str, class: &str, first: Option<String>) {
        out.push_str(&format!("{var} = {class}(\n"));
        if let Some(f) = first {
            out.push_str(&format!("    {f},\n"));
        }
        for (k, v) in &self.args {
            out.push_str(&format!("    {k}={v},\n"));
        }
        out.push_str(")\n");
        if !self.notes.is_empty() {
            out.push_str(&format!("# Not taken by kafka-python's {class}:\n"));
            for n in &self.notes {
                out.push_str(&format!("#   {n}\n"));
            }
        }
    }
}

/// The settings as kafka-python code: a `KafkaProducer` and a `KafkaConsumer` per group.
pub fn kafka_python(cfg: &Config) -> String {
    let servers: Vec<String> = brokers(cfg).iter().map(|b| py_str(b)).collect();
    let servers = format!("[{}]", servers.join(", "));
    let mut producer = Call::default();
    producer.arg("bootstrap_servers", servers.clone());
    for (d, v) in rows(cfg, Scope::Producer) {
        producer.row(d, &v, KAFKA_PYTHON_PRODUCER);
    }
    let mut consumers = Vec::new();
    for g in &cfg.groups {
        let mut c = Call::default();
        c.arg("bootstrap_servers", servers.clone());
        c.arg("group_id", py_str(&g.group_id));
        if let Some(p) = cfg.producers.first() {
            for (name, s) in [
                ("key_deserializer", p.key_serializer.value),
                ("value_deserializer", p.value_serializer.value),
            ] {
                if let Some(f) = py_serde(s, true) {
                    c.arg(name, String::from(f));
                }
            }
        }
        for (d, v) in rows(cfg, Scope::Consumer) {
            c.row(d, &v, KAFKA_PYTHON_CONSUMER);
        }
        let topics: Vec<String> = g.topics.iter().map(|t| py_str(t)).collect();
        consumers.push((c, topics.join(", ")));
    }
    let mut imports: Vec<String> = producer
        .imports
        .iter()
        .chain(consumers.iter().flat_map(|(c, _)| &c.imports))
        .cloned()
        .collect();
    imports.sort();
    imports.dedup();
    let mut out = String::new();
    let json = |p: &crate::config::ProducerConfig| {
        p.key_serializer.value == Serializer::Json || p.value_serializer.value == Serializer::Json
    };
    if cfg.producers.iter().any(json) {
        out.push_str("import json\n");
    }
    out.push_str("from kafka import KafkaConsumer, KafkaProducer\n");
    for i in &imports {
        out.push_str(i);
        out.push('\n');
    }
    out.push('\n');
    producer.write(&mut out, "producer", "KafkaProducer", None);
    for (i, (c, topics)) in consumers.iter().enumerate() {
        out.push('\n');
        let var = if i == 0 {
            String::from("consumer")
        } else {
            format!("consumer_{i}")
        };
        c.write(&mut out, &var, "KafkaConsumer", Some(topics.clone()));
    }
    out
}
