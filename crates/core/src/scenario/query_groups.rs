//! The consumer query of a claim (`consumer(<index>)`, the README's claim table): a group
//! member as its `KafkaConsumer` sees itself — its state in the group protocol, its generation
//! and assignment, its position per partition (the next offset `poll()` returns), the offsets
//! it knows committed, its lag (high watermark − position, summed over its partitions) and
//! `records-lag-max`, and the records `poll()` returned.
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
