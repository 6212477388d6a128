//! The two kinds of broker crash and a restart before the controller's fence (KIP-966).
//!
//! - A killed process on a live host (`Change::KillBroker`, `kill:broker=N`) closes its
//!   connections: the producer fails its requests in flight at once, keeps the partitions'
//!   batches while the host refuses connections, and sends them to the new leader as soon as
//!   the controller elects it (9 s session timeout: no controlled shutdown after a SIGKILL).
//! - A lost host (`Change::CrashBroker`, `crash:broker=N`) is silent: requests in flight wait
//!   out request.timeout.ms (30 s) before they are retried.
//! - A broker restarted before its fence registers only when the controller fences the old
//!   incarnation, which moves its leaderships with a new epoch first.

use streamscope_core::sim::schedule::{drain_limit, parse_fault, FaultKind};
use streamscope_core::{Change, Config, Event, Sim, SimTime};

const S: u64 = 1_000_000;

fn world() -> Sim {
    let mut c = Config::preset();
    c.set("min.insync.replicas", "2").unwrap();
    Sim::new(c, 21).unwrap()
}

/// What happened after the leader of partition 0 went down at 2 s (the applications stop
/// sending then): when the controller fenced it, when every record sent had an outcome, and
/// how many request timeouts the producers saw.
struct After {
    fenced_at: u64,
    done_at: u64,
    timeouts: u32,
    failed: u64,
}

fn leader_down(change: fn(u32) -> Change) -> After {
    let mut sim = world();
    sim.run_until(SimTime(2 * S));
    let victim = sim.topics()[0].partitions[0].leader.unwrap();
    sim.begin_drain();
    sim.apply(change(victim)).unwrap();
    let (mut fenced_at, mut timeouts) = (None, 0);
    let limit = SimTime(80 * S);
    while sim.now() < limit {
        let Some(e) = sim.step_until(limit) else {
            break;
        };
        match e.event {
            Event::BrokerFenced { broker, .. } if broker == victim => fenced_at = Some(e.time),
            Event::RequestTimedOut { .. } => timeouts += 1,
            _ => {}
        }
        let p = &sim.producers()[0].stats;
        if p.records_acknowledged + p.records_failed == p.records_sent {
            break;
        }
    }
    let p = &sim.producers()[0].stats;
    assert_eq!(
        p.records_acknowledged + p.records_failed,
        p.records_sent,
        "every record sent has an outcome"
    );
    After {
        fenced_at: fenced_at
            .expect("the controller fenced the broker")
            .micros(),
        done_at: sim.now().micros(),
        timeouts,
        failed: p.records_failed,
    }
}

#[test]
fn a_killed_leader_moves_producers_to_the_new_leader_without_the_request_timeout() {
    let killed = leader_down(|broker| Change::KillBroker { broker });
    let silent = leader_down(|broker| Change::CrashBroker { broker });
    eprintln!(
        "killed: fenced {} us, all acknowledged {} us after; lost host: fenced {} us, all acknowledged at {} us ({} request timeouts)",
        killed.fenced_at,
        killed.done_at - killed.fenced_at,
        silent.fenced_at,
        silent.done_at,
        silent.timeouts
    );
    for a in [&killed, &silent] {
        // No controlled shutdown either way: the fence waits for the session timeout.
        assert!(a.fenced_at > 2 * S + 6 * S && a.fenced_at <= 2 * S + 9 * S);
        assert_eq!(
            a.failed, 0,
            "retries deliver everything (acks=all, idempotent)"
        );
    }
    // Killed: nothing waits for request.timeout.ms; the last record is acknowledged within a
    // second of the election.
    assert_eq!(killed.timeouts, 0);
    assert!(
        killed.done_at - killed.fenced_at < S,
        "all acknowledged {} us after the election",
        killed.done_at - killed.fenced_at
    );
    // Lost host: the requests in flight at the crash wait out the 30 s request timeout.
    assert!(silent.timeouts > 0);
    assert!(
        silent.done_at >= 2 * S + 25 * S,
        "all acknowledged only at {} us",
        silent.done_at
    );
}

#[test]
fn a_broker_restarted_before_its_fence_registers_after_the_controller_moved_its_leaderships() {
    let mut sim = world();
    sim.run_until(SimTime(2 * S));
    let victim = sim.topics()[0].partitions[0].leader.unwrap();
    let epoch = sim.topics()[0].partitions[0].leader_epoch;
    sim.apply(Change::KillBroker { broker: victim }).unwrap();
    sim.run_until(SimTime(3 * S));
    sim.apply(Change::RestartBroker { broker: victim }).unwrap();
    let b = &sim.brokers()[victim as usize];
    assert!(
        !b.alive && b.registering && !b.fenced,
        "waits for the old session"
    );
    assert!(
        sim.apply(Change::RestartBroker { broker: victim }).is_err(),
        "already restarting"
    );
    // Still its leader in the old epoch until the fence; then a new leader, a new epoch,
    // and the new incarnation up as a follower.
    sim.run_until(SimTime(6 * S));
    assert_eq!(sim.topics()[0].partitions[0].leader, Some(victim));
    while !sim
        .step_until(SimTime(12 * S))
        .is_some_and(|e| matches!(e.event, Event::BrokerFenced { broker, .. } if broker == victim))
    {
        assert!(
            sim.now() < SimTime(12 * S),
            "fenced within the session timeout"
        );
    }
    let b = &sim.brokers()[victim as usize];
    assert!(b.alive && !b.registering && !b.fenced);
    let p = &sim.topics()[0].partitions[0];
    assert_ne!(p.leader, Some(victim));
    assert_eq!(p.leader_epoch, epoch + 1);
    assert!(
        !p.isr.contains(&victim),
        "out of the ISR until it catches up"
    );
    // It catches up and rejoins the ISR.
    sim.run_until(SimTime(20 * S));
    assert!(sim.topics()[0].partitions[0].isr.contains(&victim));
    assert!(sim.monitor().counts().acknowledged_lost == 0);
}

#[test]
fn a_broker_waiting_to_register_can_crash_again() {
    let mut sim = world();
    sim.run_until(SimTime(2 * S));
    sim.apply(Change::CrashBroker { broker: 1 }).unwrap();
    sim.apply(Change::RestartBroker { broker: 1 }).unwrap();
    sim.apply(Change::CrashBroker { broker: 1 }).unwrap();
    assert!(!sim.brokers()[1].registering);
    sim.run_until(SimTime(12 * S));
    let b = &sim.brokers()[1];
    assert!(
        !b.alive && b.fenced,
        "fenced, and down: its new process died too"
    );
    sim.apply(Change::RestartBroker { broker: 1 }).unwrap();
    assert!(sim.brokers()[1].alive, "registers at once once fenced");
}

#[test]
fn kill_faults_parse_and_render() {
    let f = parse_fault("kill:broker=1@2s..15s").unwrap();
    assert_eq!(f.kind, FaultKind::Kill { broker: 1 });
    assert_eq!(f.text, "kill:broker=1@2s..15s");
    assert_eq!(parse_fault(&f.text), Ok(f));
    // `crash:` keeps meaning a silent crash (host lost).
    let c = parse_fault("crash:broker=1@2s").unwrap();
    assert_eq!(c.kind, FaultKind::Crash { broker: 1 });
    assert!(parse_fault("kill@1s").is_err());
    for bad in [
        "kill:leader=orders-0@1s",
        "kill:broker=x@1s",
        "kill:broker=1,broker=2@1s",
    ] {
        let e = parse_fault(bad).unwrap_err();
        assert_eq!(e.field, "--fault");
        assert!(e.message.contains("broker=N"), "{bad}: {}", e.message);
    }
    let e = parse_fault("explode:broker=1@1s").unwrap_err();
    assert!(e.message.contains("crash, kill, restart"), "{}", e.message);
    // Scheduled: the broker is killed at 2 s and restarted at the window's end.
    let mut sim = world();
    sim.schedule_fault(parse_fault("kill:broker=2@2s..4s").unwrap())
        .unwrap();
    sim.run_until(SimTime(3 * S));
    assert!(!sim.brokers()[2].alive && sim.brokers()[2].refuses_connections);
    assert!(sim
        .changes()
        .iter()
        .any(|c| c.change == Change::KillBroker { broker: 2 }));
    sim.run_until(SimTime(5 * S));
    assert!(sim.brokers()[2].registering, "restarted before its fence");
    assert!(sim
        .schedule_fault(parse_fault("kill:broker=7@9s").unwrap())
        .is_err());
}

/// Both replicas of an RF 2 partition killed (min.insync.replicas=2, acks=all, clean
/// elections only): the follower killed second has every acknowledged record in its log, but
/// its own high watermark still lags (it learns the leader's from its next fetch). It comes
/// back as the last ISR member and leads: a killed process keeps its whole log (its host's
/// page cache survives; `LogLoader.recoverLog` truncates only at a corrupt batch), so nothing
/// acknowledged is lost and the run settles. It used to truncate to its high watermark at
/// the restart, losing the acknowledged tail (golden case 238: 7 output records).
#[test]
fn two_killed_replicas_restart_without_losing_acknowledged_records() {
    let mut c = Config::preset();
    c.set("replication.factor", "2").unwrap();
    c.set("min.insync.replicas", "2").unwrap();
    c.set("sim.produce.rate", "100").unwrap();
    let mut sim = Sim::new(c.clone(), 238).unwrap();
    sim.run_until(SimTime(3 * S));
    let p = &sim.topics()[0].partitions[0];
    let leader = p.leader.unwrap();
    let follower = p
        .replicas
        .iter()
        .map(|r| r.broker)
        .find(|b| *b != leader)
        .unwrap();
    sim.apply(Change::KillBroker { broker: leader }).unwrap();
    sim.run_until(SimTime(4 * S));
    let f = sim.topics()[0].partitions[0].replica(follower).unwrap();
    assert!(
        f.high_watermark < f.log.log_end_offset(),
        "the follower's high watermark lags its log when it is killed"
    );
    sim.apply(Change::KillBroker { broker: follower }).unwrap();
    sim.run_until(SimTime(6 * S));
    sim.end_faults();
    let report = sim.drain(drain_limit(&c, SimTime(6 * S)));
    assert_eq!(sim.monitor().counts().acknowledged_lost, 0);
    assert!(report.settled, "stuck: {:?}", report.stuck);
    let p = &sim.topics()[0].partitions[0];
    assert_eq!(p.leader, Some(follower), "the last ISR member leads again");
}
