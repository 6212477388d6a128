//! A broker crash as KRaft handles it: the controller fences the broker when its session
//! expires (9 s after its last heartbeat), elects new leaders from the ISR with a new leader
//! epoch, the clients follow; the broker comes back, truncates, catches up and rejoins the ISR.

use std::collections::HashSet;
use streamscope_core::event::Delivery;
use streamscope_core::{Change, Config, Event, Sim, SimTime};

fn world() -> Sim {
    let mut c = Config::preset();
    c.set("min.insync.replicas", "2").unwrap();
    Sim::new(c, 21).unwrap()
}

/// Record ids acknowledged to the producers so far (acks=all).
fn acknowledged(sim: &Sim) -> Vec<u64> {
    (0..sim
        .producers()
        .iter()
        .map(|p| p.stats.records_sent)
        .sum::<u64>())
        .filter(|id| {
            matches!(
                sim.record_info(*id).map(|i| i.outcome),
                Some(streamscope_core::inspect::RecordOutcome::Acknowledged { .. })
            )
        })
        .collect()
}

#[test]
fn crashing_a_leader_elects_from_the_isr_and_loses_nothing_acknowledged() {
    let mut sim = world();
    sim.run_until(SimTime(2_000_000));
    let victim = sim.topics()[0].partitions[0].leader.unwrap();
    let led: Vec<u32> = sim.topics()[0]
        .partitions
        .iter()
        .filter(|p| p.leader == Some(victim))
        .map(|p| p.index)
        .collect();
    let acked_before = acknowledged(&sim);
    assert!(acked_before.len() > 300);
    sim.apply(Change::CrashBroker { broker: victim }).unwrap();
    assert!(
        sim.apply(Change::CrashBroker { broker: victim }).is_err(),
        "already down"
    );
    assert!(
        sim.apply(Change::CrashBroker { broker: 9 }).is_err(),
        "no such broker"
    );

    // Still the leader until the controller fences it: at most 9 s + one heartbeat later.
    sim.run_until(SimTime(2_000_000 + 6_000_000));
    assert_eq!(sim.topics()[0].partitions[0].leader, Some(victim));
    sim.run_until(SimTime(2_000_000 + 11_100_000));
    let fenced = sim
        .trace()
        .entries()
        .any(|e| matches!(e.event, Event::BrokerFenced { broker, .. } if broker == victim));
    assert!(fenced || sim.brokers()[victim as usize].fenced);
    for p in &led {
        let part = &sim.topics()[0].partitions[*p as usize];
        assert_ne!(part.leader, Some(victim), "partition {p} has a new leader");
        assert!(part.leader.is_some());
        assert_eq!(part.leader_epoch, 1, "one election, one epoch bump");
        assert!(
            !part.isr.contains(&victim),
            "the fenced broker left the ISR"
        );
    }
    let lost_msgs = sim
        .trace()
        .entries()
        .filter(|e| {
            matches!(
                e.event,
                Event::Delivered {
                    detail: Delivery::Lost,
                    ..
                }
            )
        })
        .count();
    let _ = lost_msgs;

    // Producing and consuming go on with the new leaders.
    let acked_mid = acknowledged(&sim).len();
    sim.run_until(SimTime(20_000_000));
    assert!(
        acknowledged(&sim).len() > acked_mid + 500,
        "acknowledgements resume"
    );

    // acks=all with min.insync.replicas=2 and a clean election: nothing acknowledged is lost.
    let mut in_logs = HashSet::new();
    for p in &sim.topics()[0].partitions {
        if let Some(l) = p.leader_replica() {
            for (_, e) in l.log.range(0, u64::MAX) {
                assert!(
                    in_logs.insert(e.record_id),
                    "record {} written twice",
                    e.record_id
                );
            }
        }
    }
    for id in acknowledged(&sim) {
        assert!(in_logs.contains(&id), "acknowledged record {id} is lost");
    }

    // The broker returns, catches up and rejoins the ISR.
    sim.apply(Change::RestartBroker { broker: victim }).unwrap();
    sim.run_until(SimTime(25_000_000));
    for p in &sim.topics()[0].partitions {
        assert!(
            p.isr.contains(&victim),
            "partition {} ISR {:?}",
            p.index,
            p.isr
        );
        let leo = p.log_end_offset();
        let r = p.replica(victim).unwrap();
        assert!(leo - r.log.log_end_offset() < 50, "caught up");
    }
    let s = sim.summary();
    let lag: u64 = s.consumers.iter().map(|c| c.lag).sum();
    assert!(
        s.records_consumed > 3_000 && lag < 500,
        "consumers follow the new leaders (lag {lag})"
    );
}

#[test]
fn too_few_in_sync_replicas_refuse_acks_all_and_stall_the_high_watermark() {
    let mut c = Config::preset();
    c.set("min.insync.replicas", "2").unwrap();
    c.set("delivery.timeout.ms", "40000").unwrap();
    c.set("request.timeout.ms", "5000").unwrap();
    let mut sim = Sim::new(c, 5).unwrap();
    sim.run_until(SimTime(1_000_000));
    let sent_before = sim.summary().records_sent;
    sim.apply(Change::CrashBroker { broker: 0 }).unwrap();
    sim.apply(Change::CrashBroker { broker: 1 }).unwrap();
    sim.run_until(SimTime(14_000_000));
    // Only broker 2 is left: every ISR is [2] < min.insync.replicas = 2.
    for p in &sim.topics()[0].partitions {
        assert_eq!(p.leader, Some(2));
        assert_eq!(p.isr, vec![2]);
    }
    let errors: Vec<_> = sim
        .trace()
        .entries()
        .filter_map(|e| match &e.event {
            Event::Delivered {
                detail:
                    Delivery::Acknowledged {
                        error: Some(err), ..
                    },
                ..
            } => Some(*err),
            _ => None,
        })
        .collect();
    assert!(
        errors.iter().any(|e| e.name() == "NOT_ENOUGH_REPLICAS"),
        "acks=all writes are refused before append: {errors:?}"
    );
    // Nothing new becomes visible to consumers while the ISR is too small.
    let hw: Vec<u64> = sim
        .summary()
        .partitions
        .iter()
        .map(|p| p.high_watermark)
        .collect();
    sim.run_until(SimTime(16_000_000));
    let hw2: Vec<u64> = sim
        .summary()
        .partitions
        .iter()
        .map(|p| p.high_watermark)
        .collect();
    assert_eq!(hw, hw2);
    assert!(sim.summary().records_sent > sent_before);
}
