//! The setting controls (a select, an input or a checkbox each naming one Kafka setting in its
//! `data-setting`; those marked `data-bind` are wired here by what the page holds, so a new
//! control is one line of index.html; the core says whether it applies live or on Reset), the
//! free `name=value` box with its searchable list of every setting, and the fault box with End
//! faults and Drain.

use crate::actions::Action;
use crate::apply::dispatch;
use crate::dom::{input, input_value, on_id, select};
use crate::page::with_app;
use streamscope_core::config::settings;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Document;

/// What kind of element a setting control is.
#[derive(Clone, Copy)]
enum Control {
    Select,
    Input,
    Checkbox,
}

/// A setting control: on change, `name` = the control's value.
fn wire_setting(
    doc: &Document,
    id: &'static str,
    name: &'static str,
    kind: Control,
) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, id, "change", move |_| {
        let value = match kind {
            Control::Select => select(&d, id).map(|s| s.value()),
            Control::Input => input(&d, id).map(|i| i.value()),
            Control::Checkbox => input(&d, id).map(|i| i.checked().to_string()),
        };
        if let Some(value) = value {
            dispatch(Action::Setting { name, value });
        }
    })
}

/// Whether a keyboard event is Enter.
fn is_enter(e: &web_sys::Event) -> bool {
    e.dyn_ref::<web_sys::KeyboardEvent>()
        .is_some_and(|k| k.key() == "Enter")
}

/// A text box and its button: a click on `button`, or Enter in `field`, dispatches the action
/// `make` builds from the text typed.
pub(super) fn on_text_submit(
    doc: &Document,
    field: &'static str,
    button: &str,
    make: fn(String) -> Action,
) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, button, "click", move |_| {
        dispatch(make(input_value(&d, field)))
    })?;
    let d = doc.clone();
    on_id(doc, field, "keydown", move |e| {
        if is_enter(&e) {
            dispatch(make(input_value(&d, field)));
        }
    })
}

/// Every control bound to a setting (`[data-bind][data-setting]`), by its element.
fn bound_controls(doc: &Document) -> Vec<(String, &'static str, Control)> {
    let Ok(list) = doc.query_selector_all("[data-bind][data-setting]") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for i in 0..list.length() {
        let Some(e) = list
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let setting = e.get_attribute("data-setting").unwrap_or_default();
        // The registry's own name, which lives as long as the page.
        let Some(def) = settings::lookup(&setting).next() else {
            continue;
        };
        let kind = match e.dyn_ref::<web_sys::HtmlInputElement>() {
            None => Control::Select,
            Some(i) if i.type_() == "checkbox" => Control::Checkbox,
            Some(_) => Control::Input,
        };
        out.push((e.id(), def.name, kind));
    }
    out
}

/// The producer's and the durability bar's settings, every bound control, and the free
/// setting box with its list.
pub fn wire_producer_and_durability(doc: &Document) -> Result<(), JsValue> {
    for (id, name, kind) in bound_controls(doc) {
        let id: &'static str = Box::leak(id.into_boxed_str());
        wire_setting(doc, id, name, kind)?;
    }
    wire_setting(doc, "idempotence", "enable.idempotence", Control::Checkbox)?;
    wire_setting_list(doc)?;
    let d = doc.clone();
    on_id(doc, "apply-setting", "click", move |_| {
        dispatch(Action::FreeSetting {
            raw: input_value(&d, "setting"),
        });
    })?;
    let d = doc.clone();
    on_id(doc, "setting", "keydown", move |e| {
        if is_enter(&e) {
            dispatch(Action::FreeSetting {
                raw: input_value(&d, "setting"),
            });
        }
    })
}

/// The settings list: typing filters it; a row puts `name=` and the value in force into the
/// free box and focuses it.
fn wire_setting_list(doc: &Document) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, "group-any-setting", "toggle", move |_| {
        let open = d
            .get_element_by_id("group-any-setting")
            .is_some_and(|g| g.has_attribute("open"));
        if open {
            with_app(|a| crate::sidepanel::ensure_setting_list(&a.doc, a.lang));
        }
    })?;
    let d = doc.clone();
    on_id(doc, "setting-filter", "input", move |_| {
        let q = input_value(&d, "setting-filter");
        with_app(|a| crate::sidepanel::filter(&a.doc, a.lang, &q));
    })?;
    let d = doc.clone();
    on_id(doc, "setting-list", "click", move |e| {
        let name = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("button[data-name]").ok().flatten())
            .and_then(|b| b.get_attribute("data-name"));
        let Some(name) = name else { return };
        let value = with_app(|a| settings::current(&a.pending, &name)).flatten();
        if let Some(i) = input(&d, "setting") {
            i.set_value(&format!("{name}={}", value.unwrap_or_default()));
            let _ = i.focus();
        }
    })
}

/// The consumer groups' settings (after the group controls: the assignor's protocol follower
/// runs first).
pub fn wire_group_settings(doc: &Document) -> Result<(), JsValue> {
    wire_setting(
        doc,
        "assignor",
        "partition.assignment.strategy",
        Control::Select,
    )?;
    wire_setting(
        doc,
        "static-members",
        "sim.static.members",
        Control::Checkbox,
    )
}

/// The fault box (`--fault` syntax, times relative to now with `+`, no `@` = from now on),
/// End faults and Drain.
pub fn wire_faults(doc: &Document) -> Result<(), JsValue> {
    on_text_submit(doc, "fault", "apply-fault", |raw| Action::Fault { raw })?;
    on_id(doc, "end-faults", "click", |_| dispatch(Action::EndFaults))?;
    on_id(doc, "drain", "click", |_| dispatch(Action::Drain))?;
    wire_compare(doc)
}

/// The "Compare A/B" group: the settings box (Enter or the button starts world B) and Stop.
fn wire_compare(doc: &Document) -> Result<(), JsValue> {
    if doc.get_element_by_id("compare-start").is_none() {
        return Ok(());
    }
    on_text_submit(doc, "compare-settings", "compare-start", |raw| {
        Action::Compare { raw }
    })?;
    on_id(doc, "compare-stop", "click", |_| {
        dispatch(Action::StopCompare)
    })
}
