//! The shape of the code, as a reader can check it (issue 12): no import circle among the files
//! of `crates/core/src` or `crates/web/src` (a file's paths `crate::…`, `super::…`, `self::…`
//! and through its child modules, resolved to the file that defines the module they name; a
//! module's own children are below it, not an import), no file there over 600 lines and no
//! function over 70 (from its `fn` line to its closing brace) but the few of [`LONG_FUNCTIONS`],
//! each with its reason. `cargo test -p streamscope-core --test structure -- --nocapture`
//! prints any circle with the names that tie it and every function over the limit.
//!
//! The sources are read by `source/mod.rs`, the reader the page's structure tests
//! (`crates/web/tests/layering.rs`, `no_kafka_rules.rs`) share.

mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use source::Reference;

const MAX_LINES: usize = 600;
const MAX_FN_LINES: usize = 70;

/// The functions allowed over [`MAX_FN_LINES`]: (file under `crates/`, function, why). An entry
/// no function needs any more fails the check, so the list only shrinks.
const LONG_FUNCTIONS: &[(&str, &str, &str)] = &[
    (
        "core/src/compression/lz4.rs",
        "compress_block",
        "liblz4's LZ4_compress_generic inner loop (hash, match search, sequence write) kept in \
         one piece to mirror the reference step for step; the output is byte-compared with it",
    ),
    (
        "core/src/compression/snappy.rs",
        "decompress_raw",
        "Snappy's tag-decoding loop (literal and copy-1/2/4 tags) as the format description \
         writes it, in one piece",
    ),
];

/// The import graph of the crate whose sources are in `src`: module -> the modules it
/// references, other than its own children (a module's children are below it).
fn graph(src: &Path) -> BTreeMap<String, Vec<Reference>> {
    let (_, edges) = source::graph(src);
    edges
        .into_iter()
        .map(|(from, refs)| {
            let below = |to: &str| from.is_empty() || to.starts_with(&format!("{from}::"));
            let refs = refs.into_iter().filter(|r| !below(&r.to)).collect();
            (from, refs)
        })
        .collect()
}

fn src_of(krate: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("src")
}

/// Each circle, with the names that tie its modules.
fn describe(g: &BTreeMap<String, Vec<Reference>>) -> String {
    let mut s = String::new();
    for c in source::cycles(g) {
        s.push_str("circle:\n");
        for a in &c {
            for r in g[a].iter().filter(|r| c.contains(&r.to)) {
                s.push_str(&format!(
                    "  {a} -> {} (line {}): {:?}\n",
                    r.to, r.line, r.names
                ));
            }
        }
    }
    s
}

fn no_circles_in(krate: &str) {
    let g = graph(&src_of(krate));
    assert!(g.len() > 10, "read the files of {krate}");
    let edges: usize = g.values().map(Vec::len).sum();
    assert!(edges > g.len(), "found the imports of {krate}: {edges}");
    let found = describe(&g);
    assert!(
        found.is_empty(),
        "import circles in crates/{krate}:\n{found}"
    );
}

fn no_long_files_in(krate: &str) {
    let long: Vec<String> = source::modules(&src_of(krate))
        .iter()
        .filter(|m| m.lines > MAX_LINES)
        .map(|m| format!("{} ({} lines)", m.file.display(), m.lines))
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines:\n  {}",
        long.join("\n  ")
    );
}

/// Every function over [`MAX_FN_LINES`] in `src`: (file as `krate/src/…`, name, line, lines).
fn long_functions(krate: &str, src: &Path) -> Vec<(String, String, usize, usize)> {
    let mut out = Vec::new();
    for m in source::modules(src) {
        let rel = m.file.strip_prefix(src).unwrap_or(&m.file);
        let file = format!("{krate}/src/{}", rel.display());
        for f in source::functions(&m.code) {
            if f.lines > MAX_FN_LINES {
                out.push((file.clone(), f.name, f.line, f.lines));
            }
        }
    }
    out
}

fn no_long_functions_in(krate: &str) {
    let found = long_functions(krate, &src_of(krate));
    let allowed = |file: &str, name: &str| {
        LONG_FUNCTIONS
            .iter()
            .any(|(f, n, _)| *f == file && *n == name)
    };
    for (file, name, line, lines) in &found {
        let why = LONG_FUNCTIONS
            .iter()
            .find(|(f, n, _)| f == file && n == name)
            .map_or("not allowed", |(_, _, why)| why);
        println!("{file}:{line}: fn {name}: {lines} lines ({why})");
    }
    let long: Vec<String> = found
        .iter()
        .filter(|(file, name, ..)| !allowed(file, name))
        .map(|(file, name, line, lines)| format!("{file}:{line}: fn {name} ({lines} lines)"))
        .collect();
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n  {}",
        long.join("\n  ")
    );
    let needed: BTreeSet<(&str, &str)> = found
        .iter()
        .map(|(file, name, ..)| (file.as_str(), name.as_str()))
        .collect();
    let stale: Vec<String> = LONG_FUNCTIONS
        .iter()
        .filter(|(f, n, _)| f.starts_with(&format!("{krate}/")) && !needed.contains(&(*f, *n)))
        .map(|(f, n, _)| format!("{f}: fn {n}"))
        .collect();
    assert!(
        stale.is_empty(),
        "allowed long functions no longer over {MAX_FN_LINES} lines (drop them from \
         LONG_FUNCTIONS):\n  {}",
        stale.join("\n  ")
    );
}

/// A scratch `src` directory with the given files, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, files: &[(&str, String)]) -> Scratch {
        let dir = std::env::temp_dir().join(format!("structure-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().expect("a parent")).expect("tmp");
            std::fs::write(file, text).expect("tmp");
        }
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_checker_sees_a_circle() {
    let dir = Scratch::new(
        "circle",
        &[
            ("lib.rs", "pub mod a;\npub mod b;\npub mod d;\n".into()),
            ("a/mod.rs", "pub mod x;\n".into()),
            (
                "a/x.rs",
                "use crate::b::{B, c::C};\n// crate::d::Nothing\npub struct X;\n".into(),
            ),
            ("b.rs", "pub struct B;\nfn f(_: crate::a::x::X) {}\n".into()),
            // A use tree over several lines, and a child naming its parent (no circle).
            (
                "d/mod.rs",
                "pub mod e;\nuse crate::{\n    a::x::X,\n};\n".into(),
            ),
            ("d/e.rs", "use super::super::d::Y;\n".into()),
        ],
    );
    let g = graph(&dir.0);
    let c = source::cycles(&g);
    assert_eq!(c, vec![vec!["a::x".to_string(), "b".to_string()]], "{g:?}");
    let d: Vec<&str> = g["d"].iter().map(|r| r.to.as_str()).collect();
    assert_eq!(d, ["a::x"]);
    assert!(describe(&g).contains("a::x -> b (line 1): {\"B\", \"C\"}"));
}

#[test]
fn the_checker_sees_a_long_function() {
    let body = |n: usize| -> String {
        (0..n)
            .map(|k| format!("    let _x{k} = 0;\n"))
            .collect::<String>()
    };
    // 1 line `fn`, 68 lines of body and 1 of `}`: 70, allowed; one more line is over.
    let text = format!(
        "/// fn doc() {{\npub fn at_limit() {{\n    let _ = \"}}\"; let _ = '{{'; // }}\n{}}}\n\
         trait T {{\n    fn declared(&self) -> [u8; 2];\n}}\n\
         fn over<'a>(s: &'a str) -> impl Fn() -> &'a str\nwhere\n    'a: 'a,\n{{\n\
         {}    move || s /* }} */\n}}\n",
        body(67),
        body(65),
    );
    let dir = Scratch::new("long", &[("lib.rs", text.clone())]);
    let found: Vec<(String, usize)> = source::functions(&source::blank(&text))
        .into_iter()
        .map(|f| (f.name, f.lines))
        .collect();
    assert_eq!(
        found,
        [("at_limit".to_string(), 70), ("over".to_string(), 71)]
    );
    let long = long_functions("scratch", &dir.0);
    assert_eq!(
        long,
        [("scratch/src/lib.rs".to_string(), "over".to_string(), 75, 71)]
    );
}

#[test]
fn no_import_circle_in_the_core() {
    no_circles_in("core");
}

#[test]
fn no_import_circle_in_the_page() {
    no_circles_in("web");
}

#[test]
fn no_core_file_over_600_lines() {
    no_long_files_in("core");
}

#[test]
fn no_page_file_over_600_lines() {
    no_long_files_in("web");
}

#[test]
fn no_core_function_over_70_lines() {
    no_long_functions_in("core");
}

#[test]
fn no_page_function_over_70_lines() {
    no_long_functions_in("web");
}
