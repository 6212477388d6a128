//! A running consumer group whose membership changes: crashes expire after
//! session.timeout.ms, closes rebalance at once, a slow member leaves on max.poll.interval.ms,
//! cooperative rebalances revoke only what moves, static members restart without a rebalance,
//! and committed offsets make the group read every record, re-reading only what lay between
//! the last commit and the position.

use streamscope_core::consumer::group::GroupState;
use streamscope_core::consumer::MemberState;
use streamscope_core::event::{Delivery, Event, RebalanceReason};
use streamscope_core::{Change, Config, Sim, SimTime};

const S: u64 = 1_000_000;

fn sim_with(settings: &[(&str, &str)], seed: u64) -> Sim {
    let mut c = Config::preset();
    c.set("sim.produce.rate", "500").unwrap();
    for (k, v) in settings {
        c.set(k, v).unwrap();
    }
    Sim::new(c, seed).unwrap()
}

/// (consumer, partition) ownership as the consumers themselves hold it.
mod common;
use common::group_checker::ConsumedChecker;

#[test]
fn a_crashed_member_is_removed_after_the_session_timeout_and_its_partitions_move() {
    let mut sim = sim_with(&[], 3);
    let mut chk = ConsumedChecker::default();
    chk.run_until(&mut sim, 5 * S);
    let g0 = sim.groups()[0].generation;
    assert_eq!(sim.groups()[0].state, GroupState::Stable);
    let lost = sim.consumers()[1].assignment.clone();
    assert_eq!(lost.len(), 3);
    sim.apply(Change::CrashConsumer { consumer: 1 }).unwrap();
    let crash_at = sim.now().0;
    // Heartbeats stop; the session (45 s) counts from the last heartbeat, at most
    // heartbeat.interval.ms (3 s) before the crash.
    let evs = chk.run_until(&mut sim, crash_at + 41 * S);
    assert!(!evs.iter().any(|e| matches!(e, Event::MemberExpired { .. })));
    assert_eq!(sim.groups()[0].generation, g0);
    assert_eq!(sim.groups()[0].members.len(), 2);
    let mut expired_at = None;
    let end = crash_at + 50 * S;
    while sim.next_event_time().is_some_and(|t| t.0 <= end) {
        let t = sim.next_event_time().map_or(0, |t| t.0);
        if let Some(Event::MemberExpired { consumer: 1, .. }) = chk.step(&mut sim) {
            expired_at = Some(t);
        }
    }
    let expired_at = expired_at.expect("the coordinator expires the crashed member");
    assert!(
        (crash_at + 42 * S..=crash_at + 45 * S).contains(&expired_at),
        "expired {} us after the crash",
        expired_at - crash_at
    );
    let g = &sim.groups()[0];
    assert_eq!(g.generation, g0 + 1);
    assert_eq!(g.state, GroupState::Stable);
    assert_eq!(g.members.len(), 1);
    // Consumer 0 owns all six partitions, including the crashed member's, and reads them.
    assert_eq!(sim.consumers()[0].assignment.len(), 6);
    for tp in &lost {
        assert!(sim.consumers()[0].positions.contains_key(tp));
    }
    // ... and has read from each of them since.
    for tp in &lost {
        assert_eq!(chk.owner.get(&(0, tp.partition)).map(|o| o.0), Some(0));
    }
}

#[test]
fn a_closed_member_leaves_and_the_group_rebalances_at_once() {
    let mut sim = sim_with(&[], 4);
    let mut chk = ConsumedChecker::default();
    chk.run_until(&mut sim, 5 * S);
    let g0 = sim.groups()[0].generation;
    sim.apply(Change::RemoveConsumer { consumer: 0 }).unwrap();
    let t = sim.now().0;
    // The LeaveGroup starts the rebalance at once (no session timeout to wait for) ...
    let evs = chk.run_until(&mut sim, t + 20_000);
    assert!(evs.iter().any(|e| matches!(
        e,
        Event::Delivered {
            detail: Delivery::RebalanceTriggered {
                reason: RebalanceReason::MemberLeft { consumer: 0 },
                ..
            },
            ..
        }
    )));
    // ... and the other member learns it from its next heartbeat (heartbeat.interval.ms).
    chk.run_until(&mut sim, t + 3_100_000);
    let g = &sim.groups()[0];
    assert_eq!(
        g.generation,
        g0 + 1,
        "a new generation within a heartbeat interval"
    );
    assert_eq!(g.members.len(), 1);
    assert_eq!(sim.consumers()[1].assignment.len(), 6);
    assert_eq!(sim.consumers()[0].state, MemberState::Stopped);
    // The close committed its positions first, so the handover re-reads nothing.
    let dup_before = chk.duplicates;
    chk.run_until(&mut sim, t + 5 * S);
    assert_eq!(chk.duplicates, dup_before);
    // Closing twice is refused and changes nothing.
    let before = sim.changes().len();
    assert!(sim.apply(Change::RemoveConsumer { consumer: 0 }).is_err());
    assert_eq!(sim.changes().len(), before);
}

#[test]
fn commits_make_the_group_read_everything_and_reread_only_past_the_last_commit() {
    for strategy in ["range", "roundrobin", "sticky", "cooperative-sticky"] {
        let mut sim = sim_with(
            &[
                ("partition.assignment.strategy", strategy),
                ("auto.commit.interval.ms", "1000"),
                ("sim.consumer.processing", "300us"),
                ("max.poll.records", "50"),
            ],
            11,
        );
        let mut chk = ConsumedChecker::default();
        chk.run_until(&mut sim, 4 * S);
        sim.apply(Change::AddConsumer {
            group: 0,
            strategy: None,
        })
        .unwrap();
        chk.run_until(&mut sim, 8 * S);
        sim.apply(Change::CrashConsumer { consumer: 1 }).unwrap();
        chk.run_until(&mut sim, 60 * S);
        sim.apply(Change::RemoveConsumer { consumer: 2 }).unwrap();
        chk.run_until(&mut sim, 64 * S);
        sim.apply(Change::AddConsumer {
            group: 0,
            strategy: None,
        })
        .unwrap();
        chk.run_until(&mut sim, 70 * S);
        assert!(chk.handovers >= 3, "{strategy}: partitions changed hands");
        assert!(chk.consumed > 20_000, "{strategy}: {}", chk.consumed);
        // The crash lost up to an auto-commit interval of progress: some re-reading, bounded.
        assert!(
            chk.duplicates > 0,
            "{strategy}: the crash re-reads something"
        );
        assert!(
            chk.duplicates < chk.consumed / 10,
            "{strategy}: {} re-read of {}",
            chk.duplicates,
            chk.consumed
        );
        assert_eq!(sim.groups()[0].state, GroupState::Stable, "{strategy}");
        assert_eq!(sim.groups()[0].protocol_name(), strategy);
    }
}

#[test]
fn cooperative_rebalances_never_revoke_partitions_that_stay() {
    let mut sim = sim_with(
        &[("partition.assignment.strategy", "cooperative-sticky")],
        5,
    );
    let mut chk = ConsumedChecker::default();
    chk.run_until(&mut sim, 5 * S);
    let g0 = sim.groups()[0].generation;
    let before: Vec<Vec<_>> = sim
        .consumers()
        .iter()
        .map(|c| c.assignment.clone())
        .collect();
    sim.apply(Change::AddConsumer {
        group: 0,
        strategy: None,
    })
    .unwrap();
    let mut polled_during_rebalance = 0u32;
    let mut revoked_total = 0u32;
    let mut history: Vec<Vec<Vec<_>>> = Vec::new();
    let end = sim.now().0 + 10 * S;
    while sim.next_event_time().is_some_and(|t| t.0 <= end) {
        let rebalancing = sim.groups()[0].state != GroupState::Stable;
        let Some(ev) = chk.step(&mut sim) else { break };
        if let Event::Delivered {
            detail: Delivery::Assigned { revoked, .. },
            ..
        } = ev
        {
            revoked_total += revoked;
        }
        if rebalancing {
            if let Event::Polled { records, .. } = ev {
                polled_during_rebalance += records;
            }
        }
        history.push(
            sim.consumers()
                .iter()
                .map(|c| c.assignment.clone())
                .collect(),
        );
    }
    let after: Vec<Vec<_>> = sim
        .consumers()
        .iter()
        .map(|c| c.assignment.clone())
        .collect();
    // Two rebalances: the first revokes what moves, the follow-up hands it over.
    assert_eq!(sim.groups()[0].generation, g0 + 2);
    assert_eq!(after[2].len(), 2);
    assert_eq!(
        revoked_total, 2,
        "exactly the two moving partitions were revoked"
    );
    // A partition a consumer keeps is never out of its hands at any step.
    for c in 0..2 {
        for tp in before[c].iter().filter(|tp| after[c].contains(tp)) {
            for h in &history {
                assert!(
                    h[c].contains(tp),
                    "consumer {c} lost {tp:?} though it stays"
                );
            }
        }
    }
    assert!(
        polled_during_rebalance > 0,
        "the members keep consuming during a cooperative rebalance"
    );
}

#[test]
fn an_eager_rebalance_revokes_everything() {
    let mut sim = sim_with(&[], 5);
    let mut chk = ConsumedChecker::default();
    chk.run_until(&mut sim, 5 * S);
    sim.apply(Change::AddConsumer {
        group: 0,
        strategy: None,
    })
    .unwrap();
    let mut emptied = false;
    let end = sim.now().0 + 3 * S;
    while sim.next_event_time().is_some_and(|t| t.0 <= end) {
        chk.step(&mut sim);
        emptied |= sim.consumers()[..2].iter().all(|c| c.assignment.is_empty());
    }
    assert!(emptied, "both old members held nothing at one point");
    assert_eq!(sim.groups()[0].protocol_name(), "range");
    assert_eq!(sim.consumers()[2].assignment.len(), 2);
}

#[test]
fn a_static_member_restarting_within_the_session_timeout_keeps_its_assignment() {
    let mut sim = sim_with(&[("sim.static.members", "true")], 6);
    let mut chk = ConsumedChecker::default();
    chk.run_until(&mut sim, 5 * S);
    let g0 = sim.groups()[0].generation;
    let a1 = sim.consumers()[1].assignment.clone();
    assert_eq!(
        sim.consumers()[1].instance_id.as_deref(),
        Some("g1-instance-2")
    );
    sim.apply(Change::CrashConsumer { consumer: 1 }).unwrap();
    chk.run_until(&mut sim, 25 * S);
    sim.apply(Change::RestartConsumer { consumer: 1 }).unwrap();
    chk.run_until(&mut sim, 80 * S);
    let g = &sim.groups()[0];
    assert_eq!(g.generation, g0, "no new generation");
    assert_eq!(sim.consumers()[1].assignment, a1, "the same partitions");
    assert!(sim.consumers()[1].member_id.starts_with("g1-instance-2-"));
    assert_eq!(sim.consumers()[1].state, MemberState::Stable);

    // Past the session timeout the member is gone, and its return is a new member.
    sim.apply(Change::CrashConsumer { consumer: 1 }).unwrap();
    chk.run_until(&mut sim, 130 * S);
    assert_eq!(sim.groups()[0].generation, g0 + 1);
    sim.apply(Change::RestartConsumer { consumer: 1 }).unwrap();
    chk.run_until(&mut sim, 135 * S);
    assert_eq!(sim.groups()[0].generation, g0 + 2);
}

#[test]
fn a_member_slower_than_max_poll_interval_leaves_and_the_group_rebalances() {
    let mut sim = sim_with(
        &[
            ("max.poll.interval.ms", "10000"),
            ("max.poll.records", "100"),
        ],
        8,
    );
    let mut chk = ConsumedChecker::default();
    chk.run_until(&mut sim, 5 * S);
    let g0 = sim.groups()[0].generation;
    // 100 records x 200 ms = 20 s between polls, above max.poll.interval.ms.
    sim.apply(Change::SlowConsumer {
        consumer: 0,
        per_record_us: 200_000,
    })
    .unwrap();
    let evs = chk.run_until(&mut sim, 30 * S);
    assert!(evs.iter().any(|e| matches!(
        e,
        Event::PollTimeoutExpired {
            consumer: 0,
            left_group: true
        }
    )));
    assert!(sim.groups()[0].generation > g0);
    // While consumer 0 is out, consumer 1 reads all six partitions at some point.
    assert!(chk.handovers >= 3);
}

#[test]
fn the_strategy_setting_takes_short_names_class_names_and_lists() {
    let mut c = Config::preset();
    assert_eq!(
        streamscope_core::config::settings::current(&c, "partition.assignment.strategy").as_deref(),
        Some("range,cooperative-sticky")
    );
    c.set(
        "partition.assignment.strategy",
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor, roundrobin",
    )
    .unwrap();
    assert_eq!(
        streamscope_core::config::settings::current(&c, "partition.assignment.strategy").as_deref(),
        Some("cooperative-sticky,roundrobin")
    );
    c.set(
        "consumer.partition.assignment.strategy",
        "cooperative-sticky",
    )
    .unwrap();
    for bad in ["", "range,range", "fair", "RangeAssignor"] {
        let e = c.set("partition.assignment.strategy", bad).unwrap_err();
        assert_eq!(e.field, "partition.assignment.strategy", "{bad}");
    }
    // The group votes: the default list gives Range; a group of cooperative-sticky-only
    // members gives cooperative-sticky.
    let mut sim = Sim::new(c, 1).unwrap();
    sim.run_until(SimTime(S));
    assert_eq!(sim.groups()[0].protocol_name(), "cooperative-sticky");
    let mut sim = Sim::new(Config::preset(), 1).unwrap();
    sim.run_until(SimTime(S));
    assert_eq!(sim.groups()[0].protocol_name(), "range");
}

#[test]
fn protocol_votes_follow_the_members() {
    // Rolling upgrade: members prefer cooperative-sticky one by one.
    let mut sim = sim_with(&[], 2);
    sim.run_until(SimTime(2 * S));
    for _ in 0..3 {
        sim.apply(Change::AddConsumer {
            group: 0,
            strategy: Some("cooperative-sticky,range".into()),
        })
        .unwrap();
    }
    sim.run_until(SimTime(6 * S));
    // 3 votes to 2.
    assert_eq!(sim.groups()[0].protocol_name(), "cooperative-sticky");
    // A member sharing no assignor is refused before anything changes.
    let before = sim.consumers().len();
    let e = sim
        .apply(Change::AddConsumer {
            group: 0,
            strategy: Some("sticky".into()),
        })
        .unwrap_err();
    assert_eq!(e.field, "partition.assignment.strategy");
    assert!(e.message.contains("INCONSISTENT_GROUP_PROTOCOL"));
    assert_eq!(sim.consumers().len(), before);
}

#[test]
fn a_second_group_reads_the_topic_with_its_own_offsets() {
    let mut sim = sim_with(&[], 9);
    let mut chk = ConsumedChecker::default();
    chk.run_until(&mut sim, 3 * S);
    sim.apply(Change::AddGroup {
        group_id: "analytics".into(),
        topics: vec!["orders".into()],
        consumers: 3,
    })
    .unwrap();
    chk.run_until(&mut sim, 10 * S);
    let g = &sim.groups()[1];
    assert_eq!(g.state, GroupState::Stable);
    assert_eq!(g.members.len(), 3);
    // Both groups read from offset 0 on their own (earliest), and commit separately.
    let c0: u64 = sim.groups()[0].committed.values().sum();
    let c1: u64 = sim.groups()[1].committed.values().sum();
    assert!(c0 > 0 && c1 > 0);
    // Refusals name the field and leave the sim as it was.
    let n = sim.groups().len();
    for (change, field) in [
        (
            Change::AddGroup {
                group_id: "g1".into(),
                topics: vec!["orders".into()],
                consumers: 1,
            },
            "group.id",
        ),
        (
            Change::AddGroup {
                group_id: "x".into(),
                topics: vec!["nope".into()],
                consumers: 1,
            },
            "group.topics",
        ),
        (
            Change::AddGroup {
                group_id: "y".into(),
                topics: vec!["orders".into()],
                consumers: 65,
            },
            "sim.consumers",
        ),
        (Change::CrashConsumer { consumer: 99 }, "consumer"),
        (
            Change::SlowConsumer {
                consumer: 0,
                per_record_us: 20_000_000,
            },
            "sim.consumer.processing",
        ),
        (Change::RestartConsumer { consumer: 0 }, "consumer"),
    ] {
        let e = sim.apply(change).unwrap_err();
        assert_eq!(e.field, field);
    }
    assert_eq!(sim.groups().len(), n);
    assert_eq!(sim.config().groups.len(), n);
}
