//! Producer compression (`streamscope_core::compression`) against kafka-python and the native
//! codecs at the Java client's settings: golden file `golden/compression_kafka_python.json`,
//! written by `tools/gen_compression_golden.py` (see `golden/README.md`).
//!
//! - Uncompressed: exact. The records section we encode has the same length and CRC-32 as the
//!   one kafka-python's `DefaultRecordBatchBuilder` writes (so keys, values from the value
//!   generator, varints and deltas are byte-identical), and `61 + section` is its batch size.
//! - Compressed: within a tolerance per codec of the size the Java client's codec settings give
//!   on the same section ("java_settings": zlib 6, libsnappy-compatible xerial, liblz4's fast
//!   compressor in Kafka's frame, libzstd 3 streamed). lz4 and snappy are byte-identical; gzip
//!   (miniz_oxide) and zstd (structured-zstd) are other encoders of the same formats, within
//!   the tolerances at `tolerance()`, which say why.
//! - Framing: xerial header and block lengths, Kafka's LZ4 frame header / block lengths / end
//!   mark, GZIPOutputStream's header and trailer, the zstd frame header: checked byte by byte.
//! - Round trips: every compressed section decodes back (crates' decoders: miniz_oxide inflate,
//!   lz4_flex block decoder, structured-zstd frame decoder; our Snappy decoder plus an
//!   independent one written in this file).

use serde::Deserialize;
use std::collections::BTreeMap;
use streamscope_core::compression::{
    self, compress, decompress, encode_batch, encode_records, gzip, key_bytes, lz4, snappy,
    value_bytes, zstd, Compression, CompressionType, RecordBytes, ValueKind,
};
use streamscope_core::librdkafka::crc32;

const GOLDEN: &str = include_str!("golden/compression_kafka_python.json");

#[derive(Deserialize)]
struct File {
    kafka_python_version: String,
    libraries: BTreeMap<String, String>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    kind: String,
    record_count: usize,
    records_section_bytes: usize,
    records_section_crc32: u32,
    kafka_python: BTreeMap<String, usize>,
    kafka_python_sent_uncompressed: Vec<String>,
    java_settings: BTreeMap<String, usize>,
    snappy_xerial_crc32: u32,
    lz4_frame_crc32: u32,
    /// Xerial size with Google's C++ libsnappy (Debian's, via python3-snappy), if the
    /// generator had it.
    libsnappy_xerial: Option<usize>,
    lz4_frame_header_hex: String,
    lz4_end_mark_hex: String,
    /// [record id, key index or null, value length, timestamp delta]
    records: Vec<(u64, Option<u32>, usize, i64)>,
}

struct Built {
    keys: Vec<Option<Vec<u8>>>,
    values: Vec<Vec<u8>>,
    ts: Vec<i64>,
}

impl Built {
    fn new(c: &Case) -> Built {
        let kind = ValueKind::from_name(&c.kind).expect("known value kind");
        Built {
            keys: c.records.iter().map(|r| r.1.map(key_bytes)).collect(),
            values: c
                .records
                .iter()
                .map(|r| value_bytes(r.0, r.2, kind))
                .collect(),
            ts: c.records.iter().map(|r| r.3).collect(),
        }
    }

    fn records(&self) -> Vec<RecordBytes<'_>> {
        (0..self.values.len())
            .map(|i| RecordBytes {
                key: self.keys[i].as_deref(),
                value: Some(&self.values[i]),
                timestamp_delta: self.ts[i],
                offset_delta: i as i32,
                headers: Default::default(),
            })
            .collect()
    }
}

fn golden() -> File {
    serde_json::from_str(GOLDEN).expect("golden/compression_kafka_python.json parses")
}

/// Allowed relative difference of our compressed records section from the Java-settings one,
/// for batches of at least 2 KiB of records (smaller ones: see `SMALL_SLACK_BYTES`).
///
/// - gzip 3%: miniz_oxide vs zlib at level 6: the same deflate format, different match
///   finders and block splitting; measured -0.3% to +2.2% (worst on A-Z letters).
/// - snappy 0: our encoder is the classic Snappy algorithm that python-snappy runs (cramjam,
///   i.e. the `snap` crate) and byte-identical to it (checked by CRC too). Against libsnappy
///   1.1.10 (what snappy-java runs) the golden file cannot say; see golden/README.md.
/// - lz4 0: our block compressor is liblz4's fast compressor step for step, byte-identical
///   (checked by CRC too).
/// - zstd 5%: structured-zstd vs libzstd 1.5.7, both at level 3 (`dfast`): within 0.5% on
///   compressible batches; 4.5% larger on the 16 KiB batch of 100-byte random values, where
///   libzstd still finds a little to gain in the keys and varints and structured-zstd stores
///   the block raw.
fn tolerance(codec: &str) -> f64 {
    match codec {
        "gzip" => 0.03,
        "snappy" => 0.0,
        "lz4" => 0.0,
        "zstd" => 0.05,
        other => panic!("no tolerance for codec {other}"),
    }
}

/// Tiny batches (a record or two): fixed framing dominates, and a few bytes of encoder
/// difference are a large fraction; allow this many bytes instead of the ratio.
const SMALL_SLACK_BYTES: usize = 24;

fn codec(name: &str) -> CompressionType {
    CompressionType::from_name(name).expect("known codec")
}

#[test]
fn golden_file_is_complete() {
    let g = golden();
    assert!(
        g.kafka_python_version.starts_with('3'),
        "{}",
        g.kafka_python_version
    );
    assert!(g.libraries.contains_key("libzstd"));
    assert!(g.cases.len() >= 20);
    for c in &g.cases {
        assert_eq!(c.records.len(), c.record_count, "{}", c.name);
        for name in ["none", "gzip", "snappy", "lz4", "zstd"] {
            assert!(c.kafka_python.contains_key(name), "{} {}", c.name, name);
        }
        for name in ["gzip", "snappy", "lz4", "zstd"] {
            assert!(c.java_settings.contains_key(name), "{} {}", c.name, name);
        }
    }
}

#[test]
fn uncompressed_sections_are_byte_identical_to_kafka_python() {
    for c in &golden().cases {
        let built = Built::new(c);
        let recs = built.records();
        let section = encode_records(&recs).expect("encodes");
        assert_eq!(section.len(), c.records_section_bytes, "{}", c.name);
        assert_eq!(crc32(&section), c.records_section_crc32, "{}", c.name);
        let none = encode_batch(Compression::NONE, &recs).expect("encodes");
        assert_eq!(none.wire_size(), c.kafka_python["none"], "{}", c.name);
        assert_eq!(
            compression::batch_size_on_wire(Compression::NONE, &recs).unwrap(),
            c.kafka_python["none"]
        );
    }
}

#[test]
fn compressed_sizes_are_close_to_the_java_settings() {
    let g = golden();
    let mut worst: BTreeMap<&str, f64> = BTreeMap::new();
    for c in &g.cases {
        let built = Built::new(c);
        let recs = built.records();
        for (name, &java_size) in &c.java_settings {
            let ours = encode_batch(Compression::of(codec(name)), &recs)
                .expect("encodes")
                .wire_size();
            let (ours_sec, java_sec) = (ours - 61, java_size - 61);
            let rel = ours_sec as f64 / java_sec as f64 - 1.0;
            if c.records_section_bytes < 2048 {
                assert!(
                    ours_sec.abs_diff(java_sec) <= SMALL_SLACK_BYTES,
                    "{} {name}: ours {ours} vs Java settings {java_size}",
                    c.name
                );
                continue;
            }
            let w = worst.entry(name).or_insert(0.0);
            if rel.abs() > w.abs() {
                *w = rel;
            }
            assert!(
                rel.abs() <= tolerance(name),
                "{} {name}: ours {ours} vs Java settings {java_size} ({:+.2}%, tolerance {}%)",
                c.name,
                rel * 100.0,
                tolerance(name) * 100.0
            );
        }
    }
    eprintln!("worst relative difference per codec: {worst:?}");
}

#[test]
fn snappy_is_byte_identical_to_the_classic_encoder() {
    for c in &golden().cases {
        let built = Built::new(c);
        let section = encode_records(&built.records()).unwrap();
        let ours = snappy::compress(&section);
        assert_eq!(crc32(&ours), c.snappy_xerial_crc32, "{}", c.name);
        assert_eq!(61 + ours.len(), c.java_settings["snappy"], "{}", c.name);
    }
}

#[test]
fn snappy_is_close_to_libsnappy() {
    // snappy-java runs Google's C++ libsnappy (1.1.10 in snappy-java 1.1.10.x); the golden
    // file has libsnappy 1.1.9's sizes. Its match finder was tuned after the classic one we
    // follow: equal on most batches, within 1% on the others here.
    let g = golden();
    let mut seen = 0;
    for c in &g.cases {
        let Some(lib) = c.libsnappy_xerial else {
            continue;
        };
        seen += 1;
        let built = Built::new(c);
        let ours = 61 + snappy::compress(&encode_records(&built.records()).unwrap()).len();
        let rel = (ours - 61) as f64 / (lib - 61) as f64 - 1.0;
        assert!(
            rel.abs() <= 0.015,
            "{}: ours {ours} vs libsnappy {lib} ({:+.2}%)",
            c.name,
            rel * 100.0
        );
    }
    assert!(seen == 0 || seen == g.cases.len());
}

#[test]
fn lz4_is_byte_identical_to_liblz4s_fast_compressor() {
    // Kafka's default lz4 level runs lz4-java's fastCompressor, i.e. liblz4's
    // LZ4_compress_default; the golden frame was built with python-lz4's lz4.block.compress
    // (the same C code) in Kafka's framing.
    for c in &golden().cases {
        let built = Built::new(c);
        let section = encode_records(&built.records()).unwrap();
        let ours = lz4::compress(&section);
        assert_eq!(crc32(&ours), c.lz4_frame_crc32, "{}", c.name);
        assert_eq!(61 + ours.len(), c.java_settings["lz4"], "{}", c.name);
    }
}

#[test]
fn kafka_python_sizes_are_in_the_same_range() {
    // kafka-python uses other settings (gzip 9, LZ4F frame with content size, zstd one-shot
    // with content size) and sends uncompressed when compression does not help; so only a
    // loose check, and the report of the ratios lives in BENCHMARKS.md.
    for c in &golden().cases {
        if c.records_section_bytes < 2048 {
            continue;
        }
        let built = Built::new(c);
        let recs = built.records();
        for name in ["gzip", "snappy", "lz4", "zstd"] {
            let ours = encode_batch(Compression::of(codec(name)), &recs)
                .unwrap()
                .wire_size();
            let kp = c.kafka_python[name];
            if c.kafka_python_sent_uncompressed.iter().any(|n| n == name) {
                assert!(ours + 200 >= kp, "{} {name}: {ours} vs {kp}", c.name);
                continue;
            }
            let rel = ours as f64 / kp as f64 - 1.0;
            assert!(
                rel.abs() < 0.15,
                "{} {name}: ours {ours} vs kafka-python {kp}",
                c.name
            );
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn lz4_framing_is_kafkas() {
    // Lz4BlockOutputStream: magic 0x184D2204 LE, FLG 0x60, BD 0x40, HC = (xxh32(FLG BD) >> 8).
    assert_eq!(
        lz4::frame_header(),
        [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]
    );
    // Kafka's broken pre-0.10 checksum hashes the magic too (python: xxh32(04224d186040)).
    assert_eq!(lz4::header_checksum(true), 0x1a);
    for c in &golden().cases {
        let built = Built::new(c);
        let section = encode_records(&built.records()).unwrap();
        let frame = lz4::compress(&section);
        assert_eq!(hex(&frame[..7]), c.lz4_frame_header_hex, "{}", c.name);
        assert_eq!(
            hex(&frame[frame.len() - 4..]),
            c.lz4_end_mark_hex,
            "{}",
            c.name
        );
        // Walk the blocks: LE length (high bit = stored), at most 64 KiB of input each.
        let mut pos = 7;
        let mut blocks = 0;
        let mut plain = 0;
        loop {
            let len = u32::from_le_bytes(frame[pos..pos + 4].try_into().unwrap());
            pos += 4;
            if len == 0 {
                break;
            }
            let n = (len & 0x7fff_ffff) as usize;
            if len & 0x8000_0000 != 0 {
                assert_eq!(&frame[pos..pos + n], &section[plain..plain + n]);
                plain += n;
            } else {
                let mut buf = vec![0u8; 64 * 1024];
                let got = lz4_flex::block::decompress_into(&frame[pos..pos + n], &mut buf)
                    .expect("lz4_flex decodes our block");
                assert_eq!(&buf[..got], &section[plain..plain + got]);
                plain += got;
            }
            pos += n;
            blocks += 1;
        }
        assert_eq!(pos, frame.len(), "{}", c.name);
        assert_eq!(plain, section.len());
        assert_eq!(blocks, section.len().div_ceil(64 * 1024), "{}", c.name);
    }
}

#[test]
fn xerial_framing_is_snappy_javas() {
    assert_eq!(
        snappy::XERIAL_HEADER,
        [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1]
    );
    for c in &golden().cases {
        let built = Built::new(c);
        let section = encode_records(&built.records()).unwrap();
        let framed = snappy::compress(&section);
        assert_eq!(&framed[..16], &snappy::XERIAL_HEADER);
        let mut pos = 16;
        let mut out = Vec::new();
        while pos < framed.len() {
            let n = u32::from_be_bytes(framed[pos..pos + 4].try_into().unwrap()) as usize;
            pos += 4;
            let block = independent_snappy_decode(&framed[pos..pos + n]);
            assert!(block.len() <= 32 * 1024);
            out.extend_from_slice(&block);
            pos += n;
        }
        assert_eq!(out, section, "{}", c.name);
    }
}

#[test]
fn gzip_framing_is_gzip_output_streams() {
    let built = Built::new(&golden().cases[3]);
    let section = encode_records(&built.records()).unwrap();
    let g = gzip::compress(&section, -1);
    assert_eq!(&g[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    let n = g.len();
    assert_eq!(g[n - 8..n - 4], crc32(&section).to_le_bytes());
    assert_eq!(g[n - 4..], (section.len() as u32).to_le_bytes());
    let raw = miniz_oxide::inflate::decompress_to_vec(&g[10..n - 8]).expect("inflates");
    assert_eq!(raw, section);
}

#[test]
fn zstd_frame_is_a_plain_streamed_frame() {
    let built = Built::new(&golden().cases[3]);
    let section = encode_records(&built.records()).unwrap();
    let z = zstd::compress(&section, 3);
    assert_eq!(&z[..4], &zstd::MAGIC);
    // Frame header descriptor: no content size field (FCS flag 0), not single segment (so a
    // window descriptor follows), no checksum, no dictionary: as zstd-jni's stream writes.
    let fhd = z[4];
    assert_eq!(fhd >> 6, 0, "no frame content size");
    assert_eq!(fhd & 0x20, 0, "not single segment");
    assert_eq!(fhd & 0x04, 0, "no content checksum");
    assert_eq!(fhd & 0x03, 0, "no dictionary id");
}

#[test]
fn every_case_round_trips_with_the_crates_decoders() {
    for c in &golden().cases {
        let built = Built::new(c);
        let section = encode_records(&built.records()).unwrap();
        for kind in CompressionType::ALL {
            let bytes = compress(Compression::of(kind), &section);
            let back = decompress(kind, &bytes, section.len()).expect("decodes");
            assert_eq!(back, section, "{} {kind}", c.name);
        }
        // Limits are enforced.
        if section.len() > 100 {
            for kind in CompressionType::ALL {
                let bytes = compress(Compression::of(kind), &section);
                assert!(
                    decompress(kind, &bytes, section.len() - 1).is_err(),
                    "{kind}"
                );
            }
        }
    }
}

#[test]
fn corrupt_input_is_an_error_not_a_panic() {
    let built = Built::new(&golden().cases[2]);
    let section = encode_records(&built.records()).unwrap();
    for kind in CompressionType::ALL {
        let bytes = compress(Compression::of(kind), &section);
        for cut in [
            0,
            1,
            5,
            7,
            12,
            bytes.len() / 2,
            bytes.len().saturating_sub(1),
        ] {
            let _ = decompress(kind, &bytes[..cut.min(bytes.len())], 1 << 20);
        }
        let mut flipped = bytes.clone();
        for i in (0..flipped.len()).step_by(7) {
            flipped[i] ^= 0x5a;
            let _ = decompress(kind, &flipped, 1 << 20);
        }
    }
}

/// A Snappy raw-block decoder independent of the one in the crate (straight from Snappy's
/// format_description.txt), to check our encoder's output.
fn independent_snappy_decode(src: &[u8]) -> Vec<u8> {
    let mut i = 0;
    let mut len = 0usize;
    let mut shift = 0;
    loop {
        let b = src[i];
        i += 1;
        len |= ((b & 0x7f) as usize) << shift;
        shift += 7;
        if b < 0x80 {
            break;
        }
    }
    let mut out = Vec::with_capacity(len);
    while i < src.len() {
        let tag = src[i];
        i += 1;
        let (copy_len, offset) = match tag & 3 {
            0 => {
                let mut n = (tag >> 2) as usize + 1;
                if n > 60 {
                    let extra = n - 60;
                    n = 1 + (0..extra).fold(0, |a, k| a | (src[i + k] as usize) << (8 * k));
                    i += extra;
                }
                out.extend_from_slice(&src[i..i + n]);
                i += n;
                continue;
            }
            1 => {
                let o = ((tag as usize >> 5) << 8) | src[i] as usize;
                i += 1;
                (((tag >> 2) & 7) as usize + 4, o)
            }
            2 => {
                let o = src[i] as usize | (src[i + 1] as usize) << 8;
                i += 2;
                ((tag >> 2) as usize + 1, o)
            }
            _ => {
                let o = u32::from_le_bytes(src[i..i + 4].try_into().unwrap()) as usize;
                i += 4;
                ((tag >> 2) as usize + 1, o)
            }
        };
        for _ in 0..copy_len {
            out.push(out[out.len() - offset]);
        }
    }
    assert_eq!(out.len(), len);
    out
}

#[test]
fn the_independent_snappy_decoder_reads_the_known_vector() {
    assert_eq!(
        independent_snappy_decode(&[20, 0x00, b'a', 0x4a, 0x01, 0x00]),
        vec![b'a'; 20]
    );
}

#[test]
fn print_ratios() {
    // Not a check: the table behind BENCHMARKS.md's "Compression" section
    // (`cargo test -p streamscope-core --test compression_golden print_ratios -- --nocapture`).
    for c in &golden().cases {
        let built = Built::new(c);
        let recs = built.records();
        let mut line = format!("{:<22} {:>7}", c.name, c.records_section_bytes + 61);
        for name in ["gzip", "snappy", "lz4", "zstd"] {
            let ours = encode_batch(Compression::of(codec(name)), &recs)
                .unwrap()
                .wire_size();
            line += &format!(
                " | {name} ours {ours} java {} kp {}",
                c.java_settings[name], c.kafka_python[name]
            );
        }
        eprintln!("{line}");
    }
}
