//! The page decides no Kafka rule: a grep over `crates/web/src` (comments, doc comments and
//! the insides of string literals blanked, so text that names a rule does not count) for the
//! shapes the rules took when the page worked them out itself, each now a core answer in
//! `streamscope_core::sim::view`. Run natively by `cargo test --workspace`.
//!
//! What it does not prove: a rule written in another shape would pass. It pins down the rules
//! issue 12 moved (the group's phase and protocol, a member's part in a rebalance, zombies,
//! the wait at the last stable offset, lag, records-lag-max, the pipeline twin's config and
//! restart rule) so they do not come back. Presentation tables stay allowed: a state's name or
//! colour (`TxnState::Ongoing => LSO_COLOUR,`), a member state's label.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../../core/tests/source/mod.rs"]
mod source;

use std::path::Path;

/// One forbidden shape: a test on one line of code, what it catches, and the core answer
/// that replaced it.
struct Rule {
    name: &'static str,
    found: fn(&str) -> bool,
    instead: &'static str,
}

fn has_any(line: &str, words: &[&str]) -> bool {
    words.iter().any(|w| contains_word(line, w))
}

/// `word` in `line`, not as part of a longer identifier.
fn contains_word(line: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// `prefix` in `line`, not preceded by an identifier character (`TxnState::` but not
/// `ClientTxnState::`).
fn starts_word(line: &str, prefix: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(prefix)
        .any(|(i, _)| !line[..i].chars().next_back().is_some_and(ident))
}

fn compares(line: &str) -> bool {
    [" < ", " > ", " <= ", " >= "]
        .iter()
        .any(|op| line.contains(op))
}

/// A `TxnState::` arm of a name or colour table: `TxnState::A | TxnState::B => CONSTANT,`.
fn is_table_arm(line: &str) -> bool {
    let Some((arms, value)) = line.trim().split_once(" => ") else {
        return false;
    };
    let constant = value
        .strip_suffix(',')
        .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
    constant
        && arms.split(" | ").all(|a| {
            a.strip_prefix("TxnState::")
                .is_some_and(|v| v.chars().all(char::is_alphanumeric))
        })
}

const RULES: &[Rule] = &[
    Rule {
        name: "a group's phase from its GroupState",
        found: |l| l.contains("GroupState::"),
        instead: "Sim::group_phase",
    },
    Rule {
        name: "a member's state looked up to decide a phase or its progress",
        found: |l| l.contains("Some(MemberState::"),
        instead: "Sim::group_phase, Sim::group_progress",
    },
    Rule {
        name: "which members take part in a rebalance",
        found: |l| l.contains("MemberState::Joining | MemberState::Syncing"),
        instead: "Sim::member_rebalance",
    },
    Rule {
        name: "a rebalance protocol compared (cooperative keeps, mixed groups)",
        found: |l| {
            l.contains("== RebalanceProtocol::")
                || l.contains("!= RebalanceProtocol::")
                || l.contains("rebalance_protocol() ==")
                || l.contains("rebalance_protocol() !=")
        },
        instead: "Sim::group_rebalance_protocol, Sim::member_rebalance",
    },
    Rule {
        name: "a transaction's state decided from TxnState (other than a name or colour table)",
        found: |l| starts_word(l, "TxnState::") && !is_table_arm(l),
        instead:
            "TxnState::is_open, TxnState::names_partitions, Sim::partitions_in_open_transactions",
    },
    Rule {
        name: "a processor's phase compared",
        found: |l| l.contains("ProcessorPhase::"),
        instead: "Processor::is_crashed, Sim::twin_change_waits",
    },
    Rule {
        name: "which producer instance an application drives (zombies)",
        found: |l| l.contains("app_instance(") || l.contains("is_processor_app("),
        instead: "Sim::running_app_producer, Sim::is_zombie, view::is_processor_producer",
    },
    Rule {
        name: "open transactions' first offsets read",
        found: |l| l.contains(".ongoing"),
        instead: "Sim::first_open_offset, Sim::lso_holder",
    },
    Rule {
        name: "the LSO compared with the high watermark or a position",
        found: |l| {
            has_any(l, &["lso", "last_stable_offset"])
                && has_any(l, &["hw", "high_watermark", "pos", "position"])
                && compares(l)
        },
        instead: "Sim::consumer_waits_at_lso, Sim::lso_holder",
    },
    Rule {
        name: "lag as a fetch limit or high watermark minus a position",
        found: |l| {
            has_any(l, &["consumer_fetch_limit", "high_watermark", "hw"])
                && has_any(l, &["pos", "position"])
                && (l.contains("saturating_sub") || l.contains(" - "))
        },
        instead: "Sim::consumer_partition_lag, Sim::consumer_lag_total",
    },
    Rule {
        name: "records-lag-max as the largest partition lag of a sample",
        found: |l| l.contains("partitions.iter().map(|p| p.0)"),
        instead: "GroupLagSample::records_lag_max",
    },
    Rule {
        name: "the twin's config (the other processing.guarantee) built by the page",
        found: |l| l.contains("guarantee.value.other()"),
        instead: "view::twin_config",
    },
    Rule {
        name: "a processor restart's wait decided by the page",
        found: |l| l.contains("RestartProcessor { processor, .. }"),
        instead: "Sim::twin_change_waits",
    },
];

/// Every (file:line, rule) where a rule's shape occurs in `src`.
fn violations(src: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for m in source::modules(src) {
        let raw = std::fs::read_to_string(&m.file).unwrap_or_default();
        for (i, (code, raw_line)) in m.code.lines().zip(raw.lines()).enumerate() {
            for r in RULES.iter().filter(|r| (r.found)(code)) {
                out.push(format!(
                    "{}:{}: {} (the core's {} instead): {}",
                    m.file.display(),
                    i + 1,
                    r.name,
                    r.instead,
                    raw_line.trim()
                ));
            }
        }
    }
    out
}

#[test]
fn the_web_crate_decides_no_kafka_rule() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = violations(&src);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Each rule catches the shape it names (the lines the page had before issue 12).
#[test]
fn each_rule_catches_what_it_names() {
    let old = [
        "        GroupState::PreparingRebalance => Phase::Join,",
        "    let syncing = |c: u32| member_state(sim, c) == Some(MemberState::Syncing);",
        "            MemberState::Joining | MemberState::Syncing | MemberState::Unjoined",
        "    } else if c.strategies.rebalance_protocol() == RebalanceProtocol::Cooperative {",
        "        TxnState::Ongoing | TxnState::PrepareCommit | TxnState::PrepareAbort",
        "                .is_some_and(|p| p.phase != ProcessorPhase::Crashed),",
        "        && sim.app_instance(p.app) != Some(p.index)",
        "                    .and_then(|t| t.ongoing.values().min().copied());",
        "    sim.consumer_read_committed(consumer) && position >= pt.lso && pt.lso < hw",
        "            let lag = sim.consumer_fetch_limit(c.index, *tp).saturating_sub(pos);",
        "    let lag_max = |s: &GroupLagSample| s.partitions.iter().map(|p| p.0).max().unwrap_or(0);",
        "        cfg.pipeline.guarantee.value.other().name(),",
        "            Change::RestartProcessor { processor, .. } => self",
    ];
    for (r, line) in RULES.iter().zip(old) {
        assert!((r.found)(line), "{}: {line}", r.name);
    }
    assert_eq!(RULES.len(), old.len());
    // A colour table stays allowed.
    assert!(!(RULES[4].found)(
        "        TxnState::PrepareCommit | TxnState::PrepareAbort => WARN,"
    ));
    assert!(!(RULES[8].found)("    if pt.lso >= scale.from {"));
    assert!(!(RULES[4].found)(
        "    let fatal = tm.state == ClientTxnState::Fatal;"
    ));
    // Blanked literals: a rule named in a message or a comment is not code.
    let code = source::blank("let s = \"GroupState::Stable\"; // TxnState::Ongoing\n");
    assert!(RULES.iter().all(|r| !(r.found)(&code)));
}
