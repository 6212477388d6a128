//! The inspector's rows for one record: its key and value as serialized, why it went to its
//! partition (every number from the core's `Sim::record_info`) and how its `send()` ended.

use super::rows::{row, Row};
use crate::i18n::{t, tf, Lang};
use streamscope_core::inspect::RecordInfo;
use streamscope_core::producer::partitioner::PartitionReason;
use streamscope_core::producer::record::Serializer;
use streamscope_core::{Sim, SimTime};

/// Kafka's class name without its package (`StringSerializer`).
pub fn short_class(s: Serializer) -> &'static str {
    let c = s.kafka_class();
    c.rsplit('.').next().unwrap_or(c)
}

/// `6b65792d33` -> `6b 65 79 2d 33`, at most `max_bytes` bytes (then `…`).
pub fn spaced_hex(hex: &str, max_bytes: usize) -> String {
    let mut out = String::with_capacity(hex.len() * 3 / 2);
    for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
        if i == max_bytes {
            out.push_str(" …");
            break;
        }
        if i > 0 {
            out.push(' ');
        }
        out.push_str(core::str::from_utf8(pair).unwrap_or("??"));
    }
    out
}

/// Why a record went to its partition, in words (every number from the core).
pub fn reason_text(sim: &Sim, info: &RecordInfo, lang: Lang) -> String {
    let p = info.partition.to_string();
    match info.reason {
        PartitionReason::KeyHash {
            murmur2,
            partitions,
        } => tf(
            lang,
            "why.key_hash",
            &[
                ("n", &partitions.to_string()),
                ("p", &p),
                ("h", &murmur2.to_string()),
            ],
        ),
        PartitionReason::BuiltInSticky => {
            let cfg = sim
                .producers()
                .get(info.producer as usize)
                .map(|p| &p.config);
            let bs = cfg.map_or(0, |c| c.batch_size.value.max(1)) as u64;
            let adaptive = cfg.is_some_and(|c| c.partitioner_adaptive_partitioning_enable.value);
            tf(
                lang,
                "why.builtin",
                &[
                    ("p", &p),
                    ("bs", &bs.to_string()),
                    ("bs2", &(bs * 2).to_string()),
                    (
                        "adaptive",
                        if adaptive {
                            t(lang, "why.adaptive")
                        } else {
                            ""
                        },
                    ),
                ],
            )
        }
        PartitionReason::LegacySticky => tf(lang, "why.legacy", &[("p", &p)]),
        PartitionReason::RoundRobin { counter } => tf(
            lang,
            "why.round_robin",
            &[("c", &counter.to_string()), ("p", &p)],
        ),
        PartitionReason::Explicit => tf(lang, "why.explicit", &[("p", &p)]),
    }
}

/// The inspector's rows for one record.
pub fn record_rows(sim: &Sim, info: &RecordInfo, lang: Lang) -> Vec<Row> {
    let mut rows = key_rows(sim, info, lang);
    rows.extend(value_rows(info, lang));
    rows.extend(placement_rows(sim, info, lang));
    rows
}

/// The record and its producer id, its topic, its key (as text and as serialized bytes) and
/// the key's serializer.
fn key_rows(sim: &Sim, info: &RecordInfo, lang: Lang) -> Vec<Row> {
    let pid = sim
        .producers()
        .get(info.producer as usize)
        .map_or(-1, |p| p.producer_id);
    // Only an idempotent or transactional producer has a producer id in Kafka.
    let pid = if pid >= 0 {
        pid.to_string()
    } else {
        t(lang, "cv.no_pid").to_string()
    };
    let key = info
        .key
        .clone()
        .unwrap_or_else(|| t(lang, "insp.null_key").to_string());
    let key_bytes = match &info.key_bytes_hex {
        Some(hex) => tf(
            lang,
            "insp.bytes_fmt",
            &[
                ("hex", &spaced_hex(hex, 32)),
                ("n", &(hex.len() / 2).to_string()),
            ],
        ),
        None => "—".to_string(),
    };
    vec![
        row(
            t(lang, "insp.record"),
            tf(
                lang,
                "insp.record_fmt",
                &[("id", &info.record_id.to_string()), ("pid", &pid)],
            ),
            "record",
        ),
        row(t(lang, "insp.topic"), info.topic.clone(), "topic"),
        row(t(lang, "insp.key"), key, "key"),
        row(t(lang, "insp.key_bytes"), key_bytes, "key-bytes"),
        row(
            t(lang, "insp.key_serializer"),
            short_class(info.key_serializer),
            "key-serializer",
        ),
    ]
}

/// The value's size and serializer, the headers, the timestamp, the record's size.
fn value_rows(info: &RecordInfo, lang: Lang) -> Vec<Row> {
    let headers = if info.headers.is_empty() {
        t(lang, "insp.no_headers").to_string()
    } else {
        info.headers
            .iter()
            .zip(&info.header_values)
            .map(|((name, n), value)| {
                tf(
                    lang,
                    "cv.header_fmt",
                    &[("name", name), ("value", value), ("n", &n.to_string())],
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let value_bytes = if info.value_is_text {
        info.value_preview.clone()
    } else {
        spaced_hex(&info.value_preview.replace('…', ""), 48)
    };
    vec![
        row(
            t(lang, "insp.value"),
            tf(
                lang,
                "insp.value_fmt",
                &[
                    ("n", &info.value_len.to_string()),
                    ("ser", short_class(info.value_serializer)),
                ],
            ),
            "value",
        ),
        row(t(lang, "cv.value_bytes"), value_bytes, "value-bytes"),
        row(t(lang, "insp.headers"), headers, "headers"),
        row(
            t(lang, "insp.timestamp"),
            tf(
                lang,
                "insp.timestamp_fmt",
                &[("t", &SimTime(info.timestamp_us).to_string())],
            ),
            "timestamp",
        ),
        row(
            t(lang, "insp.size"),
            tf(
                lang,
                "insp.size_fmt",
                &[("n", &info.size_bytes.to_string())],
            ),
            "size",
        ),
    ]
}

/// Where it went and why (partition, batch, the partitioner's reason) and how its `send()`
/// ended.
fn placement_rows(sim: &Sim, info: &RecordInfo, lang: Lang) -> Vec<Row> {
    vec![
        row(
            t(lang, "insp.partition"),
            info.partition.to_string(),
            "partition",
        ),
        row(t(lang, "insp.batch"), batch_text(info, lang), "batch"),
        row(
            t(lang, "cv.compression"),
            compression_text(info, lang),
            "codec",
        ),
        row(
            t(lang, "cv.sequence"),
            sequence_text(info, lang),
            "sequence",
        ),
        row(t(lang, "insp.why"), reason_text(sim, info, lang), "reason"),
        row(t(lang, "insp.outcome"), outcome_text(info, lang), "outcome"),
    ]
}

/// The record's batch as a short id: its number among its producer's batches
/// (`producer 0 · batch #12`), not the simulator's 64-bit id.
pub fn batch_text(info: &RecordInfo, lang: Lang) -> String {
    tf(
        lang,
        "cv.batch_fmt",
        &[
            ("p", &info.producer.to_string()),
            ("n", &info.batch_number.to_string()),
        ],
    )
}

/// The batch's codec and, once it was sent, its size on the wire and uncompressed.
pub fn compression_text(info: &RecordInfo, lang: Lang) -> String {
    match (info.batch_wire_bytes, info.batch_uncompressed_bytes) {
        (Some(wire), Some(raw)) => tf(
            lang,
            "cv.codec_sizes",
            &[
                ("codec", info.codec),
                ("wire", &wire.to_string()),
                ("raw", &raw.to_string()),
            ],
        ),
        _ => tf(lang, "cv.codec_unsent", &[("codec", info.codec)]),
    }
}

/// Its sequence number and producer epoch (an idempotent or transactional producer's, once
/// the batch was sent), else why there is none.
pub fn sequence_text(info: &RecordInfo, lang: Lang) -> String {
    match (info.sequence, info.producer_epoch) {
        (Some(seq), Some(epoch)) => tf(
            lang,
            "cv.seq_fmt",
            &[("seq", &seq.to_string()), ("epoch", &epoch.to_string())],
        ),
        _ if info.producer_id < 0 => t(lang, "cv.seq_none").to_string(),
        _ => t(lang, "cv.seq_unsent").to_string(),
    }
}

/// How the record's `send()` ended so far, as the core recorded it.
pub fn outcome_text(info: &RecordInfo, lang: Lang) -> String {
    use streamscope_core::inspect::RecordOutcome;
    match info.outcome {
        RecordOutcome::Pending => t(lang, "insp.outcome.pending").to_string(),
        RecordOutcome::Acknowledged { offset } if offset >= 0 => {
            tf(lang, "insp.outcome.acked", &[("o", &offset.to_string())])
        }
        RecordOutcome::Acknowledged { .. } => t(lang, "insp.outcome.acked_no_offset").to_string(),
        RecordOutcome::Failed { error } => tf(lang, "insp.outcome.failed", &[("e", error)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::Config;

    #[test]
    fn hex_is_spaced_and_bounded() {
        assert_eq!(spaced_hex("6b65792d33", 32), "6b 65 79 2d 33");
        assert_eq!(spaced_hex("00010203", 2), "00 01 …");
        assert_eq!(spaced_hex("", 2), "");
    }

    /// The inspector has the value's bytes, real headers, the batch's codec and sizes, the
    /// sequence and epoch, and a short batch id.
    #[test]
    fn the_inspector_shows_value_headers_codec_and_sequence() {
        let mut c = Config::preset();
        c.set("sim.headers", "2").unwrap();
        c.set("compression.type", "gzip").unwrap();
        let mut sim = Sim::new(c, 3).unwrap();
        sim.run_until(SimTime(2_000_000));
        let info = (0..50).find_map(|id| sim.record_info(id)).unwrap();
        assert!(info.value_is_text && info.value_preview.starts_with("{\"order_id\":"));
        let rows = record_rows(&sim, &info, Lang::En);
        let get = |k: &str| rows.iter().find(|r| r.field == k).map(|r| r.value.clone());
        let headers = get("headers").unwrap();
        assert!(
            headers.contains("h0=abcdefgh") && headers.contains("h1=bcdefghi"),
            "{headers}"
        );
        let codec = get("codec").unwrap();
        assert!(
            codec.starts_with("gzip: ") && codec.contains(" bytes on the wire"),
            "{codec}"
        );
        let seq = get("sequence").unwrap();
        assert!(
            seq.starts_with("sequence ") && seq.contains("epoch 0"),
            "{seq}"
        );
        assert!(get("batch").unwrap().starts_with("producer 0 · batch #"));
        assert!(info.batch_wire_bytes < info.batch_uncompressed_bytes);
    }

    #[test]
    fn reasons_for_round_robin_and_explicit() {
        let mut c = Config::preset();
        c.set("partitioner.class", "round-robin").unwrap();
        let mut sim = Sim::new(c.clone(), 3).unwrap();
        sim.run_until(SimTime(100_000));
        let info = (0..20).find_map(|id| sim.record_info(id)).unwrap();
        let why = reason_text(&sim, &info, Lang::En);
        assert!(why.starts_with("round-robin: counter "), "{why}");
        assert!(why.contains(&format!("→ partition {}", info.partition)));
        c.set("sim.partition", "2").unwrap();
        let mut sim = Sim::new(c, 3).unwrap();
        sim.run_until(SimTime(100_000));
        let info = (0..20).find_map(|id| sim.record_info(id)).unwrap();
        assert_eq!(
            reason_text(&sim, &info, Lang::En),
            "explicit partition: the application named partition 2 in its ProducerRecord"
        );
    }
}
