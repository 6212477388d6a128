//! Scenarios cannot lie (issue 14): every guided scenario of the catalog is played in the
//! core, one test each, and every claim its narration makes is checked at its step's moment;
//! a failure names the scenario, the step, the claim and what the world had. Beside them: the
//! catalog lists exactly the files of `crates/core/scenarios/`, every text is in both
//! languages, each step's link replays to the same world, and a false claim, a bad line and a
//! condition never met are reported.

use streamscope_core::scenario::{catalog, Scenario};

/// Plays scenario `id` and asserts every claim, every highlight and every step's link.
fn check(id: &str) {
    let s = Scenario::by_id(id).unwrap_or_else(|e| panic!("{e}"));
    let played = s.play().unwrap_or_else(|e| panic!("scenario {id}: {e}"));
    if std::env::var_os("SCENARIO_SHOW").is_some() {
        for (i, (r, claims)) in played.reached.iter().zip(&played.claims).enumerate() {
            eprintln!(
                "{id} step {}: at {:?}, {} events played",
                i + 1,
                r.moment,
                r.played
            );
            for c in claims {
                eprintln!(
                    "  [{}] {}: {}",
                    if c.passed { "ok" } else { "FAIL" },
                    c.check,
                    c.message
                );
            }
        }
    }
    let failures = played.failures();
    assert!(
        failures.is_empty(),
        "scenario {id} ({}) says what the world does not:\n{}",
        s.file,
        failures.join("\n")
    );
    let mut player = s.player().unwrap_or_else(|e| panic!("{e}"));
    for (i, step) in s.steps.iter().enumerate() {
        player.play_step().unwrap_or_else(|e| panic!("{e}"));
        let missing = player.missing_highlights(i);
        assert!(
            missing.is_empty(),
            "scenario {id} step {}: highlight {missing:?}",
            i + 1
        );
        assert!(
            !step.claims.is_empty(),
            "scenario {id} step {} claims nothing",
            i + 1
        );
        let link = played.link_at(i).expect("a step has a link");
        let again = link
            .world()
            .unwrap_or_else(|e| panic!("scenario {id} step {}: its link: {e}", i + 1));
        assert_eq!(
            (again.moment(), again.trace().hash()),
            (played.reached[i].moment, played.reached[i].trace_hash),
            "scenario {id} step {}: its link replays to another moment",
            i + 1
        );
        // The whole world, not only its trace: the next step's inputs, logged at this step's
        // moment, must not be in this step's link.
        assert!(
            format!("{again:?}") == format!("{:?}", player.sim),
            "scenario {id} step {}: its link replays to another world",
            i + 1
        );
    }
}

macro_rules! scenarios {
    ($($name:ident => $id:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check($id);
            }
        )*
        /// The scenarios this file tests, one test each.
        const TESTED: &[&str] = &[$($id),*];
    };
}

scenarios! {
    record_anatomy => "record-anatomy",
    key_hashing => "key-hashing",
    round_robin => "round-robin",
    explicit_partition => "explicit-partition",
    sticky_partitioner => "sticky-partitioner",
    adaptive_partitioning => "adaptive-partitioning",
    compression => "compression",
    batching => "batching",
    sync_async => "sync-async",
    acks => "acks",
    min_insync_replicas => "min-insync-replicas",
    idempotence => "idempotence",
    kraft_elections => "kraft-elections",
    consumer_lag => "consumer-lag",
    poll_fetch_commit => "poll-fetch-commit",
    several_groups => "several-groups",
    rebalance_triggers => "rebalance-triggers",
    eager_vs_cooperative => "eager-vs-cooperative",
    assignors => "assignors",
    poll_interval_vs_session => "poll-interval-vs-session",
    read_committed => "read-committed",
    exactly_once_crash => "exactly-once-crash",
}

/// The catalog lists exactly the `.scn` files of the folder, and every one has its test.
#[test]
fn the_catalog_is_the_folder_and_each_has_a_test() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("the scenarios folder")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|f| f.ends_with(".scn"))
        .collect();
    files.sort();
    let mut listed: Vec<String> = catalog().iter().map(|s| s.file.to_string()).collect();
    listed.sort();
    assert_eq!(listed, files, "catalog.rs lists the folder's files");
    let all = Scenario::all().unwrap_or_else(|e| panic!("{e}"));
    let mut ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
    for s in &all {
        assert_eq!(
            format!("{}.scn", s.id),
            s.file,
            "a scenario's file is named by its id"
        );
    }
    ids.sort();
    let mut tested = TESTED.to_vec();
    tested.sort();
    assert_eq!(
        ids, tested,
        "every scenario has a test in scenario_claims.rs"
    );
}

fn is_korean(text: &str) -> bool {
    text.chars().any(|c| ('\u{ac00}'..='\u{d7a3}').contains(&c))
}

/// Every text a scenario shows is there in English and in Korean (Korean in Hangul).
#[test]
fn every_text_is_in_both_languages() {
    for s in Scenario::all().unwrap_or_else(|e| panic!("{e}")) {
        let mut texts = vec![("title", &s.title), ("summary", &s.summary)];
        for (i, step) in s.steps.iter().enumerate() {
            let at = |f: &str| format!("step {} {f}", i + 1);
            let _ = at;
            texts.push(("narration", &step.narration));
            texts.extend(step.truth.as_ref().map(|t| ("truth", t)));
            texts.extend(step.try_text.as_ref().map(|t| ("try", t)));
            texts.extend(step.claims.iter().map(|c| ("claim", &c.says)));
        }
        for (field, t) in texts {
            assert!(!t.en.trim().is_empty(), "{}: {field} has no English", s.id);
            assert!(
                is_korean(&t.ko),
                "{}: {field} has no Korean: {:?}",
                s.id,
                t.ko
            );
            assert!(
                !is_korean(&t.en),
                "{}: {field}'s English is Korean: {:?}",
                s.id,
                t.en
            );
        }
    }
}

const TEST_WORLD: &str = "id = test-only\ntitle.en = T\ntitle.ko = 시험\nsummary.en = S\n\
    summary.ko = 요약\nconcept = test\nworld = v=1&seed=1\n";

/// A deliberately false claim is reported with its values, naming the step and the claim.
#[test]
fn a_false_claim_is_reported() {
    let text = format!(
        "{TEST_WORLD}[[step]]\nnarration.en = N\nnarration.ko = 설명\nuntil = event record_appended\n\
         [[claim]]\ncheck = record(0).partition == 99\nen = Record 0 went to partition 99.\n\
         ko = 레코드 0은 파티션 99로 갔습니다.\n"
    );
    let s = Scenario::parse("test-only.scn", &text).unwrap_or_else(|e| panic!("{e}"));
    let played = s.play().unwrap_or_else(|e| panic!("{e}"));
    let failures = played.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    let real = played.sim.record_info(0).expect("record 0").partition;
    assert_eq!(
        failures[0],
        format!("step 1: record(0).partition == 99: {real} == 99")
    );
}

/// `queued_batches(<partition>)` reads the producer's deque for a partition of its own topic,
/// and names the topic it writes to when asked about another.
#[test]
fn queued_batches_is_the_deque_of_a_partition_of_the_producers_topic() {
    let text = format!(
        "{TEST_WORLD}[[step]]\nnarration.en = N\nnarration.ko = 설명\nuntil = after 1ms\n\
         [[claim]]\ncheck = producer(0).queued_batches(orders-0) >= 0\nen = E\nko = 한\n\
         [[claim]]\ncheck = producer(0).queued_batches(payments-0) >= 0\nen = E\nko = 한\n"
    );
    let s = Scenario::parse("q.scn", &text).unwrap_or_else(|e| panic!("{e}"));
    let played = s.play().unwrap_or_else(|e| panic!("{e}"));
    let failures = played.failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].contains("the producer writes to orders"),
        "{failures:?}"
    );
}

/// A bad line names the file, the line and the field; a condition never met names the step.
#[test]
fn bad_files_and_unmet_conditions_are_named() {
    let bad = format!(
        "{TEST_WORLD}[[step]]\nnarration.en = N\nnarration.ko = 설명\nuntil = event no_such_kind\n"
    );
    let e = Scenario::parse("bad.scn", &bad).expect_err("an unknown event kind");
    assert_eq!(
        (e.file.as_str(), e.line, e.field.as_str()),
        ("bad.scn", 11, "until"),
        "{e}"
    );
    let unknown = format!("{TEST_WORLD}colour = blue\n");
    let e = Scenario::parse("bad.scn", &unknown).expect_err("an unknown key");
    assert_eq!((e.line, e.field.as_str()), (8, "colour"), "{e}");
    let claim = format!(
        "{TEST_WORLD}[[step]]\nnarration.en = N\nnarration.ko = 설명\nuntil = after 1ms\n\
         [[claim]]\ncheck = record(0).colour == 1\nen = E\nko = 한\n"
    );
    let e = Scenario::parse("bad.scn", &claim).expect_err("an unknown field");
    assert_eq!((e.line, e.field.as_str()), (13, "check"), "{e}");
    assert!(e.message.contains("colour"), "{e}");
    // Nothing is ever fenced in a quiet world: the step's condition is never met.
    let never = format!(
        "{TEST_WORLD}[[step]]\nnarration.en = N\nnarration.ko = 설명\nuntil = event broker_fenced\n"
    );
    let s = Scenario::parse("never.scn", &never).unwrap_or_else(|e| panic!("{e}"));
    let e = s.play().err().expect("never met");
    assert!(e.field.starts_with("step 1"), "{e}");
}

/// For writing scenarios: `SCENARIO_FILE=path cargo test --test scenario_claims probe --
/// --nocapture` plays a file from disk (no rebuild of the core) and prints every claim with
/// its values; without the variable it does nothing.
#[test]
fn probe() {
    let Some(path) = std::env::var_os("SCENARIO_FILE") else {
        return;
    };
    let path = std::path::PathBuf::from(path);
    let text = std::fs::read_to_string(&path).expect("the file");
    let name = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let s = Scenario::parse(&name, &text).unwrap_or_else(|e| panic!("{e}"));
    let mut player = s.player().unwrap_or_else(|e| panic!("{e}"));
    for i in 0..s.steps.len() {
        let r = player.play_step().unwrap_or_else(|e| panic!("{e}")).clone();
        eprintln!(
            "step {}: at {:?} ({} us), {} events played",
            i + 1,
            r.moment,
            r.moment.time.0,
            r.played
        );
        for c in player.check_claims(i) {
            eprintln!(
                "  [{}] {}: {}",
                if c.passed { "ok" } else { "FAIL" },
                c.check,
                c.message
            );
        }
        for m in player.missing_highlights(i) {
            eprintln!("  [FAIL] highlight {m}");
        }
    }
}
