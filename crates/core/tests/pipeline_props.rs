//! The consume-transform-produce pipeline over many seeds, each with a drawn fault schedule
//! (a partition leader crash, lost responses, cut links, and one or two processor crashes,
//! restarting with the same or a new transactional.id, half of them between a produce and its
//! commit). The same seed gives both guarantees the same schedule; odd seeds run
//! transaction.version 1, even seeds 2; seeds 2 and 3 mod 4 rebalance cooperatively
//! (cooperative-sticky), the others eagerly (range).
//!
//! exactly_once_v2: every input record's output is seen exactly once by a read_committed
//! reader, in input order per partition, and no read_committed consumer ever gets a record of
//! an aborted transaction. at_least_once: nothing is missing, and duplicates do occur across
//! the seeds. `PIPELINE_SEEDS` sets how many seeds (default 1,000, plus the pipeline worlds of
//! `progress_props.rs`; each runs 30 simulated
//! seconds plus the drain, for both guarantees).

use streamscope_core::sim::schedule::{drain_limit, random_faults};
use streamscope_core::sim::PipelineReport;
use streamscope_core::{Config, Sim, SimTime};

/// Odd seeds run transaction.version 1 (AddPartitionsToTxn / AddOffsetsToTxn), even seeds 2;
/// seeds 2 and 3 mod 4 use the cooperative-sticky assignor.
fn world(guarantee: &str, seed: u64) -> Config {
    let mut c = Config::preset();
    c.set("sim.pipeline", "ctp").unwrap();
    c.set("processing.guarantee", guarantee).unwrap();
    c.set("transaction.version", if seed % 2 == 1 { "1" } else { "2" })
        .unwrap();
    if seed % 4 >= 2 {
        // Cooperative rebalances: members keep what does not move.
        c.set("partition.assignment.strategy", "cooperative-sticky")
            .unwrap();
    }
    c
}

fn run(guarantee: &str, seed: u64) -> (PipelineReport, bool) {
    let c = world(guarantee, seed);
    let until = SimTime(30_000_000);
    let mut sim = Sim::new(c.clone(), seed).unwrap();
    for f in random_faults(&c, seed, until) {
        sim.schedule_fault(f).unwrap();
    }
    sim.run_until(until);
    sim.end_faults();
    // A member whose JoinGroup was lost with a crashed coordinator waits the rebalance
    // timeout (max.poll.interval.ms + 5 s) before it asks again: room for that.
    let settled = sim.drain(drain_limit(&c, until)).settled;
    (sim.pipeline_report().unwrap(), settled)
}

#[test]
fn exactly_once_v2_vs_at_least_once_over_seeds() {
    let seeds: u64 = std::env::var("PIPELINE_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            std::thread::spawn(move || {
                let mut out = Vec::new();
                let mut seed = t;
                while seed < seeds {
                    out.push((
                        seed,
                        run("exactly_once_v2", seed),
                        run("at_least_once", seed),
                    ));
                    seed += threads;
                }
                out
            })
        })
        .collect();
    let mut results = Vec::new();
    for h in handles {
        results.extend(h.join().unwrap());
    }
    results.sort_by_key(|r| r.0);
    let mut alos_dups = 0;
    let mut seeds_with_alos_dups = 0;
    let mut eos_aborts = 0;
    let mut crashes = 0;
    for (seed, (eos, eos_settled), (alos, alos_settled)) in &results {
        assert!(
            eos_settled,
            "seed {seed}: exactly_once_v2 run did not settle: {eos:?}"
        );
        assert!(
            alos_settled,
            "seed {seed}: at_least_once run did not settle: {alos:?}"
        );
        assert!(eos.input > 0, "seed {seed}: no input");
        assert_eq!(
            (
                eos.duplicates,
                eos.out_of_order,
                eos.read_committed_aborted_seen
            ),
            (0, 0, 0),
            "seed {seed}: exactly_once_v2 must see every input once, in order: {eos:?}"
        );
        assert_eq!(
            eos.missing, 0,
            "seed {seed}: exactly_once_v2 lost output: {eos:?}"
        );
        assert_eq!(eos.output_committed, eos.input, "seed {seed}: {eos:?}");
        assert_eq!(
            alos.missing, 0,
            "seed {seed}: at_least_once lost output: {alos:?}"
        );
        assert_eq!(alos.read_committed_aborted_seen, 0, "seed {seed}: {alos:?}");
        assert!(
            eos.processor_crashes >= 1 && alos.processor_crashes >= 1,
            "seed {seed}: the schedule crashes a processor"
        );
        alos_dups += alos.duplicates;
        seeds_with_alos_dups += (alos.duplicates > 0) as u64;
        eos_aborts += eos.transactions_aborted;
        crashes += eos.processor_crashes;
    }
    eprintln!(
        "{} seeds: at_least_once duplicated {alos_dups} records in {seeds_with_alos_dups} seeds; exactly_once_v2 aborted {eos_aborts} transactions over {crashes} processor crashes, duplicated none",
        results.len()
    );
    assert!(
        seeds_with_alos_dups > 0,
        "at_least_once repeats work after some crash"
    );
}
