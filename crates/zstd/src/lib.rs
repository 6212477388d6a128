//! One zstd frame as Kafka's Java client writes it (zstd-jni's `ZstdOutputStreamNoFinalizer`):
//! the bytes behind `streamscope_core::compression::zstd` (whose module doc says what is exact).
//!
//! Why a crate of its own: the encoder (structured-zstd's, every level's strategy) is about
//! 150 KB of the page's gzipped module. The page builds without the `encoder` feature and
//! registers, with [`set_encoder`], an encoder that runs the same code in a second WebAssembly
//! module loaded when zstd is first used (`crates/zstd-module`, which is this crate with
//! `encoder`). Everything else (the CLI, the tests, the benchmarks) builds with `encoder`: the
//! same function, so the same bytes on every path.
//!
//! Simplified: without `encoder` and before an encoder is registered, [`compress`] writes the
//! data as raw (stored) blocks in a valid frame; the page registers its encoder before it makes
//! a world, so this never decides a size there.
#![no_std]

extern crate alloc;

use alloc::vec::Vec;
use core::sync::atomic::{AtomicPtr, Ordering};

/// An encoder: the records section and Kafka's level in, one frame out.
pub type Encoder = fn(&[u8], i32) -> Vec<u8>;

/// The registered encoder, as a function pointer (null: none).
static ENCODER: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

/// Registers the encoder [`compress`] calls when this crate is built without `encoder`.
pub fn set_encoder(f: Encoder) {
    ENCODER.store(f as *mut (), Ordering::Release);
}

/// The encoder registered with [`set_encoder`], if any.
pub fn registered() -> Option<Encoder> {
    let p = ENCODER.load(Ordering::Acquire);
    if p.is_null() {
        return None;
    }
    // SAFETY: the only non-null value ever stored is an `Encoder` cast by `set_encoder`, and a
    // function pointer round-trips through a data pointer of the same size on every target
    // Rust supports (wasm32 and the hosts).
    Some(unsafe { core::mem::transmute::<*mut (), Encoder>(p) })
}

/// One zstd frame of `data` at Kafka's `level` (0 is zstd's default, 3), streamed as zstd-jni
/// streams it: no content size in the header, no checksum.
pub fn compress(data: &[u8], level: i32) -> Vec<u8> {
    #[cfg(feature = "encoder")]
    {
        encode(data, level)
    }
    #[cfg(not(feature = "encoder"))]
    {
        match registered() {
            Some(f) => f(data, level),
            None => stored_frame(data),
        }
    }
}

/// structured-zstd at `level` (libzstd's level table), clamped to zstd's range as zstd-jni
/// clamps it.
#[cfg(feature = "encoder")]
pub fn encode(data: &[u8], level: i32) -> Vec<u8> {
    use structured_zstd::encoding::{CompressionLevel, FrameCompressor};
    let level = level.clamp(CompressionLevel::MIN_LEVEL, CompressionLevel::MAX_LEVEL);
    let mut enc: FrameCompressor = FrameCompressor::new(CompressionLevel::Level(level));
    enc.set_content_size_flag(false);
    enc.set_content_checksum(false);
    enc.compress_independent_frame(data)
}

/// A frame of raw blocks (no compression): magic, a header with a window descriptor, blocks of
/// at most 128 KiB, the last one flagged.
pub fn stored_frame(data: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 128 * 1024;
    let mut out = Vec::with_capacity(data.len() + 16 + data.len() / BLOCK * 3);
    out.extend_from_slice(&[0x28, 0xb5, 0x2f, 0xfd]);
    // Frame header descriptor 0 (no single segment, no checksum, no content size), then the
    // window descriptor for 1 MiB (exponent 10 => 2^20).
    out.extend_from_slice(&[0x00, 0x50]);
    let mut chunks = data.chunks(BLOCK).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[0x01, 0x00, 0x00]);
    }
    while let Some(chunk) = chunks.next() {
        let last = u32::from(chunks.peek().is_none());
        let header = last | ((chunk.len() as u32) << 3);
        out.extend_from_slice(&header.to_le_bytes()[..3]);
        out.extend_from_slice(chunk);
    }
    out
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    fn twice(data: &[u8], _level: i32) -> Vec<u8> {
        let mut v = data.to_vec();
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn a_registered_encoder_is_the_one_called() {
        set_encoder(twice);
        let f = registered().expect("registered");
        assert_eq!(f(b"ab", 3), b"abab");
    }

    #[test]
    fn a_stored_frame_has_the_data_in_raw_blocks() {
        let data: Vec<u8> = (0..300_000u32).map(|i| i as u8).collect();
        let f = stored_frame(&data);
        // magic + 2 header bytes + 3 blocks of 3-byte headers
        assert_eq!(f.len(), 4 + 2 + 3 * 3 + data.len());
        assert_eq!(&f[..4], &[0x28, 0xb5, 0x2f, 0xfd]);
        assert_eq!(stored_frame(&[]).len(), 4 + 2 + 3);
        for data in [&data[..], &data[..1000], &[][..]] {
            let mut out = Vec::with_capacity(data.len() + 16);
            structured_zstd::decoding::FrameDecoder::new()
                .decode_all_to_vec(&stored_frame(data), &mut out)
                .expect("a valid frame");
            assert_eq!(out, data);
        }
    }
}
