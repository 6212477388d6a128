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
//! core's frame (`BrokerFrame`, `PartitionFrame`).

use super::layout::{Layout, BUTTON_ROOM};
use super::paint::{fit_whole, text, BOLD, DANGER, EDGE, INK, MUTED, PANEL, SMALL};
use super::replica::draw_replica;
use super::state::View;
use super::txn;
use crate::i18n::{t, tf, Lang};
use streamscope_core::cluster::BrokerState;
use streamscope_core::sim::view::{BrokerFrame, Frame, PartitionFrame, ReplicaFrame};
use web_sys::CanvasRenderingContext2d as Ctx;

const DOWN_FILL: &str = "#eceef1";

/// The least height of a replica row (its small text still reads; its tiles are 5 units high).
const MIN_REPLICA_ROW_H: f64 = 11.0;

/// Draws every broker box.
pub(super) fn draw_brokers(ctx: &Ctx, f: &Frame, l: &Layout, lang: Lang, view: &mut View) {
    view.replicas.clear();
    for b in &f.brokers {
        draw_broker(ctx, f, l, lang, view, b);
    }
}

fn draw_broker(ctx: &Ctx, f: &Frame, l: &Layout, lang: Lang, view: &mut View, b: &BrokerFrame) {
    let y = l.broker_y(b.id);
    let (x, w, h) = (l.broker_x, l.broker_w, l.broker_h);
    let state = b.state;
    let up = state == BrokerState::Up;
    ctx.set_fill_style_str(if up { PANEL } else { DOWN_FILL });
    ctx.fill_rect(x, y, w, h);
    ctx.set_stroke_style_str(if up { EDGE } else { DANGER });
    ctx.set_line_width(if up { 1.0 } else { 2.0 });
    ctx.stroke_rect(x + 0.5, y + 0.5, w - 1.0, h - 1.0);
    let (chip_x, coordinates) = draw_title(ctx, f, l, lang, b);
    txn::draw_coordinator_chip(ctx, l, lang, view, (b, chip_x));

    let items = broker_items(f, b.id);
    let hosted = items.len();
    // The latest refusal of the partitions it leads, on a line at the bottom of the box.
    let refusing = draw_refused_line(ctx, f, l, lang, b);
    let mut bottom = if refusing { 18.0 } else { 0.0 };
    if let Some(groups) = coordinates {
        let ly = y + h - 8.0 - bottom;
        fit_whole(ctx, &groups, (x + 8.0, ly), w - 16.0, INK, ("", 10));
        bottom += 16.0;
    }
    let room = h - 26.0 - bottom;
    let row_h = (room / hosted.max(1) as f64).clamp(MIN_REPLICA_ROW_H, 22.0);
    // (A hair of slack: rows that divide the room exactly all fit.)
    let fit = (((room + 0.01) / row_h) as usize).max(1);
    let (fit, more) = if hosted > fit {
        (fit - 1, hosted - (fit - 1))
    } else {
        (hosted, 0)
    };
    if !up {
        ctx.set_global_alpha(0.55);
    }
    for (i, item) in items.into_iter().take(fit).enumerate() {
        let ry = y + 24.0 + row_h * i as f64;
        let (p, r) = match item {
            Item::Row(p, r) => (p, r),
            Item::Topic(name) => {
                let label = tf(lang, "cv.topic_rows", &[("topic", name)]);
                text(ctx, &label, x + 8.0, ry + row_h * 0.7, MUTED, BOLD);
                continue;
            }
        };
        let stuck = if view.stuck.is_empty() {
            None
        } else {
            let name = format!("{}-{}", p.topic_name, p.tp.partition);
            stuck_row(&view.stuck, &name, b.id, p.leader)
        };
        let at = (p, r, f.positions.as_slice());
        draw_replica(ctx, l, lang, view, at, (state, stuck), (ry, row_h));
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

/// The lines of broker `broker`'s box: its replica rows, each topic's led by its name when
/// there are several topics (the pipeline's orders and output).
fn broker_items<'f, 'a>(f: &'f Frame<'a>, broker: u32) -> Vec<Item<'f, 'a>> {
    let rows: Vec<(&'f PartitionFrame<'a>, &'f ReplicaFrame<'a>)> = f
        .partitions
        .iter()
        .filter_map(|p| f.replica(p, broker).map(|r| (p, r)))
        .collect();
    let topics = f.partitions.iter().map(|p| p.tp.topic).max().unwrap_or(0) + 1;
    let mut items: Vec<Item<'f, 'a>> = Vec::with_capacity(rows.len() + topics as usize);
    for (p, r) in rows {
        let first_of_topic = items
            .iter()
            .rev()
            .find_map(|i| match i {
                Item::Row(q, _) => Some(q.tp.topic),
                Item::Topic(_) => None,
            })
            .is_none_or(|t| t != p.tp.topic);
        if topics > 1 && first_of_topic {
            items.push(Item::Topic(p.topic_name));
        }
        items.push(Item::Row(p, r));
    }
    items
}

/// One line of a broker box: a topic's name, or a replica row.
enum Item<'f, 'a> {
    Topic(&'a str),
    Row(&'f PartitionFrame<'a>, &'f ReplicaFrame<'a>),
}

/// "Broker 0", then a chip: coordinator, crashed, or crashed and fenced. Returns the x where
/// a further chip may start.
fn draw_title(
    ctx: &Ctx,
    f: &Frame,
    l: &Layout,
    lang: Lang,
    b: &BrokerFrame,
) -> (f64, Option<String>) {
    let y = l.broker_y(b.id);
    let title = format!("{} {}", t(lang, "broker"), b.id);
    text(ctx, &title, l.broker_x + 8.0, y + 15.0, INK, BOLD);
    let title_w = ctx.measure_text(&title).map_or(60.0, |m| m.width());
    let coordinator = b.group_coordinator;
    let (label, fill, ink) = match b.state {
        BrokerState::Crashed => (t(lang, "broker_crashed").to_string(), DANGER, "#ffffff"),
        BrokerState::Fenced => (t(lang, "broker_fenced").to_string(), "#82071e", "#ffffff"),
        BrokerState::Restarting => (
            t(lang, "broker_restarting").to_string(),
            "#9a6700",
            "#ffffff",
        ),
        BrokerState::Up if coordinator => (coordinator_label(f, lang, b.id), "#ddf4ff", INK),
        BrokerState::Up => return (l.broker_x + 8.0 + title_w + 8.0, None),
    };
    ctx.set_font(SMALL);
    let max_w = l.broker_w - title_w - 24.0 - BUTTON_ROOM;
    // The transaction coordinator's chip follows: this one leaves it room.
    let max_w = if b.txn_coordinator {
        max_w / 2.0
    } else {
        max_w
    };
    // Which groups it coordinates, when they do not fit the chip, go on a line of their own.
    let width = |s: &str| ctx.measure_text(s).map_or(80.0, |m| m.width()) + 10.0;
    let (label, overflow) = if b.state == BrokerState::Up && width(&label) > max_w {
        (t(lang, "coordinator").to_string(), Some(label))
    } else {
        (label, None)
    };
    let chip_w = (ctx.measure_text(&label).map_or(80.0, |m| m.width()) + 10.0).min(max_w);
    let cx = l.broker_x + 8.0 + title_w + 8.0;
    ctx.set_fill_style_str(fill);
    ctx.fill_rect(cx, y + 5.0, chip_w, 14.0);
    ctx.save();
    ctx.begin_path();
    ctx.rect(cx, y + 5.0, chip_w, 14.0);
    ctx.clip();
    text(ctx, &label, cx + 5.0, y + 15.5, ink, SMALL);
    ctx.restore();
    (cx + chip_w + 6.0, overflow)
}

/// The group coordinator chip's text: which groups this broker coordinates
/// ("coordinator of g1, ctp").
pub fn coordinator_label(f: &Frame, lang: Lang, broker: u32) -> String {
    let groups: Vec<&str> = f
        .groups
        .iter()
        .filter(|g| g.coordinator == broker)
        .map(|g| g.group_id)
        .collect();
    if groups.is_empty() {
        return t(lang, "coordinator").to_string();
    }
    tf(lang, "cv.coordinator_of", &[("g", &groups.join(", "))])
}

/// On a broker that leads partitions whose produce requests it refused: a red line at the
/// bottom of its box with the latest refusal's Kafka error (`NOT_ENOUGH_REPLICAS`); each
/// row counts its own. Returns whether it drew one.
fn draw_refused_line(ctx: &Ctx, f: &Frame, l: &Layout, lang: Lang, b: &BrokerFrame) -> bool {
    let latest = f
        .partitions
        .iter()
        .filter(|p| p.leader == Some(b.id))
        .filter_map(|p| p.refused)
        .max_by_key(|r| r.at);
    let Some(r) = latest else {
        return false;
    };
    let label = tf(lang, "cv.refused_chip", &[("e", r.last.name())]);
    let (x, y) = (l.broker_x + 8.0, l.broker_y(b.id) + l.broker_h - 20.0);
    ctx.set_font(BOLD);
    let w = (ctx.measure_text(&label).map_or(160.0, |m| m.width()) + 10.0).min(l.broker_w - 16.0);
    ctx.set_fill_style_str(DANGER);
    ctx.fill_rect(x, y, w, 15.0);
    text(ctx, &label, x + 5.0, y + 11.5, "#ffffff", BOLD);
    true
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

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::cluster::Broker;

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
}
