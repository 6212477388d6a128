//! `streamscope scenarios` and `streamscope scenario check` end to end: the built binary.

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

/// The list names every scenario of the core's catalog, in both languages.
#[test]
fn scenarios_lists_the_catalog() {
    let o = streamscope(&["scenarios"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for s in streamscope_core::scenario::catalog() {
        let id = s.file.trim_end_matches(".scn");
        assert!(
            out.lines().any(|l| l.starts_with(id)),
            "{id} missing:\n{out}"
        );
    }
    let ko = text(&streamscope(&["scenarios", "--lang", "ko"]).stdout);
    assert!(ko.contains("레코드"), "{ko}");
}

/// A scenario checks with a line per step; a file with a false claim exits 1 naming it; no
/// scenario named exits 2.
#[test]
fn check_plays_and_reports() {
    let o = streamscope(&["scenario", "check", "acks"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("acks step 3/3:"), "{out}");
    assert!(out.contains("every claim holds"), "{out}");

    let dir = std::env::temp_dir().join(format!("streamscope-scn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let file = dir.join("false.scn");
    std::fs::write(
        &file,
        "id = false\ntitle.en = F\ntitle.ko = 거짓\nsummary.en = S\nsummary.ko = 요약\n\
         concept = test\nworld = v=1&seed=1\n[[step]]\nnarration.en = N\nnarration.ko = 설명\n\
         until = event record_appended\n[[claim]]\ncheck = record(0).partition == 99\n\
         en = Record 0 is in partition 99.\nko = 레코드 0은 파티션 99에 있습니다.\n",
    )
    .expect("write the file");
    let o = streamscope(&[
        "scenario",
        "check",
        "--file",
        file.to_str().expect("a path"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stdout));
    let out = text(&o.stdout);
    assert!(
        out.contains("does not hold: record(0).partition == 99 (Record 0 is in partition 99.)"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);

    let o = streamscope(&["scenario", "check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("<ID>, --all or --file"),
        "{}",
        text(&o.stderr)
    );
}
