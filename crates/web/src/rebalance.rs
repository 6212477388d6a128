//! What the page remembers of each consumer group's rebalances, read from the core's trace as
//! it goes by: when each phase began (the trigger that put the group in PreparingRebalance,
//! the end of the join phase with the leader chosen, the leader's SyncGroup arriving, the last
//! member receiving its assignment) and when each member's last heartbeat reached the
//! coordinator. Presentation only: the phases are the core's own events, named; nothing here
//! decides anything about Kafka.
//!
//! The trace keeps the last `TRACE_CAPACITY` events, so the app lets the observer read it at
//! least every `TRACE_CAPACITY / 2` events (`App::advance`); a phase that scrolled out unseen
//! is simply missing from the history, while the live indicator (`render::groups`) reads the
//! group's state and never depends on it.
//!
//! What the observer holds is a fold over the run's events, so it keeps a copy of itself as it
//! was before every [`MEMO_EVERY`]th event: after a jump in time ([`Observer::recall`]) it is
//! the copy before the world's moment, with the trace ring's later entries (all of them are in
//! the ring, since it holds more than `MEMO_EVERY`) read again, exactly what reading the run
//! up to that moment gives. A fork drops the copies after it ([`Observer::forget_after`]).

use std::collections::{BTreeMap, VecDeque};
use streamscope_core::event::{Delivery, RebalanceReason};
use streamscope_core::net::{MessageKind, Node};
use streamscope_core::{Event, Sim, SimTime, TraceEntry};

/// A rebalance phase as the page names it (the core's `GroupPhase`: `Sim::group_phase`).
pub use streamscope_core::sim::view::GroupPhase as Phase;

/// The i18n key of a phase's short name.
pub fn phase_key(p: Phase) -> &'static str {
    match p {
        Phase::Empty => "grp_phase_empty",
        Phase::Join => "grp_phase_join",
        Phase::Assign => "grp_phase_assign",
        Phase::Sync => "grp_phase_sync",
        Phase::Stable => "grp_phase_stable",
        Phase::Dead => "grp_phase_dead",
    }
}

/// One phase change seen in the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    pub time_us: u64,
    pub phase: Phase,
    /// The generation the event names (the new one from Assign on).
    pub generation: u32,
}

/// Phase changes kept per group.
pub const MAX_STEPS: usize = 16;

/// One group's recent rebalances.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupLog {
    /// Oldest first, at most [`MAX_STEPS`].
    pub steps: VecDeque<Step>,
    /// What triggered the latest rebalance.
    pub cause: Option<RebalanceReason>,
    /// Members still to receive the assignment of `pending_generation`.
    pending_members: u32,
    pending_generation: u32,
}

impl GroupLog {
    fn push(&mut self, step: Step) {
        if self.steps.len() == MAX_STEPS {
            self.steps.pop_front();
        }
        self.steps.push_back(step);
    }

    /// The last rebalance that reached Stable: its trigger time (`None` when the trace showed
    /// no trigger, as for an empty group's first join, which is not a rebalance event) and its
    /// Stable step.
    pub fn last_completed(&self) -> Option<(Option<u64>, Step)> {
        let end = self.steps.iter().rposition(|s| s.phase == Phase::Stable)?;
        let stable = self.steps.get(end).copied()?;
        let before = self.steps.iter().take(end);
        let previous_stable = before.clone().rposition(|s| s.phase == Phase::Stable);
        let start = before
            .enumerate()
            .skip(previous_stable.map_or(0, |i| i + 1))
            .find(|(_, s)| s.phase == Phase::Join)
            .map(|(_, s)| s.time_us);
        Some((start, stable))
    }
}

/// Events between two copies the observer keeps of itself (less than the trace ring holds).
pub const MEMO_EVERY: u64 = 2048;

/// What the observer knows before some event: its groups and heartbeats.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Memo {
    groups: Vec<GroupLog>,
    heartbeats: Vec<Option<SimTime>>,
}

/// What the page has read from the trace so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observer {
    /// Index of the next trace entry to read.
    next_index: u64,
    pub groups: Vec<GroupLog>,
    /// Per consumer: when its last Heartbeat reached the coordinator.
    pub heartbeats: Vec<Option<SimTime>>,
    /// Itself before every `MEMO_EVERY`th event of the run, by event index.
    memos: BTreeMap<u64, Memo>,
}

impl Observer {
    pub fn reset(&mut self) {
        *self = Observer::default();
    }

    /// Reads the trace entries added since the last call.
    pub fn observe(&mut self, sim: &Sim) {
        if sim.events_processed() < self.next_index {
            self.reset(); // a new simulation
        }
        let trace = sim.trace();
        let next = self.next_index;
        let new = trace
            .entries()
            .rev()
            .take_while(|e| e.index >= next)
            .count();
        let skip = trace.entries().len() - new;
        for e in trace.entries().skip(skip) {
            if e.index.is_multiple_of(MEMO_EVERY) && !self.memos.contains_key(&e.index) {
                let memo = Memo {
                    groups: self.groups.clone(),
                    heartbeats: self.heartbeats.clone(),
                };
                self.memos.insert(e.index, memo);
            }
            self.note(sim, e);
        }
        self.next_index = sim.events_processed();
    }

    /// After a jump in time: what reading the run up to `sim`'s moment gives (the copy
    /// before it and the trace ring's entries since); only the ring when no copy is near
    /// enough (a run not read from its start).
    pub fn recall(&mut self, sim: &Sim) {
        let events = sim.events_processed();
        let oldest_in_ring = sim.trace().entries().next().map_or(events, |e| e.index);
        let memo = self
            .memos
            .range(..=events)
            .next_back()
            .filter(|(at, _)| **at >= oldest_in_ring || **at == events);
        let (at, memo) = match memo {
            Some((at, m)) => (*at, m.clone()),
            None => (oldest_in_ring, Memo::default()),
        };
        self.groups = memo.groups;
        self.heartbeats = memo.heartbeats;
        self.next_index = at;
        self.observe(sim);
    }

    /// A fork after event `event - 1`: the copies of later moments are of another future.
    pub fn forget_after(&mut self, event: u64) {
        self.memos.retain(|at, _| *at <= event);
    }

    fn group(&mut self, g: u32) -> &mut GroupLog {
        let i = g as usize;
        if self.groups.len() <= i {
            self.groups.resize(i + 1, GroupLog::default());
        }
        &mut self.groups[i]
    }

    fn note(&mut self, sim: &Sim, e: &TraceEntry) {
        let time_us = e.time.micros();
        match &e.event {
            Event::Delivered {
                kind, from, detail, ..
            } => match detail {
                Delivery::RebalanceTriggered {
                    group,
                    generation,
                    reason,
                } => self.triggered(*group, *generation, time_us, *reason),
                Delivery::GroupStable {
                    group,
                    generation,
                    members,
                } => self.sync_began(*group, *generation, *members, time_us),
                Delivery::Assigned { generation, .. } => self.assigned(sim, e, *generation),
                _ if *kind == MessageKind::Heartbeat => self.heartbeat_reached(from, e.time),
                _ => {}
            },
            Event::RebalanceJoined {
                group, generation, ..
            } => {
                self.group(*group).push(Step {
                    time_us,
                    phase: Phase::Assign,
                    generation: *generation,
                });
            }
            Event::MemberExpired {
                group,
                consumer,
                generation,
            } => self.triggered(
                *group,
                *generation,
                time_us,
                RebalanceReason::SessionExpired {
                    consumer: *consumer,
                },
            ),
            _ => {}
        }
    }

    /// The leader's SyncGroup reached the coordinator: the sync phase, `members` still to
    /// receive generation `generation`'s assignment.
    fn sync_began(&mut self, group: u32, generation: u32, members: u32, time_us: u64) {
        let log = self.group(group);
        log.push(Step {
            time_us,
            phase: Phase::Sync,
            generation,
        });
        log.pending_members = members;
        log.pending_generation = generation;
    }

    /// A member received generation `generation`'s assignment; the last one makes the group
    /// Stable.
    fn assigned(&mut self, sim: &Sim, e: &TraceEntry, generation: u32) {
        let time_us = e.time.micros();
        if let Event::Delivered {
            to: Node::Consumer(c),
            ..
        } = &e.event
        {
            let Some(g) = sim.consumers().get(*c as usize).map(|c| c.group) else {
                return;
            };
            let log = self.group(g);
            if log.pending_generation == generation && log.pending_members > 0 {
                log.pending_members -= 1;
                if log.pending_members == 0 {
                    log.push(Step {
                        time_us,
                        phase: Phase::Stable,
                        generation,
                    });
                }
            }
        }
    }

    /// A Heartbeat from `from` (a consumer) reached its coordinator at `time`.
    fn heartbeat_reached(&mut self, from: &Node, time: SimTime) {
        if let Node::Consumer(c) = from {
            let i = *c as usize;
            if self.heartbeats.len() <= i {
                self.heartbeats.resize(i + 1, None);
            }
            self.heartbeats[i] = Some(time);
        }
    }

    fn triggered(&mut self, group: u32, generation: u32, time_us: u64, reason: RebalanceReason) {
        let log = self.group(group);
        // Several triggers within one join phase are one rebalance.
        if log.steps.back().is_some_and(|s| s.phase == Phase::Join) {
            return;
        }
        log.push(Step {
            time_us,
            phase: Phase::Join,
            generation,
        });
        log.cause = Some(reason);
        log.pending_members = 0;
    }

    /// When consumer `c`'s last heartbeat reached its coordinator.
    pub fn last_heartbeat(&self, c: u32) -> Option<SimTime> {
        self.heartbeats.get(c as usize).copied().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::{Change, Config};

    #[test]
    fn a_new_member_gives_join_assign_sync_stable_in_order() {
        let mut sim = Sim::new(Config::preset(), 1).unwrap();
        let mut obs = Observer::default();
        sim.run_until(SimTime(2_000_000));
        obs.observe(&sim);
        let before = obs.groups[0].steps.len();
        sim.apply(Change::AddConsumer {
            group: 0,
            strategy: None,
        })
        .unwrap();
        // Read the trace in small chunks, as the app does.
        while sim.now() < SimTime(8_000_000) {
            sim.run_until_bounded(SimTime(8_000_000), 1000);
            obs.observe(&sim);
        }
        let log = &obs.groups[0];
        let phases: Vec<Phase> = log.steps.iter().skip(before).map(|s| s.phase).collect();
        assert_eq!(phases, Phase::CYCLE, "{log:?}");
        let (start, stable) = log.last_completed().unwrap();
        assert_eq!(stable.generation, sim.groups()[0].generation);
        assert!(stable.time_us > start.unwrap());
        assert!(matches!(
            log.cause,
            Some(RebalanceReason::MemberJoined { consumer: 2 })
        ));
        // Heartbeats of the members reached the coordinator.
        assert!(obs.last_heartbeat(0).is_some());
        assert!(obs.last_heartbeat(9).is_none());
    }

    /// After a jump back, the observer is what reading the run up to then gives.
    #[test]
    fn a_jump_recalls_what_the_run_had_read_by_then() {
        let read_to = |events: u64, obs: &mut Observer| {
            let mut sim = Sim::new(Config::preset(), 1).unwrap();
            sim.apply(Change::AddConsumer {
                group: 0,
                strategy: None,
            })
            .unwrap();
            while sim.events_processed() < events {
                let n = (events - sim.events_processed()).min(1500);
                for _ in 0..n {
                    sim.step();
                }
                obs.observe(&sim);
            }
            sim
        };
        let mut whole = Observer::default();
        read_to(5 * MEMO_EVERY + 100, &mut whole);
        for events in [3 * MEMO_EVERY + 7, MEMO_EVERY, 700] {
            let mut fresh = Observer::default();
            let sim = read_to(events, &mut fresh);
            let mut jumped = whole.clone();
            jumped.recall(&sim);
            assert_eq!(
                (&jumped.groups, &jumped.heartbeats),
                (&fresh.groups, &fresh.heartbeats),
                "at event {events}"
            );
        }
        assert!(whole.groups[0].steps.len() >= 3, "{:?}", whole.groups);
        whole.forget_after(MEMO_EVERY);
        assert_eq!(
            whole.memos.keys().copied().collect::<Vec<_>>(),
            [0, MEMO_EVERY]
        );
    }

    #[test]
    fn a_new_simulation_starts_over() {
        let mut sim = Sim::new(Config::preset(), 1).unwrap();
        sim.run_until(SimTime(1_000_000));
        let mut obs = Observer::default();
        obs.observe(&sim);
        assert!(!obs.groups.is_empty());
        let fresh = Sim::new(Config::preset(), 1).unwrap();
        obs.observe(&fresh);
        assert!(obs.groups.is_empty());
    }
}
