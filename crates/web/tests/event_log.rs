//! The page's event log (`streamscope_web::eventlog`), natively, over runs with a broker lost
//! and a pipeline: every event reads as a sentence in both languages around Kafka's names, the
//! filters let through what they say, the inputs come where they took effect, and the values
//! of the selects read back.
#![cfg(not(target_arch = "wasm32"))]

use streamscope_core::net::{Node, TopicPartitionId};
use streamscope_core::sim::history::marks::{mark_of, MarkGroup};
use streamscope_core::sim::view::event_words::subjects;
use streamscope_core::{Change, Config, Event, Sim, SimTime};
use streamscope_web::eventlog::*;
use streamscope_web::i18n::Lang;

fn run(cfg: Config, seed: u64, until_ms: u64) -> Sim {
    let mut sim = Sim::new(cfg, seed).unwrap();
    sim.run_until(SimTime(500_000));
    sim.apply(Change::CrashBroker { broker: 1 }).unwrap();
    sim.run_until(SimTime(until_ms * 1000));
    sim
}

/// Every event of the trace ring, in English and Korean: no placeholder left, no missing
/// text, and no line empty after its prefix.
fn every_line_reads(sim: &Sim) {
    for e in sim.trace().entries() {
        for lang in [Lang::En, Lang::Ko] {
            let l = line(sim, e, lang);
            assert!(!l.contains('{') && !l.contains('?'), "{l}");
            assert!(!l.trim_end().ends_with('·'), "{:?}: {l}", e.event);
        }
    }
}

#[test]
fn every_event_reads_in_both_languages() {
    let sim = run(Config::preset(), 2, 40_000);
    every_line_reads(&sim);
    let mut c = Config::preset();
    c.set("sim.pipeline", "ctp").unwrap();
    c.set("processing.guarantee", "exactly_once_v2").unwrap();
    every_line_reads(&run(c, 3, 12_000));
}

#[test]
fn kafka_names_come_through() {
    // Three in-sync replicas required: once the lost broker leaves the ISR, produce is refused.
    let mut c = Config::preset();
    c.set("min.insync.replicas", "3").unwrap();
    let sim = run(c, 2, 40_000);
    let text: Vec<String> = sim
        .trace()
        .entries()
        .map(|e| line(&sim, e, Lang::En))
        .collect();
    for word in ["Produce", "Fetch from a replica", "Heartbeat"] {
        assert!(
            text.iter().any(|l| l.contains(word)),
            "no line names {word}"
        );
    }
    // Every error an event carries is named by its line, in Kafka's words.
    let mut errors = 0;
    for (e, l) in sim.trace().entries().zip(&text) {
        if let Some(name) = streamscope_core::sim::view::event_words::error_name(&e.event) {
            assert!(l.contains(name), "{l}");
            errors += 1;
        }
    }
    assert!(errors > 0);
    assert!(text.iter().any(|l| l.contains("NOT_ENOUGH_REPLICAS")));
    let ko: Vec<String> = sim
        .trace()
        .entries()
        .map(|e| line(&sim, e, Lang::Ko))
        .collect();
    assert!(
        ko.iter()
            .any(|l| l.contains("브로커 0 → 프로듀서 0: Produce 응답")),
        "{:?}",
        &ko[..5]
    );
}

#[test]
fn filters_let_through_what_they_say() {
    let sim = run(Config::preset(), 2, 40_000);
    let mut log = EventLog::default();
    let all = lines(&sim, &log);
    assert_eq!(all.len(), MAX_LINES);
    let last = sim.trace().last().map(|e| e.index);
    assert!(matches!(all.last(), Some(Line::Event(e)) if Some(e.index) == last));
    log.node = NodeFilter::Node(Node::Broker(2));
    for l in lines(&sim, &log) {
        let Line::Event(e) = l else {
            panic!("no input line under a node filter")
        };
        assert!(subjects(&sim, &e.event).names(Node::Broker(2)));
    }
    log.node = NodeFilter::All;
    log.kind = KindFilter::Api("Produce");
    let produce = lines(&sim, &log);
    assert!(!produce.is_empty());
    for l in produce {
        assert!(matches!(l, Line::Event(e) if line(&sim, e, Lang::En).contains("Produce")));
    }
    log.kind = KindFilter::Group(MarkGroup::Refused);
    assert!(lines(&sim, &log)
        .iter()
        .all(|l| matches!(l, Line::Event(e) if mark_of(e).is_some())));
    log.kind = KindFilter::Group(MarkGroup::Election);
    let fenced = lines(&sim, &log);
    assert!(fenced
        .iter()
        .all(|l| matches!(l, Line::Event(e) if matches!(e.event, Event::BrokerFenced { .. }))));
}

#[test]
fn inputs_come_between_the_events_they_took_effect_between() {
    let mut sim = Sim::new(Config::preset(), 2).unwrap();
    sim.run_until(SimTime(500_000));
    sim.apply(Change::CrashBroker { broker: 1 }).unwrap();
    let at = sim.events_processed();
    sim.run_until(SimTime(600_000));
    let log = EventLog::default();
    let all = lines(&sim, &log);
    let i = all
        .iter()
        .position(|l| matches!(l, Line::Input(0, _)))
        .expect("the input is a line");
    assert!(matches!(all[i - 1], Line::Event(e) if e.index + 1 == at));
    assert!(matches!(all[i + 1], Line::Event(e) if e.index == at));
    let Line::Input(n, input) = all[i] else {
        unreachable!()
    };
    assert!(input_line(n, input, Lang::Ko).contains("브로커 1 호스트 유실"));
}

#[test]
fn select_values_read_back() {
    let filters = [
        NodeFilter::All,
        NodeFilter::Node(Node::Broker(1)),
        NodeFilter::Node(Node::Producer(0)),
        NodeFilter::Node(Node::Consumer(3)),
        NodeFilter::Controller,
        NodeFilter::Coordinator,
        NodeFilter::Partition(TopicPartitionId {
            topic: 0,
            partition: 4,
        }),
        NodeFilter::Record(812),
    ];
    for f in filters {
        assert_eq!(parse_node(&node_value(f)), f);
    }
    assert_eq!(parse_node("broker:x"), NodeFilter::All);
    assert_eq!(parse_node("<img src=x>"), NodeFilter::All);
    for k in [
        KindFilter::All,
        KindFilter::Group(MarkGroup::Rebalance),
        KindFilter::Api("SyncGroup"),
    ] {
        assert_eq!(parse_kind(&kind_value(k)), k);
    }
    assert_eq!(parse_kind("api:Nope"), KindFilter::All);
}

/// Every kind of input reads as the page's words in both languages (no Rust text).
#[test]
fn every_input_reads_in_both_languages() {
    use streamscope_core::sim::input::{Input, LoggedInput};
    use streamscope_core::sim::links::{Endpoint, LinkFault};
    let changes = [
        Change::Set {
            name: "linger.ms".into(),
            value: "20".into(),
        },
        Change::CrashBroker { broker: 1 },
        Change::KillBroker { broker: 1 },
        Change::RestartBroker { broker: 1 },
        Change::DropResponses {
            broker: 0,
            on: true,
        },
        Change::Link {
            a: Endpoint::Broker(0),
            b: Endpoint::Producer(None),
            fault: LinkFault::Delay { extra_us: 50_000 },
            on: true,
        },
        Change::AddConsumer {
            group: 0,
            strategy: None,
        },
        Change::RemoveConsumer { consumer: 1 },
        Change::SlowConsumer {
            consumer: 0,
            per_record_us: 5_000,
        },
        Change::BeginTransaction { producer: 0 },
        Change::StartZombie { producer: 0 },
        Change::RestartProcessor {
            processor: 0,
            new_transactional_id: true,
        },
    ];
    let mut inputs: Vec<Input> = changes
        .into_iter()
        .map(|change| Input::Change { change })
        .collect();
    inputs.extend([Input::EndFaults, Input::Drain]);
    for (i, input) in inputs.into_iter().enumerate() {
        let l = LoggedInput {
            at_event: 10,
            at_pop: 12,
            at_time: SimTime(1_000),
            input,
        };
        for lang in [Lang::En, Lang::Ko] {
            let text = input_line(i, &l, lang);
            assert!(!text.contains('{') && !text.contains("Some("), "{text}");
        }
    }
}
