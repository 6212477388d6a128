//! Compression throughput of `streamscope_core::compression` per codec at Kafka's default
//! levels, on a 16 KiB batch (the default `batch.size`) of each value shape: MB/s of
//! uncompressed records section in, the compressed section (with Kafka's framing) out. Also
//! the cost of making the batch's bytes (value generator + record encoding).
//!
//! `cargo bench -p streamscope-core --bench compression`

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use streamscope_core::compression::{
    compress, decompress, encode_records, key_bytes, value_bytes, Compression, CompressionType,
    RecordBytes, ValueKind,
};

const BATCH_BYTES: usize = 16 * 1024;
const VALUE_LEN: usize = 512;

/// Records of `VALUE_LEN`-byte values while the batch (61-byte header + section) stays within
/// 16 KiB, as the accumulator fills a batch; every fourth record keyless.
fn batch(kind: ValueKind) -> (Vec<Option<Vec<u8>>>, Vec<Vec<u8>>) {
    let mut keys = Vec::new();
    let mut values = Vec::new();
    let mut size = 61;
    for i in 0u64.. {
        let key = if i % 4 == 3 {
            None
        } else {
            Some(key_bytes((i * 7 % 1000) as u32))
        };
        let value = value_bytes(1_000_000 + i, VALUE_LEN, kind);
        let n = VALUE_LEN + key.as_ref().map_or(1, |k| k.len() + 1) + 10;
        if size + n > BATCH_BYTES && i > 0 {
            break;
        }
        size += n;
        keys.push(key);
        values.push(value);
    }
    (keys, values)
}

fn records<'a>(keys: &'a [Option<Vec<u8>>], values: &'a [Vec<u8>]) -> Vec<RecordBytes<'a>> {
    (0..values.len())
        .map(|i| RecordBytes {
            key: keys[i].as_deref(),
            value: Some(&values[i]),
            timestamp_delta: 2 * i as i64,
            offset_delta: i as i32,
            headers: Default::default(),
        })
        .collect()
}

fn codecs(c: &mut Criterion) {
    for kind in [
        ValueKind::Json,
        ValueKind::Text,
        ValueKind::Letters,
        ValueKind::Random,
    ] {
        let (keys, values) = batch(kind);
        let section = encode_records(&records(&keys, &values)).expect("encodes");
        let mut group = c.benchmark_group(format!("compress_16k_{}", kind.name()));
        group.throughput(Throughput::Bytes(section.len() as u64));
        for codec in CompressionType::ALL {
            let comp = Compression::of(codec);
            let out = compress(comp, &section);
            eprintln!(
                "{:<8} {:<7} section {} B -> {} B (ratio {:.3})",
                kind.name(),
                codec.name(),
                section.len(),
                out.len(),
                out.len() as f64 / section.len() as f64
            );
            group.bench_with_input(
                BenchmarkId::new("compress", codec.name()),
                &section,
                |b, s| b.iter(|| compress(comp, black_box(s)).len()),
            );
            if codec != CompressionType::None {
                group.bench_with_input(
                    BenchmarkId::new("decompress", codec.name()),
                    &out,
                    |b, o| {
                        b.iter(|| {
                            decompress(codec, black_box(o), section.len())
                                .map(|v| v.len())
                                .unwrap_or(0)
                        })
                    },
                );
            }
        }
        group.finish();
    }
}

fn make_bytes(c: &mut Criterion) {
    let mut group = c.benchmark_group("make_batch_bytes_16k");
    for kind in [ValueKind::Json, ValueKind::Letters] {
        let (keys, values) = batch(kind);
        let n = values.len() as u64;
        let bytes = encode_records(&records(&keys, &values)).map_or(0, |s| s.len());
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(kind.name(), |b| {
            b.iter(|| {
                let values: Vec<Vec<u8>> = (0..n)
                    .map(|i| value_bytes(1_000_000 + i, VALUE_LEN, kind))
                    .collect();
                encode_records(&records(&keys, &values)).map_or(0, |s| s.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, codecs, make_bytes);
criterion_main!(benches);
