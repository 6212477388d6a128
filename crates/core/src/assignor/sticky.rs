//! `org.apache.kafka.clients.consumer.StickyAssignor` and `CooperativeStickyAssignor`, both on
//! `org.apache.kafka.clients.consumer.internals.AbstractStickyAssignor`.
//!
//! Steps, as in Kafka:
//! 1. `allSubscriptionsEqual`: visit members in the leader's `HashMap` order, collect each
//!    member's still-existing owned partitions and settle double claims by generation (a higher
//!    generation takes the partition; at the same generation it is taken from both and
//!    remembered as "claimed by multiple previous owners"). It also tells whether every member
//!    lists the same topics (Kafka's check, quirks included: a member with an empty subscription
//!    restarts the comparison, duplicate topics in a list count).
//! 2. Equal subscriptions: the constrained assignment ([`constrained`]): keep owned partitions up
//!    to the quota (owned sorted by partition then topic; the first members in map order that own
//!    enough keep `maxQuota`), then deal the rest round-robin to the unfilled members sorted by id.
//! 3. Otherwise the general assignment (`GeneralAssignmentBuilder`, in `sticky_general`): keep
//!    valid owned partitions, give each unassigned partition to the least loaded subscriber, then
//!    move partitions while that improves balance (partition movements tracked to stay sticky),
//!    and revert when the balance score did not improve.
//! 4. CooperativeSticky only: partitions moving away from a member that still owns them are
//!    removed from the result (they are assigned in the follow-up rebalance).
//!
//! What a member sends: for StickyAssignor its userData carries the previous assignment and
//! generation (`owned` + `generation`); for CooperativeStickyAssignor `ownedPartitions` and
//! `generationId`. When the claims of two members are compared, the other member's generation is
//! read from its subscription's `generationId`, where Kafka keeps only generations >= 0.
//!
//! Each call is a fresh assignor instance, as the leader builds one per rebalance in the vectors;
//! a long-lived Java instance also remembers the highest generation it has seen in earlier calls.
//!
//! Simplified: no rack-aware steps (members carry no `client.rack`, and Kafka skips those steps
//! then). Where Java throws (IllegalStateException, NullPointerException) on inconsistent input,
//! an [`AssignError::KafkaException`] is returned.
use super::{illegal_state, AssignError, Group, Tp, NONE};
use crate::assignor::java::JavaHashMap;
use crate::assignor::sticky_owned::all_subscriptions_equal;
use crate::assignor::sticky_owned::remove_first;
use crate::assignor::sticky_owned::OwnedState;
use crate::assignor::sticky_owned::TpSet;
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// Runs the sticky assignor; `cooperative` selects `CooperativeStickyAssignor`.
pub(crate) fn assign(group: &Group, cooperative: bool) -> Result<Vec<Vec<Tp>>, AssignError> {
    let state = all_subscriptions_equal(group);
    if state.all_equal {
        let (mut assignment, transferring) = constrained(group, state)?;
        if cooperative {
            for (tp, m) in transferring {
                remove_first(&mut assignment[m as usize], tp);
            }
        }
        Ok(assignment)
    } else {
        let (mut assignment, order) = super::sticky_general::assign(group, state)?;
        if cooperative {
            let transferring = partitions_transferring_ownership(group, &assignment, &order);
            for (tp, m) in transferring {
                remove_first(&mut assignment[m as usize], tp);
            }
        }
        Ok(assignment)
    }
}

/// `CooperativeStickyAssignor.computePartitionsTransferringOwnership`: partitions newly given to
/// a member that another member owned and loses. `order` is the result map's iteration order
/// (it decides which member a partition given twice counts for).
fn partitions_transferring_ownership(
    group: &Group,
    assignment: &[Vec<Tp>],
    order: &[u32],
) -> Vec<(Tp, u32)> {
    let bound = group.tp_id_bound();
    let mut added: Vec<u32> = alloc::vec![NONE; bound as usize];
    let mut added_list: Vec<Tp> = Vec::new();
    let mut revoked = TpSet::new(bound);
    let mut mark = TpSet::new(bound);
    for &m in order {
        let mi = m as usize;
        let owned: Vec<Tp> = group.members[mi]
            .owned
            .iter()
            .filter_map(|tp| group.owned_id(tp))
            .collect();
        let assigned = &assignment[mi];
        for &tp in &owned {
            mark.insert(tp);
        }
        for &tp in assigned {
            if !mark.contains(tp) {
                if added[tp as usize] == NONE {
                    added_list.push(tp);
                }
                added[tp as usize] = m;
            }
        }
        for &tp in &owned {
            mark.remove(tp);
        }
        for &tp in assigned {
            mark.insert(tp);
        }
        for &tp in &owned {
            if !mark.contains(tp) {
                revoked.insert(tp);
            }
        }
        for &tp in assigned {
            mark.remove(tp);
        }
    }
    added_list
        .into_iter()
        .filter(|&tp| revoked.contains(tp))
        .map(|tp| (tp, added[tp as usize]))
        .collect()
}

/// `partitionsTransferringOwnership`: (partition, member it moves to).
type Transfers = Vec<(Tp, u32)>;

/// A `java.util.LinkedList` of member ids walked by one `ListIterator` that removes through it.
struct IterList {
    items: Vec<u32>,
    live: Vec<bool>,
    live_count: usize,
    cursor: usize,
    last_returned: Option<usize>,
}

impl IterList {
    fn new(items: Vec<u32>) -> Self {
        let n = items.len();
        IterList {
            items,
            live: alloc::vec![true; n],
            live_count: n,
            cursor: 0,
            last_returned: None,
        }
    }
    fn is_empty(&self) -> bool {
        self.live_count == 0
    }
    /// `list.iterator()`: a fresh iterator (dead slots are compacted away first).
    fn restart(&mut self) {
        if self.live_count != self.items.len() {
            let mut items = Vec::with_capacity(self.live_count);
            for (i, &m) in self.items.iter().enumerate() {
                if self.live[i] {
                    items.push(m);
                }
            }
            self.live = alloc::vec![true; items.len()];
            self.items = items;
        }
        self.cursor = 0;
        self.last_returned = None;
    }
    fn has_next(&mut self) -> bool {
        while self.cursor < self.items.len() && !self.live[self.cursor] {
            self.cursor += 1;
        }
        self.cursor < self.items.len()
    }
    fn next(&mut self) -> Option<u32> {
        if !self.has_next() {
            return None;
        }
        let i = self.cursor;
        self.cursor += 1;
        self.last_returned = Some(i);
        Some(self.items[i])
    }
    /// `iterator.remove()`: IllegalStateException unless it follows a `next()`.
    fn remove_last(&mut self) -> Result<(), AssignError> {
        match self.last_returned.take() {
            Some(i) => {
                self.live[i] = false;
                self.live_count -= 1;
                Ok(())
            }
            None => Err(illegal_state(
                "Iterator.remove() without a preceding next() in assignRoundRobin",
            )),
        }
    }
    fn live_items(&self) -> impl Iterator<Item = u32> + '_ {
        self.items
            .iter()
            .zip(&self.live)
            .filter(|(_, &l)| l)
            .map(|(&m, _)| m)
    }
}

/// `ConstrainedAssignmentBuilder` (all members subscribe to the same topics). Returns the
/// assignment and `partitionsTransferringOwnership` (partition, new owner).
fn constrained(group: &Group, state: OwnedState) -> Result<(Vec<Vec<Tp>>, Transfers), AssignError> {
    let n = group.member_count();
    if n == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let OwnedState {
        owned,
        owned_map,
        multiple_previous_owners,
        ..
    } = state;
    let mut b = Constrained::new(group, multiple_previous_owners);
    let (assigned, mut under_min, mut exactly_min) = b.assign_owned_partitions(owned, &owned_map);
    let unassigned = unassigned_in_name_order(group, assigned);
    let by_id = |a: u32, b: u32| group.member_rank[a as usize].cmp(&group.member_rank[b as usize]);
    super::sort_ids(&mut under_min, &by_id);
    super::sort_ids(exactly_min.make_contiguous(), &by_id);
    let (under, transferring) = b.assign_round_robin(&unassigned, under_min, exactly_min)?;
    b.verify_unfilled_members(&under)?;
    let transferring = last_put_wins(transferring, group.tp_id_bound());
    Ok((b.assignment, transferring))
}

/// What `ConstrainedAssignmentBuilder` keeps between its steps: the quotas, how many members
/// are over `minQuota`, the assignment so far and each partition's `maybeRevokedPartitions`
/// owner.
struct Constrained<'g, 'a> {
    group: &'g Group<'a>,
    min_quota: usize,
    max_quota: usize,
    expected_over_min: usize,
    current_over_min: usize,
    multiple: TpSet,
    assignment: Vec<Vec<Tp>>,
    maybe_revoked: Vec<u32>,
}

impl<'g, 'a> Constrained<'g, 'a> {
    fn new(group: &'g Group<'a>, multiple: TpSet) -> Self {
        let n = group.member_count();
        let total = group.total_partitions as usize;
        Constrained {
            group,
            min_quota: total / n,
            max_quota: total.div_ceil(n),
            expected_over_min: total % n,
            current_over_min: 0,
            multiple,
            assignment: (0..n).map(|_| Vec::new()).collect(),
            maybe_revoked: alloc::vec![NONE; group.tp_id_bound() as usize],
        }
    }

    /// `assignOwnedPartitions`, in `consumerToOwnedPartitions`' iteration order: returns the
    /// partitions kept, the members under `minQuota` and those at exactly `minQuota`.
    fn assign_owned_partitions(
        &mut self,
        mut owned: Vec<Vec<Tp>>,
        owned_map: &JavaHashMap<u32>,
    ) -> (Vec<Tp>, Vec<u32>, VecDeque<u32>) {
        let group = self.group;
        let (min_quota, max_quota) = (self.min_quota, self.max_quota);
        let mut assigned: Vec<Tp> = Vec::new();
        let mut under_min: Vec<u32> = Vec::new();
        let mut exactly_min: VecDeque<u32> = VecDeque::new();
        for m in owned_map.iter() {
            let mi = m as usize;
            let mut mine = core::mem::take(&mut owned[mi]);
            // Sorted by partition, then topic (a stable sort).
            super::sort_ids(&mut mine, &|a, b| {
                let (ta, pa) = group.tp(a);
                let (tb, pb) = group.tp(b);
                pa.cmp(&pb).then(ta.cmp(&tb))
            });
            mine.retain(|&tp| !self.multiple.contains(tp));
            let target = &mut self.assignment[mi];
            if mine.len() < min_quota {
                target.extend_from_slice(&mine);
                assigned.extend_from_slice(&mine);
                under_min.push(m);
            } else if mine.len() >= max_quota && self.current_over_min < self.expected_over_min {
                self.current_over_min += 1;
                if self.current_over_min == self.expected_over_min {
                    exactly_min.clear();
                }
                target.extend_from_slice(&mine[..max_quota]);
                assigned.extend_from_slice(&mine[..max_quota]);
                for &tp in &mine[max_quota..] {
                    self.maybe_revoked[tp as usize] = m;
                }
            } else {
                target.extend_from_slice(&mine[..min_quota]);
                assigned.extend_from_slice(&mine[..min_quota]);
                for &tp in &mine[min_quota..] {
                    self.maybe_revoked[tp as usize] = m;
                }
                if self.current_over_min < self.expected_over_min {
                    exactly_min.push_back(m);
                }
            }
        }
        (assigned, under_min, exactly_min)
    }

    /// `assignRoundRobin`: deals `unassigned` to the unfilled members (sorted by id); returns
    /// the members still under `minQuota` and the partitions transferring ownership, every put.
    fn assign_round_robin(
        &mut self,
        unassigned: &[Tp],
        under_min: Vec<u32>,
        mut exactly_min: VecDeque<u32>,
    ) -> Result<(IterList, Transfers), AssignError> {
        let mut transferring: Vec<(Tp, u32)> = Vec::new();
        let mut under = IterList::new(under_min);
        for &tp in unassigned {
            let consumer = if under.has_next() {
                under.next().unwrap_or(NONE)
            } else if under.is_empty() && exactly_min.is_empty() {
                return Err(illegal_state("No more unfilled consumers to be assigned."));
            } else if under.is_empty() {
                exactly_min.pop_front().unwrap_or(NONE)
            } else {
                under.restart();
                under.next().unwrap_or(NONE)
            };
            let Some(list) = self.assignment.get_mut(consumer as usize) else {
                return Err(illegal_state("No more unfilled consumers to be assigned."));
            };
            list.push(tp);
            let prev = self.maybe_revoked[tp as usize];
            if (prev != NONE && prev != consumer) || self.multiple.contains(tp) {
                transferring.push((tp, consumer));
            }
            let count = list.len();
            if count == self.min_quota {
                under.remove_last()?;
                exactly_min.push_back(consumer);
            } else if count == self.max_quota {
                self.current_over_min += 1;
            }
        }
        Ok((under, transferring))
    }

    /// `verifyUnfilledMembers`: the members left under `minQuota` are Kafka's
    /// IllegalStateException unless the quotas are met exactly.
    fn verify_unfilled_members(&self, under: &IterList) -> Result<(), AssignError> {
        if under.is_empty() {
            return Ok(());
        }
        if self.current_over_min != self.expected_over_min {
            return Err(illegal_state(
                "We haven't reached the expected number of members with more than the minQuota partitions, but no more partitions to be assigned",
            ));
        }
        for m in under.live_items() {
            if self.assignment[m as usize].len() != self.min_quota {
                return Err(illegal_state("Consumer doesn't reach minQuota partitions, and no more partitions to be assigned"));
            }
        }
        Ok(())
    }
}

/// `partitionsTransferringOwnership` is a map: a later put for the same partition wins, in the
/// order of the first put.
fn last_put_wins(transferring: Transfers, bound: u32) -> Transfers {
    let mut last: Vec<u32> = alloc::vec![NONE; bound as usize];
    let mut keys = Vec::new();
    for &(tp, m) in &transferring {
        if last[tp as usize] == NONE {
            keys.push(tp);
        }
        last[tp as usize] = m;
    }
    keys.into_iter().map(|tp| (tp, last[tp as usize])).collect()
}

/// `ConstrainedAssignmentBuilder.getUnassignedPartitions`: all partitions (topics in name order)
/// minus the sorted assigned ones, walked with two pointers exactly as Kafka does (an assigned
/// partition numbered outside its topic's range stops the walk from skipping anything after it).
fn unassigned_in_name_order(group: &Group, mut assigned: Vec<Tp>) -> Vec<Tp> {
    let mut out =
        Vec::with_capacity((group.total_partitions as usize).saturating_sub(assigned.len()));
    if assigned.is_empty() {
        out.extend(0..group.total_partitions);
        return out;
    }
    super::sort_ids(&mut assigned, &|a, b| group.cmp_tp(a, b));
    let mut it = assigned.iter();
    let mut next = it.next().copied();
    let mut add_directly = false;
    for id in 0..group.total_partitions {
        if add_directly || next != Some(id) {
            out.push(id);
        } else {
            match it.next() {
                Some(&n) => next = Some(n),
                None => add_directly = true,
            }
        }
    }
    out
}
