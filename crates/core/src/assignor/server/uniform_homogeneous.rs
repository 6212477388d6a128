//! `org.apache.kafka.coordinator.group.assignor.UniformHomogeneousAssignmentBuilder`: the
//! uniform assignor when every member subscribes to the same topics.
//!
//! As in Kafka:
//! 1. The subscribed topics are the first member's (in `memberIds()` order), put into a
//!    `HashSet<Uuid>`; nothing is assigned when there are none.
//! 2. The unassigned partitions are listed topic by topic in that set's order, each topic's in
//!    partition order, leaving out those in anyone's current target assignment.
//! 3. Quotas: `total / members` each; `total % members` members get one more.
//! 4. Each member, in `memberIds()` order, keeps its current partitions of subscribed topics up
//!    to its quota (one more while extra partitions are left), walking its assignment map and
//!    each topic's set in their iteration order; what is over joins the end of the unassigned
//!    list, topics no longer subscribed are dropped. A member that holds the extra partition
//!    keeps it and uses one up; one that does not gives it back.
//! 5. The extra partitions still to give go to the last members left under quota (walking them
//!    backwards); then those members, in order, take the unassigned partitions in list order.
//!    A partition left over is Kafka's `PartitionAssignorException("Partitions were left
//!    unassigned")`.
//!
//! So with nothing changed the assignment stays as it is, and sizes differ by at most one.
//! This is trunk's builder (late 2025): the extra partitions go to members that already hold
//! them, else to the last ones; the version of October 2024 gave them to the first members in
//! order, whatever they held.
//!
//! Simplified: trunk's rack-aware pass (keep and hand out partitions whose replicas share the
//! member's rack, `Utils.useRackAwareAssignment`) runs only when some partition has a replica
//! rack; Streamscope's brokers have no `broker.rack` yet, so Kafka's own check turns it off
//! and this is Kafka's result for such a cluster. Member racks are read and unused.
use alloc::vec::Vec;

use super::spec::{hash_set_capacity, Group, MemberInfo, MemberResult};
use super::ServerAssignError;
use crate::assignor::java::JavaHashMap;

pub(crate) fn assign(group: &Group) -> Result<Vec<(usize, MemberResult)>, ServerAssignError> {
    let first = &group.members[0];
    if first.subscribed.is_empty() {
        return Ok(Vec::new());
    }
    let mut set: JavaHashMap<u32> =
        JavaHashMap::with_capacity(hash_set_capacity(first.subscribed.len()));
    for &t in &first.subscribed {
        set.insert(group.topics[t as usize].id.java_hash(), t);
    }
    let subscribed: Vec<u32> = set.iter().collect();
    let mut unassigned: Vec<(u32, i32)> = Vec::new();
    let mut total: u64 = 0;
    for &t in &subscribed {
        let count = group.count_or_throw(t)?;
        let assigned = &group.assigned[t as usize];
        unassigned.extend(
            (0..count as i32)
                .filter(|&p| !assigned[p as usize])
                .map(|p| (t, p)),
        );
        total += u64::from(count);
    }
    let members = group.members.len() as u64;
    let min_quota = total / members;
    let mut extra = total % members;
    let mut out: Vec<(usize, MemberResult)> = Vec::with_capacity(group.members.len());
    let mut unfilled: Vec<(usize, u64)> = Vec::new();
    for (m, member) in group.members.iter().enumerate() {
        let (kept, quota) =
            keep_within_quota(member, &subscribed, min_quota, &mut extra, &mut unassigned);
        if let Some(quota) = quota {
            unfilled.push((m, quota));
        }
        out.push((m, kept));
    }
    // The last unfilled members take the extra partitions nobody kept.
    for (_, quota) in unfilled.iter_mut().rev() {
        if extra > 0 {
            extra -= 1;
            *quota += 1;
        }
    }
    let mut next = 0usize;
    for (m, quota) in unfilled {
        let take = (quota as usize).min(unassigned.len() - next);
        for &(t, p) in &unassigned[next..next + take] {
            add(&mut out[m].1, t, p);
        }
        next += take;
    }
    if next < unassigned.len() {
        return Err(ServerAssignError::PartitionAssignor(
            "Partitions were left unassigned".into(),
        ));
    }
    Ok(out)
}

/// `maybeRevokePartitions` for one member: what it keeps and, if it can take more, its
/// remaining quota. A member offered an extra partition keeps it only if it already holds that
/// many; otherwise the extra goes back to the pool (`remainingMembersToGetAnExtraPartition`).
fn keep_within_quota(
    member: &MemberInfo,
    subscribed: &[u32],
    min_quota: u64,
    extra: &mut u64,
    unassigned: &mut Vec<(u32, i32)>,
) -> (MemberResult, Option<u64>) {
    let mut quota = min_quota;
    let mut has_extra = false;
    if *extra > 0 {
        quota += 1;
        has_extra = true;
    }
    let mut kept: MemberResult = Vec::new();
    for (t, parts) in &member.current {
        if !subscribed.contains(t) {
            continue;
        }
        let keep = (parts.len() as u64).min(quota) as usize;
        quota -= keep as u64;
        unassigned.extend(parts[keep..].iter().map(|&p| (*t, p)));
        if keep > 0 {
            kept.push((*t, parts[..keep].to_vec()));
        }
    }
    if quota > 0 && has_extra {
        quota -= 1;
        has_extra = false;
    }
    if quota == 0 && has_extra {
        *extra -= 1;
    }
    let unfilled = quota > 0 || (*extra > 0 && !has_extra);
    (kept, unfilled.then_some(quota))
}

fn add(result: &mut MemberResult, t: u32, p: i32) {
    match result.iter_mut().find(|(topic, _)| *topic == t) {
        Some((_, parts)) => parts.push(p),
        None => result.push((t, alloc::vec![p])),
    }
}
