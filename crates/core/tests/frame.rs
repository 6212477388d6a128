//! The page's per-frame view (`Sim::frame`): each of its answers is the one the core gives
//! when asked on its own, for every broker, partition, replica, producer, group and consumer,
//! in worlds with and without transactions and with the pipeline.

use streamscope_core::sim::view::Frame;
use streamscope_core::{Change, Config, Sim, SimTime};

/// Checks every answer of `f` against the `Sim`'s own.
fn check(sim: &Sim, f: &Frame) {
    assert_eq!(f.now, sim.now());
    assert_eq!(f.transactions, sim.has_transactions());
    assert_eq!(f.brokers.len(), sim.brokers().len());
    for (b, bf) in sim.brokers().iter().zip(&f.brokers) {
        assert_eq!((bf.id, bf.state), (b.id, b.state()));
        assert_eq!(
            bf.group_coordinator,
            sim.groups().iter().any(|g| g.coordinator == b.id)
        );
        assert_eq!(
            bf.txn_coordinator,
            f.transactions && sim.is_txn_coordinator(b.id)
        );
    }
    let parts: Vec<_> = sim
        .topics()
        .iter()
        .flat_map(|t| t.partitions.iter())
        .collect();
    assert_eq!(parts.len(), f.partitions.len());
    for (p, pf) in parts.iter().zip(&f.partitions) {
        assert_eq!(f.partition(pf.tp).map(|x| x.tp), Some(pf.tp));
        assert_eq!(pf.leader, p.leader);
        if let Some(t) = pf.txn {
            assert_eq!(t.lso, sim.last_stable_offset(pf.tp));
            assert_eq!(t.held, sim.lso_holder(pf.tp).is_some());
        }
        assert_eq!(f.replicas(pf).len(), p.replicas.len());
        for (r, rf) in p.replicas.iter().zip(f.replicas(pf)) {
            assert_eq!(rf.broker, r.broker);
            assert_eq!(rf.in_isr, p.isr.contains(&r.broker));
            assert_eq!(rf.log_end_offset, r.log.log_end_offset());
            assert!(rf.log_end_offset <= pf.log_end_offset_max);
            if rf.leader {
                assert_eq!(rf.high_watermark, p.high_watermark());
            }
        }
    }
    for (p, pf) in sim.producers().iter().zip(&f.producers) {
        assert_eq!(pf.index, p.index);
        assert_eq!(pf.zombie, sim.is_zombie(p));
    }
    assert_eq!(
        f.running().map(|p| p.index),
        sim.running_app_producer(0).map(|p| p.index)
    );
    for (g, gf) in sim.groups().iter().zip(&f.groups) {
        assert_eq!(gf.phase, sim.group_phase(g));
        assert_eq!(gf.progress, sim.group_progress(g));
        assert_eq!(gf.leader, g.leader_consumer());
    }
    for (c, cf) in sim.consumers().iter().zip(&f.consumers) {
        assert_eq!(cf.index, c.index);
        assert_eq!(cf.rebalance, sim.member_rebalance(c));
        assert_eq!(cf.read_committed, sim.consumer_read_committed(c.index));
        assert_eq!(cf.assigned_count(), c.assignment.len());
        for (tp, a) in c.assignment.iter().zip(f.assigned(cf)) {
            assert_eq!(a.tp, *tp);
            assert_eq!(a.lag, sim.consumer_partition_lag(c.index, *tp));
            let pos = c.positions.get(tp).copied().unwrap_or(0);
            assert_eq!(a.waits_at_lso, sim.consumer_waits_at_lso(c.index, *tp, pos));
        }
    }
    assert_eq!(f.messages.len(), sim.messages().count());
}

/// Runs `sim` to `until_us`, checking a frame every 50 ms.
fn run_checking(sim: &mut Sim, until_us: u64) {
    let mut t = sim.now().micros();
    while t < until_us {
        t += 50_000;
        sim.run_until(SimTime(t));
        check(sim, &sim.frame());
    }
}

#[test]
fn the_frame_says_what_the_core_says() {
    let mut sim = Sim::new(Config::preset(), 1).unwrap();
    run_checking(&mut sim, 2_000_000);
    sim.apply(Change::AddConsumer {
        group: 0,
        strategy: None,
    })
    .unwrap();
    run_checking(&mut sim, 4_000_000);
}

#[test]
fn the_frame_of_a_transactional_world() {
    let mut c = Config::preset();
    c.set("transactional.id", "tx-1").unwrap();
    c.set("isolation.level", "read_committed").unwrap();
    let mut sim = Sim::new(c, 5).unwrap();
    run_checking(&mut sim, 2_000_000);
    let f = sim.frame();
    assert!(f.transactions);
    assert!(f.brokers.iter().any(|b| b.txn_coordinator));
    assert!(f.partitions.iter().all(|p| p.txn.is_some()));
    assert!(!f.positions.is_empty());
    assert!(f.producers.iter().any(|p| p.txn.is_some()));
}

#[test]
fn the_frame_of_a_pipeline() {
    let mut c = Config::preset();
    c.set("sim.pipeline", "ctp").unwrap();
    let mut sim = Sim::new(c, 3).unwrap();
    run_checking(&mut sim, 1_500_000);
    let f = sim.frame();
    assert!(!f.processors.is_empty());
    assert!(f.consumers.iter().any(|c| c.processor.is_some()));
    assert!(f.producers.iter().any(|p| p.processor));
}
