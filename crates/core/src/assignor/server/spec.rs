//! The group spec as the server-side assignors read it: topics interned (their ids resolved),
//! members in `GroupSpec.memberIds()` order, each current assignment in its map's iteration
//! order, `GroupSpec.isPartitionAssigned`, and the subscription type.
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::{
    AssignmentOrder, GroupSpec, MemberOrder, ServerAssignError, ServerAssignment, SubscriptionType,
    TopicId,
};
use crate::assignor::java::{self, JavaHashMap};

pub(crate) struct TopicInfo<'a> {
    pub name: &'a str,
    pub id: TopicId,
    /// `numPartitions`; `None` for a subscribed name the describer does not know (Kafka's -1).
    pub count: Option<u32>,
}

pub(crate) struct MemberInfo<'a> {
    pub id: &'a str,
    pub instance_id: Option<&'a str>,
    /// Subscribed topic indexes, as listed, each once.
    pub subscribed: Vec<u32>,
    /// The current assignment of known topics: (topic, partitions), in iteration order.
    pub current: Vec<(u32, Vec<i32>)>,
}

impl MemberInfo<'_> {
    pub fn subscribes(&self, t: u32) -> bool {
        self.subscribed.contains(&t)
    }
}

/// One member's result: topic index to partitions (any order; sorted on the way out).
pub(crate) type MemberResult = Vec<(u32, Vec<i32>)>;

pub(crate) struct Group<'a> {
    pub topics: Vec<TopicInfo<'a>>,
    /// In `GroupSpec.memberIds()` order.
    pub members: Vec<MemberInfo<'a>>,
    pub subscription_type: SubscriptionType,
    /// `isPartitionAssigned`, per known topic and partition.
    pub assigned: Vec<Vec<bool>>,
}

/// `new HashSet<>(collection)`'s initial capacity.
pub(crate) fn hash_set_capacity(len: usize) -> usize {
    ((len as f32 / 0.75f32) as usize + 1).max(16)
}

impl<'a> Group<'a> {
    pub fn new(spec: &'a GroupSpec) -> Result<Group<'a>, ServerAssignError> {
        let mut topics: Vec<TopicInfo<'a>> = Vec::new();
        let mut index: BTreeMap<&'a str, u32> = BTreeMap::new();
        for (name, meta) in &spec.topics {
            if meta.partitions > i32::MAX as u32 {
                return Err(ServerAssignError::PartitionCountTooLarge {
                    topic: name.clone(),
                    count: meta.partitions,
                });
            }
            index.insert(name.as_str(), topics.len() as u32);
            topics.push(TopicInfo {
                name,
                id: meta.id.unwrap_or_else(|| TopicId::from_name(name)),
                count: Some(meta.partitions),
            });
        }
        for m in &spec.members {
            for name in &m.subscribed {
                if !index.contains_key(name.as_str()) {
                    index.insert(name.as_str(), topics.len() as u32);
                    topics.push(TopicInfo {
                        name,
                        id: TopicId::from_name(name),
                        count: None,
                    });
                }
            }
        }
        let order = member_order(spec)?;
        let mut members = Vec::with_capacity(order.len());
        for i in order {
            members.push(member_info(spec, i, &index, &topics)?);
        }
        let assigned = partitions_assigned(&topics, &members)?;
        let subscription_type = spec
            .subscription_type
            .unwrap_or_else(|| subscription_type(&members));
        Ok(Group {
            topics,
            members,
            subscription_type,
            assigned,
        })
    }

    /// The partition count of a known topic; Kafka's `PartitionAssignorException` for a
    /// subscribed topic that does not exist.
    pub fn count_or_throw(&self, t: u32) -> Result<u32, ServerAssignError> {
        self.topics[t as usize].count.ok_or_else(|| {
            ServerAssignError::PartitionAssignor(alloc::format!(
                "Members are subscribed to topic {} which doesn't exist in the topic metadata.",
                self.topics[t as usize].name
            ))
        })
    }

    pub fn into_assignment(self, out: Vec<(usize, MemberResult)>) -> ServerAssignment {
        let mut result = ServerAssignment::new();
        for (m, topics) in out {
            let entry = result.entry(String::from(self.members[m].id)).or_default();
            for (t, mut parts) in topics {
                debug_assert!(
                    !parts.is_empty(),
                    "Kafka's maps hold no empty partition set"
                );
                parts.sort_unstable();
                debug_assert!(parts.windows(2).all(|w| w[0] < w[1]), "a partition twice");
                entry.insert(String::from(self.topics[t as usize].name), parts);
            }
        }
        result
    }
}

/// Member indexes of `spec.members` in `GroupSpec.memberIds()` order.
fn member_order(spec: &GroupSpec) -> Result<Vec<usize>, ServerAssignError> {
    let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
    for m in &spec.members {
        if seen.insert(m.member_id.as_str(), ()).is_some() {
            return Err(ServerAssignError::DuplicateMemberId(m.member_id.clone()));
        }
    }
    let mut order: Vec<usize> = (0..spec.members.len()).collect();
    match spec.member_order {
        MemberOrder::Hash => {
            let mut map: JavaHashMap<usize> = JavaHashMap::new();
            for i in order {
                map.insert(java::string_hash(&spec.members[i].member_id), i);
            }
            order = map.iter().collect();
        }
        MemberOrder::Listed => {}
        MemberOrder::Sorted => order.sort_by(|&a, &b| {
            java::cmp_str(&spec.members[a].member_id, &spec.members[b].member_id)
        }),
    }
    Ok(order)
}

fn member_info<'a>(
    spec: &'a GroupSpec,
    i: usize,
    index: &BTreeMap<&'a str, u32>,
    topics: &[TopicInfo<'a>],
) -> Result<MemberInfo<'a>, ServerAssignError> {
    let m = &spec.members[i];
    let mut subscribed: Vec<u32> = Vec::new();
    for name in &m.subscribed {
        let t = index[name.as_str()];
        if !subscribed.contains(&t) {
            subscribed.push(t);
        }
    }
    // Topics of the current assignment, merged when listed twice, in the map's order.
    let mut listed: Vec<(&str, Vec<i32>)> = Vec::new();
    for (name, parts) in &m.current {
        match listed.iter_mut().find(|(n, _)| *n == name.as_str()) {
            Some((_, p)) => p.extend_from_slice(parts),
            None => listed.push((name.as_str(), parts.clone())),
        }
    }
    let topic_order: Vec<usize> = match spec.assignment_order {
        AssignmentOrder::Listed => (0..listed.len()).collect(),
        AssignmentOrder::Hash => {
            let mut map: JavaHashMap<usize> = JavaHashMap::new();
            for (j, (name, _)) in listed.iter().enumerate() {
                let id = index
                    .get(name)
                    .map(|&t| topics[t as usize].id)
                    .unwrap_or_else(|| TopicId::from_name(name));
                map.insert(id.java_hash(), j);
            }
            map.iter().collect()
        }
    };
    let mut current = Vec::new();
    for j in topic_order {
        let (name, parts) = &listed[j];
        let Some(&t) = index.get(name) else { continue };
        let Some(count) = topics[t as usize].count else {
            continue;
        };
        let parts = partition_order(parts, spec.assignment_order);
        if m.subscribed.iter().any(|s| s == name) {
            if let Some(&p) = parts.iter().find(|&&p| p < 0 || p as u32 >= count) {
                return Err(ServerAssignError::PartitionOutOfRange {
                    member: m.member_id.clone(),
                    topic: String::from(*name),
                    partition: p,
                });
            }
        }
        current.push((t, parts));
    }
    Ok(MemberInfo {
        id: &m.member_id,
        instance_id: m.instance_id.as_deref(),
        subscribed,
        current,
    })
}

/// The partitions of one topic, each once, in the set's iteration order.
fn partition_order(parts: &[i32], order: AssignmentOrder) -> Vec<i32> {
    match order {
        AssignmentOrder::Listed => {
            let mut out: Vec<i32> = Vec::with_capacity(parts.len());
            for &p in parts {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
            out
        }
        AssignmentOrder::Hash => {
            // `new HashSet<>(Arrays.asList(partitions))`; `Integer.hashCode` is the value.
            let mut set: JavaHashMap<i32> =
                JavaHashMap::with_capacity(hash_set_capacity(parts.len()));
            for &p in parts {
                set.insert(p, p);
            }
            set.iter().collect()
        }
    }
}

/// `isPartitionAssigned` from the members' current assignments (the inverted target
/// assignment); a partition held twice is refused.
fn partitions_assigned(
    topics: &[TopicInfo],
    members: &[MemberInfo],
) -> Result<Vec<Vec<bool>>, ServerAssignError> {
    let mut assigned: Vec<Vec<bool>> = topics
        .iter()
        .map(|t| alloc::vec![false; t.count.unwrap_or(0) as usize])
        .collect();
    for m in members {
        for (t, parts) in &m.current {
            let row = &mut assigned[*t as usize];
            for &p in parts {
                let Some(slot) = usize::try_from(p).ok().and_then(|p| row.get_mut(p)) else {
                    continue;
                };
                if *slot {
                    return Err(ServerAssignError::PartitionHeldTwice {
                        topic: String::from(topics[*t as usize].name),
                        partition: p,
                    });
                }
                *slot = true;
            }
        }
    }
    Ok(assigned)
}

/// `ModernGroup.subscriptionType`: homogeneous when every subscribed topic has every member
/// as a subscriber.
fn subscription_type(members: &[MemberInfo]) -> SubscriptionType {
    let sorted = |m: &MemberInfo| {
        let mut s = m.subscribed.clone();
        s.sort_unstable();
        s
    };
    let Some(first) = members.first().map(sorted) else {
        return SubscriptionType::Homogeneous;
    };
    if members.iter().all(|m| sorted(m) == first) {
        SubscriptionType::Homogeneous
    } else {
        SubscriptionType::Heterogeneous
    }
}
