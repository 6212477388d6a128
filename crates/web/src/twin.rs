//! The pipeline's hidden twin: a second `Sim` built from the same config and seed with the
//! other processing.guarantee (the core's `view::twin_config`), run to the visible
//! simulation's time every frame (never drawn), given the same live changes and the same
//! fault texts, and drained with it. A change the twin cannot take yet waits (the core's rule:
//! `Sim::twin_change_waits`) and is applied once it can. The page compares the two worlds'
//! duplicates (`crate::pipeline`).
//!
//! The twin has its own `History`, moved with the visible world: every input goes through it,
//! and when the visible world jumps, the twin is sought to the same time ([`Twin::seek`]).
//! Its waiting restarts are kept as a log of how they changed, at the twin's moments, so that
//! after a jump they are what they were then (in the past the recorded future puts each one in
//! where it was taken); its drain is rebuilt as the visible world's is. An input the visible
//! world takes at a past moment forks the twin there too, even one the twin only queues.

use crate::drain::PageDrain;
use streamscope_core::sim::history::History;
use streamscope_core::sim::input::{Input, LoggedInput, Moment};
use streamscope_core::sim::view::twin_config;
use streamscope_core::{Change, Config, ConfigError, Sim, SimTime};

/// The hidden simulation with the other processing.guarantee.
pub struct Twin {
    pub sim: Sim,
    history: History,
    /// Restarts the twin could not take yet (its processor had not crashed: an in-txn crash
    /// waits for its own moment between a produce and a commit); applied once it has.
    pending: Vec<Change>,
    /// `pending` as it became at each of the twin's moments where it changed, oldest first.
    pending_log: Vec<(Moment, Vec<Change>)>,
    /// Its own drain, started with the visible one's (`crate::drain`).
    drain: Option<PageDrain>,
}

impl Twin {
    /// The twin of a world built from `cfg` with `seed` (None without a pipeline).
    pub fn new(cfg: &Config, seed: u64) -> Option<Twin> {
        let sim = Sim::new(twin_config(cfg)?, seed).ok()?;
        Some(Twin {
            history: History::new(&sim),
            sim,
            pending: Vec::new(),
            pending_log: Vec::new(),
            drain: None,
        })
    }

    /// Runs the twin towards `t` (at most `max_events` events; true when there) and applies
    /// the restarts it was waiting for (in the past: its recorded future does).
    pub fn catch_up(&mut self, t: SimTime, max_events: u64) -> bool {
        let done = self.run(t, max_events);
        if self.history.is_live() && !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            for c in pending {
                self.apply_or_wait(c);
            }
            self.note_pending();
        }
        done
    }

    /// Runs the twin towards `t` (by its drain while one runs; at most `max_events` events,
    /// true when there). From the past, what it waits for is then the recorded run's.
    fn run(&mut self, t: SimTime, max_events: u64) -> bool {
        let was_live = self.history.is_live();
        let done = match self.drain.as_mut().filter(|d| d.running()) {
            Some(d) => d.advance(
                &mut self.history,
                &mut self.sim,
                t,
                (max_events, u64::MAX),
                &mut |_| {},
            ),
            None => self.history.run_until_bounded(&mut self.sim, t, max_events),
        };
        if !was_live {
            self.recall_pending();
        }
        done
    }

    fn apply_or_wait(&mut self, change: Change) {
        if self.sim.twin_change_waits(&change) {
            self.pending.push(change);
        } else {
            // A change the twin refuses (its world diverged) leaves it as it is.
            let _ = self.history.put(&mut self.sim, |s| s.apply(change));
        }
    }

    /// Logs `pending` at the twin's moment if it changed.
    fn note_pending(&mut self) {
        let last = self.pending_log.last().map_or(&[][..], |(_, p)| &p[..]);
        if last != self.pending.as_slice() {
            let entry = (self.sim.moment(), self.pending.clone());
            self.pending_log.push(entry);
        }
    }

    /// `pending` as it was at the twin's moment.
    fn recall_pending(&mut self) {
        let now = self.sim.moment();
        self.pending = self
            .pending_log
            .iter()
            .rev()
            .find(|(m, _)| *m <= now)
            .map(|(_, p)| p.clone())
            .unwrap_or_default();
    }

    /// Before an input the visible world took: a twin still in its past forks here (the
    /// visible world forked), and what it waited for after here is of the old future.
    fn fork_here(&mut self) {
        if self.history.fork(&self.sim).is_some() {
            let now = self.sim.moment();
            self.pending_log.retain(|(m, _)| *m <= now);
        }
    }

    /// Runs the twin to `t` (by its drain while one runs).
    fn run_to(&mut self, t: SimTime) {
        self.run(t, u64::MAX);
    }

    /// Starts the twin's drain (after `end_faults` at the same time).
    pub fn start_drain(&mut self) {
        self.fork_here();
        let (d, _) = PageDrain::start(&mut self.history, &mut self.sim);
        self.drain = Some(d);
    }

    /// The same live change as the visible simulation got at `t`.
    pub fn mirror(&mut self, t: SimTime, change: &Change) {
        self.run_to(t);
        self.fork_here();
        self.apply_or_wait(change.clone());
        self.note_pending();
    }

    /// The same fault text, read at the same time `t` (`+T` relative to it).
    pub fn schedule_fault(&mut self, t: SimTime, text: &str) {
        self.run_to(t);
        self.fork_here();
        if let Ok(spec) = streamscope_core::sim::schedule::parse_fault_at(text, t) {
            let _ = self.history.put(&mut self.sim, |s| s.schedule_fault(spec));
        }
    }

    pub fn end_faults(&mut self, t: SimTime) {
        self.run_to(t);
        self.fork_here();
        let end = |s: &mut Sim| {
            s.end_faults();
            Ok::<_, std::convert::Infallible>(())
        };
        let _ = self.history.put(&mut self.sim, end);
        self.pending.clear();
        self.note_pending();
    }

    /// The twin of a run rebuilt from its input log (a link's): each of the visible world's
    /// inputs given to it at its time, as the page gives them, then run to `until`.
    pub fn replaying(
        cfg: &Config,
        seed: u64,
        inputs: &[LoggedInput],
        until: SimTime,
    ) -> Option<Twin> {
        let twin = Twin::new(cfg, seed)?;
        Some(twin.replay(inputs, until, &|_| true))
    }

    /// A second world of a config of its own (the A/B comparison's world B).
    pub fn of_config(cfg: Config, seed: u64) -> Result<Twin, ConfigError> {
        let sim = Sim::new(cfg, seed)?;
        Ok(Twin {
            history: History::new(&sim),
            sim,
            pending: Vec::new(),
            pending_log: Vec::new(),
            drain: None,
        })
    }

    /// This twin given the visible world's `inputs` at their times (the live changes `keep`
    /// passes), as the page gives them, then run to `until`.
    pub fn replay(
        mut self,
        inputs: &[LoggedInput],
        until: SimTime,
        keep: &dyn Fn(&Change) -> bool,
    ) -> Twin {
        for l in inputs {
            let t = l.at_time;
            self.catch_up(t, u64::MAX);
            match &l.input {
                Input::Change { change } if keep(change) => self.mirror(t, change),
                Input::Change { .. } => {}
                Input::Fault { fault } => self.schedule_fault(t, &fault.text),
                Input::EndFaults => self.end_faults(t),
                Input::Drain => self.start_drain(),
            }
        }
        self.catch_up(until, u64::MAX);
        self
    }

    /// After the visible world jumped to time `t`: the twin as running to `t` left it
    /// (`History::seek`), with its waiting restarts and its drain as they were then.
    pub fn seek(&mut self, t: SimTime) {
        self.history.seek(&mut self.sim, t);
        self.recall_pending();
        self.drain = PageDrain::at_moment(&self.history, &mut self.sim);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::pipeline::{
        by_guarantee, counts_text, observe_phases, processor_views, status_text,
    };
    use streamscope_core::config::ProcessingGuarantee;

    fn pipeline_config(g: &str) -> Config {
        let mut c = Config::preset();
        c.set("sim.pipeline", "ctp").unwrap();
        c.set("processing.guarantee", g).unwrap();
        c
    }

    #[test]
    fn the_twin_runs_the_other_guarantee() {
        assert!(streamscope_core::sim::view::twin_config(&Config::preset()).is_none());
        assert!(Twin::new(&Config::preset(), 1).is_none());
        let c = pipeline_config("exactly_once_v2");
        let twin = Twin::new(&c, 7).unwrap();
        let pl = twin.sim.pipeline().unwrap();
        assert_eq!(pl.guarantee, ProcessingGuarantee::AtLeastOnce);
        assert_eq!(twin.sim.seed(), 7);
        // The visible world is unchanged by building its twin.
        assert_eq!(
            c.pipeline.guarantee.value,
            ProcessingGuarantee::ExactlyOnceV2
        );
    }

    /// The page's flow on the seed the e2e test uses: run, crash processor 0 in-txn from the
    /// fault box, restart it with the same transactional.id, stop the input and run on.
    /// exactly_once_v2 has no duplicate and nothing missing; at_least_once repeats work.
    #[test]
    fn a_crash_in_txn_duplicates_only_at_least_once() {
        let c = pipeline_config("exactly_once_v2");
        let mut sim = Sim::new(c.clone(), SEED).unwrap();
        let mut twin = Twin::new(&c, SEED).unwrap();
        let step = |sim: &mut Sim, twin: &mut Twin, ms: u64| {
            let t = SimTime(ms * 1000);
            sim.run_until(t);
            twin.catch_up(t, u64::MAX);
        };
        step(&mut sim, &mut twin, 2_000);
        let text = "crash:processor=0,in-txn@+0s";
        let spec = streamscope_core::sim::schedule::parse_fault_at(text, sim.now()).unwrap();
        sim.schedule_fault(spec).unwrap();
        twin.schedule_fault(sim.now(), text);
        step(&mut sim, &mut twin, 8_000);
        let mut seen = Vec::new();
        observe_phases(&sim, &mut seen);
        assert_eq!(seen[0], vec!["crashed"]);
        assert_eq!(processor_views(&twin.sim)[0].phase, "crashed");
        let restart = Change::RestartProcessor {
            processor: 0,
            new_transactional_id: false,
        };
        sim.apply(restart.clone()).unwrap();
        twin.mirror(sim.now(), &restart);
        let stop = Change::Set {
            name: "sim.produce.rate".into(),
            value: "0".into(),
        };
        step(&mut sim, &mut twin, 10_000);
        sim.apply(stop.clone()).unwrap();
        twin.mirror(sim.now(), &stop);
        step(&mut sim, &mut twin, 60_000);
        let (eos, alos) = by_guarantee(&sim, Some(&twin.sim));
        let (eos, alos) = (eos.unwrap(), alos.unwrap());
        assert_eq!(eos.processor_crashes, 1);
        assert_eq!(alos.processor_crashes, 1);
        assert!(eos.input > 0);
        assert_eq!((eos.duplicates, eos.missing), (0, 0), "{eos:?}");
        assert_eq!(eos.read_committed_aborted_seen, 0);
        assert!(alos.duplicates > 0, "{alos:?}");
        assert_eq!(alos.missing, 0, "{alos:?}");
        let text = counts_text(&sim, Some(&twin.sim), Lang::En);
        assert!(
            text.starts_with(&format!(
                "duplicates in the output: exactly_once_v2 0 · at_least_once {}",
                alos.duplicates
            )),
            "{text}"
        );
        assert!(status_text(&sim, Lang::Ko).contains("ctp-processor-0"));
    }

    /// Sought back to any time of the page's flow, the twin is what it was then: its world
    /// and the restart it waited for.
    #[test]
    fn the_twin_seeks_back_to_what_it_was() {
        let c = pipeline_config("exactly_once_v2");
        let mut twin = Twin::new(&c, SEED).unwrap();
        let mut seen = Vec::new();
        let mut at = |twin: &mut Twin, ms: u64| {
            twin.catch_up(SimTime(ms * 1000), u64::MAX);
            seen.push((ms, twin.sim.trace().hash(), twin.pending.clone()));
        };
        twin.catch_up(SimTime(2_000_000), u64::MAX);
        twin.schedule_fault(SimTime(2_000_000), "crash:processor=0,in-txn@+1s");
        let restart = Change::RestartProcessor {
            processor: 0,
            new_transactional_id: false,
        };
        // Restarted before the twin's processor crashed: it waits.
        twin.mirror(SimTime(2_000_000), &restart);
        assert_eq!(twin.pending, std::slice::from_ref(&restart));
        for ms in [2_001, 3_000, 5_000, 8_000, 9_000] {
            at(&mut twin, ms);
        }
        assert!(twin.pending.is_empty(), "taken once the processor crashed");
        assert!(seen.iter().any(|(_, _, p)| !p.is_empty()));
        for (ms, hash, pending) in seen.iter().rev() {
            twin.seek(SimTime(ms * 1000));
            assert_eq!(
                (twin.sim.trace().hash(), &twin.pending),
                (*hash, pending),
                "{ms} ms"
            );
        }
        // Forward again along the recorded future, to the head.
        twin.catch_up(SimTime(9_000_000), u64::MAX);
        assert_eq!(twin.sim.trace().hash(), seen[seen.len() - 1].1);
        assert!(twin.history.is_live() && twin.pending.is_empty());
    }

    /// The seed of `tests/e2e/pipeline.spec.ts`.
    const SEED: u64 = 3;

    /// The pipeline's twin drains on its own when the visible world does, and settles.
    #[test]
    fn the_twin_drains_too() {
        let mut c = Config::preset();
        c.set("sim.pipeline", "ctp").unwrap();
        let mut twin = Twin::new(&c, 5).unwrap();
        let mut t = SimTime(3_000_000);
        twin.catch_up(t, u64::MAX);
        twin.end_faults(t);
        twin.start_drain();
        while twin.sim.drain_report().is_none() && t < SimTime(2_000_000_000) {
            t = t.plus(1_000_000);
            twin.catch_up(t, u64::MAX);
        }
        assert!(twin.sim.drain_report().is_some_and(|r| r.settled));
    }
}
