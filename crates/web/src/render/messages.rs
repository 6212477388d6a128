//! Messages in flight, placed by interpolating between their send and delivery times: produce
//! requests with their batches' records, fetch responses with the records they carry,
//! acknowledgements, follower fetches, and transaction requests as labelled pills.

use super::layout::Layout;
use super::paint::{dot, text, Dashes, DANGER, MUTED, READY, RIDE};
use super::state::{record_dot, View};
use super::txn_messages;
use streamscope_core::net::{Body, FetchedPartition, Message, MessageKind, TopicPartitionId};
use streamscope_core::producer::accumulator::ProducerBatch;
use streamscope_core::sim::view::Frame;
use web_sys::CanvasRenderingContext2d as Ctx;

fn first_partition(m: &Message) -> Option<u32> {
    match &m.body {
        Body::Produce { batches, .. } => batches.first().map(|(tp, _)| tp.partition),
        _ => None,
    }
}

/// Batches (or fetched partitions) drawn per message, and dots per batch.
const MSG_GROUPS: usize = 6;

const MSG_DOTS: usize = 8;

pub fn draw_messages(ctx: &Ctx, fr: &Frame, l: &Layout, view: &mut View, dashes: &Dashes) {
    let now = fr.now.micros() as f64;
    for &m in &fr.messages {
        let (x0, y0) = l.anchor(m.from, m.to, first_partition(m));
        let (x1, y1) = l.anchor(m.to, m.from, first_partition(m));
        let span = (m.deliver_at.micros() as f64 - m.sent_at.micros() as f64).max(1.0);
        let f = ((now - m.sent_at.micros() as f64) / span).clamp(0.0, 1.0);
        let (x, y) = (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
        match &m.body {
            Body::Produce { batches, .. } => draw_produce(ctx, view, dashes, batches, (x, y)),
            Body::ReplicaFetchResponse { parts } | Body::ConsumerFetchResponse { parts } => {
                draw_fetched(ctx, view, parts, (x, y))
            }
            Body::ProduceResponse { results, .. } => {
                // An acknowledgement: green, or red with the error's Kafka name when a
                // partition's answer is a refusal.
                match results.iter().find_map(|r| r.error) {
                    Some(e) => refusal_pill(ctx, e.name(), x, y),
                    None => dot(ctx, x, y, 4.0, "#1a7f37"),
                }
            }
            _ => draw_other(ctx, m, (x, y)),
        }
    }
}

/// A produce request: each batch's records as dots in a frame (orange: it was ready; blue
/// dashed: it rode along).
fn draw_produce(
    ctx: &Ctx,
    view: &mut View,
    dashes: &Dashes,
    batches: &[(TopicPartitionId, ProducerBatch)],
    (x, y): (f64, f64),
) {
    let groups = batches.len().min(MSG_GROUPS);
    if groups == 0 {
        dot(ctx, x, y, 2.0, "#afb8c1");
        return;
    }
    message_backdrop(ctx, x, y, groups);
    for (gi, (_, b)) in batches.iter().take(MSG_GROUPS).enumerate() {
        let gy = y + gi as f64 * 8.0;
        let ride = b.rode_along;
        dashes.set(ctx, ride);
        ctx.set_stroke_style_str(if ride { RIDE } else { READY });
        ctx.set_line_width(1.0);
        ctx.stroke_rect(x - 3.5, gy - 3.5, MSG_DOTS as f64 * 6.0 + 1.0, 7.0);
        dashes.set(ctx, false);
        for (j, r) in b.records.iter().take(MSG_DOTS).enumerate() {
            record_dot(ctx, view, (x + j as f64 * 6.0, gy), 2.3, r.id, r.key);
        }
        more_label(ctx, b.records.len(), x, gy);
    }
    more_groups(ctx, batches.len(), x, y);
}

/// A fetch response (a follower's or a consumer's): the records of each partition that has
/// some, as dots.
fn draw_fetched(ctx: &Ctx, view: &mut View, parts: &[FetchedPartition], (x, y): (f64, f64)) {
    let groups = parts.iter().filter(|p| !p.entries.is_empty()).count();
    if groups == 0 {
        dot(ctx, x, y, 2.0, "#afb8c1");
        return;
    }
    message_backdrop(ctx, x, y, groups.min(MSG_GROUPS));
    let filled = parts.iter().filter(|p| !p.entries.is_empty());
    for (gi, part) in filled.take(MSG_GROUPS).enumerate() {
        let gy = y + gi as f64 * 8.0;
        for (j, (_, e)) in part.entries.iter().take(MSG_DOTS).enumerate() {
            record_dot(ctx, view, (x + j as f64 * 6.0, gy), 2.3, e.record_id, e.key);
        }
        more_label(ctx, part.entries.len(), x, gy);
    }
    more_groups(ctx, groups, x, y);
}

/// Any other message: a follower's fetch as a hollow ring, a consumer's as a grey dot, a
/// transaction request as a labelled pill, the rest as a purple dot.
fn draw_other(ctx: &Ctx, m: &Message, (x, y): (f64, f64)) {
    match m.body.kind() {
        MessageKind::ReplicaFetch => {
            // A follower asking its leader for more: a hollow ring.
            ctx.begin_path();
            let _ = ctx.arc(x, y, 3.5, 0.0, core::f64::consts::TAU);
            ctx.set_fill_style_str("#ffffff");
            ctx.fill();
            ctx.set_stroke_style_str("#6e7781");
            ctx.set_line_width(1.5);
            ctx.stroke();
        }
        MessageKind::ConsumerFetch => dot(ctx, x, y, 2.0, "#8c959f"),
        k if txn_messages::is_txn_kind(k) => txn_messages::draw_message(ctx, m, x, y),
        _ => dot(ctx, x, y, 3.0, "#8250df"),
    }
}

/// A refused produce response on its way back: a red dot and a red pill with Kafka's error.
fn refusal_pill(ctx: &Ctx, name: &str, x: f64, y: f64) {
    dot(ctx, x, y, 4.5, DANGER);
    let font = "600 9px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif";
    ctx.set_font(font);
    let w = ctx.measure_text(name).map_or(90.0, |m| m.width()) + 8.0;
    ctx.set_fill_style_str(DANGER);
    ctx.fill_rect(x + 7.0, y - 6.0, w, 12.0);
    text(ctx, name, x + 11.0, y + 3.0, "#ffffff", font);
}

fn message_backdrop(ctx: &Ctx, x: f64, y: f64, groups: usize) {
    ctx.set_fill_style_str("rgba(255,255,255,0.88)");
    ctx.fill_rect(
        x - 5.0,
        y - 5.0,
        MSG_DOTS as f64 * 6.0 + 5.0,
        groups as f64 * 8.0 + 2.0,
    );
}

fn more_label(ctx: &Ctx, n: usize, x: f64, gy: f64) {
    if n > MSG_DOTS {
        text(
            ctx,
            &format!("+{}", n - MSG_DOTS),
            x + MSG_DOTS as f64 * 6.0 + 1.0,
            gy + 3.0,
            MUTED,
            "9px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif",
        );
    }
}

fn more_groups(ctx: &Ctx, n: usize, x: f64, y: f64) {
    if n > MSG_GROUPS {
        text(
            ctx,
            &format!("+{}", n - MSG_GROUPS),
            x,
            y + MSG_GROUPS as f64 * 8.0 + 6.0,
            MUTED,
            "9px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif",
        );
    }
}
