//! The counters of the core's invariant monitor the page shows in red: records acknowledged
//! and then lost, records written twice, records out of order. The core counts them; this
//! module is the one place the page reads them, so the rest of the page does not depend on
//! how the core exposes them. It also reads the liveness monitor
//! (`streamscope_core::sim::liveness`): whether a drained run settled or what is stuck.

use streamscope_core::sim::liveness::DrainReport;
use streamscope_core::Sim;

/// What the monitor has counted so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MonitorCounts {
    /// Whether a monitor produced these numbers (false: nothing checks yet, show no number).
    pub live: bool,
    pub acknowledged_lost: u64,
    pub duplicates: u64,
    pub out_of_order: u64,
}

impl MonitorCounts {
    /// No monitor in this build: the page shows "—", never a reassuring 0.
    pub const NOT_WIRED: MonitorCounts = MonitorCounts {
        live: false,
        acknowledged_lost: 0,
        duplicates: 0,
        out_of_order: 0,
    };

    pub fn any(&self) -> bool {
        self.acknowledged_lost + self.duplicates + self.out_of_order > 0
    }
}

/// The monitor's counters for the running simulation (`streamscope_core::monitor`).
pub fn monitor_counts(sim: &streamscope_core::Sim) -> MonitorCounts {
    let m = sim.monitor().counts();
    MonitorCounts {
        live: true,
        acknowledged_lost: m.acknowledged_lost,
        duplicates: m.duplicates,
        out_of_order: m.out_of_order,
    }
}

/// A counter as the page prints it: the number, or "—" without a monitor.
pub fn count_text(counts: &MonitorCounts, n: u64) -> String {
    if counts.live {
        n.to_string()
    } else {
        "—".to_string()
    }
}

/// What the liveness monitor says about the run (`window.streamscope.liveness()`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LivenessStatus {
    /// No drain yet (or none since Reset): the run goes on, nothing is judged.
    Running,
    /// A drain runs: how many parts are not settled yet and the Kafka timeout due first.
    Draining {
        waiting_for: Option<String>,
        unsettled: usize,
    },
    /// The drain found the run settled at `at_us`, after waiting for `waited_for`.
    Settled {
        at_us: u64,
        waited_for: Option<String>,
    },
    /// The drain ended with these parts stuck (the core's text, in Kafka's terms).
    Stuck { parts: Vec<String> },
}

/// The liveness status of `sim`; `draining`: the page runs a drain that is not over yet.
pub fn liveness_status(sim: &Sim, draining: bool) -> LivenessStatus {
    if draining {
        LivenessStatus::Draining {
            waiting_for: sim.pending_timeouts().into_iter().next().map(|t| t.what),
            unsettled: sim.unsettled(false).len(),
        }
    } else {
        status_of_report(sim.drain_report())
    }
}

/// A finished drain's report as the page shows it (`None`: no drain yet).
pub fn status_of_report(report: Option<&DrainReport>) -> LivenessStatus {
    match report {
        None => LivenessStatus::Running,
        Some(r) if r.settled => LivenessStatus::Settled {
            at_us: r.settled_at_us.unwrap_or(r.limit_us),
            waited_for: r.waited_for.clone(),
        },
        Some(r) => LivenessStatus::Stuck {
            parts: r.stuck.clone(),
        },
    }
}

/// The keys of the parts not settled now ("partition orders-0", "group ctp"): what the
/// canvas marks once a drain ended stuck.
pub fn unsettled_keys(sim: &Sim) -> Vec<String> {
    sim.unsettled(false).into_iter().map(|u| u.key).collect()
}

/// The memory line: the core's estimate of its heap in use and the records the logs retain
/// (what Kafka's retention, not the page, ends).
pub fn memory_text(sim: &streamscope_core::Sim, lang: crate::i18n::Lang) -> String {
    let mb = sim.memory_bytes() as f64 / (1024.0 * 1024.0);
    format!(
        "· {} {mb:.1} MB · {} {}",
        crate::i18n::t(lang, "memory_use"),
        crate::i18n::t(lang, "records_retained"),
        sim.retained_records()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drain_report_maps_to_a_status() {
        assert_eq!(status_of_report(None), LivenessStatus::Running);
        let settled = DrainReport {
            settled: true,
            settled_at_us: Some(12_300_000),
            limit_us: 400_000_000,
            waited_for: Some("session.timeout.ms".into()),
            stuck: Vec::new(),
        };
        assert_eq!(
            status_of_report(Some(&settled)),
            LivenessStatus::Settled {
                at_us: 12_300_000,
                waited_for: Some("session.timeout.ms".into())
            }
        );
        let stuck = DrainReport {
            settled: false,
            settled_at_us: None,
            limit_us: 400_000_000,
            waited_for: None,
            stuck: vec!["group g: PreparingRebalance".into()],
        };
        assert_eq!(
            status_of_report(Some(&stuck)),
            LivenessStatus::Stuck {
                parts: vec!["group g: PreparingRebalance".into()]
            }
        );
    }

    #[test]
    fn a_drained_world_settles() {
        let mut sim = Sim::new(streamscope_core::Config::preset(), 1).unwrap();
        sim.run_until(streamscope_core::SimTime(2_000_000));
        assert_eq!(liveness_status(&sim, false), LivenessStatus::Running);
        assert!(matches!(
            liveness_status(&sim, true),
            LivenessStatus::Draining { .. }
        ));
        sim.end_faults();
        let limit = streamscope_core::sim::schedule::drain_limit(sim.config(), sim.now());
        let mut d = sim.drain_start(limit);
        while sim.drain_step(&mut d).is_some() {}
        match liveness_status(&sim, false) {
            LivenessStatus::Settled { at_us, .. } => assert!(at_us >= 2_000_000),
            other => panic!("not settled: {other:?}"),
        }
        assert!(unsettled_keys(&sim).is_empty());
    }

    #[test]
    fn no_number_without_a_monitor() {
        let c = MonitorCounts::NOT_WIRED;
        assert_eq!(count_text(&c, 0), "—");
        assert!(!c.any());
        let c = MonitorCounts {
            live: true,
            duplicates: 2,
            ..c
        };
        assert_eq!(count_text(&c, c.duplicates), "2");
        assert!(c.any());
    }

    #[test]
    fn the_memory_line_counts_retained_records() {
        let mut sim =
            streamscope_core::Sim::new(streamscope_core::Config::preset(), 1).expect("preset");
        sim.run_until(streamscope_core::SimTime(2_000_000));
        let n = sim.retained_records();
        assert!(n > 0);
        let en = memory_text(&sim, crate::i18n::Lang::En);
        assert!(en.contains("MB") && en.ends_with(&n.to_string()), "{en}");
        let ko = memory_text(&sim, crate::i18n::Lang::Ko);
        assert!(ko.contains("보관 중인 레코드"), "{ko}");
    }
}
