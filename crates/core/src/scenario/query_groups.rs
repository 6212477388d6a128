//! The consumer query of a claim (`consumer(<index>)`, the README's claim table): a group
//! member as its `KafkaConsumer` sees itself — its state in the group protocol, its generation
//! and assignment, its position per partition (the next offset `poll()` returns), the offsets
//! it knows committed, its lag (high watermark − position, summed over its partitions) and
//! `records-lag-max`, and the records `poll()` returned. Beside it, the pipeline's queries
//! (`sim.pipeline=ctp`): a processor (`processor(<n>)`: its phase, counters and producer's
//! epoch) and the verifier's counts (`pipeline`, `PipelineReport`).
//!
//! Simplified: `lag` reads the leaders' high watermarks now (Kafka's client computes it from
//! the last fetch response); `records_lag_max` is the largest lag seen over the run.

use super::value::{int, tp_of, Value};
use crate::consumer::{Consumer, MemberState};
use crate::sim::Sim;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// The fields of `consumer(<index>)`.
pub const CONSUMER_FIELDS: &[&str] = &[
    "state",
    "alive",
    "group",
    "generation",
    "assigned",
    "assignment",
    "position",
    "committed",
    "lag",
    "records_lag_max",
    "records_consumed",
];

fn state_name(s: MemberState) -> &'static str {
    match s {
        MemberState::Joining => "joining",
        MemberState::Syncing => "syncing",
        MemberState::FetchingOffsets => "fetching_offsets",
        MemberState::Stable => "stable",
        MemberState::Unjoined => "unjoined",
        MemberState::Stopped => "stopped",
    }
}

/// `[orders-0,orders-3]`: the assignment, sorted.
fn assignment(sim: &Sim, c: &Consumer) -> Value {
    let mut tps = c.assignment.clone();
    tps.sort_unstable_by_key(|tp| (tp.topic, tp.partition));
    let names: Vec<String> = tps
        .iter()
        .map(|tp| {
            let topic = sim
                .topics()
                .get(tp.topic as usize)
                .map_or("?", |t| t.name.as_str());
            format!("{topic}-{}", tp.partition)
        })
        .collect();
    Value::Text(format!("[{}]", names.join(",")))
}

/// High watermark − position, summed over the assignment.
fn lag(sim: &Sim, c: &Consumer) -> u64 {
    c.assignment
        .iter()
        .map(|tp| {
            let hw = sim.partition(*tp).map_or(0, |p| p.high_watermark());
            let pos = c.positions.get(tp).copied().unwrap_or(hw);
            hw.saturating_sub(pos)
        })
        .sum()
}

/// Evaluates `consumer(<index>).<field>` (its shape is already checked).
pub fn consumer(sim: &Sim, index: &str, field: &str, args: &[String]) -> Result<Value, String> {
    let i: usize = index
        .parse()
        .map_err(|_| format!("'{index}' is not a consumer index"))?;
    let c = sim
        .consumers()
        .get(i)
        .ok_or_else(|| format!("no consumer {i}"))?;
    let offset_of = |map: &alloc::collections::BTreeMap<_, u64>| -> Result<Value, String> {
        let tp = tp_of(sim, args.first().map_or("", String::as_str))?;
        Ok(int(map.get(&tp).map_or(-1, |o| *o as i64)))
    };
    Ok(match field {
        "state" => Value::Text(state_name(c.state).to_string()),
        "alive" => Value::Bool(c.alive),
        "group" => Value::Text(
            sim.groups()
                .get(c.group as usize)
                .map_or_else(String::new, |g| g.group_id.clone()),
        ),
        "generation" => int(c.generation),
        "assigned" => int(c.assignment.len()),
        "assignment" => assignment(sim, c),
        "position" => offset_of(&c.positions)?,
        "committed" => offset_of(&c.committed)?,
        "lag" => int(lag(sim, c)),
        "records_lag_max" => int(c.records_lag_max),
        _ => int(c.records_consumed),
    })
}

/// The fields of `processor(<n>)` (a pipeline processor, `sim.pipeline=ctp`).
pub const PROCESSOR_FIELDS: &[&str] = &[
    "phase",
    "consumer",
    "producer",
    "transactional_id",
    "producer_id",
    "epoch",
    "processed",
    "commits",
    "aborts",
    "crashes",
];

/// The fields of `pipeline` (its verifier's counts, `PipelineReport`).
pub const PIPELINE_FIELDS: &[&str] = &[
    "input",
    "output",
    "duplicates",
    "missing",
    "out_of_order",
    "aborted_seen",
    "commits",
    "aborts",
    "crashes",
];

/// Evaluates `processor(<n>).<field>`: the processor's phase and counters, and its current
/// producer instance's id and epoch.
pub fn processor(sim: &Sim, index: &str, field: &str) -> Result<Value, String> {
    let i: usize = index
        .parse()
        .map_err(|_| format!("'{index}' is not a processor index"))?;
    let pl = sim
        .pipeline()
        .ok_or_else(|| String::from("no pipeline runs (set sim.pipeline:ctp)"))?;
    let p = pl
        .processors
        .get(i)
        .ok_or_else(|| format!("no processor {i}"))?;
    let producer = sim.producers().get(p.producer as usize);
    Ok(match field {
        "phase" => Value::Text(p.phase.name().to_string()),
        "consumer" => int(p.consumer),
        "producer" => int(p.producer),
        "transactional_id" => Value::Text(
            p.transactional_id
                .clone()
                .unwrap_or_else(|| String::from("none")),
        ),
        "producer_id" => int(producer.map_or(-1, |x| x.producer_id)),
        "epoch" => int(producer.map_or(-1, |x| i64::from(x.epoch))),
        "processed" => int(p.processed),
        "commits" => int(p.commits),
        "aborts" => int(p.aborts),
        _ => int(p.crashes),
    })
}

/// Evaluates `pipeline.<field>`: what the read_committed verifier found so far.
pub fn pipeline(sim: &Sim, field: &str) -> Result<Value, String> {
    let r = sim
        .pipeline_report()
        .ok_or_else(|| String::from("no pipeline runs (set sim.pipeline:ctp)"))?;
    Ok(int(match field {
        "input" => r.input,
        "output" => r.output_committed,
        "duplicates" => r.duplicates,
        "missing" => r.missing,
        "out_of_order" => r.out_of_order,
        "aborted_seen" => r.read_committed_aborted_seen,
        "commits" => r.transactions_committed,
        "aborts" => r.transactions_aborted,
        _ => r.processor_crashes,
    }))
}
