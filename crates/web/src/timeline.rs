//! The timeline under the canvas (issue 13): the run's time axis from 0 to its head, one lane
//! per kind of mark (the core's `History::marks`, by `MarkGroup`), each in its colour; a run of
//! refusals drawn as one stretch with its Kafka error and count, rebalances with their
//! generation, the branch points where forks cut the run, the recorded future shaded while the
//! world shown is in the past, and the cursor at the moment shown (`paint`). What a click or a
//! drag points at ([`Timeline::find`]): a mark near the pointer in its lane, else the time
//! under it. It also writes the time controls' state (Live, where the world shown is). Only
//! reads the history and the world; drawn again only when something it shows changed.

mod axis;
mod paint;

pub use axis::{
    group_code, group_colour, group_of, refusal_runs, thousands, time_text, Pointed, RefusalRun,
    Timeline, GROUPS, HEIGHT, LANE_H, LANE_TOP, LEFT, RIGHT, WIDTH,
};
pub use paint::draw;

use crate::dom::set_text;
use crate::i18n::{t, tf, Lang};
use streamscope_core::sim::history::History;
use streamscope_core::Sim;
use web_sys::Document;

/// The time controls' state: Live pressed at the head, the line saying where the world shown
/// is, and the timeline's slider values for assistive technology.
pub fn write_controls(doc: &Document, history: &History, sim: &Sim, lang: Lang) {
    let live = history.is_live();
    let (n, now) = (sim.events_processed(), sim.now());
    let line = if live {
        tf(
            lang,
            "pos_live",
            &[("n", &thousands(n)), ("t", &time_text(now, lang))],
        )
    } else {
        let head = history.head_moment(sim).time;
        tf(
            lang,
            "pos_past",
            &[
                ("n", &thousands(n)),
                ("m", &thousands(history.head_events(sim))),
                ("t", &time_text(now, lang)),
                ("head", &time_text(head, lang)),
            ],
        )
    };
    set_text(doc, "time-position", &line);
    if let Some(b) = doc.get_element_by_id("live") {
        let _ = b.set_attribute("aria-pressed", if live { "true" } else { "false" });
        let _ = b.set_attribute("data-live", if live { "true" } else { "false" });
    }
    if let Some(c) = doc.get_element_by_id("timeline") {
        let head = history.head_moment(sim).time.micros();
        let _ = c.set_attribute("aria-valuemax", &head.to_string());
        let _ = c.set_attribute("aria-valuenow", &now.micros().to_string());
        let _ = c.set_attribute("aria-valuetext", &line);
        let _ = c.set_attribute("aria-label", t(lang, "timeline_label"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::net::KafkaError;
    use streamscope_core::sim::history::marks::{Mark, MarkKind};
    use streamscope_core::SimTime;

    fn refused(event: u64, ms: u64, error: KafkaError) -> Mark {
        Mark {
            event,
            time: SimTime(ms * 1000),
            kind: MarkKind::Refused { error },
        }
    }

    #[test]
    fn refusals_join_into_runs_per_error() {
        let nes = KafkaError::NotEnoughReplicas;
        let nl = KafkaError::NotLeaderOrFollower;
        let marks = [
            refused(1, 100, nes),
            refused(2, 150, nl),
            refused(3, 200, nes),
            refused(4, 5_000, nes),
        ];
        let runs = refusal_runs(&marks, 1_000_000);
        let got: Vec<(&str, u64, u64)> = runs
            .iter()
            .map(|r| (r.error, r.from.micros() / 1000, r.count))
            .collect();
        assert_eq!(
            got,
            [
                ("NOT_ENOUGH_REPLICAS", 100, 2),
                ("NOT_LEADER_OR_FOLLOWER", 150, 1),
                ("NOT_ENOUGH_REPLICAS", 5_000, 1),
            ]
        );
        assert_eq!(thousands(4773), "4,773");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }

    #[test]
    fn the_axis_maps_time_both_ways_and_names_its_groups() {
        let tl = Timeline {
            span_us: 10_000_000,
            ..Timeline::default()
        };
        let t = SimTime(2_500_000);
        assert_eq!(tl.time_at(tl.x_of(t)), t);
        assert_eq!(tl.time_at(0.0), SimTime(0));
        assert_eq!(tl.time_at(WIDTH), SimTime(10_000_000));
        for g in GROUPS {
            assert_eq!(group_of(group_code(g).0), Some(g));
        }
        assert_eq!(group_of("nothing"), None);
        assert_eq!(time_text(SimTime(3_217_000), Lang::Ko), "3.217초");
    }
}
