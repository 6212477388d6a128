//! Playing a scenario: its world from its link, then each step's inputs put in and the world
//! stepped until the step's condition, with the events seen tallied (for `events(...)` and
//! `errors(...)` claims) and the step's claims checked at its moment.

use super::claim::ClaimResult;
use super::kinds::counts;
use super::tally::Tally;
use super::until::Until;
use super::{Scenario, ScenarioError, MAX_STEP_EVENTS};
use crate::link::RunLink;
use crate::sim::input::{LoggedInput, Moment};
use crate::sim::Sim;
use crate::time::SimTime;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Where a step paused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReached {
    pub step: usize,
    /// Where the step began (its inputs were put in here).
    pub start: Moment,
    /// Where it paused: the page rewinds here for this step.
    pub moment: Moment,
    /// Events processed by then (the index of the next event).
    pub events: u64,
    /// Events the step played.
    pub played: u64,
    /// The trace's hash there (a replay of the step's link has the same).
    pub trace_hash: u64,
    /// Inputs logged by then: the world's own and those of steps up to this one (the next
    /// step's are logged at this step's moment, so the moment alone cannot tell them apart).
    pub inputs: usize,
}

/// A scenario's world being played step by step.
pub struct Player {
    scenario: Scenario,
    pub sim: Sim,
    pub tally: Tally,
    pub reached: Vec<StepReached>,
}

/// A whole scenario played: the world after its last step, where each step paused, and each
/// step's claims as checked there.
pub struct Played {
    pub sim: Sim,
    pub reached: Vec<StepReached>,
    pub claims: Vec<Vec<ClaimResult>>,
    /// The world's link (its seed and settings) with the inputs the steps put in.
    pub link: RunLink,
}

impl Played {
    /// The link of the run at step `step`'s moment (the page opens it as a shared link).
    pub fn link_at(&self, step: usize) -> Option<RunLink> {
        let reached = self.reached.get(step)?;
        let mut link = self.link.clone();
        // The link holds every input of the run, in the order they were logged.
        assert!(link.inputs.len() >= reached.inputs);
        link.inputs.truncate(reached.inputs);
        link.moment = Some(reached.moment);
        Some(link)
    }

    /// The claims that failed, as `step N: <check>: <values>`.
    pub fn failures(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, claims) in self.claims.iter().enumerate() {
            for c in claims.iter().filter(|c| !c.passed) {
                out.push(format!("step {}: {}: {}", i + 1, c.check, c.message));
            }
        }
        out
    }
}

impl Player {
    pub fn new(scenario: &Scenario) -> Result<Player, ScenarioError> {
        let mut tally = Tally::default();
        let sim = scenario
            .link
            .world_observed(|s| {
                if let Some(e) = s.trace().last() {
                    tally.add(e);
                }
            })
            .map_err(|e| {
                ScenarioError::at(
                    &scenario.file,
                    0,
                    "world",
                    alloc::string::ToString::to_string(&e),
                )
            })?;
        Ok(Player {
            scenario: scenario.clone(),
            sim,
            tally,
            reached: Vec::new(),
        })
    }

    /// The next step to play (0 before the first).
    pub fn next_step(&self) -> usize {
        self.reached.len()
    }

    /// Plays the next step: puts its inputs in, then steps until its condition.
    pub fn play_step(&mut self) -> Result<&StepReached, ScenarioError> {
        let index = self.reached.len();
        let name = self.scenario.step_name(index);
        let file = self.scenario.file.clone();
        let err = |m: String| ScenarioError::at(&file, 0, name.clone(), m);
        let step = self
            .scenario
            .steps
            .get(index)
            .cloned()
            .ok_or_else(|| err(String::from("the scenario has no more steps")))?;
        let start = self.sim.moment();
        let events_before = self.sim.events_processed();
        for text in &step.inputs {
            let input = crate::link::input_of_tag(text, self.sim.now())
                .map_err(|m| err(format!("input '{text}': {m}")))?;
            self.sim
                .put_input(&input)
                .map_err(|e| err(format!("input '{text}' refused: {e}")))?;
        }
        self.run_until(&step.until, start.time)
            .map_err(|m| err(format!("until {}: {m}", step.until_text)))?;
        self.reached.push(StepReached {
            step: index,
            start,
            moment: self.sim.moment(),
            events: self.sim.events_processed(),
            played: self.sim.events_processed() - events_before,
            trace_hash: self.sim.trace().hash(),
            inputs: self.sim.inputs().len(),
        });
        Ok(&self.reached[index])
    }

    /// Steps one event, tallying it; false when the world has no more events.
    fn step_one(&mut self) -> bool {
        match self.sim.step() {
            Some(e) => {
                let e = e.clone();
                self.tally.add(&e);
                true
            }
            None => false,
        }
    }

    fn run_until(&mut self, until: &Until, began: SimTime) -> Result<(), String> {
        let limit = match until {
            Until::Time(t) => *t,
            Until::After(us) => began.plus(*us),
            _ => return self.run_until_event(until),
        };
        if limit < self.sim.now() {
            return Err(format!(
                "the world is at {} us already, past {} us",
                self.sim.now().0,
                limit.0
            ));
        }
        for _ in 0..MAX_STEP_EVENTS {
            let Some(e) = self.sim.step_until(limit).cloned() else {
                self.sim.run_until(limit);
                return Ok(());
            };
            self.tally.add(&e);
        }
        Err(format!("not reached within {MAX_STEP_EVENTS} events"))
    }

    fn run_until_event(&mut self, until: &Until) -> Result<(), String> {
        let mut seen = 0;
        if let Until::When(expr) = until {
            if expr.check(&self.sim, &self.tally).unwrap_or(false) {
                return Ok(());
            }
        }
        for _ in 0..MAX_STEP_EVENTS {
            if !self.step_one() {
                return Err(String::from("the world ran out of events first"));
            }
            let Some(entry) = self.sim.trace().last() else {
                continue;
            };
            let met = match until {
                Until::Event { kind, filters, nth } | Until::Mark { kind, filters, nth } => {
                    let mark = matches!(until, Until::Mark { .. });
                    if counts(&self.sim, mark, kind, filters, entry) {
                        seen += 1;
                    }
                    seen >= *nth
                }
                Until::When(expr) => expr.check(&self.sim, &self.tally).unwrap_or(false),
                Until::Time(_) | Until::After(_) => true,
            };
            if met {
                return Ok(());
            }
        }
        Err(format!("not met within {MAX_STEP_EVENTS} events"))
    }

    /// Step `step`'s claims checked against the world now.
    pub fn check_claims(&self, step: usize) -> Vec<ClaimResult> {
        let Some(s) = self.scenario.steps.get(step) else {
            return Vec::new();
        };
        s.claims
            .iter()
            .map(|c| c.expr.result(&c.check, &self.sim, &self.tally))
            .collect()
    }

    /// The step's highlighted objects that are not in the world now.
    pub fn missing_highlights(&self, step: usize) -> Vec<String> {
        let Some(s) = self.scenario.steps.get(step) else {
            return Vec::new();
        };
        s.highlight
            .iter()
            .filter_map(|h| h.check(&self.sim).err())
            .collect()
    }
}

/// Plays every step, checking each step's claims at its moment.
pub(super) fn play_all(scenario: &Scenario) -> Result<Played, ScenarioError> {
    let mut player = Player::new(scenario)?;
    let mut claims = Vec::new();
    for i in 0..scenario.steps.len() {
        player.play_step()?;
        claims.push(player.check_claims(i));
    }
    let inputs: Vec<LoggedInput> = player.sim.inputs().to_vec();
    let mut link = scenario.link.clone();
    link.inputs = inputs;
    link.moment = None;
    Ok(Played {
        sim: player.sim,
        reached: player.reached,
        claims,
        link,
    })
}
