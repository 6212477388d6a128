//! The timeline's axis and what it keeps: its size and lanes, the kinds of mark with their
//! colours and names, the time of an x and the x of a time, what a pointer points at, the runs
//! of refusals, and the texts of times and counts.

use crate::i18n::{tf, Lang};
use streamscope_core::sim::history::marks::{Mark, MarkGroup, MarkKind};
use streamscope_core::sim::history::History;
use streamscope_core::sim::input::Moment;
use streamscope_core::SimTime;

/// The timeline's logical size (the canvas is scaled by devicePixelRatio).
pub const WIDTH: f64 = crate::render::WIDTH;
pub const HEIGHT: f64 = 150.0;
/// Where the axis runs: after the lane labels, to the right edge.
pub const LEFT: f64 = 124.0;
pub const RIGHT: f64 = WIDTH - 14.0;
pub const LANE_TOP: f64 = 26.0;
pub const LANE_H: f64 = 14.0;

/// The lanes, top to bottom.
pub const GROUPS: [MarkGroup; 8] = [
    MarkGroup::Fault,
    MarkGroup::Input,
    MarkGroup::Election,
    MarkGroup::Isr,
    MarkGroup::Rebalance,
    MarkGroup::Transaction,
    MarkGroup::Refused,
    MarkGroup::Monitor,
];

/// A mark group's name in the page's values (selects, the test hook) and its label's key.
pub fn group_code(g: MarkGroup) -> (&'static str, &'static str) {
    match g {
        MarkGroup::Fault => ("fault", "tl_fault"),
        MarkGroup::Input => ("input", "tl_input"),
        MarkGroup::Election => ("election", "tl_election"),
        MarkGroup::Isr => ("isr", "tl_isr"),
        MarkGroup::Rebalance => ("rebalance", "tl_rebalance"),
        MarkGroup::Transaction => ("transaction", "tl_transaction"),
        MarkGroup::Refused => ("refused", "tl_refused"),
        MarkGroup::Monitor => ("monitor", "tl_monitor"),
    }
}

/// The group a page value names (`fault`, ...), `None` for any other text.
pub fn group_of(code: &str) -> Option<MarkGroup> {
    GROUPS.into_iter().find(|g| group_code(*g).0 == code)
}

/// A lane's colour (distinct, readable on white).
pub fn group_colour(g: MarkGroup) -> &'static str {
    match g {
        MarkGroup::Fault => "#cf222e",
        MarkGroup::Input => "#0969da",
        MarkGroup::Election => "#bc4c00",
        MarkGroup::Isr => "#8250df",
        MarkGroup::Rebalance => "#1a7f37",
        MarkGroup::Transaction => "#0e7490",
        MarkGroup::Refused => "#9a6700",
        MarkGroup::Monitor => "#bf3989",
    }
}

/// `12.345 s` (`12.345초`).
pub fn time_text(t: SimTime, lang: Lang) -> String {
    let us = t.micros();
    let s = format!("{}.{:03}", us / 1_000_000, (us / 1000) % 1000);
    tf(lang, "secs", &[("s", &s)])
}

/// `4773` -> `4,773`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the timeline drew last, to tell whether it must draw again.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Drawn {
    pub(super) head: Moment,
    pub(super) marks: usize,
    pub(super) branches: usize,
    pub(super) now: Moment,
    pub(super) lang: Lang,
}

/// What a click or a drag on the timeline points at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pointed {
    Mark(Mark),
    Time(SimTime),
}

/// The timeline's state between frames.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// The kind "previous / next" moves by (`None`: any).
    pub group: Option<MarkGroup>,
    pub(super) drawn: Option<Drawn>,
    /// The axis' span at the last drawing (the head's time, at least 1 us).
    pub(super) span_us: u64,
    /// A drag in progress (pointer down on the axis).
    pub dragging: bool,
}

impl Timeline {
    /// Draw again at the next chance (the language or the canvas changed).
    pub fn forget(&mut self) {
        self.drawn = None;
    }

    /// The x of time `t` on the axis drawn last.
    pub fn x_of(&self, t: SimTime) -> f64 {
        x_of(t, self.span_us)
    }

    /// The time under `x` (clamped to the axis: a pointer left of it is the start).
    pub fn time_at(&self, x: f64) -> SimTime {
        let f = ((x - LEFT) / (RIGHT - LEFT)).clamp(0.0, 1.0);
        SimTime((f * self.span_us as f64).round() as u64)
    }

    /// What (x, y) points at: the nearest mark of the lane under it within a few units, else
    /// the time under it.
    pub fn find(&self, history: &History, x: f64, y: f64) -> Pointed {
        const NEAR: f64 = 6.0;
        let lane = ((y - LANE_TOP) / LANE_H).floor();
        let group = (lane >= 0.0)
            .then(|| GROUPS.get(lane as usize).copied())
            .flatten();
        if let Some(g) = group {
            let nearest = history
                .marks()
                .all()
                .iter()
                .filter(|m| m.kind.group() == g)
                .map(|m| ((self.x_of(m.time) - x).abs(), m))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((_, m)) = nearest.filter(|(d, _)| *d <= NEAR) {
                return Pointed::Mark(*m);
            }
        }
        Pointed::Time(self.time_at(x))
    }
}

pub(super) fn x_of(t: SimTime, span_us: u64) -> f64 {
    LEFT + (RIGHT - LEFT) * (t.micros() as f64 / span_us.max(1) as f64).min(1.0)
}

/// A run of refusals with the same Kafka error: from the first to the last, how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusalRun {
    pub error: &'static str,
    pub from: SimTime,
    pub to: SimTime,
    pub count: u64,
}

/// The refusals among `marks`, joined into runs per Kafka error: a refusal within `gap_us`
/// of the last one of its error carries that run on. Ordered by where they start.
pub fn refusal_runs(marks: &[Mark], gap_us: u64) -> Vec<RefusalRun> {
    let mut runs: Vec<RefusalRun> = Vec::new();
    // The open run of each error, by its index in `runs`.
    let mut open: Vec<(&'static str, usize)> = Vec::new();
    for m in marks {
        let error = match m.kind {
            MarkKind::Refused { error } => error.name(),
            MarkKind::GroupRefused { error } => error.name(),
            _ => continue,
        };
        let carried = open.iter().find(|(e, _)| *e == error).map(|(_, i)| *i);
        match carried.filter(|i| m.time.micros() <= runs[*i].to.micros() + gap_us) {
            Some(i) => {
                runs[i].to = m.time;
                runs[i].count += 1;
            }
            None => {
                open.retain(|(e, _)| *e != error);
                open.push((error, runs.len()));
                runs.push(RefusalRun {
                    error,
                    from: m.time,
                    to: m.time,
                    count: 1,
                });
            }
        }
    }
    runs
}
