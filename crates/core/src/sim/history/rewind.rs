//! Going back and forth in a run, and forking it: the nearest checkpoint at or before the
//! target, then the run's own inputs replayed up to it (see `sim::history`).

use super::{Branch, Head, History};
use crate::config::ConfigError;
use crate::sim::input::Moment;
use crate::sim::Sim;
use crate::time::SimTime;
use alloc::format;

impl History {
    /// Keeps the head before the world shown leaves it.
    fn leave_live(&mut self, sim: &Sim) {
        if self.head.is_none() {
            self.note_inputs(sim);
            self.head = Some(Head { sim: sim.clone() });
        }
    }

    /// Back to the head of the run (the world as it was before going back).
    pub fn live(&mut self, sim: &mut Sim) {
        if let Some(head) = self.head.take() {
            *sim = head.sim;
        }
        self.trail.clear();
    }

    /// Starts `sim` again from the latest checkpoint that `fits`, unless `sim` itself is at
    /// or after it and `here_fits` (then it goes on from where it is).
    fn restart_from(&self, sim: &mut Sim, fits: impl Fn(&Sim) -> bool, here_fits: bool) {
        if let Some(start) = self.start_for(sim, fits, here_fits) {
            *sim = start.clone();
        }
    }

    /// The world a replay to a target starts from: the latest checkpoint (kept, or left by a
    /// replay of the past) that `fits`, or `None` when `sim` itself `here_fits` and is at or
    /// after it.
    pub(super) fn start_for(
        &self,
        sim: &Sim,
        fits: impl Fn(&Sim) -> bool,
        here_fits: bool,
    ) -> Option<&Sim> {
        let kept = self.checkpoints.iter().rev().find(|c| fits(&c.sim));
        let Some(kept) = kept else {
            unreachable!("the start is a checkpoint and fits every target");
        };
        let local = self
            .local
            .iter()
            .filter(|c| fits(&c.sim))
            .max_by_key(|c| c.sim.moment());
        let best = match local {
            Some(l) if l.sim.moment() > kept.sim.moment() => l,
            _ => kept,
        };
        let here_is_closer = here_fits && sim.moment() >= best.sim.moment();
        (!here_is_closer).then_some(&best.sim)
    }

    /// Right after an event a replay of the past passed: a checkpoint of it when it is at a
    /// multiple of `CHECKPOINT_EVERY` that the thinned checkpoints no longer hold.
    fn keep_local(&mut self, sim: &Sim) {
        let events = sim.events_processed();
        if !events.is_multiple_of(super::CHECKPOINT_EVERY)
            || self.checkpoints.iter().any(|c| c.events == events)
            || self.local.iter().any(|c| c.events == events)
        {
            return;
        }
        if self.local.len() == super::LOCAL_CHECKPOINTS {
            self.local.remove(0);
        }
        self.local.push(super::Checkpoint {
            events,
            sim: sim.clone(),
        });
    }

    /// The world right after event `event - 1` (`event` events processed; 0: the start), as
    /// the run had it. Past the head's events: the head.
    pub fn rewind_to_event(&mut self, sim: &mut Sim, event: u64) {
        self.trail.clear();
        self.go_to_event(sim, event);
    }

    fn go_to_event(&mut self, sim: &mut Sim, event: u64) {
        if event >= self.head_events(sim) {
            return self.live(sim);
        }
        self.leave_live(sim);
        // A checkpoint is taken right after its event; the world shown may have moved on
        // from its last event (inputs, the clock), so it fits only before `event`.
        let here_fits = sim.events_processed() < event;
        self.restart_from(sim, |s| s.events_processed() <= event, here_fits);
        let head = self.head_moment(sim);
        while sim.events_processed() < event {
            if self.step_along(sim, head).is_none() {
                unreachable!("the head has more events than {event}");
            }
            self.keep_local(sim);
        }
    }

    /// The world as `run_until(t)` left it: every entry at or before `t` taken, the inputs up
    /// to `t` put in, the clock at `t`. At or past the head's time: the head.
    pub fn seek(&mut self, sim: &mut Sim, t: SimTime) {
        self.trail.clear();
        if t >= self.head_moment(sim).time {
            return self.live(sim);
        }
        self.leave_live(sim);
        let here_fits = sim.now() <= t;
        self.restart_from(sim, |s| s.now() <= t, here_fits);
        let head = self.head_moment(sim);
        let limit = Moment {
            pop: head.pop,
            time: t,
        };
        while self.step_along(sim, limit).is_some() {
            self.keep_local(sim);
        }
        sim.now = sim.now.max(t);
    }

    /// The world at `moment` of this run (a moment the run had: `Sim::moment` of a world of
    /// it); an error naming `moment` if the run never had it.
    pub fn rewind_to(&mut self, sim: &mut Sim, moment: Moment) -> Result<(), ConfigError> {
        self.trail.clear();
        let head = self.head_moment(sim);
        if moment == head {
            self.live(sim);
            return Ok(());
        }
        if moment > head {
            return Err(past_the_head(moment, head));
        }
        self.leave_live(sim);
        let here_fits = sim.moment() <= moment;
        self.restart_from(sim, |s| s.moment() <= moment, here_fits);
        let future = match self.head.as_ref() {
            Some(h) => h.sim.inputs(),
            None => unreachable!("left live above"),
        };
        sim.advance_with(future, moment, |_| {})
    }

    /// `n` events back: to the moments `step` left exactly (step 30, back 30 is where it
    /// was), else to right after the event `n` before the last one shown.
    pub fn back(&mut self, sim: &mut Sim, n: u64) {
        if n == 0 {
            return;
        }
        let n_usize = usize::try_from(n).unwrap_or(usize::MAX);
        if n_usize <= self.trail.len() {
            let mut trail = core::mem::take(&mut self.trail);
            let keep = trail.len() - n_usize;
            let moment = trail[keep];
            trail.truncate(keep);
            let result = self.rewind_to(sim, moment);
            assert!(
                result.is_ok(),
                "a moment a step left is the run's: {result:?}"
            );
            self.trail = trail;
            return;
        }
        self.trail.clear();
        let event = sim.events_processed().saturating_sub(n);
        self.go_to_event(sim, event);
    }

    /// Puts an input into the run by `put` (a call such as `Sim::apply`): live, directly; at
    /// a past moment, on a copy first, and only if the copy takes it does the run fork there
    /// (a refused input leaves the run and its future as they were). Returns what `put`
    /// returned and the branch, if the run forked.
    pub fn put<T, E>(
        &mut self,
        sim: &mut Sim,
        put: impl FnOnce(&mut Sim) -> Result<T, E>,
    ) -> Result<(T, Option<Branch>), E> {
        if self.is_live() {
            return put(sim).map(|v| (v, None));
        }
        let mut trial = sim.clone();
        let value = put(&mut trial)?;
        let branch = self.fork(sim);
        *sim = trial;
        self.note_inputs(sim);
        Ok((value, branch))
    }

    /// Before an input is put into `sim` at a past moment: drops the run's future after it
    /// (the head, the later checkpoints and marks) and keeps the branch point; the world is
    /// then live. Returns the branch, or `None` when `sim` was live already.
    pub fn fork(&mut self, sim: &Sim) -> Option<Branch> {
        self.head.take()?;
        let here = sim.moment();
        let inputs = sim.inputs().len();
        let events = sim.events_processed();
        self.checkpoints
            .retain(|c| c.sim.moment() <= here && c.sim.inputs().len() <= inputs);
        self.local
            .retain(|c| c.sim.moment() <= here && c.sim.inputs().len() <= inputs);
        self.marks.cut_at(events);
        self.branches.retain(|b| b.event <= events);
        self.trail.retain(|m| *m <= here);
        // The inputs before the branch that were marked with the event it is at come back.
        self.inputs_marked = sim.inputs().partition_point(|l| l.at_event < events);
        self.note_inputs(sim);
        self.monitor_changes.retain(|&(e, _, _)| e < events);
        let branch = Branch {
            event: events,
            time: sim.now(),
        };
        self.branches.push(branch);
        Some(branch)
    }
}

/// The error for a moment past the run's head.
pub(super) fn past_the_head(moment: Moment, head: Moment) -> ConfigError {
    ConfigError::new(
        "moment",
        format!(
            "entry {} at {} us is past the run's head (entry {} at {} us)",
            moment.pop, moment.time.0, head.pop, head.time.0
        ),
    )
}
