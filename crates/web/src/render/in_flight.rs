//! The producer's produce requests awaiting a response, listed under the producer boxes: the
//! broker each went to, and for each batch its partition and sequence numbers (base ..
//! last, the idempotent producer's; "no sequence" without idempotence), retries marked. It
//! is what `max.in.flight.requests.per.connection` bounds and what a leader failure puts at
//! risk.

use super::layout::{Layout, HEIGHT};
use super::paint::{text, wrapped, BOLD, FONT, INK, MUTED, SMALL, WARN};
use crate::i18n::{t, tf, Lang};
use core::fmt::Write;
use streamscope_core::producer::{InFlightRequest, ProducerState};
use streamscope_core::sim::view::{Frame, ProducerFrame};
use web_sys::CanvasRenderingContext2d as Ctx;

const LINE_H: f64 = 15.0;

/// One request as a line: `→ B1  P0 10–14 · P3 0–4 (retry 2)`; returns (text, retried).
pub fn request_line(r: &InFlightRequest, lang: Lang, max_chars: usize) -> (String, bool) {
    let mut s = String::with_capacity(64);
    let _ = write!(s, "→ B{}  ", r.broker);
    let mut retried = false;
    for (i, b) in r.batches.iter().enumerate() {
        if s.chars().count() > max_chars {
            let _ = write!(s, "+{}", r.batches.len() - i);
            break;
        }
        if i > 0 {
            s.push_str(" · ");
        }
        let n = b.record_count();
        match b.base_sequence {
            Some(base) => {
                let last = base.wrapping_add(n.saturating_sub(1) as i32);
                let _ = write!(s, "P{} {base}–{last}", b.partition);
            }
            None => {
                let _ = write!(
                    s,
                    "P{} {}",
                    b.partition,
                    tf(lang, "inflight_records", &[("n", &n.to_string())])
                );
            }
        }
        if b.attempts > 1 {
            retried = true;
            let _ = write!(
                s,
                " ({})",
                tf(
                    lang,
                    "inflight_retry",
                    &[("n", &(b.attempts - 1).to_string())]
                )
            );
        }
    }
    (s, retried)
}

/// Draws the list from `y` down to the canvas bottom.
pub(super) fn draw_in_flight(ctx: &Ctx, f: &Frame, l: &Layout, lang: Lang, y: f64) {
    let bottom = HEIGHT - 12.0;
    if y + 3.0 * LINE_H > bottom {
        return;
    }
    let x = l.prod_x + 4.0;
    let live: Vec<&ProducerFrame> = f
        .producers
        .iter()
        .filter(|p| p.state != ProducerState::Closed)
        .collect();
    let Some(first) = live
        .iter()
        .find(|p| p.state == ProducerState::Running)
        .or(live.first())
    else {
        return;
    };
    let max = first.max_in_flight_requests_per_connection;
    let ly = draw_heading(ctx, l, lang, max, (x, y));
    let total: usize = live.iter().map(|p| p.in_flight.len()).sum();
    if total == 0 {
        text(ctx, t(lang, "inflight_none"), x, ly, MUTED, FONT);
        return;
    }
    let lines_fit = ((bottom - ly) / LINE_H).max(1.0) as usize;
    draw_requests(
        ctx,
        lang,
        &live,
        (total, lines_fit),
        (x, ly, l.prod_w - 8.0),
    );
}

/// The list's title and what bounds it (max.in.flight.requests.per.connection = `max`);
/// returns the y of the first request line.
fn draw_heading(ctx: &Ctx, l: &Layout, lang: Lang, max: u32, (x, y): (f64, f64)) -> f64 {
    text(ctx, t(lang, "inflight_title"), x, y + 12.0, INK, BOLD);
    let sub = tf(lang, "inflight_sub", &[("max", &max.to_string())]);
    let lines = wrapped(
        ctx,
        &sub,
        (x, y + 12.0 + LINE_H),
        l.prod_w - 8.0,
        13.0,
        3,
        MUTED,
    );
    y + 12.0 + LINE_H + 13.0 * lines as f64 + 4.0
}

/// One line per request of the live producers (with the producer id when there are several),
/// retries in orange, as many as fit (`lines_fit` of `total`, the last saying how many more).
fn draw_requests(
    ctx: &Ctx,
    lang: Lang,
    live: &[&ProducerFrame],
    (total, lines_fit): (usize, usize),
    (x, mut ly, max_w): (f64, f64, f64),
) {
    let several = live.len() > 1;
    let mut shown = 0usize;
    for p in live {
        for r in p.in_flight.values() {
            if shown + 1 == lines_fit && total > lines_fit {
                let more = (total - shown).to_string();
                text(
                    ctx,
                    &tf(lang, "acc_more", &[("n", &more)]),
                    x,
                    ly,
                    MUTED,
                    SMALL,
                );
                return;
            }
            let (mut line, retried) = request_line(r, lang, 30);
            if several {
                let who = if p.producer_id >= 0 {
                    tf(lang, "cv.pid_short", &[("pid", &p.producer_id.to_string())])
                } else {
                    tf(lang, "node_producer", &[("n", &p.index.to_string())])
                };
                line = format!("{who}  {line}");
            }
            let line = fit_width(ctx, line, max_w);
            text(ctx, &line, x, ly, if retried { WARN } else { INK }, FONT);
            ly += LINE_H;
            shown += 1;
        }
    }
}

/// Fits `line` in `max_w`: cut at a character boundary with an ellipsis.
fn fit_width(ctx: &Ctx, mut line: String, max_w: f64) -> String {
    // Fit the width: cut at a character boundary with an ellipsis.
    ctx.set_font(FONT);
    if ctx.measure_text(&line).map_or(0.0, |m| m.width()) > max_w {
        while line.pop().is_some() {
            let mut cut = line.clone();
            cut.push('…');
            if ctx.measure_text(&cut).map_or(0.0, |m| m.width()) <= max_w {
                line = cut;
                break;
            }
        }
    }
    line
}
