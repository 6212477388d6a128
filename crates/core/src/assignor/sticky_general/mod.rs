//! `AbstractStickyAssignor.GeneralAssignmentBuilder` (members subscribe to different topics),
//! with its `PartitionMovements`.
//!
//! Follows Kafka step by step. The orders that reach the result are mirrored: the leader's member
//! map, `currentAssignment` (a `HashMap` whose iteration order decides, for the cooperative
//! assignor, which member a partition given twice counts for), the sorted set of members by
//! (assignment size, member id), and the `HashSet<TopicPartition>` whose first element
//! `getTheActualPartitionToBeMoved` takes. Where Kafka reads a member that is no longer in
//! `currentAssignment` (a NullPointerException in Java), an error is returned.
//!
//! Two shortcuts that give the same results as Kafka's code: `isBalanced` looks partitions up in
//! `currentPartitionConsumer` instead of rebuilding a map of all partitions and scanning lists,
//! unless some partition sits in two members' lists (only possible when an owned partition is
//! numbered outside its topic's range), in which case Kafka's exact procedure is followed; and
//! the balance score is computed from sorted sizes instead of over all pairs.
use super::java::JavaHashMap;
use super::{npe, AssignError, Group, Tp, NONE};
use crate::assignor::sticky_movements::Movements;
use crate::assignor::sticky_movements::{assignment_size, kafka_no_such_element};
use crate::assignor::sticky_owned::member_generation;
use crate::assignor::sticky_owned::OwnedState;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use core::cmp::Ordering;

mod balance;

struct Builder<'g, 'a> {
    group: &'g Group<'a>,
    /// Partitions of every assignable topic, in `topic2AllPotentialConsumers` order.
    topic_consumers: Vec<Vec<u32>>,
    /// `consumer2AllPotentialTopics`: subscribed assignable topics as listed.
    consumer_topics: Vec<Vec<u32>>,
    /// `currentAssignment`; `None` once a member was taken out (fixed assignments).
    current: Vec<Option<Vec<Tp>>>,
    /// Iteration order of `currentAssignment`.
    current_map: JavaHashMap<u32>,
    /// `currentPartitionConsumer`.
    owner: Vec<u32>,
    sorted_all: Vec<Tp>,
    /// `sortedCurrentSubscriptions`: (assignment size, member id rank).
    sorted_subs: BTreeSet<(usize, u32)>,
    rank_to_member: Vec<u32>,
    revocation_required: bool,
    movements: Movements,
    /// Some partition is in two members' lists: follow Kafka's slow procedures literally.
    literal: bool,
}

/// Runs the general assignment. Returns the assignment and the final iteration order of
/// `currentAssignment`.
pub(crate) fn assign(
    group: &Group,
    state: OwnedState,
) -> Result<(Vec<Vec<Tp>>, Vec<u32>), AssignError> {
    if group.member_count() == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let OwnedState {
        owned,
        owned_map,
        max_generation,
        ..
    } = state;
    let (mut b, consumer_topics_map) = Builder::new(group, owned, owned_map);
    let prev = prepopulate_current_assignments(group, max_generation);
    let assigned = b.assign_owned_partitions();
    let unassigned = b.unassigned_partitions(assigned);
    b.sort_current_subscriptions()?;
    b.balance(&prev, unassigned, &consumer_topics_map)?;
    let order: Vec<u32> = b.current_map.iter().collect();
    let result = b
        .current
        .into_iter()
        .map(|l| l.unwrap_or_default())
        .collect();
    Ok((result, order))
}

/// `topic2AllPotentialConsumers` / `consumer2AllPotentialTopics` (assignable topics only), in
/// subscription order, and the members' map in that order.
fn potential_consumers(group: &Group) -> (Vec<Vec<u32>>, Vec<Vec<u32>>, JavaHashMap<u32>) {
    let n = group.member_count();
    let mut topic_consumers: Vec<Vec<u32>> = (0..group.topics.len()).map(|_| Vec::new()).collect();
    let mut consumer_topics: Vec<Vec<u32>> = (0..n).map(|_| Vec::new()).collect();
    let mut consumer_topics_map = JavaHashMap::with_capacity(n);
    for &m in &group.subscription_order {
        consumer_topics_map.insert(group.member_hash[m as usize], m);
        for &t in &group.member_topics[m as usize] {
            if t != NONE && group.count(t).is_some() {
                consumer_topics[m as usize].push(t);
                topic_consumers[t as usize].push(m);
            }
        }
    }
    (topic_consumers, consumer_topics, consumer_topics_map)
}

/// `sortedAllPartitions`: the partitions of the topics sorted by number of potential consumers,
/// then name.
fn sorted_all_partitions(group: &Group, topic_consumers: &[Vec<u32>]) -> Vec<Tp> {
    let mut sorted_topics: Vec<u32> = group.assignable_topics.clone();
    super::sort_ids(&mut sorted_topics, &|a, b| {
        topic_consumers[a as usize]
            .len()
            .cmp(&topic_consumers[b as usize].len())
            .then(a.cmp(&b))
    });
    let mut sorted_all = Vec::with_capacity(group.total_partitions as usize);
    for &t in &sorted_topics {
        let off = group.topics[t as usize].offset;
        let count = group.count(t).unwrap_or(0);
        sorted_all.extend(off..off + count);
    }
    sorted_all
}

/// `prepopulateCurrentAssignments`: per partition, the latest claim from a generation below
/// the highest (member, generation).
fn prepopulate_current_assignments(group: &Group, max_generation: i32) -> Vec<(u32, i32)> {
    let mut prev: Vec<(u32, i32)> = alloc::vec![(NONE, 0); group.total_partitions as usize];
    for &m in &group.subscription_order {
        let generation = member_generation(group, m);
        if generation >= max_generation {
            continue;
        }
        for tp in &group.members[m as usize].owned {
            let Some(id) = group.owned_id(tp) else {
                continue;
            };
            let Some(slot) = prev.get_mut(id as usize) else {
                continue;
            };
            if slot.0 == NONE || generation > slot.1 {
                *slot = (m, generation);
            }
        }
    }
    prev
}

impl<'g, 'a> Builder<'g, 'a> {
    /// `GeneralAssignmentBuilder`'s constructor: the potential consumers and topics,
    /// `currentAssignment` (the owned partitions) with `currentPartitionConsumer`, and the
    /// sorted partitions. Also returns the members' map in subscription order.
    fn new(
        group: &'g Group<'a>,
        owned: Vec<Vec<Tp>>,
        owned_map: JavaHashMap<u32>,
    ) -> (Self, JavaHashMap<u32>) {
        let (topic_consumers, consumer_topics, consumer_topics_map) = potential_consumers(group);
        let mut owner = alloc::vec![NONE; group.tp_id_bound() as usize];
        for m in owned_map.iter() {
            for &tp in &owned[m as usize] {
                owner[tp as usize] = m;
            }
        }
        let sorted_all = sorted_all_partitions(group, &topic_consumers);
        let mut rank_to_member = alloc::vec![0u32; group.member_count()];
        for (m, &r) in group.member_rank.iter().enumerate() {
            rank_to_member[r as usize] = m as u32;
        }
        let literal = owned.iter().flatten().any(|&tp| group.is_extra(tp));
        let b = Builder {
            group,
            topic_consumers,
            consumer_topics,
            current: owned.into_iter().map(Some).collect(),
            current_map: owned_map,
            owner,
            sorted_all,
            sorted_subs: BTreeSet::new(),
            rank_to_member,
            revocation_required: false,
            movements: Movements::new(),
            literal,
        };
        (b, consumer_topics_map)
    }

    /// `sortedCurrentSubscriptions`: every member of `currentAssignment` by (assignment size,
    /// member id).
    fn sort_current_subscriptions(&mut self) -> Result<(), AssignError> {
        let keys: Vec<u32> = self.current_map.iter().collect();
        for m in keys {
            let s = assignment_size(&self.current, m)?;
            self.sorted_subs
                .insert((s, self.group.member_rank[m as usize]));
        }
        Ok(())
    }

    fn consumer_subscribes_potential(&self, m: u32, t: u32) -> bool {
        self.consumer_topics[m as usize].contains(&t)
    }

    /// `assignOwnedPartitions`: drop owned partitions of topics the member no longer subscribes
    /// to (revocation required); the rest stay and are returned.
    fn assign_owned_partitions(&mut self) -> Vec<Tp> {
        let mut assigned = Vec::new();
        let order: Vec<u32> = self.current_map.iter().collect();
        for m in order {
            let Some(list) = self.current[m as usize].as_mut() else {
                continue;
            };
            let group = self.group;
            let mut dropped = false;
            list.retain(|&tp| {
                let (t, _) = group.tp(tp);
                if group.subscribes(m, t) {
                    assigned.push(tp);
                    true
                } else {
                    dropped = true;
                    false
                }
            });
            if dropped {
                self.revocation_required = true;
            }
        }
        assigned
    }

    /// `PartitionComparator`: potential consumers of the topic, topic name, partition number
    /// (compared by subtraction, as Kafka does).
    fn cmp_partition(&self, a: Tp, b: Tp) -> Ordering {
        let (ta, pa) = self.group.tp(a);
        let (tb, pb) = self.group.tp(b);
        let ca = self.topic_consumers[ta as usize].len();
        let cb = self.topic_consumers[tb as usize].len();
        ca.cmp(&cb)
            .then(ta.cmp(&tb))
            .then_with(|| pa.wrapping_sub(pb).cmp(&0))
    }

    /// `getUnassignedPartitions` (general): `sortedAllPartitions` minus the sorted assigned
    /// ones, with Kafka's two-pointer walk.
    fn unassigned_partitions(&self, mut assigned: Vec<Tp>) -> Vec<Tp> {
        if assigned.is_empty() {
            return self.sorted_all.clone();
        }
        super::sort_ids(&mut assigned, &|a, b| self.cmp_partition(a, b));
        let mut out = Vec::new();
        let mut it = assigned.iter();
        let mut next = it.next().copied();
        let mut add_directly = false;
        for &tp in &self.sorted_all {
            if add_directly || next != Some(tp) {
                out.push(tp);
            } else {
                match it.next() {
                    Some(&n) => next = Some(n),
                    None => add_directly = true,
                }
            }
        }
        out
    }

    fn key(&self, m: u32) -> Result<(usize, u32), AssignError> {
        Ok((
            assignment_size(&self.current, m)?,
            self.group.member_rank[m as usize],
        ))
    }

    fn max_assignment_size(&self, m: u32) -> usize {
        let topics = &self.consumer_topics[m as usize];
        if topics.len() == self.group.assignable_topics.len() {
            self.group.total_partitions as usize
        } else {
            topics
                .iter()
                .map(|&t| self.group.count(t).unwrap_or(0) as usize)
                .sum()
        }
    }

    /// `isBalanced`.
    fn is_balanced(&self) -> Result<bool, AssignError> {
        let (Some(&(min, _)), Some(&(max, _))) =
            (self.sorted_subs.first(), self.sorted_subs.last())
        else {
            return Err(kafka_no_such_element());
        };
        if min + 1 >= max {
            return Ok(true);
        }
        // Owner of each partition as Kafka's `allPartitions` map sees it.
        let literal_owner: Option<Vec<u32>> = if self.literal {
            let mut all = alloc::vec![NONE; self.owner.len()];
            for m in self.current_map.iter() {
                if let Some(Some(list)) = self.current.get(m as usize) {
                    for &tp in list {
                        all[tp as usize] = m;
                    }
                }
            }
            Some(all)
        } else {
            None
        };
        for &(count, rank) in &self.sorted_subs {
            let m = self.rank_to_member[rank as usize];
            if count == self.max_assignment_size(m) {
                continue;
            }
            let mine = match self.current.get(m as usize) {
                Some(Some(list)) => list,
                _ => return Err(npe("a member missing from currentAssignment is read")),
            };
            for &t in &self.consumer_topics[m as usize] {
                let off = self.group.topics[t as usize].offset;
                for tp in off..off + self.group.count(t).unwrap_or(0) {
                    let (holds, other) = match &literal_owner {
                        Some(all) => (mine.contains(&tp), all[tp as usize]),
                        None => (self.owner[tp as usize] == m, self.owner[tp as usize]),
                    };
                    if holds {
                        continue;
                    }
                    if other == NONE {
                        return Err(npe("a partition without an owner is read"));
                    }
                    if count + 1 < assignment_size(&self.current, other)? {
                        return Ok(false);
                    }
                }
            }
        }
        Ok(true)
    }

    fn can_topic_participate(&self, t: u32) -> bool {
        self.topic_consumers[t as usize].len() >= 2
    }

    fn can_consumer_participate(&self, m: u32) -> Result<bool, AssignError> {
        let Some(Some(list)) = self.current.get(m as usize) else {
            return Err(npe("a member missing from currentAssignment is read"));
        };
        if list.len() < self.max_assignment_size(m) {
            return Ok(true);
        }
        Ok(list
            .iter()
            .any(|&tp| self.can_topic_participate(self.group.tp(tp).0)))
    }

    /// `maybeAssignPartition`: to the least loaded member (then lowest id) that can take it.
    fn maybe_assign_partition(&mut self, tp: Tp) -> Result<bool, AssignError> {
        let (t, _) = self.group.tp(tp);
        let found = self.sorted_subs.iter().copied().find(|&(_, rank)| {
            let m = self.rank_to_member[rank as usize];
            self.consumer_subscribes_potential(m, t)
        });
        let Some(key) = found else {
            // As Kafka: no member can take it, it stays unassigned.
            return Ok(false);
        };
        let m = self.rank_to_member[key.1 as usize];
        self.sorted_subs.remove(&key);
        match self.current.get_mut(m as usize) {
            Some(Some(list)) => list.push(tp),
            _ => return Err(npe("a member missing from currentAssignment is read")),
        }
        self.owner[tp as usize] = m;
        let k = self.key(m)?;
        self.sorted_subs.insert(k);
        Ok(true)
    }
}
