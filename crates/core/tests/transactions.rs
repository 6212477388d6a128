//! Transactions: the coordinator and its markers, the last stable offset, read_committed
//! consumers, fencing, transaction.timeout.ms, and what transaction.version 2 folds away.
//! Fixed seeds; every test asserts that what it checks actually happened.

use std::collections::{BTreeMap, BTreeSet};
use streamscope_core::config::GroupConfig;
use streamscope_core::consumer::BufferedRecord;
use streamscope_core::coordinator::txn::state::TxnState;
use streamscope_core::event::{Delivery, Event};
use streamscope_core::log::EntryKind;
use streamscope_core::net::{KafkaError, MessageKind, Node, TopicPartitionId};
use streamscope_core::{Change, Config, Sim, SimTime};

/// The preset with a transactional producer (`tx-1`).
fn world(settings: &[(&str, &str)]) -> Config {
    let mut c = Config::preset();
    c.set("transactional.id", "tx-1").unwrap();
    for (k, v) in settings {
        c.set(k, v).unwrap();
    }
    c
}

/// Adds a second group, `g2`, like the first but with the other isolation level.
fn with_second_group(mut c: Config) -> Config {
    let mut g: GroupConfig = c.groups[0].clone();
    g.group_id = "g2".to_string();
    let other = if format!("{:?}", g.consumer.isolation_level.value) == "ReadCommitted" {
        "read_uncommitted"
    } else {
        "read_committed"
    };
    c.groups.push(g);
    let mut probe = c.clone();
    probe.set("isolation.level", other).unwrap();
    c.groups[1].consumer.isolation_level = probe.groups[1].consumer.isolation_level;
    c
}

fn tps(sim: &Sim) -> Vec<TopicPartitionId> {
    (0..sim.topics()[0].partitions.len() as u32)
        .map(|partition| TopicPartitionId {
            topic: 0,
            partition,
        })
        .collect()
}

/// What the leaders' logs say about transactional records: record id -> committed (true)
/// or aborted (false); records whose transaction has no marker yet are absent.
fn outcomes(sim: &Sim) -> BTreeMap<u64, bool> {
    let mut out = BTreeMap::new();
    for tp in tps(sim) {
        let p = sim.partition(tp).unwrap();
        let log = &p.leader_replica().unwrap().log;
        let mut open: BTreeMap<i64, Vec<u64>> = BTreeMap::new();
        for (_, e) in log.range(log.log_start_offset(), log.log_end_offset()) {
            if !e.transactional {
                continue;
            }
            match e.kind {
                EntryKind::Data => open.entry(e.producer_id).or_default().push(e.record_id),
                EntryKind::ControlCommit | EntryKind::ControlAbort => {
                    for id in open.remove(&e.producer_id).unwrap_or_default() {
                        out.insert(id, e.kind == EntryKind::ControlCommit);
                    }
                }
            }
        }
    }
    out
}

/// Steps until `t`, collecting the records each consumer's `poll()` returned to the
/// application (by consumer), and calling `check` after every event.
fn run_collecting(
    sim: &mut Sim,
    t: SimTime,
    returned: &mut BTreeMap<u32, Vec<BufferedRecord>>,
    mut check: impl FnMut(&Sim, &Event),
) {
    loop {
        let before: Vec<Vec<BufferedRecord>> = sim
            .consumers()
            .iter()
            .map(|c| c.buffer.iter().copied().collect())
            .collect();
        let Some(e) = sim.step_until(t).map(|e| e.event.clone()) else {
            break;
        };
        check(sim, &e);
        if let Event::Polled { consumer, records } = e {
            let c = &sim.consumers()[consumer as usize];
            let got: Vec<BufferedRecord> = before[consumer as usize]
                .iter()
                .filter(|r| {
                    r.visible
                        && !c.buffer.contains(r)
                        && c.positions.get(&r.tp).is_some_and(|p| r.offset < *p)
                })
                .copied()
                .collect();
            assert_eq!(got.len() as u32, records, "poll() returned what it counted");
            returned.entry(consumer).or_default().extend(got);
        }
    }
}

/// `Sim::drain`, collecting what consumers return on the way.
fn drain_collecting(sim: &mut Sim, returned: &mut BTreeMap<u32, Vec<BufferedRecord>>) -> bool {
    sim.begin_drain();
    let limit = sim.now().plus(20_000_000);
    while sim.now() < limit {
        if sim.settled() {
            return true;
        }
        let next = sim.now().plus(10_000);
        run_collecting(sim, next, returned, |_, _| {});
        sim.run_until(next);
    }
    sim.settled()
}

#[test]
fn read_committed_never_returns_aborted_records_read_uncommitted_does() {
    for version in ["1", "2"] {
        let c = with_second_group(world(&[
            ("isolation.level", "read_committed"),
            ("sim.transaction.abort.percent", "40"),
            ("transaction.version", version),
        ]));
        let mut sim = Sim::new(c, 7).unwrap();
        let mut returned = BTreeMap::new();
        run_collecting(&mut sim, SimTime(4_000_000), &mut returned, |_, _| {});
        assert!(
            drain_collecting(&mut sim, &mut returned),
            "the run settles (v{version})"
        );
        let outcome = outcomes(&sim);
        let aborted: BTreeSet<u64> = outcome
            .iter()
            .filter(|(_, c)| !**c)
            .map(|(id, _)| *id)
            .collect();
        let committed: BTreeSet<u64> = outcome
            .iter()
            .filter(|(_, c)| **c)
            .map(|(id, _)| *id)
            .collect();
        assert!(
            aborted.len() > 20 && committed.len() > 50,
            "premise: both kinds exist (v{version})"
        );
        let by_group = |g: u32| -> BTreeSet<u64> {
            returned
                .iter()
                .filter(|(c, _)| sim.consumers()[**c as usize].group == g)
                .flat_map(|(_, rs)| rs.iter().map(|r| r.entry.record_id))
                .collect()
        };
        let (rc, ru) = (by_group(0), by_group(1));
        assert!(
            rc.is_disjoint(&aborted),
            "read_committed returned an aborted record (v{version})"
        );
        assert_eq!(
            rc, committed,
            "read_committed returns every committed record (v{version})"
        );
        assert!(
            aborted.is_subset(&ru),
            "read_uncommitted returns aborted records too (v{version})"
        );
        // Control markers are never returned, by either level.
        let markers: usize = returned
            .values()
            .flatten()
            .filter(|r| r.entry.kind != EntryKind::Data)
            .count();
        assert_eq!(markers, 0);
        // The monitor: aborted records are written once, acknowledged, and in the log: no
        // duplicates, nothing lost, markers not counted as data.
        let m = sim.monitor().counts();
        assert_eq!(
            (m.duplicates, m.acknowledged_lost, m.out_of_order),
            (0, 0, 0),
            "v{version}"
        );
        // read_committed lag is measured to the last stable offset: 0 once settled.
        assert!(sim.consumer_summaries().iter().all(|c| c.lag == 0));
    }
}

#[test]
fn last_stable_offset_never_passes_the_high_watermark() {
    let c = world(&[
        ("sim.transaction.records", "25"),
        ("isolation.level", "read_committed"),
        // Requests to the crashed broker give up sooner than the default 30 s.
        ("request.timeout.ms", "2000"),
    ]);
    let mut sim = Sim::new(c, 11).unwrap();
    let coordinator = sim.transaction_coordinator("tx-1").1;
    let victim = (coordinator + 1) % 3;
    let (mut checks, mut below) = (0u64, 0u64);
    let all = tps(&sim);
    let mut step_to = |sim: &mut Sim, t: u64| {
        while sim.step_until(SimTime(t)).is_some() {
            for tp in &all {
                let lso = sim.last_stable_offset(*tp);
                let hw = sim.partition(*tp).unwrap().high_watermark();
                assert!(
                    lso <= hw,
                    "LSO {lso} > HW {hw} on {tp:?} at {:?}",
                    sim.now()
                );
                checks += 1;
                if lso < hw {
                    below += 1;
                }
            }
        }
    };
    step_to(&mut sim, 1_500_000);
    sim.apply(Change::CrashBroker { broker: victim }).unwrap();
    step_to(&mut sim, 4_000_000);
    sim.apply(Change::RestartBroker { broker: victim }).unwrap();
    step_to(&mut sim, 12_000_000);
    assert!(
        checks > 10_000 && below > 1_000,
        "premise: open transactions held the LSO back ({below} of {checks})"
    );
    let committed = sim.producers()[0].txn.as_ref().unwrap().committed;
    assert!(
        committed > 20,
        "premise: transactions went on through the crash ({committed})"
    );
}

#[test]
fn a_zombie_is_fenced_and_none_of_its_later_writes_is_visible() {
    for version in ["1", "2"] {
        let c = world(&[
            ("isolation.level", "read_committed"),
            ("transaction.version", version),
            ("sim.transaction.records", "40"),
        ]);
        let mut sim = Sim::new(c, 3).unwrap();
        let mut returned = BTreeMap::new();
        run_collecting(&mut sim, SimTime(1_100_000), &mut returned, |_, _| {});
        let zombie = 0u32;
        assert_eq!(
            sim.producers()[0].txn.as_ref().unwrap().state.name(),
            "IN_TRANSACTION",
            "premise (v{version})"
        );
        let started = sim.now();
        let sent_before = sim.producers()[0].stats.records_sent;
        sim.apply(Change::StartZombie { producer: 0 }).unwrap();
        let mut fenced_answers = 0;
        run_collecting(&mut sim, SimTime(4_000_000), &mut returned, |_, e| {
            if let Event::Delivered {
                detail:
                    Delivery::Acknowledged { error: Some(e), .. } | Delivery::Txn { error: Some(e), .. },
                ..
            } = e
            {
                if e.is_fencing() {
                    fenced_answers += 1;
                }
            }
        });
        let z = &sim.producers()[zombie as usize];
        let t = z.txn.as_ref().unwrap();
        assert_eq!(
            t.state.name(),
            "FATAL_ERROR",
            "the zombie is fenced (v{version})"
        );
        assert!(matches!(
            t.fatal_error,
            Some(KafkaError::ProducerFenced | KafkaError::InvalidProducerEpoch)
        ));
        assert!(fenced_answers >= 1);
        // Premise: the zombie's open transaction had records in the logs, and it kept
        // sending after the new instance started.
        assert!(
            z.stats.records_sent > sent_before,
            "premise: the zombie kept sending (v{version})"
        );
        let outcome = outcomes(&sim);
        let zombie_records: Vec<(u64, SimTime)> = tps(&sim)
            .iter()
            .flat_map(|tp| {
                let log = &sim.partition(*tp).unwrap().leader_replica().unwrap().log;
                log.range(0, log.log_end_offset())
                    .filter(|(_, e)| e.kind == EntryKind::Data && e.producer == zombie)
                    .map(|(_, e)| (e.record_id, e.timestamp))
                    .collect::<Vec<_>>()
            })
            .collect();
        let late: BTreeSet<u64> = zombie_records
            .iter()
            .filter(|(id, ts)| *ts >= started || outcome.get(id) != Some(&true))
            .map(|(id, _)| *id)
            .collect();
        assert!(
            !late.is_empty(),
            "premise: the zombie's open transaction reached the logs (v{version})"
        );
        let seen: BTreeSet<u64> = returned
            .values()
            .flatten()
            .map(|r| r.entry.record_id)
            .collect();
        assert!(
            seen.is_disjoint(&late),
            "a zombie's later write became visible (v{version})"
        );
        // The new instance took over: same producer id, a higher epoch, committing.
        let new = sim.producers().last().unwrap();
        assert_eq!(new.producer_id, z.producer_id);
        assert!(new.epoch > z.epoch);
        assert!(
            new.txn.as_ref().unwrap().committed >= 2,
            "the new instance commits (v{version})"
        );
        assert!(seen.iter().any(|id| outcomes(&sim).get(id) == Some(&true)));
    }
}

#[test]
fn transaction_timeout_aborts_an_abandoned_transaction() {
    let c = world(&[
        ("sim.transaction.records", "0"),
        ("transaction.timeout.ms", "2000"),
        ("isolation.level", "read_committed"),
    ]);
    let mut sim = Sim::new(c, 5).unwrap();
    sim.run_until(SimTime(500_000));
    // Refused while no transaction is open: nothing changes.
    assert!(sim
        .apply(Change::CommitTransaction { producer: 0 })
        .is_err());
    sim.apply(Change::BeginTransaction { producer: 0 }).unwrap();
    assert!(sim.apply(Change::BeginTransaction { producer: 0 }).is_err());
    sim.run_until(SimTime(1_000_000));
    // The application stops sending and never ends its transaction.
    sim.apply(Change::Set {
        name: "sim.produce.rate".into(),
        value: "0".into(),
    })
    .unwrap();
    sim.run_until(SimTime(1_500_000));
    let held: Vec<(TopicPartitionId, u64, u64)> = tps(&sim)
        .into_iter()
        .map(|tp| {
            (
                tp,
                sim.last_stable_offset(tp),
                sim.partition(tp).unwrap().high_watermark(),
            )
        })
        .filter(|(_, lso, hw)| lso < hw)
        .collect();
    assert!(
        held.len() >= 3,
        "premise: the open transaction holds the LSO back: {held:?}"
    );
    let epoch_before = sim.transactions().next().unwrap().epoch;
    let mut timed_out = 0;
    while let Some(e) = sim.step_until(SimTime(15_000_000)) {
        if let Event::TransactionsTimedOut { aborted, .. } = e.event {
            timed_out += aborted;
            // Kafka checks every 10 s: the abort comes between the timeout and 10 s later.
            assert!(e.time >= SimTime(2_500_000) && e.time <= SimTime(13_000_000));
        }
    }
    assert_eq!(timed_out, 1);
    let m = sim.transactions().next().unwrap();
    assert_eq!(m.state, TxnState::CompleteAbort);
    assert_eq!(m.epoch, epoch_before + 1, "the abort bumps the epoch");
    for (tp, lso, _) in held {
        let p = sim.partition(tp).unwrap();
        let log = &p.leader_replica().unwrap().log;
        let (last, e) = log.range(0, log.log_end_offset()).last().unwrap();
        assert_eq!(
            e.kind,
            EntryKind::ControlAbort,
            "{tp:?} ends with the abort marker"
        );
        assert!(p.high_watermark() > last);
        assert_eq!(
            sim.last_stable_offset(tp),
            p.high_watermark(),
            "the LSO moved on"
        );
        assert!(sim.last_stable_offset(tp) > lso);
    }
    // Its producer is fenced when it tries to commit.
    sim.apply(Change::CommitTransaction { producer: 0 })
        .unwrap();
    sim.run_until(SimTime(16_000_000));
    let t = sim.producers()[0].txn.as_ref().unwrap();
    assert_eq!(t.fatal_error, Some(KafkaError::ProducerFenced));
}

#[test]
fn a_commit_makes_its_records_visible_only_with_its_marker() {
    let c = world(&[
        ("isolation.level", "read_committed"),
        ("sim.transaction.records", "30"),
    ]);
    let mut sim = Sim::new(c, 9).unwrap();
    let all = tps(&sim);
    let mut checked = 0u64;
    let mut returned = BTreeMap::new();
    run_collecting(&mut sim, SimTime(3_000_000), &mut returned, |sim, _| {
        // Below the LSO every transactional record already has its marker in the log.
        for tp in &all {
            let lso = sim.last_stable_offset(*tp);
            let log = &sim.partition(*tp).unwrap().leader_replica().unwrap().log;
            // First offset of each producer's transaction not yet closed by a marker.
            let mut open: BTreeMap<i64, u64> = BTreeMap::new();
            for (off, e) in log.range(0, log.log_end_offset()) {
                match e.kind {
                    EntryKind::Data if e.transactional => {
                        open.entry(e.producer_id).or_insert(off);
                    }
                    EntryKind::Data => {}
                    _ => {
                        open.remove(&e.producer_id);
                    }
                }
            }
            let first_open = open.values().min().copied();
            if let Some(f) = first_open {
                assert!(lso <= f, "a record of an open transaction is below the LSO");
                checked += 1;
            }
        }
    });
    assert!(
        checked > 1_000,
        "premise: transactions were open ({checked})"
    );
    // Every committed record is returned, once its marker is in.
    assert!(drain_collecting(&mut sim, &mut returned));
    let committed: BTreeSet<u64> = outcomes(&sim)
        .into_iter()
        .filter(|(_, c)| *c)
        .map(|(id, _)| id)
        .collect();
    let seen: BTreeSet<u64> = returned
        .values()
        .flatten()
        .map(|r| r.entry.record_id)
        .collect();
    assert!(committed.len() > 100);
    assert_eq!(seen, committed);
}

#[test]
fn version_1_adds_partitions_version_2_bumps_the_epoch() {
    let mut result = Vec::new();
    for version in ["1", "2"] {
        let c = world(&[("transaction.version", version)]);
        let mut sim = Sim::new(c, 13).unwrap();
        // AddPartitionsToTxn from the producer, and from partition leaders (KIP-890: V1
        // verifies, V2 adds).
        let (mut adds, mut leader_asks) = (0, 0);
        while let Some(e) = sim.step_until(SimTime(3_000_000)) {
            if let Event::Delivered {
                kind: MessageKind::AddPartitionsToTxn,
                from,
                ..
            } = e.event
            {
                match from {
                    Node::Producer(_) => adds += 1,
                    _ => leader_asks += 1,
                }
            }
        }
        assert!(leader_asks > 0, "v{version}: leaders ask the coordinator");
        let t = sim.producers()[0].txn.as_ref().unwrap();
        let ended = t.committed + t.aborted;
        assert!(ended >= 10, "premise: transactions completed (v{version})");
        let m = sim.transactions().next().unwrap();
        result.push((adds, ended, m.epoch, sim.producers()[0].epoch));
    }
    let (v1, v2) = (result[0], result[1]);
    assert!(
        v1.0 >= v1.1,
        "V1: an AddPartitionsToTxn per transaction at least"
    );
    assert_eq!(v2.0, 0, "V2: no AddPartitionsToTxn from the producer");
    assert_eq!((v1.2, v1.3), (0, 0), "V1: the epoch stays");
    // V2: one bump per ended transaction (the open one has not ended).
    assert!(v2.2 as u64 >= v2.1 && v2.2 as u64 <= v2.1 + 1, "{v2:?}");
    assert_eq!(v2.3, v2.2);
}

#[test]
fn transactional_id_needs_idempotence() {
    let mut c = Config::preset();
    c.set("acks", "1").unwrap();
    c.set("transactional.id", "tx").unwrap();
    let e = c.validate().unwrap_err();
    assert_eq!(e.field, "transactional.id");
    assert!(e
        .message
        .contains("Cannot set a transactional.id without also enabling idempotence"));
    let mut c = Config::preset();
    c.set("enable.idempotence", "false").unwrap();
    c.set("transactional.id", "tx").unwrap();
    assert!(c.validate().is_err());
    // Not transactional: the page's calls are refused and nothing changes.
    let mut sim = Sim::new(Config::preset(), 1).unwrap();
    sim.run_until(SimTime(100_000));
    let before = sim.snapshot();
    assert!(sim.apply(Change::BeginTransaction { producer: 0 }).is_err());
    assert!(sim.apply(Change::StartZombie { producer: 5 }).is_err());
    assert_eq!(sim.snapshot(), before);
    // The coordinator rule: abs(hashCode) % transaction.state.log.num.partitions.
    let sim = Sim::new(world(&[]), 1).unwrap();
    assert_eq!(sim.transaction_coordinator("my-group").0, 12);
    assert_eq!(sim.transaction_coordinator("polygenelubricants").0, 0);
}

#[test]
fn the_transaction_coordinator_fails_over_when_its_broker_is_fenced() {
    // The coordinator's broker crashes and stays down: once the controller fences it (9 s),
    // another replica of the `__transaction_state` partition coordinates, and the
    // application's transactions go on committing while the old broker is still down.
    let mut sim = Sim::new(world(&[]), 5).unwrap();
    sim.run_until(SimTime(3_000_000));
    let tid = "tx-1";
    let (_, old) = sim.transaction_coordinator(tid);
    let committed_before = |s: &Sim| {
        s.producers()
            .iter()
            .filter_map(|p| p.txn.as_ref())
            .map(|t| t.committed)
            .sum::<u64>()
    };
    let at_crash = committed_before(&sim);
    assert!(at_crash > 0, "transactions commit before the crash");
    sim.apply(Change::CrashBroker { broker: old }).unwrap();
    while let Some(e) = sim.step_until(SimTime(60_000_000)) {
        if std::env::var("DBG").is_ok() {
            let show = match &e.event {
                Event::Delivered { kind, .. } => matches!(
                    kind,
                    MessageKind::EndTxn
                        | MessageKind::EndTxnResponse
                        | MessageKind::AddPartitionsToTxn
                        | MessageKind::InitProducerId
                        | MessageKind::Produce
                        | MessageKind::ProduceResponse
                ),
                Event::TransactionRetried { .. }
                | Event::TransactionCall { .. }
                | Event::BrokerFenced { .. } => true,
                _ => false,
            };
            if show && e.time.micros() > 2_900_000 {
                eprintln!("{} {:?}", e.time.micros(), e.event);
            }
        }
    }
    let (_, new) = sim.transaction_coordinator(tid);
    assert_ne!(new, old, "the coordinator moved");
    let m = sim
        .transactions()
        .find(|m| m.transactional_id == tid)
        .unwrap();
    assert_eq!(m.coordinator, new);
    assert!(!sim.brokers()[old as usize].alive);
    let after = committed_before(&sim);
    if after <= at_crash + 5 {
        for p in sim.producers() {
            eprintln!(
                "producer {} state {:?} txn {:?} inflight {} queued {}",
                p.index,
                p.state,
                p.txn,
                p.in_flight.len(),
                p.accumulator
                    .deques
                    .iter()
                    .flatten()
                    .map(|d| d.len())
                    .sum::<usize>()
            );
        }
        eprintln!("coord {:?}", m);
    }
    assert!(
        after > at_crash + 5,
        "transactions go on at the new coordinator: {at_crash} -> {after}"
    );
    // Nothing open is left behind for good: the LSO catches up with the HW once the current
    // transaction ends.
    sim.begin_drain();
    sim.run_until(SimTime(90_000_000));
    for tp in tps(&sim) {
        let Some(p) = sim.partition(tp) else { continue };
        if p.leader.is_some() {
            assert_eq!(sim.last_stable_offset(tp), p.high_watermark(), "{tp:?}");
        }
    }
}
