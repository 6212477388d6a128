//! What the page's inspector shows about one record, and the key -> partition calculator:
//! everything computed here, so the page only formats it.
//!
//! The simulator keeps the details of the last [`RECENT_RECORDS`] records sent (a bounded
//! journal, so memory stays flat); older records are still in the logs as ids and sizes.

use crate::librdkafka;
use crate::murmur2::murmur2;
use crate::producer::accumulator::RecordMeta;
use crate::producer::partitioner::PartitionReason;
use crate::producer::record::{key_bytes, key_text, Serializer};
use alloc::string::String;
use alloc::vec::Vec;

/// How many records' details the journal keeps.
pub const RECENT_RECORDS: usize = 8192;

/// One record as the inspector shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RecordInfo {
    pub record_id: u64,
    pub producer: u32,
    pub topic: String,
    /// The key as the application wrote it (`None`: a null key).
    pub key: Option<String>,
    pub key_serializer: Serializer,
    pub key_bytes_hex: Option<String>,
    pub value_serializer: Serializer,
    pub value_len: u32,
    pub headers: Vec<(String, u32)>,
    /// CreateTime, simulated microseconds.
    pub timestamp_us: u64,
    /// Size inside its batch (`DefaultRecord.sizeInBytes`).
    pub size_bytes: u32,
    pub partition: u32,
    pub batch_id: u64,
    pub reason: PartitionReason,
    /// How its `send()` ended so far (offset, or Kafka's error name).
    pub outcome: RecordOutcome,
}

/// How a record's `send()` ended (its callback), so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "state", rename_all = "snake_case"))]
pub enum RecordOutcome {
    /// Queued or in flight.
    Pending,
    /// Acknowledged; `offset` is -1 with acks=0 (no response tells it).
    Acknowledged { offset: i64 },
    /// Failed with Kafka's error or exception name.
    Failed { error: &'static str },
}

/// What the journal keeps per record: small and `Copy`; text is made only on lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JournalEntry {
    pub rec: RecordMeta,
    pub producer: u32,
    pub partition: u32,
    pub batch_id: u64,
    pub reason: PartitionReason,
    pub outcome: RecordOutcome,
}

/// The bounded journal of recent records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordJournal {
    entries: crate::shared_ring::SharedRing<JournalEntry>,
}

impl Default for RecordJournal {
    fn default() -> RecordJournal {
        RecordJournal {
            entries: crate::shared_ring::SharedRing::new(RECENT_RECORDS),
        }
    }
}

impl RecordJournal {
    /// Heap bytes the journal's entries take (at most `RECENT_RECORDS` of them).
    pub fn heap_bytes(&self) -> usize {
        self.entries.heap_bytes()
    }

    /// The journal's own heap bytes and its shared chunks (see `SharedRing::shared_bytes`).
    pub fn shared_bytes(&self, chunk: impl FnMut(usize, usize)) -> usize {
        self.entries.shared_bytes(chunk)
    }

    pub fn push(&mut self, e: JournalEntry) {
        self.entries.push(e);
    }

    /// Where `record_id` is, if it is still in the journal: ids increase and are usually
    /// consecutive, so the first guess is its distance from the oldest; else a search.
    fn position(&self, record_id: u64) -> Option<usize> {
        let first = self.entries.get(0)?.rec.id;
        let guess = usize::try_from(record_id.checked_sub(first)?).ok()?;
        if self
            .entries
            .get(guess)
            .is_some_and(|e| e.rec.id == record_id)
        {
            return Some(guess);
        }
        self.entries.binary_search_by_key(&record_id, |e| e.rec.id)
    }

    /// Records how `record_id`'s send ended, if it is still in the journal.
    pub fn set_outcome(&mut self, record_id: u64, outcome: RecordOutcome) {
        let Some(i) = self.position(record_id) else {
            return;
        };
        // Only a real change writes (a write into a shared chunk copies it).
        if self.entries.get(i).is_some_and(|e| e.outcome != outcome) {
            if let Some(e) = self.entries.get_mut(i) {
                e.outcome = outcome;
            }
        }
    }

    /// The entry of `record_id` if it is recent enough (ids increase, so this is a search).
    pub fn get(&self, record_id: u64) -> Option<&JournalEntry> {
        let i = self.position(record_id)?;
        self.entries.get(i)
    }
}

/// The inspector's view of a journal entry.
pub fn record_info(
    e: &JournalEntry,
    topic: &str,
    key_ser: Serializer,
    value_ser: Serializer,
) -> RecordInfo {
    let JournalEntry {
        rec,
        producer,
        partition,
        batch_id,
        reason,
        outcome,
    } = *e;
    let mut kb = [0u8; 24];
    RecordInfo {
        record_id: rec.id,
        producer,
        topic: String::from(topic),
        key: rec.key.map(|k| key_text(key_ser, k)),
        key_serializer: key_ser,
        key_bytes_hex: rec.key.map(|k| hex(key_bytes(key_ser, k, &mut kb))),
        value_serializer: value_ser,
        value_len: rec.value_len,
        headers: (0..rec.headers.count)
            .map(|i| (alloc::format!("h{i}"), rec.headers.value_len as u32))
            .collect(),
        timestamp_us: rec.created_at.micros(),
        size_bytes: rec.size_bytes,
        partition,
        batch_id,
        reason,
        outcome,
    }
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push_str(&alloc::format!("{x:02x}"));
    }
    s
}

/// Where one key goes, by client.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct KeyPlacement {
    /// Kafka's Java client (and librdkafka's `murmur2_random`): murmur2.
    pub murmur2: i32,
    pub java_partition: u32,
    /// librdkafka's default `consistent_random`: CRC-32 of the key; `None` for an empty
    /// key, which librdkafka sends to a random partition.
    pub crc32: u32,
    pub librdkafka_partition: Option<u32>,
}

/// The key -> partition calculator: the Java client's partition and librdkafka's default's.
pub fn place_key(key: &[u8], partitions: u32) -> KeyPlacement {
    let partitions = partitions.max(1);
    let h = murmur2(key);
    let librdkafka_partition = match librdkafka::consistent_random(Some(key), partitions) {
        librdkafka::Partitioning::Partition(p) => Some(p),
        librdkafka::Partitioning::Random => None,
    };
    KeyPlacement {
        murmur2: h,
        java_partition: ((h & 0x7fff_ffff) as u32) % partitions,
        crc32: librdkafka::crc32(key),
        librdkafka_partition,
    }
}

/// Which of keys `key-0 .. key-(keys-1)` land elsewhere when a topic goes from `old` to `new`
/// partitions: (key number, old partition, new partition).
pub fn remapped_keys(ser: Serializer, keys: u32, old: u32, new: u32) -> Vec<(u32, u32, u32)> {
    let mut out = Vec::new();
    let mut kb = [0u8; 24];
    for k in 0..keys {
        let h = (murmur2(key_bytes(ser, k, &mut kb)) & 0x7fff_ffff) as u32;
        let (a, b) = (h % old.max(1), h % new.max(1));
        if a != b {
            out.push((k, a, b));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calculator_matches_known_values() {
        let p = place_key(b"user-42", 6);
        assert_eq!((p.murmur2, p.java_partition), (1459644460, 4));
        assert_eq!(p.crc32, librdkafka::crc32(b"user-42"));
        assert_eq!(p.librdkafka_partition, Some(p.crc32 % 6));
        assert_eq!(place_key(b"", 6).librdkafka_partition, None);
        assert_eq!(
            place_key(b"", 6).java_partition,
            (275646681u32 & 0x7fff_ffff) % 6
        );
    }

    #[test]
    fn remap_lists_only_moved_keys() {
        let moved = remapped_keys(Serializer::String, 100, 6, 6);
        assert!(moved.is_empty());
        let moved = remapped_keys(Serializer::String, 100, 6, 12);
        assert!(!moved.is_empty() && moved.len() < 100);
        for (_, a, b) in moved {
            assert_ne!(a, b);
        }
    }
}
