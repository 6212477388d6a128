//! Browser tests of the web crate: run in headless Chromium by `scripts/test.sh`
//! (`cargo test -p streamscope-web --target wasm32-unknown-unknown` with wasm-bindgen-test-runner
//! as the runner). On the host this file compiles to nothing.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn partitions_like_kafka() {
    // Same result as the core (and the Java client) when called from JS land.
    assert_eq!(streamscope_web::partition_for_key("user-42", 6), 4);
    assert_eq!(streamscope_web::partition_for_key("주문-1", 6), 5);
    assert_eq!(
        streamscope_web::partition_for_key("key-1", 12),
        streamscope_core::murmur2::partition_for_key(b"key-1", 12)
    );
}

#[wasm_bindgen_test]
fn random_seed_comes_from_the_browser() {
    let a = streamscope_web::random_seed();
    let b = streamscope_web::random_seed();
    assert_ne!(a, b);
    assert!(a <= streamscope_web::app::MAX_SEED && b <= streamscope_web::app::MAX_SEED);
}

/// The same scenario gives the same trace in wasm32 as natively (the native test in
/// crates/web/src/lib.rs asserts the same constant).
#[wasm_bindgen_test]
fn same_trace_hash_as_native() {
    assert_eq!(
        streamscope_web::preset_run_hash(42, 3_000_000),
        streamscope_web::PRESET_SEED_42_3S
    );
}

#[wasm_bindgen_test]
fn start_without_the_page_does_nothing() {
    // Under the test runner there is no index.html: start() must not fail or panic.
    streamscope_web::start().unwrap();
}

#[wasm_bindgen_test]
fn every_text_has_both_languages() {
    use streamscope_web::i18n::{all, t, Lang};
    for (k, _, _) in all() {
        assert_ne!(t(Lang::En, k), "?");
        assert_ne!(t(Lang::Ko, k), "?");
    }
}

#[wasm_bindgen_test]
fn calculator_and_inspector_text_in_wasm() {
    use streamscope_web::i18n::Lang;
    use streamscope_web::panels::calculator;
    let (cells, err) = calculator("user-42", "6", Lang::En);
    assert!(err.is_empty());
    assert!(cells.iter().any(|(id, v)| *id == "calc-java" && v == "4"));
    let (_, err) = calculator("user-42", "0", Lang::En);
    assert_eq!(
        err,
        "Number of partitions: '0' is not valid: expected an integer from 1 to 2147483647"
    );
}

/// The Kill process / Lose host / Restart buttons over the broker boxes follow each broker's
/// state in a real document: Kill and Lose host while it runs, Restart once it is down, and the
/// state the controller gave it.
#[wasm_bindgen_test]
fn broker_controls_follow_the_brokers() {
    use streamscope_core::{Change, Config, Sim, SimTime};
    use streamscope_web::brokers::{build_broker_controls, update_broker_controls};
    use streamscope_web::i18n::Lang;
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    root.set_id("broker-controls");
    doc.body().unwrap().append_child(&root).unwrap();
    let by_id = |id: &str| doc.get_element_by_id(id).unwrap();
    let mut sim = Sim::new(Config::preset(), 1).unwrap();
    build_broker_controls(&doc, &sim);
    update_broker_controls(&doc, &sim, Lang::En);
    assert_eq!(root.child_element_count(), 3);
    assert!(!by_id("crash-broker-1").has_attribute("hidden"));
    assert!(by_id("restart-broker-1").has_attribute("hidden"));
    assert_eq!(
        by_id("crash-broker-1").text_content().as_deref(),
        Some("Lose host")
    );
    assert_eq!(
        by_id("crash-broker-1")
            .get_attribute("aria-label")
            .as_deref(),
        Some("Lose broker 1's host (it goes silent)")
    );
    assert!(!by_id("kill-broker-1").has_attribute("hidden"));
    assert_eq!(
        by_id("kill-broker-1").text_content().as_deref(),
        Some("Kill process")
    );

    sim.run_until(SimTime(1_000_000));
    sim.apply(Change::CrashBroker { broker: 1 }).unwrap();
    update_broker_controls(&doc, &sim, Lang::Ko);
    assert_eq!(
        by_id("broker-1").get_attribute("data-state").as_deref(),
        Some("crashed")
    );
    assert!(by_id("crash-broker-1").has_attribute("hidden"));
    assert!(!by_id("restart-broker-1").has_attribute("hidden"));
    assert_eq!(
        by_id("restart-broker-1").text_content().as_deref(),
        Some("재시작")
    );

    sim.run_until(SimTime(12_000_000));
    update_broker_controls(&doc, &sim, Lang::En);
    assert_eq!(
        by_id("broker-1").get_attribute("data-state").as_deref(),
        Some("fenced")
    );
    // Rebuilding with the same brokers keeps the elements (and their listeners' targets).
    let before = by_id("crash-broker-0");
    build_broker_controls(&doc, &sim);
    assert!(before.is_same_node(Some(&by_id("crash-broker-0"))));
    root.remove();
}

/// A crowded world's frame on a real canvas: at least 5,000 records painted, each dense tile
/// in its key's colour where its hit box says (the tiles go through the offscreen canvases).
#[wasm_bindgen_test]
fn a_crowded_frame_paints_its_dense_tiles_where_they_are_hit() {
    use streamscope_core::{Config, Sim, SimTime};
    use streamscope_web::render::{self, key_colour, Target, View};
    use wasm_bindgen::JsCast;
    let mut c = Config::preset();
    for (n, v) in [
        ("sim.brokers", "6"),
        ("num.partitions", "12"),
        ("sim.produce.rate", "50000"),
        ("batch.size", "1048576"),
        ("linger.ms", "5000"),
        ("buffer.memory", "268435456"),
    ] {
        c.set(n, v).unwrap();
    }
    let mut sim = Sim::new(c, 1).unwrap();
    sim.run_until(SimTime(4_000_000));
    let doc = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement =
        doc.create_element("canvas").unwrap().dyn_into().unwrap();
    canvas.set_width(render::WIDTH as u32);
    canvas.set_height(render::HEIGHT as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let mut view = View::new();
    render::draw(&ctx, &sim, streamscope_web::i18n::Lang::En, &mut view);
    assert!(
        view.hits.records_drawn() >= 5000,
        "{}",
        view.hits.records_drawn()
    );
    let tiles: Vec<_> = view
        .hits
        .boxes()
        .filter(|h| h.w <= 2.0 && matches!(h.target, Target::Record(_)))
        .collect();
    assert!(tiles.len() > 2000, "{}", tiles.len());
    // (A tile under the HW or LEO line shows the line: most, not all, show a record colour.)
    let palette: Vec<&str> = (0..12)
        .map(|k| key_colour(Some(k)))
        .chain([key_colour(None)])
        .collect();
    let sampled: Vec<bool> = tiles
        .iter()
        .step_by(53)
        .map(|h| {
            let (x, y) = ((h.x + h.w / 2.0).floor(), (h.y + h.h / 2.0).floor());
            let px = ctx.get_image_data(x, y, 1.0, 1.0).unwrap().data();
            let hex = format!("#{:02x}{:02x}{:02x}", px[0], px[1], px[2]);
            palette.contains(&hex.as_str())
        })
        .collect();
    let coloured = sampled.iter().filter(|c| **c).count();
    assert!(
        coloured * 10 >= sampled.len() * 9,
        "{coloured} of {}",
        sampled.len()
    );
}
