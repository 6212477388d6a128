//! The page's second WebAssembly module (`dist/zstd.wasm`, built by `scripts/zstd_module.sh`
//! from Trunk's post-build hook): `streamscope_zstd::encode`, the encoder every native build
//! runs, behind three plain exports and no JavaScript glue. The page (`crates/web/src/codec.rs`)
//! fetches it after its first frame and instantiates it when a producer first compresses with
//! zstd:
//! 1. `zstd_input(len)` makes room for `len` bytes and answers where (in `memory`);
//! 2. the page writes the records section there; `zstd_compress(level)` compresses it and
//!    answers the frame's length;
//! 3. `zstd_output()` answers where the frame is.

use std::cell::RefCell;

thread_local! {
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Room for `len` input bytes; answers their address.
#[no_mangle]
pub extern "C" fn zstd_input(len: usize) -> *mut u8 {
    INPUT.with_borrow_mut(|v| {
        v.clear();
        v.resize(len, 0);
        v.as_mut_ptr()
    })
}

/// Compresses the input at Kafka's `level`; answers the frame's length.
#[no_mangle]
pub extern "C" fn zstd_compress(level: i32) -> usize {
    let frame = INPUT.with_borrow(|v| streamscope_zstd::encode(v, level));
    let len = frame.len();
    OUTPUT.set(frame);
    len
}

/// The address of the last frame.
#[no_mangle]
pub extern "C" fn zstd_output() -> *const u8 {
    OUTPUT.with_borrow(|v| v.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exports_compress_as_the_encoder() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 7) as u8).collect();
        let p = zstd_input(data.len());
        assert!(!p.is_null());
        INPUT.with_borrow_mut(|v| v.copy_from_slice(&data));
        let n = zstd_compress(3);
        let frame = OUTPUT.with_borrow(|v| v.clone());
        assert_eq!(n, frame.len());
        assert_eq!(frame, streamscope_zstd::encode(&data, 3));
        assert!(n < data.len() / 10);
    }
}
