//! The zstd encoder the page's simulator compresses with: the core's own encoder
//! (`streamscope_zstd::encode`, structured-zstd at Kafka's level) compiled into a second
//! WebAssembly module, `zstd.wasm` (crates/zstd-module), so that the page's main module does
//! not carry it (about 150 KB gzipped). The module is fetched in the background once the page
//! has loaded and instantiated when a producer first compresses a batch with zstd
//! (`codec.js`); the core calls it through `compression::zstd::set_encoder`. Same code, so the
//! same bytes and batch sizes as every native build.

use streamscope_core::compression::zstd::set_encoder;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/codec.js")]
extern "C" {
    fn zstd_prefetch();
    fn zstd_loaded() -> bool;
    #[wasm_bindgen(catch)]
    fn zstd_compress(data: &[u8], level: i32) -> Result<Vec<u8>, JsValue>;
}

/// A frame from the second module. If it cannot be loaded (the page served without
/// `zstd.wasm`), the frame is the core's stored (uncompressed) one and the console says why.
fn compress(data: &[u8], level: i32) -> Vec<u8> {
    match zstd_compress(data, level) {
        Ok(frame) => frame,
        Err(e) => {
            web_sys::console::error_2(&"Streamscope: the zstd encoder did not load:".into(), &e);
            streamscope_zstd_stored(data)
        }
    }
}

fn streamscope_zstd_stored(data: &[u8]) -> Vec<u8> {
    streamscope_core::compression::zstd::stored_frame(data)
}

/// Registers the encoder with the core (before any world is made) and starts the module's
/// background fetch once the page has loaded.
pub fn install(window: &web_sys::Window) {
    set_encoder(compress);
    let start = Closure::once_into_js(zstd_prefetch);
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(start.unchecked_ref(), 0);
}

/// Whether the second module is instantiated (for `window.streamscope`).
pub fn loaded() -> bool {
    zstd_loaded()
}
