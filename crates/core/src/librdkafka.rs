//! librdkafka's key partitioners, for comparison with the Java client (`partitioner` topic
//! setting of librdkafka, `rd_kafka_msg_partitioner_*` in its `rdkafka_msg.c`).
//!
//! librdkafka's default, `consistent_random`, hashes the key with CRC-32 (IEEE 802.3, the zlib
//! one), not murmur2, so the same key usually lands on another partition than with the Java
//! client; `murmur2_random` is the Java-compatible choice. Keys that these partitioners do not
//! hash get [`Partitioning::Random`]: the core holds no randomness here, the caller picks. In
//! librdkafka such records actually go through the sticky partitioner
//! (`sticky.partitioning.linger.ms`), which picks a random available partition and keeps it for
//! a while.
//!
//! Which keys are random, as librdkafka's source has it:
//! - `consistent_random`: a null key and an empty key (`keylen == 0`).
//! - `murmur2_random`: only a null key; an empty (non-null) key is hashed like the Java client
//!   does (`murmur2("")`). librdkafka's docs only say "NULL keys are randomly partitioned".

use crate::murmur2::{murmur2, to_positive};

/// What a librdkafka partitioner decides for one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Partitioning {
    /// The key was hashed to this partition.
    Partition(u32),
    /// The key is not hashed: librdkafka picks a random (sticky) partition.
    Random,
}

/// CRC-32 lookup tables for the reflected polynomial 0xEDB88320 (IEEE 802.3, zlib, PNG), for
/// slicing-by-8: `CRC32_TABLES[0]` is the classic byte table; `CRC32_TABLES[k][b]` is the CRC of
/// byte `b` followed by `k` zero bytes.
const CRC32_TABLES: [[u32; 256]; 8] = crc32_tables();

const fn crc32_tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            bit += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

/// CRC-32 (IEEE, as zlib's `crc32(0, data, len)` and librdkafka's `rd_crc32`). Table-driven,
/// eight bytes per step (slicing-by-8), then byte by byte for the tail.
pub fn crc32(data: &[u8]) -> u32 {
    let t = &CRC32_TABLES;
    let mut crc = 0xFFFF_FFFFu32;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let lo = crc ^ u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        let hi = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
        crc = t[7][(lo & 0xff) as usize]
            ^ t[6][((lo >> 8) & 0xff) as usize]
            ^ t[5][((lo >> 16) & 0xff) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][(hi & 0xff) as usize]
            ^ t[2][((hi >> 8) & 0xff) as usize]
            ^ t[1][((hi >> 16) & 0xff) as usize]
            ^ t[0][(hi >> 24) as usize];
    }
    for &b in chunks.remainder() {
        crc = t[0][((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    crc ^ 0xFFFF_FFFF
}

/// librdkafka's `consistent` partitioner: `crc32(key) % partitions`, a null key hashed as empty
/// (CRC 0, so partition 0). `partitions` must be at least 1.
pub fn consistent(key: Option<&[u8]>, partitions: u32) -> u32 {
    debug_assert!(partitions >= 1);
    crc32(key.unwrap_or(&[])) % partitions.max(1)
}

/// librdkafka's default partitioner `consistent_random`: CRC-32 of the key modulo the
/// partition count; null and empty keys are [`Partitioning::Random`].
pub fn consistent_random(key: Option<&[u8]>, partitions: u32) -> Partitioning {
    match key {
        Some(k) if !k.is_empty() => Partitioning::Partition(consistent(Some(k), partitions)),
        _ => Partitioning::Random,
    }
}

/// librdkafka's `murmur2` partitioner: `(murmur2(key) & 0x7fffffff) % partitions`, the Java
/// client's rule; a null key is hashed as empty.
pub fn murmur2_partition(key: Option<&[u8]>, partitions: u32) -> u32 {
    debug_assert!(partitions >= 1);
    (to_positive(murmur2(key.unwrap_or(&[]))) as u32) % partitions.max(1)
}

/// librdkafka's `murmur2_random` partitioner (Java-compatible): murmur2 of the key as the Java
/// client computes it; only a null key is [`Partitioning::Random`] (an empty key is hashed).
pub fn murmur2_random(key: Option<&[u8]>, partitions: u32) -> Partitioning {
    match key {
        Some(k) => Partitioning::Partition(murmur2_partition(Some(k), partitions)),
        None => Partitioning::Random,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::murmur2::partition_for_key;

    #[test]
    fn crc32_known_values() {
        // The CRC catalogue's check value, plus values zlib's crc32 gives.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"a"), 0xE8B7_BE43);
        assert_eq!(crc32(b"abc"), 0x3524_41C2);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
        assert_eq!(crc32(&[0u8; 32]), 0x190A_55AD);
        assert_eq!(crc32(&[0xffu8; 32]), 0xFF6C_AB0B);
    }

    #[test]
    fn crc32_table_entries() {
        let t = &CRC32_TABLES[0];
        assert_eq!(t[0], 0);
        assert_eq!(t[1], 0x7707_3096);
        assert_eq!(t[128], 0xEDB8_8320);
        assert_eq!(t[255], 0x2D02_EF8D);
    }

    /// The plain bitwise CRC-32, as an oracle for the sliced tables.
    fn crc32_bitwise(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    0xEDB8_8320 ^ (crc >> 1)
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn crc32_every_length_and_alignment() {
        let data: std::vec::Vec<u8> = (0..300u32).map(|i| (i * 131 + 7) as u8).collect();
        for start in 0..8 {
            for end in start..data.len() {
                assert_eq!(crc32(&data[start..end]), crc32_bitwise(&data[start..end]));
            }
        }
    }

    #[test]
    fn consistent_random_rules() {
        assert_eq!(consistent_random(None, 6), Partitioning::Random);
        assert_eq!(consistent_random(Some(b""), 6), Partitioning::Random);
        // crc32("123456789") = 3421780262; 3421780262 % 6 = 2, % 7 = 5.
        assert_eq!(
            consistent_random(Some(b"123456789"), 6),
            Partitioning::Partition(2)
        );
        assert_eq!(
            consistent_random(Some(b"123456789"), 7),
            Partitioning::Partition(5)
        );
        assert_eq!(
            consistent_random(Some(b"123456789"), 1),
            Partitioning::Partition(0)
        );
        // The whole unsigned CRC is reduced, not a sign-cleared one.
        assert_eq!(
            consistent_random(Some(b"123456789"), i32::MAX as u32),
            Partitioning::Partition(3421780262 % 2147483647)
        );
        assert_eq!(consistent(None, 6), 0);
        assert_eq!(consistent(Some(b""), 6), 0);
    }

    #[test]
    fn murmur2_random_rules() {
        assert_eq!(murmur2_random(None, 6), Partitioning::Random);
        // An empty key is hashed: murmur2("") = 275646681, % 6 = 3.
        assert_eq!(
            murmur2_random(Some(b""), 6),
            Partitioning::Partition(275646681 % 6)
        );
        assert_eq!(
            murmur2_random(Some(b"user-42"), 6),
            Partitioning::Partition(4)
        );
        for key in [&b"21"[..], b"foobar", "주문-1".as_bytes(), b"x"] {
            for n in [1u32, 3, 6, 7, 12, 100, i32::MAX as u32] {
                assert_eq!(
                    murmur2_random(Some(key), n),
                    Partitioning::Partition(partition_for_key(key, n))
                );
            }
        }
    }

    #[test]
    fn clients_disagree_on_same_key() {
        // The classic "wrong partition" report: same key, same topic, different clients.
        let java = partition_for_key(b"user-42", 6);
        let rdkafka = consistent_random(Some(b"user-42"), 6);
        // crc32("user-42") = 0x7D06B873 -> partition 1 of 6; murmur2 -> partition 4 of 6.
        assert_eq!(rdkafka, Partitioning::Partition(1));
        assert_eq!(java, 4);
        assert_ne!(Partitioning::Partition(java), rdkafka);
    }
}
