//! `streamscope assign` end to end: vector cases through the binary, and every class of bad
//! input exiting with code 2 and a message naming the problem.
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(assignor: &str, stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_streamscope"))
        .args(["assign", "--assignor", assignor])
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

fn vector_cases(file: &str) -> Vec<serde_json::Value> {
    let path = format!(
        "{}/../core/tests/vectors/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("vector file")
}

fn check_vector(file: &str, assignor: &str, indexes: &[usize]) {
    let cases = vector_cases(file);
    for &i in indexes {
        let case = &cases[i];
        let input =
            serde_json::json!({"partitions": case["partitions"], "members": case["members"]});
        let out = run(assignor, &input.to_string());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{file} case {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        assert!(stdout.ends_with("}\n"), "output ends with a newline");
        let got: serde_json::Value = serde_json::from_str(&stdout).expect("output is JSON");
        assert_eq!(
            got,
            serde_json::json!({"assignment": case["expected"]}),
            "{file} case {i}"
        );
    }
}

#[test]
fn vector_cases_end_to_end() {
    check_vector("assign-range.json", "range", &[0, 1]);
    check_vector("assign-roundrobin.json", "roundrobin", &[0, 3]);
    check_vector("assign-sticky.json", "sticky", &[0, 2, 40]);
    check_vector(
        "assign-cooperative-sticky.json",
        "cooperative-sticky",
        &[0, 2, 40],
    );
}

#[test]
fn documented_example_and_output_shape() {
    let input = r#"{"partitions": {"orders": 6, "payments": 3}, "members": [{"id": "c1", "topics": ["orders", "payments"], "owned": [["orders", 0]], "generation": 3, "instance_id": "host-a"}]}"#;
    let out = run("range", input);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"assignment\": {\"c1\": [[\"orders\", 0], [\"orders\", 1], [\"orders\", 2], [\"orders\", 3], [\"orders\", 4], [\"orders\", 5], [\"payments\", 0], [\"payments\", 1], [\"payments\", 2]]}}\n"
    );
    // A member subscribed to nothing that exists is still listed.
    let out = run(
        "sticky",
        r#"{"partitions": {}, "members": [{"id": "x", "topics": ["gone"]}]}"#,
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"assignment\": {\"x\": []}}\n"
    );
}

fn expect_usage_error(assignor: &str, input: &str, needles: &[&str]) {
    let out = run(assignor, input);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "input {input:?}: stderr {stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing on stdout for bad input");
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "input {input:?}: stderr {stderr:?} should mention {needle:?}"
        );
    }
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let ok_member = r#"{"id": "c1", "topics": ["orders"]}"#;
    // Malformed JSON.
    expect_usage_error(
        "range",
        r#"{"partitions": {"orders": 6}, "members": [}"#,
        &["invalid input", "line 1", "expected {"],
    );
    // Empty stdin.
    expect_usage_error("range", "", &["no input on stdin"]);
    // Duplicate member id.
    expect_usage_error(
        "sticky",
        &format!(r#"{{"partitions": {{"orders": 6}}, "members": [{ok_member}, {ok_member}]}}"#),
        &["member id \"c1\" appears more than once"],
    );
    // Negative, non-integer, string and too large counts.
    for count in ["-1", "2.5", "\"6\"", "4294967296", "null"] {
        expect_usage_error(
            "roundrobin",
            &format!(r#"{{"partitions": {{"orders": {count}}}, "members": [{ok_member}]}}"#),
            &["partition count of topic \"orders\"", "integer"],
        );
    }
    // A topic listed twice.
    expect_usage_error(
        "range",
        &format!(r#"{{"partitions": {{"orders": 6, "orders": 3}}, "members": [{ok_member}]}}"#),
        &["listed twice"],
    );
    // Missing fields.
    expect_usage_error(
        "range",
        r#"{"partitions": {"orders": 6}}"#,
        &["missing field `members`"],
    );
    expect_usage_error(
        "range",
        r#"{"members": []}"#,
        &["missing field `partitions`"],
    );
    expect_usage_error(
        "range",
        r#"{"partitions": {}, "members": [{"id": "c1"}]}"#,
        &["missing field `topics`"],
    );
    expect_usage_error(
        "range",
        r#"{"partitions": {}, "members": [{"topics": []}]}"#,
        &["missing field `id`"],
    );
    // Wrong types.
    expect_usage_error(
        "range",
        r#"{"partitions": {}, "members": [{"id": "c1", "topics": "orders"}]}"#,
        &["invalid type"],
    );
    expect_usage_error(
        "range",
        r#"{"partitions": [], "members": []}"#,
        &["invalid type"],
    );
    expect_usage_error(
        "sticky",
        r#"{"partitions": {}, "members": [{"id": "c1", "topics": [], "owned": [["orders"]]}]}"#,
        &["invalid length"],
    );
    expect_usage_error(
        "sticky",
        r#"{"partitions": {}, "members": [{"id": "c1", "topics": [], "owned": [["orders", 1.5]]}]}"#,
        &["invalid type"],
    );
    expect_usage_error(
        "sticky",
        r#"{"partitions": {}, "members": [{"id": "c1", "topics": [], "generation": "3"}]}"#,
        &["invalid type"],
    );
    expect_usage_error(
        "range",
        r#"{"partitions": {}, "members": [{"id": 7, "topics": []}]}"#,
        &["invalid type"],
    );
    // Unknown fields (a typo would otherwise be ignored silently).
    expect_usage_error(
        "range",
        r#"{"partitions": {}, "members": [{"id": "c1", "topics": [], "onwed": []}]}"#,
        &["unknown field `onwed`"],
    );
    // Trailing garbage after the document.
    expect_usage_error(
        "range",
        r#"{"partitions": {}, "members": []} {}"#,
        &["trailing characters"],
    );
}

#[test]
fn unknown_assignor_is_a_usage_error() {
    let out = run("sticky-ish", r#"{"partitions": {}, "members": []}"#);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("sticky-ish") && stderr.contains("cooperative-sticky"),
        "{stderr}"
    );
}

#[test]
fn large_input_is_fast() {
    // 500 members x 50,000 partitions with ownership, through the (debug or release) binary.
    let topics: Vec<String> = (0..10).map(|i| format!("topic-{i}")).collect();
    let mut members = Vec::new();
    for m in 0..500 {
        let owned: Vec<serde_json::Value> = (0..100)
            .map(|k| serde_json::json!([topics[k % 10], (m * 10 + k / 10) % 5000]))
            .collect();
        members.push(serde_json::json!({"id": format!("consumer-{m}"), "topics": topics, "owned": owned, "generation": 4}));
    }
    let partitions: serde_json::Map<String, serde_json::Value> = topics
        .iter()
        .map(|t| (t.clone(), serde_json::json!(5000)))
        .collect();
    let input = serde_json::json!({"partitions": partitions, "members": members}).to_string();
    let start = std::time::Instant::now();
    let out = run("cooperative-sticky", &input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let total: usize = got["assignment"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_array().unwrap().len())
        .sum();
    assert_eq!(total, 50_000);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}
