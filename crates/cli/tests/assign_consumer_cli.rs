//! `streamscope assign --protocol consumer` end to end: cases of the server-side assignor
//! vectors through the binary, the refused combinations of `--protocol` and `--assignor`, bad
//! input exiting with code 2, and an output fed back in as the current assignment.
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_streamscope"))
        .arg("assign")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start streamscope");
    let mut input = child.stdin.take().expect("stdin");
    // The binary may exit before reading everything (bad flags); ignore a broken pipe.
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().expect("wait for streamscope")
}

fn consumer(assignor: &str, stdin: &str) -> Output {
    run(&["--protocol", "consumer", "--assignor", assignor], stdin)
}

fn stdout_json(out: &Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout.clone()).expect("utf-8");
    assert!(text.ends_with("}\n"), "output ends with a newline");
    serde_json::from_str(&text).expect("output is JSON")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A vector case as the CLI's input, and its expected output in the CLI's shape.
fn from_vector(case: &serde_json::Value) -> (serde_json::Value, serde_json::Value) {
    let topics = case["topics"].as_object().expect("topics");
    let partitions: serde_json::Map<String, serde_json::Value> = topics
        .iter()
        .map(|(t, v)| (t.clone(), v["partitions"].clone()))
        .collect();
    let ids: serde_json::Map<String, serde_json::Value> = topics
        .iter()
        .filter(|(_, v)| v.get("id").is_some())
        .map(|(t, v)| (t.clone(), v["id"].clone()))
        .collect();
    let members: Vec<serde_json::Value> = case["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            let mut assignment = Vec::new();
            for pair in m["current"].as_array().cloned().unwrap_or_default() {
                for p in pair[1].as_array().expect("partitions") {
                    assignment.push(serde_json::json!([pair[0], p]));
                }
            }
            serde_json::json!({"id": m["id"], "topics": m["topics"], "assignment": assignment})
        })
        .collect();
    let expected: serde_json::Map<String, serde_json::Value> = case["expected"]
        .as_object()
        .expect("expected")
        .iter()
        .map(|(member, topics)| {
            let mut list = Vec::new();
            for (t, parts) in topics.as_object().expect("topics") {
                for p in parts.as_array().expect("partitions") {
                    list.push(serde_json::json!([t, p]));
                }
            }
            (member.clone(), serde_json::Value::Array(list))
        })
        .collect();
    let input = serde_json::json!({"partitions": partitions, "topic_ids": ids, "members": members});
    (input, serde_json::json!({"assignment": expected}))
}

/// Cases whose members (A, B, C: Java's `HashMap` keeps them in that order) and current
/// assignments iterate the same in the coordinator's maps as in Kafka's test.
#[test]
fn vector_cases_end_to_end() {
    for (file, assignor, indexes) in [
        (
            "server-uniform.json",
            "uniform",
            &[2usize, 3, 7, 11, 15][..],
        ),
        ("server-range.json", "range", &[2, 3, 10][..]),
    ] {
        let path = format!(
            "{}/../core/tests/vectors/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("vectors");
        for &i in indexes {
            let (input, want) = from_vector(&cases[i]);
            let got = stdout_json(&consumer(assignor, &input.to_string()));
            assert_eq!(got, want, "{file} case {i} ({})", cases[i]["source"]);
        }
    }
}

#[test]
fn protocol_and_assignor_must_agree() {
    let input = r#"{"partitions": {"orders": 2}, "members": [{"id": "m1", "topics": ["orders"]}]}"#;
    let out = run(&["--assignor", "uniform"], input);
    assert_eq!(out.status.code(), Some(2));
    let msg = stderr(&out);
    assert!(
        msg.contains("--protocol consumer") && msg.contains("--protocol classic"),
        "{msg}"
    );
    assert!(msg.contains("cooperative-sticky"), "{msg}");
    for classic_only in ["sticky", "roundrobin", "cooperative-sticky"] {
        let out = consumer(classic_only, input);
        assert_eq!(out.status.code(), Some(2), "{classic_only}");
        let msg = stderr(&out);
        assert!(
            msg.contains("--protocol classic") && msg.contains("uniform") && msg.contains("range"),
            "{msg}"
        );
    }
    let out = run(&["--protocol", "share", "--assignor", "range"], input);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // range is in both; classic stays the default.
    let classic = stdout_json(&run(&["--assignor", "range"], input));
    let server = stdout_json(&consumer("range", input));
    assert_eq!(classic, server);
}

#[test]
fn bad_input_exits_2_naming_the_problem() {
    for (input, needle) in [
        (
            r#"{"partitions": {"orders": 2}, "members": [{"id": "m1", "topics": ["nope"]}]}"#,
            "PartitionAssignorException",
        ),
        (
            r#"{"partitions": {"orders": 2}, "topic_ids": {"orders": "xyz"}, "members": []}"#,
            "topic id",
        ),
        (
            r#"{"partitions": {"orders": 2}, "topic_ids": {"other": "T1-A4s3VTwiI5CTbEp6POw"}, "members": []}"#,
            "\"other\"",
        ),
        (
            r#"{"partitions": {"orders": 2}, "members": [{"id": "a", "topics": ["orders"], "assignment": [["orders", 5]]}]}"#,
            "no such partition",
        ),
        (
            r#"{"partitions": {"orders": 2}, "members": [{"id": "a", "topics": ["orders"], "assignment": [["orders", 0]]}, {"id": "b", "topics": ["orders"], "assignment": [["orders", 0]]}]}"#,
            "two members",
        ),
        (
            r#"{"partitions": {"orders": 2}, "members": [{"id": "a", "topics": ["orders"]}, {"id": "a", "topics": ["orders"]}]}"#,
            "more than once",
        ),
        (
            r#"{"partitions": {"orders": 2}, "members": [{"id": "a", "topics": ["orders"], "owned": []}]}"#,
            "owned",
        ),
        ("", "no input"),
    ] {
        let out = consumer("uniform", input);
        assert_eq!(out.status.code(), Some(2), "{input}");
        assert!(stderr(&out).contains(needle), "{input}: {}", stderr(&out));
    }
}

#[test]
fn an_output_fed_back_in_stays_as_it_is() {
    let input = serde_json::json!({
        "partitions": {"orders": 7, "payments": 3, "audit": 5},
        "members": [
            {"id": "m1", "topics": ["orders", "payments", "audit"]},
            {"id": "m2", "topics": ["orders", "payments", "audit"]},
            {"id": "m3", "topics": ["orders", "audit"]}
        ]
    });
    for assignor in ["uniform", "range"] {
        let first = stdout_json(&consumer(assignor, &input.to_string()));
        let mut again = input.clone();
        for m in again["members"].as_array_mut().expect("members") {
            let id = m["id"].as_str().expect("id").to_string();
            m["assignment"] = first["assignment"][&id].clone();
        }
        let second = stdout_json(&consumer(assignor, &again.to_string()));
        assert_eq!(first, second, "{assignor}");
    }
}

/// The consumer path reads `partitions` as the classic path does: a topic listed twice is
/// refused, not silently taken from its last entry.
#[test]
fn a_topic_listed_twice_is_refused() {
    let input =
        r#"{"partitions":{"orders":3,"orders":6},"members":[{"id":"a","topics":["orders"]}]}"#;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_streamscope"))
        .args(["assign", "--protocol", "consumer", "--assignor", "uniform"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start streamscope");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let o = child.wait_with_output().expect("run");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("listed twice"), "{err}");
}
