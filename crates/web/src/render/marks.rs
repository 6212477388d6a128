//! The flat record of what the canvas drew, as plain data, for the test hook: each broker's
//! state, each replica row, group panel and lag chart as drawn, and what was drawn of
//! transactions ([`TxnFrame`]). What is drawn comes from the core's per-frame view
//! (`streamscope_core::sim::view::Frame`).

use crate::rebalance::{Phase, Step};
use streamscope_core::cluster::BrokerState;
use streamscope_core::sim::view::Frame;
#[cfg(test)]
use streamscope_core::Sim;

/// One replica row drawn in the last frame (what `window.streamscope.drawnReplicas()` lists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReplicaMark {
    pub broker: u32,
    pub topic: u32,
    pub partition: u32,
    pub leader: bool,
    pub in_isr: bool,
    pub broker_state: BrokerState,
    pub log_end_offset: u64,
    pub high_watermark: u64,
    /// Log tiles outlined red: records on screen twice in this log.
    pub duplicates_marked: u32,
    /// The last stable offset drawn on this row (leaders, in a world with transactions).
    pub last_stable_offset: Option<u64>,
    /// Outlined red: the liveness monitor found this partition stuck.
    pub stuck: bool,
    /// Control markers (COMMIT / ABORT) drawn as tiles in this row.
    pub markers_drawn: u32,
    /// On a leader's row: the Kafka error its refusals of the producers' batches were drawn
    /// with (the latest), if any.
    pub refused: Option<&'static str>,
}

/// The lag chart as drawn: the newest sample's values.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ChartMark {
    /// Samples drawn (0: no room for the chart).
    pub samples: u32,
    /// The top of the y axis.
    pub peak: u64,
    pub lag: u64,
    pub committed_lag: u64,
    /// records-lag-max: the largest partition lag of the newest sample.
    pub records_lag_max: u64,
    /// The largest records-lag-max drawn.
    pub records_lag_max_peak: u64,
}

/// One group panel as drawn in the last frame.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GroupMark {
    pub group: u32,
    pub group_id: String,
    pub phase: Phase,
    /// The phase's name and what it means now, as shown.
    pub phase_name: String,
    pub phase_text: String,
    pub generation: u32,
    pub coordinator: u32,
    /// `eager`, `cooperative`, `mixed`, or null without members.
    pub rebalance_protocol: Option<&'static str>,
    pub leader: Option<u32>,
    pub chart: ChartMark,
    /// Phase changes read from the trace, oldest first.
    pub history: Vec<Step>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// Outlined red: the liveness monitor found this group stuck.
    pub stuck: bool,
}

/// Most markers and position marks remembered per frame for the test hook.
pub const MAX_MARKS: usize = 512;

/// A control marker drawn in a log (for `window.streamscope.drawnTransactions()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MarkerMark {
    pub broker: u32,
    pub topic: u32,
    pub partition: u32,
    pub offset: u64,
    pub commit: bool,
    pub producer_id: i64,
    pub producer_epoch: i16,
}

/// A consumer position drawn under a leader row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PositionMark {
    pub consumer: u32,
    pub group: u32,
    pub topic: u32,
    pub partition: u32,
    pub position: u64,
    pub read_committed: bool,
    /// Where its fetch ends now: the LSO (read_committed) or the high watermark.
    pub fetch_limit: u64,
}

/// A transactional producer instance as its box shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ProducerTxnMark {
    pub producer: u32,
    pub transactional_id: String,
    pub epoch: i16,
    /// The client's `TransactionManager` state (`IN_TRANSACTION`, `FATAL_ERROR`, ...).
    pub client_state: &'static str,
    /// The coordinator's state of its transactional.id (current instance only).
    pub coordinator_state: Option<&'static str>,
    pub error: Option<&'static str>,
    /// A Running instance the application no longer drives (same transactional.id).
    pub zombie: bool,
}

/// What the last frame drew of transactions (the test hook's `drawnTransactions()`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct TxnMarks {
    /// Whether the world has transactions (the LSO lines and position marks are drawn).
    pub world: bool,
    /// Brokers carrying the transaction coordinator chip.
    pub coordinators: Vec<u32>,
    pub producers: Vec<ProducerTxnMark>,
    pub markers: Vec<MarkerMark>,
    pub positions: Vec<PositionMark>,
    /// Partitions framed as part of an open transaction: (topic, partition).
    pub open_partitions: Vec<(u32, u32)>,
}

/// What the frame drew of transactions, kept for the test hook; the transaction state itself
/// is the core's frame (`PartitionFrame::txn`, `Frame::positions`).
#[derive(Debug, Default)]
pub struct TxnFrame {
    pub marks: TxnMarks,
}

impl TxnFrame {
    /// Starts this frame's marks: whether the world has transactions, the consumers' positions
    /// and the partitions in an open transaction (the rest is added as it is drawn).
    pub fn observe(&mut self, f: &Frame) {
        self.marks.coordinators.clear();
        self.marks.producers.clear();
        self.marks.markers.clear();
        self.marks.positions.clear();
        self.marks.open_partitions.clear();
        self.marks.world = f.transactions;
        if !self.marks.world {
            return;
        }
        for p in f.positions.iter().take(MAX_MARKS) {
            self.marks.positions.push(PositionMark {
                consumer: p.consumer,
                group: p.group,
                topic: p.tp.topic,
                partition: p.tp.partition,
                position: p.position,
                read_committed: p.read_committed,
                fetch_limit: p.fetch_limit,
            });
        }
        for p in &f.partitions {
            if p.txn.is_some_and(|t| t.in_txn) {
                self.marks
                    .open_partitions
                    .push((p.tp.topic, p.tp.partition));
            }
        }
    }
}

/// For tests here and in `txn_messages`: the preset world with a transactional producer
/// (transactional.id tx-1) that opens no transaction by itself, seed 5.
#[cfg(test)]
pub(super) fn transactional_world() -> Sim {
    let mut c = streamscope_core::Config::preset();
    c.set("transactional.id", "tx-1").unwrap();
    c.set("sim.transaction.records", "0").unwrap();
    Sim::new(c, 5).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::{Change, Config, SimTime};

    #[test]
    fn a_plain_world_draws_no_transactions() {
        let sim = Sim::new(Config::preset(), 1).unwrap();
        let mut f = TxnFrame::default();
        f.observe(&sim.frame());
        assert!(!f.marks.world);
        assert!(f.marks.positions.is_empty());
    }

    #[test]
    fn an_open_transaction_holds_the_lso_and_is_marked() {
        let mut sim = transactional_world();
        sim.run_until(SimTime(500_000));
        sim.apply(Change::BeginTransaction { producer: 0 }).unwrap();
        sim.run_until(SimTime(1_000_000));
        let frame = sim.frame();
        let mut f = TxnFrame::default();
        f.observe(&frame);
        assert!(f.marks.world);
        assert!(
            !f.marks.open_partitions.is_empty(),
            "premise: partitions added"
        );
        let held = frame
            .partitions
            .iter()
            .filter_map(|p| p.txn)
            .filter(|p| p.first_open.is_some_and(|o| p.lso <= o))
            .count();
        assert!(held > 0, "the LSO stops at the open transaction");
        // Positions are read for every assigned partition.
        assert!(!f.marks.positions.is_empty());
        for m in &f.marks.positions {
            assert!(m.read_committed || m.fetch_limit >= m.position);
        }
    }
}
