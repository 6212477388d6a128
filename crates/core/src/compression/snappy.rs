//! Snappy as Kafka's Java client writes it: `org.xerial.snappy.SnappyOutputStream` (xerial
//! framing) over Google's Snappy block format.
//!
//! Xerial framing: a 16-byte header (`SnappyCodec`: the magic `0x82 "SNAPPY" 0x00`, then the
//! version 1 and the minimum compatible version 1 as big-endian int32s), then per block of at
//! most 32 KiB of input (`SnappyOutputStream`'s default block size) the compressed length as a
//! big-endian int32 and the raw Snappy data.
//!
//! The raw Snappy encoder is written here: the `snap` crate needs `std` (it has no no_std
//! mode), and the core is no_std + alloc. It follows the classic Snappy compressor (the one
//! `snap` ports): input in 64 KiB fragments, a hash table of up to 2^14 entries of 4-byte
//! sequences with the multiplier 0x1e35a7bd, the skip heuristic (the step between lookups
//! grows by step/32 after each miss), greedy matches, copies of at most 64 bytes. The golden test checks it
//! byte for byte against `snap`'s output (via python-snappy / cramjam). Google's current C++
//! Snappy (in snappy-java 1.1.10) has since tuned its match finder, so sizes against the Java
//! client can differ slightly.

use super::CompressionError;
use alloc::vec::Vec;

/// `SnappyCodec.MAGIC_HEADER`.
pub const XERIAL_MAGIC: [u8; 8] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0];
/// The whole 16-byte xerial stream header: magic, version 1, minimum compatible version 1.
pub const XERIAL_HEADER: [u8; 16] = [
    0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1,
];
/// `SnappyOutputStream`'s default block size (uncompressed bytes per block).
pub const XERIAL_BLOCK_SIZE: usize = 32 * 1024;

const FRAGMENT: usize = 1 << 16;
const MAX_TABLE_BITS: u32 = 14;
const INPUT_MARGIN: usize = 15;
/// Fragments shorter than this are one literal.
const MIN_NON_LITERAL: usize = 1 + 1 + INPUT_MARGIN;

fn load32(b: &[u8], i: usize) -> u32 {
    match b.get(i..i + 4) {
        Some(w) => u32::from_le_bytes([w[0], w[1], w[2], w[3]]),
        None => 0,
    }
}

fn push_varint_u32(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn emit_literal(out: &mut Vec<u8>, lit: &[u8]) {
    if lit.is_empty() {
        return;
    }
    let n = (lit.len() - 1) as u32;
    if n < 60 {
        out.push((n << 2) as u8);
    } else {
        let bytes = if n < 1 << 8 {
            1
        } else if n < 1 << 16 {
            2
        } else if n < 1 << 24 {
            3
        } else {
            4
        };
        out.push(((59 + bytes) << 2) as u8);
        out.extend_from_slice(&n.to_le_bytes()[..bytes as usize]);
    }
    out.extend_from_slice(lit);
}

fn emit_copy_at_most_64(out: &mut Vec<u8>, offset: usize, len: usize) {
    if len < 12 && offset < 2048 {
        // COPY_1_BYTE_OFFSET: 3 bits of length - 4, 3 high bits of the offset, then its low byte.
        out.push((1 | ((len - 4) << 2) | ((offset >> 8) << 5)) as u8);
        out.push(offset as u8);
    } else {
        // COPY_2_BYTE_OFFSET: 6 bits of length - 1, then the offset as 2 little-endian bytes.
        out.push((2 | ((len - 1) << 2)) as u8);
        out.extend_from_slice(&(offset as u16).to_le_bytes());
    }
}

fn emit_copy(out: &mut Vec<u8>, offset: usize, mut len: usize) {
    while len >= 68 {
        emit_copy_at_most_64(out, offset, 64);
        len -= 64;
    }
    if len > 64 {
        emit_copy_at_most_64(out, offset, 60);
        len -= 60;
    }
    emit_copy_at_most_64(out, offset, len);
}

/// Compresses one fragment (at most 64 KiB), appending Snappy elements to `out`.
fn compress_fragment(src: &[u8], table: &mut Vec<u16>, out: &mut Vec<u8>) {
    let len = src.len();
    let mut bits = 8u32;
    while bits < MAX_TABLE_BITS && (1usize << bits) < len {
        bits += 1;
    }
    table.clear();
    table.resize(1 << bits, 0);
    let shift = 32 - bits;
    let hash = |v: u32| (v.wrapping_mul(0x1e35_a7bd) >> shift) as usize;

    let mut next_emit = 0usize;
    if len >= MIN_NON_LITERAL {
        let ip_limit = len - INPUT_MARGIN;
        let mut ip = 1usize;
        let mut next_hash = hash(load32(src, ip));
        'outer: loop {
            // Look for a 4-byte match, skipping faster the longer nothing matches.
            let mut skip = 32usize;
            let mut next_ip = ip;
            let mut candidate;
            loop {
                ip = next_ip;
                let h = next_hash;
                let step = skip >> 5;
                skip += step;
                next_ip = ip + step;
                if next_ip > ip_limit {
                    break 'outer;
                }
                next_hash = hash(load32(src, next_ip));
                candidate = table[h] as usize;
                table[h] = ip as u16;
                if load32(src, ip) == load32(src, candidate) {
                    break;
                }
            }
            emit_literal(out, &src[next_emit..ip]);
            // Emit the match, and as long as the next position matches again, more copies.
            loop {
                let base = ip;
                let mut matched = 4;
                while base + matched < len && src[candidate + matched] == src[base + matched] {
                    matched += 1;
                }
                ip += matched;
                emit_copy(out, base - candidate, matched);
                next_emit = ip;
                if ip >= ip_limit {
                    break 'outer;
                }
                table[hash(load32(src, ip - 1))] = (ip - 1) as u16;
                let h = hash(load32(src, ip));
                candidate = table[h] as usize;
                table[h] = ip as u16;
                if load32(src, ip) != load32(src, candidate) {
                    break;
                }
            }
            ip += 1;
            next_hash = hash(load32(src, ip));
        }
    }
    if next_emit < len {
        emit_literal(out, &src[next_emit..]);
    }
}

/// Snappy's raw block format (`Snappy.compress`): the uncompressed length as a varint, then
/// literals and copies.
pub fn compress_raw(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + data.len() + data.len() / 6);
    push_varint_u32(&mut out, data.len() as u32);
    let mut table = Vec::new();
    for fragment in data.chunks(FRAGMENT) {
        compress_fragment(fragment, &mut table, &mut out);
    }
    out
}

/// Xerial-framed Snappy, as `SnappyOutputStream` writes it.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(XERIAL_HEADER.len() + 16 + data.len() + data.len() / 6);
    out.extend_from_slice(&XERIAL_HEADER);
    for block in data.chunks(XERIAL_BLOCK_SIZE) {
        let raw = compress_raw(block);
        out.extend_from_slice(&(raw.len() as u32).to_be_bytes());
        out.extend_from_slice(&raw);
    }
    out
}

/// Decodes Snappy's raw block format.
pub fn decompress_raw(data: &[u8], limit: usize) -> Result<Vec<u8>, CompressionError> {
    let bad = CompressionError::Corrupt("snappy");
    let mut pos = 0usize;
    let mut want = 0u64;
    let mut shift = 0;
    loop {
        let b = *data.get(pos).ok_or(bad.clone())?;
        pos += 1;
        want |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 28 {
            return Err(bad);
        }
    }
    let want = want as usize;
    if want > limit {
        return Err(CompressionError::LimitExceeded);
    }
    let mut out: Vec<u8> = Vec::with_capacity(want);
    while pos < data.len() {
        let tag = data[pos];
        pos += 1;
        match tag & 3 {
            0 => {
                let mut n = (tag >> 2) as usize;
                if n >= 60 {
                    let bytes = n - 59;
                    let b = data.get(pos..pos + bytes).ok_or(bad.clone())?;
                    n = b
                        .iter()
                        .rev()
                        .fold(0usize, |acc, &x| (acc << 8) | x as usize);
                    pos += bytes;
                }
                let end = pos
                    .checked_add(n)
                    .and_then(|e| e.checked_add(1))
                    .ok_or(bad.clone())?;
                let lit = data.get(pos..end).ok_or(bad.clone())?;
                out.extend_from_slice(lit);
                pos = end;
            }
            kind => {
                let (len, offset) = match kind {
                    1 => {
                        let b = *data.get(pos).ok_or(bad.clone())? as usize;
                        pos += 1;
                        (
                            4 + ((tag >> 2) & 7) as usize,
                            (((tag >> 5) as usize) << 8) | b,
                        )
                    }
                    2 => {
                        let b = data.get(pos..pos + 2).ok_or(bad.clone())?;
                        pos += 2;
                        (
                            1 + (tag >> 2) as usize,
                            u16::from_le_bytes([b[0], b[1]]) as usize,
                        )
                    }
                    _ => {
                        let b = data.get(pos..pos + 4).ok_or(bad.clone())?;
                        pos += 4;
                        (
                            1 + (tag >> 2) as usize,
                            u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize,
                        )
                    }
                };
                if offset == 0 || offset > out.len() {
                    return Err(bad);
                }
                let start = out.len() - offset;
                for i in 0..len {
                    let byte = out[start + i];
                    out.push(byte);
                }
            }
        }
        if out.len() > want {
            return Err(bad);
        }
    }
    if out.len() != want {
        return Err(bad);
    }
    Ok(out)
}

/// Decodes a xerial stream (or, without the magic, plain raw Snappy, as Kafka's reader does).
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, CompressionError> {
    if !data.starts_with(&XERIAL_MAGIC) {
        return decompress_raw(data, limit);
    }
    let bad = CompressionError::Corrupt("snappy (xerial)");
    let mut pos = XERIAL_HEADER.len();
    if data.len() < pos {
        return Err(bad);
    }
    let mut out = Vec::new();
    while pos < data.len() {
        let n = data.get(pos..pos + 4).ok_or(bad.clone())?;
        let n = u32::from_be_bytes([n[0], n[1], n[2], n[3]]) as usize;
        pos += 4;
        let end = pos.checked_add(n).ok_or(bad.clone())?;
        let block = data.get(pos..end).ok_or(bad.clone())?;
        pos = end;
        let room = limit.saturating_sub(out.len());
        out.extend_from_slice(&decompress_raw(block, room)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut data = Vec::new();
        for i in 0..100_000u32 {
            data.extend_from_slice(alloc::format!("{} ", i % 777).as_bytes());
        }
        for n in [
            0,
            1,
            14,
            15,
            16,
            100,
            4096,
            65_535,
            65_536,
            70_000,
            data.len(),
        ] {
            let c = compress(&data[..n]);
            assert_eq!(decompress(&c, usize::MAX).unwrap(), &data[..n], "{n}");
            let r = compress_raw(&data[..n]);
            assert_eq!(decompress_raw(&r, usize::MAX).unwrap(), &data[..n], "{n}");
        }
        let zeros = [0u8; 200_000];
        assert_eq!(decompress(&compress(&zeros), usize::MAX).unwrap(), zeros);
    }

    #[test]
    fn known_encoding() {
        // 20 x 'a': literal of 1, copy of 19 at offset 1 (two-byte offset as len >= 12).
        let c = compress_raw(&[b'a'; 20]);
        assert_eq!(c, [20, 0x00, b'a', 0x4a, 0x01, 0x00]);
    }
}
