//! The page's drain, "Drain (stop sending)": what the CLI does at `--until`. Every fault
//! ends (`App::end_faults`), the applications stop sending and the run drains
//! (`Sim::drain_start` with `drain_limit(config, now)`) until the core's liveness monitor
//! finds it settled or stuck. While the drain runs the animation moves the simulation with
//! `Sim::drain_step`, event by event, at the chosen speed; the liveness line under the
//! canvas says what the monitor (`crate::monitor::liveness_status`) reports, and once a
//! drain ends stuck the canvas outlines the stuck parts (their core keys are kept here).
//! No Kafka rule lives here: what settles, what is stuck and why are the core's.

use crate::app::{set_text, App};
use crate::i18n::{t, tf, Lang};
use crate::monitor::{self, LivenessStatus};
use streamscope_core::sim::liveness::{secs, Drain};
use streamscope_core::sim::schedule::drain_limit;
use streamscope_core::{Sim, SimTime};
use web_sys::Document;

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

/// "Drain (stop sending)": ends every fault (in the twin too) and starts the drain of the
/// visible simulation and of the twin.
pub fn start_drain(a: &mut App) -> String {
    a.end_faults();
    let d = PageDrain::start(&mut a.sim);
    let limit = secs(drain_limit(a.sim.config(), a.sim.now()));
    a.drain = Some(d);
    a.view.stuck.clear();
    if let Some(twin) = a.twin.as_mut() {
        twin.start_drain();
    }
    tf(a.lang, "drain_started", &[("t", &limit)])
}

/// `App::advance` while a drain runs: drains towards `target` (at most `max_events`
/// events), letting the renderer read the trace at least every half trace. When the drain
/// ends, playback pauses (the run is over, as in the CLI) and the stuck parts are marked.
pub fn advance(a: &mut App, target: SimTime, max_events: u64) -> bool {
    let chunk = (streamscope_core::sim::TRACE_CAPACITY / 2) as u64;
    let Some(d) = a.drain.as_mut() else {
        return true;
    };
    let (view, phases) = (&mut a.view, &mut a.phases_seen);
    let done = d.advance(&mut a.sim, target, max_events, chunk, &mut |sim| {
        view.rebalance.observe(sim);
        crate::pipeline::observe_phases(sim, phases);
    });
    if !d.running() {
        a.view.stuck = d.stuck_keys.clone();
        if a.playing {
            a.playing = false;
            a.sync_controls();
            let msg = t(a.lang, "drain_over").to_string();
            a.show(Ok(msg));
        }
    }
    done
}

/// The liveness status of the visible simulation (`window.streamscope.liveness()`).
pub fn status(a: &App) -> LivenessStatus {
    monitor::liveness_status(&a.sim, a.drain.as_ref().is_some_and(|d| d.running()))
}

/// The liveness line as the page prints it (empty while nothing is judged yet), and
/// whether it says something is stuck.
pub fn status_text(status: &LivenessStatus, lang: Lang) -> (String, bool) {
    match status {
        LivenessStatus::Running => (String::new(), false),
        LivenessStatus::Draining {
            waiting_for,
            unsettled,
        } => {
            let mut s = tf(lang, "live_draining", &[("n", &unsettled.to_string())]);
            if let Some(w) = waiting_for {
                s.push_str(&tf(lang, "live_waiting", &[("what", w)]));
            }
            (s, false)
        }
        LivenessStatus::Settled { at_us, waited_for } => {
            let mut s = tf(lang, "live_settled", &[("t", &secs(SimTime(*at_us)))]);
            if let Some(w) = waited_for {
                s.push_str(&tf(lang, "live_after", &[("what", w)]));
            }
            (s, false)
        }
        LivenessStatus::Stuck { parts } => {
            let mut s = t(lang, "live_stuck").to_string();
            for p in parts {
                s.push(' ');
                s.push_str(p);
                s.push_str(" ·");
            }
            if s.ends_with(" ·") {
                s.truncate(s.len() - " ·".len());
            }
            (s, true)
        }
    }
}

/// The state name `window.streamscope.liveness()` and `#liveness[data-state]` use.
pub fn state_name(status: &LivenessStatus) -> &'static str {
    match status {
        LivenessStatus::Running => "running",
        LivenessStatus::Draining { .. } => "draining",
        LivenessStatus::Settled { .. } => "settled",
        LivenessStatus::Stuck { .. } => "stuck",
    }
}

/// Writes the liveness line (`#liveness`) in the monitor counters area.
pub fn write_status(doc: &Document, status: &LivenessStatus, lang: Lang) {
    let (text, stuck) = status_text(status, lang);
    set_text(doc, "liveness", &text);
    if let Some(e) = doc.get_element_by_id("liveness") {
        let state = state_name(status);
        if e.get_attribute("data-state").as_deref() != Some(state) {
            let _ = e.set_attribute("data-state", state);
        }
        let class = if stuck { "liveness bad" } else { "liveness" };
        if e.get_attribute("class").as_deref() != Some(class) {
            let _ = e.set_attribute("class", class);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::Config;

    #[test]
    fn the_line_in_both_languages() {
        let s = LivenessStatus::Settled {
            at_us: 12_340_000,
            waited_for: None,
        };
        assert_eq!(
            status_text(&s, Lang::En),
            ("Settled at 12.3 s".into(), false)
        );
        assert_eq!(status_text(&s, Lang::Ko).0, "정리 완료: 12.3 s");
        let d = LivenessStatus::Draining {
            waiting_for: Some("session.timeout.ms".into()),
            unsettled: 2,
        };
        assert_eq!(
            status_text(&d, Lang::En).0,
            "Draining: 2 parts not settled yet (waiting for session.timeout.ms)"
        );
        let stuck = LivenessStatus::Stuck {
            parts: vec!["group g: a".into(), "orders-0: b".into()],
        };
        assert_eq!(
            status_text(&stuck, Lang::En),
            ("Stuck: group g: a · orders-0: b".into(), true)
        );
        assert!(status_text(&stuck, Lang::Ko).0.starts_with("진행 멈춤:"));
        assert_eq!(status_text(&LivenessStatus::Running, Lang::En).0, "");
    }

    /// The pipeline's twin drains on its own when the visible world does, and settles.
    #[test]
    fn the_twin_drains_too() {
        let mut c = Config::preset();
        c.set("sim.pipeline", "ctp").unwrap();
        let mut twin = crate::pipeline::Twin::new(&c, 5).unwrap();
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
