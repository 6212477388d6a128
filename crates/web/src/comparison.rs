//! The A/B comparison on the page (issue 14, "Compare"): world B (the core's
//! `streamscope_core::compare`), a twin (`crate::twin`) with the settings the learner picked,
//! kept at world A's simulated time, given every input world A takes that the comparison
//! mirrors (`crate::world`), sought with it (`crate::travel`), and drawn on a second canvas
//! beside world A with a renderer view of its own. The side panel's "Compare A/B" group holds
//! the settings box, the buttons, a status line and the table of the core's headline metrics
//! (`compare::headline`: world A, world B, B - A). Nothing here decides what a metric is.

use crate::dom::set_text;
use crate::i18n::{t, tf, Lang};
use crate::panels::metrics::format::{delta, value};
use crate::render::View;
use crate::timeline::time_text;
use crate::twin::Twin;
use streamscope_core::compare::{headline, CompareError, CompareRow, Comparison};
use streamscope_core::sim::input::LoggedInput;
use streamscope_core::{Config, Sim, SimTime};
use web_sys::{Document, Element};

/// World B and how it is drawn.
pub struct Compare {
    pub comparison: Comparison,
    pub world: Twin,
    pub view: View,
}

impl Compare {
    /// World B of world A's run (`a_start`, `seed`, A's input log) at `until`.
    pub fn replaying(
        comparison: Comparison,
        a_start: &Config,
        seed: u64,
        inputs: &[LoggedInput],
        until: SimTime,
    ) -> Result<Compare, CompareError> {
        let cfg = comparison.world_b(a_start)?;
        let twin = Twin::of_config(cfg, seed).map_err(CompareError::Refused)?;
        let world = twin.replay(inputs, until, &|c| comparison.mirrors(c));
        Ok(Compare {
            comparison,
            world,
            view: View::new(),
        })
    }
}

/// A refused comparison in the page's words; `current` answers a setting's value in world A
/// (for a rule across settings).
pub fn refused_text(lang: Lang, e: &CompareError, current: &dyn Fn(&str) -> String) -> String {
    match e {
        CompareError::Empty => t(lang, "cmp_empty").to_string(),
        CompareError::NotAssignment { part } => tf(lang, "cmp_not_assignment", &[("part", part)]),
        CompareError::Twice { name } => tf(lang, "cmp_twice", &[("name", name)]),
        CompareError::SameAsA { name, value } => {
            tf(lang, "cmp_same", &[("name", name), ("value", value)])
        }
        CompareError::Setting { name, value, error } => {
            let message = crate::refusal::setting_refused(lang, name, value, error, current);
            tf(lang, "cmp_refused", &[("message", &message)])
        }
        CompareError::Refused(error) => {
            let message = crate::refusal::conflict_text(lang, error, current);
            tf(lang, "cmp_refused", &[("message", &message)])
        }
    }
}

/// `window.streamscope.compare()`: whether world B runs, its settings, both worlds' times
/// and the table's rows (the core's, NaN as null).
#[derive(serde::Serialize)]
pub struct CompareHook {
    pub on: bool,
    pub b: Option<String>,
    pub time_a_us: u64,
    pub time_b_us: Option<u64>,
    pub trace_hash_b: Option<String>,
    pub rows: Vec<CompareRow>,
}

pub fn hook_view(a: &Sim, c: Option<&Compare>) -> CompareHook {
    CompareHook {
        on: c.is_some(),
        b: c.map(|c| c.comparison.text()),
        time_a_us: a.now().micros(),
        time_b_us: c.map(|c| c.world.sim.now().micros()),
        trace_hash_b: c.map(|c| format!("{:016x}", c.world.sim.trace().hash())),
        rows: c.map_or_else(Vec::new, |c| headline(a, &c.world.sim)),
    }
}

fn make(doc: &Document, tag: &str, text: &str) -> Option<Element> {
    let e = doc.create_element(tag).ok()?;
    e.set_text_content(Some(text));
    Some(e)
}

/// The stage's two canvases, the captions and the panel's buttons as the comparison is.
pub fn write_layout(doc: &Document, c: Option<&Compare>, lang: Lang) {
    let on = c.is_some();
    if let Some(stages) = doc.query_selector(".stages").ok().flatten() {
        let _ = stages.set_attribute("class", if on { "stages ab" } else { "stages" });
    }
    for id in ["stage-b", "compare-caption", "compare-stop"] {
        if let Some(e) = doc.get_element_by_id(id) {
            let _ = if on {
                e.remove_attribute("hidden")
            } else {
                e.set_attribute("hidden", "")
            };
        }
    }
    let b = c.map(|c| c.comparison.text()).unwrap_or_default();
    set_text(doc, "compare-caption-a", t(lang, "cmp_caption_a"));
    set_text(
        doc,
        "compare-caption-b",
        &tf(lang, "cmp_caption_b", &[("b", &b)]),
    );
    if let Some(canvas) = doc.get_element_by_id("canvas-b") {
        let _ = canvas.set_attribute("aria-label", &tf(lang, "cmp_canvas_label", &[("b", &b)]));
    }
}

/// The panel's time line and table: the core's headline rows of both worlds.
pub fn write_table(doc: &Document, a: &Sim, c: Option<&Compare>, lang: Lang) {
    let Some(table) = doc.get_element_by_id("compare-table") else {
        return;
    };
    table.set_text_content(None);
    let Some(c) = c else {
        set_text(doc, "compare-time", "");
        return;
    };
    let b = &c.world.sim;
    let time = if b.now() < a.now() {
        tf(lang, "cmp_behind", &[("t", &time_text(b.now(), lang))])
    } else {
        tf(lang, "cmp_at", &[("t", &time_text(a.now(), lang))])
    };
    set_text(doc, "compare-time", &time);
    if let Some(tr) = make(doc, "tr", "") {
        for head in [
            t(lang, "cmp_col_metric"),
            "A",
            "B",
            t(lang, "cmp_col_delta"),
        ] {
            if let Some(th) = make(doc, "th", head) {
                let _ = th.set_attribute("scope", "col");
                let _ = tr.append_child(&th);
            }
        }
        let _ = table.append_child(&tr);
    }
    for r in headline(a, b) {
        let Some(tr) = make(doc, "tr", "") else {
            continue;
        };
        let _ = tr.set_attribute("data-metric", r.name);
        let scope = t(lang, &format!("cmp_scope.{}", r.scope));
        let cells = [
            format!("{} · {scope}", r.name),
            value(r.a, r.unit, lang),
            value(r.b, r.unit, lang),
            delta(r.delta, r.unit, lang),
        ];
        for (i, text) in cells.iter().enumerate() {
            let tag = if i == 0 { "th" } else { "td" };
            if let Some(cell) = make(doc, tag, text) {
                if i == 3 && r.delta != 0.0 && !r.delta.is_nan() {
                    let _ = cell.set_attribute("class", "changed");
                }
                let _ = tr.append_child(&cell);
            }
        }
        let _ = table.append_child(&tr);
    }
}
