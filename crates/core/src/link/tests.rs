//! The link round-trips a run (the same trace hash and event count at its moment), its
//! settings give the start config back, and no text makes it panic: every refusal names its
//! part.

use super::settings::{key, settings_of};
use super::*;
use crate::config::settings::{consumer, producer, sim as sim_rows, SettingKind};
use crate::config::{SettingDef, SETTINGS};
use crate::sim::input::Input;
use crate::sim::links::{Endpoint, LinkFault};
use crate::sim::schedule::parse_fault_at;
use crate::sim::Change;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

fn logged(at_event: u64, at_pop: u64, at_time: u64, input: Input) -> LoggedInput {
    LoggedInput {
        at_event,
        at_pop,
        at_time: SimTime(at_time),
        input,
    }
}

fn change(c: Change) -> Input {
    Input::Change { change: c }
}

/// A change of every broker, link and setting kind, with text that needs escaping.
fn cluster_changes() -> Vec<Change> {
    let linger = String::from(producer::LINGER_MS.name);
    vec![
        Change::Set {
            name: linger,
            value: String::from("20"),
        },
        Change::Set {
            name: String::from("a:b,c;d&e#f%g h+주"),
            value: String::from("x:y,z;w"),
        },
        Change::CrashBroker { broker: 1 },
        Change::KillBroker { broker: 2 },
        Change::RestartBroker { broker: 1 },
        Change::DropResponses {
            broker: 0,
            on: true,
        },
        Change::DropResponses {
            broker: 0,
            on: false,
        },
        Change::Link {
            a: Endpoint::Broker(0),
            b: Endpoint::Producer(None),
            fault: LinkFault::Cut,
            on: true,
        },
        Change::Link {
            a: Endpoint::Consumer(Some(3)),
            b: Endpoint::Broker(2),
            fault: LinkFault::Delay { extra_us: 50_000 },
            on: true,
        },
        Change::Link {
            a: Endpoint::Producer(Some(0)),
            b: Endpoint::Consumer(None),
            fault: LinkFault::Drop { per_mille: 305 },
            on: false,
        },
    ]
}

/// A change of every client and application kind.
fn client_changes() -> Vec<Change> {
    vec![
        Change::AddConsumer {
            group: 0,
            strategy: None,
        },
        Change::AddConsumer {
            group: 1,
            strategy: Some(String::from("range,cooperative-sticky")),
        },
        Change::AddConsumer {
            group: 1,
            strategy: Some(String::new()),
        },
        Change::RemoveConsumer { consumer: 2 },
        Change::CrashConsumer { consumer: 1 },
        Change::RestartConsumer { consumer: 1 },
        Change::SlowConsumer {
            consumer: 0,
            per_record_us: 1_500,
        },
        Change::AddGroup {
            group_id: String::from("g:2,x"),
            topics: vec![String::from("orders"), String::from("a,b")],
            consumers: 3,
        },
        Change::AddGroup {
            group_id: String::from("g3"),
            topics: Vec::new(),
            consumers: 0,
        },
        Change::BeginTransaction { producer: 0 },
        Change::CommitTransaction { producer: 0 },
        Change::AbortTransaction { producer: 0 },
        Change::StartZombie { producer: 0 },
        Change::CrashProcessor { processor: 1 },
        Change::RestartProcessor {
            processor: 1,
            new_transactional_id: false,
        },
        Change::RestartProcessor {
            processor: 1,
            new_transactional_id: true,
        },
    ]
}

/// One input of every kind, with text that needs escaping.
fn every_kind() -> Vec<LoggedInput> {
    let mut out: Vec<LoggedInput> = cluster_changes()
        .into_iter()
        .chain(client_changes())
        .enumerate()
        .map(|(i, c)| {
            logged(
                i as u64 * 10,
                i as u64 * 10 + i as u64 % 2,
                i as u64 * 1_000,
                change(c),
            )
        })
        .collect();
    let at = SimTime(900_000);
    for text in [
        "kill:broker=2@+1s..+2s",
        "drop:broker=0,consumer=1,30.5%@1s..4s",
        "restart:broker=1@+500ms",
    ] {
        let fault = parse_fault_at(text, at).expect("a valid fault");
        out.push(logged(900, 901, at.0, Input::Fault { fault }));
    }
    out.push(logged(950, 952, 950_000, Input::EndFaults));
    out.push(logged(960, 962, 960_000, Input::Drain));
    out
}

/// The characters a link is written in: none that a browser or `new URL(...)` changes.
fn url_safe(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~@=/:,;&%".contains(&b))
}

#[test]
fn inputs_of_every_kind_round_trip_through_the_text() {
    let link = RunLink {
        seed: u64::MAX,
        settings: vec![
            (
                String::from(consumer::PARTITION_ASSIGNMENT_STRATEGY.name),
                String::from("range,roundrobin"),
            ),
            (
                String::from(producer::TRANSACTIONAL_ID.name),
                String::from("tx 1:주문"),
            ),
        ],
        inputs: every_kind(),
        moment: Some(Moment {
            pop: 1_000,
            time: SimTime(1_000_000),
        }),
        scenario: Some(super::ScenarioStep {
            id: String::from("batching"),
            step: 3,
        }),
        compare: vec![
            (String::from(producer::LINGER_MS.name), String::from("100")),
            (
                String::from(consumer::PARTITION_ASSIGNMENT_STRATEGY.name),
                String::from("cooperative-sticky"),
            ),
        ],
        lang: Some(String::from("ko")),
    };
    let text = link.encode();
    assert!(url_safe(&text), "{text}");
    assert!(
        text.starts_with("v=1&seed=18446744073709551615&set="),
        "{text}"
    );
    assert!(
        text.contains(";900.901.900000.fault:kill:broker=2@1900ms..2900ms;"),
        "{text}"
    );
    let parsed = RunLink::parse(&text).expect("the link reads back");
    assert_eq!(parsed, link);
    for url in [
        format!("#{text}"),
        format!("http://localhost:8080/app/?x=1#{text}"),
        format!("  {text}\n"),
    ] {
        assert_eq!(RunLink::parse(&url).as_ref(), Ok(&link), "{url}");
    }
}

/// The world of `seed` with a few seconds of inputs of every kind the preset takes, and its
/// hash and event count half way.
fn run_with_inputs(seed: u64) -> (Sim, Moment, u64, u64) {
    let mut config = Config::preset();
    config.set(producer::ACKS.name, "1").expect("acks=1");
    config
        .set(sim_rows::CONSUMERS.name, "3")
        .expect("three consumers");
    let mut sim = Sim::new(config, seed).expect("a valid world");
    sim.run_until(SimTime(500_000));
    let linger = String::from(producer::LINGER_MS.name);
    sim.apply(Change::Set {
        name: linger,
        value: String::from("20"),
    })
    .expect("live");
    let kill = parse_fault_at("kill:broker=2@+1s..+2s", sim.now()).expect("valid");
    sim.schedule_fault(kill).expect("broker 2 exists");
    sim.run_until(SimTime(1_000_000));
    let delay = LinkFault::Delay { extra_us: 20_000 };
    let (a, b) = (Endpoint::Broker(0), Endpoint::Producer(None));
    sim.apply(Change::Link {
        a,
        b,
        fault: delay,
        on: true,
    })
    .expect("a link");
    sim.apply(Change::AddConsumer {
        group: 0,
        strategy: Some(String::from("range")),
    })
    .expect("a member");
    for _ in 0..777 {
        sim.step();
    }
    let (mid, mid_hash, mid_events) = (sim.moment(), sim.trace().hash(), sim.events_processed());
    sim.apply(Change::SlowConsumer {
        consumer: 0,
        per_record_us: 200,
    })
    .expect("slow");
    sim.apply(Change::CrashConsumer { consumer: 1 })
        .expect("crash");
    sim.run_until(SimTime(2_000_000));
    sim.apply(Change::Link {
        a,
        b,
        fault: delay,
        on: false,
    })
    .expect("heal");
    sim.apply(Change::RestartConsumer { consumer: 1 })
        .expect("restart");
    sim.run_until(SimTime(3_000_000));
    sim.end_faults();
    sim.begin_drain();
    for _ in 0..500 {
        sim.step();
    }
    (sim, mid, mid_hash, mid_events)
}

#[test]
fn a_run_with_inputs_of_every_kind_is_its_link() {
    let (sim, mid, mid_hash, mid_events) = run_with_inputs(42);
    let link = RunLink::of(&sim, sim.moment(), Some("ko")).expect("the preset's run has a link");
    assert_eq!(link.inputs, sim.inputs(), "every input is in");
    assert_eq!(link.settings.len(), 2, "{:?}", link.settings);
    let text = link.encode();
    assert!(url_safe(&text), "{text}");
    let parsed = RunLink::parse(&format!("http://localhost:8080/#{text}")).expect("reads back");
    assert_eq!(parsed, link);
    let world = parsed.world().expect("the link's world");
    assert_eq!(world.trace().hash(), sim.trace().hash(), "{text}");
    assert_eq!(world.events_processed(), sim.events_processed());
    assert_eq!(world.moment(), sim.moment());
    // Half way: the inputs after the moment are left out, and the world is the run's then.
    let half = RunLink::of(&sim, mid, None).expect("an earlier moment");
    assert!(half.inputs.len() < link.inputs.len());
    let world = RunLink::parse(&half.encode())
        .and_then(|l| l.world())
        .expect("half way");
    assert_eq!(
        (world.trace().hash(), world.events_processed()),
        (mid_hash, mid_events)
    );
    // Without a moment, the world is at the last input.
    let last = RunLink {
        moment: None,
        ..link.clone()
    };
    let world = last.world().expect("at the last input");
    assert_eq!(
        Some(world.moment()),
        link.inputs.last().map(LoggedInput::moment)
    );
}

#[test]
fn transactions_and_processors_replay_from_their_links() {
    let mut config = Config::preset();
    config
        .set(producer::TRANSACTIONAL_ID.name, "tx-1")
        .expect("a transactional.id");
    config
        .set(sim_rows::TRANSACTION_RECORDS.name, "0")
        .expect("transactions when told");
    let mut sim = Sim::new(config, 3).expect("valid");
    sim.run_until(SimTime(1_000_000));
    sim.apply(Change::BeginTransaction { producer: 0 })
        .expect("READY");
    sim.run_until(SimTime(1_500_000));
    sim.apply(Change::CommitTransaction { producer: 0 })
        .expect("IN_TRANSACTION");
    sim.run_until(SimTime(2_500_000));
    sim.apply(Change::StartZombie { producer: 0 })
        .expect("a zombie");
    sim.run_until(SimTime(3_000_000));
    let mut config = Config::preset();
    config
        .set(sim_rows::PIPELINE.name, "ctp")
        .expect("a pipeline");
    let mut ctp = Sim::new(config, 9).expect("valid");
    ctp.run_until(SimTime(1_000_000));
    ctp.apply(Change::CrashProcessor { processor: 0 })
        .expect("crash");
    ctp.run_until(SimTime(2_000_000));
    ctp.apply(Change::RestartProcessor {
        processor: 0,
        new_transactional_id: true,
    })
    .expect("restart");
    ctp.run_until(SimTime(3_000_000));
    for sim in [sim, ctp] {
        let text = RunLink::of(&sim, sim.moment(), None)
            .expect("a link")
            .encode();
        let world = RunLink::parse(&text)
            .and_then(|l| l.world())
            .expect("its world");
        assert_eq!(world.trace().hash(), sim.trace().hash(), "{text}");
        assert_eq!(world.events_processed(), sim.events_processed(), "{text}");
    }
}

/// A value for `def` other than the preset's (`None` when the kind has no other).
fn other_value(def: &SettingDef, now: &str) -> Option<String> {
    let pick = |a: String, b: String| if a == now { b } else { a };
    Some(match def.kind {
        SettingKind::Int { min, max } => pick(min.to_string(), max.to_string()),
        SettingKind::Duration { min_us, .. } => {
            pick(format!("{min_us}us"), format!("{}us", min_us + 1_000))
        }
        SettingKind::Bool => pick(String::from("true"), String::from("false")),
        SettingKind::Enum(values) => String::from(*values.iter().find(|v| **v != now)?),
        SettingKind::AssignorList => String::from("roundrobin,sticky"),
        SettingKind::Text => String::from("tx 1:주문,x"),
    })
}

#[test]
fn every_setting_round_trips_alone_and_together() {
    let preset = Config::preset();
    let mut all = preset.clone();
    for def in SETTINGS {
        let now = def.access.get(&preset).expect("the preset has every part");
        let Some(value) = other_value(def, &now) else {
            continue;
        };
        let mut one = preset.clone();
        one.set(&key(def), &value).expect("a valid value");
        let settings = settings_of(&one).expect("a setting is a link's");
        let link = RunLink {
            seed: 1,
            settings,
            inputs: Vec::new(),
            moment: None,
            scenario: None,
            compare: Vec::new(),
            lang: None,
        };
        // Read without validating: a setting alone may break a rule of the whole config.
        let back = super::read_pairs(&link.encode()).expect("reads back");
        assert_eq!(back.settings, link.settings, "{}", key(def));
        let mut rebuilt = Config::preset();
        for (n, v) in &back.settings {
            rebuilt.set(n, v).expect("taken back");
        }
        assert_eq!(rebuilt, one, "{} = {value}: {:?}", key(def), back.settings);
        all.set(&key(def), &value).expect("a valid value");
    }
    let settings = settings_of(&all).expect("all at once");
    let mut rebuilt = Config::preset();
    for (n, v) in &settings {
        rebuilt.set(n, v).expect("taken back");
    }
    assert_eq!(rebuilt, all);
    // Set by the user to the preset's value: still in the link (Kafka's rules read that).
    let mut same = preset.clone();
    same.set(producer::ENABLE_IDEMPOTENCE.name, "true")
        .expect("valid");
    let settings = settings_of(&same).expect("a link");
    assert_eq!(
        settings,
        vec![(
            String::from(producer::ENABLE_IDEMPOTENCE.name),
            String::from("true")
        )]
    );
    assert!(settings_of(&preset).expect("the preset").is_empty());
}

#[test]
fn a_world_not_of_the_presets_shape_has_no_link() {
    let mut two = Config::preset();
    let mut second = two.producers[0].clone();
    second.client_id = String::from("producer-2");
    two.producers.push(second);
    assert_eq!(
        settings_of(&two).map_err(|e| e.part),
        Err(String::from("producers"))
    );
    let mut shaped = Config::preset();
    shaped.topics[0].partitions.set(3);
    let err = settings_of(&shaped).expect_err("a topic's own partition count");
    assert_eq!(err.part, "topics[0] (orders)", "{err}");
    let sim = Sim::new(Config::preset(), 1).expect("valid");
    let later = Moment {
        pop: 5,
        time: SimTime(1),
    };
    assert_eq!(
        RunLink::of(&sim, later, None).map_err(|e| e.part),
        Err(String::from("at"))
    );
    let start = sim.moment();
    assert_eq!(
        RunLink::of(&sim, start, Some("k o")).map_err(|e| e.part),
        Err(String::from("lang"))
    );
}

/// A scenario step and world B's settings ride in the link without changing its run; bad
/// ones are refused naming `scn` / `ab` and what is allowed.
#[test]
fn scenario_and_comparison_ride_in_the_link() {
    let text = "v=1&seed=7&scn=batching.2&ab=linger.ms:100,acks:1&lang=ko";
    let link = RunLink::parse(text).expect("a valid link");
    assert_eq!(
        link.scenario,
        Some(super::ScenarioStep {
            id: String::from("batching"),
            step: 2
        })
    );
    assert_eq!(
        link.compare,
        vec![
            (String::from(producer::LINGER_MS.name), String::from("100")),
            (String::from(producer::ACKS.name), String::from("1")),
        ]
    );
    assert_eq!(link.encode(), text, "written back in the same order");
    let plain = RunLink::parse("v=1&seed=7&lang=ko").expect("a valid link");
    let (a, b) = (link.world().expect("runs"), plain.world().expect("runs"));
    assert_eq!(
        a.trace().hash(),
        b.trace().hash(),
        "neither changes the run"
    );
    for (bad, part, says) in [
        (
            "v=1&seed=7&scn=acks",
            "scn",
            "expected <scenario id>.<step>",
        ),
        ("v=1&seed=7&scn=Acks.1", "scn", "a-z 0-9 -"),
        ("v=1&seed=7&scn=acks.0", "scn", "count from 1"),
        ("v=1&seed=7&scn=acks.x", "scn", "a step number"),
        ("v=1&seed=7&ab=", "ab", "at least one"),
        ("v=1&seed=7&ab=linger.ms", "ab[0]", "NAME:VALUE"),
        ("v=1&seed=7&ab=nope.ms:1", "ab", "nope.ms"),
        ("v=1&seed=7&ab=acks:all", "ab", "already world A's value"),
        (
            "v=1&seed=7&ab=linger.ms:1,linger.ms:2",
            "ab[1] (linger.ms)",
            "given twice",
        ),
    ] {
        let e = RunLink::parse(bad).expect_err(bad);
        assert_eq!(e.part, part, "{bad}: {e}");
        assert!(e.message.contains(says), "{bad}: {e}");
    }
}
