//! The setting controls (a select, an input or a checkbox each naming one Kafka setting; the
//! core says whether it applies live or on Reset), the free `name=value` box, and the fault
//! box with End faults and Drain.

use crate::actions::Action;
use crate::apply::dispatch;
use crate::dom::{input, input_value, on_id, select};
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

/// The producer's and the durability bar's settings, and the free setting box.
pub fn wire_producer_and_durability(doc: &Document) -> Result<(), JsValue> {
    for (id, name, kind) in [
        ("acks", "acks", Control::Select),
        ("partitioner", "partitioner.class", Control::Select),
        ("send-mode", "sim.send.mode", Control::Select),
        ("linger", "linger.ms", Control::Input),
        ("num-partitions", "num.partitions", Control::Input),
        ("replication-factor", "replication.factor", Control::Input),
        ("min-isr", "min.insync.replicas", Control::Input),
        (
            "unclean",
            "unclean.leader.election.enable",
            Control::Checkbox,
        ),
        ("idempotence", "enable.idempotence", Control::Checkbox),
        ("retries", "retries", Control::Input),
    ] {
        wire_setting(doc, id, name, kind)?;
    }
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
    let d = doc.clone();
    on_id(doc, "apply-fault", "click", move |_| {
        dispatch(Action::Fault {
            raw: input_value(&d, "fault"),
        });
    })?;
    let d = doc.clone();
    on_id(doc, "fault", "keydown", move |e| {
        if is_enter(&e) {
            dispatch(Action::Fault {
                raw: input_value(&d, "fault"),
            });
        }
    })?;
    on_id(doc, "end-faults", "click", |_| dispatch(Action::EndFaults))?;
    on_id(doc, "drain", "click", |_| dispatch(Action::Drain))
}
