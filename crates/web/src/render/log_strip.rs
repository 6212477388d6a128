//! A replica row's log as tiles, one per record of the core's log at its offset, in its key's
//! colour: how wide a tile is follows the partition's log (10 units while the offsets from 0
//! to the log end fit the row, then 6, 4, 3 and at least 2 as records pile up: [`tile_step`]),
//! the same for all of a partition's replicas, so their shared offset scale (`txn::Scale`:
//! the LEO, HW and LSO lines, the consumers' positions) stays shared. The tiles are painted
//! through `pixels` (one image per row) and clickable through a `hits::Grid` (a tile's column);
//! control markers are drawn as tiles of their own, records written twice outlined red and the
//! selected record outlined dark.

use super::hits::Grid;
use super::paint::{DANGER, INK};
use super::pixels::key_rgb;
use super::state::View;
use super::txn::{self, Scale};
use streamscope_core::log::{EntryKind, Log};
use streamscope_core::net::TopicPartitionId;
use web_sys::CanvasRenderingContext2d as Ctx;

/// Tile steps (units per offset) and tile widths, largest first.
const STEPS: [(f64, f64); 5] = [LARGE, (6.0, 5.0), (4.0, 3.0), (3.0, 2.0), (2.0, 2.0)];

/// The large tiles' step and width (the "Log tiles: Large" view setting keeps them).
pub(super) const LARGE: (f64, f64) = (10.0, 9.0);

/// The step and tile width for a partition whose largest log end offset is `leo_max`, in a log
/// area `log_w` wide: the largest step at which offsets 0..leo_max fit, else the smallest.
pub(super) fn tile_step(leo_max: u64, log_w: f64) -> (f64, f64) {
    STEPS
        .iter()
        .copied()
        .find(|(step, _)| leo_max as f64 * step <= log_w)
        .unwrap_or(STEPS[STEPS.len() - 1])
}

/// Offsets a log area `log_w` wide shows at `step`.
pub(super) fn offsets_fit(log_w: f64, step: f64) -> u64 {
    (log_w / step) as u64
}

/// One replica row's log: where its tiles go and what they are.
pub(super) struct Strip<'a> {
    pub tp: TopicPartitionId,
    pub broker: u32,
    pub log: &'a Log,
    pub scale: Scale,
    pub tile_w: f64,
    /// The log end offset, and the tiles' top and height.
    pub leo: u64,
    pub y: f64,
    pub th: f64,
    pub log_w: f64,
}

/// Draws the strip's tiles; returns the records written twice outlined and the markers drawn.
pub(super) fn draw_tiles(ctx: &Ctx, view: &mut View, s: &Strip) -> (u32, u32) {
    let from = s.scale.from;
    let (step, tile_w) = (s.scale.step, s.tile_w);
    find_duplicates(view, s.log, from, s.leo);
    let sel = view.selected_record();
    let (mut duplicates_marked, mut markers_drawn) = (0u32, 0u32);
    let th_px = s.th.round().max(1.0) as u32;
    view.pixels.begin(s.log_w.ceil().max(0.0) as u32, th_px);
    let per_row = offsets_fit(s.log_w, step).max(1) as u32;
    let grid = Grid::new((s.scale.x0, s.y), (step, s.th), (tile_w, s.th), per_row);
    view.hits.begin_grid(grid);
    view.dup_xs.clear();
    let mut selected_x = None;
    let mut next = from.min(s.leo);
    for (off, e) in s.log.range(from.min(s.leo), s.leo) {
        // Offsets the log does not hold (before its start) are cells with no record.
        while next < off && next - from < u64::from(per_row) {
            view.hits.cell(None);
            next += 1;
        }
        next = off + 1;
        let x = s.scale.at(off);
        if e.kind != EntryKind::Data {
            view.hits.cell(None);
            let at = (s.tp, off, s.broker);
            txn::draw_marker(ctx, view, &e, at, (x, s.y, tile_w, s.th));
            markers_drawn += 1;
            continue;
        }
        let px = ((off - from) as f64 * step) as u32;
        view.pixels
            .fill((px, 0), (tile_w as u32, th_px), key_rgb(e.key));
        view.hits.cell(Some(e.record_id));
        if view.dup_ids.binary_search(&e.record_id).is_ok() {
            duplicates_marked += 1;
            view.dup_xs.push(x);
        }
        if sel == Some(e.record_id) {
            selected_x = Some(x);
        }
    }
    view.pixels.draw(ctx, s.scale.x0, s.y);
    draw_outlines(ctx, view, s, selected_x);
    (duplicates_marked, markers_drawn)
}

/// Records written twice outlined red (one path), the selected record outlined dark.
fn draw_outlines(ctx: &Ctx, view: &View, s: &Strip, selected_x: Option<f64>) {
    let (y, th, tile_w) = (s.y, s.th, s.tile_w);
    if !view.dup_xs.is_empty() {
        ctx.begin_path();
        for x in &view.dup_xs {
            ctx.rect(x - 0.5, y - 0.5, tile_w + 1.0, th + 1.0);
        }
        ctx.set_stroke_style_str(DANGER);
        ctx.set_line_width(if tile_w >= 5.0 { 2.0 } else { 1.0 });
        ctx.stroke();
    }
    if let Some(x) = selected_x {
        ctx.set_stroke_style_str(INK);
        ctx.set_line_width(2.0);
        ctx.stroke_rect(x - 1.0, y - 1.0, tile_w + 2.0, th + 2.0);
    }
}

/// Fills `view.dup_ids` (sorted) with the record ids that occur more than once among this
/// log's offsets `from..leo` (`Log::range` needs `from <= leo`), reusing the view's buffers (no allocation once warm).
pub(super) fn find_duplicates(view: &mut View, log: &Log, from: u64, leo: u64) {
    view.dup_scratch.clear();
    view.dup_ids.clear();
    for (_, e) in log.range(from.min(leo), leo) {
        if e.kind == EntryKind::Data {
            view.dup_scratch.push(e.record_id);
        }
    }
    view.dup_scratch.sort_unstable();
    for w in view.dup_scratch.windows(2) {
        if w[0] == w[1] && view.dup_ids.last() != Some(&w[0]) {
            view.dup_ids.push(w[0]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_shrink_as_the_log_outgrows_the_row() {
        let w = 192.0;
        assert_eq!(tile_step(0, w), (10.0, 9.0));
        assert_eq!(tile_step(19, w), (10.0, 9.0));
        assert_eq!(tile_step(20, w), (6.0, 5.0));
        assert_eq!(tile_step(48, w), (4.0, 3.0));
        assert_eq!(tile_step(64, w), (3.0, 2.0));
        assert_eq!(tile_step(65, w), (2.0, 2.0));
        assert_eq!(tile_step(10_000_000, w), (2.0, 2.0));
        assert_eq!(offsets_fit(w, 2.0), 96);
        assert_eq!(tile_step(5, 0.0), (2.0, 2.0), "no room: the smallest");
    }

    #[test]
    fn records_written_twice_are_found_and_a_lagging_log_is_safe() {
        use streamscope_core::log::{Log, LogEntry};
        use streamscope_core::SimTime;
        let mut log = Log::new();
        for id in [1u64, 2, 3, 2, 3, 4] {
            log.append(LogEntry {
                record_id: id,
                producer_id: -1,
                producer: 0,
                ordinal: id as u32,
                key: None,
                size_bytes: 10,
                leader_epoch: 0,
                timestamp: SimTime(0),
                kind: EntryKind::Data,
                producer_epoch: -1,
                transactional: false,
            });
        }
        let mut view = View::new();
        find_duplicates(&mut view, &log, 0, 6);
        assert_eq!(view.dup_ids, [2, 3]);
        find_duplicates(&mut view, &log, 4, 6);
        assert!(view.dup_ids.is_empty());
        // The partition's scale can start past this replica's log end (a lagging follower).
        find_duplicates(&mut view, &log, 9, 6);
        assert!(view.dup_ids.is_empty());
    }
}
