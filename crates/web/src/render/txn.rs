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
//! Everything comes from the core's frame (`PartitionFrame::txn`: the LSO, the open
//! transaction; `Frame::positions`; `ProducerFrame`: zombie, its transaction at the client and
//! at the coordinator, `ProducerTxnFrame`); this module decides nothing about Kafka.

use super::hits::Target;
use super::layout::{Layout, BUTTON_ROOM};
use super::marks::{MarkerMark, ProducerTxnMark, MAX_MARKS};
use super::paint::{text, DANGER, FONT, INK, MUTED, SMALL, WARN};
use super::state::View;
use crate::i18n::{t, tf, Lang};
use streamscope_core::coordinator::txn::state::TxnState;
use streamscope_core::log::{EntryKind, LogEntry};
use streamscope_core::net::TopicPartitionId;
use streamscope_core::producer::transaction::ClientTxnState;
use streamscope_core::sim::view::{
    BrokerFrame, CoordinatorTxnFrame, PartitionTxn, PositionFrame, ProducerFrame, ProducerTxnFrame,
};
use web_sys::CanvasRenderingContext2d as Ctx;

/// The last stable offset's line and text.
pub const LSO_COLOUR: &str = "#8250df";

/// A read_uncommitted consumer's position mark.
const UNCOMMITTED_COLOUR: &str = "#bc4c00";

const COMMIT_COLOUR: &str = "#1a7f37";

const ABORT_COLOUR: &str = DANGER;

/// The bracket over a log's records in a transaction still open at its leader.
const OPEN_BRACKET: &str = "rgba(130,80,223,0.85)";

/// Height added to a transactional producer's box for its transaction lines.
pub const PRODUCER_TXN_H: f64 = 68.0;

/// Height added to a zombie's (or closing transactional producer's) compact box.
pub const COMPACT_TXN_H: f64 = 30.0;

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
    txn: Option<PartitionTxn>,
    scale: Scale,
    (ry, row_h): (f64, f64),
    (leo, label_x, label_w): (u64, f64, f64),
) {
    let Some(pt) = txn else {
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
            "700 9px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif",
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
/// the consumers' positions (of every partition: `positions`, those on `tp` drawn) under it.
/// Returns the LSO drawn.
pub(super) fn draw_lso_and_positions(
    ctx: &Ctx,
    (tp, txn, positions): (TopicPartitionId, Option<PartitionTxn>, &[PositionFrame]),
    scale: Scale,
    (ry, row_h): (f64, f64),
) -> Option<u64> {
    let pt = txn?;
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
    for p in positions.iter().filter(|p| p.tp == tp) {
        let (rc, pos) = (p.read_committed, p.position);
        // A position left of the drawn offsets sits at the log's start.
        let x = scale.at(pos.max(scale.from)) - 1.5;
        let base = ry + row_h - 1.0;
        ctx.begin_path();
        ctx.move_to(x - 3.5, base);
        ctx.line_to(x + 3.5, base);
        ctx.line_to(x, base - 6.0);
        ctx.close_path();
        ctx.set_fill_style_str(if rc { LSO_COLOUR } else { UNCOMMITTED_COLOUR });
        ctx.fill();
        ctx.set_stroke_style_str("#ffffff");
        ctx.set_line_width(0.75);
        ctx.stroke();
    }
    Some(pt.lso)
}

/// The "txn coordinator" chip after the broker's title (and its group coordinator chip, if
/// any), from `x`; it keeps clear of the Crash / Restart button.
pub(super) fn draw_coordinator_chip(
    ctx: &Ctx,
    l: &Layout,
    lang: Lang,
    view: &mut View,
    (b, x): (&BrokerFrame, f64),
) {
    if !view.txn.marks.world || !b.alive || !b.txn_coordinator {
        return;
    }
    let y = l.broker_y(b.id);
    let label = t(lang, "txn_coordinator");
    ctx.set_font(SMALL);
    let max_w = l.broker_x + l.broker_w - BUTTON_ROOM - 8.0 - x;
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
pub fn producer_extra(p: &ProducerFrame, compact: bool) -> f64 {
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
pub(super) fn draw_producer_txn(
    ctx: &Ctx,
    lang: Lang,
    view: &mut View,
    pf: &ProducerFrame,
    (x, y, w): (f64, f64, f64),
    compact: bool,
) {
    let p = pf;
    let Some(tm) = &p.txn else {
        return;
    };
    let zombie = pf.zombie;
    let meta = if zombie || compact {
        None
    } else {
        tm.coordinator
    };
    view.txn.marks.producers.push(ProducerTxnMark {
        producer: p.index,
        transactional_id: tm.transactional_id.to_string(),
        epoch: p.epoch,
        client_state: tm.state.name(),
        coordinator_state: meta.map(|m| m.state.name()),
        error: tm.fatal_error.map(|e| e.name()),
        zombie,
    });
    if compact {
        draw_compact_txn(ctx, lang, (p, tm), (x, y));
        return;
    }
    ctx.set_fill_style_str("#e7e9ee");
    ctx.fill_rect(x - 4.0, y - 2.0, w + 8.0, 1.0);
    text(
        ctx,
        &tf(
            lang,
            "txn_producer_line",
            &[("id", tm.transactional_id), ("e", &p.epoch.to_string())],
        ),
        x,
        y + 11.0,
        INK,
        FONT,
    );
    draw_coordinator_state(ctx, meta, (x, y, w));
    draw_client_lines(ctx, lang, tm, (x, y));
}

/// A zombie's (or closing producer's) two lines: epoch and client state, then the fencing
/// error or that it is not fenced (yet).
fn draw_compact_txn(
    ctx: &Ctx,
    lang: Lang,
    (p, tm): (&ProducerFrame, &ProducerTxnFrame),
    (x, y): (f64, f64),
) {
    let fatal = tm.state == ClientTxnState::Fatal;
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
}

/// The coordinator's state of the transaction as a chip, and the partitions in it after the
/// chip (clipped to the box).
fn draw_coordinator_state(
    ctx: &Ctx,
    meta: Option<CoordinatorTxnFrame>,
    (x, y, w): (f64, f64, f64),
) {
    // The coordinator's state as a chip, the client's state and the partitions after it.
    let mut cx = x;
    if let Some(m) = meta {
        let label = m.state.name();
        ctx.set_font("600 10px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif");
        let cw = ctx.measure_text(label).map_or(60.0, |t| t.width()) + 8.0;
        ctx.set_fill_style_str(state_colour(m.state));
        ctx.fill_rect(cx, y + 16.0, cw, 13.0);
        text(
            ctx,
            label,
            cx + 4.0,
            y + 26.0,
            "#ffffff",
            "600 10px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif",
        );
        cx += cw + 5.0;
    }
    // The partitions in the transaction, after the chip.
    let parts: Vec<String> = meta
        .and_then(|m| m.partitions)
        .map(|ps| ps.iter().map(|tp| format!("P{}", tp.partition)).collect())
        .unwrap_or_default();
    ctx.save();
    ctx.begin_path();
    ctx.rect(cx, y + 14.0, (x + w - cx).max(0.0), 16.0);
    ctx.clip();
    text(ctx, &parts.join(" "), cx, y + 26.0, LSO_COLOUR, FONT);
    ctx.restore();
}

/// The client's transaction state, then its fatal error or its committed / aborted counts.
fn draw_client_lines(ctx: &Ctx, lang: Lang, tm: &ProducerTxnFrame, (x, y): (f64, f64)) {
    let fatal = tm.state == ClientTxnState::Fatal;
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
pub fn isolation_tag(read_committed: bool) -> &'static str {
    if read_committed {
        "read_committed"
    } else {
        "read_uncommitted"
    }
}
