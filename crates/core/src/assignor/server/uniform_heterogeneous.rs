//! `org.apache.kafka.coordinator.group.assignor.UniformHeterogeneousAssignmentBuilder` (the
//! rewrite of KAFKA-17710): the uniform assignor when members subscribe to different topics.
//!
//! As in Kafka:
//! 1. Members are numbered in `memberIds()` order; each topic's subscribers are kept in that
//!    order. A subscribed topic the describer does not know throws `PartitionAssignorException`.
//! 2. Every member keeps its whole current assignment of the topics it still subscribes to
//!    (no quota here); the rest of its assignment is dropped.
//! 3. The unassigned partitions go out topic by topic in the topic order (partitions per
//!    subscriber descending, then fewer subscribers first, then `Uuid.compareTo`), each to the
//!    least loaded subscriber of the topic ([`Balancer`]: members sorted by size, then number,
//!    filled level by level).
//! 4. Balancing: the topics with two or more subscribers, in the topic order, again and again (at
//!    most 16 rounds, stopping after a full round without a move): within one topic, the most
//!    loaded subscriber that holds some of its partitions gives its highest-ordered one (the
//!    topic's partitions grouped by owner number, then by partition) to the least loaded
//!    subscriber, while their sizes differ by more than one.
//!
//! Balance is exact when subscribers of a topic share their subscriptions and close otherwise
//! (Kafka's own doc gives a 9 / 10 / 11 case). Simplified: nothing; no racks in Kafka's builder.
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::spec::{Group, MemberResult};
use super::ServerAssignError;

const MAX_ITERATION_COUNT: usize = 16;
const NO_OWNER: i32 = -1;

struct State<'g, 'a> {
    group: &'g Group<'a>,
    /// Subscribers of each topic (member numbers, ascending); empty for unsubscribed topics.
    subscribers: Vec<Vec<i32>>,
    /// `memberTargetAssignmentSizes`.
    sizes: Vec<i32>,
    /// Owner of each partition of each subscribed topic, `NO_OWNER` if none.
    owners: Vec<Vec<i32>>,
    /// The subscribed topics.
    topics: Vec<u32>,
}

pub(crate) fn assign(group: &Group) -> Result<Vec<(usize, MemberResult)>, ServerAssignError> {
    let mut st = State::new(group)?;
    if st.topics.is_empty() {
        return Ok(Vec::new());
    }
    for (m, member) in group.members.iter().enumerate() {
        for (t, parts) in &member.current {
            if member.subscribes(*t) {
                st.sizes[m] += parts.len() as i32;
                for &p in parts {
                    st.owners[*t as usize][p as usize] = m as i32;
                }
            }
        }
    }
    st.assign_remaining();
    st.balance();
    Ok(st.result())
}

impl<'g, 'a> State<'g, 'a> {
    fn new(group: &'g Group<'a>) -> Result<Self, ServerAssignError> {
        let n = group.topics.len();
        let mut subscribers: Vec<Vec<i32>> = (0..n).map(|_| Vec::new()).collect();
        let mut owners: Vec<Vec<i32>> = (0..n).map(|_| Vec::new()).collect();
        let mut topics = Vec::new();
        for (m, member) in group.members.iter().enumerate() {
            for &t in &member.subscribed {
                let count = group.count_or_throw(t)?;
                if subscribers[t as usize].is_empty() {
                    topics.push(t);
                    owners[t as usize] = alloc::vec![NO_OWNER; count as usize];
                }
                subscribers[t as usize].push(m as i32);
            }
        }
        Ok(State {
            group,
            subscribers,
            sizes: alloc::vec![0; group.members.len()],
            owners,
            topics,
        })
    }

    fn count(&self, t: u32) -> usize {
        self.owners[t as usize].len()
    }

    /// `topicComparator`.
    fn cmp_topics(&self, a: u32, b: u32) -> Ordering {
        let (pa, pb) = (self.count(a) as f64, self.count(b) as f64);
        let (sa, sb) = (
            self.subscribers[a as usize].len(),
            self.subscribers[b as usize].len(),
        );
        let per_a = pa / sa as f64;
        let per_b = pb / sb as f64;
        // Double.compare(perB, perA): no NaN here (every topic has a subscriber).
        per_b
            .partial_cmp(&per_a)
            .unwrap_or(Ordering::Equal)
            .then(sa.cmp(&sb))
            .then_with(|| {
                let ia = self.group.topics[a as usize].id;
                ia.java_cmp(self.group.topics[b as usize].id)
            })
    }

    fn sorted_topics(&self, mut topics: Vec<u32>) -> Vec<u32> {
        topics.sort_by(|&a, &b| self.cmp_topics(a, b));
        topics
    }

    fn assign_remaining(&mut self) {
        let with_unassigned: Vec<u32> = self
            .topics
            .iter()
            .copied()
            .filter(|&t| self.owners[t as usize].contains(&NO_OWNER))
            .collect();
        let mut balancer = Balancer::default();
        for t in self.sorted_topics(with_unassigned) {
            balancer.initialize(&self.subscribers[t as usize], &self.sizes);
            for p in 0..self.count(t) {
                if self.owners[t as usize][p] == NO_OWNER {
                    let m = balancer.next_least_loaded(&self.sizes);
                    self.move_partition(t, p, m);
                }
            }
        }
    }

    fn move_partition(&mut self, t: u32, p: usize, m: i32) {
        let old = self.owners[t as usize][p];
        if old != NO_OWNER {
            self.sizes[old as usize] -= 1;
        }
        self.owners[t as usize][p] = m;
        self.sizes[m as usize] += 1;
    }

    /// `balance` and `balanceTopics`.
    fn balance(&mut self) {
        let movable: Vec<u32> = self
            .topics
            .iter()
            .copied()
            .filter(|&t| self.subscribers[t as usize].len() >= 2)
            .collect();
        if movable.is_empty() {
            return;
        }
        let sorted = self.sorted_topics(movable);
        let mut last_rebalanced: Option<usize> = None;
        let mut balancer = Balancer::default();
        for _ in 0..MAX_ITERATION_COUNT {
            for (i, &t) in sorted.iter().enumerate() {
                if last_rebalanced == Some(i) {
                    return;
                }
                let moved = self.balance_topic(t, &mut balancer);
                if moved > 0 || last_rebalanced.is_none() {
                    last_rebalanced = Some(i);
                }
            }
        }
    }

    /// `balanceTopic`: returns the number of partitions moved.
    fn balance_topic(&mut self, t: u32, balancer: &mut Balancer) -> usize {
        let imbalance = balancer.initialize(&self.subscribers[t as usize], &self.sizes);
        if imbalance <= 1 {
            return 0;
        }
        let owners = &self.owners[t as usize];
        let mut partitions: Vec<usize> = (0..owners.len()).collect();
        partitions.sort_by_key(|&p| (owners[p], p));
        // Each member's range [start, end) in `partitions`.
        let mut ranges: Vec<Option<(usize, usize)>> = alloc::vec![None; self.sizes.len()];
        for (i, &p) in partitions.iter().enumerate() {
            debug_assert!(
                owners[p] != NO_OWNER,
                "every partition is assigned before balancing"
            );
            let r = &mut ranges[owners[p] as usize];
            *r = Some((r.map_or(i, |(s, _)| s), i + 1));
        }
        let mut moved = 0;
        while !balancer.is_balanced() {
            let from = loop {
                let Some(m) = balancer.next_most_loaded(&self.sizes) else {
                    break None;
                };
                match ranges[m as usize] {
                    Some((s, e)) if e > s => break Some(m),
                    _ => balancer.exclude_most_loaded(),
                }
            };
            let Some(from) = from else { break };
            let Some((s, e)) = ranges[from as usize] else {
                break;
            };
            let p = partitions[e - 1];
            ranges[from as usize] = Some((s, e - 1));
            let to = balancer.next_least_loaded(&self.sizes);
            if balancer.is_balanced() {
                break;
            }
            self.move_partition(t, p, to);
            moved += 1;
        }
        moved
    }

    fn result(&self) -> Vec<(usize, MemberResult)> {
        let mut out: Vec<(usize, MemberResult)> = (0..self.group.members.len())
            .map(|m| (m, Vec::new()))
            .collect();
        for &t in &self.topics {
            for (p, &m) in self.owners[t as usize].iter().enumerate() {
                debug_assert!(m != NO_OWNER, "the builder leaves no partition unassigned");
                let mine = &mut out[m as usize].1;
                match mine.iter_mut().find(|(topic, _)| *topic == t) {
                    Some((_, parts)) => parts.push(p as i32),
                    None => mine.push((t, alloc::vec![p as i32])),
                }
            }
        }
        out
    }
}

/// `MemberAssignmentBalancer`: the least loaded range grows rightwards, the most loaded range
/// leftwards, over the members sorted by size then number; sizes are read, never written.
#[derive(Default)]
struct Balancer {
    sorted: Vec<i32>,
    least_end: usize,
    least_count: i32,
    next_least: usize,
    most_start: usize,
    most_end: usize,
    most_count: i32,
    /// May run to -1.
    next_most: isize,
}

impl Balancer {
    /// Resets for `members`; returns the size difference of the most and least loaded.
    fn initialize(&mut self, members: &[i32], sizes: &[i32]) -> i32 {
        assert!(
            !members.is_empty(),
            "Cannot balance an empty subscriber list."
        );
        self.sorted.clear();
        self.sorted.extend_from_slice(members);
        self.sorted
            .sort_by(|&a, &b| sizes[a as usize].cmp(&sizes[b as usize]).then(a.cmp(&b)));
        let n = self.sorted.len();
        let (lo, hi) = (
            sizes[self.sorted[0] as usize],
            sizes[self.sorted[n - 1] as usize],
        );
        self.least_end = 0;
        self.least_count = lo - 1;
        self.next_least = 0;
        self.most_start = n;
        self.most_end = n;
        self.most_count = hi + 1;
        self.next_most = n as isize - 1;
        hi - lo
    }

    fn size_at(&self, sizes: &[i32], i: usize) -> i32 {
        sizes[self.sorted[i] as usize]
    }

    fn next_least_loaded(&mut self, sizes: &[i32]) -> i32 {
        if self.next_least >= self.least_end {
            self.least_count += 1;
            while self.least_end < self.sorted.len()
                && self.size_at(sizes, self.least_end) == self.least_count
            {
                self.least_end += 1;
            }
            self.next_least = 0;
        }
        let m = self.sorted[self.next_least];
        self.next_least += 1;
        m
    }

    fn next_most_loaded(&mut self, sizes: &[i32]) -> Option<i32> {
        if self.next_most < self.most_start as isize {
            if self.most_end <= self.most_start && self.most_start > 0 {
                self.most_count = self.size_at(sizes, self.most_start - 1);
            } else {
                self.most_count -= 1;
            }
            while self.most_start > 0 && self.size_at(sizes, self.most_start - 1) == self.most_count
            {
                self.most_start -= 1;
            }
            self.next_most = self.most_end as isize - 1;
        }
        if self.next_most < 0 {
            return None;
        }
        let m = self.sorted[self.next_most as usize];
        self.next_most -= 1;
        Some(m)
    }

    /// Swaps the member last returned by `next_most_loaded` to the end of the most loaded
    /// range and shrinks the range past it.
    fn exclude_most_loaded(&mut self) {
        let at = (self.next_most + 1) as usize;
        self.sorted.swap(at, self.most_end - 1);
        self.most_end -= 1;
    }

    fn is_balanced(&self) -> bool {
        self.most_count - self.least_count <= 1
    }
}
