//! The canvas renderer: draws only what the core's state says, at the current simulated
//! time. Messages in flight are placed by interpolating between their send and delivery
//! times; nothing moves that the core did not do. Holds no Kafka logic.

use crate::i18n::{t, Lang};
use streamscope_core::net::{Body, Message, MessageKind, Node};
use streamscope_core::producer::ProducerState;
use streamscope_core::Sim;
use web_sys::CanvasRenderingContext2d as Ctx;

/// Logical canvas size (scaled by devicePixelRatio by the caller).
pub const WIDTH: f64 = 1280.0;
pub const HEIGHT: f64 = 720.0;

const PALETTE: [&str; 12] = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
    "#469990", "#808000", "#000075", "#bfef45",
];
const KEYLESS: &str = "#9aa0a6";
const INK: &str = "#1f2328";
const MUTED: &str = "#6e7781";
const PANEL: &str = "#f6f8fa";
const EDGE: &str = "#d0d7de";

/// Colour of a record by key (grey for a null key).
pub fn key_colour(key: Option<u32>) -> &'static str {
    match key {
        Some(k) => PALETTE[(k as usize) % PALETTE.len()],
        None => KEYLESS,
    }
}

/// Where things are on the canvas for the current world.
pub struct Layout {
    pub partitions: u32,
    pub brokers: u32,
    pub consumers: u32,
    pub acc_x: f64,
    pub acc_w: f64,
    pub row_h: f64,
    pub top: f64,
    pub broker_x: f64,
    pub broker_w: f64,
    pub broker_h: f64,
    pub cons_x: f64,
    pub cons_w: f64,
    pub cons_h: f64,
}

impl Layout {
    pub fn new(sim: &Sim) -> Layout {
        let partitions = sim
            .topics()
            .first()
            .map_or(1, |t| t.partitions.len() as u32)
            .max(1);
        let brokers = sim.brokers().len().max(1) as u32;
        let consumers = sim.consumers().len().max(1) as u32;
        let top = 70.0;
        let avail = HEIGHT - top - 20.0;
        Layout {
            partitions,
            brokers,
            consumers,
            acc_x: 210.0,
            acc_w: 250.0,
            row_h: (avail / partitions as f64).min(56.0),
            top,
            broker_x: 520.0,
            broker_w: 400.0,
            broker_h: (avail - 10.0 * (brokers as f64 - 1.0)) / brokers as f64,
            cons_x: 990.0,
            cons_w: 270.0,
            cons_h: ((avail - 10.0 * (consumers as f64 - 1.0)) / consumers as f64).min(220.0),
        }
    }

    pub fn acc_row_y(&self, p: u32) -> f64 {
        self.top + self.row_h * p as f64
    }
    pub fn broker_y(&self, b: u32) -> f64 {
        self.top + (self.broker_h + 10.0) * b as f64
    }
    pub fn consumer_y(&self, c: u32) -> f64 {
        self.top + (self.cons_h + 10.0) * c as f64
    }

    /// The point a message leaves from / arrives at for a node.
    fn anchor(&self, node: Node, toward: Node, first_partition: Option<u32>) -> (f64, f64) {
        match node {
            Node::Producer(_) => {
                let p = first_partition.unwrap_or(0);
                (
                    self.acc_x + self.acc_w,
                    self.acc_row_y(p) + self.row_h / 2.0,
                )
            }
            Node::Broker(b) => {
                let y = self.broker_y(b);
                match toward {
                    Node::Producer(_) => (self.broker_x, y + self.broker_h / 2.0),
                    Node::Consumer(_) => (self.broker_x + self.broker_w, y + self.broker_h / 2.0),
                    Node::Broker(o) => {
                        let x = self.broker_x + self.broker_w - 30.0;
                        if o > b {
                            (x, y + self.broker_h)
                        } else {
                            (x, y)
                        }
                    }
                }
            }
            Node::Consumer(c) => (self.cons_x, self.consumer_y(c) + 20.0),
        }
    }
}

fn text(ctx: &Ctx, s: &str, x: f64, y: f64, colour: &str, font: &str) {
    ctx.set_fill_style_str(colour);
    ctx.set_font(font);
    let _ = ctx.fill_text(s, x, y);
}

fn panel(ctx: &Ctx, x: f64, y: f64, w: f64, h: f64, fill: &str) {
    ctx.set_fill_style_str(fill);
    ctx.fill_rect(x, y, w, h);
    ctx.set_stroke_style_str(EDGE);
    ctx.set_line_width(1.0);
    ctx.stroke_rect(x + 0.5, y + 0.5, w - 1.0, h - 1.0);
}

fn dot(ctx: &Ctx, x: f64, y: f64, r: f64, colour: &str) {
    ctx.begin_path();
    let _ = ctx.arc(x, y, r, 0.0, core::f64::consts::TAU);
    ctx.set_fill_style_str(colour);
    ctx.fill();
}

/// Draws the whole frame.
pub fn draw(ctx: &Ctx, sim: &Sim, lang: Lang) {
    let l = Layout::new(sim);
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, WIDTH, HEIGHT);
    draw_headers(ctx, &l, lang);
    draw_producers(ctx, sim, &l, lang);
    draw_accumulator(ctx, sim, &l);
    draw_brokers(ctx, sim, &l, lang);
    draw_consumers(ctx, sim, &l, lang);
    draw_messages(ctx, sim, &l);
}

fn draw_headers(ctx: &Ctx, l: &Layout, lang: Lang) {
    let f = "600 13px system-ui, sans-serif";
    let sub = "11px system-ui, sans-serif";
    let cols = [
        (16.0, "producer", "producer_sub"),
        (l.acc_x, "accumulator", "accumulator_sub"),
        (l.broker_x, "brokers", "brokers_sub"),
        (l.cons_x, "group", "group_sub"),
    ];
    for (x, head, sub_key) in cols {
        text(ctx, t(lang, head), x, 36.0, INK, f);
        text(ctx, t(lang, sub_key), x, 52.0, MUTED, sub);
    }
}

fn draw_producers(ctx: &Ctx, sim: &Sim, l: &Layout, lang: Lang) {
    let small = "12px system-ui, sans-serif";
    let mut y = l.top;
    // The running instance first, then the closing ones.
    let mut order: Vec<_> = sim
        .producers()
        .iter()
        .filter(|p| p.state != ProducerState::Closed)
        .collect();
    order.sort_by_key(|p| p.state != ProducerState::Running);
    for p in order.into_iter().take(3) {
        let running = p.state == ProducerState::Running;
        let h = if running { 150.0 } else { 70.0 };
        panel(
            ctx,
            16.0,
            y,
            180.0,
            h,
            if running { PANEL } else { "#fff8e6" },
        );
        text(
            ctx,
            &format!("{} {}", t(lang, "pid"), p.producer_id),
            24.0,
            y + 18.0,
            INK,
            "600 12px system-ui, sans-serif",
        );
        if running {
            text(
                ctx,
                &format!("acks={}", p.config.acks.value.name()),
                24.0,
                y + 36.0,
                INK,
                small,
            );
            let part_key = format!("partitioner.{}", p.config.partitioner.value.name());
            text(ctx, t(lang, &part_key), 24.0, y + 52.0, INK, small);
            let idem = if p.idempotent {
                t(lang, "idempotent")
            } else {
                t(lang, "not_idempotent")
            };
            text(ctx, idem, 24.0, y + 68.0, MUTED, small);
            text(
                ctx,
                &format!("{} {}", t(lang, "sent"), p.stats.records_sent),
                24.0,
                y + 88.0,
                INK,
                small,
            );
            text(
                ctx,
                &format!("{} {}", t(lang, "acked"), p.stats.records_acknowledged),
                24.0,
                y + 104.0,
                INK,
                small,
            );
            text(
                ctx,
                &format!("{} {}", t(lang, "in_flight"), p.in_flight.len()),
                24.0,
                y + 120.0,
                INK,
                small,
            );
            let used = p.accumulator.buffer_used;
            text(
                ctx,
                &format!("{} {} B", t(lang, "buffer"), used),
                24.0,
                y + 138.0,
                MUTED,
                small,
            );
        } else {
            text(ctx, t(lang, "closing"), 24.0, y + 36.0, "#9a6700", small);
            text(
                ctx,
                &format!("{} {}", t(lang, "in_flight"), p.in_flight.len()),
                24.0,
                y + 54.0,
                INK,
                small,
            );
        }
        y += h + 10.0;
    }
}

fn draw_accumulator(ctx: &Ctx, sim: &Sim, l: &Layout) {
    let Some(p) = sim
        .producers()
        .iter()
        .find(|p| p.state == ProducerState::Running)
    else {
        return;
    };
    let batch_size = p.config.batch_size.value.max(1) as f64;
    let linger_us = p.config.linger_ms.value * 1000;
    let now = sim.now();
    for part in 0..l.partitions {
        let y = l.acc_row_y(part);
        let h = l.row_h - 6.0;
        text(
            ctx,
            &format!("P{part}"),
            l.acc_x,
            y + h / 2.0 + 4.0,
            MUTED,
            "11px system-ui, sans-serif",
        );
        let bx = l.acc_x + 26.0;
        let bw = l.acc_w - 26.0;
        panel(ctx, bx, y, bw, h, "#ffffff");
        let Some(dq) = p.accumulator.deque(part) else {
            continue;
        };
        // Up to three batches side by side; each bar fills toward batch.size.
        let slot = bw / 3.0;
        for (i, b) in dq.iter().take(3).enumerate() {
            let x = bx + slot * i as f64 + 2.0;
            let fill = (b.size_bytes as f64 / batch_size).min(1.0);
            ctx.set_fill_style_str(if b.is_full() { "#ffd8b5" } else { "#ddf4ff" });
            ctx.fill_rect(x, y + 2.0, (slot - 4.0) * fill, h - 4.0);
            // Records as dots in rows.
            let per_row = ((slot - 8.0) / 7.0).max(1.0) as usize;
            for (j, r) in b.records.iter().take(per_row * 3).enumerate() {
                let dx = x + 5.0 + (j % per_row) as f64 * 7.0;
                let dy = y + 8.0 + (j / per_row) as f64 * 7.0;
                dot(ctx, dx, dy, 2.6, key_colour(r.key));
            }
            // Linger timer: an arc that completes when linger.ms has passed.
            if linger_us > 0 {
                let frac = (now.since(b.created_at) as f64 / linger_us as f64).min(1.0);
                ctx.begin_path();
                let (cx, cy) = (x + slot - 12.0, y + h - 10.0);
                let _ = ctx.arc(
                    cx,
                    cy,
                    6.0,
                    -core::f64::consts::FRAC_PI_2,
                    -core::f64::consts::FRAC_PI_2 + frac * core::f64::consts::TAU,
                );
                ctx.set_stroke_style_str(if frac >= 1.0 { "#cf222e" } else { "#0969da" });
                ctx.set_line_width(2.0);
                ctx.stroke();
            }
        }
    }
}

fn draw_brokers(ctx: &Ctx, sim: &Sim, l: &Layout, lang: Lang) {
    let small = "11px system-ui, sans-serif";
    for b in sim.brokers() {
        let y = l.broker_y(b.id);
        panel(ctx, l.broker_x, y, l.broker_w, l.broker_h, PANEL);
        let coordinator = sim.groups().iter().any(|g| g.coordinator == b.id);
        let title = if coordinator {
            format!(
                "{} {} · {}",
                t(lang, "broker"),
                b.id,
                t(lang, "coordinator")
            )
        } else {
            format!("{} {}", t(lang, "broker"), b.id)
        };
        text(
            ctx,
            &title,
            l.broker_x + 8.0,
            y + 15.0,
            INK,
            "600 12px system-ui, sans-serif",
        );
        // One row per replica this broker hosts.
        let mut rows = Vec::new();
        for tpc in sim.topics() {
            for p in &tpc.partitions {
                if let Some(r) = p.replica(b.id) {
                    rows.push((p, r));
                }
            }
        }
        let row_h = ((l.broker_h - 24.0) / rows.len().max(1) as f64).min(22.0);
        let tile = 9.0;
        let tiles_fit = ((l.broker_w - 150.0) / (tile + 1.0)) as u64;
        for (i, (p, r)) in rows.iter().enumerate() {
            let ry = y + 22.0 + row_h * i as f64;
            let is_leader = p.leader == Some(b.id);
            let label = format!("P{} {}", p.index, if is_leader { "L" } else { "F" });
            text(
                ctx,
                &label,
                l.broker_x + 8.0,
                ry + row_h * 0.7,
                if is_leader { INK } else { MUTED },
                small,
            );
            let leo = r.log.log_end_offset();
            let from = leo.saturating_sub(tiles_fit);
            let x0 = l.broker_x + 44.0;
            for (off, e) in r.log.range(from, leo) {
                let x = x0 + (off - from) as f64 * (tile + 1.0);
                ctx.set_fill_style_str(key_colour(e.key));
                ctx.fill_rect(x, ry + 2.0, tile, row_h - 6.0);
            }
            // The high watermark: consumers read only below this line.
            let hw = if is_leader {
                p.high_watermark()
            } else {
                r.high_watermark
            };
            if hw >= from {
                let x = x0 + (hw - from) as f64 * (tile + 1.0) - 0.5;
                ctx.set_fill_style_str("#1a7f37");
                ctx.fill_rect(x, ry, 2.0, row_h - 2.0);
            }
            text(
                ctx,
                &format!("{} {} {} {}", t(lang, "leo"), leo, t(lang, "hw"), hw),
                l.broker_x + l.broker_w - 100.0,
                ry + row_h * 0.7,
                MUTED,
                small,
            );
        }
    }
}

fn draw_consumers(ctx: &Ctx, sim: &Sim, l: &Layout, lang: Lang) {
    let small = "11px system-ui, sans-serif";
    for c in sim.consumers() {
        let y = l.consumer_y(c.index);
        panel(ctx, l.cons_x, y, l.cons_w, l.cons_h, PANEL);
        let g = &sim.groups()[c.group as usize];
        let short: String = c.member_id.chars().take(16).collect();
        text(
            ctx,
            &format!("{} {} · {}…", g.group_id, t(lang, "consumer"), short),
            l.cons_x + 8.0,
            y + 15.0,
            INK,
            "600 12px system-ui, sans-serif",
        );
        text(
            ctx,
            &format!(
                "{} {} · {} {}",
                t(lang, "generation"),
                c.generation,
                t(lang, "consumed"),
                c.records_consumed
            ),
            l.cons_x + 8.0,
            y + 31.0,
            MUTED,
            small,
        );
        for (i, tp) in c.assignment.iter().enumerate() {
            let ry = y + 40.0 + 18.0 * i as f64;
            if ry + 16.0 > y + l.cons_h {
                break;
            }
            let pos = c.positions.get(tp).copied().unwrap_or(0);
            let hw = sim.partition(*tp).map_or(0, |p| p.high_watermark());
            let lag = hw.saturating_sub(pos);
            text(
                ctx,
                &format!("P{} pos {} {} {}", tp.partition, pos, t(lang, "lag"), lag),
                l.cons_x + 8.0,
                ry + 12.0,
                INK,
                small,
            );
            let w = (lag as f64 * 4.0).min(90.0);
            ctx.set_fill_style_str(if lag > 20 { "#cf222e" } else { "#bf8700" });
            ctx.fill_rect(l.cons_x + 170.0, ry + 4.0, w, 9.0);
        }
    }
}

fn first_partition(m: &Message) -> Option<u32> {
    match &m.body {
        Body::Produce { batches, .. } => batches.first().map(|(tp, _)| tp.partition),
        _ => None,
    }
}

fn draw_messages(ctx: &Ctx, sim: &Sim, l: &Layout) {
    let now = sim.now().micros() as f64;
    for m in sim.messages() {
        let (x0, y0) = l.anchor(m.from, m.to, first_partition(m));
        let (x1, y1) = l.anchor(m.to, m.from, first_partition(m));
        let span = (m.deliver_at.micros() as f64 - m.sent_at.micros() as f64).max(1.0);
        let f = ((now - m.sent_at.micros() as f64) / span).clamp(0.0, 1.0);
        let (x, y) = (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
        match m.body.kind() {
            MessageKind::Produce
            | MessageKind::ReplicaFetchResponse
            | MessageKind::ConsumerFetchResponse => {
                let keys = record_keys(m);
                if keys.is_empty() {
                    dot(ctx, x, y, 2.0, "#afb8c1");
                    continue;
                }
                ctx.set_fill_style_str("rgba(255,255,255,0.85)");
                let cols = 6usize;
                let rows = keys.len().min(24).div_ceil(cols);
                ctx.fill_rect(
                    x - 3.0,
                    y - 3.0,
                    6.0 * cols.min(keys.len()) as f64 + 4.0,
                    6.0 * rows as f64 + 4.0,
                );
                for (i, k) in keys.iter().take(24).enumerate() {
                    dot(
                        ctx,
                        x + (i % cols) as f64 * 6.0,
                        y + (i / cols) as f64 * 6.0,
                        2.5,
                        key_colour(*k),
                    );
                }
                if keys.len() > 24 {
                    text(
                        ctx,
                        &format!("+{}", keys.len() - 24),
                        x + 40.0,
                        y + 4.0,
                        MUTED,
                        "10px system-ui, sans-serif",
                    );
                }
            }
            MessageKind::ProduceResponse => {
                dot(ctx, x, y, 4.0, "#1a7f37");
            }
            MessageKind::ReplicaFetch | MessageKind::ConsumerFetch => {
                dot(ctx, x, y, 2.0, "#8c959f");
            }
            _ => {
                dot(ctx, x, y, 3.0, "#8250df");
            }
        }
    }
}

fn record_keys(m: &Message) -> Vec<Option<u32>> {
    match &m.body {
        Body::Produce { batches, .. } => batches
            .iter()
            .flat_map(|(_, b)| b.records.iter().map(|r| r.key))
            .collect(),
        Body::ReplicaFetchResponse { parts } | Body::ConsumerFetchResponse { parts } => parts
            .iter()
            .flat_map(|p| p.entries.iter().map(|(_, e)| e.key))
            .collect(),
        _ => Vec::new(),
    }
}
