//! The queries a claim reads the world with (the README's claim table): a record as the
//! inspector shows it and where its copies are in the log, a partition's leadership, ISR and
//! offsets, a producer's id, counters and Kafka metrics, a broker, the controller, a group,
//! the invariant monitor, the events and errors the scenario's run went through, and the
//! murmur2 rule. Each answers a [`Value`] or says why it cannot.

use super::highlight::topic_partition;
pub use super::tally::Tally;
use super::value::{int, number, tp_of, Value};
use crate::config::settings::producer::ACKS;
use crate::inspect::RecordOutcome;
use crate::net::TopicPartitionId;
use crate::producer::partitioner::PartitionReason;
use crate::sim::Sim;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// A query: `name(args).field(args)`, the parts after the name optional.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub name: String,
    pub args: Vec<String>,
    pub field: Option<String>,
    pub field_args: Vec<String>,
}

/// `(a, b)` at the start of `text`: the args and the rest.
fn read_args(text: &str) -> Result<(Vec<String>, &str), String> {
    let Some(inner) = text.strip_prefix('(') else {
        return Ok((Vec::new(), text));
    };
    let end = inner
        .find(')')
        .ok_or_else(|| format!("'{text}': a '(' is not closed"))?;
    let list = inner[..end]
        .split(',')
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    Ok((list, &inner[end + 1..]))
}

fn ident(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    text.split_at(end)
}

impl Query {
    pub fn parse(text: &str) -> Result<Query, String> {
        let (name, rest) = ident(text);
        if name.is_empty() {
            return Err(format!(
                "'{text}': expected a query such as record(3).partition"
            ));
        }
        let (args, rest) = read_args(rest)?;
        let mut q = Query {
            name: name.to_string(),
            args,
            field: None,
            field_args: Vec::new(),
        };
        let rest = match rest.strip_prefix('.') {
            None => rest,
            Some(after) => {
                let (field, after) = ident(after);
                let (field_args, after) = read_args(after)?;
                q.field = Some(field.to_string());
                q.field_args = field_args;
                after
            }
        };
        if !rest.trim().is_empty() {
            return Err(format!("'{text}': '{}' is left over", rest.trim()));
        }
        Ok(q)
    }

    /// The query as written.
    pub fn text(&self) -> String {
        let mut out = self.name.clone();
        if !self.args.is_empty() {
            out.push_str(&format!("({})", self.args.join(", ")));
        }
        if let Some(f) = &self.field {
            out.push('.');
            out.push_str(f);
            if !self.field_args.is_empty() {
                out.push_str(&format!("({})", self.field_args.join(", ")));
            }
        }
        out
    }
}

/// Every query: its name, how many args, and its fields (empty: it has none).
const SHAPES: &[(&str, usize, &[&str])] = &[
    (
        "record",
        1,
        &[
            "partition",
            "offset",
            "log_offset",
            "copies",
            "key",
            "key_bytes",
            "key_size",
            "value_size",
            "headers",
            "size",
            "batch",
            "batch_records",
            "reason",
            "outcome",
            "error",
            "timestamp_us",
            "producer",
        ],
    ),
    (
        "partition",
        1,
        &[
            "leader",
            "leader_epoch",
            "isr",
            "isr_size",
            "replicas",
            "high_watermark",
            "log_end",
            "log_start",
            "last_stable_offset",
        ],
    ),
    (
        "producer",
        1,
        &[
            "producer_id",
            "epoch",
            "idempotent",
            "records_sent",
            "acknowledged",
            "failed",
            "batches",
            "retried",
            "expired",
            "piggybacked",
            "requests",
            "bytes_uncompressed",
            "bytes_on_wire",
            "in_flight",
            "metric",
            ACKS.name,
            "compression",
            "queued_batches",
        ],
    ),
    ("broker", 1, &["state", "alive", "fenced"]),
    ("consumer", 1, super::query_groups::CONSUMER_FIELDS),
    ("processor", 1, super::query_groups::PROCESSOR_FIELDS),
    ("pipeline", 0, super::query_groups::PIPELINE_FIELDS),
    ("controller", 0, &["elections"]),
    (
        "group",
        1,
        &[
            "generation",
            "members",
            "protocol",
            "state",
            "committed",
            "coordinator",
        ],
    ),
    (
        "monitor",
        0,
        &["acknowledged", "lost", "duplicates", "out_of_order"],
    ),
    ("events", 1, &[]),
    ("deduplicated", 0, &[]),
    ("errors", 1, &[]),
    ("distinct_partitions", 2, &[]),
    ("record_bytes", 2, &[]),
    ("key_partition", 2, &[]),
    ("now", 0, &[]),
];

/// Whether the query is one of [`SHAPES`], with the right args and a known field.
pub fn check_shape(q: &Query) -> Result<(), String> {
    let Some((_, args, fields)) = SHAPES.iter().find(|(n, _, _)| *n == q.name) else {
        let names: Vec<&str> = SHAPES.iter().map(|(n, _, _)| *n).collect();
        return Err(format!(
            "'{}': no such query: one of {}",
            q.text(),
            names.join(", ")
        ));
    };
    if q.args.len() != *args {
        return Err(format!(
            "'{}': {} takes {args} argument(s)",
            q.text(),
            q.name
        ));
    }
    match (&q.field, fields.is_empty()) {
        (None, true) => Ok(()),
        (Some(f), false) if fields.contains(&f.as_str()) => Ok(()),
        (None, false) => Err(format!(
            "'{}': give a field: .{}",
            q.text(),
            fields.join(", .")
        )),
        (Some(f), false) => Err(format!(
            "'{}': {} has no field '{f}': one of {}",
            q.text(),
            q.name,
            fields.join(", ")
        )),
        (Some(_), true) => Err(format!("'{}': {} has no fields", q.text(), q.name)),
    }?;
    if q.name == "events" && !super::kinds::EVENT_KINDS.contains(&q.args[0].as_str()) {
        return Err(format!("'{}': not an event kind", q.args[0]));
    }
    Ok(())
}

/// Evaluates a query (its shape is already checked).
pub fn eval(q: &Query, sim: &Sim, tally: &Tally) -> Result<Value, String> {
    let arg = |i: usize| q.args.get(i).map_or("", String::as_str);
    let field = q.field.as_deref().unwrap_or("");
    match q.name.as_str() {
        "record" => record(sim, number(arg(0), "a record id")?, field),
        "partition" => partition(sim, arg(0), field),
        "producer" => producer(sim, producer_index(sim, arg(0))?, field, &q.field_args),
        "broker" => broker(sim, number(arg(0), "a broker id")?, field),
        "controller" => Ok(int(sim.controller.leader_elections())),
        "group" => group(sim, arg(0), field, &q.field_args),
        "consumer" => super::query_groups::consumer(sim, arg(0), field, &q.field_args),
        "processor" => super::query_groups::processor(sim, arg(0), field),
        "pipeline" => super::query_groups::pipeline(sim, field),
        "monitor" => {
            let c = sim.monitor().counts();
            Ok(int(match field {
                "acknowledged" => c.acknowledged,
                "lost" => c.acknowledged_lost,
                "duplicates" => c.duplicates,
                _ => c.out_of_order,
            }))
        }
        "events" => Ok(int(tally.events(arg(0)))),
        "errors" => Ok(int(tally.errors(arg(0)))),
        "deduplicated" => Ok(int(tally.deduplicated())),
        "distinct_partitions" => distinct_partitions(sim, arg(0), arg(1)),
        "record_bytes" => record_bytes(sim, arg(0), arg(1)),
        "key_partition" => {
            let n: u32 = number(arg(1), "a partition count")?;
            if n == 0 {
                return Err(String::from(
                    "key_partition: a topic has at least 1 partition",
                ));
            }
            Ok(int(crate::murmur2::partition_for_key(arg(0).as_bytes(), n)))
        }
        _ => Ok(int(sim.now().0)),
    }
}

fn reason_name(r: PartitionReason) -> &'static str {
    match r {
        PartitionReason::Explicit => "explicit",
        PartitionReason::KeyHash { .. } => "key_hash",
        PartitionReason::BuiltInSticky => "sticky",
        PartitionReason::RoundRobin { .. } => "round_robin",
        PartitionReason::LegacySticky => "legacy_sticky",
    }
}

/// The offsets of `record_id`'s copies in its partition's leader log.
fn log_offsets(sim: &Sim, tp: TopicPartitionId, record_id: u64) -> Vec<u64> {
    let Some(r) = sim.partition(tp).and_then(|p| p.leader_replica()) else {
        return Vec::new();
    };
    r.log
        .range(r.log.log_start_offset(), r.log.log_end_offset())
        .filter(|(_, e)| e.record_id == record_id)
        .map(|(o, _)| o)
        .collect()
}

fn record(sim: &Sim, id: u64, field: &str) -> Result<Value, String> {
    let info = sim
        .record_info(id)
        .ok_or_else(|| format!("record {id} is not in the inspector's journal (not sent yet?)"))?;
    let tp = TopicPartitionId {
        topic: sim
            .topics()
            .iter()
            .position(|t| t.name == info.topic)
            .unwrap_or(0) as u32,
        partition: info.partition,
    };
    Ok(match field {
        "partition" => int(info.partition),
        "offset" => match info.outcome {
            RecordOutcome::Acknowledged { offset } => int(offset),
            RecordOutcome::Pending => {
                return Err(format!("record {id}'s send() has not completed"))
            }
            RecordOutcome::Failed { error } => return Err(format!("record {id} failed: {error}")),
        },
        "log_offset" => int(log_offsets(sim, tp, id).first().map_or(-1, |o| *o as i64)),
        "copies" => int(log_offsets(sim, tp, id).len()),
        "key" => Value::Text(info.key.unwrap_or_else(|| String::from("null"))),
        "key_bytes" => Value::Text(info.key_bytes_hex.unwrap_or_else(|| String::from("null"))),
        "key_size" => int(info.key_bytes_hex.map_or(0, |h| h.len() / 2)),
        "value_size" => int(info.value_len),
        "headers" => int(info.headers.len()),
        "size" => int(info.size_bytes),
        "batch" => int(info.batch_id),
        "batch_records" => int(batch_records(sim, id, info.batch_id)),
        "reason" => Value::Text(reason_name(info.reason).to_string()),
        "outcome" => Value::Text(String::from(match info.outcome {
            RecordOutcome::Pending => "pending",
            RecordOutcome::Acknowledged { .. } => "acknowledged",
            RecordOutcome::Failed { .. } => "failed",
        })),
        "error" => Value::Text(String::from(match info.outcome {
            RecordOutcome::Failed { error } => error,
            _ => "none",
        })),
        "timestamp_us" => int(info.timestamp_us),
        _ => int(info.producer),
    })
}

/// Records of the journal in batch `batch` (around record `id`: a batch's records are sent
/// close together).
fn batch_records(sim: &Sim, id: u64, batch: u64) -> u64 {
    let same = |r: u64| sim.journal.get(r).is_some_and(|e| e.batch_id == batch);
    let window = 20_000;
    let low = id.saturating_sub(window);
    (low..id.saturating_add(window))
        .filter(|r| same(*r))
        .count() as u64
}

/// The journal's entries of records `from` to `to` (at most 10,001, all still there).
fn journal_range<'a>(
    sim: &'a Sim,
    from: &str,
    to: &str,
) -> Result<Vec<&'a crate::inspect::JournalEntry>, String> {
    let (a, b): (u64, u64) = (number(from, "a record id")?, number(to, "a record id")?);
    if b < a || b - a > 10_000 {
        return Err(format!(
            "records {a} to {b}: give a range of at most 10000 ids, in order"
        ));
    }
    (a..=b)
        .map(|id| {
            sim.journal
                .get(id)
                .ok_or_else(|| format!("record {id} is not in the inspector's journal"))
        })
        .collect()
}

fn distinct_partitions(sim: &Sim, from: &str, to: &str) -> Result<Value, String> {
    let mut parts = Vec::new();
    for e in journal_range(sim, from, to)? {
        if !parts.contains(&e.partition) {
            parts.push(e.partition);
        }
    }
    Ok(int(parts.len()))
}

/// The records' sizes inside their batches, summed.
fn record_bytes(sim: &Sim, from: &str, to: &str) -> Result<Value, String> {
    let entries = journal_range(sim, from, to)?;
    Ok(int(entries
        .iter()
        .map(|e| u64::from(e.rec.size_bytes))
        .sum::<u64>()))
}

fn list(ids: &[u32]) -> Value {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    let text: Vec<String> = ids.iter().map(|b| b.to_string()).collect();
    Value::Text(format!("[{}]", text.join(",")))
}

fn partition(sim: &Sim, arg: &str, field: &str) -> Result<Value, String> {
    let tp = tp_of(sim, arg)?;
    let p = sim
        .partition(tp)
        .ok_or_else(|| format!("no partition '{arg}'"))?;
    Ok(match field {
        "leader" => int(p.leader.map_or(-1, i64::from)),
        "leader_epoch" => int(p.leader_epoch),
        "isr" => list(&p.isr),
        "isr_size" => int(p.isr.len()),
        "replicas" => list(&p.replicas.iter().map(|r| r.broker).collect::<Vec<_>>()),
        "high_watermark" => int(p.high_watermark()),
        "log_end" => int(p.log_end_offset()),
        "last_stable_offset" => int(sim.last_stable_offset(tp)),
        _ => int(p.leader_replica().map_or(0, |r| r.log.log_start_offset())),
    })
}

/// `N` (instance N), or `app N` (the instance serving producer application N now: a changed
/// producer setting makes a new instance).
fn producer_index(sim: &Sim, text: &str) -> Result<u32, String> {
    match text.strip_prefix("app ") {
        None => number(text, "a producer index"),
        Some(app) => {
            let app: usize = number(app.trim(), "an application index")?;
            sim.app_producer
                .get(app)
                .copied()
                .ok_or_else(|| format!("no producer application {app}"))
        }
    }
}

/// Batches the producer holds for one partition of its topic (`queued_batches(orders-2)`): the
/// length of the accumulator's deque, the queue size Kafka's adaptive partitioning weighs.
fn queued_batches(
    sim: &Sim,
    p: &crate::producer::Producer,
    args: &[String],
) -> Result<usize, String> {
    let tp = args.first().map_or("", String::as_str);
    let (topic, partition) = topic_partition(tp)?;
    let own = sim.topics().get(p.topic as usize).map(|t| t.name.as_str());
    if own != Some(topic.as_str()) {
        return Err(format!(
            "queued_batches({tp}): the producer writes to {}",
            own.unwrap_or("no topic")
        ));
    }
    Ok(p.accumulator.deque(partition).map_or(0, |d| d.len()))
}

fn producer(sim: &Sim, index: u32, field: &str, args: &[String]) -> Result<Value, String> {
    let p = sim
        .producers()
        .get(index as usize)
        .ok_or_else(|| format!("no producer {index}"))?;
    let s = &p.stats;
    Ok(match field {
        "producer_id" => int(p.producer_id),
        "epoch" => int(p.epoch),
        "idempotent" => Value::Bool(p.idempotent),
        "records_sent" => int(s.records_sent),
        "acknowledged" => int(s.records_acknowledged),
        "failed" => int(s.records_failed),
        "batches" => int(s.batches_sent),
        "retried" => int(s.batches_retried),
        "expired" => int(s.batches_expired),
        "piggybacked" => int(s.batches_piggybacked),
        "requests" => int(s.requests_sent),
        "bytes_uncompressed" => int(s.bytes_uncompressed),
        "bytes_on_wire" => int(s.bytes_on_wire),
        "in_flight" => int(p.in_flight.len()),
        f if f == ACKS.name => Value::Text(p.config.acks.value.name().to_string()),
        "compression" => Value::Text(p.config.compression_type.value.name().to_string()),
        "queued_batches" => int(queued_batches(sim, p, args)?),
        _ => {
            let name = args.first().map_or("", String::as_str);
            let values = p.metric_values(sim.now());
            let found = values.iter().find(|(n, _)| *n == name);
            let Some((_, v)) = found else {
                let names: Vec<&str> = values.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "no producer metric '{name}': one of {}",
                    names.join(", ")
                ));
            };
            Value::Real(*v)
        }
    })
}

fn broker(sim: &Sim, id: u32, field: &str) -> Result<Value, String> {
    let b = sim
        .brokers()
        .get(id as usize)
        .ok_or_else(|| format!("no broker {id}"))?;
    Ok(match field {
        "state" => Value::Text(b.state().name().to_string()),
        "alive" => Value::Bool(b.alive),
        _ => Value::Bool(b.fenced),
    })
}

fn group(sim: &Sim, id: &str, field: &str, args: &[String]) -> Result<Value, String> {
    let views = sim.group_views();
    let g = views
        .iter()
        .find(|g| g.group_id == id)
        .ok_or_else(|| format!("no group '{id}'"))?;
    Ok(match field {
        "generation" => int(g.generation),
        "members" => int(g.members.len()),
        "protocol" => Value::Text(g.protocol.to_string()),
        "state" => Value::Text(format!("{:?}", g.state)),
        "coordinator" => int(g.coordinator),
        _ => {
            let tp = args.first().map_or("", String::as_str);
            let (topic, partition) = topic_partition(tp)?;
            let offset = g
                .committed
                .iter()
                .find(|(t, p, _)| *t == topic && *p == partition)
                .map_or(-1, |(_, _, o)| *o as i64);
            int(offset)
        }
    })
}
