//! Zstandard as Kafka's Java client writes it: zstd-jni's `ZstdOutputStreamNoFinalizer` at
//! `compression.zstd.level` (default 3), one frame, streamed: no content size in the frame
//! header (a window descriptor instead), no content checksum, no dictionary.
//!
//! The encoder is structured-zstd (pure Rust, no_std + alloc with `default-features = false`:
//! no `std`, no `hash` (so no content checksum, as zstd-jni), scalar kernels only, so the same
//! code and the same bytes on wasm32 and natively). It implements libzstd's level table and
//! strategies (level 3 = `dfast`), so every Kafka level -131072..=22 runs as that level; on
//! the golden batches its level-3 output is within about half a percent of libzstd 1.5.7's.
//! (ruzstd, the better known pure-Rust zstd, only has a level-1-like encoder: 20-47% larger
//! than level 3 on the same batches.) The frames are standard and decode with any zstd
//! decoder; structured-zstd's decoder is used for [`decompress`].
//!
//! The encoder call lives in the `streamscope-zstd` crate (`crates/zstd`), so that the page can
//! build without it (this crate's `zstd-encoder` feature off) and run the very same encoder
//! from a second WebAssembly module it loads on first use, registered with [`set_encoder`].
//! Every native build (CLI, tests, goldens, benchmarks) has the feature on.

use super::CompressionError;
use alloc::vec::Vec;
use structured_zstd::decoding::errors::FrameDecoderError;
use structured_zstd::decoding::FrameDecoder;

pub use streamscope_zstd::{set_encoder, stored_frame, Encoder};

/// Zstandard's frame magic number, little-endian.
pub const MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// One zstd frame at `level` (Kafka's value; 0 is zstd's default, 3), shaped as a streamed
/// frame: no content size, no checksum.
pub fn compress(data: &[u8], level: i32) -> Vec<u8> {
    streamscope_zstd::compress(data, level)
}

/// Decodes one or more zstd frames, up to `limit` bytes of output (at most 64 MiB: the output
/// buffer is allocated up front).
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, CompressionError> {
    let mut out = Vec::with_capacity(limit.min(1 << 26));
    let mut decoder = FrameDecoder::new();
    decoder
        .decode_all_to_vec(data, &mut out)
        .map_err(|e| match e {
            FrameDecoderError::TargetTooSmall => CompressionError::LimitExceeded,
            _ => CompressionError::Corrupt("zstd"),
        })?;
    Ok(out)
}
