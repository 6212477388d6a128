//! Where things are on the canvas for the current world: the producer, accumulator, broker
//! and consumer columns, the accumulator's rows, the brokers' boxes, the consumer column's
//! group panels and member boxes, and the points a message leaves from and arrives at.

use streamscope_core::net::Node;
use streamscope_core::sim::view::Frame;

/// Logical canvas size (scaled by devicePixelRatio by the caller).
pub const WIDTH: f64 = 1280.0;

pub const HEIGHT: f64 = 720.0;

/// Width kept free at the right of a broker's title row for its Crash / Restart button
/// (an HTML button laid over the canvas).
pub const BUTTON_ROOM: f64 = 150.0;

/// Smallest accumulator row; with more partitions than fit, the rest are not drawn.
pub const MIN_ROW_H: f64 = 14.0;

/// The lane at the right end of each accumulator row where departed batches show.
pub const LANE_W: f64 = 80.0;

pub const LABEL_W: f64 = 28.0;

/// A group panel's height when the members keep [`MEMBER_H_ROOMY`], when they keep
/// [`MEMBER_H_MIN`], and the least it shrinks to.
pub const GROUP_H_ROOMY: f64 = 176.0;

pub const MEMBER_H_ROOMY: f64 = 140.0;

pub const GROUP_H: f64 = 128.0;

pub const GROUP_H_MIN: f64 = 44.0;

/// Member boxes keep at least this much before the group panels shrink.
pub const MEMBER_H_MIN: f64 = 70.0;

pub const GAP: f64 = 8.0;

/// Where the group panels and the member boxes go in the consumer column: each group's panel,
/// then its members in index order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Column {
    pub group_h: f64,
    pub cons_h: f64,
    pub group_ys: Vec<f64>,
    pub cons_ys: Vec<f64>,
}

pub fn column(f: &Frame, top: f64, avail: f64) -> Column {
    let groups = f.groups.len();
    let consumers = f.consumers.len();
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
        for c in f.consumers.iter().filter(|c| c.group as usize == g) {
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
    pub col: Column,
    /// Pipeline processors' producers and the consumer box each is drawn with
    /// (producer index, consumer index): their requests start at that box.
    processors: Vec<(u32, u32)>,
}

impl Layout {
    /// The layout of frame `f`'s world.
    pub fn new(f: &Frame) -> Layout {
        let partitions = f.first_topic_partitions;
        let brokers = f.brokers.len().max(1) as u32;
        let consumers = f.consumers.len().max(1) as u32;
        let top = 70.0;
        let avail = HEIGHT - top - 20.0;
        let row_h = (avail / partitions as f64).clamp(MIN_ROW_H, 56.0);
        let col = column(f, top, avail);
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
            processors: f.processors.clone(),
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
    pub fn anchor(&self, node: Node, toward: Node, first_partition: Option<u32>) -> (f64, f64) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::{Change, Config, Sim, SimTime};

    #[test]
    fn layout_keeps_rows_readable_with_many_partitions() {
        let mut c = Config::preset();
        for n in ["6", "12", "48", "1024"] {
            c.set("num.partitions", n).unwrap();
            let sim = Sim::new(c.clone(), 1).unwrap();
            let l = Layout::new(&sim.frame());
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
        let col = column(&sim.frame(), 70.0, 630.0);
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
}
