//! Kafka's murmur2 partitioning (`streamscope_core::murmur2`) and librdkafka's CRC-32
//! (`streamscope_core::librdkafka`) against golden vectors from kafka-python and zlib
//! (`golden/murmur2_kafka_python.tsv`, written by `tools/gen_golden.py`; see
//! `golden/README.md`), plus properties over arbitrary keys and partition counts.

use proptest::prelude::*;
use streamscope_core::librdkafka::{self, Partitioning};
use streamscope_core::murmur2::{murmur2, partition_for_key, to_positive};

const GOLDEN: &str = include_str!("golden/murmur2_kafka_python.tsv");

struct Row {
    kind: String,
    key: Vec<u8>,
    murmur2: i32,
    crc32: u32,
    /// (partition count, expected partition)
    partitions: Vec<(u32, u32)>,
}

fn decode_hex(s: &str) -> Vec<u8> {
    assert!(s.len() & 1 == 0, "odd hex {s:?}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex key"))
        .collect()
}

fn golden_rows() -> Vec<Row> {
    let mut lines = GOLDEN.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("column header").split('\t').collect();
    assert_eq!(&header[..4], &["kind", "key_hex", "murmur2", "crc32"]);
    let counts: Vec<u32> = header[4..]
        .iter()
        .map(|c| {
            c.strip_prefix("p_")
                .expect("p_N column")
                .parse()
                .expect("N")
        })
        .collect();
    lines
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), header.len(), "row {line:?}");
            Row {
                kind: f[0].to_string(),
                key: decode_hex(f[1]),
                murmur2: f[2].parse().expect("murmur2"),
                crc32: f[3].parse().expect("crc32"),
                partitions: counts
                    .iter()
                    .zip(&f[4..])
                    .map(|(n, p)| (*n, p.parse().expect("partition")))
                    .collect(),
            }
        })
        .collect()
}

#[test]
fn golden_file_covers_what_it_promises() {
    let rows = golden_rows();
    assert!(rows.len() >= 3000, "{} keys", rows.len());
    for kind in ["known", "empty", "ascii", "binary", "utf8", "long"] {
        assert!(rows.iter().any(|r| r.kind == kind), "no {kind} keys");
    }
    for tail in 0..4 {
        assert!(rows.iter().filter(|r| r.key.len() % 4 == tail).count() > 100);
    }
    assert!(rows.iter().any(|r| r.key.is_empty()));
    assert!(rows.iter().any(|r| r.key.len() > 4000));
    assert!(rows
        .iter()
        .any(|r| std::str::from_utf8(&r.key).is_ok_and(|s| s.contains("주문"))));
    let counts: Vec<u32> = rows[0].partitions.iter().map(|(n, _)| *n).collect();
    assert!(counts.contains(&1) && counts.contains(&2147483647));
}

#[test]
fn murmur2_matches_kafka_python() {
    for row in golden_rows() {
        assert_eq!(
            murmur2(&row.key),
            row.murmur2,
            "murmur2 of {} key {:02x?}",
            row.kind,
            row.key
        );
        for &(n, want) in &row.partitions {
            assert_eq!(
                partition_for_key(&row.key, n),
                want,
                "N={n}, key {:02x?}",
                row.key
            );
            assert_eq!(
                librdkafka::murmur2_random(Some(&row.key), n),
                Partitioning::Partition(want),
                "librdkafka murmur2_random, N={n}"
            );
        }
    }
}

#[test]
fn crc32_matches_zlib() {
    for row in golden_rows() {
        assert_eq!(
            librdkafka::crc32(&row.key),
            row.crc32,
            "crc32 of {:02x?}",
            row.key
        );
        for &(n, _) in &row.partitions {
            let want = if row.key.is_empty() {
                Partitioning::Random
            } else {
                Partitioning::Partition(row.crc32 % n)
            };
            assert_eq!(librdkafka::consistent_random(Some(&row.key), n), want);
        }
    }
}

/// The Java client's `Utils.murmur2` transliterated with Java's types (signed ints, `>>>` as
/// a shift of the unsigned bits, bytes sign-extended then masked with 0xff), as an oracle.
fn java_murmur2(data: &[u8]) -> i32 {
    let length = data.len() as i32;
    let seed = 0x9747b28c_u32 as i32;
    let m = 0x5bd1e995_i32;
    let r = 24;
    let ushr = |x: i32, n: u32| ((x as u32) >> n) as i32;
    let byte = |i: i32| (data[i as usize] as i8) as i32;
    let mut h = seed ^ length;
    let length4 = length / 4;
    for i in 0..length4 {
        let i4 = i * 4;
        let mut k = (byte(i4) & 0xff)
            + ((byte(i4 + 1) & 0xff) << 8)
            + ((byte(i4 + 2) & 0xff) << 16)
            + ((byte(i4 + 3) & 0xff) << 24);
        k = k.wrapping_mul(m);
        k ^= ushr(k, r);
        k = k.wrapping_mul(m);
        h = h.wrapping_mul(m);
        h ^= k;
    }
    let base = length & !3;
    match length % 4 {
        3 => {
            h ^= (byte(base + 2) & 0xff) << 16;
            h ^= (byte(base + 1) & 0xff) << 8;
            h ^= byte(base) & 0xff;
            h = h.wrapping_mul(m);
        }
        2 => {
            h ^= (byte(base + 1) & 0xff) << 8;
            h ^= byte(base) & 0xff;
            h = h.wrapping_mul(m);
        }
        1 => {
            h ^= byte(base) & 0xff;
            h = h.wrapping_mul(m);
        }
        _ => {}
    }
    h ^= ushr(h, 13);
    h = h.wrapping_mul(m);
    h ^= ushr(h, 15);
    h
}

#[test]
fn oracle_agrees_with_golden() {
    for row in golden_rows() {
        assert_eq!(java_murmur2(&row.key), row.murmur2);
    }
}

fn partition_count() -> impl Strategy<Value = u32> {
    prop_oneof![
        1u32..=16,
        1u32..=100_000,
        1u32..=i32::MAX as u32,
        Just(i32::MAX as u32)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn partition_is_in_range_and_is_the_java_rule(
        key in proptest::collection::vec(any::<u8>(), 0..80),
        n in partition_count(),
    ) {
        let h = murmur2(&key);
        prop_assert_eq!(h, java_murmur2(&key));
        let p = partition_for_key(&key, n);
        prop_assert!(p < n);
        prop_assert_eq!(p, (to_positive(h) as u32) % n);
        // toPositive is a mask, not abs: the result keeps the low 31 bits.
        prop_assert!(to_positive(h) >= 0);
        prop_assert_eq!(to_positive(h) as u32, (h as u32) & 0x7fff_ffff);
        prop_assert_eq!(partition_for_key(&key, 1), 0);
        prop_assert_eq!(librdkafka::murmur2_random(Some(&key), n), Partitioning::Partition(p));
    }

    #[test]
    fn consistent_random_is_in_range(
        key in proptest::collection::vec(any::<u8>(), 0..80),
        n in partition_count(),
    ) {
        match librdkafka::consistent_random(Some(&key), n) {
            Partitioning::Random => prop_assert!(key.is_empty()),
            Partitioning::Partition(p) => {
                prop_assert!(!key.is_empty());
                prop_assert!(p < n);
                prop_assert_eq!(p, librdkafka::crc32(&key) % n);
            }
        }
        prop_assert_eq!(librdkafka::consistent_random(None, n), Partitioning::Random);
        prop_assert_eq!(librdkafka::murmur2_random(None, n), Partitioning::Random);
    }

    #[test]
    fn utf8_keys_hash_their_bytes(s in "\\PC{0,20}", n in partition_count()) {
        prop_assert_eq!(partition_for_key(s.as_bytes(), n), (to_positive(java_murmur2(s.as_bytes())) as u32) % n);
    }
}
