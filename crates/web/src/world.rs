//! The visible world and its twin, changed together: settings (live, or queued for Reset),
//! faults, live changes, Reset, and time (a step, a frame's run, a drain's run). Every change
//! goes through the core's `Config::set` / `Sim::apply`, which validate and explain refusals,
//! and every input and every move forward through the run's `History` (`App::history`):
//! `History::put` (at a past moment it forks the run: `App::forked` notes where) and
//! `History::step` / `run_until_bounded` / `drain_step` (in the past they follow the recorded
//! future). Once the visible world took a change, the twin (`crate::twin`) gets the same one
//! at the same simulated time. Jumps in time are `crate::travel`'s. Called by `crate::apply`
//! only.

use crate::brokers;
use crate::comparison::{self, Compare};
use crate::dom::set_text;
use crate::drain::PageDrain;
use crate::i18n::{t, tf};
use crate::page::{App, MAX_SEED};
use crate::panels;
use crate::pipeline::observe_phases;
use crate::render;
use crate::twin::Twin;
use std::convert::Infallible;
use streamscope_core::compare::{CompareError, Comparison};
use streamscope_core::config::settings;
use streamscope_core::sim::history::{Branch, History};
use streamscope_core::sim::liveness::secs;
use streamscope_core::sim::schedule::drain_limit;
use streamscope_core::{Change, Sim, SimTime};

/// Cap on events per frame, so a huge speed cannot freeze the tab.
pub const MAX_EVENTS_PER_FRAME: u64 = 50_000;

/// Partitions of the first topic (the one the page's producer writes).
fn partition_count(sim: &Sim) -> u32 {
    sim.topics()
        .first()
        .map_or(0, |t| t.partitions.len() as u32)
}

impl App {
    /// Applies `name=value`: live to the running simulation when Kafka's model allows it,
    /// else to the next Reset. Returns the message to show.
    pub fn apply_setting(&mut self, name: &str, value: &str) -> Result<String, String> {
        let name = name.trim();
        let value = value.trim();
        let mut next = self.pending.clone();
        let refused = |cfg: &streamscope_core::Config,
                       e: &streamscope_core::config::ConfigError| {
            let current = |n: &str| settings::current(cfg, n).unwrap_or_default();
            crate::refusal::setting_refused(self.lang, name, value, e, &current)
        };
        next.set(name, value)
            .map_err(|e| refused(&self.pending, &e))?;
        next.validate().map_err(|e| refused(&next, &e))?;
        if settings::is_live(name) {
            let before = partition_count(&self.sim);
            self.apply_change(Change::Set {
                name: name.to_string(),
                value: value.to_string(),
            })?;
            self.pending = next;
            let mut msg = format!("{}: {name}={value}", t(self.lang, "applied"));
            let after = partition_count(&self.sim);
            if after != before {
                let remap = panels::Remap::compute(&self.sim, before, after);
                msg.push_str(" · ");
                msg.push_str(&remap.applied_text(self.lang));
                self.remap = Some(remap);
                self.remap_input = self.sim.inputs().last().cloned();
                self.write_remap();
            }
            Ok(msg)
        } else {
            self.pending = next;
            brokers::queue(&mut self.queued, name, value);
            brokers::write_pending(&self.doc, &self.queued, self.lang);
            Ok(format!("{name}={value}: {}", t(self.lang, "on_reset")))
        }
    }

    /// Schedules a fault typed in the fault box (validated by the core; nothing changes on
    /// an error).
    pub fn inject_fault(&mut self, text: &str) -> Result<String, String> {
        let lang = self.lang;
        let spec = streamscope_core::sim::schedule::parse_fault_at(text, self.sim.now())
            .map_err(|e| crate::refusal::fault_refused(lang, &e))?;
        let canonical = spec.text.clone();
        let (_, branch) = self
            .history
            .put(&mut self.sim, |s| s.schedule_fault(spec))
            .map_err(|e| crate::refusal::fault_refused(lang, &e))?;
        self.forked(branch);
        let now = self.sim.now();
        for twin in self.twins() {
            twin.schedule_fault(now, text);
        }
        let canonical = crate::refusal::page_times(&canonical);
        Ok(format!("{}: {canonical}", t(self.lang, "fault_scheduled")))
    }

    /// Applies a live change to the simulation and, once it took it, to the twin at the
    /// same simulated time.
    pub fn apply_change(&mut self, change: Change) -> Result<(), String> {
        let c = change.clone();
        let (_, branch) = self
            .history
            .put(&mut self.sim, |s| s.apply(c))
            .map_err(|e| e.to_string())?;
        self.forked(branch);
        let now = self.sim.now();
        if let Some(twin) = self.twin.as_mut() {
            twin.mirror(now, &change);
        }
        if let Some(c) = self.compare.as_mut() {
            if c.comparison.mirrors(&change) {
                c.world.mirror(now, &change);
            }
        }
        Ok(())
    }

    /// Ends every fault in the simulation and in the twin.
    pub fn end_faults(&mut self) {
        let end = |s: &mut Sim| {
            s.end_faults();
            Ok::<_, Infallible>(())
        };
        let Ok((_, branch)) = self.history.put(&mut self.sim, end);
        self.forked(branch);
        let now = self.sim.now();
        for twin in self.twins() {
            twin.end_faults(now);
        }
    }

    /// The hidden worlds kept at the visible one's time: the pipeline's twin and world B.
    pub fn twins(&mut self) -> impl Iterator<Item = &mut Twin> {
        let b = self.compare.as_mut().map(|c| &mut c.world);
        self.twin.iter_mut().chain(b)
    }

    /// "Compare": world B with the settings typed, rebuilt from world A's inputs to its time
    /// and shown beside it.
    pub fn start_compare(&mut self, text: &str) -> Result<String, String> {
        // Checked on the settings world A runs with now (a live change included): B must
        // differ from what the learner sees; B itself starts from A's starting settings.
        let now = self.sim.config();
        let current = |n: &str| settings::current(now, n).unwrap_or_default();
        let refused = |e: &CompareError| comparison::refused_text(self.lang, e, &current);
        let c = Comparison::parse(text, now).map_err(|e| refused(&e))?;
        self.start_comparison(c)
    }

    /// [`App::start_compare`] of a link's `ab=` settings.
    pub fn start_compare_settings(&mut self, b: Vec<(String, String)>) -> Result<String, String> {
        let now = self.sim.config();
        let current = |n: &str| settings::current(now, n).unwrap_or_default();
        let c = Comparison::of_settings(b, now)
            .map_err(|e| comparison::refused_text(self.lang, &e, &current))?;
        self.start_comparison(c)
    }

    /// World B of `c` at A's moment, drawn beside A.
    fn start_comparison(&mut self, c: Comparison) -> Result<String, String> {
        let now = self.sim.config();
        let current = |n: &str| settings::current(now, n).unwrap_or_default();
        let refused = |e: &CompareError| comparison::refused_text(self.lang, e, &current);
        let a = self.sim.start_config().clone();
        let inputs = self.sim.inputs().to_vec();
        let b = Compare::replaying(c, &a, self.sim.seed(), &inputs, self.sim.now())
            .map_err(|e| refused(&e))?;
        let msg = tf(self.lang, "cmp_started", &[("b", &b.comparison.text())]);
        self.compare = Some(b);
        comparison::write_layout(&self.doc, self.compare.as_ref(), self.lang);
        self.draw();
        Ok(msg)
    }

    pub fn stop_compare(&mut self) -> String {
        self.compare = None;
        comparison::write_layout(&self.doc, None, self.lang);
        self.draw();
        t(self.lang, "cmp_stopped").to_string()
    }

    /// After a Reset: world B again, from the new settings (stopped, with the reason, when
    /// they leave nothing to compare).
    fn restart_compare(&mut self, seed: u64) {
        let Some(old) = self.compare.take() else {
            return;
        };
        match Compare::replaying(old.comparison, &self.pending, seed, &[], SimTime::ZERO) {
            Ok(c) => self.compare = Some(c),
            Err(e) => {
                let current = |n: &str| settings::current(&self.pending, n).unwrap_or_default();
                let why = comparison::refused_text(self.lang, &e, &current);
                let msg = tf(self.lang, "cmp_reset_refused", &[("message", &why)]);
                set_text(&self.doc, "compare-status", &msg);
            }
        }
        comparison::write_layout(&self.doc, self.compare.as_ref(), self.lang);
    }

    /// After an input: when it forked the run (put in at a past moment), the branch is noted
    /// for the fork line and the timeline, and what the page kept of the old future goes.
    pub fn forked(&mut self, branch: Option<Branch>) {
        if let Some(b) = branch {
            self.fork = Some(b);
            self.view.rebalance.forget_after(b.event);
            self.write_fork();
        }
    }

    pub fn reset(&mut self, seed: u64) -> Result<(), String> {
        let seed = seed & MAX_SEED;
        let sim = Sim::new(self.pending.clone(), seed).map_err(|e| e.to_string())?;
        self.history = History::new(&sim);
        self.sim = sim;
        self.twin = Twin::new(&self.pending, seed);
        self.restart_compare(seed);
        self.drain = None;
        self.fork = None;
        self.remap_input = None;
        self.log.reset();
        self.write_fork();
        self.phases_seen.clear();
        observe_phases(&self.sim, &mut self.phases_seen);
        self.last_frame_ms = None;
        self.view.reset();
        self.remap = None;
        self.queued.clear();
        brokers::write_pending(&self.doc, &self.queued, self.lang);
        self.write_remap();
        crate::dom::clear_field_messages(&self.doc);
        self.sync_controls();
        self.draw();
        Ok(())
    }

    pub fn step(&mut self) {
        self.steps(1);
    }

    /// `n` events (or drain steps), each through the history (so `back` returns to each),
    /// then one drawing.
    pub fn steps(&mut self, n: u64) {
        self.playing = false;
        for _ in 0..n {
            if self.draining() {
                self.drain_advance(SimTime(u64::MAX), 1);
            } else {
                self.history.step(&mut self.sim);
            }
            if n > 1 {
                self.view.rebalance.observe(&self.sim);
            }
        }
        self.catch_up_twin(MAX_EVENTS_PER_FRAME);
        self.sync_controls();
        self.draw();
    }

    /// Runs to `target` (at most `max_events` events; true when there), letting the renderer
    /// read the trace at least every half trace so no rebalance phase scrolls out unseen.
    pub fn advance(&mut self, target: SimTime, max_events: u64) -> bool {
        if self.draining() {
            let done = self.drain_advance(target, max_events);
            self.catch_up_twin(max_events);
            return done;
        }
        let chunk = (streamscope_core::sim::TRACE_CAPACITY / 2) as u64;
        let mut left = max_events;
        while left > 0 {
            let n = left.min(chunk);
            let done = self.history.run_until_bounded(&mut self.sim, target, n);
            self.view.rebalance.observe(&self.sim);
            observe_phases(&self.sim, &mut self.phases_seen);
            if done {
                self.catch_up_twin(max_events);
                return true;
            }
            left -= n;
        }
        self.catch_up_twin(max_events);
        false
    }

    /// Runs the twin to the simulation's time (at most `max_events` events: it catches up on
    /// a later frame when it falls behind).
    pub fn catch_up_twin(&mut self, max_events: u64) {
        let now = self.sim.now();
        for twin in self.twins() {
            twin.catch_up(now, max_events);
        }
    }

    pub fn frame(&mut self, now_ms: f64) {
        let dt = match self.last_frame_ms {
            Some(prev) => (now_ms - prev).clamp(0.0, 100.0),
            None => 0.0,
        };
        self.last_frame_ms = Some(now_ms);
        if self.playing {
            let advance_us = (dt * 1000.0 * self.speed) as u64;
            // A drain moves the simulation only to its events' times: it keeps its own clock.
            let from = match self.drain.as_ref().filter(|d| d.running()) {
                Some(d) => d.clock(&self.sim),
                None => self.sim.now(),
            };
            let target = from.plus(advance_us);
            self.behind = !self.advance(target, MAX_EVENTS_PER_FRAME);
        }
        // Paused with nothing new since the last frame: the picture is the same, so the frame
        // draws nothing (every action that changes what is shown draws itself).
        let seen = (self.sim.events_processed(), self.sim.now().micros());
        let active = self.playing || self.draining();
        if !active && self.idle_frame == Some(seen) {
            return;
        }
        self.idle_frame = (!active).then_some(seen);
        // A departed batch stays in its row for about 1.5 s of wall time at any speed.
        self.view.departure_window_us = (self.speed * 1.5e6).max(1000.0) as u64;
        render::draw(&self.ctx, &self.sim, self.lang, &mut self.view);
        self.draw_world_b();
        if now_ms - self.last_stats_ms > 100.0 || !self.playing {
            self.last_stats_ms = now_ms;
            self.write_stats();
            self.write_time();
            if self.playing {
                self.write_inspector();
            }
        }
    }

    /// "Drain (stop sending)": ends every fault (in the twin too) and starts the drain of the
    /// visible simulation and of the twin.
    pub fn start_drain(&mut self) -> String {
        self.end_faults();
        let limit = secs(drain_limit(self.sim.config(), self.sim.now()));
        let (d, branch) = PageDrain::start(&mut self.history, &mut self.sim);
        self.forked(branch);
        self.drain = Some(d);
        self.view.stuck.clear();
        for twin in self.twins() {
            twin.start_drain();
        }
        tf(self.lang, "drain_started", &[("t", &limit)])
    }

    /// `App::advance` while a drain runs: drains towards `target` (at most `max_events`
    /// events), letting the renderer read the trace at least every half trace. When the drain
    /// ends, playback pauses (the run is over, as in the CLI) and the stuck parts are marked.
    pub fn drain_advance(&mut self, target: SimTime, max_events: u64) -> bool {
        let chunk = (streamscope_core::sim::TRACE_CAPACITY / 2) as u64;
        let Some(d) = self.drain.as_mut() else {
            return true;
        };
        let (view, phases) = (&mut self.view, &mut self.phases_seen);
        let budget = (max_events, chunk);
        let done = d.advance(
            &mut self.history,
            &mut self.sim,
            target,
            budget,
            &mut |sim| {
                view.rebalance.observe(sim);
                observe_phases(sim, phases);
            },
        );
        if !d.running() {
            self.view.stuck = d.stuck_keys.clone();
            if self.playing {
                self.playing = false;
                self.sync_controls();
                let msg = t(self.lang, "drain_over").to_string();
                self.show(Ok(msg));
            }
        }
        done
    }
}
