//! The metrics panel (issue 14, "Metrics under Kafka's names"): the core's `Sim::metrics()`
//! (the producers' `producer-metrics`, the consumers' fetch-manager and coordinator metrics,
//! the brokers' Yammer meters and gauge, the controller's `LeaderElectionRateAndTimeMs`) as a
//! compact table grouped by node, under Kafka's names, with a sparkline per key metric; the
//! selector shows every row instead. After each fault or setting change the learner makes
//! (`crate::apply` calls [`remember`] with the snapshot taken just before), the table shows
//! Was / Now / Delta from the core's `MetricsDelta::between`, titled with the change, until
//! the next change. Formatting only: no value is computed here.
//!
//! Refreshing costs one `Sim::metrics()` and, when the panel is open and something changed,
//! one table: at most every [`REFRESH_MS`] of real time, or at once after a jump in time.
//! Sparklines: a bounded ring of [`RING`] samples per key metric, taken at most every
//! [`SAMPLE_US`] of simulated time. After a jump (time going back, or forward by more than
//! [`JUMP_US`] in one frame) the rings are cleared and sampling simply restarts from the new
//! moment: nothing is rebuilt from the history. A Was / Now / Delta whose "was" is after
//! the new moment is dropped.

pub mod format;

use crate::dom::select;
use crate::i18n::{t, tf, Lang};
use format::{delta, is_key, is_key_row, node_label, sparkline, value};
use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use streamscope_core::sim::view::{MetricNode, MetricsDelta, MetricsSnapshot};
use streamscope_core::Sim;
use web_sys::{Document, Element};

/// Real milliseconds between two refreshes.
pub const REFRESH_MS: f64 = 250.0;
/// Simulated microseconds between two samples of a sparkline.
pub const SAMPLE_US: u64 = 1_000_000;
/// Samples a sparkline keeps.
pub const RING: usize = 60;
/// A move forward in one frame larger than this is a jump (playing at 100x moves 10 s).
pub const JUMP_US: u64 = 15_000_000;

/// The change the Was / Now / Delta table follows.
struct Change {
    title: String,
    was: MetricsSnapshot,
}

#[derive(Default)]
struct State {
    last_refresh_ms: Option<f64>,
    last_frame_us: Option<u64>,
    last_sample_us: Option<u64>,
    samples: BTreeMap<String, VecDeque<f64>>,
    change: Option<Change>,
    /// Bumped by each change, so the table is redrawn.
    generation: u64,
    /// What the table shows: (time, language, all rows, generation).
    drawn: Option<(u64, Lang, bool, u64)>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn sample_key(node: &MetricNode, name: &str, attribute: &str) -> String {
    format!("{node:?}|{name}|{attribute}")
}

/// Remembers `was` (taken just before a learner's change) for the Was / Now / Delta table,
/// titled with the message line the change wrote; a refused change (an error message)
/// changes nothing.
pub fn remember(doc: &Document, was: MetricsSnapshot, lang: Lang) {
    let Some(msg) = doc.get_element_by_id("message") else {
        return;
    };
    if msg.get_attribute("class").as_deref() == Some("error") {
        return;
    }
    let text = msg.text_content().unwrap_or_default();
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.change = Some(Change {
            title: tf(lang, "metrics.after", &[("change", text.trim())]),
            was,
        });
        s.generation += 1;
        s.last_refresh_ms = None;
    });
}

/// Called each frame: samples and redraws the panel when due (see the module doc).
pub fn refresh(doc: &Document, sim: &Sim, lang: Lang, now_ms: f64) {
    let now_us = sim.now().micros();
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        let jumped = s
            .last_frame_us
            .is_some_and(|p| now_us < p || now_us - p > JUMP_US);
        s.last_frame_us = Some(now_us);
        if jumped {
            s.samples.clear();
            s.last_sample_us = None;
            if s.change.as_ref().is_some_and(|c| c.was.time_us > now_us) {
                s.change = None;
                s.generation += 1;
            }
        }
        let due = jumped
            || s.last_refresh_ms
                .is_none_or(|p| now_ms - p >= REFRESH_MS || now_ms < p);
        if !due {
            return;
        }
        s.last_refresh_ms = Some(now_ms);
        let snap = sim.metrics();
        take_sample(&mut s, &snap);
        let all = select(doc, "metrics-view").is_some_and(|e| e.value() == "all");
        let key = (now_us, lang, all, s.generation);
        if shown(doc) && s.drawn != Some(key) {
            s.drawn = Some(key);
            draw(doc, &s, &snap, lang, all);
        }
    });
}

fn take_sample(s: &mut State, snap: &MetricsSnapshot) {
    if s.last_sample_us
        .is_some_and(|p| snap.time_us < p + SAMPLE_US)
    {
        return;
    }
    s.last_sample_us = Some(snap.time_us);
    for r in snap.rows.iter().filter(|r| is_key_row(r)) {
        let ring = s
            .samples
            .entry(sample_key(&r.node, r.name, r.attribute))
            .or_default();
        if ring.len() == RING {
            ring.pop_front();
        }
        ring.push_back(r.value);
    }
}

/// Whether the panel is there and open (a closed `<details>` around it is not drawn into).
fn shown(doc: &Document) -> bool {
    if doc.get_element_by_id("metrics-panel").is_none() {
        return false;
    }
    doc.get_element_by_id("metrics-group")
        .is_none_or(|g| g.tag_name() != "DETAILS" || g.has_attribute("open"))
}

fn make(doc: &Document, tag: &str, text: &str, class: &str) -> Option<Element> {
    let e = doc.create_element(tag).ok()?;
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    if !class.is_empty() {
        let _ = e.set_attribute("class", class);
    }
    Some(e)
}

/// The selector, the title line and the table, made once inside `#metrics-panel`.
fn parts(doc: &Document, lang: Lang) -> Option<(Element, Element)> {
    let panel = doc.get_element_by_id("metrics-panel")?;
    if doc.get_element_by_id("metrics-table").is_none() {
        let label = make(doc, "label", "", "")?;
        let _ = label.set_attribute("for", "metrics-view");
        label.set_id("metrics-view-label");
        let sel = make(doc, "select", "", "")?;
        sel.set_id("metrics-view");
        for v in ["key", "all"] {
            let o = make(doc, "option", "", "")?;
            let _ = o.set_attribute("value", v);
            o.set_id(&format!("metrics-view-{v}"));
            let _ = sel.append_child(&o);
        }
        let title = make(doc, "p", "", "metrics-title")?;
        title.set_id("metrics-title");
        let table = make(doc, "table", "", "metrics-table")?;
        table.set_id("metrics-table");
        for e in [&label, &sel, &title, &table] {
            let _ = panel.append_child(e);
        }
    }
    crate::dom::set_text(doc, "metrics-view-label", t(lang, "metrics.view"));
    crate::dom::set_text(doc, "metrics-view-key", t(lang, "metrics.key"));
    crate::dom::set_text(doc, "metrics-view-all", t(lang, "metrics.all"));
    Some((
        doc.get_element_by_id("metrics-title")?,
        doc.get_element_by_id("metrics-table")?,
    ))
}

/// One row to show: node, name, attribute and the value cells (text, class, raw value).
struct Line {
    node: MetricNode,
    name: &'static str,
    attribute: &'static str,
    tags: String,
    cells: Vec<(String, &'static str, f64)>,
}

/// The rows the table shows: Was / Now / Delta since the learner's last change, else the
/// values now; with their column heads and the note when there are none.
fn lines_of(
    s: &State,
    snap: &MetricsSnapshot,
    lang: Lang,
    all: bool,
) -> (Vec<Line>, Vec<&'static str>, &'static str) {
    match &s.change {
        Some(c) => {
            let d = MetricsDelta::between(&c.was, snap);
            let lines: Vec<Line> = d
                .rows
                .into_iter()
                .filter(|r| all || is_key(r.name, r.attribute, &r.tags))
                .map(|r| Line {
                    cells: vec![
                        (value(r.was, r.unit, lang), "was", r.was),
                        (value(r.now, r.unit, lang), "now", r.now),
                        (delta(r.delta, r.unit, lang), "delta", r.delta),
                    ],
                    node: r.node,
                    name: r.name,
                    attribute: r.attribute,
                    tags: r.tags,
                })
                .collect();
            let note = if lines.is_empty() {
                "metrics.unchanged"
            } else {
                ""
            };
            (
                lines,
                vec!["metrics.was", "metrics.now", "metrics.delta"],
                note,
            )
        }
        None => {
            let lines: Vec<Line> = snap
                .rows
                .iter()
                .filter(|r| all || is_key_row(r))
                .map(|r| Line {
                    cells: vec![(value(r.value, r.unit, lang), "now", r.value)],
                    node: r.node.clone(),
                    name: r.name,
                    attribute: r.attribute,
                    tags: r.tags.clone(),
                })
                .collect();
            let note = if lines.is_empty() {
                "metrics.empty"
            } else {
                ""
            };
            (lines, vec!["metrics.value"], note)
        }
    }
}

fn draw(doc: &Document, s: &State, snap: &MetricsSnapshot, lang: Lang, all: bool) {
    let Some((title, table)) = parts(doc, lang) else {
        return;
    };
    let (lines, heads, note) = lines_of(s, snap, lang, all);
    let heading = match (&s.change, note) {
        (Some(c), "") => c.title.clone(),
        (Some(c), n) => format!("{} · {}", c.title, t(lang, n)),
        (None, "") => String::new(),
        (None, n) => t(lang, n).to_string(),
    };
    title.set_text_content(Some(&heading));
    let _ = title.set_attribute(
        "data-mode",
        if s.change.is_some() { "delta" } else { "now" },
    );
    table.set_text_content(None);
    let _ = table.set_attribute(
        "data-mode",
        if s.change.is_some() { "delta" } else { "now" },
    );
    head_row(doc, &table, &heads, lang);
    let mut last: Option<&MetricNode> = None;
    for l in &lines {
        if last != Some(&l.node) {
            node_row(doc, &table, &l.node, heads.len() + 3, lang);
            last = Some(&l.node);
        }
        let samples = s.samples.get(&sample_key(&l.node, l.name, l.attribute));
        line_row(doc, &table, l, samples);
    }
}

fn head_row(doc: &Document, table: &Element, heads: &[&str], lang: Lang) {
    let Some(tr) = make(doc, "tr", "", "") else {
        return;
    };
    let mut keys = vec!["metrics.name", "metrics.attribute"];
    keys.extend_from_slice(heads);
    keys.push("metrics.trend");
    for k in keys {
        if let Some(th) = make(doc, "th", t(lang, k), "") {
            let _ = th.set_attribute("scope", "col");
            let _ = tr.append_child(&th);
        }
    }
    let _ = table.append_child(&tr);
}

fn node_id(node: &MetricNode) -> String {
    match node {
        MetricNode::Producer { producer } => format!("producer-{producer}"),
        MetricNode::Consumer { client_id, .. } => format!("consumer-{client_id}"),
        MetricNode::Broker { broker } => format!("broker-{broker}"),
        MetricNode::Controller => "controller".to_string(),
    }
}

fn node_row(doc: &Document, table: &Element, node: &MetricNode, span: usize, lang: Lang) {
    let (Some(tr), Some(th)) = (
        make(doc, "tr", "", "metrics-node"),
        make(doc, "th", &node_label(node, lang), ""),
    ) else {
        return;
    };
    let _ = th.set_attribute("colspan", &span.to_string());
    let _ = th.set_attribute("scope", "rowgroup");
    let _ = tr.append_child(&th);
    let _ = table.append_child(&tr);
}

fn line_row(doc: &Document, table: &Element, l: &Line, samples: Option<&VecDeque<f64>>) {
    let Some(tr) = make(doc, "tr", "", "metrics-row") else {
        return;
    };
    let _ = tr.set_attribute("data-node", &node_id(&l.node));
    let _ = tr.set_attribute("data-metric", l.name);
    let _ = tr.set_attribute("data-attribute", l.attribute);
    let name = if l.tags.is_empty() {
        l.name.to_string()
    } else {
        format!("{} {{{}}}", l.name, l.tags)
    };
    let mut cells = vec![
        make(doc, "td", &name, "metric-name"),
        make(doc, "td", l.attribute, "metric-attribute"),
    ];
    for (text, class, raw) in &l.cells {
        let td = make(doc, "td", text, class);
        if let Some(td) = td.as_ref() {
            let _ = td.set_attribute("data-value", &raw.to_string());
        }
        cells.push(td);
    }
    let spark = samples.map_or_else(String::new, |r| sparkline(r.iter().copied()));
    cells.push(make(doc, "td", &spark, "sparkline"));
    for c in cells.into_iter().flatten() {
        let _ = tr.append_child(&c);
    }
    let _ = table.append_child(&tr);
}
