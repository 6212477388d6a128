//! One case run (`run_case`: the world built or refused, the faults scheduled and parsed
//! back, the live changes applied, the run drained and checked) and a property over many
//! cases (`run_property`: the minimised failing case, and the statistics over all).

use super::case::*;
use super::checker::*;
use super::*;

/// How a case ended.
pub(crate) enum Outcome {
    Refused,
    Ran(RunStats),
}

pub(crate) fn run_case(case: &Case) -> Result<Outcome, String> {
    let config = case.config();
    let refuse = case.should_refuse();
    let mut sim = match Sim::new(config, case.seed) {
        Err(e) => {
            check!(refuse, "a valid config was refused: {e}");
            return Ok(Outcome::Refused);
        }
        Ok(s) => {
            check!(!refuse, "an invalid config was accepted");
            s
        }
    };
    let specs = case.fault_specs();
    for spec in &specs {
        check!(
            parse_fault(&spec.text).as_ref() == Ok(spec),
            "fault '{}' does not parse back to itself",
            spec.text
        );
        sim.schedule_fault(spec.clone())
            .map_err(|e| format!("fault '{}' refused: {e}", spec.text))?;
    }
    let one_down = case.at_most_one_down(&specs);
    let no_loss_expected =
        case.acks == "all" && case.min_isr >= 2 && case.rf >= 3 && !case.unclean && one_down;
    let mut checker = Checker::new(&sim, case.min_isr, no_loss_expected, one_down);
    checker.check_state(&sim)?;
    for (at, change) in case.live_changes() {
        checker.run(&mut sim, at)?;
        let before = sim.snapshot();
        if sim.apply(change.clone()).is_err() {
            checker.stats.refusals += 1;
            check!(
                sim.snapshot() == before,
                "a refused {change:?} changed the simulation"
            );
        }
        checker.check_state(&sim)?;
    }
    checker.run(&mut sim, case.until())?;
    sim.end_faults();
    checker.check_state(&sim)?;
    // A broker restarted before its fence registers when the old session expires.
    check!(
        sim.brokers().iter().all(|b| b.alive || b.registering),
        "a broker is down after end_faults"
    );
    // Settle with the one definition of drained (`Sim::drain_start` / `drain_step`),
    // checking after every event.
    let mut drain = sim.drain_start(drain_limit(sim.config(), case.until()));
    while let Some((index, time)) = sim.drain_step(&mut drain).map(|e| (e.index, e.time)) {
        checker.on_event(&sim, index, time)?;
    }
    let report = sim.drain_report().cloned().unwrap_or_default();
    check!(
        report.settled,
        "the run did not settle (liveness monitor): {:?}; faults {:?}; brokers {:?}",
        report.stuck,
        specs.iter().map(|f| f.text.clone()).collect::<Vec<_>>(),
        sim.brokers()
    );
    let settled = report.settled;
    checker.check_monitor(&sim)?;
    checker.stats.settled = settled;
    checker.stats.events = checker.events;
    checker.stats.diverged_partitions = checker
        .parts
        .iter()
        .filter(|p| p.diverge_from.is_some())
        .count() as u64;
    Ok(Outcome::Ran(checker.stats))
}

/// Cases per property: `FAULT_PROPS_CASES` or `default`.
pub(crate) fn cases(default: u32) -> u32 {
    std::env::var("FAULT_PROPS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `n` cases of `strategy`, panicking with the minimised failing case; returns the
/// statistics of the cases that ran and how many were refused.
pub(crate) fn run_property(name: &str, n: u32, strategy: impl Strategy<Value = Case>) {
    let ran = Cell::new(0u64);
    let refused = Cell::new(0u64);
    let elections = Cell::new(0u64);
    let unclean = Cell::new(0u64);
    let multi_down = Cell::new(0u64);
    let truncations = Cell::new(0u64);
    let leader_truncations = Cell::new(0u64);
    let diverged = Cell::new(0u64);
    let live_refusals = Cell::new(0u64);
    let protected = Cell::new(0u64);
    let unsettled = Cell::new(0u64);
    let mut runner = TestRunner::new(PtConfig {
        cases: n,
        failure_persistence: None,
        max_shrink_iters: 512,
        ..PtConfig::default()
    });
    let verbose = std::env::var("FAULT_PROPS_VERBOSE").is_ok();
    let result = runner.run(&strategy, |case| {
        let t0 = std::time::Instant::now();
        let r = run_case(&case);
        if verbose {
            eprintln!(
                "{:>6} ms {:?} rate {} until {} faults {} live {}",
                t0.elapsed().as_millis(),
                r.as_ref().map(|o| match o {
                    Outcome::Refused => 0,
                    Outcome::Ran(s) => s.events,
                }),
                case.rate,
                case.until_ms,
                case.faults.len(),
                case.live.len()
            );
        }
        match r.map_err(|e| TestCaseError::fail(format!("{e}\n{case:#?}")))? {
            Outcome::Refused => refused.set(refused.get() + 1),
            Outcome::Ran(s) => {
                ran.set(ran.get() + 1);
                elections.set(elections.get() + u64::from(s.elections > 0));
                unclean.set(unclean.get() + u64::from(s.unclean_elections > 0));
                multi_down.set(multi_down.get() + u64::from(s.max_down > 1));
                truncations.set(truncations.get() + s.truncations);
                leader_truncations.set(leader_truncations.get() + s.leader_truncations);
                diverged.set(diverged.get() + u64::from(s.diverged_partitions > 0));
                live_refusals.set(live_refusals.get() + s.refusals);
                unsettled.set(unsettled.get() + u64::from(!s.settled));
                let p = case.acks == "all"
                    && case.min_isr >= 2
                    && case.rf >= 3
                    && !case.unclean
                    && case.at_most_one_down(&case.fault_specs());
                protected.set(protected.get() + u64::from(p));
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    eprintln!(
        "{name}: {} ran, {} refused configs; with elections {}, unclean {}, >1 broker down {}, \
         truncations {} (of a leader {}), runs with diverged logs {}, refused live changes {}, \
         no-loss cases {}, unsettled {}",
        ran.get(),
        refused.get(),
        elections.get(),
        unclean.get(),
        multi_down.get(),
        truncations.get(),
        leader_truncations.get(),
        diverged.get(),
        live_refusals.get(),
        protected.get(),
        unsettled.get()
    );
    assert!(
        refused.get() * 3 < u64::from(n),
        "{name}: too many refused configs"
    );
    assert!(
        elections.get() * 4 > ran.get(),
        "{name}: elections in only {} of {} runs",
        elections.get(),
        ran.get()
    );
}
