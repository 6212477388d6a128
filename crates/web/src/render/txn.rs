//! Transactions on the canvas, drawn only in a world that has them (a transactional producer,
//! or a transactional.id its coordinator knows): the transaction coordinator's chip on its
//! broker; each transactional producer's epoch, client state and its transaction's state at the
//! coordinator (Ongoing, PrepareCommit, CompleteCommit, ...) with the partitions in it; the
//! records of an open transaction bracketed on their replica rows; COMMIT / ABORT control
//! markers as their own tile (white with a green / red frame and a letter); the last stable
//! offset (LSO) as a purple line beside the high watermark on each leader row; and every
//! consumer's position as a small triangle under its partition's leader row (purple:
//! read_committed, which stops at the LSO; orange: read_uncommitted, which runs to the high
//! watermark). Transaction requests in flight are labelled pills.
//!
//! Everything comes from the core (`Sim::transactions`, `Sim::last_stable_offset`,
//! `Sim::partition_transactions`, `Sim::consumer_fetch_limit`, the producers'
//! `TransactionManager`); this module decides nothing about Kafka.

use super::{text, Ctx, Layout, Target, View, DANGER, FONT, INK, MUTED, SMALL, WARN};
use crate::i18n::{t, tf, Lang};
use std::collections::BTreeMap;
use streamscope_core::cluster::Broker;
use streamscope_core::coordinator::txn::state::TxnMetadata;
use streamscope_core::coordinator::txn::state::TxnState;
use streamscope_core::log::{EntryKind, LogEntry};
use streamscope_core::net::{Body, Message, MessageKind, TopicPartitionId};
use streamscope_core::producer::transaction::ClientTxnState;
use streamscope_core::producer::{Producer, ProducerState};
use streamscope_core::Sim;

/// The last stable offset's line and text.
pub const LSO_COLOUR: &str = "#8250df";
/// A read_uncommitted consumer's position mark.
const UNCOMMITTED_COLOUR: &str = "#bc4c00";
const COMMIT_COLOUR: &str = "#1a7f37";
const ABORT_COLOUR: &str = DANGER;
/// The bracket over a log's records in a transaction still open at its leader.
const OPEN_BRACKET: &str = "rgba(130,80,223,0.85)";
/// Most markers and position marks remembered per frame for the test hook.
const MAX_MARKS: usize = 512;
/// Height added to a transactional producer's box for its transaction lines.
pub const PRODUCER_TXN_H: f64 = 68.0;
/// Height added to a zombie's (or closing transactional producer's) compact box.
pub const COMPACT_TXN_H: f64 = 30.0;

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

/// Per partition, what its rows need this frame.
#[derive(Clone, Debug, Default)]
pub(super) struct PartTxn {
    pub lso: u64,
    /// First offset of the earliest transaction open at the leader.
    pub first_open: Option<u64>,
    /// In a transaction the coordinator has not completed.
    pub in_txn: bool,
    /// (consumer, group, read_committed, position).
    pub positions: Vec<(u32, u32, bool, u64)>,
}

/// The frame's transaction state, read once before the brokers are drawn.
#[derive(Debug, Default)]
pub struct TxnFrame {
    pub(super) parts: BTreeMap<TopicPartitionId, PartTxn>,
    pub marks: TxnMarks,
}

/// Whether this world has transactions.
pub fn txn_world(sim: &Sim) -> bool {
    sim.producers().iter().any(|p| p.txn.is_some()) || sim.transactions().next().is_some()
}

fn open(state: TxnState) -> bool {
    matches!(
        state,
        TxnState::Ongoing | TxnState::PrepareCommit | TxnState::PrepareAbort
    )
}

/// A Running instance that its application no longer drives (a zombie). A pipeline
/// processor's producer is drawn with its processor, never as the application's zombie.
pub fn is_zombie(sim: &Sim, p: &Producer) -> bool {
    p.state == ProducerState::Running
        && sim.app_instance(p.app) != Some(p.index)
        && !crate::pipeline::is_processor_producer(p)
}

/// The coordinator's metadata for a transactional.id.
fn metadata<'a>(sim: &'a Sim, id: &str) -> Option<&'a TxnMetadata> {
    sim.transactions().find(|m| m.transactional_id == id)
}

impl TxnFrame {
    /// Reads what this frame draws: per partition the LSO, the open transaction's first
    /// offset, whether a coordinator has it in a transaction, and the consumers' positions.
    pub(super) fn observe(&mut self, sim: &Sim) {
        self.parts.clear();
        self.marks.coordinators.clear();
        self.marks.producers.clear();
        self.marks.markers.clear();
        self.marks.positions.clear();
        self.marks.open_partitions.clear();
        self.marks.world = txn_world(sim);
        if !self.marks.world {
            return;
        }
        for (ti, topic) in sim.topics().iter().enumerate() {
            for p in &topic.partitions {
                let tp = TopicPartitionId {
                    topic: ti as u32,
                    partition: p.index,
                };
                let first_open = sim
                    .partition_transactions(tp)
                    .and_then(|t| t.ongoing.values().min().copied());
                self.parts.insert(
                    tp,
                    PartTxn {
                        lso: sim.last_stable_offset(tp),
                        first_open,
                        ..PartTxn::default()
                    },
                );
            }
        }
        for m in sim.transactions().filter(|m| open(m.state)) {
            for tp in &m.partitions {
                if let Some(pt) = self.parts.get_mut(tp) {
                    pt.in_txn = true;
                }
            }
        }
        for c in sim.consumers() {
            let rc = sim.consumer_read_committed(c.index);
            for tp in &c.assignment {
                if let (Some(pt), Some(pos)) = (self.parts.get_mut(tp), c.positions.get(tp)) {
                    pt.positions.push((c.index, c.group, rc, *pos));
                    if self.marks.positions.len() < MAX_MARKS {
                        self.marks.positions.push(PositionMark {
                            consumer: c.index,
                            group: c.group,
                            topic: tp.topic,
                            partition: tp.partition,
                            position: *pos,
                            read_committed: rc,
                            fetch_limit: sim.consumer_fetch_limit(c.index, *tp),
                        });
                    }
                }
            }
        }
        for (tp, pt) in &self.parts {
            if pt.in_txn {
                self.marks.open_partitions.push((tp.topic, tp.partition));
            }
        }
    }
}

/// The offset scale of a replica row: x of offset `off`.
#[derive(Clone, Copy)]
pub(super) struct Scale {
    pub x0: f64,
    pub from: u64,
    pub step: f64,
}

impl Scale {
    pub fn at(&self, off: u64) -> f64 {
        self.x0 + off.saturating_sub(self.from) as f64 * self.step
    }
}

/// A purple bracket over the records of transactions still open at the leader (from the
/// earliest open first offset to the log end; drawn over the tiles), and a frame round the
/// row label of a partition in a transaction.
pub(super) fn draw_open_band(
    ctx: &Ctx,
    view: &View,
    tp: TopicPartitionId,
    scale: Scale,
    (ry, row_h): (f64, f64),
    (leo, label_x, label_w): (u64, f64, f64),
) {
    let Some(pt) = view.txn.parts.get(&tp) else {
        return;
    };
    if let Some(first) = pt.first_open {
        if first < leo {
            let x = scale.at(first.max(scale.from));
            let w = scale.at(leo) - x;
            ctx.set_fill_style_str(OPEN_BRACKET);
            ctx.fill_rect(x, ry, w - 1.0, 3.0);
            ctx.fill_rect(x, ry, 1.5, row_h * 0.45);
        }
    }
    if pt.in_txn {
        ctx.set_stroke_style_str(LSO_COLOUR);
        ctx.set_line_width(1.5);
        ctx.stroke_rect(label_x + 0.75, ry + 0.75, label_w - 1.5, row_h - 3.5);
    }
}

/// One control marker's tile: white with a coloured frame and C / A, clickable.
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_marker(
    ctx: &Ctx,
    view: &mut View,
    e: &LogEntry,
    (tp, offset, broker): (TopicPartitionId, u64, u32),
    (x, y, w, h): (f64, f64, f64, f64),
) {
    let commit = e.kind == EntryKind::ControlCommit;
    let colour = if commit { COMMIT_COLOUR } else { ABORT_COLOUR };
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(x, y, w, h);
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(2.0);
    ctx.stroke_rect(x + 1.0, y + 1.0, w - 2.0, h - 2.0);
    if h >= 11.0 {
        ctx.set_text_align("center");
        text(
            ctx,
            if commit { "C" } else { "A" },
            x + w / 2.0,
            y + h / 2.0 + 3.5,
            colour,
            "700 9px system-ui, sans-serif",
        );
        ctx.set_text_align("left");
    }
    let target = Target::Marker {
        topic: tp.topic,
        partition: tp.partition,
        offset,
        broker,
    };
    view.hits.push(x, y, w, h, target);
    if view.selected == Some(target) {
        ctx.set_stroke_style_str(INK);
        ctx.set_line_width(2.0);
        ctx.stroke_rect(x - 1.0, y - 1.0, w + 2.0, h + 2.0);
    }
    if view.txn.marks.markers.len() < MAX_MARKS {
        view.txn.marks.markers.push(MarkerMark {
            broker,
            topic: tp.topic,
            partition: tp.partition,
            offset,
            commit,
            producer_id: e.producer_id,
            producer_epoch: e.producer_epoch,
        });
    }
}

/// The LSO line on a leader row (just left of the high watermark's when they are equal) and
/// the consumers' positions under it. Returns the LSO drawn.
pub(super) fn draw_lso_and_positions(
    ctx: &Ctx,
    view: &View,
    tp: TopicPartitionId,
    scale: Scale,
    (ry, row_h): (f64, f64),
) -> Option<u64> {
    let pt = view.txn.parts.get(&tp)?;
    ctx.set_fill_style_str(LSO_COLOUR);
    if pt.lso >= scale.from {
        ctx.fill_rect(scale.at(pt.lso) - 4.5, ry - 1.0, 2.0, row_h);
    } else {
        // Left of the drawn offsets: a purple arrow at the log's start.
        let (x, h) = (scale.x0 - 2.0, (row_h - 4.0) / 2.0);
        ctx.begin_path();
        ctx.move_to(x, ry + 1.0 + h);
        ctx.line_to(x + h * 0.8, ry + 1.0);
        ctx.line_to(x + h * 0.8, ry + 1.0 + 2.0 * h);
        ctx.close_path();
        ctx.fill();
    }
    for (_, _, rc, pos) in &pt.positions {
        // A position left of the drawn offsets sits at the log's start.
        let x = scale.at((*pos).max(scale.from)) - 1.5;
        let base = ry + row_h - 1.0;
        ctx.begin_path();
        ctx.move_to(x - 3.5, base);
        ctx.line_to(x + 3.5, base);
        ctx.line_to(x, base - 6.0);
        ctx.close_path();
        ctx.set_fill_style_str(if *rc { LSO_COLOUR } else { UNCOMMITTED_COLOUR });
        ctx.fill();
        ctx.set_stroke_style_str("#ffffff");
        ctx.set_line_width(0.75);
        ctx.stroke();
    }
    Some(pt.lso)
}

/// Whether a broker leads the `__transaction_state` partition of some transactional.id.
fn coordinates(sim: &Sim, b: u32) -> bool {
    sim.transactions().any(|m| m.coordinator == b)
        || sim
            .producers()
            .iter()
            .filter_map(|p| p.txn.as_ref())
            .any(|t| t.coordinator == b)
}

/// The "txn coordinator" chip after the broker's title (and its group coordinator chip, if
/// any), from `x`; it keeps clear of the Crash / Restart button.
pub(super) fn draw_coordinator_chip(
    ctx: &Ctx,
    sim: &Sim,
    l: &Layout,
    lang: Lang,
    view: &mut View,
    (b, x): (&Broker, f64),
) {
    if !view.txn.marks.world || !b.alive || !coordinates(sim, b.id) {
        return;
    }
    let y = l.broker_y(b.id);
    let label = t(lang, "txn_coordinator");
    ctx.set_font(SMALL);
    let max_w = l.broker_x + l.broker_w - super::BUTTON_ROOM - 8.0 - x;
    if max_w < 24.0 {
        return;
    }
    let chip_w = (ctx.measure_text(label).map_or(80.0, |m| m.width()) + 10.0).min(max_w);
    ctx.set_fill_style_str("#fbefff");
    ctx.fill_rect(x, y + 5.0, chip_w, 14.0);
    ctx.set_stroke_style_str(LSO_COLOUR);
    ctx.set_line_width(1.0);
    ctx.stroke_rect(x + 0.5, y + 5.5, chip_w - 1.0, 13.0);
    ctx.save();
    ctx.begin_path();
    ctx.rect(x, y + 5.0, chip_w, 14.0);
    ctx.clip();
    text(ctx, label, x + 5.0, y + 15.5, LSO_COLOUR, SMALL);
    ctx.restore();
    view.txn.marks.coordinators.push(b.id);
}

/// The colour of a coordinator state.
fn state_colour(s: TxnState) -> &'static str {
    match s {
        TxnState::Empty => MUTED,
        TxnState::Ongoing => LSO_COLOUR,
        TxnState::PrepareCommit | TxnState::PrepareAbort => WARN,
        TxnState::CompleteCommit => COMMIT_COLOUR,
        TxnState::CompleteAbort => ABORT_COLOUR,
    }
}

/// The extra height a producer box needs for its transaction lines.
pub fn producer_extra(p: &Producer, compact: bool) -> f64 {
    match (&p.txn, compact) {
        (None, _) => 0.0,
        (Some(_), false) => PRODUCER_TXN_H,
        (Some(_), true) => COMPACT_TXN_H,
    }
}

/// A transactional producer's lines at the bottom of its box (from `y`, `w` wide):
/// transactional.id and epoch, the coordinator's state of its transaction with the partitions
/// in it, and committed / aborted counts or the fencing error. A compact (zombie or closing)
/// box gets one line: epoch, client state, error.
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_producer_txn(
    ctx: &Ctx,
    sim: &Sim,
    lang: Lang,
    view: &mut View,
    p: &Producer,
    (x, y, w): (f64, f64, f64),
    compact: bool,
) {
    let Some(tm) = &p.txn else {
        return;
    };
    let zombie = is_zombie(sim, p);
    let meta = if zombie || compact {
        None
    } else {
        metadata(sim, &tm.transactional_id)
    };
    view.txn.marks.producers.push(ProducerTxnMark {
        producer: p.index,
        transactional_id: tm.transactional_id.clone(),
        epoch: p.epoch,
        client_state: tm.state.name(),
        coordinator_state: meta.map(|m| m.state.name()),
        error: tm.fatal_error.map(|e| e.name()),
        zombie,
    });
    let fatal = tm.state == ClientTxnState::Fatal;
    if compact {
        let colour = if fatal { DANGER } else { WARN };
        let s = tf(
            lang,
            "txn_zombie_line",
            &[("e", &p.epoch.to_string()), ("s", tm.state.name())],
        );
        text(ctx, &s, x, y + 12.0, colour, FONT);
        let second = match tm.fatal_error {
            Some(e) => tf(lang, "txn_fenced_line", &[("err", e.name())]),
            None => t(lang, "txn_not_fenced").to_string(),
        };
        text(ctx, &second, x, y + 26.0, colour, SMALL);
        return;
    }
    ctx.set_fill_style_str("#e7e9ee");
    ctx.fill_rect(x - 4.0, y - 2.0, w + 8.0, 1.0);
    text(
        ctx,
        &tf(
            lang,
            "txn_producer_line",
            &[("id", &tm.transactional_id), ("e", &p.epoch.to_string())],
        ),
        x,
        y + 11.0,
        INK,
        FONT,
    );
    // The coordinator's state as a chip, the client's state and the partitions after it.
    let mut cx = x;
    if let Some(m) = meta {
        let label = m.state.name();
        ctx.set_font("600 10px system-ui, sans-serif");
        let cw = ctx.measure_text(label).map_or(60.0, |t| t.width()) + 8.0;
        ctx.set_fill_style_str(state_colour(m.state));
        ctx.fill_rect(cx, y + 16.0, cw, 13.0);
        text(
            ctx,
            label,
            cx + 4.0,
            y + 26.0,
            "#ffffff",
            "600 10px system-ui, sans-serif",
        );
        cx += cw + 5.0;
    }
    // The partitions in the transaction, after the chip.
    let parts: Vec<String> = meta
        .filter(|m| m.state != TxnState::Empty)
        .map(|m| {
            m.partitions
                .iter()
                .map(|tp| format!("P{}", tp.partition))
                .collect()
        })
        .unwrap_or_default();
    ctx.save();
    ctx.begin_path();
    ctx.rect(cx, y + 14.0, (x + w - cx).max(0.0), 16.0);
    ctx.clip();
    text(ctx, &parts.join(" "), cx, y + 26.0, LSO_COLOUR, FONT);
    ctx.restore();
    let client = tf(lang, "txn_client_line", &[("s", tm.state.name())]);
    text(
        ctx,
        &client,
        x,
        y + 43.0,
        if fatal { DANGER } else { INK },
        SMALL,
    );
    let (line, colour) = match tm.fatal_error {
        Some(e) => (tf(lang, "txn_error_line", &[("err", e.name())]), DANGER),
        None => (
            tf(
                lang,
                "txn_counts_line",
                &[
                    ("c", &tm.committed.to_string()),
                    ("a", &tm.aborted.to_string()),
                ],
            ),
            MUTED,
        ),
    };
    text(ctx, &line, x, y + 58.0, colour, SMALL);
}

/// `read_committed` / `read_uncommitted` for a consumer's box.
pub fn isolation_tag(sim: &Sim, consumer: u32) -> &'static str {
    if sim.consumer_read_committed(consumer) {
        "read_committed"
    } else {
        "read_uncommitted"
    }
}

/// A read_committed consumer at the LSO while an open transaction holds the LSO below the
/// high watermark: it waits for the commit or abort.
pub(super) fn waiting_at_lso(
    view: &View,
    sim: &Sim,
    consumer: u32,
    tp: TopicPartitionId,
    position: u64,
) -> bool {
    let Some(pt) = view.txn.parts.get(&tp) else {
        return false;
    };
    let hw = sim.partition(tp).map_or(0, |p| p.high_watermark());
    sim.consumer_read_committed(consumer) && position >= pt.lso && pt.lso < hw
}

/// Whether a message is transaction traffic.
pub fn is_txn_kind(k: MessageKind) -> bool {
    matches!(
        k,
        MessageKind::InitProducerId
            | MessageKind::InitProducerIdResponse
            | MessageKind::AddPartitionsToTxn
            | MessageKind::AddPartitionsToTxnResponse
            | MessageKind::EndTxn
            | MessageKind::EndTxnResponse
            | MessageKind::WriteTxnMarkers
            | MessageKind::WriteTxnMarkersResponse
            | MessageKind::AddOffsetsToTxn
            | MessageKind::AddOffsetsToTxnResponse
            | MessageKind::TxnOffsetCommit
            | MessageKind::TxnOffsetCommitResponse
    )
}

/// The pill's text for a transaction message (Kafka's API names; responses end in ✓ or
/// their error), and whether it carries an error.
pub fn message_label(m: &Message) -> (String, bool) {
    let error = match &m.body {
        Body::InitProducerIdResponse { error, .. }
        | Body::AddPartitionsToTxnResponse { error, .. }
        | Body::EndTxnResponse { error, .. }
        | Body::AddOffsetsToTxnResponse { error, .. } => error.is_some(),
        Body::TxnOffsetCommitResponse {
            error,
            producer_error,
        } => error.is_some() || producer_error.is_some(),
        Body::WriteTxnMarkersResponse { results, .. } => results.iter().any(|(_, e)| e.is_some()),
        _ => false,
    };
    (message_text(m), error)
}

fn message_text(m: &Message) -> String {
    let outcome = |e: &Option<streamscope_core::net::KafkaError>| match e {
        Some(e) => format!(" {}", e.name()),
        None => " ✓".to_string(),
    };
    match &m.body {
        Body::InitProducerId { .. } => "InitProducerId".to_string(),
        Body::InitProducerIdResponse { epoch, error, .. } => match error {
            Some(_) => format!("InitProducerId{}", outcome(error)),
            None => format!("InitProducerId ✓ epoch {epoch}"),
        },
        Body::AddPartitionsToTxn { partitions, .. } => {
            let ps: Vec<String> = partitions
                .iter()
                .take(4)
                .map(|tp| format!("P{}", tp.partition))
                .collect();
            format!("AddPartitionsToTxn {}", ps.join(" "))
        }
        Body::AddPartitionsToTxnResponse { error, .. } => {
            format!("AddPartitionsToTxn{}", outcome(error))
        }
        Body::EndTxn { commit, .. } => {
            format!("EndTxn {}", if *commit { "COMMIT" } else { "ABORT" })
        }
        Body::EndTxnResponse { error, .. } => format!("EndTxn{}", outcome(error)),
        Body::AddOffsetsToTxn { .. } => "AddOffsetsToTxn".to_string(),
        Body::AddOffsetsToTxnResponse { error, .. } => {
            format!("AddOffsetsToTxn{}", outcome(error))
        }
        Body::TxnOffsetCommit { offsets, .. } => {
            let ps: Vec<String> = offsets
                .iter()
                .take(4)
                .map(|(tp, o)| format!("P{}@{o}", tp.partition))
                .collect();
            format!("TxnOffsetCommit {}", ps.join(" "))
        }
        Body::TxnOffsetCommitResponse {
            error,
            producer_error,
        } => match (error, producer_error) {
            (_, Some(e)) => format!("TxnOffsetCommit {}", e.name()),
            (Some(e), None) => format!("TxnOffsetCommit {}", e.name()),
            (None, None) => "TxnOffsetCommit ✓".to_string(),
        },
        Body::WriteTxnMarkers {
            commit, partitions, ..
        } => {
            let ps: Vec<String> = partitions
                .iter()
                .take(4)
                .map(|tp| format!("P{}", tp.partition))
                .collect();
            format!(
                "WriteTxnMarkers {} {}",
                if *commit { "COMMIT" } else { "ABORT" },
                ps.join(" ")
            )
        }
        Body::WriteTxnMarkersResponse { results, .. } => {
            let err = results.iter().find_map(|(_, e)| *e);
            format!("WriteTxnMarkers{}", outcome(&err))
        }
        _ => String::new(),
    }
}

/// A transaction request or response in flight: a small purple pill with its API name.
pub(super) fn draw_message(ctx: &Ctx, m: &Message, x: f64, y: f64) {
    let (label, error) = message_label(m);
    let font = "600 9px system-ui, sans-serif";
    ctx.set_font(font);
    let w = ctx.measure_text(&label).map_or(60.0, |t| t.width()) + 8.0;
    ctx.set_fill_style_str(if error { DANGER } else { LSO_COLOUR });
    ctx.fill_rect(x - 2.0, y - 6.0, w, 12.0);
    text(ctx, &label, x + 2.0, y + 3.0, "#ffffff", font);
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::{Change, Config, SimTime};

    fn world() -> Sim {
        let mut c = Config::preset();
        c.set("transactional.id", "tx-1").unwrap();
        c.set("sim.transaction.records", "0").unwrap();
        Sim::new(c, 5).unwrap()
    }

    #[test]
    fn a_plain_world_draws_no_transactions() {
        let sim = Sim::new(Config::preset(), 1).unwrap();
        let mut f = TxnFrame::default();
        f.observe(&sim);
        assert!(!f.marks.world);
        assert!(f.parts.is_empty());
    }

    #[test]
    fn an_open_transaction_holds_the_lso_and_is_marked() {
        let mut sim = world();
        sim.run_until(SimTime(500_000));
        sim.apply(Change::BeginTransaction { producer: 0 }).unwrap();
        sim.run_until(SimTime(1_000_000));
        let mut f = TxnFrame::default();
        f.observe(&sim);
        assert!(f.marks.world);
        assert!(
            !f.marks.open_partitions.is_empty(),
            "premise: partitions added"
        );
        let held = f
            .parts
            .values()
            .filter(|p| p.first_open.is_some_and(|o| p.lso <= o))
            .count();
        assert!(held > 0, "the LSO stops at the open transaction");
        // Positions are read for every assigned partition.
        assert!(!f.marks.positions.is_empty());
        for m in &f.marks.positions {
            assert!(m.read_committed || m.fetch_limit >= m.position);
        }
    }

    #[test]
    fn transaction_messages_are_labelled() {
        let mut sim = world();
        let mut seen = Vec::new();
        while sim.now() < SimTime(200_000) {
            for m in sim.messages() {
                if is_txn_kind(m.body.kind()) {
                    seen.push(message_label(m).0);
                }
            }
            if sim.step().is_none() {
                break;
            }
        }
        assert!(seen.iter().any(|s| s == "InitProducerId"), "{seen:?}");
        assert!(seen.iter().any(|s| s.starts_with("InitProducerId ✓")));
    }

    #[test]
    fn the_pipeline_offset_requests_are_labelled() {
        let mut c = Config::preset();
        c.set("sim.pipeline", "ctp").unwrap();
        c.set("processing.guarantee", "exactly_once_v2").unwrap();
        c.set("transaction.version", "1").unwrap();
        let mut sim = Sim::new(c, 1).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        while sim.now() < SimTime(1_000_000) {
            for m in sim.messages() {
                if is_txn_kind(m.body.kind()) {
                    let label = message_label(m).0;
                    let api: String = label.split(' ').take(2).collect::<Vec<_>>().join(" ");
                    seen.insert(api);
                }
            }
            if sim.step().is_none() {
                break;
            }
        }
        for want in ["AddOffsetsToTxn", "AddOffsetsToTxn ✓", "TxnOffsetCommit ✓"] {
            assert!(seen.contains(want), "{want}: {seen:?}");
        }
        assert!(
            seen.iter().any(|s| s.starts_with("TxnOffsetCommit P")),
            "{seen:?}"
        );
    }
}
