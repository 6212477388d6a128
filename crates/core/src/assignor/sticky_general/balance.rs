//! `GeneralAssignmentBuilder.balance` and the reassignments it performs: the unassigned
//! partitions go to the least loaded subscriber, partitions and members that cannot take part
//! are set aside, `performReassignments` moves partitions while that improves balance, the
//! state is reverted when the balance score did not improve, and the members set aside are put
//! back.
use super::Builder;
use crate::assignor::java::JavaHashMap;
use crate::assignor::sticky_movements::{assignment_size, kafka_no_such_element};
use crate::assignor::{npe, AssignError, Tp, NONE};
use alloc::collections::BTreeSet;
use alloc::vec::Vec;

/// What `balance` deep-copies to revert to: `currentAssignment` (lists and iteration order)
/// and `currentPartitionConsumer`.
struct Snapshot {
    lists: Vec<Option<Vec<Tp>>>,
    map: JavaHashMap<u32>,
    owner: Vec<u32>,
}

/// `fixedAssignments`: the members set aside, in its iteration order, with their lists.
struct Fixed {
    map: JavaHashMap<u32>,
    lists: Vec<(u32, Vec<Tp>)>,
}

impl Builder<'_, '_> {
    /// `balance`: its steps in Kafka's order. `prev` is `prevAssignment` per partition.
    pub(super) fn balance(
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
        self.drop_fixed_partitions(&mut unassigned);
        let fixed = self.set_aside_fixed_members(consumer_topics_map)?;
        let before = self.snapshot();
        if !self.revocation_required {
            self.perform_reassignments(&unassigned, prev)?;
        }
        let all = core::mem::take(&mut self.sorted_all);
        let performed = self.perform_reassignments(&all, prev);
        self.sorted_all = all;
        let performed = performed?;
        if !initializing
            && performed
            && self.balance_score(&self.current) >= self.balance_score(&before.lists)
        {
            self.restore(before);
        }
        self.put_back_fixed_members(fixed);
        Ok(())
    }

    /// Partitions of topics with fewer than two potential consumers cannot move: out of
    /// `sortedPartitions` and `unassignedPartitions`.
    fn drop_fixed_partitions(&mut self, unassigned: &mut Vec<Tp>) {
        let fixed_topic = |b: &Self, tp: Tp| !b.can_topic_participate(b.group.tp(tp).0);
        let mut keep: Vec<Tp> = Vec::with_capacity(self.sorted_all.len());
        for &tp in &self.sorted_all {
            if !fixed_topic(self, tp) {
                keep.push(tp);
            }
        }
        self.sorted_all = keep;
        unassigned.retain(|&tp| !fixed_topic(self, tp));
    }

    /// Members that cannot take part in reassignment are taken out of `currentAssignment`
    /// into `fixedAssignments` (its iteration order, and each member's list).
    fn set_aside_fixed_members(
        &mut self,
        consumer_topics_map: &JavaHashMap<u32>,
    ) -> Result<Fixed, AssignError> {
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
        Ok(Fixed {
            map: fixed_map,
            lists: fixed_lists,
        })
    }

    /// The deep copy `balance` reverts to.
    fn snapshot(&self) -> Snapshot {
        let mut map = JavaHashMap::new();
        for m in self.current_map.iter() {
            map.insert(self.group.member_hash[m as usize], m);
        }
        Snapshot {
            lists: self.current.clone(),
            map,
            owner: self.owner.clone(),
        }
    }

    /// Reverts to `before` (the balance score did not improve).
    fn restore(&mut self, before: Snapshot) {
        self.current = before.lists;
        self.current_map.clear();
        for m in before.map.iter() {
            self.current_map
                .insert(self.group.member_hash[m as usize], m);
        }
        self.owner = before.owner;
    }

    /// Puts the fixed assignments back, in `fixedAssignments`' order.
    fn put_back_fixed_members(&mut self, fixed: Fixed) {
        let Fixed {
            map: fixed_map,
            lists: mut fixed_lists,
        } = fixed;
        for m in fixed_map.iter() {
            if let Some(pos) = fixed_lists.iter().position(|(fm, _)| *fm == m) {
                let (_, list) = fixed_lists.swap_remove(pos);
                self.current[m as usize] = Some(list);
                self.current_map
                    .insert(self.group.member_hash[m as usize], m);
            }
        }
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

    /// `performReassignments`: while not balanced, move each partition of `partitions` to
    /// its previous owner when that balances better, or to the least loaded subscriber.
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
                return Err(crate::assignor::kafka_exception(
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

    /// `reassignPartition(partition, newConsumer)`, through the partition movements.
    fn reassign_to(&mut self, tp: Tp, new: u32) -> Result<(), AssignError> {
        let consumer = self.owner[tp as usize];
        let moved = self
            .movements
            .actual_partition_to_move(self.group, tp, consumer, new);
        self.process_partition_movement(moved, new)
    }

    /// `processPartitionMovement`: the partition leaves its owner for `new`.
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
