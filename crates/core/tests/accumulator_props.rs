//! Property tests of the producer's `RecordAccumulator` driven directly (no `Sim`): random
//! record streams (null and non-null keys, values larger than `batch.size`, headers), random
//! time advances, interleaved drains / acknowledgements / retries, and buffer memory small
//! enough to refuse batches.
//!
//! 1. nothing lost or reordered within a partition;
//! 2. batch sizes: `estimatedBytesWritten` bookkeeping and the `batch.size` / write-limit bound;
//! 3. buffer-memory accounting;
//! 4. the built-in (KIP-794) partitioner switches between S and 2S bytes, at the points
//!    BRIEF.md gives (rule (a)-(e));
//! 5. the 2.4-3.2 sticky partitioner and `RoundRobinPartitioner`;
//! 6. the adaptive partitioner's weights (`max + 1 - q`) and Kafka's test vector.
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::collections::{HashMap, VecDeque};
use streamscope_core::producer::accumulator::{
    ProducerBatch, RecordAccumulator, RecordMeta, COMPRESSION_RATE_ESTIMATION_FACTOR,
};
use streamscope_core::producer::partitioner::{
    available, compute_load_stats, BuiltInPartitioner, LegacySticky, PartitionReason, RoundRobin,
};
use streamscope_core::producer::record::HeaderSpec;
use streamscope_core::record::{
    batch_size_upper_bound, record_size_in_bytes, MAX_RECORD_OVERHEAD, RECORD_BATCH_OVERHEAD,
};
use streamscope_core::rng::Rng;
use streamscope_core::time::SimTime;

const HEADER: u32 = RECORD_BATCH_OVERHEAD as u32;

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// A record the application sends; the value length is resolved against `batch.size`.
#[derive(Clone, Debug)]
struct RecSpec {
    /// `None`: a null key (keyless); else key index and its serialized length.
    key: Option<(u32, u32)>,
    size_class: u8,
    raw: u32,
    headers: HeaderSpec,
}

impl RecSpec {
    /// Mostly small values, some around `batch.size`, some larger than it.
    fn value_len(&self, batch_size: u32) -> u32 {
        let b = batch_size.max(1);
        match self.size_class % 10 {
            0..=3 => self.raw % 48,
            4..=6 => self.raw % 700,
            7 | 8 => self.raw % (b / 2 + 1),
            _ => (b + self.raw % (2 * b + 64)).min(200_000),
        }
    }

    fn meta(&self, id: u64, batch_size: u32, now: SimTime) -> RecordMeta {
        RecordMeta {
            id,
            key: self.key.map(|k| k.0),
            key_len: self.key.map(|k| k.1),
            value_len: self.value_len(batch_size),
            headers: self.headers,
            explicit_partition: None,
            size_bytes: 0,
            created_at: now,
        }
    }
}

fn rec_spec(keyed_percent: u32) -> impl Strategy<Value = RecSpec> {
    (
        0u32..100,
        0u32..1000,
        0u32..=40,
        any::<u8>(),
        any::<u32>(),
        prop_oneof![4 => Just(0u8), 1 => 1u8..4, 1 => 10u8..13],
        0u16..=40,
    )
        .prop_map(move |(roll, k, klen, size_class, raw, count, hv)| RecSpec {
            key: (roll < keyed_percent).then_some((k, klen)),
            size_class,
            raw,
            headers: HeaderSpec {
                count,
                value_len: hv,
            },
        })
}

#[derive(Clone, Debug)]
enum Op {
    Send(RecSpec),
    /// Microseconds (some past 64 ms, where the timestamp delta's varlong grows).
    Advance(u32),
    /// `pop_first` on a partition (the sender drains it).
    Drain(u8),
    /// The oldest in-flight batch of a partition completes: `deallocate`.
    Ack(u8),
    /// Every in-flight batch of a partition fails and is re-enqueued, in a shuffled order.
    Retry(u8, u64),
}

fn op(keyed_percent: u32) -> impl Strategy<Value = Op> {
    prop_oneof![
        12 => rec_spec(keyed_percent).prop_map(Op::Send),
        3 => prop_oneof![3 => 0u32..3_000, 1 => 0u32..200_000].prop_map(Op::Advance),
        3 => any::<u8>().prop_map(Op::Drain),
        3 => any::<u8>().prop_map(Op::Ack),
        1 => (any::<u8>(), any::<u64>()).prop_map(|(p, s)| Op::Retry(p, s)),
    ]
}

fn batch_size_strategy() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => 0u32..=200,
        1 => 201u32..=2_000,
        2 => 2_001u32..=65_536,
        1 => Just(16_384u32),
    ]
}

// ---------------------------------------------------------------------------------------------
// Shared checks
// ---------------------------------------------------------------------------------------------

/// Property 2 for one batch: every record's size is `DefaultRecord.sizeInBytes` at its offset
/// and timestamp delta; the batch's estimate is the header plus its records (or Kafka's
/// compressed estimate); it respects its write limit, which is `max(batch.size, the first
/// record's upper bound)`. Returns whether the batch passed `batch.size` with more than one
/// record (possible in Kafka too: see `oversized_batch_takes_a_small_record_in_its_slack`).
fn check_batch(
    b: &ProducerBatch,
    p: u32,
    batch_size: u32,
    sent: &HashMap<u64, RecordMeta>,
) -> Result<bool, TestCaseError> {
    prop_assert_eq!(b.partition, p);
    prop_assert!(!b.records.is_empty(), "empty batch {}", b.id);
    let mut sum = 0u32;
    for (i, r) in b.records.iter().enumerate() {
        let s = &sent[&r.id];
        prop_assert_eq!(
            (r.key, r.key_len, r.value_len, r.headers),
            (s.key, s.key_len, s.value_len, s.headers),
            "record {} altered",
            r.id
        );
        prop_assert!(s.created_at >= b.created_at);
        let ts_delta_ms =
            (s.created_at.micros() / 1000) as i64 - (b.created_at.micros() / 1000) as i64;
        let want = record_size_in_bytes(
            i as i32,
            ts_delta_ms,
            r.key_len.map(|k| k as usize),
            Some(r.value_len as usize),
            &r.headers.sizes(),
        ) as u32;
        prop_assert_eq!(
            r.size_bytes,
            want,
            "record {} at offset delta {} (ts delta {} ms)",
            r.id,
            i,
            ts_delta_ms
        );
        sum += r.size_bytes;
    }
    let first = &b.records[0];
    prop_assert_eq!(
        b.created_at,
        sent[&first.id].created_at,
        "batch created by its first record"
    );
    prop_assert_eq!(b.records_bytes, sum);
    // `estimatedBytesWritten` for a records section of `rb` bytes, as Java's floats compute it.
    let estimate = |rb: u32| {
        if b.compressed {
            (RECORD_BATCH_OVERHEAD as f32
                + rb as f32 * b.estimated_ratio * COMPRESSION_RATE_ESTIMATION_FACTOR)
                as u32
        } else {
            HEADER + rb
        }
    };
    prop_assert_eq!(
        b.size_bytes,
        estimate(sum),
        "estimatedBytesWritten of batch {}",
        b.id
    );
    if !b.compressed {
        prop_assert_eq!(b.size_bytes, HEADER + sum);
    }
    // `hasRoomFor` admitted every record after the first: the estimate so far plus the new
    // record's (uncompressed) size within the write limit.
    let mut prefix = 0u32;
    for r in b.records.iter() {
        if prefix > 0 {
            prop_assert!(
                estimate(prefix) + r.size_bytes <= b.write_limit,
                "batch {}: record {} admitted past the write limit",
                b.id,
                r.id
            );
        }
        prefix += r.size_bytes;
    }
    let upper = batch_size_upper_bound(
        first.key_len.map(|k| k as usize),
        Some(first.value_len as usize),
        &first.headers.sizes(),
    ) as u32;
    prop_assert_eq!(b.write_limit, batch_size.max(upper));
    // With compression the estimate may pass the limit (Kafka pads it by 5% and does not
    // count the new record's compression), so the bound is checked uncompressed.
    prop_assert!(
        b.compressed || b.size_bytes <= b.write_limit,
        "batch {}: {} bytes over its limit {}",
        b.id,
        b.size_bytes,
        b.write_limit
    );
    // The bound the brief words as "max(batch.size, 61 + first record)": exceeded only by a
    // batch whose buffer is its first record's upper bound (above batch.size), by records that
    // fit the slack between that bound and the first record's real size (< 21 bytes).
    let over = !b.compressed && b.size_bytes > batch_size.max(HEADER + first.size_bytes);
    if over {
        prop_assert!(b.records.len() > 1);
        prop_assert!(upper > batch_size, "batch {} over batch.size", b.id);
        prop_assert!(b.size_bytes - (HEADER + first.size_bytes) < MAX_RECORD_OVERHEAD as u32);
    }
    Ok(over)
}

/// Number of `next_u64` steps from `before` to `after` (each partition choice draws once).
fn draws_between(before: &Rng, after: &Rng) -> Option<u32> {
    let mut r = before.clone();
    for k in 0..=4 {
        if &r == after {
            return Some(k);
        }
        r.next_u64();
    }
    None
}

/// Java's `isFull` as BRIEF.md states it: closed, or the estimate reached the write limit.
fn full(b: &ProducerBatch) -> bool {
    b.closed || (!b.records.is_empty() && b.size_bytes >= b.write_limit)
}

/// Would `rec` go into the last batch of `p` now (`hasRoomFor`)?
fn fits_last(acc: &RecordAccumulator, p: u32, rec: &RecordMeta, now: SimTime) -> bool {
    let Some(last) = acc.deque(p).and_then(|d| d.back()) else {
        return false;
    };
    if full(last) {
        return false;
    }
    let size = record_size_in_bytes(
        last.records.len() as i32,
        (now.micros() / 1000) as i64 - (last.created_at.micros() / 1000) as i64,
        rec.key_len.map(|k| k as usize),
        Some(rec.value_len as usize),
        &rec.headers.sizes(),
    ) as u32;
    last.size_bytes + size <= last.write_limit
}

// ---------------------------------------------------------------------------------------------
// 1-3: no loss / no reorder, batch sizes, buffer memory
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Mode {
    BuiltIn,
    Legacy,
    RoundRobin,
}

struct Harness {
    n: u32,
    acc: RecordAccumulator,
    sent: HashMap<u64, RecordMeta>,
    appended: Vec<Vec<u64>>,
    delivered: Vec<Vec<u64>>,
    in_flight: Vec<VecDeque<ProducerBatch>>,
    oversize_multi: u32,
    refused: u32,
}

impl Harness {
    fn in_flight_limit(&self) -> u64 {
        self.in_flight
            .iter()
            .flatten()
            .map(|b| b.write_limit as u64)
            .sum()
    }

    fn queued_limit(&self) -> u64 {
        self.acc
            .deques
            .iter()
            .flatten()
            .flatten()
            .map(|b| b.write_limit as u64)
            .sum()
    }

    /// Property 3 after every step.
    fn check_memory(&self) -> Result<(), TestCaseError> {
        prop_assert_eq!(
            self.acc.buffer_used,
            self.queued_limit() + self.in_flight_limit(),
            "buffer_used != sum of write limits of batches not deallocated"
        );
        prop_assert!(self.acc.buffer_used <= self.acc.buffer_memory);
        Ok(())
    }

    /// Property 1: delivered, then in flight, then queued = appended, per partition.
    fn check_order(&self) -> Result<(), TestCaseError> {
        for p in 0..self.n {
            let mut seen: Vec<u64> = self.delivered[p as usize].clone();
            for b in &self.in_flight[p as usize] {
                seen.extend(b.records.iter().map(|r| r.id));
            }
            if let Some(d) = self.acc.deque(p) {
                for b in d {
                    seen.extend(b.records.iter().map(|r| r.id));
                }
            }
            prop_assert_eq!(&seen, &self.appended[p as usize], "partition {}", p);
        }
        Ok(())
    }
}

/// One generated case of properties 1-3.
#[derive(Clone, Copy, Debug)]
struct StreamCase {
    n: u32,
    batch_size: u32,
    /// (kind, amount): buffer.memory small enough to refuse appends, moderate, or ample.
    mem_mode: (u8, u32),
    mode: Mode,
    /// `Some(ratio)`: compressed batches with this estimated ratio.
    compression: Option<f32>,
    /// Bit i: partition i has a leader.
    leaders_mask: u8,
    seed: u64,
}

fn run_stream(case: StreamCase, ops: &[Op]) -> Result<Harness, TestCaseError> {
    let StreamCase {
        n,
        batch_size,
        mem_mode,
        mode,
        compression,
        leaders_mask,
        seed,
    } = case;
    let buffer_memory = match mem_mode.0 % 3 {
        // Room for a few batches only: appends are refused (BufferExhausted).
        0 => batch_size as u64 * (mem_mode.1 % 4) as u64 + (mem_mode.1 % 3000) as u64,
        1 => batch_size as u64 * (2 + mem_mode.1 % 8) as u64 + 5_000,
        _ => 1 << 40,
    };
    let mut h = Harness {
        n,
        acc: RecordAccumulator::new(n, batch_size, buffer_memory, 1),
        sent: HashMap::new(),
        appended: vec![Vec::new(); n as usize],
        delivered: vec![Vec::new(); n as usize],
        in_flight: vec![VecDeque::new(); n as usize],
        oversize_multi: 0,
        refused: 0,
    };
    if let Some(ratio) = compression {
        h.acc.compressed = true;
        h.acc.ratio_estimate = ratio;
    }
    let leaders: Vec<Option<u32>> = (0..n)
        .map(|i| ((leaders_mask >> (i % 8)) & 1 == 1).then_some(i))
        .collect();
    let mut rng = Rng::new(seed);
    let mut built_in = BuiltInPartitioner::new(batch_size);
    let mut sticky = LegacySticky::default();
    let mut rr = RoundRobin::default();
    let mut now = SimTime(1_000);
    let mut next_id = 0u64;

    for op in ops {
        match op {
            Op::Send(spec) => {
                let mut rec = spec.meta(next_id, batch_size, now);
                h.sent.insert(next_id, rec);
                next_id += 1;
                let queued_before = h.acc.queued_records();
                let used_before = h.acc.buffer_used;
                let keyed = rec.key.map(|k| (k % n, PartitionReason::Explicit));
                let res = match (mode, keyed) {
                    (Mode::Legacy, _) => {
                        h.acc
                            .append_legacy(&mut sticky, keyed, &mut rec, now, &mut rng, &leaders)
                    }
                    (_, Some((p, reason))) => h.acc.append_fixed(p, &mut rec, now, reason),
                    (Mode::BuiltIn, None) => {
                        h.acc
                            .append_built_in(&mut built_in, &mut rec, now, &mut rng, &leaders)
                    }
                    (Mode::RoundRobin, None) => {
                        let (p, counter) = rr.partition(&leaders);
                        h.acc.append_fixed(
                            p,
                            &mut rec,
                            now,
                            PartitionReason::RoundRobin { counter },
                        )
                    }
                };
                match res {
                    Ok(r) => {
                        prop_assert!(r.partition < n);
                        if let Some((kp, _)) = keyed {
                            prop_assert_eq!(r.partition, kp, "keyed record moved");
                        }
                        h.appended[r.partition as usize].push(rec.id);
                        let last = h.acc.deque(r.partition).and_then(|d| d.back());
                        prop_assert!(last.is_some());
                        let last = last.unwrap();
                        prop_assert_eq!(last.id, r.batch_id);
                        prop_assert_eq!(last.records.last().map(|x| x.id), Some(rec.id));
                        prop_assert_eq!(h.acc.queued_records(), queued_before + 1);
                        if r.new_batch {
                            prop_assert_eq!(last.records.len(), 1);
                            prop_assert_eq!(
                                h.acc.buffer_used,
                                used_before + last.write_limit as u64
                            );
                        } else {
                            prop_assert_eq!(h.acc.buffer_used, used_before);
                        }
                        if compression.is_none() {
                            let header = if r.new_batch { HEADER } else { 0 };
                            prop_assert_eq!(r.appended_bytes, header + rec.size_bytes);
                        }
                    }
                    Err(e) => {
                        // Not appended: nothing queued, no memory taken.
                        h.refused += 1;
                        prop_assert_eq!(h.acc.queued_records(), queued_before);
                        prop_assert_eq!(h.acc.buffer_used, used_before);
                        let upper = batch_size_upper_bound(
                            rec.key_len.map(|k| k as usize),
                            Some(rec.value_len as usize),
                            &rec.headers.sizes(),
                        ) as u64;
                        prop_assert_eq!(e.needed, upper.max(batch_size as u64));
                        prop_assert!(h.acc.buffer_used + e.needed > h.acc.buffer_memory);
                    }
                }
            }
            Op::Advance(us) => now = now.plus(*us as u64),
            Op::Drain(i) => {
                let p = *i as u32 % n;
                if let Some(mut b) = h.acc.pop_first(p) {
                    prop_assert!(b.closed, "a drained batch is closed");
                    if check_batch(&b, p, batch_size, &h.sent)? {
                        h.oversize_multi += 1;
                    }
                    if b.base_sequence.is_none() {
                        let first = b.records[0].id;
                        let seq = h.appended[p as usize].iter().position(|&x| x == first);
                        b.base_sequence = seq.map(|s| s as i32);
                    }
                    h.in_flight[p as usize].push_back(b);
                }
            }
            Op::Ack(i) => {
                let p = *i as usize % n as usize;
                if let Some(b) = h.in_flight[p].pop_front() {
                    h.acc.deallocate(&b);
                    h.delivered[p].extend(b.records.iter().map(|r| r.id));
                }
            }
            Op::Retry(i, shuffle_seed) => {
                let p = *i as usize % n as usize;
                let mut batches: Vec<ProducerBatch> = h.in_flight[p].drain(..).collect();
                // Failures come back in any order; insertInSequenceOrder restores it.
                let mut shuffle_rng = Rng::new(*shuffle_seed);
                for k in (1..batches.len()).rev() {
                    let j = shuffle_rng.below(k as u64 + 1) as usize;
                    batches.swap(k, j);
                }
                for mut b in batches {
                    b.attempts += 1;
                    h.acc.reenqueue(b);
                }
            }
        }
        h.check_memory()?;
    }
    h.check_order()?;
    for p in 0..n {
        if let Some(d) = h.acc.deque(p) {
            for b in d {
                if check_batch(b, p, batch_size, &h.sent)? {
                    h.oversize_multi += 1;
                }
            }
        }
    }
    // Drain and complete everything: the memory comes back to exactly zero.
    for p in 0..n {
        while let Some(b) = h.acc.pop_first(p) {
            h.in_flight[p as usize].push_back(b);
        }
        while let Some(b) = h.in_flight[p as usize].pop_front() {
            h.acc.deallocate(&b);
            h.delivered[p as usize].extend(b.records.iter().map(|r| r.id));
        }
    }
    h.check_order()?;
    prop_assert!(h.acc.is_empty());
    prop_assert_eq!(h.acc.buffer_used, 0, "buffer memory leaked");
    Ok(h)
}

fn mode_strategy() -> impl Strategy<Value = Mode> {
    prop_oneof![
        3 => Just(Mode::BuiltIn),
        1 => Just(Mode::Legacy),
        1 => Just(Mode::RoundRobin)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Properties 1-3 over every partitioner, uncompressed: records kept in order per
    /// partition, exact batch sizes, buffer accounting back to zero.
    #[test]
    fn stream_keeps_order_sizes_and_memory(
        n in 1u32..=8,
        batch_size in batch_size_strategy(),
        mem_mode in (any::<u8>(), any::<u32>()),
        mode in mode_strategy(),
        leaders_mask in prop_oneof![3 => Just(0xffu8), 1 => any::<u8>()],
        seed in any::<u64>(),
        ops in prop_oneof![Just(0u32), Just(30), Just(80)]
            .prop_flat_map(|keyed_percent| prop::collection::vec(op(keyed_percent), 1..300)),
    ) {
        let case = StreamCase { n, batch_size, mem_mode, mode, compression: None, leaders_mask, seed };
        run_stream(case, &ops)?;
    }

    /// Properties 1 and 3, and the compressed estimate (`61 + uncompressed x ratio x 1.05`),
    /// with compression on.
    #[test]
    fn compressed_stream_keeps_order_and_memory(
        n in 1u32..=6,
        batch_size in batch_size_strategy(),
        mem_mode in (any::<u8>(), any::<u32>()),
        mode in mode_strategy(),
        ratio in prop_oneof![Just(1.0f32), 0.05f32..1.0],
        seed in any::<u64>(),
        ops in prop::collection::vec(op(40), 1..200),
    ) {
        let case = StreamCase {
            n, batch_size, mem_mode, mode, compression: Some(ratio), leaders_mask: 0xff, seed,
        };
        run_stream(case, &ops)?;
    }
}

/// The generators do reach the interesting cases: refused appends, oversized batches,
/// values above batch.size (so a passing run is not a vacuous one).
#[test]
fn streams_reach_edge_cases() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (
        batch_size_strategy(),
        (any::<u8>(), any::<u32>()),
        any::<u64>(),
        prop::collection::vec(op(30), 50..300),
    );
    let (mut refused, mut over, mut big) = (0u32, 0u32, 0u32);
    for _ in 0..200 {
        let (bs, mem, seed, ops) = strategy.new_tree(&mut runner).unwrap().current();
        big += ops
            .iter()
            .filter(|o| matches!(o, Op::Send(s) if s.value_len(bs) > bs))
            .count() as u32;
        let case = StreamCase {
            n: 4,
            batch_size: bs,
            mem_mode: mem,
            mode: Mode::BuiltIn,
            compression: None,
            leaders_mask: 0xff,
            seed,
        };
        let h = run_stream(case, &ops).unwrap();
        refused += h.refused;
        over += h.oversize_multi;
    }
    assert!(refused > 50, "BufferExhausted reached {refused} times");
    assert!(big > 200, "values above batch.size: {big}");
    // Multi-record batches above batch.size exist (Kafka's slack), and are counted.
    eprintln!(
        "refused {refused}, values > batch.size {big}, multi-record batches > batch.size {over}"
    );
}

/// Kafka's `hasRoomFor` checks the write limit, which for a record larger than batch.size
/// is that record's *upper bound* (61 + 21 + key + value + headers): a small record can
/// follow it into the slack. So "a batch larger than batch.size holds exactly one record"
/// is not exact in Kafka; the bound that holds is `size <= write_limit`.
#[test]
fn oversized_batch_takes_a_small_record_in_its_slack() {
    let mut acc = RecordAccumulator::new(1, 100, 1 << 20, 1);
    let mk = |id, value_len| RecordMeta {
        id,
        key: None,
        key_len: None,
        value_len,
        headers: HeaderSpec::default(),
        explicit_partition: None,
        size_bytes: 0,
        created_at: SimTime::ZERO,
    };
    let (mut a, mut b) = (mk(0, 200), mk(1, 0));
    let ra = acc
        .append_fixed(0, &mut a, SimTime::ZERO, PartitionReason::Explicit)
        .unwrap();
    let rb = acc
        .append_fixed(0, &mut b, SimTime::ZERO, PartitionReason::Explicit)
        .unwrap();
    let batch = &acc.deque(0).unwrap()[0];
    // Upper bound 61 + 21 + 1 + (2 + 200) + 1 = 286; real sizes 61 + 209 + 7 = 277.
    assert_eq!(batch.write_limit, 286);
    assert_eq!((a.size_bytes, b.size_bytes), (209, 7));
    assert!(ra.new_batch && !rb.new_batch);
    assert_eq!(batch.size_bytes, 277);
    assert_eq!(batch.records.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// 4: built-in partitioner (KIP-794)
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Op4 {
    Send(RecSpec),
    Advance(u32),
    /// `pop_first` and complete at once.
    Drain(u8),
}

fn op4() -> impl Strategy<Value = Op4> {
    prop_oneof![
        14 => rec_spec(0).prop_map(Op4::Send),
        2 => prop_oneof![3 => 0u32..3_000, 1 => 0u32..200_000].prop_map(Op4::Advance),
        2 => any::<u8>().prop_map(Op4::Drain),
    ]
}

/// A run: the records produced to one sticky-partition choice.
#[derive(Default)]
struct Run {
    partition: u32,
    bytes: Vec<u32>,
}

/// Property 4 for one stream; returns the switches made before appending, after appending
/// on a full batch (below 2S), and after appending at 2S.
fn check_built_in(
    n: u32,
    batch_size: u32,
    seed: u64,
    ops: &[Op4],
) -> Result<(u32, u32, u32), TestCaseError> {
    let leaders: Vec<Option<u32>> = (0..n).map(Some).collect();
    let s = batch_size.max(1);
    let mut acc = RecordAccumulator::new(n, batch_size, u64::MAX / 4, 1);
    let mut part = BuiltInPartitioner::new(batch_size);
    prop_assert_eq!(part.sticky_batch_size, s);
    let mut rng = Rng::new(seed);
    let mut now = SimTime(0);
    let mut runs: Vec<Run> = Vec::new();
    let mut run = Run::default();
    let mut switches = 0u32;
    let mut pre_switches = 0u32;
    let mut full_switches = 0u32;
    for (id, op) in ops.iter().enumerate() {
        match op {
            Op4::Advance(us) => now = now.plus(*us as u64),
            Op4::Drain(i) => {
                if let Some(b) = acc.pop_first(*i as u32 % n) {
                    acc.deallocate(&b);
                }
            }
            Op4::Send(spec) => {
                let mut rec = spec.meta(id as u64, batch_size, now);
                // (a) the current partition (chosen now if none).
                let c = part.peek(&mut rng, &leaders);
                let (pc, produced) = part.current.unwrap();
                prop_assert_eq!(pc, c);
                if run.bytes.is_empty() {
                    run.partition = c;
                }
                // (b)/(c): queue empty, last batch full, or the record does not fit, and
                // S bytes produced: switch before appending.
                let fits = fits_last(&acc, c, &rec, now);
                let expect_pre = produced >= s && !fits;
                let rng_before = rng.clone();
                let r = acc
                    .append_built_in(&mut part, &mut rec, now, &mut rng, &leaders)
                    .unwrap();
                let draws = draws_between(&rng_before, &rng);
                prop_assert!(draws.is_some_and(|d| d <= 2), "{:?} draws", draws);
                let (after_p, after_bytes) = part.current.unwrap();
                let (pre, post) = match draws.unwrap() {
                    0 => (false, false),
                    1 => (after_bytes != 0, after_bytes == 0),
                    _ => (true, true),
                };
                prop_assert_eq!(
                    pre,
                    expect_pre,
                    "record {}: switch before append (produced {} of S {}, fits {})",
                    id,
                    produced,
                    s,
                    fits
                );
                prop_assert!(r.appended_bytes > 0);
                if pre {
                    switches += 1;
                    pre_switches += 1;
                    runs.push(std::mem::take(&mut run));
                    run.partition = r.partition;
                } else {
                    prop_assert_eq!(r.partition, c, "moved without a switch");
                }
                prop_assert_eq!(r.partition, run.partition);
                run.bytes.push(r.appended_bytes);
                // (d) produced bytes grow by the batch's estimated growth.
                let produced = if pre { 0 } else { produced } + r.appended_bytes;
                let last_full = acc
                    .deque(r.partition)
                    .and_then(|d| d.back())
                    .is_none_or(full);
                // (e) after appending.
                let expect_post = produced >= 2 * s || (produced >= s && last_full);
                prop_assert_eq!(
                    post,
                    expect_post,
                    "record {}: switch after append (produced {} of S {}, last full {})",
                    id,
                    produced,
                    s,
                    last_full
                );
                if post {
                    switches += 1;
                    full_switches += (produced < 2 * s) as u32;
                    runs.push(std::mem::take(&mut run));
                } else {
                    prop_assert_eq!((after_p, after_bytes), (r.partition, produced));
                }
            }
        }
    }
    for (i, r) in runs.iter().enumerate() {
        let sum: u32 = r.bytes.iter().sum();
        let last = *r.bytes.last().unwrap();
        prop_assert!(
            sum >= s,
            "run {} on p{} switched after {} < S = {} bytes",
            i,
            r.partition,
            sum,
            s
        );
        prop_assert!(
            sum - last < 2 * s,
            "run {} on p{} passed 2S = {} before its last record ({} bytes)",
            i,
            r.partition,
            2 * s,
            sum - last
        );
    }
    // The last run is unfinished: it is below 2S (else it would have switched).
    let sum: u32 = run.bytes.iter().sum();
    prop_assert!(sum < 2 * s);
    prop_assert_eq!(switches as usize, runs.len());
    Ok((
        pre_switches,
        full_switches,
        switches - pre_switches - full_switches,
    ))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// Keyless records under `append_built_in` without load statistics. Switches are
    /// observed, not inferred: each partition choice draws once from the Rng, so the draws an
    /// append made say whether it switched before appending (b/c), after (e), or both.
    /// Checked: every switch is one BRIEF.md's rule calls for and every switch the rule calls
    /// for happens; each finished run took >= S bytes; no run passes 2S before its last record.
    #[test]
    fn built_in_switches_between_s_and_2s(
        n in 2u32..=8,
        batch_size in batch_size_strategy(),
        seed in any::<u64>(),
        ops in prop::collection::vec(op4(), 1..400),
    ) {
        check_built_in(n, batch_size, seed, &ops)?;
    }
}

/// Every kind of switch occurs in the generated streams (before an append: queue empty, last
/// batch full or the record does not fit; after: a batch filled to its limit, or 2S).
#[test]
fn built_in_streams_reach_both_switch_points() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (
        2u32..=8,
        batch_size_strategy(),
        any::<u64>(),
        prop::collection::vec(op4(), 100..400),
    );
    let (mut pre, mut full, mut at_2s) = (0u32, 0u32, 0u32);
    for _ in 0..200 {
        let (n, bs, seed, ops) = strategy.new_tree(&mut runner).unwrap().current();
        let (a, b, c) = check_built_in(n, bs, seed, &ops).unwrap();
        pre += a;
        full += b;
        at_2s += c;
    }
    let msg = format!("switches before append {pre}, after on a full batch {full}, at 2S {at_2s}");
    assert!(pre > 100 && full > 10 && at_2s > 100, "{msg}");
    eprintln!("{msg}");
}

// ---------------------------------------------------------------------------------------------
// 5: legacy sticky (2.4-3.2) and round-robin
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A keyless record stays on the sticky partition unless it would open a new batch there;
    /// then it goes to another available partition (KIP-480). A keyed record that opens a new
    /// batch on the sticky partition moves the sticky partition too (`onNewBatch`).
    #[test]
    fn legacy_sticky_moves_only_on_new_batch(
        n in 1u32..=8,
        batch_size in batch_size_strategy(),
        leaders_mask in prop_oneof![2 => Just(0xffu8), 1 => any::<u8>()],
        seed in any::<u64>(),
        ops in prop::collection::vec(op(30), 1..300),
    ) {
        let leaders: Vec<Option<u32>> = (0..n)
            .map(|i| ((leaders_mask >> i) & 1 == 1).then_some(i))
            .collect();
        let avail: Vec<u32> = available(&leaders).collect();
        let mut acc = RecordAccumulator::new(n, batch_size, 1 << 40, 1);
        let mut sticky = LegacySticky::default();
        let mut rng = Rng::new(seed);
        let mut now = SimTime(0);
        for (id, op) in ops.iter().enumerate() {
            match op {
                Op::Advance(us) => now = now.plus(*us as u64),
                Op::Drain(i) | Op::Ack(i) | Op::Retry(i, _) => {
                    if let Some(b) = acc.pop_first(*i as u32 % n) {
                        acc.deallocate(&b);
                    }
                }
                Op::Send(spec) => {
                    let mut rec = spec.meta(id as u64, batch_size, now);
                    let keyed = rec
                        .key
                        .map(|k| (k % n, PartitionReason::KeyHash { murmur2: 0, partitions: n }));
                    let before = sticky.current;
                    // The partition the record is first given.
                    let first = keyed.map_or_else(|| sticky.partition(&mut rng, &leaders), |k| k.0);
                    let cached = sticky.current;
                    let would_open = !fits_last(&acc, first, &rec, now);
                    let r = acc
                        .append_legacy(&mut sticky, keyed, &mut rec, now, &mut rng, &leaders)
                        .unwrap();
                    match keyed {
                        None => {
                            if !would_open {
                                prop_assert_eq!(r.partition, first, "moved without a new batch");
                                prop_assert!(!r.new_batch);
                            } else if avail.len() >= 2 {
                                prop_assert_ne!(r.partition, first, "new batch, same partition");
                                prop_assert!(avail.contains(&r.partition));
                            }
                            prop_assert_eq!(sticky.current, Some(r.partition));
                            prop_assert_eq!(r.reason, PartitionReason::LegacySticky);
                        }
                        Some((kp, _)) => {
                            prop_assert_eq!(r.partition, kp);
                            if would_open && cached == Some(kp) && avail.len() >= 2 {
                                prop_assert_ne!(sticky.current, Some(kp));
                            } else if !would_open {
                                prop_assert_eq!(sticky.current, before);
                            } else if cached.is_some() && cached != Some(kp) {
                                prop_assert_eq!(sticky.current, cached, "other partition's batch moved the cache");
                            }
                        }
                    }
                }
            }
        }
    }

    /// `RoundRobinPartitioner` (4.0+): the counter from 0 walks the partitions that have a
    /// leader in order, even while leaders change; all partitions when none has one.
    #[test]
    fn round_robin_walks_available_partitions(
        n in 1u32..=12,
        masks in prop::collection::vec((any::<u16>(), 1usize..30), 1..10),
    ) {
        let mut rr = RoundRobin::default();
        let mut expect_counter = 0u32;
        for (mask, calls) in masks {
            let leaders: Vec<Option<u32>> = (0..n)
                .map(|i| ((mask >> i) & 1 == 1).then_some(i))
                .collect();
            let avail: Vec<u32> = (0..n).filter(|&i| leaders[i as usize].is_some()).collect();
            let mut prev: Option<u32> = None;
            for _ in 0..calls {
                let (p, counter) = rr.partition(&leaders);
                prop_assert_eq!(counter, expect_counter);
                let want = if avail.is_empty() {
                    counter % n
                } else {
                    avail[counter as usize % avail.len()]
                };
                prop_assert_eq!(p, want);
                if let (Some(q), false) = (prev, avail.is_empty()) {
                    // The next available partition after q, cyclically.
                    let i = avail.iter().position(|&a| a == q).unwrap();
                    prop_assert_eq!(p, avail[(i + 1) % avail.len()]);
                }
                prev = Some(p);
                expect_counter += 1;
            }
        }
    }
}

/// Kafka 2.4-3.2: `RecordAccumulator.append(.., abortOnNewBatch = true)` first calls
/// `tryAppend`, which closes the last batch when the record does not fit
/// (`last.closeForRecordAppends()`), and only then returns `abortForNewBatch`. So the batch
/// the sticky partition leaves is closed: full, hence ready at once, and no later record joins
/// it.
#[test]
fn legacy_abort_closes_the_batch_left_behind() {
    let leaders = [Some(0), Some(1), Some(2)];
    let mut acc = RecordAccumulator::new(3, 200, 1 << 20, 1);
    let mut sticky = LegacySticky::default();
    let mut rng = Rng::new(11);
    let mk = |id: u64, value_len: u32| RecordMeta {
        id,
        key: None,
        key_len: None,
        value_len,
        headers: HeaderSpec::default(),
        explicit_partition: None,
        size_bytes: 0,
        created_at: SimTime::ZERO,
    };
    // 61 + 3 x 37 = 172 bytes; a fourth 37-byte record does not fit in 200.
    let mut first = None;
    for id in 0..4u64 {
        let mut rec = mk(id, 30);
        let r = acc
            .append_legacy(
                &mut sticky,
                None,
                &mut rec,
                SimTime::ZERO,
                &mut rng,
                &leaders,
            )
            .unwrap();
        first.get_or_insert(r.partition);
        if id == 3 {
            assert_ne!(Some(r.partition), first, "the fourth record moved on");
        }
    }
    let left = first.unwrap();
    let batch = acc.deque(left).unwrap().back().unwrap();
    assert_eq!(batch.records.len(), 3);
    assert!(
        batch.closed,
        "the batch left behind is closed for appends in Kafka"
    );
    assert!(acc.first_ready(left, SimTime::ZERO, 1_000_000, false));
    // A small keyed record for that partition: Kafka opens a new batch.
    let mut small = RecordMeta {
        key: Some(1),
        key_len: Some(5),
        ..mk(9, 1)
    };
    let r = acc
        .append_legacy(
            &mut sticky,
            Some((left, PartitionReason::Explicit)),
            &mut small,
            SimTime::ZERO,
            &mut rng,
            &leaders,
        )
        .unwrap();
    assert!(r.new_batch, "joined a batch Kafka had closed");
}

// ---------------------------------------------------------------------------------------------
// 6: adaptive partitioning
// ---------------------------------------------------------------------------------------------

/// Puts exactly `q[i]` batches in partition i's deque (every partition gets a deque).
fn accumulator_with_queues(q: &[u32]) -> RecordAccumulator {
    let mut acc = RecordAccumulator::new(q.len() as u32, 100, 1 << 40, 1);
    let mut id = 0;
    for (p, &count) in q.iter().enumerate() {
        // One record of 200 bytes per batch: the next one never fits the slack.
        for _ in 0..count.max(1) {
            let mut rec = RecordMeta {
                id,
                key: None,
                key_len: None,
                value_len: 200,
                headers: HeaderSpec::default(),
                explicit_partition: None,
                size_bytes: 0,
                created_at: SimTime::ZERO,
            };
            id += 1;
            let r = acc
                .append_fixed(p as u32, &mut rec, SimTime::ZERO, PartitionReason::Explicit)
                .unwrap();
            assert!(r.new_batch);
        }
        if count == 0 {
            let b = acc.pop_first(p as u32).unwrap();
            acc.deallocate(&b);
        }
    }
    acc
}

#[test]
fn kafka_adaptive_vector_from_queues() {
    // BuiltInPartitionerTest.adaptivePartitionsTest: {5,0,3,0,1} -> {1,7,10,16,21}.
    let s = compute_load_stats(Some((&[5, 0, 3, 0, 1], &[0, 1, 2, 3, 4])), 5).unwrap();
    assert_eq!(s.cumulative_frequency, [1, 7, 10, 16, 21]);
    assert_eq!(s.partition_ids, [0, 1, 2, 3, 4]);
    // The same table from an accumulator holding those queues.
    let acc = accumulator_with_queues(&[5, 0, 3, 0, 1]);
    let leaders = [Some(0); 5];
    let (sizes, ids) = acc.queue_sizes(&leaders, |_| true).unwrap();
    assert_eq!(sizes, [5, 0, 3, 0, 1]);
    let s = compute_load_stats(Some((&sizes, &ids)), 5).unwrap();
    assert_eq!(s.cumulative_frequency, [1, 7, 10, 16, 21]);
    // Before every partition has had a deque: no statistics.
    let fresh = RecordAccumulator::new(5, 100, 1 << 20, 1);
    assert!(fresh.queue_sizes(&leaders, |_| true).is_none());
    // All equal: uniform.
    assert!(compute_load_stats(Some((&[2, 2, 2], &[0, 1, 2])), 3).is_none());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// With load statistics from the accumulator's queue sizes, the built-in partitioner picks
    /// partition i with probability (max + 1 - q_i) / sum, over partitions with a leader only.
    #[test]
    fn adaptive_choice_follows_inverted_queue_sizes(
        q in prop::collection::vec(0u32..6, 2..=6),
        leaderless in any::<u8>(),
        seed in any::<u64>(),
    ) {
        let n = q.len() as u32;
        let acc = accumulator_with_queues(&q);
        // Leave partition `leaderless % (n+1)` without a leader (none when it is n).
        let gone = leaderless as u32 % (n + 1);
        let leaders: Vec<Option<u32>> = (0..n).map(|i| (i != gone).then_some(i)).collect();
        let (sizes, ids) = acc.queue_sizes(&leaders, |_| true).unwrap();
        let want_sizes: Vec<u32> = (0..n).filter(|&i| i != gone).map(|i| q[i as usize]).collect();
        prop_assert_eq!(&sizes, &want_sizes);
        let with_leader: Vec<u32> = (0..n).filter(|&i| i != gone).collect();
        prop_assert_eq!(&ids, &with_leader);
        let mut part = BuiltInPartitioner::new(100);
        part.update_load_stats(Some((&sizes, &ids)), n);
        let all_equal = sizes.iter().all(|&x| x == sizes[0]);
        let max = sizes.iter().copied().max().unwrap_or(0);
        let weights: Vec<f64> = if part.load_stats.is_none() {
            // Kafka: no statistics with fewer than 2 partitions or all queues equal.
            prop_assert!(sizes.len() < 2 || (all_equal && sizes.len() as u32 == n));
            vec![1.0; sizes.len()]
        } else {
            sizes.iter().map(|&x| (max + 1 - x) as f64).collect()
        };
        let total: f64 = weights.iter().sum();
        let draws = 12_000u32;
        let mut rng = Rng::new(seed);
        let mut counts = vec![0u32; n as usize];
        for _ in 0..draws {
            counts[part.next_partition(&mut rng, &leaders) as usize] += 1;
        }
        if gone < n {
            prop_assert_eq!(counts[gone as usize], 0, "picked a partition without a leader");
        }
        for (k, &p) in ids.iter().enumerate() {
            let prob = weights[k] / total;
            let expect = draws as f64 * prob;
            let sigma = (draws as f64 * prob * (1.0 - prob)).sqrt();
            let got = counts[p as usize] as f64;
            prop_assert!(
                (got - expect).abs() <= 6.0 * sigma + 20.0,
                "p{}: {} draws, expected {:.0} (weights {:?}, counts {:?})",
                p, got, expect, weights, counts
            );
        }
    }
}
