//! The sender's retries as Kafka's: request.timeout.ms closes the connection and retries the
//! batches with backoff; without idempotence a retry of an appended batch writes it twice;
//! with it the leader answers the duplicate without appending; delivery.timeout.ms bounds
//! everything.

use std::collections::HashMap;
use streamscope_core::{Config, Event, Sim, SimTime};

fn sim(settings: &[(&str, &str)]) -> Sim {
    let mut c = Config::preset();
    c.set("sim.network.latency", "2ms").unwrap();
    for (k, v) in settings {
        c.set(k, v).unwrap();
    }
    Sim::new(c, 11).unwrap()
}

/// How many times each record id is in its partition's leader log.
fn copies(sim: &Sim) -> HashMap<u64, u32> {
    let mut m = HashMap::new();
    for p in &sim.topics()[0].partitions {
        if let Some(l) = p.leader_replica() {
            for (_, e) in l.log.range(0, u64::MAX) {
                *m.entry(e.record_id).or_insert(0) += 1;
            }
        }
    }
    m
}

fn timed_out(sim: &Sim) -> usize {
    sim.trace()
        .entries()
        .filter(|e| matches!(e.event, Event::RequestTimedOut { .. }))
        .count()
}

#[test]
fn retries_without_idempotence_write_records_twice() {
    // acks=1 needs one round trip (4 ms); a 3 ms request timeout fails every request after
    // the leader appended it, and each retry appends again.
    let mut s = sim(&[
        ("acks", "1"),
        ("request.timeout.ms", "3"),
        ("sim.produce.rate", "50"),
    ]);
    s.run_until(SimTime(1_000_000));
    assert!(timed_out(&s) > 0);
    assert!(!s.producers()[0].idempotent);
    let dup = copies(&s).values().filter(|n| **n > 1).count();
    assert!(dup > 10, "records written more than once: {dup}");
    assert!(s.producers()[0].stats.batches_retried > 0);
}

#[test]
fn idempotence_turns_retries_into_no_duplicates() {
    let mut s = sim(&[
        ("acks", "all"),
        ("request.timeout.ms", "5"),
        ("sim.produce.rate", "50"),
    ]);
    s.run_until(SimTime(1_000_000));
    assert!(s.producers()[0].idempotent);
    assert!(
        timed_out(&s) > 0,
        "acks=all needs ~8 ms here: requests time out"
    );
    assert!(s.producers()[0].stats.batches_retried > 0);
    assert!(
        copies(&s).values().all(|n| *n == 1),
        "no record is written twice"
    );
    let dups: u32 = s
        .trace()
        .entries()
        .filter_map(|e| match &e.event {
            Event::Delivered {
                detail: streamscope_core::event::Delivery::Appended { duplicates, .. },
                ..
            } => Some(*duplicates),
            _ => None,
        })
        .sum();
    assert!(
        dups > 0,
        "the leader recognised retried batches as duplicates"
    );
}

#[test]
fn delivery_timeout_fails_what_cannot_be_acknowledged() {
    let mut s = sim(&[
        ("request.timeout.ms", "3"),
        ("delivery.timeout.ms", "60"),
        ("linger.ms", "0"),
        ("sim.produce.rate", "100"),
    ]);
    s.run_until(SimTime(2_000_000));
    let st = s.producers()[0].stats;
    assert_eq!(st.records_acknowledged, 0, "acks=all never fits in 3 ms");
    assert!(st.records_failed > 100, "failed: {}", st.records_failed);
    // Every record sent long enough ago has an outcome: nothing hangs past the deadline.
    assert!(st.records_sent - st.records_failed < 20);
}

/// Lost responses (the broker appends, the producer never hears back): without idempotence
/// the retry writes the batch again; with it the leader recognises the duplicate.
#[test]
fn lost_responses_duplicate_only_without_idempotence() {
    use streamscope_core::Change;
    for (idempotent, settings) in [
        (false, vec![("acks", "1"), ("request.timeout.ms", "100")]),
        (true, vec![("acks", "all"), ("request.timeout.ms", "100")]),
    ] {
        let mut s = sim(&settings);
        s.run_until(SimTime(500_000));
        for b in 0..3 {
            s.apply(Change::DropResponses {
                broker: b,
                on: true,
            })
            .unwrap();
        }
        s.run_until(SimTime(700_000));
        for b in 0..3 {
            s.apply(Change::DropResponses {
                broker: b,
                on: false,
            })
            .unwrap();
        }
        s.run_until(SimTime(3_000_000));
        assert_eq!(s.producers()[0].idempotent, idempotent);
        assert!(timed_out(&s) > 0, "responses were lost, requests timed out");
        let twice = copies(&s).values().filter(|n| **n > 1).count();
        if idempotent {
            assert_eq!(twice, 0, "idempotence: no record written twice");
        } else {
            assert!(twice > 0, "without idempotence retries duplicate");
        }
        let st = s.producers()[0].stats;
        assert_eq!(st.records_failed, 0);
    }
}
