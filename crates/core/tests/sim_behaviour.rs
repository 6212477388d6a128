//! Fixed-seed behaviour tests: each asserts one thing Kafka does that the simulator must show
//! (partitioning by key, when acks are answered, linger, batch fill, piggyback, sync sends,
//! refused live changes), and each has a contrast case so the assertion can fail.

use std::collections::HashMap;
use streamscope_core::event::{Delivery, Event, TraceEntry};
use streamscope_core::murmur2::partition_for_key;
use streamscope_core::net::{Body, Message, MessageKind};
use streamscope_core::{Change, Config, Sim, SimTime};

const MS: u64 = 1_000;
const S: u64 = 1_000_000;

fn config(settings: &[(&str, &str)]) -> Config {
    let mut c = Config::preset();
    for (k, v) in settings {
        c.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
    }
    c
}

fn set(name: &str, value: &str) -> Change {
    Change::Set {
        name: name.to_string(),
        value: value.to_string(),
    }
}

/// A run that keeps every event and every message sent (as sent).
struct Run {
    sim: Sim,
    events: Vec<TraceEntry>,
    messages: Vec<Message>,
    /// Message id -> when it was delivered.
    delivered: HashMap<u64, SimTime>,
    next_message: u64,
}

impl Run {
    fn new(config: Config, seed: u64) -> Run {
        let sim = Sim::new(config, seed).unwrap();
        let mut r = Run {
            sim,
            events: Vec::new(),
            messages: Vec::new(),
            delivered: HashMap::new(),
            next_message: 0,
        };
        r.scan();
        r
    }

    fn scan(&mut self) {
        while let Some(m) = self.sim.message(self.next_message) {
            self.messages.push(m.clone());
            self.next_message += 1;
        }
    }

    /// Steps to `until`, calling `each` after every event.
    fn run_until_with(&mut self, until: SimTime, mut each: impl FnMut(&Sim, &TraceEntry)) {
        while self.sim.next_event_time().is_some_and(|t| t <= until) {
            let e = self.sim.step().unwrap().clone();
            self.scan();
            if let Event::Delivered { message_id, .. } = e.event {
                self.delivered.insert(message_id, e.time);
            }
            each(&self.sim, &e);
            self.events.push(e);
        }
        self.sim.run_until(until);
    }

    fn run_until(&mut self, until: SimTime) {
        self.run_until_with(until, |_, _| {});
    }

    fn latency(&self) -> u64 {
        self.sim.config().sim.network_latency_us.value
    }

    /// Per produce request: (sent, delivered at the leader = appended, response delivered).
    fn request_times(&self) -> Vec<(u64, SimTime, SimTime, Option<SimTime>)> {
        let mut responses = HashMap::new();
        for m in &self.messages {
            if let Body::ProduceResponse { request_id, .. } = m.body {
                responses.insert(request_id, self.delivered.get(&m.id).copied());
            }
        }
        let mut out = Vec::new();
        for m in &self.messages {
            if let Body::Produce { request_id, .. } = m.body {
                if let Some(appended) = self.delivered.get(&m.id) {
                    out.push((
                        request_id,
                        m.sent_at,
                        *appended,
                        responses.get(&request_id).copied().flatten(),
                    ));
                }
            }
        }
        out
    }

    fn count_kind(&self, kind: MessageKind) -> usize {
        self.messages
            .iter()
            .filter(|m| m.body.kind() == kind)
            .count()
    }
}

/// Keyed records go to `toPositive(murmur2("key-N")) % partitions` under the built-in and the
/// legacy sticky partitioner; and they are in that partition's log at the end.
#[test]
fn keyed_records_go_to_the_murmur2_partition() {
    for partitioner in ["builtin", "legacy-sticky"] {
        for partitions in ["6", "7"] {
            let c = config(&[
                ("partitioner.class", partitioner),
                ("num.partitions", partitions),
                ("sim.keys", "100"),
                ("sim.keyless.percent", "30"),
                ("sim.produce.rate", "500"),
            ]);
            let mut run = Run::new(c, 3);
            run.run_until(SimTime(2 * S));
            let n: u32 = partitions.parse().unwrap();
            let mut keyed = 0;
            let mut keyless_parts = std::collections::BTreeSet::new();
            for e in &run.events {
                if let Event::RecordAppended { key, partition, .. } = e.event {
                    match key {
                        Some(k) => {
                            keyed += 1;
                            let want = partition_for_key(format!("key-{k}").as_bytes(), n);
                            assert_eq!(partition, want, "{partitioner}, {n} partitions: key-{k}");
                        }
                        None => {
                            keyless_parts.insert(partition);
                        }
                    }
                }
            }
            assert!(keyed > 500, "{keyed} keyed records");
            assert!(
                keyless_parts.len() > 1,
                "keyless records moved between partitions: {keyless_parts:?}"
            );
            let mut in_logs = 0;
            for p in &run.sim.topics()[0].partitions {
                for (_, e) in p.leader_replica().unwrap().log.range(0, u64::MAX) {
                    if let Some(k) = e.key {
                        in_logs += 1;
                        assert_eq!(
                            p.index,
                            partition_for_key(format!("key-{k}").as_bytes(), n),
                            "key-{k} in the log of {}",
                            p.index
                        );
                    }
                }
            }
            assert!(in_logs > 400, "{in_logs} keyed records in logs");
        }
    }
}

/// acks=all: the leader answers only once every ISR follower fetched the batch and reported
/// it (HW passed it): at least append + 2 hops (fetch response, next fetch) + 1 hop back.
/// acks=1: answered at the append, one round trip in all. acks=all with replication factor 1:
/// no followers, one round trip too.
#[test]
fn acks_all_waits_for_followers_acks_1_does_not() {
    for (acks, rf) in [("all", "3"), ("1", "3"), ("all", "1")] {
        let c = config(&[
            ("acks", acks),
            ("replication.factor", rf),
            ("sim.produce.rate", "100"),
        ]);
        let mut run = Run::new(c, 9);
        run.run_until(SimTime(2 * S));
        let l = run.latency();
        let times = run.request_times();
        assert!(times.len() > 50, "{} requests", times.len());
        let mut answered = 0;
        for (rid, sent, appended, response) in times {
            let Some(resp) = response else { continue };
            answered += 1;
            assert_eq!(
                appended.since(sent),
                l,
                "request {rid}: one hop to the leader"
            );
            if acks == "all" && rf == "3" {
                assert!(
                    resp.since(appended) >= 3 * l,
                    "acks=all request {rid}: appended {appended:?}, answered {resp:?}: before the followers could have it"
                );
                assert!(resp.since(appended) > 2 * l);
            } else {
                assert_eq!(
                    resp.since(appended),
                    l,
                    "acks={acks} rf={rf} request {rid}: answered at the append"
                );
                assert_eq!(
                    resp.since(sent),
                    2 * l,
                    "acks={acks} rf={rf} request {rid}: one round trip"
                );
            }
        }
        assert!(answered > 50);
    }
}

/// acks=0: no ProduceResponse is ever sent; records complete when sent, and every one of them
/// still reaches the log (no faults).
#[test]
fn acks_0_has_no_produce_responses() {
    let c = config(&[("acks", "0"), ("sim.produce.rate", "500")]);
    let mut run = Run::new(c, 4);
    run.run_until(SimTime(2 * S));
    run.sim.apply(set("sim.produce.rate", "0")).unwrap();
    run.run_until(SimTime(3 * S));
    assert!(run.count_kind(MessageKind::Produce) > 100);
    assert_eq!(
        run.count_kind(MessageKind::ProduceResponse),
        0,
        "acks=0 got a response"
    );
    for e in &run.events {
        match &e.event {
            Event::Delivered {
                kind: MessageKind::ProduceResponse,
                ..
            } => panic!("response delivered: {e:?}"),
            Event::Delivered {
                kind: MessageKind::Produce,
                detail: Delivery::Appended { responded, .. },
                ..
            } => {
                assert!(!responded, "the leader answered an acks=0 request");
            }
            _ => {}
        }
    }
    let s = run.sim.summary();
    assert!(s.records_sent > 900);
    assert_eq!(
        s.records_acknowledged, s.records_sent,
        "acks=0 records complete when sent"
    );
    let in_logs: u64 = s.partitions.iter().map(|p| p.log_end_offset).sum();
    assert_eq!(in_logs, s.records_sent);
    // Contrast: acks=1 is answered.
    let mut one = Run::new(config(&[("acks", "1"), ("sim.produce.rate", "500")]), 4);
    one.run_until(SimTime(S));
    assert!(one.count_kind(MessageKind::ProduceResponse) > 100);
}

/// Ages (send time - creation) of every batch the producer sent.
fn batch_ages(run: &Run) -> Vec<u64> {
    let mut ages = Vec::new();
    for m in &run.messages {
        if let Body::Produce { batches, .. } = &m.body {
            for (_, b) in batches {
                ages.push(m.sent_at.since(b.created_at));
            }
        }
    }
    ages
}

/// linger.ms: at a low rate a batch never fills, so it leaves when it is linger.ms old;
/// with linger.ms=0 it leaves at once.
#[test]
fn linger_holds_batches_at_a_low_rate() {
    for (linger, want) in [("50", 50 * MS), ("0", 0)] {
        let c = config(&[
            ("linger.ms", linger),
            ("sim.produce.rate", "5"),
            ("sim.keys", "0"),
        ]);
        let mut run = Run::new(c, 1);
        run.run_until(SimTime(10 * S));
        let ages = batch_ages(&run);
        assert!(ages.len() >= 45, "{} batches", ages.len());
        for a in ages {
            assert!(
                a >= want && a <= want + MS,
                "linger.ms={linger}: a batch left at age {a}us"
            );
        }
    }
}

/// A small batch.size fills batches: with one partition and a rate far above what one batch
/// holds per linger.ms, every batch sent is full (the next record would not fit) and none is
/// larger than batch.size.
#[test]
fn small_batch_size_sends_full_batches() {
    let c = config(&[
        ("num.partitions", "1"),
        ("batch.size", "1000"),
        ("linger.ms", "50"),
        ("sim.produce.rate", "8000"),
        ("sim.keys", "0"),
    ]);
    let mut run = Run::new(c, 2);
    run.run_until(SimTime(S / 2));
    let mut batches = 0;
    for m in &run.messages {
        if let Body::Produce { batches: bs, .. } = &m.body {
            for (_, b) in bs {
                batches += 1;
                let last = b.records.last().unwrap().size_bytes;
                assert!(
                    b.size_bytes <= 1000,
                    "batch {} has {} bytes",
                    b.id,
                    b.size_bytes
                );
                assert!(
                    b.size_bytes + last + 2 > 1000,
                    "batch {} left with {} bytes: not full",
                    b.id,
                    b.size_bytes
                );
                assert!(
                    b.records.len() >= 8,
                    "batch {}: {} records",
                    b.id,
                    b.records.len()
                );
            }
        }
    }
    assert!(batches > 100, "{batches} batches");
    // Contrast: the default batch.size at a low rate sends batches far from full.
    let mut low = Run::new(
        config(&[("num.partitions", "1"), ("sim.produce.rate", "200")]),
        2,
    );
    low.run_until(SimTime(S));
    let small = low
        .messages
        .iter()
        .filter_map(|m| {
            if let Body::Produce { batches, .. } = &m.body {
                Some(batches)
            } else {
                None
            }
        })
        .flatten()
        .filter(|(_, b)| b.size_bytes < 1000)
        .count();
    assert!(small > 50);
}

/// Piggyback: when one partition's batch is ready, the drain takes the first batch of every
/// other partition the same broker leads, ready or not. With 2 partitions per broker and
/// linger some batches leave early; with 1 partition per broker none can.
#[test]
fn batches_piggyback_on_ready_ones() {
    let settings = |parts| {
        config(&[
            ("num.partitions", parts),
            ("linger.ms", "20"),
            ("sim.keys", "1000"),
            ("sim.keyless.percent", "0"),
            ("sim.produce.rate", "300"),
        ])
    };
    let mut run = Run::new(settings("6"), 5);
    run.run_until(SimTime(3 * S));
    let p = &run.sim.producers()[0];
    assert!(
        p.stats.batches_piggybacked > 0,
        "no piggybacked batch in {} batches",
        p.stats.batches_sent
    );
    // The piggybacked batches were younger than linger.ms when they left.
    let young = batch_ages(&run)
        .into_iter()
        .filter(|a| *a < 20 * MS)
        .count() as u64;
    assert_eq!(
        young, p.stats.batches_piggybacked,
        "batches sent before linger.ms without being full"
    );

    let mut alone = Run::new(settings("3"), 5);
    let mut leaders: Vec<u32> = alone.sim.topics()[0]
        .leaders()
        .into_iter()
        .map(|l| l.unwrap())
        .collect();
    leaders.sort();
    assert_eq!(leaders, [0, 1, 2], "one partition per broker");
    alone.run_until(SimTime(3 * S));
    let p = &alone.sim.producers()[0];
    assert!(p.stats.batches_sent > 100);
    assert_eq!(
        p.stats.batches_piggybacked, 0,
        "one partition per broker: nothing to ride along"
    );
}

/// sim.send.mode=sync (`send().get()`): at most one record queued or in flight at any time,
/// each send waits for the previous acknowledgement, so the rate falls to one record per round
/// trip; async at the same rate has many records open and keeps the rate.
#[test]
fn sync_send_has_one_record_in_flight() {
    let mut max_open = HashMap::new();
    for mode in ["sync", "async"] {
        let c = config(&[("sim.send.mode", mode), ("sim.produce.rate", "1000")]);
        let mut run = Run::new(c, 8);
        let mut most = 0;
        run.run_until_with(SimTime(2 * S), |sim, _| {
            let open: u64 = sim
                .producers()
                .iter()
                .map(|p| p.accumulator.queued_records() + p.in_flight_records())
                .sum();
            most = most.max(open);
        });
        max_open.insert(mode, most);
        // send() and the acknowledgement of its record alternate: the application sends the
        // next record only after get() returned.
        let steps: Vec<char> = run
            .events
            .iter()
            .filter_map(|e| match e.event {
                Event::RecordAppended { .. } => Some('s'),
                Event::Delivered {
                    kind: MessageKind::ProduceResponse,
                    ..
                } => Some('a'),
                _ => None,
            })
            .collect();
        let alternating = steps.windows(2).all(|w| w[0] != w[1]);
        let s = run.sim.summary();
        if mode == "sync" {
            assert!(
                alternating,
                "sync: a send() did not wait for the previous acknowledgement"
            );
            assert!(s.records_sent > 150, "{} sent", s.records_sent);
            assert!(
                s.records_sent < 1_000,
                "sync at 1000/s with linger.ms=5 + a 4 ms acks=all round trip sent {}",
                s.records_sent
            );
            assert!(s.records_acknowledged + 1 >= s.records_sent);
            for m in &run.messages {
                assert!(m.body.kind() != MessageKind::Produce || m.body.record_count() == 1);
            }
        } else {
            assert!(!alternating);
            assert!(
                s.records_sent >= 1_999,
                "async keeps the rate: {} sent",
                s.records_sent
            );
        }
    }
    assert_eq!(max_open["sync"], 1, "sync: records open at once");
    assert!(
        max_open["async"] > 1,
        "async: records open at once {}",
        max_open["async"]
    );
}

/// An invalid live change returns an error naming the field and leaves the simulation exactly
/// as it was: same summary, snapshot and trace hash, and it continues exactly like an
/// untouched clone.
#[test]
fn invalid_live_change_leaves_the_sim_untouched() {
    let mut sim = Sim::new(
        config(&[
            ("sim.produce.rate", "500"),
            ("group.initial.rebalance.delay.ms", "100"),
        ]),
        12,
    )
    .unwrap();
    sim.run_until(SimTime(1_500 * MS));
    let untouched = sim.clone();
    let (summary, snapshot, hash) = (sim.summary(), sim.snapshot(), sim.trace().hash());
    for (name, value) in [
        ("acks", "2"),
        ("linger.ms", "-1"),
        ("num.partitions", "0"),
        ("batch.size", "lots"),
        ("enable.idempotence", "maybe"),
        // Kafka never removes partitions; and a valid value that cannot change live (yet).
        ("num.partitions", "3"),
        ("sim.brokers", "5"),
    ] {
        let err = sim
            .apply(set(name, value))
            .expect_err(&format!("{name}={value} accepted"));
        assert_eq!(err.field, name, "{name}={value}: {err}");
        assert!(!err.message.is_empty());
        assert_eq!(sim.summary(), summary, "{name}={value} changed the summary");
        assert_eq!(
            sim.snapshot(),
            snapshot,
            "{name}={value} changed the snapshot"
        );
        assert_eq!(sim.trace().hash(), hash);
        assert_eq!(
            sim.config(),
            untouched.config(),
            "{name}={value} changed the config"
        );
        assert!(
            sim.changes().is_empty(),
            "{name}={value} was recorded as applied"
        );
    }
    // acks=1 with an explicit enable.idempotence=true is refused as Kafka refuses it.
    sim.apply(set("enable.idempotence", "true")).unwrap();
    let err = sim.apply(set("acks", "1")).unwrap_err();
    assert_eq!(err.field, "acks");
    assert_eq!(sim.config().producers[0].acks.value.name(), "all");
    // Continuing: identical to the clone that never saw the refused changes (the valid
    // enable.idempotence=true replaced the producer, so compare a clone given the same).
    let mut twin = untouched.clone();
    twin.apply(set("enable.idempotence", "true")).unwrap();
    let mut plain = untouched;
    let mut refused = Sim::new(
        config(&[
            ("sim.produce.rate", "500"),
            ("group.initial.rebalance.delay.ms", "100"),
        ]),
        12,
    )
    .unwrap();
    refused.run_until(SimTime(1_500 * MS));
    for (n, v) in [("acks", "2"), ("linger.ms", "-1"), ("num.partitions", "0")] {
        assert!(refused.apply(set(n, v)).is_err());
    }
    for s in [&mut sim, &mut twin, &mut plain, &mut refused] {
        s.run_until(SimTime(3 * S));
    }
    assert_eq!(sim.summary(), twin.summary());
    assert_eq!(sim.snapshot(), twin.snapshot());
    assert_eq!(refused.summary(), plain.summary());
    assert_eq!(refused.snapshot(), plain.snapshot());
    assert_eq!(refused.trace().hash(), plain.trace().hash());
    assert!(plain.summary().records_consumed > 0);
}

/// `sim.produce.rate` is a live setting: taken to 0 the application stops; taken back up it
/// must send again (a page slider does exactly this), and a world started at 0 must start
/// sending when the rate is raised.
#[test]
fn produce_rate_back_from_zero_resumes_sending() {
    let mut sim = Sim::new(Config::preset(), 1).unwrap();
    sim.run_until(SimTime(S));
    sim.apply(set("sim.produce.rate", "0")).unwrap();
    sim.run_until(SimTime(2 * S));
    let stopped = sim.summary().records_sent;
    sim.run_until(SimTime(2_500 * MS));
    assert_eq!(
        sim.summary().records_sent,
        stopped,
        "rate 0 stops the application"
    );
    sim.apply(set("sim.produce.rate", "200")).unwrap();
    sim.run_until(SimTime(3_500 * MS));
    let resumed = sim.summary().records_sent - stopped;
    assert!(
        (190..=210).contains(&resumed),
        "{resumed} records in the second after the rate went back to 200/s"
    );

    let mut zero = Sim::new(config(&[("sim.produce.rate", "0")]), 1).unwrap();
    zero.run_until(SimTime(500 * MS));
    assert_eq!(zero.summary().records_sent, 0);
    zero.apply(set("sim.produce.rate", "200")).unwrap();
    zero.run_until(SimTime(1_500 * MS));
    let sent = zero.summary().records_sent;
    assert!(
        (190..=210).contains(&sent),
        "{sent} records in the second after the rate went from 0 to 200/s"
    );
}

/// The event enum promises `ProducerClosed` when a replaced producer instance finished
/// closing; the page animates from the trace, so the transition must be in it.
#[test]

fn producer_closed_is_in_the_trace() {
    let mut run = Run::new(config(&[("sim.produce.rate", "1000")]), 42);
    run.run_until(SimTime(S));
    while run.sim.producers()[0].in_flight_records() == 0 {
        run.run_until(run.sim.next_event_time().unwrap());
    }
    run.sim.apply(set("linger.ms", "20")).unwrap();
    run.run_until(SimTime(2 * S));
    assert_eq!(
        run.sim.producers()[0].state,
        streamscope_core::producer::ProducerState::Closed
    );
    assert!(
        run.events
            .iter()
            .any(|e| matches!(e.event, Event::ProducerClosed { producer: 0 })),
        "instance 0 closed but no ProducerClosed event was recorded"
    );
}
