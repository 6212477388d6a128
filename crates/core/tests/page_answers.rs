//! The answers the page asks of the core (`sim::view`): a group's rebalance phase and
//! protocol, a member's part in a rebalance, zombies, the wait at the last stable offset,
//! which processor a consumer is, the pipeline twin's rules, and lag.

use streamscope_core::config::ProcessingGuarantee;
use streamscope_core::sim::view::{twin_config, GroupPhase, MemberRebalance};
use streamscope_core::{Change, Config, Sim, SimTime};

#[test]
fn phases_follow_the_group_through_a_rebalance() {
    let mut sim = Sim::new(Config::preset(), 1).unwrap();
    sim.run_until(SimTime(2_000_000));
    assert_eq!(sim.group_phase(&sim.groups()[0]), GroupPhase::Stable);
    sim.apply(Change::AddConsumer {
        group: 0,
        strategy: None,
    })
    .unwrap();
    let mut seen = vec![GroupPhase::Stable];
    let mut parts = Vec::new();
    while sim.now() < SimTime(8_000_000) {
        if sim.step().is_none() {
            break;
        }
        let p = sim.group_phase(&sim.groups()[0]);
        if seen.last() != Some(&p) {
            seen.push(p);
        }
        for c in sim.consumers() {
            if let Some(r) = sim.member_rebalance(c) {
                if !parts.contains(&r) {
                    parts.push(r);
                }
            }
        }
    }
    let mut want = vec![GroupPhase::Stable];
    want.extend(GroupPhase::CYCLE);
    assert_eq!(seen, want);
    assert_eq!(
        sim.group_rebalance_protocol(&sim.groups()[0]),
        Some("eager")
    );
    // Eager members revoke; the leader runs the assignor.
    assert!(parts.contains(&MemberRebalance::Assigns), "{parts:?}");
    assert!(
        parts
            .iter()
            .all(|p| !matches!(p, MemberRebalance::Keeps { .. })),
        "{parts:?}"
    );
    let g = sim.group_progress(&sim.groups()[0]);
    assert_eq!((g.members, g.synced), (3, 3));
}

#[test]
fn lag_per_partition_adds_up_to_the_summaries() {
    let mut sim = Sim::new(Config::preset(), 4).unwrap();
    sim.run_until(SimTime(1_500_000));
    let summed: u64 = sim.consumer_summaries().iter().map(|c| c.lag).sum();
    assert_eq!(sim.consumer_lag_total(), summed);
    for (s, c) in sim.consumer_summaries().iter().zip(sim.consumers()) {
        for (p, tp) in s.partitions.iter().zip(&c.assignment) {
            assert_eq!(sim.consumer_partition_lag(c.index, *tp), p.lag);
        }
    }
}

#[test]
fn an_open_transaction_holds_the_lso_and_read_committed_waits() {
    let mut c = Config::preset();
    c.set("transactional.id", "tx-1").unwrap();
    c.set("sim.transaction.records", "0").unwrap();
    c.set("isolation.level", "read_committed").unwrap();
    let mut sim = Sim::new(c, 5).unwrap();
    assert!(sim.has_transactions());
    sim.run_until(SimTime(500_000));
    sim.apply(Change::BeginTransaction { producer: 0 }).unwrap();
    sim.run_until(SimTime(1_500_000));
    let open = sim.partitions_in_open_transactions();
    assert!(!open.is_empty(), "premise: partitions in the transaction");
    let held: Vec<_> = open
        .iter()
        .filter_map(|tp| sim.lso_holder(*tp).map(|h| (*tp, h)))
        .collect();
    assert!(!held.is_empty(), "the LSO stops at the open transaction");
    for (tp, (_, first)) in &held {
        assert_eq!(sim.first_open_offset(*tp), Some(*first));
        assert_eq!(sim.last_stable_offset(*tp), *first);
    }
    let waits = sim.consumers().iter().any(|c| {
        c.assignment.iter().any(|tp| {
            let pos = c.positions.get(tp).copied().unwrap_or(0);
            sim.consumer_waits_at_lso(c.index, *tp, pos)
        })
    });
    assert!(waits, "a read_committed consumer waits at the LSO");
    assert!(sim.brokers().iter().any(|b| sim.is_txn_coordinator(b.id)));
    let p = sim.running_app_producer(0).unwrap();
    assert!(!sim.is_zombie(p));
    // A plain world has none of it.
    let plain = Sim::new(Config::preset(), 5).unwrap();
    assert!(!plain.has_transactions());
    assert!(plain.partitions_in_open_transactions().is_empty());
}

#[test]
fn a_zombie_is_the_instance_its_application_no_longer_drives() {
    let mut c = Config::preset();
    c.set("transactional.id", "tx-1").unwrap();
    let mut sim = Sim::new(c, 2).unwrap();
    sim.run_until(SimTime(500_000));
    let old = sim.running_app_producer(0).unwrap().index;
    sim.apply(Change::StartZombie { producer: 0 }).unwrap();
    sim.run_until(SimTime(600_000));
    let zombie = &sim.producers()[old as usize];
    assert!(sim.is_zombie(zombie));
    assert_ne!(sim.running_app_producer(0).unwrap().index, old);
}

#[test]
fn the_twin_runs_the_other_guarantee_and_a_restart_waits_for_its_crash() {
    assert!(twin_config(&Config::preset()).is_none());
    let mut c = Config::preset();
    c.set("sim.pipeline", "ctp").unwrap();
    c.set("processing.guarantee", "exactly_once_v2").unwrap();
    let twin = twin_config(&c).unwrap();
    assert_eq!(
        twin.pipeline.guarantee.value,
        ProcessingGuarantee::AtLeastOnce
    );
    let mut sim = Sim::new(c, 3).unwrap();
    sim.run_until(SimTime(1_000_000));
    let consumer = sim.pipeline().unwrap().processors[0].consumer;
    assert_eq!(
        sim.pipeline_processor_of_consumer(consumer)
            .map(|p| p.index),
        Some(0)
    );
    let restart = Change::RestartProcessor {
        processor: 0,
        new_transactional_id: false,
    };
    assert!(sim.twin_change_waits(&restart));
    sim.apply(Change::CrashProcessor { processor: 0 }).unwrap();
    assert!(sim.pipeline().unwrap().processors[0].is_crashed());
    assert!(!sim.twin_change_waits(&restart));
    assert!(!sim.twin_change_waits(&Change::KillBroker { broker: 0 }));
}
