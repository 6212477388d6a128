//! `streamscope assign --assignor range|roundrobin|sticky|cooperative-sticky` (the client-side
//! assignors of the classic protocol, `--protocol classic`, the default), or
//! `streamscope assign --protocol consumer --assignor uniform|range` (the group coordinator's
//! assignors of KIP-848 consumer groups: `assign_consumer`).
//!
//! With the classic protocol, reads one JSON document on standard input:
//!
//! ```json
//! {"partitions": {"orders": 6, "payments": 3},
//!  "members": [{"id": "c1", "topics": ["orders", "payments"],
//!               "owned": [["orders", 0]], "generation": 3, "instance_id": "host-a"}]}
//! ```
//!
//! (`owned`, `generation` and `instance_id` are optional; members are in JoinGroup order) and
//! prints `{"assignment": {"c1": [["orders", 0], ...], ...}}` and a newline: every member, each
//! list sorted by topic then partition. Bad input exits with code 2 and says what was wrong.
use crate::CliError;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use streamscope_core::assignor::{
    self, AssignError, AssignorKind, MemberSubscription, TopicPartition,
};

#[derive(clap::Args)]
pub struct Args {
    /// Kafka's assignor, by its name: range, roundrobin, sticky, cooperative-sticky (classic);
    /// uniform, range (consumer).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(["range", "roundrobin", "sticky", "cooperative-sticky", "uniform"]))]
    pub assignor: String,
    /// The group protocol (`group.protocol`): classic (the client's leader assigns) or consumer
    /// (KIP-848: the broker's group coordinator assigns).
    #[arg(long, default_value = "classic", value_parser = clap::builder::PossibleValuesParser::new(["classic", "consumer"]))]
    pub protocol: String,
}

const CLASSIC: &str = "range, roundrobin, sticky, cooperative-sticky";

/// Reads all of standard input as text, refusing an empty document.
pub(crate) fn read_stdin(shape: &str) -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| {
        CliError::usage(format!(
            "cannot read stdin as UTF-8 text: {e}; pipe one JSON document in"
        ))
    })?;
    if text.trim().is_empty() {
        return Err(CliError::usage(format!("no input on stdin; {shape}")));
    }
    Ok(text)
}

/// Writes the rendered assignment to standard output.
pub(crate) fn write_stdout(out: &str) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(out.as_bytes())
        .and_then(|_| lock.flush())
        .map_err(|e| CliError::io(format!("cannot write the assignment to stdout: {e}")))
}

const SHAPE: &str = r#"expected {"partitions": {"topic": count, ...}, "members": [{"id": "...", "topics": ["..."], "owned": [["topic", partition]], "generation": n, "instance_id": "..."}, ...]}"#;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    partitions: Partitions,
    members: Vec<Member>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Member {
    id: String,
    topics: Vec<String>,
    #[serde(default)]
    owned: Vec<(String, i32)>,
    #[serde(default)]
    generation: Option<i32>,
    #[serde(default)]
    instance_id: Option<String>,
}

/// Topic name to partition count, refusing duplicate topics and counts that are not
/// non-negative integers (with a message that names the topic).
pub(crate) struct Partitions(pub(crate) BTreeMap<String, u32>);

impl<'de> Deserialize<'de> for Partitions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Partitions;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of topic name to partition count")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Partitions, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(topic) = map.next_key::<String>()? {
                    let value: serde_json::Value = map.next_value()?;
                    let count = value
                        .as_u64()
                        .filter(|&c| c <= i32::MAX as u64)
                        .ok_or_else(|| {
                            de::Error::custom(format!(
                                "partition count of topic \"{topic}\" must be an integer from 0 to {}, got {value}",
                                i32::MAX
                            ))
                        })?;
                    if out.insert(topic.clone(), count as u32).is_some() {
                        return Err(de::Error::custom(format!(
                            "topic \"{topic}\" is listed twice in \"partitions\""
                        )));
                    }
                }
                Ok(Partitions(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn parse(text: &str) -> Result<Input, CliError> {
    serde_json::from_str(text)
        .map_err(|e| CliError::usage(format!("invalid input on stdin: {e}; {SHAPE}")))
}

fn to_members(input: Input) -> (BTreeMap<String, u32>, Vec<MemberSubscription>) {
    let members = input
        .members
        .into_iter()
        .map(|m| MemberSubscription {
            member_id: m.id,
            group_instance_id: m.instance_id,
            topics: m.topics,
            owned: m
                .owned
                .into_iter()
                .map(|(topic, partition)| TopicPartition { topic, partition })
                .collect(),
            generation: m.generation,
        })
        .collect();
    (input.partitions.0, members)
}

pub(crate) fn render(assignment: &assignor::Assignment) -> String {
    let mut out =
        String::with_capacity(32 + assignment.values().map(|v| v.len() * 16).sum::<usize>());
    out.push_str("{\"assignment\": {");
    let mut quoted_topics: BTreeMap<&str, String> = BTreeMap::new();
    for (i, (member, tps)) in assignment.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&serde_json::Value::from(member.as_str()).to_string());
        out.push_str(": [");
        for (j, tp) in tps.iter().enumerate() {
            if j > 0 {
                out.push_str(", ");
            }
            let quoted = quoted_topics
                .entry(tp.topic.as_str())
                .or_insert_with(|| serde_json::Value::from(tp.topic.as_str()).to_string());
            out.push('[');
            out.push_str(quoted);
            out.push_str(", ");
            out.push_str(&tp.partition.to_string());
            out.push(']');
        }
        out.push(']');
    }
    out.push_str("}}\n");
    out
}

pub fn main(args: Args) -> Result<(), CliError> {
    if args.protocol == "consumer" {
        return crate::assign_consumer::main(&args.assignor);
    }
    let kind = AssignorKind::from_name(&args.assignor).ok_or_else(|| {
        CliError::usage(format!(
            "--assignor {} is a server-side assignor of --protocol consumer (KIP-848: the group coordinator assigns); with --protocol classic use one of {CLASSIC}",
            args.assignor
        ))
    })?;
    let text = read_stdin(SHAPE)?;
    let input = parse(&text)?;
    let (partitions, members) = to_members(input);
    let assignment = assignor::assign(kind, &partitions, &members).map_err(|e| match e {
        AssignError::DuplicateMemberId(_) | AssignError::PartitionCountTooLarge { .. } | AssignError::UnknownAssignor(_) => {
            CliError::usage(format!("invalid input: {e}"))
        }
        AssignError::KafkaException { .. } => {
            CliError::usage(format!(
                "{e}; Kafka's own assignor would not return an assignment for this input either (check the owned partitions and subscriptions)"
            ))
        }
    })?;
    write_stdout(&render(&assignment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_the_documented_shape() {
        let mut a = assignor::Assignment::new();
        a.insert(
            "c1".into(),
            vec![
                TopicPartition::new("orders", 0),
                TopicPartition::new("orders", 1),
            ],
        );
        a.insert("c\"2".into(), vec![]);
        assert_eq!(
            render(&a),
            "{\"assignment\": {\"c\\\"2\": [], \"c1\": [[\"orders\", 0], [\"orders\", 1]]}}\n"
        );
    }
}
