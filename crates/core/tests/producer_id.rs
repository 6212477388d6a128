//! Producer ids as Kafka hands them out: only an idempotent or transactional producer has
//! one (issue 14).

use streamscope_core::event::Event;
use streamscope_core::net::{Body, Message, MessageKind, Node};
use streamscope_core::{Change, Config, Sim, SimTime};

/// A producer that is neither idempotent nor transactional has no producer id in Kafka
/// (NO_PRODUCER_ID, -1: it never sends InitProducerId) and its batches carry none; an
/// idempotent one has one.
#[test]
fn only_an_idempotent_producer_has_a_producer_id() {
    for (idempotence, has_id) in [("false", false), ("true", true)] {
        let mut c = Config::preset();
        c.set("enable.idempotence", idempotence)
            .expect("enable.idempotence is a setting");
        if idempotence == "false" {
            c.set("acks", "1").expect("acks=1 is valid");
        }
        let mut sim = Sim::new(c, 3).expect("the world is valid");
        sim.run_until(SimTime(500_000));
        let pid = sim.producers()[0].producer_id;
        assert_eq!(
            pid >= 0,
            has_id,
            "enable.idempotence={idempotence}: producer id {pid}"
        );
        let logged = sim.topics()[0]
            .partitions
            .iter()
            .filter_map(|p| p.leader_replica())
            .flat_map(|r| {
                r.log
                    .range(r.log.log_start_offset(), r.log.log_end_offset())
            })
            .map(|(_, e)| e.producer_id)
            .next();
        assert_eq!(logged, Some(pid), "the log's batches carry the producer id");
    }
}

/// The world of the preset with `enable.idempotence` (acks=1 when off, as Kafka requires
/// acks=all for idempotence).
fn world(idempotence: bool) -> Sim {
    let mut c = Config::preset();
    c.set(
        "enable.idempotence",
        if idempotence { "true" } else { "false" },
    )
    .expect("enable.idempotence is a setting");
    if !idempotence {
        c.set("acks", "1").expect("acks=1 is valid");
    }
    Sim::new(c, 5).expect("the world is valid")
}

/// Kafka's idempotent producer (`TransactionManager.bumpIdempotentEpochAndResetIdIfNeeded`)
/// sends InitProducerId with a null transactional.id, transaction_timeout_ms
/// Integer.MAX_VALUE and producer id and epoch -1 to a broker before its first produce, and
/// its sender drains nothing until the answer: the first Produce follows the answer.
#[test]
fn an_idempotent_producer_asks_a_broker_for_its_id_before_its_first_produce() {
    let mut sim = world(true);
    assert_eq!(
        sim.producers()[0].producer_id,
        -1,
        "no id before the answer"
    );
    let init: Vec<Message> = sim
        .messages()
        .filter(|m| m.body.kind() == MessageKind::InitProducerId)
        .cloned()
        .collect();
    assert_eq!(init.len(), 1, "one InitProducerId is out at the start");
    match &init[0].body {
        Body::InitProducerId {
            producer,
            transactional_id,
            transaction_timeout_ms,
            producer_id,
            producer_epoch,
        } => {
            assert_eq!(*producer, 0);
            assert_eq!(transactional_id, &None, "no transactional.id: null");
            assert_eq!(
                *transaction_timeout_ms,
                i32::MAX as u64,
                "Integer.MAX_VALUE"
            );
            assert_eq!((*producer_id, *producer_epoch), (-1, -1));
        }
        other => panic!("not an InitProducerId: {other:?}"),
    }
    assert_eq!(init[0].from, Node::Producer(0));
    assert!(matches!(init[0].to, Node::Broker(_)));
    sim.run_until(SimTime(500_000));
    let deliveries: Vec<(MessageKind, Node, Node)> = sim
        .trace()
        .entries()
        .filter_map(|e| match e.event {
            Event::Delivered { kind, from, to, .. } => Some((kind, from, to)),
            _ => None,
        })
        .collect();
    let answered = deliveries
        .iter()
        .position(|d| {
            *d == (
                MessageKind::InitProducerIdResponse,
                init[0].to,
                Node::Producer(0),
            )
        })
        .expect("the broker answered InitProducerId");
    let first_produce = deliveries
        .iter()
        .position(|(k, from, _)| *k == MessageKind::Produce && *from == Node::Producer(0))
        .expect("the producer produced");
    assert!(
        answered < first_produce,
        "the first Produce ({first_produce}) follows the InitProducerId answer ({answered})"
    );
    let p = &sim.producers()[0];
    assert!(
        p.producer_id >= 0,
        "the answer's producer id: {}",
        p.producer_id
    );
    assert_eq!(p.epoch, 0, "a new producer id's epoch is 0");
}

/// A producer that is neither idempotent nor transactional never sends InitProducerId and
/// keeps producer id and epoch -1 (NO_PRODUCER_ID, NO_PRODUCER_EPOCH).
#[test]
fn a_plain_producer_sends_no_init_producer_id() {
    let mut sim = world(false);
    sim.run_until(SimTime(500_000));
    let init = sim.trace().entries().any(|e| {
        matches!(
            e.event,
            Event::Delivered {
                kind: MessageKind::InitProducerId | MessageKind::InitProducerIdResponse,
                ..
            }
        )
    });
    assert!(!init, "no InitProducerId in the trace");
    let produced = sim.trace().entries().any(|e| {
        matches!(
            e.event,
            Event::Delivered {
                kind: MessageKind::Produce,
                ..
            }
        )
    });
    assert!(produced, "it produced");
    let p = &sim.producers()[0];
    assert_eq!((p.producer_id, p.epoch), (-1, -1));
}

/// With every broker killed the idempotent producer's first InitProducerId is lost; after
/// request.timeout.ms (30 s) it finds no broker to ask, tries again every retry.backoff.ms
/// and sends no Produce meanwhile.
#[test]
fn an_idempotent_producer_without_a_reachable_broker_waits_for_its_id() {
    let mut sim = world(true);
    for broker in 0..3 {
        sim.apply(Change::KillBroker { broker })
            .expect("a broker can be killed");
    }
    sim.run_until(SimTime(31_000_000));
    let retried_nowhere = sim
        .trace()
        .entries()
        .filter(|e| {
            matches!(
                e.event,
                Event::ProducerIdRetried {
                    producer: 0,
                    broker: None
                }
            )
        })
        .count();
    assert!(
        retried_nowhere >= 2,
        "tried again with no broker: {retried_nowhere}"
    );
    let produced = sim.trace().entries().any(|e| {
        matches!(
            e.event,
            Event::Delivered {
                kind: MessageKind::Produce,
                ..
            }
        )
    });
    assert!(!produced, "no Produce without a producer id");
    assert!(sim.producers()[0].awaits_producer_id());
}
