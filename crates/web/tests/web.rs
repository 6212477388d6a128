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
    use streamscope_web::i18n::{t, Lang, MESSAGES};
    for (k, _, _) in MESSAGES {
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
