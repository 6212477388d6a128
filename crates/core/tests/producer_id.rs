//! Producer ids as Kafka hands them out: only an idempotent or transactional producer has
//! one (issue 14).

use streamscope_core::{Config, Sim, SimTime};

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
