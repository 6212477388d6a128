//! The Kill process / Lose host / Restart buttons over the broker boxes: one listener on their
//! container reads which broker and which action from the clicked button's data attributes.

use crate::actions::{Action, BrokerAction};
use crate::apply::dispatch;
use crate::dom::on_id;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Document;

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    on_id(doc, "broker-controls", "click", move |e| {
        let Some(button) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("button[data-action]").ok().flatten())
        else {
            return;
        };
        let broker = button
            .get_attribute("data-broker")
            .and_then(|b| b.parse::<u32>().ok());
        let action = match button.get_attribute("data-action").as_deref() {
            Some("kill") => BrokerAction::Kill,
            Some("crash") => BrokerAction::LoseHost,
            Some("restart") => BrokerAction::Restart,
            _ => return,
        };
        if let Some(broker) = broker {
            dispatch(Action::Broker { broker, action });
        }
    })
}
