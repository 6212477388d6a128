//! A drain the page runs, "Drain (stop sending)": what the CLI does at `--until`, run in
//! frames. `Sim::drain_start` with `drain_limit(config, now)`, then `Sim::drain_step` event by
//! event at the chosen speed until the core's liveness monitor finds the run settled or stuck;
//! once it ends stuck, the keys of the stuck parts are kept for the canvas to outline. No
//! Kafka rule lives here: what settles, what is stuck and why are the core's.

use crate::monitor;
use streamscope_core::sim::liveness::Drain;
use streamscope_core::sim::schedule::drain_limit;
use streamscope_core::{Sim, SimTime};

/// A drain the page runs (the visible simulation's, or the pipeline twin's).
pub struct PageDrain {
    drain: Drain,
    /// The animation's clock while draining: the drain moves the simulation only to its
    /// events' times, so the time each frame aims at is kept here.
    clock: SimTime,
    /// The keys of the parts stuck when the drain ended (empty when it settled).
    pub stuck_keys: Vec<String>,
}

impl PageDrain {
    /// Starts draining `sim` from now (its faults should have ended: `App::end_faults`).
    pub fn start(sim: &mut Sim) -> PageDrain {
        let now = sim.now();
        let limit = drain_limit(sim.config(), now);
        PageDrain {
            drain: sim.drain_start(limit),
            clock: now,
            stuck_keys: Vec::new(),
        }
    }

    /// Whether the drain still runs (false once the monitor has its report).
    pub fn running(&self) -> bool {
        !self.drain.is_over()
    }

    /// The time the next frame advances from.
    pub fn clock(&self, sim: &Sim) -> SimTime {
        self.clock.max(sim.now())
    }

    /// Drains towards `target`: at most `max_events` events, none after `target`, and
    /// `observe` sees the simulation at least every `chunk` events and at the end. Returns
    /// whether it got there (or the drain is over).
    pub fn advance(
        &mut self,
        sim: &mut Sim,
        target: SimTime,
        max_events: u64,
        chunk: u64,
        observe: &mut dyn FnMut(&Sim),
    ) -> bool {
        let (mut left, mut since) = (max_events, 0u64);
        let done = loop {
            if self.drain.is_over() {
                break true;
            }
            if sim.next_event_time().is_some_and(|t| t > target) {
                self.clock = self.clock.max(target);
                break true;
            }
            if left == 0 {
                self.clock = sim.now();
                break false;
            }
            if sim.drain_step(&mut self.drain).is_some() {
                left -= 1;
                since += 1;
                if since >= chunk {
                    observe(sim);
                    since = 0;
                }
            } else {
                self.clock = self.clock.max(sim.now());
                if sim.drain_report().is_some_and(|r| !r.settled) {
                    self.stuck_keys = monitor::unsettled_keys(sim);
                }
            }
        };
        observe(sim);
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::Config;

    /// The page's drain, in frames of a few events, ends where the core's own drain does.
    #[test]
    fn draining_in_frames_settles_like_the_core() {
        let run = |frames: bool| {
            let mut sim = Sim::new(Config::preset(), 3).unwrap();
            sim.apply(streamscope_core::Change::CrashBroker { broker: 1 })
                .unwrap();
            sim.run_until(SimTime(3_000_000));
            sim.end_faults();
            if frames {
                let mut d = PageDrain::start(&mut sim);
                let mut target = sim.now();
                let mut observed = 0u64;
                while d.running() {
                    target = d.clock(&sim).plus(50_000);
                    d.advance(&mut sim, target, 700, 100, &mut |_| observed += 1);
                }
                assert!(observed > 0 && target > SimTime(3_000_000));
            } else {
                let limit = drain_limit(sim.config(), sim.now());
                sim.drain(limit);
            }
            (sim.drain_report().cloned(), sim.events_processed())
        };
        let (report, events) = run(true);
        assert_eq!((report.clone(), events), run(false));
        assert!(report.is_some_and(|r| r.settled));
    }
}
