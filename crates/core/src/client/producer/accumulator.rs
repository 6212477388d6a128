//! The producer's `RecordAccumulator`: one deque of `ProducerBatch`es per partition, filled up
//! to `batch.size`, made ready by fullness or `linger.ms`, drained per broker with the other
//! partitions' batches riding along (piggyback).
//!
//! Simplified: buffer memory is counted, not pooled; a batch's size is the v2 estimate Kafka's
//! `MemoryRecordsBuilder` keeps (uncompressed; codecs come with compression support).

use crate::producer::partitioner::{BuiltInPartitioner, LegacySticky, PartitionReason, RoundRobin};
use crate::record::{self, RECORD_BATCH_OVERHEAD};
use crate::rng::Rng;
use crate::time::SimTime;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec::Vec;

/// A record as the simulator carries it: ids and sizes, never its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RecordMeta {
    pub id: u64,
    /// Key index (`key-N`), `None` for a null key.
    pub key: Option<u32>,
    pub key_len: Option<u32>,
    pub value_len: u32,
    pub headers: crate::producer::record::HeaderSpec,
    /// The partition the application named, if any.
    pub explicit_partition: Option<u32>,
    /// Encoded size inside its batch (`DefaultRecord.sizeInBytes`).
    pub size_bytes: u32,
    pub created_at: SimTime,
}

/// Kafka's `COMPRESSION_RATE_ESTIMATION_FACTOR`: estimates of compressed size are padded 5%.
pub const COMPRESSION_RATE_ESTIMATION_FACTOR: f32 = 1.05;

/// A batch of records for one partition (`ProducerBatch`).
#[derive(Clone, Debug, PartialEq)]
pub struct ProducerBatch {
    pub id: u64,
    pub partition: u32,
    /// Shared between clones of the world (a time-travel checkpoint copies a full accumulator
    /// by reference): only the open batch at a deque's back is appended to, copied on the
    /// first append after a clone.
    pub records: Rc<Vec<RecordMeta>>,
    pub created_at: SimTime,
    /// Bytes the builder estimates it has written (`estimatedBytesWritten`): the header plus
    /// the records, or with compression the records x estimated ratio x 1.05.
    pub size_bytes: u32,
    /// Uncompressed records section (`uncompressedRecordsSizeInBytes`).
    pub records_bytes: u32,
    /// Compression ratio the batch was created with (`CompressionRatioEstimator`; 1.0 without
    /// compression).
    pub estimated_ratio: f32,
    pub compressed: bool,
    /// The real size on the wire once the batch is closed and (for a codec) compressed.
    pub wire_bytes: Option<u32>,
    /// Drained without being ready itself: it rode along with a ready batch of the same
    /// broker (the piggyback effect of `drainBatchesForOneNode`).
    pub rode_along: bool,
    /// `max(batch.size, this batch's first record alone)` (the buffer it was given).
    pub write_limit: u32,
    /// Closed for appends (a record did not fit, or it was drained).
    pub closed: bool,
    /// Sequence number of the first record, set when first drained (idempotent producer).
    pub base_sequence: Option<i32>,
    /// The monitor's ordinal of the first record (see `monitor`), set when first drained.
    pub first_ordinal: Option<u32>,
    pub attempts: u32,
    /// A retried batch is not sendable before this (retry backoff).
    pub retry_at: Option<SimTime>,
}

impl ProducerBatch {
    /// `estimatedBytesWritten` for `records_bytes` of records, as Java's float arithmetic
    /// computes it.
    fn estimate(&self, records_bytes: u32) -> u32 {
        if !self.compressed {
            return RECORD_BATCH_OVERHEAD as u32 + records_bytes;
        }
        (RECORD_BATCH_OVERHEAD as f32
            + records_bytes as f32 * self.estimated_ratio * COMPRESSION_RATE_ESTIMATION_FACTOR)
            as u32
    }

    /// Bytes the batch occupies on the wire: the real size once closed, else the estimate.
    pub fn wire_size(&self) -> u32 {
        self.wire_bytes.unwrap_or(self.size_bytes)
    }

    /// Bytes the batch would take uncompressed: the 61-byte header and its records as
    /// written (`uncompressedRecordsSizeInBytes` plus the header).
    pub fn uncompressed_size(&self) -> u32 {
        (RECORD_BATCH_OVERHEAD as u32).saturating_add(self.records_bytes)
    }

    /// `MemoryRecordsBuilder.isFull`.
    pub fn is_full(&self) -> bool {
        self.closed || (!self.records.is_empty() && self.write_limit <= self.size_bytes)
    }

    /// The size the record would have if appended now (`hasRoomFor`'s computation).
    fn next_record_size(&self, rec: &RecordMeta, now: SimTime) -> u32 {
        // Kafka subtracts whole-millisecond timestamps (CreateTime is in ms).
        let ts_delta_ms = (now.micros() / 1000) as i64 - (self.created_at.micros() / 1000) as i64;
        record::record_size_in_bytes(
            self.records.len() as i32,
            ts_delta_ms,
            rec.key_len.map(|k| k as usize),
            Some(rec.value_len as usize),
            &rec.headers.sizes(),
        ) as u32
    }

    /// `MemoryRecordsBuilder.hasRoomFor`: the first record always fits; the new record's
    /// own compression is not counted (Kafka is conservative here).
    fn has_room_for(&self, size: u32) -> bool {
        if self.is_full() {
            return false;
        }
        if self.records.is_empty() {
            return true;
        }
        self.write_limit >= self.size_bytes.saturating_add(size)
    }

    pub fn record_count(&self) -> u32 {
        self.records.len() as u32
    }
}

/// What happened to one appended record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppendResult {
    pub partition: u32,
    pub batch_id: u64,
    pub new_batch: bool,
    pub reason: PartitionReason,
    /// Bytes the record added to its batch (the header too for a new batch).
    pub appended_bytes: u32,
}

/// Which partitioner decides for records without an explicit partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartitionerState {
    BuiltIn(BuiltInPartitioner),
    RoundRobin(RoundRobin),
    LegacySticky(LegacySticky),
}

/// The accumulator of one producer for one topic.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordAccumulator {
    pub batch_size: u32,
    /// One deque per partition; `None` until the partition ever had a batch (Kafka's batches
    /// map has no entry yet), which matters to the adaptive partitioner.
    pub deques: Vec<Option<VecDeque<ProducerBatch>>>,
    /// Bytes of buffer memory held by batches not yet completed.
    pub buffer_used: u64,
    /// `buffer.memory`: what `buffer_used` may reach.
    pub buffer_memory: u64,
    /// Whether batches are compressed, and the estimated ratio new batches start with.
    pub compressed: bool,
    pub ratio_estimate: f32,
    next_batch_id: u64,
    /// The id of its first batch (the instance's batch ids count up from it).
    first_batch_id: u64,
}

/// A new batch needs more buffer memory than is free: `send()` blocks (up to
/// `max.block.ms`) until completed batches give memory back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BufferExhausted {
    pub partition: u32,
    /// Bytes the new batch needs.
    pub needed: u64,
}

impl RecordAccumulator {
    pub fn new(partitions: u32, batch_size: u32, buffer_memory: u64, first_batch_id: u64) -> Self {
        RecordAccumulator {
            batch_size,
            deques: (0..partitions).map(|_| None).collect(),
            buffer_used: 0,
            buffer_memory,
            compressed: false,
            ratio_estimate: 1.0,
            next_batch_id: first_batch_id,
            first_batch_id,
        }
    }

    /// The id of this instance's first batch: a batch's number is its id less this.
    pub fn first_batch_id(&self) -> u64 {
        self.first_batch_id
    }

    /// The topic gained partitions (metadata update).
    pub fn grow(&mut self, partitions: u32) {
        while (self.deques.len() as u32) < partitions {
            self.deques.push(None);
        }
    }

    pub fn deque(&self, p: u32) -> Option<&VecDeque<ProducerBatch>> {
        self.deques.get(p as usize).and_then(|d| d.as_ref())
    }

    fn deque_mut(&mut self, p: u32) -> &mut VecDeque<ProducerBatch> {
        let slot = &mut self.deques[p as usize];
        slot.get_or_insert_with(VecDeque::new)
    }

    /// `allBatchesFull`: the last batch is full, or there is none.
    fn all_batches_full(&self, p: u32) -> bool {
        self.deque(p)
            .and_then(|d| d.back())
            .is_none_or(|b| b.is_full())
    }

    /// Appends a record to partition `p` (already chosen): into the last batch if it fits,
    /// else a new batch (closing the last one) when buffer memory allows. Returns (batch id,
    /// new batch, bytes added).
    fn append_to(
        &mut self,
        p: u32,
        rec: &mut RecordMeta,
        now: SimTime,
    ) -> Result<(u64, bool, u32), BufferExhausted> {
        let batch_size = self.batch_size;
        let next_id = self.next_batch_id;
        let dq = self.deque_mut(p);
        if let Some(last) = dq.back_mut() {
            let size = last.next_record_size(rec, now);
            if last.has_room_for(size) {
                rec.size_bytes = size;
                let before = last.size_bytes;
                last.records_bytes += size;
                last.size_bytes = last.estimate(last.records_bytes);
                Rc::make_mut(&mut last.records).push(*rec);
                return Ok((last.id, false, last.size_bytes.saturating_sub(before)));
            }
            last.closed = true;
        }
        let headers = rec.headers.sizes();
        let size = record::record_size_in_bytes(
            0,
            0,
            rec.key_len.map(|k| k as usize),
            Some(rec.value_len as usize),
            &headers,
        ) as u32;
        let upper = record::batch_size_upper_bound(
            rec.key_len.map(|k| k as usize),
            Some(rec.value_len as usize),
            &headers,
        ) as u32;
        let write_limit = batch_size.max(upper);
        if self.buffer_used + write_limit as u64 > self.buffer_memory {
            return Err(BufferExhausted {
                partition: p,
                needed: write_limit as u64,
            });
        }
        let (compressed, estimated_ratio) = (self.compressed, self.ratio_estimate);
        let dq = self.deque_mut(p);
        rec.size_bytes = size;
        let mut batch = ProducerBatch {
            id: next_id,
            partition: p,
            records: Rc::new(alloc::vec![*rec]),
            created_at: now,
            size_bytes: 0,
            records_bytes: size,
            estimated_ratio,
            compressed,
            wire_bytes: None,
            rode_along: false,
            write_limit,
            closed: false,
            base_sequence: None,
            first_ordinal: None,
            attempts: 0,
            retry_at: None,
        };
        batch.size_bytes = batch.estimate(size);
        let appended = batch.size_bytes;
        dq.push_back(batch);
        self.next_batch_id += 1;
        self.buffer_used += write_limit as u64;
        debug_assert!(self.buffer_used <= self.buffer_memory);
        Ok((next_id, true, appended))
    }

    /// Appends with the partition already decided (explicit, key hash, round-robin).
    pub fn append_fixed(
        &mut self,
        p: u32,
        rec: &mut RecordMeta,
        now: SimTime,
        reason: PartitionReason,
    ) -> Result<AppendResult, BufferExhausted> {
        let (batch_id, new_batch, appended_bytes) = self.append_to(p, rec, now)?;
        Ok(AppendResult {
            partition: p,
            batch_id,
            new_batch,
            reason,
            appended_bytes,
        })
    }

    /// Appends a keyless record under the built-in sticky partitioner, switching partition
    /// exactly where Kafka's `RecordAccumulator.append` + `BuiltInPartitioner` do.
    pub fn append_built_in(
        &mut self,
        part: &mut BuiltInPartitioner,
        rec: &mut RecordMeta,
        now: SimTime,
        rng: &mut Rng,
        leaders: &[Option<u32>],
    ) -> Result<AppendResult, BufferExhausted> {
        // Bounded: each switch resets produced bytes, so the second pass cannot switch again.
        let mut p = part.peek(rng, leaders);
        for _ in 0..4 {
            // partitionChanged(): with the queue empty or its last batch full, a partition
            // that already took batch.size bytes is left now.
            if self.all_batches_full(p) && part.update_partition_info(0, true, rng, leaders) {
                p = part.peek(rng, leaders);
                continue;
            }
            break;
        }
        // tryAppend; when the record does not fit, the last batch closes and Kafka checks
        // for a switch again before opening a new batch.
        if let Some(last) = self.deque(p).and_then(|d| d.back()) {
            let size = last.next_record_size(rec, now);
            if !last.has_room_for(size) {
                if let Some(l) = self.deque_mut(p).back_mut() {
                    l.closed = true;
                }
                if part.update_partition_info(0, true, rng, leaders) {
                    p = part.peek(rng, leaders);
                }
            }
        }
        let (batch_id, new_batch, appended_bytes) = self.append_to(p, rec, now)?;
        let enable_switch = self.all_batches_full(p);
        part.update_partition_info(appended_bytes, enable_switch, rng, leaders);
        Ok(AppendResult {
            partition: p,
            batch_id,
            new_batch,
            reason: PartitionReason::BuiltInSticky,
            appended_bytes,
        })
    }

    /// Appends under the 2.4-3.2 default: a record that would open a new batch first moves
    /// the sticky partition (`onNewBatch`), then is partitioned again (`abortOnNewBatch`).
    pub fn append_legacy(
        &mut self,
        sticky: &mut LegacySticky,
        keyed: Option<(u32, PartitionReason)>,
        rec: &mut RecordMeta,
        now: SimTime,
        rng: &mut Rng,
        leaders: &[Option<u32>],
    ) -> Result<AppendResult, BufferExhausted> {
        let pick = |s: &mut LegacySticky, rng: &mut Rng| match keyed {
            Some(k) => k,
            None => (s.partition(rng, leaders), PartitionReason::LegacySticky),
        };
        let (mut p, mut reason) = pick(sticky, rng);
        let would_open = match self.deque(p).and_then(|d| d.back()) {
            None => true,
            Some(last) => !last.has_room_for(last.next_record_size(rec, now)),
        };
        if would_open {
            // tryAppend closed the batch that could not take the record before the append
            // was aborted for the new batch (`closeForRecordAppends`).
            if let Some(last) = self
                .deques
                .get_mut(p as usize)
                .and_then(|d| d.as_mut())
                .and_then(|d| d.back_mut())
            {
                last.closed = true;
            }
            sticky.next_partition(rng, leaders, Some(p));
            (p, reason) = pick(sticky, rng);
        }
        let (batch_id, new_batch, appended_bytes) = self.append_to(p, rec, now)?;
        Ok(AppendResult {
            partition: p,
            batch_id,
            new_batch,
            reason,
            appended_bytes,
        })
    }

    /// Batches queued per partition, for partitions with a deque, in partition order
    /// (the adaptive partitioner's input). `None` until every partition has had a deque.
    /// Partitions whose leader `available` rejects (`partitioner.availability.timeout.ms`)
    /// are left out.
    pub fn queue_sizes(
        &self,
        leaders: &[Option<u32>],
        available: impl Fn(u32) -> bool,
    ) -> Option<(Vec<u32>, Vec<u32>)> {
        if self.deques.iter().any(|d| d.is_none()) {
            return None;
        }
        let mut sizes = Vec::new();
        let mut ids = Vec::new();
        for (i, d) in self.deques.iter().enumerate() {
            if leaders.get(i).copied().flatten().is_some_and(&available) {
                ids.push(i as u32);
                sizes.push(d.as_ref().map_or(0, |d| d.len() as u32));
            }
        }
        Some((sizes, ids))
    }

    /// The first batch of partition `p` if it is ready to send (`RecordAccumulator.batchReady`):
    /// not backing off after a failure, and more than one batch queued, or full, or lingered
    /// (or retried), or flushing.
    pub fn first_ready(&self, p: u32, now: SimTime, linger_us: u64, flushing: bool) -> bool {
        let Some(d) = self.deque(p) else { return false };
        let Some(b) = d.front() else { return false };
        if self.backing_off(p, now) {
            return false;
        }
        d.len() > 1
            || b.is_full()
            || flushing
            || b.attempts > 0
            || now.since(b.created_at) >= linger_us
    }

    /// The first batch of `p` waits out its retry backoff (`shouldBackoff`).
    pub fn backing_off(&self, p: u32, now: SimTime) -> bool {
        self.deque(p)
            .and_then(|d| d.front())
            .and_then(|b| b.retry_at)
            .is_some_and(|t| now < t)
    }

    /// Earliest future time the sender has something to do for queued batches: a first batch
    /// lingers out, ends its backoff, or reaches `delivery.timeout.ms`. Batches ready already
    /// but held back (a full connection) wait for a response instead, as Kafka's sender does.
    pub fn next_wake(
        &self,
        now: SimTime,
        linger_us: u64,
        delivery_timeout_us: u64,
    ) -> Option<SimTime> {
        self.deques
            .iter()
            .flatten()
            .filter_map(|d| d.front())
            .flat_map(|b| {
                let ready = match b.retry_at {
                    Some(t) => t,
                    None => b.created_at.plus(linger_us),
                };
                [ready, b.created_at.plus(delivery_timeout_us)]
            })
            .filter(|t| *t > now)
            .min()
    }

    /// A failed batch goes back to the front of its partition, in sequence order
    /// (`RecordAccumulator.reenqueue` / `insertInSequenceOrder`).
    pub fn reenqueue(&mut self, b: ProducerBatch) {
        let p = b.partition;
        if (p as usize) >= self.deques.len() {
            return;
        }
        let dq = self.deque_mut(p);
        let pos = match b.base_sequence {
            Some(seq) => dq
                .iter()
                .position(|x| x.base_sequence.is_none_or(|s| s > seq))
                .unwrap_or(dq.len()),
            None => 0,
        };
        dq.insert(pos, b);
    }

    /// Removes the first batches that reached `delivery.timeout.ms`
    /// (`RecordAccumulator.expiredBatches`).
    pub fn take_expired(&mut self, now: SimTime, delivery_timeout_us: u64) -> Vec<ProducerBatch> {
        let mut out = Vec::new();
        for d in self.deques.iter_mut().flatten() {
            while d
                .front()
                .is_some_and(|b| now.since(b.created_at) >= delivery_timeout_us)
            {
                if let Some(b) = d.pop_front() {
                    out.push(b);
                }
            }
        }
        out
    }

    /// Removes the first batch of `p` for sending.
    pub fn pop_first(&mut self, p: u32) -> Option<ProducerBatch> {
        let mut b = self.deques.get_mut(p as usize)?.as_mut()?.pop_front()?;
        b.closed = true;
        Some(b)
    }

    /// A completed (acknowledged or failed) batch gives its buffer back.
    pub fn deallocate(&mut self, b: &ProducerBatch) {
        self.buffer_used = self.buffer_used.saturating_sub(b.write_limit as u64);
    }

    pub fn is_empty(&self) -> bool {
        self.deques.iter().flatten().all(|d| d.is_empty())
    }

    pub fn queued_records(&self) -> u64 {
        self.deques
            .iter()
            .flatten()
            .flat_map(|d| d.iter())
            .map(|b| b.records.len() as u64)
            .sum()
    }
}
