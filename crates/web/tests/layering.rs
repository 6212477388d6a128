//! The page's layers, checked natively by `cargo test --workspace` (on wasm32 this file
//! compiles to nothing): `lib.rs` lists the modules bottom up and no module references one
//! listed above it. (No import circle and no file over 600 lines, in this crate and the core,
//! is `crates/core/tests/structure.rs`.)
//!
//! A module here is a file (`render/groups.rs` is `render::groups`); it references another when
//! it names a path into it (`crate::x`, `super::x`, a child `mod x;` and `x::..`), see
//! `crates/core/tests/source/mod.rs`.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../../core/tests/source/mod.rs"]
mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn src(krate: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("src")
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

#[test]
fn every_module_finds_its_layer() {
    // Every module is placed above all it imports (the root `lib.rs` last, as ``).
    let order = layers("web");
    println!("crates/web modules, bottom up: {}", order.join(" < "));
    assert_eq!(order.last().map(String::as_str), Some(""));
}
