//! LZ4 as Kafka's Java client writes it: `Lz4BlockOutputStream` (formerly
//! `KafkaLZ4BlockOutputStream`), a partial LZ4 frame (format v1.5.1).
//!
//! Frame: magic `04 22 4d 18`; FLG `0x60` (version 01, independent blocks, no block checksum,
//! no content size, no content checksum); BD `0x40` (64 KiB maximum block); the header
//! checksum byte `(xxh32(FLG..BD, seed 0) >> 8) & 0xff`; then per block of at most 64 KiB of
//! input a little-endian u32 length and the LZ4 block (or, when compression does not shrink
//! it, the input itself with the length's high bit set); then the end mark, a zero u32. No
//! content checksum.
//!
//! Kafka's header checksum behaviour: since KAFKA-3160 (0.10, magic v1+) the checksum is the
//! spec's, over FLG and BD only. Magic v0 batches keep the old, broken one that also hashed
//! the 4 magic bytes (`useBrokenFlagDescriptorChecksum`); v2 batches never use it, but
//! [`header_checksum`] offers both.
//!
//! Levels: `compression.lz4.level` 1..17, default 9. At exactly the default level Kafka uses
//! lz4-java's *fast* compressor (JNI into liblz4's `LZ4_compress_default`), at any other level
//! the HC compressor. The block compressor here, [`compress_block`], is liblz4's fast
//! compressor step for step (acceleration 1; for blocks under 64 KiB + 11 bytes, which all of
//! Kafka's are, the 8192-entry table of 16-bit positions with the 4-byte multiplicative hash;
//! catch-up of matches backwards; the skip trigger of 6), so at the default level its blocks
//! are byte-identical to liblz4's (the golden test checks it against python-lz4's
//! `lz4.block.compress`, the same C code). There is no HC compressor here: other levels are
//! encoded as the default (so larger than Kafka's output at those levels). lz4_flex (pure
//! Rust) provides the block decoder.

use super::CompressionError;
use alloc::vec::Vec;

pub const MAGIC: [u8; 4] = [0x04, 0x22, 0x4d, 0x18];
/// FLG: version 1 (bits 7-6 = 01), block independence (bit 5).
pub const FLG: u8 = 0x60;
/// BD: block maximum size 64 KiB (value 4 in bits 6-4).
pub const BD: u8 = 0x40;
pub const BLOCK_SIZE: usize = 64 * 1024;
const INCOMPRESSIBLE: u32 = 0x8000_0000;

const P1: u32 = 0x9e37_79b1;
const P2: u32 = 0x85eb_ca77;
const P3: u32 = 0xc2b2_ae3d;
const P4: u32 = 0x27d4_eb2f;
const P5: u32 = 0x1656_67b1;

fn read32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// XXH32 (the LZ4 frame's header checksum hash), for any input and seed.
pub fn xxh32(data: &[u8], seed: u32) -> u32 {
    let round = |acc: u32, lane: u32| {
        acc.wrapping_add(lane.wrapping_mul(P2))
            .rotate_left(13)
            .wrapping_mul(P1)
    };
    let mut stripes = data.chunks_exact(16);
    let mut h = if data.len() >= 16 {
        let mut v = [
            seed.wrapping_add(P1).wrapping_add(P2),
            seed.wrapping_add(P2),
            seed,
            seed.wrapping_sub(P1),
        ];
        for s in &mut stripes {
            for (i, acc) in v.iter_mut().enumerate() {
                *acc = round(*acc, read32(&s[4 * i..]));
            }
        }
        v[0].rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18))
    } else {
        seed.wrapping_add(P5)
    };
    h = h.wrapping_add(data.len() as u32);
    let tail = if data.len() >= 16 {
        stripes.remainder()
    } else {
        data
    };
    let mut words = tail.chunks_exact(4);
    for w in &mut words {
        h = h
            .wrapping_add(read32(w).wrapping_mul(P3))
            .rotate_left(17)
            .wrapping_mul(P4);
    }
    for &b in words.remainder() {
        h = h
            .wrapping_add((b as u32).wrapping_mul(P5))
            .rotate_left(11)
            .wrapping_mul(P1);
    }
    h ^= h >> 15;
    h = h.wrapping_mul(P2);
    h ^= h >> 13;
    h = h.wrapping_mul(P3);
    h ^= h >> 16;
    h
}

/// The frame descriptor's checksum byte. `broken` = Kafka's pre-0.10 variant (magic v0 only),
/// which hashes the magic number too.
pub fn header_checksum(broken: bool) -> u8 {
    let hc = if broken {
        xxh32(&[MAGIC[0], MAGIC[1], MAGIC[2], MAGIC[3], FLG, BD], 0)
    } else {
        xxh32(&[FLG, BD], 0)
    };
    ((hc >> 8) & 0xff) as u8
}

/// The 7-byte frame header Kafka writes for v1/v2 batches.
pub fn frame_header() -> [u8; 7] {
    [
        MAGIC[0],
        MAGIC[1],
        MAGIC[2],
        MAGIC[3],
        FLG,
        BD,
        header_checksum(false),
    ]
}

const MINMATCH: usize = 4;
const MFLIMIT: usize = 12;
const LASTLITERALS: usize = 5;
const MIN_LENGTH: usize = MFLIMIT + 1;
const SKIP_TRIGGER: u32 = 6;
const MAX_DISTANCE: usize = 65_535;
/// Inputs below this use 16-bit positions and a 13-bit hash (`LZ4_64Klimit`).
const LIMIT_64K: usize = 64 * 1024 + (MFLIMIT - 1);

fn load32(b: &[u8], i: usize) -> u32 {
    match b.get(i..i + 4) {
        Some(w) => u32::from_le_bytes([w[0], w[1], w[2], w[3]]),
        None => 0,
    }
}

fn load64(b: &[u8], i: usize) -> u64 {
    match b.get(i..i + 8) {
        Some(w) => u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
        None => 0,
    }
}

fn push_length(out: &mut Vec<u8>, mut n: usize) {
    while n >= 255 {
        out.push(255);
        n -= 255;
    }
    out.push(n as u8);
}

/// One LZ4 block (no frame), as liblz4's `LZ4_compress_default` writes it.
pub fn compress_block(src: &[u8]) -> Vec<u8> {
    let len = src.len();
    let mut out = Vec::with_capacity(len + len / 255 + 16);
    let mut anchor = 0usize;
    if len >= MIN_LENGTH {
        let small = len < LIMIT_64K;
        // byU16: 4-byte hash into 2^13 entries; byU32 (64-bit): 5-byte hash into 2^12.
        let mut table = alloc::vec![0u32; if small { 1 << 13 } else { 1 << 12 }];
        let hash = |p: usize| -> usize {
            if small {
                (load32(src, p).wrapping_mul(2_654_435_761) >> (32 - 13)) as usize
            } else {
                ((load64(src, p) << 24).wrapping_mul(889_523_592_379) >> (64 - 12)) as usize
            }
        };
        let mflimit_plus_one = len - MFLIMIT + 1;
        let match_limit = len - LASTLITERALS;
        table[hash(0)] = 0;
        let mut ip = 1usize;
        let mut forward_h = hash(ip);
        'outer: loop {
            // Find a match, stepping further apart after every 64 misses.
            let mut forward_ip = ip;
            let mut step = 1usize;
            let mut search_nb = 1u32 << SKIP_TRIGGER;
            let mut m;
            loop {
                let h = forward_h;
                let current = forward_ip;
                let match_index = table[h] as usize;
                ip = forward_ip;
                forward_ip += step;
                step = (search_nb >> SKIP_TRIGGER) as usize;
                search_nb += 1;
                if forward_ip > mflimit_plus_one {
                    break 'outer;
                }
                m = match_index;
                forward_h = hash(forward_ip);
                table[h] = current as u32;
                if !small && match_index + MAX_DISTANCE < current {
                    continue;
                }
                if load32(src, m) == load32(src, ip) {
                    break;
                }
            }
            // Catch up: extend the match backwards over equal bytes.
            while ip > anchor && m > 0 && src[ip - 1] == src[m - 1] {
                ip -= 1;
                m -= 1;
            }
            // Token and literals.
            let lit_len = ip - anchor;
            let mut token_pos = out.len();
            if lit_len >= 15 {
                out.push(15 << 4);
                push_length(&mut out, lit_len - 15);
            } else {
                out.push((lit_len << 4) as u8);
            }
            out.extend_from_slice(&src[anchor..ip]);
            loop {
                // Offset, then the match length (beyond MINMATCH).
                out.extend_from_slice(&((ip - m) as u16).to_le_bytes());
                let mut code = 0usize;
                while ip + MINMATCH + code < match_limit
                    && src[ip + MINMATCH + code] == src[m + MINMATCH + code]
                {
                    code += 1;
                }
                ip += code + MINMATCH;
                if code >= 15 {
                    out[token_pos] += 15;
                    push_length(&mut out, code - 15);
                } else {
                    out[token_pos] += code as u8;
                }
                anchor = ip;
                if ip >= mflimit_plus_one {
                    break 'outer;
                }
                table[hash(ip - 2)] = (ip - 2) as u32;
                // Does the next position match right away? Then a token with no literals.
                let h = hash(ip);
                let match_index = table[h] as usize;
                table[h] = ip as u32;
                let in_reach = small || match_index + MAX_DISTANCE >= ip;
                if in_reach && load32(src, match_index) == load32(src, ip) {
                    m = match_index;
                    token_pos = out.len();
                    out.push(0);
                    continue;
                }
                break;
            }
            ip += 1;
            forward_h = hash(ip);
        }
    }
    // Last literals.
    let last = len - anchor;
    if last >= 15 {
        out.push(15 << 4);
        push_length(&mut out, last - 15);
    } else {
        out.push((last << 4) as u8);
    }
    out.extend_from_slice(&src[anchor..]);
    out
}

pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + data.len() + data.len() / 200);
    out.extend_from_slice(&frame_header());
    for block in data.chunks(BLOCK_SIZE) {
        let c = compress_block(block);
        if c.len() >= block.len() {
            out.extend_from_slice(&(block.len() as u32 | INCOMPRESSIBLE).to_le_bytes());
            out.extend_from_slice(block);
        } else {
            out.extend_from_slice(&(c.len() as u32).to_le_bytes());
            out.extend_from_slice(&c);
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}

/// Reads a frame as `Lz4BlockInputStream` does (FLG/BD as Kafka writes them, or with content
/// size / block checksums / content checksum as other LZ4 frame writers may set), checking
/// the header checksum.
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, CompressionError> {
    let bad = CompressionError::Corrupt("lz4");
    if data.len() < 7 || data[..4] != MAGIC {
        return Err(bad);
    }
    let flg = data[4];
    let bd = data[5];
    let block_checksum = flg & 0x10 != 0;
    let content_size = flg & 0x08 != 0;
    let content_checksum = flg & 0x04 != 0;
    if flg >> 6 != 1 || flg & 0x20 == 0 {
        return Err(bad);
    }
    let desc_end = 6 + if content_size { 8 } else { 0 };
    let desc = data.get(4..desc_end).ok_or(bad.clone())?;
    let hc = *data.get(desc_end).ok_or(bad.clone())?;
    if hc != ((xxh32(desc, 0) >> 8) & 0xff) as u8 {
        return Err(CompressionError::Corrupt("lz4 header checksum"));
    }
    let max_block = 1usize << (2 * ((bd >> 4) & 7) as usize + 8);
    let mut pos = desc_end + 1;
    let mut out = Vec::new();
    loop {
        let len = read32(data.get(pos..pos + 4).ok_or(bad.clone())?);
        pos += 4;
        if len == 0 {
            break;
        }
        let n = (len & !INCOMPRESSIBLE) as usize;
        let end = pos.checked_add(n).ok_or(bad.clone())?;
        let block = data.get(pos..end).ok_or(bad.clone())?;
        pos = end;
        if block_checksum {
            pos += 4;
        }
        if len & INCOMPRESSIBLE != 0 {
            out.extend_from_slice(block);
        } else {
            let room = max_block.min(limit.saturating_sub(out.len()));
            let mut buf = alloc::vec![0u8; room];
            let got = lz4_flex::block::decompress_into(block, &mut buf).map_err(|_| bad.clone())?;
            out.extend_from_slice(&buf[..got]);
        }
        if out.len() > limit {
            return Err(CompressionError::LimitExceeded);
        }
    }
    if content_checksum {
        pos += 4;
    }
    if pos > data.len() {
        return Err(bad);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxh32_reference_values() {
        // From the xxHash reference implementation's sanity checks.
        assert_eq!(xxh32(b"", 0), 0x02cc_5d05);
        assert_eq!(xxh32(b"a", 0), 0x550d_7456);
        assert_eq!(xxh32(b"abc", 0), 0x32d1_53ff);
        assert_eq!(
            xxh32(b"Nobody inspects the spammish repetition", 0),
            0xe229_3b2f
        );
    }

    #[test]
    fn blocks_decode_with_lz4_flex() {
        let mut data = Vec::new();
        for i in 0..30_000u32 {
            data.extend_from_slice(alloc::format!("{},", i % 1013).as_bytes());
        }
        data.extend_from_slice(&[7u8; 3000]);
        for n in [
            0usize,
            1,
            12,
            13,
            14,
            100,
            1000,
            65_546,
            65_547,
            70_000,
            data.len(),
        ] {
            let c = compress_block(&data[..n]);
            let back = lz4_flex::block::decompress(&c, n).unwrap();
            assert_eq!(back, &data[..n], "{n}");
        }
        // 13 x 'a': literal 'a', match offset 1 length 7 (code 3), then 5 last literals.
        assert_eq!(
            compress_block(b"aaaaaaaaaaaaa"),
            [0x13, b'a', 1, 0, 0x50, b'a', b'a', b'a', b'a', b'a']
        );
    }

    #[test]
    fn round_trips_over_blocks() {
        let data: Vec<u8> = (0..200_000u32)
            .map(|i| (i % 251) as u8 ^ (i >> 9) as u8)
            .collect();
        for n in [0usize, 1, 100, 65_536, 65_537, 200_000] {
            let c = compress(&data[..n]);
            assert_eq!(&c[..7], &frame_header());
            assert_eq!(decompress(&c, usize::MAX).unwrap(), &data[..n]);
        }
    }
}
