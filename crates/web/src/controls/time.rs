//! The time controls: Step back, Live, the kind select with previous / next, "Jump to time",
//! the timeline (pressed, dragged, let go; Home, End, Page Up, Page Down while focused; the
//! arrows are the page's, see `playback::wire_keys`), the event log's filters and lines (a
//! click or Enter on a line), Copy link, and a fragment typed into the address bar.

use crate::actions::Action;
use crate::apply::dispatch;
use crate::dom::{on, on_id, select};
use crate::timeline;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, MouseEvent};

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    on_id(doc, "step-back", "click", |_| dispatch(Action::StepBack(1)))?;
    on_id(doc, "live", "click", |_| dispatch(Action::Live))?;
    let d = doc.clone();
    on_id(doc, "mark-kind", "change", move |_| {
        let v = select(&d, "mark-kind")
            .map(|s| s.value())
            .unwrap_or_default();
        dispatch(Action::MarkKind(timeline::group_of(&v)));
    })?;
    on_id(doc, "mark-prev", "click", |_| {
        dispatch(Action::JumpKind { forward: false })
    })?;
    on_id(doc, "mark-next", "click", |_| {
        dispatch(Action::JumpKind { forward: true })
    })?;
    super::settings::on_text_submit(doc, "jump-time", "jump", |raw| Action::JumpTime { raw })?;
    on_id(doc, "copy-link", "click", |_| dispatch(Action::CopyLink))?;
    wire_timeline(doc)?;
    wire_log(doc)
}

/// (x, y) of a pointer event on the timeline, in its logical units.
fn timeline_point(doc: &Document, e: &web_sys::Event) -> Option<(f64, f64)> {
    let m = e.dyn_ref::<MouseEvent>()?;
    let c = doc.get_element_by_id("timeline")?;
    let (w, h) = (c.client_width() as f64, c.client_height() as f64);
    if w <= 0.0 || h <= 0.0 {
        return None;
    }
    let x = m.offset_x() as f64 * timeline::WIDTH / w;
    let y = m.offset_y() as f64 * timeline::HEIGHT / h;
    Some((x, y))
}

fn wire_timeline(doc: &Document) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, "timeline", "pointerdown", move |e| {
        if let Some((x, y)) = timeline_point(&d, &e) {
            e.prevent_default();
            dispatch(Action::TimelineAt { x, y, drag: false });
        }
    })?;
    let d = doc.clone();
    on_id(doc, "timeline", "pointermove", move |e| {
        let pressed = e
            .dyn_ref::<MouseEvent>()
            .is_some_and(|m| m.buttons() & 1 == 1);
        if let Some((x, y)) = timeline_point(&d, &e).filter(|_| pressed) {
            dispatch(Action::TimelineAt { x, y, drag: true });
        }
    })?;
    on(doc, "pointerup", |_| dispatch(Action::TimelineUp))?;
    on_id(doc, "timeline", "keydown", |e| {
        let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
            return;
        };
        let key = match k.key().as_str() {
            "Home" => "Home",
            "End" => "End",
            "PageUp" => "PageUp",
            "PageDown" => "PageDown",
            _ => return,
        };
        e.prevent_default();
        dispatch(Action::TimelineKey(key));
    })?;
    if let Some(w) = web_sys::window() {
        on(&w, "hashchange", |_| {
            dispatch(Action::OpenLink {
                fragment: crate::share::current_fragment(),
            })
        })?;
    }
    Ok(())
}

/// The event of the log line an event happened on, if any.
fn line_event(e: &web_sys::Event) -> Option<u64> {
    let target: Element = e.target()?.dyn_into().ok()?;
    let li = target.closest("li").ok()??;
    li.get_attribute("data-event")?.parse().ok()
}

fn wire_log(doc: &Document) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, "log-node", "change", move |_| {
        let v = select(&d, "log-node")
            .map(|s| s.value())
            .unwrap_or_default();
        dispatch(Action::LogNode(v));
    })?;
    let d = doc.clone();
    on_id(doc, "log-kind", "change", move |_| {
        let v = select(&d, "log-kind")
            .map(|s| s.value())
            .unwrap_or_default();
        dispatch(Action::LogKind(v));
    })?;
    on_id(doc, "event-log", "click", |e| {
        if let Some(event) = line_event(&e) {
            dispatch(Action::LogLine { event });
        }
    })?;
    on_id(doc, "event-log", "keydown", |e| {
        let enter = e
            .dyn_ref::<web_sys::KeyboardEvent>()
            .is_some_and(|k| k.key() == "Enter");
        if let Some(event) = line_event(&e).filter(|_| enter) {
            dispatch(Action::LogLine { event });
        }
    })
}
