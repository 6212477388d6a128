//! `streamscope partition` end to end: the built binary, keys on stdin, partitions on stdout.

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

fn partition(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_streamscope"))
        .arg("partition")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start streamscope");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    // Write from another thread so a large output cannot deadlock the pipes.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait for streamscope");
    writer.join().expect("stdin writer");
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(args: &[&str], stdin: &[u8]) -> String {
    let o = partition(args, stdin);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(o.stderr.is_empty(), "stderr: {}", stderr(&o));
    stdout(&o)
}

fn usage_error(args: &[&str], stdin: &[u8]) -> String {
    let o = partition(args, stdin);
    assert_eq!(
        o.status.code(),
        Some(2),
        "stdout: {} stderr: {}",
        stdout(&o),
        stderr(&o)
    );
    stderr(&o)
}

#[test]
fn plain_keys() {
    // Kafka's values (shared/kafka/BRIEF.md): user-42 -> 4 of 6, "주문-1" -> 5 of 6, "" -> 275646681.
    let out = ok(&["--partitions", "6"], "user-42\n주문-1\n\n".as_bytes());
    assert_eq!(out, format!("4\n5\n{}\n", 275646681 % 6));
    assert_eq!(ok(&["--partitions", "1"], b"a\nb\nc\n"), "0\n0\n0\n");
    assert_eq!(ok(&["--partitions=100"], b"21\nfoobar\n"), "40\n66\n");
}

#[test]
fn hex_keys_upper_and_lower_case() {
    // 757365722d3432 = "user-42"; the empty line is the empty key.
    let out = ok(
        &["--partitions", "6", "--hex"],
        b"757365722d3432\n757365722D3432\n\nFF\n",
    );
    let want_ff = streamscope_core::murmur2::partition_for_key(&[0xff], 6);
    assert_eq!(out, format!("4\n4\n{}\n{want_ff}\n", 275646681 % 6));
}

#[test]
fn json_output_escapes_keys() {
    let input = "user-42\n\"quoted\" \\ back\ttab\u{1}\u{1f}\u{7f}\n주문-1\n\n".as_bytes();
    let out = ok(&["--partitions", "6", "--json"], input);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0],
        r#"{"key": "user-42", "murmur2": 1459644460, "partition": 4}"#
    );
    assert_eq!(
        lines[1],
        format!(
            r#"{{"key": "\"quoted\" \\ back\ttab\u0001\u001f{}", "murmur2": {}, "partition": {}}}"#,
            '\u{7f}',
            streamscope_core::murmur2::murmur2(
                "\"quoted\" \\ back\ttab\u{1}\u{1f}\u{7f}".as_bytes()
            ),
            streamscope_core::murmur2::partition_for_key(
                "\"quoted\" \\ back\ttab\u{1}\u{1f}\u{7f}".as_bytes(),
                6
            )
        )
    );
    assert_eq!(
        lines[2],
        r#"{"key": "주문-1", "murmur2": -1848416265, "partition": 5}"#
    );
    assert_eq!(
        lines[3],
        r#"{"key": "", "murmur2": 275646681, "partition": 3}"#
    );
    // Every line is a JSON object whose key round-trips.
    let keys = [
        "user-42",
        "\"quoted\" \\ back\ttab\u{1}\u{1f}\u{7f}",
        "주문-1",
        "",
    ];
    for (line, key) in lines.iter().zip(keys) {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        assert_eq!(v["key"], key);
        assert_eq!(
            v["murmur2"],
            streamscope_core::murmur2::murmur2(key.as_bytes())
        );
    }
}

#[test]
fn json_with_hex_shows_the_line_as_given() {
    let out = ok(
        &["--partitions", "6", "--hex", "--json"],
        b"757365722D3432\r\n",
    );
    assert_eq!(
        out,
        "{\"key\": \"757365722D3432\", \"murmur2\": 1459644460, \"partition\": 4}\n"
    );
}

#[test]
fn crlf_and_final_line_without_newline() {
    assert_eq!(ok(&["--partitions", "6"], b"user-42\r\n"), "4\n");
    assert_eq!(ok(&["--partitions", "6"], b"user-42"), "4\n");
    assert_eq!(ok(&["--partitions", "6"], b"user-42\r"), "4\n");
    // Only one \r is stripped: "user-42\r" is a different key.
    let with_cr = streamscope_core::murmur2::partition_for_key(b"user-42\r", 1000);
    assert_eq!(
        ok(&["--partitions", "1000"], b"user-42\r\r\n"),
        format!("{with_cr}\n")
    );
    // A final newline adds no key; no input, no output.
    assert_eq!(ok(&["--partitions", "6"], b"user-42\n"), "4\n");
    assert_eq!(ok(&["--partitions", "6"], b""), "");
    assert_eq!(
        ok(&["--partitions", "6"], b"\n"),
        format!("{}\n", 275646681 % 6)
    );
    assert_eq!(ok(&["--partitions", "6"], b"\r\n\r\n"), "3\n3\n");
}

#[test]
fn bad_hex_names_the_line() {
    let err = usage_error(&["--partitions", "6", "--hex"], b"00\nabcd\nxyz1\n");
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("'x'") && err.contains("hex"), "{err}");
    let err = usage_error(&["--partitions", "6", "--hex"], b"abc\n");
    assert!(
        err.contains("line 1") && err.contains("odd number of hex digits"),
        "{err}"
    );
    let err = usage_error(&["--partitions", "6", "--hex"], b"00\n0x41\n");
    assert!(err.contains("line 2"), "{err}");
    // The lines before the bad one were answered.
    let o = partition(&["--partitions", "6", "--hex"], b"757365722d3432\nzz\n");
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "4\n");
}

#[test]
fn invalid_utf8_is_a_usage_error() {
    let err = usage_error(&["--partitions", "6"], b"ok\nfine\nbad\xff\xfe\n");
    assert!(
        err.contains("line 3") && err.contains("UTF-8") && err.contains("--hex"),
        "{err}"
    );
}

#[test]
fn partition_count_limits() {
    for bad in [
        "0",
        "2147483648",
        "-1",
        "abc",
        "6.5",
        "",
        "99999999999999999999",
    ] {
        let err = usage_error(&["--partitions", bad], b"user-42\n");
        assert!(err.contains("2147483647"), "--partitions {bad:?}: {err}");
    }
    let err = usage_error(&[], b"user-42\n");
    assert!(err.contains("--partitions"), "{err}");
    let max = ok(&["--partitions", "2147483647"], b"user-42\n21\nfoobar\n");
    assert_eq!(max, "1459644460\n1173551340\n1357151166\n");
}

#[test]
fn many_keys_stream() {
    let mut input = Vec::new();
    for i in 0..200_000 {
        input.extend_from_slice(format!("key-{i}\n").as_bytes());
    }
    let out = ok(&["--partitions", "12"], &input);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 200_000);
    assert_eq!(
        lines[199_999],
        streamscope_core::murmur2::partition_for_key(b"key-199999", 12).to_string()
    );
}

#[test]
fn closed_stdout_is_not_a_crash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_streamscope"))
        .args(["partition", "--partitions", "6"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start streamscope");
    // Read one chunk of output, then close the pipe (as `| head -1` does) and keep writing.
    let mut out = child.stdout.take().expect("stdout");
    let mut input = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let line = b"user-42\n".repeat(10_000);
        for _ in 0..100 {
            if input.write_all(&line).is_err() {
                break;
            }
        }
    });
    let mut first = [0u8; 2];
    out.read_exact(&mut first).expect("first line");
    assert_eq!(&first, b"4\n");
    drop(out);
    let status = child.wait().expect("wait");
    writer.join().expect("writer");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0), "{err}");
}
