//! Moving the page in time (issue 13): a step back, a jump to an event, a mark, a moment or a
//! typed time, the previous / next mark of a kind, and Live, each through the run's `History`
//! (`App::history`); then [`App::after_jump`] brings what the page keeps that derives from the
//! run to the moment shown, from the core's world at that moment, or drops it:
//!
//! - the pipeline's twin: sought to the same time (`Twin::seek`: its own history, its waiting
//!   restarts and its drain as they were then);
//! - the drain: rebuilt from the input that began it (`PageDrain::at_moment`), none before it;
//!   the stuck parts it outlines come from it;
//! - the groups' rebalance phases and heartbeats: the observer's copy before the moment plus
//!   the trace ring since (`rebalance::Observer::recall`); the processors' phases seen: the
//!   world's own now;
//! - the keys a partition-count change moved: kept while the world shown has that input;
//! - the settings the controls show and the next Reset builds: the live ones as the world has
//!   them (those that apply on Reset stay the page's choice);
//! - the selection: kept while the world has the record or partition; the highlight of a log
//!   line and the batches seen leaving the accumulator: dropped.
//!
//! Lag history, group phases, the trace the log reads and the monitors live in the world
//! itself, so the rewind brings them back.

use crate::drain::PageDrain;
use crate::i18n::{t, tf};
use crate::page::App;
use crate::pipeline::observe_phases;
use crate::render::Target;
use crate::timeline::time_text;
use streamscope_core::config::{settings, Scope, SETTINGS};
use streamscope_core::sim::history::marks::{Mark, MarkGroup, MarkKind};
use streamscope_core::sim::input::Moment;
use streamscope_core::{Sim, SimTime};

/// A mark's place in the run, as the world right after it has it: (events processed, 0 for
/// an event's mark, 1 + i for input i, which comes after the event before it).
fn place(m: &Mark) -> (u64, u64) {
    match m.kind {
        MarkKind::Input { input } => (m.event, 1 + u64::from(input)),
        _ => (m.event + 1, 0),
    }
}

/// The world's place in the same terms.
fn here(sim: &Sim) -> (u64, u64) {
    let n = sim.events_processed();
    match sim.inputs().iter().rposition(|l| l.at_event == n) {
        Some(i) => (n, 1 + i as u64),
        None => (n, 0),
    }
}

impl App {
    /// `n` events back (to where a step left, exactly).
    pub fn step_back(&mut self, n: u64) {
        self.playing = false;
        self.history.back(&mut self.sim, n);
        self.after_jump();
    }

    /// The world as running to `t` left it.
    pub fn seek(&mut self, t: SimTime) {
        self.history.seek(&mut self.sim, t);
        self.after_jump();
    }

    /// Back to the head of the run.
    pub fn go_live(&mut self) {
        self.history.live(&mut self.sim);
        self.after_jump();
    }

    /// The world right after event `events - 1`.
    pub fn jump_to_event(&mut self, events: u64) {
        self.history.rewind_to_event(&mut self.sim, events);
        self.after_jump();
    }

    /// The world right after `mark` (an input's: with the input put in).
    pub fn jump_to_mark(&mut self, mark: &Mark) {
        let moment = match mark.kind {
            MarkKind::Input { input } => self
                .history
                .inputs(&self.sim)
                .get(input as usize)
                .map(|l| l.moment()),
            _ => None,
        };
        match moment {
            Some(m) => {
                let _ = self.history.rewind_to(&mut self.sim, m);
            }
            None => self.history.rewind_to_event(&mut self.sim, mark.event + 1),
        }
        self.after_jump();
    }

    /// The world at `moment` of the run (a link's); an error naming it when the run never had
    /// it.
    pub fn jump_to_moment(&mut self, moment: Moment) -> Result<(), String> {
        let r = self.history.rewind_to(&mut self.sim, moment);
        self.after_jump();
        r.map_err(|e| e.to_string())
    }

    /// The previous (or next) mark of the kind chosen in the timeline's select (any kind:
    /// `None`), and a message saying where it went or that there is none.
    pub fn jump_by_kind(&mut self, forward: bool) -> Result<String, String> {
        let group = self.timeline.group;
        let at = here(&self.sim);
        let fits = |m: &&Mark| group.is_none_or(|g: MarkGroup| m.kind.group() == g);
        let marks = self.history.marks().all();
        let found = if forward {
            marks.iter().filter(fits).find(|m| place(m) > at)
        } else {
            marks.iter().rev().filter(fits).find(|m| place(m) < at)
        };
        let Some(mark) = found.copied() else {
            let key = if forward {
                "no_next_mark"
            } else {
                "no_previous_mark"
            };
            return Err(t(self.lang, key).to_string());
        };
        self.jump_to_mark(&mark);
        Ok(tf(
            self.lang,
            "jumped_to_mark",
            &[
                ("n", &mark.event.to_string()),
                ("t", &time_text(mark.time, self.lang)),
            ],
        ))
    }

    /// "Jump to time": a time with a unit (`parse_duration_us`, as the page's other time
    /// fields), refused with a message in the page's language when it is not one or is past
    /// the head (never clamped).
    pub fn jump_to_typed_time(&mut self, raw: &str) -> Result<String, String> {
        let lang = self.lang;
        let us = settings::parse_duration_us(raw)
            .map_err(|_| tf(lang, "jump_time_bad", &[("raw", raw.trim())]))?;
        let head = self.history.head_moment(&self.sim).time;
        if us > head.micros() {
            let late = tf(
                lang,
                "jump_time_late",
                &[("raw", raw.trim()), ("head", &time_text(head, lang))],
            );
            return Err(late);
        }
        self.seek(SimTime(us));
        Ok(tf(
            lang,
            "jumped_to_time",
            &[("t", &time_text(SimTime(us), lang))],
        ))
    }

    /// After a move in time: what the page keeps that derives from the run, as the world
    /// shown has it (see the module's doc).
    pub fn after_jump(&mut self) {
        self.last_frame_ms = None;
        self.behind = false;
        self.drain = PageDrain::at_moment(&self.history, &mut self.sim);
        self.view.stuck = match self.drain.as_ref() {
            Some(d) if !d.running() => d.stuck_keys.clone(),
            _ => Vec::new(),
        };
        let now = self.sim.now();
        for twin in self.twins() {
            twin.seek(now);
        }
        self.view.rebalance.recall(&self.sim);
        self.phases_seen.clear();
        observe_phases(&self.sim, &mut self.phases_seen);
        let inputs = self.sim.inputs();
        if !self
            .remap_input
            .as_ref()
            .is_some_and(|l| inputs.contains(l))
        {
            self.remap = None;
            self.remap_input = None;
        }
        self.write_remap();
        self.live_settings_as_the_world_has_them();
        self.keep_the_selection_the_world_has();
        self.view.departures.clear();
        self.view.highlight = None;
        self.sync_controls();
        self.draw();
    }

    /// The live settings of the next Reset's config as the world shown runs them.
    fn live_settings_as_the_world_has_them(&mut self) {
        for def in SETTINGS.iter().filter(|d| d.live) {
            let several = settings::lookup(def.name).count() > 1;
            let name = match def.scope {
                Scope::Sim => def.name.to_string(),
                scope if several => format!("{}{}", scope.prefix(), def.name),
                _ => def.name.to_string(),
            };
            let world = settings::current(self.sim.config(), &name);
            let next = settings::current(&self.pending, &name);
            if let Some(v) = world.filter(|v| next.as_ref() != Some(v)) {
                // The world runs this value, so the config does too.
                let _ = self.pending.set(&name, &v);
            }
        }
    }

    fn keep_the_selection_the_world_has(&mut self) {
        let has_partition = |topic: u32, partition: u32| {
            self.sim
                .topics()
                .get(topic as usize)
                .is_some_and(|t| (partition as usize) < t.partitions.len())
        };
        let keep = match self.view.selected {
            Some(Target::Record(id)) => self.sim.record_info(id).is_some(),
            Some(Target::Partition {
                topic, partition, ..
            })
            | Some(Target::Marker {
                topic, partition, ..
            }) => has_partition(topic, partition),
            None => true,
        };
        if !keep {
            self.view.selected = None;
        }
    }
}
