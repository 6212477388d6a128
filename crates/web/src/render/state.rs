//! What the renderer keeps between frames ([`View`]): the hit boxes of the last frame, the
//! selection to highlight, the recent departures of batches from the accumulator, the marks
//! of the last frame (for the test hook), the core frame's vectors for the next frame, the
//! rebalance observer, the parts a drain found stuck, what the event log's clicked line names
//! and the nodes' boxes. Never part of the simulation.

use super::hits::{Hits, Target};
use super::marks::{GroupMark, ReplicaMark, TxnFrame};
use super::paint::{dot, key_colour, ring};
use super::pixels::Pixels;
use crate::rebalance::Observer;
use streamscope_core::net::{Body, Node};
use streamscope_core::sim::view::event_words::Subjects;
use streamscope_core::sim::view::{Frame, FrameBuffers};
use streamscope_core::SimTime;
use web_sys::CanvasRenderingContext2d as Ctx;

/// Most records of a departed batch its row's lane can show (as tiles: `accumulator`).
pub const LANE_RECORDS: usize = 1024;

/// The last batch seen leaving a partition's queue in a produce request.
#[derive(Clone, Debug, PartialEq)]
pub struct Departure {
    pub batch_id: u64,
    pub sent_at: SimTime,
    pub piggyback: bool,
    pub records: u32,
    /// Its size on the wire (compressed) and uncompressed, from the core's batch.
    pub wire_bytes: u32,
    pub uncompressed_bytes: u32,
    /// Its first records (at most [`LANE_RECORDS`]): id and key.
    pub recs: Vec<(u64, Option<u32>)>,
}

/// A node's box on the canvas (a click on it filters the event log to it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NodeBox {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub node: Node,
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
    pub departures: Vec<Option<Departure>>,
    /// The replica rows drawn in the last frame (for the test hook), reused frame to frame.
    pub replicas: Vec<ReplicaMark>,
    /// Buffers for finding records written twice in a log (reused, so no per-frame
    /// allocation once warm).
    pub dup_scratch: Vec<u64>,
    pub dup_ids: Vec<u64>,
    /// Where the records written twice of the row being drawn are (reused).
    pub dup_xs: Vec<f64>,
    /// The dense tiles' buffer and offscreen canvas (`render::pixels`).
    pub pixels: Pixels,
    /// The "Log tiles" view setting: always 10-unit log tiles (else they shrink as a log
    /// grows, `render::log_strip`).
    pub large_tiles: bool,
    /// The last frame's vectors, filled again by the next (no allocation once warm).
    pub frame_buffers: FrameBuffers,
    /// What this frame drew of transactions (`render::txn`).
    pub txn: TxnFrame,
    /// The group panels drawn in the last frame (for the test hook).
    pub groups: Vec<GroupMark>,
    /// The groups' rebalance phases and the members' heartbeats, read from the trace.
    pub rebalance: Observer,
    /// The liveness monitor's keys of the parts a drain found stuck ("partition orders-0",
    /// "group ctp"), outlined red (set by `crate::liveness`).
    pub stuck: Vec<String>,
    /// What the event log's clicked line names, outlined (`render::outline`).
    pub highlight: Option<Subjects>,
    /// What the open guided scenario's step talks about, outlined (`crate::guide`).
    pub guide: Vec<Subjects>,
    /// The nodes' boxes in the last frame.
    pub nodes: Vec<NodeBox>,
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
            dup_xs: Vec::new(),
            pixels: Pixels::default(),
            large_tiles: false,
            frame_buffers: FrameBuffers::default(),
            txn: TxnFrame::default(),
            groups: Vec::new(),
            rebalance: Observer::default(),
            stuck: Vec::new(),
            highlight: None,
            guide: Vec::new(),
            nodes: Vec::new(),
        }
    }

    /// The node whose box holds (x, y), if any.
    pub fn node_at(&self, x: f64, y: f64) -> Option<Node> {
        self.nodes
            .iter()
            .rev()
            .find(|n| x >= n.x && x <= n.x + n.w && y >= n.y && y <= n.y + n.h)
            .map(|n| n.node)
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
        self.highlight = None;
        self.nodes.clear();
    }

    pub fn selected_record(&self) -> Option<u64> {
        match self.selected {
            Some(Target::Record(id)) => Some(id),
            _ => None,
        }
    }

    pub fn partition_selected(&self, topic: u32, partition: u32) -> bool {
        matches!(self.selected, Some(Target::Partition { topic: t, partition: p, .. }) if t == topic && p == partition)
    }

    /// Notes the batches of produce requests now in flight.
    pub fn observe(&mut self, f: &Frame, partitions: u32) {
        let now = f.now;
        if self.departures.iter().flatten().any(|d| d.sent_at > now) {
            // Time went back: a new simulation.
            self.departures.clear();
        }
        self.departures.resize(partitions as usize, None);
        for m in &f.messages {
            let Body::Produce { batches, .. } = &m.body else {
                continue;
            };
            for (_, b) in batches {
                let Some(slot) = self.departures.get_mut(b.partition as usize) else {
                    continue;
                };
                let newer = slot.as_ref().is_none_or(|d| {
                    d.batch_id != b.id && (m.sent_at, b.id) > (d.sent_at, d.batch_id)
                });
                if !newer {
                    continue;
                }
                let recs = b
                    .records
                    .iter()
                    .take(LANE_RECORDS)
                    .map(|r| (r.id, r.key))
                    .collect();
                *slot = Some(Departure {
                    batch_id: b.id,
                    sent_at: m.sent_at,
                    piggyback: b.rode_along,
                    records: b.records.len() as u32,
                    wire_bytes: b.wire_size(),
                    uncompressed_bytes: b.uncompressed_size(),
                    recs,
                });
            }
        }
    }
}

/// A record dot that can be clicked (and is ringed when selected).
pub fn record_dot(
    ctx: &Ctx,
    view: &mut View,
    (x, y): (f64, f64),
    r: f64,
    id: u64,
    key: Option<u32>,
) {
    dot(ctx, x, y, r, key_colour(key));
    view.hits
        .push(x - r, y - r, r * 2.0, r * 2.0, Target::Record(id));
    if view.selected_record() == Some(id) {
        ring(ctx, x, y, r + 2.0);
    }
}
