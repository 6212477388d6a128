//! `streamscope compare` end to end: the built binary runs world A and world B and prints the
//! core's headline rows; a refused world B exits 2 naming the field.

use std::process::{Command, Output};

fn streamscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_streamscope"))
        .args(args)
        .output()
        .expect("start streamscope")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// linger.ms 0 vs 50: the JSON rows are the core's, B's batches are bigger, and the table
/// prints the same rows.
#[test]
fn compare_prints_both_worlds_and_the_delta() {
    let args = [
        "compare",
        "--set",
        "linger.ms=0",
        "--set",
        "sim.produce.rate=2000",
        "--b",
        "linger.ms=50",
        "--until",
        "4s",
        "--seed",
        "3",
    ];
    let o = streamscope(&[&args[..], &["--json"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(doc["b"], "linger.ms=50");
    assert_eq!(doc["time_us"], 4_000_000);
    let rows = doc["rows"].as_array().expect("rows");
    let batch = rows
        .iter()
        .find(|r| r["name"] == "batch-size-avg")
        .expect("batch-size-avg row");
    let (a, b) = (
        batch["a"].as_f64().expect("a"),
        batch["b"].as_f64().expect("b"),
    );
    assert!(b > 2.0 * a, "{batch}");
    let delta = batch["delta"].as_f64().expect("delta");
    assert!((delta - (b - a)).abs() < 1e-9, "{batch}");
    let o = streamscope(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("world B: linger.ms=50"), "{out}");
    assert_eq!(out.lines().count(), rows.len() + 2, "{out}");
    assert!(out.lines().any(|l| l.contains("batch-size-avg")), "{out}");
}

#[test]
fn a_refused_world_b_names_the_field() {
    for (b, expect) in [
        ("linger.ms=soon", "linger.ms"),
        ("lingr.ms=5", "unknown setting"),
        ("linger.ms", "not name=value"),
        ("acks=all", "already world A's value"),
    ] {
        let o = streamscope(&["compare", "--b", b, "--until", "1s"]);
        assert_eq!(o.status.code(), Some(2), "{b}");
        let err = text(&o.stderr);
        assert!(
            err.contains("--b: world B:") && err.contains(expect),
            "{b}: {err}"
        );
    }
}
