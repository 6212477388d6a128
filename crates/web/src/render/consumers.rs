//! The members' boxes in the consumer column: the title (a pipeline processor's says which
//! processor it is and its phase), generation, records consumed and the member's state, one
//! row per assigned partition with its position and lag (and whether it waits at the last
//! stable offset), what it does during a rebalance, and its lag over the last minute.

use super::hits::Target;
use super::layout::Layout;
use super::members;
use super::paint::{fit_whole, panel, text, DANGER, FONT, INK, MUTED, PANEL, SMALL, WARN};
use super::state::View;
use super::txn;
use crate::i18n::{t, tf, Lang};
use streamscope_core::consumer::MemberState;
use streamscope_core::sim::view::{ConsumerFrame, Frame, GroupFrame};
use web_sys::CanvasRenderingContext2d as Ctx;

pub fn draw_consumers(ctx: &Ctx, f: &Frame, l: &Layout, lang: Lang, view: &mut View) {
    for cf in &f.consumers {
        let y = l.consumer_y(cf.index);
        panel(ctx, l.cons_x, y, l.cons_w, l.cons_h, PANEL);
        let Some(g) = f.group(cf.group) else {
            continue;
        };
        draw_consumer_title(ctx, l, lang, (cf, g), y);
        draw_member_line(ctx, l, lang, view, cf, y);
        draw_assignment(ctx, f, l, lang, view, cf, y);
        let extra = members::draw_member_extras(ctx, f, l, lang, view, cf, y);
        draw_lag_chart(ctx, l, lang, cf, y, extra);
    }
}

/// The box's title: "group consumer · member…", or a pipeline processor's number and phase;
/// clear of the leader chip and the heartbeat at the right.
fn draw_consumer_title(
    ctx: &Ctx,
    l: &Layout,
    lang: Lang,
    (c, g): (&ConsumerFrame, &GroupFrame),
    y: f64,
) {
    // A pipeline processor's box says which processor it is and its phase.
    let (title, title_colour) = match c.processor {
        Some(p) => (
            tf(
                lang,
                "pipe_box_title",
                &[("n", &p.index.to_string()), ("phase", p.phase)],
            ),
            if p.crashed { DANGER } else { txn::LSO_COLOUR },
        ),
        // The group and the consumer's client.id (or group.instance.id), whole: the member
        // id Kafka makes of it adds a UUID.
        None => (
            tf(
                lang,
                "cv.consumer_title",
                &[("g", g.group_id), ("client", c.client_id)],
            ),
            INK,
        ),
    };
    // Clear of the leader chip and the heartbeat at the right.
    let chip = if g.leader == Some(c.index) {
        72.0
    } else {
        18.0
    };
    let title_w = l.cons_w - 16.0 - chip;
    let at = (l.cons_x + 8.0, y + 15.0);
    fit_whole(ctx, &title, at, title_w, title_colour, ("600", 12));
}

/// "generation n · consumed n", the member's state when not stable, and in a world with
/// transactions its isolation level.
fn draw_member_line(ctx: &Ctx, l: &Layout, lang: Lang, view: &View, c: &ConsumerFrame, y: f64) {
    // The member's state as the protocol has it (joining, syncing, out of the group, down).
    let (state_key, colour) = match c.state {
        MemberState::Stable => (None, MUTED),
        MemberState::Joining => (Some("member_joining"), WARN),
        MemberState::Syncing | MemberState::FetchingOffsets => (Some("member_syncing"), WARN),
        MemberState::Unjoined => (Some("member_unjoined"), DANGER),
        MemberState::Stopped => (Some("member_stopped"), DANGER),
    };
    let mut line = format!(
        "{} {} · {} {}",
        t(lang, "generation"),
        c.generation,
        t(lang, "consumed"),
        c.records_consumed
    );
    if let Some(k) = state_key {
        line.push_str(" · ");
        line.push_str(t(lang, k));
    }
    if view.txn.marks.world {
        line.push_str(" · ");
        line.push_str(txn::isolation_tag(c.read_committed));
    }
    text(ctx, &line, l.cons_x + 8.0, y + 31.0, colour, FONT);
}

/// One row per assigned partition, as many as fit: position, lag (and whether the member
/// waits at the last stable offset), a lag bar; a click on the row picks the partition.
fn draw_assignment(
    ctx: &Ctx,
    f: &Frame,
    l: &Layout,
    lang: Lang,
    view: &mut View,
    cf: &ConsumerFrame,
    y: f64,
) {
    for (i, row) in f.assigned(cf).iter().enumerate() {
        let ry = y + 40.0 + 18.0 * i as f64;
        if ry + 16.0 > y + l.cons_h {
            break;
        }
        let (tp, pos) = (&row.tp, row.position);
        // Lag to where its fetch ends: the high watermark, or the LSO (read_committed).
        let lag = row.lag;
        if view.partition_selected(tp.topic, tp.partition) {
            ctx.set_fill_style_str("#fff8c5");
            ctx.fill_rect(l.cons_x + 4.0, ry, 160.0, 16.0);
        }
        let waiting = row.waits_at_lso;
        text(
            ctx,
            &format!(
                "P{} pos {} {} {}{}",
                tp.partition,
                pos,
                t(lang, "lag"),
                lag,
                if waiting {
                    t(lang, "txn_waits_lso")
                } else {
                    ""
                }
            ),
            l.cons_x + 8.0,
            ry + 12.0,
            INK,
            FONT,
        );
        view.hits.push(
            l.cons_x + 4.0,
            ry,
            160.0,
            16.0,
            Target::Partition {
                topic: tp.topic,
                partition: tp.partition,
                broker: None,
            },
        );
        let w = (lag as f64 * 4.0).min(90.0);
        ctx.set_fill_style_str(if lag > 20 { DANGER } else { "#bf8700" });
        ctx.fill_rect(l.cons_x + 180.0, ry + 4.0, w, 9.0);
    }
}

/// The member's lag over the last minute (the core samples it every 100 ms): position lag in
/// orange, committed lag in grey, at the bottom of its box when there is room.
pub fn draw_lag_chart(
    ctx: &Ctx,
    l: &Layout,
    lang: Lang,
    cf: &ConsumerFrame,
    y: f64,
    extra_rows: usize,
) {
    let c = cf;
    const CHART_H: f64 = 26.0;
    let (x0, w) = (l.cons_x + 8.0, l.cons_w - 16.0);
    let y0 = y + l.cons_h - CHART_H - 6.0;
    // Only below the partition rows, never over them.
    let rows_end = y + 40.0 + 18.0 * (c.assigned_count() + extra_rows) as f64;
    if y0 - 12.0 < rows_end || c.lag_history.is_empty() {
        return;
    }
    let cap = c.lag_history.capacity().max(2) as f64;
    let peak = c
        .lag_history
        .iter()
        .map(|s| s.lag.max(s.committed_lag))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(x0, y0, w, CHART_H);
    let n = c.lag_history.len() as f64;
    for (series, colour) in [(1usize, "#8c959f"), (0usize, "#bf8700")] {
        ctx.begin_path();
        for (i, s) in c.lag_history.iter().enumerate() {
            let v = if series == 0 { s.lag } else { s.committed_lag } as f64;
            let x = x0 + w * (cap - n + i as f64) / (cap - 1.0);
            let yy = y0 + CHART_H - 2.0 - (CHART_H - 4.0) * v / peak;
            if i == 0 {
                ctx.move_to(x, yy);
            } else {
                ctx.line_to(x, yy);
            }
        }
        ctx.set_stroke_style_str(colour);
        ctx.set_line_width(1.0);
        ctx.stroke();
    }
    text(
        ctx,
        &tf(lang, "lag_chart", &[("max", &(peak as u64).to_string())]),
        x0 + 2.0,
        y0 - 2.0,
        MUTED,
        SMALL,
    );
}
