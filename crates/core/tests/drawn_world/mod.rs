//! A drawn world and drawn inputs for the replay and history property tests: 1-4 brokers,
//! acks, transactions, 0-3 consumers, eager or cooperative, and up to seven inputs of every
//! kind (live settings, broker crashes, kills and restarts, lost responses, consumers added,
//! crashed, restarted and removed, transactions, scheduled faults, `end_faults`, a drain),
//! each put in after some events or after the clock moved.

use proptest::prelude::*;
use streamscope_core::sim::input::Input;
use streamscope_core::sim::schedule::parse_fault_at;
use streamscope_core::{Change, Config, Sim};

/// One input as drawn: how far to run before it, and what it is.
#[derive(Clone, Debug)]
pub struct RawInput {
    /// Events to step before it (by `step`), or, when `by_clock`, milliseconds to move the
    /// clock by (`run_until`, which also takes superseded timers).
    pub gap: u32,
    pub by_clock: bool,
    pub kind: u8,
    pub x: u32,
}

#[derive(Clone, Debug)]
pub struct Case {
    pub seed: u64,
    pub brokers: u32,
    pub acks: &'static str,
    pub transactional: bool,
    pub consumers: u32,
    pub cooperative: bool,
    pub inputs: Vec<RawInput>,
    /// Events to run after the last input.
    pub tail: u32,
}

pub fn config(case: &Case) -> Config {
    let mut c = Config::preset();
    let mut set = |n: &str, v: &str| {
        c.set(n, v)
            .unwrap_or_else(|e| panic!("the case's setting {n}={v} is valid: {e}"))
    };
    set("sim.brokers", &case.brokers.to_string());
    set("replication.factor", &case.brokers.min(3).to_string());
    set("min.insync.replicas", "1");
    // A transactional producer needs acks=all (Kafka refuses anything else).
    set("acks", if case.transactional { "all" } else { case.acks });
    set("sim.produce.rate", "300");
    set("sim.consumers", &case.consumers.to_string());
    if case.cooperative {
        set(
            "partition.assignment.strategy",
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        );
    }
    if case.transactional {
        set("transactional.id", "tx-replay");
    }
    c
}

/// The input `raw` stands for in this world now (it may be refused: that is part of the test).
pub fn input(sim: &Sim, raw: &RawInput) -> Input {
    let brokers = sim.config().sim.brokers.value;
    let b = raw.x % brokers;
    let consumer = raw.x % 4;
    let set = |name: &str, value: String| Input::Change {
        change: Change::Set {
            name: name.to_string(),
            value,
        },
    };
    let change = |change| Input::Change { change };
    match raw.kind % 16 {
        0 => set("linger.ms", (raw.x % 50).to_string()),
        1 => set("sim.produce.rate", (100 + raw.x % 900).to_string()),
        2 => set("acks", ["0", "1", "all"][(raw.x % 3) as usize].to_string()),
        3 => change(Change::CrashBroker { broker: b }),
        4 => change(Change::KillBroker { broker: b }),
        5 => change(Change::RestartBroker { broker: b }),
        6 => change(Change::DropResponses {
            broker: b,
            on: raw.x.is_multiple_of(2),
        }),
        7 => change(Change::AddConsumer {
            group: 0,
            strategy: None,
        }),
        8 => change(Change::CrashConsumer { consumer }),
        9 => change(Change::RestartConsumer { consumer }),
        10 => change(Change::RemoveConsumer { consumer }),
        11 => change(Change::BeginTransaction { producer: 0 }),
        12 => change(Change::CommitTransaction { producer: 0 }),
        13 => {
            let text = format!(
                "crash:broker={b}@+{}ms..+{}ms",
                raw.x % 300,
                300 + raw.x % 900
            );
            match parse_fault_at(&text, sim.now()) {
                Ok(fault) => Input::Fault { fault },
                Err(e) => panic!("the drawn fault {text} parses: {e}"),
            }
        }
        14 => Input::EndFaults,
        _ => Input::Drain,
    }
}

pub fn raw_input() -> impl Strategy<Value = RawInput> {
    (0u32..400, any::<bool>(), any::<u8>(), any::<u32>()).prop_map(|(gap, by_clock, kind, x)| {
        RawInput {
            gap: if by_clock { gap % 300 } else { gap },
            by_clock,
            kind,
            x,
        }
    })
}

pub fn case() -> impl Strategy<Value = Case> {
    (
        any::<u64>(),
        1u32..5,
        prop::sample::select(vec!["0", "1", "all"]),
        any::<bool>(),
        0u32..4,
        any::<bool>(),
        prop::collection::vec(raw_input(), 0..8),
        0u32..600,
    )
        .prop_map(
            |(seed, brokers, acks, transactional, consumers, cooperative, inputs, tail)| Case {
                seed,
                brokers,
                acks,
                transactional,
                consumers,
                cooperative,
                inputs,
                tail,
            },
        )
}
