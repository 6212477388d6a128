//! Kafka's murmur2 hash and the key -> partition rule of the Java client
//! (`org.apache.kafka.common.utils.Utils.murmur2` / `toPositive`).
//!
//! Bit-identical to the Java client for every byte string, including the empty key and
//! non-ASCII (UTF-8) keys. No simplification.

const SEED: u32 = 0x9747_b28c;
const M: u32 = 0x5bd1_e995;
const R: u32 = 24;

/// Kafka's murmur2 over `data`, as the Java client's signed 32-bit result.
#[inline]
pub fn murmur2(data: &[u8]) -> i32 {
    // Java truncates the length to an int; keys longer than 2^31 bytes cannot exist there.
    let mut h: u32 = SEED ^ (data.len() as u32);
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = chunks.remainder();
    match tail.len() {
        3 => {
            h ^= (tail[2] as u32) << 16;
            h ^= (tail[1] as u32) << 8;
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        2 => {
            h ^= (tail[1] as u32) << 8;
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        1 => {
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        _ => {}
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`).
#[inline]
pub fn to_positive(n: i32) -> i32 {
    n & 0x7fff_ffff
}

/// The partition the Java client's key hashing picks: `toPositive(murmur2(key)) % partitions`.
/// `partitions` must be at least 1.
#[inline]
pub fn partition_for_key(key: &[u8], partitions: u32) -> u32 {
    debug_assert!(partitions >= 1);
    (to_positive(murmur2(key)) as u32) % partitions.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kafka's `UtilsTest.testMurmur2` plus values computed with Kafka's algorithm
    /// (shared/kafka/BRIEF.md).
    #[test]
    fn kafka_known_values() {
        let cases: &[(&str, i32)] = &[
            ("21", -973932308),
            ("foobar", -790332482),
            ("a-little-bit-long-string", -985981536),
            ("a-little-bit-longer-string", -1486304829),
            (
                "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58897971,
            ),
            ("abc", 479470107),
            ("", 275646681),
            ("user-42", 1459644460),
            ("주문-1", -1848416265),
        ];
        for (k, want) in cases {
            assert_eq!(murmur2(k.as_bytes()), *want, "murmur2({k:?})");
        }
        assert_eq!(partition_for_key(b"user-42", 6), 4);
        assert_eq!(partition_for_key("주문-1".as_bytes(), 6), 5);
    }
}
