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
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// How many records' details the journal keeps.
pub const RECENT_RECORDS: usize = 8192;

/// And per partition, the last this many sent to it, however long ago: the records at the
/// end of a partition's log, which the page draws, stay resolvable.
pub const RECENT_PER_PARTITION: usize = 512;

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
    /// The batch's number among its producer instance's batches (0, 1, 2, ...).
    pub batch_number: u32,
    /// Its producer instance's producer id (-1: none, neither idempotent nor transactional).
    pub producer_id: i64,
    /// Its batch's producer epoch and its sequence number, once the batch was sent (`None`
    /// without a producer id, or not sent yet).
    pub producer_epoch: Option<i16>,
    pub sequence: Option<i32>,
    /// compression.type of its batch, and the batch's size on the wire and uncompressed
    /// once it was sent (closed and compressed).
    pub codec: &'static str,
    pub batch_wire_bytes: Option<u32>,
    pub batch_uncompressed_bytes: Option<u32>,
    /// The value's bytes as text (UTF-8, at most [`VALUE_PREVIEW`] characters, then `…`) or
    /// as hex pairs when they are not text; `value_is_text` says which.
    pub value_preview: String,
    pub value_is_text: bool,
    /// Each header's value as text (the simulated application's `h0`, `h1`, ... values).
    pub header_values: Vec<String>,
}

/// Characters of a value the inspector shows.
pub const VALUE_PREVIEW: usize = 160;

/// What the journal learns when a record's batch is sent (drained, closed, compressed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentBatch {
    pub producer_epoch: i16,
    /// The record's own sequence number (the batch's base plus its place).
    pub sequence: Option<i32>,
    pub wire_bytes: u32,
    pub uncompressed_bytes: u32,
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
    /// The topic (index) and partition it went to (`u32::MAX`: none, failed before).
    pub topic: u32,
    pub partition: u32,
    pub batch_id: u64,
    pub reason: PartitionReason,
    pub outcome: RecordOutcome,
    /// Set when its batch is sent.
    pub sent: Option<SentBatch>,
}

/// The bounded journal of recent records: the last [`RECENT_RECORDS`] sent, and the last
/// [`RECENT_PER_PARTITION`] of every partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordJournal {
    entries: crate::shared_ring::SharedRing<JournalEntry>,
    /// Per (topic, partition): its last records, however long ago.
    tails: BTreeMap<(u32, u32), crate::shared_ring::SharedRing<JournalEntry>>,
}

impl Default for RecordJournal {
    fn default() -> RecordJournal {
        RecordJournal {
            entries: crate::shared_ring::SharedRing::new(RECENT_RECORDS),
            tails: BTreeMap::new(),
        }
    }
}

/// Where `record_id` is in `ring` (ids increase): the first guess is its distance from the
/// oldest; else a search.
fn position_in(
    ring: &crate::shared_ring::SharedRing<JournalEntry>,
    record_id: u64,
) -> Option<usize> {
    let first = ring.get(0)?.rec.id;
    let guess = usize::try_from(record_id.checked_sub(first)?).ok()?;
    if ring.get(guess).is_some_and(|e| e.rec.id == record_id) {
        return Some(guess);
    }
    ring.binary_search_by_key(&record_id, |e| e.rec.id)
}

/// Writes `change` into `record_id`'s entry of `ring` if it changes it (a write into a
/// shared chunk copies it).
fn update_in(
    ring: &mut crate::shared_ring::SharedRing<JournalEntry>,
    record_id: u64,
    change: impl Fn(&mut JournalEntry),
) {
    let Some(i) = position_in(ring, record_id) else {
        return;
    };
    let Some(e) = ring.get(i) else {
        return;
    };
    let mut new = *e;
    change(&mut new);
    if new != *e {
        if let Some(e) = ring.get_mut(i) {
            *e = new;
        }
    }
}

impl RecordJournal {
    /// Heap bytes the journal's entries take (at most `RECENT_RECORDS` of them).
    pub fn heap_bytes(&self) -> usize {
        self.entries.heap_bytes() + self.tails.values().map(|t| t.heap_bytes()).sum::<usize>()
    }

    /// The journal's own heap bytes and its shared chunks (see `SharedRing::shared_bytes`).
    pub fn shared_bytes(&self, mut chunk: impl FnMut(usize, usize)) -> usize {
        let own = self.entries.shared_bytes(&mut chunk);
        own + self
            .tails
            .values()
            .map(|t| t.shared_bytes(&mut chunk))
            .sum::<usize>()
    }

    pub fn push(&mut self, e: JournalEntry) {
        if e.partition != u32::MAX {
            self.tails
                .entry((e.topic, e.partition))
                .or_insert_with(|| crate::shared_ring::SharedRing::new(RECENT_PER_PARTITION))
                .push(e);
        }
        self.entries.push(e);
    }

    /// Changes `record_id`'s entry (in the recent ring and its partition's tail).
    fn update(&mut self, record_id: u64, change: impl Fn(&mut JournalEntry) + Copy) {
        let key = position_in(&self.entries, record_id)
            .and_then(|i| self.entries.get(i))
            .map(|e| (e.topic, e.partition));
        update_in(&mut self.entries, record_id, change);
        match key {
            Some(k) => {
                if let Some(t) = self.tails.get_mut(&k) {
                    update_in(t, record_id, change);
                }
            }
            None => {
                for t in self.tails.values_mut() {
                    update_in(t, record_id, change);
                }
            }
        }
    }

    /// Records how `record_id`'s send ended, if it is still in the journal.
    pub fn set_outcome(&mut self, record_id: u64, outcome: RecordOutcome) {
        self.update(record_id, |e| e.outcome = outcome);
    }

    /// Records that `record_id`'s batch was sent, with its epoch, sequence and sizes.
    pub fn set_sent(&mut self, record_id: u64, sent: SentBatch) {
        self.update(record_id, |e| e.sent = Some(sent));
    }

    /// The entry of `record_id` if it is recent enough, or among its partition's last.
    pub fn get(&self, record_id: u64) -> Option<&JournalEntry> {
        if let Some(i) = position_in(&self.entries, record_id) {
            return self.entries.get(i);
        }
        self.tails
            .values()
            .find_map(|t| position_in(t, record_id).and_then(|i| t.get(i)))
    }
}

/// What `record_info` needs of the record's producer instance.
#[derive(Clone, Copy, Debug)]
pub struct RecordProducer<'a> {
    pub topic: &'a str,
    pub key_serializer: Serializer,
    pub value_serializer: Serializer,
    pub value_kind: crate::compression::ValueKind,
    pub producer_id: i64,
    pub codec: &'static str,
    /// Its first batch id (batch numbers count from it).
    pub first_batch: u64,
}

/// The inspector's view of a journal entry.
pub fn record_info(e: &JournalEntry, p: RecordProducer<'_>) -> RecordInfo {
    let JournalEntry {
        rec,
        producer,
        partition,
        batch_id,
        reason,
        outcome,
        sent,
        ..
    } = *e;
    let key_ser = p.key_serializer;
    let mut kb = [0u8; 24];
    let value = crate::compression::value_bytes(rec.id, rec.value_len as usize, p.value_kind);
    let (value_preview, value_is_text) = preview(&value);
    let has_pid = p.producer_id >= 0;
    RecordInfo {
        record_id: rec.id,
        producer,
        topic: String::from(p.topic),
        key: rec.key.map(|k| key_text(key_ser, k)),
        key_serializer: key_ser,
        key_bytes_hex: rec.key.map(|k| hex(key_bytes(key_ser, k, &mut kb))),
        value_serializer: p.value_serializer,
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
        batch_number: batch_id.saturating_sub(p.first_batch).min(u32::MAX as u64) as u32,
        producer_id: p.producer_id,
        producer_epoch: sent.filter(|_| has_pid).map(|s| s.producer_epoch),
        sequence: sent.and_then(|s| s.sequence),
        codec: p.codec,
        batch_wire_bytes: sent.map(|s| s.wire_bytes),
        batch_uncompressed_bytes: sent.map(|s| s.uncompressed_bytes),
        value_preview,
        value_is_text,
        header_values: (0..rec.headers.count)
            .map(|i| header_value(i, rec.headers.value_len as usize))
            .collect(),
    }
}

/// A value's bytes as the inspector shows them: text when they are UTF-8 without control
/// characters (at most [`VALUE_PREVIEW`] characters), else hex pairs (at most 48 bytes).
fn preview(v: &[u8]) -> (String, bool) {
    match core::str::from_utf8(v) {
        Ok(text) if !text.chars().any(|c| c.is_control()) => {
            let mut out: String = text.chars().take(VALUE_PREVIEW).collect();
            if text.chars().count() > VALUE_PREVIEW {
                out.push('…');
            }
            (out, true)
        }
        _ => {
            let mut out = hex(&v[..v.len().min(48)]);
            if v.len() > 48 {
                out.push('…');
            }
            (out, false)
        }
    }
}

/// Header `h{i}`'s value as the simulated application writes it (`compression::records`:
/// letters from `a` + i), at most 32 characters shown.
fn header_value(i: u8, len: usize) -> String {
    let mut out: String = (0..len.min(32))
        .map(|j| (b'a' + ((i as usize + j) % 26) as u8) as char)
        .collect();
    if len > 32 {
        out.push('…');
    }
    out
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
