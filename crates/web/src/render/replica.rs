//! One replica row of a broker box: the partition and its role (L leader, F follower), its
//! log as tiles on an offset scale shared by the partition's replicas, its log end offset
//! (dark line) and high watermark (green line), whether it is in the ISR (hatched grey and
//! said in words when not), records written twice outlined red, records acknowledged but lost
//! here, a stuck partition's outline and label, and "LSO n · LEO n · HW n" at the right.

use super::hits::Target;
use super::layout::Layout;
use super::log_strip::{self, Strip};
use super::marks::ReplicaMark;
use super::paint::{text, text_right, DANGER, FONT, INK, MUTED, SMALL};
use super::state::View;
use super::txn::{self, Scale, LSO_COLOUR};
use crate::i18n::{t, tf, Lang};
use streamscope_core::cluster::BrokerState;
use streamscope_core::sim::view::{PartitionFrame, PositionFrame, ReplicaFrame};
use web_sys::CanvasRenderingContext2d as Ctx;

/// Colour of the high watermark line and text.
const HW_COLOUR: &str = "#1a7f37";

/// Colour of the log end offset line.
const LEO_COLOUR: &str = "#1f2328";

/// Hatching of a replica out of the ISR.
const HATCH: &str = "#afb8c1";

/// Width of the replica label ("P12" and the role badge).
const LABEL_W: f64 = 46.0;

/// Width of the "LEO n HW n" text at the right of a replica row.
const OFFSETS_W: f64 = 104.0;

/// ... and of "LSO n · LEO n · HW n" in a world with transactions.
const OFFSETS_TXN_W: f64 = 160.0;

/// Most replica rows remembered per frame for the test hook.
pub const MAX_MARKS: usize = 1024;

/// What the parts of one replica row share: the replica, where the row is, its text.
struct Row<'a> {
    ti: u32,
    pf: &'a PartitionFrame<'a>,
    positions: &'a [PositionFrame],
    r: &'a ReplicaFrame<'a>,
    broker: u32,
    is_leader: bool,
    in_isr: bool,
    state: BrokerState,
    stuck: Option<bool>,
    ry: f64,
    row_h: f64,
    font: &'static str,
    base: f64,
}

/// Where a replica row's log goes: the offset scale shared by the partition's replicas.
struct LogArea {
    tp: streamscope_core::net::TopicPartitionId,
    scale: Scale,
    tile_w: f64,
    text_x: f64,
    log_w: f64,
    leo: u64,
    hw: u64,
}

/// One replica row: label and role, log tiles, LEO and HW lines, ISR state, offsets. The
/// consumers' `positions` are the frame's (those on this partition are drawn).
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_replica(
    ctx: &Ctx,
    l: &Layout,
    lang: Lang,
    view: &mut View,
    (pf, r, positions): (&PartitionFrame, &ReplicaFrame, &[PositionFrame]),
    (state, stuck): (BrokerState, Option<bool>),
    (ry, row_h): (f64, f64),
) {
    let broker = r.broker;
    let font = if row_h < 16.0 { SMALL } else { FONT };
    let (ti, partition) = (pf.tp.topic, pf.tp.partition);
    let row = Row {
        ti,
        pf,
        positions,
        r,
        broker,
        is_leader: r.leader,
        in_isr: r.in_isr,
        state,
        stuck,
        ry,
        row_h,
        font,
        base: ry + row_h * 0.7,
    };
    draw_replica_label(ctx, l, view, &row);
    let area = log_area(l, view, &row);
    let (duplicates_marked, markers_drawn) = draw_log(ctx, l, view, &row, &area);
    let lso = draw_offset_lines(ctx, view, &row, &area);
    let lx = draw_row_notes(ctx, lang, &row, area.scale.x0);
    draw_stuck(ctx, l, lang, &row, lx);
    draw_offsets_text(ctx, lang, &row, &area, lso);
    if view.replicas.len() < MAX_MARKS {
        view.replicas.push(ReplicaMark {
            broker,
            topic: ti,
            partition,
            leader: row.is_leader,
            in_isr: row.in_isr,
            broker_state: state,
            log_end_offset: area.leo,
            high_watermark: area.hw,
            duplicates_marked,
            last_stable_offset: lso,
            markers_drawn,
            stuck: stuck.is_some(),
            refused: row
                .pf
                .refused
                .filter(|_| row.is_leader)
                .map(|r| r.last.name()),
        });
    }
}

/// The row's label: "P12" and the role badge (filled for the leader, outlined for a
/// follower), highlighted when the partition is selected; a click on it picks the partition.
fn draw_replica_label(ctx: &Ctx, l: &Layout, view: &mut View, row: &Row) {
    let bx = l.broker_x;
    let (ry, row_h, is_leader) = (row.ry, row.row_h, row.is_leader);
    if view.partition_selected(row.ti, row.pf.tp.partition) {
        ctx.set_fill_style_str("#fff8c5");
        ctx.fill_rect(bx + 4.0, ry, LABEL_W - 4.0, row_h - 2.0);
    }
    text(
        ctx,
        &format!("P{}", row.pf.tp.partition),
        bx + 8.0,
        row.base,
        INK,
        row.font,
    );
    // The role badge: filled for the leader, outlined for a follower.
    let (bw, bh) = (11.0, (row_h - 8.0).clamp(8.0, 13.0));
    let (badge_x, badge_y) = (bx + LABEL_W - 16.0, ry + (row_h - 2.0 - bh) / 2.0);
    if is_leader {
        ctx.set_fill_style_str(INK);
        ctx.fill_rect(badge_x, badge_y, bw, bh);
    } else {
        ctx.set_stroke_style_str(MUTED);
        ctx.set_line_width(1.0);
        ctx.stroke_rect(badge_x + 0.5, badge_y + 0.5, bw - 1.0, bh - 1.0);
    }
    let role = if is_leader { "L" } else { "F" };
    text(
        ctx,
        role,
        badge_x + 2.5,
        badge_y + bh - 2.0,
        if is_leader { "#ffffff" } else { MUTED },
        SMALL,
    );
    view.hits.push(
        bx + 4.0,
        ry,
        LABEL_W - 4.0,
        row_h - 2.0,
        Target::Partition {
            topic: row.ti,
            partition: row.pf.tp.partition,
            broker: Some(row.broker),
        },
    );
}

/// The log's place in the row, on an offset scale shared by the partition's replicas, and
/// this replica's log end offset and high watermark.
fn log_area(l: &Layout, view: &View, row: &Row) -> LogArea {
    let r = row.r;
    let x0 = l.broker_x + LABEL_W + 2.0;
    let text_x = l.broker_x + l.broker_w - 8.0;
    let offsets_w = if view.txn.marks.world {
        OFFSETS_TXN_W
    } else {
        OFFSETS_W
    };
    let log_w = (text_x - offsets_w - x0).max(0.0);
    let leo_max = row.pf.log_end_offset_max;
    let (step, tile_w) = if view.large_tiles {
        log_strip::LARGE
    } else {
        log_strip::tile_step(leo_max, log_w)
    };
    let from = leo_max.saturating_sub(log_strip::offsets_fit(log_w, step));
    LogArea {
        tp: row.pf.tp,
        scale: Scale { x0, from, step },
        tile_w,
        text_x,
        log_w,
        leo: r.log_end_offset,
        hw: r.high_watermark,
    }
}

/// The log as tiles (hatched and faded out of the ISR; `log_strip`), and the open
/// transactions' band. Returns the duplicates marked and the markers drawn.
fn draw_log(ctx: &Ctx, l: &Layout, view: &mut View, row: &Row, area: &LogArea) -> (u32, u32) {
    let (ry, row_h, leo) = (row.ry, row.row_h, area.leo);
    let x0 = area.scale.x0;
    if !row.in_isr {
        hatch(ctx, x0, ry + 1.0, area.log_w, row_h - 4.0);
        ctx.set_global_alpha(if row.state == BrokerState::Up {
            0.4
        } else {
            0.3
        });
    }
    let strip = Strip {
        tp: area.tp,
        broker: row.broker,
        log: row.r.log,
        scale: area.scale,
        tile_w: area.tile_w,
        leo,
        y: ry + 2.0,
        th: row_h - 6.0,
        log_w: area.log_w,
    };
    let (duplicates_marked, markers_drawn) = log_strip::draw_tiles(ctx, view, &strip);
    if view.txn.marks.world {
        let label = (leo, l.broker_x + 4.0, LABEL_W - 4.0);
        txn::draw_open_band(ctx, row.pf.txn, area.scale, (ry, row_h), label);
    }
    if !row.in_isr {
        ctx.set_global_alpha(if row.state == BrokerState::Up {
            1.0
        } else {
            0.55
        });
    }
    (duplicates_marked, markers_drawn)
}

/// The LEO (dark) and HW (green) lines, and on a leader in a world with transactions the LSO
/// and the consumers' positions; returns the LSO drawn.
fn draw_offset_lines(ctx: &Ctx, view: &mut View, row: &Row, area: &LogArea) -> Option<u64> {
    let (ry, row_h, from, x0) = (row.ry, row.row_h, area.scale.from, area.scale.x0);
    // LEO (dark) just right of an offset boundary, HW (green) just left of it, so both show
    // when they are equal.
    // An offset left of the shared scale (a replica far behind) gets an arrow at its start.
    if area.leo >= from {
        ctx.set_fill_style_str(LEO_COLOUR);
        ctx.fill_rect(area.scale.at(area.leo) - 0.5, ry, 2.0, row_h - 2.0);
    } else {
        arrow_left(ctx, x0 - 1.0, ry + 1.0, (row_h - 4.0) / 2.0, LEO_COLOUR);
    }
    if area.hw >= from {
        ctx.set_fill_style_str(HW_COLOUR);
        ctx.fill_rect(area.scale.at(area.hw) - 2.5, ry, 2.0, row_h - 2.0);
    } else {
        let half = (row_h - 4.0) / 2.0;
        arrow_left(ctx, x0 - 1.0, ry + 1.0 + half, half, HW_COLOUR);
    }
    if view.txn.marks.world && row.is_leader {
        let txn = (area.tp, row.pf.txn, row.positions);
        txn::draw_lso_and_positions(ctx, txn, area.scale, (ry, row_h))
    } else {
        None
    }
}

/// "not in ISR" over the hatching, and on a leader the records acknowledged but lost here.
/// Returns the x where a further note may start.
fn draw_row_notes(ctx: &Ctx, lang: Lang, row: &Row, x0: f64) -> f64 {
    let (ry, row_h, base) = (row.ry, row.row_h, row.base);
    if !row.in_isr {
        // Said in words too, over the hatching.
        let label = t(lang, "not_in_isr");
        ctx.set_font(SMALL);
        let lw = ctx.measure_text(label).map_or(60.0, |m| m.width()) + 8.0;
        let lx = x0 + 4.0;
        ctx.set_fill_style_str("rgba(255,255,255,0.92)");
        ctx.fill_rect(lx, ry + (row_h - 14.0) / 2.0 - 1.0, lw, 13.0);
        text(ctx, label, lx + 4.0, base - 1.0, DANGER, SMALL);
    }
    // Records the producer was told are safe but this leader's log lacks (the monitor).
    let lost = row.pf.lost;
    let mut lx = x0 + 4.0;
    if row.is_leader && lost > 0 {
        let msg = format!("{} {lost}", t(lang, "lost_here"));
        let lw = ctx.measure_text(&msg).map_or(60.0, |m| m.width()) + 8.0;
        ctx.set_fill_style_str("rgba(255,255,255,0.92)");
        ctx.fill_rect(lx, ry + (row_h - 14.0) / 2.0 - 1.0, lw, 13.0);
        text(ctx, &msg, lx + 4.0, base - 1.0, DANGER, SMALL);
        lx += lw + 4.0;
    } else if !row.in_isr {
        ctx.set_font(SMALL);
        lx += ctx
            .measure_text(t(lang, "not_in_isr"))
            .map_or(60.0, |m| m.width())
            + 12.0;
    }
    // How often this partition's leader refused the producers (the error's name is on the
    // broker's title line, `cluster`), small enough to leave the log visible.
    if let Some(r) = row.pf.refused.filter(|_| row.is_leader) {
        let msg = tf(lang, "cv.refused_count", &[("n", &r.count.to_string())]);
        ctx.set_font(SMALL);
        let lw = ctx.measure_text(&msg).map_or(90.0, |m| m.width()) + 8.0;
        ctx.set_fill_style_str(DANGER);
        ctx.fill_rect(lx, ry + (row_h - 14.0) / 2.0 - 1.0, lw, 13.0);
        text(ctx, &msg, lx + 4.0, base - 1.0, "#ffffff", SMALL);
        lx += lw + 4.0;
    }
    lx
}

/// A partition the liveness monitor found stuck: its rows outlined, one labelled at `lx`.
fn draw_stuck(ctx: &Ctx, l: &Layout, lang: Lang, row: &Row, lx: f64) {
    let (ry, row_h) = (row.ry, row.row_h);
    if let Some(label) = row.stuck {
        ctx.set_stroke_style_str(DANGER);
        ctx.set_line_width(2.0);
        ctx.stroke_rect(l.broker_x + 3.0, ry, l.broker_w - 6.0, row_h - 2.0);
        if label {
            let msg = t(lang, "stuck_here");
            ctx.set_font(SMALL);
            let lw = ctx.measure_text(msg).map_or(40.0, |m| m.width()) + 8.0;
            ctx.set_fill_style_str(DANGER);
            ctx.fill_rect(lx, ry + (row_h - 14.0) / 2.0 - 1.0, lw, 13.0);
            text(ctx, msg, lx + 4.0, row.base - 1.0, "#ffffff", SMALL);
        }
    }
}

/// "LEO n · HW n" at the right of the row, the numbers in the colours of their lines, and
/// the LSO in words where an open transaction holds it below the high watermark.
fn draw_offsets_text(ctx: &Ctx, lang: Lang, row: &Row, area: &LogArea, lso: Option<u64>) {
    let (text_x, base, font) = (area.text_x, row.base, row.font);
    // "LEO n HW n": the numbers in the colours of their lines.
    let hw_text = format!("{} {}", t(lang, "hw"), area.hw);
    text_right(ctx, &hw_text, text_x, base, HW_COLOUR, font);
    let hw_w = ctx.measure_text(&hw_text).map_or(40.0, |m| m.width());
    let leo_text = format!("{} {} ·", t(lang, "leo"), area.leo);
    text_right(ctx, &leo_text, text_x - hw_w - 4.0, base, LEO_COLOUR, font);
    // The LSO in words where an open transaction holds it below the high watermark.
    if let Some(lso) = lso.filter(|_| row.pf.txn.is_some_and(|pt| pt.held)) {
        let leo_w = ctx.measure_text(&leo_text).map_or(50.0, |m| m.width());
        text_right(
            ctx,
            &format!("{} {lso} ·", t(lang, "lso")),
            text_x - hw_w - leo_w - 8.0,
            base,
            LSO_COLOUR,
            font,
        );
    }
}

/// A small triangle pointing left, its tip at (x, y + h / 2).
fn arrow_left(ctx: &Ctx, x: f64, y: f64, h: f64, colour: &str) {
    ctx.begin_path();
    ctx.move_to(x, y + h / 2.0);
    ctx.line_to(x + h * 0.8, y);
    ctx.line_to(x + h * 0.8, y + h);
    ctx.close_path();
    ctx.set_fill_style_str(colour);
    ctx.fill();
}

/// Grey diagonal lines over a box: a replica out of the ISR.
fn hatch(ctx: &Ctx, x: f64, y: f64, w: f64, h: f64) {
    ctx.set_fill_style_str("#f3f4f6");
    ctx.fill_rect(x, y, w, h);
    ctx.save();
    ctx.begin_path();
    ctx.rect(x, y, w, h);
    ctx.clip();
    ctx.begin_path();
    let mut sx = x - h;
    while sx < x + w {
        ctx.move_to(sx, y + h);
        ctx.line_to(sx + h, y);
        sx += 6.0;
    }
    ctx.set_stroke_style_str(HATCH);
    ctx.set_line_width(1.0);
    ctx.stroke();
    ctx.restore();
}
