//! Every metric of the run in one list (issue 14, "Metrics under Kafka's names"), for the
//! page's metrics panel and the CLI: the producers' `producer-metrics`
//! (`client::producer::metrics`), each consumer's `consumer-fetch-manager-metrics` and
//! `consumer-coordinator-metrics` (`client::consumer::metrics`), each running broker's Yammer
//! meters and gauge under their MBean names (`broker::metrics`) and the controller's
//! `LeaderElectionRateAndTimeMs` (`controller::state`). A row is one value as a JMX client
//! reads it: a node, Kafka's group (or MBean `type`), the metric's name, the attribute of a
//! Yammer metric (`Count`, `OneMinuteRate`, ..., `Value`; empty for the clients' metrics,
//! which have one value), the tags (`topic=orders,partition=0` for a partition's lag), the
//! value (NaN where Kafka gives NaN: an average or a maximum with nothing recorded) and a unit.
//!
//! [`MetricsDelta`] compares two snapshots for the page's Was / Now / Delta table after a
//! fault or a setting change. `MetricsDelta::between` keeps only the rows whose value changed
//! (NaN to NaN is no change) and the rows only one side has (a broker that went down or came
//! back, a consumer added, a partition's lag sensor dropped after a rebalance): what the
//! change did. `MetricsDelta::all` keeps every row. Delta is now - was (NaN where either is).
//!
//! A broker that is down has no row (its process is not there to read); a crashed client keeps
//! its rows (the simulator still holds its sensors, and its `last-heartbeat-seconds-ago`
//! shows the silence).

use crate::broker::metrics::BrokerMetricValue;
use crate::metrics::yammer::MeterValues;
use crate::sim::Sim;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Whose metric a row is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
pub enum MetricNode {
    Producer {
        producer: u32,
    },
    Consumer {
        group: String,
        consumer: u32,
        client_id: String,
    },
    Broker {
        broker: u32,
    },
    Controller,
}

/// One metric value.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MetricRow {
    pub node: MetricNode,
    /// Kafka's metric group (`producer-metrics`, ...) or MBean domain and type
    /// (`kafka.server:type=BrokerTopicMetrics`).
    pub group: &'static str,
    pub name: &'static str,
    /// A Yammer metric's attribute (`Count`, `OneMinuteRate`, `FiveMinuteRate`,
    /// `FifteenMinuteRate`, `MeanRate`, a gauge's `Value`); empty for a client's metric.
    pub attribute: &'static str,
    /// Tags besides the client's (`topic=orders,partition=0`), or empty.
    pub tags: String,
    pub value: f64,
    pub unit: &'static str,
}

/// Every metric of the run at one moment.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MetricsSnapshot {
    pub time_us: u64,
    pub rows: Vec<MetricRow>,
}

/// What identifies a row across snapshots.
type RowKey = (MetricNode, &'static str, &'static str, &'static str, String);

fn key(r: &MetricRow) -> RowKey {
    (r.node.clone(), r.group, r.name, r.attribute, r.tags.clone())
}

impl MetricsSnapshot {
    /// The value of `name` (with `attribute`, empty for a client's metric) at `node`, untagged.
    pub fn value(&self, node: &MetricNode, name: &str, attribute: &str) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| {
                &r.node == node && r.name == name && r.attribute == attribute && r.tags.is_empty()
            })
            .map(|r| r.value)
    }
}

/// A client metric's unit, by its name.
fn client_unit(name: &str) -> &'static str {
    match name {
        "records-consumed-rate"
        | "record-send-rate"
        | "record-retry-rate"
        | "record-error-rate" => "records/s",
        "rebalance-rate-per-hour" => "/h",
        "compression-rate-avg" => "ratio",
        "assigned-partitions" => "partitions",
        "rebalance-latency-total" => "ms",
        n if n.ends_with("-rate") => "/s",
        n if n.contains("latency") || n.contains("-time-") => "ms",
        n if n.contains("bytes") || n.starts_with("batch-size") || n.starts_with("record-size") => {
            "bytes"
        }
        n if n.starts_with("record") || n.starts_with("records-") => "records",
        n if n.ends_with("-seconds-ago") => "s",
        _ => "count",
    }
}

/// A Yammer meter's five attributes.
fn meter_rows(
    node: &MetricNode,
    group: &'static str,
    name: &'static str,
    v: MeterValues,
    out: &mut Vec<MetricRow>,
) {
    for (attribute, value, unit) in [
        ("Count", v.count as f64, "count"),
        ("OneMinuteRate", v.one_minute_rate, "/s"),
        ("FiveMinuteRate", v.five_minute_rate, "/s"),
        ("FifteenMinuteRate", v.fifteen_minute_rate, "/s"),
        ("MeanRate", v.mean_rate, "/s"),
    ] {
        out.push(MetricRow {
            node: node.clone(),
            group,
            name,
            attribute,
            tags: String::new(),
            value,
            unit,
        });
    }
}

impl Sim {
    /// Every metric now, producers first, then consumers, brokers and the controller.
    pub fn metrics(&self) -> MetricsSnapshot {
        let now = self.now;
        let mut rows = Vec::new();
        for p in &self.producers {
            let node = MetricNode::Producer { producer: p.index };
            for (name, value) in p.metric_values(now) {
                rows.push(client_row(
                    &node,
                    "producer-metrics",
                    name,
                    String::new(),
                    value,
                ));
            }
        }
        for c in &self.consumers {
            let group = self.config.groups.get(c.group as usize);
            let node = MetricNode::Consumer {
                group: group.map(|g| g.group_id.clone()).unwrap_or_default(),
                consumer: c.index,
                client_id: c.client_id.clone(),
            };
            for v in c.metric_values(now) {
                let tags = v.partition.map_or_else(String::new, |tp| {
                    let topic = self
                        .topics
                        .get(tp.topic as usize)
                        .map_or("?", |t| t.name.as_str());
                    format!("topic={topic},partition={}", tp.partition)
                });
                rows.push(client_row(&node, v.group, v.name, tags, v.value));
            }
        }
        self.broker_rows(&mut rows);
        let timer = self.controller.leader_election_rate_and_time(now);
        meter_rows(
            &MetricNode::Controller,
            "kafka.controller:type=ControllerStats",
            "LeaderElectionRateAndTimeMs",
            timer,
            &mut rows,
        );
        MetricsSnapshot {
            time_us: now.micros(),
            rows,
        }
    }

    /// The running brokers' meters and gauge.
    fn broker_rows(&self, rows: &mut Vec<MetricRow>) {
        for b in self.brokers.iter().filter(|b| b.alive) {
            let node = MetricNode::Broker { broker: b.id };
            for v in self
                .broker_state
                .metric_values(&self.topics, b.id, self.now)
            {
                match v {
                    BrokerMetricValue::Meter {
                        group,
                        name,
                        values,
                    } => meter_rows(&node, group, name, values, rows),
                    BrokerMetricValue::Gauge { group, name, value } => rows.push(MetricRow {
                        node: node.clone(),
                        group,
                        name,
                        attribute: "Value",
                        tags: String::new(),
                        value,
                        unit: "partitions",
                    }),
                }
            }
        }
    }
}

fn client_row(
    node: &MetricNode,
    group: &'static str,
    name: &'static str,
    tags: String,
    value: f64,
) -> MetricRow {
    MetricRow {
        node: node.clone(),
        group,
        name,
        attribute: "",
        tags,
        value,
        unit: client_unit(name),
    }
}

/// One row of the Was / Now / Delta table.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MetricsDeltaRow {
    pub node: MetricNode,
    pub group: &'static str,
    pub name: &'static str,
    pub attribute: &'static str,
    pub tags: String,
    pub unit: &'static str,
    /// NaN when the row was not there.
    pub was: f64,
    /// NaN when the row is gone.
    pub now: f64,
    /// now - was.
    pub delta: f64,
}

/// Two snapshots compared, row by row.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MetricsDelta {
    pub was_us: u64,
    pub now_us: u64,
    pub rows: Vec<MetricsDeltaRow>,
}

/// Equal values, NaN equal to NaN.
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

impl MetricsDelta {
    /// The rows whose value changed, or that only one snapshot has; in `now`'s order, the
    /// rows gone last.
    pub fn between(was: &MetricsSnapshot, now: &MetricsSnapshot) -> MetricsDelta {
        let mut d = MetricsDelta::all(was, now);
        d.rows.retain(|r| !same(r.was, r.now));
        d
    }

    /// Every row of either snapshot; in `now`'s order, the rows gone last.
    pub fn all(was: &MetricsSnapshot, now: &MetricsSnapshot) -> MetricsDelta {
        let mut before: BTreeMap<RowKey, &MetricRow> =
            was.rows.iter().map(|r| (key(r), r)).collect();
        let mut rows = Vec::with_capacity(now.rows.len());
        let row = |r: &MetricRow, was: f64, now: f64| MetricsDeltaRow {
            node: r.node.clone(),
            group: r.group,
            name: r.name,
            attribute: r.attribute,
            tags: r.tags.clone(),
            unit: r.unit,
            was,
            now,
            delta: now - was,
        };
        for r in &now.rows {
            let was = before.remove(&key(r)).map_or(f64::NAN, |w| w.value);
            rows.push(row(r, was, r.value));
        }
        let mut gone: Vec<&MetricRow> = before.into_values().collect();
        gone.sort_by_key(|r| was.rows.iter().position(|w| core::ptr::eq(w, *r)));
        rows.extend(gone.into_iter().map(|r| row(r, r.value, f64::NAN)));
        MetricsDelta {
            was_us: was.time_us,
            now_us: now.time_us,
            rows,
        }
    }
}
