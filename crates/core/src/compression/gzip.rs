//! gzip as `GzipCompression` writes it: `java.util.zip.GZIPOutputStream` (a 10-byte header,
//! raw deflate, CRC-32 and length trailer) with `Deflater.setLevel(level)`.
//!
//! Deflate comes from miniz_oxide (pure Rust, no_std + alloc), not zlib: same format, a
//! different match finder, so sizes are close to zlib's at the same level but not identical.

use super::CompressionError;
use crate::librdkafka::crc32;
use alloc::vec::Vec;

/// `GZIPOutputStream`'s header: magic 1f 8b, method 8 (deflate), no flags, mtime 0, XFL 0,
/// OS 255 "unknown" (JDK 16+, JDK-8244706; Kafka 4 needs Java 11+ clients, 17 brokers; older
/// JDKs wrote 0 here, same size).
pub const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
/// Header plus the 8-byte trailer (CRC-32, ISIZE).
pub const GZIP_OVERHEAD: usize = 18;

/// zlib's level for Kafka's `compression.gzip.level`: -1 (`Deflater.DEFAULT_COMPRESSION`, the
/// default) is zlib's 6.
pub fn zlib_level(kafka_level: i32) -> u8 {
    if kafka_level < 0 {
        6
    } else {
        kafka_level.clamp(0, 9) as u8
    }
}

pub fn compress(data: &[u8], kafka_level: i32) -> Vec<u8> {
    let deflated = miniz_oxide::deflate::compress_to_vec(data, zlib_level(kafka_level));
    let mut out = Vec::with_capacity(GZIP_OVERHEAD + deflated.len());
    out.extend_from_slice(&GZIP_HEADER);
    out.extend_from_slice(&deflated);
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// Inflates a gzip member written by [`compress`] (or `GZIPOutputStream`, or any gzip writer
/// with optional header fields), checking the CRC and length.
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, CompressionError> {
    const FTEXT_FHCRC: u8 = 0x02;
    const FEXTRA: u8 = 0x04;
    const FNAME: u8 = 0x08;
    const FCOMMENT: u8 = 0x10;
    let bad = CompressionError::Corrupt("gzip");
    if data.len() < GZIP_OVERHEAD || data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 {
        return Err(bad);
    }
    let flags = data[3];
    let mut pos = 10usize;
    if flags & FEXTRA != 0 {
        let xlen = data.get(pos..pos + 2).ok_or(bad.clone())?;
        pos += 2 + u16::from_le_bytes([xlen[0], xlen[1]]) as usize;
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let rest = data.get(pos..).ok_or(bad.clone())?;
            let nul = rest.iter().position(|&b| b == 0).ok_or(bad.clone())?;
            pos += nul + 1;
        }
    }
    if flags & FTEXT_FHCRC != 0 {
        pos += 2;
    }
    let body_end = data.len() - 8;
    let body = data.get(pos..body_end).ok_or(bad.clone())?;
    let out =
        miniz_oxide::inflate::decompress_to_vec_with_limit(body, limit).map_err(|_| bad.clone())?;
    let trailer = &data[body_end..];
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let isize = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
    if crc != crc32(&out) || isize != out.len() as u32 {
        return Err(bad);
    }
    Ok(out)
}
