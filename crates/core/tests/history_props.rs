//! Time travel (issue 13): over random worlds driven with random inputs through a `History`,
//! every moment the run had comes back exactly (the whole world's Debug text, so the trace
//! ring, the lag history, the groups' phases and every timer too): by event index, by moment,
//! by time (`seek`, against a fresh run to that time), by `back` after steps, and the head by
//! `live`. Going forward from the past follows the run's own future to the head. A fork at a
//! past moment gives the run a fresh replay of its cut log gives, with the same marks.

mod drawn_world;

use drawn_world::{case, config, input, Case};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use streamscope_core::sim::history::History;
use streamscope_core::sim::input::Moment;
use streamscope_core::{Sim, SimTime};

/// The whole world as its Debug text, hashed.
fn print(sim: &Sim) -> u64 {
    let mut h = DefaultHasher::new();
    format!("{sim:?}").hash(&mut h);
    h.finish()
}

/// What a run through a history recorded on the way.
struct Run {
    history: History,
    sim: Sim,
    /// The trace hash after each event.
    hashes: Vec<u64>,
    /// The world's print right after event `e - 1`, for sampled `e`.
    after_event: BTreeMap<u64, u64>,
    /// The world's print at moments between events (after inputs, after the clock moved),
    /// with the inputs logged by then.
    at_moment: Vec<(Moment, usize, u64)>,
}

/// Sampled events: one in this many.
const SAMPLE_EVERY: u64 = 97;

fn run(case: &Case) -> Run {
    let sim = Sim::new(config(case), case.seed).expect("the case's world is valid");
    let mut r = Run {
        history: History::new(&sim),
        sim,
        hashes: Vec::new(),
        after_event: BTreeMap::new(),
        at_moment: Vec::new(),
    };
    for raw in &case.inputs {
        if raw.by_clock {
            let t = SimTime(r.sim.now().0 + u64::from(raw.gap) * 1000);
            // One event at a time, so that every event is seen.
            while !r.history.run_until_bounded(&mut r.sim, t, 1) {
                r.after_an_event();
                assert!(r.hashes.len() < 200_000, "no event storm");
            }
        } else {
            for _ in 0..raw.gap {
                if r.history.step(&mut r.sim).is_none() {
                    break;
                }
                r.after_an_event();
            }
        }
        // (Not before the input: a moment holds the inputs logged at it.)
        let input = input(&r.sim, raw);
        let _ = r.history.put(&mut r.sim, |s| s.put_input(&input));
        r.at_moment
            .push((r.sim.moment(), r.sim.inputs().len(), print(&r.sim)));
    }
    for _ in 0..case.tail {
        if r.history.step(&mut r.sim).is_none() {
            break;
        }
        r.after_an_event();
    }
    r
}

impl Run {
    fn after_an_event(&mut self) {
        self.hashes.push(self.sim.trace().hash());
        let e = self.sim.events_processed();
        if e.is_multiple_of(SAMPLE_EVERY) {
            self.after_event.insert(e, print(&self.sim));
        }
    }
}

/// The world a fresh run of the same log has at time `t` (`run_until(t)` after the inputs
/// up to `t`).
fn fresh_at_time(
    case: &Case,
    sim: &Sim,
    inputs: &[streamscope_core::sim::input::LoggedInput],
    t: SimTime,
) -> Sim {
    let upto = inputs.iter().filter(|l| l.at_time <= t).count();
    let moment = inputs[..upto].last().map_or(
        Moment {
            pop: 0,
            time: SimTime::ZERO,
        },
        |l| l.moment(),
    );
    let mut fresh = Sim::replay_to(config(case), case.seed, &inputs[..upto], moment)
        .expect("the run's log replays");
    fresh.run_until(t);
    assert_eq!(fresh.seed(), sim.seed());
    fresh
}

fn check(case: &Case, pick: u64) -> Result<(), TestCaseError> {
    let mut r = run(case);
    let head_print = print(&r.sim);
    let head_moment = r.sim.moment();
    let inputs = r.history.inputs(&r.sim).to_vec();
    // Back to sampled events, latest first, then the moments in between, oldest first.
    for (&e, &p) in r.after_event.iter().rev() {
        r.history.rewind_to_event(&mut r.sim, e);
        prop_assert_eq!(r.sim.events_processed(), e);
        prop_assert_eq!(
            print(&r.sim),
            p,
            "the world after event {} comes back",
            e - 1
        );
    }
    for &(m, logged, p) in &r.at_moment {
        // A moment holds every input logged at it: one before another input at the same
        // moment is not a moment of the run.
        if m == head_moment || inputs[logged..].iter().any(|l| l.moment() == m) {
            continue;
        }
        r.history
            .rewind_to(&mut r.sim, m)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(print(&r.sim), p, "the world at {:?} comes back", m);
    }
    r.history.live(&mut r.sim);
    prop_assert!(r.history.is_live());
    prop_assert_eq!(print(&r.sim), head_print, "live is the head");
    let events = r.hashes.len() as u64;
    if events == 0 {
        return Ok(());
    }
    // Forward from a past event follows the run's future to the head, live again.
    let from = pick % events;
    r.history.rewind_to_event(&mut r.sim, from);
    prop_assert!(from == events || !r.history.is_live());
    let mut i = from as usize;
    while i < r.hashes.len() {
        let Some(entry) = r.history.step(&mut r.sim) else {
            break;
        };
        prop_assert_eq!(entry.index, i as u64);
        prop_assert_eq!(
            r.sim.trace().hash(),
            r.hashes[i],
            "event {} forward again",
            i
        );
        i += 1;
    }
    prop_assert_eq!(i, r.hashes.len(), "forward runs the run's events");
    // The inputs after the last event, and the clock, up to the head's time.
    if !r.history.is_live() {
        r.history.run_until_bounded(&mut r.sim, head_moment.time, 1);
    }
    prop_assert!(r.history.is_live(), "forward reaches the head");
    prop_assert_eq!(print(&r.sim), head_print, "and it is the head");
    // By time: the world a fresh run has at that time.
    let t = SimTime(pick % head_moment.time.0.max(1));
    r.history.seek(&mut r.sim, t);
    let fresh = fresh_at_time(case, &r.sim, &inputs, t);
    prop_assert_eq!(
        print(&r.sim),
        print(&fresh),
        "seek({}) is the run at that time",
        t.0
    );
    // Step 30, back 30: where it was.
    let before = print(&r.sim);
    for _ in 0..30 {
        r.history.step(&mut r.sim);
    }
    r.history.back(&mut r.sim, 30);
    prop_assert_eq!(print(&r.sim), before, "step 30, back 30");
    check_fork(case, &mut r, pick)
}

/// A fork at a past event: the run a fresh replay of the cut log gives, with its marks.
fn check_fork(case: &Case, r: &mut Run, pick: u64) -> Result<(), TestCaseError> {
    let events = r.history.head_events(&r.sim);
    let at = (pick / 7) % events.max(1);
    r.history.rewind_to_event(&mut r.sim, at);
    let raw = &case
        .inputs
        .first()
        .cloned()
        .unwrap_or(drawn_world::RawInput {
            gap: 0,
            by_clock: false,
            kind: 0,
            x: pick as u32,
        });
    let change = input(&r.sim, raw);
    let was_live = r.history.is_live();
    let before = print(&r.sim);
    match r.history.put(&mut r.sim, |s| s.put_input(&change)) {
        Ok((_, branch)) => {
            prop_assert_eq!(branch.is_some(), !was_live, "a fork from the past only");
            if let Some(b) = branch {
                prop_assert_eq!(b.event, at);
                prop_assert_eq!(r.history.branches().last().copied(), Some(b));
            }
        }
        Err(_) => {
            prop_assert_eq!(print(&r.sim), before, "a refused input changes nothing");
            prop_assert_eq!(r.history.is_live(), was_live, "and keeps the future");
            return Ok(());
        }
    }
    prop_assert!(r.history.is_live(), "after a fork the world is the head");
    for _ in 0..300 {
        if r.history.step(&mut r.sim).is_none() {
            break;
        }
    }
    let (fresh_history, fresh) =
        History::replay(config(case), case.seed, r.sim.inputs(), r.sim.moment())
            .map_err(|e| TestCaseError::fail(format!("the cut log replays: {e}")))?;
    prop_assert_eq!(
        print(&r.sim),
        print(&fresh),
        "the forked run is its log's run"
    );
    prop_assert_eq!(
        r.history.marks().all(),
        fresh_history.marks().all(),
        "the forked run has its log's marks"
    );
    Ok(())
}

/// 150 cases (`HISTORY_CASES` overrides it).
fn cases() -> u32 {
    std::env::var("HISTORY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_moment_of_a_run_comes_back_exactly(case in case(), pick in any::<u64>()) {
        check(&case, pick)?;
    }
}

/// Checkpoints thin out with age: a long run keeps a number of them that grows with the
/// logarithm of its length, and the nearest one before any event of the last 1,000,000 is at
/// most about age / CHECKPOINTS_PER_LEVEL events before it.
#[test]
fn checkpoints_thin_out_with_age() {
    use streamscope_core::sim::history::{CHECKPOINTS_PER_LEVEL, CHECKPOINT_EVERY};
    let mut sim = Sim::new(streamscope_core::Config::preset(), 3).expect("the preset is valid");
    let mut history = History::new(&sim);
    let total = 400 * CHECKPOINT_EVERY;
    while sim.events_processed() < total {
        history.step(&mut sim);
    }
    let kept: Vec<u64> = history.checkpoint_events().collect();
    let levels =
        u64::from(u64::BITS - (total / (CHECKPOINT_EVERY * CHECKPOINTS_PER_LEVEL)).leading_zeros());
    let bound = CHECKPOINTS_PER_LEVEL * (levels + 1) + 1;
    assert!(
        kept.len() as u64 <= bound,
        "{} checkpoints kept, at most {bound}: {kept:?}",
        kept.len()
    );
    for w in kept.windows(2) {
        let age = total - w[1];
        let gap = w[1] - w[0];
        assert!(
            gap <= CHECKPOINT_EVERY.max(2 * age / CHECKPOINTS_PER_LEVEL + CHECKPOINT_EVERY),
            "checkpoints {} and {} are {gap} events apart at age {age}",
            w[0],
            w[1]
        );
    }
    assert_eq!(
        kept.last().copied(),
        Some(total),
        "the newest is the present"
    );
}

/// The consume-transform-produce pipeline (its processors' transactions, the verifier, a
/// processor crashed in a transaction and restarted with another transactional.id, a fault
/// scheduled on a processor) comes back at every sampled moment, under both guarantees, and a
/// fork in the middle of a transaction is its log's run.
#[test]
fn a_pipeline_run_comes_back_exactly() {
    use streamscope_core::sim::schedule::parse_fault_at;
    use streamscope_core::{Change, Config};
    for guarantee in ["at_least_once", "exactly_once_v2"] {
        let mut c = Config::preset();
        for (k, v) in [("sim.pipeline", "ctp"), ("processing.guarantee", guarantee)] {
            c.set(k, v)
                .unwrap_or_else(|e| panic!("the pipeline world takes {k}={v}: {e}"));
        }
        let mut sim = Sim::new(c.clone(), 11).expect("the pipeline world is valid");
        let mut history = History::new(&sim);
        let mut samples = BTreeMap::new();
        while sim.events_processed() < 12_000 {
            let e = sim.events_processed();
            if e == 3_000 {
                let fault = parse_fault_at("crash:processor=1,in-txn@+0s..+2s", sim.now())
                    .expect("the fault text is valid");
                history
                    .put(&mut sim, |s| s.schedule_fault(fault))
                    .expect("the pipeline has processor 1");
            }
            if e == 6_000 {
                history
                    .put(&mut sim, |s| {
                        s.apply(Change::CrashProcessor { processor: 0 })
                    })
                    .expect("processor 0 runs");
            }
            if e == 7_500 {
                history
                    .put(&mut sim, |s| {
                        s.apply(Change::RestartProcessor {
                            processor: 0,
                            new_transactional_id: true,
                        })
                    })
                    .expect("processor 0 crashed");
            }
            history.step(&mut sim).expect("the pipeline keeps moving");
            if sim.events_processed().is_multiple_of(499) {
                samples.insert(sim.events_processed(), print(&sim));
            }
        }
        let head = print(&sim);
        for (&e, &p) in samples.iter().rev() {
            history.rewind_to_event(&mut sim, e);
            assert_eq!(
                print(&sim),
                p,
                "{guarantee}: the world after event {} comes back",
                e - 1
            );
        }
        history.live(&mut sim);
        assert_eq!(print(&sim), head, "{guarantee}: live is the head");
        // A fork at event 6,500 (processor 0 down, processor 1 back): restart processor 0
        // with its own transactional.id instead.
        history.rewind_to_event(&mut sim, 6_500);
        let (_, branch) = history
            .put(&mut sim, |s| {
                s.apply(Change::RestartProcessor {
                    processor: 0,
                    new_transactional_id: false,
                })
            })
            .expect("processor 0 is down at event 6,500");
        assert_eq!(branch.map(|b| b.event), Some(6_500));
        for _ in 0..3_000 {
            history.step(&mut sim).expect("the pipeline keeps moving");
        }
        let (fresh_history, fresh) = History::replay(c, 11, sim.inputs(), sim.moment())
            .expect("the forked run's log replays");
        assert_eq!(
            print(&sim),
            print(&fresh),
            "{guarantee}: the fork is its log's run"
        );
        assert_eq!(history.marks().all(), fresh_history.marks().all());
    }
}

/// Far in the thinned past, a rewind leaves checkpoints on its way (`LOCAL_CHECKPOINTS`), so
/// stepping back again starts close by; every world it gives is the run's (its whole Debug
/// text against a fresh run stepped to the same event).
#[test]
fn stepping_back_in_the_far_past_is_exact() {
    use streamscope_core::sim::history::CHECKPOINT_EVERY;
    let mut sim = Sim::new(streamscope_core::Config::preset(), 4).expect("the preset is valid");
    let mut history = History::new(&sim);
    let total = 200 * CHECKPOINT_EVERY;
    while sim.events_processed() < total {
        history.step(&mut sim);
    }
    let kept: Vec<u64> = history.checkpoint_events().collect();
    // A point between two kept checkpoints far apart, and the events just before it.
    let far = kept
        .windows(2)
        .find(|w| w[1] - w[0] >= 4 * CHECKPOINT_EVERY)
        .map(|w| w[0] + 3 * CHECKPOINT_EVERY + 17)
        .expect("the early checkpoints are thinned");
    let targets = [
        far,
        far - 1,
        far - 2,
        far - CHECKPOINT_EVERY,
        far - 2 * CHECKPOINT_EVERY + 1,
    ];
    let mut got = BTreeMap::new();
    history.rewind_to_event(&mut sim, far);
    got.insert(far, print(&sim));
    for &e in &targets[1..] {
        let n = sim.events_processed() - e;
        history.back(&mut sim, n);
        assert_eq!(sim.events_processed(), e);
        got.insert(e, print(&sim));
    }
    let mut fresh = Sim::new(streamscope_core::Config::preset(), 4).expect("the preset is valid");
    for (&e, &p) in &got {
        while fresh.events_processed() < e {
            fresh.step();
        }
        assert_eq!(
            print(&fresh),
            p,
            "the world after event {} far back is the run's",
            e - 1
        );
    }
}
