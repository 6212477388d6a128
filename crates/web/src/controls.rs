//! The page's controls: each listens to its element, reads what the page holds (a value, a
//! checkbox, the clicked button's data attributes) and produces an `Action`, which
//! `crate::apply::dispatch` applies. No control changes the world itself. By box: the
//! playback and the canvas (`playback`), the settings and the fault box (`settings`), the
//! broker buttons over the canvas (`brokers`), the consumer groups (`groups`), the
//! Transactions box (`transactions`) and its pipeline part (`pipeline`), the timeline, the
//! time controls, the event log and the link (`time`).

mod brokers;
mod groups;
mod pipeline;
mod playback;
mod settings;
mod time;
mod transactions;

use wasm_bindgen::JsValue;
use web_sys::Document;

/// Wires every control of the page (in the order listeners must run: the assignor's
/// protocol follower before its setting).
pub fn wire(doc: &Document) -> Result<(), JsValue> {
    brokers::wire(doc)?;
    playback::wire(doc)?;
    settings::wire_producer_and_durability(doc)?;
    groups::wire(doc)?;
    transactions::wire(doc)?;
    pipeline::wire(doc)?;
    settings::wire_group_settings(doc)?;
    settings::wire_faults(doc)?;
    time::wire(doc)?;
    playback::wire_keys(doc)
}
