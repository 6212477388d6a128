//! The producer's metrics under Kafka's names (`client::producer::metrics`), read off runs
//! whose answers are known another way: the whole run's totals in the producer's own counters,
//! the request latency of acks=1 from the network's latency, the rate's window as Kafka's
//! `Rate.windowSize` pads it, and the errors of a partition without enough in-sync replicas.

use streamscope_core::sim::schedule::drain_limit;
use streamscope_core::{Change, Config, Sim, SimTime};

fn world(settings: &[(&str, &str)]) -> Config {
    let mut c = Config::preset();
    for (k, v) in settings {
        c.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
    }
    c
}

fn metric(sim: &Sim, name: &str) -> f64 {
    let values = sim.producers()[0].metric_values(sim.now());
    match values.iter().find(|(n, _)| *n == name) {
        Some((_, v)) => *v,
        None => panic!("no metric {name}: {values:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Within the first 30 s window everything recorded is still counted: the averages are the
/// whole run's, the totals its counters, and the rate is the total over Kafka's padded window
/// (the time since the first record plus one empty 30 s sample: `Rate.windowSize`).
#[test]
fn the_first_window_holds_the_whole_run() {
    let mut sim = Sim::new(world(&[("acks", "1"), ("enable.idempotence", "false")]), 5)
        .expect("the world is valid");
    sim.run_until(SimTime(20_000_000));
    let limit = drain_limit(sim.config(), sim.now());
    let report = sim.drain(limit);
    assert!(report.settled, "{report:?}");
    let s = sim.producers()[0].stats;
    assert!(s.batches_sent > 100 && s.batches_retried == 0, "{s:?}");
    let sent = metric(&sim, "record-send-total");
    assert_eq!(
        sent, s.records_acknowledged as f64,
        "every record was drained once"
    );
    assert!(close(
        metric(&sim, "batch-size-avg"),
        s.bytes_on_wire as f64 / s.batches_sent as f64
    ));
    assert!(close(
        metric(&sim, "records-per-request-avg"),
        sent / s.requests_sent as f64
    ));
    assert_eq!(
        metric(&sim, "compression-rate-avg"),
        1.0,
        "compression.type=none"
    );
    // The first record was drained within the first linger; the window is the time since
    // the first sample started plus one empty sample.
    let rate = metric(&sim, "record-send-rate");
    let window_s = sent / rate;
    let now_s = sim.now().0 as f64 / 1e6;
    assert!(
        window_s > now_s + 30.0 - 0.1 && window_s <= now_s + 30.0,
        "rate {rate}: a window of {window_s} s at {now_s} s"
    );
    assert_eq!(metric(&sim, "record-error-total"), 0.0);
    assert_eq!(metric(&sim, "record-retry-total"), 0.0);
    assert_eq!(
        metric(&sim, "buffer-available-bytes"),
        33_554_432.0,
        "drained: the whole buffer.memory is free"
    );
}

/// acks=1: the leader answers as soon as it appended, so a request's latency is the network's
/// two ways (1 ms each), give or take the millisecond the clock is read in.
#[test]
fn request_latency_is_the_round_trip_under_acks_1() {
    let mut sim = Sim::new(world(&[("acks", "1"), ("enable.idempotence", "false")]), 2)
        .expect("the world is valid");
    sim.run_until(SimTime(5_000_000));
    let avg = metric(&sim, "request-latency-avg");
    let max = metric(&sim, "request-latency-max");
    assert!(
        (1.0..=3.0).contains(&avg) && (2.0..=3.0).contains(&max),
        "{avg} / {max}"
    );
    assert!(
        metric(&sim, "record-queue-time-max") >= 5.0,
        "linger.ms=5 is waited out"
    );
}

/// min.insync.replicas=2 with two of three brokers down: every produce is refused with
/// NOT_ENOUGH_REPLICAS and retried until delivery.timeout.ms; the error total counts the
/// records that failed, the retry total the records sent again.
#[test]
fn refused_records_show_in_the_retry_and_error_metrics() {
    let mut sim = Sim::new(
        world(&[
            ("min.insync.replicas", "2"),
            ("delivery.timeout.ms", "5000"),
            ("request.timeout.ms", "2000"),
            ("linger.ms", "0"),
        ]),
        9,
    )
    .expect("the world is valid");
    sim.run_until(SimTime(1_000_000));
    for b in [1, 2] {
        sim.apply(Change::KillBroker { broker: b })
            .expect("broker exists");
    }
    sim.run_until(SimTime(25_000_000));
    let s = sim.producers()[0].stats;
    assert!(s.records_failed > 100, "{s:?}");
    assert_eq!(metric(&sim, "record-error-total"), s.records_failed as f64);
    assert!(metric(&sim, "record-retry-total") > 0.0);
    assert!(metric(&sim, "record-error-rate") > 0.0);
}
