//! Throughput of the producer's `RecordAccumulator`, in records per second: append plus drain.
//!
//! - `built_in`: keyless 100-byte records under the built-in sticky partitioner (KIP-794,
//!   `append_built_in`, no load statistics) over 6 partitions, batch.size 16384;
//! - `keyed`: records with keys `key-0` .. `key-1023` (partition precomputed with murmur2, so
//!   the hash is not measured) through `append_fixed`, same sizes.
//!
//! Full (closed) batches are drained as they fill (`pop_first` + `deallocate`), as a sender
//! that keeps up would; what is left is drained at the end of each iteration.
//!
//! `cargo bench -p streamscope-core --bench accumulator -- --warm-up-time 1 --measurement-time 3`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use std::time::Duration;
use streamscope_core::murmur2::partition_for_key;
use streamscope_core::producer::accumulator::{RecordAccumulator, RecordMeta};
use streamscope_core::producer::partitioner::{BuiltInPartitioner, PartitionReason};
use streamscope_core::producer::record::HeaderSpec;
use streamscope_core::rng::Rng;
use streamscope_core::time::SimTime;

const RECORDS: u64 = 100_000;
const PARTITIONS: u32 = 6;
const BATCH_SIZE: u32 = 16_384;
const BUFFER_MEMORY: u64 = 33_554_432;
const VALUE_LEN: u32 = 100;
const KEYS: u32 = 1024;

fn record(id: u64, key: Option<u32>, now: SimTime) -> RecordMeta {
    RecordMeta {
        id,
        key,
        // `key-N` as StringSerializer writes it.
        key_len: key.map(|k| 4 + k.to_string().len() as u32),
        value_len: VALUE_LEN,
        headers: HeaderSpec::default(),
        explicit_partition: None,
        size_bytes: 0,
        created_at: now,
    }
}

/// Sends the batches at the front of `p` that are complete (full, or followed by another).
fn drain_full(acc: &mut RecordAccumulator, p: u32) -> u64 {
    let mut sent = 0;
    while acc
        .deque(p)
        .is_some_and(|d| d.len() > 1 || d.front().is_some_and(|b| b.is_full()))
    {
        if let Some(b) = acc.pop_first(p) {
            sent += b.records.len() as u64;
            acc.deallocate(&b);
        }
    }
    sent
}

fn drain_all(acc: &mut RecordAccumulator) -> u64 {
    let mut sent = 0;
    for p in 0..PARTITIONS {
        while let Some(b) = acc.pop_first(p) {
            sent += b.records.len() as u64;
            acc.deallocate(&b);
        }
    }
    sent
}

fn built_in() -> u64 {
    let leaders: Vec<Option<u32>> = (0..PARTITIONS).map(Some).collect();
    let mut acc = RecordAccumulator::new(PARTITIONS, BATCH_SIZE, BUFFER_MEMORY, 1);
    let mut part = BuiltInPartitioner::new(BATCH_SIZE);
    let mut rng = Rng::new(42);
    let mut sent = 0;
    for id in 0..RECORDS {
        // 10 us between records: 100k records/s from the application.
        let now = SimTime(id * 10);
        let mut rec = record(id, None, now);
        let r = acc
            .append_built_in(&mut part, &mut rec, now, &mut rng, &leaders)
            .expect("buffer memory");
        if r.new_batch {
            // The batch closed by this record may sit on the partition just left.
            for p in 0..PARTITIONS {
                sent += drain_full(&mut acc, p);
            }
        }
    }
    sent += drain_all(&mut acc);
    assert_eq!(sent, RECORDS);
    sent
}

fn keyed(partition_of: &[u32]) -> u64 {
    let mut acc = RecordAccumulator::new(PARTITIONS, BATCH_SIZE, BUFFER_MEMORY, 1);
    let mut sent = 0;
    for id in 0..RECORDS {
        let now = SimTime(id * 10);
        let k = (id % KEYS as u64) as u32;
        let p = partition_of[k as usize];
        let mut rec = record(id, Some(k), now);
        let reason = PartitionReason::KeyHash {
            murmur2: 0,
            partitions: PARTITIONS,
        };
        let r = acc
            .append_fixed(p, &mut rec, now, reason)
            .expect("buffer memory");
        if r.new_batch {
            sent += drain_full(&mut acc, p);
        }
    }
    sent += drain_all(&mut acc);
    assert_eq!(sent, RECORDS);
    sent
}

fn accumulator(c: &mut Criterion) {
    let partition_of: Vec<u32> = (0..KEYS)
        .map(|k| partition_for_key(format!("key-{k}").as_bytes(), PARTITIONS))
        .collect();
    let mut group = c.benchmark_group("accumulator");
    group
        .throughput(Throughput::Elements(RECORDS))
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("built_in_keyless_100B", |b| {
        b.iter(|| black_box(built_in()))
    });
    group.bench_function("keyed_append_fixed_100B", |b| {
        b.iter(|| black_box(keyed(black_box(&partition_of))))
    });
    group.finish();
}

criterion_group!(benches, accumulator);
criterion_main!(benches);
