//! Streamscope's browser glue: DOM controls, canvas renderer, animation loop. No Kafka logic:
//! everything the page shows comes from `streamscope-core`'s state, trace and answers
//! (`streamscope_core::sim::view`). The modules form layers, listed bottom up below; the
//! page's controls produce actions (`actions`), which one place applies (`apply`).
//!
//! It also builds natively (everything browser-only runs only when called), so
//! `cargo build --workspace` and `cargo test --workspace` work on the host.

// The layers, bottom up: a module imports only modules listed before it (checked by
// `tests/layering.rs`). One `mod` per group, so rustfmt keeps the order.
// DOM helpers, the message table, refusals in the page's words.
pub mod dom;

pub mod codec;

pub mod i18n;

pub mod refusal;

// What the page reads of the core's monitors, trace and drains.
pub mod monitor;

pub mod rebalance;

pub mod drain;

// The canvas: reads the world, draws it, records what it drew; the timeline under it.
pub mod render;

pub mod timeline;

// The HTML beside the canvas: inspector, calculator, status lines, the pipeline's twin, the
// event log, the side panel's badges, field messages and settings list.
pub mod panels;

pub mod brokers;

pub mod liveness;

pub mod transactions;

pub mod pipeline;

pub mod twin;

pub mod comparison;

pub mod eventlog;

pub mod sidepanel;

// The page's state and how it is shown; the changes to the world and its twin; moves in time;
// the run's link.
pub mod page;

pub mod world;

pub mod travel;

pub mod share;

// The controls' actions, the one place they are applied, the controls, the guided
// scenarios, the test hook.
pub mod actions;

pub mod apply;

pub mod controls;

// The guided scenarios: the core's catalog, a scenario's steps walked in the run's History.
pub mod guide;

pub mod hook;

// The entry point.
pub mod app;

use wasm_bindgen::prelude::*;

/// Kafka's key hashing for `key` over `partitions` partitions (murmur2, positive, modulo),
/// callable from JavaScript.
#[wasm_bindgen(js_name = partitionForKey)]
pub fn partition_for_key(key: &str, partitions: u32) -> u32 {
    streamscope_core::murmur2::partition_for_key(key.as_bytes(), partitions.max(1))
}

/// A seed from the OS (in the browser: crypto.getRandomValues through getrandom), within
/// JavaScript's exact integers so it round-trips through the page.
#[wasm_bindgen(js_name = randomSeed)]
pub fn random_seed() -> u64 {
    app::random_seed()
}

/// Entry point, run once when the module is instantiated: builds the page's app when the
/// page has its controls (index.html); does nothing elsewhere (e.g. under the test runner).
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    let has_page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("canvas"))
        .is_some();
    if has_page {
        app::start()?;
    }
    Ok(())
}

/// The determinism check shared by the native and the browser test: the preset world, seed
/// 42, run to 3 simulated seconds. Returns (trace hash, events).
pub fn preset_run_hash(seed: u64, until_us: u64) -> (u64, u64) {
    let sim = streamscope_core::Sim::new(streamscope_core::Config::preset(), seed);
    match sim {
        Ok(mut sim) => {
            sim.run_until(streamscope_core::SimTime(until_us));
            (sim.trace().hash(), sim.events_processed())
        }
        Err(_) => (0, 0),
    }
}

/// What [`preset_run_hash`]`(42, 3_000_000)` gives; the browser test asserts the same value,
/// so native and wasm32 runs are proven identical. When the simulator's behaviour changes on
/// purpose, `cargo test -p streamscope-web` prints the new value to put here.
pub const PRESET_SEED_42_3S: (u64, u64) = (0x31cf_f1d9_ac7d_4174, 5258);

#[cfg(test)]
mod tests {
    #[test]
    fn native_run_matches_the_recorded_hash() {
        let got = super::preset_run_hash(42, 3_000_000);
        assert_eq!(
            got,
            super::PRESET_SEED_42_3S,
            "new value: (0x{:016x}, {})",
            got.0,
            got.1
        );
    }
}
