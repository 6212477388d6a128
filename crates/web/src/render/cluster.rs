//! The broker column: one box per broker holding its partition replicas. Each replica row
//! shows the partition, its role (L leader, F follower), its log as tiles, its log end offset
//! (dark line) and high watermark (green line) on an offset scale shared by the partition's
//! replicas (a follower that lags ends further left), and whether it is in the ISR (a replica
//! out of the ISR is hatched grey and says so). A crashed broker is greyed with a red frame;
//! once the KRaft controller fences it the box says that too.
//!
//! Records written twice to one log (retries without idempotence) are outlined red where both
//! copies are on screen. After a drain that ended stuck, the rows of a partition the liveness
//! monitor names ("partition orders-0", "partition orders-0 follower 2") are outlined red,
//! the leader's row (or the named follower's) labelled "stuck". The renderer only reads the
//! core's state.

use super::hits::Target;
use super::layout::{Layout, BUTTON_ROOM};
use super::marks::ReplicaMark;
use super::paint::{
    key_colour, text, text_right, BOLD, DANGER, EDGE, FONT, INK, MUTED, PANEL, SMALL,
};
use super::state::View;
use super::txn::{self, Scale, LSO_COLOUR};
use crate::i18n::{t, tf, Lang};
use streamscope_core::cluster::BrokerState;
use streamscope_core::cluster::{Broker, Partition, Replica};
use streamscope_core::log::EntryKind;
use streamscope_core::Sim;
use web_sys::CanvasRenderingContext2d as Ctx;

/// Colour of the high watermark line and text.
const HW_COLOUR: &str = "#1a7f37";

/// Colour of the log end offset line.
const LEO_COLOUR: &str = "#1f2328";

/// Hatching of a replica out of the ISR.
const HATCH: &str = "#afb8c1";

const DOWN_FILL: &str = "#eceef1";

/// Width of the replica label ("P12" and the role badge).
const LABEL_W: f64 = 46.0;

/// Width of the "LEO n HW n" text at the right of a replica row.
const OFFSETS_W: f64 = 104.0;

/// ... and of "LSO n · LEO n · HW n" in a world with transactions.
const OFFSETS_TXN_W: f64 = 160.0;

/// Log tile width (plus a 1 px gap).
const TILE: f64 = 9.0;

/// Most replica rows remembered per frame for the test hook.
pub const MAX_MARKS: usize = 1024;

/// Draws every broker box.
pub(super) fn draw_brokers(ctx: &Ctx, sim: &Sim, l: &Layout, lang: Lang, view: &mut View) {
    view.replicas.clear();
    // The invariant monitor's acknowledged-then-lost records, per partition (few entries).
    view.lost = sim.monitor().lost_per_partition();
    for b in sim.brokers() {
        draw_broker(ctx, sim, l, lang, view, b);
    }
}

fn draw_broker(ctx: &Ctx, sim: &Sim, l: &Layout, lang: Lang, view: &mut View, b: &Broker) {
    let y = l.broker_y(b.id);
    let (x, w, h) = (l.broker_x, l.broker_w, l.broker_h);
    let state = b.state();
    let up = state == BrokerState::Up;
    ctx.set_fill_style_str(if up { PANEL } else { DOWN_FILL });
    ctx.fill_rect(x, y, w, h);
    ctx.set_stroke_style_str(if up { EDGE } else { DANGER });
    ctx.set_line_width(if up { 1.0 } else { 2.0 });
    ctx.stroke_rect(x + 0.5, y + 0.5, w - 1.0, h - 1.0);
    let chip_x = draw_title(ctx, sim, l, lang, b, state);
    txn::draw_coordinator_chip(ctx, sim, l, lang, view, (b, chip_x));

    let hosted = sim
        .topics()
        .iter()
        .flat_map(|tpc| tpc.partitions.iter())
        .filter(|p| p.replica(b.id).is_some())
        .count();
    let room = h - 26.0;
    let row_h = (room / hosted.max(1) as f64).clamp(12.0, 22.0);
    let fit = ((room / row_h) as usize).max(1);
    let (fit, more) = if hosted > fit {
        (fit - 1, hosted - (fit - 1))
    } else {
        (hosted, 0)
    };
    let rows = sim
        .topics()
        .iter()
        .enumerate()
        .flat_map(|(ti, tpc)| tpc.partitions.iter().map(move |p| (ti as u32, p)))
        .filter_map(|(ti, p)| p.replica(b.id).map(|r| (ti, p, r)));
    if !up {
        ctx.set_global_alpha(0.55);
    }
    for (i, (ti, p, r)) in rows.take(fit).enumerate() {
        let ry = y + 24.0 + row_h * i as f64;
        let stuck = if view.stuck.is_empty() {
            None
        } else {
            let topic = sim
                .topics()
                .get(ti as usize)
                .map_or("?", |x| x.name.as_str());
            stuck_row(&view.stuck, &format!("{topic}-{}", p.index), b.id, p.leader)
        };
        draw_replica(ctx, l, lang, view, (ti, p, r), (state, stuck), (ry, row_h));
    }
    ctx.set_global_alpha(1.0);
    if more > 0 {
        let ry = y + 24.0 + row_h * fit as f64;
        text(
            ctx,
            &tf(lang, "acc_more", &[("n", &more.to_string())]),
            x + 8.0,
            ry + row_h * 0.7,
            MUTED,
            SMALL,
        );
    }
}

/// "Broker 0", then a chip: coordinator, crashed, or crashed and fenced. Returns the x where
/// a further chip may start.
fn draw_title(ctx: &Ctx, sim: &Sim, l: &Layout, lang: Lang, b: &Broker, state: BrokerState) -> f64 {
    let y = l.broker_y(b.id);
    let title = format!("{} {}", t(lang, "broker"), b.id);
    text(ctx, &title, l.broker_x + 8.0, y + 15.0, INK, BOLD);
    let title_w = ctx.measure_text(&title).map_or(60.0, |m| m.width());
    let coordinator = sim.groups().iter().any(|g| g.coordinator == b.id);
    let (label, fill, ink) = match state {
        BrokerState::Crashed => (t(lang, "broker_crashed"), DANGER, "#ffffff"),
        BrokerState::Fenced => (t(lang, "broker_fenced"), "#82071e", "#ffffff"),
        BrokerState::Restarting => (t(lang, "broker_restarting"), "#9a6700", "#ffffff"),
        BrokerState::Up if coordinator => (t(lang, "coordinator"), "#ddf4ff", INK),
        BrokerState::Up => return l.broker_x + 8.0 + title_w + 8.0,
    };
    ctx.set_font(SMALL);
    let max_w = l.broker_w - title_w - 24.0 - BUTTON_ROOM;
    let chip_w = (ctx.measure_text(label).map_or(80.0, |m| m.width()) + 10.0).min(max_w);
    let cx = l.broker_x + 8.0 + title_w + 8.0;
    ctx.set_fill_style_str(fill);
    ctx.fill_rect(cx, y + 5.0, chip_w, 14.0);
    ctx.save();
    ctx.begin_path();
    ctx.rect(cx, y + 5.0, chip_w, 14.0);
    ctx.clip();
    text(ctx, label, cx + 5.0, y + 15.5, ink, SMALL);
    ctx.restore();
    cx + chip_w + 6.0
}

/// One replica row: label and role, log tiles, LEO and HW lines, ISR state, offsets.
fn draw_replica(
    ctx: &Ctx,
    l: &Layout,
    lang: Lang,
    view: &mut View,
    (ti, p, r): (u32, &Partition, &Replica),
    (state, stuck): (BrokerState, Option<bool>),
    (ry, row_h): (f64, f64),
) {
    let bx = l.broker_x;
    let broker = r.broker;
    let is_leader = p.leader == Some(broker);
    let in_isr = p.isr.contains(&broker);
    if view.partition_selected(ti, p.index) {
        ctx.set_fill_style_str("#fff8c5");
        ctx.fill_rect(bx + 4.0, ry, LABEL_W - 4.0, row_h - 2.0);
    }
    let font = if row_h < 16.0 { SMALL } else { FONT };
    let base = ry + row_h * 0.7;
    text(ctx, &format!("P{}", p.index), bx + 8.0, base, INK, font);
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
            topic: ti,
            partition: p.index,
            broker: Some(broker),
        },
    );

    // The log, on an offset scale shared by the partition's replicas.
    let x0 = bx + LABEL_W + 2.0;
    let text_x = bx + l.broker_w - 8.0;
    let txn_world = view.txn.marks.world;
    let offsets_w = if txn_world { OFFSETS_TXN_W } else { OFFSETS_W };
    let log_w = (text_x - offsets_w - x0).max(0.0);
    let tiles_fit = (log_w / (TILE + 1.0)) as u64;
    let end = p
        .replicas
        .iter()
        .map(|x| x.log.log_end_offset())
        .max()
        .unwrap_or(0);
    let from = end.saturating_sub(tiles_fit);
    let at = |off: u64| x0 + off.saturating_sub(from) as f64 * (TILE + 1.0);
    let leo = r.log.log_end_offset();
    let hw = if is_leader {
        p.high_watermark()
    } else {
        r.high_watermark
    };
    let th = row_h - 6.0;
    if !in_isr {
        hatch(ctx, x0, ry + 1.0, log_w, row_h - 4.0);
        ctx.set_global_alpha(if state == BrokerState::Up { 0.4 } else { 0.3 });
    }
    let tp = streamscope_core::net::TopicPartitionId {
        topic: ti,
        partition: p.index,
    };
    let scale = Scale {
        x0,
        from,
        step: TILE + 1.0,
    };
    find_duplicates(view, r, from, leo);
    let sel = view.selected_record();
    let mut duplicates_marked = 0u32;
    let mut markers_drawn = 0u32;
    for (off, e) in r.log.range(from.min(leo), leo) {
        let x = at(off);
        if e.kind != EntryKind::Data {
            txn::draw_marker(ctx, view, &e, (tp, off, broker), (x, ry + 2.0, TILE, th));
            markers_drawn += 1;
            continue;
        }
        ctx.set_fill_style_str(key_colour(e.key));
        ctx.fill_rect(x, ry + 2.0, TILE, th);
        view.hits
            .push(x, ry + 2.0, TILE, th, Target::Record(e.record_id));
        if view.dup_ids.binary_search(&e.record_id).is_ok() {
            duplicates_marked += 1;
            ctx.set_stroke_style_str(DANGER);
            ctx.set_line_width(2.0);
            ctx.stroke_rect(x - 0.5, ry + 1.5, TILE + 1.0, th + 1.0);
        }
        if sel == Some(e.record_id) {
            ctx.set_stroke_style_str(INK);
            ctx.set_line_width(2.0);
            ctx.stroke_rect(x - 1.0, ry + 1.0, TILE + 2.0, th + 2.0);
        }
    }
    if txn_world {
        let label = (leo, bx + 4.0, LABEL_W - 4.0);
        txn::draw_open_band(ctx, view, tp, scale, (ry, row_h), label);
    }
    if !in_isr {
        ctx.set_global_alpha(if state == BrokerState::Up { 1.0 } else { 0.55 });
    }
    // LEO (dark) just right of an offset boundary, HW (green) just left of it, so both show
    // when they are equal.
    // An offset left of the shared scale (a replica far behind) gets an arrow at its start.
    if leo >= from {
        ctx.set_fill_style_str(LEO_COLOUR);
        ctx.fill_rect(at(leo) - 0.5, ry, 2.0, row_h - 2.0);
    } else {
        arrow_left(ctx, x0 - 1.0, ry + 1.0, (row_h - 4.0) / 2.0, LEO_COLOUR);
    }
    if hw >= from {
        ctx.set_fill_style_str(HW_COLOUR);
        ctx.fill_rect(at(hw) - 2.5, ry, 2.0, row_h - 2.0);
    } else {
        let half = (row_h - 4.0) / 2.0;
        arrow_left(ctx, x0 - 1.0, ry + 1.0 + half, half, HW_COLOUR);
    }
    let lso = if txn_world && is_leader {
        txn::draw_lso_and_positions(ctx, view, tp, scale, (ry, row_h))
    } else {
        None
    };
    if !in_isr {
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
    let lost = view
        .lost
        .get(&streamscope_core::net::TopicPartitionId {
            topic: ti,
            partition: p.index,
        })
        .copied()
        .unwrap_or(0);
    let mut lx = x0 + 4.0;
    if is_leader && lost > 0 {
        let msg = format!("{} {lost}", t(lang, "lost_here"));
        let lw = ctx.measure_text(&msg).map_or(60.0, |m| m.width()) + 8.0;
        ctx.set_fill_style_str("rgba(255,255,255,0.92)");
        ctx.fill_rect(lx, ry + (row_h - 14.0) / 2.0 - 1.0, lw, 13.0);
        text(ctx, &msg, lx + 4.0, base - 1.0, DANGER, SMALL);
        lx += lw + 4.0;
    } else if !in_isr {
        ctx.set_font(SMALL);
        lx += ctx
            .measure_text(t(lang, "not_in_isr"))
            .map_or(60.0, |m| m.width())
            + 12.0;
    }
    // A partition the liveness monitor found stuck: its rows outlined, one labelled.
    if let Some(label) = stuck {
        ctx.set_stroke_style_str(DANGER);
        ctx.set_line_width(2.0);
        ctx.stroke_rect(bx + 3.0, ry, l.broker_w - 6.0, row_h - 2.0);
        if label {
            let msg = t(lang, "stuck_here");
            ctx.set_font(SMALL);
            let lw = ctx.measure_text(msg).map_or(40.0, |m| m.width()) + 8.0;
            ctx.set_fill_style_str(DANGER);
            ctx.fill_rect(lx, ry + (row_h - 14.0) / 2.0 - 1.0, lw, 13.0);
            text(ctx, msg, lx + 4.0, base - 1.0, "#ffffff", SMALL);
        }
    }
    // "LEO n HW n": the numbers in the colours of their lines.
    let hw_text = format!("{} {}", t(lang, "hw"), hw);
    text_right(ctx, &hw_text, text_x, base, HW_COLOUR, font);
    let hw_w = ctx.measure_text(&hw_text).map_or(40.0, |m| m.width());
    let leo_text = format!("{} {} ·", t(lang, "leo"), leo);
    text_right(ctx, &leo_text, text_x - hw_w - 4.0, base, LEO_COLOUR, font);
    // The LSO in words where it differs from the HW (an open transaction holds it back).
    // The LSO in words where an open transaction holds it below the high watermark.
    if let Some(lso) = lso.filter(|_| view.txn.parts.get(&tp).is_some_and(|pt| pt.held)) {
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
    if view.replicas.len() < MAX_MARKS {
        view.replicas.push(ReplicaMark {
            broker,
            topic: ti,
            partition: p.index,
            leader: is_leader,
            in_isr,
            broker_state: state,
            log_end_offset: leo,
            high_watermark: hw,
            duplicates_marked,
            last_stable_offset: lso,
            markers_drawn,
            stuck: stuck.is_some(),
        });
    }
}

/// Whether the liveness monitor's stuck `keys` name partition `name` (`orders-0`): `None`
/// when not; else whether the row on `broker` carries the label (the named follower's row,
/// or the leader's; every row when the partition has no leader).
pub fn stuck_row(keys: &[String], name: &str, broker: u32, leader: Option<u32>) -> Option<bool> {
    let whole = format!("partition {name}");
    let follower = format!("partition {name} follower ");
    let mut found = None;
    for k in keys {
        if *k == whole {
            let label = leader.is_none_or(|l| l == broker);
            found = Some(found.unwrap_or(false) || label);
        } else if let Some(n) = k.strip_prefix(&follower) {
            let label = n.parse::<u32>().ok() == Some(broker);
            found = Some(found.unwrap_or(false) || label);
        }
    }
    found
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

/// Fills `view.dup_ids` (sorted) with the record ids that occur more than once among this
/// log's offsets `from..leo` (`Log::range` needs `from <= leo`), reusing the view's buffers (no allocation once warm).
fn find_duplicates(view: &mut View, r: &Replica, from: u64, leo: u64) {
    view.dup_scratch.clear();
    view.dup_ids.clear();
    for (_, e) in r.log.range(from.min(leo), leo) {
        if e.kind == EntryKind::Data {
            view.dup_scratch.push(e.record_id);
        }
    }
    view.dup_scratch.sort_unstable();
    for w in view.dup_scratch.windows(2) {
        if w[0] == w[1] && view.dup_ids.last() != Some(&w[0]) {
            view.dup_ids.push(w[0]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stuck_rows_from_the_monitors_keys() {
        let keys = vec![
            "partition orders-1 follower 2".to_string(),
            "partition orders-3".to_string(),
            "group ctp".to_string(),
        ];
        assert_eq!(stuck_row(&keys, "orders-1", 2, Some(0)), Some(true));
        assert_eq!(stuck_row(&keys, "orders-1", 0, Some(0)), Some(false));
        assert_eq!(stuck_row(&keys, "orders-10", 2, Some(0)), None);
        assert_eq!(stuck_row(&keys, "orders-3", 1, Some(1)), Some(true));
        assert_eq!(stuck_row(&keys, "orders-3", 0, Some(1)), Some(false));
        assert_eq!(stuck_row(&keys, "orders-3", 0, None), Some(true));
        assert_eq!(stuck_row(&keys, "orders-0", 0, Some(0)), None);
    }

    #[test]
    fn broker_states() {
        let mut b = Broker {
            id: 0,
            alive: true,
            fenced: false,
            drop_responses: false,
            registering: false,
            refuses_connections: false,
            host_lost: false,
        };
        assert_eq!(b.state(), BrokerState::Up);
        b.alive = false;
        assert_eq!(b.state(), BrokerState::Crashed);
        b.registering = true;
        assert_eq!(b.state().name(), "restarting");
        b.registering = false;
        b.fenced = true;
        assert_eq!(b.state().name(), "fenced");
    }

    #[test]
    fn records_written_twice_are_found_and_a_lagging_log_is_safe() {
        use streamscope_core::log::{Log, LogEntry};
        use streamscope_core::SimTime;
        let mut log = Log::new();
        for id in [1u64, 2, 3, 2, 3, 4] {
            log.append(LogEntry {
                record_id: id,
                producer_id: -1,
                producer: 0,
                ordinal: id as u32,
                key: None,
                size_bytes: 10,
                leader_epoch: 0,
                timestamp: SimTime(0),
                kind: EntryKind::Data,
                producer_epoch: -1,
                transactional: false,
            });
        }
        let r = Replica {
            broker: 0,
            log,
            high_watermark: 0,
            leader_view_leo: 0,
            last_caught_up: SimTime(0),
            last_fetch_leader_leo: 0,
            last_fetch_time: SimTime(0),
        };
        let mut view = View::new();
        find_duplicates(&mut view, &r, 0, 6);
        assert_eq!(view.dup_ids, [2, 3]);
        find_duplicates(&mut view, &r, 4, 6);
        assert!(view.dup_ids.is_empty());
        // The partition's scale can start past this replica's log end (a lagging follower).
        find_duplicates(&mut view, &r, 9, 6);
        assert!(view.dup_ids.is_empty());
    }
}
