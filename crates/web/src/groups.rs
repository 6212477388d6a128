//! The DOM side of the consumer-group controls: add a consumer (with the strategy list chosen
//! in the page), add a group, close / crash / restart / slow down a consumer. Each button builds
//! a core `Change` and shows the core's answer; every rule (validation, the rebalance that
//! follows) lives in the core.

use crate::app::{input, on_id, select, with_app};
use streamscope_core::Change;
use wasm_bindgen::JsValue;
use web_sys::Document;

/// A whole number from an input (the core validates ranges; a non-number is refused here with
/// the field named).
fn number(doc: &Document, id: &str) -> Result<u64, String> {
    let raw = input(doc, id).map(|i| i.value()).unwrap_or_default();
    raw.trim()
        .parse::<u64>()
        .map_err(|_| format!("{id}: '{raw}' is not a whole number"))
}

fn index(doc: &Document, id: &str) -> Result<u32, String> {
    let n = number(doc, id)?;
    u32::try_from(n).map_err(|_| format!("{id}: {n} is too large"))
}

/// Wires one button to a change built from the form.
fn button(
    doc: &Document,
    id: &'static str,
    build: impl Fn(&Document) -> Result<Change, String> + 'static,
) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, id, "click", move |_| {
        let change = build(&d);
        with_app(|a| {
            let r = change.and_then(|c| a.member_change(c));
            a.show(r);
            a.draw();
        });
    })
}

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    button(doc, "add-consumer", |d| {
        let strategy = select(d, "assignor")
            .map(|s| s.value())
            .ok_or("assignor: missing")?;
        Ok(Change::AddConsumer {
            group: index(d, "group-index")?,
            strategy: Some(strategy),
        })
    })?;
    button(doc, "add-group", |_| {
        let n = with_app(|a| a.sim.groups().len()).unwrap_or(0);
        Ok(Change::AddGroup {
            group_id: format!("g{}", n + 1),
            topics: vec!["orders".to_string()],
            consumers: 1,
        })
    })?;
    button(doc, "remove-consumer", |d| {
        Ok(Change::RemoveConsumer {
            consumer: index(d, "consumer-index")?,
        })
    })?;
    button(doc, "crash-consumer", |d| {
        Ok(Change::CrashConsumer {
            consumer: index(d, "consumer-index")?,
        })
    })?;
    button(doc, "restart-consumer", |d| {
        Ok(Change::RestartConsumer {
            consumer: index(d, "consumer-index")?,
        })
    })?;
    button(doc, "slow-consumer", |d| {
        let ms = number(d, "slow-ms")?;
        Ok(Change::SlowConsumer {
            consumer: index(d, "consumer-index")?,
            per_record_us: ms.saturating_mul(1000),
        })
    })?;
    Ok(())
}
