//! What the page keeps of the guided scenarios (`crate::guide`): the core's catalog, read
//! once, the scenario open with what the core's player reached at each step, and what the
//! panel last showed.

use crate::i18n::Lang;
use std::cell::RefCell;
use streamscope_core::link::RunLink;
use streamscope_core::scenario::{ClaimResult, Scenario, StepReached};

/// The scenario open: what the core's player reached at each step, computed once.
pub struct Opened {
    pub scenario: Scenario,
    /// Each step's run as the player had it there: the world, the inputs put in so far, the
    /// step's moment.
    pub links: Vec<RunLink>,
    pub reached: Vec<StepReached>,
    /// Each step's claims as the player checked them at the step's moment.
    pub claims: Vec<Vec<ClaimResult>>,
    /// The step shown (0-based).
    pub step: usize,
}

/// The catalog (read once) and the scenario open.
#[derive(Default)]
pub struct Guide {
    catalog: Option<Result<Vec<Scenario>, String>>,
    pub opened: Option<Opened>,
    /// What the panel shows, to write it only when that changes.
    pub shown: Option<Shown>,
}

/// The panel's state as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub lang: Lang,
    pub scenario: Option<String>,
    pub step: usize,
    pub away: bool,
}

thread_local! {
    static GUIDE: RefCell<Guide> = RefCell::new(Guide::default());
}

/// Runs `f` on the page's guide.
pub fn with_guide<R>(f: impl FnOnce(&mut Guide) -> R) -> R {
    GUIDE.with(|g| f(&mut g.borrow_mut()))
}

impl Guide {
    /// Every scenario of the core's catalog, in its order (read on first use).
    pub fn catalog(&mut self) -> Result<&[Scenario], &str> {
        let c = self
            .catalog
            .get_or_insert_with(|| Scenario::all().map_err(|e| e.to_string()));
        match c {
            Ok(v) => Ok(v.as_slice()),
            Err(e) => Err(e.as_str()),
        }
    }
}
