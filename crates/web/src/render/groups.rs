//! The consumer-group column: one panel per group above its members' boxes, with the
//! coordinator broker, the rebalance phase indicator (JoinGroup, the leader's assignment,
//! SyncGroup, Stable: named and highlighted as the group goes through them), the last
//! rebalance's cost, and the group's lag over the last minute with records-lag-max as its own
//! line. In the members' boxes: the leader chip, a heartbeat pulse, and what a member does
//! with its partitions while the group rebalances. Over the messages in flight: the group
//! protocol's requests named, heartbeats pulsing.
//!
//! Everything is read from the core (group and member states, the lag rings, messages in
//! flight) and from the trace as [`crate::rebalance`] keeps it; the mapping from states to
//! the four named phases is presentation, not Kafka logic.

use super::{panel, text, text_right, Layout, View, DANGER, EDGE, INK, MUTED, PANEL, SMALL};
use crate::i18n::{t, tf, Lang};
use crate::rebalance::{GroupLog, Phase, Step};
use streamscope_core::config::RebalanceProtocol;
use streamscope_core::consumer::group::{Group, GroupState};
use streamscope_core::consumer::lag::{
    GroupLagSample, LAG_HISTORY_SAMPLES, LAG_SAMPLE_INTERVAL_US,
};
use streamscope_core::consumer::{Consumer, MemberState};
use streamscope_core::event::RebalanceReason;
use streamscope_core::net::{Body, MessageKind};
use streamscope_core::Sim;
use web_sys::CanvasRenderingContext2d as Ctx;

/// A group panel's height when the members keep [`MEMBER_H_ROOMY`], when they keep
/// [`MEMBER_H_MIN`], and the least it shrinks to.
const GROUP_H_ROOMY: f64 = 176.0;
const MEMBER_H_ROOMY: f64 = 140.0;
const GROUP_H: f64 = 128.0;
const GROUP_H_MIN: f64 = 44.0;
/// Member boxes keep at least this much before the group panels shrink.
const MEMBER_H_MIN: f64 = 70.0;
const GAP: f64 = 8.0;
const SMALLER: &str = "9px system-ui, sans-serif";
const CHIP_BOLD: &str = "600 10px system-ui, sans-serif";
const LAG: &str = "#bf8700";
const COMMITTED: &str = "#8c959f";
const LAG_MAX: &str = "#8250df";
const HEARTBEAT: &str = "#d63384";
const STABLE: &str = "#1a7f37";

/// Where the group panels and the member boxes go in the consumer column: each group's panel,
/// then its members in index order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Column {
    pub group_h: f64,
    pub cons_h: f64,
    pub group_ys: Vec<f64>,
    pub cons_ys: Vec<f64>,
}

pub fn column(sim: &Sim, top: f64, avail: f64) -> Column {
    let groups = sim.groups().len();
    let consumers = sim.consumers().len();
    let boxes = (groups + consumers).max(1);
    let gaps = GAP * (boxes as f64 - 1.0);
    let member_h = |group_h: f64| {
        if consumers == 0 {
            220.0
        } else {
            ((avail - gaps - group_h * groups as f64) / consumers as f64).min(220.0)
        }
    };
    let mut group_h = GROUP_H_ROOMY;
    if member_h(group_h) < MEMBER_H_ROOMY {
        group_h = GROUP_H;
    }
    if groups > 0 && member_h(group_h) < MEMBER_H_MIN {
        group_h = ((avail - gaps - MEMBER_H_MIN * consumers as f64) / groups as f64)
            .clamp(GROUP_H_MIN, GROUP_H);
    }
    let cons_h = member_h(group_h);
    let mut col = Column {
        group_h,
        cons_h,
        group_ys: Vec::with_capacity(groups),
        cons_ys: vec![top; consumers],
    };
    let mut y = top;
    let mut placed = vec![false; consumers];
    for g in 0..groups {
        col.group_ys.push(y);
        y += group_h + GAP;
        for c in sim.consumers().iter().filter(|c| c.group as usize == g) {
            let i = c.index as usize;
            if let (Some(slot), Some(done)) = (col.cons_ys.get_mut(i), placed.get_mut(i)) {
                *slot = y;
                *done = true;
                y += cons_h + GAP;
            }
        }
    }
    for (i, done) in placed.iter().enumerate() {
        if !done {
            col.cons_ys[i] = y;
            y += cons_h + GAP;
        }
    }
    col
}

// ----- phases -----

pub(super) fn leader_consumer(g: &Group) -> Option<u32> {
    let leader = g.leader.as_deref()?;
    g.members
        .iter()
        .find(|m| m.member_id == leader)
        .map(|m| m.consumer)
}

fn member_state(sim: &Sim, c: u32) -> Option<MemberState> {
    sim.consumers().get(c as usize).map(|c| c.state)
}

/// The phase the indicator shows, from the group's state at its coordinator and its members'
/// states: CompletingRebalance is "Assign" until the leader (having its JoinGroup response)
/// sends SyncGroup with the assignment, then "Sync" until every member has received its
/// SyncGroup response.
pub fn phase(sim: &Sim, g: &Group) -> Phase {
    let syncing = |c: u32| member_state(sim, c) == Some(MemberState::Syncing);
    match g.state {
        GroupState::Empty => Phase::Empty,
        GroupState::Dead => Phase::Dead,
        GroupState::PreparingRebalance => Phase::Join,
        GroupState::CompletingRebalance => match leader_consumer(g) {
            Some(c) if syncing(c) => Phase::Sync,
            _ => Phase::Assign,
        },
        GroupState::Stable => {
            if g.members.iter().any(|m| syncing(m.consumer)) {
                Phase::Sync
            } else {
                Phase::Stable
            }
        }
    }
}

/// The rebalance protocol the members follow (each from its own
/// partition.assignment.strategy, as the core decides): `None` without members.
fn protocol(sim: &Sim, g: &Group) -> Option<&'static str> {
    let mut kinds = g.members.iter().filter_map(|m| {
        sim.consumers()
            .get(m.consumer as usize)
            .map(|c| c.strategies.rebalance_protocol())
    });
    let first = kinds.next()?;
    Some(if kinds.any(|k| k != first) {
        "mixed"
    } else if first == RebalanceProtocol::Cooperative {
        "cooperative"
    } else {
        "eager"
    })
}

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
fn describe(g: &Group, phase: Phase, lang: Lang) -> String {
    let members = g.members.len().to_string();
    match phase {
        Phase::Empty => t(lang, "grp_desc_empty").to_string(),
        Phase::Dead => t(lang, "grp_desc_dead").to_string(),
        Phase::Join => {
            let joined = g.members.iter().filter(|m| m.joined).count().to_string();
            tf(lang, "grp_desc_join", &[("n", &joined), ("m", &members)])
        }
        Phase::Assign => {
            let leader = leader_consumer(g).map_or_else(|| "-".to_string(), |c| c.to_string());
            let assignor = g.protocol.map_or("-", |k| k.name());
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
    sim: &Sim,
    g: &Group,
    phase: Phase,
    log: Option<&GroupLog>,
    lang: Lang,
) -> Option<String> {
    match phase {
        Phase::Join | Phase::Assign | Phase::Sync => {
            protocol(sim, g).map(|p| t(lang, &format!("grp_rebalance_{p}")).to_string())
        }
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

// ----- what the test hook reads -----

/// The lag chart as drawn: the newest sample's values.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct ChartMark {
    /// Samples drawn (0: no room for the chart).
    pub samples: u32,
    /// The top of the y axis.
    pub peak: u64,
    pub lag: u64,
    pub committed_lag: u64,
    /// records-lag-max: the largest partition lag of the newest sample.
    pub records_lag_max: u64,
    /// The largest records-lag-max drawn.
    pub records_lag_max_peak: u64,
}

/// One group panel as drawn in the last frame.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GroupMark {
    pub group: u32,
    pub group_id: String,
    pub phase: Phase,
    /// The phase's name and what it means now, as shown.
    pub phase_name: String,
    pub phase_text: String,
    pub generation: u32,
    pub coordinator: u32,
    /// `eager`, `cooperative`, `mixed`, or null without members.
    pub rebalance_protocol: Option<&'static str>,
    pub leader: Option<u32>,
    pub chart: ChartMark,
    /// Phase changes read from the trace, oldest first.
    pub history: Vec<Step>,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// Outlined red: the liveness monitor found this group stuck.
    pub stuck: bool,
}

// ----- drawing -----

/// Draws every group's panel and records it in `view.groups`.
pub fn draw_groups(ctx: &Ctx, sim: &Sim, l: &Layout, lang: Lang, view: &mut View) {
    view.groups.clear();
    for g in sim.groups() {
        let Some(&y) = l.col.group_ys.get(g.index as usize) else {
            continue;
        };
        let mark = draw_group(ctx, sim, l, lang, view, g, y);
        view.groups.push(mark);
    }
}

fn draw_group(
    ctx: &Ctx,
    sim: &Sim,
    l: &Layout,
    lang: Lang,
    view: &View,
    g: &Group,
    y: f64,
) -> GroupMark {
    let (x, w, h) = (l.cons_x, l.cons_w, l.col.group_h);
    panel(ctx, x, y, w, h, PANEL);
    ctx.set_fill_style_str(INK);
    ctx.fill_rect(x, y, 3.0, h);
    let phase = phase(sim, g);
    let log = view.rebalance.groups.get(g.index as usize);
    // Header: the group, its generation and assignor; the coordinator as a chip.
    let head = tf(
        lang,
        "grp_head",
        &[
            ("g", &g.group_id),
            ("gen", &g.generation.to_string()),
            ("assignor", g.protocol.map_or("-", |k| k.name())),
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
    fit(
        ctx,
        &head,
        x + 10.0,
        y + 15.0,
        w - cw - 24.0,
        INK,
        super::BOLD,
    );
    // The phase chips.
    draw_chips(ctx, sim, g, phase, lang, (x + 10.0, y + 22.0, w - 20.0));
    let phase_text = describe(g, phase, lang);
    let roomy = h >= 150.0;
    let mut ry = y + 51.0;
    if h >= 58.0 {
        let n = lines(
            ctx,
            &phase_text,
            (x + 10.0, ry),
            w - 20.0,
            if roomy { 2 } else { 1 },
            INK,
        );
        ry += 12.0 * n as f64;
    }
    if h >= 72.0 {
        if let Some(s) = second_line(sim, g, phase, log, lang) {
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
    ry -= 4.0;
    let chart = if h - (ry - y) >= 46.0 {
        draw_chart(
            ctx,
            sim,
            g,
            lang,
            (x + 10.0, ry, w - 20.0, y + h - 4.0 - ry),
        )
    } else {
        ChartMark::default()
    };
    // A group the liveness monitor found stuck after a drain: the panel outlined red.
    let stuck = view.stuck.iter().any(|k| is_group_key(k, &g.group_id));
    if stuck {
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
    GroupMark {
        group: g.index,
        group_id: g.group_id.clone(),
        phase,
        phase_name: t(lang, phase.key()).to_string(),
        phase_text,
        generation: g.generation,
        coordinator: g.coordinator,
        rebalance_protocol: protocol(sim, g),
        leader: leader_consumer(g),
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

/// Whether a liveness monitor key ("group ctp") names group `group_id`.
pub fn is_group_key(key: &str, group_id: &str) -> bool {
    key.strip_prefix("group ") == Some(group_id)
}

/// Text cut with an ellipsis to fit `max_w`.
pub(super) fn fit(ctx: &Ctx, s: &str, x: f64, y: f64, max_w: f64, colour: &str, font: &str) {
    ctx.set_font(font);
    let width = |t: &str| ctx.measure_text(t).map_or(0.0, |m| m.width());
    if width(s) <= max_w {
        text(ctx, s, x, y, colour, font);
        return;
    }
    let mut cut: String = s.to_string();
    while !cut.is_empty() && width(&format!("{cut}…")) > max_w {
        cut.pop();
    }
    text(ctx, &format!("{cut}…"), x, y, colour, font);
}

/// `s` word-wrapped in the small font, at most `max_lines` lines (the last cut with an
/// ellipsis); returns the lines drawn.
fn lines(
    ctx: &Ctx,
    s: &str,
    (x, y): (f64, f64),
    max_w: f64,
    max_lines: usize,
    colour: &str,
) -> usize {
    ctx.set_font(SMALL);
    let width = |t: &str| ctx.measure_text(t).map_or(0.0, |m| m.width());
    let mut line = String::new();
    let mut drawn = 0;
    let mut words = s.split(' ').peekable();
    while let Some(word) = words.next() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate) <= max_w || line.is_empty() {
            line = candidate;
            continue;
        }
        if drawn + 1 == max_lines {
            // The last line: the rest of the text, cut to fit.
            let rest: Vec<&str> = core::iter::once(word).chain(words.by_ref()).collect();
            line = format!("{line} {}", rest.join(" "));
            break;
        }
        text(ctx, &line, x, y + 12.0 * drawn as f64, colour, SMALL);
        drawn += 1;
        line = word.to_string();
    }
    if !line.is_empty() {
        fit(ctx, &line, x, y + 12.0 * drawn as f64, max_w, colour, SMALL);
        drawn += 1;
    }
    drawn
}

/// Join › Assign › Sync › Stable, the current one filled; the join and sync chips fill up as
/// members join and receive their assignment.
fn draw_chips(
    ctx: &Ctx,
    sim: &Sim,
    g: &Group,
    phase: Phase,
    lang: Lang,
    (x, y, w): (f64, f64, f64),
) {
    const ARROW: f64 = 10.0;
    const CHIP_H: f64 = 16.0;
    let current = Phase::CYCLE.iter().position(|p| *p == phase);
    let chip_w = (w - ARROW * 3.0) / 4.0;
    let members = g.members.len().max(1) as f64;
    let progress = match phase {
        Phase::Join => g.members.iter().filter(|m| m.joined).count() as f64 / members,
        Phase::Sync => {
            let done = g
                .members
                .iter()
                .filter(|m| member_state(sim, m.consumer) != Some(MemberState::Syncing))
                .count();
            done as f64 / members
        }
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
        let label = format!("{} {}", i + 1, t(lang, p.key()));
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
            text(ctx, "›", cx + chip_w + 2.5, y + 12.0, MUTED, super::BOLD);
        }
    }
}

/// Reads one value of a group lag sample (one line of the chart).
type SampleValue = dyn Fn(&GroupLagSample) -> u64;

/// The group's lag over the last minute: lag (sum over its partitions, to the owner's
/// position), committed lag, and records-lag-max (the largest partition lag of each sample),
/// with a legend and both axes labelled.
fn draw_chart(
    ctx: &Ctx,
    sim: &Sim,
    g: &Group,
    lang: Lang,
    (x, y, w, h): (f64, f64, f64, f64),
) -> ChartMark {
    const GUTTER: f64 = 30.0;
    // Legend row.
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
    let (px, py) = (x + GUTTER, y + 13.0);
    let (pw, ph) = (w - GUTTER, h - 13.0 - 11.0);
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(px, py, pw, ph);
    ctx.set_stroke_style_str(EDGE);
    ctx.set_line_width(1.0);
    ctx.stroke_rect(px + 0.5, py + 0.5, pw - 1.0, ph - 1.0);
    // Axes: lag on the left, time below (the last minute, now at the right).
    let window_us = LAG_HISTORY_SAMPLES as u64 * LAG_SAMPLE_INTERVAL_US;
    let now = sim.now().micros();
    let lag_max = |s: &GroupLagSample| s.partitions.iter().map(|p| p.0).max().unwrap_or(0);
    let recent = || {
        g.lag_history
            .iter()
            .filter(move |s| now.saturating_sub(s.time_us) <= window_us)
    };
    let mut mark = ChartMark::default();
    for s in recent() {
        mark.samples += 1;
        mark.peak = mark.peak.max(s.lag).max(s.committed_lag);
        mark.records_lag_max_peak = mark.records_lag_max_peak.max(lag_max(s));
    }
    let peak = mark.peak.max(1) as f64;
    text_right(
        ctx,
        &mark.peak.to_string(),
        px - 3.0,
        py + 8.0,
        MUTED,
        SMALLER,
    );
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
    let to_x = |t_us: u64| px + pw * (1.0 - now.saturating_sub(t_us) as f64 / window_us as f64);
    let to_y = |v: u64| py + ph - 2.0 - (ph - 4.0) * v as f64 / peak;
    let series: [(&str, &SampleValue); 3] = [
        (COMMITTED, &|s| s.committed_lag),
        (LAG, &|s| s.lag),
        (LAG_MAX, &lag_max),
    ];
    for (colour, value) in series {
        ctx.begin_path();
        for (i, s) in recent().enumerate() {
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
    if let Some(s) = g.lag_history.last() {
        mark.lag = s.lag;
        mark.committed_lag = s.committed_lag;
        mark.records_lag_max = lag_max(s);
    }
    mark
}

/// In a member's box: the leader chip and the heartbeat pulse on the title row, and under its
/// partition rows what it does while its group rebalances. Returns the rows it used.
pub fn draw_member_extras(
    ctx: &Ctx,
    sim: &Sim,
    l: &Layout,
    lang: Lang,
    view: &View,
    c: &Consumer,
    y: f64,
) -> usize {
    let Some(g) = sim.groups().get(c.group as usize) else {
        return 0;
    };
    let right = l.cons_x + l.cons_w - 8.0;
    // Heartbeat: a dot that pulses when one reached the coordinator.
    let (hx, hy) = (right - 4.0, y + 11.0);
    let window = view.departure_window_us.max(1000);
    let age = view
        .rebalance
        .last_heartbeat(c.index)
        .map(|t| sim.now().since(t));
    match age {
        Some(a) if a <= window && c.state != MemberState::Stopped => {
            let f = a as f64 / window as f64;
            super::dot(ctx, hx, hy, 3.5, HEARTBEAT);
            ctx.set_global_alpha(1.0 - f);
            ctx.begin_path();
            let _ = ctx.arc(hx, hy, 3.5 + 6.0 * f, 0.0, core::f64::consts::TAU);
            ctx.set_stroke_style_str(HEARTBEAT);
            ctx.set_line_width(1.5);
            ctx.stroke();
            ctx.set_global_alpha(1.0);
        }
        _ => {
            ctx.begin_path();
            let _ = ctx.arc(hx, hy, 3.0, 0.0, core::f64::consts::TAU);
            ctx.set_stroke_style_str(EDGE);
            ctx.set_line_width(1.0);
            ctx.stroke();
        }
    }
    let is_leader = leader_consumer(g) == Some(c.index);
    if is_leader {
        let label = t(lang, "grp_leader");
        ctx.set_font(SMALL);
        let lw = ctx.measure_text(label).map_or(30.0, |m| m.width()) + 8.0;
        let lx = hx - 10.0 - lw;
        ctx.set_fill_style_str(INK);
        ctx.fill_rect(lx, y + 4.0, lw, 13.0);
        text(ctx, label, lx + 4.0, y + 14.0, "#ffffff", SMALL);
    }
    // What the member does with its partitions during the rebalance.
    let phase = phase(sim, g);
    let rebalancing = matches!(phase, Phase::Join | Phase::Assign | Phase::Sync)
        && matches!(
            c.state,
            MemberState::Joining | MemberState::Syncing | MemberState::Unjoined
        );
    if !rebalancing {
        return 0;
    }
    let note = if is_leader && phase == Phase::Assign {
        (
            tf(
                lang,
                "grp_member_assigns",
                &[("assignor", g.protocol.map_or("-", |k| k.name()))],
            ),
            INK,
        )
    } else if c.strategies.rebalance_protocol() == RebalanceProtocol::Cooperative {
        (
            tf(
                lang,
                "grp_member_keeps",
                &[("n", &c.assignment.len().to_string())],
            ),
            STABLE,
        )
    } else if c.assignment.is_empty() {
        (t(lang, "grp_member_revoked").to_string(), DANGER)
    } else {
        (t(lang, "grp_member_will_revoke").to_string(), super::WARN)
    };
    let ry = y + 40.0 + 18.0 * c.assignment.len() as f64;
    if ry + 16.0 > y + l.cons_h {
        return 0;
    }
    fit(
        ctx,
        &note.0,
        l.cons_x + 8.0,
        ry + 12.0,
        l.cons_w - 16.0,
        note.1,
        SMALL,
    );
    1
}

/// Over the messages in flight: the group protocol's requests named, heartbeats as pulses.
pub fn draw_group_messages(ctx: &Ctx, sim: &Sim, l: &Layout) {
    let now = sim.now().micros() as f64;
    for m in sim.messages() {
        let label = match m.body.kind() {
            MessageKind::JoinGroup => "Join",
            MessageKind::JoinGroupResponse => "Join ✓",
            MessageKind::SyncGroup => "Sync",
            MessageKind::SyncGroupResponse => "Sync ✓",
            MessageKind::LeaveGroup => "Leave",
            MessageKind::Heartbeat | MessageKind::HeartbeatResponse => "",
            _ => continue,
        };
        let (x0, y0) = l.anchor(m.from, m.to, None);
        let (x1, y1) = l.anchor(m.to, m.from, None);
        let span = (m.deliver_at.micros() as f64 - m.sent_at.micros() as f64).max(1.0);
        let f = ((now - m.sent_at.micros() as f64) / span).clamp(0.0, 1.0);
        let (x, y) = (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
        if label.is_empty() {
            // A heartbeat: a pink dot with a ring that swells and fades along the way.
            let pulse = (f * 3.0).fract();
            super::dot(ctx, x, y, 3.0, HEARTBEAT);
            ctx.set_global_alpha(1.0 - pulse);
            ctx.begin_path();
            let _ = ctx.arc(x, y, 3.0 + 7.0 * pulse, 0.0, core::f64::consts::TAU);
            ctx.set_stroke_style_str(HEARTBEAT);
            ctx.set_line_width(1.5);
            ctx.stroke();
            ctx.set_global_alpha(1.0);
            if let Body::HeartbeatResponse { error: Some(e), .. } = &m.body {
                text(ctx, &format!("{e:?}"), x + 6.0, y - 5.0, DANGER, SMALLER);
            }
        } else {
            ctx.set_fill_style_str("rgba(255,255,255,0.85)");
            ctx.set_font(SMALLER);
            let lw = ctx.measure_text(label).map_or(40.0, |m| m.width());
            ctx.fill_rect(x - lw / 2.0 - 2.0, y - 15.0, lw + 4.0, 11.0);
            text(ctx, label, x - lw / 2.0, y - 6.5, "#8250df", SMALLER);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::{Change, Config, SimTime};

    #[test]
    fn the_column_puts_each_group_above_its_members() {
        let mut sim = Sim::new(Config::preset(), 1).unwrap();
        sim.run_until(SimTime(1_000_000));
        sim.apply(Change::AddGroup {
            group_id: "g2".into(),
            topics: vec!["orders".into()],
            consumers: 1,
        })
        .unwrap();
        sim.apply(Change::AddConsumer {
            group: 0,
            strategy: None,
        })
        .unwrap();
        let col = column(&sim, 70.0, 630.0);
        assert_eq!(col.group_ys.len(), 2);
        // g1's members (0, 1 and the new 3) come before g2's panel; g2's member (2) after it.
        for c in [0usize, 1, 3] {
            assert!(col.cons_ys[c] > col.group_ys[0] && col.cons_ys[c] < col.group_ys[1]);
        }
        assert!(col.cons_ys[2] > col.group_ys[1]);
        assert!(col.cons_ys[3] > col.cons_ys[1]);
        // Everything fits in the column.
        let bottom = col.cons_ys.iter().fold(0.0f64, |a, y| a.max(*y)) + col.cons_h;
        assert!(bottom <= 700.5, "{bottom}");
        assert!(col.cons_h >= MEMBER_H_MIN - 0.5);
    }

    #[test]
    fn phases_follow_the_group_through_a_rebalance() {
        let mut sim = Sim::new(Config::preset(), 1).unwrap();
        sim.run_until(SimTime(2_000_000));
        assert_eq!(phase(&sim, &sim.groups()[0]), Phase::Stable);
        sim.apply(Change::AddConsumer {
            group: 0,
            strategy: None,
        })
        .unwrap();
        let mut seen = vec![Phase::Stable];
        while sim.now() < SimTime(8_000_000) {
            if sim.step().is_none() {
                break;
            }
            let p = phase(&sim, &sim.groups()[0]);
            if seen.last() != Some(&p) {
                seen.push(p);
            }
        }
        assert_eq!(
            seen,
            [
                Phase::Stable,
                Phase::Join,
                Phase::Assign,
                Phase::Sync,
                Phase::Stable
            ]
        );
        assert_eq!(protocol(&sim, &sim.groups()[0]), Some("eager"));
    }
}
