//! What the page draws of refused produce requests comes from the core (issue 14): with
//! min.insync.replicas=2 and two of three brokers down, the producer's last error and the
//! partition's refusals are NOT_ENOUGH_REPLICAS, in the frame the canvas reads.

use streamscope_core::net::KafkaError;
use streamscope_core::{Change, Config, Sim, SimTime};

#[test]
fn not_enough_replicas_is_in_the_producer_and_partition_views() {
    let mut c = Config::preset();
    c.set("replication.factor", "3").expect("rf 3");
    c.set("min.insync.replicas", "2").expect("min isr 2");
    c.set("acks", "all").expect("acks=all");
    let mut sim = Sim::new(c, 7).expect("the world is valid");
    sim.run_until(SimTime(1_000_000));
    for broker in [1, 2] {
        sim.apply(Change::KillBroker { broker })
            .expect("a broker can be killed");
    }
    // The parked acks=all requests wait out request.timeout.ms (30 s); what follows is
    // refused.
    sim.run_until(SimTime(60_000_000));
    let f = sim.frame();
    let p = f.running().expect("the application's producer runs");
    let last = p.errors.last.expect("the producer got an error");
    assert_eq!(last.error, KafkaError::NotEnoughReplicas, "{last:?}");
    assert!(p.errors.count > 0);
    let refused: Vec<_> = f.partitions.iter().filter_map(|pf| pf.refused).collect();
    assert!(!refused.is_empty(), "some partition shows refusals");
    assert!(refused
        .iter()
        .all(|r| r.last == KafkaError::NotEnoughReplicas && r.count > 0));
    let counted: u64 = refused.iter().map(|r| r.count).sum();
    assert!(counted <= p.errors.count, "{counted} > {}", p.errors.count);
}

#[test]
fn a_healthy_world_has_no_refusals() {
    let mut sim = Sim::new(Config::preset(), 7).expect("the world is valid");
    sim.run_until(SimTime(3_000_000));
    let f = sim.frame();
    assert!(f.partitions.iter().all(|pf| pf.refused.is_none()));
    assert!(f.producers.iter().all(|p| p.errors.last.is_none()));
}
