//! Playback and the canvas: Play / Pause, Step, the speed, the log tiles' size (a view setting), Reset with the typed or a random
//! seed, a click on the canvas (mapped to canvas units), the inspector's close button, the
//! calculator's inputs, the language button, the Scenarios button, and the keyboard (space, Escape outside form
//! fields; → and ← outside text fields).

use crate::actions::Action;
use crate::apply::dispatch;
use crate::dom::{input_value, on, on_id, select};
use crate::render;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Document;

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    on_id(doc, "play", "click", |_| dispatch(Action::TogglePlay))?;
    on_id(doc, "step", "click", |_| dispatch(Action::Step))?;
    let d = doc.clone();
    on_id(doc, "speed", "change", move |_| {
        if let Some(v) = select(&d, "speed").and_then(|s| s.value().parse::<f64>().ok()) {
            dispatch(Action::SetSpeed(v));
        }
    })?;
    let d = doc.clone();
    on_id(doc, "log-tiles", "change", move |_| {
        if let Some(s) = select(&d, "log-tiles") {
            dispatch(Action::SetLargeTiles(s.value() == "large"));
        }
    })?;
    let d = doc.clone();
    on_id(doc, "reset", "click", move |_| {
        dispatch(Action::Reset {
            raw: input_value(&d, "seed"),
        });
    })?;
    on_id(doc, "random-seed", "click", |_| {
        dispatch(Action::RandomReset)
    })?;
    let d = doc.clone();
    on_id(doc, "canvas", "click", move |e| {
        let Some(m) = e.dyn_ref::<web_sys::MouseEvent>() else {
            return;
        };
        let Some(c) = d.get_element_by_id("canvas") else {
            return;
        };
        let (w, h) = (c.client_width() as f64, c.client_height() as f64);
        if w <= 0.0 || h <= 0.0 {
            return;
        }
        let x = m.offset_x() as f64 * render::WIDTH / w;
        let y = m.offset_y() as f64 * render::HEIGHT / h;
        dispatch(Action::Click { x, y });
    })?;
    on_id(doc, "inspector-close", "click", |_| {
        dispatch(Action::Select(None));
    })?;
    for id in ["calc-key", "calc-partitions"] {
        on_id(doc, id, "input", move |_| dispatch(Action::Calculator))?;
    }
    on_id(doc, "lang", "click", |_| dispatch(Action::ToggleLanguage))?;
    wire_scenarios_button(doc)
}

/// "Scenarios" in the top bar opens the side panel's scenario group, brings it into view and
/// puts the focus on its heading (a page move only: the world is not touched).
fn wire_scenarios_button(doc: &Document) -> Result<(), JsValue> {
    let Some(button) = doc.get_element_by_id("open-scenarios") else {
        return Ok(());
    };
    let d = doc.clone();
    on(&button.into(), "click", move |_| {
        let Some(group) = d.get_element_by_id("scenario-group") else {
            return;
        };
        let _ = group.set_attribute("open", "");
        // Beside the animation, scroll the side panel only (the animation stays where it
        // is); stacked under it, the page.
        let top = group
            .dyn_ref::<web_sys::HtmlElement>()
            .map_or(0, |g| g.offset_top());
        match d.get_element_by_id("side-panel") {
            Some(side) if side.scroll_height() > side.client_height() => {
                side.set_scroll_top((top - 8).max(0));
            }
            _ => group.scroll_into_view(),
        }
        let summary = group.query_selector("summary").ok().flatten();
        if let Some(s) = summary.and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = s.focus();
        }
    })
}

/// The keyboard: outside form fields and buttons, space plays / pauses and Escape closes the
/// inspector; outside text fields (and selects, whose arrows pick), → steps and ← steps back.
pub fn wire_keys(doc: &Document) -> Result<(), JsValue> {
    on(doc, "keydown", |e| {
        let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
            return;
        };
        let tag = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|t| t.tag_name())
            .unwrap_or_default();
        let text_field = matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA");
        let in_field = text_field || tag == "BUTTON";
        match k.key().as_str() {
            " " if !in_field => {
                e.prevent_default();
                dispatch(Action::TogglePlay);
            }
            "ArrowRight" if !text_field => {
                e.prevent_default();
                dispatch(Action::Step);
            }
            "ArrowLeft" if !text_field => {
                e.prevent_default();
                dispatch(Action::StepBack(1));
            }
            "Escape" if !in_field => dispatch(Action::Deselect),
            _ => {}
        }
    })
}
