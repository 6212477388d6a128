//! The pipeline's hidden twin: a second `Sim` built from the same config and seed with the
//! other processing.guarantee (the core's `view::twin_config`), run to the visible
//! simulation's time every frame (never drawn), given the same live changes and the same
//! fault texts, and drained with it. A change the twin cannot take yet waits (the core's rule:
//! `Sim::twin_change_waits`) and is applied once it can. The page compares the two worlds'
//! duplicates (`crate::pipeline`).

use crate::drain::PageDrain;
use streamscope_core::sim::view::twin_config;
use streamscope_core::{Change, Config, Sim, SimTime};

/// The hidden simulation with the other processing.guarantee.
pub struct Twin {
    pub sim: Sim,
    /// Restarts the twin could not take yet (its processor had not crashed: an in-txn crash
    /// waits for its own moment between a produce and a commit); applied once it has.
    pending: Vec<Change>,
    /// Its own drain, started with the visible one's (`crate::drain`).
    drain: Option<PageDrain>,
}

impl Twin {
    /// The twin of a world built from `cfg` with `seed` (None without a pipeline).
    pub fn new(cfg: &Config, seed: u64) -> Option<Twin> {
        let sim = Sim::new(twin_config(cfg)?, seed).ok()?;
        Some(Twin {
            sim,
            pending: Vec::new(),
            drain: None,
        })
    }

    /// Runs the twin towards `t` (at most `max_events` events; true when there) and applies
    /// the restarts it was waiting for.
    pub fn catch_up(&mut self, t: SimTime, max_events: u64) -> bool {
        let done = match self.drain.as_mut().filter(|d| d.running()) {
            Some(d) => d.advance(&mut self.sim, t, max_events, u64::MAX, &mut |_| {}),
            None => self.sim.run_until_bounded(t, max_events),
        };
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            for c in pending {
                self.apply_or_wait(c);
            }
        }
        done
    }

    fn apply_or_wait(&mut self, change: Change) {
        if self.sim.twin_change_waits(&change) {
            self.pending.push(change);
        } else {
            // A change the twin refuses (its world diverged) leaves it as it is.
            let _ = self.sim.apply(change);
        }
    }

    /// Runs the twin to `t` (by its drain while one runs).
    fn run_to(&mut self, t: SimTime) {
        match self.drain.as_mut().filter(|d| d.running()) {
            Some(d) => {
                d.advance(&mut self.sim, t, u64::MAX, u64::MAX, &mut |_| {});
            }
            None => {
                self.sim.run_until(t);
            }
        }
    }

    /// Starts the twin's drain (after `end_faults` at the same time).
    pub fn start_drain(&mut self) {
        self.drain = Some(PageDrain::start(&mut self.sim));
    }

    /// The same live change as the visible simulation got at `t`.
    pub fn mirror(&mut self, t: SimTime, change: &Change) {
        self.run_to(t);
        self.apply_or_wait(change.clone());
    }

    /// The same fault text, read at the same time `t` (`+T` relative to it).
    pub fn schedule_fault(&mut self, t: SimTime, text: &str) {
        self.run_to(t);
        if let Ok(spec) = streamscope_core::sim::schedule::parse_fault_at(text, t) {
            let _ = self.sim.schedule_fault(spec);
        }
    }

    pub fn end_faults(&mut self, t: SimTime) {
        self.run_to(t);
        self.sim.end_faults();
        self.pending.clear();
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
