//! The group coordinator's assignors (`assignor::server`, KIP-848) against Apache Kafka's own
//! tests: every case of `tests/vectors/server-uniform.json` and `server-range.json` (inputs and
//! expected outputs transcribed from the Java test named in each case's `source`) must come out
//! exactly, and the tests that assert properties or compare two runs are transcribed below as
//! code, each naming its Java test. Source: `group-coordinator/src/test/java/org/apache/kafka/
//! coordinator/group/assignor/` (UniformHomogeneousAssignmentBuilderTest, UniformHeterogeneous-
//! AssignmentBuilderTest, RangeAssignorTest, CommonAssignorTests).
use serde::Deserialize;
use std::collections::BTreeMap;
use streamscope_core::assignor::server::{
    assign, AssignmentOrder, ConsumerMember, GroupSpec, MemberOrder, ServerAssignError,
    ServerAssignment, ServerAssignor, SubscriptionType, TopicId, TopicMetadata,
};

#[derive(Deserialize)]
struct Case {
    source: String,
    assignor: String,
    #[serde(default)]
    subscription_type: Option<String>,
    member_order: String,
    #[serde(default)]
    assignment_order: Option<String>,
    topics: BTreeMap<String, Topic>,
    members: Vec<Member>,
    #[serde(default)]
    expected: Option<ServerAssignment>,
    #[serde(default)]
    expected_error: Option<String>,
}

#[derive(Deserialize)]
struct Topic {
    partitions: u32,
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct Member {
    id: String,
    topics: Vec<String>,
    #[serde(default)]
    instance_id: Option<String>,
    #[serde(default)]
    current: Vec<(String, Vec<i32>)>,
}

fn spec_of(case: &Case) -> GroupSpec {
    GroupSpec {
        members: case
            .members
            .iter()
            .map(|m| ConsumerMember {
                member_id: m.id.clone(),
                instance_id: m.instance_id.clone(),
                rack: None,
                subscribed: m.topics.clone(),
                current: m.current.clone(),
            })
            .collect(),
        topics: case
            .topics
            .iter()
            .map(|(name, t)| {
                let id =
                    t.id.as_deref()
                        .map(|s| TopicId::parse(s).expect("a topic id"));
                (
                    name.clone(),
                    TopicMetadata {
                        partitions: t.partitions,
                        id,
                    },
                )
            })
            .collect(),
        subscription_type: case.subscription_type.as_deref().map(|s| match s {
            "homogeneous" => SubscriptionType::Homogeneous,
            "heterogeneous" => SubscriptionType::Heterogeneous,
            other => panic!("subscription type {other}"),
        }),
        member_order: match case.member_order.as_str() {
            "hash" => MemberOrder::Hash,
            "sorted" => MemberOrder::Sorted,
            "listed" => MemberOrder::Listed,
            other => panic!("member order {other}"),
        },
        assignment_order: match case.assignment_order.as_deref() {
            None | Some("hash") => AssignmentOrder::Hash,
            Some("listed") => AssignmentOrder::Listed,
            Some(other) => panic!("assignment order {other}"),
        },
    }
}

/// Runs every case of `file`; returns the number of cases, panicking with every difference.
fn run_file(file: &str, assignor: ServerAssignor) -> usize {
    let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cases: Vec<Case> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut failures = Vec::new();
    for case in &cases {
        assert_eq!(case.assignor, assignor.name(), "{}", case.source);
        let got = assign(assignor, &spec_of(case));
        match (&case.expected, &case.expected_error, got) {
            (Some(want), None, Ok(got)) if &got == want => {}
            (None, Some(kind), Err(e)) if kind == "PartitionAssignor" => {
                assert!(matches!(e, ServerAssignError::PartitionAssignor(_)), "{e}");
            }
            (want, want_err, got) => failures.push(format!(
                "  {}:\n    want {want:?} {want_err:?}\n    got  {got:?}",
                case.source
            )),
        }
    }
    assert!(failures.is_empty(), "{file}:\n{}", failures.join("\n"));
    println!("{file}: {} cases pass", cases.len());
    cases.len()
}

#[test]
fn uniform_vectors() {
    assert_eq!(run_file("server-uniform.json", ServerAssignor::Uniform), 20);
}

#[test]
fn range_vectors() {
    assert_eq!(run_file("server-range.json", ServerAssignor::Range), 11);
}

fn member(id: &str, instance: Option<&str>, topics: &[&str]) -> ConsumerMember {
    ConsumerMember {
        instance_id: instance.map(String::from),
        ..ConsumerMember::new(id, topics.iter().copied())
    }
}

fn spec(members: Vec<ConsumerMember>, topics: &[(&str, u32)], order: MemberOrder) -> GroupSpec {
    GroupSpec {
        members,
        topics: topics
            .iter()
            .map(|&(t, n)| {
                let meta = TopicMetadata {
                    partitions: n,
                    id: None,
                };
                (t.to_string(), meta)
            })
            .collect(),
        member_order: order,
        ..Default::default()
    }
}

fn sizes(a: &ServerAssignment) -> Vec<usize> {
    a.values().map(|t| t.values().map(Vec::len).sum()).collect()
}

/// UniformHomogeneousAssignmentBuilderTest.testValidityAndBalanceForLargeSampleSet: 100
/// topics of 3 partitions, 49 members subscribed to all; valid and balanced within one.
#[test]
fn uniform_large_sample_is_valid_and_balanced() {
    let names: Vec<String> = (1..101).map(|i| format!("topic-{i}")).collect();
    let topics: Vec<(&str, u32)> = names.iter().map(|n| (n.as_str(), 3)).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let members = (1..50)
        .map(|i| member(&format!("member{i}"), None, &refs))
        .collect();
    let a = assign(
        ServerAssignor::Uniform,
        &spec(members, &topics, MemberOrder::Sorted),
    )
    .expect("an assignment");
    let s = sizes(&a);
    assert_eq!(s.iter().sum::<usize>(), 300);
    assert!(
        s.iter().max().unwrap() - s.iter().min().unwrap() <= 1,
        "{s:?}"
    );
    let mut seen = std::collections::BTreeSet::new();
    for t in a.values() {
        for (topic, parts) in t {
            for p in parts {
                assert!(seen.insert((topic.clone(), *p)), "{topic}-{p} twice");
            }
        }
    }
}

/// RangeAssignorTest.testStaticMembership and testMixedStaticMembership: a static member that
/// comes back under a new member id with the same instance id gets the same partitions, and
/// nobody else's change.
#[test]
fn range_static_members_keep_their_ranges() {
    for (others, partitions) in [
        (vec![("B", Some("instanceB"))], 3),
        (vec![("C", Some("instanceC")), ("B", None)], 5),
    ] {
        let mut before = vec![member("A", Some("instanceA"), &["topic1"])];
        before.extend(others.iter().map(|&(id, i)| member(id, i, &["topic1"])));
        let mut after = vec![member("memberA1", Some("instanceA"), &["topic1"])];
        after.extend(others.iter().map(|&(id, i)| member(id, i, &["topic1"])));
        let topics = [("topic1", partitions)];
        let first = assign(
            ServerAssignor::Range,
            &spec(before, &topics, MemberOrder::Sorted),
        );
        let second = assign(
            ServerAssignor::Range,
            &spec(after, &topics, MemberOrder::Sorted),
        );
        let (first, second) = (first.expect("first"), second.expect("second"));
        assert_eq!(first["A"], second["memberA1"]);
        for (id, _) in &others {
            assert_eq!(first[*id], second[*id], "member {id}");
        }
    }
}

fn with_current(members: &[ConsumerMember], a: &ServerAssignment) -> Vec<ConsumerMember> {
    members
        .iter()
        .map(|m| ConsumerMember {
            current: a
                .get(&m.member_id)
                .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            ..m.clone()
        })
        .collect()
}

/// CommonAssignorTests.testAssignmentReuse and testReassignmentStickiness (without racks), run
/// by Kafka for both uniform builders and for range: three members on topics of 2, 5 and 7
/// partitions; assigning again with the first result as the current assignment, the members
/// in any of the six orders, gives the same result.
#[test]
fn unchanged_groups_keep_their_assignment_in_any_member_order() {
    let topics = [("topic1", 2), ("topic2", 5), ("topic3", 7)];
    let all = ["topic1", "topic2", "topic3"];
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for assignor in ServerAssignor::ALL {
        for stype in [
            SubscriptionType::Homogeneous,
            SubscriptionType::Heterogeneous,
        ] {
            let members: Vec<ConsumerMember> = ["A", "B", "C"]
                .iter()
                .map(|id| member(id, None, &all))
                .collect();
            let mut first_spec = spec(members.clone(), &topics, MemberOrder::Hash);
            first_spec.subscription_type = Some(stype);
            let first = assign(assignor, &first_spec).expect("first");
            for order in orders {
                let listed: Vec<ConsumerMember> =
                    order.iter().map(|&i| members[i].clone()).collect();
                let mut again = spec(with_current(&listed, &first), &topics, MemberOrder::Listed);
                again.subscription_type = Some(stype);
                let second = assign(assignor, &again).expect("second");
                assert_eq!(first, second, "{assignor} {stype:?} order {order:?}");
            }
        }
    }
}
