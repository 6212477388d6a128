//! Drawing the timeline: the axis with its ticks, a labelled lane per kind of mark, the marks
//! (a tick each, at most one per pixel of a lane; refusals as runs), the branch points, the
//! recorded future shaded while in the past, the cursor. Reads the history and the world only.

use super::axis::{
    group_code, group_colour, refusal_runs, thousands, x_of, Drawn, Timeline, GROUPS, HEIGHT,
    LANE_H, LANE_TOP, LEFT, RIGHT, WIDTH,
};
use crate::i18n::{t, tf, Lang};
use streamscope_core::sim::history::marks::{Mark, MarkGroup, MarkKind};
use streamscope_core::sim::history::{Branch, History};
use streamscope_core::{Sim, SimTime};
use web_sys::CanvasRenderingContext2d as Ctx;

const FONT: &str = "11px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif";
const SMALL: &str = "10px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif";
const INK: &str = "#1f2328";
const MUTED: &str = "#57606a";

/// Draws the timeline of `history` with the cursor at `sim`'s moment, unless what it shows
/// is what it drew last.
pub fn draw(ctx: &Ctx, tl: &mut Timeline, history: &History, sim: &Sim, lang: Lang) {
    let head = history.head_moment(sim);
    let key = Drawn {
        head,
        marks: history.marks().all().len(),
        branches: history.branches().len(),
        now: sim.moment(),
        lang,
    };
    if tl.drawn == Some(key) {
        return;
    }
    tl.drawn = Some(key);
    tl.span_us = head.time.micros().max(1);
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, WIDTH, HEIGHT);
    draw_axis(ctx, tl.span_us, lang);
    draw_lanes(ctx, lang);
    if !history.is_live() {
        let x = tl.x_of(sim.now());
        ctx.set_fill_style_str("rgba(87, 96, 106, 0.10)");
        ctx.fill_rect(x, LANE_TOP, RIGHT - x, LANE_H * GROUPS.len() as f64);
    }
    let marks = history.marks().all();
    draw_marks(ctx, tl.span_us, marks, lang);
    draw_refusals(ctx, tl.span_us, marks);
    draw_branches(ctx, tl.span_us, history.branches(), lang);
    draw_cursor(ctx, tl.x_of(sim.now()));
}

fn text(ctx: &Ctx, s: &str, x: f64, y: f64, colour: &str, font: &str) {
    ctx.set_fill_style_str(colour);
    ctx.set_font(font);
    let _ = ctx.fill_text(s, x, y);
}

fn text_width(ctx: &Ctx, s: &str, font: &str) -> f64 {
    ctx.set_font(font);
    ctx.measure_text(s)
        .map_or(s.len() as f64 * 6.0, |m| m.width())
}

fn lane_y(g: MarkGroup) -> f64 {
    let i = GROUPS.iter().position(|x| *x == g).unwrap_or(0);
    LANE_TOP + LANE_H * i as f64
}

/// The axis: a line under the ticks, a tick and its time every "round" step.
fn draw_axis(ctx: &Ctx, span_us: u64, lang: Lang) {
    ctx.set_fill_style_str("#d0d7de");
    ctx.fill_rect(LEFT, LANE_TOP - 3.0, RIGHT - LEFT, 1.0);
    let step = tick_step(span_us);
    let decimals = match step {
        s if s >= 1_000_000 => 0,
        s if s >= 100_000 => 1,
        s if s >= 10_000 => 2,
        _ => 3,
    };
    let mut at = 0u64;
    while at <= span_us {
        let x = x_of(SimTime(at), span_us);
        ctx.set_fill_style_str("#d0d7de");
        ctx.fill_rect(x, LANE_TOP - 6.0, 1.0, 4.0);
        let secs = format!("{:.*}", decimals, at as f64 / 1e6);
        let label = tf(lang, "secs", &[("s", &secs)]);
        let w = text_width(ctx, &label, SMALL);
        if x + w / 2.0 < WIDTH {
            text(ctx, &label, x - w / 2.0, LANE_TOP - 9.0, MUTED, SMALL);
        }
        at += step;
    }
}

/// A round step (1, 2 or 5 times a power of ten microseconds) giving at most 10 ticks.
pub fn tick_step(span_us: u64) -> u64 {
    let mut unit = 1u64;
    loop {
        for m in [1, 2, 5] {
            let step = unit.saturating_mul(m);
            if span_us / step <= 10 {
                return step;
            }
        }
        unit = unit.saturating_mul(10);
    }
}

/// Each lane's band and label.
fn draw_lanes(ctx: &Ctx, lang: Lang) {
    for (i, g) in GROUPS.iter().enumerate() {
        let y = LANE_TOP + LANE_H * i as f64;
        if i % 2 == 0 {
            ctx.set_fill_style_str("#f6f8fa");
            ctx.fill_rect(LEFT, y, RIGHT - LEFT, LANE_H);
        }
        ctx.set_fill_style_str(group_colour(*g));
        ctx.fill_rect(6.0, y + 3.0, 8.0, 8.0);
        text(ctx, t(lang, group_code(*g).1), 18.0, y + 11.0, INK, SMALL);
    }
}

/// Every mark but the refusals: a tick in its lane (full height for what changed the world,
/// half for the rest), the rebalances' generation and the monitor's counts where they fit.
fn draw_marks(ctx: &Ctx, span_us: u64, marks: &[Mark], lang: Lang) {
    let mut last_x = [f64::NEG_INFINITY; GROUPS.len()];
    let mut label_end = [f64::NEG_INFINITY; GROUPS.len()];
    for m in marks {
        let g = m.kind.group();
        if g == MarkGroup::Refused {
            continue;
        }
        let lane = GROUPS.iter().position(|x| *x == g).unwrap_or(0);
        let x = x_of(m.time, span_us);
        let y = lane_y(g);
        let (full, label) = mark_look(m.kind, lang);
        if let Some(label) = label.filter(|_| x + 2.0 > label_end[lane]) {
            let w = text_width(ctx, &label, SMALL);
            if x + 3.0 + w < RIGHT {
                text(ctx, &label, x + 3.0, y + 11.0, group_colour(g), SMALL);
                label_end[lane] = x + 3.0 + w + 4.0;
            }
        }
        if (x - last_x[lane]).abs() < 1.0 {
            continue;
        }
        last_x[lane] = x;
        ctx.set_fill_style_str(group_colour(g));
        if full {
            ctx.fill_rect(x - 0.75, y + 1.0, 1.5, LANE_H - 2.0);
        } else {
            ctx.fill_rect(x - 0.75, y + LANE_H / 2.0, 1.5, LANE_H / 2.0 - 1.0);
        }
    }
}

/// Whether a mark's tick is full height, and the label it carries.
fn mark_look(kind: MarkKind, lang: Lang) -> (bool, Option<String>) {
    match kind {
        MarkKind::FaultStarted { applied, .. } => (applied, None),
        MarkKind::FaultEnded { .. } => (false, None),
        MarkKind::IsrShrink { .. } => (true, None),
        MarkKind::IsrExpand { .. } => (false, None),
        MarkKind::RebalanceStarted { .. } => (false, None),
        MarkKind::GroupStable { generation, .. } => {
            let gen = generation.to_string();
            (true, Some(tf(lang, "tl_gen", &[("gen", &gen)])))
        }
        MarkKind::TxnEnded { commit } => (commit, None),
        MarkKind::Lost { count } | MarkKind::Duplicated { count } => {
            (true, Some(format!("+{}", thousands(count))))
        }
        _ => (true, None),
    }
}

/// The refusals as runs per Kafka error: a band from the first to the last, with the error
/// and the count where it fits.
fn draw_refusals(ctx: &Ctx, span_us: u64, marks: &[Mark]) {
    let y = lane_y(MarkGroup::Refused);
    let colour = group_colour(MarkGroup::Refused);
    // Refusals of one error less than a 25th of the axis apart are one run.
    let runs = refusal_runs(marks, (span_us / 25).max(1));
    for run in &runs {
        let (x0, x1) = (x_of(run.from, span_us), x_of(run.to, span_us));
        ctx.set_global_alpha(0.35);
        ctx.set_fill_style_str(colour);
        ctx.fill_rect(x0 - 0.75, y + 2.0, (x1 - x0).max(0.0) + 1.5, LANE_H - 4.0);
        ctx.set_global_alpha(1.0);
        ctx.fill_rect(x0 - 0.75, y + 1.0, 1.5, LANE_H - 2.0);
    }
    // The labels over the bands, each clear of the one before.
    let mut label_end = f64::NEG_INFINITY;
    for run in &runs {
        let x0 = x_of(run.from, span_us);
        let label = format!("{} ×{}", run.error, thousands(run.count));
        let w = text_width(ctx, &label, SMALL);
        if x0 + 3.0 > label_end && x0 + 3.0 + w < RIGHT {
            ctx.set_fill_style_str("rgba(255, 255, 255, 0.8)");
            ctx.fill_rect(x0 + 2.0, y + 2.0, w + 2.0, LANE_H - 4.0);
            text(ctx, &label, x0 + 3.0, y + 11.0, INK, SMALL);
            label_end = x0 + 3.0 + w + 6.0;
        }
    }
}

/// Where forks cut the run: a dashed line across the lanes and its name at the top.
fn draw_branches(ctx: &Ctx, span_us: u64, branches: &[Branch], lang: Lang) {
    let dash = js_sys::Array::of2(&3.0.into(), &3.0.into());
    for b in branches {
        let x = x_of(b.time, span_us);
        ctx.set_stroke_style_str(INK);
        ctx.set_line_width(1.0);
        let _ = ctx.set_line_dash(&dash);
        ctx.begin_path();
        ctx.move_to(x + 0.5, LANE_TOP - 4.0);
        ctx.line_to(x + 0.5, HEIGHT - 2.0);
        ctx.stroke();
        let _ = ctx.set_line_dash(&js_sys::Array::new());
        text(
            ctx,
            &format!("⑂ {}", t(lang, "tl_branch")),
            x + 3.0,
            HEIGHT - 3.0,
            INK,
            FONT,
        );
    }
}

/// The moment shown: a line over the lanes with a handle on the axis.
fn draw_cursor(ctx: &Ctx, x: f64) {
    ctx.set_fill_style_str(INK);
    ctx.fill_rect(
        x - 1.0,
        LANE_TOP - 6.0,
        2.0,
        LANE_H * GROUPS.len() as f64 + 6.0,
    );
    ctx.begin_path();
    ctx.move_to(x - 5.0, LANE_TOP - 12.0);
    ctx.line_to(x + 5.0, LANE_TOP - 12.0);
    ctx.line_to(x, LANE_TOP - 5.0);
    ctx.close_path();
    ctx.fill();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_few() {
        for span in [1u64, 999, 3_000_000, 17_500_000, 600_000_000, u64::MAX / 4] {
            let step = tick_step(span);
            assert!(span / step <= 10, "{span}: {step}");
            let lead = step / 10u64.pow(step.ilog10());
            assert!([1, 2, 5].contains(&lead), "{span}: {step}");
        }
        assert_eq!(tick_step(3_000_000), 500_000);
    }
}
