//! Checkers shared by the consumer-group tests: ownership per stable generation and the
//! record-by-record consumption check (nothing skipped; re-reads only past the last commit).
#![allow(dead_code)]

use std::collections::BTreeMap;
use streamscope_core::consumer::group::GroupState;
use streamscope_core::event::Event;
use streamscope_core::Sim;

pub fn owners(sim: &Sim, group: u32) -> BTreeMap<u32, Vec<u32>> {
    let mut m: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for c in sim.consumers().iter().filter(|c| c.group == group) {
        for tp in &c.assignment {
            m.entry(tp.partition).or_default().push(c.index);
        }
    }
    m
}

/// Checks after every step that a Stable generation gives each partition exactly one owner
/// at the coordinator (cooperative: at most one, since the first round holds back what is
/// still being revoked; the follow-up round gives it out), and that no two consumers of a
/// group ever hold one partition at once.
pub fn check_stable_ownership(sim: &Sim) {
    for g in sim.groups() {
        let o = owners(sim, g.index);
        for (p, cs) in &o {
            assert!(cs.len() <= 1, "partition {p} owned by {cs:?} at once");
        }
        if g.state != GroupState::Stable {
            continue;
        }
        let cooperative = g.protocol_name() == "cooperative-sticky";
        let parts: usize = sim.topics()[0].partitions.len();
        let mut count = vec![0u32; parts];
        for m in &g.members {
            for tp in &m.assignment {
                count[tp.partition as usize] += 1;
            }
        }
        assert!(
            count.iter().all(|&n| n == 1 || (cooperative && n == 0)),
            "generation {} of {}: coordinator ownership {count:?}",
            g.generation,
            g.group_id
        );
    }
}

/// Records every range of offsets `poll()` returns, per group and partition, and checks the
/// at-least-once contract of committed offsets: no gap ever, and a re-read starts at the offset
/// the group had committed when the new owner took the partition and ends where the previous
/// owner stopped.
#[derive(Default)]
pub struct ConsumedChecker {
    /// (group, partition) -> highest end consumed.
    max_end: BTreeMap<(u32, u32), u64>,
    /// (group, partition) -> (owner consumer, its last end).
    pub owner: BTreeMap<(u32, u32), (u32, u64)>,
    pub duplicates: u64,
    pub consumed: u64,
    pub handovers: u64,
}

impl ConsumedChecker {
    fn positions(sim: &Sim) -> Vec<BTreeMap<u32, u64>> {
        sim.consumers()
            .iter()
            .map(|c| {
                c.positions
                    .iter()
                    .map(|(tp, o)| (tp.partition, *o))
                    .collect()
            })
            .collect()
    }

    /// Steps once and checks what the step consumed.
    pub fn step(&mut self, sim: &mut Sim) -> Option<Event> {
        let before = Self::positions(sim);
        let committed_before: Vec<BTreeMap<u32, u64>> = sim
            .groups()
            .iter()
            .map(|g| {
                g.committed
                    .iter()
                    .map(|(tp, o)| (tp.partition, *o))
                    .collect()
            })
            .collect();
        let ev = sim.step()?.event.clone();
        if let Event::Polled { consumer, .. } = ev {
            let c = &sim.consumers()[consumer as usize];
            let g = c.group;
            for (tp, &end) in &c.positions {
                let p = tp.partition;
                let start = before[consumer as usize].get(&p).copied().unwrap_or(end);
                if end == start {
                    continue;
                }
                assert!(end > start, "positions only move forward in poll()");
                let key = (g, p);
                let max_end = self.max_end.get(&key).copied().unwrap_or(0);
                // Never a gap: the first record ever read is offset 0 (earliest), and every
                // range starts at or before what the group has read.
                assert!(
                    start <= max_end,
                    "group {g} partition {p}: consumer {consumer} read from {start} but only up to {max_end} was read: records skipped"
                );
                match self.owner.get(&key) {
                    Some(&(o, last)) if o == consumer && last == start => {}
                    prev => {
                        // A new owner (or the same consumer after losing and regaining it):
                        // it starts exactly at the committed offset, and what it reads twice
                        // is [committed, where the group had got to).
                        let committed = committed_before[g as usize].get(&p).copied().unwrap_or(0);
                        assert_eq!(
                            start, committed,
                            "group {g} partition {p}: a new owner starts at the committed offset"
                        );
                        if prev.is_some() {
                            self.handovers += 1;
                        }
                        self.duplicates += max_end.saturating_sub(start);
                    }
                }
                self.owner.insert(key, (consumer, end));
                self.consumed += end - start;
                self.max_end.insert(key, max_end.max(end));
            }
        }
        // A commit never runs ahead of what the group has read.
        for g in sim.groups() {
            for (tp, off) in &g.committed {
                let read = self
                    .max_end
                    .get(&(g.index, tp.partition))
                    .copied()
                    .unwrap_or(0);
                assert!(
                    *off <= read,
                    "group {} committed {off} on partition {} but read only to {read}",
                    g.group_id,
                    tp.partition
                );
            }
        }
        check_stable_ownership(sim);
        Some(ev)
    }

    pub fn run_until(&mut self, sim: &mut Sim, t: u64) -> Vec<Event> {
        let mut evs = Vec::new();
        while sim.next_event_time().is_some_and(|x| x.0 <= t) {
            if let Some(e) = self.step(sim) {
                evs.push(e);
            }
        }
        evs
    }
}
