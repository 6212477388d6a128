//! The liveness line under the canvas (`#liveness`): what the core's liveness monitor reports
//! about the run (`crate::monitor::liveness_status`) while a drain runs and once it ended,
//! in the page's language, and its state for `#liveness[data-state]` and the test hook.
//! No Kafka rule lives here.

use crate::dom::set_text;
use crate::drain::PageDrain;
use crate::i18n::{t, tf, Lang};
use crate::monitor::{self, LivenessStatus};
use streamscope_core::sim::liveness::secs;
use streamscope_core::{Sim, SimTime};
use web_sys::Document;

/// The liveness status of `sim` with the page's drain `drain` (`window.streamscope.liveness()`).
pub fn status(sim: &Sim, drain: Option<&PageDrain>) -> LivenessStatus {
    monitor::liveness_status(sim, drain.is_some_and(|d| d.running()))
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
}
