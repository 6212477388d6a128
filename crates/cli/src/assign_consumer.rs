//! `streamscope assign --protocol consumer --assignor uniform|range`: the group coordinator's
//! assignors of KIP-848 consumer groups (`streamscope_core::assignor::server`).
//!
//! Reads one JSON document on standard input:
//!
//! ```json
//! {"partitions": {"orders": 6, "payments": 3},
//!  "topic_ids": {"orders": "T1-A4s3VTwiI5CTbEp6POw"},
//!  "members": [{"id": "m1", "topics": ["orders", "payments"],
//!               "assignment": [["orders", 0], ["orders", 1]],
//!               "instance_id": "host-a", "rack": "rack-1"}]}
//! ```
//!
//! `assignment` is the member's current target assignment (the output's shape, so an output can
//! be fed back in); `topic_ids` (Kafka's base64 topic ids; the uniform assignor's order among
//! topics depends on them), `assignment`, `instance_id` and `rack` are optional. The members are
//! put into the coordinator's `HashMap` in the listed order. Prints `{"assignment": {"m1":
//! [["orders", 0], ...], ...}}`: the members of Kafka's result, each list sorted by topic then
//! partition (the uniform assignor returns nobody when no member subscribes to anything).
use crate::assign::{read_stdin, render, write_stdout};
use crate::CliError;
use serde::Deserialize;
use std::collections::BTreeMap;
use streamscope_core::assignor::server::{
    self, ConsumerMember, GroupSpec, ServerAssignError, ServerAssignment, ServerAssignor, TopicId,
    TopicMetadata,
};
use streamscope_core::assignor::{Assignment, TopicPartition};

const SHAPE: &str = r#"expected {"partitions": {"topic": count, ...}, "topic_ids": {"topic": "base64 id"}, "members": [{"id": "...", "topics": ["..."], "assignment": [["topic", partition]], "instance_id": "...", "rack": "..."}, ...]}"#;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    // The classic path's reader: a count outside 0..=i32::MAX or a topic listed twice is refused.
    partitions: crate::assign::Partitions,
    #[serde(default)]
    topic_ids: BTreeMap<String, String>,
    members: Vec<Member>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Member {
    id: String,
    topics: Vec<String>,
    #[serde(default)]
    assignment: Vec<(String, i32)>,
    #[serde(default)]
    instance_id: Option<String>,
    #[serde(default)]
    rack: Option<String>,
}

fn assignor_of(name: &str) -> Result<ServerAssignor, CliError> {
    ServerAssignor::from_name(name).ok_or_else(|| {
        CliError::usage(format!(
            "--assignor {name} runs in the client under --protocol classic; with --protocol consumer the broker's group coordinator assigns: use uniform (the default of group.consumer.assignors) or range"
        ))
    })
}

fn spec_of(input: Input) -> Result<GroupSpec, CliError> {
    if let Some(topic) = input
        .topic_ids
        .keys()
        .find(|t| !input.partitions.0.contains_key(*t))
    {
        return Err(CliError::usage(format!(
            "\"topic_ids\" names topic \"{topic}\", which \"partitions\" does not list"
        )));
    }
    let mut topics = BTreeMap::new();
    for (name, count) in input.partitions.0 {
        let id = match input.topic_ids.get(&name) {
            Some(text) => Some(TopicId::parse(text).map_err(|e| CliError::usage(e.to_string()))?),
            None => None,
        };
        let meta = TopicMetadata {
            partitions: count,
            id,
        };
        topics.insert(name, meta);
    }
    let members = input
        .members
        .into_iter()
        .map(|m| {
            let mut current: Vec<(String, Vec<i32>)> = Vec::new();
            for (topic, p) in m.assignment {
                match current.iter_mut().find(|(t, _)| *t == topic) {
                    Some((_, parts)) => parts.push(p),
                    None => current.push((topic, vec![p])),
                }
            }
            ConsumerMember {
                member_id: m.id,
                instance_id: m.instance_id,
                rack: m.rack,
                subscribed: m.topics,
                current,
            }
        })
        .collect();
    Ok(GroupSpec {
        members,
        topics,
        ..Default::default()
    })
}

fn to_assignment(result: ServerAssignment) -> Assignment {
    result
        .into_iter()
        .map(|(member, topics)| {
            let tps = topics
                .into_iter()
                .flat_map(|(t, parts)| {
                    parts
                        .into_iter()
                        .map(move |p| TopicPartition::new(t.clone(), p))
                })
                .collect();
            (member, tps)
        })
        .collect()
}

pub fn main(assignor: &str) -> Result<(), CliError> {
    let assignor = assignor_of(assignor)?;
    let text = read_stdin(SHAPE)?;
    let input: Input = serde_json::from_str(&text)
        .map_err(|e| CliError::usage(format!("invalid input on stdin: {e}; {SHAPE}")))?;
    let spec = spec_of(input)?;
    let result = server::assign(assignor, &spec).map_err(|e| match e {
        ServerAssignError::PartitionAssignor(_) => CliError::usage(format!(
            "{e}; the group coordinator would not compute a target assignment for this input either"
        )),
        _ => CliError::usage(format!("invalid input: {e}")),
    })?;
    write_stdout(&render(&to_assignment(result)))
}
