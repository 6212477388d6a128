//! Every record ends acknowledged with its offset or failed with Kafka's error name, and the
//! inspector's journal says which.

use streamscope_core::inspect::RecordOutcome;
use streamscope_core::{Config, Sim, SimTime};

#[test]
fn acknowledged_records_know_their_offset() {
    let mut sim = Sim::new(Config::preset(), 3).unwrap();
    sim.run_until(SimTime(2_000_000));
    let mut checked = 0;
    for id in 0..300u64 {
        let Some(info) = sim.record_info(id) else {
            continue;
        };
        let RecordOutcome::Acknowledged { offset } = info.outcome else {
            panic!("record {id} sent long ago is {:?}", info.outcome);
        };
        let p = &sim.topics()[0].partitions[info.partition as usize];
        let e = p.leader_replica().and_then(|r| r.log.get(offset as u64));
        assert_eq!(
            e.map(|e| e.record_id),
            Some(id),
            "offset {offset} of partition {} holds record {id}",
            info.partition
        );
        checked += 1;
    }
    assert!(checked > 250);
}

#[test]
fn acks_zero_acknowledges_with_offset_minus_one() {
    let mut c = Config::preset();
    c.set("acks", "0").unwrap();
    let mut sim = Sim::new(c, 3).unwrap();
    sim.run_until(SimTime(1_000_000));
    let info = sim.record_info(10).unwrap();
    assert_eq!(info.outcome, RecordOutcome::Acknowledged { offset: -1 });
}

#[test]
fn failures_carry_kafka_error_names() {
    let mut c = Config::preset();
    c.set("request.timeout.ms", "3").unwrap();
    c.set("delivery.timeout.ms", "60").unwrap();
    c.set("linger.ms", "0").unwrap();
    c.set("sim.network.latency", "2ms").unwrap();
    let mut sim = Sim::new(c, 3).unwrap();
    sim.run_until(SimTime(1_000_000));
    let info = sim.record_info(5).unwrap();
    assert_eq!(
        info.outcome,
        RecordOutcome::Failed {
            error: "REQUEST_TIMED_OUT"
        }
    );

    let mut c = Config::preset();
    c.set("sim.value.bytes", "1000000").unwrap();
    c.set("max.request.size", "100000").unwrap();
    let mut sim = Sim::new(c, 3).unwrap();
    sim.run_until(SimTime(100_000));
    let info = sim.record_info(1).unwrap();
    assert_eq!(
        info.outcome,
        RecordOutcome::Failed {
            error: "RecordTooLargeException"
        }
    );
}
