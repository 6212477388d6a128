//! Compression in the running simulator: real batch bytes are compressed when a batch
//! closes, the estimate that sizes batches follows Kafka's CompressionRatioEstimator, and a
//! compressible workload packs more records into batch.size.

use streamscope_core::{Config, Sim, SimTime};

fn run(settings: &[(&str, &str)]) -> Sim {
    let mut c = Config::preset();
    c.set("sim.produce.rate", "20000").unwrap();
    c.set("sim.keys", "0").unwrap();
    c.set("linger.ms", "50").unwrap();
    for (k, v) in settings {
        c.set(k, v).unwrap();
    }
    let mut sim = Sim::new(c, 5).unwrap();
    sim.run_until(SimTime(2_000_000));
    sim
}

fn ratio(sim: &Sim) -> f64 {
    let v = &sim.producer_views()[0];
    v.bytes_on_wire as f64 / v.bytes_uncompressed as f64
}

fn records_per_batch(sim: &Sim) -> f64 {
    let v = &sim.producer_views()[0];
    v.records_sent as f64 / v.batches_sent.max(1) as f64
}

#[test]
fn every_codec_shrinks_json_and_none_does_not() {
    let none = run(&[]);
    assert!((ratio(&none) - 1.0).abs() < 1e-9, "none: {}", ratio(&none));
    for codec in ["gzip", "snappy", "lz4", "zstd"] {
        let sim = run(&[("compression.type", codec)]);
        let r = ratio(&sim);
        assert!(r < 0.6, "{codec}: json values compress (ratio {r:.3})");
        // The estimate has moved from its start (1.0); small batches (a record or two, sent
        // by linger or riding along) compress worse and push it up at once, while good ones
        // pull it down only 0.005 a batch, as in Kafka.
        let est = sim.producer_views()[0].compression_ratio_estimate as f64;
        assert!(est != 1.0 && est < 1.5, "{codec}: estimate {est}");
        // Batches are sized by the estimate, not by the real compressed size: with the
        // estimate near 1, a batch still holds about what an uncompressed one does.
        let rpb = records_per_batch(&sim) / records_per_batch(&none);
        assert!(rpb > 0.5 && rpb < 1.5, "{codec}: {rpb}");
        let s = sim.summary();
        assert_eq!(s.records_failed, 0);
        assert!(s.records_acknowledged > 30_000);
    }
}

#[test]
fn random_values_do_not_compress() {
    let sim = run(&[("compression.type", "lz4"), ("sim.value.kind", "random")]);
    let r = ratio(&sim);
    assert!(
        r > 0.95,
        "random bytes stay about the same size (ratio {r:.3})"
    );
    let est = sim.producer_views()[0].compression_ratio_estimate;
    assert!(est > 0.9, "the estimate stays near 1 ({est})");
}

#[test]
fn bad_levels_are_refused_like_kafka() {
    let mut c = Config::preset();
    let e = c.set("compression.gzip.level", "0").unwrap_err();
    assert_eq!(e.field, "compression.gzip.level");
    assert!(c.set("compression.lz4.level", "18").is_err());
    assert!(c.set("compression.zstd.level", "23").is_err());
    assert!(c.set("compression.type", "brotli").is_err());
    c.set("compression.gzip.level", "9").unwrap();
}
