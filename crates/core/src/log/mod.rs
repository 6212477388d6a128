//! A partition replica's log (`kafka.log.UnifiedLog`, simplified): offsets, log start offset,
//! log end offset, segments (`LogSegment`: rolled at `segment.bytes`), retention by time and
//! size (`deleteOldSegments`), and the truncation Kafka performs after an election.
//!
//! Simplified: an entry is one record (or control record) as a small fixed-size value, and a
//! segment is only its base offset, size and largest timestamp. Sizes are the records' sizes
//! (no batch headers), and a segment rolls between records (Kafka rolls between batches, so a
//! batch never straddles two segments; here one may); `segment.ms` rolling and the index
//! files are not modelled. Deleted entries are freed. The entries are kept once per partition
//! and shared by its replicas' logs ([`store`]); entries are read by value.

pub mod store;

use crate::time::SimTime;
use alloc::collections::VecDeque;
use store::Entries;

/// What occupies an offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum EntryKind {
    Data,
    /// A transaction marker: takes an offset, never returned to an application.
    ControlCommit,
    ControlAbort,
}

/// One offset of a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LogEntry {
    /// The simulator's id of the record (unique per run); follows the record everywhere.
    pub record_id: u64,
    /// Producer id that wrote it (-1: none).
    pub producer_id: i64,
    /// The simulator's producer instance that sent it.
    pub producer: u32,
    /// The producer's number for this record within its partition (0, 1, 2, … in first-send
    /// order): what the invariant monitor reads, like a sequence number written in the payload.
    pub ordinal: u32,
    /// Key index (`key-N`), `None` for a null key.
    pub key: Option<u32>,
    /// Size of the record inside its batch, bytes.
    pub size_bytes: u32,
    /// The leader epoch under which it was appended.
    pub leader_epoch: u32,
    /// When the producer created it (CreateTime).
    pub timestamp: SimTime,
    pub kind: EntryKind,
    /// The producer epoch of its batch (-1: none, `RecordBatch.NO_PRODUCER_EPOCH`).
    pub producer_epoch: i16,
    /// Written inside a transaction (the batch's transactional flag; markers too).
    pub transactional: bool,
}

/// `log.segment.bytes`'s default (1 GiB).
pub const DEFAULT_SEGMENT_BYTES: u64 = 1_073_741_824;

/// One segment of a log (`LogSegment`): the offsets from `base_offset` up to the next
/// segment's base (or the log end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub base_offset: u64,
    /// Bytes of the records appended to it.
    pub bytes: u64,
    /// Newest record timestamp in it (`largestTimestamp`; what time retention looks at).
    pub largest_timestamp: SimTime,
}

/// Retention limits for one check (`retention.ms`, `retention.bytes`; `None`: unlimited).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    pub retention_us: Option<u64>,
    pub retention_bytes: Option<u64>,
}

/// A replica's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// Offsets `log_start_offset..log_end_offset`, in chunks shared with the other replicas.
    entries: Entries,
    /// Oldest first; never empty: the last one is the active segment.
    segments: VecDeque<Segment>,
    /// `segment.bytes`: the active segment rolls before it would pass this.
    segment_bytes: u64,
}

impl Default for Log {
    fn default() -> Log {
        Log::with_segment_bytes(DEFAULT_SEGMENT_BYTES)
    }
}

impl Log {
    pub fn new() -> Log {
        Log::default()
    }

    /// An empty log whose segments roll at `segment_bytes`.
    pub fn with_segment_bytes(segment_bytes: u64) -> Log {
        let mut segments = VecDeque::new();
        segments.push_back(Segment {
            base_offset: 0,
            bytes: 0,
            largest_timestamp: SimTime::ZERO,
        });
        Log {
            entries: Entries::default(),
            segments,
            segment_bytes: segment_bytes.max(1),
        }
    }

    /// Changes `segment.bytes` for the segments rolled from now on.
    pub fn set_segment_bytes(&mut self, segment_bytes: u64) {
        self.segment_bytes = segment_bytes.max(1);
    }

    /// The segments, oldest first (the last is the active one).
    pub fn segments(&self) -> impl ExactSizeIterator<Item = &Segment> + '_ {
        self.segments.iter()
    }

    /// Bytes in all segments (`UnifiedLog.size`).
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.bytes).sum()
    }

    /// The active segment: a new one starts at the log end offset when this record would
    /// take a non-empty one past `segment.bytes` (`LogSegment.shouldRoll`).
    fn active_for(&mut self, size: u64) -> &mut Segment {
        let leo = self.log_end_offset();
        let roll = self
            .segments
            .back()
            .is_none_or(|a| a.bytes > 0 && a.bytes + size > self.segment_bytes);
        if roll {
            self.segments.push_back(Segment {
                base_offset: leo,
                bytes: 0,
                largest_timestamp: SimTime::ZERO,
            });
        }
        let last = self.segments.len() - 1;
        &mut self.segments[last]
    }

    /// First offset still in the log.
    #[inline]
    pub fn log_start_offset(&self) -> u64 {
        self.entries.start()
    }

    /// The offset the next append gets.
    #[inline]
    pub fn log_end_offset(&self) -> u64 {
        self.entries.end()
    }

    fn count_in_segment(&mut self, e: &LogEntry) {
        let seg = self.active_for(e.size_bytes as u64);
        seg.bytes += e.size_bytes as u64;
        seg.largest_timestamp = seg.largest_timestamp.max(e.timestamp);
    }

    /// Appends at the log end offset and returns the offset taken.
    pub fn append(&mut self, e: LogEntry) -> u64 {
        let off = self.log_end_offset();
        self.count_in_segment(&e);
        self.entries.push(&e);
        off
    }

    /// Appends `e`, which a follower copied from `leader`'s log, at the log end offset and
    /// returns the offset taken: the same as [`Log::append`], but the entry's storage is
    /// shared with `leader`'s when `leader` holds the same entry at that offset.
    pub fn append_copy(&mut self, e: LogEntry, leader: &Log) -> u64 {
        let off = self.log_end_offset();
        self.count_in_segment(&e);
        self.entries.push_copy(&e, &leader.entries);
        off
    }

    /// The entry at `offset`, if the log holds it.
    pub fn get(&self, offset: u64) -> Option<LogEntry> {
        self.entries.get(offset)
    }

    /// Entries from `from` (inclusive) to `to` (exclusive), clipped to what the log holds.
    /// A fetch offset past the log end (a follower ahead of a leader that lost its tail)
    /// reads nothing.
    pub fn range(&self, from: u64, to: u64) -> store::Iter<'_> {
        self.entries.iter(from, to)
    }

    /// Heap bytes of this log alone: its segments, its views and the entries of the chunks
    /// it uses (though other replicas may share them; see [`Log::heap_bytes_shared`]).
    pub fn heap_bytes(&self) -> usize {
        let mut chunks = alloc::collections::BTreeMap::new();
        let own = self.heap_bytes_shared(|id, bytes| {
            let b = chunks.entry(id).or_insert(0);
            *b = bytes.max(*b);
        });
        own + chunks.values().sum::<usize>()
    }

    /// Heap bytes of this log's segments and views; `chunk(id, bytes)` is told, for each
    /// view, which chunk it uses and the bytes of that chunk's entries up to the view's end
    /// (the caller counts each chunk once, at the most any view needs).
    pub fn heap_bytes_shared(&self, chunk: impl FnMut(usize, usize)) -> usize {
        self.entries.heap_bytes(chunk) + self.segments.len() * core::mem::size_of::<Segment>()
    }

    /// Removes every offset at or above `offset` (a follower truncating to its new leader).
    pub fn truncate_to(&mut self, offset: u64) {
        if offset >= self.log_end_offset() {
            return;
        }
        let offset = offset.max(self.log_start_offset());
        self.entries.truncate(offset);
        // Segments past the new end go; the one holding it is recounted.
        while self.segments.len() > 1
            && self
                .segments
                .back()
                .is_some_and(|s| s.base_offset >= offset)
        {
            self.segments.pop_back();
        }
        if let Some(last) = self.segments.back().copied() {
            let (mut bytes, mut ts) = (0, SimTime::ZERO);
            for (_, e) in self.entries.iter(last.base_offset, offset) {
                bytes += e.size_bytes as u64;
                ts = ts.max(e.timestamp);
            }
            if let Some(l) = self.segments.back_mut() {
                l.bytes = bytes;
                l.largest_timestamp = ts;
                l.base_offset = l.base_offset.min(offset);
            }
        }
    }

    /// Empties the log and starts it at `offset` (`truncateFullyAndStartAt`: a follower
    /// whose log ends below its leader's log start).
    pub fn truncate_fully_and_start_at(&mut self, offset: u64) {
        self.entries.clear_at(offset);
        self.segments.clear();
        self.segments.push_back(Segment {
            base_offset: offset,
            bytes: 0,
            largest_timestamp: SimTime::ZERO,
        });
    }

    /// Moves the log start offset forward to `offset` (at most the log end offset): the
    /// entries below it are freed, and the segments wholly below it are deleted
    /// (`deleteLogStartOffsetBreachedSegments`).
    pub fn advance_start(&mut self, offset: u64) {
        let offset = offset.min(self.log_end_offset());
        if offset <= self.log_start_offset() {
            return;
        }
        self.entries.advance(offset);
        while self.segments.len() > 1
            && self
                .segments
                .get(1)
                .is_some_and(|s| s.base_offset <= offset)
        {
            self.segments.pop_front();
        }
    }

    /// `UnifiedLog.deleteOldSegments` at time `now` below high watermark `hw`: first the
    /// segments that put the log over `retention.bytes` (oldest first, each only while the
    /// log stays at or above the limit without it), then those whose newest record is older
    /// than `retention.ms`. A segment goes only when all of it is below the high watermark;
    /// the active segment too (a new empty one is rolled first). Returns how many segments
    /// were deleted; the log start offset moves to the first remaining one.
    pub fn delete_old_segments(&mut self, now: SimTime, hw: u64, r: Retention) -> u32 {
        let mut deleted = 0;
        if let Some(limit) = r.retention_bytes {
            let size = self.size_bytes();
            if size >= limit {
                let mut diff = size - limit;
                deleted += self.delete_while(hw, |s| {
                    if diff >= s.bytes {
                        diff -= s.bytes;
                        true
                    } else {
                        false
                    }
                });
            }
        }
        if let Some(ms) = r.retention_us {
            let now = now.micros();
            deleted += self.delete_while(hw, |s| {
                now.saturating_sub(s.largest_timestamp.micros()) > ms
            });
        }
        deleted
    }

    /// `deletableSegments` + `deleteSegments`: deletes segments from the oldest while
    /// `pred` holds and they lie wholly below `hw` (never a last segment that is empty).
    fn delete_while(&mut self, hw: u64, mut pred: impl FnMut(&Segment) -> bool) -> u32 {
        let leo = self.log_end_offset();
        let mut n = 0;
        while let Some(seg) = self.segments.get(n) {
            let next = self.segments.get(n + 1);
            let upper = next.map_or(leo, |s| s.base_offset);
            let last_and_empty = next.is_none() && seg.bytes == 0;
            if hw >= upper && !last_and_empty && pred(seg) {
                n += 1;
            } else {
                break;
            }
        }
        if n == 0 {
            return 0;
        }
        if n == self.segments.len() {
            // Every segment goes: roll an empty active one at the log end first.
            self.segments.push_back(Segment {
                base_offset: leo,
                bytes: 0,
                largest_timestamp: SimTime::ZERO,
            });
        }
        let new_start = self.segments.get(n).map_or(leo, |s| s.base_offset);
        self.segments.drain(..n);
        if new_start > self.entries.end() {
            self.entries.clear_at(new_start);
        } else {
            self.entries.advance(new_start);
        }
        n as u32
    }

    pub fn len(&self) -> u64 {
        self.entries.end() - self.entries.start()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(id: u64) -> LogEntry {
        LogEntry {
            record_id: id,
            producer_id: 1,
            producer: 0,
            ordinal: id as u32,
            key: None,
            size_bytes: 10,
            leader_epoch: 0,
            timestamp: SimTime(0),
            kind: EntryKind::Data,
            producer_epoch: -1,
            transactional: false,
        }
    }

    #[test]
    fn offsets_truncate_and_retention() {
        let mut l = Log::new();
        for i in 0..10 {
            assert_eq!(l.append(e(i)), i);
        }
        l.advance_start(3);
        assert_eq!(l.log_start_offset(), 3);
        assert_eq!(l.get(2), None);
        assert_eq!(l.get(3).map(|x| x.record_id), Some(3));
        l.truncate_to(7);
        assert_eq!(l.log_end_offset(), 7);
        let ids: alloc::vec::Vec<u64> = l
            .range(0, 100)
            .map(|(o, x)| o * 100 + x.record_id)
            .collect();
        assert_eq!(ids, [303, 404, 505, 606]);
        assert_eq!(l.append(e(99)), 7);
    }

    fn at(id: u64, t: u64) -> LogEntry {
        LogEntry {
            timestamp: SimTime(t),
            ..e(id)
        }
    }

    #[test]
    fn segments_roll_at_segment_bytes() {
        // 10-byte records, 35-byte segments: 3 records each.
        let mut l = Log::with_segment_bytes(35);
        for i in 0..10 {
            l.append(at(i, i * 1000));
        }
        let bases: alloc::vec::Vec<u64> = l.segments().map(|s| s.base_offset).collect();
        assert_eq!(bases, [0, 3, 6, 9]);
        assert_eq!(l.size_bytes(), 100);
        assert_eq!(
            l.segments().nth(1).map(|s| s.largest_timestamp),
            Some(SimTime(5000))
        );
        // Truncating into the third segment drops the fourth and recounts the third.
        l.truncate_to(7);
        let segs: alloc::vec::Vec<(u64, u64)> =
            l.segments().map(|s| (s.base_offset, s.bytes)).collect();
        assert_eq!(segs, [(0, 30), (3, 30), (6, 10)]);
        assert_eq!(l.append(at(50, 50_000)), 7);
        assert_eq!(l.segments().len(), 3);
    }

    #[test]
    fn retention_deletes_whole_segments_below_the_high_watermark() {
        let mut l = Log::with_segment_bytes(35);
        for i in 0..10 {
            l.append(at(i, i * 1000));
        }
        let time = |ms| Retention {
            retention_us: Some(ms),
            retention_bytes: None,
        };
        // Records 0..=2 are older than 6.5 ms at t=9 ms; 3..=5 are not (5 ms is 4 ms old).
        assert_eq!(l.delete_old_segments(SimTime(9_000), 10, time(6_500)), 1);
        assert_eq!(l.log_start_offset(), 3);
        assert_eq!(l.get(2), None);
        // Old enough, but the high watermark (5) has not passed the segment [3, 6).
        assert_eq!(l.delete_old_segments(SimTime(100_000), 5, time(1)), 0);
        // Size: 70 bytes, limit 35: segments go while the rest stays at or above 35.
        let size = Retention {
            retention_us: None,
            retention_bytes: Some(35),
        };
        assert_eq!(l.delete_old_segments(SimTime(0), 10, size), 1);
        assert_eq!((l.log_start_offset(), l.size_bytes()), (6, 40));
        // Everything old, everything below the HW: the active segment goes too, an empty
        // one is rolled at the log end.
        assert_eq!(l.delete_old_segments(SimTime(100_000), 10, time(1)), 2);
        assert_eq!(
            (l.log_start_offset(), l.log_end_offset(), l.len()),
            (10, 10, 0)
        );
        assert_eq!(l.segments().len(), 1);
        assert_eq!(l.append(at(10, 0)), 10);
    }
}
