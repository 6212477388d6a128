//! The inspector's rows for a partition (and one broker's replica of it): leader, replicas,
//! ISR, offsets; in a world with transactions its last stable offset and what holds it
//! (`Sim::lso_holder`) and the aborted transactions its leader indexes; and the rows of a
//! COMMIT / ABORT control marker.

use super::rows::{row, Row};
use crate::i18n::{t, tf, Lang};
use streamscope_core::cluster::Partition;
use streamscope_core::log::EntryKind;
use streamscope_core::net::TopicPartitionId;
use streamscope_core::Sim;

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
    rows.extend(lso_rows(sim, tp, lang));
    if let Some(b) = broker {
        rows.extend(replica_row(p, b, lang));
    }
    Some((title, rows))
}

/// The row for broker `b`'s replica of the partition (none when it holds no replica): its
/// role, whether it is in the ISR, its log end offset and high watermark.
fn replica_row(p: &Partition, b: u32, lang: Lang) -> Option<Row> {
    let r = p.replica(b)?;
    let is_leader = p.leader == Some(b);
    let hw = if is_leader {
        p.high_watermark()
    } else {
        r.high_watermark
    };
    Some(row(
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
    ))
}

/// The partition inspector's transaction rows (in a world with transactions): the last stable
/// offset and what holds it below the high watermark, and the aborted transactions its leader
/// indexes.
pub fn lso_rows(sim: &Sim, tp: TopicPartitionId, lang: Lang) -> Vec<Row> {
    if !sim.has_transactions() {
        return Vec::new();
    }
    let lso = sim.last_stable_offset(tp);
    let value = match sim.lso_holder(tp) {
        Some((pid, first)) => tf(
            lang,
            "insp.lso_held",
            &[
                ("lso", &lso.to_string()),
                ("pid", &pid.to_string()),
                ("first", &first.to_string()),
            ],
        ),
        None => tf(lang, "insp.lso_equal", &[("lso", &lso.to_string())]),
    };
    let aborted = sim
        .partition_transactions(tp)
        .map_or(0, |t| t.aborted.len());
    vec![
        row(t(lang, "insp.lso"), value, "lso"),
        row(
            t(lang, "insp.aborted_index"),
            aborted.to_string(),
            "aborted-index",
        ),
    ]
}

/// The inspector's rows for the control marker at `offset` of `tp` on `broker` (empty when the
/// offset holds no marker any more).
pub fn marker_rows(
    sim: &Sim,
    tp: TopicPartitionId,
    offset: u64,
    broker: u32,
    lang: Lang,
) -> Vec<Row> {
    let Some(e) = sim
        .partition(tp)
        .and_then(|p| p.replica(broker))
        .and_then(|r| r.log.get(offset))
    else {
        return Vec::new();
    };
    let kind = match e.kind {
        EntryKind::ControlCommit => "insp.marker_commit",
        EntryKind::ControlAbort => "insp.marker_abort",
        EntryKind::Data => return Vec::new(),
    };
    let mut rows = vec![
        row(t(lang, "insp.marker"), t(lang, kind).to_string(), "marker"),
        row(t(lang, "insp.offset"), offset.to_string(), "offset"),
        row(t(lang, "pid"), e.producer_id.to_string(), "producer-id"),
        row(
            t(lang, "insp.epoch"),
            e.producer_epoch.to_string(),
            "producer-epoch",
        ),
    ];
    if let Some(m) = sim.transactions().find(|m| m.producer_id == e.producer_id) {
        rows.push(row(
            "transactional.id",
            m.transactional_id.clone(),
            "transactional-id",
        ));
    }
    rows.push(row(
        t(lang, "insp.marker_read"),
        t(lang, "insp.marker_never").to_string(),
        "returned",
    ));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::{Config, SimTime};

    #[test]
    fn a_commit_marker_is_explained() {
        let mut c = Config::preset();
        c.set("transactional.id", "tx-1").unwrap();
        let mut sim = Sim::new(c, 3).unwrap();
        sim.run_until(SimTime(2_000_000));
        let mut found = None;
        'outer: for p in &sim.topics()[0].partitions {
            let Some(l) = p.leader_replica() else {
                continue;
            };
            for (off, e) in l
                .log
                .range(l.log.log_start_offset(), l.log.log_end_offset())
            {
                if e.kind == EntryKind::ControlCommit {
                    found = Some((p.index, off, l.broker));
                    break 'outer;
                }
            }
        }
        let (partition, off, broker) = found.expect("premise: a commit marker in a log");
        let tp = TopicPartitionId {
            topic: 0,
            partition,
        };
        let rows = marker_rows(&sim, tp, off, broker, Lang::En);
        let get = |f: &str| rows.iter().find(|r| r.field == f).map(|r| r.value.clone());
        assert_eq!(
            get("marker").as_deref(),
            Some("COMMIT marker (a control record)")
        );
        assert_eq!(get("offset"), Some(off.to_string()));
        assert_eq!(get("transactional-id").as_deref(), Some("tx-1"));
        assert!(get("returned").unwrap().starts_with("never"));
        // A data offset is not a marker.
        let log = &sim.partition(tp).unwrap().replica(broker).unwrap().log;
        let data = log
            .range(0, off)
            .find(|(_, e)| e.kind == EntryKind::Data)
            .map(|(o, _)| o)
            .expect("premise: data before the marker");
        assert!(marker_rows(&sim, tp, data, broker, Lang::En).is_empty());
        let lso = lso_rows(&sim, tp, Lang::Ko);
        assert_eq!(lso.len(), 2);
        assert!(lso_rows(&Sim::new(Config::preset(), 1).unwrap(), tp, Lang::En).is_empty());
    }
}
