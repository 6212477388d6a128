//! A drain the page runs, "Drain (stop sending)": what the CLI does at `--until`, run in
//! frames. `Sim::drain_start` with `drain_limit(config, now)`, then the drain's steps event by
//! event at the chosen speed until the core's liveness monitor finds the run settled or stuck;
//! once it ends stuck, the keys of the stuck parts are kept for the canvas to outline. Every
//! step goes through the run's `History` (`History::drain_step`), so a drain is marked and
//! checkpointed like any run, and follows the recorded future when the page shows the past.
//! After a jump, the drain is what it was at that moment ([`PageDrain::at_moment`]: rebuilt
//! from the input that began it by `History::rebuild_drain`, or none before it). No Kafka rule
//! lives here: what settles, what is stuck and why are the core's.

use crate::monitor;
use streamscope_core::sim::history::{Branch, History};
use streamscope_core::sim::input::Input;
use streamscope_core::sim::liveness::Drain;
use streamscope_core::sim::schedule::drain_limit;
use streamscope_core::{Sim, SimTime};

/// A drain the page runs (the visible simulation's, or the pipeline twin's).
#[derive(Clone, Debug)]
pub struct PageDrain {
    drain: Drain,
    /// The animation's clock while draining: the drain moves the simulation only to its
    /// events' times, so the time each frame aims at is kept here.
    clock: SimTime,
    /// The keys of the parts stuck when the drain ended (empty when it settled).
    pub stuck_keys: Vec<String>,
}

/// The limit a drain begun in `sim` now runs to (`drain_limit` from now).
fn limit(sim: &Sim) -> SimTime {
    drain_limit(sim.config(), sim.now())
}

impl PageDrain {
    /// Starts draining `sim` from now (its faults should have ended: `App::end_faults`),
    /// through `history`: the start is an input (`Input::Drain`, logged even when the
    /// applications stopped at an earlier drain, so that the drain can be found again), which
    /// forks the run at a past moment (the branch, if so).
    pub fn start(history: &mut History, sim: &mut Sim) -> (PageDrain, Option<Branch>) {
        let limit = limit(sim);
        let begin = history.put(sim, |s| {
            s.begin_drain();
            Ok::<Drain, std::convert::Infallible>(s.drain_start(limit))
        });
        let (drain, branch) = match begin {
            Ok(started) => started,
            Err(never) => match never {},
        };
        let d = PageDrain {
            drain,
            clock: sim.now(),
            stuck_keys: Vec::new(),
        };
        (d, branch)
    }

    /// The page's drain at `sim`'s moment of the run `history` keeps: none before a drain
    /// began; else the last one begun, replayed from its start with its checks
    /// (`History::rebuild_drain`), and `sim` becomes the replayed world (the same moment, with
    /// the liveness monitor as the drain left it, which a rewind alone does not bring back).
    pub fn at_moment(history: &History, sim: &mut Sim) -> Option<PageDrain> {
        let input = sim.inputs().iter().rposition(|l| l.input == Input::Drain)?;
        let mut stuck_keys = Vec::new();
        let mut at_end = |w: &Sim| {
            if w.drain_report().is_some_and(|r| !r.settled) {
                stuck_keys = monitor::unsettled_keys(w);
            }
        };
        let (world, drain) = history.rebuild_drain(sim, input, limit, &mut at_end).ok()?;
        *sim = world;
        Some(PageDrain {
            drain,
            clock: sim.now(),
            stuck_keys,
        })
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
        history: &mut History,
        sim: &mut Sim,
        target: SimTime,
        (max_events, chunk): (u64, u64),
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
            if history.drain_step(sim, &mut self.drain).is_some() {
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

    /// A broker lost at 0 s, the drain begun at 3 s.
    fn crashed_then_drained() -> (History, Sim) {
        let mut sim = Sim::new(Config::preset(), 3).unwrap();
        let mut history = History::new(&sim);
        let crash = |s: &mut Sim| s.apply(streamscope_core::Change::CrashBroker { broker: 1 });
        history.put(&mut sim, crash).unwrap();
        history.run_until_bounded(&mut sim, SimTime(3_000_000), u64::MAX);
        let end = |s: &mut Sim| {
            s.end_faults();
            Ok::<_, std::convert::Infallible>(())
        };
        history.put(&mut sim, end).unwrap();
        (history, sim)
    }

    /// The page's drain, in frames of a few events, ends where the core's own drain does.
    #[test]
    fn draining_in_frames_settles_like_the_core() {
        let run = |frames: bool| {
            let (mut history, mut sim) = crashed_then_drained();
            if frames {
                let (mut d, branch) = PageDrain::start(&mut history, &mut sim);
                assert!(branch.is_none());
                let mut target = sim.now();
                let mut observed = 0u64;
                while d.running() {
                    target = d.clock(&sim).plus(50_000);
                    d.advance(&mut history, &mut sim, target, (700, 100), &mut |_| {
                        observed += 1
                    });
                }
                assert!(observed > 0 && target > SimTime(3_000_000));
            } else {
                sim.begin_drain();
                let limit = drain_limit(sim.config(), sim.now());
                sim.drain(limit);
            }
            (sim.drain_report().cloned(), sim.events_processed())
        };
        let (report, events) = run(true);
        assert_eq!((report.clone(), events), run(false));
        assert!(report.is_some_and(|r| r.settled));
    }

    /// After a jump, the drain is the one the run had then: none before it began, running
    /// half way, over at the end; and going on from half way ends where the run did.
    #[test]
    fn a_jump_brings_the_drain_back_as_it_was() {
        let (mut history, mut sim) = crashed_then_drained();
        let started_at = sim.events_processed();
        let (mut d, _) = PageDrain::start(&mut history, &mut sim);
        while d.running() {
            let target = d.clock(&sim).plus(20_000);
            d.advance(&mut history, &mut sim, target, (u64::MAX, 100), &mut |_| {});
        }
        let (end, report) = (sim.events_processed(), sim.drain_report().cloned());
        let half = (started_at + end) / 2;
        history.rewind_to_event(&mut sim, started_at - 10);
        assert!(PageDrain::at_moment(&history, &mut sim).is_none());
        history.rewind_to_event(&mut sim, half);
        let mut d = PageDrain::at_moment(&history, &mut sim).expect("a drain runs half way");
        assert!(d.running() && sim.drain_report().is_none());
        while d.running() {
            let target = d.clock(&sim).plus(20_000);
            d.advance(&mut history, &mut sim, target, (u64::MAX, 100), &mut |_| {});
        }
        assert_eq!(
            (sim.events_processed(), sim.drain_report().cloned()),
            (end, report)
        );
        assert!(history.is_live());
        let over = PageDrain::at_moment(&history, &mut sim).expect("the drain, over");
        assert!(!over.running());
    }
}
