//! Regressions found by `fault_props/`, each as the smallest run that showed it.

use streamscope_core::log::{EntryKind, Log, LogEntry};
use streamscope_core::{Change, Config, Sim, SimTime};

/// A follower whose fetch offset is past the leader's log end (the leader restarted before the
/// controller fenced it and truncated its log to its high watermark, while the follower had
/// already fetched beyond it) made `Log::range` panic when the parked fetch was answered.
#[test]
fn a_fetch_offset_past_the_log_end_reads_nothing() {
    let mut log = Log::new();
    for i in 0..3 {
        log.append(LogEntry {
            record_id: i,
            producer_id: -1,
            producer_epoch: 0,
            transactional: false,
            producer: 0,
            ordinal: i as u32,
            key: None,
            size_bytes: 10,
            leader_epoch: 0,
            timestamp: SimTime(0),
            kind: EntryKind::Data,
        });
    }
    assert_eq!(log.range(5, 10).count(), 0);
    assert_eq!(log.range(3, 3).count(), 0);
    assert_eq!(log.range(1, 10).count(), 2);
}

/// The same through the simulator: a leader crashes and restarts within the controller's
/// session timeout (9 s) while its followers hold records above its high watermark.
#[test]
fn a_leader_restarting_before_it_is_fenced_does_not_panic_its_followers() {
    let mut ahead_seen = false;
    for k in 0..40u64 {
        let mut c = Config::preset();
        c.set("acks", "1").unwrap();
        c.set("sim.produce.rate", "3000").unwrap();
        let mut sim = Sim::new(c, 5).unwrap();
        sim.run_until(SimTime(1_000_000 + k * 173));
        let leader = sim.topics()[0].partitions[0].leader.unwrap();
        sim.apply(Change::CrashBroker { broker: leader }).unwrap();
        sim.run_until(SimTime(2_000_000));
        // The restart cuts the leader's log to its high watermark: followers holding more are
        // ahead of it (and truncate by leader epoch at their next fetch).
        let p = &sim.topics()[0].partitions[0];
        let hw = p.leader_replica().map_or(0, |l| l.high_watermark);
        ahead_seen |= p.replicas.iter().any(|r| r.log.log_end_offset() > hw);
        sim.apply(Change::RestartBroker { broker: leader }).unwrap();
        sim.run_until(SimTime(4_000_000));
    }
    assert!(
        ahead_seen,
        "no run had a follower ahead of the restarted leader"
    );
}

/// A consumer whose auto-commit fell due while it was not Stable (its JoinGroup answer was
/// lost to a drop-responses fault after the topic grew) rescheduled its timer at the same
/// instant forever: the simulation stopped advancing.
#[test]
fn a_due_auto_commit_of_an_unstable_member_does_not_spin() {
    let mut c = Config::preset();
    for (k, v) in [
        ("sim.brokers", "1"),
        ("replication.factor", "1"),
        ("num.partitions", "1"),
        ("sim.produce.rate", "0"),
        ("sim.consumers", "1"),
    ] {
        c.set(k, v).unwrap();
    }
    let mut sim = Sim::new(c, 0).unwrap();
    sim.run_until(SimTime(5_000));
    sim.apply(Change::DropResponses {
        broker: 0,
        on: true,
    })
    .unwrap();
    sim.run_until(SimTime(10_000));
    sim.apply(Change::Set {
        name: "num.partitions".into(),
        value: "2".into(),
    })
    .unwrap();
    let mut events = 0;
    while sim.step_until(SimTime(10_000_000)).is_some() {
        events += 1;
        assert!(events < 10_000, "stuck at {:?}", sim.now());
    }
}

/// A leader that restarts before the controller fences it keeps leading in the same epoch
/// with its log truncated to its high watermark, and appends new records at the offsets it
/// lost. The monitor went on reading from where it had read to, missed them, and counted an
/// acknowledged record that is in the log as lost (found with crash:leader=orders-4,ahead@1740ms
/// and restart:broker=0@2005ms).
#[test]
fn the_monitor_reads_a_log_truncated_under_the_same_leader_again() {
    use streamscope_core::monitor::Monitor;
    use streamscope_core::net::TopicPartitionId;
    let entry = |producer: u32, ordinal: u32| LogEntry {
        record_id: ordinal as u64,
        producer_id: -1,
        producer_epoch: 0,
        transactional: false,
        producer,
        ordinal,
        key: None,
        size_bytes: 10,
        leader_epoch: 0,
        timestamp: SimTime(0),
        kind: EntryKind::Data,
    };
    let tp = TopicPartitionId {
        topic: 0,
        partition: 4,
    };
    let mut m = Monitor::default();
    let mut log = Log::new();
    log.append(entry(0, 0));
    m.read_log(tp, Some((0, 0)), &log);
    log.truncate_to(0);
    m.read_log(tp, Some((0, 0)), &log);
    log.append(entry(1, 0));
    m.read_log(tp, Some((0, 0)), &log);
    m.acknowledged(1, tp, 0, 1);
    assert_eq!(m.counts().acknowledged_lost, 0);
    assert!(!m.is_lost(1, tp, 0));
}

/// An idempotent producer's retry of a batch the leader already had was answered at once under
/// acks=all, before the high watermark covered the original: with an in-sync follower cut off
/// (its fetches lost, so the HW stays at 0) every record was acknowledged after the first
/// request timeout, and the clean election of that follower lost them all. Kafka answers a
/// duplicate with the original's offsets and its DelayedProduce waits for the HW to pass them.
/// Found with 3 brokers, RF 3, min.insync.replicas=2, acks=all, request.timeout.ms=200, one
/// record a second, cut:broker=1,broker=2@0s and crash:leader=orders-0,ahead@5152ms..17373ms.
#[test]
fn acks_all_answers_a_duplicate_only_once_the_high_watermark_covers_it() {
    use streamscope_core::sim::schedule::parse_fault;
    let mut c = Config::preset();
    for (k, v) in [
        ("acks", "all"),
        ("min.insync.replicas", "2"),
        ("num.partitions", "1"),
        ("sim.produce.rate", "1"),
        ("linger.ms", "0"),
        ("max.in.flight.requests.per.connection", "1"),
        ("request.timeout.ms", "200"),
        ("sim.consumers", "0"),
    ] {
        c.set(k, v).unwrap();
    }
    let mut sim = Sim::new(c, 4207861712117686372).unwrap();
    for f in [
        "cut:broker=1,broker=2@0s",
        "crash:leader=orders-0,ahead@5152ms..17373ms",
    ] {
        sim.schedule_fault(parse_fault(f).unwrap()).unwrap();
    }
    while sim.step_until(SimTime(19_889_000)).is_some() {
        let p = &sim.topics()[0].partitions[0];
        let m = sim.monitor().counts();
        // One partition, one producer: before any election, acknowledged <= HW.
        assert!(
            p.leader_epoch > 0 || m.acknowledged <= p.high_watermark(),
            "{} acknowledged with the high watermark at {}",
            m.acknowledged,
            p.high_watermark()
        );
        assert_eq!(m.acknowledged_lost, 0, "at {:?}", sim.now());
    }
    sim.end_faults();
    sim.drain(SimTime(60_000_000));
    assert_eq!(sim.monitor().counts().acknowledged_lost, 0);
}
