//! `org.apache.kafka.coordinator.group.assignor.RangeAssignor`, the group coordinator's range
//! assignor (as rewritten by KAFKA-16944).
//!
//! Members are sorted: static members first by `group.instance.id`, then the others by member
//! id (`String.compareTo`; a stable sort of `memberIds()`). Per topic with `n` partitions and
//! `c` subscribers, the subscribers in that order take contiguous ranges: `n / c` each, one more
//! for the first `n % c`. With the same topics for everyone and equal partition counts this is
//! co-partitioned: a member gets the same partition numbers of every topic.
//!
//! Not sticky: Kafka's range assignor does not read the current assignment. Stickiness comes
//! from the member order alone, so a static member keeps its ranges across a restart under a
//! new member id (Kafka's `testStaticMembership`), while a member joining in the middle of
//! the order moves the ranges after it. A member subscribed to no topic still gets an (empty)
//! entry. A subscribed topic the describer does not know throws `PartitionAssignorException`
//! (in the homogeneous case only the first sorted member's subscription is read).
//! Simplified: trunk's rack-aware first pass (members take partitions with a replica on their
//! rack, co-partitioned topics together) runs only when partitions have replica racks, which
//! Streamscope's brokers do not have yet; without it trunk's range is exactly the above.
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::spec::{Group, MemberInfo, MemberResult};
use super::{ServerAssignError, SubscriptionType};
use crate::assignor::java;

/// `TopicMetadata` of the assignor: its quota, extra partitions and the next range start.
#[derive(Clone, Copy)]
struct Ranges {
    partitions: u32,
    members: u32,
    next: u32,
    extra: u32,
}

impl Ranges {
    /// `addPartitionsToAssignment`: the next member's range.
    fn take(&mut self) -> core::ops::Range<u32> {
        debug_assert!(self.members > 0, "a topic's ranges need a subscriber");
        let mut quota = self.partitions / self.members;
        if self.extra > 0 {
            quota += 1;
            self.extra -= 1;
        }
        let start = self.next;
        let end = (start + quota).min(self.partitions);
        self.next = end;
        start..end
    }
}

fn cmp_members(a: &MemberInfo, b: &MemberInfo) -> Ordering {
    match (a.instance_id, b.instance_id) {
        (Some(x), Some(y)) => java::cmp_str(x, y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => java::cmp_str(a.id, b.id),
    }
}

pub(crate) fn assign(group: &Group) -> Result<Vec<(usize, MemberResult)>, ServerAssignError> {
    let mut order: Vec<usize> = (0..group.members.len()).collect();
    order.sort_by(|&a, &b| cmp_members(&group.members[a], &group.members[b]));
    let mut topics: Vec<Option<Ranges>> = alloc::vec![None; group.topics.len()];
    let count_subscribers = group.subscription_type == SubscriptionType::Heterogeneous;
    let readers: &[usize] = if count_subscribers {
        &order
    } else {
        &order[..1]
    };
    for &m in readers {
        for &t in &group.members[m].subscribed {
            let partitions = group.count_or_throw(t)?;
            let entry = topics[t as usize].get_or_insert(Ranges {
                partitions,
                members: 0,
                next: 0,
                extra: 0,
            });
            entry.members += 1;
        }
    }
    // The quota is computed when a topic is first handed out (`maybeComputeQuota`).
    for r in topics.iter_mut().flatten() {
        if !count_subscribers {
            r.members = group.members.len() as u32;
        }
        r.extra = r.partitions % r.members;
    }
    let first = order[0];
    let mut out = Vec::with_capacity(order.len());
    for &m in &order {
        let subscribed = if count_subscribers {
            &group.members[m].subscribed
        } else {
            &group.members[first].subscribed
        };
        let mut mine: MemberResult = Vec::new();
        for &t in subscribed {
            let Some(r) = topics[t as usize].as_mut() else {
                continue;
            };
            let range = r.take();
            if !range.is_empty() {
                mine.push((t, range.map(|p| p as i32).collect()));
            }
        }
        out.push((m, mine));
    }
    Ok(out)
}
