//! The steps of building the group the assignors see ([`Group::new`](super::Group)), in the
//! order `AbstractPartitionAssignor.assign` and the assignors read their input: the input
//! checked, the topics interned in Java name order, the members' subscriptions,
//! `partitionsPerTopic` with dense partition ids, ids for owned partitions out of range, the
//! leader's `HashMap` order of the members and the members' id order.
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::{java, sort_ids, AssignError, ExtraPartitions, MemberSubscription, TopicInfo, NONE};

/// Member ids must be unique (they key the leader's map), and each partition count fit a Java
/// `int`.
pub(super) fn check(
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Result<(), AssignError> {
    let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
    for m in members {
        if seen.insert(m.member_id.as_str(), ()).is_some() {
            return Err(AssignError::DuplicateMemberId(m.member_id.clone()));
        }
    }
    for (topic, &count) in partitions_per_topic {
        if count > i32::MAX as u32 {
            return Err(AssignError::PartitionCountTooLarge {
                topic: topic.clone(),
                count,
            });
        }
    }
    Ok(())
}

/// Every topic named anywhere (counts, subscriptions, owned partitions), once, in Java
/// `String` order.
pub(super) fn topic_names<'a>(
    partitions_per_topic: &'a BTreeMap<String, u32>,
    members: &'a [MemberSubscription],
) -> Vec<&'a str> {
    let mut names: Vec<&'a str> = Vec::new();
    names.extend(partitions_per_topic.keys().map(String::as_str));
    for m in members {
        names.extend(m.topics.iter().map(String::as_str));
        names.extend(m.owned.iter().map(|tp| tp.topic.as_str()));
    }
    names.sort_unstable();
    names.dedup();
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    sort_ids(&mut order, &|a, b| {
        java::cmp_str(names[a as usize], names[b as usize])
    });
    order.iter().map(|&i| names[i as usize]).collect()
}

/// Each member's subscription as topic indexes: as listed (duplicates kept), and sorted and
/// deduplicated.
pub(super) fn subscriptions(
    members: &[MemberSubscription],
    topic_index: &BTreeMap<&str, u32>,
) -> (Vec<Vec<u32>>, Vec<Vec<u32>>) {
    let member_topics: Vec<Vec<u32>> = members
        .iter()
        .map(|m| {
            m.topics
                .iter()
                .map(|t| topic_index.get(t.as_str()).copied().unwrap_or(NONE))
                .collect()
        })
        .collect();
    let member_topic_set: Vec<Vec<u32>> = member_topics
        .iter()
        .map(|ts| {
            let mut s = ts.clone();
            s.sort_unstable();
            s.dedup();
            s
        })
        .collect();
    (member_topics, member_topic_set)
}

/// `partitionsPerTopic`: subscribed topics that exist with at least one partition, each with
/// its first dense partition id; returns the topics, the assignable ones and the total.
pub(super) fn assignable<'a>(
    partitions_per_topic: &BTreeMap<String, u32>,
    names: &[&'a str],
    member_topic_set: &[Vec<u32>],
) -> Result<(Vec<TopicInfo<'a>>, Vec<u32>, u32), AssignError> {
    let mut subscribed = alloc::vec![false; names.len()];
    for set in member_topic_set {
        for &t in set {
            if let Some(s) = subscribed.get_mut(t as usize) {
                *s = true;
            }
        }
    }
    let mut topics = Vec::with_capacity(names.len());
    let mut assignable_topics = Vec::new();
    let mut offset: u32 = 0;
    for (i, &name) in names.iter().enumerate() {
        let count = match partitions_per_topic.get(name) {
            Some(&c) if c > 0 && subscribed[i] => Some(c),
            _ => None,
        };
        topics.push(TopicInfo {
            name,
            hash: java::string_hash(name),
            count,
            offset,
        });
        if let Some(c) = count {
            assignable_topics.push(i as u32);
            offset = offset.saturating_add(c);
        }
    }
    if offset >= NONE / 2 {
        // More partitions than dense u32 ids can hold next to the extra ids.
        return Err(AssignError::PartitionCountTooLarge {
            topic: String::from("(all topics)"),
            count: offset,
        });
    }
    Ok((topics, assignable_topics, offset))
}

/// Owned partitions numbered outside their (assignable) topic's range, with ids past the end
/// (`offset`), in the order members and their owned lists name them.
pub(super) fn extra_partitions(
    members: &[MemberSubscription],
    topic_index: &BTreeMap<&str, u32>,
    topics: &[TopicInfo<'_>],
    offset: u32,
) -> ExtraPartitions {
    let mut extra = ExtraPartitions::default();
    for m in members {
        for tp in &m.owned {
            let Some(&t) = topic_index.get(tp.topic.as_str()) else {
                continue;
            };
            let Some(count) = topics[t as usize].count else {
                continue;
            };
            let p = tp.partition;
            if (p < 0 || p as u32 >= count) && !extra.index.contains_key(&(t, p)) {
                let id = offset + extra.list.len() as u32;
                extra.list.push((t, p));
                extra.index.insert((t, p), id);
            }
        }
    }
    extra
}

/// Each member id's Java hash, and the member indexes in the iteration order of the leader's
/// `HashMap<String, Subscription>` (inserted in JoinGroup order).
pub(super) fn leader_map_order(members: &[MemberSubscription]) -> (Vec<i32>, Vec<u32>) {
    let member_hash: Vec<i32> = members
        .iter()
        .map(|m| java::string_hash(&m.member_id))
        .collect();
    let mut map = java::JavaHashMap::new();
    for (i, &h) in member_hash.iter().enumerate() {
        map.insert(h, i as u32);
    }
    let subscription_order: Vec<u32> = map.iter().collect();
    (member_hash, subscription_order)
}

/// The rank of each member id in Java `String` order.
pub(super) fn member_ranks(members: &[MemberSubscription]) -> Vec<u32> {
    let mut by_id: Vec<u32> = (0..members.len() as u32).collect();
    sort_ids(&mut by_id, &|a, b| {
        java::cmp_str(
            &members[a as usize].member_id,
            &members[b as usize].member_id,
        )
    });
    let mut member_rank = alloc::vec![0u32; members.len()];
    for (rank, &m) in by_id.iter().enumerate() {
        member_rank[m as usize] = rank as u32;
    }
    member_rank
}
