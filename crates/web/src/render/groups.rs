//! The consumer-group column: one panel per group above its members' boxes, with the
//! coordinator broker, the rebalance phase indicator (JoinGroup, the leader's assignment,
//! SyncGroup, Stable: named and highlighted as the group goes through them), the last
//! rebalance's cost, and the group's lag over the last minute with records-lag-max as its own
//! line. In the members' boxes: the leader chip, a heartbeat pulse, and what a member does
//! with its partitions while the group rebalances. Over the messages in flight: the group
//! protocol's requests named, heartbeats pulsing.
//!
//! Everything is read from the core's frame (`GroupFrame`: the group with its phase, protocol
//! and progress, the lag rings, messages in flight) and from the trace as
//! [`crate::rebalance`] keeps it.

use super::group_chart::draw_chart;
use super::layout::Layout;
use super::marks::{ChartMark, GroupMark};
use super::paint::{
    fit_whole, lines, panel, text, text_right, BOLD, DANGER, EDGE, INK, MUTED, PANEL, SMALL,
};
use super::state::View;
use crate::i18n::{t, tf, Lang};
use crate::rebalance::{phase_key, GroupLog, Phase};
use streamscope_core::event::RebalanceReason;
use streamscope_core::sim::view::{Frame, GroupFrame};
use web_sys::CanvasRenderingContext2d as Ctx;

const CHIP_BOLD: &str = "600 10px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif";

pub const LAG: &str = "#bf8700";

pub const STABLE: &str = "#1a7f37";

fn cause_text(lang: Lang, cause: RebalanceReason) -> String {
    let (key, c) = match cause {
        RebalanceReason::MemberJoined { consumer } => ("grp_cause_joined", consumer),
        RebalanceReason::MemberLeft { consumer } => ("grp_cause_left", consumer),
        RebalanceReason::MemberRejoined { consumer } => ("grp_cause_rejoined", consumer),
        RebalanceReason::SessionExpired { consumer } => ("grp_cause_expired", consumer),
    };
    tf(lang, key, &[("c", &c.to_string())])
}

/// What the phase means now, in one line.
fn describe(gf: &GroupFrame, phase: Phase, lang: Lang) -> String {
    let g = gf;
    let members = g.members.to_string();
    match phase {
        Phase::Empty => t(lang, "grp_desc_empty").to_string(),
        Phase::Dead => t(lang, "grp_desc_dead").to_string(),
        Phase::Join => {
            let joined = gf.progress.joined.to_string();
            tf(lang, "grp_desc_join", &[("n", &joined), ("m", &members)])
        }
        Phase::Assign => {
            let leader = g.leader.map_or_else(|| "-".to_string(), |c| c.to_string());
            let assignor = g.assignor.unwrap_or("-");
            tf(
                lang,
                "grp_desc_assign",
                &[("c", &leader), ("assignor", assignor)],
            )
        }
        Phase::Sync => tf(lang, "grp_desc_sync", &[("n", &members)]),
        Phase::Stable => t(lang, "grp_desc_stable").to_string(),
    }
}

/// The second line: during a rebalance what the members do with their partitions; when
/// stable, what the last rebalance cost.
fn second_line(
    gf: &GroupFrame,
    phase: Phase,
    log: Option<&GroupLog>,
    lang: Lang,
) -> Option<String> {
    match phase {
        Phase::Join | Phase::Assign | Phase::Sync => gf
            .rebalance_protocol
            .map(|p| t(lang, &format!("grp_rebalance_{p}")).to_string()),
        Phase::Stable => {
            let log = log?;
            let (start, stable) = log.last_completed()?;
            let gen = stable.generation.to_string();
            let Some(start) = start else {
                let at = format!("{:.3}", stable.time_us as f64 / 1e6);
                return Some(tf(lang, "grp_formed", &[("gen", &gen), ("t", &at)]));
            };
            let ms = (stable.time_us.saturating_sub(start)) as f64 / 1000.0;
            let cause = log
                .cause
                .map(|c| cause_text(lang, c))
                .unwrap_or_else(|| "-".to_string());
            Some(tf(
                lang,
                "grp_last_rebalance",
                &[
                    ("gen", &gen),
                    ("ms", &format!("{ms:.1}")),
                    ("cause", &cause),
                ],
            ))
        }
        Phase::Empty | Phase::Dead => None,
    }
}

/// Draws every group's panel and records it in `view.groups`.
pub fn draw_groups(ctx: &Ctx, f: &Frame, l: &Layout, lang: Lang, view: &mut View) {
    view.groups.clear();
    for gf in &f.groups {
        let Some(&y) = l.col.group_ys.get(gf.index as usize) else {
            continue;
        };
        let mark = draw_group(ctx, f, l, lang, view, gf, y);
        view.groups.push(mark);
    }
}

fn draw_group(
    ctx: &Ctx,
    f: &Frame,
    l: &Layout,
    lang: Lang,
    view: &View,
    gf: &GroupFrame,
    y: f64,
) -> GroupMark {
    let g = gf;
    let (x, w, h) = (l.cons_x, l.cons_w, l.col.group_h);
    panel(ctx, x, y, w, h, PANEL);
    ctx.set_fill_style_str(INK);
    ctx.fill_rect(x, y, 3.0, h);
    let phase = gf.phase;
    let log = view.rebalance.groups.get(g.index as usize);
    draw_group_header(ctx, lang, g, (x, y, w));
    // The phase chips.
    draw_chips(ctx, gf, phase, lang, (x + 10.0, y + 22.0, w - 20.0));
    let phase_text = describe(gf, phase, lang);
    let ry = draw_group_lines(ctx, lang, (gf, phase, log), &phase_text, (x, y, w, h));
    let chart = if h - (ry - y) >= 46.0 {
        draw_chart(
            ctx,
            f.now,
            g.lag_history,
            lang,
            (x + 10.0, ry, w - 20.0, y + h - 4.0 - ry),
        )
    } else {
        ChartMark::default()
    };
    // A group the liveness monitor found stuck after a drain: the panel outlined red.
    let stuck = view.stuck.iter().any(|k| is_group_key(k, g.group_id));
    if stuck {
        draw_stuck_outline(ctx, lang, (x, y, w, h));
    }
    GroupMark {
        group: g.index,
        group_id: g.group_id.to_string(),
        phase,
        phase_name: t(lang, phase_key(phase)).to_string(),
        phase_text,
        generation: g.generation,
        coordinator: g.coordinator,
        rebalance_protocol: gf.rebalance_protocol,
        leader: g.leader,
        chart,
        history: log
            .map(|l| l.steps.iter().copied().collect())
            .unwrap_or_default(),
        x,
        y,
        w,
        h,
        stuck,
    }
}

/// Header: the group, its generation and assignor; the coordinator as a chip at the right.
fn draw_group_header(ctx: &Ctx, lang: Lang, g: &GroupFrame, (x, y, w): (f64, f64, f64)) {
    let head = tf(
        lang,
        "grp_head",
        &[
            ("g", g.group_id),
            ("gen", &g.generation.to_string()),
            ("assignor", g.assignor.unwrap_or("-")),
        ],
    );
    let coord = tf(
        lang,
        "grp_coordinator",
        &[("b", &g.coordinator.to_string())],
    );
    ctx.set_font(SMALL);
    let cw = ctx.measure_text(&coord).map_or(90.0, |m| m.width()) + 10.0;
    ctx.set_fill_style_str("#ddf4ff");
    ctx.fill_rect(x + w - cw - 6.0, y + 5.0, cw, 14.0);
    text_right(ctx, &coord, x + w - 11.0, y + 15.5, INK, SMALL);
    fit_whole(
        ctx,
        &head,
        (x + 10.0, y + 15.0),
        w - cw - 24.0,
        INK,
        ("600", 12),
    );
}

/// Below the chips, as the panel's height allows: what the phase means now, then the second
/// line (what the members do, or what the last rebalance cost). Returns where the chart may
/// start.
fn draw_group_lines(
    ctx: &Ctx,
    lang: Lang,
    (gf, phase, log): (&GroupFrame, Phase, Option<&GroupLog>),
    phase_text: &str,
    (x, y, w, h): (f64, f64, f64, f64),
) -> f64 {
    let roomy = h >= 150.0;
    let mut ry = y + 51.0;
    if h >= 58.0 {
        let n = lines(
            ctx,
            phase_text,
            (x + 10.0, ry),
            w - 20.0,
            if roomy { 2 } else { 1 },
            INK,
        );
        ry += 12.0 * n as f64;
    }
    if h >= 72.0 {
        if let Some(s) = second_line(gf, phase, log, lang) {
            let n = lines(
                ctx,
                &s,
                (x + 10.0, ry),
                w - 20.0,
                if roomy { 2 } else { 1 },
                MUTED,
            );
            ry += 12.0 * n as f64;
        }
    }
    ry - 4.0
}

/// A stuck group's panel: outlined red, labelled "stuck" at its bottom right.
fn draw_stuck_outline(ctx: &Ctx, lang: Lang, (x, y, w, h): (f64, f64, f64, f64)) {
    ctx.set_stroke_style_str(DANGER);
    ctx.set_line_width(2.0);
    ctx.stroke_rect(x + 1.0, y + 1.0, w - 2.0, h - 2.0);
    let msg = t(lang, "stuck_here");
    ctx.set_font(SMALL);
    let sw = ctx.measure_text(msg).map_or(40.0, |m| m.width()) + 8.0;
    ctx.set_fill_style_str(DANGER);
    ctx.fill_rect(x + w - sw - 4.0, y + h - 17.0, sw, 13.0);
    text(ctx, msg, x + w - sw, y + h - 7.0, "#ffffff", SMALL);
}

/// Whether a liveness monitor key ("group ctp") names group `group_id`.
pub fn is_group_key(key: &str, group_id: &str) -> bool {
    key.strip_prefix("group ") == Some(group_id)
}

/// Join › Assign › Sync › Stable, the current one filled; the join and sync chips fill up as
/// members join and receive their assignment.
fn draw_chips(ctx: &Ctx, gf: &GroupFrame, phase: Phase, lang: Lang, (x, y, w): (f64, f64, f64)) {
    const ARROW: f64 = 10.0;
    const CHIP_H: f64 = 16.0;
    let current = Phase::CYCLE.iter().position(|p| *p == phase);
    let chip_w = (w - ARROW * 3.0) / 4.0;
    let done = gf.progress;
    let members = done.members.max(1) as f64;
    let progress = match phase {
        Phase::Join => done.joined as f64 / members,
        Phase::Sync => done.synced as f64 / members,
        _ => 1.0,
    };
    for (i, p) in Phase::CYCLE.iter().enumerate() {
        let cx = x + (chip_w + ARROW) * i as f64;
        let active = current == Some(i);
        let done = current.is_some_and(|c| i < c);
        let strong = if *p == Phase::Stable { STABLE } else { LAG };
        ctx.set_fill_style_str(if done { "#dafbe1" } else { "#ffffff" });
        ctx.fill_rect(cx, y, chip_w, CHIP_H);
        if active {
            ctx.set_fill_style_str(strong);
            ctx.set_global_alpha(0.35);
            ctx.fill_rect(cx, y, chip_w, CHIP_H);
            ctx.set_global_alpha(1.0);
            ctx.fill_rect(cx, y, chip_w * progress.clamp(0.0, 1.0), CHIP_H);
        }
        ctx.set_stroke_style_str(if active { strong } else { EDGE });
        ctx.set_line_width(if active { 2.0 } else { 1.0 });
        ctx.stroke_rect(cx + 0.5, y + 0.5, chip_w - 1.0, CHIP_H - 1.0);
        let ink = if active {
            "#ffffff"
        } else if done {
            INK
        } else {
            MUTED
        };
        ctx.save();
        ctx.begin_path();
        ctx.rect(cx, y, chip_w, CHIP_H);
        ctx.clip();
        let label = format!("{} {}", i + 1, t(lang, phase_key(*p)));
        if active {
            // Dark text on the unfilled part stays readable: outline in the phase colour.
            ctx.set_font(CHIP_BOLD);
            ctx.set_stroke_style_str(strong);
            ctx.set_line_width(3.0);
            let _ = ctx.stroke_text(&label, cx + 5.0, y + 12.0);
            text(ctx, &label, cx + 5.0, y + 12.0, ink, CHIP_BOLD);
        } else {
            text(ctx, &label, cx + 5.0, y + 12.0, ink, SMALL);
        }
        ctx.restore();
        if i < 3 {
            text(ctx, "›", cx + chip_w + 2.5, y + 12.0, MUTED, BOLD);
        }
    }
}
