//! The page's structure, checked natively by `cargo test --workspace` (on wasm32 this file
//! compiles to nothing): no import cycle between the modules of `crates/web`, and no file of
//! it over 600 lines. The same checks on `crates/core` are `#[ignore]`d until its cycles are
//! fixed (run them with `cargo test -p streamscope-web --test layering -- --ignored`).
//!
//! A module here is a file (`render/groups.rs` is `render::groups`); it references another when
//! it names a path into it (`crate::x`, `super::x`, a child `mod x;` and `x::..`), see
//! `source/mod.rs`. A child module naming its parent (`super::f` from `render/groups.rs` to
//! `render.rs`) is a cycle with the parent's `mod` line: shared helpers live in a sibling.
#![cfg(not(target_arch = "wasm32"))]

mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Most lines a source file may have.
const MAX_LINES: usize = 600;

fn src(krate: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("src")
}

/// The cycles of a crate, each with the references that make it, as text.
fn cycle_report(krate: &str) -> Vec<String> {
    let (mods, edges) = source::graph(&src(krate));
    let files: BTreeMap<&str, &Path> = mods
        .iter()
        .map(|m| (m.path.as_str(), m.file.as_path()))
        .collect();
    source::cycles(&edges)
        .into_iter()
        .map(|scc| {
            let mut s = format!("cycle: {}", scc.join(", "));
            for from in &scc {
                for r in edges[from].iter().filter(|r| scc.contains(&r.to)) {
                    let file = files
                        .get(from.as_str())
                        .map_or(String::new(), |f| f.display().to_string());
                    s.push_str(&format!("\n    {from} -> {} ({file}:{})", r.to, r.line));
                }
            }
            s
        })
        .collect()
}

fn long_files(krate: &str) -> Vec<String> {
    source::modules(&src(krate))
        .into_iter()
        .filter(|m| m.lines > MAX_LINES)
        .map(|m| format!("{}: {} lines", m.file.display(), m.lines))
        .collect()
}

/// The modules in an order where each imports only modules before it (what `lib.rs` lists).
fn layers(krate: &str) -> Vec<String> {
    let (_, edges) = source::graph(&src(krate));
    let mut placed: Vec<String> = Vec::new();
    let mut left: Vec<&String> = edges.keys().collect();
    while !left.is_empty() {
        let ready: Vec<&String> = left
            .iter()
            .copied()
            .filter(|m| {
                edges[*m]
                    .iter()
                    .all(|r| placed.contains(&r.to) || !edges.contains_key(&r.to))
            })
            .collect();
        if ready.is_empty() {
            break;
        }
        placed.extend(ready.iter().map(|m| (*m).clone()));
        left.retain(|m| !ready.contains(m));
    }
    placed
}

#[test]
fn the_web_crate_has_no_import_cycle() {
    let cycles = cycle_report("web");
    assert!(cycles.is_empty(), "{}", cycles.join("\n"));
    // Every module finds its place in the layers (the root `lib.rs` last, as ``).
    let order = layers("web");
    println!("crates/web modules, bottom up: {}", order.join(" < "));
    assert_eq!(order.last().map(String::as_str), Some(""));
}

#[test]
fn the_web_crate_files_stay_short() {
    let long = long_files("web");
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}

#[test]
#[ignore = "crates/core still has import cycles (sim/mod.rs and its children); being fixed"]
fn the_core_crate_has_no_import_cycle() {
    let cycles = cycle_report("core");
    assert!(cycles.is_empty(), "{}", cycles.join("\n"));
}

#[test]
#[ignore = "crates/core still has files over 600 lines; being split"]
fn the_core_crate_files_stay_short() {
    let long = long_files("core");
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// The checker itself: a child naming its parent is a cycle; a use tree is expanded.
#[test]
fn the_checker_finds_what_it_should() {
    use std::collections::BTreeSet;
    let known: BTreeSet<String> = ["", "a", "a::b", "a::c", "d"].map(String::from).into();
    let module = |path: &str, text: &str| source::Module {
        path: path.to_string(),
        file: PathBuf::from(path),
        code: source::blank(text),
        lines: text.lines().count(),
    };
    let refs = |m: &source::Module| -> Vec<String> {
        source::references(m, &known)
            .into_iter()
            .map(|r| r.to)
            .collect()
    };
    let a = module(
        "a",
        "mod b;\nmod c;\nuse b::X;\n// crate::d::Y in a comment\nlet s = \"crate::d\";\n",
    );
    assert_eq!(refs(&a), ["a::b", "a::c"]);
    let b = module(
        "a::b",
        "use super::{c::Z, W};\nuse crate::{d, a::c as e};\nmod tests {\n    use super::*;\n}\n",
    );
    assert_eq!(refs(&b), ["a", "a::c", "d"]);
    let edges: BTreeMap<String, Vec<source::Reference>> = [("a", &a), ("a::b", &b)]
        .into_iter()
        .map(|(p, m)| (p.to_string(), source::references(m, &known)))
        .collect();
    assert_eq!(
        source::cycles(&edges),
        vec![vec!["a".to_string(), "a::b".to_string()]]
    );
}

/// `lib.rs` lists the top-level modules bottom up: each (with its children) imports only
/// modules listed before it.
#[test]
fn lib_rs_lists_the_layers_bottom_up() {
    let lib = std::fs::read_to_string(src("web").join("lib.rs")).unwrap_or_default();
    let order: Vec<String> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ")?.strip_suffix(';'))
        .map(String::from)
        .collect();
    assert!(order.len() > 10, "{order:?}");
    let (_, edges) = source::graph(&src("web"));
    let top = |m: &str| m.split("::").next().unwrap_or("").to_string();
    let mut wrong = Vec::new();
    for (from, refs) in &edges {
        let Some(at) = order.iter().position(|o| *o == top(from)) else {
            continue;
        };
        for r in refs {
            let to = top(&r.to);
            if to != top(from) && order.iter().position(|o| *o == to).is_some_and(|i| i > at) {
                wrong.push(format!(
                    "{from} imports {} (line {}), listed after it",
                    r.to, r.line
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
