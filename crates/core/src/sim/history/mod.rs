//! Time travel (issue 13): the run kept so that any moment of it can be shown again exactly,
//! and a run continued from a past moment (a fork).
//!
//! A [`History`] sits beside the world being shown (the page's `Sim`, passed in `&mut`) and
//! keeps what that world forgets when it goes back: *checkpoints* (clones of the whole world
//! every [`CHECKPOINT_EVERY`] events, thinned out with age, so that there are many near the
//! present and few far back: memory grows with the logarithm of the run's length), the
//! *head* (the furthest moment the run reached, with its input log, while the world shown is
//! behind it), the *marks* the timeline is painted with (`marks`) and the *branches* (where a
//! fork cut the run). A checkpoint shares the logs' chunks, the trace ring's and the journal's
//! full chunks with the live world (`log::store`, `shared_ring`), so it costs the small mutable
//! state. Going back is the nearest checkpoint at or before the target plus a replay of the
//! run's own inputs (`Sim::advance_with`): the world shown is then exactly what it was, trace
//! ring, lag history and group phases included, since all of them live in the world.
//!
//! Moving forward from a past moment follows the run's recorded future (its inputs are put
//! in where they took effect) until the head, where the world is live again. An input put in
//! at a past moment forks: the future after it is dropped (checkpoints, marks, the head's
//! inputs) and the branch point is kept.
//!
//! A drain goes through the history too (`drain`: `History::drain_step`), and a drain in
//! progress at a past moment is rebuilt from its start (`History::rebuild_drain`), since its
//! checks write the world's liveness monitor, which no input logs.

pub mod marks;

use super::input::{LoggedInput, Moment};
use super::Sim;
use crate::event::TraceEntry;
use crate::time::SimTime;
use alloc::vec::Vec;
use marks::{MarkKind, Marks, MONITOR_EVERY};

/// Events between two checkpoints near the present.
pub const CHECKPOINT_EVERY: u64 = 1024;

/// Checkpoints kept at each spacing before they thin to double it: the spacing at age `a` is
/// about `a / CHECKPOINTS_PER_LEVEL` (so a rewind replays at most that many events).
pub const CHECKPOINTS_PER_LEVEL: u64 = 48;

/// Past this age (events) the checkpoints thin four times as fast (12 per doubling): a rewind
/// into the last million events stays quick, and a long run's checkpoints take less memory
/// (each far one holds about 400 KB the live world has let go: its trace ring and the journal's
/// records of its time, besides its own small state).
pub const DENSE_AGE: u64 = 1 << 20;

/// Checkpoints per doubling past [`DENSE_AGE`].
pub const CHECKPOINTS_PER_LEVEL_FAR: u64 = CHECKPOINTS_PER_LEVEL / 4;

/// A clone of the world at a moment of the run.
#[derive(Clone, Debug)]
struct Checkpoint {
    /// Events processed (a multiple of [`CHECKPOINT_EVERY`], 0 for the start).
    events: u64,
    sim: Sim,
}

/// The furthest moment the run reached, kept while the world shown is behind it.
#[derive(Clone, Debug)]
struct Head {
    /// The world at the head (a clone: its logs are shared).
    sim: Sim,
}

/// Where a fork cut the run: the future after this moment was recomputed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Branch {
    pub event: u64,
    pub time: SimTime,
}

/// The run's checkpoints, head, marks and branches (see the module's doc).
#[derive(Clone, Debug)]
pub struct History {
    checkpoints: Vec<Checkpoint>,
    head: Option<Head>,
    marks: Marks,
    branches: Vec<Branch>,
    /// Inputs already marked.
    inputs_marked: usize,
    /// Each change of the monitor's counts seen at a look: (event, lost, duplicated); the
    /// last is what the last look saw, and a fork cuts it like the marks.
    monitor_changes: Vec<(u64, u64, u64)>,
    /// The moments `step` was called at, latest last: `back` returns to them exactly.
    trail: Vec<Moment>,
    /// Checkpoints taken while going back into the thinned past (at the multiples of
    /// [`CHECKPOINT_EVERY`] a replay passes there), the last [`LOCAL_CHECKPOINTS`] of them:
    /// stepping back again near a far moment starts close by.
    local: Vec<Checkpoint>,
}

/// How many checkpoints of the past a history keeps from its last replays there.
pub const LOCAL_CHECKPOINTS: usize = 8;

/// How many moments of steps `History::back` can return to exactly.
const TRAIL: usize = 10_000;

impl History {
    /// The history of `sim`, a world at its start (no event yet).
    pub fn new(sim: &Sim) -> History {
        assert_eq!(sim.events_processed(), 0, "a history starts with its world");
        History {
            checkpoints: alloc::vec![Checkpoint {
                events: 0,
                sim: sim.clone(),
            }],
            head: None,
            marks: Marks::default(),
            branches: Vec::new(),
            inputs_marked: 0,
            monitor_changes: Vec::new(),
            trail: Vec::new(),
            local: Vec::new(),
        }
    }

    /// Whether the world shown is at the head of the run (not in its past).
    pub fn is_live(&self) -> bool {
        self.head.is_none()
    }

    /// The head's moment, events and time (`sim` when live).
    pub fn head_moment(&self, sim: &Sim) -> Moment {
        self.head.as_ref().map_or(sim.moment(), |h| h.sim.moment())
    }

    pub fn head_events(&self, sim: &Sim) -> u64 {
        self.head
            .as_ref()
            .map_or(sim.events_processed(), |h| h.sim.events_processed())
    }

    /// The run's whole input log (the head's).
    pub fn inputs<'a>(&'a self, sim: &'a Sim) -> &'a [LoggedInput] {
        self.head.as_ref().map_or(sim.inputs(), |h| h.sim.inputs())
    }

    /// The marks, in the run's order (up to the head).
    pub fn marks(&self) -> &Marks {
        &self.marks
    }

    /// Where forks cut the run, oldest first.
    pub fn branches(&self) -> &[Branch] {
        &self.branches
    }

    /// The run of `config` and `seed` with `inputs` replayed up to `head` (at least the last
    /// input), kept as a history from its start: the world at `head`, live. An input log that
    /// does not fit, or a moment the run never had, is an error naming it.
    pub fn replay(
        config: crate::config::Config,
        seed: u64,
        inputs: &[LoggedInput],
        head: Moment,
    ) -> Result<(History, Sim), crate::config::ConfigError> {
        History::replay_observed(config, seed, inputs, head, |_| {})
    }

    /// [`History::replay`], calling `observe` after every event (as `Sim::replay_observed`
    /// does), so that what a front end reads from the trace as a run goes (the page's
    /// rebalance phases) is read from the replay too.
    pub fn replay_observed(
        config: crate::config::Config,
        seed: u64,
        inputs: &[LoggedInput],
        head: Moment,
        mut observe: impl FnMut(&Sim),
    ) -> Result<(History, Sim), crate::config::ConfigError> {
        let mut sim = Sim::new(config, seed)?;
        let mut history = History::new(&sim);
        let head = inputs.last().map_or(head, |l| head.max(l.moment()));
        sim.advance_with(inputs, head, |s| {
            history.note_inputs(s);
            if let Some(entry) = s.trace().last() {
                history.observe(s, entry);
            }
            observe(s);
        })?;
        history.note_inputs(&sim);
        Ok((history, sim))
    }

    /// Heap bytes the history holds beyond the world shown: its checkpoints and head (what
    /// they share with each other and with the world counted once, what they share with the
    /// world not at all), its marks and trail.
    pub fn memory_bytes(&self, sim: &Sim) -> usize {
        let mut live = alloc::collections::BTreeMap::new();
        sim.memory_bytes_shared(&mut live);
        let mut held = alloc::collections::BTreeMap::new();
        let own: usize = self
            .checkpoints
            .iter()
            .chain(&self.local)
            .map(|c| &c.sim)
            .chain(self.head.as_ref().map(|h| &h.sim))
            .map(|s| s.memory_bytes_shared(&mut held))
            .sum();
        let chunks: usize = held
            .iter()
            .map(|(id, bytes)| bytes.saturating_sub(live.get(id).copied().unwrap_or(0)))
            .sum();
        own + chunks
            + self.marks.heap_bytes()
            + self.trail.len() * core::mem::size_of::<Moment>()
            + (self.checkpoints.len() + self.local.len()) * core::mem::size_of::<Checkpoint>()
    }

    /// The events of the checkpoints kept, oldest first.
    pub fn checkpoint_events(&self) -> impl Iterator<Item = u64> + '_ {
        self.checkpoints.iter().map(|c| c.events)
    }

    // ----- moving on -----

    /// One event forward (following the recorded future when in the past); `None` when there
    /// is none (see `Sim::step`).
    pub fn step(&mut self, sim: &mut Sim) -> Option<TraceEntry> {
        let from = sim.moment();
        let entry = self.step_once(sim);
        // A step that found no event may still have moved the clock past timers (a quiet
        // world): `back` returns to where it was called all the same.
        if sim.moment() != from {
            self.remember(from);
        }
        entry
    }

    fn step_once(&mut self, sim: &mut Sim) -> Option<TraceEntry> {
        if self.head.is_none() {
            self.note_inputs(sim);
            let entry = sim.step()?.clone();
            self.observe(sim, &entry);
            return Some(entry);
        }
        let head = self.head_moment(sim);
        let entry = self.step_along(sim, head).cloned();
        self.catch_up(sim);
        match entry {
            Some(e) => Some(e),
            // At the head: go on live.
            None if self.head.is_none() => self.step_once(sim),
            None => None,
        }
    }

    /// Runs to time `t` as `Sim::run_until_bounded` does (at most `max_events` events; true
    /// when there), following the recorded future while in the past.
    pub fn run_until_bounded(&mut self, sim: &mut Sim, t: SimTime, max_events: u64) -> bool {
        self.note_inputs(sim);
        for _ in 0..max_events {
            if let Some(head) = self.head.as_ref().map(|h| h.sim.moment()) {
                let limit = Moment {
                    pop: head.pop,
                    time: head.time.min(t),
                };
                if self.step_along(sim, limit).is_some() {
                    continue;
                }
                self.catch_up(sim);
                if self.head.is_some() {
                    // Stopped before the head: `t` is reached.
                    sim.now = sim.now.max(t);
                    return true;
                }
                continue;
            }
            let Some(entry) = sim.step_until(t).cloned() else {
                sim.now = sim.now.max(t);
                return true;
            };
            self.observe(sim, &entry);
        }
        false
    }

    /// Marks the inputs put in since the last look (the world shown is live).
    pub fn note_inputs(&mut self, sim: &Sim) {
        if self.head.is_some() {
            return;
        }
        while let Some(logged) = sim.inputs().get(self.inputs_marked) {
            self.marks.add(
                logged.at_event,
                logged.at_time,
                MarkKind::Input {
                    input: self.inputs_marked as u32,
                },
            );
            self.inputs_marked += 1;
        }
    }

    /// After a live event: its mark, the monitor's news, a checkpoint when one is due.
    fn observe(&mut self, sim: &Sim, entry: &TraceEntry) {
        debug_assert!(self.head.is_none(), "only a live world is observed");
        if let Some(kind) = marks::mark_of(entry) {
            self.marks.add(entry.index, entry.time, kind);
        }
        let events = sim.events_processed();
        if events.is_multiple_of(MONITOR_EVERY) {
            self.look_at_monitor(sim, entry);
        }
        if events.is_multiple_of(CHECKPOINT_EVERY) {
            self.checkpoints.push(Checkpoint {
                events,
                sim: sim.clone(),
            });
            self.thin(events);
        }
    }

    fn look_at_monitor(&mut self, sim: &Sim, entry: &TraceEntry) {
        let c = sim.monitor().counts();
        let (lost, dup) = self
            .monitor_changes
            .last()
            .map_or((0, 0), |&(_, lost, dup)| (lost, dup));
        if c.acknowledged_lost > lost {
            let count = c.acknowledged_lost - lost;
            self.marks
                .add(entry.index, entry.time, MarkKind::Lost { count });
        }
        if c.duplicates > dup {
            let count = c.duplicates - dup;
            self.marks
                .add(entry.index, entry.time, MarkKind::Duplicated { count });
        }
        if (c.acknowledged_lost, c.duplicates) != (lost, dup) {
            self.monitor_changes
                .push((entry.index, c.acknowledged_lost, c.duplicates));
        }
    }

    /// Drops the checkpoints their age no longer needs: one at event `k * CHECKPOINT_EVERY`
    /// stays while `k` is a multiple of 2^level, the level growing by one each time the age
    /// doubles past `CHECKPOINTS_PER_LEVEL` spacings (past [`DENSE_AGE`], past
    /// `CHECKPOINTS_PER_LEVEL_FAR` spacings). The level only grows with age, so a checkpoint
    /// dropped is never wanted again; the start always stays.
    fn thin(&mut self, now: u64) {
        let level = |age: u64, per_level: u64| {
            let spans = age / (CHECKPOINT_EVERY * per_level);
            u64::BITS - spans.leading_zeros()
        };
        self.checkpoints.retain(|c| {
            let k = c.events / CHECKPOINT_EVERY;
            let age = now - c.events;
            let mut l = level(age, CHECKPOINTS_PER_LEVEL);
            if age >= DENSE_AGE {
                l = l.max(level(age, CHECKPOINTS_PER_LEVEL_FAR));
            }
            c.events == 0 || k.is_multiple_of(1u64 << l.min(63))
        });
    }

    /// Once the world shown has reached the head (every input of the head put in and its
    /// moment reached), it is live again.
    fn catch_up(&mut self, sim: &mut Sim) {
        let Some(head) = self.head.as_ref() else {
            return;
        };
        if sim.moment() >= head.sim.moment() && sim.inputs().len() == head.sim.inputs().len() {
            debug_assert_eq!(sim.trace().hash(), head.sim.trace().hash());
            self.head = None;
        }
    }

    /// The next event of the recorded future, with the inputs due before it, within `limit`
    /// (no entry past `limit.pop`, none and no input after `limit.time`: the head, or a time
    /// before it); `None` when the next event is past it (the inputs due within `limit` are
    /// then in, and at `limit.pop` the clock is at `limit.time`).
    fn step_along<'a>(&self, sim: &'a mut Sim, limit: Moment) -> Option<&'a TraceEntry> {
        loop {
            self.put_due(sim, limit);
            if sim.popped >= limit.pop {
                sim.now = sim.now.max(limit.time);
                return None;
            }
            let at = sim.next_event_time()?;
            if at > limit.time {
                return None;
            }
            if sim.take_next() {
                return sim.trace.last();
            }
        }
    }

    /// Puts in the inputs of the recorded future due at the world's place (before its next
    /// queue entry), none after `limit.time`.
    fn put_due(&self, sim: &mut Sim, limit: Moment) {
        let future = self.head.as_ref().map_or(&[][..], |h| h.sim.inputs());
        while let Some(next) = future.get(sim.inputs.len()) {
            if next.at_pop != sim.popped || next.at_time > limit.time {
                return;
            }
            assert!(
                next.at_time >= sim.now,
                "a recorded input takes effect after the world's clock"
            );
            sim.now = next.at_time;
            if let Err(e) = sim.put_input(&next.input) {
                panic!("the run took this input at this moment and refuses it now: {e}");
            }
        }
    }

    /// Notes that a step left `from` (for `back`).
    fn remember(&mut self, from: Moment) {
        if self.trail.len() == TRAIL {
            self.trail.remove(0);
        }
        self.trail.push(from);
    }
}

mod drain;
mod rewind;
