//! Cases transcribed from Apache Kafka's own assignor tests (inputs and expected outputs as data;
//! the Java test each comes from is named on its function). Source:
//! `clients/src/test/java/org/apache/kafka/clients/consumer/` RangeAssignorTest,
//! RoundRobinAssignorTest, StickyAssignorTest, CooperativeStickyAssignorTest and
//! `internals/AbstractStickyAssignorTest` (whose cases run for both sticky assignors).
//!
//! How the Java tests map onto [`assign`]:
//! - `subscriptions.put(...)` order is the member order (the tests fill a `HashMap`, as the
//!   leader does).
//! - `subscription(topics, i)`: a new member (no ownership).
//! - `buildSubscriptionV2Above(topics, owned, generation, i)`: `owned` + `generation`.
//! - `verifyRackAssignment(...)` builds `new Subscription(topics, null, owned, DEFAULT_GENERATION)`:
//!   for StickyAssignor that carries no ownership (no userData); for CooperativeStickyAssignor it
//!   is `owned` with no generation. Only its cases where Kafka does not use racks are taken.
//! - For CooperativeStickyAssignor, Kafka's `verifyValidityAndBalance` runs follow-up rebalances
//!   (owned = last assignment, generation 1) until nothing is revoked and the test's later
//!   assertions see that final state: [`verify`] does the same.
use std::collections::{BTreeMap, BTreeSet};
use streamscope_core::assignor::{
    assign, Assignment, AssignorKind, MemberSubscription, TopicPartition,
};

use AssignorKind::{CooperativeSticky, Range, RoundRobin, Sticky};

const STICKIES: [AssignorKind; 2] = [Sticky, CooperativeSticky];

fn parts(list: &[(&str, u32)]) -> BTreeMap<String, u32> {
    list.iter().map(|&(t, n)| (t.to_string(), n)).collect()
}

/// "topic1-0, topic2-3" -> partitions.
fn tps(s: &str) -> Vec<TopicPartition> {
    let mut v: Vec<TopicPartition> = s
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| {
            let (t, p) = x.rsplit_once('-').expect("topic-partition");
            TopicPartition::new(t, p.parse().expect("partition number"))
        })
        .collect();
    v.sort();
    v
}

fn topics(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// `subscription(topics, i)`: a member without ownership.
fn new_member(id: &str, topic_list: &str) -> MemberSubscription {
    MemberSubscription::new(id, topics(topic_list))
}

/// A static member (`group.instance.id`).
fn static_member(id: &str, instance: &str, topic_list: &str) -> MemberSubscription {
    MemberSubscription {
        group_instance_id: Some(instance.to_string()),
        ..new_member(id, topic_list)
    }
}

/// `buildSubscriptionV2Above(topics, owned, generation, i)`.
fn owning(id: &str, topic_list: &str, owned: &str, generation: i32) -> MemberSubscription {
    MemberSubscription {
        owned: tps(owned),
        generation: Some(generation),
        ..new_member(id, topic_list)
    }
}

fn run(
    kind: AssignorKind,
    p: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Assignment {
    assign(kind, p, members).unwrap_or_else(|e| panic!("{kind}: {e}"))
}

fn expect(kind: AssignorKind, a: &Assignment, member: &str, want: &str) {
    assert_eq!(
        a.get(member),
        Some(&tps(want)),
        "{kind}: assignment of {member} (whole result {a:?})"
    );
}

/// Kafka's `verifyValidityAndBalance`: every member present, each partition of a subscribed
/// topic at most once and only with a subscriber, and no partition could move from a member
/// with 2+ more partitions to a member subscribed to its topic. For CooperativeSticky first the
/// follow-up rebalances (see the module doc); `members` and `a` end in the settled state.
fn verify(
    kind: AssignorKind,
    p: &BTreeMap<String, u32>,
    members: &mut [MemberSubscription],
    a: &mut Assignment,
) {
    if kind == CooperativeSticky {
        let mut rounds = 0;
        loop {
            let mut added = BTreeSet::new();
            let mut revoked = BTreeSet::new();
            for m in members.iter() {
                let got = &a[&m.member_id];
                revoked.extend(m.owned.iter().filter(|tp| !got.contains(tp)).cloned());
                added.extend(got.iter().filter(|tp| !m.owned.contains(tp)).cloned());
            }
            assert!(
                added.is_disjoint(&revoked),
                "{kind}: partitions revoked and reassigned in one round"
            );
            if revoked.is_empty() {
                break;
            }
            for m in members.iter_mut() {
                m.owned = a[&m.member_id].clone();
                m.generation = Some(1);
            }
            *a = run(kind, p, members);
            rounds += 1;
            assert!(
                rounds <= 4,
                "{kind}: no settled assignment after 4 follow-up rounds"
            );
        }
    }
    assert_eq!(a.len(), members.len());
    let mut seen = BTreeSet::new();
    for m in members.iter() {
        for tp in &a[&m.member_id] {
            assert!(
                m.topics.contains(&tp.topic),
                "{kind}: {} got {tp} without subscribing",
                m.member_id
            );
            assert!(seen.insert(tp.clone()), "{kind}: {tp} assigned twice");
        }
    }
    for x in members.iter() {
        for y in members.iter() {
            let (ax, ay) = (&a[&x.member_id], &a[&y.member_id]);
            if ax.len() + 1 < ay.len() {
                for tp in ay {
                    assert!(
                        !x.topics.contains(&tp.topic),
                        "{kind}: {tp} could move from {} to {}",
                        y.member_id,
                        x.member_id
                    );
                }
            }
        }
    }
}

fn is_fully_balanced(a: &Assignment) -> bool {
    let sizes: Vec<usize> = a.values().map(Vec::len).collect();
    sizes.iter().max().unwrap_or(&0) - sizes.iter().min().unwrap_or(&0) <= 1
}

// ---------------------------------------------------------------------------------------------
// RangeAssignorTest (the NO_CONSUMER_RACK / non-rack variants).

#[test]
fn range_one_consumer_no_topic_and_nonexistent_topic() {
    // RangeAssignorTest.testOneConsumerNoTopic / testOneConsumerNonexistentTopic
    let a = run(Range, &parts(&[]), &[new_member("consumer1", "")]);
    expect(Range, &a, "consumer1", "");
    let a = run(Range, &parts(&[]), &[new_member("consumer1", "topic1")]);
    expect(Range, &a, "consumer1", "");
}

#[test]
fn range_single_consumer_cases() {
    // RangeAssignorTest.testOneConsumerOneTopic
    let a = run(
        Range,
        &parts(&[("topic1", 3)]),
        &[new_member("consumer1", "topic1")],
    );
    expect(Range, &a, "consumer1", "topic1-0, topic1-1, topic1-2");
    // RangeAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics
    let a = run(
        Range,
        &parts(&[("topic1", 3), ("other", 3)]),
        &[new_member("consumer1", "topic1")],
    );
    expect(Range, &a, "consumer1", "topic1-0, topic1-1, topic1-2");
    // RangeAssignorTest.testOneConsumerMultipleTopics
    let a = run(
        Range,
        &parts(&[("topic1", 1), ("topic2", 2)]),
        &[new_member("consumer1", "topic1, topic2")],
    );
    expect(Range, &a, "consumer1", "topic1-0, topic2-0, topic2-1");
}

#[test]
fn range_two_and_three_consumers() {
    // RangeAssignorTest.testTwoConsumersOneTopicOnePartition
    let m = [
        new_member("consumer1", "topic1"),
        new_member("consumer2", "topic1"),
    ];
    let a = run(Range, &parts(&[("topic1", 1)]), &m);
    expect(Range, &a, "consumer1", "topic1-0");
    expect(Range, &a, "consumer2", "");
    // RangeAssignorTest.testTwoConsumersOneTopicTwoPartitions
    let a = run(Range, &parts(&[("topic1", 2)]), &m);
    expect(Range, &a, "consumer1", "topic1-0");
    expect(Range, &a, "consumer2", "topic1-1");
    // RangeAssignorTest.testMultipleConsumersMixedTopics
    let m = [
        new_member("consumer1", "topic1"),
        new_member("consumer2", "topic1, topic2"),
        new_member("consumer3", "topic1"),
    ];
    let a = run(Range, &parts(&[("topic1", 3), ("topic2", 2)]), &m);
    expect(Range, &a, "consumer1", "topic1-0");
    expect(Range, &a, "consumer2", "topic1-1, topic2-0, topic2-1");
    expect(Range, &a, "consumer3", "topic1-2");
    // RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions
    let m = [
        new_member("consumer1", "topic1, topic2"),
        new_member("consumer2", "topic1, topic2"),
    ];
    let a = run(Range, &parts(&[("topic1", 3), ("topic2", 3)]), &m);
    expect(
        Range,
        &a,
        "consumer1",
        "topic1-0, topic1-1, topic2-0, topic2-1",
    );
    expect(Range, &a, "consumer2", "topic1-2, topic2-2");
}

#[test]
fn range_static_members() {
    let p = parts(&[("topic1", 3), ("topic2", 3)]);
    // RangeAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions
    let m = [
        static_member("consumer-b", "instance1", "topic1, topic2"),
        static_member("consumer-a", "instance2", "topic1, topic2"),
    ];
    let a = run(Range, &p, &m);
    expect(
        Range,
        &a,
        "consumer-b",
        "topic1-0, topic1-1, topic2-0, topic2-1",
    );
    expect(Range, &a, "consumer-a", "topic1-2, topic2-2");
    // RangeAssignorTest.testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
    let m = [
        static_member("consumer-b", "instance1", "topic1, topic2"),
        new_member("consumer-a", "topic1, topic2"),
    ];
    let a = run(Range, &p, &m);
    expect(
        Range,
        &a,
        "consumer-b",
        "topic1-0, topic1-1, topic2-0, topic2-1",
    );
    expect(Range, &a, "consumer-a", "topic1-2, topic2-2");
}

#[test]
fn range_static_member_assignment_persistent() {
    // RangeAssignorTest.testStaticMemberRangeAssignmentPersistent
    let p = parts(&[("topic1", 5), ("topic2", 4)]);
    let mut m = vec![
        static_member("consumer1", "instance1", "topic1, topic2"),
        static_member("consumer2", "instance2", "topic1, topic2"),
        static_member("consumer3", "instance3", "topic1, topic2"),
        new_member("consumer4", "topic1, topic2"),
    ];
    let a = run(Range, &p, &m);
    expect(Range, &a, "consumer1", "topic1-0, topic1-1, topic2-0");
    expect(Range, &a, "consumer2", "topic1-2, topic2-1");
    expect(Range, &a, "consumer3", "topic1-3, topic2-2");
    expect(Range, &a, "consumer4", "topic1-4, topic2-3");
    m.pop();
    m.push(new_member("consumer5", "topic1, topic2"));
    let a = run(Range, &p, &m);
    expect(Range, &a, "consumer1", "topic1-0, topic1-1, topic2-0");
    expect(Range, &a, "consumer5", "topic1-4, topic2-3");

    // RangeAssignorTest.testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges
    let p = parts(&[("topic1", 5), ("topic2", 5)]);
    let m = vec![
        static_member("consumer1", "instance1", "topic1, topic2"),
        static_member("consumer2", "instance2", "topic1, topic2"),
        static_member("consumer3", "instance3", "topic1, topic2"),
    ];
    let a = run(Range, &p, &m);
    expect(
        Range,
        &a,
        "consumer1",
        "topic1-0, topic1-1, topic2-0, topic2-1",
    );
    expect(
        Range,
        &a,
        "consumer2",
        "topic1-2, topic1-3, topic2-2, topic2-3",
    );
    expect(Range, &a, "consumer3", "topic1-4, topic2-4");
    let m = vec![
        static_member("consumer1", "instance1", "topic1, topic2"),
        static_member("consumer5", "instance2", "topic1, topic2"),
        static_member("consumer4", "instance3", "topic1, topic2"),
    ];
    let a = run(Range, &p, &m);
    expect(
        Range,
        &a,
        "consumer5",
        "topic1-2, topic1-3, topic2-2, topic2-3",
    );
    expect(Range, &a, "consumer4", "topic1-4, topic2-4");
}

// ---------------------------------------------------------------------------------------------
// RoundRobinAssignorTest.

#[test]
fn roundrobin_small_cases() {
    // RoundRobinAssignorTest.testOneConsumerNoTopic / testOneConsumerNonexistentTopic
    expect(
        RoundRobin,
        &run(RoundRobin, &parts(&[]), &[new_member("consumer", "")]),
        "consumer",
        "",
    );
    expect(
        RoundRobin,
        &run(RoundRobin, &parts(&[]), &[new_member("consumer", "topic")]),
        "consumer",
        "",
    );
    // RoundRobinAssignorTest.testOneConsumerOneTopic
    let a = run(
        RoundRobin,
        &parts(&[("topic", 3)]),
        &[new_member("consumer", "topic")],
    );
    expect(RoundRobin, &a, "consumer", "topic-0, topic-1, topic-2");
    // RoundRobinAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics
    let a = run(
        RoundRobin,
        &parts(&[("topic", 3), ("other", 3)]),
        &[new_member("consumer", "topic")],
    );
    expect(RoundRobin, &a, "consumer", "topic-0, topic-1, topic-2");
    // RoundRobinAssignorTest.testOneConsumerMultipleTopics
    let a = run(
        RoundRobin,
        &parts(&[("topic1", 1), ("topic2", 2)]),
        &[new_member("consumer", "topic1, topic2")],
    );
    expect(RoundRobin, &a, "consumer", "topic1-0, topic2-0, topic2-1");
    // RoundRobinAssignorTest.testTwoConsumersOneTopicOnePartition / ...TwoPartitions
    let m = [
        new_member("consumer1", "topic"),
        new_member("consumer2", "topic"),
    ];
    let a = run(RoundRobin, &parts(&[("topic", 1)]), &m);
    expect(RoundRobin, &a, "consumer1", "topic-0");
    expect(RoundRobin, &a, "consumer2", "");
    let a = run(RoundRobin, &parts(&[("topic", 2)]), &m);
    expect(RoundRobin, &a, "consumer1", "topic-0");
    expect(RoundRobin, &a, "consumer2", "topic-1");
    // RoundRobinAssignorTest.testMultipleConsumersMixedTopics
    let m = [
        new_member("consumer1", "topic1"),
        new_member("consumer2", "topic1, topic2"),
        new_member("consumer3", "topic1"),
    ];
    let a = run(RoundRobin, &parts(&[("topic1", 3), ("topic2", 2)]), &m);
    expect(RoundRobin, &a, "consumer1", "topic1-0");
    expect(RoundRobin, &a, "consumer2", "topic1-1, topic2-0, topic2-1");
    expect(RoundRobin, &a, "consumer3", "topic1-2");
}

#[test]
fn roundrobin_two_topics_six_partitions() {
    let p = parts(&[("topic1", 3), ("topic2", 3)]);
    // RoundRobinAssignorTest.testTwoDynamicConsumersTwoTopicsSixPartitions
    let m = [
        new_member("consumer1", "topic1, topic2"),
        new_member("consumer2", "topic1, topic2"),
    ];
    let a = run(RoundRobin, &p, &m);
    expect(RoundRobin, &a, "consumer1", "topic1-0, topic1-2, topic2-1");
    expect(RoundRobin, &a, "consumer2", "topic1-1, topic2-0, topic2-2");
    // RoundRobinAssignorTest.testTwoStaticConsumersTwoTopicsSixPartitions
    let m = [
        static_member("consumer-b", "instance1", "topic1, topic2"),
        static_member("consumer-a", "instance2", "topic1, topic2"),
    ];
    let a = run(RoundRobin, &p, &m);
    expect(RoundRobin, &a, "consumer-b", "topic1-0, topic1-2, topic2-1");
    expect(RoundRobin, &a, "consumer-a", "topic1-1, topic2-0, topic2-2");
    // RoundRobinAssignorTest.testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions
    let m = [
        static_member("consumer-b", "instance1", "topic1, topic2"),
        new_member("consumer-a", "topic1, topic2"),
    ];
    let a = run(RoundRobin, &p, &m);
    expect(RoundRobin, &a, "consumer-b", "topic1-0, topic1-2, topic2-1");
    expect(RoundRobin, &a, "consumer-a", "topic1-1, topic2-0, topic2-2");
}

#[test]
fn roundrobin_static_member_assignment_persistent() {
    // RoundRobinAssignorTest.testStaticMemberRoundRobinAssignmentPersistent
    let p = parts(&[("topic1", 3), ("topic2", 3)]);
    let mut m = vec![
        static_member("consumer1", "instance1", "topic1, topic2"),
        static_member("consumer2", "instance2", "topic1, topic2"),
        static_member("consumer3", "instance3", "topic1, topic2"),
        new_member("consumer4", "topic1, topic2"),
    ];
    let a = run(RoundRobin, &p, &m);
    expect(RoundRobin, &a, "consumer1", "topic1-0, topic2-1");
    expect(RoundRobin, &a, "consumer2", "topic1-1, topic2-2");
    expect(RoundRobin, &a, "consumer3", "topic1-2");
    expect(RoundRobin, &a, "consumer4", "topic2-0");
    m.pop();
    m.push(new_member("consumer5", "topic1, topic2"));
    let a = run(RoundRobin, &p, &m);
    expect(RoundRobin, &a, "consumer5", "topic2-0");
    expect(RoundRobin, &a, "consumer3", "topic1-2");

    // RoundRobinAssignorTest.testStaticMemberRoundRobinAssignmentPersistentAfterMemberIdChanges
    let p = parts(&[("topic1", 5), ("topic2", 5)]);
    let m = vec![
        static_member("consumer1", "instance1", "topic1, topic2"),
        static_member("consumer2", "instance2", "topic1, topic2"),
        static_member("consumer3", "instance3", "topic1, topic2"),
    ];
    let a = run(RoundRobin, &p, &m);
    expect(
        RoundRobin,
        &a,
        "consumer1",
        "topic1-0, topic1-3, topic2-1, topic2-4",
    );
    expect(RoundRobin, &a, "consumer2", "topic1-1, topic1-4, topic2-2");
    expect(RoundRobin, &a, "consumer3", "topic1-2, topic2-0, topic2-3");
    let m = vec![
        static_member("consumer1", "instance1", "topic1, topic2"),
        static_member("consumer5", "instance2", "topic1, topic2"),
        static_member("consumer4", "instance3", "topic1, topic2"),
    ];
    let a = run(RoundRobin, &p, &m);
    expect(RoundRobin, &a, "consumer5", "topic1-1, topic1-4, topic2-2");
    expect(RoundRobin, &a, "consumer4", "topic1-2, topic2-0, topic2-3");
}

// ---------------------------------------------------------------------------------------------
// AbstractStickyAssignorTest (both sticky assignors).

#[test]
fn sticky_single_consumer_cases() {
    for kind in STICKIES {
        // AbstractStickyAssignorTest.testOneConsumerNoTopic / testOneConsumerNonexistentTopic
        expect(
            kind,
            &run(kind, &parts(&[]), &[new_member("consumer", "")]),
            "consumer",
            "",
        );
        expect(
            kind,
            &run(
                kind,
                &parts(&[("topic", 0)]),
                &[new_member("consumer", "topic")],
            ),
            "consumer",
            "",
        );
        // AbstractStickyAssignorTest.testOneConsumerOneTopic
        let a = run(
            kind,
            &parts(&[("topic", 3)]),
            &[new_member("consumer", "topic")],
        );
        expect(kind, &a, "consumer", "topic-0, topic-1, topic-2");
        // AbstractStickyAssignorTest.testOnlyAssignsPartitionsFromSubscribedTopics
        let m = [owning(
            "consumer",
            "topic",
            "topic-0, topic-1, other-0, other-1",
            1,
        )];
        let a = run(kind, &parts(&[("topic", 2)]), &m);
        expect(kind, &a, "consumer", "topic-0, topic-1");
        // AbstractStickyAssignorTest.testOneConsumerMultipleTopics
        let a = run(
            kind,
            &parts(&[("topic1", 1), ("topic2", 2)]),
            &[new_member("consumer", "topic1, topic2")],
        );
        expect(kind, &a, "consumer", "topic1-0, topic2-0, topic2-1");
        // AbstractStickyAssignorTest.testAssignmentUpdatedForDeletedTopic
        let a = run(
            kind,
            &parts(&[("topic1", 1), ("topic3", 100)]),
            &[new_member("consumer", "topic1, topic2, topic3")],
        );
        assert_eq!(a["consumer"].len(), 101);
        // AbstractStickyAssignorTest.testNoExceptionThrownWhenOnlySubscribedTopicDeleted
        let a = run(
            kind,
            &parts(&[]),
            &[owning("consumer", "topic", "topic-0, topic-1, topic-2", 1)],
        );
        expect(kind, &a, "consumer", "");
    }
}

#[test]
fn sticky_two_and_three_consumers() {
    for kind in STICKIES {
        // AbstractStickyAssignorTest.testTwoConsumersOneTopicOnePartition
        let p = parts(&[("topic", 1)]);
        let mut m = vec![
            new_member("consumer1", "topic"),
            new_member("consumer2", "topic"),
        ];
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);
        // AbstractStickyAssignorTest.testTwoConsumersOneTopicTwoPartitions
        let a = run(
            kind,
            &parts(&[("topic", 2)]),
            &m[..]
                .iter()
                .map(|x| new_member(&x.member_id, "topic"))
                .collect::<Vec<_>>(),
        );
        expect(kind, &a, "consumer1", "topic-0");
        expect(kind, &a, "consumer2", "topic-1");
        // AbstractStickyAssignorTest.testMultipleConsumersMixedTopicSubscriptions
        let m = [
            new_member("consumer1", "topic1"),
            new_member("consumer2", "topic1, topic2"),
            new_member("consumer3", "topic1"),
        ];
        let a = run(kind, &parts(&[("topic1", 3), ("topic2", 2)]), &m);
        expect(kind, &a, "consumer1", "topic1-0, topic1-2");
        expect(kind, &a, "consumer2", "topic2-0, topic2-1");
        expect(kind, &a, "consumer3", "topic1-1");
        // AbstractStickyAssignorTest.testTwoConsumersTwoTopicsSixPartitions
        let m = [
            new_member("consumer1", "topic1, topic2"),
            new_member("consumer2", "topic1, topic2"),
        ];
        let a = run(kind, &parts(&[("topic1", 3), ("topic2", 3)]), &m);
        expect(kind, &a, "consumer1", "topic1-0, topic1-2, topic2-1");
        expect(kind, &a, "consumer2", "topic1-1, topic2-0, topic2-2");
    }
}

#[test]
fn sticky_quota_cases() {
    let all = "topic1, topic2";
    // AbstractStickyAssignorTest.testConsumerOwningMinQuotaExpectedMaxQuota
    for kind in STICKIES {
        let m = [
            owning("consumer1", all, "topic1-0, topic2-1", 1),
            owning("consumer2", all, "topic1-1, topic2-2", 1),
        ];
        let a = run(kind, &parts(&[("topic1", 2), ("topic2", 3)]), &m);
        expect(kind, &a, "consumer1", "topic1-0, topic2-1, topic2-0");
        expect(kind, &a, "consumer2", "topic1-1, topic2-2");
    }
    // AbstractStickyAssignorTest.testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers
    // (partitionsTransferringOwnership = {topic2-0: consumer3}: held back by the cooperative one)
    let p = parts(&[("topic1", 2), ("topic2", 2)]);
    let m = [
        owning("consumer1", all, "topic1-0, topic2-0", 1),
        owning("consumer2", all, "topic1-1, topic2-1", 1),
        owning("consumer3", all, "", 1),
    ];
    let a = run(Sticky, &p, &m);
    expect(Sticky, &a, "consumer1", "topic1-0");
    expect(Sticky, &a, "consumer2", "topic1-1, topic2-1");
    expect(Sticky, &a, "consumer3", "topic2-0");
    let a = run(CooperativeSticky, &p, &m);
    expect(CooperativeSticky, &a, "consumer3", "");
    // AbstractStickyAssignorTest.testAllConsumersAreUnderMinQuota
    for kind in STICKIES {
        let m = [
            owning("consumer1", all, "topic1-0", 1),
            owning("consumer2", all, "topic1-1", 1),
            owning("consumer3", all, "", 1),
        ];
        let a = run(kind, &parts(&[("topic1", 2), ("topic2", 3)]), &m);
        expect(kind, &a, "consumer1", "topic1-0, topic2-1");
        expect(kind, &a, "consumer2", "topic1-1, topic2-2");
        expect(kind, &a, "consumer3", "topic2-0");
    }
}

#[test]
fn sticky_add_remove_consumer_one_topic() {
    // AbstractStickyAssignorTest.testAddRemoveConsumerOneTopic
    for kind in STICKIES {
        let p = parts(&[("topic", 3)]);
        let mut m = vec![new_member("consumer1", "topic")];
        let mut a = run(kind, &p, &m);
        expect(kind, &a, "consumer1", "topic-0, topic-1, topic-2");
        verify(kind, &p, &mut m, &mut a);
        let mut m = vec![
            owning("consumer1", "topic", "topic-0, topic-1, topic-2", 1),
            owning("consumer2", "topic", "", 1),
        ];
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);
        expect(kind, &a, "consumer1", "topic-0, topic-1");
        expect(kind, &a, "consumer2", "topic-2");
        let mut m = vec![owning("consumer2", "topic", "topic-2", 1)];
        let mut a = run(kind, &p, &m);
        expect(kind, &a, "consumer2", "topic-0, topic-1, topic-2");
        verify(kind, &p, &mut m, &mut a);
    }
}

#[test]
fn sticky_add_remove_two_consumers_two_topics() {
    // AbstractStickyAssignorTest.testAddRemoveTwoConsumersTwoTopics
    for kind in STICKIES {
        let all = "topic1, topic2";
        let p = parts(&[("topic1", 3), ("topic2", 4)]);
        let mut m = vec![new_member("consumer1", all), new_member("consumer2", all)];
        let mut a = run(kind, &p, &m);
        expect(
            kind,
            &a,
            "consumer1",
            "topic1-0, topic1-2, topic2-1, topic2-3",
        );
        expect(kind, &a, "consumer2", "topic1-1, topic2-0, topic2-2");
        verify(kind, &p, &mut m, &mut a);
        let mut m = vec![
            owning(
                "consumer1",
                all,
                "topic1-0, topic1-2, topic2-1, topic2-3",
                1,
            ),
            owning("consumer2", all, "topic1-1, topic2-0, topic2-2", 1),
            owning("consumer3", all, "", 1),
            owning("consumer4", all, "", 1),
        ];
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);
        expect(kind, &a, "consumer1", "topic1-0, topic2-1");
        expect(kind, &a, "consumer2", "topic2-0, topic1-1");
        expect(kind, &a, "consumer3", "topic1-2, topic2-3");
        expect(kind, &a, "consumer4", "topic2-2");
        let mut m = vec![
            owning("consumer3", all, "topic1-2, topic2-3", 1),
            owning("consumer4", all, "topic2-2", 1),
        ];
        let mut a = run(kind, &p, &m);
        expect(
            kind,
            &a,
            "consumer3",
            "topic1-2, topic2-3, topic1-0, topic2-1",
        );
        expect(kind, &a, "consumer4", "topic2-2, topic1-1, topic2-0");
        verify(kind, &p, &mut m, &mut a);
    }
}

#[test]
fn sticky_poor_round_robin_scenario() {
    // AbstractStickyAssignorTest.testPoorRoundRobinAssignmentScenario (validity and balance; the
    // comment's expected sticky result is checked too)
    for kind in STICKIES {
        let p = parts(&[
            ("topic1", 2),
            ("topic2", 1),
            ("topic3", 2),
            ("topic4", 1),
            ("topic5", 2),
        ]);
        let mut m = vec![
            new_member("consumer1", "topic1, topic2, topic3, topic4, topic5"),
            new_member("consumer2", "topic1, topic3, topic5"),
            new_member("consumer3", "topic1, topic3, topic5"),
            new_member("consumer4", "topic1, topic2, topic3, topic4, topic5"),
        ];
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);
        expect(kind, &a, "consumer1", "topic2-0, topic3-0");
        expect(kind, &a, "consumer2", "topic1-0, topic3-1");
        expect(kind, &a, "consumer3", "topic1-1, topic5-0");
        expect(kind, &a, "consumer4", "topic4-0, topic5-1");
    }
}

#[test]
fn sticky_add_remove_topic_two_consumers() {
    // AbstractStickyAssignorTest.testAddRemoveTopicTwoConsumers
    for kind in STICKIES {
        let p = parts(&[("topic", 3)]);
        let mut m = vec![
            new_member("consumer1", "topic"),
            new_member("consumer2", "topic"),
        ];
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);
        let (first1, first2) = (a["consumer1"].clone(), a["consumer2"].clone());
        let p = parts(&[("topic", 3), ("topic2", 3)]);
        let mut m = vec![
            MemberSubscription {
                owned: first1.clone(),
                generation: Some(1),
                ..new_member("consumer1", "topic, topic2")
            },
            MemberSubscription {
                owned: first2.clone(),
                generation: Some(1),
                ..new_member("consumer2", "topic, topic2")
            },
        ];
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);
        assert_eq!((a["consumer1"].len(), a["consumer2"].len()), (3, 3));
        assert!(first1.iter().all(|tp| a["consumer1"].contains(tp)));
        assert!(first2.iter().all(|tp| a["consumer2"].contains(tp)));
        let (second1, second2) = (a["consumer1"].clone(), a["consumer2"].clone());
        let p = parts(&[("topic2", 3)]);
        let mut m = vec![
            MemberSubscription {
                owned: second1.clone(),
                generation: Some(1),
                ..new_member("consumer1", "topic2")
            },
            MemberSubscription {
                owned: second2.clone(),
                generation: Some(1),
                ..new_member("consumer2", "topic2")
            },
        ];
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);
        assert!(a["consumer1"].iter().all(|tp| second1.contains(tp)));
        assert!(a["consumer2"].iter().all(|tp| second2.contains(tp)));
    }
}

/// `getTopicName` / `getConsumerName`: prefix + number zero-padded to the digits of `max`.
fn name(prefix: &str, i: usize, max: usize) -> String {
    format!("{prefix}{i:0width$}", width = max.to_string().len())
}

#[test]
fn sticky_reassignment_after_one_consumer_leaves_and_joins() {
    for kind in STICKIES {
        // AbstractStickyAssignorTest.testReassignmentAfterOneConsumerLeaves
        let p: BTreeMap<String, u32> = (1..20).map(|i| (name("t", i, 20), i as u32)).collect();
        let mut m: Vec<MemberSubscription> = (1..20)
            .map(|i| MemberSubscription::new(name("c", i, 20), (1..=i).map(|j| name("t", j, 20))))
            .collect();
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);
        let mut m: Vec<MemberSubscription> = m
            .into_iter()
            .map(|x| MemberSubscription {
                owned: a[&x.member_id].clone(),
                generation: Some(1),
                ..x
            })
            .filter(|x| x.member_id != "c10")
            .collect();
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);

        // AbstractStickyAssignorTest.testReassignmentAfterOneConsumerAdded
        let p = parts(&[("topic", 20)]);
        let mut m: Vec<MemberSubscription> = (1..10)
            .map(|i| new_member(&name("c", i, 10), "topic"))
            .collect();
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);
        m.push(new_member(&name("c", 10, 10), "topic"));
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);

        // AbstractStickyAssignorTest.testSameSubscriptions
        let p: BTreeMap<String, u32> = (1..15).map(|i| (name("t", i, 15), i as u32)).collect();
        let mut m: Vec<MemberSubscription> = (1..9)
            .map(|i| MemberSubscription::new(name("c", i, 9), (1..15).map(|j| name("t", j, 15))))
            .collect();
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);
        let mut m: Vec<MemberSubscription> = m
            .into_iter()
            .map(|x| MemberSubscription {
                owned: a[&x.member_id].clone(),
                generation: Some(1),
                ..x
            })
            .filter(|x| x.member_id != "c5")
            .collect();
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);
    }
}

#[test]
fn sticky_subscription_not_equal_same_partition_three_generations() {
    // AbstractStickyAssignorTest.testSubscriptionNotEqualAndAssignSamePartitionWith3Generation
    for kind in STICKIES {
        let p = parts(&[("topic", 6), ("topic1", 1)]);
        for g in [
            [1, 2, 3],
            [1, 3, 2],
            [2, 1, 3],
            [2, 3, 1],
            [3, 1, 2],
            [3, 2, 1],
        ] {
            let m = [
                owning("consumer1", "topic", "topic-0, topic-2", g[0]),
                owning("consumer2", "topic", "topic-1, topic-2, topic-3", g[1]),
                owning("consumer3", "topic", "topic-2, topic-4, topic-5", g[2]),
                owning("consumer4", "topic1", "topic1-0", 2),
            ];
            let a = run(kind, &p, &m);
            let all: Vec<&TopicPartition> = a.values().flatten().collect();
            let distinct: BTreeSet<&TopicPartition> = all.iter().copied().collect();
            assert_eq!(all.len(), distinct.len(), "{kind} {g:?}");
            for list in a.values() {
                assert!((1..=2).contains(&list.len()), "{kind} {g:?}: {a:?}");
            }
        }
    }
}

#[test]
fn sticky_move_existing_assignments_and_stickiness() {
    for kind in STICKIES {
        // AbstractStickyAssignorTest.testMoveExistingAssignments
        let p: BTreeMap<String, u32> = (1..=6).map(|i| (format!("topic{i}"), 1)).collect();
        let mut m = vec![
            owning("consumer1", "topic1, topic2", "topic1-0", 1),
            owning(
                "consumer2",
                "topic1, topic2, topic3, topic4",
                "topic2-0, topic3-0",
                1,
            ),
            owning(
                "consumer3",
                "topic2, topic3, topic4, topic5, topic6",
                "topic4-0, topic5-0, topic6-0",
                1,
            ),
        ];
        let mut a = run(kind, &p, &m);
        verify(kind, &p, &mut m, &mut a);

        // AbstractStickyAssignorTest.testStickiness
        let p = parts(&[("topic1", 3)]);
        let m: Vec<MemberSubscription> = (1..=4)
            .map(|i| new_member(&format!("consumer{i}"), "topic1"))
            .collect();
        let a = run(kind, &p, &m);
        assert!(a.values().all(|l| l.len() <= 1));
        let m: Vec<MemberSubscription> = m[1..]
            .iter()
            .map(|x| MemberSubscription {
                owned: a[&x.member_id].clone(),
                generation: Some(1),
                ..x.clone()
            })
            .collect();
        let b = run(kind, &p, &m);
        for x in &m {
            assert_eq!(b[&x.member_id].len(), 1);
            assert!(
                a[&x.member_id]
                    .iter()
                    .all(|tp| b[&x.member_id].contains(tp)),
                "{kind}: stickiness for {}",
                x.member_id
            );
        }
    }
}

#[test]
fn sticky_claimed_by_multiple_consumers_in_same_generation() {
    // AbstractStickyAssignorTest.testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration,
    // StickyAssignorTest / CooperativeStickyAssignorTest
    // .testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer
    let p = parts(&[("topic", 3)]);
    let m = [
        owning("consumer1", "topic", "topic-0, topic-1", 1),
        owning("consumer2", "topic", "topic-0, topic-2", 1),
        owning("consumer3", "topic", "", 1),
    ];
    let a = run(Sticky, &p, &m);
    expect(Sticky, &a, "consumer1", "topic-1");
    expect(Sticky, &a, "consumer2", "topic-2");
    expect(Sticky, &a, "consumer3", "topic-0");
    let a = run(CooperativeSticky, &p, &m);
    expect(CooperativeSticky, &a, "consumer1", "topic-1");
    expect(CooperativeSticky, &a, "consumer2", "topic-2");
    expect(CooperativeSticky, &a, "consumer3", "");
    // ...WithUnequalPartitionsPerConsumer
    let p = parts(&[("topic", 4)]);
    let a = run(Sticky, &p, &m);
    expect(Sticky, &a, "consumer1", "topic-1, topic-3");
    expect(Sticky, &a, "consumer2", "topic-2");
    expect(Sticky, &a, "consumer3", "topic-0");
    let a = run(CooperativeSticky, &p, &m);
    expect(CooperativeSticky, &a, "consumer1", "topic-1, topic-3");
    expect(CooperativeSticky, &a, "consumer2", "topic-2");
    expect(CooperativeSticky, &a, "consumer3", "");
}

#[test]
fn sticky_generations_decide_ownership() {
    for kind in STICKIES {
        let all = "topic, topic2, topic3";
        // AbstractStickyAssignorTest.testEnsurePartitionsAssignedToHighestGeneration
        let p = parts(&[("topic", 3), ("topic2", 3), ("topic3", 3)]);
        let m = [
            owning("consumer1", all, "topic-0, topic2-0, topic3-0", 10),
            owning("consumer2", all, "topic-1, topic2-1, topic3-1", 9),
            owning("consumer3", all, "topic2-1, topic3-0, topic3-2", 8),
        ];
        let a = run(kind, &p, &m);
        expect(kind, &a, "consumer1", "topic-0, topic2-0, topic3-0");
        expect(kind, &a, "consumer2", "topic-1, topic2-1, topic3-1");
        expect(kind, &a, "consumer3", "topic-2, topic2-2, topic3-2");
        // AbstractStickyAssignorTest.testNoReassignmentOnCurrentMembers
        let all = "topic, topic2, topic3, topic1";
        let p = parts(&[("topic", 3), ("topic1", 3), ("topic2", 3), ("topic3", 3)]);
        let m = [
            MemberSubscription {
                generation: None,
                ..owning("consumer1", all, "", -1)
            },
            owning("consumer2", all, "topic-0, topic2-0, topic1-0", 9),
            owning("consumer3", all, "topic3-2, topic2-2, topic1-1", 8),
            owning("consumer4", all, "topic3-1, topic-1, topic-2", 7),
        ];
        let a = run(kind, &p, &m);
        expect(kind, &a, "consumer1", "topic1-2, topic2-1, topic3-0");
        assert!(is_fully_balanced(&a));
        // AbstractStickyAssignorTest.testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration
        let p = parts(&[("topic", 3), ("topic2", 3)]);
        let m = [
            owning(
                "consumer1",
                "topic, topic2",
                "topic-0, topic2-1, topic-1",
                10,
            ),
            owning(
                "consumer2",
                "topic, topic2",
                "topic-0, topic2-1, topic2-2",
                8,
            ),
        ];
        let a = run(kind, &p, &m);
        expect(kind, &a, "consumer1", "topic-0, topic2-1, topic-1");
        expect(kind, &a, "consumer2", "topic-2, topic2-2, topic2-0");
    }
}

// ---------------------------------------------------------------------------------------------
// StickyAssignorTest (eager only).

#[test]
fn sticky_assignment_with_multiple_generations() {
    // StickyAssignorTest.testAssignmentWithMultipleGenerations1 (isAllSubscriptionsEqual = true / false)
    for all_equal in [true, false] {
        let all = "topic, topic2";
        let c2_topics = if all_equal { all } else { "topic" };
        let p = parts(&[("topic", 6), ("topic2", 6)]);
        let mut m = vec![
            new_member("consumer1", all),
            new_member("consumer2", c2_topics),
            new_member("consumer3", all),
        ];
        let mut r1 = run(Sticky, &p, &m);
        assert!(r1.values().all(|l| l.len() == 4), "{r1:?}");
        verify(Sticky, &p, &mut m, &mut r1);
        let mut m = vec![
            owning("consumer1", all, &list(&r1["consumer1"]), 1),
            owning("consumer2", c2_topics, &list(&r1["consumer2"]), 1),
        ];
        let mut r2 = run(Sticky, &p, &m);
        assert!(r2.values().all(|l| l.len() == 6), "{r2:?}");
        if all_equal {
            assert!(r1["consumer1"]
                .iter()
                .all(|tp| r2["consumer1"].contains(tp)));
        }
        assert!(r1["consumer2"]
            .iter()
            .all(|tp| r2["consumer2"].contains(tp)));
        verify(Sticky, &p, &mut m, &mut r2);
        assert!(r1["consumer3"]
            .iter()
            .any(|tp| r2["consumer2"].contains(tp)));
        let mut m = vec![
            owning("consumer2", c2_topics, &list(&r2["consumer2"]), 2),
            owning("consumer3", all, &list(&r1["consumer3"]), 1),
        ];
        let mut r3 = run(Sticky, &p, &m);
        assert!(r3.values().all(|l| l.len() == 6), "{r3:?}");
        assert!(r3["consumer2"]
            .iter()
            .all(|tp| !r3["consumer3"].contains(tp)));
        verify(Sticky, &p, &mut m, &mut r3);
    }
}

fn list(tps: &[TopicPartition]) -> String {
    tps.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// AbstractStickyAssignorTest rack tests, in the variants where Kafka does not use racks.

#[test]
fn sticky_non_rack_aware_uniform_and_non_equal_subscription() {
    let p = parts(&[("t1", 6), ("t2", 7), ("t3", 2)]);
    let ids = ["consumer0", "consumer1", "consumer2"];
    let members = |subs: [&str; 3],
                   owned: Option<[&str; 3]>,
                   kind: AssignorKind|
     -> Vec<MemberSubscription> {
        (0..3)
            .map(|i| {
                let mut m = new_member(ids[i], subs[i]);
                // new Subscription(topics, null, owned, DEFAULT_GENERATION): ownedPartitions with no
                // generation for the cooperative assignor; no userData, so nothing, for the eager one.
                if let (Some(o), CooperativeSticky) = (owned, kind) {
                    m.owned = tps(o[i]);
                }
                m
            })
            .collect()
    };
    // testRackAwareAssignmentWithUniformSubscription: nonRackAwareAssignment, fresh and owned.
    let uniform = [
        "t1-0, t1-3, t2-0, t2-3, t2-6",
        "t1-1, t1-4, t2-1, t2-4, t3-0",
        "t1-2, t1-5, t2-2, t2-5, t3-1",
    ];
    for kind in STICKIES {
        for owned in [None, Some(uniform)] {
            let a = run(kind, &p, &members(["t1, t2, t3"; 3], owned, kind));
            for i in 0..3 {
                expect(kind, &a, ids[i], uniform[i]);
            }
        }
    }
    // testRackAwareAssignmentWithNonEqualSubscription: nonRackAwareAssignment, fresh and owned.
    let subs = ["t1, t2, t3", "t1, t2, t3", "t1, t3"];
    let non_equal = [
        "t1-5, t2-0, t2-2, t2-4, t2-6",
        "t1-3, t2-1, t2-3, t2-5, t3-0",
        "t1-0, t1-1, t1-2, t1-4, t3-1",
    ];
    for kind in STICKIES {
        for owned in [None, Some(non_equal)] {
            let a = run(kind, &p, &members(subs, owned, kind));
            for i in 0..3 {
                expect(kind, &a, ids[i], non_equal[i]);
            }
        }
    }
    // ... with owned = ["t1-0..t1-4", "t1-5, t2-0..t2-3", "t2-4..t2-6, t3-0, t3-1"] and
    // preferRackAwareLogic = false (every partition on every rack: no rack-aware steps).
    let owned = [
        "t1-0, t1-1, t1-2, t1-3, t1-4",
        "t1-5, t2-0, t2-1, t2-2, t2-3",
        "t2-4, t2-5, t2-6, t3-0, t3-1",
    ];
    let a = run(Sticky, &p, &members(subs, Some(owned), Sticky));
    for i in 0..3 {
        expect(Sticky, &a, ids[i], non_equal[i]);
    }
    let intermediate = ["t1-2, t1-3, t1-4", "t2-0, t2-1, t2-2, t2-3", "t3-0, t3-1"];
    let a = run(
        CooperativeSticky,
        &p,
        &members(subs, Some(owned), CooperativeSticky),
    );
    for i in 0..3 {
        expect(CooperativeSticky, &a, ids[i], intermediate[i]);
    }
    let settled = [
        "t1-2, t1-3, t1-4, t2-4, t2-5",
        "t2-0, t2-1, t2-2, t2-3, t2-6",
        "t1-0, t1-1, t1-5, t3-0, t3-1",
    ];
    let a = run(
        CooperativeSticky,
        &p,
        &members(subs, Some(intermediate), CooperativeSticky),
    );
    for i in 0..3 {
        expect(CooperativeSticky, &a, ids[i], settled[i]);
    }
}
