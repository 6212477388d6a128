//! The page: owns the [`Sim`], wires the HTML controls, runs the requestAnimationFrame loop,
//! and exposes `window.streamscope` for tests. No Kafka logic: every setting goes through
//! the core's `Config::set` / `Sim::apply`, which validate and explain refusals.

use crate::brokers;
use crate::i18n::{t, tf, Lang, MESSAGES};
use crate::monitor;
use crate::panels;
use crate::render::{self, Target};
use std::cell::RefCell;
use std::rc::Rc;
use streamscope_core::config::settings;
use streamscope_core::{Change, Config, Sim, SimTime};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Document, HtmlInputElement, HtmlSelectElement};

/// Largest seed a JavaScript number holds exactly (seeds round-trip through the page).
pub const MAX_SEED: u64 = (1 << 53) - 1;
/// Cap on events per frame, so a huge speed cannot freeze the tab.
const MAX_EVENTS_PER_FRAME: u64 = 50_000;

/// What a broker button asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokerAction {
    /// The process is killed on a live host (`Change::KillBroker`).
    Kill,
    /// The host is lost: silent (`Change::CrashBroker`).
    LoseHost,
    Restart,
}

pub struct App {
    pub sim: Sim,
    /// The config the next Reset builds from (live changes are recorded here too).
    pub pending: Config,
    pub playing: bool,
    /// Simulated seconds per real second.
    pub speed: f64,
    pub lang: Lang,
    last_frame_ms: Option<f64>,
    last_stats_ms: f64,
    behind: bool,
    /// What the renderer keeps between frames (hit boxes, selection, departures).
    pub view: render::View,
    /// The last live change of the partition count and the keys it moved.
    pub remap: Option<panels::Remap>,
    /// Settings set since the last Reset that apply only on Reset (name, value).
    pub queued: Vec<(String, String)>,
    /// With the pipeline on: the hidden world with the other processing.guarantee
    /// (`pipeline::Twin`), kept at the visible one's time and given the same changes.
    pub twin: Option<crate::pipeline::Twin>,
    /// Each processor's phases seen so far (sampled after every run), for the test hook.
    pub phases_seen: Vec<Vec<&'static str>>,
    /// "Drain (stop sending)" pressed since the last Reset: the drain (`crate::liveness`).
    pub drain: Option<crate::liveness::PageDrain>,
    doc: Document,
    ctx: CanvasRenderingContext2d,
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

pub(crate) fn with_app<R>(f: impl FnOnce(&mut App) -> R) -> Option<R> {
    APP.with(|a| a.borrow_mut().as_mut().map(f))
}

fn el(doc: &Document, id: &str) -> Result<web_sys::Element, JsValue> {
    doc.get_element_by_id(id)
        .ok_or_else(|| JsValue::from_str(&format!("index.html has no #{id}")))
}

pub(crate) fn input(doc: &Document, id: &str) -> Option<HtmlInputElement> {
    doc.get_element_by_id(id)?.dyn_into().ok()
}

pub(crate) fn select(doc: &Document, id: &str) -> Option<HtmlSelectElement> {
    doc.get_element_by_id(id)?.dyn_into().ok()
}

pub(crate) fn set_text(doc: &Document, id: &str, s: &str) {
    if let Some(e) = doc.get_element_by_id(id) {
        if e.text_content().as_deref() != Some(s) {
            e.set_text_content(Some(s));
        }
    }
}

/// Partitions of the first topic (the one the page's producer writes).
fn partition_count(sim: &Sim) -> u32 {
    sim.topics()
        .first()
        .map_or(0, |t| t.partitions.len() as u32)
}

impl App {
    /// Applies `name=value`: live to the running simulation when Kafka's model allows it,
    /// else to the next Reset. Returns the message to show.
    pub fn apply_setting(&mut self, name: &str, value: &str) -> Result<String, String> {
        let name = name.trim();
        let value = value.trim();
        let mut next = self.pending.clone();
        next.set(name, value).map_err(|e| e.to_string())?;
        next.validate().map_err(|e| e.to_string())?;
        if settings::is_live(name) {
            let before = partition_count(&self.sim);
            self.apply_change(Change::Set {
                name: name.to_string(),
                value: value.to_string(),
            })?;
            self.pending = next;
            let mut msg = format!("{}: {name}={value}", t(self.lang, "applied"));
            let after = partition_count(&self.sim);
            if after != before {
                let remap = panels::Remap::compute(&self.sim, before, after);
                msg.push_str(" · ");
                msg.push_str(&remap.applied_text(self.lang));
                self.remap = Some(remap);
                self.write_remap();
            }
            Ok(msg)
        } else {
            self.pending = next;
            brokers::queue(&mut self.queued, name, value);
            brokers::write_pending(&self.doc, &self.queued, self.lang);
            Ok(format!("{name}={value}: {}", t(self.lang, "on_reset")))
        }
    }

    /// Schedules a fault typed in the fault box (validated by the core; nothing changes on
    /// an error).
    pub fn inject_fault(&mut self, text: &str) -> Result<String, String> {
        let spec = streamscope_core::sim::schedule::parse_fault_at(text, self.sim.now())
            .map_err(|e| e.to_string())?;
        let canonical = spec.text.clone();
        self.sim.schedule_fault(spec).map_err(|e| e.to_string())?;
        let now = self.sim.now();
        if let Some(twin) = self.twin.as_mut() {
            twin.schedule_fault(now, text);
        }
        Ok(format!("{}: {canonical}", t(self.lang, "fault_scheduled")))
    }

    /// Applies a live change to the simulation and, once it took it, to the twin at the
    /// same simulated time.
    pub fn apply_change(&mut self, change: Change) -> Result<(), String> {
        self.sim.apply(change.clone()).map_err(|e| e.to_string())?;
        let now = self.sim.now();
        if let Some(twin) = self.twin.as_mut() {
            twin.mirror(now, &change);
        }
        Ok(())
    }

    /// Ends every fault in the simulation and in the twin.
    pub fn end_faults(&mut self) {
        self.sim.end_faults();
        let now = self.sim.now();
        if let Some(twin) = self.twin.as_mut() {
            twin.end_faults(now);
        }
    }

    pub fn reset(&mut self, seed: u64) -> Result<(), String> {
        let seed = seed & MAX_SEED;
        let sim = Sim::new(self.pending.clone(), seed).map_err(|e| e.to_string())?;
        self.sim = sim;
        self.twin = crate::pipeline::Twin::new(&self.pending, seed);
        self.drain = None;
        self.phases_seen.clear();
        crate::pipeline::observe_phases(&self.sim, &mut self.phases_seen);
        self.last_frame_ms = None;
        self.view.reset();
        self.remap = None;
        self.queued.clear();
        brokers::write_pending(&self.doc, &self.queued, self.lang);
        self.write_remap();
        self.sync_controls();
        self.draw();
        Ok(())
    }

    /// Applies a consumer-group change (the core validates; nothing changes on an error).
    pub fn member_change(&mut self, change: Change) -> Result<String, String> {
        let lang = self.lang;
        let msg = match &change {
            Change::AddConsumer { group, strategy } => tf(
                lang,
                "member_added",
                &[
                    ("g", &group.to_string()),
                    ("s", strategy.as_deref().unwrap_or("-")),
                ],
            ),
            Change::AddGroup { group_id, .. } => tf(lang, "group_added", &[("g", group_id)]),
            Change::RemoveConsumer { consumer } => {
                tf(lang, "member_closed", &[("c", &consumer.to_string())])
            }
            Change::CrashConsumer { consumer } => {
                tf(lang, "member_crashed", &[("c", &consumer.to_string())])
            }
            Change::RestartConsumer { consumer } => {
                tf(lang, "member_restarted", &[("c", &consumer.to_string())])
            }
            Change::SlowConsumer {
                consumer,
                per_record_us,
            } => tf(
                lang,
                "member_slowed",
                &[
                    ("c", &consumer.to_string()),
                    ("ms", &(per_record_us / 1000).to_string()),
                ],
            ),
            _ => t(lang, "applied").to_string(),
        };
        self.apply_change(change)?;
        Ok(msg)
    }

    /// Kills broker `b`'s process, loses its host or restarts it (the core validates) and
    /// says what happened.
    pub fn broker_fault(&mut self, b: u32, action: BrokerAction) {
        let (change, key) = match action {
            BrokerAction::Kill => (Change::KillBroker { broker: b }, "kill_done"),
            BrokerAction::LoseHost => (Change::CrashBroker { broker: b }, "crash_done"),
            BrokerAction::Restart => (Change::RestartBroker { broker: b }, "restart_done"),
        };
        let r = self.apply_change(change).map(|_| {
            // A restart before the fence waits for the controller (`sim::faults`).
            let waits = self
                .sim
                .brokers()
                .get(b as usize)
                .is_some_and(|x| x.registering);
            let key = if waits { "restart_pending_done" } else { key };
            tf(self.lang, key, &[("b", &b.to_string())])
        });
        self.show(r);
        self.draw();
    }

    /// Shows what a click on the canvas at (x, y) in canvas units points at.
    pub fn click(&mut self, x: f64, y: f64) {
        if let Some(target) = self.view.hits.find(x, y) {
            self.select(Some(target));
        }
    }

    pub fn select(&mut self, target: Option<Target>) {
        self.view.selected = target;
        self.draw();
    }

    fn write_inspector(&self) {
        panels::write_inspector(&self.doc, &self.sim, self.lang, self.view.selected);
    }

    fn write_remap(&self) {
        panels::write_remap(&self.doc, self.lang, self.remap.as_ref());
    }

    pub fn step(&mut self) {
        self.playing = false;
        if self.draining() {
            crate::liveness::advance(self, SimTime(u64::MAX), 1);
        } else {
            self.sim.step();
        }
        self.catch_up_twin(MAX_EVENTS_PER_FRAME);
        self.sync_controls();
        self.draw();
    }

    /// Runs to `target` (at most `max_events` events; true when there), letting the renderer
    /// read the trace at least every half trace so no rebalance phase scrolls out unseen.
    pub(crate) fn advance(&mut self, target: SimTime, max_events: u64) -> bool {
        if self.draining() {
            let done = crate::liveness::advance(self, target, max_events);
            self.catch_up_twin(max_events);
            return done;
        }
        let chunk = (streamscope_core::sim::TRACE_CAPACITY / 2) as u64;
        let mut left = max_events;
        while left > 0 {
            let n = left.min(chunk);
            let done = self.sim.run_until_bounded(target, n);
            self.view.rebalance.observe(&self.sim);
            crate::pipeline::observe_phases(&self.sim, &mut self.phases_seen);
            if done {
                self.catch_up_twin(max_events);
                return true;
            }
            left -= n;
        }
        self.catch_up_twin(max_events);
        false
    }

    /// Whether a drain runs (the frames then advance the simulation by `Sim::drain_step`).
    pub fn draining(&self) -> bool {
        self.drain.as_ref().is_some_and(|d| d.running())
    }

    /// Runs the twin to the simulation's time (at most `max_events` events: it catches up on
    /// a later frame when it falls behind).
    fn catch_up_twin(&mut self, max_events: u64) {
        let now = self.sim.now();
        if let Some(twin) = self.twin.as_mut() {
            twin.catch_up(now, max_events);
        }
    }

    pub(crate) fn draw(&mut self) {
        render::draw(&self.ctx, &self.sim, self.lang, &mut self.view);
        self.write_stats();
        self.write_inspector();
    }

    fn frame(&mut self, now_ms: f64) {
        let dt = match self.last_frame_ms {
            Some(prev) => (now_ms - prev).clamp(0.0, 100.0),
            None => 0.0,
        };
        self.last_frame_ms = Some(now_ms);
        if self.playing {
            let advance_us = (dt * 1000.0 * self.speed) as u64;
            // A drain moves the simulation only to its events' times: it keeps its own clock.
            let from = match self.drain.as_ref().filter(|d| d.running()) {
                Some(d) => d.clock(&self.sim),
                None => self.sim.now(),
            };
            let target = from.plus(advance_us);
            self.behind = !self.advance(target, MAX_EVENTS_PER_FRAME);
        }
        // A departed batch stays in its row for about 1.5 s of wall time at any speed.
        self.view.departure_window_us = (self.speed * 1.5e6).max(1000.0) as u64;
        render::draw(&self.ctx, &self.sim, self.lang, &mut self.view);
        if now_ms - self.last_stats_ms > 100.0 || !self.playing {
            self.last_stats_ms = now_ms;
            self.write_stats();
            if self.playing {
                self.write_inspector();
            }
        }
    }

    fn write_stats(&self) {
        let (sent, acked, failed, consumed) = self.sim.totals();
        let lang = self.lang;
        let lag: u64 = self.sim.consumer_summaries().iter().map(|c| c.lag).sum();
        let s = format!(
            "{} {} · {} {} · {} {} · {} {} · {} {} · {} {} · {} {}{}",
            t(lang, "time"),
            self.sim.now(),
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
        let status = match render::running(&self.sim) {
            Some(p) => render::producer_status(&self.sim, p, lang).0,
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
        crate::liveness::write_status(&self.doc, &crate::liveness::status(self), lang);
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
        doc.set_title(t(self.lang, "title"));
        panels::write_calculator(doc, self.lang);
        brokers::write_pending(doc, &self.queued, self.lang);
        self.write_remap();
        self.sync_controls();
        self.draw();
    }

    /// Controls show the running producer's settings.
    pub(crate) fn sync_controls(&self) {
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
        let get = |n: &str| settings::current(&self.pending, n).unwrap_or_default();
        if let Some(s) = select(doc, "acks") {
            s.set_value(&get("acks"));
        }
        if let Some(s) = select(doc, "partitioner") {
            s.set_value(&get("partitioner.class"));
        }
        if let Some(s) = select(doc, "send-mode") {
            s.set_value(&get("sim.send.mode"));
        }
        if let Some(i) = input(doc, "linger") {
            i.set_value(&get("linger.ms"));
        }
        if let Some(i) = input(doc, "num-partitions") {
            i.set_value(&get("num.partitions"));
        }
        let value = |n: &str| settings::current(&self.pending, n).unwrap_or_default();
        if let Some(i) = input(doc, "replication-factor") {
            i.set_value(&value("replication.factor"));
            i.set_max(&self.pending.sim.brokers.value.to_string());
        }
        if let Some(i) = input(doc, "min-isr") {
            i.set_value(&value("min.insync.replicas"));
        }
        if let Some(i) = input(doc, "unclean") {
            i.set_checked(value("unclean.leader.election.enable") == "true");
        }
        if let Some(i) = input(doc, "retries") {
            i.set_value(&value("retries"));
        }
        // Idempotence as the running producer has it (unset, it follows acks).
        if let Some(i) = input(doc, "idempotence") {
            let on = match render::running(&self.sim) {
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

    pub(crate) fn show(&self, ok: Result<String, String>) {
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

fn on<F: FnMut(web_sys::Event) + 'static>(
    target: &web_sys::EventTarget,
    kind: &str,
    f: F,
) -> Result<(), JsValue> {
    let c = Closure::<dyn FnMut(web_sys::Event)>::new(f);
    target.add_event_listener_with_callback(kind, c.as_ref().unchecked_ref())?;
    c.forget();
    Ok(())
}

pub(crate) fn on_id<F: FnMut(web_sys::Event) + 'static>(
    doc: &Document,
    id: &str,
    kind: &str,
    f: F,
) -> Result<(), JsValue> {
    let target: web_sys::EventTarget = el(doc, id)?.into();
    on(&target, kind, f)
}

/// What kind of element a setting control is.
#[derive(Clone, Copy)]
enum Control {
    Select,
    Input,
    Checkbox,
}

/// A setting control: apply `name` = the control's value (live, or queued for Reset); on
/// refusal show why and put the control back to what is in force.
fn wire_setting(
    doc: &Document,
    id: &'static str,
    name: &'static str,
    kind: Control,
) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, id, "change", move |_| {
        let value = match kind {
            Control::Select => select(&d, id).map(|s| s.value()),
            Control::Input => input(&d, id).map(|i| i.value()),
            Control::Checkbox => input(&d, id).map(|i| i.checked().to_string()),
        };
        let Some(value) = value else { return };
        with_app(|a| {
            let r = a.apply_setting(name, &value);
            a.show(r);
            a.sync_controls();
            a.draw();
        });
    })
}

pub fn random_seed() -> u64 {
    let mut buf = [0u8; 8];
    match getrandom::fill(&mut buf) {
        Ok(()) => u64::from_le_bytes(buf) & MAX_SEED,
        Err(_) => 1,
    }
}

/// Builds the app on the page and starts the animation loop.
pub fn start() -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let doc = window.document().ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement = el(&doc, "canvas")?.dyn_into()?;
    let ratio = window.device_pixel_ratio().max(1.0);
    canvas.set_width((render::WIDTH * ratio) as u32);
    canvas.set_height((render::HEIGHT * ratio) as u32);
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or("no 2d context")?
        .dyn_into()?;
    ctx.scale(ratio, ratio)?;
    let lang = Lang::from_browser(&window.navigator().language().unwrap_or_default());
    let seed = 1;
    let pending = Config::preset();
    let sim = Sim::new(pending.clone(), seed).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let app = App {
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
        queued: Vec::new(),
        twin: None,
        phases_seen: Vec::new(),
        drain: None,
        doc: doc.clone(),
        ctx,
    };
    APP.with(|a| *a.borrow_mut() = Some(app));
    wire(&doc)?;
    with_app(|a| a.apply_language());
    install_test_hook(&window)?;
    start_loop(window)?;
    if let Some(body) = doc.body() {
        body.dataset().set("ready", "true")?;
    }
    Ok(())
}

/// The Crash / Restart buttons over the broker boxes: one listener on their container
/// reads which broker and which action from the clicked button's data attributes.
fn wire_broker_controls(doc: &Document) -> Result<(), JsValue> {
    on_id(doc, "broker-controls", "click", move |e| {
        let Some(button) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("button[data-action]").ok().flatten())
        else {
            return;
        };
        let broker = button
            .get_attribute("data-broker")
            .and_then(|b| b.parse::<u32>().ok());
        let action = match button.get_attribute("data-action").as_deref() {
            Some("kill") => BrokerAction::Kill,
            Some("crash") => BrokerAction::LoseHost,
            Some("restart") => BrokerAction::Restart,
            _ => return,
        };
        if let Some(b) = broker {
            with_app(|a| a.broker_fault(b, action));
        }
    })
}

fn wire(doc: &Document) -> Result<(), JsValue> {
    wire_broker_controls(doc)?;
    on_id(doc, "play", "click", |_| {
        with_app(|a| {
            a.playing = !a.playing;
            a.last_frame_ms = None;
            a.sync_controls();
        });
    })?;
    on_id(doc, "step", "click", |_| {
        with_app(|a| a.step());
    })?;
    let d = doc.clone();
    on_id(doc, "speed", "change", move |_| {
        if let Some(v) = select(&d, "speed").and_then(|s| s.value().parse::<f64>().ok()) {
            with_app(|a| a.speed = v.clamp(0.0001, 100.0));
        }
    })?;
    let d = doc.clone();
    on_id(doc, "reset", "click", move |_| {
        let raw = input(&d, "seed").map(|i| i.value()).unwrap_or_default();
        with_app(|a| match raw.trim().parse::<u64>() {
            Ok(seed) if seed <= MAX_SEED => {
                let r = a
                    .reset(seed)
                    .map(|_| format!("{} {seed}", t(a.lang, "seed")));
                a.show(r);
            }
            _ => a.show(Err(format!(
                "{}: '{raw}' is not valid: expected an integer from 0 to {MAX_SEED}",
                t(a.lang, "seed")
            ))),
        });
    })?;
    on_id(doc, "random-seed", "click", |_| {
        let seed = random_seed();
        with_app(|a| {
            let r = a
                .reset(seed)
                .map(|_| format!("{} {seed}", t(a.lang, "seed")));
            a.show(r);
        });
    })?;
    let d = doc.clone();
    on_id(doc, "canvas", "click", move |e| {
        let Some(m) = e.dyn_ref::<web_sys::MouseEvent>() else {
            return;
        };
        let Some(c) = d.get_element_by_id("canvas") else {
            return;
        };
        let (w, h) = (c.client_width() as f64, c.client_height() as f64);
        if w <= 0.0 || h <= 0.0 {
            return;
        }
        let x = m.offset_x() as f64 * render::WIDTH / w;
        let y = m.offset_y() as f64 * render::HEIGHT / h;
        with_app(|a| a.click(x, y));
    })?;
    on_id(doc, "inspector-close", "click", |_| {
        with_app(|a| a.select(None));
    })?;
    for id in ["calc-key", "calc-partitions"] {
        let d = doc.clone();
        on_id(doc, id, "input", move |_| {
            let lang = with_app(|a| a.lang).unwrap_or(Lang::En);
            panels::write_calculator(&d, lang);
        })?;
    }
    on_id(doc, "lang", "click", |_| {
        with_app(|a| {
            a.lang = a.lang.other();
            a.apply_language();
        });
    })?;
    wire_setting(doc, "acks", "acks", Control::Select)?;
    wire_setting(doc, "partitioner", "partitioner.class", Control::Select)?;
    wire_setting(doc, "send-mode", "sim.send.mode", Control::Select)?;
    wire_setting(doc, "linger", "linger.ms", Control::Input)?;
    wire_setting(doc, "num-partitions", "num.partitions", Control::Input)?;
    wire_setting(
        doc,
        "replication-factor",
        "replication.factor",
        Control::Input,
    )?;
    wire_setting(doc, "min-isr", "min.insync.replicas", Control::Input)?;
    wire_setting(
        doc,
        "unclean",
        "unclean.leader.election.enable",
        Control::Checkbox,
    )?;
    wire_setting(doc, "idempotence", "enable.idempotence", Control::Checkbox)?;
    wire_setting(doc, "retries", "retries", Control::Input)?;
    let d = doc.clone();
    let apply_free = move || {
        let raw = input(&d, "setting").map(|i| i.value()).unwrap_or_default();
        with_app(|a| {
            let r = match raw.split_once('=') {
                Some((n, v)) => a.apply_setting(n, v),
                None => Err(format!("'{raw}': expected name=value, e.g. linger.ms=20")),
            };
            a.show(r);
            a.sync_controls();
            a.draw();
        });
    };
    let f = apply_free.clone();
    on_id(doc, "apply-setting", "click", move |_| f())?;
    crate::groups::wire(doc)?;
    crate::transactions::wire(doc)?;
    crate::pipeline::wire(doc)?;
    wire_setting(
        doc,
        "assignor",
        "partition.assignment.strategy",
        Control::Select,
    )?;
    wire_setting(
        doc,
        "static-members",
        "sim.static.members",
        Control::Checkbox,
    )?;
    // The fault box: `--fault` syntax, times relative to now with `+`, no `@` = from now on.
    let d = doc.clone();
    let inject = move || {
        let raw = input(&d, "fault").map(|i| i.value()).unwrap_or_default();
        with_app(|a| {
            let r = a.inject_fault(&raw);
            a.show(r);
            a.draw();
        });
    };
    let f = inject.clone();
    on_id(doc, "apply-fault", "click", move |_| f())?;
    on_id(doc, "fault", "keydown", move |e| {
        if e.dyn_ref::<web_sys::KeyboardEvent>()
            .is_some_and(|k| k.key() == "Enter")
        {
            inject();
        }
    })?;
    on_id(doc, "end-faults", "click", |_| {
        with_app(|a| {
            a.end_faults();
            let msg = t(a.lang, "faults_ended").to_string();
            a.show(Ok(msg));
            a.draw();
        });
    })?;
    on_id(doc, "drain", "click", |_| {
        with_app(|a| {
            let msg = crate::liveness::start_drain(a);
            a.show(Ok(msg));
            a.draw();
        });
    })?;
    on_id(doc, "setting", "keydown", move |e| {
        if e.dyn_ref::<web_sys::KeyboardEvent>()
            .is_some_and(|k| k.key() == "Enter")
        {
            apply_free();
        }
    })?;
    on(doc, "keydown", |e| {
        let Some(k) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
            return;
        };
        let in_field = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|t| {
                matches!(
                    t.tag_name().as_str(),
                    "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"
                )
            });
        if in_field {
            return;
        }
        match k.key().as_str() {
            " " => {
                e.prevent_default();
                with_app(|a| {
                    a.playing = !a.playing;
                    a.last_frame_ms = None;
                    a.sync_controls();
                });
            }
            "ArrowRight" => {
                e.prevent_default();
                with_app(|a| a.step());
            }
            "Escape" => {
                with_app(|a| {
                    if a.view.selected.is_some() {
                        a.select(None);
                    }
                });
            }
            _ => {}
        }
    })?;
    Ok(())
}

/// The requestAnimationFrame callback, shared with itself so it can schedule the next frame.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

fn start_loop(window: web_sys::Window) -> Result<(), JsValue> {
    let cb: FrameCallback = Rc::new(RefCell::new(None));
    let cb2 = cb.clone();
    let w = window.clone();
    *cb.borrow_mut() = Some(Closure::new(move |ts: f64| {
        with_app(|a| a.frame(ts));
        if let Some(c) = cb2.borrow().as_ref() {
            let _ = w.request_animation_frame(c.as_ref().unchecked_ref());
        }
    }));
    if let Some(c) = cb.borrow().as_ref() {
        window.request_animation_frame(c.as_ref().unchecked_ref())?;
    }
    Ok(())
}

fn to_js<T: serde::Serialize>(v: &T) -> JsValue {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&ser).unwrap_or(JsValue::NULL)
}

/// `window.streamscope`: the page's state for tests and the curious, as plain objects.
fn install_test_hook(window: &web_sys::Window) -> Result<(), JsValue> {
    let hook = js_sys::Object::new();
    let snapshot = Closure::<dyn Fn() -> JsValue>::new(|| {
        with_app(|a| to_js(&a.sim.snapshot())).unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(&hook, &"snapshot".into(), snapshot.as_ref())?;
    snapshot.forget();
    let apply = Closure::<dyn Fn(String, String) -> JsValue>::new(|n: String, v: String| {
        with_app(|a| {
            let r = a.apply_setting(&n, &v);
            a.sync_controls();
            match r {
                Ok(_) => JsValue::NULL,
                Err(e) => JsValue::from_str(&e),
            }
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(&hook, &"apply".into(), apply.as_ref())?;
    apply.forget();
    let speed = Closure::<dyn Fn(f64)>::new(|v: f64| {
        with_app(|a| a.speed = v.clamp(0.0001, 100.0));
    });
    js_sys::Reflect::set(&hook, &"setSpeed".into(), speed.as_ref())?;
    speed.forget();
    let run = Closure::<dyn Fn(f64) -> JsValue>::new(|ms: f64| {
        with_app(|a| {
            let target = SimTime((ms.max(0.0) * 1000.0) as u64);
            a.advance(target, u64::MAX);
            a.draw();
            JsValue::from_f64(a.sim.events_processed() as f64)
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(&hook, &"runUntilMs".into(), run.as_ref())?;
    run.forget();
    let place = Closure::<dyn Fn(String, f64) -> JsValue>::new(|key: String, n: f64| {
        match panels::parse_partitions(&n.to_string()) {
            Some(n) => to_js(&streamscope_core::inspect::place_key(key.as_bytes(), n)),
            None => JsValue::NULL,
        }
    });
    js_sys::Reflect::set(&hook, &"placeKey".into(), place.as_ref())?;
    place.forget();
    let info = Closure::<dyn Fn(f64) -> JsValue>::new(|id: f64| {
        if !(id >= 0.0 && id.fract() == 0.0) {
            return JsValue::NULL;
        }
        with_app(|a| to_js(&a.sim.record_info(id as u64))).unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(&hook, &"recordInfo".into(), info.as_ref())?;
    info.forget();
    let hits = Closure::<dyn Fn() -> JsValue>::new(|| {
        with_app(|a| to_js(&panels::hit_views(a.view.hits.items()))).unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(&hook, &"hitTargets".into(), hits.as_ref())?;
    hits.forget();
    // A setting's value in the running simulation and in the config the next Reset uses.
    let config = Closure::<dyn Fn(String) -> JsValue>::new(|name: String| {
        with_app(|a| {
            let o = js_sys::Object::new();
            let running = settings::current(a.sim.config(), &name);
            let pending = settings::current(&a.pending, &name);
            let as_js = |v: Option<String>| v.map_or(JsValue::NULL, |v| JsValue::from_str(&v));
            let _ = js_sys::Reflect::set(&o, &"running".into(), &as_js(running));
            let _ = js_sys::Reflect::set(&o, &"pending".into(), &as_js(pending));
            JsValue::from(o)
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(&hook, &"config".into(), config.as_ref())?;
    config.forget();
    let replicas = Closure::<dyn Fn() -> JsValue>::new(|| {
        with_app(|a| to_js(&a.view.replicas)).unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(&hook, &"drawnReplicas".into(), replicas.as_ref())?;
    replicas.forget();
    let panels = Closure::<dyn Fn() -> JsValue>::new(|| {
        with_app(|a| to_js(&a.view.groups)).unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(&hook, &"groupPanels".into(), panels.as_ref())?;
    panels.forget();
    let counts = Closure::<dyn Fn() -> JsValue>::new(|| {
        with_app(|a| to_js(&monitor::monitor_counts(&a.sim))).unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(&hook, &"monitor".into(), counts.as_ref())?;
    counts.forget();
    let liveness = Closure::<dyn Fn() -> JsValue>::new(|| {
        with_app(|a| {
            let o = to_js(&crate::liveness::status(a));
            let keys = to_js(&a.view.stuck);
            let _ = js_sys::Reflect::set(&o, &"stuck_keys".into(), &keys);
            o
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(&hook, &"liveness".into(), liveness.as_ref())?;
    liveness.forget();
    let live = Closure::<dyn Fn(String) -> bool>::new(|name: String| settings::is_live(&name));
    js_sys::Reflect::set(&hook, &"isLive".into(), live.as_ref())?;
    live.forget();
    js_sys::Reflect::set(&hook, &"canvasWidth".into(), &render::WIDTH.into())?;
    let messages = js_sys::Array::new();
    for (k, en, ko) in MESSAGES {
        let row = js_sys::Array::of3(&(*k).into(), &(*en).into(), &(*ko).into());
        messages.push(&row);
    }
    js_sys::Reflect::set(&hook, &"messages".into(), &messages)?;
    crate::transactions::install_hook(&hook)?;
    crate::pipeline::install_hook(&hook)?;
    js_sys::Reflect::set(window, &"streamscope".into(), &hook)?;
    Ok(())
}
