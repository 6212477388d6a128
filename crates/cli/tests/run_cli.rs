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
    // Issue 11: what the run holds in memory, appended.
    assert!(v["retained_records"].as_u64().unwrap() > 0);
    assert!(v["memory_bytes"].as_u64().unwrap() > 0);
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
fn a_killed_broker_is_a_fault_of_its_own() {
    let v = json(&[
        "run",
        "--seed",
        "3",
        "--until",
        "20s",
        "--fault",
        "kill:broker=1@2s..5s",
        "--json",
    ]);
    assert_eq!(v["faults"], serde_json::json!(["kill:broker=1@2s..5s"]));
    assert_eq!(v["acknowledged_lost"], 0, "{v}");
    let e = refused(&["run", "--fault", "kill:leader=orders-0@1s"]);
    assert!(e.contains("kill takes one target, broker=N"), "{e}");
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
    // The liveness monitor: every run of these cells settles.
    assert_eq!(safe["runs_stuck"], 0);
    let e = refused(&["campaign", "--grid", "acks=2"]);
    assert!(e.contains("acks"), "{e}");
    let e = refused(&["campaign", "--grid", "acks"]);
    assert!(e.contains("NAME=V1,V2"), "{e}");
}

#[test]
fn the_pipeline_reports_its_verifier_and_exactly_once_holds_where_at_least_once_repeats() {
    // The same seed and drawn faults (processor crashes between produce and commit among
    // them) for both guarantees.
    let run = |g: &str| {
        json(&[
            "run",
            "--pipeline",
            "ctp",
            "--set",
            &format!("processing.guarantee={g}"),
            "--faults",
            "random",
            "--until",
            "30s",
            "--seed",
            "3",
            "--json",
        ])
    };
    let eos = run("exactly_once_v2");
    let alos = run("at_least_once");
    for key in [
        "pipeline_input",
        "pipeline_output_committed",
        "pipeline_duplicates",
        "pipeline_missing",
        "read_committed_aborted_seen",
    ] {
        assert!(eos[key].is_u64(), "{key} in {eos}");
    }
    assert_eq!(eos["faults"], alos["faults"], "same schedule for both");
    assert!(eos["faults"].to_string().contains("crash:processor="));
    let input = eos["pipeline_input"].as_u64().unwrap();
    assert!(input > 1000);
    assert_eq!(eos["pipeline_output_committed"].as_u64(), Some(input));
    assert_eq!(eos["pipeline_duplicates"].as_u64(), Some(0));
    assert_eq!(eos["pipeline_missing"].as_u64(), Some(0));
    assert_eq!(eos["read_committed_aborted_seen"].as_u64(), Some(0));
    assert_eq!(alos["pipeline_missing"].as_u64(), Some(0));
    // Without a pipeline the keys are absent (read_committed_aborted_seen stays).
    let plain = json(&["run", "--until", "1s", "--json"]);
    assert!(plain.get("pipeline_input").is_none());
    assert_eq!(plain["read_committed_aborted_seen"].as_u64(), Some(0));
    let msg = refused(&["run", "--pipeline", "etl"]);
    assert!(msg.contains("--pipeline etl"), "{msg}");
    let msg = refused(&["run", "--fault", "crash:processor=0@1s"]);
    assert!(msg.contains("--pipeline ctp"), "{msg}");
}

#[test]
fn a_pipeline_campaign_compares_the_guarantees() {
    let out = streamscope(&[
        "campaign",
        "--pipeline",
        "ctp",
        "--seeds",
        "6",
        "--until",
        "30s",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let get = |g: &str| {
        rows.iter()
            .find(|r| r["settings"][0][1] == g)
            .unwrap_or_else(|| panic!("{g} in {v}"))
            .clone()
    };
    let (alos, eos) = (get("at_least_once"), get("exactly_once_v2"));
    assert_eq!(eos["pipeline_duplicates"].as_u64(), Some(0));
    assert_eq!(eos["pipeline_missing"].as_u64(), Some(0));
    assert_eq!(alos["pipeline_missing"].as_u64(), Some(0));
    assert!(eos["pipeline_input"].as_u64().unwrap() > 0);
    assert!(
        alos["pipeline_duplicates"].as_u64().unwrap() > 0,
        "at_least_once repeats work after some crash in 6 seeds: {alos}"
    );
}

/// Issue 11's seeds: the `ctp` group's JoinGroups went to a coordinator that died silently, so
/// the members wait out max.poll.interval.ms + 5 s (305 s) before they ask again; the drain
/// waits for that timer and the run settles with nothing missing. A follower cut off by a link
/// fault (acks=1) retries after replica.socket.timeout.ms: HW reaches LEO before "settled".
#[test]
fn the_drain_waits_for_kafka_timeouts_and_says_which() {
    for g in ["exactly_once_v2", "at_least_once"] {
        let v = json(&[
            "run",
            "--seed",
            "80083",
            "--until",
            "30s",
            "--pipeline",
            "ctp",
            "--faults",
            "random",
            "--set",
            &format!("processing.guarantee={g}"),
            "--json",
        ]);
        assert_eq!(v["settled"], true, "{g}: {:?}", v["stuck"]);
        assert_eq!(v["stuck"].as_array().map(|a| a.len()), Some(0));
        assert_eq!(v["pipeline_missing"], 0, "{g}");
        let waited = v["waited_for"].as_str().unwrap_or_default();
        assert!(waited.contains("JoinGroup"), "{g}: waited for {waited}");
        assert!(v["time_us"].as_u64().unwrap() > 305_000_000, "{g}");
    }
    let v = json(&[
        "run", "--seed", "81043", "--until", "30s", "--faults", "random", "--set", "acks=1",
        "--json",
    ]);
    assert_eq!(v["settled"], true, "{:?}", v["stuck"]);
    for p in v["partitions"].as_array().unwrap() {
        assert_eq!(p["high_watermark"], p["log_end_offset"], "{p}");
    }
    let acked = v["records_acknowledged"].as_u64().unwrap();
    let consumed = v["records_consumed"].as_u64().unwrap();
    assert!(
        consumed >= acked - v["acknowledged_lost"].as_u64().unwrap(),
        "{consumed} of {acked}"
    );
    // Without a drain the run is not settled, and nothing is called stuck.
    let v = json(&["run", "--until", "2s", "--no-drain", "--json"]);
    assert_eq!(v["settled"], false);
    assert_eq!(v["stuck"].as_array().map(|a| a.len()), Some(0));
    let o = streamscope(&[
        "run", "--seed", "81043", "--until", "30s", "--faults", "random",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("settled at"), "{text}");
}

/// `--save-inputs` writes the run's input log; `--inputs` replays it: the same run (the same
/// JSON summary and trace hash). A garbled log, or one combined with `--fault`, is refused
/// with exit code 2 naming `--inputs`.
#[test]
fn a_saved_input_log_replays_the_same_run() {
    let dir = std::env::temp_dir().join(format!("streamscope-inputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let log = dir.join("inputs.json");
    let log_arg = log.to_str().expect("a UTF-8 temporary path");
    // The same world each time but for the seed and the flags that follow.
    let args = |seed: &'static str, rest: &[&'static str]| -> Vec<&str> {
        let mut a = vec![
            "run",
            "--seed",
            seed,
            "--until",
            "3s",
            "--set",
            "linger.ms=10",
        ];
        a.extend_from_slice(rest);
        a.extend_from_slice(&[log_arg, "--json"]);
        a
    };
    let first = json(&args(
        "4",
        &[
            "--fault",
            "crash:broker=1@1s..2s",
            "--fault",
            "drop-responses:broker=2@500ms..1500ms",
            "--save-inputs",
        ],
    ));
    let text = std::fs::read_to_string(&log).expect("--save-inputs wrote the log");
    assert!(
        text.contains("crash:broker=1@1s..2s") && text.contains("end_faults"),
        "{text}"
    );
    let again = json(&args("4", &["--inputs"]));
    assert_eq!(
        first["trace_hash"], again["trace_hash"],
        "the same trace hash"
    );
    assert_eq!(first, again, "the same summary");
    let other_seed = streamscope(&args("5", &["--inputs"]));
    assert!(
        matches!(other_seed.status.code(), Some(0) | Some(2)),
        "another seed either replays (faults at time 0 fit any run) or is refused, never a panic"
    );
    std::fs::write(&log, "{ not json").expect("overwrite the log");
    let err = refused(&["run", "--inputs", log_arg]);
    assert!(
        err.contains("--inputs") && err.contains("not an input log"),
        "{err}"
    );
    let err = refused(&["run", "--inputs", log_arg, "--fault", "crash:broker=1@1s"]);
    assert!(err.contains("without --fault"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A run with inputs (a broker lost, a fault from then on, a member added), its link made by
/// the core, and where the world is when the link is made.
fn a_run_and_its_link() -> (String, String, u64, u64) {
    use streamscope_core::config::settings::producer;
    use streamscope_core::link::RunLink;
    use streamscope_core::sim::schedule::parse_fault_at;
    use streamscope_core::{Change, Config, Sim, SimTime};
    let mut config = Config::preset();
    config.set(producer::ACKS.name, "1").expect("acks=1");
    let mut sim = Sim::new(config, 42).expect("a valid world");
    sim.run_until(SimTime(1_000_000));
    sim.apply(Change::CrashBroker { broker: 1 })
        .expect("broker 1 exists");
    let fault = parse_fault_at("drop-responses:broker=2@+200ms..+500ms", sim.now());
    sim.schedule_fault(fault.expect("a valid fault"))
        .expect("broker 2 exists");
    sim.run_until(SimTime(2_000_000));
    sim.apply(Change::AddConsumer {
        group: 0,
        strategy: None,
    })
    .expect("a new member");
    for _ in 0..300 {
        sim.step();
    }
    let link = RunLink::of(&sim, sim.moment(), Some("en")).expect("the run has a link");
    let url = format!("http://localhost:8080/streamscope/#{}", link.encode());
    let hash = format!("{:016x}", sim.trace().hash());
    (url, hash, sim.events_processed(), sim.now().micros())
}

/// `--from-url` runs a link the core made to exactly its moment: the core's trace hash, event
/// count and time, in the text summary and in `--json`; `--trace` writes every event of it.
#[test]
fn a_link_runs_to_its_moment_with_the_cores_trace_hash() {
    let (url, hash, events, time_us) = a_run_and_its_link();
    let dir = std::env::temp_dir().join(format!("streamscope-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let trace = dir.join("trace.jsonl");
    let trace_arg = trace.to_str().expect("a UTF-8 temporary path");
    let v = json(&["run", "--from-url", &url, "--json", "--trace", trace_arg]);
    assert_eq!(v["trace_hash"], hash.as_str(), "{url}");
    assert_eq!(v["events"].as_u64(), Some(events));
    assert_eq!(v["time_us"].as_u64(), Some(time_us));
    assert_eq!(v["settled"], false, "not drained");
    let lines = std::fs::read_to_string(&trace).expect("--trace wrote the events");
    assert_eq!(lines.lines().count() as u64, events);
    let o = streamscope(&["run", "--from-url", &url]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains(&format!("trace hash {hash}")), "{text}");
    assert!(text.contains(&format!(" in {events} events")), "{text}");
    assert!(text.contains("not drained: the link's moment"), "{text}");
    // The fragment alone, with or without '#', is the same link.
    let fragment = url.split_once('#').map(|(_, f)| f).expect("a fragment");
    for link in [fragment.to_string(), format!("#{fragment}")] {
        let again = json(&["run", "--from-url", &link, "--json"]);
        assert_eq!(again["trace_hash"], hash.as_str());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A garbled link, or one that is not its run's, exits 2 naming `--from-url` and the part; the
/// flags a link holds are refused beside it, naming both.
#[test]
fn a_bad_link_or_a_flag_the_link_holds_is_refused() {
    for (link, part) in [
        (
            "v=1&seed=4&in=0.0.bcrash:x",
            "--from-url: in[0]: bcrash: the broker",
        ),
        ("v=1&seed=x", "--from-url: seed: "),
        (
            "v=1&seed=1&set=no.such.setting:1",
            "--from-url: set[0] (no.such.setting): ",
        ),
        ("v=1&seed=1&at=3", "--from-url: at: "),
        ("http://localhost:8080/", "--from-url: link: "),
        ("v=1&seed=1&in=50.1.drain", "--from-url: in[0]: "),
    ] {
        let err = refused(&["run", "--from-url", link]);
        assert!(err.contains(part), "{link}: {err}");
    }
    let link = "v=1&seed=1";
    for extra in [
        &["--seed", "3"][..],
        &["--set", "acks=1"],
        &["--fault", "crash:broker=1@1s"],
        &["--faults", "random"],
        &["--inputs", "run.json"],
        &["--until", "3s"],
        &["--pipeline", "ctp"],
    ] {
        let mut args = vec!["run", "--from-url", link];
        args.extend_from_slice(extra);
        let err = refused(&args);
        assert!(
            err.contains(&format!("--from-url and {}", extra[0])),
            "{err}"
        );
    }
}
