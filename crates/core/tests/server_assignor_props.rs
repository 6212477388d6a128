//! Properties of the group coordinator's assignors (`assignor::server`) on random groups:
//! every partition of a subscribed topic is assigned exactly once and only to a subscriber of
//! its topic; the uniform assignor's sizes differ by at most one when subscriptions are equal;
//! and assigning again with the result as the current assignment (members in any order) changes
//! nothing. Kafka's tests check the same properties (`checkValidityAndBalance`,
//! `CommonAssignorTests`).
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use streamscope_core::assignor::server::{
    assign, ConsumerMember, GroupSpec, MemberOrder, ServerAssignment, ServerAssignor, TopicMetadata,
};

const TOPICS: [&str; 5] = ["orders", "payments", "audit-log", "Shipments", "t"];

#[derive(Debug, Clone)]
struct Group {
    spec: GroupSpec,
}

fn order_of(i: u8) -> MemberOrder {
    [MemberOrder::Hash, MemberOrder::Sorted, MemberOrder::Listed][i as usize % 3]
}

/// A group: up to 5 topics of 0..12 partitions, 1..8 members, subscriptions equal or not,
/// and a current assignment with every partition held by at most one member (or nobody), the
/// holder subscribed or not (a subscription that changed).
fn group(homogeneous: bool) -> impl Strategy<Value = Group> {
    (
        prop::collection::vec(0u32..12, 1..=5),
        1usize..8,
        prop::collection::vec(prop::collection::vec(any::<bool>(), 5), 8),
        prop::collection::vec(0usize..12, 60),
        any::<u8>(),
        prop::collection::vec("[a-z0-9-]{1,12}", 8),
    )
        .prop_map(move |(counts, n, subs, owners, order, ids)| {
            let names: Vec<&str> = TOPICS[..counts.len()].to_vec();
            let mut ids: Vec<String> = ids.into_iter().take(n).collect();
            ids.sort();
            ids.dedup();
            let mut members: Vec<ConsumerMember> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let row = if homogeneous { &subs[0] } else { &subs[i] };
                    let topics = names.iter().zip(row).filter(|(_, &s)| s).map(|(t, _)| *t);
                    ConsumerMember::new(format!("member-{id}"), topics)
                })
                .collect();
            let mut k = 0;
            for (t, &count) in names.iter().zip(&counts) {
                for p in 0..count {
                    let owner = owners[k % owners.len()];
                    k += 1;
                    if let Some(m) = members.get_mut(owner) {
                        match m.current.iter_mut().find(|(n, _)| n == t) {
                            Some((_, parts)) => parts.push(p as i32),
                            None => m.current.push((t.to_string(), vec![p as i32])),
                        }
                    }
                }
            }
            let topics = names
                .iter()
                .zip(&counts)
                .map(|(t, &c)| {
                    let meta = TopicMetadata {
                        partitions: c,
                        id: None,
                    };
                    (t.to_string(), meta)
                })
                .collect();
            Group {
                spec: GroupSpec {
                    members,
                    topics,
                    member_order: order_of(order),
                    ..Default::default()
                },
            }
        })
}

/// Every subscribed partition exactly once, only to subscribers of its topic.
fn check_valid(spec: &GroupSpec, a: &ServerAssignment) -> Result<(), TestCaseError> {
    let subscribed: BTreeMap<&str, BTreeSet<&str>> = spec
        .members
        .iter()
        .map(|m| {
            let topics = m.subscribed.iter().map(String::as_str).collect();
            (m.member_id.as_str(), topics)
        })
        .collect();
    let mut seen = BTreeSet::new();
    for (member, topics) in a {
        for (topic, parts) in topics {
            prop_assert!(
                subscribed[member.as_str()].contains(topic.as_str()),
                "{member} got {topic}"
            );
            prop_assert!(!parts.is_empty(), "{member}: empty set for {topic}");
            for &p in parts {
                prop_assert!(
                    seen.insert((topic.clone(), p)),
                    "{topic}-{p} assigned twice"
                );
            }
        }
    }
    for (topic, meta) in &spec.topics {
        if subscribed.values().any(|s| s.contains(topic.as_str())) {
            for p in 0..meta.partitions as i32 {
                prop_assert!(seen.contains(&(topic.clone(), p)), "{topic}-{p} unassigned");
            }
        }
    }
    Ok(())
}

fn again(spec: &GroupSpec, a: &ServerAssignment, reverse: bool) -> GroupSpec {
    let mut members: Vec<ConsumerMember> = spec
        .members
        .iter()
        .map(|m| ConsumerMember {
            current: a
                .get(&m.member_id)
                .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            ..m.clone()
        })
        .collect();
    if reverse {
        members.reverse();
    }
    GroupSpec {
        members,
        member_order: MemberOrder::Listed,
        ..spec.clone()
    }
}

fn check_all(g: &Group, assignor: ServerAssignor, balanced: bool) -> Result<(), TestCaseError> {
    let a = assign(assignor, &g.spec).map_err(|e| TestCaseError::fail(e.to_string()))?;
    check_valid(&g.spec, &a)?;
    if balanced && !a.is_empty() {
        let sizes: Vec<usize> = a.values().map(|t| t.values().map(Vec::len).sum()).collect();
        let (lo, hi) = (sizes.iter().min(), sizes.iter().max());
        prop_assert!(
            hi.zip(lo).is_some_and(|(h, l)| h - l <= 1),
            "sizes {sizes:?}"
        );
    }
    for reverse in [false, true] {
        let b = assign(assignor, &again(&g.spec, &a, reverse))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(
            &a,
            &b,
            "not sticky when nothing changed (reversed: {})",
            reverse
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn uniform_homogeneous_is_valid_balanced_and_sticky(g in group(true)) {
        check_all(&g, ServerAssignor::Uniform, true)?;
    }

    #[test]
    fn uniform_heterogeneous_is_valid_and_sticky(g in group(false)) {
        check_all(&g, ServerAssignor::Uniform, false)?;
    }

    #[test]
    fn range_is_valid_and_stable(g in group(false)) {
        check_all(&g, ServerAssignor::Range, false)?;
    }

    #[test]
    fn range_homogeneous_is_co_partitioned(g in group(true)) {
        // Equal partition counts: every member gets the same partition numbers of every topic.
        let mut spec = g.spec.clone();
        for meta in spec.topics.values_mut() {
            meta.partitions = 7;
        }
        for m in &mut spec.members {
            m.current.clear();
        }
        let a = assign(ServerAssignor::Range, &spec).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for topics in a.values() {
            let mut lists = topics.values();
            if let Some(first) = lists.next() {
                for other in lists {
                    prop_assert_eq!(first, other);
                }
            }
        }
    }
}
