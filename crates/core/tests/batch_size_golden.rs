//! Record batch format v2 sizes (`streamscope_core::record`) against kafka-python's
//! `DefaultRecordBatchBuilder`: golden file `golden/batch_sizes_kafka_python.json`, written by
//! `tools/gen_golden.py` (see `golden/README.md`).

use serde::Deserialize;
use std::collections::BTreeMap;
use streamscope_core::record::{
    batch_size_upper_bound, record_size_in_bytes, record_size_upper_bound, HeaderSize,
    MAX_RECORD_OVERHEAD, RECORD_BATCH_OVERHEAD,
};

const GOLDEN: &str = include_str!("golden/batch_sizes_kafka_python.json");

#[derive(Deserialize)]
struct File {
    kafka_python_version: String,
    codecs: Vec<String>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    records: Vec<Record>,
    batch_size_in_bytes: BTreeMap<String, usize>,
}

#[derive(Deserialize)]
struct Record {
    offset_delta: i32,
    timestamp_delta: i64,
    key_len: Option<usize>,
    value_len: Option<usize>,
    headers: Vec<Header>,
    size_in_bytes: usize,
    size_of_key_value_headers: usize,
    estimate_size_in_bytes: usize,
}

#[derive(Deserialize)]
struct Header {
    key: String,
    key_len: usize,
    value_len: Option<usize>,
}

fn golden() -> File {
    serde_json::from_str(GOLDEN).expect("golden/batch_sizes_kafka_python.json parses")
}

fn header_sizes(r: &Record) -> Vec<HeaderSize> {
    r.headers
        .iter()
        .map(|h| HeaderSize {
            key_len: h.key_len,
            value_len: h.value_len,
        })
        .collect()
}

#[test]
fn file_is_what_the_readme_says() {
    let f = golden();
    assert_eq!(f.kafka_python_version, "3.0.12");
    assert!(f.cases.len() >= 80, "{} cases", f.cases.len());
    for c in &f.cases {
        let codecs: Vec<&String> = c.batch_size_in_bytes.keys().collect();
        assert!(
            codecs.iter().all(|k| f.codecs.contains(k)),
            "{}: {codecs:?}",
            c.name
        );
        for r in &c.records {
            for h in &r.headers {
                assert_eq!(
                    h.key.len(),
                    h.key_len,
                    "{}: UTF-8 length of {:?}",
                    c.name,
                    h.key
                );
            }
        }
    }
}

#[test]
fn record_sizes_match_kafka_python() {
    let mut checked = 0;
    for c in golden().cases {
        for (i, r) in c.records.iter().enumerate() {
            let headers = header_sizes(r);
            let ctx = format!("case {:?}, record {i}", c.name);
            assert_eq!(
                record_size_in_bytes(
                    r.offset_delta,
                    r.timestamp_delta,
                    r.key_len,
                    r.value_len,
                    &headers
                ),
                r.size_in_bytes,
                "record_size_in_bytes, {ctx}"
            );
            let upper = record_size_upper_bound(r.key_len, r.value_len, &headers);
            assert_eq!(
                upper - MAX_RECORD_OVERHEAD,
                r.size_of_key_value_headers,
                "key + value + headers, {ctx}"
            );
            assert_eq!(
                batch_size_upper_bound(r.key_len, r.value_len, &headers),
                r.estimate_size_in_bytes,
                "batch_size_upper_bound, {ctx}"
            );
            assert!(
                r.size_in_bytes <= upper,
                "the upper bound bounds the record, {ctx}"
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked} records");
}

#[test]
fn batch_sizes_match_kafka_python() {
    for c in golden().cases {
        let records: usize = c
            .records
            .iter()
            .map(|r| {
                record_size_in_bytes(
                    r.offset_delta,
                    r.timestamp_delta,
                    r.key_len,
                    r.value_len,
                    &header_sizes(r),
                )
            })
            .sum();
        for (codec, size) in &c.batch_size_in_bytes {
            match codec.as_str() {
                "none" => assert_eq!(
                    RECORD_BATCH_OVERHEAD + records,
                    *size,
                    "uncompressed batch, case {:?}",
                    c.name
                ),
                other => panic!(
                    "case {:?}: no size model for codec {other:?} yet; add its check here",
                    c.name
                ),
            }
        }
    }
}
