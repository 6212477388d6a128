//! Property tests: validity, balance and stickiness of the sticky assignors over several
//! generations of joins and leaves (what Kafka's AbstractStickyAssignorTest checks as
//! properties), validity of range / roundrobin, and no panic on arbitrary ownership data.
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use streamscope_core::assignor::{
    assign, AssignError, Assignment, AssignorKind, MemberSubscription, TopicPartition,
};

const TOPICS: [&str; 4] = ["orders", "payments", "Shipments", "audit-log"];

/// Each partition at most once, only to a subscriber; every member present.
fn check_valid(
    kind: AssignorKind,
    p: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
    a: &Assignment,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.len(), members.len());
    let mut seen = BTreeSet::new();
    for m in members {
        let list = &a[&m.member_id];
        let mut sorted = list.clone();
        sorted.sort();
        prop_assert_eq!(&sorted, list, "{} list not sorted", kind);
        for tp in list {
            prop_assert!(
                m.topics.contains(&tp.topic),
                "{}: {} got {} without subscribing",
                kind,
                m.member_id,
                tp
            );
            prop_assert!(
                tp.partition >= 0 && (tp.partition as u32) < p.get(&tp.topic).copied().unwrap_or(0),
                "{}: {} does not exist",
                kind,
                tp
            );
            prop_assert!(seen.insert(tp.clone()), "{}: {} assigned twice", kind, tp);
        }
    }
    if kind != AssignorKind::CooperativeSticky {
        // Every partition of a subscribed topic is assigned.
        let subscribed: BTreeSet<&String> = members.iter().flat_map(|m| m.topics.iter()).collect();
        let total: u32 = p
            .iter()
            .filter(|(t, _)| subscribed.contains(t))
            .map(|(_, &n)| n)
            .sum();
        prop_assert_eq!(
            seen.len() as u32,
            total,
            "{}: not every partition assigned",
            kind
        );
    }
    Ok(())
}

/// Kafka's balance: no partition can move from a member with 2+ more partitions to a member
/// that subscribes to its topic. With equal subscriptions: sizes differ by at most one.
fn check_balanced(
    kind: AssignorKind,
    members: &[MemberSubscription],
    a: &Assignment,
) -> Result<(), TestCaseError> {
    let equal = members.windows(2).all(|w| {
        w[0].topics.iter().collect::<BTreeSet<_>>() == w[1].topics.iter().collect::<BTreeSet<_>>()
    });
    let sizes: Vec<usize> = members.iter().map(|m| a[&m.member_id].len()).collect();
    if equal && !sizes.is_empty() {
        let (min, max) = (
            sizes.iter().min().copied().unwrap_or(0),
            sizes.iter().max().copied().unwrap_or(0),
        );
        prop_assert!(
            max - min <= 1,
            "{}: sizes {:?} with equal subscriptions",
            kind,
            sizes
        );
    }
    for x in members {
        for y in members {
            let (ax, ay) = (&a[&x.member_id], &a[&y.member_id]);
            if ax.len() + 1 < ay.len() {
                for tp in ay {
                    prop_assert!(
                        !x.topics.contains(&tp.topic),
                        "{}: {} could move from {} to {}",
                        kind,
                        tp,
                        y.member_id,
                        x.member_id
                    );
                }
            }
        }
    }
    Ok(())
}

/// For the cooperative assignor: run the follow-up rebalances until nothing is revoked,
/// checking no partition is revoked and given away in the same round.
fn settle(
    kind: AssignorKind,
    p: &BTreeMap<String, u32>,
    members: &mut [MemberSubscription],
    a: &mut Assignment,
    generation: i32,
) -> Result<(), TestCaseError> {
    if kind != AssignorKind::CooperativeSticky {
        return Ok(());
    }
    for _ in 0..4 {
        let mut added = BTreeSet::new();
        let mut revoked = BTreeSet::new();
        for m in members.iter() {
            let got = &a[&m.member_id];
            revoked.extend(m.owned.iter().filter(|tp| !got.contains(tp)).cloned());
            added.extend(got.iter().filter(|tp| !m.owned.contains(tp)).cloned());
        }
        prop_assert!(
            added.is_disjoint(&revoked),
            "revoked and reassigned in one round"
        );
        if revoked.is_empty() {
            return Ok(());
        }
        for m in members.iter_mut() {
            m.owned = a[&m.member_id].clone();
            m.generation = Some(generation);
        }
        *a = match assign(kind, p, members) {
            Ok(a) => a,
            Err(AssignError::KafkaException { .. }) => {
                return Err(TestCaseError::reject("Kafka's loop does not end"))
            }
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        };
        check_valid(kind, p, members, a)?;
    }
    prop_assert!(false, "no settled assignment after 4 follow-up rounds");
    Ok(())
}

#[derive(Clone, Debug)]
struct Scenario {
    counts: Vec<u32>,
    equal: bool,
    /// Per generation: (members leaving as indexes into the current list, new members' topic masks).
    generations: Vec<(Vec<usize>, Vec<u8>)>,
    first: Vec<u8>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop::collection::vec(1u32..25, 1..=4),
        any::<bool>(),
        prop::collection::vec(1u8..16, 1..10),
        prop::collection::vec(
            (
                prop::collection::vec(0usize..10, 0..3),
                prop::collection::vec(1u8..16, 0..3),
            ),
            1..5,
        ),
    )
        .prop_map(|(counts, equal, first, generations)| Scenario {
            counts,
            equal,
            generations,
            first,
        })
}

fn topics_of(mask: u8, n_topics: usize, equal: bool) -> Vec<String> {
    let mask = if equal { 0xff } else { mask };
    let t: Vec<String> = (0..n_topics)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| TOPICS[i].to_string())
        .collect();
    if t.is_empty() {
        vec![TOPICS[0].to_string()]
    } else {
        t
    }
}

fn run_generations(kind: AssignorKind, s: &Scenario) -> Result<(), TestCaseError> {
    let n = s.counts.len();
    let p: BTreeMap<String, u32> = (0..n)
        .map(|i| (TOPICS[i].to_string(), s.counts[i]))
        .collect();
    let mut next_id = 0;
    let mut fresh = |mask: u8| {
        next_id += 1;
        MemberSubscription::new(
            format!("consumer-{next_id}-{:04x}", next_id * 7919 % 65536),
            topics_of(mask, n, s.equal),
        )
    };
    let mut members: Vec<MemberSubscription> = s.first.iter().map(|&m| fresh(m)).collect();
    let mut a = assign(kind, &p, &members).map_err(|e| TestCaseError::fail(e.to_string()))?;
    check_valid(kind, &p, &members, &a)?;
    settle(kind, &p, &mut members, &mut a, 1)?;
    check_balanced(kind, &members, &a)?;
    for (g, (leaving, joining)) in s.generations.iter().enumerate() {
        let generation = g as i32 + 2;
        let leave: BTreeSet<usize> = leaving.iter().map(|&i| i % members.len().max(1)).collect();
        let previous = a.clone();
        let mut next: Vec<MemberSubscription> = members
            .iter()
            .enumerate()
            .filter(|(i, _)| !leave.contains(i) || leave.len() >= members.len())
            .map(|(_, m)| MemberSubscription {
                owned: previous[&m.member_id].clone(),
                generation: Some(generation - 1),
                ..m.clone()
            })
            .collect();
        next.extend(joining.iter().map(|&m| fresh(m)));
        let mut b = match assign(kind, &p, &next) {
            Ok(b) => b,
            // Kafka's general sticky loop can cycle forever on some unequal subscriptions; the
            // assignor reports that instead (see sticky_general). Nothing more to check then.
            Err(AssignError::KafkaException { .. }) if !s.equal => {
                return Err(TestCaseError::reject("Kafka's loop does not end"))
            }
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        };
        check_valid(kind, &p, &next, &b)?;
        // Stickiness (first round, before any follow-up): with equal subscriptions a member that
        // stays keeps its previous partitions up to the lower quota.
        if s.equal {
            let total: usize = p.values().map(|&c| c as usize).sum();
            let min_quota = total / next.len();
            for m in &next {
                let kept = b[&m.member_id]
                    .iter()
                    .filter(|tp| m.owned.contains(tp))
                    .count();
                prop_assert!(
                    kept >= m.owned.len().min(min_quota),
                    "{}: {} kept {} of {:?}",
                    kind,
                    m.member_id,
                    kept,
                    m.owned
                );
            }
        }
        settle(kind, &p, &mut next, &mut b, generation)?;
        check_balanced(kind, &next, &b)?;
        members = next;
        a = b;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn sticky_stays_valid_balanced_and_sticky(s in scenario()) {
        run_generations(AssignorKind::Sticky, &s)?;
    }

    #[test]
    fn cooperative_sticky_stays_valid_balanced_and_sticky(s in scenario()) {
        run_generations(AssignorKind::CooperativeSticky, &s)?;
    }

    #[test]
    fn range_and_roundrobin_are_valid(s in scenario(), statics in prop::collection::vec(any::<bool>(), 10)) {
        let n = s.counts.len();
        let p: BTreeMap<String, u32> = (0..n).map(|i| (TOPICS[i].to_string(), s.counts[i])).collect();
        let members: Vec<MemberSubscription> = s.first.iter().enumerate().map(|(i, &mask)| MemberSubscription {
            group_instance_id: statics[i % statics.len()].then(|| format!("instance-{}", (i * 37) % 11)),
            ..MemberSubscription::new(format!("member-{i}"), topics_of(mask, n, s.equal))
        }).collect();
        for kind in [AssignorKind::Range, AssignorKind::RoundRobin] {
            let a = assign(kind, &p, &members).map_err(|e| TestCaseError::fail(e.to_string()))?;
            check_valid(kind, &p, &members, &a)?;
            if kind == AssignorKind::RoundRobin && s.equal {
                check_balanced(kind, &members, &a)?;
            }
        }
    }
}

/// (member id number, topic indexes, owned (topic index, partition), generation, instance id number)
type GarbageMember = (u8, Vec<u8>, Vec<(u8, i32)>, Option<i32>, Option<u8>);

#[derive(Clone, Debug)]
struct Garbage {
    partitions: Vec<(u8, u32)>,
    members: Vec<GarbageMember>,
}

fn garbage() -> impl Strategy<Value = Garbage> {
    let topic = 0u8..6;
    let partition = prop_oneof![0i32..12, any::<i32>()];
    let generation = prop::option::of(prop_oneof![-3i32..6, any::<i32>()]);
    (
        prop::collection::vec((topic.clone(), 0u32..10), 0..5),
        prop::collection::vec(
            (
                0u8..12,
                prop::collection::vec(topic.clone(), 0..5),
                prop::collection::vec((topic, partition), 0..8),
                generation,
                prop::option::of(0u8..4),
            ),
            0..10,
        ),
    )
        .prop_map(|(partitions, members)| Garbage {
            partitions,
            members,
        })
}

const GARBAGE_TOPICS: [&str; 6] = ["a", "b", "c", "\u{1F600}", "\u{FF5E}", ""];

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    /// Whatever the ownership data (deleted topics, out-of-range or negative partitions,
    /// duplicates, conflicting generations, empty or repeated subscriptions), every assignor
    /// answers without panicking, and only with a duplicate-id error or Kafka's own exception.
    #[test]
    fn arbitrary_input_never_panics(g in garbage()) {
        let p: BTreeMap<String, u32> = g.partitions.iter().map(|&(t, n)| (GARBAGE_TOPICS[t as usize].to_string(), n)).collect();
        let members: Vec<MemberSubscription> = g.members.iter().map(|(id, topics, owned, generation, instance)| MemberSubscription {
            member_id: format!("m{id}"),
            group_instance_id: instance.map(|i| format!("i{i}")),
            topics: topics.iter().map(|&t| GARBAGE_TOPICS[t as usize].to_string()).collect(),
            owned: owned.iter().map(|&(t, q)| TopicPartition::new(GARBAGE_TOPICS[t as usize], q)).collect(),
            generation: *generation,
        }).collect();
        let ids: BTreeSet<&String> = members.iter().map(|m| &m.member_id).collect();
        for kind in AssignorKind::ALL {
            match assign(kind, &p, &members) {
                Ok(a) => prop_assert_eq!(a.len(), members.len()),
                Err(AssignError::DuplicateMemberId(_)) => prop_assert!(ids.len() < members.len()),
                Err(AssignError::KafkaException { .. }) => prop_assert!(matches!(kind, AssignorKind::Sticky | AssignorKind::CooperativeSticky)),
                Err(e) => prop_assert!(false, "unexpected error {}", e),
            }
        }
    }
}
