//! The counters of the core's invariant monitor the page shows in red: records acknowledged
//! and then lost, records written twice, records out of order. The core counts them; this
//! module is the one place the page reads them, so the rest of the page does not depend on
//! how the core exposes them.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
