//! The Transactions box's controls: transactional.id on or off, the application's records per
//! transaction and abort share, transaction.timeout.ms, transaction.version, the consumers'
//! isolation.level and the side-by-side group with the other level, and the Begin / Commit /
//! Abort / Start zombie buttons (each a core `Change`). The pipeline's controls in the same box
//! are `controls::pipeline`'s.

use crate::actions::Action;
use crate::apply::dispatch;
use crate::dom::{checked, input, on_id, select};
use crate::transactions::{APP, TRANSACTIONAL_ID};
use streamscope_core::Change;
use wasm_bindgen::JsValue;
use web_sys::Document;

fn wire_setting(
    doc: &Document,
    id: &'static str,
    name: &'static str,
    value: fn(&Document, &'static str) -> Option<String>,
) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, id, "change", move |_| {
        let Some(v) = value(&d, id) else { return };
        dispatch(Action::TxnSetting { name, value: v });
    })
}

fn input_value(d: &Document, id: &'static str) -> Option<String> {
    input(d, id).map(|i| i.value())
}

fn select_value(d: &Document, id: &'static str) -> Option<String> {
    select(d, id).map(|s| s.value())
}

fn button(doc: &Document, id: &'static str, change: fn() -> Change) -> Result<(), JsValue> {
    on_id(doc, id, "click", move |_| dispatch(Action::Txn(change())))
}

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, "txn-enabled", "change", move |_| {
        let on = checked(&d, "txn-enabled");
        let id = if on { TRANSACTIONAL_ID } else { "" };
        dispatch(Action::TxnSetting {
            name: "transactional.id",
            value: id.to_string(),
        });
    })?;
    wire_setting(doc, "txn-records", "sim.transaction.records", input_value)?;
    wire_setting(
        doc,
        "txn-abort-percent",
        "sim.transaction.abort.percent",
        input_value,
    )?;
    wire_setting(doc, "txn-timeout", "transaction.timeout.ms", input_value)?;
    wire_setting(doc, "txn-version", "transaction.version", select_value)?;
    wire_setting(doc, "isolation", "isolation.level", select_value)?;
    let d = doc.clone();
    on_id(doc, "txn-compare", "change", move |_| {
        dispatch(Action::TxnCompare(checked(&d, "txn-compare")));
    })?;
    button(doc, "txn-begin", || Change::BeginTransaction {
        producer: APP,
    })?;
    button(doc, "txn-commit", || Change::CommitTransaction {
        producer: APP,
    })?;
    button(doc, "txn-abort", || Change::AbortTransaction {
        producer: APP,
    })?;
    button(doc, "txn-zombie", || Change::StartZombie { producer: APP })?;
    Ok(())
}
