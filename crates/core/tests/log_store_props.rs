//! The shared log storage (`log::store`) against the replica-per-copy log it replaced: the
//! same random appends, follower copies, truncations, full truncations, start advances,
//! retention and clones applied to both, for three replicas of one partition; every
//! replica's entries, offsets and segments must agree after every step.

use proptest::prelude::*;
use streamscope_core::log::{EntryKind, Log, LogEntry, Retention, Segment, DEFAULT_SEGMENT_BYTES};
use streamscope_core::SimTime;

/// The log before the shared store, verbatim but for its name (`VecDeque<LogEntry>` per
/// replica).
#[allow(dead_code)]
mod old {
    use super::*;
    use std::collections::VecDeque;
    /// A replica's log.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct OldLog {
        entries: VecDeque<LogEntry>,
        log_start_offset: u64,
        /// Oldest first; never empty: the last one is the active segment.
        segments: VecDeque<Segment>,
        /// `segment.bytes`: the active segment rolls before it would pass this.
        segment_bytes: u64,
    }

    impl Default for OldLog {
        fn default() -> OldLog {
            OldLog::with_segment_bytes(DEFAULT_SEGMENT_BYTES)
        }
    }

    impl OldLog {
        pub fn new() -> OldLog {
            OldLog::default()
        }

        /// An empty log whose segments roll at `segment_bytes`.
        pub fn with_segment_bytes(segment_bytes: u64) -> OldLog {
            let mut segments = VecDeque::new();
            segments.push_back(Segment {
                base_offset: 0,
                bytes: 0,
                largest_timestamp: SimTime::ZERO,
            });
            OldLog {
                entries: VecDeque::new(),
                log_start_offset: 0,
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
            self.log_start_offset
        }

        /// The offset the next append gets.
        #[inline]
        pub fn log_end_offset(&self) -> u64 {
            self.log_start_offset + self.entries.len() as u64
        }

        /// Appends at the log end offset and returns the offset taken.
        pub fn append(&mut self, e: LogEntry) -> u64 {
            let off = self.log_end_offset();
            let seg = self.active_for(e.size_bytes as u64);
            seg.bytes += e.size_bytes as u64;
            seg.largest_timestamp = seg.largest_timestamp.max(e.timestamp);
            self.entries.push_back(e);
            off
        }

        /// The entry at `offset`, if the log holds it.
        pub fn get(&self, offset: u64) -> Option<&LogEntry> {
            let i = offset.checked_sub(self.log_start_offset)?;
            self.entries.get(i as usize)
        }

        /// Entries from `from` (inclusive) to `to` (exclusive), clipped to what the log holds.
        pub fn range(&self, from: u64, to: u64) -> impl Iterator<Item = (u64, &LogEntry)> + '_ {
            // A fetch offset past the log end (a follower ahead of a leader that lost its tail)
            // reads nothing.
            let to = to.min(self.log_end_offset());
            let from = from
                .max(self.log_start_offset)
                .min(to.max(self.log_start_offset));
            let a = (from - self.log_start_offset) as usize;
            let b = to.saturating_sub(self.log_start_offset) as usize;
            self.entries
                .range(a..b.max(a))
                .enumerate()
                .map(move |(i, e)| (from + i as u64, e))
        }

        /// Removes every offset at or above `offset` (a follower truncating to its new leader).
        pub fn truncate_to(&mut self, offset: u64) {
            if offset >= self.log_end_offset() {
                return;
            }
            let offset = offset.max(self.log_start_offset);
            let keep = (offset - self.log_start_offset) as usize;
            self.entries.truncate(keep);
            // Segments past the new end go; the one holding it is recounted.
            while self.segments.len() > 1
                && self
                    .segments
                    .back()
                    .is_some_and(|s| s.base_offset >= offset)
            {
                self.segments.pop_back();
            }
            let start = self.log_start_offset;
            if let Some(last) = self.segments.back().copied() {
                let (mut bytes, mut ts) = (0, SimTime::ZERO);
                let from = last.base_offset.max(start);
                let a = (from - start) as usize;
                for e in self.entries.range(a.min(keep)..keep) {
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
            self.entries.clear();
            self.log_start_offset = offset;
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
            if offset <= self.log_start_offset {
                return;
            }
            let n = (offset - self.log_start_offset) as usize;
            self.entries.drain(..n);
            self.log_start_offset = offset;
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
            let drop = new_start.saturating_sub(self.log_start_offset) as usize;
            self.entries.drain(..drop.min(self.entries.len()));
            self.log_start_offset = self.log_start_offset.max(new_start);
            n as u32
        }

        pub fn len(&self) -> u64 {
            self.entries.len() as u64
        }

        pub fn is_empty(&self) -> bool {
            self.entries.is_empty()
        }
    }
}

use old::OldLog;

#[derive(Clone, Debug)]
enum Op {
    /// Replica appends `n` entries as a leader (under `epoch`).
    Append {
        r: usize,
        n: usize,
        epoch: u32,
    },
    /// Follower `f` copies up to `n` entries from `l` at its log end (a fetch).
    Copy {
        f: usize,
        l: usize,
        n: usize,
    },
    Truncate {
        r: usize,
        back: u64,
    },
    TruncateFully {
        r: usize,
        ahead: u64,
    },
    Advance {
        r: usize,
        ahead: u64,
    },
    Retention {
        r: usize,
        now: u64,
        hw_back: u64,
        ms: Option<u64>,
        bytes: Option<u64>,
    },
    /// Replica `to` becomes a clone of replica `from` (`Sim: Clone` shares chunks).
    Clone {
        from: usize,
        to: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize, 1..80usize, 0..3u32).prop_map(|(r, n, epoch)| Op::Append { r, n, epoch }),
        6 => (0..3usize, 0..3usize, 1..700usize).prop_map(|(f, l, n)| Op::Copy { f, l, n }),
        1 => (0..3usize, 0..40u64).prop_map(|(r, back)| Op::Truncate { r, back }),
        1 => (0..3usize, 0..30u64).prop_map(|(r, ahead)| Op::TruncateFully { r, ahead }),
        1 => (0..3usize, 0..300u64).prop_map(|(r, ahead)| Op::Advance { r, ahead }),
        1 => (0..3usize, 0..2_000_000u64, 0..50u64, prop::option::of(0..1_000_000u64), prop::option::of(0..20_000u64))
            .prop_map(|(r, now, hw_back, ms, bytes)| Op::Retention { r, now, hw_back, ms, bytes }),
        1 => (0..3usize, 0..3usize).prop_map(|(from, to)| Op::Clone { from, to }),
    ]
}

/// The next entry a leader writes: fields drawn so that runs break (producers, keys, kinds)
/// and deltas sometimes do not fit (ids and timestamps going back or jumping past u32).
fn entry(rng: &mut u64, next_id: &mut u64, epoch: u32) -> LogEntry {
    let mut draw = |m: u64| {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        *rng % m
    };
    *next_id += 1 + draw(3);
    let id = match draw(50) {
        0 => *next_id + (1u64 << 33),
        1 => next_id.saturating_sub(10),
        _ => *next_id,
    };
    let producer = draw(2) as u32;
    LogEntry {
        record_id: id,
        producer_id: if producer == 0 { 7 } else { -1 },
        producer,
        ordinal: draw(1_000) as u32,
        key: if draw(4) == 0 {
            None
        } else {
            Some(draw(10) as u32)
        },
        size_bytes: 1 + draw(300) as u32,
        leader_epoch: epoch,
        timestamp: SimTime(match draw(40) {
            0 => id * 1_000 + (1u64 << 40),
            1 => id.saturating_sub(50) * 1_000,
            _ => id * 1_000,
        }),
        kind: match draw(20) {
            0 => EntryKind::ControlCommit,
            1 => EntryKind::ControlAbort,
            _ => EntryKind::Data,
        },
        producer_epoch: draw(2) as i16,
        transactional: draw(5) == 0,
    }
}

fn same(new: &Log, old: &OldLog, probe: &[u64]) -> Result<(), TestCaseError> {
    prop_assert_eq!(new.log_start_offset(), old.log_start_offset());
    prop_assert_eq!(new.log_end_offset(), old.log_end_offset());
    prop_assert_eq!(new.len(), old.len());
    prop_assert_eq!(new.size_bytes(), old.size_bytes());
    let segs: Vec<Segment> = new.segments().copied().collect();
    let old_segs: Vec<Segment> = old.segments().copied().collect();
    prop_assert_eq!(segs, old_segs);
    let a: Vec<(u64, LogEntry)> = new.range(0, u64::MAX).collect();
    let b: Vec<(u64, LogEntry)> = old.range(0, u64::MAX).map(|(o, e)| (o, *e)).collect();
    prop_assert_eq!(a, b);
    for &o in probe {
        prop_assert_eq!(new.get(o), old.get(o).copied());
        let a: Vec<(u64, LogEntry)> = new.range(o, o + 37).collect();
        let b: Vec<(u64, LogEntry)> = old.range(o, o + 37).map(|(o, e)| (o, *e)).collect();
        prop_assert_eq!(a, b);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn shared_store_behaves_like_a_copy_per_replica(
        ops in prop::collection::vec(op(), 1..120),
        seed in 1..u64::MAX,
        segment_bytes in prop::sample::select(vec![500u64, 4_000, 60_000, DEFAULT_SEGMENT_BYTES]),
    ) {
        let mut new: Vec<Log> = (0..3).map(|_| Log::with_segment_bytes(segment_bytes)).collect();
        let mut old: Vec<OldLog> = (0..3).map(|_| OldLog::with_segment_bytes(segment_bytes)).collect();
        let (mut rng, mut next_id) = (seed, 0u64);
        for op in ops {
            match op {
                Op::Append { r, n, epoch } => {
                    for _ in 0..n {
                        let e = entry(&mut rng, &mut next_id, epoch);
                        prop_assert_eq!(new[r].append(e), old[r].append(e));
                    }
                }
                Op::Copy { f, l, n } if f != l => {
                    // As a follower does when its log ends below its leader's log start.
                    let start = old[l].log_start_offset();
                    if start > old[f].log_end_offset() {
                        new[f].truncate_fully_and_start_at(start);
                        old[f].truncate_fully_and_start_at(start);
                    }
                    let from = old[f].log_end_offset();
                    let got: Vec<(u64, LogEntry)> = new[l].range(from, from + n as u64).collect();
                    let (leader, follower) = if f < l {
                        let (a, b) = new.split_at_mut(l);
                        (&b[0], &mut a[f])
                    } else {
                        let (a, b) = new.split_at_mut(f);
                        (&a[l], &mut b[0])
                    };
                    for (off, e) in got {
                        prop_assert_eq!(off, follower.log_end_offset());
                        prop_assert_eq!(follower.append_copy(e, leader), old[f].append(e));
                    }
                }
                Op::Copy { .. } => {}
                Op::Truncate { r, back } => {
                    let to = old[r].log_end_offset().saturating_sub(back);
                    new[r].truncate_to(to);
                    old[r].truncate_to(to);
                }
                Op::TruncateFully { r, ahead } => {
                    let at = old[r].log_end_offset() + ahead;
                    new[r].truncate_fully_and_start_at(at);
                    old[r].truncate_fully_and_start_at(at);
                }
                Op::Advance { r, ahead } => {
                    let to = old[r].log_start_offset() + ahead;
                    new[r].advance_start(to);
                    old[r].advance_start(to);
                }
                Op::Retention { r, now, hw_back, ms, bytes } => {
                    let hw = old[r].log_end_offset().saturating_sub(hw_back);
                    let ret = Retention { retention_us: ms, retention_bytes: bytes };
                    let now = SimTime(next_id * 1_000 + now);
                    prop_assert_eq!(
                        new[r].delete_old_segments(now, hw, ret),
                        old[r].delete_old_segments(now, hw, ret)
                    );
                }
                Op::Clone { from, to } => {
                    new[to] = new[from].clone();
                    old[to] = old[from].clone();
                }
            }
            for r in 0..3 {
                let s = old[r].log_start_offset();
                let e = old[r].log_end_offset();
                let probe = [0, s.saturating_sub(1), s, (s + e) / 2, e.saturating_sub(1), e, e + 1, u64::MAX - 40];
                same(&new[r], &old[r], &probe)?;
            }
            // Logs equal as values exactly when their entries and segments are.
            for (i, j) in [(0, 1), (1, 2), (0, 2)] {
                let old_eq = old[i].log_start_offset() == old[j].log_start_offset()
                    && old[i].range(0, u64::MAX).eq(old[j].range(0, u64::MAX))
                    && old[i].segments().eq(old[j].segments());
                prop_assert_eq!(new[i] == new[j], old_eq);
            }
        }
    }
}

/// Followers that copy their leader share its storage: three replicas in step cost little
/// more than one, and a record costs at most 32 bytes of chunk (24-byte slot, run headers
/// shared by a batch, chunks filled).
#[test]
fn replicas_in_step_share_their_storage() {
    let mut logs: Vec<Log> = (0..3).map(|_| Log::new()).collect();
    let (mut rng, mut next_id) = (42u64, 0u64);
    for round in 0..200 {
        for _ in 0..50 {
            let mut e = entry(&mut rng, &mut next_id, 0);
            // One producer's batches (the run header stays), keys on.
            (e.producer, e.producer_id, e.producer_epoch) = (0, 7, 0);
            (e.kind, e.transactional, e.key) = (EntryKind::Data, false, Some(round % 10));
            e.record_id = next_id;
            e.timestamp = SimTime(next_id * 1_000);
            logs[0].append(e);
        }
        for f in 1..3 {
            let (a, b) = logs.split_at_mut(f);
            let from = b[0].log_end_offset();
            let got: Vec<(u64, LogEntry)> = a[0].range(from, u64::MAX).collect();
            for (_, e) in got {
                b[0].append_copy(e, &a[0]);
            }
        }
    }
    let records = logs[0].len() as usize;
    assert_eq!(records, 10_000);
    let mut chunks = std::collections::BTreeMap::new();
    let own: usize = logs
        .iter()
        .map(|l| {
            l.heap_bytes_shared(|id, bytes| {
                let b = chunks.entry(id).or_insert(0);
                *b = bytes.max(*b);
            })
        })
        .sum();
    let total = own + chunks.values().sum::<usize>();
    assert!(
        total <= 32 * records,
        "{total} bytes for {records} records on three replicas"
    );
    assert!(logs[1].heap_bytes() <= 32 * records);
}
