//! Where a partition's log entries live: append-only chunks shared by its replicas.
//!
//! Kafka keeps a copy of a partition on every replica's disk; the simulator keeps each entry
//! once per partition. A replica's log ([`Entries`]) is a list of views, each a range of one
//! [`Chunk`] behind an `Rc`. A chunk only ever grows (an entry once written at an index never
//! changes), so a view stays valid whatever another replica does. A replica extends its last
//! view when the chunk already holds the entry it appends at that index (a follower copying
//! its leader, or a replica re-appending what it truncated) or when its view ends at the
//! chunk's end (it writes the next entry); otherwise (it diverged: a new leader epoch after a
//! truncation or an unclean election) it starts a chunk of its own.
//!
//! Simplified: an entry is stored as a fixed 24-byte slot plus a run header (`Run`) shared by
//! consecutive entries with the same batch-level fields (producer id and epoch, producer,
//! leader epoch, kind, transactional flag), like a `RecordBatch` header with its records'
//! deltas (record id and timestamp deltas from the run's first). Entries are decoded by value.

use super::{EntryKind, LogEntry};
use crate::time::SimTime;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::RefCell;

/// Entries per chunk (a chunk's slots grow by doubling up to this, then it is full).
pub const CHUNK_ENTRIES: usize = 1024;

/// The fields consecutive entries of one batch share, and the bases their deltas count from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    producer_id: i64,
    base_record_id: u64,
    base_timestamp_us: u64,
    producer: u32,
    leader_epoch: u32,
    producer_epoch: i16,
    kind: EntryKind,
    transactional: bool,
    has_key: bool,
}

impl Run {
    fn of(e: &LogEntry) -> Run {
        Run {
            producer_id: e.producer_id,
            base_record_id: e.record_id,
            base_timestamp_us: e.timestamp.micros(),
            producer: e.producer,
            leader_epoch: e.leader_epoch,
            producer_epoch: e.producer_epoch,
            kind: e.kind,
            transactional: e.transactional,
            has_key: e.key.is_some(),
        }
    }

    /// The (record id, timestamp) deltas of `e` in this run, if `e` belongs to it.
    fn deltas(&self, e: &LogEntry) -> Option<(u32, u32)> {
        let same = self.producer_id == e.producer_id
            && self.producer == e.producer
            && self.leader_epoch == e.leader_epoch
            && self.producer_epoch == e.producer_epoch
            && self.kind == e.kind
            && self.transactional == e.transactional
            && self.has_key == e.key.is_some();
        if !same {
            return None;
        }
        let rd = e.record_id.checked_sub(self.base_record_id)?;
        let td = e.timestamp.micros().checked_sub(self.base_timestamp_us)?;
        Some((u32::try_from(rd).ok()?, u32::try_from(td).ok()?))
    }
}

/// One entry's own fields.
#[derive(Clone, Copy, Debug)]
struct Slot {
    record_delta: u32,
    timestamp_delta_us: u32,
    ordinal: u32,
    size_bytes: u32,
    key: u32,
    run: u16,
}

#[derive(Debug, Default)]
struct ChunkData {
    slots: Vec<Slot>,
    runs: Vec<Run>,
}

impl ChunkData {
    fn get(&self, i: usize) -> Option<LogEntry> {
        let s = self.slots.get(i)?;
        let r = self.runs.get(s.run as usize)?;
        Some(LogEntry {
            record_id: r.base_record_id + s.record_delta as u64,
            producer_id: r.producer_id,
            producer: r.producer,
            ordinal: s.ordinal,
            key: r.has_key.then_some(s.key),
            size_bytes: s.size_bytes,
            leader_epoch: r.leader_epoch,
            timestamp: SimTime(r.base_timestamp_us + s.timestamp_delta_us as u64),
            kind: r.kind,
            producer_epoch: r.producer_epoch,
            transactional: r.transactional,
        })
    }

    fn push(&mut self, e: &LogEntry) -> bool {
        if self.slots.len() >= CHUNK_ENTRIES {
            return false;
        }
        let fit = self
            .runs
            .len()
            .checked_sub(1)
            .and_then(|i| Some((i, self.runs[i].deltas(e)?)));
        let (run, (record_delta, timestamp_delta_us)) = match fit {
            Some(f) => f,
            None => {
                self.runs.push(Run::of(e));
                (self.runs.len() - 1, (0, 0))
            }
        };
        // At most one run per slot, so at most CHUNK_ENTRIES runs.
        debug_assert!(run < CHUNK_ENTRIES);
        self.slots.push(Slot {
            record_delta,
            timestamp_delta_us,
            ordinal: e.ordinal,
            size_bytes: e.size_bytes,
            key: e.key.unwrap_or(0),
            run: run as u16,
        });
        true
    }

    /// Bytes of the first `n` slots and the runs they use (what a view up to `n` needs;
    /// independent of what other views appended later).
    fn bytes_up_to(&self, n: usize) -> usize {
        let runs = n
            .checked_sub(1)
            .and_then(|i| self.slots.get(i))
            .map_or(0, |s| s.run as usize + 1);
        n * core::mem::size_of::<Slot>() + runs * core::mem::size_of::<Run>()
    }
}

/// Up to [`CHUNK_ENTRIES`] consecutive entries, append-only, shared by the views on it.
#[derive(Default)]
pub struct Chunk {
    data: RefCell<ChunkData>,
}

impl core::fmt::Debug for Chunk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Not its length: entries past a view's end belong to other holders (a clone of the
        // world, a checkpoint), and a world's Debug text is its state.
        f.write_str("Chunk")
    }
}

impl Chunk {
    fn len(&self) -> usize {
        self.data.borrow().slots.len()
    }

    fn get(&self, i: usize) -> Option<LogEntry> {
        self.data.borrow().get(i)
    }

    /// Appends at the chunk's end; `false` when it is full.
    fn push(&self, e: &LogEntry) -> bool {
        self.data.borrow_mut().push(e)
    }

    /// Heap bytes of the chunk's first `n` entries (their slots and runs) and of the `Rc`
    /// allocation.
    fn bytes_up_to(&self, n: usize) -> usize {
        self.data.borrow().bytes_up_to(n) + core::mem::size_of::<Chunk>() + 2 * 8
    }
}

/// Indices `from..to` of a chunk, holding offsets from `base_offset`.
#[derive(Clone, Debug)]
struct View {
    chunk: Rc<Chunk>,
    from: u32,
    to: u32,
    base_offset: u64,
}

impl View {
    fn end(&self) -> u64 {
        self.base_offset + (self.to - self.from) as u64
    }

    fn get(&self, offset: u64) -> Option<LogEntry> {
        self.chunk
            .get(self.from as usize + (offset - self.base_offset) as usize)
    }

    /// Takes `e` as the view's next entry if the chunk holds it there, or writes it there
    /// when the view ends at the chunk's end.
    fn extend_with(&mut self, e: &LogEntry) -> bool {
        let to = self.to as usize;
        let ok = if to < self.chunk.len() {
            self.chunk.get(to).as_ref() == Some(e)
        } else {
            self.chunk.push(e)
        };
        if ok {
            self.to += 1;
        }
        ok
    }

    /// Takes `e` only if the chunk already holds it as the view's next entry.
    fn share(&mut self, e: &LogEntry) -> bool {
        let to = self.to as usize;
        let ok = to < self.chunk.len() && self.chunk.get(to).as_ref() == Some(e);
        if ok {
            self.to += 1;
        }
        ok
    }
}

/// A replica's entries, offsets `start..end`, as views on shared chunks (contiguous, none
/// empty, the first starting at `start`).
#[derive(Clone, Default)]
pub struct Entries {
    views: VecDeque<View>,
    start: u64,
    end: u64,
}

impl Entries {
    #[inline]
    pub fn start(&self) -> u64 {
        self.start
    }

    #[inline]
    pub fn end(&self) -> u64 {
        self.end
    }

    fn view_index(&self, offset: u64) -> Option<usize> {
        if offset < self.start || offset >= self.end {
            return None;
        }
        let last = self.views.len().checked_sub(1)?;
        if self.views[last].base_offset <= offset {
            return Some(last);
        }
        self.views
            .partition_point(|v| v.base_offset <= offset)
            .checked_sub(1)
    }

    pub fn get(&self, offset: u64) -> Option<LogEntry> {
        self.views.get(self.view_index(offset)?)?.get(offset)
    }

    /// Appends `e` at the end.
    pub fn push(&mut self, e: &LogEntry) {
        if !self.views.back_mut().is_some_and(|v| v.extend_with(e)) {
            let chunk = Rc::new(Chunk::default());
            let pushed = chunk.push(e);
            debug_assert!(pushed);
            self.views.push_back(View {
                chunk,
                from: 0,
                to: 1,
                base_offset: self.end,
            });
        }
        self.end += 1;
    }

    /// Appends `e`, copied from `source` (a follower's leader): shares `source`'s chunk
    /// when it holds `e` at this offset.
    pub fn push_copy(&mut self, e: &LogEntry, source: &Entries) {
        if self.views.back_mut().is_some_and(|v| v.share(e)) {
            self.end += 1;
            return;
        }
        let off = self.end;
        if let Some(v) = source.view_index(off).and_then(|i| source.views.get(i)) {
            let i = v.from + (off - v.base_offset) as u32;
            if v.chunk.get(i as usize).as_ref() == Some(e) {
                self.views.push_back(View {
                    chunk: v.chunk.clone(),
                    from: i,
                    to: i + 1,
                    base_offset: off,
                });
                self.end += 1;
                return;
            }
        }
        self.push(e);
    }

    /// Removes every offset at or above `offset` (not below `start`).
    pub fn truncate(&mut self, offset: u64) {
        let offset = offset.max(self.start);
        if offset >= self.end {
            return;
        }
        while self.views.back().is_some_and(|v| v.base_offset >= offset) {
            self.views.pop_back();
        }
        if let Some(v) = self.views.back_mut() {
            v.to = v.from + (offset - v.base_offset) as u32;
        }
        self.end = offset;
    }

    /// Drops the offsets below `offset` (at most the end).
    pub fn advance(&mut self, offset: u64) {
        let offset = offset.min(self.end);
        if offset <= self.start {
            return;
        }
        while self.views.front().is_some_and(|v| v.end() <= offset) {
            self.views.pop_front();
        }
        if let Some(v) = self.views.front_mut() {
            if v.base_offset < offset {
                v.from += (offset - v.base_offset) as u32;
                v.base_offset = offset;
            }
        }
        self.start = offset;
    }

    /// Empty, starting at `offset`.
    pub fn clear_at(&mut self, offset: u64) {
        self.views.clear();
        self.start = offset;
        self.end = offset;
    }

    /// Entries `from..to` (within `start..end`).
    pub fn iter(&self, from: u64, to: u64) -> Iter<'_> {
        let to = to.min(self.end);
        let from = from.max(self.start).min(to.max(self.start));
        let view = self.view_index(from).unwrap_or(self.views.len());
        Iter {
            views: &self.views,
            view,
            offset: from,
            to,
        }
    }

    /// Heap bytes of the view list (by length: a clone's capacity differs), and for each
    /// view the chunk's address (an id, to count a chunk shared by several replicas once)
    /// and the bytes of the chunk's entries up to the view's end.
    pub fn heap_bytes(&self, mut chunk: impl FnMut(usize, usize)) -> usize {
        for v in &self.views {
            chunk(
                Rc::as_ptr(&v.chunk) as usize,
                v.chunk.bytes_up_to(v.to as usize),
            );
        }
        self.views.len() * core::mem::size_of::<View>()
    }
}

/// The entries themselves, not the views: how they are split into chunks depends on which
/// other worlds (clones, checkpoints) shared the chunks, not on the log.
impl core::fmt::Debug for Entries {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Entries")
            .field("start", &self.start)
            .field("end", &self.end)
            .field(
                "entries",
                &DebugList(|| self.iter(self.start, self.end).map(|(_, e)| e)),
            )
            .finish()
    }
}

/// Formats what an iterator yields as a list.
struct DebugList<F>(F);

impl<I: Iterator<Item = LogEntry>, F: Fn() -> I> core::fmt::Debug for DebugList<F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries((self.0)()).finish()
    }
}

impl PartialEq for Entries {
    fn eq(&self, other: &Entries) -> bool {
        self.start == other.start
            && self.end == other.end
            && self
                .iter(self.start, self.end)
                .eq(other.iter(other.start, other.end))
    }
}

impl Eq for Entries {}

/// Iterator over (offset, entry) of [`Entries::iter`].
pub struct Iter<'a> {
    views: &'a VecDeque<View>,
    view: usize,
    offset: u64,
    to: u64,
}

impl Iterator for Iter<'_> {
    type Item = (u64, LogEntry);

    fn next(&mut self) -> Option<(u64, LogEntry)> {
        if self.offset >= self.to {
            return None;
        }
        let mut v = self.views.get(self.view)?;
        while self.offset >= v.end() {
            self.view += 1;
            v = self.views.get(self.view)?;
        }
        let e = v.get(self.offset)?;
        let off = self.offset;
        self.offset += 1;
        Some((off, e))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.to.saturating_sub(self.offset)) as usize;
        (n, Some(n))
    }
}
