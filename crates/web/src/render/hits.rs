//! What a click on the canvas can point at: while drawing, the renderer records where each
//! record dot / log tile, control marker and partition label went ([`Hits`], bounded), so a
//! click can be mapped back to a record id, a marker or a partition.

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
    /// Records drawn this frame (dots and log tiles), counted past [`MAX_HITS`] too.
    records: usize,
}

impl Hits {
    pub fn clear(&mut self) {
        self.items.clear();
        self.records = 0;
    }

    pub fn push(&mut self, x: f64, y: f64, w: f64, h: f64, target: Target) {
        self.records += usize::from(matches!(target, Target::Record(_)));
        if self.items.len() < MAX_HITS {
            self.items.push(Hit { x, y, w, h, target });
        }
    }

    pub fn items(&self) -> &[Hit] {
        &self.items
    }

    /// How many records the last frame drew (`window.streamscope.drawnRecords()`).
    pub fn records_drawn(&self) -> usize {
        self.records
    }

    /// The record (or marker) nearest to (x, y): one whose box the point is in (give or take
    /// [`SLACK`]) wins over a partition label; otherwise the nearest whose centre is within
    /// [`HIT_RADIUS`] (a record dot is about 5 px: this makes it easy to hit), unless the
    /// point is on a partition label. The one drawn last wins a tie.
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
}
