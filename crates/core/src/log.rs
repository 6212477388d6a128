//! A partition replica's log (`kafka.log.UnifiedLog`, simplified): offsets, log start offset,
//! log end offset, and the truncation Kafka performs after an election.
//!
//! Simplified: no segment files; an entry is one record (or control record) as a small
//! fixed-size value. The log is built for what comes next: `truncate_to` (unclean election),
//! a moving log start (`advance_start`, retention), control records ([`EntryKind`]).

use crate::time::SimTime;
use alloc::collections::VecDeque;

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
}

/// A replica's log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Log {
    entries: VecDeque<LogEntry>,
    log_start_offset: u64,
}

impl Log {
    pub fn new() -> Log {
        Log::default()
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
        let keep = offset.saturating_sub(self.log_start_offset) as usize;
        self.entries.truncate(keep);
    }

    /// Deletes offsets below `offset` (retention): the log start offset moves forward.
    pub fn advance_start(&mut self, offset: u64) {
        let offset = offset.min(self.log_end_offset());
        while self.log_start_offset < offset {
            self.entries.pop_front();
            self.log_start_offset += 1;
        }
    }

    pub fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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
}
