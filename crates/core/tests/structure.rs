//! The shape of the code, as a reader can check it (issue 12): no import circle among the files
//! of `crates/core/src` or `crates/web/src` (a file's paths `crate::…`, `super::…`, `self::…`
//! and its child modules, resolved to the file that defines the module they name), and no file
//! there over 600 lines. `cargo test -p streamscope-core --test structure` prints any circle
//! with the names that tie it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file under `src` (`sim/schedule/mod.rs` -> `[sim, schedule]`).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("file under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and string literals (so a doc comment's path or a
/// message's text is no import).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let b: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < b.len() {
        if b[i] == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if b[i] == '/' && b.get(i + 1) == Some(&'*') {
            while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if b[i] == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == '\''
            && b.get(i + 2) == Some(&'\'')
            && b.get(i + 1)
                .is_some_and(|c| *c == '"' || *c == '{' || *c == '}')
        {
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Every path the code names: `a::b::c` runs, with `{x, y::z}` groups expanded.
fn paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !ident(chars[i]) || (i > 0 && (ident(chars[i - 1]) || chars[i - 1] == ':')) {
            i += 1;
            continue;
        }
        let (segs, next) = read_path(&chars, i);
        for s in segs {
            if s.len() > 1 {
                out.push(s);
            }
        }
        i = next.max(i + 1);
    }
    out
}

/// Reads `a::b::{c, d::e}` from `i`; returns the expanded paths and where it ended.
fn read_path(chars: &[char], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut prefix = Vec::new();
    loop {
        let start = i;
        while i < chars.len() && ident(chars[i]) {
            i += 1;
        }
        if start == i {
            break;
        }
        prefix.push(chars[start..i].iter().collect::<String>());
        if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
            i += 2;
            if chars.get(i) == Some(&'{') {
                i += 1;
                let mut all = Vec::new();
                loop {
                    while i < chars.len() && (chars[i].is_whitespace() || chars[i] == ',') {
                        i += 1;
                    }
                    if i >= chars.len() || chars[i] == '}' {
                        i += 1;
                        break;
                    }
                    let (inner, next) = read_path(chars, i);
                    for s in inner {
                        let mut p = prefix.clone();
                        p.extend(s);
                        all.push(p);
                    }
                    i = next.max(i + 1);
                    // skip `as name`
                    while i < chars.len() && chars[i] != ',' && chars[i] != '}' {
                        i += 1;
                    }
                }
                return (all, i);
            }
            continue;
        }
        break;
    }
    (vec![prefix], i)
}

/// The file of the longest module prefix of `path` (seen from module `here`), if any.
fn resolve(
    path: &[String],
    here: &[String],
    modules: &BTreeMap<Vec<String>, PathBuf>,
) -> Option<PathBuf> {
    let mut abs: Vec<String> = match path[0].as_str() {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let mut h = here.to_vec();
            let mut k = 0;
            while path.get(k).is_some_and(|s| s == "super") {
                h.pop();
                k += 1;
            }
            h.extend(path[k..].iter().cloned());
            return longest(&h, modules);
        }
        first => {
            // A child module of this one, named without `self::`.
            let mut child = here.to_vec();
            child.push(first.to_string());
            if !modules.contains_key(&child) {
                return None;
            }
            here.to_vec()
        }
    };
    let skip = usize::from(matches!(path[0].as_str(), "crate" | "self"));
    abs.extend(path[skip..].iter().cloned());
    longest(&abs, modules)
}

fn longest(abs: &[String], modules: &BTreeMap<Vec<String>, PathBuf>) -> Option<PathBuf> {
    (1..=abs.len())
        .rev()
        .find_map(|n| modules.get(&abs[..n]).cloned())
}

/// The import graph of one crate's files: file -> (file it names -> the names).
fn graph(src: &Path) -> BTreeMap<PathBuf, BTreeMap<PathBuf, BTreeSet<String>>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .map(|f| (module_of(src, f), f.clone()))
        .collect();
    let mut g = BTreeMap::new();
    for f in &files {
        let here = module_of(src, f);
        let text = std::fs::read_to_string(f).expect("read source");
        let mut edges: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
        for p in paths(&code_only(&text)) {
            if let Some(to) = resolve(&p, &here, &modules) {
                // A module's own children are below it, not an import.
                let to_mod = module_of(src, &to);
                let is_child = to_mod.len() > here.len() && to_mod[..here.len()] == here[..];
                if &to != f && !is_child {
                    edges
                        .entry(to)
                        .or_default()
                        .insert(p.last().cloned().unwrap_or_default());
                }
            }
        }
        g.insert(f.clone(), edges);
    }
    g
}

/// Strongly connected components with more than one file (Tarjan).
fn circles(g: &BTreeMap<PathBuf, BTreeMap<PathBuf, BTreeSet<String>>>) -> Vec<Vec<PathBuf>> {
    struct T<'a> {
        g: &'a BTreeMap<PathBuf, BTreeMap<PathBuf, BTreeSet<String>>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on: BTreeSet<&'a PathBuf>,
        out: Vec<Vec<PathBuf>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a PathBuf) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        let g = t.g;
        for w in g[v].keys() {
            let Some((w, _)) = g.get_key_value(w) else {
                continue;
            };
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

fn src_of(krate: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("src")
}

fn describe(src: &Path, g: &BTreeMap<PathBuf, BTreeMap<PathBuf, BTreeSet<String>>>) -> String {
    let mut s = String::new();
    for c in circles(g) {
        s.push_str("circle:\n");
        for a in &c {
            for (b, names) in &g[a] {
                if c.contains(b) {
                    s.push_str(&format!(
                        "  {} -> {}: {:?}\n",
                        a.strip_prefix(src).unwrap_or(a).display(),
                        b.strip_prefix(src).unwrap_or(b).display(),
                        names
                    ));
                }
            }
        }
    }
    s
}

fn no_circles_in(krate: &str) {
    let src = src_of(krate);
    let g = graph(&src);
    assert!(g.len() > 10, "read the files of {krate}");
    let edges: usize = g.values().map(BTreeMap::len).sum();
    assert!(edges > g.len(), "found the imports of {krate}: {edges}");
    let found = describe(&src, &g);
    assert!(
        found.is_empty(),
        "import circles in crates/{krate}:\n{found}"
    );
}

fn no_long_files_in(krate: &str) {
    let src = src_of(krate);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).ok()?.lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines:\n  {}",
        long.join("\n  ")
    );
}

#[test]
fn the_checker_sees_a_circle() {
    let dir = std::env::temp_dir().join(format!("structure-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a")).expect("tmp");
    std::fs::write(dir.join("lib.rs"), "pub mod a;\npub mod b;\n").expect("tmp");
    std::fs::write(dir.join("a/mod.rs"), "pub mod x;\n").expect("tmp");
    std::fs::write(
        dir.join("a/x.rs"),
        "use crate::b::{B, c::C};\n// crate::lib::Nothing\npub struct X;\n",
    )
    .expect("tmp");
    std::fs::write(
        dir.join("b.rs"),
        "pub struct B;\nfn f(_: crate::a::x::X) {}\n",
    )
    .expect("tmp");
    let g = graph(&dir);
    let c = circles(&g);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(c.len(), 1, "{g:?}");
    assert_eq!(c[0].len(), 2);
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
