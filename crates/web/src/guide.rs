//! Guided scenarios on the page (issue 14): the core's catalog (`streamscope_core::scenario`)
//! listed in `#scenario-panel` by concept, and the scenario opened walked step by step.
//!
//! Opening one plays it once in the core (the scenario's `Player`: it reaches each step's
//! moment and checks the step's claims there), keeping, for each step, the run's link as the
//! player had it there (its world, the inputs put in so far, the moment). A step is opened as
//! that link through the page's own path (`App::open_link`: the world goes into the App's
//! `History`, so the timeline, the event log, step back and the address keep working) and
//! checked against the trace hash and the inputs the player had. A link per step, not one
//! run sought to each moment: a step's inputs are put in at the moment the step before paused,
//! and a History puts in every input logged at a moment when it goes there, so the world at
//! step k's moment of the whole run would already have step k+1's inputs. The claims shown are
//! the player's own results (nothing about Kafka is decided here). The step's objects are
//! outlined on the canvas (`render::View::guide`) and its lines marked in the event log
//! (`EventLog::guided`). The learner may leave (play, change a setting: the run forks through
//! the normal action path) and come back: "Return to step k" rewinds the History there when it
//! still has that world, else opens the step's link again.
//!
//! Simplified: a step jumps to its moment instead of animating the way there.

mod panel;
mod state;

pub use state::{with_guide, Guide, Opened};

use state::Shown;

use crate::actions::Action;
use crate::apply::apply;
use crate::i18n::{t, tf, Lang};
use crate::page::App;
use streamscope_core::link::{RunLink, ScenarioStep};
use streamscope_core::scenario::{
    ClaimResult, Highlight, Player, Scenario, ScenarioError, StepReached,
};
use streamscope_core::sim::view::event_words::Subjects;
use streamscope_core::Sim;
use wasm_bindgen::JsValue;
use web_sys::Document;

/// Builds the panel in `#scenario-panel` (nothing without it) and listens to its buttons and
/// to Alt+→ / Alt+←.
pub fn wire(doc: &Document) -> Result<(), JsValue> {
    panel::wire(doc, act)
}

/// A button of the panel pressed (or its key): the move, a refusal on the message line.
fn act(a: &mut App, action: &str, id: &str) {
    let r = match action {
        "open" => open(a, id).map(|_| panel::focus(&a.doc, "scenario-title")),
        "next" => move_by(a, true),
        "back" => move_by(a, false),
        "return" => return_to_step(a),
        "try" => try_setting(a),
        "close" => {
            close(a);
            panel::focus_list(&a.doc);
            Ok(())
        }
        _ => Ok(()),
    };
    if let Err(e) = r {
        a.show(Err(e));
    }
}

/// The catalog's scenario `id`, or a message naming it and the ids there are.
pub fn find(lang: Lang, id: &str) -> Result<Scenario, String> {
    with_guide(|g| {
        let all = g
            .catalog()
            .map_err(|e| tf(lang, "guide_catalog_bad", &[("why", e)]))?;
        if let Some(s) = all.iter().find(|s| s.id == id) {
            return Ok(s.clone());
        }
        let ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
        Err(tf(
            lang,
            "guide_unknown",
            &[("id", id), ("ids", &ids.join(", "))],
        ))
    })
}

/// A scenario played by the core's player: each step's moment, claims and link.
pub struct PlayedSteps {
    pub reached: Vec<StepReached>,
    pub claims: Vec<Vec<ClaimResult>>,
    pub links: Vec<RunLink>,
}

/// Plays `scenario` step by step in the core, keeping what each step reached, its claims as
/// checked there, and the run's link there (the scenario's world, the inputs the player put
/// in so far, the moment; no language: the page keeps its own).
pub fn play(scenario: &Scenario) -> Result<PlayedSteps, ScenarioError> {
    let mut player = Player::new(scenario)?;
    let mut out = PlayedSteps {
        reached: Vec::new(),
        claims: Vec::new(),
        links: Vec::new(),
    };
    for i in 0..scenario.steps.len() {
        out.reached.push(player.play_step()?.clone());
        out.claims.push(player.check_claims(i));
        let mut link = scenario.link.clone();
        link.inputs = player.sim.inputs().to_vec();
        link.moment = Some(player.sim.moment());
        link.lang = None;
        out.links.push(link);
    }
    Ok(out)
}

/// Opens scenario `id` at its step 1; a message in the page's language when it cannot.
pub fn open(a: &mut App, id: &str) -> Result<(), String> {
    let lang = a.lang;
    let (title, n) = prepare(a, id, 0)?;
    go_to(a, 0)?;
    a.show(Ok(tf(
        lang,
        "guide_opened",
        &[("title", &title), ("n", &n.to_string())],
    )));
    Ok(())
}

/// Plays scenario `id` in the core and keeps it open at step `step` (0-based) without moving
/// the world; its title and number of steps.
fn prepare(a: &mut App, id: &str, step: usize) -> Result<(String, usize), String> {
    let lang = a.lang;
    let scenario = find(lang, id)?;
    let played =
        play(&scenario).map_err(|e| tf(lang, "guide_failed", &[("why", &e.to_string())]))?;
    let n = played.reached.len();
    if step >= n {
        let (k, n) = ((step + 1).to_string(), n.to_string());
        return Err(tf(lang, "guide_no_step", &[("k", &k), ("n", &n)]));
    }
    if let Some(speed) = scenario.speed {
        apply(a, Action::SetSpeed(speed));
        panel::show_speed(&a.doc, speed);
    }
    let title = scenario.title.get(lang.code()).to_string();
    with_guide(|g| {
        g.opened = Some(Opened {
            scenario,
            links: played.links,
            reached: played.reached,
            claims: played.claims,
            step,
        });
        g.shown = None;
    });
    Ok((title, n))
}

/// The scenario open and its step, as a link names them.
fn link_step() -> Option<ScenarioStep> {
    with_guide(|g| {
        let o = g.opened.as_ref()?;
        Some(ScenarioStep {
            id: o.scenario.id.clone(),
            step: u32::try_from(o.step + 1).ok()?,
        })
    })
}

/// A link's `scn=`: the scenario opened at its step in the link's world (outlined when the
/// world is the step's; else shown away from it, with "Return to step k"). A refusal names
/// the link's part.
fn open_from_link(a: &mut App, wanted: &ScenarioStep) {
    let step = (wanted.step as usize).saturating_sub(1);
    match prepare(a, &wanted.id, step) {
        Ok(_) => {
            a.scenario_link = Some(wanted.clone());
            let at = with_guide(|g| g.opened.as_ref().is_some_and(|o| at_step(a, o)));
            if at {
                outline_step(a);
            }
        }
        Err(e) => {
            let msg = tf(a.lang, "link_bad", &[("part", "scn"), ("message", &e)]);
            a.show(Err(msg));
        }
    }
}

/// Opens the scenario's run as a link (the page's own path); an error when the page could
/// not (it then shows the preset, as for any link it cannot read).
fn load(a: &mut App, link: &RunLink) -> Result<(), String> {
    a.open_link(&link.encode());
    if Some(a.sim.moment()) == link.moment && a.sim.seed() == link.seed {
        Ok(())
    } else {
        let why = t(a.lang, "guide_link_refused");
        Err(tf(a.lang, "guide_failed", &[("why", why)]))
    }
}

/// Closes the scenario (its outlines go; the world stays as it is).
pub fn close(a: &mut App) {
    with_guide(|g| {
        g.opened = None;
        g.shown = None;
    });
    a.scenario_link = None;
    a.view.guide.clear();
    a.log.guided.clear();
    a.log.forget();
    a.draw();
    frame(a);
}

/// Step `k` (0-based): the world the core's player reached there, paused, the step's objects
/// outlined: the History rewound there when it still has that world, else the step's link
/// opened.
pub fn go_to(a: &mut App, k: usize) -> Result<(), String> {
    let lang = a.lang;
    let target = with_guide(|g| {
        let o = g.opened.as_mut()?;
        let n = o.reached.len();
        let r = o.reached.get(k).cloned().zip(o.links.get(k).cloned());
        if r.is_some() {
            o.step = k;
        }
        Some((r, n))
    });
    let Some((target, n)) = target else {
        return Err(t(lang, "guide_none_open").to_string());
    };
    let Some((reached, link)) = target else {
        let (k, n) = ((k + 1).to_string(), n.to_string());
        return Err(tf(lang, "guide_no_step", &[("k", &k), ("n", &n)]));
    };
    a.playing = false;
    let inputs = link.inputs.len();
    if a.jump_to_moment(reached.moment).is_err() || !is_there(a, &reached, inputs) {
        load(a, &link)?;
    }
    if !is_there(a, &reached, inputs) {
        let got = format!("0x{:016x}", a.sim.trace().hash());
        let want = format!("0x{:016x}", reached.trace_hash);
        let k = (k + 1).to_string();
        let args = [("k", k.as_str()), ("got", &got), ("want", &want)];
        return Err(tf(lang, "guide_mismatch", &args));
    }
    outline_step(a);
    a.scenario_link = link_step();
    a.sync_controls();
    a.write_link(a.link_written.1, true);
    frame(a);
    Ok(())
}

/// Whether the world shown is the one the player reached: its moment, its trace, its inputs.
fn is_there(a: &App, r: &StepReached, inputs: usize) -> bool {
    a.sim.moment() == r.moment
        && a.sim.trace().hash() == r.trace_hash
        && a.sim.inputs().len() == inputs
}

/// One step forward (`delta` 1) or back (-1) from the step shown.
pub fn move_by(a: &mut App, forward: bool) -> Result<(), String> {
    let lang = a.lang;
    let at = with_guide(|g| g.opened.as_ref().map(|o| (o.step, o.reached.len())));
    let Some((step, n)) = at else {
        return Err(t(lang, "guide_none_open").to_string());
    };
    let next = if forward {
        if step + 1 >= n {
            return Err(t(lang, "guide_last").to_string());
        }
        step + 1
    } else {
        if step == 0 {
            return Err(t(lang, "guide_first").to_string());
        }
        step - 1
    };
    go_to(a, next)?;
    let title = with_guide(|g| {
        g.opened
            .as_ref()
            .map(|o| o.scenario.title.get(lang.code()).to_string())
    })
    .unwrap_or_default();
    let (k, n) = ((next + 1).to_string(), n.to_string());
    let msg = tf(
        lang,
        "guide_at_step",
        &[("k", &k), ("n", &n), ("title", &title)],
    );
    a.show(Ok(msg));
    Ok(())
}

/// "Return to step k": the step shown, again at its moment.
pub fn return_to_step(a: &mut App) -> Result<(), String> {
    let step = with_guide(|g| g.opened.as_ref().map(|o| o.step));
    match step {
        Some(k) => go_to(a, k),
        None => Err(t(a.lang, "guide_none_open").to_string()),
    }
}

/// The step's "try" setting, through the normal action path (the run forks there), then
/// playing, so the learner watches what it changes.
pub fn try_setting(a: &mut App) -> Result<(), String> {
    let set = with_guide(|g| {
        let o = g.opened.as_ref()?;
        o.scenario.steps.get(o.step)?.try_set.clone()
    });
    let Some((name, value)) = set else {
        return Err(t(a.lang, "guide_none_open").to_string());
    };
    apply(
        a,
        Action::FreeSetting {
            raw: format!("{name}={value}"),
        },
    );
    if !a.playing {
        apply(a, Action::TogglePlay);
    }
    frame(a);
    Ok(())
}

/// The step's objects outlined on the canvas and marked in the event log.
fn outline_step(a: &mut App) {
    let refs = with_guide(|g| {
        let o = g.opened.as_ref()?;
        Some(o.scenario.steps.get(o.step)?.highlight.clone())
    })
    .unwrap_or_default();
    a.view.guide = refs.iter().filter_map(|h| subjects_of(&a.sim, h)).collect();
    a.log.guided = refs;
    a.log.forget();
    a.draw();
}

/// What a highlight ref names, as the event log's subjects (the outline's terms); `None` for
/// what the world does not have.
pub fn subjects_of(sim: &Sim, h: &Highlight) -> Option<Subjects> {
    let mut s = Subjects::default();
    match h {
        Highlight::Broker(b) => s.brokers[0] = Some(*b),
        Highlight::Producer(p) => s.producer = Some(*p),
        Highlight::Consumer(c) => s.consumer = Some(*c),
        Highlight::Partition { .. } => s.partition = Some(h.partition(sim)?),
        Highlight::Group(_) => s.group = Some(h.group(sim)?),
        Highlight::Record(r) => s.record = Some(*r),
        Highlight::Controller => s.controller = true,
        Highlight::Coordinator => s.coordinator = true,
    }
    Some(s)
}

/// Whether the world shown is the step's (as the player had it there).
pub fn at_step(a: &App, o: &Opened) -> bool {
    match (o.reached.get(o.step), o.links.get(o.step)) {
        (Some(r), Some(l)) => is_there(a, r, l.inputs.len()),
        _ => false,
    }
}

/// After every frame and move: writes the panel when the language, the scenario, the step or
/// whether the learner left it changed.
pub fn frame(a: &mut App) {
    if let Some(wanted) = a.scenario_wanted.take() {
        open_from_link(a, &wanted);
    }
    with_guide(|g| {
        let shown = Shown {
            lang: a.lang,
            scenario: g.opened.as_ref().map(|o| o.scenario.id.clone()),
            step: g.opened.as_ref().map_or(0, |o| o.step),
            away: g.opened.as_ref().is_some_and(|o| !at_step(a, o)),
        };
        if g.shown.as_ref() == Some(&shown) {
            return;
        }
        let list_too = g.shown.as_ref().is_none_or(|s| {
            s.lang != shown.lang || s.scenario.is_some() != shown.scenario.is_some()
        });
        panel::write(a, g, shown.away, list_too);
        g.shown = Some(shown);
    });
}

/// `window.streamscope.scenarios()`: one row per scenario of the catalog.
#[derive(serde::Serialize)]
pub struct ScenarioRow {
    pub id: String,
    pub title: Texts,
    pub summary: Texts,
    pub concept: String,
    pub steps: usize,
}

/// A text in both languages.
#[derive(serde::Serialize)]
pub struct Texts {
    pub en: String,
    pub ko: String,
}

fn texts(t: &streamscope_core::scenario::Text) -> Texts {
    Texts {
        en: t.en.clone(),
        ko: t.ko.clone(),
    }
}

/// The catalog's rows (none when it cannot be read).
pub fn rows() -> Vec<ScenarioRow> {
    with_guide(|g| {
        let Ok(all) = g.catalog() else {
            return Vec::new();
        };
        all.iter()
            .map(|s| ScenarioRow {
                id: s.id.clone(),
                title: texts(&s.title),
                summary: texts(&s.summary),
                concept: s.concept.clone(),
                steps: s.steps.len(),
            })
            .collect()
    })
}

/// `window.streamscope.scenarioStep()`: the step shown, what the core's player reached there
/// and the world shown now.
#[derive(serde::Serialize)]
pub struct StepView {
    pub id: String,
    /// 1-based, as the panel counts.
    pub step: usize,
    pub steps: usize,
    pub at_step: bool,
    pub expected_hash: String,
    pub trace_hash: String,
    pub expected_events: u64,
    pub events: u64,
    pub claims: Vec<ClaimView>,
    pub highlight: Vec<String>,
    pub outlined: usize,
    pub try_set: Option<(String, String)>,
}

#[derive(serde::Serialize)]
pub struct ClaimView {
    pub check: String,
    pub passed: bool,
    pub message: String,
    pub says: String,
}

/// The step shown (`None` without a scenario open).
pub fn step_view(a: &App) -> Option<StepView> {
    with_guide(|g| {
        let o = g.opened.as_ref()?;
        let r = o.reached.get(o.step)?;
        let step = o.scenario.steps.get(o.step)?;
        let claims = o.claims.get(o.step).map_or(&[][..], |c| c.as_slice());
        Some(StepView {
            id: o.scenario.id.clone(),
            step: o.step + 1,
            steps: o.reached.len(),
            at_step: at_step(a, o),
            expected_hash: format!("0x{:016x}", r.trace_hash),
            trace_hash: format!("0x{:016x}", a.sim.trace().hash()),
            expected_events: r.events,
            events: a.sim.events_processed(),
            claims: claims
                .iter()
                .zip(&step.claims)
                .map(|(c, s)| ClaimView {
                    check: c.check.clone(),
                    passed: c.passed,
                    message: c.message.clone(),
                    says: s.says.get(a.lang.code()).to_string(),
                })
                .collect(),
            highlight: step.highlight.iter().map(Highlight::text).collect(),
            outlined: a.view.guide.len(),
            try_set: step.try_set.clone(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::sim::history::History;

    /// The page's way to every step (the step's link, encoded and read back, replayed into a
    /// History) reaches the very world the core's player reached: the whole world's Debug
    /// text, not only its trace hash; and a History rewound to an earlier step (as Back does
    /// when the History has it) is that step's world too.
    #[test]
    fn every_step_of_every_scenario_is_the_players_world() {
        let all = Scenario::all().expect("the catalog reads");
        assert!(!all.is_empty());
        for s in &all {
            let played = play(s).expect("the scenario plays");
            let mut player = Player::new(s).expect("player");
            let mut worlds = Vec::new();
            for (k, claims) in played.claims.iter().enumerate() {
                assert!(claims.iter().all(|c| c.passed), "{} step {}", s.id, k + 1);
                player.play_step().expect("plays");
                worlds.push(format!("{:?}", player.sim));
            }
            let mut last = None;
            for (k, link) in played.links.iter().enumerate() {
                let link = RunLink::parse(&link.encode()).expect("link reads");
                let config = link.config().expect("config");
                let (history, sim) =
                    History::replay(config, link.seed, &link.inputs, link.moment_or_end())
                        .expect("replays");
                let r = &played.reached[k];
                assert_eq!(sim.moment(), r.moment, "{} step {}", s.id, k + 1);
                assert_eq!(sim.trace().hash(), r.trace_hash, "{} step {}", s.id, k + 1);
                assert!(
                    format!("{sim:?}") == worlds[k],
                    "{} step {}: another world",
                    s.id,
                    k + 1
                );
                last = Some((history, sim, k));
            }
            // From the last step's History, back to each earlier step with no later input.
            let Some((mut history, mut sim, n)) = last else {
                continue;
            };
            for k in (0..n).rev() {
                let inputs = played.links[k].inputs.len();
                let r = &played.reached[k];
                history.rewind_to(&mut sim, r.moment).expect("rewinds");
                if sim.inputs().len() == inputs {
                    assert!(
                        format!("{sim:?}") == worlds[k],
                        "{} back to {}",
                        s.id,
                        k + 1
                    );
                }
            }
        }
    }

    #[test]
    fn an_unknown_id_is_named_with_the_ids_there_are() {
        let e = find(Lang::En, "nope").expect_err("refused");
        assert!(e.contains("'nope'") && e.contains("acks"), "{e}");
        let e = find(Lang::Ko, "nope").expect_err("refused");
        assert!(e.contains("'nope'") && e.contains("시나리오"), "{e}");
        assert_eq!(find(Lang::En, "acks").map(|s| s.id), Ok("acks".to_string()));
    }

    #[test]
    fn every_highlight_ref_has_a_name_in_both_languages() {
        for s in Scenario::all().expect("the catalog reads") {
            let sim = s.world().expect("world");
            for h in s.steps.iter().flat_map(|st| &st.highlight) {
                for lang in [Lang::En, Lang::Ko] {
                    let name = panel::ref_name(&sim, h, lang);
                    assert!(!name.is_empty() && !name.contains('?'), "{}", h.text());
                }
            }
        }
    }

    #[test]
    fn every_concept_has_a_label() {
        for s in Scenario::all().expect("the catalog reads") {
            let key = format!("concept_{}", s.concept);
            assert!(crate::i18n::all().any(|m| m.0 == key), "no label {key}");
        }
    }
}
