//! The scenario file format (see `crates/core/scenarios/README.md`): a small line-based text,
//! TOML-like but not TOML. `key = value` lines; a line that starts with a space or a tab goes
//! on the value above it (joined with one space); `#` begins a comment line; `[[step]]` begins
//! a step and `[[claim]]` a claim of the step above it. Every key is known and given at most
//! once in its section (`input` may repeat); an error names the file, the line and the field.

use super::{Claim, Scenario, ScenarioError, Step, Text};
use crate::link::RunLink;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// What a section is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Head,
    Step,
    Claim,
}

/// One section's `key = value` lines, in order, with their line numbers.
struct Section {
    kind: Kind,
    line: usize,
    entries: Vec<(String, usize, String)>,
}

const HEAD_KEYS: &[&str] = &[
    "id",
    "title.en",
    "title.ko",
    "summary.en",
    "summary.ko",
    "concept",
    "world",
    "speed",
];
const STEP_KEYS: &[&str] = &[
    "narration.en",
    "narration.ko",
    "truth.en",
    "truth.ko",
    "input",
    "until",
    "highlight",
    "try.en",
    "try.ko",
    "try_set",
];
const CLAIM_KEYS: &[&str] = &["check", "en", "ko"];

impl Kind {
    fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::Head => HEAD_KEYS,
            Kind::Step => STEP_KEYS,
            Kind::Claim => CLAIM_KEYS,
        }
    }
}

/// Goes on with the value above an indented line.
fn continue_value(out: &mut [Section], trimmed: &str) -> Result<(), String> {
    let Some((key, _, value)) = out.last_mut().and_then(|s| s.entries.last_mut()) else {
        return Err(String::from(
            "an indented line continues a value, but no value is above it",
        ));
    };
    if key == "input" {
        return Err(String::from("an input is one line"));
    }
    value.push(' ');
    value.push_str(trimmed);
    Ok(())
}

/// The section a `[[...]]` line begins (`None`: not a section line).
fn section_line(out: &[Section], trimmed: &str) -> Result<Option<Kind>, (String, String)> {
    let kind = match trimmed {
        "[[step]]" => Kind::Step,
        "[[claim]]" => Kind::Claim,
        _ if trimmed.starts_with('[') => {
            return Err((
                trimmed.to_string(),
                String::from("unknown section: [[step]] or [[claim]]"),
            ))
        }
        _ => return Ok(None),
    };
    if kind == Kind::Claim && out.iter().all(|s| s.kind == Kind::Head) {
        return Err((
            trimmed.to_string(),
            String::from("a claim belongs to a step: put [[step]] above it"),
        ));
    }
    Ok(Some(kind))
}

/// The file's sections: its head, then steps and their claims.
fn sections(file: &str, text: &str) -> Result<Vec<Section>, ScenarioError> {
    let mut out = Vec::from([Section {
        kind: Kind::Head,
        line: 1,
        entries: Vec::new(),
    }]);
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let err = |field: &str, m: String| ScenarioError::at(file, line, field, m);
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            continue_value(&mut out, trimmed).map_err(|m| err("line", m))?;
            continue;
        }
        if let Some(kind) = section_line(&out, trimmed).map_err(|(f, m)| err(&f, m))? {
            out.push(Section {
                kind,
                line,
                entries: Vec::new(),
            });
            continue;
        }
        let Some((key, value)) = raw.split_once('=') else {
            return Err(err("line", format!("'{trimmed}': expected key = value")));
        };
        let (key, value) = (key.trim(), value.trim());
        let Some(section) = out.last_mut() else {
            continue;
        };
        if !section.kind.keys().contains(&key) {
            return Err(err(
                key,
                format!(
                    "unknown key here: one of {}",
                    section.kind.keys().join(", ")
                ),
            ));
        }
        if key != "input" && section.entries.iter().any(|(k, _, _)| k == key) {
            return Err(err(key, String::from("given twice in this section")));
        }
        section
            .entries
            .push((key.to_string(), line, value.to_string()));
    }
    Ok(out)
}

impl Section {
    fn get(&self, key: &str) -> Option<(usize, &str)> {
        self.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, l, v)| (*l, v.as_str()))
    }

    /// A required value, not empty.
    fn need(&self, file: &str, key: &str) -> Result<(usize, &str), ScenarioError> {
        match self.get(key) {
            Some((l, v)) if !v.is_empty() => Ok((l, v)),
            Some((l, _)) => Err(ScenarioError::at(file, l, key, "empty: give a value")),
            None => Err(ScenarioError::at(
                file,
                self.line,
                key,
                "missing in this section",
            )),
        }
    }

    /// `<prefix>.en` and `<prefix>.ko`, both required.
    fn text(&self, file: &str, prefix: &str) -> Result<Text, ScenarioError> {
        Ok(Text {
            en: self.need(file, &format!("{prefix}.en"))?.1.to_string(),
            ko: self.need(file, &format!("{prefix}.ko"))?.1.to_string(),
        })
    }

    /// `<prefix>.en` and `<prefix>.ko`: both or neither.
    fn optional_text(&self, file: &str, prefix: &str) -> Result<Option<Text>, ScenarioError> {
        let en = format!("{prefix}.en");
        let ko = format!("{prefix}.ko");
        match (self.get(&en), self.get(&ko)) {
            (None, None) => Ok(None),
            _ => self.text(file, prefix).map(Some),
        }
    }
}

/// Reads a scenario file (`file` names it in errors).
pub(super) fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let sections = sections(file, text)?;
    let head = &sections[0];
    let id = head.need(file, "id")?.1.to_string();
    let ok_id = id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok_id {
        let line = head.need(file, "id")?.0;
        return Err(ScenarioError::at(
            file,
            line,
            "id",
            format!("'{id}': an id is lower-case letters, digits and '-'"),
        ));
    }
    let (world_line, world) = head.need(file, "world")?;
    let link = RunLink::parse(world)
        .map_err(|e| ScenarioError::at(file, world_line, "world", e.to_string()))?;
    let speed = match head.get("speed") {
        None => None,
        Some((l, v)) => Some(speed(v).map_err(|m| ScenarioError::at(file, l, "speed", m))?),
    };
    let mut scenario = Scenario {
        id,
        file: file.to_string(),
        title: head.text(file, "title")?,
        summary: head.text(file, "summary")?,
        concept: head.need(file, "concept")?.1.to_string(),
        world: world.to_string(),
        link,
        speed,
        steps: Vec::new(),
    };
    for section in &sections[1..] {
        match section.kind {
            Kind::Step => scenario.steps.push(step(file, section)?),
            Kind::Claim => {
                let claim = claim(file, section)?;
                if let Some(step) = scenario.steps.last_mut() {
                    step.claims.push(claim);
                }
            }
            Kind::Head => {}
        }
    }
    if scenario.steps.is_empty() {
        return Err(ScenarioError::at(
            file,
            text.lines().count(),
            "[[step]]",
            "a scenario has at least one step",
        ));
    }
    Ok(scenario)
}

/// A speed factor: a number above 0 and at most 100.
fn speed(v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= 100.0 => Ok(s),
        _ => Err(format!(
            "'{v}': a speed is a number above 0 and at most 100"
        )),
    }
}

fn step(file: &str, s: &Section) -> Result<Step, ScenarioError> {
    let (until_line, until_text) = s.need(file, "until")?;
    let until = super::until::Until::parse(until_text)
        .map_err(|m| ScenarioError::at(file, until_line, "until", m))?;
    let mut inputs = Vec::new();
    for (key, line, value) in &s.entries {
        if key == "input" {
            crate::link::input_of_tag(value, crate::time::SimTime::ZERO)
                .map_err(|m| ScenarioError::at(file, *line, "input", m))?;
            inputs.push(value.clone());
        }
    }
    let highlight = match s.get("highlight") {
        None => Vec::new(),
        Some((l, v)) => super::highlight::parse_list(v)
            .map_err(|m| ScenarioError::at(file, l, "highlight", m))?,
    };
    let try_set = match s.get("try_set") {
        None => None,
        Some((l, v)) => Some(try_set(v).map_err(|m| ScenarioError::at(file, l, "try_set", m))?),
    };
    Ok(Step {
        line: s.line,
        narration: s.text(file, "narration")?,
        truth: s.optional_text(file, "truth")?,
        inputs,
        until,
        until_text: until_text.to_string(),
        highlight,
        try_text: s.optional_text(file, "try")?,
        try_set,
        claims: Vec::new(),
    })
}

/// `name:value`, a setting the registry has and a value it takes (on the preset).
fn try_set(v: &str) -> Result<(String, String), String> {
    let Some((name, value)) = v.split_once(':') else {
        return Err(format!("'{v}': expected name:value, e.g. acks:0"));
    };
    let (name, value) = (name.trim(), value.trim());
    crate::config::Config::preset()
        .set(name, value)
        .map_err(|e| e.to_string())?;
    Ok((name.to_string(), value.to_string()))
}

fn claim(file: &str, s: &Section) -> Result<Claim, ScenarioError> {
    let (line, check) = s.need(file, "check")?;
    let expr =
        super::claim::Expr::parse(check).map_err(|m| ScenarioError::at(file, line, "check", m))?;
    Ok(Claim {
        line,
        check: check.to_string(),
        expr,
        says: Text {
            en: s.need(file, "en")?.1.to_string(),
            ko: s.need(file, "ko")?.1.to_string(),
        },
    })
}
