//! The consumer application's commits: commitSync() blocks the poll loop until the
//! OffsetCommit response, commitAsync() does not; with auto-commit off and no manual commit
//! nothing is committed, so a partition that changes hands is read again from the start; lag
//! history; the group coordinator's failover (FindCoordinator, the new coordinator loads the
//! group and its committed offsets, nothing is skipped).

use std::collections::BTreeMap;
use streamscope_core::consumer::group::GroupState;
use streamscope_core::event::{Delivery, Event, Event::Delivered};
use streamscope_core::net::{GroupError, MessageKind, Node};
use streamscope_core::{Change, Config, Sim, SimTime};

mod common;
use common::group_checker::ConsumedChecker;
const S: u64 = 1_000_000;

fn sim_with(settings: &[(&str, &str)], seed: u64) -> Sim {
    let mut c = Config::preset();
    c.set("sim.produce.rate", "500").unwrap();
    for (k, v) in settings {
        c.set(k, v).unwrap();
    }
    Sim::new(c, seed).unwrap()
}

/// Per consumer: commit calls, polls returning records while one of its commits was in
/// flight, and polls returning records while blocked in commitSync (must stay 0).
#[derive(Default, Debug)]
struct CommitWatch {
    calls: BTreeMap<u32, u32>,
    outstanding: BTreeMap<u32, u32>,
    blocked: BTreeMap<u32, bool>,
    polls_during_commit: u32,
    polls_while_blocked: u32,
    responses: u32,
}

impl CommitWatch {
    fn see(&mut self, ev: &Event) {
        match ev {
            Event::CommitCalled {
                consumer,
                sync,
                partitions,
            } if *partitions > 0 => {
                *self.calls.entry(*consumer).or_default() += 1;
                *self.outstanding.entry(*consumer).or_default() += 1;
                if *sync {
                    self.blocked.insert(*consumer, true);
                }
            }
            Event::Polled { consumer, .. } => {
                if self.outstanding.get(consumer).copied().unwrap_or(0) > 0 {
                    self.polls_during_commit += 1;
                }
                if self.blocked.get(consumer).copied().unwrap_or(false) {
                    self.polls_while_blocked += 1;
                }
            }
            Delivered {
                kind: MessageKind::OffsetCommitResponse,
                to: Node::Consumer(c),
                ..
            } => {
                self.responses += 1;
                let n = self.outstanding.entry(*c).or_default();
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.blocked.insert(*c, false);
                }
            }
            _ => {}
        }
    }

    fn run(&mut self, sim: &mut Sim, until: u64) {
        while sim.next_event_time().is_some_and(|t| t.0 <= until) {
            if let Some(e) = sim.step() {
                let ev = e.event.clone();
                self.see(&ev);
            }
        }
    }
}

const MANUAL: [(&str, &str); 4] = [
    ("enable.auto.commit", "false"),
    ("sim.network.latency", "5ms"),
    ("sim.consumer.processing", "200us"),
    ("max.poll.records", "20"),
];

#[test]
fn commit_sync_blocks_the_poll_loop_until_the_response() {
    let mut settings = MANUAL.to_vec();
    settings.push(("sim.consumer.commit", "sync"));
    let mut sim = sim_with(&settings, 21);
    let mut w = CommitWatch::default();
    w.run(&mut sim, 10 * S);
    let calls: u32 = w.calls.values().sum();
    assert!(calls > 50, "{w:?}");
    assert_eq!(
        w.polls_while_blocked, 0,
        "a poll happened inside commitSync"
    );
    assert_eq!(w.polls_during_commit, 0);
    // Every commit was answered but the last ones, and the group's offsets follow them.
    assert!(w.responses + 2 >= calls);
    let committed: u64 = sim.groups()[0].committed.values().sum();
    assert!(committed > 0);
    // The round trip (10 ms) is part of every poll cycle: far fewer polls than without it.
    let consumed: u64 = sim.consumers().iter().map(|c| c.records_consumed).sum();
    assert!(consumed > 1000);
}

#[test]
fn commit_async_does_not_block() {
    let mut settings = MANUAL.to_vec();
    settings.push(("sim.consumer.commit", "async"));
    let mut sim = sim_with(&settings, 21);
    let mut w = CommitWatch::default();
    w.run(&mut sim, 10 * S);
    let calls: u32 = w.calls.values().sum();
    assert!(calls > 50, "{w:?}");
    assert!(
        w.polls_during_commit > 10,
        "polls go on while commits are in flight: {w:?}"
    );
    assert!(sim.groups()[0].committed.values().sum::<u64>() > 0);
}

/// Closes consumer 1 at 10 s and returns, per partition it held, (where consumer 1 had read
/// to, where consumer 0 starts reading it).
fn handover(sim: &mut Sim) -> BTreeMap<u32, (u64, u64)> {
    sim.run_until(streamscope_core::SimTime(10 * S));
    assert!(sim.consumers()[0].records_consumed > 0);
    let moved: Vec<_> = sim.consumers()[1].assignment.clone();
    let read_by_1 = sim.consumers()[1].positions.clone();
    assert!(read_by_1.values().all(|&p| p > 0));
    sim.apply(Change::RemoveConsumer { consumer: 1 }).unwrap();
    let mut first_read: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
    let end = sim.now().0 + 8 * S;
    while sim.next_event_time().is_some_and(|t| t.0 <= end) {
        let before = sim.consumers()[0].positions.clone();
        let Some(e) = sim.step() else { break };
        if let Event::Polled { consumer: 0, .. } = e.event {
            for tp in &moved {
                let now = sim.consumers()[0].positions.get(tp).copied();
                if let (Some(was), Some(now)) = (before.get(tp).copied(), now) {
                    if now > was {
                        let read = read_by_1.get(tp).copied().unwrap_or(0);
                        first_read.entry(tp.partition).or_insert((read, was));
                    }
                }
            }
        }
    }
    assert_eq!(
        first_read.len(),
        moved.len(),
        "consumer 0 reads every moved partition"
    );
    first_read
}

#[test]
fn with_auto_commit_off_and_no_manual_commit_nothing_is_committed() {
    let mut sim = sim_with(&[("enable.auto.commit", "false")], 22);
    // Consumer 1 closes: its partitions move to consumer 0, which starts them from the
    // beginning (earliest: nothing committed) and re-reads what consumer 1 had read.
    let reads = handover(&mut sim);
    assert!(
        reads.values().all(|&(_, start)| start == 0),
        "re-read from offset 0: {reads:?}"
    );
    assert!(sim.groups()[0].committed.is_empty());
    assert!(sim.consumers().iter().all(|c| c.committed.is_empty()));
}

#[test]
fn with_commit_sync_a_new_owner_re_reads_at_most_one_poll() {
    // The same handover with commitSync: the close commits nothing (auto-commit is off), but
    // every processed poll was committed, so at most one poll's records are read again.
    let mut sim = sim_with(
        &[
            ("enable.auto.commit", "false"),
            ("sim.consumer.commit", "sync"),
            ("max.poll.records", "20"),
        ],
        22,
    );
    let reads = handover(&mut sim);
    for (p, (read, start)) in &reads {
        assert!(start <= read, "partition {p}: nothing skipped");
        assert!(
            read - start <= 20,
            "partition {p}: re-read {read} - {start}"
        );
        assert!(*start > 0);
    }
}

#[test]
fn lag_history_is_bounded_and_shows_a_slow_consumer_falling_behind() {
    use streamscope_core::consumer::lag::{LAG_HISTORY_SAMPLES, LAG_SAMPLE_INTERVAL_US};
    let mut sim = sim_with(&[], 23);
    sim.run_until(streamscope_core::SimTime(2 * S));
    // 5 ms per record: consumer 0 handles 200 records/s of the ~250/s its partitions get.
    sim.apply(Change::SlowConsumer {
        consumer: 0,
        per_record_us: 5_000,
    })
    .unwrap();
    sim.run_until(streamscope_core::SimTime(70 * S));
    let snap = sim.snapshot();
    let slow = &snap.consumers[0].lag_history;
    let fast = &snap.consumers[1].lag_history;
    // Bounded: 700 samples were taken, the ring keeps the last 600, 100 ms apart.
    assert_eq!(slow.len(), LAG_HISTORY_SAMPLES);
    assert_eq!(fast.len(), LAG_HISTORY_SAMPLES);
    assert_eq!(
        slow[0][0],
        70 * S - (LAG_HISTORY_SAMPLES as u64 - 1) * LAG_SAMPLE_INTERVAL_US
    );
    assert!(slow
        .windows(2)
        .all(|w| w[1][0] - w[0][0] == LAG_SAMPLE_INTERVAL_US));
    // The slow consumer's records-lag-max grows; the other keeps up.
    let (first, last) = (slow[0], slow[slow.len() - 1]);
    assert!(last[1] > first[1] + 1000, "{first:?} -> {last:?}");
    assert!(
        fast.iter().all(|s| s[1] < 200),
        "the fast consumer keeps up"
    );
    // Committed lag is never below the position lag (commits trail positions).
    assert!(slow.iter().all(|s| s[3] >= s[2] && s[2] >= s[1]));
    // Per group: the sum over the six partitions, and its per-partition columns.
    let g = &snap.groups[0];
    assert_eq!(g.lag_history.len(), LAG_HISTORY_SAMPLES);
    assert_eq!(g.lag_partitions.len(), 6);
    let (t, parts) = &g.partition_lag_history[g.partition_lag_history.len() - 1];
    assert_eq!(*t, 70 * S);
    assert_eq!(parts.len(), 6);
    let last_g = g.lag_history[g.lag_history.len() - 1];
    assert_eq!(last_g[1], parts.iter().map(|p| p[0]).sum::<u64>());
    assert_eq!(last_g[2], parts.iter().map(|p| p[1]).sum::<u64>());
    assert!(last_g[1] >= last[2]);
    assert!(g.lag_history[0][2] < last_g[2]);
    // The committed offsets are in the group view too.
    assert_eq!(g.committed.len(), 6);
}

// ----- coordinator failover (the checker is group_membership.rs's) -----

/// (consumer, partition) ownership as the consumers themselves hold it.
/// Crashes group g1's coordinator broker at 5 s and runs to `until`, checking every step;
/// returns (the old coordinator, the group's committed offsets summed at the crash, the
/// events after the crash).
fn crash_coordinator(
    sim: &mut Sim,
    chk: &mut ConsumedChecker,
    until: u64,
) -> (u32, u64, Vec<Event>) {
    chk.run_until(sim, 5 * S);
    let old = sim.groups()[0].coordinator;
    let committed = sim.groups()[0].committed.values().sum();
    sim.apply(Change::CrashBroker { broker: old }).unwrap();
    (old, committed, chk.run_until(sim, until))
}

#[test]
fn the_coordinator_fails_over_and_the_stable_group_goes_on_from_its_commits() {
    let mut sim = sim_with(&[("auto.commit.interval.ms", "1000")], 31);
    let mut chk = ConsumedChecker::default();
    // The members found their coordinator with FindCoordinator before joining.
    let evs = chk.run_until(&mut sim, 4 * S);
    let finds = |evs: &[Event]| {
        evs.iter()
            .filter(|e| {
                matches!(
                    e,
                    Delivered {
                        kind: MessageKind::FindCoordinatorResponse,
                        ..
                    }
                )
            })
            .count()
    };
    assert_eq!(finds(&evs), 2);
    let g0 = sim.groups()[0].generation;
    assert_eq!(sim.groups()[0].state, GroupState::Stable);
    let (old, committed_at_crash, evs) = crash_coordinator(&mut sim, &mut chk, 50 * S);
    // Fenced (<= 9 s after the crash): the offsets partition moved and its new leader
    // loaded the group.
    let moved = evs.iter().find_map(|e| match e {
        Event::CoordinatorMoved { group: 0, from, to } => Some((*from, *to)),
        _ => None,
    });
    let (from, to) = moved.expect("a coordinator_moved event");
    assert_eq!(from, old);
    let new = to.expect("a live replica leads");
    assert_ne!(new, old);
    assert_eq!(sim.groups()[0].coordinator, new);
    // Each member's requests to the dead coordinator timed out (request.timeout.ms): it
    // marked the coordinator unknown and found the new one.
    let unknown = evs
        .iter()
        .filter(
            |e| matches!(e, Event::CoordinatorUnknown { coordinator, .. } if *coordinator == old),
        )
        .count();
    assert_eq!(unknown, 2);
    assert!(finds(&evs) >= 2);
    for c in sim.consumers() {
        assert_eq!(c.coordinator, Some(new));
    }
    // Kafka's rule: the loaded group is Stable in the generation it last stored, so the
    // members' heartbeats succeed and nobody rejoins.
    let g = &sim.groups()[0];
    assert_eq!(g.state, GroupState::Stable);
    assert_eq!(g.generation, g0);
    assert_eq!(g.members.len(), 2);
    assert!(!evs.iter().any(|e| matches!(
        e,
        Event::RebalanceJoined { .. } | Event::MemberExpired { .. }
    )));
    // Consumption never stopped and commits reach the new coordinator.
    let consumed_at_50 = chk.consumed;
    let committed: u64 = sim.groups()[0].committed.values().sum();
    assert!(committed > committed_at_crash);
    // A member crashes: the new coordinator expires it and the survivor takes its
    // partitions from the committed offsets (the checker asserts it), skipping nothing.
    sim.apply(Change::CrashConsumer { consumer: 1 }).unwrap();
    let evs = chk.run_until(&mut sim, 110 * S);
    assert!(evs
        .iter()
        .any(|e| matches!(e, Event::MemberExpired { consumer: 1, .. })));
    assert_eq!(sim.groups()[0].generation, g0 + 1);
    assert_eq!(sim.consumers()[0].assignment.len(), 6);
    assert!(chk.handovers >= 3, "{}", chk.handovers);
    assert!(chk.consumed > consumed_at_50);
}

#[test]
fn a_rebalance_cut_short_by_the_coordinator_crash_is_redone_at_the_new_one() {
    // A third member joins just as the coordinator dies: its JoinGroup is lost; the new
    // coordinator loads the two-member generation; the newcomer's JoinGroup times out
    // (rebalance timeout + 5 s), it finds the new coordinator and joins there.
    let mut sim = sim_with(
        &[
            ("max.poll.interval.ms", "20000"),
            ("auto.commit.interval.ms", "1000"),
        ],
        32,
    );
    let mut chk = ConsumedChecker::default();
    chk.run_until(&mut sim, 5 * S);
    let g0 = sim.groups()[0].generation;
    let old = sim.groups()[0].coordinator;
    sim.apply(Change::AddConsumer {
        group: 0,
        strategy: None,
    })
    .unwrap();
    // The newcomer's FindCoordinator is answered with the (not yet fenced) old coordinator.
    chk.run_until(&mut sim, 5 * S + 2_500);
    assert_eq!(sim.consumers()[2].coordinator, Some(old));
    sim.apply(Change::CrashBroker { broker: old }).unwrap();
    let evs = chk.run_until(&mut sim, 60 * S);
    let new = sim.groups()[0].coordinator;
    assert_ne!(new, old);
    assert!(evs.iter().any(|e| matches!(
        e,
        Event::CoordinatorUnknown { consumer: 2, coordinator } if *coordinator == old
    )));
    let g = &sim.groups()[0];
    assert_eq!(g.state, GroupState::Stable);
    assert_eq!(g.members.len(), 3);
    assert!(g.generation > g0);
    for c in sim.consumers() {
        assert_eq!(c.coordinator, Some(new));
        assert_eq!(c.assignment.len(), 2, "consumer {}", c.index);
    }
    assert!(chk.handovers >= 2);
}

#[test]
fn a_restarted_coordinator_answers_not_coordinator() {
    // The old coordinator comes back after the failover but before the members' requests
    // to it time out: it no longer leads the offsets partition, so it answers their next
    // heartbeats NOT_COORDINATOR and they find the new coordinator at once.
    let mut sim = sim_with(&[], 33);
    let mut chk = ConsumedChecker::default();
    let (old, _, _) = crash_coordinator(&mut sim, &mut chk, 20 * S);
    let new = sim.groups()[0].coordinator;
    assert_ne!(new, old);
    assert!(sim.consumers().iter().all(|c| c.coordinator == Some(old)));
    sim.apply(Change::RestartBroker { broker: old }).unwrap();
    let evs = chk.run_until(&mut sim, 25 * S);
    let refused = evs
        .iter()
        .filter(|e| {
            matches!(
                e,
                Delivered {
                    from: Node::Broker(b),
                    to: Node::Consumer(_),
                    detail: Delivery::GroupRefused {
                        error: GroupError::NotCoordinator
                    },
                    ..
                } if *b == old
            )
        })
        .count();
    assert_eq!(refused, 2, "one NOT_COORDINATOR per member");
    assert!(!evs.iter().any(|e| matches!(
        e,
        Event::CoordinatorMoved { .. } | Event::CoordinatorUnknown { .. }
    )));
    assert_eq!(
        sim.groups()[0].coordinator,
        new,
        "leadership stays where it moved"
    );
    for c in sim.consumers() {
        assert_eq!(c.coordinator, Some(new));
    }
    assert_eq!(sim.groups()[0].state, GroupState::Stable);
}

#[test]
fn commit_sync_gives_up_after_default_api_timeout() {
    // Every response of the group's coordinator is lost: the blocked commitSync() throws
    // TimeoutException after default.api.timeout.ms (60 s) and the application polls again.
    let mut c = Config::preset();
    c.set("sim.consumer.commit", "sync").unwrap();
    let mut sim = Sim::new(c, 21).unwrap();
    sim.run_until(SimTime(3_000_000));
    let coord = sim.groups()[0].coordinator;
    sim.apply(Change::DropResponses {
        broker: coord,
        on: true,
    })
    .unwrap();
    let mut timed_out = Vec::new();
    while let Some(e) = sim.step_until(SimTime(80_000_000)) {
        if let Event::CommitSyncTimedOut { consumer } = e.event {
            timed_out.push((e.time.micros(), consumer));
        }
    }
    assert!(!timed_out.is_empty(), "a blocked commitSync() timed out");
    assert!(
        timed_out.iter().all(|(t, _)| *t >= 63_000_000),
        "{timed_out:?}"
    );
    // The application went on polling afterwards.
    sim.apply(Change::DropResponses {
        broker: coord,
        on: false,
    })
    .unwrap();
    let before: u64 = sim.consumers().iter().map(|c| c.records_consumed).sum();
    sim.run_until(SimTime(140_000_000));
    let after: u64 = sim.consumers().iter().map(|c| c.records_consumed).sum();
    assert!(after > before, "consumers carry on after the timeout");
}
