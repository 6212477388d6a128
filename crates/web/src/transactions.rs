//! What the page shows of transactions outside the canvas: the side-by-side group reading with
//! the other isolation.level (a page config choice: `set_compare`), the status line under the
//! "Transactions" box (the page producer's transactional.id, epoch and client state, and its
//! transaction at the coordinator), the box's values, and the message a transaction button
//! shows. Every rule (what a transactional producer needs, which calls are allowed when,
//! fencing) lives in the core; refusals are the core's messages. The box's controls are
//! `crate::controls::transactions`'s; the inspector's transaction rows are
//! `crate::panels::partition`'s.

use crate::dom::{input, select, set_text};
use crate::i18n::{t, tf, Lang};
use streamscope_core::config::settings;
use streamscope_core::config::{IsolationLevel, Setting};
use streamscope_core::{Change, Config, Sim};
use web_sys::Document;

/// The transactional.id the page's producer gets when transactions are switched on.
pub const TRANSACTIONAL_ID: &str = "tx-1";

/// The group added beside the first one, reading with the other isolation.level.
pub const COMPARE_GROUP: &str = "g2";

/// The page's producer application (its index for the core's transaction changes).
pub const APP: u32 = 0;

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

/// The status line under the control box: the page producer's transactional.id, epoch and
/// client state, and its transaction at the coordinator.
pub fn status_text(sim: &Sim, lang: Lang) -> String {
    let Some(p) = sim.running_app_producer(0) else {
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
        let state = sim
            .running_app_producer(0)
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
        crate::dom::set_input_value(doc, id, &get(name));
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

/// The message a transaction button shows once the core took the change.
pub fn change_message(sim: &Sim, change: &Change, lang: Lang) -> String {
    match change {
        Change::BeginTransaction { .. } => t(lang, "txn_begun").to_string(),
        Change::CommitTransaction { .. } => t(lang, "txn_committing").to_string(),
        Change::AbortTransaction { .. } => t(lang, "txn_aborting").to_string(),
        _ => {
            let old = sim.running_app_producer(0);
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
