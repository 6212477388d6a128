//! A/B comparison (`streamscope_core::compare`): the choice of world B's settings is checked
//! field by field; world B is world A's run with only those settings changed (the same seed,
//! the same inputs at the same times, but a change to a setting B overrides); the headline
//! table's rows are each world's metric and B - A, and move the way Kafka's settings move them.

use streamscope_core::compare::{headline, CompareError, Comparison};
use streamscope_core::sim::input::Input;
use streamscope_core::sim::schedule::parse_fault;
use streamscope_core::{Change, Config, Sim, SimTime};

const S: u64 = 1_000_000;

fn preset_with(settings: &[(&str, &str)]) -> Config {
    let mut c = Config::preset();
    for (k, v) in settings {
        c.set(k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
    }
    c
}

fn refused(text: &str) -> CompareError {
    match Comparison::parse(text, &Config::preset()) {
        Ok(c) => panic!("{text}: accepted as {c:?}"),
        Err(e) => e,
    }
}

#[test]
fn a_refusal_names_the_field_and_what_is_allowed() {
    assert_eq!(refused(""), CompareError::Empty);
    assert_eq!(refused(" , ;"), CompareError::Empty);
    assert_eq!(
        refused("linger.ms"),
        CompareError::NotAssignment {
            part: "linger.ms".into()
        }
    );
    assert_eq!(
        refused("linger.ms=5, producer.linger.ms=20"),
        CompareError::Twice {
            name: "producer.linger.ms".into()
        }
    );
    let CompareError::Setting {
        name,
        value,
        error: e,
    } = refused("linger.ms=soon")
    else {
        panic!("a bad value is the registry's refusal");
    };
    assert_eq!((name.as_str(), value.as_str()), ("linger.ms", "soon"));
    assert_eq!(e.field, "linger.ms");
    let CompareError::Setting { error: e, .. } = refused("lingr.ms=5") else {
        panic!("an unknown name is the registry's refusal");
    };
    assert_eq!(e.field, "lingr.ms");
    assert!(e.message.contains("unknown setting"), "{e}");
    // Kafka refuses an explicit enable.idempotence=true beside acks=1.
    let CompareError::Refused(e) = refused("enable.idempotence=true, acks=1") else {
        panic!("a combination Kafka refuses is refused");
    };
    assert!(!e.field.is_empty(), "{e}");
    let a = preset_with(&[("linger.ms", "20")]);
    assert_eq!(
        Comparison::parse("linger.ms=20", &a),
        Err(CompareError::SameAsA {
            name: "linger.ms".into(),
            value: "20".into()
        })
    );
    for e in [
        refused(""),
        refused("x"),
        refused("acks=2"),
        refused("acks=all, acks=1"),
    ] {
        assert!(e.to_string().starts_with("world B: "), "{e}");
    }
}

#[test]
fn world_b_is_world_a_with_the_chosen_settings() {
    let a = preset_with(&[("sim.produce.rate", "500")]);
    let c = Comparison::parse(" linger.ms = 20 ;acks=1\n", &a).expect("accepted");
    assert_eq!(c.text(), "linger.ms=20, acks=1");
    let b = c.world_b(&a).expect("valid");
    let expected = preset_with(&[
        ("sim.produce.rate", "500"),
        ("linger.ms", "20"),
        ("acks", "1"),
    ]);
    assert_eq!(format!("{b:?}"), format!("{expected:?}"));
    assert_ne!(format!("{a:?}"), format!("{b:?}"), "A is left as it was");
}

#[test]
fn world_b_takes_every_input_but_a_change_to_what_it_overrides() {
    let c = Comparison::parse("linger.ms=20", &Config::preset()).expect("accepted");
    let set = |name: &str, value: &str| Change::Set {
        name: name.into(),
        value: value.into(),
    };
    assert!(!c.mirrors(&set("linger.ms", "5")));
    assert!(!c.mirrors(&set("producer.linger.ms", "5")));
    assert!(c.mirrors(&set("acks", "1")));
    assert!(c.mirrors(&Change::CrashBroker { broker: 1 }));
    let c = Comparison::parse("topic.min.insync.replicas=3", &Config::preset()).expect("ok");
    assert!(
        !c.mirrors(&set("min.insync.replicas", "2")),
        "the bare name sets the topic row too"
    );
}

/// World A and world B run side by side as the page runs them (B given each input A took at
/// the same simulated time, but the overridden setting's change) are, at every checkpoint, the
/// run `replay_b` rebuilds from A's log: B is a run of its own, determined by the seed and the
/// inputs, and differs from A.
#[test]
fn lock_step_is_the_replay_of_world_as_log() {
    for seed in [1, 7, 42] {
        let a_start = preset_with(&[("sim.produce.rate", "800")]);
        let c = Comparison::parse("linger.ms=30, acks=1", &a_start).expect("accepted");
        let mut a = Sim::new(a_start.clone(), seed).expect("A");
        let mut b = Sim::new(c.world_b(&a_start).expect("B"), seed).expect("B");
        let inputs = [
            (
                S,
                Input::Change {
                    change: Change::Set {
                        name: "linger.ms".into(),
                        value: "2".into(),
                    },
                },
            ),
            (
                2 * S,
                Input::Fault {
                    fault: parse_fault("crash:broker=1@2s..6s").expect("fault"),
                },
            ),
            (
                3 * S,
                Input::Change {
                    change: Change::Set {
                        name: "sim.produce.rate".into(),
                        value: "300".into(),
                    },
                },
            ),
            (
                4 * S,
                Input::Change {
                    change: Change::CrashConsumer { consumer: 0 },
                },
            ),
        ];
        for (t, input) in &inputs {
            a.run_until(SimTime(*t));
            b.run_until(SimTime(*t));
            a.put_input(input).expect("A takes it");
            let mirrored = match input {
                Input::Change { change } => c.mirrors(change),
                _ => true,
            };
            if mirrored {
                b.put_input(input).expect("B takes it");
            }
        }
        let until = SimTime(8 * S);
        a.run_until(until);
        b.run_until(until);
        let rebuilt = c
            .replay_b(&a_start, seed, a.inputs(), until)
            .expect("B rebuilt");
        assert_eq!(
            rebuilt.summary().trace_hash,
            b.summary().trace_hash,
            "seed {seed}"
        );
        assert_eq!(
            b.config().producers[0].linger_ms.value,
            30,
            "B kept its linger.ms"
        );
        assert_eq!(a.config().producers[0].linger_ms.value, 2);
        assert_ne!(
            a.summary().trace_hash,
            b.summary().trace_hash,
            "seed {seed}"
        );
        assert_eq!(a.now(), b.now());
    }
}

fn row(rows: &[streamscope_core::compare::CompareRow], name: &str) -> (f64, f64, f64) {
    let r = rows
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no row {name}"));
    (r.a, r.b, r.delta)
}

/// linger.ms 0 vs 50 at a steady rate: B's batches wait and fill, so B sends fewer, bigger
/// batches per request and its records wait longer in the accumulator (Kafka's
/// batch-size-avg, records-per-request-avg, record-queue-time-avg).
#[test]
fn linger_makes_bigger_batches_and_longer_queue_times() {
    let a_start = preset_with(&[("sim.produce.rate", "2000"), ("linger.ms", "0")]);
    let c = Comparison::parse("linger.ms=50", &a_start).expect("accepted");
    let until = SimTime(5 * S);
    let mut a = Sim::new(a_start.clone(), 3).expect("A");
    a.run_until(until);
    let b = c.replay_b(&a_start, 3, a.inputs(), until).expect("B");
    let rows = headline(&a, &b);
    assert_eq!(rows.len(), headline(&a, &a).len());
    for r in &rows {
        if !r.a.is_nan() && !r.b.is_nan() {
            assert_eq!(r.delta, r.b - r.a, "{}", r.name);
        }
    }
    let (ba, bb, _) = row(&rows, "batch-size-avg");
    assert!(bb > 2.0 * ba, "batch-size-avg {ba} -> {bb}");
    let (ra, rb, _) = row(&rows, "records-per-request-avg");
    assert!(rb > ra, "records-per-request-avg {ra} -> {rb}");
    let (qa, qb, d) = row(&rows, "record-queue-time-avg");
    assert!(
        qb > qa + 10.0 && d > 10.0,
        "record-queue-time-avg {qa} -> {qb}"
    );
    let same = headline(&a, &a);
    assert!(same.iter().all(|r| r.delta == 0.0 || r.delta.is_nan()));
}

/// acks=1 vs all (with min.insync.replicas=2) when brokers 1 and 2 are lost: the controller
/// fences them after 9 s and the ISRs shrink to [0]. With acks=all the requests waiting for the
/// lost followers time out (request.timeout.ms, 30 s) and their retries are refused with
/// NOT_ENOUGH_REPLICAS, which the broker counts in FailedProduceRequestsPerSec; with acks=1
/// broker 0 appends alone and nothing is refused.
#[test]
fn acks_all_refuses_what_acks_1_takes_when_replicas_are_down() {
    let a_start = preset_with(&[
        ("sim.produce.rate", "500"),
        ("acks", "1"),
        ("enable.idempotence", "false"),
        ("min.insync.replicas", "2"),
    ]);
    let c = Comparison::parse("acks=all", &a_start).expect("accepted");
    let mut a = Sim::new(a_start.clone(), 5).expect("A");
    a.run_until(SimTime(S));
    for b in [1, 2] {
        a.put_input(&Input::Change {
            change: Change::CrashBroker { broker: b },
        })
        .expect("crash");
    }
    let until = SimTime(60 * S);
    a.run_until(until);
    let b = c.replay_b(&a_start, 5, a.inputs(), until).expect("B");
    let rows = headline(&a, &b);
    let (fa, fb, _) = row(&rows, "FailedProduceRequestsPerSec");
    assert_eq!(fa, 0.0, "acks=1 appends with one replica");
    assert!(fb > 0.0, "acks=all refuses below min.insync.replicas");
}
