//! In a member's box: the leader chip and the heartbeat pulse on the title row, and under its
//! partition rows what it does while its group rebalances (the core's `Sim::member_rebalance`,
//! read into the frame as `ConsumerFrame::rebalance`).
//! Over the messages in flight: the group protocol's requests named, heartbeats pulsing.

use super::group_chart::SMALLER;
use super::groups::STABLE;
use super::layout::Layout;
use super::paint::{dot, fit, text, DANGER, EDGE, INK, SMALL, WARN};
use super::state::View;
use crate::i18n::{t, tf, Lang};
use streamscope_core::consumer::MemberState;
use streamscope_core::net::{Body, MessageKind};
use streamscope_core::sim::view::{ConsumerFrame, Frame, GroupFrame, MemberRebalance};
use streamscope_core::SimTime;
use web_sys::CanvasRenderingContext2d as Ctx;

const HEARTBEAT: &str = "#d63384";

/// In a member's box: the leader chip and the heartbeat pulse on the title row, and under its
/// partition rows what it does while its group rebalances. Returns the rows it used.
pub fn draw_member_extras(
    ctx: &Ctx,
    f: &Frame,
    l: &Layout,
    lang: Lang,
    view: &View,
    cf: &ConsumerFrame,
    y: f64,
) -> usize {
    let c = cf;
    let Some(g) = f.group(c.group) else {
        return 0;
    };
    let right = l.cons_x + l.cons_w - 8.0;
    // Heartbeat: a dot that pulses when one reached the coordinator.
    let (hx, hy) = (right - 4.0, y + 11.0);
    draw_heartbeat(ctx, f.now, view, c, (hx, hy));
    if g.leader == Some(c.index) {
        draw_leader_chip(ctx, lang, hx, y);
    }
    draw_rebalance_note(ctx, l, lang, (cf, g), y)
}

/// The heartbeat dot at (`hx`, `hy`): filled with a fading ring while one recently reached
/// the coordinator, an empty circle otherwise.
fn draw_heartbeat(ctx: &Ctx, now: SimTime, view: &View, c: &ConsumerFrame, (hx, hy): (f64, f64)) {
    let window = view.departure_window_us.max(1000);
    let age = view.rebalance.last_heartbeat(c.index).map(|t| now.since(t));
    match age {
        Some(a) if a <= window && c.state != MemberState::Stopped => {
            let f = a as f64 / window as f64;
            dot(ctx, hx, hy, 3.5, HEARTBEAT);
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
}

/// The group leader's chip, left of the heartbeat at `hx` on the title row at `y`.
fn draw_leader_chip(ctx: &Ctx, lang: Lang, hx: f64, y: f64) {
    let label = t(lang, "grp_leader");
    ctx.set_font(SMALL);
    let lw = ctx.measure_text(label).map_or(30.0, |m| m.width()) + 8.0;
    let lx = hx - 10.0 - lw;
    ctx.set_fill_style_str(INK);
    ctx.fill_rect(lx, y + 4.0, lw, 13.0);
    text(ctx, label, lx + 4.0, y + 14.0, "#ffffff", SMALL);
}

/// What the member does with its partitions during the rebalance, under its partition rows
/// when it fits. Returns the rows it used (0 or 1).
fn draw_rebalance_note(
    ctx: &Ctx,
    l: &Layout,
    lang: Lang,
    (cf, g): (&ConsumerFrame, &GroupFrame),
    y: f64,
) -> usize {
    // What the member does with its partitions during the rebalance.
    let Some(part) = cf.rebalance else {
        return 0;
    };
    let note = match part {
        MemberRebalance::Assigns => (
            tf(
                lang,
                "grp_member_assigns",
                &[("assignor", g.assignor.unwrap_or("-"))],
            ),
            INK,
        ),
        MemberRebalance::Keeps { partitions } => (
            tf(lang, "grp_member_keeps", &[("n", &partitions.to_string())]),
            STABLE,
        ),
        MemberRebalance::Revoked => (t(lang, "grp_member_revoked").to_string(), DANGER),
        MemberRebalance::WillRevoke => (t(lang, "grp_member_will_revoke").to_string(), WARN),
    };
    let ry = y + 40.0 + 18.0 * cf.assigned_count() as f64;
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
pub fn draw_group_messages(ctx: &Ctx, f: &Frame, l: &Layout) {
    let now = f.now.micros() as f64;
    for m in &f.messages {
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
            dot(ctx, x, y, 3.0, HEARTBEAT);
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
