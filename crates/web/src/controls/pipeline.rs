//! The pipeline's controls in the Transactions box: pipeline on / off, processing.guarantee
//! and the number of processors (on Reset), and crash a processor (mid-transaction or not)
//! and restart it with the same or a new transactional.id (now, in the visible world and its
//! twin).

use crate::actions::Action;
use crate::apply::dispatch;
use crate::dom::{checked, input, input_value, on_id, select};
use wasm_bindgen::JsValue;
use web_sys::Document;

/// A processor button: the action built from the typed processor number.
fn button(
    doc: &Document,
    id: &'static str,
    act: fn(String, &Document) -> Action,
) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, id, "click", move |_| {
        dispatch(act(input_value(&d, "processor-index"), &d));
    })
}

fn setting(name: &'static str, value: String) {
    dispatch(Action::PipelineSetting { name, value });
}

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, "pipeline-enabled", "change", move |_| {
        let on = checked(&d, "pipeline-enabled");
        setting("sim.pipeline", if on { "ctp" } else { "none" }.to_string());
    })?;
    let d = doc.clone();
    on_id(doc, "pipeline-guarantee", "change", move |_| {
        if let Some(v) = select(&d, "pipeline-guarantee").map(|s| s.value()) {
            setting("processing.guarantee", v);
        }
    })?;
    let d = doc.clone();
    on_id(doc, "pipeline-processors", "change", move |_| {
        if let Some(v) = input(&d, "pipeline-processors").map(|i| i.value()) {
            setting("sim.pipeline.processors", v);
        }
    })?;
    button(doc, "crash-processor", |raw, d| Action::CrashProcessor {
        raw,
        in_txn: checked(d, "crash-in-txn"),
    })?;
    button(doc, "restart-processor", |raw, _| {
        Action::RestartProcessor { raw, new_id: false }
    })?;
    button(doc, "restart-processor-new-id", |raw, _| {
        Action::RestartProcessor { raw, new_id: true }
    })
}
