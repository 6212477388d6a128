//! The canvas renderer: draws only what the core's state says, at the current simulated
//! time. Messages in flight are placed by interpolating between their send and delivery
//! times; nothing moves that the core did not do. Holds no Kafka logic.
//!
//! While drawing it records where each record dot / log tile and each partition label went
//! ([`Hits`], bounded), so a click can be mapped back to a record id or a partition. It also
//! remembers, per partition, the last batch seen leaving in a produce request
//! ([`View`]), so the departure stays visible for a moment after the request is delivered.

mod cluster;
mod groups;
mod in_flight;
mod txn;

pub use cluster::{BrokerState, ReplicaMark, BUTTON_ROOM};
pub use groups::GroupMark;
pub use in_flight::request_line;
pub use txn::{is_zombie, txn_world, TxnMarks};

use crate::i18n::{t, tf, Lang};
use streamscope_core::app::pipeline::state::ProcessorPhase;
use streamscope_core::config::SendMode;
use streamscope_core::consumer::MemberState;
use streamscope_core::net::{Body, Message, MessageKind, Node};
use streamscope_core::producer::{Producer, ProducerState};
use streamscope_core::{Sim, SimTime};
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
const MUTED: &str = "#57606a";
const PANEL: &str = "#f6f8fa";
const EDGE: &str = "#d0d7de";
/// Outline of a batch that is ready (full, lingered, or not the last of its queue).
const READY: &str = "#bc4c00";
/// Outline of a batch that rode along in a request without being ready (piggyback).
const RIDE: &str = "#0969da";
const WARN: &str = "#9a6700";
const DANGER: &str = "#cf222e";
const FONT: &str = "11px system-ui, sans-serif";
const SMALL: &str = "10px system-ui, sans-serif";
const BODY: &str = "12px system-ui, sans-serif";
const BOLD: &str = "600 12px system-ui, sans-serif";

/// Colour of a record by key (grey for a null key).
pub fn key_colour(key: Option<u32>) -> &'static str {
    match key {
        Some(k) => PALETTE[(k as usize) % PALETTE.len()],
        None => KEYLESS,
    }
}

// ----- hit testing -----

/// What a click on the canvas can point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Record(u64),
    /// A partition (of topic index `topic`), as seen from one broker's replica or overall.
    Partition {
        topic: u32,
        partition: u32,
        broker: Option<u32>,
    },
    /// A transaction control marker at `offset` of a partition's log on `broker`.
    Marker {
        topic: u32,
        partition: u32,
        offset: u64,
        broker: u32,
    },
}

/// One drawn, clickable thing: its box in canvas units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub target: Target,
}

/// Most hit boxes kept per frame (what is drawn is bounded anyway; this is a backstop).
pub const MAX_HITS: usize = 4096;

/// The hit boxes of the last frame. The vector is reused frame to frame.
#[derive(Debug, Default)]
pub struct Hits {
    items: Vec<Hit>,
}

impl Hits {
    pub fn clear(&mut self) {
        self.items.clear();
    }

    pub fn push(&mut self, x: f64, y: f64, w: f64, h: f64, target: Target) {
        if self.items.len() < MAX_HITS {
            self.items.push(Hit { x, y, w, h, target });
        }
    }

    pub fn items(&self) -> &[Hit] {
        &self.items
    }

    /// The record nearest to (x, y) within a few units (the one drawn last on a tie), else
    /// the partition label containing the point.
    pub fn find(&self, x: f64, y: f64) -> Option<Target> {
        const SLACK: f64 = 2.5;
        let mut best: Option<(f64, Target)> = None;
        for h in &self.items {
            if !matches!(h.target, Target::Record(_) | Target::Marker { .. }) {
                continue;
            }
            let inside = x >= h.x - SLACK
                && x <= h.x + h.w + SLACK
                && y >= h.y - SLACK
                && y <= h.y + h.h + SLACK;
            if inside {
                let (cx, cy) = (h.x + h.w / 2.0, h.y + h.h / 2.0);
                let d = (cx - x).powi(2) + (cy - y).powi(2);
                if best.is_none_or(|(bd, _)| d <= bd) {
                    best = Some((d, h.target));
                }
            }
        }
        if let Some((_, target)) = best {
            return Some(target);
        }
        self.items
            .iter()
            .rev()
            .find(|h| {
                matches!(h.target, Target::Partition { .. })
                    && x >= h.x
                    && x <= h.x + h.w
                    && y >= h.y
                    && y <= h.y + h.h
            })
            .map(|h| h.target)
    }
}

// ----- state kept between frames -----

/// Dots a departed batch shows in its row's lane.
const LANE_DOTS: usize = 8;

/// The last batch seen leaving a partition's queue in a produce request.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Departure {
    batch_id: u64,
    sent_at: SimTime,
    piggyback: bool,
    records: u32,
    ids: [u64; LANE_DOTS],
    keys: [Option<u32>; LANE_DOTS],
}

/// What the renderer keeps between frames: the hit boxes of the last frame, the selection
/// to highlight, and recent departures (whether a batch was ready or rode along is the
/// core's `ProducerBatch::rode_along`). Never part of the simulation.
#[derive(Debug)]
pub struct View {
    pub hits: Hits,
    pub selected: Option<Target>,
    /// How long (simulated microseconds) a departed batch stays drawn in its row; the app
    /// sets it from the playback speed so it lasts about the same wall time at any speed.
    pub departure_window_us: u64,
    departures: Vec<Option<Departure>>,
    /// The replica rows drawn in the last frame (for the test hook), reused frame to frame.
    pub replicas: Vec<ReplicaMark>,
    /// Buffers for finding records written twice in a log (reused, so no per-frame
    /// allocation once warm).
    dup_scratch: Vec<u64>,
    dup_ids: Vec<u64>,
    /// Acknowledged-then-lost records per partition, read from the monitor each frame.
    lost: std::collections::BTreeMap<streamscope_core::net::TopicPartitionId, u64>,
    /// This frame's transaction state and what was drawn of it (`render::txn`).
    pub txn: txn::TxnFrame,
    /// The group panels drawn in the last frame (for the test hook).
    pub groups: Vec<GroupMark>,
    /// The groups' rebalance phases and the members' heartbeats, read from the trace.
    pub rebalance: crate::rebalance::Observer,
    /// The liveness monitor's keys of the parts a drain found stuck ("partition orders-0",
    /// "group ctp"), outlined red (set by `crate::liveness`).
    pub stuck: Vec<String>,
}

impl Default for View {
    fn default() -> Self {
        View::new()
    }
}

impl View {
    pub fn new() -> View {
        View {
            hits: Hits::default(),
            selected: None,
            departure_window_us: 15_000,
            departures: Vec::new(),
            replicas: Vec::new(),
            dup_scratch: Vec::new(),
            dup_ids: Vec::new(),
            lost: std::collections::BTreeMap::new(),
            txn: txn::TxnFrame::default(),
            groups: Vec::new(),
            rebalance: crate::rebalance::Observer::default(),
            stuck: Vec::new(),
        }
    }

    /// Forget everything (a new simulation).
    pub fn reset(&mut self) {
        self.hits.clear();
        self.selected = None;
        self.departures.clear();
        self.replicas.clear();
        self.groups.clear();
        self.rebalance.reset();
        self.stuck.clear();
    }

    fn selected_record(&self) -> Option<u64> {
        match self.selected {
            Some(Target::Record(id)) => Some(id),
            _ => None,
        }
    }

    fn partition_selected(&self, topic: u32, partition: u32) -> bool {
        matches!(self.selected, Some(Target::Partition { topic: t, partition: p, .. }) if t == topic && p == partition)
    }

    /// Notes the batches of produce requests now in flight.
    fn observe(&mut self, sim: &Sim, partitions: u32) {
        let now = sim.now();
        if self.departures.iter().flatten().any(|d| d.sent_at > now) {
            // Time went back: a new simulation.
            self.departures.clear();
        }
        self.departures.resize(partitions as usize, None);
        for m in sim.messages() {
            let Body::Produce { batches, .. } = &m.body else {
                continue;
            };
            for (_, b) in batches {
                let Some(slot) = self.departures.get_mut(b.partition as usize) else {
                    continue;
                };
                let newer = slot.is_none_or(|d| {
                    d.batch_id != b.id && (m.sent_at, b.id) > (d.sent_at, d.batch_id)
                });
                if !newer {
                    continue;
                }
                let mut ids = [0u64; LANE_DOTS];
                let mut keys = [None; LANE_DOTS];
                for (i, r) in b.records.iter().take(LANE_DOTS).enumerate() {
                    ids[i] = r.id;
                    keys[i] = r.key;
                }
                *slot = Some(Departure {
                    batch_id: b.id,
                    sent_at: m.sent_at,
                    piggyback: b.rode_along,
                    records: b.records.len() as u32,
                    ids,
                    keys,
                });
            }
        }
    }
}

// ----- layout -----

/// Smallest accumulator row; with more partitions than fit, the rest are not drawn.
const MIN_ROW_H: f64 = 14.0;
/// The lane at the right end of each accumulator row where departed batches show.
const LANE_W: f64 = 80.0;
const LABEL_W: f64 = 28.0;

/// Where things are on the canvas for the current world.
pub struct Layout {
    pub partitions: u32,
    /// Accumulator rows drawn (the first `shown` partitions).
    pub shown: u32,
    pub brokers: u32,
    pub consumers: u32,
    pub prod_x: f64,
    pub prod_w: f64,
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
    /// The consumer column: group panels and member boxes (`render::groups`).
    col: groups::Column,
    /// Pipeline processors' producers and the consumer box each is drawn with
    /// (producer index, consumer index): their requests start at that box.
    processors: Vec<(u32, u32)>,
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
        let row_h = (avail / partitions as f64).clamp(MIN_ROW_H, 56.0);
        let col = groups::column(sim, top, avail);
        let shown = if row_h * partitions as f64 <= avail + 0.5 {
            partitions
        } else {
            // Keep one row for the "+N more" note.
            (((avail - MIN_ROW_H) / row_h) as u32).max(1)
        };
        Layout {
            partitions,
            shown,
            brokers,
            consumers,
            prod_x: 12.0,
            prod_w: 196.0,
            acc_x: 218.0,
            acc_w: 300.0,
            row_h,
            top,
            broker_x: 560.0,
            broker_w: 352.0,
            broker_h: (avail - 10.0 * (brokers as f64 - 1.0)) / brokers as f64,
            cons_x: 976.0,
            cons_w: 292.0,
            cons_h: col.cons_h,
            col,
            processors: sim.pipeline().map_or_else(Vec::new, |pl| {
                pl.processors
                    .iter()
                    .map(|p| (p.producer, p.consumer))
                    .collect()
            }),
        }
    }

    /// The consumer box a producer instance is drawn with, when it is a processor's.
    fn processor_box(&self, node: Node) -> Option<u32> {
        match node {
            Node::Producer(idx) => self
                .processors
                .iter()
                .find(|(p, _)| *p == idx)
                .map(|(_, c)| *c),
            _ => None,
        }
    }

    pub fn acc_row_y(&self, p: u32) -> f64 {
        self.top + self.row_h * p as f64
    }
    pub fn broker_y(&self, b: u32) -> f64 {
        self.top + (self.broker_h + 10.0) * b as f64
    }
    pub fn consumer_y(&self, c: u32) -> f64 {
        self.col
            .cons_ys
            .get(c as usize)
            .copied()
            .unwrap_or(self.top)
    }
    /// The replication lane right of the broker boxes: follower fetches and their responses
    /// travel along it.
    pub fn lane_x(&self) -> f64 {
        self.broker_x + self.broker_w + 8.0
    }

    /// The point a message leaves from / arrives at for a node.
    fn anchor(&self, node: Node, toward: Node, first_partition: Option<u32>) -> (f64, f64) {
        if let Some(c) = self.processor_box(node) {
            return (self.cons_x, self.consumer_y(c) + 20.0);
        }
        let toward_processor = self.processor_box(toward).is_some();
        match node {
            Node::Producer(_) => {
                let p = first_partition
                    .unwrap_or(0)
                    .min(self.shown.saturating_sub(1));
                (
                    self.acc_x + self.acc_w,
                    self.acc_row_y(p) + self.row_h / 2.0,
                )
            }
            Node::Broker(b) => {
                let y = self.broker_y(b);
                match toward {
                    Node::Producer(_) if !toward_processor => {
                        (self.broker_x, y + self.broker_h / 2.0)
                    }
                    Node::Producer(_) => (self.broker_x + self.broker_w, y + self.broker_h / 2.0),
                    Node::Consumer(_) => (self.broker_x + self.broker_w, y + self.broker_h / 2.0),
                    Node::Broker(_) => (self.lane_x(), y + self.broker_h / 2.0),
                }
            }
            Node::Consumer(c) => (self.cons_x, self.consumer_y(c) + 20.0),
        }
    }
}

// ----- drawing helpers -----

fn text(ctx: &Ctx, s: &str, x: f64, y: f64, colour: &str, font: &str) {
    ctx.set_fill_style_str(colour);
    ctx.set_font(font);
    let _ = ctx.fill_text(s, x, y);
}

/// Text right-aligned at `x`.
fn text_right(ctx: &Ctx, s: &str, x: f64, y: f64, colour: &str, font: &str) {
    ctx.set_text_align("right");
    text(ctx, s, x, y, colour, font);
    ctx.set_text_align("left");
}

/// Draws `s` word-wrapped to `max_w`, at most `max_lines` lines (the last one cut with
/// an ellipsis). Returns the lines drawn.
fn wrapped(
    ctx: &Ctx,
    s: &str,
    (x, y): (f64, f64),
    max_w: f64,
    line_h: f64,
    max_lines: usize,
    colour: &str,
) -> usize {
    ctx.set_font(BODY);
    ctx.set_fill_style_str(colour);
    let width = |t: &str| ctx.measure_text(t).map_or(0.0, |m| m.width());
    let mut line = String::new();
    let mut lines = 0;
    let mut words = s.split(' ').peekable();
    while let Some(w) = words.next() {
        let candidate = if line.is_empty() {
            w.to_string()
        } else {
            format!("{line} {w}")
        };
        if width(&candidate) <= max_w || line.is_empty() {
            line = candidate;
        } else {
            if lines + 1 == max_lines {
                line.push('…');
                break;
            }
            let _ = ctx.fill_text(&line, x, y + line_h * lines as f64);
            lines += 1;
            line = w.to_string();
        }
        if words.peek().is_none() {
            break;
        }
    }
    if !line.is_empty() {
        let _ = ctx.fill_text(&line, x, y + line_h * lines as f64);
        lines += 1;
    }
    lines
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

/// A record dot that can be clicked (and is ringed when selected).
fn record_dot(ctx: &Ctx, view: &mut View, (x, y): (f64, f64), r: f64, id: u64, key: Option<u32>) {
    dot(ctx, x, y, r, key_colour(key));
    view.hits
        .push(x - r, y - r, r * 2.0, r * 2.0, Target::Record(id));
    if view.selected_record() == Some(id) {
        ring(ctx, x, y, r + 2.0);
    }
}

fn ring(ctx: &Ctx, x: f64, y: f64, r: f64) {
    ctx.begin_path();
    let _ = ctx.arc(x, y, r, 0.0, core::f64::consts::TAU);
    ctx.set_stroke_style_str(INK);
    ctx.set_line_width(1.5);
    ctx.stroke();
}

/// Solid or dashed line style (dash patterns are made once per frame).
struct Dashes {
    solid: js_sys::Array,
    dashed: js_sys::Array,
}

impl Dashes {
    fn new() -> Dashes {
        Dashes {
            solid: js_sys::Array::new(),
            dashed: js_sys::Array::of2(&4.0.into(), &3.0.into()),
        }
    }
    fn set(&self, ctx: &Ctx, dashed: bool) {
        let _ = ctx.set_line_dash(if dashed { &self.dashed } else { &self.solid });
    }
}

/// Bytes for people: B, KiB, MiB, GiB.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else if v >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// `compression: lz4 (ratio 0.42)`: the codec and the ratio of bytes on the wire to bytes
/// before compression over the batches sent so far (before any: the estimate new batches
/// start from, Kafka's `CompressionRatioEstimator`).
pub fn compression_text(p: &Producer, lang: Lang) -> String {
    let ratio = if p.stats.bytes_uncompressed > 0 {
        p.stats.bytes_on_wire as f64 / p.stats.bytes_uncompressed as f64
    } else {
        p.accumulator.ratio_estimate as f64
    };
    tf(
        lang,
        "compression_slot",
        &[
            ("type", p.config.compression_type.value.name()),
            ("ratio", &format!("{ratio:.2}")),
        ],
    )
}

/// The running producer instance, if any: the one the application drives (not a zombie
/// that shares its transactional.id), else the first running one.
pub fn running(sim: &Sim) -> Option<&Producer> {
    let current = sim
        .app_instance(0)
        .and_then(|i| sim.producers().iter().find(|p| p.index == i))
        .filter(|p| p.state == ProducerState::Running);
    current.or_else(|| {
        sim.producers().iter().find(|p| {
            p.state == ProducerState::Running && !crate::pipeline::is_processor_producer(p)
        })
    })
}

/// How the application's send() stands, for the producer box and the page's status line:
/// (text, colour).
pub fn producer_status(sim: &Sim, p: &Producer, lang: Lang) -> (String, &'static str) {
    if let Some(b) = p.blocked {
        let ms = sim.now().since(b.since) / 1000;
        let max = p.config.max_block_ms.value;
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
    if p.config.workload.send_mode.value == SendMode::Sync {
        return (t(lang, "sync_idle").to_string(), MUTED);
    }
    (t(lang, "async_sending").to_string(), MUTED)
}

// ----- the frame -----

/// Draws the whole frame and records its hit boxes in `view`.
pub fn draw(ctx: &Ctx, sim: &Sim, lang: Lang, view: &mut View) {
    let l = Layout::new(sim);
    view.hits.clear();
    view.observe(sim, l.partitions);
    view.rebalance.observe(sim);
    let dashes = Dashes::new();
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, WIDTH, HEIGHT);
    view.txn.observe(sim);
    draw_headers(ctx, sim, &l, lang, view.txn.marks.world);
    let below_producers = draw_producers(ctx, sim, &l, lang, view);
    in_flight::draw_in_flight(ctx, sim, &l, lang, below_producers);
    draw_accumulator(ctx, sim, &l, lang, view, &dashes);
    draw_lane(ctx, sim, &l, &dashes);
    cluster::draw_brokers(ctx, sim, &l, lang, view);
    groups::draw_groups(ctx, sim, &l, lang, view);
    draw_consumers(ctx, sim, &l, lang, view);
    draw_messages(ctx, sim, &l, view, &dashes);
    groups::draw_group_messages(ctx, sim, &l);
}

fn draw_headers(ctx: &Ctx, sim: &Sim, l: &Layout, lang: Lang, txn_world: bool) {
    let f = "600 13px system-ui, sans-serif";
    let batch_size = running(sim)
        .map(|p| p.config.batch_size.value)
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
fn draw_producers(ctx: &Ctx, sim: &Sim, l: &Layout, lang: Lang, view: &mut View) -> f64 {
    let mut y = l.top;
    let x = l.prod_x + 8.0;
    // The running instance first, then zombies (same transactional.id) and closing ones.
    let mut order: Vec<_> = sim
        .producers()
        .iter()
        .filter(|p| p.state != ProducerState::Closed && !crate::pipeline::is_processor_producer(p))
        .collect();
    order.sort_by_key(|p| (p.state != ProducerState::Running, txn::is_zombie(sim, p)));
    for p in order.into_iter().take(3) {
        let zombie = txn::is_zombie(sim, p);
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
        text(
            ctx,
            &format!("{} {}", t(lang, "pid"), p.producer_id),
            x,
            y + 18.0,
            INK,
            BOLD,
        );
        if !is_running {
            let what = if zombie { "txn_zombie" } else { "closing" };
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
            txn::draw_producer_txn(ctx, sim, lang, view, p, at, true);
            y += h + 10.0;
            continue;
        }
        let lines = [
            (
                format!(
                    "acks={} · linger.ms={}",
                    p.config.acks.value.name(),
                    p.config.linger_ms.value
                ),
                INK,
            ),
            (
                t(
                    lang,
                    &format!("partitioner.{}", p.config.partitioner.value.name()),
                )
                .to_string(),
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
            (format!("{} {}", t(lang, "sent"), p.stats.records_sent), INK),
            (
                format!("{} {}", t(lang, "acked"), p.stats.records_acknowledged),
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
        ];
        let mut ly = y + 36.0;
        for (s, colour) in &lines {
            let font = if *colour == MUTED { FONT } else { BODY };
            text(ctx, s, x, ly, colour, font);
            ly += 16.0;
        }
        // buffer.memory in use, as text and a bar.
        let used = p.accumulator.buffer_used;
        let total = p.config.buffer_memory.value.max(1);
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
        ctx.set_fill_style_str(if p.blocked.is_some() {
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
        // What the application's send() is doing (sync wait, blocked on memory).
        let (status, colour) = producer_status(sim, p, lang);
        wrapped(
            ctx,
            &status,
            (x, ly + 28.0),
            l.prod_w - 16.0,
            14.0,
            3,
            colour,
        );
        let at = (x, y + 236.0 - 6.0, l.prod_w - 16.0);
        txn::draw_producer_txn(ctx, sim, lang, view, p, at, false);
        y += h + 10.0;
    }
    y
}

/// The replication lane: a faint line joining the brokers' right sides.
fn draw_lane(ctx: &Ctx, sim: &Sim, l: &Layout, dashes: &Dashes) {
    let n = sim.brokers().len() as u32;
    if n < 2 {
        return;
    }
    let x = l.lane_x();
    let (y0, y1) = (
        l.broker_y(0) + l.broker_h / 2.0,
        l.broker_y(n - 1) + l.broker_h / 2.0,
    );
    dashes.set(ctx, true);
    ctx.set_stroke_style_str(EDGE);
    ctx.set_line_width(1.0);
    ctx.begin_path();
    ctx.move_to(x + 0.5, y0);
    ctx.line_to(x + 0.5, y1);
    ctx.stroke();
    dashes.set(ctx, false);
    for b in 0..n {
        let y = l.broker_y(b) + l.broker_h / 2.0;
        ctx.set_fill_style_str(EDGE);
        ctx.fill_rect(
            l.broker_x + l.broker_w,
            y - 0.5,
            x - l.broker_x - l.broker_w,
            1.0,
        );
    }
}

fn draw_accumulator(
    ctx: &Ctx,
    sim: &Sim,
    l: &Layout,
    lang: Lang,
    view: &mut View,
    dashes: &Dashes,
) {
    let p = running(sim);
    let topic = p.map_or(0, |p| p.topic);
    let batch_size = p.map_or(1, |p| p.config.batch_size.value.max(1)) as f64;
    let linger_us = p.map_or(0, |p| p.config.linger_ms.value.saturating_mul(1000));
    let flushing = p.is_some_and(|p| p.blocked.is_some());
    let now = sim.now();
    let bx = l.acc_x + LABEL_W;
    let bw = l.acc_w - LABEL_W;
    let slots_w = bw - LANE_W;
    let slot_w = slots_w / 2.0;
    let h = l.row_h - 4.0;
    let text_line = h >= 34.0;
    let small = h < 22.0;
    for part in 0..l.shown {
        let y = l.acc_row_y(part);
        if view.partition_selected(topic, part) {
            ctx.set_fill_style_str("#fff8c5");
            ctx.fill_rect(l.acc_x - 2.0, y, LABEL_W - 2.0, h);
        }
        text(
            ctx,
            &format!("P{part}"),
            l.acc_x,
            y + h / 2.0 + 4.0,
            MUTED,
            FONT,
        );
        view.hits.push(
            l.acc_x - 2.0,
            y,
            LABEL_W,
            h,
            Target::Partition {
                topic,
                partition: part,
                broker: None,
            },
        );
        panel(ctx, bx, y, bw, h, "#ffffff");
        // The departure lane.
        ctx.set_fill_style_str(EDGE);
        ctx.fill_rect(bx + slots_w, y + 3.0, 1.0, h - 6.0);
        draw_departure(
            ctx,
            sim,
            view,
            dashes,
            part,
            (bx + slots_w, y),
            h,
            lang,
            text_line,
        );
        let Some(p) = p else { continue };
        let Some(dq) = p.accumulator.deque(part) else {
            continue;
        };
        let queued = dq.len();
        let ready = p.accumulator.first_ready(part, now, linger_us, flushing);
        // Up to two batches side by side, the oldest (the next to leave) first.
        for (i, b) in dq.iter().take(2).enumerate() {
            let x = bx + slot_w * i as f64 + 2.0;
            let (y0, w, hh) = (y + 2.0, slot_w - 4.0, h - 4.0);
            let fill = (b.size_bytes as f64 / batch_size).min(1.0);
            ctx.set_fill_style_str(if b.is_full() { "#ffd8b5" } else { "#ddf4ff" });
            ctx.fill_rect(x, y0, w * fill, hh);
            if i == 0 && ready {
                ctx.set_stroke_style_str(READY);
                ctx.set_line_width(1.5);
                ctx.stroke_rect(x + 0.75, y0 + 0.75, w - 1.5, hh - 1.5);
            }
            // Linger timer: an arc that completes when linger.ms has passed.
            let arc = linger_us > 0 && hh >= 14.0;
            if arc {
                let frac = (now.since(b.created_at) as f64 / linger_us as f64).min(1.0);
                ctx.begin_path();
                let (cx, cy) = (x + w - 8.0, y0 + 8.0);
                let start = -core::f64::consts::FRAC_PI_2;
                let _ = ctx.arc(cx, cy, 5.0, start, start + frac * core::f64::consts::TAU);
                ctx.set_stroke_style_str(if frac >= 1.0 { DANGER } else { RIDE });
                ctx.set_line_width(2.0);
                ctx.stroke();
            }
            // Records as dots in rows.
            let (step, r) = if small { (6.0, 2.2) } else { (7.0, 2.6) };
            let area_w = w - 8.0 - if arc { 14.0 } else { 0.0 };
            let area_h = hh - 4.0 - if text_line { 13.0 } else { 0.0 };
            let per_row = ((area_w / step) as usize).max(1);
            let rows = ((area_h / step) as usize).max(1);
            for (j, rec) in b.records.iter().take(per_row * rows).enumerate() {
                let dx = x + 4.0 + r + (j % per_row) as f64 * step;
                let dy = y0 + 2.0 + r + (j / per_row) as f64 * step;
                record_dot(ctx, view, (dx, dy), r, rec.id, rec.key);
            }
            if text_line {
                let s = if i == 1 && queued > 2 {
                    tf(lang, "acc_more", &[("n", &(queued - 1).to_string())])
                } else {
                    tf(
                        lang,
                        "acc_records",
                        &[
                            ("n", &b.records.len().to_string()),
                            ("bytes", &b.size_bytes.to_string()),
                        ],
                    )
                };
                text(ctx, &s, x + 3.0, y0 + hh - 3.0, INK, SMALL);
            }
        }
    }
    if l.shown < l.partitions {
        let y = l.acc_row_y(l.shown) + 11.0;
        let n = (l.partitions - l.shown).to_string();
        text(
            ctx,
            &tf(lang, "partitions_hidden", &[("n", &n)]),
            bx,
            y,
            MUTED,
            FONT,
        );
    }
}

/// The batch that last left partition `part`, in the lane at the end of its row, while it
/// is recent: orange if it was ready, blue dashed if it rode along.
#[allow(clippy::too_many_arguments)]
fn draw_departure(
    ctx: &Ctx,
    sim: &Sim,
    view: &mut View,
    dashes: &Dashes,
    part: u32,
    (lx, y): (f64, f64),
    h: f64,
    lang: Lang,
    text_line: bool,
) {
    let Some(Some(d)) = view.departures.get(part as usize).copied() else {
        return;
    };
    let age = sim.now().since(d.sent_at);
    let window = view.departure_window_us.max(1);
    if age > window {
        return;
    }
    let fade = 1.0 - 0.6 * (age as f64 / window as f64);
    ctx.set_global_alpha(fade);
    let (x, y0, w, hh) = (lx + 4.0, y + 3.0, LANE_W - 8.0, h - 6.0);
    let colour = if d.piggyback { RIDE } else { READY };
    ctx.set_fill_style_str(if d.piggyback { "#eef6ff" } else { "#fff1e5" });
    ctx.fill_rect(x, y0, w, hh);
    dashes.set(ctx, d.piggyback);
    ctx.set_stroke_style_str(colour);
    ctx.set_line_width(1.5);
    ctx.stroke_rect(x + 0.75, y0 + 0.75, w - 1.5, hh - 1.5);
    dashes.set(ctx, false);
    let r = if hh < 18.0 { 2.2 } else { 2.6 };
    let step = r * 2.0 + 2.0;
    let per_row = 8usize;
    let rows = (((hh - 4.0 - if text_line { 12.0 } else { 0.0 }) / step) as usize).max(1);
    let n = (d.records as usize).min(LANE_DOTS).min(per_row * rows);
    for i in 0..n {
        let dx = x + 4.0 + r + (i % per_row) as f64 * step;
        let dy = y0 + 3.0 + r + (i / per_row) as f64 * step;
        record_dot(ctx, view, (dx, dy), r, d.ids[i], d.keys[i]);
    }
    if text_line {
        let label = if d.piggyback {
            t(lang, "lane_piggyback")
        } else {
            t(lang, "lane_ready")
        };
        text(ctx, label, x + 3.0, y0 + hh - 4.0, colour, SMALL);
    }
    ctx.set_global_alpha(1.0);
}

fn draw_consumers(ctx: &Ctx, sim: &Sim, l: &Layout, lang: Lang, view: &mut View) {
    for c in sim.consumers() {
        let y = l.consumer_y(c.index);
        panel(ctx, l.cons_x, y, l.cons_w, l.cons_h, PANEL);
        let Some(g) = sim.groups().get(c.group as usize) else {
            continue;
        };
        let short: String = c.member_id.chars().take(12).collect();
        // A pipeline processor's box says which processor it is and its phase.
        let (title, title_colour) = match crate::pipeline::box_title(sim, c.index, lang) {
            Some(title) => {
                let crashed = crate::pipeline::processor_of_consumer(sim, c.index)
                    .is_some_and(|p| p.phase == ProcessorPhase::Crashed);
                (title, if crashed { DANGER } else { txn::LSO_COLOUR })
            }
            None => (
                format!("{} {} · {}…", g.group_id, t(lang, "consumer"), short),
                INK,
            ),
        };
        // Clear of the leader chip and the heartbeat at the right.
        let chip = if groups::leader_consumer(g) == Some(c.index) {
            72.0
        } else {
            18.0
        };
        let title_w = l.cons_w - 16.0 - chip;
        groups::fit(
            ctx,
            &title,
            l.cons_x + 8.0,
            y + 15.0,
            title_w,
            title_colour,
            BOLD,
        );
        // The member's state as the protocol has it (joining, syncing, out of the group, down).
        let (state_key, colour) = match c.state {
            MemberState::Stable => (None, MUTED),
            MemberState::Joining => (Some("member_joining"), WARN),
            MemberState::Syncing | MemberState::FetchingOffsets => (Some("member_syncing"), WARN),
            MemberState::Unjoined => (Some("member_unjoined"), DANGER),
            MemberState::Stopped => (Some("member_stopped"), DANGER),
        };
        let mut line = format!(
            "{} {} · {} {}",
            t(lang, "generation"),
            c.generation,
            t(lang, "consumed"),
            c.records_consumed
        );
        if let Some(k) = state_key {
            line.push_str(" · ");
            line.push_str(t(lang, k));
        }
        if view.txn.marks.world {
            line.push_str(" · ");
            line.push_str(txn::isolation_tag(sim, c.index));
        }
        text(ctx, &line, l.cons_x + 8.0, y + 31.0, colour, FONT);
        for (i, tp) in c.assignment.iter().enumerate() {
            let ry = y + 40.0 + 18.0 * i as f64;
            if ry + 16.0 > y + l.cons_h {
                break;
            }
            let pos = c.positions.get(tp).copied().unwrap_or(0);
            // Lag to where its fetch ends: the high watermark, or the LSO (read_committed).
            let lag = sim.consumer_fetch_limit(c.index, *tp).saturating_sub(pos);
            if view.partition_selected(tp.topic, tp.partition) {
                ctx.set_fill_style_str("#fff8c5");
                ctx.fill_rect(l.cons_x + 4.0, ry, 160.0, 16.0);
            }
            let waiting = txn::waiting_at_lso(view, sim, c.index, *tp, pos);
            text(
                ctx,
                &format!(
                    "P{} pos {} {} {}{}",
                    tp.partition,
                    pos,
                    t(lang, "lag"),
                    lag,
                    if waiting {
                        t(lang, "txn_waits_lso")
                    } else {
                        ""
                    }
                ),
                l.cons_x + 8.0,
                ry + 12.0,
                INK,
                FONT,
            );
            view.hits.push(
                l.cons_x + 4.0,
                ry,
                160.0,
                16.0,
                Target::Partition {
                    topic: tp.topic,
                    partition: tp.partition,
                    broker: None,
                },
            );
            let w = (lag as f64 * 4.0).min(90.0);
            ctx.set_fill_style_str(if lag > 20 { DANGER } else { "#bf8700" });
            ctx.fill_rect(l.cons_x + 180.0, ry + 4.0, w, 9.0);
        }
        let extra = groups::draw_member_extras(ctx, sim, l, lang, view, c, y);
        draw_lag_chart(ctx, l, lang, c, y, extra);
    }
}

/// The member's lag over the last minute (the core samples it every 100 ms): position lag in
/// orange, committed lag in grey, at the bottom of its box when there is room.
fn draw_lag_chart(
    ctx: &Ctx,
    l: &Layout,
    lang: Lang,
    c: &streamscope_core::consumer::Consumer,
    y: f64,
    extra_rows: usize,
) {
    const CHART_H: f64 = 26.0;
    let (x0, w) = (l.cons_x + 8.0, l.cons_w - 16.0);
    let y0 = y + l.cons_h - CHART_H - 6.0;
    // Only below the partition rows, never over them.
    let rows_end = y + 40.0 + 18.0 * (c.assignment.len() + extra_rows) as f64;
    if y0 - 12.0 < rows_end || c.lag_history.is_empty() {
        return;
    }
    let cap = c.lag_history.capacity().max(2) as f64;
    let peak = c
        .lag_history
        .iter()
        .map(|s| s.lag.max(s.committed_lag))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(x0, y0, w, CHART_H);
    let n = c.lag_history.len() as f64;
    for (series, colour) in [(1usize, "#8c959f"), (0usize, "#bf8700")] {
        ctx.begin_path();
        for (i, s) in c.lag_history.iter().enumerate() {
            let v = if series == 0 { s.lag } else { s.committed_lag } as f64;
            let x = x0 + w * (cap - n + i as f64) / (cap - 1.0);
            let yy = y0 + CHART_H - 2.0 - (CHART_H - 4.0) * v / peak;
            if i == 0 {
                ctx.move_to(x, yy);
            } else {
                ctx.line_to(x, yy);
            }
        }
        ctx.set_stroke_style_str(colour);
        ctx.set_line_width(1.0);
        ctx.stroke();
    }
    text(
        ctx,
        &tf(lang, "lag_chart", &[("max", &(peak as u64).to_string())]),
        x0 + 2.0,
        y0 - 2.0,
        MUTED,
        SMALL,
    );
}

fn first_partition(m: &Message) -> Option<u32> {
    match &m.body {
        Body::Produce { batches, .. } => batches.first().map(|(tp, _)| tp.partition),
        _ => None,
    }
}

/// Batches (or fetched partitions) drawn per message, and dots per batch.
const MSG_GROUPS: usize = 6;
const MSG_DOTS: usize = 8;

fn draw_messages(ctx: &Ctx, sim: &Sim, l: &Layout, view: &mut View, dashes: &Dashes) {
    let now = sim.now().micros() as f64;
    for m in sim.messages() {
        let (x0, y0) = l.anchor(m.from, m.to, first_partition(m));
        let (x1, y1) = l.anchor(m.to, m.from, first_partition(m));
        let span = (m.deliver_at.micros() as f64 - m.sent_at.micros() as f64).max(1.0);
        let f = ((now - m.sent_at.micros() as f64) / span).clamp(0.0, 1.0);
        let (x, y) = (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
        match &m.body {
            Body::Produce { batches, .. } => {
                let groups = batches.len().min(MSG_GROUPS);
                if groups == 0 {
                    dot(ctx, x, y, 2.0, "#afb8c1");
                    continue;
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
            Body::ReplicaFetchResponse { parts } | Body::ConsumerFetchResponse { parts } => {
                let groups = parts.iter().filter(|p| !p.entries.is_empty()).count();
                if groups == 0 {
                    dot(ctx, x, y, 2.0, "#afb8c1");
                    continue;
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
            Body::ProduceResponse { results, .. } => {
                // An acknowledgement: green, or red when a partition's answer is an error.
                let error = results.iter().any(|r| r.error.is_some());
                dot(ctx, x, y, 4.0, if error { DANGER } else { "#1a7f37" });
            }
            _ => match m.body.kind() {
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
                k if txn::is_txn_kind(k) => txn::draw_message(ctx, m, x, y),
                _ => dot(ctx, x, y, 3.0, "#8250df"),
            },
        }
    }
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
            "9px system-ui, sans-serif",
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
            "9px system-ui, sans-serif",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::Config;

    #[test]
    fn hits_prefer_the_nearest_record_then_partitions() {
        let mut h = Hits::default();
        let part = Target::Partition {
            topic: 0,
            partition: 3,
            broker: None,
        };
        h.push(0.0, 0.0, 100.0, 20.0, part);
        h.push(10.0, 10.0, 4.0, 4.0, Target::Record(1));
        h.push(16.0, 10.0, 4.0, 4.0, Target::Record(2));
        assert_eq!(h.find(12.0, 12.0), Some(Target::Record(1)));
        assert_eq!(h.find(18.5, 12.0), Some(Target::Record(2)));
        assert_eq!(h.find(60.0, 5.0), Some(part));
        assert_eq!(h.find(300.0, 300.0), None);
        for i in 0..(MAX_HITS as u64 + 10) {
            h.push(0.0, 0.0, 1.0, 1.0, Target::Record(i));
        }
        assert_eq!(h.items().len(), MAX_HITS);
    }

    #[test]
    fn bytes_for_people() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(32 * 1024), "32 KiB");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(33_554_432), "32 MiB");
    }

    #[test]
    fn layout_keeps_rows_readable_with_many_partitions() {
        let mut c = Config::preset();
        for n in ["6", "12", "48", "1024"] {
            c.set("num.partitions", n).unwrap();
            let sim = Sim::new(c.clone(), 1).unwrap();
            let l = Layout::new(&sim);
            assert_eq!(l.partitions.to_string(), n);
            assert!(l.row_h >= MIN_ROW_H);
            assert!(l.shown <= l.partitions);
            // Every drawn row (and the "+N more" note) is inside the canvas.
            assert!(l.acc_row_y(l.shown) <= HEIGHT - 19.5, "{n}");
            if l.shown < l.partitions {
                assert!(l.acc_row_y(l.shown) + MIN_ROW_H <= HEIGHT - 19.5, "{n}");
            }
        }
    }
}
