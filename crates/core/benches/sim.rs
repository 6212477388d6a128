//! End-to-end simulator throughput: simulated records per second of wall time, through the
//! whole pipeline (send -> partitioner -> accumulator -> sender -> leader append -> follower
//! fetches -> high watermark -> consumer fetch -> poll). Target (BENCHMARKS.md): >= 2 million
//! records/s natively.
//!
//! World: `Config::preset()` (3 brokers, 6 partitions, replication factor 3, acks=all,
//! idempotent, linger.ms=5, batch.size=16384, 2 consumers) with `sim.produce.rate=1000000`,
//! keyless records (`sim.keys=0`), `compression.type=none`, and
//! `group.initial.rebalance.delay.ms=0` so the consumers read during the measured span.
//!
//! `cargo bench -p streamscope-core --bench sim`

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::time::Duration;
use streamscope_core::{Config, Sim, SimTime};

/// Simulated span of one iteration.
const SPAN_US: u64 = 100_000;
const SEED: u64 = 1;

fn world() -> Config {
    let mut c = Config::preset();
    for (k, v) in [
        ("sim.produce.rate", "1000000"),
        ("sim.keys", "0"),
        ("compression.type", "none"),
        ("group.initial.rebalance.delay.ms", "0"),
    ] {
        c.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
    }
    c
}

fn run(until: SimTime) -> Sim {
    let mut sim = Sim::new(world(), SEED).unwrap();
    sim.run_until(until);
    sim
}

fn end_to_end(c: &mut Criterion) {
    // The run is deterministic: count once what one iteration moves.
    let probe = run(SimTime(SPAN_US));
    let s = probe.summary();
    assert!(
        s.records_consumed * 10 >= s.records_sent * 8,
        "consumers keep up: {} of {}",
        s.records_consumed,
        s.records_sent
    );
    eprintln!(
        "sim bench world: {} ms simulated, {} records sent, {} acknowledged, {} consumed, {} events",
        SPAN_US / 1_000,
        s.records_sent,
        s.records_acknowledged,
        s.records_consumed,
        s.events
    );

    let mut group = c.benchmark_group("sim");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));

    // From a fresh world: construction, group join and the pipeline filling up included.
    group.throughput(Throughput::Elements(s.records_sent));
    group.bench_function("end_to_end_records_fresh", |b| {
        b.iter(|| black_box(run(SimTime(SPAN_US))).events_processed())
    });

    // Steady state: a world already 100 ms in (clone not timed) runs 100 ms more.
    let warm = run(SimTime(SPAN_US));
    let mut after = warm.clone();
    after.run_until(SimTime(2 * SPAN_US));
    let steady = after.summary().records_sent - s.records_sent;
    group.throughput(Throughput::Elements(steady));
    group.bench_function("end_to_end_records_steady", |b| {
        b.iter_batched(
            || warm.clone(),
            |mut sim| {
                sim.run_until(SimTime(2 * SPAN_US));
                sim
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, end_to_end);
criterion_main!(benches);
