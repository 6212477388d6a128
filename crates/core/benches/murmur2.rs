//! Throughput of the Java client's key partitioning (Kafka's murmur2 + `toPositive % N`) and,
//! for comparison, librdkafka's default (`consistent_random`, CRC-32), in bytes of key per
//! second. Budget (SPEC.md): murmur2 + partition choice >= 500 MB/s natively for 16-byte keys.
//!
//! `cargo bench -p streamscope-core --bench murmur2`

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use streamscope_core::librdkafka::{consistent_random, Partitioning};
use streamscope_core::murmur2::partition_for_key;

const KEYS: usize = 4096;
const PARTITIONS: u32 = 12;

/// `KEYS` keys of `len` bytes each, laid end to end; deterministic (an LCG), printable ASCII.
fn keys(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..KEYS * len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            b'!' + ((state >> 33) % 94) as u8
        })
        .collect()
}

fn partitioning(c: &mut Criterion) {
    let mut group = c.benchmark_group("partition_for_key");
    for len in [4usize, 16, 64, 256] {
        let data = keys(len);
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_with_input(BenchmarkId::new("murmur2", len), &data, |b, data| {
            b.iter(|| {
                let mut sum = 0u32;
                for key in data.chunks_exact(len) {
                    sum = sum.wrapping_add(partition_for_key(black_box(key), PARTITIONS));
                }
                sum
            })
        });
        group.bench_with_input(
            BenchmarkId::new("crc32_consistent_random", len),
            &data,
            |b, data| {
                b.iter(|| {
                    let mut sum = 0u32;
                    for key in data.chunks_exact(len) {
                        if let Partitioning::Partition(p) =
                            consistent_random(Some(black_box(key)), PARTITIONS)
                        {
                            sum = sum.wrapping_add(p);
                        }
                    }
                    sum
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, partitioning);
criterion_main!(benches);
