//! The run's link (issue 13, "the URL is the run"): the address's fragment is the core's
//! `link::RunLink` of the world shown (the start config's settings, the seed, the inputs up to
//! the moment, the moment, the page's language), written with `history.replaceState` (never
//! a new history entry) at most every [`LINK_EVERY_MS`] while playing and at once after every
//! action; "Copy link" copies the address. An address with a fragment opens that run at that
//! moment (`History::replay_observed` of the link's inputs to its moment, the twin given the
//! same inputs); a link that cannot be read opens the preset with a message naming the part
//! (`LinkError::part`). Link text reaches the page only as `textContent`. The language the
//! learner picked is also kept in `localStorage` ([`store_language`]), so a reload without a
//! link keeps it; a link's `lang=` wins over the stored one.

use crate::comparison::Compare;
use crate::dom::set_text;
use crate::i18n::{t, tf, Lang};
use crate::page::App;
use crate::rebalance::Observer;
use crate::twin::Twin;
use streamscope_core::config::ConfigError;
use streamscope_core::link::{LinkError, RunLink};
use streamscope_core::sim::history::History;
use streamscope_core::Config;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Least time between two writes of the address while playing (page milliseconds).
pub const LINK_EVERY_MS: f64 = 300.0;

/// A replay's refusal as the part of the link it names (`in[3]`, `at`, `set (name)`).
fn link_part(e: ConfigError) -> LinkError {
    let part = match e.field.strip_prefix("inputs") {
        Some(index) => format!("in{index}"),
        None if e.field == "moment" => "at".to_string(),
        None => format!("set ({})", e.field),
    };
    LinkError::new(part, e.message)
}

/// Where the learner's language choice is kept.
const LANGUAGE_KEY: &str = "streamscope.lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Keeps the learner's language for the next visit (nothing when storage is off).
pub fn store_language(lang: Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(LANGUAGE_KEY, lang.code());
    }
}

/// The language kept by [`store_language`], if any.
pub fn stored_language() -> Option<Lang> {
    match storage()?.get_item(LANGUAGE_KEY).ok().flatten()?.as_str() {
        "ko" => Some(Lang::Ko),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// The page's address without its fragment, and the window's history (in a browser).
fn address() -> Option<(String, web_sys::History)> {
    let w = web_sys::window()?;
    let l = w.location();
    let base = format!(
        "{}{}{}",
        l.origin().ok()?,
        l.pathname().ok()?,
        l.search().ok()?
    );
    Some((base, w.history().ok()?))
}

/// The address's fragment without `#` (empty without one).
pub fn current_fragment() -> String {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok());
    hash.unwrap_or_default().trim_start_matches('#').to_string()
}

impl App {
    /// The fragment of the world shown, or why the run has none.
    pub fn link_fragment(&self) -> Result<String, LinkError> {
        let mut link = RunLink::of(&self.sim, self.sim.moment(), Some(self.lang.code()))?;
        link.scenario = self.scenario_link.clone();
        if let Some(c) = &self.compare {
            link.compare = c.comparison.settings.clone();
        }
        Ok(link.encode())
    }

    /// The whole address of the world shown (`window.streamscope.url()`).
    pub fn link_url(&self) -> Option<String> {
        let (base, _) = address()?;
        let fragment = self.link_fragment().ok()?;
        Some(format!("{base}#{fragment}"))
    }

    /// Writes the fragment into the address (at page time `now_ms`; unless `force`, at most
    /// every [`LINK_EVERY_MS`]), or says why the run has no link.
    pub fn write_link(&mut self, now_ms: f64, force: bool) {
        if !force && now_ms - self.link_written.1 < LINK_EVERY_MS {
            return;
        }
        self.link_written.1 = now_ms;
        let fragment = match self.link_fragment() {
            Ok(f) => f,
            Err(e) => {
                let why = tf(self.lang, "link_none", &[("why", &e.to_string())]);
                set_text(&self.doc, "link-note", &why);
                return;
            }
        };
        set_text(&self.doc, "link-note", "");
        if fragment == self.link_written.0 {
            return;
        }
        if let Some((base, history)) = address() {
            let url = format!("{base}#{fragment}");
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
        self.link_written.0 = fragment;
    }

    /// "Copy link": the address onto the clipboard, and a message when the browser answers.
    pub fn copy_link(&mut self) {
        let lang = self.lang;
        let Some(url) = self.link_url() else {
            let why = self
                .link_fragment()
                .err()
                .map_or(String::new(), |e| e.to_string());
            self.show(Err(tf(lang, "link_none", &[("why", &why)])));
            return;
        };
        let promise = web_sys::window()
            .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"clipboard".into()).ok())
            .filter(|c| !c.is_undefined())
            .and_then(|c| {
                let write = js_sys::Reflect::get(&c, &"writeText".into()).ok()?;
                let write: js_sys::Function = write.dyn_into().ok()?;
                write.call1(&c, &JsValue::from_str(&url)).ok()
            })
            .and_then(|p| p.dyn_into::<js_sys::Promise>().ok());
        let Some(promise) = promise else {
            self.show(Err(t(lang, "link_copy_failed").to_string()));
            return;
        };
        let done = Closure::once(move |_: JsValue| {
            crate::page::with_app(|a| a.show(Ok(t(a.lang, "link_copied").to_string())));
        });
        let failed = Closure::once(move |_: JsValue| {
            crate::page::with_app(|a| a.show(Err(t(a.lang, "link_copy_failed").to_string())));
        });
        let _ = promise.then2(&done, &failed);
        done.forget();
        failed.forget();
    }

    /// Opens the run a link names at its moment; a link that cannot be read opens the preset
    /// with a message naming the part.
    pub fn open_link(&mut self, text: &str) {
        match self.load_link(text) {
            Ok(msg) => self.show(Ok(msg)),
            Err(e) => {
                self.pending = Config::preset();
                let _ = self.reset(1);
                let msg = tf(
                    self.lang,
                    "link_bad",
                    &[("part", &e.part), ("message", &e.message)],
                );
                self.show(Err(msg));
            }
        }
        self.link_written = (String::new(), f64::NEG_INFINITY);
    }

    /// The link's A/B comparison, started in its world; a refusal is shown at the A/B
    /// settings box (the world A of the link stays open).
    fn compare_from_link(&mut self, b: Vec<(String, String)>) {
        let typed: Vec<String> = b.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let result = self.start_compare_settings(b);
        let text = result.clone().unwrap_or_else(|e| e);
        set_text(&self.doc, "compare-status", &text);
        // Shown: the A/B group opens with the link's comparison (or its refusal).
        if let Some(group) = self.doc.get_element_by_id("compare-group") {
            let _ = group.set_attribute("open", "");
        }
        if let Some(field) = self.doc.get_element_by_id("compare-settings") {
            if let Ok(input) = field.clone().dyn_into::<web_sys::HtmlInputElement>() {
                input.set_value(&typed.join(", "));
            }
            crate::dom::field_message(&self.doc, &field, result.err().as_deref());
        }
    }

    fn load_link(&mut self, text: &str) -> Result<String, LinkError> {
        let link = RunLink::parse(text)?;
        let config = link.config()?;
        let mut observer = Observer::default();
        let (history, sim) = History::replay_observed(
            config.clone(),
            link.seed,
            &link.inputs,
            link.moment_or_end(),
            |s| observer.observe(s),
        )
        .map_err(link_part)?;
        self.twin = Twin::replaying(&config, link.seed, &link.inputs, sim.now());
        // A comparison goes on in the link's world, when its settings still differ there.
        self.compare = self.compare.take().and_then(|c| {
            Compare::replaying(c.comparison, &config, link.seed, &link.inputs, sim.now()).ok()
        });
        crate::comparison::write_layout(&self.doc, self.compare.as_ref(), self.lang);
        self.history = history;
        self.sim = sim;
        self.pending = config;
        self.fork = None;
        self.remap = None;
        self.remap_input = None;
        self.queued.clear();
        self.log.reset();
        self.view.reset();
        self.view.rebalance = observer;
        match link.lang.as_deref() {
            Some("ko") => self.lang = Lang::Ko,
            Some("en") => self.lang = Lang::En,
            _ => {}
        }
        self.after_jump();
        self.apply_language();
        if !link.compare.is_empty() {
            self.compare_from_link(link.compare.clone());
        }
        if link.scenario.is_some() {
            self.scenario_wanted = link.scenario.clone();
        }
        Ok(tf(
            self.lang,
            "link_opened",
            &[
                ("seed", &link.seed.to_string()),
                ("n", &link.inputs.len().to_string()),
                ("e", &self.sim.events_processed().to_string()),
            ],
        ))
    }
}
