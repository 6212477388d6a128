//! The settings registry is the one place a setting is written: every row's name appears once
//! in the core's source, `current` answers every row, its answer parses back to the same value,
//! a fresh config holds the rows' defaults (the preset departs only where it says), and each
//! row's set writes its own field and nothing else.
//!
//! Repeat by hand: `grep -rn '"linger.ms"' crates/core/src` finds one line, the row.

use std::collections::BTreeMap;
use std::path::Path;
use streamscope_core::config::settings::{current, parse, SettingDef, SettingKind, Value};
use streamscope_core::config::{Config, Scope, PRESET_DEPARTURES, PRESET_NOTES, SETTINGS};

/// The name that addresses exactly this row: prefixed by its scope, except `sim.*`.
fn key(d: &SettingDef) -> String {
    match d.scope {
        Scope::Sim => d.name.to_string(),
        s => format!("{}{}", s.prefix(), d.name),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("crates/core/src is readable")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file is UTF-8");
            out.push((path.display().to_string(), text));
        }
    }
}

#[test]
fn every_name_is_written_once_in_the_source() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut seen: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for d in SETTINGS {
        seen.entry(d.name).or_default();
    }
    for (path, text) in &files {
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for (name, hits) in seen.iter_mut() {
                let quoted = format!("\"{name}\"");
                for _ in line.matches(&quoted) {
                    hits.push(format!("{path}:{}", i + 1));
                }
            }
        }
    }
    for (name, hits) in &seen {
        assert_eq!(
            hits.len(),
            1,
            "\"{name}\" should be written once, in its registry row: {hits:?}"
        );
        assert!(
            hits[0].contains("config/settings/"),
            "\"{name}\" is written outside the registry: {hits:?}"
        );
    }
}

fn current_of(cfg: &Config, d: &SettingDef) -> String {
    current(cfg, &key(d)).unwrap_or_else(|| panic!("current answers {}", key(d)))
}

fn value(d: &SettingDef, raw: &str) -> Value {
    parse(d, raw).unwrap_or_else(|e| panic!("{}: '{raw}' parses ({e})", key(d)))
}

#[test]
fn current_answers_every_row_and_parses_back() {
    for cfg in [Config::preset(), Config::kafka_default()] {
        for d in SETTINGS {
            let text = current_of(&cfg, d);
            let mut again = cfg.clone();
            again
                .set(&key(d), &text)
                .unwrap_or_else(|e| panic!("{}={text} is taken back ({e})", key(d)));
            assert_eq!(current_of(&again, d), text, "{} round-trips", key(d));
        }
    }
}

#[test]
fn a_fresh_config_holds_the_rows_defaults() {
    let fresh = Config::kafka_default();
    for d in SETTINGS {
        assert_eq!(
            value(d, &current_of(&fresh, d)),
            value(d, d.kafka_default()),
            "{} holds its row's default",
            key(d)
        );
    }
    // The preset departs from them only as PRESET_DEPARTURES (and topics follow the broker).
    let preset = Config::preset();
    let mut expected = fresh.clone();
    for (d, v) in PRESET_DEPARTURES {
        expected
            .set(&key(d), v)
            .unwrap_or_else(|e| panic!("{}={v} ({e})", d.name));
        let note = format!("{}={v} ", d.name);
        assert!(
            PRESET_NOTES.iter().any(|n| n.starts_with(&note)),
            "PRESET_NOTES explains {note}"
        );
    }
    for d in SETTINGS {
        assert_eq!(
            current_of(&preset, d),
            current_of(&expected, d),
            "{}",
            key(d)
        );
    }
    assert_eq!(PRESET_NOTES.len(), PRESET_DEPARTURES.len());
    // The departures are defaults, not the user's settings.
    assert!(!preset.broker.num_partitions.explicit);
    assert!(!preset.groups[0].consumer.auto_offset_reset.explicit);
}

/// Values the row accepts, other than its default, to try in turn.
fn candidates(d: &SettingDef) -> Vec<String> {
    match d.kind {
        SettingKind::Int { min, max } => vec![min, max, min + 1, max - 1]
            .into_iter()
            .map(|v| v.to_string())
            .collect(),
        SettingKind::Duration {
            min_us,
            max_us,
            unlimited,
            ..
        } => {
            let mut v = vec![format!("{min_us}us"), format!("{}ms", max_us / 1000)];
            if unlimited {
                v.push("-1".to_string());
            }
            v
        }
        SettingKind::Bool => vec!["true".to_string(), "false".to_string()],
        SettingKind::Enum(names) => names.iter().map(|n| n.to_string()).collect(),
        SettingKind::AssignorList => vec!["roundrobin".to_string(), "sticky".to_string()],
        SettingKind::Text => vec!["tx-1".to_string()],
    }
}

#[test]
fn each_rows_set_writes_its_own_field() {
    let base = Config::kafka_default();
    let before: Vec<String> = SETTINGS.iter().map(|d| current_of(&base, d)).collect();
    for (i, d) in SETTINGS.iter().enumerate() {
        let mut changed = None;
        for raw in candidates(d) {
            let mut c = base.clone();
            if c.set(&key(d), &raw).is_ok() && current_of(&c, d) != before[i] {
                changed = Some(c);
                break;
            }
        }
        let c =
            changed.unwrap_or_else(|| panic!("{} takes a value other than its default", key(d)));
        for (j, other) in SETTINGS.iter().enumerate() {
            // A topic setting follows the broker setting it names as its default.
            let follows = other.scope == Scope::Topic && other.default == d.name;
            if j != i && !follows {
                assert_eq!(
                    current_of(&c, other),
                    before[j],
                    "setting {} changed {}",
                    key(d),
                    key(other)
                );
            }
        }
    }
}

/// The codecs keep Kafka's default levels (as Kafka's `GzipCompression` and the rest do); the
/// registry's level rows default to the same.
#[test]
fn the_level_rows_default_to_the_codecs_levels() {
    use streamscope_core::compression::CompressionType;
    use streamscope_core::config::settings::producer;
    for (kind, row) in [
        (CompressionType::Gzip, &producer::COMPRESSION_GZIP_LEVEL),
        (CompressionType::Lz4, &producer::COMPRESSION_LZ4_LEVEL),
        (CompressionType::Zstd, &producer::COMPRESSION_ZSTD_LEVEL),
    ] {
        assert_eq!(
            kind.default_level().map(|l| l.to_string()).as_deref(),
            Some(row.default),
            "{}",
            row.name
        );
    }
    assert_eq!(CompressionType::Snappy.default_level(), None);
}
