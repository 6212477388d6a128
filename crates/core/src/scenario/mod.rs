//! Guided scenarios (issue 14): one Kafka concept each, as data. A scenario is a world (a
//! run's link, `crate::link`) and a few narrated steps; each step puts its inputs into the run
//! (through `Sim::put_input`, so they are logged and replay), plays the world until its
//! condition (`until`), pauses there, and states facts that are claims the core checks
//! against the world at that moment (`claim`). So the page, the CLI and the native test
//! (`tests/scenario_claims.rs`) play a scenario identically, and a scenario whose narration
//! stops being true fails CI.
//!
//! The files are `crates/core/scenarios/<id>.scn`, embedded by [`catalog`]; the format, the
//! `until` vocabulary, the claims and the highlight refs are in that folder's README.md.
//! Simplified: a step's moment is computed by playing the scenario from its world (no seeking
//! into a History); the events counted by `events(...)` and `errors(...)` are those the
//! [`Player`] stepped, from the start of the world.

mod catalog;
pub mod claim;
pub mod highlight;
pub mod kinds;
mod parse;
mod play;
pub mod query;
pub mod query_groups;
mod tally;
pub mod until;
pub mod value;

pub use catalog::{catalog, ScenarioSource};
pub use claim::ClaimResult;
pub use highlight::Highlight;
pub use play::{Played, Player, StepReached};
pub use tally::Tally;
pub use until::Until;
pub use value::Value;

use crate::link::RunLink;
use crate::sim::input::Moment;
use crate::sim::Sim;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// The most events one step may play before its condition holds; a condition never met is an
/// error naming the step.
pub const MAX_STEP_EVENTS: u64 = 400_000;

/// A text in both of the page's languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub en: String,
    pub ko: String,
}

impl Text {
    /// The text in `lang` (`ko`, else English).
    pub fn get(&self, lang: &str) -> &str {
        if lang == "ko" {
            &self.ko
        } else {
            &self.en
        }
    }
}

/// One guided scenario, as its file says.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub id: String,
    /// The file it was read from (`record-anatomy.scn`).
    pub file: String,
    pub title: Text,
    pub summary: Text,
    /// The concept it teaches (`producer`, `partitioner`, `replication`, ...).
    pub concept: String,
    /// The world as written: a run's link fragment.
    pub world: String,
    pub link: RunLink,
    /// The page's suggested speed factor (simulated time per real time), if any.
    pub speed: Option<f64>,
    pub steps: Vec<Step>,
}

/// One step: what it puts in, where it pauses, what it says and claims.
#[derive(Clone, Debug)]
pub struct Step {
    /// The line of its `[[step]]`.
    pub line: usize,
    pub narration: Text,
    /// What is true in Kafka 4.x where notes or common lore are out of date (one sentence).
    pub truth: Option<Text>,
    /// Inputs put into the run when the step begins, as link tags (`bkill:1`, `set:acks:0`).
    pub inputs: Vec<String>,
    pub until: Until,
    pub until_text: String,
    /// The objects the step talks about.
    pub highlight: Vec<Highlight>,
    /// The one change the learner is asked to try.
    pub try_text: Option<Text>,
    /// That change as a setting the page can offer as a button: (name, value).
    pub try_set: Option<(String, String)>,
    pub claims: Vec<Claim>,
}

/// One fact a step states, checked.
#[derive(Clone, Debug)]
pub struct Claim {
    pub line: usize,
    /// The predicate as written (`record(3).partition != record(2).partition`).
    pub check: String,
    pub expr: claim::Expr,
    /// The sentence that states it.
    pub says: Text,
}

/// A scenario refused or failed: the file (or scenario), the line, the field or step, what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: String,
    /// 0 when the error is not about one line.
    pub line: usize,
    /// The field (`until`, `world`, `check`) or the step (`step 2`).
    pub field: String,
    pub message: String,
}

impl ScenarioError {
    pub fn at(
        file: &str,
        line: usize,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError {
            file: String::from(file),
            line,
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}: {}: {}",
                self.file, self.line, self.field, self.message
            )
        } else {
            write!(f, "{}: {}: {}", self.file, self.field, self.message)
        }
    }
}

impl Scenario {
    /// Reads a scenario file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
        parse::parse(file, text)
    }

    /// Every scenario of the catalog, read (the first file refused is the error).
    pub fn all() -> Result<Vec<Scenario>, ScenarioError> {
        catalog()
            .iter()
            .map(|s| Scenario::parse(s.file, s.text))
            .collect()
    }

    /// The catalog's scenario `id`.
    pub fn by_id(id: &str) -> Result<Scenario, ScenarioError> {
        let all = Scenario::all()?;
        let ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
        let text = ids.join(", ");
        all.iter().find(|s| s.id == id).cloned().ok_or_else(|| {
            ScenarioError::at(id, 0, "id", format!("no such scenario: one of {text}"))
        })
    }

    /// The scenario's world at its start: its link's run.
    pub fn world(&self) -> Result<Sim, ScenarioError> {
        self.link.world().map_err(|e| {
            ScenarioError::at(
                &self.file,
                0,
                "world",
                alloc::string::ToString::to_string(&e),
            )
        })
    }

    /// A player at the world's start, to play the steps one by one.
    pub fn player(&self) -> Result<Player, ScenarioError> {
        Player::new(self)
    }

    /// Plays every step from the world, checking each step's claims at its moment.
    pub fn play(&self) -> Result<Played, ScenarioError> {
        play::play_all(self)
    }

    /// Every step's moment, from the world (for Back / Forward: rewind to one).
    pub fn moments(&self) -> Result<Vec<Moment>, ScenarioError> {
        Ok(self.play()?.reached.iter().map(|r| r.moment).collect())
    }

    /// `step N` (1-based, as a learner counts), for errors.
    pub(crate) fn step_name(&self, index: usize) -> String {
        let line = self.steps.get(index).map_or(0, |s| s.line);
        format!("step {} (line {line})", index + 1)
    }
}
