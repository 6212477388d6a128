//! The HTML panels beside the canvas: the record inspector, the key -> partition
//! calculator and the table of keys a partition-count change moved. Everything they show is
//! computed by the core (`Sim::record_info`, `inspect::place_key`, `inspect::remapped_keys`);
//! this module only formats it. Text reaches the page through `textContent` only, never as
//! HTML.

use crate::app::set_text;
use crate::i18n::{t, tf, Lang};
use crate::render::{Hit, Target};
use streamscope_core::inspect::{self, RecordInfo, RECENT_RECORDS};
use streamscope_core::net::TopicPartitionId;
use streamscope_core::producer::partitioner::PartitionReason;
use streamscope_core::producer::record::{key_text, Serializer};
use streamscope_core::{Sim, SimTime};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlInputElement};

/// Largest partition count the calculator takes (Kafka's partition ids are Java ints).
pub const MAX_PARTITIONS: u64 = i32::MAX as u64;
/// Rows the table of moved keys shows at most.
pub const MAX_REMAP_ROWS: usize = 64;

/// One `<dt>`/`<dd>` pair; `field` names the value for tests (`data-field`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub label: String,
    pub value: String,
    pub field: &'static str,
}

fn row(label: impl Into<String>, value: impl Into<String>, field: &'static str) -> Row {
    Row {
        label: label.into(),
        value: value.into(),
        field,
    }
}

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
    let pid = sim
        .producers()
        .get(info.producer as usize)
        .map_or(-1, |p| p.producer_id);
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
    let headers = if info.headers.is_empty() {
        t(lang, "insp.no_headers").to_string()
    } else {
        info.headers
            .iter()
            .map(|(name, n)| {
                tf(
                    lang,
                    "insp.header_fmt",
                    &[("name", name), ("n", &n.to_string())],
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![
        row(
            t(lang, "insp.record"),
            tf(
                lang,
                "insp.record_fmt",
                &[
                    ("id", &info.record_id.to_string()),
                    ("pid", &pid.to_string()),
                ],
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
        row(
            t(lang, "insp.partition"),
            info.partition.to_string(),
            "partition",
        ),
        row(t(lang, "insp.batch"), info.batch_id.to_string(), "batch"),
        row(t(lang, "insp.why"), reason_text(sim, info, lang), "reason"),
        row(t(lang, "insp.outcome"), outcome_text(info, lang), "outcome"),
    ]
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

fn list(v: &[u32]) -> String {
    let items: Vec<String> = v.iter().map(|b| b.to_string()).collect();
    format!("[{}]", items.join(", "))
}

/// The inspector's rows for a partition (and one broker's replica of it): (title, rows).
pub fn partition_rows(
    sim: &Sim,
    tp: TopicPartitionId,
    broker: Option<u32>,
    lang: Lang,
) -> Option<(String, Vec<Row>)> {
    let topic = sim.topics().get(tp.topic as usize)?;
    let p = sim.partition(tp)?;
    let title = tf(
        lang,
        "insp.partition_title",
        &[("p", &tp.partition.to_string()), ("topic", &topic.name)],
    );
    let leader = match p.leader {
        Some(b) => tf(
            lang,
            "insp.leader_fmt",
            &[("b", &b.to_string()), ("e", &p.leader_epoch.to_string())],
        ),
        None => t(lang, "insp.offline").to_string(),
    };
    let replicas: Vec<u32> = p.replicas.iter().map(|r| r.broker).collect();
    let mut rows = vec![
        row(t(lang, "insp.leader"), leader, "leader"),
        row(t(lang, "insp.replicas"), list(&replicas), "replicas"),
        row(t(lang, "insp.isr"), list(&p.isr), "isr"),
        row(t(lang, "insp.leo"), p.log_end_offset().to_string(), "leo"),
        row(t(lang, "insp.hw"), p.high_watermark().to_string(), "hw"),
        row(
            t(lang, "insp.log_start"),
            p.leader_replica()
                .map_or(0, |r| r.log.log_start_offset())
                .to_string(),
            "log-start",
        ),
    ];
    rows.extend(crate::transactions::partition_rows(sim, tp, lang));
    if let Some(b) = broker {
        if let Some(r) = p.replica(b) {
            let is_leader = p.leader == Some(b);
            let hw = if is_leader {
                p.high_watermark()
            } else {
                r.high_watermark
            };
            rows.push(row(
                tf(lang, "insp.on_broker", &[("b", &b.to_string())]),
                tf(
                    lang,
                    "insp.replica_fmt",
                    &[
                        (
                            "role",
                            t(lang, if is_leader { "leader" } else { "follower" }),
                        ),
                        (
                            "isr",
                            t(
                                lang,
                                if p.isr.contains(&b) {
                                    "in_isr"
                                } else {
                                    "not_in_isr"
                                },
                            ),
                        ),
                        ("leo", &r.log.log_end_offset().to_string()),
                        ("hw", &hw.to_string()),
                    ],
                ),
                "replica",
            ));
        }
    }
    Some((title, rows))
}

fn show(e: &Element, visible: bool) {
    if visible {
        let _ = e.remove_attribute("hidden");
    } else {
        let _ = e.set_attribute("hidden", "");
    }
}

fn set_if_changed(e: &Element, s: &str) {
    if e.text_content().as_deref() != Some(s) {
        e.set_text_content(Some(s));
    }
}

/// Fills `<dl id>` with the rows, updating the existing elements in place when the shape is
/// the same (so a refresh while playing does not rebuild the list).
fn fill_dl(doc: &Document, id: &str, rows: &[Row]) {
    let Some(dl) = doc.get_element_by_id(id) else {
        return;
    };
    show(&dl, !rows.is_empty());
    if dl.child_element_count() as usize == rows.len() * 2 {
        let mut cur = dl.first_element_child();
        for r in rows {
            let Some(dt) = cur else { return };
            set_if_changed(&dt, &r.label);
            let Some(dd) = dt.next_element_sibling() else {
                return;
            };
            set_if_changed(&dd, &r.value);
            if dd.get_attribute("data-field").as_deref() != Some(r.field) {
                let _ = dd.set_attribute("data-field", r.field);
            }
            cur = dd.next_element_sibling();
        }
        return;
    }
    dl.set_text_content(None);
    for r in rows {
        let (Ok(dt), Ok(dd)) = (doc.create_element("dt"), doc.create_element("dd")) else {
            return;
        };
        dt.set_text_content(Some(&r.label));
        dd.set_text_content(Some(&r.value));
        let _ = dd.set_attribute("data-field", r.field);
        let _ = dl.append_child(&dt);
        let _ = dl.append_child(&dd);
    }
}

/// Shows (or hides, with no selection) the inspector for the selected record or partition.
pub fn write_inspector(doc: &Document, sim: &Sim, lang: Lang, selected: Option<Target>) {
    let Some(panel) = doc.get_element_by_id("inspector") else {
        return;
    };
    let Some(selected) = selected else {
        show(&panel, false);
        return;
    };
    show(&panel, true);
    let mut note = String::new();
    let mut record = Vec::new();
    let part = match selected {
        Target::Record(id) => match sim.record_info(id) {
            Some(info) => {
                record = record_rows(sim, &info, lang);
                sim.topics()
                    .iter()
                    .position(|t| t.name == info.topic)
                    .map(|ti| (ti as u32, info.partition, None))
            }
            None => {
                note = tf(
                    lang,
                    "insp.gone",
                    &[("id", &id.to_string()), ("n", &RECENT_RECORDS.to_string())],
                );
                None
            }
        },
        Target::Partition {
            topic,
            partition,
            broker,
        } => Some((topic, partition, broker)),
        Target::Marker {
            topic,
            partition,
            offset,
            broker,
        } => {
            let tp = TopicPartitionId { topic, partition };
            record = crate::transactions::marker_rows(sim, tp, offset, broker, lang);
            if record.is_empty() {
                note = t(lang, "txn_marker_gone").to_string();
            }
            Some((topic, partition, Some(broker)))
        }
    };
    set_text(doc, "inspector-note", &note);
    if let Some(e) = doc.get_element_by_id("inspector-note") {
        show(&e, !note.is_empty());
    }
    fill_dl(doc, "inspector-record", &record);
    let (title, rows) = part
        .and_then(|(topic, partition, broker)| {
            partition_rows(sim, TopicPartitionId { topic, partition }, broker, lang)
        })
        .unwrap_or_default();
    set_text(doc, "inspector-partition-title", &title);
    if let Some(e) = doc.get_element_by_id("inspector-partition-title") {
        show(&e, !title.is_empty());
    }
    fill_dl(doc, "inspector-partition", &rows);
}

// ----- the calculator -----

/// The calculator's partition count: an integer from 1 to 2147483647.
pub fn parse_partitions(raw: &str) -> Option<u32> {
    match raw.trim().parse::<u64>() {
        Ok(n) if (1..=MAX_PARTITIONS).contains(&n) => Some(n as u32),
        _ => None,
    }
}

/// What the calculator shows: the cells by element id, and the error (empty when valid).
pub fn calculator(
    key: &str,
    raw_partitions: &str,
    lang: Lang,
) -> (Vec<(&'static str, String)>, String) {
    let n = match parse_partitions(raw_partitions) {
        Some(n) => n,
        None => {
            let err = tf(
                lang,
                "calc_invalid",
                &[
                    ("field", t(lang, "calc_partitions")),
                    ("value", raw_partitions),
                ],
            );
            let cells = vec![
                ("calc-bytes", String::new()),
                ("calc-java", "—".to_string()),
                ("calc-java-how", String::new()),
                ("calc-rdkafka", "—".to_string()),
                ("calc-rdkafka-how", String::new()),
                ("calc-verdict", String::new()),
            ];
            return (cells, err);
        }
    };
    let bytes = key.as_bytes();
    let placed = inspect::place_key(bytes, n);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let shown_hex = if hex.is_empty() {
        "—".to_string()
    } else {
        spaced_hex(&hex, 48)
    };
    let ns = n.to_string();
    let (rd, rd_how) = match placed.librdkafka_partition {
        Some(p) => (
            p.to_string(),
            tf(
                lang,
                "calc_rdkafka_how",
                &[
                    ("n", &ns),
                    ("c", &format!("0x{:08x} ({})", placed.crc32, placed.crc32)),
                ],
            ),
        ),
        None => (
            t(lang, "calc_random").to_string(),
            t(lang, "calc_rdkafka_empty").to_string(),
        ),
    };
    let verdict = match placed.librdkafka_partition {
        Some(p) if p == placed.java_partition => t(lang, "calc_same"),
        Some(_) => t(lang, "calc_differ"),
        None => "",
    };
    let cells = vec![
        (
            "calc-bytes",
            tf(
                lang,
                "calc_bytes",
                &[(
                    "hex",
                    &tf(
                        lang,
                        "insp.bytes_fmt",
                        &[("hex", &shown_hex), ("n", &bytes.len().to_string())],
                    ),
                )],
            ),
        ),
        ("calc-java", placed.java_partition.to_string()),
        (
            "calc-java-how",
            tf(
                lang,
                "calc_java_how",
                &[("n", &ns), ("h", &placed.murmur2.to_string())],
            ),
        ),
        ("calc-rdkafka", rd),
        ("calc-rdkafka-how", rd_how),
        ("calc-verdict", verdict.to_string()),
    ];
    (cells, String::new())
}

fn input_value(doc: &Document, id: &str) -> String {
    doc.get_element_by_id(id)
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

/// Recomputes the calculator from its inputs.
pub fn write_calculator(doc: &Document, lang: Lang) {
    let key = input_value(doc, "calc-key");
    let raw = input_value(doc, "calc-partitions");
    let (cells, err) = calculator(&key, &raw, lang);
    for (id, s) in &cells {
        set_text(doc, id, s);
    }
    set_text(doc, "calc-error", &err);
    if let Some(e) = doc.get_element_by_id("calc-partitions") {
        let _ = e.set_attribute(
            "aria-invalid",
            if err.is_empty() { "false" } else { "true" },
        );
    }
}

// ----- adding partitions -----

/// A live change of the partition count and the keys it moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remap {
    pub old: u32,
    pub new: u32,
    /// `sim.keys`: the key space the application uses.
    pub keys: u32,
    pub serializer: Serializer,
    /// How many keys moved.
    pub moved: usize,
    /// The first [`MAX_REMAP_ROWS`] of them: (key number, old partition, new partition).
    pub rows: Vec<(u32, u32, u32)>,
}

impl Remap {
    /// The keys of the running application that hash elsewhere with `new` partitions.
    pub fn compute(sim: &Sim, old: u32, new: u32) -> Remap {
        let app = sim.config().producers.first();
        let keys = app.map_or(0, |p| p.workload.keys.value);
        let serializer = crate::render::running(sim)
            .map(|p| p.config.key_serializer.value)
            .or(app.map(|p| p.key_serializer.value))
            .unwrap_or(Serializer::String);
        let mut rows = inspect::remapped_keys(serializer, keys, old, new);
        let moved = rows.len();
        rows.truncate(MAX_REMAP_ROWS);
        Remap {
            old,
            new,
            keys,
            serializer,
            moved,
            rows,
        }
    }

    pub fn summary(&self, lang: Lang) -> String {
        if self.keys == 0 {
            return t(lang, "remap_keyless").to_string();
        }
        tf(
            lang,
            "remap_summary",
            &[
                ("old", &self.old.to_string()),
                ("new", &self.new.to_string()),
                ("moved", &self.moved.to_string()),
                ("keys", &self.keys.to_string()),
            ],
        )
    }

    pub fn applied_text(&self, lang: Lang) -> String {
        tf(
            lang,
            "remap_applied",
            &[
                ("moved", &self.moved.to_string()),
                ("keys", &self.keys.to_string()),
            ],
        )
    }
}

/// Shows (or hides) the table of moved keys.
pub fn write_remap(doc: &Document, lang: Lang, remap: Option<&Remap>) {
    let Some(panel) = doc.get_element_by_id("remap") else {
        return;
    };
    let Some(r) = remap else {
        show(&panel, false);
        return;
    };
    show(&panel, true);
    set_text(doc, "remap-summary", &r.summary(lang));
    if let Some(body) = doc.get_element_by_id("remap-body") {
        body.set_text_content(None);
        for &(k, a, b) in &r.rows {
            let Ok(tr) = doc.create_element("tr") else {
                return;
            };
            for (tag, s) in [
                ("th", key_text(r.serializer, k)),
                ("td", a.to_string()),
                ("td", b.to_string()),
            ] {
                if let Ok(cell) = doc.create_element(tag) {
                    if tag == "th" {
                        let _ = cell.set_attribute("scope", "row");
                    }
                    cell.set_text_content(Some(&s));
                    let _ = tr.append_child(&cell);
                }
            }
            let _ = body.append_child(&tr);
        }
    }
    let more = r.moved.saturating_sub(r.rows.len());
    let more_text = if more > 0 {
        tf(lang, "remap_more", &[("n", &more.to_string())])
    } else {
        String::new()
    };
    set_text(doc, "remap-more", &more_text);
}

// ----- the test hook's view of hit boxes -----

/// A hit box as `window.streamscope.hitTargets()` returns it (canvas units).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct HitView {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub kind: &'static str,
    pub record_id: Option<u64>,
    pub topic: Option<u32>,
    pub partition: Option<u32>,
    pub broker: Option<u32>,
    /// A control marker's offset.
    pub offset: Option<u64>,
}

pub fn hit_views(hits: &[Hit]) -> Vec<HitView> {
    hits.iter()
        .map(|h| {
            let mut offset = None;
            let (kind, record_id, topic, partition, broker) = match h.target {
                Target::Record(id) => ("record", Some(id), None, None, None),
                Target::Partition {
                    topic,
                    partition,
                    broker,
                } => ("partition", None, Some(topic), Some(partition), broker),
                Target::Marker {
                    topic,
                    partition,
                    offset: o,
                    broker,
                } => {
                    offset = Some(o);
                    ("marker", None, Some(topic), Some(partition), Some(broker))
                }
            };
            HitView {
                x: h.x,
                y: h.y,
                w: h.w,
                h: h.h,
                kind,
                record_id,
                topic,
                partition,
                broker,
                offset,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::Config;

    fn cell<'a>(cells: &'a [(&str, String)], id: &str) -> &'a str {
        cells
            .iter()
            .find(|c| c.0 == id)
            .map_or("", |c| c.1.as_str())
    }

    #[test]
    fn calculator_shows_both_clients() {
        let (cells, err) = calculator("user-42", "6", Lang::En);
        assert_eq!(err, "");
        assert_eq!(cell(&cells, "calc-java"), "4");
        let placed = inspect::place_key(b"user-42", 6);
        assert_eq!(
            cell(&cells, "calc-rdkafka"),
            placed.librdkafka_partition.unwrap().to_string()
        );
        assert!(cell(&cells, "calc-java-how").contains("1459644460"));
        assert!(cell(&cells, "calc-bytes").contains("75 73 65 72 2d 34 32 (7 bytes)"));
        // An empty key: the Java client hashes it, librdkafka picks at random.
        let (cells, _) = calculator("", "6", Lang::Ko);
        assert_eq!(cell(&cells, "calc-rdkafka"), "무작위");
    }

    #[test]
    fn calculator_names_the_field_and_range() {
        for bad in ["0", "-1", "2147483648", "abc", "", "1.5"] {
            let (_, err) = calculator("k", bad, Lang::En);
            assert_eq!(
                err,
                format!("Number of partitions: '{bad}' is not valid: expected an integer from 1 to 2147483647")
            );
        }
        assert_eq!(parse_partitions(" 2147483647 "), Some(2147483647));
        let (_, err) = calculator("k", "x", Lang::Ko);
        assert!(err.starts_with("파티션 수: 'x'"));
    }

    #[test]
    fn hex_is_spaced_and_bounded() {
        assert_eq!(spaced_hex("6b65792d33", 32), "6b 65 79 2d 33");
        assert_eq!(spaced_hex("00010203", 2), "00 01 …");
        assert_eq!(spaced_hex("", 2), "");
    }

    #[test]
    fn inspector_explains_every_reason_with_the_cores_numbers() {
        let mut c = Config::preset();
        c.set("sim.headers", "2").unwrap();
        let mut sim = Sim::new(c, 3).unwrap();
        sim.run_until(SimTime(300_000));
        let mut keyed = 0;
        let mut sticky = 0;
        for id in 0..60 {
            let Some(info) = sim.record_info(id) else {
                continue;
            };
            let rows = record_rows(&sim, &info, Lang::En);
            let get = |f: &str| rows.iter().find(|r| r.field == f).unwrap().value.clone();
            assert_eq!(get("partition"), info.partition.to_string());
            assert_eq!(get("headers"), "h0 (8 B), h1 (8 B)");
            let why = get("reason");
            match info.reason {
                PartitionReason::KeyHash { partitions, .. } => {
                    keyed += 1;
                    let key = info.key.clone().unwrap();
                    let placed = inspect::place_key(key.as_bytes(), partitions);
                    assert_eq!(placed.java_partition, info.partition);
                    assert!(why.contains("murmur2"), "{why}");
                    assert!(why.contains(&format!("% {partitions} = {}", info.partition)));
                    assert_eq!(get("key"), key);
                }
                PartitionReason::BuiltInSticky => {
                    sticky += 1;
                    assert!(why.contains("16384") && why.contains("32768"), "{why}");
                    assert_eq!(get("key"), "null (no key)");
                }
                _ => {}
            }
            // Both languages have every row.
            assert_eq!(record_rows(&sim, &info, Lang::Ko).len(), rows.len());
        }
        assert!(keyed > 0 && sticky > 0);
        let (title, rows) = partition_rows(
            &sim,
            TopicPartitionId {
                topic: 0,
                partition: 1,
            },
            Some(0),
            Lang::En,
        )
        .unwrap();
        assert_eq!(title, "Partition 1 of orders");
        assert_eq!(rows.len(), 7);
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

    #[test]
    fn remap_lists_moved_keys_bounded() {
        let mut c = Config::preset();
        c.set("sim.keys", "1000").unwrap();
        let sim = Sim::new(c, 1).unwrap();
        let r = Remap::compute(&sim, 6, 8);
        assert_eq!(r.keys, 1000);
        assert!(r.moved > 0 && r.moved < 1000);
        assert_eq!(r.rows.len(), MAX_REMAP_ROWS);
        for &(k, a, b) in &r.rows {
            let key = key_text(Serializer::String, k);
            assert_eq!(inspect::place_key(key.as_bytes(), 6).java_partition, a);
            assert_eq!(inspect::place_key(key.as_bytes(), 8).java_partition, b);
        }
        assert!(r.summary(Lang::En).starts_with("Partitions 6 → 8: "));
    }
}
