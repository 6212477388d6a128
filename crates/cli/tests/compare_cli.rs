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

/// `--from-url`: world A is the link's run at its moment (a live change included), world B its
/// `ab=` settings replayed on A's inputs: the same rows as the same worlds built by flags when
/// the link has no input; `--b` replaces `ab=`; flags the link holds are refused.
#[test]
fn compare_from_url_runs_the_links_worlds() {
    let link = "v=1&seed=3&set=linger.ms:0,sim.produce.rate:2000&ab=linger.ms:50";
    let o = streamscope(&["compare", "--from-url", link, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(doc["b"], "linger.ms=50");
    assert_eq!(
        doc["time_us"], 0,
        "a link without inputs or moment is its start"
    );
    // With --b instead of the link's ab=.
    let o = streamscope(&["compare", "--from-url", link, "--b", "acks=1", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(doc["b"], "acks=1");
    // A link with a moment (the preset, seed 7, has taken 4,263 queue entries by 2 s): both
    // worlds at its time, the same rows as the flags give for the same worlds.
    let at = "v=1&seed=7&ab=acks:1&at=4263.2000000";
    let o = streamscope(&["compare", "--from-url", at, "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let by_link: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(by_link["time_us"], 2_000_000);
    let o = streamscope(&[
        "compare", "--b", "acks=1", "--seed", "7", "--until", "2s", "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let by_flags: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(by_link["rows"], by_flags["rows"]);
    for (extra, says) in [
        (&["--until", "3s"][..], "--from-url and --until"),
        (&["--seed", "2"][..], "--from-url and --seed"),
    ] {
        let o = streamscope(&[&["compare", "--from-url", link][..], extra].concat());
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o.stderr).contains(says), "{}", text(&o.stderr));
    }
    let o = streamscope(&["compare", "--from-url", "v=1&seed=3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("no A/B comparison"),
        "{}",
        text(&o.stderr)
    );
    let o = streamscope(&["compare"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--b"), "{}", text(&o.stderr));
}
