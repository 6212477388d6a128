//! Reading a crate's sources for the structure tests (`crates/core/tests/structure.rs`,
//! `crates/web/tests/layering.rs`, `crates/web/tests/no_kafka_rules.rs`; the web's include this
//! file with `#[path = "../../core/tests/source/mod.rs"] mod source;`): every `.rs` file under a
//! `src` directory as a module path, its text with comments and the contents of string and
//! character literals blanked out (so a rule, a path or a brace named in a doc comment or a
//! message does not count), the module paths it references and the length of its functions.
//!
//! A reference is a path starting with `crate::`, `super::` or `self::` (in a `use` tree, also
//! one over several lines, or in an expression), or a path through a child module its file
//! declares (`mod x;` then `x::y`), resolved to the longest known module it names; declaring a
//! child module (`mod x;`) is a reference to it too. Inline modules (`mod tests { .. }`) are
//! part of their file's module: their `super::` is the file's module.

// Each test file that includes this module uses part of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// One source file as a module.
pub struct Module {
    /// `render::groups` (the crate root is ``).
    pub path: String,
    pub file: PathBuf,
    /// The file's text, comments and literal contents blanked (lines kept).
    pub code: String,
    pub lines: usize,
}

/// Every `.rs` file under `src`, in path order.
pub fn modules(src: &Path) -> Vec<Module> {
    let mut files = Vec::new();
    walk(src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = fs::read_to_string(&file).unwrap_or_default();
            Module {
                path: module_path(src, &file),
                code: blank(&text),
                lines: text.lines().count(),
                file,
            }
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/render/groups.rs` -> `render::groups`; `src/lib.rs` -> ``; `src/a/mod.rs` -> `a`.
pub fn module_path(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts
        .last()
        .is_some_and(|l| l == "mod" || l == "lib" || l == "main")
    {
        parts.pop();
    }
    parts.join("::")
}

/// `text` with comments and the insides of string / char literals replaced by spaces
/// (newlines kept, so line numbers stay).
pub fn blank(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let keep = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            while i < b.len() && !(b[i] == '*' && b.get(i + 1) == Some(&'/')) {
                out.push(keep(b[i]));
                i += 1;
            }
            out.push_str("  ");
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && raw_start(&b, i) {
            i = raw_string(&b, i, &mut out);
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(keep(b[i]));
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' && is_char_literal(&b, i) {
            // `'x'`, or an escape (`'\\'`, `'\''`, `'\u{7f}'`) up to its closing quote.
            let end = if b[i + 1] == '\\' {
                (i + 3..b.len()).find(|&j| b[j] == '\'').unwrap_or(i + 2)
            } else {
                i + 2
            };
            out.push_str("' '");
            for _ in i + 3..=end {
                out.push(' ');
            }
            i = end + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// An `r` that opens a raw string (`r"..."`, `r#"..."#`, `br"..."`), not an identifier's end.
fn raw_start(b: &[char], i: usize) -> bool {
    let ident_at = |k: usize| b[k].is_alphanumeric() || b[k] == '_';
    let byte_raw = i > 0 && b[i - 1] == 'b' && (i == 1 || !ident_at(i - 2));
    let prev_ident = i > 0 && ident_at(i - 1) && !byte_raw;
    let mut j = i + 1;
    while b.get(j) == Some(&'#') {
        j += 1;
    }
    !prev_ident && b.get(j) == Some(&'"')
}

fn raw_string(b: &[char], i: usize, out: &mut String) -> usize {
    let mut j = i + 1;
    let mut hashes = 0;
    while b.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    j += 1;
    out.push('"');
    while j < b.len() {
        if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
            out.push('"');
            return j + 1 + hashes;
        }
        out.push(if b[j] == '\n' { '\n' } else { ' ' });
        j += 1;
    }
    j
}

/// A `'` that opens a char literal (not a lifetime): `'x'` or `'\..'`.
fn is_char_literal(b: &[char], i: usize) -> bool {
    matches!(
        (b.get(i + 1), b.get(i + 2)),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// A reference from one module to another, with the first line it is on and the last segments
/// of the paths that make it (the names that tie a circle).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    pub to: String,
    pub line: usize,
    pub names: BTreeSet<String>,
}

/// The modules `m` references (other than itself), each with the first line it does.
pub fn references(m: &Module, known: &BTreeSet<String>) -> Vec<Reference> {
    let mut found: BTreeMap<String, (usize, BTreeSet<String>)> = BTreeMap::new();
    let children: BTreeSet<String> = child_modules(&m.code);
    let mut note = |to: String, line: usize, name: &str| {
        if to != m.path {
            let (_, names) = found.entry(to).or_insert((line, BTreeSet::new()));
            names.insert(name.to_string());
        }
    };
    for c in &children {
        note(join(&m.path, c), line_of(&m.code, &format!("mod {c}")), c);
    }
    let inline = inline_modules(&m.code);
    for (path, line_no) in paths_in(&m.code) {
        let here = match inline.get(line_no - 1).and_then(Option::as_ref) {
            Some(name) => join(&m.path, name),
            None => m.path.clone(),
        };
        let Some(abs) = absolute(&here, &path, &children) else {
            continue;
        };
        if let Some(to) = longest_module(&abs, known) {
            note(to, line_no, path.last().map_or("", String::as_str));
        }
    }
    found
        .into_iter()
        .map(|(to, (line, names))| Reference { to, line, names })
        .collect()
}

/// Per line, the inline module (`mod tests { .. }`) it is in, if any (one level deep).
fn inline_modules(code: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    let mut depth: i64 = 0;
    let mut current: Option<(String, i64)> = None;
    for line in code.lines() {
        let t = line.trim();
        if current.is_none() {
            if let Some(name) = t
                .strip_prefix("mod ")
                .or_else(|| t.strip_prefix("pub mod "))
                .and_then(|r| r.strip_suffix('{'))
            {
                current = Some((name.trim().to_string(), depth));
            }
        }
        out.push(current.as_ref().map(|(n, _)| n.clone()));
        depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
        if current.as_ref().is_some_and(|(_, d)| depth <= *d) {
            current = None;
        }
    }
    out
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}::{b}")
    }
}

fn line_of(code: &str, needle: &str) -> usize {
    code.lines()
        .position(|l| l.contains(needle))
        .map_or(0, |i| i + 1)
}

/// The child modules a file declares (`mod x;`, not inline `mod x { .. }`).
fn child_modules(code: &str) -> BTreeSet<String> {
    code.lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            let l = l.strip_prefix("pub(crate) ").unwrap_or(l);
            let name = l.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.trim().to_string())
        })
        .collect()
}

/// Every path in the code (`a::b::c`, use trees expanded: `x::{y, z::w}` -> `x::y`,
/// `x::z::w`, also over several lines), each with the line it starts on (from 1).
fn paths_in(code: &str) -> Vec<(Vec<String>, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let starts = (i == 0 || !is_ident(chars[i - 1]) && chars[i - 1] != ':')
            && is_ident(chars[i])
            && !chars[i].is_ascii_digit();
        if starts {
            let (paths, end) = parse_tree(&chars, i);
            out.extend(paths.into_iter().filter(|p| p.len() > 1).map(|p| (p, line)));
            let end = end.max(i + 1);
            line += chars[i..end.min(chars.len())]
                .iter()
                .filter(|c| **c == '\n')
                .count();
            i = end;
        } else {
            if chars[i] == '\n' {
                line += 1;
            }
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Parses `a::b::{c, d::e}` from `i`; returns the expanded paths and where it ended.
fn parse_tree(chars: &[char], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        let start = i;
        while i < chars.len() && is_ident(chars[i]) {
            i += 1;
        }
        if i == start {
            break;
        }
        prefix.push(chars[start..i].iter().collect::<String>());
        if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
            i += 2;
            if chars.get(i) == Some(&'{') {
                let (inner, end) = parse_group(chars, i + 1);
                let paths = inner
                    .into_iter()
                    .map(|p| prefix.iter().cloned().chain(p).collect())
                    .collect();
                return (paths, end);
            }
            continue;
        }
        break;
    }
    (vec![prefix], i)
}

fn parse_group(chars: &[char], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut out = Vec::new();
    while i < chars.len() {
        match chars[i] {
            '}' => return (out, i + 1),
            c if is_ident(c) => {
                let (paths, end) = parse_tree(chars, i);
                out.extend(paths);
                i = skip_rename(chars, end);
            }
            _ => i += 1,
        }
    }
    (out, i)
}

/// After a use tree's item: past ` as name`, if it is renamed.
fn skip_rename(chars: &[char], i: usize) -> usize {
    let mut j = i;
    while chars.get(j) == Some(&' ') {
        j += 1;
    }
    if chars.get(j) == Some(&'a')
        && chars.get(j + 1) == Some(&'s')
        && chars.get(j + 2) == Some(&' ')
    {
        j += 3;
        while chars.get(j) == Some(&' ') {
            j += 1;
        }
        while chars.get(j).is_some_and(|c| is_ident(*c)) {
            j += 1;
        }
        return j;
    }
    i
}

/// `path` as an absolute module path from the crate root, if it is one of ours.
fn absolute(from: &str, path: &[String], children: &BTreeSet<String>) -> Option<Vec<String>> {
    let mut base: Vec<String> = if from.is_empty() {
        Vec::new()
    } else {
        from.split("::").map(String::from).collect()
    };
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") | Some("$crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        Some(first) if children.contains(first) => {}
        _ => return None,
    }
    Some(base.into_iter().chain(rest.iter().cloned()).collect())
}

fn longest_module(abs: &[String], known: &BTreeSet<String>) -> Option<String> {
    (0..=abs.len())
        .rev()
        .map(|n| abs[..n].join("::"))
        .find(|p| known.contains(p))
}

/// The strongly connected components of more than one module (the import cycles), each as
/// its modules in order.
pub fn cycles(edges: &BTreeMap<String, Vec<Reference>>) -> Vec<Vec<String>> {
    let nodes: Vec<&String> = edges.keys().collect();
    let index: BTreeMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let adj: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            edges[*n]
                .iter()
                .filter_map(|r| index.get(r.to.as_str()).copied())
                .collect()
        })
        .collect();
    let reach = |from: usize| {
        let mut seen = vec![false; nodes.len()];
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            for &m in &adj[n] {
                if !seen[m] {
                    seen[m] = true;
                    stack.push(m);
                }
            }
        }
        seen
    };
    let reachable: Vec<Vec<bool>> = (0..nodes.len()).map(reach).collect();
    let mut done = vec![false; nodes.len()];
    let mut out = Vec::new();
    for a in 0..nodes.len() {
        if done[a] || !reachable[a][a] {
            continue;
        }
        let scc: Vec<usize> = (0..nodes.len())
            .filter(|&b| reachable[a][b] && reachable[b][a])
            .collect();
        for &b in &scc {
            done[b] = true;
        }
        if scc.len() > 1 {
            out.push(scc.iter().map(|&b| nodes[b].clone()).collect());
        }
    }
    out
}

/// The import graph of the crate whose sources are in `src`.
pub fn graph(src: &Path) -> (Vec<Module>, BTreeMap<String, Vec<Reference>>) {
    let mods = modules(src);
    let known: BTreeSet<String> = mods.iter().map(|m| m.path.clone()).collect();
    let edges = mods
        .iter()
        .map(|m| (m.path.clone(), references(m, &known)))
        .collect();
    (mods, edges)
}

/// One `fn` item (or a nested one) of a file: its name, the line of its `fn` keyword and how
/// many lines it spans to its closing brace (a declaration without a body has none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    pub line: usize,
    pub lines: usize,
}

/// The functions of blanked code (see [`blank`]: braces in strings, chars and comments are
/// gone), in order: from each `fn name` to the `{` that opens its body (outside the
/// signature's parentheses, brackets and generics) and the brace that closes it.
pub fn functions(code: &str) -> Vec<Function> {
    let chars: Vec<char> = code.chars().collect();
    let line_at = |end: usize| 1 + chars[..end].iter().filter(|c| **c == '\n').count();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < chars.len() {
        let keyword = chars[i] == 'f'
            && chars[i + 1] == 'n'
            && chars[i + 2].is_whitespace()
            && (i == 0 || !is_ident(chars[i - 1]));
        if !keyword {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        let start = j;
        while j < chars.len() && is_ident(chars[j]) {
            j += 1;
        }
        let name: String = chars[start..j].iter().collect();
        if let (false, Some(open)) = (name.is_empty(), body_start(&chars, j)) {
            if let Some(close) = closing_brace(&chars, open) {
                let (first, last) = (line_at(i), line_at(close));
                out.push(Function {
                    name,
                    line: first,
                    lines: last - first + 1,
                });
            }
        }
        i = j.max(i + 1);
    }
    out
}

/// The `{` that opens a function body after its name, or `None` at a `;` (no body).
fn body_start(chars: &[char], mut i: usize) -> Option<usize> {
    let mut depth = 0i64;
    while i < chars.len() {
        match chars[i] {
            '(' | '[' | '<' => depth += 1,
            ')' | ']' => depth -= 1,
            // `->` is no closing angle bracket.
            '>' if i == 0 || chars[i - 1] != '-' => depth -= 1,
            '{' if depth <= 0 => return Some(i),
            ';' if depth <= 0 => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The `}` that closes the `{` at `open`.
fn closing_brace(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, c) in chars.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}
