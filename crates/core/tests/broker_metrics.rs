//! The brokers' and the controller's metrics (`broker::metrics`, Yammer meters), read off
//! runs whose answers are known another way: the trace's ISR changes and appends, the produce
//! responses' errors, the partitions' ISRs, and a Yammer one-minute rate worked out here from
//! the formula (a tick every 5 s from the meter's creation: the marks since the last tick over
//! 5 s; the first tick takes that instant rate, each later one moves the rate by
//! alpha = 1 - exp(-5/60) towards it).

use std::collections::BTreeMap;
use streamscope_core::event::{Delivery, Event};
use streamscope_core::net::{Body, KafkaError, Node};
use streamscope_core::sim::view::{MetricNode, MetricsDelta, MetricsSnapshot};
use streamscope_core::{Change, Config, Sim};

const S: u64 = 1_000_000;

fn world(settings: &[(&str, &str)], seed: u64) -> Sim {
    let mut c = Config::preset();
    for (k, v) in settings {
        c.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
    }
    Sim::new(c, seed).expect("the world is valid")
}

fn broker(snapshot: &MetricsSnapshot, b: u32, name: &str, attribute: &str) -> f64 {
    let node = MetricNode::Broker { broker: b };
    snapshot
        .value(&node, name, attribute)
        .unwrap_or_else(|| panic!("no {name}.{attribute} at broker {b}"))
}

/// What the trace showed, per broker.
#[derive(Default, Debug)]
struct Seen {
    shrinks: BTreeMap<u32, u64>,
    expands: BTreeMap<u32, u64>,
    /// (time, records taken) per leader.
    appends: BTreeMap<u32, Vec<(u64, u64)>>,
    fenced: u64,
    /// Produce responses' partitions whose append failed, per broker.
    failed_appends: BTreeMap<u32, u64>,
    responses_seen: std::collections::BTreeSet<u64>,
}

fn run(sim: &mut Sim, until: u64, seen: &mut Seen) {
    while sim.next_event_time().is_some_and(|t| t.0 <= until) {
        let Some(e) = sim.step() else {
            continue;
        };
        let t = e.time.0;
        match &e.event {
            Event::IsrShrink { leader, .. } => *seen.shrinks.entry(*leader).or_default() += 1,
            Event::IsrExpand { leader, .. } => *seen.expands.entry(*leader).or_default() += 1,
            Event::BrokerFenced { .. } => seen.fenced += 1,
            Event::Delivered {
                to: Node::Broker(b),
                detail:
                    Delivery::Appended {
                        records,
                        duplicates,
                        ..
                    },
                ..
            } if records + duplicates > 0 => {
                let n = u64::from(records + duplicates);
                seen.appends.entry(*b).or_default().push((t, n));
            }
            _ => {}
        }
        for m in sim.messages() {
            let (Body::ProduceResponse { results, .. }, Node::Broker(b)) = (&m.body, m.from) else {
                continue;
            };
            if seen.responses_seen.insert(m.id) {
                let n = results
                    .iter()
                    .filter(|r| r.error.is_some_and(failed_append))
                    .count() as u64;
                *seen.failed_appends.entry(b).or_default() += n;
            }
        }
    }
}

/// An error a produce response carries for an append that failed (Kafka's
/// `processFailedRecord`): not NOT_LEADER_OR_FOLLOWER (expected, not counted), nor the outcomes
/// of an append that happened (a timeout or too few replicas after it, from the purgatory).
fn failed_append(e: KafkaError) -> bool {
    !matches!(
        e,
        KafkaError::NotLeaderOrFollower
            | KafkaError::RequestTimedOut
            | KafkaError::NotEnoughReplicasAfterAppend
    )
}

/// Yammer's one-minute rate at `now` of a meter created at 0 and marked at `marks`, from the
/// formula.
fn yammer_m1(marks: &[(u64, u64)], now: u64) -> f64 {
    let alpha = 1.0 - (-5.0f64 / 60.0).exp();
    let (mut rate, mut initialized) = (0.0f64, false);
    for k in 1..=now / (5 * S) {
        let (from, to) = ((k - 1) * 5 * S, k * 5 * S);
        let n: u64 = marks
            .iter()
            .filter(|(t, _)| *t >= from && *t < to)
            .map(|(_, n)| n)
            .sum();
        let instant = n as f64 / 5.0;
        if initialized {
            rate += alpha * (instant - rate);
        } else {
            rate = instant;
            initialized = true;
        }
    }
    rate
}

/// MessagesInPerSec counts the records each leader took (the trace's appends, duplicates
/// included), and its one-minute rate is Yammer's EWMA of them, ticked every 5 s.
#[test]
fn messages_in_is_yammers_meter_of_the_appends() {
    let mut sim = world(&[], 4);
    let mut seen = Seen::default();
    run(&mut sim, 47_300_000, &mut seen);
    let snapshot = sim.metrics();
    let now = sim.now().0;
    for b in 0..sim.brokers().len() as u32 {
        let marks = seen.appends.get(&b).cloned().unwrap_or_default();
        let total: u64 = marks.iter().map(|(_, n)| n).sum();
        assert!(total > 1000, "broker {b} leads partitions: {total}");
        assert_eq!(
            broker(&snapshot, b, "MessagesInPerSec", "Count"),
            total as f64
        );
        let m1 = broker(&snapshot, b, "MessagesInPerSec", "OneMinuteRate");
        let want = yammer_m1(&marks, now);
        assert!(
            (m1 - want).abs() <= 1e-9 * want,
            "broker {b}: {m1} != {want}"
        );
        let mean = broker(&snapshot, b, "MessagesInPerSec", "MeanRate");
        assert!((mean - total as f64 / (now as f64 / 1e6)).abs() < 1e-9 * mean);
        assert_eq!(
            broker(&snapshot, b, "FailedProduceRequestsPerSec", "Count"),
            0.0
        );
    }
    // Reading changed nothing: the same snapshot again.
    assert_eq!(sim.metrics(), snapshot);
}

/// A follower killed with replica.lag.time.max.ms below the controller's session timeout:
/// the leaders drop it from their ISRs first (IsrShrinksPerSec, one per removal the trace
/// shows), UnderReplicatedPartitions counts what they lead with a short ISR, the broker has no
/// row while down; after it rejoins, the leaders take it back (IsrExpandsPerSec) and nothing is
/// under-replicated. The controller's timer counts the fence and the registration.
#[test]
fn isr_changes_and_under_replicated_partitions_follow_a_kill() {
    let mut sim = world(&[("replica.lag.time.max.ms", "2000")], 8);
    let mut seen = Seen::default();
    run(&mut sim, 5 * S, &mut seen);
    let before = sim.metrics();
    let timer = |s: &MetricsSnapshot| {
        s.value(
            &MetricNode::Controller,
            "LeaderElectionRateAndTimeMs",
            "Count",
        )
        .expect("the controller's timer")
    };
    assert_eq!(timer(&before), 0.0);
    sim.apply(Change::KillBroker { broker: 1 })
        .expect("broker 1 runs");
    run(&mut sim, 18 * S, &mut seen);
    let down = sim.metrics();
    assert!(seen.shrinks.values().sum::<u64>() > 0, "{seen:?}");
    let mut under = 0.0;
    for b in [0, 2] {
        let shrinks = broker(&down, b, "IsrShrinksPerSec", "Count");
        assert_eq!(shrinks, seen.shrinks.get(&b).copied().unwrap_or(0) as f64);
        let expect = sim
            .topics()
            .iter()
            .flat_map(|t| t.partitions.iter())
            .filter(|p| p.leader == Some(b) && p.isr.len() < p.replicas.len())
            .count() as f64;
        assert_eq!(
            broker(&down, b, "UnderReplicatedPartitions", "Value"),
            expect
        );
        under += expect;
    }
    assert!(
        under > 0.0,
        "partitions are under-replicated while broker 1 is down"
    );
    assert!(
        down.value(
            &MetricNode::Broker { broker: 1 },
            "MessagesInPerSec",
            "Count"
        )
        .is_none(),
        "a broker that is down has no metrics"
    );
    assert_eq!(seen.fenced, 1);
    assert_eq!(timer(&down), 1.0, "the fence");
    sim.apply(Change::RestartBroker { broker: 1 })
        .expect("broker 1 is down");
    run(&mut sim, 40 * S, &mut seen);
    let back = sim.metrics();
    assert_eq!(timer(&back), 2.0, "the fence and the registration");
    for b in 0..3 {
        assert_eq!(broker(&back, b, "UnderReplicatedPartitions", "Value"), 0.0);
        let expands = broker(&back, b, "IsrExpandsPerSec", "Count");
        if b != 1 {
            assert_eq!(expands, seen.expands.get(&b).copied().unwrap_or(0) as f64);
            assert!(expands > 0.0, "broker {b} took broker 1 back");
        }
    }
    let delta = MetricsDelta::between(&down, &back);
    let row = delta
        .rows
        .iter()
        .find(|r| {
            r.node == MetricNode::Broker { broker: 1 }
                && r.name == "MessagesInPerSec"
                && r.attribute == "Count"
        })
        .expect("broker 1's rows are back");
    assert!(row.was.is_nan() && row.now >= 0.0);
    assert!(delta.rows.iter().all(|r| !(r.was == r.now)));
    let all = MetricsDelta::all(&down, &back);
    assert!(all.rows.len() > delta.rows.len());
}

/// min.insync.replicas=2 with two brokers down: acks=all appends are refused with
/// NOT_ENOUGH_REPLICAS (and a retried batch out of sequence with OUT_OF_ORDER_SEQUENCE_NUMBER),
/// and FailedProduceRequestsPerSec counts each refused partition, as the responses carried
/// them.
#[test]
fn failed_produce_requests_count_failed_appends() {
    let mut sim = world(
        &[
            ("min.insync.replicas", "2"),
            ("delivery.timeout.ms", "5000"),
            ("request.timeout.ms", "2000"),
            ("linger.ms", "0"),
        ],
        9,
    );
    let mut seen = Seen::default();
    run(&mut sim, S, &mut seen);
    for b in [1, 2] {
        sim.apply(Change::KillBroker { broker: b })
            .expect("broker exists");
    }
    run(&mut sim, 25 * S, &mut seen);
    let snapshot = sim.metrics();
    let refused = seen.failed_appends.get(&0).copied().unwrap_or(0);
    assert!(refused > 10, "{seen:?}");
    let failed = broker(&snapshot, 0, "FailedProduceRequestsPerSec", "Count");
    assert_eq!(failed, refused as f64);
    assert!(broker(&snapshot, 0, "FailedProduceRequestsPerSec", "OneMinuteRate") > 0.0);
}
