//! A group panel's lag chart: the group's lag over the last minute (the sum over its
//! partitions to the owner's position), its committed lag, and records-lag-max (the largest
//! partition lag of each sample, the core's `GroupLagSample::records_lag_max`), with a legend
//! and both axes labelled.

use super::marks::ChartMark;
use super::paint::{text, text_right, EDGE, INK, MUTED};
use crate::i18n::{t, Lang};
use streamscope_core::consumer::lag::{
    GroupLagSample, Ring, LAG_HISTORY_SAMPLES, LAG_SAMPLE_INTERVAL_US,
};
use streamscope_core::SimTime;
use web_sys::CanvasRenderingContext2d as Ctx;

pub const SMALLER: &str = "9px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif";

const LAG: &str = "#bf8700";

const COMMITTED: &str = "#8c959f";

const LAG_MAX: &str = "#8250df";

/// Reads one value of a group lag sample (one line of the chart).
type SampleValue = dyn Fn(&GroupLagSample) -> u64;

/// How far back the chart reaches: the core's lag ring, a minute.
const WINDOW_US: u64 = LAG_HISTORY_SAMPLES as u64 * LAG_SAMPLE_INTERVAL_US;

/// The plot area: right of the lag axis' labels, between the legend and the time axis.
#[derive(Clone, Copy)]
struct Plot {
    px: f64,
    py: f64,
    pw: f64,
    ph: f64,
}

/// The group's lag over the last minute: lag (sum over its partitions, to the owner's
/// position), committed lag, and records-lag-max (the largest partition lag of each sample),
/// with a legend and both axes labelled.
pub fn draw_chart(
    ctx: &Ctx,
    now: SimTime,
    g: &Ring<GroupLagSample>,
    lang: Lang,
    (x, y, w, h): (f64, f64, f64, f64),
) -> ChartMark {
    const GUTTER: f64 = 30.0;
    draw_legend(ctx, lang, (x, y));
    let plot = Plot {
        px: x + GUTTER,
        py: y + 13.0,
        pw: w - GUTTER,
        ph: h - 13.0 - 11.0,
    };
    let Plot { px, py, pw, ph } = plot;
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(px, py, pw, ph);
    ctx.set_stroke_style_str(EDGE);
    ctx.set_line_width(1.0);
    ctx.stroke_rect(px + 0.5, py + 0.5, pw - 1.0, ph - 1.0);
    // Axes: lag on the left, time below (the last minute, now at the right).
    let now = now.micros();
    let mut mark = ChartMark::default();
    for s in recent(g, now) {
        mark.samples += 1;
        mark.peak = mark.peak.max(s.lag).max(s.committed_lag);
        mark.records_lag_max_peak = mark.records_lag_max_peak.max(lag_max(s));
    }
    draw_axes(ctx, lang, x, plot, mark.peak);
    draw_series(ctx, g, plot, now, mark.peak.max(1) as f64);
    if let Some(s) = g.last() {
        mark.lag = s.lag;
        mark.committed_lag = s.committed_lag;
        mark.records_lag_max = lag_max(s);
    }
    mark
}

fn lag_max(s: &GroupLagSample) -> u64 {
    s.records_lag_max()
}

/// The group's lag samples of the last minute, oldest first.
fn recent(g: &Ring<GroupLagSample>, now: u64) -> impl Iterator<Item = &GroupLagSample> + '_ {
    g.iter()
        .filter(move |s| now.saturating_sub(s.time_us) <= WINDOW_US)
}

/// The legend row at (`x`, `y`): the chart's title, then each line's colour and name.
fn draw_legend(ctx: &Ctx, lang: Lang, (x, y): (f64, f64)) {
    let title = t(lang, "grp_chart_title");
    text(ctx, title, x, y + 8.0, MUTED, SMALLER);
    ctx.set_font(SMALLER);
    let mut lx = x + ctx.measure_text(title).map_or(40.0, |m| m.width()) + 8.0;
    let legend = [
        (LAG, t(lang, "grp_legend_lag")),
        (COMMITTED, t(lang, "grp_legend_committed")),
        (LAG_MAX, "records-lag-max"),
    ];
    for (colour, label) in legend {
        ctx.set_fill_style_str(colour);
        ctx.fill_rect(lx, y + 4.0, 10.0, 2.0);
        text(ctx, label, lx + 13.0, y + 8.0, INK, SMALLER);
        ctx.set_font(SMALLER);
        lx += 13.0 + ctx.measure_text(label).map_or(40.0, |m| m.width()) + 10.0;
    }
}

/// The axes' labels: the peak and 0 on the lag axis (its name at `x`), the minute's start
/// and now below.
fn draw_axes(ctx: &Ctx, lang: Lang, x: f64, plot: Plot, peak: u64) {
    let Plot { px, py, pw, ph } = plot;
    text_right(ctx, &peak.to_string(), px - 3.0, py + 8.0, MUTED, SMALLER);
    text_right(ctx, "0", px - 3.0, py + ph, MUTED, SMALLER);
    let below = py + ph + 10.0;
    text(ctx, t(lang, "grp_axis_start"), px, below, MUTED, SMALLER);
    text_right(ctx, t(lang, "grp_axis_now"), px + pw, below, MUTED, SMALLER);
    text(
        ctx,
        t(lang, "grp_axis_lag"),
        x,
        py + ph / 2.0 + 4.0,
        MUTED,
        SMALLER,
    );
}

/// The three lines, committed lag, lag, then records-lag-max, scaled to `peak`.
fn draw_series(ctx: &Ctx, g: &Ring<GroupLagSample>, plot: Plot, now: u64, peak: f64) {
    let Plot { px, py, pw, ph } = plot;
    let to_x = |t_us: u64| px + pw * (1.0 - now.saturating_sub(t_us) as f64 / WINDOW_US as f64);
    let to_y = |v: u64| py + ph - 2.0 - (ph - 4.0) * v as f64 / peak;
    let series: [(&str, &SampleValue); 3] = [
        (COMMITTED, &|s| s.committed_lag),
        (LAG, &|s| s.lag),
        (LAG_MAX, &lag_max),
    ];
    for (colour, value) in series {
        ctx.begin_path();
        for (i, s) in recent(g, now).enumerate() {
            let (sx, sy) = (to_x(s.time_us), to_y(value(s)));
            if i == 0 {
                ctx.move_to(sx, sy);
            } else {
                ctx.line_to(sx, sy);
            }
        }
        ctx.set_stroke_style_str(colour);
        ctx.set_line_width(if colour == LAG_MAX { 1.5 } else { 1.0 });
        ctx.stroke();
    }
}
