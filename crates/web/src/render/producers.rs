//! The producer column: the column headers, and one box per producer instance of the page's
//! application (the running one first, then zombies sharing its transactional.id and closing
//! ones): its settings, counters, buffer.memory in use, what its send() is doing, and its
//! transaction lines. A pipeline processor's producer is drawn with its processor instead.

use super::layout::Layout;
use super::paint::{
    human_bytes, panel, text, wrapped, BODY, BOLD, DANGER, FONT, INK, MUTED, PANEL, WARN,
};
use super::state::{NodeBox, View};
use super::txn;
use crate::i18n::{t, tf, Lang};
use streamscope_core::producer::ProducerState;
use streamscope_core::sim::view::{Frame, ProducerFrame};
use streamscope_core::SimTime;
use web_sys::CanvasRenderingContext2d as Ctx;

/// `compression: lz4 (ratio 0.42)`: the codec and the ratio of bytes on the wire to bytes
/// before compression over the batches sent so far (before any: the estimate new batches
/// start from, Kafka's `CompressionRatioEstimator`).
pub fn compression_text(p: &ProducerFrame, lang: Lang) -> String {
    tf(
        lang,
        "compression_slot",
        &[
            ("type", p.compression),
            ("ratio", &format!("{:.2}", p.compression_ratio)),
        ],
    )
}

/// How the application's send() stands at `now`, for the producer box and the page's status
/// line: (text, colour).
pub fn producer_status(now: SimTime, p: &ProducerFrame, lang: Lang) -> (String, &'static str) {
    if let Some(since) = p.blocked_since {
        let ms = now.since(since) / 1000;
        let max = p.max_block_ms;
        return (
            tf(
                lang,
                "blocked",
                &[("ms", &ms.to_string()), ("max", &max.to_string())],
            ),
            DANGER,
        );
    }
    if let Some(id) = p.awaiting_ack {
        return (tf(lang, "sync_waiting", &[("id", &id.to_string())]), WARN);
    }
    if p.sync {
        return (t(lang, "sync_idle").to_string(), MUTED);
    }
    (t(lang, "async_sending").to_string(), MUTED)
}

/// The producer's last error as its box shows it: (`last error NOT_ENOUGH_REPLICAS (P2,
/// 0.4 s ago, retried)`, `37 errors · 4773 records failed`); `None` before any.
pub fn error_text(now: SimTime, p: &ProducerFrame, lang: Lang) -> Option<(String, String)> {
    let e = p.errors.last?;
    let ago = now.since(e.at) as f64 / 1e6;
    let key = if e.retried {
        "cv.last_error_retried"
    } else {
        "cv.last_error"
    };
    let last = tf(
        lang,
        key,
        &[
            ("e", e.error.name()),
            ("p", &e.partition.to_string()),
            ("ago", &format!("{ago:.1}")),
        ],
    );
    let counts = tf(
        lang,
        "cv.error_counts",
        &[
            ("n", &p.errors.count.to_string()),
            ("f", &p.records_failed.to_string()),
        ],
    );
    Some((last, counts))
}

/// A producer box's first line: its producer id and epoch where Kafka has one; a producer
/// waiting for InitProducerId's answer, or one that is neither idempotent nor transactional
/// (producer id -1), shows none.
pub fn producer_heading(p: &ProducerFrame, lang: Lang) -> String {
    let n = p.index.to_string();
    if p.producer_id >= 0 {
        let (pid, epoch) = (p.producer_id.to_string(), p.epoch.to_string());
        tf(lang, "cv.pid_epoch", &[("pid", &pid), ("epoch", &epoch)])
    } else if p.awaits_producer_id {
        tf(lang, "cv.pid_waiting", &[("n", &n)])
    } else {
        tf(lang, "cv.pid_none", &[("n", &n)])
    }
}

pub fn draw_headers(ctx: &Ctx, frame: &Frame, l: &Layout, lang: Lang, txn_world: bool) {
    let f = "600 13px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif";
    let batch_size = frame
        .running()
        .map(|p| p.batch_size)
        .unwrap_or_default()
        .to_string();
    let cols = [
        (l.prod_x + 4.0, "producer", "producer_sub"),
        (l.acc_x, "accumulator", "accumulator_sub"),
        (
            l.broker_x,
            "brokers",
            if txn_world {
                "brokers_sub_txn"
            } else {
                "brokers_sub"
            },
        ),
        (l.cons_x, "group", "group_sub"),
    ];
    for (x, head, sub_key) in cols {
        text(ctx, t(lang, head), x, 36.0, INK, f);
        let sub = tf(lang, sub_key, &[("batch_size", &batch_size)]);
        text(ctx, &sub, x, 52.0, MUTED, FONT);
    }
}

/// Draws the producer boxes; returns the y below the last one.
pub fn draw_producers(ctx: &Ctx, f: &Frame, l: &Layout, lang: Lang, view: &mut View) -> f64 {
    let mut y = l.top;
    let x = l.prod_x + 8.0;
    // The running instance first, then zombies (same transactional.id) and closing ones.
    let mut order: Vec<&ProducerFrame> = f
        .producers
        .iter()
        .filter(|p| p.state != ProducerState::Closed && !p.processor)
        .collect();
    order.sort_by_key(|p| (p.state != ProducerState::Running, p.zombie));
    for p in order.into_iter().take(3) {
        let zombie = p.zombie;
        let is_running = p.state == ProducerState::Running && !zombie;
        let extra = txn::producer_extra(p, !is_running);
        let h = if is_running { 236.0 } else { 70.0 } + extra;
        panel(
            ctx,
            l.prod_x,
            y,
            l.prod_w,
            h,
            if is_running { PANEL } else { "#fff8e6" },
        );
        text(ctx, &producer_heading(p, lang), x, y + 18.0, INK, BOLD);
        if is_running {
            draw_running_box(ctx, f.now, l, lang, view, p, y);
        } else {
            draw_compact_box(ctx, l, lang, view, p, y);
        }
        view.nodes.push(NodeBox {
            x: l.prod_x,
            y,
            w: l.prod_w,
            h,
            node: streamscope_core::net::Node::Producer(p.index),
        });
        y += h + 10.0;
    }
    y
}

/// A zombie's or a closing instance's compact box (below its pid line at `y`).
fn draw_compact_box(
    ctx: &Ctx,
    l: &Layout,
    lang: Lang,
    view: &mut View,
    pf: &ProducerFrame,
    y: f64,
) {
    let p = pf;
    let x = l.prod_x + 8.0;
    let what = if pf.zombie { "txn_zombie" } else { "closing" };
    text(ctx, t(lang, what), x, y + 36.0, WARN, BODY);
    text(
        ctx,
        &tf(
            lang,
            "in_flight_requests",
            &[("n", &p.in_flight.len().to_string())],
        ),
        x,
        y + 54.0,
        INK,
        BODY,
    );
    let at = (x, y + 70.0 - 4.0, l.prod_w - 16.0);
    txn::draw_producer_txn(ctx, lang, view, pf, at, true);
}

/// The running instance's box (below its pid line at `y`): settings, counters, buffer.memory
/// in use, what its send() is doing, and its transaction lines.
fn draw_running_box(
    ctx: &Ctx,
    now: SimTime,
    l: &Layout,
    lang: Lang,
    view: &mut View,
    pf: &ProducerFrame,
    y: f64,
) {
    let p = pf;
    let x = l.prod_x + 8.0;
    let mut ly = y + 36.0;
    for (s, colour) in &settings_lines(p, lang) {
        let font = if *colour == MUTED { FONT } else { BODY };
        text(ctx, s, x, ly, colour, font);
        ly += 16.0;
    }
    draw_buffer(ctx, l, lang, p, (x, ly));
    // What the application's send() is doing (sync wait, blocked on memory).
    let (status, colour) = producer_status(now, p, lang);
    // The last error its batches got, under Kafka's name, and how many (the status then
    // keeps one line).
    let error = error_text(now, p, lang);
    let max_lines = if error.is_some() { 1 } else { 3 };
    let lines = wrapped(
        ctx,
        &status,
        (x, ly + 28.0),
        l.prod_w - 16.0,
        14.0,
        max_lines,
        colour,
    );
    if let Some((last, counts)) = error {
        let ey = ly + 28.0 + 14.0 * lines.max(1) as f64;
        let n = wrapped(ctx, &last, (x, ey), l.prod_w - 16.0, 13.0, 3, DANGER);
        let cy = ey + 13.0 * n.max(1) as f64;
        text(ctx, &counts, x, cy, DANGER, FONT);
    }
    let at = (x, y + 236.0 - 6.0, l.prod_w - 16.0);
    txn::draw_producer_txn(ctx, lang, view, pf, at, false);
}

/// The running producer's lines with their colours: acks and linger.ms, the partitioner,
/// idempotence, compression, records sent and acknowledged, requests in flight.
fn settings_lines(p: &ProducerFrame, lang: Lang) -> [(String, &'static str); 7] {
    [
        (format!("acks={} · linger.ms={}", p.acks, p.linger_ms), INK),
        (
            t(lang, &format!("partitioner.{}", p.partitioner)).to_string(),
            INK,
        ),
        (
            if p.idempotent {
                t(lang, "idempotent")
            } else {
                t(lang, "not_idempotent")
            }
            .to_string(),
            MUTED,
        ),
        (compression_text(p, lang), MUTED),
        (format!("{} {}", t(lang, "sent"), p.records_sent), INK),
        (
            format!("{} {}", t(lang, "acked"), p.records_acknowledged),
            INK,
        ),
        (
            tf(
                lang,
                "in_flight_requests",
                &[("n", &p.in_flight.len().to_string())],
            ),
            INK,
        ),
    ]
}

/// buffer.memory in use at (`x`, `ly`), as text and a bar (red while send() is blocked on
/// it, orange above 80 %).
fn draw_buffer(ctx: &Ctx, l: &Layout, lang: Lang, p: &ProducerFrame, (x, ly): (f64, f64)) {
    let used = p.buffer_used;
    let total = p.buffer_memory.max(1);
    text(
        ctx,
        &tf(
            lang,
            "buffer",
            &[("used", &human_bytes(used)), ("total", &human_bytes(total))],
        ),
        x,
        ly,
        MUTED,
        FONT,
    );
    let bar_w = l.prod_w - 16.0;
    let frac = (used as f64 / total as f64).clamp(0.0, 1.0);
    ctx.set_fill_style_str("#eaeef2");
    ctx.fill_rect(x, ly + 5.0, bar_w, 7.0);
    ctx.set_fill_style_str(if p.blocked_since.is_some() {
        DANGER
    } else if frac > 0.8 {
        WARN
    } else {
        "#1a7f37"
    });
    // At least a pixel, so a little use is visible.
    let w = if used > 0 {
        (bar_w * frac).max(1.0)
    } else {
        0.0
    };
    ctx.fill_rect(x, ly + 5.0, w, 7.0);
}
