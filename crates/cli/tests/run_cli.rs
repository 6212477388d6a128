//! `streamscope run` and `streamscope campaign` end to end: the built binary, its JSON keys,
//! faults, the drain, and the errors a user gets (exit code 2 naming the problem).

use std::process::{Command, Output};

fn streamscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_streamscope"))
        .args(args)
        .output()
        .expect("start streamscope")
}

fn json(args: &[&str]) -> serde_json::Value {
    let o = streamscope(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("one JSON object")
}

fn refused(args: &[&str]) -> String {
    let o = streamscope(args);
    assert_eq!(o.status.code(), Some(2), "exit code 2 for {args:?}");
    assert!(o.stdout.is_empty());
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_summary_keeps_its_frozen_keys_and_adds_the_monitor() {
    let v = json(&["run", "--seed", "7", "--until", "3s", "--json"]);
    for key in [
        "records_sent",
        "records_acknowledged",
        "records_failed",
        "records_consumed",
        "partitions",
        "consumers",
        "seed",
        "time_us",
        "events",
        "trace_hash",
        "acknowledged_lost",
        "duplicates",
        "out_of_order",
        "leader_elections",
        "faults",
    ] {
        assert!(v.get(key).is_some(), "key {key} in {v}");
    }
    // Drained: everything sent has an outcome and the group read it all.
    let sent = v["records_sent"].as_u64().unwrap();
    assert!(sent > 0);
    assert_eq!(
        sent,
        v["records_acknowledged"].as_u64().unwrap() + v["records_failed"].as_u64().unwrap()
    );
    assert_eq!(v["records_consumed"].as_u64().unwrap(), sent);
    assert!(v["time_us"].as_u64().unwrap() >= 3_000_000);
    // --no-drain stops exactly at --until.
    let v = json(&[
        "run",
        "--seed",
        "7",
        "--until",
        "3s",
        "--no-drain",
        "--json",
    ]);
    assert_eq!(v["time_us"].as_u64().unwrap(), 3_000_000);
}

#[test]
fn faults_run_and_are_reported() {
    let v = json(&[
        "run",
        "--seed",
        "3",
        "--until",
        "30s",
        "--set",
        "acks=1",
        "--fault",
        "crash:leader=orders-0,ahead@2s..20s",
        "--fault",
        "delay:broker=0,producer,50ms@1s..4s",
        "--json",
    ]);
    assert_eq!(
        v["faults"],
        serde_json::json!([
            "crash:leader=orders-0,ahead@2s..20s",
            "delay:broker=0,producer,50ms@1s..4s"
        ])
    );
    assert!(v["leader_elections"].as_u64().unwrap() >= 1);
    assert!(
        v["acknowledged_lost"].as_u64().unwrap() >= 1,
        "acks=1 and a leader crash before its followers fetched: {v}"
    );
    // A drawn schedule: always a leader crash; the same seed draws the same one.
    let a = json(&[
        "run", "--seed", "5", "--until", "30s", "--faults", "random", "--json",
    ]);
    let b = json(&[
        "run", "--seed", "5", "--until", "30s", "--faults", "random", "--json",
    ]);
    assert_eq!(a["faults"], b["faults"]);
    assert_eq!(a["trace_hash"], b["trace_hash"]);
    assert!(a["faults"][0]
        .as_str()
        .unwrap()
        .starts_with("crash:leader=orders-"));
    assert_eq!(a["acknowledged_lost"], 0, "acks=all loses nothing: {a}");
    assert_eq!(a["duplicates"], 0, "idempotence: {a}");
    assert!(a["leader_elections"].as_u64().unwrap() >= 1);
}

#[test]
fn bad_faults_and_settings_exit_2_naming_the_problem() {
    let e = refused(&["run", "--fault", "crash:broker=7@1s"]);
    assert!(e.contains("broker=7") && e.contains("0 to 2"), "{e}");
    let e = refused(&["run", "--fault", "explode:broker=1@1s"]);
    assert!(
        e.contains("unknown kind") && e.contains("crash:broker=1@2s"),
        "{e}"
    );
    let e = refused(&["run", "--fault", "cut:broker=0@1s"]);
    assert!(e.contains("two targets"), "{e}");
    let e = refused(&["run", "--fault", "crash:leader=payments-0@1s"]);
    assert!(e.contains("no partition payments-0"), "{e}");
    let e = refused(&["run", "--faults", "chaos"]);
    assert!(e.contains("random"), "{e}");
    let e = refused(&["run", "--set", "min.insync.replicas=0"]);
    assert!(e.contains("min.insync.replicas"), "{e}");
    let e = refused(&["run", "--set", "acks=1", "--set", "enable.idempotence=true"]);
    assert!(e.contains("acks"), "{e}");
}

#[test]
fn a_campaign_tabulates_losses_by_setting() {
    let v = json(&[
        "campaign",
        "--seeds",
        "3",
        "--until",
        "30s",
        "--grid",
        "acks=1,all",
        "--grid",
        "enable.idempotence=false,true",
        "--grid",
        "min.insync.replicas=2",
        "--grid",
        "unclean.leader.election.enable=false",
        "--json",
    ]);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    let row = |acks: &str, idem: &str| {
        rows.iter()
            .find(|r| r["settings"][0][1] == acks && r["settings"][1][1] == idem)
            .unwrap()
            .clone()
    };
    // acks=1 with idempotence on is refused, as Kafka refuses it.
    assert!(row("1", "true")["rejected"]
        .as_str()
        .unwrap()
        .contains("acks"));
    let safe = row("all", "true");
    assert_eq!(safe["runs"], 3);
    assert_eq!(safe["acknowledged_lost"], 0);
    assert_eq!(safe["duplicates"], 0);
    assert!(safe["records_acknowledged"].as_u64().unwrap() > 0);
    assert!(safe["leader_elections"].as_u64().unwrap() >= 3);
    let e = refused(&["campaign", "--grid", "acks=2"]);
    assert!(e.contains("acks"), "{e}");
    let e = refused(&["campaign", "--grid", "acks"]);
    assert!(e.contains("NAME=V1,V2"), "{e}");
}
