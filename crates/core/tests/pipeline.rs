//! The consume-transform-produce pipeline (`sim.pipeline=ctp`): exactly_once_v2 vs
//! at_least_once under processor crashes, sendOffsetsToTransaction, requireStable.

use streamscope_core::app::pipeline::PipelineAction;
use streamscope_core::event::{Delivery, Event};
use streamscope_core::net::{GroupError, MessageKind, Node, TopicPartitionId};
use streamscope_core::sim::schedule::parse_fault;
use streamscope_core::{Change, Config, Sim, SimTime};

fn world(guarantee: &str, settings: &[(&str, &str)]) -> Config {
    let mut c = Config::preset();
    c.set("sim.pipeline", "ctp").unwrap();
    c.set("processing.guarantee", guarantee).unwrap();
    for (k, v) in settings {
        c.set(k, v).unwrap();
    }
    c
}

fn run(c: Config, seed: u64, until_s: u64, script: &[(u64, Change)]) -> Sim {
    run_collect(c, seed, until_s, script).0
}

#[test]
fn pipeline_smoke() {
    for g in ["at_least_once", "exactly_once_v2"] {
        let sim = run(world(g, &[]), 7, 5, &[]);
        let r = sim.pipeline_report().unwrap();
        eprintln!("{g}: {r:?}");
        assert!(r.input > 500);
        assert_eq!(r.missing, 0);
        assert_eq!(r.duplicates, 0);
    }
}

/// `run` keeping every event (the trace itself is a bounded ring).
fn run_collect(
    c: Config,
    seed: u64,
    until_s: u64,
    script: &[(u64, Change)],
) -> (Sim, Vec<(u64, Event)>) {
    drive(Sim::new(c, seed).unwrap(), until_s, script, false)
}

/// Runs to `until_s` with the faults, ends them and drains, keeping every event.
fn run_faults(c: Config, seed: u64, until_s: u64, faults: &[&str]) -> (Sim, Vec<(u64, Event)>) {
    let mut sim = Sim::new(c, seed).unwrap();
    for f in faults {
        sim.schedule_fault(parse_fault(f).unwrap()).unwrap();
    }
    drive(sim, until_s, &[], true)
}

/// Applies the script's changes at their times (ms), runs to `until_s`, ends the faults if
/// asked, then drains until the run settles (or fails the test), collecting every event.
fn drive(
    mut sim: Sim,
    until_s: u64,
    script: &[(u64, Change)],
    end_faults: bool,
) -> (Sim, Vec<(u64, Event)>) {
    let mut events = Vec::new();
    let step_to = |sim: &mut Sim, t: SimTime, events: &mut Vec<(u64, Event)>| {
        while let Some(e) = sim.step_until(t) {
            events.push((e.time.micros(), e.event.clone()));
        }
    };
    for (at_ms, ch) in script {
        step_to(&mut sim, SimTime(at_ms * 1000), &mut events);
        sim.apply(ch.clone()).unwrap();
    }
    step_to(&mut sim, SimTime(until_s * 1_000_000), &mut events);
    if end_faults {
        sim.end_faults();
    }
    sim.begin_drain();
    let limit = sim.now().plus(300_000_000);
    while !sim.settled() {
        match sim.step_until(limit) {
            Some(e) => events.push((e.time.micros(), e.event.clone())),
            None => {
                dump(&sim);
                panic!("the run does not settle");
            }
        }
    }
    (sim, events)
}

/// Times of the events matching `f`.
fn times(events: &[(u64, Event)], f: impl Fn(&Event) -> bool) -> Vec<u64> {
    events
        .iter()
        .filter(|(_, e)| f(e))
        .map(|(t, _)| *t)
        .collect()
}

#[test]
fn at_least_once_crash_between_produce_and_commit_repeats_work() {
    let (sim, _) = run_faults(
        world("at_least_once", &[]),
        11,
        10,
        &["crash:processor=0,in-txn@2s..4s"],
    );
    let r = sim.pipeline_report().unwrap();
    assert_eq!(r.processor_crashes, 1);
    assert_eq!(r.missing, 0, "{r:?}");
    assert!(
        r.duplicates > 0,
        "the output of the uncommitted poll is written again: {r:?}"
    );
}

#[test]
fn exactly_once_restart_with_same_transactional_id_aborts_at_once() {
    let (sim, events) = run_faults(
        world("exactly_once_v2", &[]),
        11,
        10,
        &["crash:processor=0,in-txn@2s..4s"],
    );
    let r = sim.pipeline_report().unwrap();
    assert_eq!(
        (r.duplicates, r.missing, r.out_of_order),
        (0, 0, 0),
        "{r:?}"
    );
    assert_eq!(r.output_committed, r.input);
    // The open transaction ends with the restart (InitProducerId fences and aborts it),
    // long before transaction.timeout.ms (10 s) would.
    let aborts = times(&events, |e| {
        matches!(
            e,
            Event::Delivered {
                detail: Delivery::MarkersWritten { commit: false, .. },
                ..
            }
        )
    });
    let crash = times(&events, |e| matches!(e, Event::FaultStarted { .. }))[0];
    assert!(!aborts.is_empty(), "ABORT markers are written");
    assert!(
        aborts[0] >= 4_000_000 && aborts[0] < 5_000_000,
        "aborted at the restart (4 s): {aborts:?}, crash at {crash}"
    );
    assert!(
        times(
            &events,
            |e| matches!(e, Event::TransactionsTimedOut { aborted, .. } if *aborted > 0)
        )
        .is_empty(),
        "no timeout needed"
    );
}

#[test]
fn exactly_once_replacement_with_new_id_waits_for_the_timeout_and_unstable_offsets() {
    // A short session so the group hands the crashed member's partitions over before the
    // abandoned transaction times out.
    let (sim, events) = run_faults(
        world(
            "exactly_once_v2",
            &[
                ("session.timeout.ms", "6000"),
                ("heartbeat.interval.ms", "1000"),
            ],
        ),
        11,
        20,
        &["crash:processor=0,in-txn,new-id@2s..3s"],
    );
    let r = sim.pipeline_report().unwrap();
    assert_eq!(
        (r.duplicates, r.missing, r.out_of_order),
        (0, 0, 0),
        "{r:?}"
    );
    assert_eq!(r.output_committed, r.input);
    // The coordinator aborted the abandoned transaction at transaction.timeout.ms (10 s,
    // checked every 10 s), not at the replacement's start.
    let timed_out = times(
        &events,
        |e| matches!(e, Event::TransactionsTimedOut { aborted, .. } if *aborted > 0),
    );
    if timed_out.is_empty() {
        for (t, e) in events.iter().filter(|(_, e)| {
            matches!(
                e,
                Event::FaultStarted { .. }
                    | Event::FaultEnded { .. }
                    | Event::PipelineStep { processor: 0, .. }
                    | Event::TransactionsTimedOut { .. }
            )
        }) {
            eprintln!("{t} {e:?}");
        }
        dump(&sim);
    }
    assert!(!timed_out.is_empty(), "the open transaction timed out");
    assert!(timed_out[0] >= 12_000_000, "{timed_out:?}");
    // Meanwhile the new owner of its partitions waited: UNSTABLE_OFFSET_COMMIT.
    let unstable = times(&events, |e| {
        matches!(
            e,
            Event::Delivered {
                detail: Delivery::GroupRefused {
                    error: GroupError::UnstableOffsetCommit
                },
                ..
            }
        )
    });
    if unstable.is_empty() {
        for (t, e) in events.iter().filter(|(t, e)| {
            *t < 25_000_000
                && matches!(
                    e,
                    Event::FaultStarted { .. }
                        | Event::TransactionsTimedOut { .. }
                        | Event::Delivered {
                            kind: MessageKind::OffsetFetch
                                | MessageKind::OffsetFetchResponse
                                | MessageKind::SyncGroupResponse,
                            ..
                        }
                )
        }) {
            eprintln!("{t} {e:?}");
        }
    }
    assert!(
        !unstable.is_empty(),
        "OffsetFetch with requireStable waited"
    );
    assert!(
        unstable.iter().all(|t| *t <= timed_out[0] + 1_000_000),
        "{unstable:?}"
    );
}

#[test]
fn an_abandoned_transaction_holds_the_output_lso_back() {
    let mut sim = Sim::new(world("exactly_once_v2", &[]), 11).unwrap();
    sim.schedule_fault(parse_fault("crash:processor=0,in-txn,new-id@2s..3s").unwrap())
        .unwrap();
    let mut lso_held = false;
    while sim.now() < SimTime(9_000_000) {
        sim.step();
        if sim.now() > SimTime(5_000_000) {
            for p in 0..6 {
                let tp = TopicPartitionId {
                    topic: 1,
                    partition: p,
                };
                let hw = sim.partition(tp).unwrap().high_watermark();
                let lso = sim.last_stable_offset(tp);
                assert!(lso <= hw);
                lso_held |= lso < hw;
            }
        }
    }
    assert!(
        lso_held,
        "the abandoned transaction holds an output LSO back"
    );
}

#[test]
fn stale_generation_txn_offset_commit_is_refused_and_the_work_redone() {
    // A processor so slow that it is removed by max.poll.interval.ms while it processes: its
    // TxnOffsetCommit carries the old group metadata and is refused (KIP-447).
    let c = world("exactly_once_v2", &[("max.poll.interval.ms", "3000")]);
    let script = [
        (
            2_000,
            Change::SlowConsumer {
                consumer: 2,
                per_record_us: 500_000,
            },
        ),
        (
            9_000,
            Change::SlowConsumer {
                consumer: 2,
                per_record_us: 0,
            },
        ),
    ];
    let (sim, events) = run_collect(c, 5, 20, &script);
    let refused = times(&events, |e| {
        matches!(
            e,
            Event::Delivered {
                kind: MessageKind::TxnOffsetCommit,
                detail: Delivery::GroupRefused {
                    error: GroupError::UnknownMemberId | GroupError::IllegalGeneration
                },
                ..
            }
        )
    });
    assert!(!refused.is_empty(), "the stale TxnOffsetCommit is refused");
    let r = sim.pipeline_report().unwrap();
    assert!(r.transactions_aborted >= 1, "{r:?}");
    assert_eq!(
        (r.duplicates, r.missing, r.out_of_order),
        (0, 0, 0),
        "{r:?}"
    );
}

#[test]
fn transaction_version_1_sends_add_offsets_to_txn() {
    for (tv, expect) in [("1", true), ("2", false)] {
        let (sim, events) = run_collect(
            world("exactly_once_v2", &[("transaction.version", tv)]),
            3,
            3,
            &[],
        );
        let sent = times(&events, |e| {
            matches!(
                e,
                Event::Delivered {
                    kind: MessageKind::AddOffsetsToTxn,
                    ..
                }
            )
        });
        assert_eq!(!sent.is_empty(), expect, "transaction.version={tv}");
        let r = sim.pipeline_report().unwrap();
        assert_eq!((r.duplicates, r.missing), (0, 0), "{r:?}");
        assert!(r.transactions_committed > 10);
    }
}

#[test]
fn pipeline_world_is_rejected_cleanly_without_a_pipeline() {
    let mut sim = Sim::new(Config::preset(), 1).unwrap();
    let err = sim
        .apply(Change::CrashProcessor { processor: 0 })
        .unwrap_err();
    assert!(err.message.contains("sim.pipeline=ctp"), "{err}");
    let err = parse_fault("crash:processor=x@1s").unwrap_err();
    assert!(err.message.contains("processor=N"), "{err}");
    let mut sim = Sim::new(world("at_least_once", &[]), 1).unwrap();
    let err = sim
        .schedule_fault(parse_fault("crash:processor=7@1s").unwrap())
        .unwrap_err();
    assert!(err.message.contains("0 to 1"), "{err}");
}

fn dump(sim: &Sim) {
    let pl = sim.pipeline().unwrap();
    for p in &pl.processors {
        eprintln!(
            "processor {} phase {:?} batch {} producer {} tid {:?}",
            p.index,
            p.phase,
            p.batch.len(),
            p.producer,
            p.transactional_id
        );
        let prod = &sim.producers()[p.producer as usize];
        eprintln!(
            "  producer state {:?} txn {:?} inflight {}",
            prod.state,
            prod.txn.as_ref().map(|t| (
                t.state,
                t.request_in_flight,
                t.retry_scheduled,
                t.offsets_added
            )),
            prod.in_flight.len()
        );
    }
    for g in sim.groups() {
        eprintln!(
            "group {} {:?} gen {} members {}",
            g.group_id,
            g.state,
            g.generation,
            g.members.len()
        );
    }
    for c in sim.consumer_summaries() {
        eprintln!("consumer {:?}", c);
    }
    for m in sim.transactions() {
        eprintln!(
            "txn {} {:?} parts {:?}",
            m.transactional_id, m.state, m.partitions
        );
    }
    for e in sim.trace().entries().rev().take(15) {
        eprintln!("{:?}", e);
    }
}

#[test]
#[ignore]
fn debug_seed() {
    let seed: u64 = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let g = std::env::var("G").unwrap_or("exactly_once_v2".into());
    let mut c = world(&g, &[]);
    if let Ok(tv) = std::env::var("TV") {
        c.set("transaction.version", &tv).unwrap();
    }
    if std::env::var("COOP").is_ok() {
        c.set("partition.assignment.strategy", "cooperative-sticky")
            .unwrap();
    }
    let until = SimTime(
        std::env::var("UNTIL")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(60)
            * 1_000_000,
    );
    let mut sim = Sim::new(c.clone(), seed).unwrap();
    for f in streamscope_core::sim::schedule::random_faults(&c, seed, until) {
        sim.schedule_fault(f).unwrap();
    }
    sim.run_until(until);
    sim.end_faults();
    let ok = sim
        .drain(streamscope_core::sim::schedule::drain_limit(&c, until))
        .settled;
    eprintln!("settled {ok} {:?}", sim.pipeline_report());
    let pl = sim.pipeline().unwrap();
    let mut dup_ranges: std::collections::BTreeMap<u32, (u64, u64, u64)> = Default::default();
    for ((p, off), n) in pl.seen.iter() {
        if n > 1 {
            let e = dup_ranges.entry(p).or_insert((off, off, 0));
            e.0 = e.0.min(off);
            e.1 = e.1.max(off);
            e.2 += 1;
        }
    }
    eprintln!("duplicated inputs per partition (min, max, count): {dup_ranges:?}");
    let mut shown = 0;
    for ((p, off), n) in pl.seen.iter() {
        if n > 1 && shown < 4 && off > 100 {
            shown += 1;
            let outs: Vec<u64> = pl
                .origins
                .iter()
                .filter(|(_, o)| *o == (p, off))
                .map(|(id, _)| id)
                .collect();
            for id in outs {
                for q in 0..6u32 {
                    let otp = TopicPartitionId {
                        topic: 1,
                        partition: q,
                    };
                    let opart = sim.partition(otp).unwrap();
                    let olog = &opart.leader_replica().unwrap().log;
                    for (o, e) in olog.range(olog.log_start_offset(), olog.log_end_offset()) {
                        if e.record_id == id {
                            eprintln!("  dup input {p}@{off} -> output {q}@{o} record {id} producer {} pid {} t={:?}", e.producer, e.producer_id, e.timestamp);
                        }
                    }
                }
            }
        }
    }
    for p in 0..6u32 {
        let tp = TopicPartitionId {
            topic: 0,
            partition: p,
        };
        let part = sim.partition(tp).unwrap();
        let log = &part.leader_replica().unwrap().log;
        for (off, _) in log.range(log.log_start_offset(), part.high_watermark()) {
            if !pl.seen.contains_key(&(p, off)) {
                let outs: Vec<_> = pl
                    .origins
                    .iter()
                    .filter(|(_, o)| *o == (p, off))
                    .map(|(id, _)| id)
                    .collect();
                eprintln!("missing input {p}@{off}; output record ids {outs:?}");
                for id in &outs {
                    eprintln!("  info {:?}", sim.record_info(*id));
                }
                for id in outs {
                    for q in 0..6u32 {
                        let otp = TopicPartitionId {
                            topic: 1,
                            partition: q,
                        };
                        let opart = sim.partition(otp).unwrap();
                        let olog = &opart.leader_replica().unwrap().log;
                        for (o, e) in olog.range(olog.log_start_offset(), olog.log_end_offset()) {
                            if e.record_id == id {
                                eprintln!(
                                    "  output {q}@{o} pid {} epoch {} txn {:?}",
                                    e.producer_id,
                                    e.producer_epoch,
                                    sim.partition_transactions(otp)
                                        .map(|t| (&t.ongoing, &t.aborted))
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    for g in sim.groups() {
        eprintln!(
            "{} committed {:?} pending {:?}",
            g.group_id, g.committed, g.pending_txn_offsets
        );
    }
    for c in sim.consumers() {
        eprintln!(
            "C{} state {:?} alive {} busy {:?} inflight {:?} positions {:?} buffer {} rejoin {} sync_wait {:?} coord {:?} reqs {:?}",
            c.index, c.state, c.alive, c.busy_until, c.fetch_in_flight, c.positions, c.buffer.len(), c.rejoin_requested, c.commit_sync_wait, c.coordinator, c.coordinator_requests
        );
    }
    dump(&sim);
}

/// At-least-once, a processor flush()es its output before committing: Kafka's `flush()`
/// (`RecordAccumulator.beginFlush`) makes every batch sendable at once, without waiting for
/// linger.ms (5 ms by default), so the output's Produce leaves at the moment of the flush.
#[test]
fn at_least_once_flush_sends_the_output_without_waiting_for_linger() {
    let c = world("at_least_once", &[]);
    let latency = c.sim.network_latency_us.value;
    let mut sim = Sim::new(c, 11).unwrap();
    // (producer of the processor, time of its flush) waiting for their Produce.
    let mut waiting: Vec<(u32, u64)> = Vec::new();
    let mut checked = 0;
    while let Some(e) = sim.step_until(SimTime(3_000_000)) {
        let (t, event) = (e.time.micros(), e.event.clone());
        match event {
            Event::PipelineStep {
                processor,
                action: PipelineAction::Produced { records },
            } if records > 0 => {
                let p = &sim.pipeline().unwrap().processors[processor as usize];
                waiting.push((p.producer, t));
            }
            Event::Delivered {
                kind: MessageKind::Produce,
                from: Node::Producer(x),
                ..
            } => {
                if let Some(i) = waiting.iter().position(|(p, _)| *p == x) {
                    let (_, flushed_at) = waiting.remove(i);
                    assert_eq!(
                        t,
                        flushed_at + latency,
                        "the output of the flush at {flushed_at} us waited before it was sent"
                    );
                    checked += 1;
                }
            }
            _ => {}
        }
    }
    assert!(checked > 20, "only {checked} flushes seen");
}

/// The processors' group coordinator goes down for longer than broker.session.timeout.ms
/// (RF 1: its `__consumer_offsets` partition is offline once the controller fences it): a
/// TxnOffsetCommit sent to the dead broker times out after request.timeout.ms (30 s), finds
/// no coordinator, and is retried by the transaction manager every retry.backoff.ms until the
/// broker is back; the pipeline then ends with every input in the output exactly once.
#[test]
fn txn_offset_commits_are_retried_through_a_group_coordinator_outage() {
    let mut retries = Vec::new();
    for broker in 0..3 {
        let c = world(
            "exactly_once_v2",
            &[("replication.factor", "1"), ("transaction.version", "2")],
        );
        let fault = format!("crash:broker={broker}@2s..40s");
        let (sim, events) = run_faults(c, 5, 45, &[&fault]);
        let r = sim.pipeline_report().unwrap();
        assert_eq!(
            (r.duplicates, r.missing, r.out_of_order),
            (0, 0, 0),
            "broker {broker} down: {r:?}"
        );
        assert_eq!(r.output_committed, r.input, "broker {broker} down: {r:?}");
        let retried_in_outage = times(&events, |e| matches!(e, Event::TransactionRetried { .. }))
            .into_iter()
            .filter(|t| (32_000_000..40_000_000).contains(t))
            .count();
        retries.push(retried_in_outage);
    }
    // One of the three brokers is the group coordinator: its outage is retried through.
    assert!(
        retries.iter().any(|n| *n > 10),
        "retries in each outage: {retries:?}"
    );
}
