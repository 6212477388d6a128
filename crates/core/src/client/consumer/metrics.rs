//! The consumer's metrics under Kafka's names (issue 14): the sensors of the Java consumer's
//! `FetchMetricsManager` (`consumer-fetch-manager-metrics`) and of `ConsumerCoordinator` /
//! `AbstractCoordinator.GroupCoordinatorMetrics` (`consumer-coordinator-metrics`), recorded
//! where they record them, over Kafka's default `MetricConfig` (2 samples of 30 s,
//! `crate::metrics`):
//!
//! - per fetch response (`AbstractFetch.handleFetchSuccess`): `fetch-latency-avg/max` and
//!   `fetch-rate/total` (a count), the request's round trip in whole milliseconds;
//! - per partition handed to the application (`FetchCollector.fetchRecords`): the partition's
//!   lag after the position moved, `records-lag-max` over all of them and the partition's own
//!   `records-lag` (the last value), `records-lag-max`, `records-lag-avg`; the lag is the end
//!   the partition's last fetch response carried (its high watermark, or its last stable
//!   offset under read_committed: `SubscriptionState.partitionLag`) minus the position;
//! - the records returned to the application: `records-consumed-rate/total`;
//! - per OffsetCommit response, any error included (`OffsetCommitResponseHandler`):
//!   `commit-latency-avg/max`, `commit-rate/total`;
//! - per successful JoinGroup / SyncGroup response: `join-time-avg/max`, `join-rate/total`,
//!   `sync-time-avg/max`, `sync-rate/total`; per Heartbeat response (any error):
//!   `heartbeat-response-time-max`, `heartbeat-rate/total`;
//! - per successful rebalance, from the first JoinGroup of the rebalance to the SyncGroup that
//!   makes the member stable: `rebalance-latency-avg/max/total`, `rebalance-total`,
//!   `rebalance-rate-per-hour`; `last-rebalance-seconds-ago` and `last-heartbeat-seconds-ago`
//!   (whole seconds since, -1 before the first), `assigned-partitions`.
//!
//! Simplified: the clock is the simulation's, in whole milliseconds; `records-consumed` is
//! recorded at each `poll()` with the records it returned (Kafka records a fetch's records once
//! the application drained the whole fetch: the same total, a little earlier); a partition
//! whose fetch brought no record for the member has its lag recorded when the response
//! arrives (the application waits inside `poll()` here); bytes, throttle time, the lead and
//! per-topic metrics, and the failed-rebalance sensor are not kept.

use crate::metrics::{Avg, Max, Meter, MetricConfig, Rate, SampledStat, WindowedCount};
use crate::net::{Body, MessageKind, TopicPartitionId};
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// Kafka's group of the fetcher's metrics.
pub const FETCH_MANAGER_METRICS: &str = "consumer-fetch-manager-metrics";
/// Kafka's group of the coordinator's metrics.
pub const COORDINATOR_METRICS: &str = "consumer-coordinator-metrics";

/// One metric's value: its Kafka group, name, the partition it is tagged with, the value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConsumerMetricValue {
    pub group: &'static str,
    pub name: &'static str,
    pub partition: Option<TopicPartitionId>,
    pub value: f64,
}

/// An average and a maximum of the same values.
#[derive(Clone, Debug, Default, PartialEq)]
struct AvgMax {
    avg: SampledStat<Avg>,
    max: SampledStat<Max>,
}

impl AvgMax {
    fn record(&mut self, c: &MetricConfig, v: f64, now_ms: u64) {
        self.avg.record(c, v, now_ms);
        self.max.record(c, v, now_ms);
    }
}

/// A latency sensor with a count meter (`createMeter(.., WindowedCount)`).
#[derive(Clone, Debug, Default, PartialEq)]
struct Latency {
    time: AvgMax,
    count: Meter<WindowedCount>,
}

impl Latency {
    fn record(&mut self, c: &MetricConfig, latency_ms: f64, now_ms: u64) {
        self.time.record(c, latency_ms, now_ms);
        self.count.record(c, latency_ms, now_ms);
    }
}

/// A partition's `<tp>.records-lag` sensor.
#[derive(Clone, Debug, Default, PartialEq)]
struct PartitionLag {
    last: f64,
    lag: AvgMax,
}

/// The consumer's sensors and what they are computed from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConsumerMetrics {
    pub config: MetricConfig,
    records_consumed: Meter,
    fetch: Latency,
    records_lag_max: SampledStat<Max>,
    partitions: BTreeMap<TopicPartitionId, PartitionLag>,
    /// The end (high watermark or last stable offset) each partition's last fetch carried.
    fetch_ends: BTreeMap<TopicPartitionId, u64>,
    commit: Latency,
    join: Latency,
    sync: Latency,
    heartbeat: Latency,
    rebalance: AvgMax,
    rebalance_rate: Rate<WindowedCount>,
    rebalance_latency_total: f64,
    rebalance_total: f64,
    rebalance_start_ms: Option<u64>,
    rebalance_end_ms: Option<u64>,
    heartbeat_sent_ms: Option<u64>,
    /// Coordinator requests in flight: (kind, OffsetCommit's correlation id, sent at ms).
    in_flight: Vec<(MessageKind, u64, u64)>,
}

fn ms(t: SimTime) -> u64 {
    t.micros() / 1000
}

/// Whole seconds from `since_ms` to `now_ms` (`TimeUnit.SECONDS.convert`), -1 without one.
fn seconds_ago(since_ms: Option<u64>, now_ms: u64) -> f64 {
    since_ms.map_or(-1.0, |s| (now_ms.saturating_sub(s) / 1000) as f64)
}

impl ConsumerMetrics {
    /// A fetch sent at `sent_at` was answered.
    pub fn on_fetch_response(&mut self, sent_at: SimTime, now: SimTime) {
        let (c, t) = (self.config, ms(now));
        let latency = t.saturating_sub(ms(sent_at)) as f64;
        self.fetch.record(&c, latency, t);
    }

    /// A fetch response's end for `tp` (`updateHighWatermark` / `updateLastStableOffset`).
    pub fn on_fetch_end(&mut self, tp: TopicPartitionId, end: u64) {
        self.fetch_ends.insert(tp, end);
    }

    /// `recordPartitionLag` for `tp` at `position`, if a fetch told its end.
    pub fn on_partition_position(&mut self, tp: TopicPartitionId, position: u64, now: SimTime) {
        let Some(&end) = self.fetch_ends.get(&tp) else {
            return;
        };
        let (c, t) = (self.config, ms(now));
        let lag = end.saturating_sub(position) as f64;
        self.records_lag_max.record(&c, lag, t);
        let p = self.partitions.entry(tp).or_default();
        p.last = lag;
        p.lag.record(&c, lag, t);
    }

    /// `maybeUpdateAssignment`: the partition sensors of partitions no longer assigned go.
    pub fn retain_partitions(&mut self, assigned: &[TopicPartitionId]) {
        if self.partitions.keys().any(|tp| !assigned.contains(tp)) {
            self.partitions.retain(|tp, _| assigned.contains(tp));
        }
    }

    /// `poll()` returned `records` to the application.
    pub fn on_records_consumed(&mut self, records: u32, now: SimTime) {
        let c = self.config;
        self.records_consumed
            .record(&c, f64::from(records), ms(now));
    }

    /// A request goes to the coordinator: its send time is kept for its response (a new
    /// JoinGroup or SyncGroup replaces an earlier one of its kind, as the member has one at a
    /// time); a JoinGroup starts a rebalance unless one is under way; a Heartbeat is
    /// `lastHeartbeatSend`.
    pub fn on_coordinator_request(&mut self, body: &Body, now: SimTime) {
        let t = ms(now);
        let kind = body.kind();
        let id = match body {
            Body::OffsetCommit { request_id, .. } => *request_id,
            Body::JoinGroup { .. } => {
                self.rebalance_start_ms.get_or_insert(t);
                0
            }
            Body::Heartbeat { .. } => {
                self.heartbeat_sent_ms = Some(t);
                0
            }
            Body::SyncGroup { .. } => 0,
            _ => return,
        };
        if matches!(kind, MessageKind::JoinGroup | MessageKind::SyncGroup) {
            self.in_flight.retain(|(k, _, _)| *k != kind);
        }
        self.in_flight.push((kind, id, t));
    }

    /// The connection to the coordinator is closed: its requests in flight fail unanswered.
    pub fn coordinator_lost(&mut self) {
        self.in_flight.clear();
    }

    /// The latency of the answer to the oldest request of `kind` in flight (the one with
    /// correlation id `id` for an OffsetCommit), which is answered.
    fn answered(&mut self, kind: MessageKind, id: u64, now_ms: u64) -> Option<f64> {
        let i = self
            .in_flight
            .iter()
            .enumerate()
            .filter(|(_, (k, r, _))| *k == kind && (kind != MessageKind::OffsetCommit || *r == id))
            .min_by_key(|(_, (_, _, sent))| *sent)
            .map(|(i, _)| i)?;
        let (_, _, sent) = self.in_flight.remove(i);
        Some(now_ms.saturating_sub(sent) as f64)
    }

    /// An OffsetCommit or Heartbeat response, whatever its error (their handlers record
    /// before looking at it).
    pub fn on_coordinator_response(&mut self, body: &Body, now: SimTime) {
        let (c, t) = (self.config, ms(now));
        let (kind, id) = match body {
            Body::OffsetCommitResponse { request_id, .. } => {
                (MessageKind::OffsetCommit, *request_id)
            }
            Body::HeartbeatResponse { .. } => (MessageKind::Heartbeat, 0),
            _ => return,
        };
        let Some(latency) = self.answered(kind, id, t) else {
            return;
        };
        let sensor = if kind == MessageKind::OffsetCommit {
            &mut self.commit
        } else {
            &mut self.heartbeat
        };
        sensor.record(&c, latency, t);
    }

    /// A successful JoinGroup response (`joinSensor`).
    pub fn on_joined(&mut self, now: SimTime) {
        let (c, t) = (self.config, ms(now));
        if let Some(latency) = self.answered(MessageKind::JoinGroup, 0, t) {
            self.join.record(&c, latency, t);
        }
    }

    /// A successful SyncGroup response (`syncSensor`): the member is stable, the rebalance
    /// succeeded.
    pub fn on_synced(&mut self, now: SimTime) {
        let (c, t) = (self.config, ms(now));
        if let Some(latency) = self.answered(MessageKind::SyncGroup, 0, t) {
            self.sync.record(&c, latency, t);
        }
        self.on_rebalance_done(now);
    }

    /// The rebalance succeeded.
    fn on_rebalance_done(&mut self, now: SimTime) {
        let (c, t) = (self.config, ms(now));
        let start = self.rebalance_start_ms.take().unwrap_or(t);
        let latency = t.saturating_sub(start) as f64;
        self.rebalance.record(&c, latency, t);
        self.rebalance_rate.record(&c, latency, t);
        self.rebalance_latency_total += latency;
        self.rebalance_total += 1.0;
        self.rebalance_end_ms = Some(t);
    }

    /// The fetch manager's metrics at `now`.
    fn fetch_values(m: &mut ConsumerMetrics, t: u64) -> Vec<(&'static str, f64)> {
        let c = m.config;
        alloc::vec![
            (
                "records-consumed-rate",
                m.records_consumed.rate.measure(&c, t)
            ),
            ("records-consumed-total", m.records_consumed.total),
            ("records-lag-max", m.records_lag_max.measure(&c, t)),
            ("fetch-latency-avg", m.fetch.time.avg.measure(&c, t)),
            ("fetch-latency-max", m.fetch.time.max.measure(&c, t)),
            ("fetch-rate", m.fetch.count.rate.measure(&c, t)),
            ("fetch-total", m.fetch.count.total),
        ]
    }

    /// The coordinator's metrics at `now`.
    fn coordinator_values(
        m: &mut ConsumerMetrics,
        t: u64,
        assigned: usize,
    ) -> Vec<(&'static str, f64)> {
        let c = m.config;
        let mut v = Vec::with_capacity(24);
        for (prefix, s) in [
            ("commit", &mut m.commit),
            ("join", &mut m.join),
            ("sync", &mut m.sync),
        ] {
            let (avg, max) = (s.time.avg.measure(&c, t), s.time.max.measure(&c, t));
            let (rate, total) = (s.count.rate.measure(&c, t), s.count.total);
            let names: [&'static str; 4] = match prefix {
                "commit" => [
                    "commit-latency-avg",
                    "commit-latency-max",
                    "commit-rate",
                    "commit-total",
                ],
                "join" => ["join-time-avg", "join-time-max", "join-rate", "join-total"],
                _ => ["sync-time-avg", "sync-time-max", "sync-rate", "sync-total"],
            };
            v.extend(names.into_iter().zip([avg, max, rate, total]));
        }
        v.extend([
            (
                "heartbeat-response-time-max",
                m.heartbeat.time.max.measure(&c, t),
            ),
            ("heartbeat-rate", m.heartbeat.count.rate.measure(&c, t)),
            ("heartbeat-total", m.heartbeat.count.total),
            ("rebalance-latency-avg", m.rebalance.avg.measure(&c, t)),
            ("rebalance-latency-max", m.rebalance.max.measure(&c, t)),
            ("rebalance-latency-total", m.rebalance_latency_total),
            ("rebalance-total", m.rebalance_total),
            (
                "rebalance-rate-per-hour",
                m.rebalance_rate.measure(&c, t) * 3600.0,
            ),
            (
                "last-rebalance-seconds-ago",
                seconds_ago(m.rebalance_end_ms, t),
            ),
            (
                "last-heartbeat-seconds-ago",
                seconds_ago(m.heartbeat_sent_ms, t),
            ),
            ("assigned-partitions", assigned as f64),
        ]);
        v
    }

    /// Every metric at `now`, by Kafka's group and name; the partition sensors last.
    pub fn values(&self, now: SimTime, assigned: usize) -> Vec<ConsumerMetricValue> {
        let t = ms(now);
        let mut m = self.clone(); // measuring purges old samples
        let c = m.config;
        let row = |group, (name, value)| ConsumerMetricValue {
            group,
            name,
            partition: None,
            value,
        };
        let mut out: Vec<ConsumerMetricValue> = Self::fetch_values(&mut m, t)
            .into_iter()
            .map(|v| row(FETCH_MANAGER_METRICS, v))
            .collect();
        let coordinator = Self::coordinator_values(&mut m, t, assigned);
        out.extend(coordinator.into_iter().map(|v| row(COORDINATOR_METRICS, v)));
        for (tp, p) in &mut m.partitions {
            let lag = [
                ("records-lag", p.last),
                ("records-lag-max", p.lag.max.measure(&c, t)),
                ("records-lag-avg", p.lag.avg.measure(&c, t)),
            ];
            out.extend(lag.into_iter().map(|(name, value)| ConsumerMetricValue {
                group: FETCH_MANAGER_METRICS,
                name,
                partition: Some(*tp),
                value,
            }));
        }
        out
    }
}

impl crate::consumer::Consumer {
    /// Its metrics at `now`, by Kafka's group and name (`assigned-partitions` from its
    /// assignment).
    pub fn metric_values(&self, now: SimTime) -> Vec<ConsumerMetricValue> {
        self.metrics.values(now, self.assignment.len())
    }
}
