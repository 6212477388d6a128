//! Kafka's documented guarantees and losses under broker faults, each on fixed seeds, judged by
//! the invariant monitor (acknowledgements vs the leaders' final logs). Every test also checks
//! that its fault really happened (a crash, an election, records acknowledged before it), so a
//! run that broke nothing cannot pass.
//!
//! (a) acks=all, RF=3, min.insync.replicas=2, idempotence on, a drawn fault schedule with a
//!     leader crash per seed (1,000 seeds): nothing acknowledged is lost, nothing is written
//!     twice or out of order;
//! (b) acks=1, the leader crashing right after an append, before its followers fetched it:
//!     acknowledged records are lost;
//! (c) unclean leader election: acknowledged records are lost (and the same history without
//!     unclean election loses nothing);
//! (d) idempotence off + lost responses + retries: duplicates; idempotence on: none;
//! (e) min.insync.replicas=2 with one in-sync replica left: sends fail with
//!     NOT_ENOUGH_REPLICAS.

use streamscope_core::event::{Delivery, Event};
use streamscope_core::net::KafkaError;
use streamscope_core::sim::schedule::{parse_fault, random_faults, FaultSpec};
use streamscope_core::{Config, Sim, SimTime};

const S: u64 = 1_000_000;

fn config(sets: &[(&str, &str)]) -> Config {
    let mut c = Config::preset();
    for (k, v) in sets {
        c.set(k, v).unwrap();
    }
    c
}

/// What a run ended with.
#[derive(Debug, Default)]
struct Outcome {
    acknowledged: u64,
    acknowledged_before_first_fault: u64,
    lost: u64,
    duplicates: u64,
    out_of_order: u64,
    elections: u64,
    faults_applied: u32,
    errors: Vec<KafkaError>,
}

/// Runs `config` with `faults` to `until`, ends the faults, drains, and reads the monitor.
fn run(config: Config, seed: u64, faults: Vec<FaultSpec>, until: u64) -> Outcome {
    let mut sim = Sim::new(config, seed).unwrap();
    for f in faults {
        sim.schedule_fault(f).unwrap();
    }
    let mut out = Outcome::default();
    let mut first_fault_seen = false;
    let mut note = |sim: &Sim, e: &Event, out: &mut Outcome| match e {
        Event::FaultStarted { applied: true, .. } => {
            out.faults_applied += 1;
            if !first_fault_seen {
                first_fault_seen = true;
                out.acknowledged_before_first_fault = sim.monitor().counts().acknowledged;
            }
        }
        Event::Delivered {
            detail: Delivery::Acknowledged {
                error: Some(err), ..
            },
            ..
        } => out.errors.push(*err),
        _ => {}
    };
    while let Some(e) = sim.step_until(SimTime(until)) {
        let e = e.event.clone();
        note(&sim, &e, &mut out);
    }
    sim.end_faults();
    sim.begin_drain();
    let limit = SimTime(until + 400 * S);
    while !sim.settled() {
        let Some(e) = sim.step_until(limit) else {
            break;
        };
        let e = e.event.clone();
        note(&sim, &e, &mut out);
    }
    assert!(
        sim.settled(),
        "seed {seed}: the drain settles: {:?} {:?}",
        sim.summary().partitions,
        sim.summary().consumers
    );
    let c = sim.monitor().counts();
    out.acknowledged = c.acknowledged;
    out.lost = c.acknowledged_lost;
    out.duplicates = c.duplicates;
    out.out_of_order = c.out_of_order;
    out.elections = sim.summary().leader_elections;
    out
}

#[test]
fn a_acks_all_min_isr_2_idempotent_loses_and_duplicates_nothing_over_1000_seeds() {
    let c = config(&[
        ("acks", "all"),
        ("replication.factor", "3"),
        ("min.insync.replicas", "2"),
        ("enable.idempotence", "true"),
    ]);
    let until = 30 * S;
    let seeds: Vec<u64> = (1..=1000).collect();
    let results: Vec<(u64, Outcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = seeds
            .chunks(seeds.len().div_ceil(2))
            .map(|chunk| {
                let c = c.clone();
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|&seed| {
                            let faults = random_faults(&c, seed, SimTime(until));
                            (seed, run(c.clone(), seed, faults, until))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let mut with_election = 0;
    let mut acknowledged = 0;
    for (seed, o) in &results {
        assert_eq!(o.lost, 0, "seed {seed}: acknowledged records lost: {o:?}");
        assert_eq!(o.duplicates, 0, "seed {seed}: written twice: {o:?}");
        assert_eq!(o.out_of_order, 0, "seed {seed}: out of order: {o:?}");
        assert!(
            o.faults_applied >= 1,
            "seed {seed}: the leader crash happened"
        );
        assert!(
            o.acknowledged_before_first_fault > 0,
            "seed {seed}: records were acknowledged before the first fault"
        );
        with_election += (o.elections > 0) as u32;
        acknowledged += o.acknowledged;
    }
    // The drawn crash lasts 12-20 s from 1.5-9 s: the controller fences the broker (9 s) and
    // elects new leaders in every run.
    assert_eq!(with_election, 1000, "every seed had an election");
    assert!(acknowledged > 1000 * 5000, "{acknowledged} acknowledged");
}

#[test]
fn b_acks_1_leader_crash_before_followers_fetch_loses_acknowledged_records() {
    let c = config(&[("acks", "1")]);
    let mut total_lost = 0;
    for seed in 1..=20 {
        let f = parse_fault("crash:leader=orders-0,ahead@2s..20s").unwrap();
        let o = run(c.clone(), seed, vec![f], 30 * S);
        assert_eq!(o.faults_applied, 1, "seed {seed}");
        assert!(o.acknowledged_before_first_fault > 0, "seed {seed}");
        assert!(o.elections > 0, "seed {seed}: a new leader was elected");
        assert!(
            o.lost >= 1,
            "seed {seed}: acks=1 lost what only the leader had: {o:?}"
        );
        total_lost += o.lost;
    }
    assert!(total_lost >= 20);
    // The same crash with acks=all: nothing acknowledged was only on the leader.
    let c = config(&[("acks", "all")]);
    for seed in 1..=20 {
        let f = parse_fault("crash:leader=orders-0,ahead@2s..20s").unwrap();
        let o = run(c.clone(), seed, vec![f], 30 * S);
        assert!(o.elections > 0, "seed {seed}");
        assert_eq!(o.lost, 0, "seed {seed}: acks=all kept everything: {o:?}");
    }
}

/// The followers of orders-0 crash (the ISR shrinks to the leader), the leader keeps
/// acknowledging alone (acks=all, min.insync.replicas=1), then the leader crashes and one
/// out-of-sync follower comes back.
fn isr_collapse_schedule(sim_config: &Config, seed: u64) -> Vec<FaultSpec> {
    let sim = Sim::new(sim_config.clone(), seed).unwrap();
    let p = &sim.topics()[0].partitions[0];
    let leader = p.leader.unwrap();
    let followers: Vec<u32> = p
        .replicas
        .iter()
        .map(|r| r.broker)
        .filter(|b| *b != leader)
        .collect();
    let mut v = Vec::new();
    for f in &followers {
        v.push(parse_fault(&format!("crash:broker={f}@1s")).unwrap());
    }
    v.push(parse_fault(&format!("crash:broker={leader}@20s")).unwrap());
    v.push(parse_fault(&format!("restart:broker={}@22s", followers[0])).unwrap());
    v
}

#[test]
fn c_unclean_election_loses_acknowledged_records() {
    for seed in 1..=10 {
        let unclean = config(&[("acks", "all"), ("unclean.leader.election.enable", "true")]);
        let o = run(
            unclean.clone(),
            seed,
            isr_collapse_schedule(&unclean, seed),
            45 * S,
        );
        assert_eq!(o.faults_applied, 4, "seed {seed}");
        assert!(o.acknowledged_before_first_fault > 0, "seed {seed}");
        assert!(o.elections > 0, "seed {seed}");
        assert!(
            o.lost > 100,
            "seed {seed}: an out-of-sync replica led and the records only the old leader had are gone: {o:?}"
        );
        // The same history with unclean election off: the partition waits for its last
        // in-sync replica, and nothing acknowledged is lost.
        let clean = config(&[("acks", "all")]);
        let o = run(
            clean.clone(),
            seed,
            isr_collapse_schedule(&clean, seed),
            45 * S,
        );
        assert_eq!(o.faults_applied, 4, "seed {seed}");
        assert_eq!(o.lost, 0, "seed {seed}: clean election only: {o:?}");
    }
}

#[test]
fn d_lost_responses_duplicate_without_idempotence_and_not_with_it() {
    for seed in 1..=10 {
        let off = config(&[("acks", "all"), ("enable.idempotence", "false")]);
        let f = vec![parse_fault("drop-responses:broker=0@1s..3s").unwrap()];
        let o = run(off, seed, f.clone(), 10 * S);
        assert_eq!(o.faults_applied, 1);
        assert!(o.acknowledged_before_first_fault > 0);
        assert!(
            o.duplicates > 0,
            "seed {seed}: retried batches were written again: {o:?}"
        );
        assert!(o.errors.is_empty() || o.errors.contains(&KafkaError::RequestTimedOut));
        let on = config(&[("acks", "all"), ("enable.idempotence", "true")]);
        let o = run(on, seed, f, 10 * S);
        assert_eq!(o.faults_applied, 1);
        assert_eq!(
            o.duplicates, 0,
            "seed {seed}: the leader deduplicated: {o:?}"
        );
        assert_eq!(o.out_of_order, 0, "seed {seed}: {o:?}");
        assert_eq!(o.lost, 0, "seed {seed}: {o:?}");
    }
}

#[test]
fn e_min_insync_2_with_one_in_sync_replica_fails_sends_with_not_enough_replicas() {
    for seed in 1..=5 {
        let c = config(&[
            ("acks", "all"),
            ("min.insync.replicas", "2"),
            ("request.timeout.ms", "5000"),
            ("delivery.timeout.ms", "10000"),
        ]);
        let sim = Sim::new(c.clone(), seed).unwrap();
        let p = &sim.topics()[0].partitions[0];
        let leader = p.leader.unwrap();
        let faults: Vec<FaultSpec> = p
            .replicas
            .iter()
            .filter(|r| r.broker != leader)
            .map(|r| parse_fault(&format!("crash:broker={}@1s..40s", r.broker)).unwrap())
            .collect();
        let mut sim = Sim::new(c, seed).unwrap();
        for f in faults {
            sim.schedule_fault(f).unwrap();
        }
        sim.run_until(SimTime(30 * S));
        let part = &sim.topics()[0].partitions[0];
        assert_eq!(
            part.isr,
            vec![leader],
            "seed {seed}: one in-sync replica left"
        );
        let errors: Vec<KafkaError> = sim
            .trace()
            .entries()
            .filter_map(|e| match e.event {
                Event::Delivered {
                    detail:
                        Delivery::Acknowledged {
                            error: Some(err), ..
                        },
                    ..
                } => Some(err),
                _ => None,
            })
            .collect();
        assert!(
            errors.contains(&KafkaError::NotEnoughReplicas),
            "seed {seed}: {errors:?}"
        );
        let failed: u64 = sim.producers().iter().map(|p| p.stats.records_failed).sum();
        assert!(failed > 0, "seed {seed}: sends failed");
        let s = sim.summary();
        assert_eq!(s.acknowledged_lost, 0);
    }
}

#[test]
fn the_monitor_keeps_ranges_not_records() {
    // 20 simulated seconds at 50,000 records/s with a leader crash and lost responses: a
    // million records followed, in a handful of ranges.
    let c = config(&[
        ("sim.produce.rate", "50000"),
        ("enable.idempotence", "false"),
        ("request.timeout.ms", "2000"),
    ]);
    let mut sim = Sim::new(c, 9).unwrap();
    for f in [
        "crash:leader=orders-1,ahead@3s..16s",
        "drop-responses:broker=2@5s..6s",
    ] {
        sim.schedule_fault(parse_fault(f).unwrap()).unwrap();
    }
    sim.run_until(SimTime(20 * S));
    let counts = sim.monitor().counts();
    assert!(counts.acknowledged > 800_000, "{counts:?}");
    assert!(
        counts.duplicates > 0,
        "the lost responses made duplicates: {counts:?}"
    );
    let ranges = sim.monitor().ranges_held();
    assert!(
        ranges < 2_000,
        "{ranges} ranges for {} records",
        counts.acknowledged
    );
}
