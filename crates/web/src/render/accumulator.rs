//! The record accumulator: one row per partition of the running producer's topic with its
//! queued batches (fill, readiness, the linger timer, the records as dots), the lane at the
//! end of each row where the batch that last left stays visible for a moment (orange: it was
//! ready; blue dashed: it rode along), and the replication lane beside the brokers.

use super::hits::{Grid, Target};
use super::layout::{Layout, LABEL_W, LANE_W};
use super::paint::{
    human_bytes, panel, text, Dashes, DANGER, EDGE, FONT, INK, MUTED, READY, RIDE, SMALL,
};
use super::pixels::key_rgb;
use super::state::{record_dot, View};
use crate::i18n::{t, tf, Lang};
use streamscope_core::producer::accumulator::ProducerBatch;
use streamscope_core::sim::view::Frame;
use streamscope_core::SimTime;
use web_sys::CanvasRenderingContext2d as Ctx;

/// The replication lane: a faint line joining the brokers' right sides.
pub fn draw_lane(ctx: &Ctx, f: &Frame, l: &Layout, dashes: &Dashes) {
    let n = f.brokers.len() as u32;
    if n < 2 {
        return;
    }
    let x = l.lane_x();
    let (y0, y1) = (
        l.broker_y(0) + l.broker_h / 2.0,
        l.broker_y(n - 1) + l.broker_h / 2.0,
    );
    dashes.set(ctx, true);
    ctx.set_stroke_style_str(EDGE);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    ctx.move_to(x + 0.5, y0);
    ctx.line_to(x + 0.5, y1);
    ctx.stroke();
    dashes.set(ctx, false);
    for b in 0..n {
        let y = l.broker_y(b) + l.broker_h / 2.0;
        ctx.set_fill_style_str(EDGE);
        ctx.fill_rect(
            l.broker_x + l.broker_w,
            y - 0.5,
            x - l.broker_x - l.broker_w,
            1.0,
        );
    }
}

/// The accumulator rows' geometry and the running producer's settings, shared by each row.
struct Rows {
    topic: u32,
    batch_size: f64,
    linger_us: u64,
    acc_x: f64,
    bx: f64,
    bw: f64,
    slots_w: f64,
    slot_w: f64,
    h: f64,
    text_line: bool,
    small: bool,
}

pub fn draw_accumulator(
    ctx: &Ctx,
    f: &Frame,
    l: &Layout,
    lang: Lang,
    view: &mut View,
    dashes: &Dashes,
) {
    let p = f.running();
    let bw = l.acc_w - LABEL_W;
    let slots_w = bw - LANE_W;
    let h = l.row_h - 4.0;
    let rows = Rows {
        topic: p.map_or(0, |p| p.topic),
        batch_size: p.map_or(1, |p| p.batch_size.max(1)) as f64,
        linger_us: p.map_or(0, |p| p.linger_ms.saturating_mul(1000)),
        acc_x: l.acc_x,
        bx: l.acc_x + LABEL_W,
        bw,
        slots_w,
        slot_w: slots_w / 2.0,
        h,
        text_line: h >= 34.0,
        small: h < 22.0,
    };
    for part in 0..l.shown {
        let y = l.acc_row_y(part);
        draw_row_frame(ctx, f.now, lang, view, dashes, &rows, (part, y));
        let Some(p) = p else { continue };
        let Some(dq) = p.accumulator.deque(part) else {
            continue;
        };
        let queued = dq.len();
        let ready = f.first_batch_ready(part);
        // Up to two batches side by side, the oldest (the next to leave) first.
        for (i, b) in dq.iter().take(2).enumerate() {
            let x = rows.bx + rows.slot_w * i as f64 + 2.0;
            let slot = Slot {
                i,
                x,
                y0: y + 2.0,
                ready,
                queued,
            };
            draw_batch(ctx, f.now, lang, view, &rows, &slot, b);
        }
    }
    if l.shown < l.partitions {
        let y = l.acc_row_y(l.shown) + 11.0;
        let n = (l.partitions - l.shown).to_string();
        text(
            ctx,
            &tf(lang, "partitions_hidden", &[("n", &n)]),
            rows.bx,
            y,
            MUTED,
            FONT,
        );
    }
}

/// A row's label ("P3", highlighted when the partition is selected, a click picks it), its
/// panel, and the departure lane at its end with the batch that last left.
fn draw_row_frame(
    ctx: &Ctx,
    now: SimTime,
    lang: Lang,
    view: &mut View,
    dashes: &Dashes,
    rows: &Rows,
    (part, y): (u32, f64),
) {
    let (acc_x, h, bx, topic) = (rows.acc_x, rows.h, rows.bx, rows.topic);
    if view.partition_selected(topic, part) {
        ctx.set_fill_style_str("#fff8c5");
        ctx.fill_rect(acc_x - 2.0, y, LABEL_W - 2.0, h);
    }
    text(
        ctx,
        &format!("P{part}"),
        acc_x,
        y + h / 2.0 + 4.0,
        MUTED,
        FONT,
    );
    view.hits.push(
        acc_x - 2.0,
        y,
        LABEL_W,
        h,
        Target::Partition {
            topic,
            partition: part,
            broker: None,
        },
    );
    panel(ctx, bx, y, rows.bw, h, "#ffffff");
    // The departure lane.
    ctx.set_fill_style_str(EDGE);
    ctx.fill_rect(bx + rows.slots_w, y + 3.0, 1.0, h - 6.0);
    draw_departure(
        ctx,
        now,
        view,
        dashes,
        part,
        (bx + rows.slots_w, y),
        h,
        lang,
        rows.text_line,
    );
}

/// Where a queued batch goes in its row: slot `i` (0 the oldest) at `x`, `y0`, and what the
/// row's deque says (whether its first batch is ready, how many batches are queued).
struct Slot {
    i: usize,
    x: f64,
    y0: f64,
    ready: bool,
    queued: usize,
}

/// One queued batch: its fill, a ready frame, the linger timer, its records as dots, and a
/// line of text ("n records, b bytes", or how many more batches wait).
fn draw_batch(
    ctx: &Ctx,
    now: SimTime,
    lang: Lang,
    view: &mut View,
    rows: &Rows,
    slot: &Slot,
    b: &ProducerBatch,
) {
    let (i, x, y0) = (slot.i, slot.x, slot.y0);
    let (w, hh) = (rows.slot_w - 4.0, rows.h - 4.0);
    let (linger_us, text_line) = (rows.linger_us, rows.text_line);
    // The bar: what the batch takes towards batch.size (compressed: the builder's estimate
    // until it is closed), over a pale bar of its uncompressed size, so a codec's ratio
    // shows as the difference.
    let fill = (b.size_bytes as f64 / rows.batch_size).min(1.0);
    if b.compressed {
        let raw = (b.uncompressed_size() as f64 / rows.batch_size).min(1.0);
        ctx.set_fill_style_str("#f0f3f6");
        ctx.fill_rect(x, y0, w * raw, hh);
        ctx.set_stroke_style_str("#d0d7de");
        ctx.set_line_width(1.0);
        ctx.stroke_rect(x + 0.5, y0 + 0.5, (w * raw - 1.0).max(0.0), hh - 1.0);
    }
    ctx.set_fill_style_str(if b.is_full() { "#ffd8b5" } else { "#ddf4ff" });
    ctx.fill_rect(x, y0, w * fill, hh);
    if i == 0 && slot.ready {
        ctx.set_stroke_style_str(READY);
        ctx.set_line_width(1.5);
        ctx.stroke_rect(x + 0.75, y0 + 0.75, w - 1.5, hh - 1.5);
    }
    // Linger timer: an arc that completes when linger.ms has passed.
    let arc = linger_us > 0 && hh >= 14.0;
    if arc {
        let frac = (now.since(b.created_at) as f64 / linger_us as f64).min(1.0);
        ctx.begin_path();
        let (cx, cy) = (x + w - 8.0, y0 + 8.0);
        let start = -core::f64::consts::FRAC_PI_2;
        let _ = ctx.arc(cx, cy, 5.0, start, start + frac * core::f64::consts::TAU);
        ctx.set_stroke_style_str(if frac >= 1.0 { DANGER } else { RIDE });
        ctx.set_line_width(2.0);
        ctx.stroke();
    }
    let area_w = w - 8.0 - if arc { 14.0 } else { 0.0 };
    let area_h = hh - 4.0 - if text_line { 13.0 } else { 0.0 };
    let recs = b.records.iter().map(|r| (r.id, r.key));
    let area = ((x + 4.0, y0 + 2.0), (area_w, area_h));
    draw_records(ctx, view, rows.small, (recs, b.records.len()), area);
    if text_line {
        let s = if i == 1 && slot.queued > 2 {
            tf(lang, "acc_more", &[("n", &(slot.queued - 1).to_string())])
        } else {
            batch_size_text(b, lang)
        };
        text(ctx, &s, x + 3.0, y0 + hh - 3.0, INK, SMALL);
    }
}

/// Tile steps (and tile widths) for a queued batch whose records outnumber its dots.
const DENSE_STEPS: [(f64, f64); 3] = [(4.0, 3.0), (3.0, 2.0), (2.0, 2.0)];

/// A batch's `n` records (id and key, oldest first) in an area `area_w` x `area_h` at (x, y):
/// as dots in rows while they fit, else as tiles as small as it takes (down to 2 units,
/// `pixels`, a `hits::Grid`); those that still do not fit are not drawn (the text line counts
/// them all).
fn draw_records(
    ctx: &Ctx,
    view: &mut View,
    small: bool,
    (recs, n): (impl Iterator<Item = (u64, Option<u32>)>, usize),
    ((x, y), (area_w, area_h)): ((f64, f64), (f64, f64)),
) {
    let (step, r) = if small { (6.0, 2.2) } else { (7.0, 2.6) };
    let fit = |step: f64| {
        let per_row = ((area_w / step) as usize).max(1);
        (per_row, per_row * ((area_h / step) as usize).max(1))
    };
    let (per_row, dots) = fit(step);
    if n <= dots {
        for (j, (id, key)) in recs.enumerate() {
            let dx = x + r + (j % per_row) as f64 * step;
            let dy = y + r + (j / per_row) as f64 * step;
            record_dot(ctx, view, (dx, dy), r, id, key);
        }
        return;
    }
    let (step, tile) = DENSE_STEPS
        .iter()
        .copied()
        .find(|(s, _)| fit(*s).1 >= n)
        .unwrap_or(DENSE_STEPS[DENSE_STEPS.len() - 1]);
    let (per_row, cells) = fit(step);
    let rows = cells / per_row;
    view.pixels
        .begin((per_row as f64 * step) as u32, (rows as f64 * step) as u32);
    let grid = Grid::new((x, y), (step, step), (tile, tile), per_row as u32);
    view.hits.begin_grid(grid);
    let sel = view.selected_record();
    let mut selected = None;
    let side = tile as u32;
    for (j, (id, key)) in recs.take(cells).enumerate() {
        let (cx, cy) = ((j % per_row) as f64 * step, (j / per_row) as f64 * step);
        view.pixels
            .fill((cx as u32, cy as u32), (side, side), key_rgb(key));
        view.hits.cell(Some(id));
        if sel == Some(id) {
            selected = Some((x + cx, y + cy));
        }
    }
    view.pixels.draw(ctx, x, y);
    if let Some((sx, sy)) = selected {
        ctx.set_stroke_style_str(INK);
        ctx.set_line_width(1.5);
        ctx.stroke_rect(sx - 1.0, sy - 1.0, tile + 2.0, tile + 2.0);
    }
}

/// A queued batch's line: its records and bytes; with a codec its size on the wire (≈ while
/// it is the builder's estimate) and uncompressed.
pub fn batch_size_text(b: &ProducerBatch, lang: Lang) -> String {
    let n = b.records.len().to_string();
    if !b.compressed {
        let bytes = b.size_bytes.to_string();
        return tf(lang, "acc_records", &[("n", &n), ("bytes", &bytes)]);
    }
    let approx = if b.wire_bytes.is_some() { "" } else { "≈" };
    let wire = format!("{approx}{}", human_bytes(b.wire_size() as u64));
    let raw = human_bytes(b.uncompressed_size() as u64);
    tf(
        lang,
        "cv.acc_compressed",
        &[("n", &n), ("wire", &wire), ("raw", &raw)],
    )
}

/// The batch that last left partition `part`, in the lane at the end of its row, while it
/// is recent: orange if it was ready, blue dashed if it rode along.
#[allow(clippy::too_many_arguments)]
pub fn draw_departure(
    ctx: &Ctx,
    now: SimTime,
    view: &mut View,
    dashes: &Dashes,
    part: u32,
    (lx, y): (f64, f64),
    h: f64,
    lang: Lang,
    text_line: bool,
) {
    let window = view.departure_window_us.max(1);
    // Taken out while it is drawn (its records' dots and tiles go into the view), then back.
    let Some(d) = view
        .departures
        .get_mut(part as usize)
        .and_then(|slot| slot.take_if(|d| now.since(d.sent_at) <= window))
    else {
        return;
    };
    let age = now.since(d.sent_at);
    let fade = 1.0 - 0.6 * (age as f64 / window as f64);
    ctx.set_global_alpha(fade);
    let (x, y0, w, hh) = (lx + 4.0, y + 3.0, LANE_W - 8.0, h - 6.0);
    let colour = if d.piggyback { RIDE } else { READY };
    ctx.set_fill_style_str(if d.piggyback { "#eef6ff" } else { "#fff1e5" });
    ctx.fill_rect(x, y0, w, hh);
    dashes.set(ctx, d.piggyback);
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(1.5);
    ctx.stroke_rect(x + 0.75, y0 + 0.75, w - 1.5, hh - 1.5);
    dashes.set(ctx, false);
    let area_h = hh - 6.0 - if text_line { 12.0 } else { 0.0 };
    let recs = d.recs.iter().copied();
    let area = ((x + 4.0, y0 + 3.0), (w - 8.0, area_h));
    draw_records(ctx, view, hh < 18.0, (recs, d.recs.len()), area);
    if text_line {
        let how = if d.piggyback {
            t(lang, "lane_piggyback")
        } else {
            t(lang, "lane_ready")
        };
        // Its size on the wire, and uncompressed when a codec made it smaller.
        let wire = human_bytes(d.wire_bytes as u64);
        let label = if d.uncompressed_bytes > d.wire_bytes {
            let raw = human_bytes(d.uncompressed_bytes as u64);
            format!("{how} · {wire}/{raw}")
        } else {
            format!("{how} · {wire}")
        };
        let label = label.as_str();
        text(ctx, label, x + 3.0, y0 + hh - 4.0, colour, SMALL);
    }
    ctx.set_global_alpha(1.0);
    if let Some(slot) = view.departures.get_mut(part as usize) {
        *slot = Some(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::{Config, Sim};

    /// With a codec a queued batch says its size on the wire (≈ the builder's estimate) and
    /// uncompressed; without one, its bytes.
    #[test]
    fn a_compressed_batch_shows_both_sizes() {
        let mut c = Config::preset();
        c.set("compression.type", "lz4").unwrap();
        c.set("linger.ms", "1000").unwrap();
        let mut sim = Sim::new(c, 4).unwrap();
        sim.run_until(SimTime(300_000));
        let p = &sim.producers()[0];
        let b = p
            .accumulator
            .deques
            .iter()
            .flatten()
            .flat_map(|d| d.iter())
            .find(|b| b.records.len() > 3)
            .expect("a queued batch");
        // Unsent, its wire size is the builder's estimate (which starts at ratio 1.0 and
        // x 1.05, so it can exceed the uncompressed size at first, as Kafka's does).
        assert!(b.wire_bytes.is_none());
        let s = batch_size_text(b, Lang::En);
        assert!(s.contains(" raw → ≈"), "{s}");
        let mut sim = Sim::new(Config::preset(), 4).unwrap();
        sim.run_until(SimTime(300_000));
        let b = sim.producers()[0]
            .accumulator
            .deques
            .iter()
            .flatten()
            .flat_map(|d| d.iter())
            .next();
        if let Some(b) = b {
            assert!(!batch_size_text(b, Lang::En).contains(" raw → "));
        }
    }
}
