//! A drain through the history (the page's "Drain (stop sending)", issue 13): the drain's
//! events (`Sim::drain_step`) observed as `History::step` observes one (marks, checkpoints,
//! the trail of `back`), following the run's recorded future in the past; a copy of the world
//! at any moment of the run ([`History::world_at`]); and a drain rebuilt at a past moment
//! ([`History::rebuild_drain`]). A drain's checks write the world's liveness monitor, which is
//! no input: a world rewound from a checkpoint has the monitor as the checkpoint had it, so a
//! drain in progress at a moment is rebuilt by replaying it from its start, checks included.

use super::History;
use crate::config::ConfigError;
use crate::event::TraceEntry;
use crate::sim::input::{Input, LoggedInput, Moment};
use crate::sim::liveness::Drain;
use crate::sim::Sim;
use crate::time::SimTime;
use alloc::format;

impl History {
    /// One event of `drain` (`Sim::drain_step`): live, observed as [`History::step`] observes
    /// one; in the past, after the recorded inputs due before it, along the recorded future
    /// (live again at the head). `None` once the drain is over.
    pub fn drain_step(&mut self, sim: &mut Sim, drain: &mut Drain) -> Option<TraceEntry> {
        let from = sim.moment();
        let entry = self.drain_step_once(sim, drain);
        if sim.moment() != from {
            self.remember(from);
        }
        entry
    }

    fn drain_step_once(&mut self, sim: &mut Sim, drain: &mut Drain) -> Option<TraceEntry> {
        if self.head.is_some() {
            let head = self.head_moment(sim);
            self.put_due(sim, head);
            self.catch_up(sim);
        }
        if self.head.is_none() {
            self.note_inputs(sim);
            let entry = sim.drain_step(drain)?.clone();
            self.observe(sim, &entry);
            return Some(entry);
        }
        let entry = sim.drain_step(drain).cloned();
        debug_assert!(
            self.inputs(sim)
                .get(sim.inputs.len())
                .is_none_or(|next| next.at_pop >= sim.popped),
            "a drain's step passes no recorded input"
        );
        self.catch_up(sim);
        entry
    }

    /// A copy of the world at `moment` of this run (the history and `sim` unchanged): the
    /// latest checkpoint at or before it (or `sim` itself when nearer) moved on to it. An
    /// error naming `moment` if the run never had it.
    pub fn world_at(&self, sim: &Sim, moment: Moment) -> Result<Sim, ConfigError> {
        self.world_along(sim, self.inputs(sim), moment)
    }

    /// [`History::world_at`] with the inputs of `log` (the run's, or its beginning).
    fn world_along(
        &self,
        sim: &Sim,
        log: &[LoggedInput],
        moment: Moment,
    ) -> Result<Sim, ConfigError> {
        let head = self.head_moment(sim);
        if moment > head {
            return Err(super::rewind::past_the_head(moment, head));
        }
        let start = self.start_for(sim, |s| s.moment() <= moment, sim.moment() <= moment);
        let mut world = start.unwrap_or(sim).clone();
        world.advance_with(log, moment, |_| {})?;
        Ok(world)
    }

    /// The drain that input `input` of this run began (an `Input::Drain`), as it was at
    /// `sim`'s moment: the world at the drain's start, `Sim::drain_start(limit(world))` as the
    /// page began it, then the drain's steps with the run's later inputs put in where they
    /// took effect, up to `sim`'s moment (at a moment where the drain ended without taking an
    /// event, ended), or up to the drain's end when it ended before (the rest of the run writes
    /// nothing the drain did). `at_end` sees the world when the drain ends on the way. Returns
    /// the world at `sim`'s moment with its liveness monitor as the drain left it, and the
    /// drain; an error naming the input or the moment when they do not fit the run.
    pub fn rebuild_drain(
        &self,
        sim: &Sim,
        input: usize,
        limit: impl FnOnce(&Sim) -> SimTime,
        at_end: &mut dyn FnMut(&Sim),
    ) -> Result<(Sim, Drain), ConfigError> {
        // The run's inputs as far as `sim` has them (a world right after an event may not
        // have the inputs logged at the same moment yet).
        let log = &self.inputs(sim)[..sim.inputs().len()];
        let start = match log.get(input) {
            Some(l) if l.input == Input::Drain => l.moment(),
            _ => {
                return Err(ConfigError::new(
                    format!("inputs[{input}]"),
                    "not a drain this world has begun",
                ))
            }
        };
        let target = sim.moment();
        let mut world = self.world_along(sim, log, start)?;
        let mut drain = world.drain_start(limit(&world));
        while !drain.is_over() && world.events_processed() < sim.events_processed() {
            put_due(&mut world, log, target)?;
            if world.drain_step(&mut drain).is_none() {
                at_end(&world);
            }
        }
        if !drain.is_over() && world.events_processed() == sim.events_processed() {
            // The check that ends a drain takes no event: it may have come at this moment.
            let (mut w, mut d) = (world.clone(), drain.clone());
            put_due(&mut w, log, target)?;
            if w.drain_step(&mut d).is_none() && w.moment() <= target {
                at_end(&w);
                (world, drain) = (w, d);
            }
        }
        if drain.is_over() {
            // Nothing writes the monitor after its drain: the world shown, with the monitor as
            // the drain left it (no replay of the rest of the run).
            let mut shown = sim.clone();
            shown.liveness = world.liveness;
            return Ok((shown, drain));
        }
        world.advance_with(log, target, |_| {})?;
        if world.trace().hash() != sim.trace().hash() || world.inputs().len() != sim.inputs().len()
        {
            return Err(ConfigError::new(
                "moment",
                "the drain's replay does not come to this world: it is not this run's",
            ));
        }
        Ok((world, drain))
    }
}

/// Puts in the inputs of `log` due at `world`'s place (before its next queue entry), none
/// after `target`.
fn put_due(world: &mut Sim, log: &[LoggedInput], target: Moment) -> Result<(), ConfigError> {
    while let Some(next) = log.get(world.inputs.len()) {
        if next.at_pop != world.popped || next.moment() > target {
            break;
        }
        world.advance_with(log, next.moment(), |_| {})?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::sim::liveness::drain_limit;
    use crate::sim::Change;
    use alloc::vec::Vec;

    fn print(sim: &Sim) -> alloc::string::String {
        format!("{sim:?}")
    }

    /// Asserts two prints are equal, showing where they differ.
    fn same(a: &str, b: &str, what: &str) {
        if let Some(i) = a.bytes().zip(b.bytes()).position(|(x, y)| x != y) {
            let from = i.saturating_sub(200);
            panic!(
                "{what}: differ at {i}:\n{}\n{}",
                &a[from..(i + 200).min(a.len())],
                &b[from..(i + 200).min(b.len())]
            );
        }
        assert_eq!(a.len(), b.len(), "{what}");
    }

    /// The worlds (their prints) and drains right after some events of a drain.
    type Seen = Vec<(u64, alloc::string::String, Drain)>;

    fn limit(s: &Sim) -> SimTime {
        drain_limit(s.config(), s.now())
    }

    /// A run with a broker lost, then drained through the history with a change put in half
    /// way: the history, the world at its head, the drain's input and what was seen.
    fn drained_run() -> (History, Sim, usize, Seen) {
        let mut sim = Sim::new(Config::preset(), 3).unwrap();
        let mut history = History::new(&sim);
        history.run_until_bounded(&mut sim, SimTime(1_000_000), u64::MAX);
        let crash = |s: &mut Sim| s.apply(Change::CrashBroker { broker: 1 });
        history.put(&mut sim, crash).unwrap();
        history.run_until_bounded(&mut sim, SimTime(3_000_000), u64::MAX);
        history
            .put(&mut sim, |s| {
                s.end_faults();
                Ok::<_, ConfigError>(())
            })
            .unwrap();
        let first = limit(&sim);
        let (mut drain, _) = history
            .put(&mut sim, |s| Ok::<_, ConfigError>(s.drain_start(first)))
            .unwrap();
        let drain_input = sim.inputs().len() - 1;
        let mut seen = Seen::new();
        while let Some(e) = history.drain_step(&mut sim, &mut drain) {
            if e.index % 97 == 0 {
                seen.push((e.index + 1, print(&sim), drain.clone()));
            }
            if seen.len() == 2 && sim.inputs().len() == drain_input + 1 {
                let slow = Change::SlowConsumer {
                    consumer: 0,
                    per_record_us: 2_000,
                };
                history.put(&mut sim, |s| s.apply(slow)).unwrap();
            }
        }
        (history, sim, drain_input, seen)
    }

    /// The drain's events are marked and checkpointed, and at any moment of the drain, the
    /// rebuilt drain and world are what the run had, and going on from there follows the run
    /// to its head.
    #[test]
    fn a_drain_through_the_history_comes_back_at_every_moment() {
        let (mut history, mut sim, drain_input, seen) = drained_run();
        assert!(sim.drain_report().is_some_and(|r| r.settled));
        assert!(seen.len() > 3, "a drain of some length: {}", seen.len());
        let drain_start = sim.inputs()[drain_input].at_event;
        assert!(history.checkpoint_events().any(|e| e > drain_start));
        let head = print(&sim);
        for (event, printed, d) in seen.iter().rev() {
            history.rewind_to_event(&mut sim, *event);
            let mut ends = 0;
            let (world, rebuilt) = history
                .rebuild_drain(&sim, drain_input, limit, &mut |_| ends += 1)
                .unwrap();
            same(&print(&world), printed, "the rebuilt world");
            assert_eq!(&rebuilt, d);
            assert_eq!(ends, 0);
            // (A moment holds every input logged at it; right after an event, not yet.)
            let next = history.inputs(&sim).get(sim.inputs().len());
            if next.is_none_or(|l| l.moment() != sim.moment()) {
                let copy = history.world_at(&sim, sim.moment()).unwrap();
                same(&print(&copy), &print(&sim), "a copy of the world");
            }
        }
        let (_, printed, d) = &seen[1];
        history.rewind_to_event(&mut sim, seen[1].0);
        let (world, mut drain) = history
            .rebuild_drain(&sim, drain_input, limit, &mut |_| {})
            .unwrap();
        same(&print(&world), printed, "the rebuilt world");
        assert_eq!(&drain, d);
        sim = world;
        while history.drain_step(&mut sim, &mut drain).is_some() {}
        assert!(history.is_live(), "the drain's future runs to the head");
        same(&print(&sim), &head, "the head");
        let mut ended = 0;
        let (_, over) = history
            .rebuild_drain(&sim, drain_input, limit, &mut |_| ended += 1)
            .unwrap();
        assert!(over.is_over() && ended == 1);
        assert!(history.rebuild_drain(&sim, 0, limit, &mut |_| {}).is_err());
        // A replay of the log, observed after every event, is the same run.
        let mut seen = 0;
        let (_, replayed) =
            History::replay_observed(Config::preset(), 3, sim.inputs(), sim.moment(), |_| {
                seen += 1
            })
            .unwrap();
        assert_eq!(seen, replayed.events_processed());
        assert_eq!(replayed.trace().hash(), sim.trace().hash());
    }
}
