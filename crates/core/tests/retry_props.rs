//! Property test of the producer's failure paths (timeouts, retries, backoff, delivery
//! timeout, compression, buffer.memory): whatever the settings, the simulator never panics,
//! every record ends acknowledged or failed once sending stops, buffer memory returns to zero,
//! and an idempotent producer never writes a record twice.

use proptest::prelude::*;
use std::collections::HashMap;
use streamscope_core::{Change, Config, Sim, SimTime};

#[derive(Debug, Clone)]
struct Case {
    seed: u64,
    acks: &'static str,
    idempotence: Option<bool>,
    request_timeout_ms: u32,
    latency_us: u32,
    compression: &'static str,
    linger_ms: u32,
    batch_size: u32,
    buffer_memory: u32,
    max_in_flight: u32,
    rate: u32,
    retries: u32,
}

fn case() -> impl Strategy<Value = Case> {
    (
        any::<u64>(),
        prop_oneof![Just("0"), Just("1"), Just("all")],
        prop_oneof![Just(None), Just(Some(false)), Just(Some(true))],
        1u32..40,
        100u32..6_000,
        prop_oneof![
            Just("none"),
            Just("gzip"),
            Just("snappy"),
            Just("lz4"),
            Just("zstd")
        ],
        0u32..20,
        64u32..20_000,
        2_000u32..200_000,
        1u32..6,
        50u32..3_000,
        prop_oneof![Just(0u32), Just(1), Just(5), Just(2_147_483_647)],
    )
        .prop_map(
            |(
                seed,
                acks,
                idempotence,
                request_timeout_ms,
                latency_us,
                compression,
                linger_ms,
                batch_size,
                buffer_memory,
                max_in_flight,
                rate,
                retries,
            )| Case {
                seed,
                acks,
                idempotence,
                request_timeout_ms,
                latency_us,
                compression,
                linger_ms,
                batch_size,
                buffer_memory,
                max_in_flight,
                rate,
                retries,
            },
        )
}

fn config(c: &Case) -> Option<Config> {
    let mut cfg = Config::preset();
    let set = |cfg: &mut Config, k: &str, v: String| cfg.set(k, &v).ok();
    set(&mut cfg, "acks", c.acks.to_string())?;
    set(
        &mut cfg,
        "request.timeout.ms",
        c.request_timeout_ms.to_string(),
    )?;
    set(
        &mut cfg,
        "sim.network.latency",
        format!("{}us", c.latency_us),
    )?;
    set(&mut cfg, "compression.type", c.compression.to_string())?;
    set(&mut cfg, "linger.ms", c.linger_ms.to_string())?;
    set(&mut cfg, "batch.size", c.batch_size.to_string())?;
    set(&mut cfg, "buffer.memory", c.buffer_memory.to_string())?;
    set(
        &mut cfg,
        "max.in.flight.requests.per.connection",
        c.max_in_flight.to_string(),
    )?;
    set(&mut cfg, "sim.produce.rate", c.rate.to_string())?;
    set(&mut cfg, "retries", c.retries.to_string())?;
    set(
        &mut cfg,
        "delivery.timeout.ms",
        (c.linger_ms + c.request_timeout_ms + 200).to_string(),
    )?;
    set(&mut cfg, "max.block.ms", "50".to_string())?;
    if let Some(i) = c.idempotence {
        set(&mut cfg, "enable.idempotence", i.to_string())?;
    }
    cfg.validate().ok()?;
    Some(cfg)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn failure_paths_end_every_record(c in case()) {
        // Kafka refuses some combinations (explicit idempotence with acks 0/1, retries=0 ...).
        let Some(cfg) = config(&c) else { return Ok(()) };
        let mut sim = Sim::new(cfg, c.seed).unwrap();
        sim.run_until(SimTime(700_000));
        sim.apply(Change::Set { name: "sim.produce.rate".into(), value: "0".into() }).unwrap();
        // Past every delivery deadline: each record has an outcome.
        sim.run_until(SimTime(700_000 + 2_000_000));
        let idempotent = sim.producers()[0].idempotent;
        for p in sim.producers() {
            let st = p.stats;
            prop_assert_eq!(st.records_acknowledged + st.records_failed, st.records_sent, "{:?}", c);
            prop_assert!(p.in_flight.is_empty());
            prop_assert_eq!(p.accumulator.buffer_used, 0);
        }
        let s = sim.summary();
        for part in &s.partitions {
            prop_assert!(part.high_watermark <= part.log_end_offset);
        }
        if idempotent {
            let mut seen: HashMap<u64, u32> = HashMap::new();
            for p in &sim.topics()[0].partitions {
                if let Some(l) = p.leader_replica() {
                    for (_, e) in l.log.range(0, u64::MAX) {
                        *seen.entry(e.record_id).or_default() += 1;
                    }
                }
            }
            prop_assert!(seen.values().all(|n| *n == 1), "an idempotent producer wrote a record twice: {:?}", c);
        }
    }
}
