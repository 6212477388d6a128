//! Every case of the four vector files in `tests/vectors/` (outputs of Apache Kafka's own Java
//! assignors, see `tests/vectors/README.md`) must come out exactly, and so must the cases of
//! `kafka_python_range_roundrobin.json` (random inputs with kafka-python's range / roundrobin
//! outputs, made by `tools/kafka_python_assign.py golden`, restricted to inputs where kafka-python
//! agrees with the Java client).
use serde::Deserialize;
use std::collections::BTreeMap;
use streamscope_core::assignor::{assign, AssignorKind, MemberSubscription, TopicPartition};

#[derive(Deserialize)]
struct Case {
    #[serde(default)]
    assignor: Option<String>,
    partitions: BTreeMap<String, u32>,
    members: Vec<Member>,
    expected: BTreeMap<String, Vec<(String, i32)>>,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
struct Member {
    id: String,
    topics: Vec<String>,
    #[serde(default)]
    instance_id: Option<String>,
    #[serde(default)]
    owned: Vec<(String, i32)>,
    #[serde(default)]
    generation: Option<i32>,
}

/// Runs every case of `file` (with `kind`, or the case's own `assignor` when `kind` is None);
/// returns (passed, total) and panics listing each differing case.
fn run_file(file: &str, kind: Option<AssignorKind>) -> (usize, usize) {
    let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cases: Vec<Case> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let members: Vec<MemberSubscription> = case
            .members
            .iter()
            .map(|m| MemberSubscription {
                member_id: m.id.clone(),
                group_instance_id: m.instance_id.clone(),
                topics: m.topics.clone(),
                owned: m
                    .owned
                    .iter()
                    .map(|(t, p)| TopicPartition::new(t.clone(), *p))
                    .collect(),
                generation: m.generation,
            })
            .collect();
        let expected: BTreeMap<String, Vec<TopicPartition>> = case
            .expected
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.iter()
                        .map(|(t, p)| TopicPartition::new(t.clone(), *p))
                        .collect(),
                )
            })
            .collect();
        let kind = match (kind, &case.assignor) {
            (Some(k), _) => k,
            (None, Some(name)) => AssignorKind::from_name(name)
                .unwrap_or_else(|| panic!("case {i}: unknown assignor {name}")),
            (None, None) => panic!("case {i}: no assignor"),
        };
        match assign(kind, &case.partitions, &members) {
            Ok(got) if got == expected => {}
            Ok(got) => {
                let mut diff = String::new();
                for (member, want) in &expected {
                    let have = got.get(member).cloned().unwrap_or_default();
                    if &have != want {
                        let missing: Vec<String> = want
                            .iter()
                            .filter(|tp| !have.contains(tp))
                            .map(|tp| tp.to_string())
                            .collect();
                        let extra: Vec<String> = have
                            .iter()
                            .filter(|tp| !want.contains(tp))
                            .map(|tp| tp.to_string())
                            .collect();
                        diff.push_str(&format!(
                            "    {member}: missing {missing:?}, unexpected {extra:?}\n"
                        ));
                    }
                }
                for member in got.keys().filter(|m| !expected.contains_key(*m)) {
                    diff.push_str(&format!("    {member}: not expected in the result\n"));
                }
                failures.push(format!("  case {i} ({}):\n{diff}", case.note));
            }
            Err(e) => failures.push(format!("  case {i} ({}): error {e}\n", case.note)),
        }
    }
    let passed = cases.len() - failures.len();
    println!("{file}: {passed}/{} cases pass", cases.len());
    if !failures.is_empty() {
        panic!(
            "{file}: {} of {} cases differ from Kafka:\n{}",
            failures.len(),
            cases.len(),
            failures.concat()
        );
    }
    (passed, cases.len())
}

#[test]
fn range_vectors() {
    assert_eq!(
        run_file("assign-range.json", Some(AssignorKind::Range)),
        (60, 60)
    );
}

#[test]
fn roundrobin_vectors() {
    assert_eq!(
        run_file("assign-roundrobin.json", Some(AssignorKind::RoundRobin)),
        (60, 60)
    );
}

#[test]
fn sticky_vectors() {
    assert_eq!(
        run_file("assign-sticky.json", Some(AssignorKind::Sticky)),
        (80, 80)
    );
}

#[test]
fn cooperative_sticky_vectors() {
    assert_eq!(
        run_file(
            "assign-cooperative-sticky.json",
            Some(AssignorKind::CooperativeSticky)
        ),
        (80, 80)
    );
}

#[test]
fn kafka_python_range_and_roundrobin() {
    let (passed, total) = run_file("kafka_python_range_roundrobin.json", None);
    assert!(
        total >= 200,
        "expected a few hundred kafka-python cases, found {total}"
    );
    assert_eq!(passed, total);
}
