//! A/B comparison (issue 14, "Compare"): world B is world A's starting configuration with a few
//! settings the learner picks changed, on the same seed, given the same inputs at the same
//! simulated times; what differs between the two runs is what those settings do (linger.ms 0
//! vs 20, acks 1 vs all under a leader crash, eager vs cooperative rebalancing).
//!
//! [`Comparison`] is the choice: `name=value` pairs under Kafka's names, each checked against
//! the registry and against world A (a value equal to A's would compare nothing).
//! [`Comparison::world_b`] builds B's configuration; [`Comparison::mirrors`] says whether an
//! input A took goes to B too. [`headline`] lines up the two worlds' main metrics (the ones
//! issue 14 names, Kafka's names) with B - A.
//!
//! Where we simplify: a live change A takes to a setting B overrides is not given to B (B keeps
//! its own value, as the learner asked); every other input (a setting, a fault, the end of the
//! faults, the drain) goes to both. A producer setting change makes a new producer instance
//! only in a world that takes it, so the two worlds' instance numbers can differ; the
//! headline's producer rows are of the instance serving producer application 0 in each.

use crate::config::settings;
use crate::config::ConfigError;
use crate::sim::input::{Input, LoggedInput};
use crate::sim::view::{MetricNode, MetricsSnapshot};
use crate::sim::{Change, Sim};
use crate::{Config, SimTime};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// The settings world B runs with instead of world A's.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Comparison {
    /// `(name, value)` as given (trimmed), in the order given; each name once.
    pub settings: Vec<(String, String)>,
}

/// Why a comparison was refused. Nothing changes on a refusal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompareError {
    /// No setting given.
    Empty,
    /// A part that is not `name=value`.
    NotAssignment { part: String },
    /// The same setting twice (`linger.ms=5, linger.ms=20`).
    Twice { name: String },
    /// B's value is already A's: the worlds would not differ in it.
    SameAsA { name: String, value: String },
    /// The registry refused `name=value` (unknown name, bad value).
    Setting {
        name: String,
        value: String,
        error: ConfigError,
    },
    /// The world the settings make is refused (a combination Kafka refuses).
    Refused(ConfigError),
}

impl fmt::Display for CompareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompareError::Empty => write!(
                f,
                "world B: give at least one setting as name=value, e.g. linger.ms=20"
            ),
            CompareError::NotAssignment { part } => write!(
                f,
                "world B: '{part}' is not name=value (separate settings with commas: linger.ms=20, acks=all)"
            ),
            CompareError::Twice { name } => {
                write!(f, "world B: {name} is given twice: give each setting once")
            }
            CompareError::SameAsA { name, value } => write!(
                f,
                "world B: {name}={value} is already world A's value: pick another value"
            ),
            CompareError::Setting { error, .. } | CompareError::Refused(error) => {
                write!(f, "world B: {error}")
            }
        }
    }
}

impl Comparison {
    /// Reads `name=value` pairs separated by commas, semicolons or new lines, each checked on
    /// top of `a` (world A's starting configuration): known, accepted, making a valid world,
    /// and different from A's value.
    pub fn parse(text: &str, a: &Config) -> Result<Comparison, CompareError> {
        let mut settings: Vec<(String, String)> = Vec::new();
        for part in text.split([',', ';', '\n']).map(str::trim) {
            if part.is_empty() {
                continue;
            }
            let Some((name, value)) = part.split_once('=') else {
                return Err(CompareError::NotAssignment {
                    part: part.to_string(),
                });
            };
            let (name, value) = (name.trim(), value.trim());
            if settings.iter().any(|(n, _)| same_setting(n, name)) {
                return Err(CompareError::Twice {
                    name: name.to_string(),
                });
            }
            settings.push((name.to_string(), value.to_string()));
        }
        Comparison::of_settings(settings, a)
    }

    /// `(name, value)` pairs (a link's `ab=`), checked as [`Comparison::parse`] checks them.
    pub fn of_settings(
        settings: Vec<(String, String)>,
        a: &Config,
    ) -> Result<Comparison, CompareError> {
        if settings.is_empty() {
            return Err(CompareError::Empty);
        }
        for (i, (name, _)) in settings.iter().enumerate() {
            if settings[..i].iter().any(|(n, _)| same_setting(n, name)) {
                return Err(CompareError::Twice { name: name.clone() });
            }
        }
        let c = Comparison { settings };
        let b = c.world_b(a)?;
        for (name, value) in &c.settings {
            if settings::current(&b, name) == settings::current(a, name) {
                return Err(CompareError::SameAsA {
                    name: name.clone(),
                    value: value.clone(),
                });
            }
        }
        Ok(c)
    }

    /// `name=value, name=value`, as the page and the CLI show it.
    pub fn text(&self) -> String {
        let parts: Vec<String> = self
            .settings
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        parts.join(", ")
    }

    /// World B's starting configuration: `a` with the comparison's settings.
    pub fn world_b(&self, a: &Config) -> Result<Config, CompareError> {
        let mut b = a.clone();
        for (name, value) in &self.settings {
            b.set(name, value).map_err(|error| CompareError::Setting {
                name: name.clone(),
                value: value.clone(),
                error,
            })?;
        }
        b.validate().map_err(CompareError::Refused)?;
        Ok(b)
    }

    /// Whether world B takes a change world A took: all but a setting B overrides.
    pub fn mirrors(&self, change: &Change) -> bool {
        match change {
            Change::Set { name, .. } => !self.settings.iter().any(|(n, _)| same_setting(n, name)),
            _ => true,
        }
    }

    /// World B of world A's run (`a_start`, `seed`, A's input log), at `until`: each input
    /// [`Comparison::mirrors`] passes is put in once B has run to the simulated time A took it
    /// at (B's events are not A's, so the time is what the two share), as the page puts them
    /// in while both run. An input B refuses (its world has diverged: a restart of a broker B
    /// never lost) is skipped, as the page skips it.
    pub fn replay_b(
        &self,
        a_start: &Config,
        seed: u64,
        a_inputs: &[LoggedInput],
        until: SimTime,
    ) -> Result<Sim, CompareError> {
        let mut b = Sim::new(self.world_b(a_start)?, seed).map_err(CompareError::Refused)?;
        for l in a_inputs {
            if let Input::Change { change } = &l.input {
                if !self.mirrors(change) {
                    continue;
                }
            }
            b.run_until(l.at_time);
            let _ = b.put_input(&l.input);
        }
        b.run_until(until);
        Ok(b)
    }
}

/// Whether two names set a registry row in common (`linger.ms` and `producer.linger.ms`;
/// `min.insync.replicas` and `topic.min.insync.replicas`).
fn same_setting(x: &str, y: &str) -> bool {
    let (rx, ry) = (settings::resolve(x.trim()), settings::resolve(y.trim()));
    if rx.is_empty() || ry.is_empty() {
        return x.trim() == y.trim();
    }
    rx.iter().any(|d| ry.iter().any(|e| core::ptr::eq(*d, *e)))
}

/// One line of the A/B table: a metric of each world and B - A.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CompareRow {
    /// `producer`, `consumers`, `brokers`, `controller` or `run`.
    pub scope: &'static str,
    /// Kafka's metric name (a Yammer meter's `Count`, a gauge's `Value`), or the run's counter.
    pub name: &'static str,
    pub unit: &'static str,
    /// NaN where Kafka gives NaN (an average with nothing recorded) or the world has no such
    /// node now.
    pub a: f64,
    pub b: f64,
    /// b - a.
    pub delta: f64,
}

/// The producer metrics of the instance serving producer application 0.
const PRODUCER: [&str; 9] = [
    "record-send-rate",
    "batch-size-avg",
    "records-per-request-avg",
    "record-queue-time-avg",
    "request-latency-avg",
    "compression-rate-avg",
    "record-retry-rate",
    "record-error-rate",
    "buffer-available-bytes",
];

/// How a consumer metric is folded over the consumers: rates add up, maxima take the
/// largest, averages and times take the mean of the consumers that recorded one.
#[derive(Clone, Copy)]
enum Fold {
    Sum,
    Max,
    Mean,
}

const CONSUMERS: [(&str, Fold); 7] = [
    ("records-consumed-rate", Fold::Sum),
    ("records-lag-max", Fold::Max),
    ("fetch-latency-avg", Fold::Mean),
    ("commit-latency-avg", Fold::Mean),
    ("rebalance-latency-avg", Fold::Mean),
    ("join-rate", Fold::Sum),
    ("last-heartbeat-seconds-ago", Fold::Max),
];

/// Broker meters (their `Count`) and the gauge (its `Value`), summed over running brokers.
const BROKERS: [(&str, &str); 5] = [
    ("MessagesInPerSec", "Count"),
    ("FailedProduceRequestsPerSec", "Count"),
    ("IsrShrinksPerSec", "Count"),
    ("IsrExpandsPerSec", "Count"),
    ("UnderReplicatedPartitions", "Value"),
];

/// The run's own counters (the invariant monitor's and the records' outcomes).
const RUN: [&str; 6] = [
    "records-sent",
    "records-acknowledged",
    "records-failed",
    "records-consumed",
    "acknowledged-lost",
    "duplicates",
];

/// One world's headline values, in the order of [`headline`]'s rows.
fn values(sim: &Sim) -> Vec<(&'static str, &'static str, &'static str, f64)> {
    let snap = sim.metrics();
    let mut out = Vec::new();
    let app0 = sim.app_producer.first().copied();
    for name in PRODUCER {
        let v = app0
            .and_then(|p| snap.value(&MetricNode::Producer { producer: p }, name, ""))
            .unwrap_or(f64::NAN);
        out.push(("producer", name, unit_of(&snap, name), v));
    }
    for (name, fold) in CONSUMERS {
        let vs = snap.rows.iter().filter(|r| {
            matches!(r.node, MetricNode::Consumer { .. }) && r.name == name && r.tags.is_empty()
        });
        let vs: Vec<f64> = vs.map(|r| r.value).filter(|v| !v.is_nan()).collect();
        out.push((
            "consumers",
            name,
            unit_of(&snap, name),
            fold_values(&vs, fold),
        ));
    }
    for (name, attribute) in BROKERS {
        let v: f64 = snap
            .rows
            .iter()
            .filter(|r| {
                matches!(r.node, MetricNode::Broker { .. })
                    && r.name == name
                    && r.attribute == attribute
            })
            .map(|r| r.value)
            .sum();
        let unit = if attribute == "Value" {
            "partitions"
        } else {
            "count"
        };
        out.push(("brokers", name, unit, v));
    }
    let elections = snap
        .value(
            &MetricNode::Controller,
            "LeaderElectionRateAndTimeMs",
            "Count",
        )
        .unwrap_or(f64::NAN);
    out.push((
        "controller",
        "LeaderElectionRateAndTimeMs",
        "count",
        elections,
    ));
    let s = sim.summary();
    let counters = [
        s.records_sent,
        s.records_acknowledged,
        s.records_failed,
        s.records_consumed,
        s.acknowledged_lost,
        s.duplicates,
    ];
    for (name, v) in RUN.into_iter().zip(counters) {
        out.push(("run", name, "records", v as f64));
    }
    out
}

fn fold_values(vs: &[f64], fold: Fold) -> f64 {
    if vs.is_empty() {
        return f64::NAN;
    }
    match fold {
        Fold::Sum => vs.iter().sum(),
        Fold::Max => vs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Fold::Mean => vs.iter().sum::<f64>() / vs.len() as f64,
    }
}

/// A client metric's unit as the snapshot gives it (`count` where no row has it now).
fn unit_of(snap: &MetricsSnapshot, name: &str) -> &'static str {
    snap.rows
        .iter()
        .find(|r| r.name == name)
        .map_or("count", |r| r.unit)
}

/// The two worlds' headline metrics side by side, B - A in each row. Both worlds should be at
/// the same simulated time (the page keeps them in lock step; the CLI runs both to `--until`).
pub fn headline(a: &Sim, b: &Sim) -> Vec<CompareRow> {
    let (va, vb) = (values(a), values(b));
    assert_eq!(va.len(), vb.len(), "both worlds give every headline row");
    va.into_iter()
        .zip(vb)
        .map(|((scope, name, unit_a, a), (_, _, unit_b, b))| CompareRow {
            scope,
            name,
            unit: if unit_a == "count" { unit_b } else { unit_a },
            a,
            b,
            delta: b - a,
        })
        .collect()
}
