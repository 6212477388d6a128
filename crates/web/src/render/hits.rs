//! What a click on the canvas can point at: while drawing, the renderer records where each
//! record dot / log tile, control marker and partition label went ([`Hits`], bounded), so a
//! click can be mapped back to a record id, a marker or a partition. Dense tiles (a replica
//! row's log, a queued batch's records) are a [`Grid`] each: its geometry once and a record id
//! per cell, so thousands of tiles cost no box each; a click in a grid picks the cell it is in
//! (a log strip's cell is its tile's column, the row's height).

use super::layout::{HEIGHT, WIDTH};

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

/// Dense tiles laid out in cells: cell `i` is at column `i % per_row`, row `i / per_row`,
/// its tile `tile_w` x `tile_h` at (`x + col * step_x`, `y + row * step_y`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    pub x: f64,
    pub y: f64,
    pub step_x: f64,
    pub step_y: f64,
    pub tile_w: f64,
    pub tile_h: f64,
    pub per_row: u32,
    /// Its cells' record ids: `Hits::ids[start..start + len]`.
    start: u32,
    len: u32,
}

impl Grid {
    /// A grid at (`x`, `y`) with no cell yet.
    pub fn new(
        (x, y): (f64, f64),
        (step_x, step_y): (f64, f64),
        (tile_w, tile_h): (f64, f64),
        per_row: u32,
    ) -> Grid {
        Grid {
            x,
            y,
            step_x,
            step_y,
            tile_w,
            tile_h,
            per_row: per_row.max(1),
            start: 0,
            len: 0,
        }
    }

    /// Cell `i`'s tile (x, y).
    pub fn cell(&self, i: u32) -> (f64, f64) {
        let (col, row) = (i % self.per_row, i / self.per_row);
        (
            self.x + f64::from(col) * self.step_x,
            self.y + f64::from(row) * self.step_y,
        )
    }
}

/// A grid cell without a record (a control marker's column, which has a box of its own).
const NO_RECORD: u64 = u64::MAX;

/// Most grid cells kept per frame (a backstop, as [`MAX_HITS`]).
pub const MAX_GRID_CELLS: usize = 1 << 17;

/// The hit boxes of the last frame. The vectors are reused frame to frame.
#[derive(Debug, Default)]
pub struct Hits {
    items: Vec<Hit>,
    grids: Vec<Grid>,
    ids: Vec<u64>,
    /// Records painted this frame (dots and tiles on the canvas), counted past the caps too.
    records: usize,
}

/// Whether a box shows on the canvas (some of it inside, and not empty).
fn on_canvas(x: f64, y: f64, w: f64, h: f64) -> bool {
    w > 0.0 && h > 0.0 && x + w > 0.0 && x < WIDTH && y + h > 0.0 && y < HEIGHT
}

impl Hits {
    pub fn clear(&mut self) {
        self.items.clear();
        self.grids.clear();
        self.ids.clear();
        self.records = 0;
    }

    pub fn push(&mut self, x: f64, y: f64, w: f64, h: f64, target: Target) {
        let record = matches!(target, Target::Record(_));
        self.records += usize::from(record && on_canvas(x, y, w, h));
        if self.items.len() < MAX_HITS {
            self.items.push(Hit { x, y, w, h, target });
        }
    }

    /// Starts grid `g`: the cells pushed next ([`Hits::cell`]) are its.
    pub fn begin_grid(&mut self, mut g: Grid) {
        g.start = self.ids.len().min(MAX_GRID_CELLS) as u32;
        g.len = 0;
        self.grids.push(g);
    }

    /// The next cell of the last grid begun: a record's tile, or (`None`) a cell left to a
    /// box of its own (a marker). A record is counted as drawn when its tile is on the canvas.
    pub fn cell(&mut self, record: Option<u64>) {
        let Some(g) = self.grids.last_mut() else {
            return;
        };
        if record.is_some() {
            let (x, y) = g.cell(g.len);
            self.records += usize::from(on_canvas(x, y, g.tile_w, g.tile_h));
        }
        if self.ids.len() < MAX_GRID_CELLS {
            self.ids.push(record.unwrap_or(NO_RECORD));
            g.len += 1;
        }
    }

    pub fn items(&self) -> &[Hit] {
        &self.items
    }

    /// Every clickable box of the last frame: the boxes, then each grid's records' tiles.
    pub fn boxes(&self) -> impl Iterator<Item = Hit> + '_ {
        let cells = self.grids.iter().flat_map(move |g| {
            let ids = &self.ids[g.start as usize..(g.start + g.len) as usize];
            ids.iter()
                .enumerate()
                .filter(|(_, id)| **id != NO_RECORD)
                .map(move |(i, id)| {
                    let (x, y) = g.cell(i as u32);
                    Hit {
                        x,
                        y,
                        w: g.tile_w,
                        h: g.tile_h,
                        target: Target::Record(*id),
                    }
                })
        });
        self.items.iter().copied().chain(cells)
    }

    /// The record of the grid cell at (x, y) (give or take [`SLACK`] at a grid's edge), with
    /// the squared distance to its tile's centre.
    fn in_grid(&self, x: f64, y: f64) -> Option<(f64, Target)> {
        let mut best: Option<(f64, Target)> = None;
        for g in self.grids.iter().filter(|g| g.len > 0) {
            let rows = g.len.div_ceil(g.per_row);
            let cols = g.per_row.min(g.len);
            let (w, h) = (
                f64::from(cols - 1) * g.step_x + g.tile_w,
                f64::from(rows - 1) * g.step_y + g.tile_h,
            );
            if x < g.x - SLACK || x > g.x + w + SLACK || y < g.y - SLACK || y > g.y + h + SLACK {
                continue;
            }
            let col = ((x - g.x) / g.step_x)
                .floor()
                .clamp(0.0, f64::from(cols - 1)) as u32;
            let row = ((y - g.y) / g.step_y)
                .floor()
                .clamp(0.0, f64::from(rows - 1)) as u32;
            let i = row * g.per_row + col;
            let Some(&id) = self.ids.get((g.start + i.min(g.len - 1)) as usize) else {
                continue;
            };
            if id == NO_RECORD || i >= g.len {
                continue;
            }
            let (cx, cy) = g.cell(i);
            let d = (cx + g.tile_w / 2.0 - x).powi(2) + (cy + g.tile_h / 2.0 - y).powi(2);
            if best.is_none_or(|(bd, _)| d <= bd) {
                best = Some((d, Target::Record(id)));
            }
        }
        best
    }

    /// How many records the last frame drew (`window.streamscope.drawnRecords()`).
    pub fn records_drawn(&self) -> usize {
        self.records
    }

    /// The record (or marker) nearest to (x, y): one whose box the point is in (give or take
    /// [`SLACK`]) wins over a partition label; otherwise the nearest whose centre is within
    /// [`HIT_RADIUS`] (a record dot is about 5 px: this makes it easy to hit), unless the
    /// point is on a partition label. The one drawn last wins a tie. A grid's cell counts as
    /// a box the point is in.
    pub fn find(&self, x: f64, y: f64) -> Option<Target> {
        let mut inside_best: Option<(f64, Target)> = None;
        let mut near_best: Option<(f64, Target)> = None;
        for h in &self.items {
            if !matches!(h.target, Target::Record(_) | Target::Marker { .. }) {
                continue;
            }
            let (cx, cy) = (h.x + h.w / 2.0, h.y + h.h / 2.0);
            let d = (cx - x).powi(2) + (cy - y).powi(2);
            let inside = x >= h.x - SLACK
                && x <= h.x + h.w + SLACK
                && y >= h.y - SLACK
                && y <= h.y + h.h + SLACK;
            let slot = if inside {
                &mut inside_best
            } else if d <= HIT_RADIUS * HIT_RADIUS {
                &mut near_best
            } else {
                continue;
            };
            if slot.is_none_or(|(bd, _)| d <= bd) {
                *slot = Some((d, h.target));
            }
        }
        if let Some((d, target)) = self.in_grid(x, y) {
            if inside_best.is_none_or(|(bd, _)| d < bd) {
                inside_best = Some((d, target));
            }
        }
        if let Some((_, target)) = inside_best {
            return Some(target);
        }
        let label = self
            .items
            .iter()
            .rev()
            .find(|h| {
                matches!(h.target, Target::Partition { .. })
                    && x >= h.x
                    && x <= h.x + h.w
                    && y >= h.y
                    && y <= h.y + h.h
            })
            .map(|h| h.target);
        label.or(near_best.map(|(_, t)| t))
    }
}

/// How far outside its box a click still picks a record.
pub const SLACK: f64 = 2.5;

/// How far from a record's centre a click picks it (when nothing is closer).
pub const HIT_RADIUS: f64 = 12.0;

#[cfg(test)]
mod tests {
    use super::*;

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
        // 10 px from a dot's centre, outside its box: still that dot (nearest wins).
        let mut d = Hits::default();
        d.push(100.0, 100.0, 5.0, 5.0, Target::Record(7));
        d.push(130.0, 100.0, 5.0, 5.0, Target::Record(8));
        assert_eq!(d.find(112.5, 102.5), Some(Target::Record(7)));
        assert_eq!(d.find(121.0, 102.5), Some(Target::Record(8)));
        assert_eq!(d.find(102.5, 116.0), None, "beyond 12 px");
        for i in 0..(MAX_HITS as u64 + 10) {
            h.push(0.0, 0.0, 1.0, 1.0, Target::Record(i));
        }
        assert_eq!(h.items().len(), MAX_HITS);
    }

    #[test]
    fn a_click_in_a_grid_picks_the_cell_it_is_in() {
        let mut h = Hits::default();
        // A log strip: 2-unit tiles at a 2-unit step, the row 6 high; cell 2 is a marker.
        h.begin_grid(Grid::new((100.0, 50.0), (2.0, 6.0), (2.0, 6.0), 96));
        for c in [Some(10), Some(11), None, Some(13)] {
            h.cell(c);
        }
        let marker = Target::Marker {
            topic: 0,
            partition: 0,
            offset: 2,
            broker: 0,
        };
        h.push(104.0, 50.0, 2.0, 6.0, marker);
        assert_eq!(h.find(100.5, 55.9), Some(Target::Record(10)));
        assert_eq!(h.find(102.1, 51.0), Some(Target::Record(11)));
        assert_eq!(h.find(105.0, 52.0), Some(marker));
        assert_eq!(h.find(107.9, 53.0), Some(Target::Record(13)));
        assert_eq!(
            h.find(109.5, 53.0),
            Some(Target::Record(13)),
            "slack at the end"
        );
        assert_eq!(h.find(120.0, 53.0), None);
        // A batch's records: 3 per row, a 3-unit step, 2-unit tiles.
        h.begin_grid(Grid::new((0.0, 0.0), (3.0, 3.0), (2.0, 2.0), 3));
        for id in 20..27 {
            h.cell(Some(id));
        }
        assert_eq!(h.find(4.0, 4.0), Some(Target::Record(24)));
        assert_eq!(h.find(1.0, 7.0), Some(Target::Record(26)));
        assert_eq!(h.find(4.0, 7.0), None, "past the last cell");
        // Counted as drawn when on the canvas; listed as boxes.
        assert_eq!(h.records_drawn(), 10);
        let boxes: Vec<Hit> = h
            .boxes()
            .filter(|b| b.target == Target::Record(24))
            .collect();
        assert_eq!((boxes[0].x, boxes[0].y, boxes[0].w), (3.0, 3.0, 2.0));
        h.begin_grid(Grid::new((WIDTH + 1.0, 0.0), (2.0, 2.0), (2.0, 2.0), 4));
        h.cell(Some(99));
        h.push(-10.0, 5.0, 5.0, 5.0, Target::Record(98));
        assert_eq!(h.records_drawn(), 10, "off the canvas: not drawn");
    }
}
