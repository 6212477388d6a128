//! The properties: random faults, random faults with live changes, and `random_faults`
//! schedules over many seeds on the no-loss preset.

use super::case::*;
use super::run::*;
use super::*;

#[test]
fn invariants_hold_under_random_faults() {
    run_property("faults", cases(300), case_strategy(6, 0));
}

#[test]
fn invariants_hold_under_faults_and_live_changes() {
    run_property("faults+live", cases(300), case_strategy(4, 8));
}

/// `random_faults` schedules over many seeds on the preset (acks=all, min.insync.replicas=2,
/// idempotence on): nothing acknowledged is lost or duplicated, elections happen.
/// 2,000 seeds took 26 s of CPU (49 s wall at load 7 on 2 shared cores); 1,600 fit ~20 s.
/// `FAULT_PROPS_CASES=N` runs N seeds.
#[test]
fn random_schedules_lose_nothing_acknowledged() {
    let seeds = cases(1_600) as u64;
    let until = SimTime(30 * S);
    let mut c = Config::preset();
    c.set("acks", "all").unwrap();
    c.set("enable.idempotence", "true").unwrap();
    c.set("min.insync.replicas", "2").unwrap();
    let (mut acknowledged, mut with_elections, mut unsettled) = (0u64, 0u64, 0u64);
    for seed in 0..seeds {
        let mut sim = Sim::new(c.clone(), seed).unwrap();
        let specs = random_faults(&c, seed, until);
        for f in &specs {
            sim.schedule_fault(f.clone()).unwrap();
        }
        sim.run_until(until);
        let elections_before_end = sim.snapshot().leader_elections;
        sim.end_faults();
        let report = sim.drain(drain_limit(&c, until));
        let texts0: Vec<&str> = specs.iter().map(|f| f.text.as_str()).collect();
        assert!(
            report.settled,
            "seed {seed}, faults {texts0:?}: did not settle: {:?}",
            report.stuck
        );
        unsettled += u64::from(!report.settled);
        let m = sim.monitor().counts();
        let texts: Vec<&str> = specs.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(
            (m.acknowledged_lost, m.duplicates, m.out_of_order),
            (0, 0, 0),
            "seed {seed}, faults {texts:?}: lost, duplicated, out of order"
        );
        acknowledged += m.acknowledged;
        with_elections += u64::from(elections_before_end > 0);
    }
    eprintln!(
        "random schedules: {seeds} seeds, {acknowledged} acknowledged, elections in \
         {with_elections}, unsettled {unsettled}"
    );
    assert!(
        with_elections * 10 >= seeds * 9,
        "elections in only {with_elections} of {seeds} runs"
    );
    assert!(
        acknowledged >= seeds * 3_000,
        "only {acknowledged} acknowledged"
    );
}
