//! Replay (issue 13): a run is its config, seed and input log. Over 1,000 random worlds, each
//! driven with random inputs (live settings, broker crashes, kills and restarts, lost
//! responses, consumers added, crashed, restarted and removed, transactions, scheduled faults,
//! `end_faults`, a drain) put in between events or after the clock was moved past superseded
//! timers, `Sim::replay` of the logged inputs gives the same trace hash at every event index,
//! and the same run after its last input. Refused inputs are not logged; a log that is not the
//! run's is refused with the input it could not place.

mod drawn_world;

use drawn_world::{case, config, input, Case};
use proptest::prelude::*;
use streamscope_core::sim::input::LoggedInput;
use streamscope_core::{Change, Config, Sim, SimTime};

/// Runs the case, logging its inputs; returns the world and the trace hash after each event.
fn run(case: &Case) -> (Sim, Vec<u64>) {
    let mut sim = Sim::new(config(case), case.seed).expect("the case's world is valid");
    let mut hashes = Vec::new();
    for raw in &case.inputs {
        if raw.by_clock {
            let t = SimTime(sim.now().0 + u64::from(raw.gap) * 1000);
            while sim.step_until(t).is_some() {
                hashes.push(sim.trace().hash());
                assert!(
                    hashes.len() < 200_000,
                    "no event storm: 200,000 events by {} us",
                    sim.now().0
                );
            }
            sim.run_until(t);
        } else {
            for _ in 0..raw.gap {
                if sim.step().is_none() {
                    break;
                }
                hashes.push(sim.trace().hash());
            }
        }
        let input = input(&sim, raw);
        let logged_before = sim.inputs().len();
        let before = sim.trace().hash();
        let accepted = sim.put_input(&input).is_ok();
        assert_eq!(
            sim.inputs().len(),
            logged_before + usize::from(accepted),
            "an input is logged exactly when it is accepted: {input:?}"
        );
        if !accepted {
            assert_eq!(
                sim.trace().hash(),
                before,
                "a refused input changes nothing"
            );
        }
    }
    for _ in 0..case.tail {
        if sim.step().is_none() {
            break;
        }
        hashes.push(sim.trace().hash());
    }
    (sim, hashes)
}

/// Replays the case's log and checks the hash after every event, then the run after it.
fn check_replay(case: &Case) -> Result<(), TestCaseError> {
    let (original, hashes) = run(case);
    let mut replayed = Vec::new();
    let mut sim = Sim::replay_observed(config(case), case.seed, original.inputs(), |s: &Sim| {
        replayed.push(s.trace().hash())
    })
    .map_err(|e| TestCaseError::fail(format!("the run's own log replays: {e}")))?;
    prop_assert_eq!(
        sim.inputs(),
        original.inputs(),
        "the replay logs the same inputs"
    );
    while (replayed.len() as u64) < original.events_processed() {
        if sim.step().is_none() {
            break;
        }
        replayed.push(sim.trace().hash());
    }
    let first_difference = hashes.iter().zip(&replayed).position(|(a, b)| a != b);
    prop_assert_eq!(
        first_difference,
        None,
        "the trace hash differs at this event index"
    );
    prop_assert_eq!(
        replayed.len(),
        hashes.len(),
        "the replay runs as many events"
    );
    prop_assert_eq!(
        sim.trace().hash(),
        original.trace().hash(),
        "the same run at its end"
    );
    Ok(())
}

/// 1,000 cases (`REPLAY_CASES` overrides it for a quicker or longer local run).
fn cases() -> u32 {
    std::env::var("REPLAY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_replay_of_the_input_log_is_the_same_run(case in case()) {
        check_replay(&case)?;
    }
}

/// A log that is not the run's (an input moved past the end of what the run does by then) is
/// refused, naming the input.
#[test]
fn a_log_that_is_not_the_runs_is_refused_naming_the_input() {
    let mut sim = Sim::new(Config::preset(), 7).expect("the preset is valid");
    sim.run_until(SimTime(200_000));
    sim.apply(Change::Set {
        name: "linger.ms".into(),
        value: "20".into(),
    })
    .expect("linger.ms=20 is valid");
    let mut log: Vec<LoggedInput> = sim.inputs().to_vec();
    assert_eq!(log.len(), 1, "the applied change is logged");
    assert_eq!(log[0].at_event, sim.events_processed());
    log[0].at_pop += 1;
    let err = match Sim::replay(Config::preset(), 7, &log) {
        Ok(_) => panic!("a log whose input sits after an entry the run did not take is refused"),
        Err(e) => e,
    };
    assert_eq!(err.field, "inputs[0]", "the error names the input: {err}");
    // The same log, unmoved, replays to the same hash.
    let good = Sim::replay(Config::preset(), 7, sim.inputs()).expect("the run's own log replays");
    assert_eq!(good.trace().hash(), sim.trace().hash());
    assert_eq!(good.now(), sim.now());
}
