//! The HTML panels beside the canvas: the inspector of the selected record, partition or
//! control marker (`record`, `partition`, written through `rows`), the key -> partition
//! calculator (`calculator`) and the table of keys a partition-count change moved (`remap`),
//! and the test hook's view of the canvas's hit boxes. Everything they show is computed by
//! the core (`Sim::record_info`, `inspect::place_key`, `inspect::remapped_keys`); they only
//! format it. Text reaches the page through `textContent` only, never as HTML.

mod calculator;
pub mod export;
pub mod metrics;
mod partition;
mod record;
mod remap;
mod rows;

pub use calculator::{calculator, parse_partitions, write_calculator, MAX_PARTITIONS};
pub use partition::{lso_rows, marker_rows, partition_rows};
pub use record::{outcome_text, reason_text, record_rows, short_class, spaced_hex};
pub use remap::{write_remap, Remap, MAX_REMAP_ROWS};
pub use rows::Row;

use crate::dom::set_text;
use crate::i18n::{t, tf, Lang};
use crate::render::{Hits, Target};
use rows::{fill_dl, show};
use streamscope_core::inspect::RECENT_RECORDS;
use streamscope_core::net::TopicPartitionId;
use streamscope_core::Sim;
use web_sys::Document;

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
            record = marker_rows(sim, tp, offset, broker, lang);
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

/// Every clickable box of the last frame (a dense grid's tiles one by one).
pub fn hit_views(hits: &Hits) -> Vec<HitView> {
    hits.boxes()
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
    use streamscope_core::inspect;
    use streamscope_core::producer::partitioner::PartitionReason;
    use streamscope_core::Config;
    use streamscope_core::SimTime;

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
            assert_eq!(get("headers"), "h0=abcdefgh (8 B), h1=bcdefghi (8 B)");
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
}
