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
    let n = group.member_count();
    if n == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let OwnedState {
        owned,
        owned_map,
        max_generation,
        ..
    } = state;

    // topic2AllPotentialConsumers / consumer2AllPotentialTopics, in subscription order.
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

    let bound = group.tp_id_bound();
    let mut owner = alloc::vec![NONE; bound as usize];
    for m in owned_map.iter() {
        for &tp in &owned[m as usize] {
            owner[tp as usize] = m;
        }
    }

    // sortedAllTopics: by number of potential consumers, then name.
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

    let mut rank_to_member = alloc::vec![0u32; n];
    for (m, &r) in group.member_rank.iter().enumerate() {
        rank_to_member[r as usize] = m as u32;
    }

    let literal = owned.iter().flatten().any(|&tp| group.is_extra(tp));
    let mut b = Builder {
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

    // prepopulateCurrentAssignments: the latest claim from a generation below the highest.
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

    let assigned = b.assign_owned_partitions();
    let unassigned = b.unassigned_partitions(assigned);
    let keys: Vec<u32> = b.current_map.iter().collect();
    for m in keys {
        let s = assignment_size(&b.current, m)?;
        b.sorted_subs.insert((s, group.member_rank[m as usize]));
    }

    b.balance(&prev, unassigned, &consumer_topics_map)?;

    let order: Vec<u32> = b.current_map.iter().collect();
    let result = b
        .current
        .into_iter()
        .map(|l| l.unwrap_or_default())
        .collect();
    Ok((result, order))
}

impl<'g, 'a> Builder<'g, 'a> {
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
        let Some(key) = found else { return Ok(false) };
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

    fn balance(
        &mut self,
        prev: &[(u32, i32)],
        mut unassigned: Vec<Tp>,
        consumer_topics_map: &JavaHashMap<u32>,
    ) -> Result<(), AssignError> {
        let Some(&(largest, _)) = self.sorted_subs.last() else {
            return Err(kafka_no_such_element());
        };
        let initializing = largest == 0;

        for &tp in &unassigned {
            let (t, _) = self.group.tp(tp);
            if self.topic_consumers[t as usize].is_empty() {
                continue;
            }
            self.maybe_assign_partition(tp)?;
        }

        // Partitions of topics with fewer than two potential consumers cannot move.
        let fixed_topic = |b: &Self, tp: Tp| !b.can_topic_participate(b.group.tp(tp).0);
        let mut keep: Vec<Tp> = Vec::with_capacity(self.sorted_all.len());
        for &tp in &self.sorted_all {
            if !fixed_topic(self, tp) {
                keep.push(tp);
            }
        }
        self.sorted_all = keep;
        unassigned.retain(|&tp| !fixed_topic(self, tp));

        // Members that cannot take part in reassignment are set aside.
        let mut fixed_map: JavaHashMap<u32> = JavaHashMap::new();
        let mut fixed_lists: Vec<(u32, Vec<Tp>)> = Vec::new();
        for m in consumer_topics_map.iter() {
            if !self.can_consumer_participate(m)? {
                let k = self.key(m)?;
                self.sorted_subs.remove(&k);
                let list = self.current[m as usize].take().unwrap_or_default();
                self.current_map
                    .remove(self.group.member_hash[m as usize], m);
                fixed_map.insert(self.group.member_hash[m as usize], m);
                fixed_lists.push((m, list));
            }
        }

        // Deep copy to revert to.
        let pre_lists: Vec<Option<Vec<Tp>>> = self.current.clone();
        let mut pre_map = JavaHashMap::new();
        for m in self.current_map.iter() {
            pre_map.insert(self.group.member_hash[m as usize], m);
        }
        let pre_owner = self.owner.clone();

        if !self.revocation_required {
            self.perform_reassignments(&unassigned, prev)?;
        }
        let all = core::mem::take(&mut self.sorted_all);
        let performed = self.perform_reassignments(&all, prev);
        self.sorted_all = all;
        let performed = performed?;

        if !initializing
            && performed
            && self.balance_score(&self.current) >= self.balance_score(&pre_lists)
        {
            self.current = pre_lists;
            self.current_map.clear();
            for m in pre_map.iter() {
                self.current_map
                    .insert(self.group.member_hash[m as usize], m);
            }
            self.owner = pre_owner;
        }

        // Put the fixed assignments back, in fixedAssignments' order.
        for m in fixed_map.iter() {
            if let Some(pos) = fixed_lists.iter().position(|(fm, _)| *fm == m) {
                let (_, list) = fixed_lists.swap_remove(pos);
                self.current[m as usize] = Some(list);
                self.current_map
                    .insert(self.group.member_hash[m as usize], m);
            }
        }
        Ok(())
    }

    /// `getBalanceScore`: sum over member pairs of the difference of their sizes.
    fn balance_score(&self, lists: &[Option<Vec<Tp>>]) -> i64 {
        let mut sizes: Vec<i64> = lists.iter().flatten().map(|l| l.len() as i64).collect();
        sizes.sort_unstable();
        let mut score = 0i64;
        let mut prefix = 0i64;
        for (i, &s) in sizes.iter().enumerate() {
            score += s * i as i64 - prefix;
            prefix += s;
        }
        score
    }

    /// A fingerprint of everything `performReassignments` reads: partition owners, member lists
    /// (when a partition sits in two lists), and the recorded movements with their sets' order.
    fn state_fingerprint(&self) -> u64 {
        let mut h = Fnv(0xcbf2_9ce4_8422_2325);
        for &o in &self.owner {
            h.add(u64::from(o));
        }
        if self.literal {
            for list in &self.current {
                match list {
                    Some(l) => {
                        h.add(l.len() as u64);
                        l.iter().for_each(|&tp| h.add(u64::from(tp)));
                    }
                    None => h.add(u64::MAX),
                }
            }
        }
        for (&tp, &(src, dst)) in &self.movements.moves {
            h.add(u64::from(tp));
            h.add(u64::from(src) << 32 | u64::from(dst));
        }
        for (&topic, pairs) in &self.movements.by_topic {
            h.add(u64::from(topic));
            for (&(src, dst), set) in pairs {
                h.add(u64::from(src) << 32 | u64::from(dst));
                set.iter().for_each(|tp| h.add(u64::from(tp)));
            }
        }
        h.0
    }

    fn perform_reassignments(
        &mut self,
        partitions: &[Tp],
        prev: &[(u32, i32)],
    ) -> Result<bool, AssignError> {
        let mut performed = false;
        // Kafka's loop can cycle forever (a move picked by getTheActualPartitionToBeMoved undoes
        // the previous one). The Java assignor never returns then; a state seen before at the end
        // of a pass means exactly that, and is reported instead of looping.
        let mut seen: BTreeSet<u64> = BTreeSet::new();
        seen.insert(self.state_fingerprint());
        loop {
            let mut modified = false;
            for &tp in partitions {
                if self.is_balanced()? {
                    break;
                }
                let consumer = self.owner.get(tp as usize).copied().unwrap_or(NONE);
                if consumer == NONE {
                    return Err(npe("a partition without an owner is reassigned"));
                }
                if let Some(&(prev_member, _)) = prev.get(tp as usize).filter(|p| p.0 != NONE) {
                    if assignment_size(&self.current, consumer)?
                        > assignment_size(&self.current, prev_member)? + 1
                    {
                        self.reassign_to(tp, prev_member)?;
                        performed = true;
                        modified = true;
                        continue;
                    }
                }
                let (t, _) = self.group.tp(tp);
                let mine = assignment_size(&self.current, consumer)?;
                let mut better = false;
                for &other in &self.topic_consumers[t as usize] {
                    if mine > assignment_size(&self.current, other)? + 1 {
                        better = true;
                        break;
                    }
                }
                if better {
                    self.reassign(tp)?;
                    performed = true;
                    modified = true;
                }
            }
            if !modified {
                break;
            }
            if !seen.insert(self.state_fingerprint()) {
                return Err(super::kafka_exception(
                    "no exception: the Java loop never ends",
                    "performReassignments keeps moving partitions back and forth (the Java loop does not terminate)",
                ));
            }
        }
        Ok(performed)
    }

    /// `reassignPartition(partition)`: to the least loaded member that subscribes to its topic.
    fn reassign(&mut self, tp: Tp) -> Result<(), AssignError> {
        let (t, _) = self.group.tp(tp);
        let found = self.sorted_subs.iter().copied().find(|&(_, rank)| {
            let m = self.rank_to_member[rank as usize];
            self.consumer_subscribes_potential(m, t)
        });
        match found {
            Some((_, rank)) => {
                let m = self.rank_to_member[rank as usize];
                self.reassign_to(tp, m)
            }
            None => Err(npe("no member can take a partition being reassigned")),
        }
    }

    fn reassign_to(&mut self, tp: Tp, new: u32) -> Result<(), AssignError> {
        let consumer = self.owner[tp as usize];
        let moved = self
            .movements
            .actual_partition_to_move(self.group, tp, consumer, new);
        self.process_partition_movement(moved, new)
    }

    fn process_partition_movement(&mut self, tp: Tp, new: u32) -> Result<(), AssignError> {
        let old = self.owner.get(tp as usize).copied().unwrap_or(NONE);
        if old == NONE {
            return Err(npe("a partition without an owner is moved"));
        }
        let old_key = self.key(old)?;
        let new_key = self.key(new)?;
        self.sorted_subs.remove(&old_key);
        self.sorted_subs.remove(&new_key);
        self.movements.move_partition(self.group, tp, old, new);
        if let Some(Some(list)) = self.current.get_mut(old as usize) {
            if let Some(pos) = list.iter().position(|&x| x == tp) {
                list.remove(pos);
            }
        }
        if let Some(Some(list)) = self.current.get_mut(new as usize) {
            list.push(tp);
        }
        self.owner[tp as usize] = new;
        let k = self.key(new)?;
        self.sorted_subs.insert(k);
        let k = self.key(old)?;
        self.sorted_subs.insert(k);
        Ok(())
    }
}

/// FNV-1a over 64-bit words.
struct Fnv(u64);

impl Fnv {
    fn add(&mut self, v: u64) {
        for b in v.to_le_bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
