//! The bottom layer of the page: small DOM helpers every other module may use (find an
//! element, an input, a select; set an element's text only when it changed; listen to an
//! event; a field's own message, and a value put back only into a field that holds no refused
//! text) and the conversion of a value to a plain JavaScript object. Imports no module of
//! this crate.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlInputElement, HtmlSelectElement};

/// The element `#id`, or an error naming what index.html lacks.
pub fn el(doc: &Document, id: &str) -> Result<Element, JsValue> {
    doc.get_element_by_id(id)
        .ok_or_else(|| JsValue::from_str(&format!("index.html has no #{id}")))
}

/// The `<input id>`, if the page has it.
pub fn input(doc: &Document, id: &str) -> Option<HtmlInputElement> {
    doc.get_element_by_id(id)?.dyn_into().ok()
}

/// The `<select id>`, if the page has it.
pub fn select(doc: &Document, id: &str) -> Option<HtmlSelectElement> {
    doc.get_element_by_id(id)?.dyn_into().ok()
}

/// The value of `<input id>` (empty without it).
pub fn input_value(doc: &Document, id: &str) -> String {
    input(doc, id).map(|i| i.value()).unwrap_or_default()
}

/// Whether `<input id type=checkbox>` is checked (false without it).
pub fn checked(doc: &Document, id: &str) -> bool {
    input(doc, id).is_some_and(|i| i.checked())
}

/// Sets `#id`'s text (as `textContent`, never HTML), touching the DOM only when it changed.
pub fn set_text(doc: &Document, id: &str, s: &str) {
    if let Some(e) = doc.get_element_by_id(id) {
        if e.text_content().as_deref() != Some(s) {
            e.set_text_content(Some(s));
        }
    }
}

/// Listens to `kind` events on `target` for the page's lifetime.
pub fn on<F: FnMut(web_sys::Event) + 'static>(
    target: &web_sys::EventTarget,
    kind: &str,
    f: F,
) -> Result<(), JsValue> {
    let c = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    target.add_event_listener_with_callback(kind, c.as_ref().unchecked_ref())?;
    c.forget();
    Ok(())
}

/// Listens to `kind` events on `#id` (an error when the page lacks it).
pub fn on_id<F: FnMut(web_sys::Event) + 'static>(
    doc: &Document,
    id: &str,
    kind: &str,
    f: F,
) -> Result<(), JsValue> {
    let target: web_sys::EventTarget = el(doc, id)?.into();
    on(&target, kind, f)
}

/// The control showing setting `name` (`[data-setting="name"]`), if the page has one.
pub fn control_for_setting(doc: &Document, name: &str) -> Option<Element> {
    let clean = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_');
    if !clean {
        return None;
    }
    doc.query_selector(&format!("[data-setting=\"{name}\"]"))
        .ok()
        .flatten()
}

/// The message element of control `id` (`#id-error`, `role=alert`, right after the control and
/// named by its `aria-describedby`), made when missing.
pub fn field_error_element(doc: &Document, control: &Element) -> Option<Element> {
    let id = format!("{}-error", control.id());
    if let Some(e) = doc.get_element_by_id(&id) {
        return Some(e);
    }
    let e = doc.create_element("p").ok()?;
    e.set_id(&id);
    let _ = e.set_attribute("class", "field-error");
    let _ = e.set_attribute("role", "alert");
    let host = control.closest(".field").ok().flatten();
    match host {
        Some(h) => {
            let _ = h.append_child(&e);
        }
        None => {
            let _ = control.after_with_node_1(&e);
        }
    }
    let described = control
        .get_attribute("aria-describedby")
        .unwrap_or_default();
    if !described.split(' ').any(|d| d == id) {
        let joined = format!("{described} {id}");
        let _ = control.set_attribute("aria-describedby", joined.trim());
    }
    Some(e)
}

/// Shows `message` at `control` (invalid: the field keeps what was typed) or clears it.
pub fn field_message(doc: &Document, control: &Element, message: Option<&str>) {
    if let Some(e) = field_error_element(doc, control) {
        if e.text_content().as_deref() != Some(message.unwrap_or("")) {
            e.set_text_content(message);
        }
    }
    let _ = control.set_attribute(
        "aria-invalid",
        if message.is_some() { "true" } else { "false" },
    );
}

/// Clears every field's refusal (after Reset: the controls show what is in force again).
pub fn clear_field_messages(doc: &Document) {
    let invalid = "[data-setting][aria-invalid=true], #setting[aria-invalid=true], \
                   #fault[aria-invalid=true], #seed[aria-invalid=true]";
    let Ok(list) = doc.query_selector_all(invalid) else {
        return;
    };
    for i in 0..list.length() {
        if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
            field_message(doc, &e, None);
        }
    }
}

/// Whether a control holds refused text (its own message shown, `aria-invalid="true"`).
pub fn is_invalid(e: &Element) -> bool {
    e.get_attribute("aria-invalid").as_deref() == Some("true")
}

/// Puts `value` into `<input id>` unless it holds refused text the learner has not changed.
pub fn set_input_value(doc: &Document, id: &str, value: &str) {
    if let Some(i) = input(doc, id) {
        if !is_invalid(&i) && i.value() != value {
            i.set_value(value);
        }
    }
}

/// `v` as a plain JavaScript value (JSON-compatible: maps as objects); null on failure.
pub fn to_js<T: serde::Serialize>(v: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&ser).unwrap_or(JsValue::NULL)
}
