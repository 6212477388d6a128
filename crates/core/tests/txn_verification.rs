//! KIP-890 at the partition leader: the first transactional batch of a producer epoch in a
//! partition waits for the transaction coordinator's answer to the leader's
//! AddPartitionsToTxn (transaction.version 1: verify; 2: add); later batches of that open
//! transaction are appended at once. Fixed seeds; each test asserts that what it checks
//! happened.

use streamscope_core::event::{Delivery, Event};
use streamscope_core::net::{MessageKind, Node};
use streamscope_core::{Config, Sim, SimTime};

#[test]
fn a_transaction_opens_in_a_partition_only_after_its_coordinator_answers_the_leader() {
    for version in ["1", "2"] {
        let mut c = Config::preset();
        c.set("transactional.id", "tx-1").unwrap();
        c.set("transaction.version", version).unwrap();
        let mut sim = Sim::new(c, 5).unwrap();
        let coordinator = sim.transaction_coordinator("tx-1").1;
        let (mut held, mut asked, mut answered_then_appended, mut appended_at_once) = (0, 0, 0, 0);
        while let Some(e) = sim.step_until(SimTime(3_000_000)) {
            let Event::Delivered {
                kind,
                from,
                to,
                detail,
                ..
            } = &e.event
            else {
                continue;
            };
            match (kind, from, to, detail) {
                (
                    MessageKind::Produce,
                    Node::Producer(0),
                    _,
                    Delivery::ProduceAwaitsVerification { .. },
                ) => held += 1,
                (MessageKind::Produce, Node::Producer(0), _, Delivery::Appended { .. }) => {
                    appended_at_once += 1
                }
                (MessageKind::AddPartitionsToTxn, Node::Broker(_), Node::Broker(c), _) => {
                    assert_eq!(
                        *c, coordinator,
                        "v{version}: the leader asks the coordinator"
                    );
                    asked += 1
                }
                (
                    MessageKind::AddPartitionsToTxnResponse,
                    Node::Broker(_),
                    Node::Broker(_),
                    Delivery::Appended { records, .. },
                ) => {
                    assert!(*records > 0, "v{version}: the held batches are appended");
                    answered_then_appended += 1
                }
                _ => {}
            }
        }
        let t = sim.producers()[0].txn.as_ref().unwrap();
        assert!(
            t.committed >= 5,
            "premise: transactions committed (v{version})"
        );
        assert!(held > 0, "v{version}: some produce waited for verification");
        // The run stops at 3 s: the last question may still be in flight.
        assert!(
            asked + 1 >= held && answered_then_appended + 1 >= asked,
            "v{version}: every held produce was asked about and answered ({held}, {asked}, {answered_then_appended})"
        );
        assert!(
            answered_then_appended > 0,
            "v{version}: answers released held produces"
        );
        assert!(
            appended_at_once > 0,
            "v{version}: batches of a transaction already open in the log are not held"
        );
    }
}
