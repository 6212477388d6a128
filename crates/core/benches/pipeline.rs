//! The consume-transform-produce pipeline's throughput: input records carried through to the
//! read_committed verifier per second of wall time, with `processing.guarantee=at_least_once`
//! (produce, flush, commitSync per poll) and `exactly_once_v2` (one transaction per poll), and
//! the same world without the pipeline for reference.
//!
//! World: `Config::preset()` (3 brokers, 6 partitions, RF 3, acks=all) producing 100,000
//! keyless records/s, `compression.type=none`, no initial rebalance delay; with the pipeline:
//! 2 processors (group `ctp`) writing topic `output`, 1 verifier. One iteration simulates 1 s
//! and drains (every input record processed, committed and read by the verifier).
//!
//! `cargo bench -p streamscope-core --bench pipeline`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use std::time::Duration;
use streamscope_core::{Config, Sim, SimTime};

const SPAN_US: u64 = 1_000_000;
const SEED: u64 = 1;

fn world(pipeline: Option<&str>) -> Config {
    let mut c = Config::preset();
    for (k, v) in [
        ("sim.produce.rate", "100000"),
        ("sim.keys", "0"),
        ("compression.type", "none"),
        ("group.initial.rebalance.delay.ms", "0"),
    ] {
        c.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
    }
    if let Some(g) = pipeline {
        c.set("sim.pipeline", "ctp").unwrap();
        c.set("processing.guarantee", g).unwrap();
    }
    c
}

fn run(pipeline: Option<&str>) -> Sim {
    let mut sim = Sim::new(world(pipeline), SEED).unwrap();
    sim.run_until(SimTime(SPAN_US));
    let limit = sim.now().plus(120_000_000);
    assert!(sim.drain(limit).settled, "the run settles");
    sim
}

fn pipeline(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for (name, g) in [
        ("none", None),
        ("at_least_once", Some("at_least_once")),
        ("exactly_once_v2", Some("exactly_once_v2")),
    ] {
        let probe = run(g);
        let records = match probe.pipeline_report() {
            Some(r) => {
                assert_eq!((r.missing, r.duplicates), (0, 0), "{name}: {r:?}");
                eprintln!(
                    "pipeline bench {name}: {} input records, {} read by the verifier, {} transactions, {} events",
                    r.input,
                    r.output_committed,
                    r.transactions_committed,
                    probe.events_processed()
                );
                r.input
            }
            None => {
                let s = probe.summary();
                eprintln!(
                    "pipeline bench {name}: {} records sent, {} consumed, {} events",
                    s.records_sent,
                    s.records_consumed,
                    probe.events_processed()
                );
                s.records_sent
            }
        };
        group.throughput(Throughput::Elements(records));
        group.bench_function(name, |b| b.iter(|| black_box(run(g)).events_processed()));
    }
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
