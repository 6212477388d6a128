//! The page's state ([`App`]: the visible world and the run's `History` beside it, the config
//! the next Reset builds, the playback, the renderer's view, the pipeline's twin, the drain,
//! the timeline and the event log) and how it is shown: the frame drawn on the canvas, the
//! timeline under it and the event log, the stats and status lines, the inspector, the
//! controls brought back to the config in force, the message and fork lines, every text in the
//! page's language. Nothing here changes the world: `crate::world` and `crate::travel` do, for
//! `crate::apply`.

use crate::brokers;
use crate::comparison::Compare;
use crate::dom::{input, set_text};
use crate::drain::PageDrain;
use crate::i18n::{t, tf, Lang};
use crate::monitor;
use crate::panels;
use crate::render;
use crate::twin::Twin;
use crate::{eventlog, timeline};
use std::cell::RefCell;
use streamscope_core::config::settings;
use streamscope_core::link::ScenarioStep;
use streamscope_core::sim::history::{Branch, History};
use streamscope_core::sim::input::LoggedInput;
use streamscope_core::{Config, Sim};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Document};

/// Largest seed a JavaScript number holds exactly (seeds round-trip through the page).
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// A seed from the OS (in the browser: crypto.getRandomValues through getrandom), within
/// [`MAX_SEED`]; 1 when the OS has none.
pub fn random_seed() -> u64 {
    let mut buf = [0u8; 8];
    match getrandom::fill(&mut buf) {
        Ok(()) => u64::from_le_bytes(buf) & MAX_SEED,
        Err(_) => 1,
    }
}

pub struct App {
    /// The world shown: the head of the run, or a past moment of it.
    pub sim: Sim,
    /// The run kept beside `sim` (checkpoints, the head while in the past, marks, branches):
    /// every input and every move in time goes through it.
    pub history: History,
    /// Where the last input put in at a past moment forked the run (the fork line).
    pub fork: Option<Branch>,
    /// The config the next Reset builds from (live changes are recorded here too).
    pub pending: Config,
    pub playing: bool,
    /// Simulated seconds per real second.
    pub speed: f64,
    pub lang: Lang,
    pub last_frame_ms: Option<f64>,
    pub last_stats_ms: f64,
    pub behind: bool,
    /// What the renderer keeps between frames (hit boxes, selection, departures).
    pub view: render::View,
    /// The last live change of the partition count and the keys it moved, and the input it
    /// was (kept while the world shown has that input).
    pub remap: Option<panels::Remap>,
    pub remap_input: Option<LoggedInput>,
    /// Settings set since the last Reset that apply only on Reset (name, value).
    pub queued: Vec<(String, String)>,
    /// With the pipeline on: the hidden world with the other processing.guarantee
    /// (`crate::twin`), kept at the visible one's time and given the same changes.
    pub twin: Option<Twin>,
    /// The A/B comparison's world B (`crate::comparison`), while the learner compares.
    pub compare: Option<Compare>,
    /// World B's canvas (`None` without it on the page).
    pub compare_ctx: Option<CanvasRenderingContext2d>,
    /// The guided scenario open and its step, as the link writes it (`crate::guide` keeps it).
    pub scenario_link: Option<ScenarioStep>,
    /// A link's scenario step, for `crate::guide` to open at the next frame (the link's world
    /// stays as it is: a learner who had left the step is shown away from it).
    pub scenario_wanted: Option<ScenarioStep>,
    /// Each processor's phases seen so far (sampled after every run), for the test hook.
    pub phases_seen: Vec<Vec<&'static str>>,
    /// "Drain (stop sending)" pressed since the last Reset: the drain (`crate::drain`).
    pub drain: Option<PageDrain>,
    /// The timeline under the canvas (what it drew, the kind chosen for previous / next).
    pub timeline: timeline::Timeline,
    /// The event log's filters and the lines it shows.
    pub log: eventlog::EventLog,
    /// The world's (events, time) when a paused frame last drew: the next paused frame with
    /// the same draws nothing.
    pub idle_frame: Option<(u64, u64)>,
    /// The URL fragment last written to the address bar, and when (page milliseconds).
    pub link_written: (String, f64),
    pub doc: Document,
    pub ctx: CanvasRenderingContext2d,
    /// The timeline's canvas.
    pub timeline_ctx: Option<CanvasRenderingContext2d>,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

/// Runs `f` on the page's app (`None` before [`install`]).
pub fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| a.borrow_mut().as_mut().map(f))
}

/// Makes `app` the page's app.
pub fn install(app: App) {
    APP.with(|a| *a.borrow_mut() = Some(app));
}

impl App {
    /// A new page on `pending` with `seed`, drawn on `ctx`, not playing.
    pub fn new(
        pending: Config,
        seed: u64,
        lang: Lang,
        doc: Document,
        (ctx, timeline_ctx): (CanvasRenderingContext2d, Option<CanvasRenderingContext2d>),
    ) -> Result<App, String> {
        let sim = Sim::new(pending.clone(), seed).map_err(|e| e.to_string())?;
        Ok(App {
            history: History::new(&sim),
            fork: None,
            sim,
            pending,
            playing: false,
            speed: 0.01,
            lang,
            last_frame_ms: None,
            last_stats_ms: 0.0,
            behind: false,
            view: render::View::new(),
            remap: None,
            remap_input: None,
            queued: Vec::new(),
            twin: None,
            compare: None,
            compare_ctx: None,
            scenario_link: None,
            scenario_wanted: None,
            phases_seen: Vec::new(),
            drain: None,
            timeline: timeline::Timeline::default(),
            log: eventlog::EventLog::default(),
            idle_frame: None,
            link_written: (String::new(), f64::NEG_INFINITY),
            doc,
            ctx,
            timeline_ctx,
        })
    }

    /// Whether a drain runs (the frames then advance the simulation by `Sim::drain_step`).
    pub fn draining(&self) -> bool {
        self.drain.as_ref().is_some_and(|d| d.running())
    }

    pub fn write_inspector(&self) {
        panels::write_inspector(&self.doc, &self.sim, self.lang, self.view.selected);
    }

    pub fn write_remap(&self) {
        panels::write_remap(&self.doc, self.lang, self.remap.as_ref());
    }

    pub fn draw(&mut self) {
        render::draw(&self.ctx, &self.sim, self.lang, &mut self.view);
        self.draw_world_b();
        self.write_stats();
        self.write_inspector();
        self.write_time();
    }

    /// World B on its canvas, while comparing.
    pub fn draw_world_b(&mut self) {
        if let (Some(c), Some(ctx)) = (self.compare.as_mut(), self.compare_ctx.as_ref()) {
            c.view.departure_window_us = self.view.departure_window_us;
            c.view.large_tiles = self.view.large_tiles;
            render::draw(ctx, &c.world.sim, self.lang, &mut c.view);
        }
    }

    /// The timeline, the event log and the time controls (each redrawn only when what it
    /// shows changed).
    pub fn write_time(&mut self) {
        if let Some(ctx) = self.timeline_ctx.as_ref() {
            timeline::draw(ctx, &mut self.timeline, &self.history, &self.sim, self.lang);
        }
        eventlog::write(&self.doc, &mut self.log, &self.sim, self.lang);
        timeline::write_controls(&self.doc, &self.history, &self.sim, self.lang);
    }

    /// The fork line: where the last input put in at a past moment forked the run.
    pub fn write_fork(&self) {
        let text = self.fork.map_or(String::new(), |b| {
            tf(
                self.lang,
                "forked",
                &[
                    ("n", &b.event.to_string()),
                    ("t", &timeline::time_text(b.time, self.lang)),
                ],
            )
        });
        set_text(&self.doc, "fork-note", &text);
    }

    pub fn write_stats(&self) {
        let (sent, acked, failed, consumed) = self.sim.totals();
        let lang = self.lang;
        let lag = self.sim.consumer_lag_total();
        let s = format!(
            "{} {} · {} {} · {} {} · {} {} · {} {} · {} {} · {} {}{}",
            t(lang, "time"),
            timeline::time_text(self.sim.now(), lang),
            t(lang, "events"),
            self.sim.events_processed(),
            t(lang, "sent"),
            sent,
            t(lang, "acked"),
            acked,
            t(lang, "failed"),
            failed,
            t(lang, "consumed"),
            consumed,
            t(lang, "lag"),
            lag,
            if self.behind {
                format!(" · {}", t(lang, "catching_up"))
            } else {
                String::new()
            }
        );
        set_text(&self.doc, "stats", &s);
        if let Some(e) = self.doc.get_element_by_id("stats") {
            let _ = e.set_attribute("data-consumed", &consumed.to_string());
        }
        let status = match self.sim.running_app_producer(0) {
            Some(p) => render::producer_status(self.sim.now(), &self.sim.producer_frame(p), lang).0,
            None => t(lang, "no_producer").to_string(),
        };
        set_text(
            &self.doc,
            "producer-status",
            &format!("{}: {status}", t(lang, "app_status")),
        );
        brokers::update_broker_controls(&self.doc, &self.sim, lang);
        crate::transactions::write_status(&self.doc, &self.sim, lang);
        crate::pipeline::write_status(
            &self.doc,
            &self.sim,
            self.twin.as_ref().map(|t| &t.sim),
            lang,
        );
        brokers::write_monitor(&self.doc, &monitor::monitor_counts(&self.sim), lang);
        crate::comparison::write_table(&self.doc, &self.sim, self.compare.as_ref(), lang);
        crate::liveness::write_status(
            &self.doc,
            &crate::liveness::status(&self.sim, self.drain.as_ref()),
            lang,
        );
        set_text(
            &self.doc,
            "memory-use",
            &monitor::memory_text(&self.sim, lang),
        );
    }

    /// Every text from the message table in the current language.
    pub fn apply_language(&mut self) {
        let doc = &self.doc;
        if let Some(root) = doc.document_element() {
            let _ = root.set_attribute("lang", self.lang.code());
        }
        crate::comparison::write_layout(doc, self.compare.as_ref(), self.lang);
        // The partition count control says whether it applies live (the core decides).
        if let Some(label) = doc
            .query_selector("label[for=num-partitions]")
            .ok()
            .flatten()
        {
            let key = if settings::is_live("num.partitions") {
                "num_partitions_live"
            } else {
                "num_partitions"
            };
            let _ = label.set_attribute("data-i18n", key);
        }
        if let Ok(list) = doc.query_selector_all("[data-i18n]") {
            for i in 0..list.length() {
                let Some(node) = list.item(i) else { continue };
                let Ok(e) = node.dyn_into::<web_sys::Element>() else {
                    continue;
                };
                if let Some(key) = e.get_attribute("data-i18n") {
                    e.set_text_content(Some(t(self.lang, &key)));
                }
            }
        }
        if let Ok(list) = doc.query_selector_all("[data-i18n-label]") {
            for i in 0..list.length() {
                let Some(node) = list.item(i) else { continue };
                let Ok(e) = node.dyn_into::<web_sys::Element>() else {
                    continue;
                };
                if let Some(key) = e.get_attribute("data-i18n-label") {
                    let _ = e.set_attribute("aria-label", t(self.lang, &key));
                }
            }
        }
        crate::sidepanel::write(doc, self.lang);
        // The language button names the other language, in it (its text then gets that
        // language's fonts: the Hangul webfont for 한국어 on an English page).
        if let Some(label) = doc.query_selector("#lang span").ok().flatten() {
            let _ = label.set_attribute("lang", self.lang.other().code());
        }
        doc.set_title(t(self.lang, "title"));
        panels::write_calculator(doc, self.lang);
        brokers::write_pending(doc, &self.queued, self.lang);
        self.write_remap();
        self.write_fork();
        eventlog::write_filters(doc, &mut self.log, &self.sim, self.lang);
        self.timeline.forget();
        self.log.forget();
        self.sync_controls();
        self.draw();
    }

    /// Controls show the running producer's settings.
    pub fn sync_controls(&self) {
        let doc = &self.doc;
        // A Crash / Restart button on each broker this world has.
        brokers::build_broker_controls(doc, &self.sim);
        brokers::update_broker_controls(doc, &self.sim, self.lang);
        let play_text = if self.playing {
            t(self.lang, "pause")
        } else {
            t(self.lang, "play")
        };
        set_text(doc, "play", play_text);
        if let Some(b) = doc.get_element_by_id("play") {
            let _ = b.set_attribute("aria-pressed", if self.playing { "true" } else { "false" });
        }
        let value = |n: &str| settings::current(&self.pending, n).unwrap_or_default();
        sync_bound_controls(doc, &value);
        // Idempotence as the running producer has it (unset, it follows acks).
        if let Some(i) = input(doc, "idempotence") {
            let on = match self.sim.running_app_producer(0) {
                Some(p) => p.idempotent,
                None => value("enable.idempotence") == "true",
            };
            i.set_checked(on);
        }
        if let Some(i) = input(doc, "seed") {
            i.set_value(&self.sim.seed().to_string());
        }
        crate::transactions::sync_controls(doc, &self.pending);
        crate::pipeline::sync_controls(doc, &self.pending);
    }

    /// Says `ok` in the message line and, for a setting, at the control showing it: a
    /// refusal there (the control keeps what was typed), a success clears it.
    pub fn show_at(&self, setting: &str, ok: Result<String, String>) {
        if let Some(c) = crate::sidepanel::control(&self.doc, setting) {
            crate::dom::field_message(&self.doc, &c, ok.as_ref().err().map(|e| e.as_str()));
        }
        self.show(ok);
    }

    pub fn show(&self, ok: Result<String, String>) {
        let (msg, class) = match ok {
            Ok(m) => (m, "ok"),
            Err(e) => (format!("{}: {e}", t(self.lang, "error")), "error"),
        };
        if let Some(e) = self.doc.get_element_by_id("message") {
            e.set_text_content(Some(&msg));
            let _ = e.set_attribute("class", class);
        }
    }
}

/// Every control bound to a setting (`[data-bind]`: a select, a checkbox or a text field
/// naming it in `data-setting`) shows the setting's value in force, except a field holding
/// refused text the learner has not changed yet.
fn sync_bound_controls(doc: &Document, value: &dyn Fn(&str) -> String) {
    let Ok(list) = doc.query_selector_all("[data-bind][data-setting]") else {
        return;
    };
    for i in 0..list.length() {
        let Some(e) = list
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        else {
            continue;
        };
        let Some(name) = e.get_attribute("data-setting") else {
            continue;
        };
        if crate::dom::is_invalid(&e) {
            continue;
        }
        let v = value(&name);
        if let Some(s) = e.dyn_ref::<web_sys::HtmlSelectElement>() {
            s.set_value(&v);
        } else if let Some(input) = e.dyn_ref::<web_sys::HtmlInputElement>() {
            if input.type_() == "checkbox" {
                input.set_checked(v == "true");
            } else if input.value() != v {
                input.set_value(&v);
            }
        }
    }
}
