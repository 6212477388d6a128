//! The consumer's metrics under Kafka's names (`client::consumer::metrics`), read off runs whose
//! answers are known another way: a watcher of the trace and of the messages in flight counts
//! the fetches, commits, joins and syncs each consumer got answered, their round trips (a
//! message's `sent_at` to its delivery, in whole milliseconds as Kafka's `requestLatencyMs`),
//! and replays Kafka's lag rule (`FetchCollector.fetchRecords`: the end the partition's last
//! fetch response carried, minus the position after `poll()` moved it). Within the first 30 s
//! window every recorded value is still in the samples, so the averages, maxima and totals
//! must equal the watcher's.

use std::collections::{BTreeMap, BTreeSet};
use streamscope_core::event::{Delivery, Event};
use streamscope_core::net::{Body, MessageKind, Node, TopicPartitionId};
use streamscope_core::{Change, Config, Sim, SimTime};

const S: u64 = 1_000_000;

fn world(settings: &[(&str, &str)], seed: u64) -> Sim {
    let mut c = Config::preset();
    for (k, v) in settings {
        c.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
    }
    Sim::new(c, seed).expect("the world is valid")
}

fn metric(sim: &Sim, consumer: u32, name: &str) -> f64 {
    let values = sim.consumers()[consumer as usize].metric_values(sim.now());
    match values
        .iter()
        .find(|v| v.name == name && v.partition.is_none())
    {
        Some(v) => v.value,
        None => panic!("no metric {name}: {values:?}"),
    }
}

fn ms(t: SimTime) -> u64 {
    t.0 / 1000
}

/// One consumer's side of the run as the watcher saw it.
#[derive(Default, Debug)]
struct Seen {
    fetch_latencies: Vec<u64>,
    commit_latencies: Vec<u64>,
    joins: u32,
    syncs: u32,
    records: u64,
    /// The end each partition's last fetch response carried.
    ends: BTreeMap<TopicPartitionId, u64>,
    lags: Vec<u64>,
}

/// Watches the run: requests by message id (when sent), responses as they are delivered.
#[derive(Default)]
struct Watcher {
    sent: BTreeMap<u64, (Node, Node, SimTime, Option<u64>)>,
    /// The fetch outstanding per (consumer, broker): when it was sent.
    fetch_sent: BTreeMap<(u32, u32), SimTime>,
    commit_sent: BTreeMap<(u32, u64), SimTime>,
    /// In-flight fetch responses' partitions: (partition, high watermark, first offset).
    responses: BTreeMap<u64, Vec<(TopicPartitionId, u64, Option<u64>)>>,
    positions: BTreeMap<u32, BTreeMap<TopicPartitionId, u64>>,
    seen: BTreeMap<u32, Seen>,
}

impl Watcher {
    /// What is newly in flight.
    fn look(&mut self, sim: &Sim) {
        for m in sim.messages() {
            if self.sent.contains_key(&m.id) {
                continue;
            }
            let mut commit_id = None;
            match (&m.body, m.from, m.to) {
                (Body::ConsumerFetch { .. }, Node::Consumer(c), Node::Broker(b)) => {
                    self.fetch_sent.insert((c, b), m.sent_at);
                }
                (Body::OffsetCommit { request_id, .. }, Node::Consumer(c), _) => {
                    self.commit_sent.insert((c, *request_id), m.sent_at);
                    commit_id = Some(*request_id);
                }
                (Body::ConsumerFetchResponse { parts }, _, _) => {
                    let parts = parts
                        .iter()
                        .map(|p| (p.tp, p.high_watermark, p.entries.first().map(|e| e.0)))
                        .collect();
                    self.responses.insert(m.id, parts);
                }
                (Body::OffsetCommitResponse { request_id, .. }, _, _) => {
                    commit_id = Some(*request_id);
                }
                _ => {}
            }
            self.sent.insert(m.id, (m.from, m.to, m.sent_at, commit_id));
        }
    }

    fn on_fetch_response(&mut self, sim: &Sim, c: u32, b: u32, id: u64, now: SimTime) {
        let sent = self.fetch_sent[&(c, b)];
        let before = self.positions.get(&c).cloned().unwrap_or_default();
        let s = self.seen.entry(c).or_default();
        s.fetch_latencies.push(ms(now) - ms(sent));
        let cons = &sim.consumers()[c as usize];
        for (tp, hw, first) in self.responses.remove(&id).unwrap_or_default() {
            let Some(&pos) = before.get(&tp) else {
                continue;
            };
            if !cons.assignment.contains(&tp) {
                continue;
            }
            s.ends.insert(tp, hw);
            if first != Some(pos) {
                s.lags.push(hw - pos);
            }
        }
    }

    fn on_event(&mut self, sim: &Sim, ev: &Event, now: SimTime) {
        match ev {
            Event::Delivered {
                message_id,
                kind,
                from,
                to: Node::Consumer(c),
                detail,
            } => match (kind, from) {
                (MessageKind::ConsumerFetchResponse, Node::Broker(b)) => {
                    self.on_fetch_response(sim, *c, *b, *message_id, now)
                }
                (MessageKind::OffsetCommitResponse, _) => {
                    let id = self.sent[message_id]
                        .3
                        .expect("a commit response has its id");
                    let sent = self.commit_sent[&(*c, id)];
                    let s = self.seen.entry(*c).or_default();
                    s.commit_latencies.push(ms(now) - ms(sent));
                }
                (MessageKind::JoinGroupResponse, _) if *detail == Delivery::Group => {
                    self.seen.entry(*c).or_default().joins += 1;
                }
                (MessageKind::SyncGroupResponse, _)
                    if matches!(detail, Delivery::Assigned { .. }) =>
                {
                    self.seen.entry(*c).or_default().syncs += 1;
                }
                _ => {}
            },
            Event::Polled { consumer, records } => {
                let before = self.positions.get(consumer).cloned().unwrap_or_default();
                let cons = &sim.consumers()[*consumer as usize];
                let s = self.seen.entry(*consumer).or_default();
                s.records += u64::from(*records);
                for (tp, pos) in &cons.positions {
                    let moved = before.get(tp).is_some_and(|b| pos > b);
                    if let (true, Some(end)) = (moved, s.ends.get(tp)) {
                        s.lags.push(end.saturating_sub(*pos));
                    }
                }
            }
            _ => {}
        }
    }

    fn run(&mut self, sim: &mut Sim, until: u64) {
        while sim.next_event_time().is_some_and(|t| t.0 <= until) {
            let Some(e) = sim.step() else {
                continue;
            };
            let (ev, now) = (e.event.clone(), e.time);
            self.on_event(sim, &ev, now);
            for c in sim.consumers() {
                self.positions.insert(c.index, c.positions.clone());
            }
            self.look(sim);
        }
    }
}

fn avg(v: &[u64]) -> f64 {
    v.iter().sum::<u64>() as f64 / v.len() as f64
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Within the first window the fetcher's and the coordinator's metrics are the run's own: the
/// records `poll()` returned, the fetches and commits answered and their mean and largest
/// round trips, one join and one sync per member, the largest lag by Kafka's rule.
#[test]
fn the_first_window_holds_the_whole_run() {
    let mut sim = world(
        &[
            ("sim.produce.rate", "2000"),
            ("sim.consumer.processing", "2ms"),
            ("sim.network.latency", "3ms"),
            ("auto.commit.interval.ms", "1000"),
            ("max.poll.records", "20"),
        ],
        7,
    );
    let mut w = Watcher::default();
    w.run(&mut sim, 20 * S);
    assert!(w.seen.len() >= 2, "every consumer got answers");
    for (&c, s) in &w.seen {
        let cons = &sim.consumers()[c as usize];
        let m = |name| metric(&sim, c, name);
        assert!(
            s.records > 1000 && s.fetch_latencies.len() > 10,
            "{c}: {s:?}"
        );
        assert_eq!(m("records-consumed-total"), s.records as f64);
        assert_eq!(m("records-consumed-total"), cons.records_consumed as f64);
        assert_eq!(m("fetch-total"), s.fetch_latencies.len() as f64);
        assert!(
            close(m("fetch-latency-avg"), avg(&s.fetch_latencies)),
            "{c}"
        );
        let max = *s.fetch_latencies.iter().max().unwrap() as f64;
        assert_eq!(m("fetch-latency-max"), max);
        assert!(
            s.commit_latencies.len() >= 15,
            "{c}: auto-commit every second"
        );
        assert_eq!(m("commit-total"), s.commit_latencies.len() as f64);
        assert!(close(m("commit-latency-avg"), avg(&s.commit_latencies)));
        assert!(m("commit-latency-avg") >= 6.0, "two ways of 3 ms");
        assert_eq!((m("join-total"), m("sync-total")), (1.0, 1.0));
        assert_eq!(
            (s.joins, s.syncs),
            (1, 1),
            "{c}: one rebalance at the start"
        );
        assert_eq!(m("rebalance-total"), 1.0);
        let lag_max = *s.lags.iter().max().expect("lags were recorded") as f64;
        assert!(
            lag_max > 0.0,
            "{c}: 20 records a poll leave the rest of a fetch behind"
        );
        assert_eq!(m("records-lag-max"), lag_max, "{c}");
        assert_eq!(m("assigned-partitions"), cons.assignment.len() as f64);
    }
}

/// A rate is its windowed total over Kafka's padded window, and a fresh sensor with nothing
/// recorded gives NaN for its average (as Kafka's `Avg`), 0 for its rate.
#[test]
fn rates_and_empty_sensors() {
    let mut sim = world(&[], 3);
    sim.run_until(SimTime(10 * S));
    let rate = metric(&sim, 0, "records-consumed-rate");
    let total = metric(&sim, 0, "records-consumed-total");
    let window_s = total / rate;
    assert!(
        window_s > 30.0 + 5.0 && window_s <= 30.0 + 10.0,
        "{total} / {rate}: a window of {window_s} s at 10 s"
    );
    assert!(metric(&sim, 0, "heartbeat-total") >= 2.0);
    let fresh = world(&[], 3);
    assert!(metric(&fresh, 0, "commit-latency-avg").is_nan());
    assert!(metric(&fresh, 0, "records-lag-max").is_nan());
    assert_eq!(metric(&fresh, 0, "commit-rate"), 0.0);
    assert_eq!(metric(&fresh, 0, "last-heartbeat-seconds-ago"), -1.0);
}

/// A crashed consumer sends no heartbeat: `last-heartbeat-seconds-ago` grows with the time
/// since its last one (whole seconds), while a live member's stays under heartbeat.interval.ms;
/// a restarted process starts its metrics afresh.
#[test]
fn last_heartbeat_grows_while_a_consumer_is_crashed() {
    let mut sim = world(&[], 11);
    sim.run_until(SimTime(10 * S));
    let before = metric(&sim, 0, "last-heartbeat-seconds-ago");
    assert!((0.0..3.0).contains(&before), "{before}");
    sim.apply(Change::CrashConsumer { consumer: 0 })
        .expect("consumer 0 runs");
    sim.run_until(SimTime(25 * S));
    let crashed = metric(&sim, 0, "last-heartbeat-seconds-ago");
    assert!((15.0..=18.0).contains(&crashed), "{crashed}");
    assert!(metric(&sim, 1, "last-heartbeat-seconds-ago") < 3.0);
    sim.run_until(SimTime(30 * S));
    assert!(metric(&sim, 0, "last-heartbeat-seconds-ago") >= crashed + 5.0);
    sim.apply(Change::RestartConsumer { consumer: 0 })
        .expect("consumer 0 crashed");
    assert_eq!(metric(&sim, 0, "last-heartbeat-seconds-ago"), -1.0);
    assert_eq!(metric(&sim, 0, "join-total"), 0.0);
}

/// Each rebalance a member takes part in is one successful JoinGroup (`join-total`) and one
/// successful rebalance (`rebalance-total`), its time from the JoinGroup to the SyncGroup's
/// answer (`rebalance-latency-*`).
#[test]
fn join_rate_counts_rebalances() {
    let mut sim = world(&[], 5);
    let mut w = Watcher::default();
    w.run(&mut sim, 8 * S);
    for t in [8, 16] {
        w.run(&mut sim, t * S);
        sim.apply(Change::AddConsumer {
            group: 0,
            strategy: None,
        })
        .expect("group 0 exists");
    }
    w.run(&mut sim, 28 * S);
    for (&c, s) in w.seen.iter().filter(|(c, _)| **c == 0) {
        assert_eq!(s.joins, 3, "{c}: the start and two new members");
        assert_eq!(metric(&sim, c, "join-total"), 3.0);
        assert_eq!(metric(&sim, c, "rebalance-total"), 3.0);
        // Three joins over Kafka's padded window: 28 s since the first sample began (its
        // first join, within the first second) plus one empty 30 s sample.
        let window_s = 3.0 / metric(&sim, c, "join-rate");
        assert!(window_s > 57.0 && window_s <= 58.0, "{window_s}");
        let (avg, max, total) = (
            metric(&sim, c, "rebalance-latency-avg"),
            metric(&sim, c, "rebalance-latency-max"),
            metric(&sim, c, "rebalance-latency-total"),
        );
        assert!(close(avg, total / 3.0), "{avg} {total}");
        assert!(max >= avg && max > 0.0);
        assert!(metric(&sim, c, "last-rebalance-seconds-ago") < 12.0);
    }
    let newest = sim.consumers().len() as u32 - 1;
    assert_eq!(metric(&sim, newest, "join-total"), 1.0);
    let tags: BTreeSet<_> = sim.consumers()[0]
        .metric_values(sim.now())
        .into_iter()
        .filter_map(|v| v.partition)
        .collect();
    let assigned: BTreeSet<_> = sim.consumers()[0].assignment.iter().copied().collect();
    assert!(
        tags.is_subset(&assigned),
        "partition sensors only for partitions it owns"
    );
}
