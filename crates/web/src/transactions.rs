//! The DOM side of transactions: the "Transactions" control box (transactional.id on or off,
//! the application's records per transaction and abort share, transaction.timeout.ms,
//! transaction.version, the consumers' isolation.level and a second group with the other
//! level side by side), the Begin / Commit / Abort / Start zombie buttons (each a core
//! `Change`), the status line, the inspector rows of a control marker and of a partition's
//! last stable offset, and `window.streamscope.drawnTransactions()`. Every rule (what a
//! transactional producer needs, which calls are allowed when, fencing) lives in the core;
//! refusals are the core's messages.
//!
//! The consume-transform-produce pipeline's controls in the same box are `crate::pipeline`'s.

use crate::app::{input, on_id, select, set_text, with_app};
use crate::brokers;
use crate::i18n::{t, tf, Lang};
use crate::panels::Row;
use streamscope_core::config::settings;
use streamscope_core::config::{IsolationLevel, Setting};
use streamscope_core::log::EntryKind;
use streamscope_core::net::TopicPartitionId;
use streamscope_core::{Change, Config, Sim};
use wasm_bindgen::prelude::*;
use web_sys::Document;

/// The transactional.id the page's producer gets when transactions are switched on.
pub const TRANSACTIONAL_ID: &str = "tx-1";
/// The group added beside the first one, reading with the other isolation.level.
pub const COMPARE_GROUP: &str = "g2";
/// The page's producer application (its index for the core's transaction changes).
const APP: u32 = 0;

fn other(level: IsolationLevel) -> IsolationLevel {
    match level {
        IsolationLevel::ReadCommitted => IsolationLevel::ReadUncommitted,
        IsolationLevel::ReadUncommitted => IsolationLevel::ReadCommitted,
    }
}

fn level_name(level: IsolationLevel) -> &'static str {
    match level {
        IsolationLevel::ReadCommitted => "read_committed",
        IsolationLevel::ReadUncommitted => "read_uncommitted",
    }
}

/// Whether `cfg` has the side-by-side group.
pub fn compare_on(cfg: &Config) -> bool {
    cfg.groups.iter().any(|g| g.group_id == COMPARE_GROUP)
}

/// Adds (or removes) the side-by-side group: a copy of the first group reading with the other
/// isolation.level. Called again after isolation.level changes (which sets every group).
pub fn set_compare(cfg: &mut Config, on: bool) {
    cfg.groups.retain(|g| g.group_id != COMPARE_GROUP);
    if !on {
        return;
    }
    let Some(first) = cfg.groups.first() else {
        return;
    };
    let mut g = first.clone();
    g.group_id = COMPARE_GROUP.to_string();
    let mut level = Setting::default(other(first.consumer.isolation_level.value));
    level.set(level.value);
    g.consumer.isolation_level = level;
    cfg.groups.push(g);
}

/// The isolation.level the side-by-side group reads with, if it exists.
pub fn compare_level(cfg: &Config) -> Option<&'static str> {
    cfg.groups
        .iter()
        .find(|g| g.group_id == COMPARE_GROUP)
        .map(|g| level_name(g.consumer.isolation_level.value))
}

// ----- the inspector -----

fn row(label: &str, value: String, field: &'static str) -> Row {
    Row {
        label: label.to_string(),
        value,
        field,
    }
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

/// The partition inspector's transaction rows (in a world with transactions): the last stable
/// offset and why, and the aborted transactions its leader indexes.
pub fn partition_rows(sim: &Sim, tp: TopicPartitionId, lang: Lang) -> Vec<Row> {
    if !crate::render::txn_world(sim) {
        return Vec::new();
    }
    let lso = sim.last_stable_offset(tp);
    let hw = sim.partition(tp).map_or(0, |p| p.high_watermark());
    let txns = sim.partition_transactions(tp);
    let earliest = txns.and_then(|t| t.ongoing.iter().min_by_key(|(_, o)| **o));
    let value = match earliest {
        Some((pid, first)) if lso < hw => tf(
            lang,
            "insp.lso_held",
            &[
                ("lso", &lso.to_string()),
                ("pid", &pid.to_string()),
                ("first", &first.to_string()),
            ],
        ),
        _ => tf(lang, "insp.lso_equal", &[("lso", &lso.to_string())]),
    };
    vec![
        row(t(lang, "insp.lso"), value, "lso"),
        row(
            t(lang, "insp.aborted_index"),
            txns.map_or(0, |t| t.aborted.len()).to_string(),
            "aborted-index",
        ),
    ]
}

// ----- the controls -----

/// The status line under the control box: the page producer's transactional.id, epoch and
/// client state, and its transaction at the coordinator.
pub fn status_text(sim: &Sim, lang: Lang) -> String {
    let Some(p) = crate::render::running(sim) else {
        return t(lang, "no_producer").to_string();
    };
    let Some(tm) = &p.txn else {
        return t(lang, "txn_status_off").to_string();
    };
    let coord = sim
        .transactions()
        .find(|m| m.transactional_id == tm.transactional_id);
    let parts: Vec<String> = coord
        .map(|m| {
            m.partitions
                .iter()
                .map(|tp| format!("P{}", tp.partition))
                .collect()
        })
        .unwrap_or_default();
    tf(
        lang,
        "txn_status",
        &[
            ("id", &tm.transactional_id),
            ("pid", &p.producer_id.to_string()),
            ("e", &p.epoch.to_string()),
            ("client", tm.state.name()),
            ("b", &tm.coordinator.to_string()),
            ("state", coord.map_or("-", |m| m.state.name())),
            ("parts", &parts.join(" ")),
        ],
    )
}

/// Brings the status line and its data attributes up to date (called with the stats).
pub fn write_status(doc: &Document, sim: &Sim, lang: Lang) {
    set_text(doc, "txn-status", &status_text(sim, lang));
    if let Some(e) = doc.get_element_by_id("txn-status") {
        let state = crate::render::running(sim)
            .and_then(|p| p.txn.as_ref())
            .map_or("off", |t| t.state.name());
        if e.get_attribute("data-client-state").as_deref() != Some(state) {
            let _ = e.set_attribute("data-client-state", state);
        }
    }
}

/// The controls show the config the next Reset builds (live settings are in it too).
pub fn sync_controls(doc: &Document, pending: &Config) {
    let get = |n: &str| settings::current(pending, n).unwrap_or_default();
    if let Some(i) = input(doc, "txn-enabled") {
        i.set_checked(!get("transactional.id").is_empty());
    }
    for (id, name) in [
        ("txn-records", "sim.transaction.records"),
        ("txn-abort-percent", "sim.transaction.abort.percent"),
        ("txn-timeout", "transaction.timeout.ms"),
    ] {
        if let Some(i) = input(doc, id) {
            i.set_value(&get(name));
        }
    }
    if let Some(s) = select(doc, "txn-version") {
        s.set_value(&get("transaction.version"));
    }
    if let Some(s) = select(doc, "isolation") {
        s.set_value(&get("isolation.level"));
    }
    if let Some(i) = input(doc, "txn-compare") {
        i.set_checked(compare_on(pending));
    }
}

/// Applies a setting from the box (live or on Reset, as the core says) and refreshes it.
fn setting(a: &mut crate::app::App, doc: &Document, name: &str, value: &str) {
    let r = a.apply_setting(name, value);
    if r.is_ok() && name == "isolation.level" && compare_on(&a.pending) {
        // isolation.level sets every group: the side-by-side group keeps the other level.
        set_compare(&mut a.pending, true);
    }
    a.show(r);
    sync_controls(doc, &a.pending);
    a.draw();
}

fn wire_setting(
    doc: &Document,
    id: &'static str,
    name: &'static str,
    value: fn(&Document, &'static str) -> Option<String>,
) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, id, "change", move |_| {
        let Some(v) = value(&d, id) else { return };
        with_app(|a| setting(a, &d, name, &v));
    })
}

fn input_value(d: &Document, id: &'static str) -> Option<String> {
    input(d, id).map(|i| i.value())
}

fn select_value(d: &Document, id: &'static str) -> Option<String> {
    select(d, id).map(|s| s.value())
}

/// The message a transaction button shows once the core took the change.
fn change_message(sim: &Sim, change: &Change, lang: Lang) -> String {
    match change {
        Change::BeginTransaction { .. } => t(lang, "txn_begun").to_string(),
        Change::CommitTransaction { .. } => t(lang, "txn_committing").to_string(),
        Change::AbortTransaction { .. } => t(lang, "txn_aborting").to_string(),
        _ => {
            let old = crate::render::running(sim);
            tf(
                lang,
                "txn_zombie_started",
                &[
                    (
                        "id",
                        old.and_then(|p| p.txn.as_ref())
                            .map_or("-", |t| t.transactional_id.as_str()),
                    ),
                    ("e", &old.map_or(0, |p| p.epoch).to_string()),
                ],
            )
        }
    }
}

fn button(doc: &Document, id: &'static str, change: fn() -> Change) -> Result<(), JsValue> {
    on_id(doc, id, "click", move |_| {
        with_app(|a| {
            let c = change();
            let msg = change_message(&a.sim, &c, a.lang);
            let r = a.apply_change(c).map(|_| msg);
            a.show(r);
            a.draw();
        });
    })
}

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, "txn-enabled", "change", move |_| {
        let on = input(&d, "txn-enabled").is_some_and(|i| i.checked());
        let id = if on { TRANSACTIONAL_ID } else { "" };
        with_app(|a| setting(a, &d, "transactional.id", id));
    })?;
    wire_setting(doc, "txn-records", "sim.transaction.records", input_value)?;
    wire_setting(
        doc,
        "txn-abort-percent",
        "sim.transaction.abort.percent",
        input_value,
    )?;
    wire_setting(doc, "txn-timeout", "transaction.timeout.ms", input_value)?;
    wire_setting(doc, "txn-version", "transaction.version", select_value)?;
    wire_setting(doc, "isolation", "isolation.level", select_value)?;
    let d = doc.clone();
    on_id(doc, "txn-compare", "change", move |_| {
        let on = input(&d, "txn-compare").is_some_and(|i| i.checked());
        with_app(|a| {
            set_compare(&mut a.pending, on);
            let level = compare_level(&a.pending).unwrap_or("-");
            brokers::queue(&mut a.queued, &format!("group {COMPARE_GROUP}"), level);
            brokers::write_pending(&d, &a.queued, a.lang);
            let msg = if on {
                tf(
                    a.lang,
                    "txn_compare_on",
                    &[("g", COMPARE_GROUP), ("l", level)],
                )
            } else {
                tf(a.lang, "txn_compare_off", &[("g", COMPARE_GROUP)])
            };
            a.show(Ok(msg));
            sync_controls(&d, &a.pending);
        });
    })?;
    button(doc, "txn-begin", || Change::BeginTransaction {
        producer: APP,
    })?;
    button(doc, "txn-commit", || Change::CommitTransaction {
        producer: APP,
    })?;
    button(doc, "txn-abort", || Change::AbortTransaction {
        producer: APP,
    })?;
    button(doc, "txn-zombie", || Change::StartZombie { producer: APP })?;
    Ok(())
}

/// Adds `drawnTransactions()` to the test hook: what the last frame drew of transactions
/// (`render::TxnMarks`) plus the status line's text.
pub fn install_hook(hook: &js_sys::Object) -> Result<(), JsValue> {
    let drawn = Closure::<dyn Fn() -> JsValue>::new(|| {
        with_app(|a| {
            let ser = serde_wasm_bindgen::Serializer::json_compatible();
            let v = serde::Serialize::serialize(&a.view.txn.marks, &ser).unwrap_or(JsValue::NULL);
            let _ = js_sys::Reflect::set(
                &v,
                &"status".into(),
                &JsValue::from_str(&status_text(&a.sim, a.lang)),
            );
            let _ = js_sys::Reflect::set(
                &v,
                &"compare_group".into(),
                &compare_level(a.sim.config()).map_or(JsValue::NULL, JsValue::from_str),
            );
            v
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(hook, &"drawnTransactions".into(), drawn.as_ref())?;
    drawn.forget();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::SimTime;

    #[test]
    fn the_side_by_side_group_reads_with_the_other_level() {
        let mut c = Config::preset();
        c.set("isolation.level", "read_committed").unwrap();
        set_compare(&mut c, true);
        assert_eq!(c.groups.len(), 2);
        assert_eq!(compare_level(&c), Some("read_uncommitted"));
        c.validate().unwrap();
        // Setting isolation.level again sets every group; the page puts g2 back to the other.
        c.set("isolation.level", "read_uncommitted").unwrap();
        set_compare(&mut c, true);
        assert_eq!(compare_level(&c), Some("read_committed"));
        assert_eq!(c.groups.len(), 2);
        set_compare(&mut c, false);
        assert_eq!(c.groups.len(), 1);
        assert_eq!(compare_level(&c), None);
        let sim = Sim::new(
            {
                let mut c = c.clone();
                set_compare(&mut c, true);
                c
            },
            1,
        )
        .unwrap();
        assert_eq!(sim.groups().len(), 2);
        let rc: Vec<bool> = sim
            .consumers()
            .iter()
            .map(|x| sim.consumer_read_committed(x.index))
            .collect();
        assert!(rc.contains(&true) && rc.contains(&false), "{rc:?}");
    }

    #[test]
    fn a_commit_marker_is_explained() {
        let mut c = Config::preset();
        c.set("transactional.id", TRANSACTIONAL_ID).unwrap();
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
        assert_eq!(get("transactional-id").as_deref(), Some(TRANSACTIONAL_ID));
        assert!(get("returned").unwrap().starts_with("never"));
        // A data offset is not a marker.
        let log = &sim.partition(tp).unwrap().replica(broker).unwrap().log;
        let data = log
            .range(0, off)
            .find(|(_, e)| e.kind == EntryKind::Data)
            .map(|(o, _)| o)
            .expect("premise: data before the marker");
        assert!(marker_rows(&sim, tp, data, broker, Lang::En).is_empty());
        let lso = partition_rows(&sim, tp, Lang::Ko);
        assert_eq!(lso.len(), 2);
        assert!(partition_rows(&Sim::new(Config::preset(), 1).unwrap(), tp, Lang::En).is_empty());
    }

    #[test]
    fn every_control_has_a_value() {
        let mut c = Config::preset();
        for (name, want) in [
            ("transactional.id", ""),
            ("sim.transaction.records", "10"),
            ("sim.transaction.abort.percent", "0"),
            ("transaction.timeout.ms", "60000"),
            ("transaction.version", "2"),
            ("isolation.level", "read_uncommitted"),
        ] {
            assert_eq!(settings::current(&c, name).as_deref(), Some(want), "{name}");
        }
        c.set("sim.transaction.records", "0").unwrap();
        c.set("sim.transaction.abort.percent", "25").unwrap();
        assert_eq!(
            settings::current(&c, "sim.transaction.records").as_deref(),
            Some("0")
        );
        assert_eq!(
            settings::current(&c, "sim.transaction.abort.percent").as_deref(),
            Some("25")
        );
    }

    #[test]
    fn status_names_the_states() {
        let mut c = Config::preset();
        assert!(status_text(&Sim::new(c.clone(), 1).unwrap(), Lang::En).contains("off"));
        c.set("transactional.id", TRANSACTIONAL_ID).unwrap();
        c.set("sim.transaction.records", "0").unwrap();
        let mut sim = Sim::new(c, 1).unwrap();
        sim.run_until(SimTime(300_000));
        sim.apply(Change::BeginTransaction { producer: APP })
            .unwrap();
        sim.run_until(SimTime(600_000));
        let s = status_text(&sim, Lang::En);
        assert!(s.contains("IN_TRANSACTION") && s.contains("Ongoing"), "{s}");
    }
}
