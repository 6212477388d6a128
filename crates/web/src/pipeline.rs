//! The DOM side of the consume-transform-produce pipeline (`sim.pipeline=ctp`): its controls
//! in the "Transactions" box (pipeline on / off, processing.guarantee, processors: on Reset;
//! crash a processor, mid-transaction or not, and restart it with the same or a new
//! transactional.id: now), the processors' status line, and the side-by-side count of
//! duplicates in the output under exactly_once_v2 and at_least_once.
//!
//! The side-by-side count comes from a hidden twin: a second `Sim` built from the same config
//! and seed with the other processing.guarantee, run to the visible simulation's time every
//! frame (never drawn), which gets the same live changes and the same fault texts. Every rule
//! (what a crash does, when a processor may restart, what counts as a duplicate) is the
//! core's; this module only calls its API and formats what it reports.

use crate::app::{input, on_id, select, set_text, with_app, App};
use crate::i18n::{t, tf, Lang};
use serde::Serialize;
use streamscope_core::app::pipeline::state::PipelineReport;
use streamscope_core::app::pipeline::state::Processor;
use streamscope_core::app::pipeline::state::ProcessorPhase;
use streamscope_core::config::{settings, PipelineKind, ProcessingGuarantee};
use streamscope_core::{Change, Config, Sim, SimTime};
use wasm_bindgen::prelude::*;
use web_sys::Document;

/// The twin's config: `cfg` with the other processing.guarantee, when `cfg` runs the
/// pipeline (None otherwise: no twin, nothing to compare).
pub fn twin_config(cfg: &Config) -> Option<Config> {
    if cfg.pipeline.kind.value != PipelineKind::Ctp {
        return None;
    }
    let mut c = cfg.clone();
    c.set(
        "processing.guarantee",
        cfg.pipeline.guarantee.value.other().name(),
    )
    .ok()?;
    c.validate().ok()?;
    Some(c)
}

/// The hidden simulation with the other processing.guarantee.
pub struct Twin {
    pub sim: Sim,
    /// Restarts the twin could not take yet (its processor had not crashed: an in-txn crash
    /// waits for its own moment between a produce and a commit); applied once it has.
    pending: Vec<Change>,
    /// Its own drain, started with the visible one's (`crate::liveness`).
    drain: Option<crate::liveness::PageDrain>,
}

impl Twin {
    /// The twin of a world built from `cfg` with `seed` (None without a pipeline).
    pub fn new(cfg: &Config, seed: u64) -> Option<Twin> {
        let sim = Sim::new(twin_config(cfg)?, seed).ok()?;
        Some(Twin {
            sim,
            pending: Vec::new(),
            drain: None,
        })
    }

    /// Runs the twin towards `t` (at most `max_events` events; true when there) and applies
    /// the restarts it was waiting for.
    pub fn catch_up(&mut self, t: SimTime, max_events: u64) -> bool {
        let done = match self.drain.as_mut().filter(|d| d.running()) {
            Some(d) => d.advance(&mut self.sim, t, max_events, u64::MAX, &mut |_| {}),
            None => self.sim.run_until_bounded(t, max_events),
        };
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            for c in pending {
                self.apply_or_wait(c);
            }
        }
        done
    }

    fn apply_or_wait(&mut self, change: Change) {
        let waiting = match &change {
            Change::RestartProcessor { processor, .. } => self
                .sim
                .pipeline()
                .and_then(|p| p.processors.get(*processor as usize))
                .is_some_and(|p| p.phase != ProcessorPhase::Crashed),
            _ => false,
        };
        if waiting {
            self.pending.push(change);
        } else {
            // A change the twin refuses (its world diverged) leaves it as it is.
            let _ = self.sim.apply(change);
        }
    }

    /// Runs the twin to `t` (by its drain while one runs).
    fn run_to(&mut self, t: SimTime) {
        match self.drain.as_mut().filter(|d| d.running()) {
            Some(d) => {
                d.advance(&mut self.sim, t, u64::MAX, u64::MAX, &mut |_| {});
            }
            None => {
                self.sim.run_until(t);
            }
        }
    }

    /// Starts the twin's drain (after `end_faults` at the same time).
    pub fn start_drain(&mut self) {
        self.drain = Some(crate::liveness::PageDrain::start(&mut self.sim));
    }

    /// The same live change as the visible simulation got at `t`.
    pub fn mirror(&mut self, t: SimTime, change: &Change) {
        self.run_to(t);
        self.apply_or_wait(change.clone());
    }

    /// The same fault text, read at the same time `t` (`+T` relative to it).
    pub fn schedule_fault(&mut self, t: SimTime, text: &str) {
        self.run_to(t);
        if let Ok(spec) = streamscope_core::sim::schedule::parse_fault_at(text, t) {
            let _ = self.sim.schedule_fault(spec);
        }
    }

    pub fn end_faults(&mut self, t: SimTime) {
        self.run_to(t);
        self.sim.end_faults();
        self.pending.clear();
    }
}

// ----- what the page shows -----

/// A processor as the page shows it (`window.streamscope.pipeline()`).
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct ProcessorView {
    pub index: u32,
    /// The core's phase name (`ProcessorPhase::name`): polling, initTransactions,
    /// AddOffsetsToTxn, TxnOffsetCommit, commitTransaction, abortTransaction, flush,
    /// commitSync, crashed.
    pub phase: &'static str,
    pub consumer: u32,
    pub producer: u32,
    pub transactional_id: Option<String>,
    pub producer_id: i64,
    pub epoch: i16,
    pub processed: u64,
    pub commits: u64,
    pub aborts: u64,
    pub crashes: u64,
}

pub fn processor_views(sim: &Sim) -> Vec<ProcessorView> {
    let Some(pl) = sim.pipeline() else {
        return Vec::new();
    };
    pl.processors
        .iter()
        .map(|p| {
            let prod = sim.producers().get(p.producer as usize);
            ProcessorView {
                index: p.index,
                phase: p.phase.name(),
                consumer: p.consumer,
                producer: p.producer,
                transactional_id: p.transactional_id.clone(),
                producer_id: prod.map_or(-1, |x| x.producer_id),
                epoch: prod.map_or(-1, |x| x.epoch),
                processed: p.processed,
                commits: p.commits,
                aborts: p.aborts,
                crashes: p.crashes,
            }
        })
        .collect()
}

/// Whether a producer instance is a pipeline processor's (its application number is a
/// processor's, never one of the page's producer applications).
pub fn is_processor_producer(p: &streamscope_core::producer::Producer) -> bool {
    streamscope_core::app::pipeline::state::is_processor_app(p.app)
}

/// The processor that consumer `c` is, if it is one.
pub fn processor_of_consumer(sim: &Sim, c: u32) -> Option<&Processor> {
    sim.pipeline()?.processor_of_consumer(c)
}

/// The title of a processor's consumer box (under its group's panel): its number and phase.
pub fn box_title(sim: &Sim, c: u32, lang: Lang) -> Option<String> {
    let p = processor_of_consumer(sim, c)?;
    Some(tf(
        lang,
        "pipe_box_title",
        &[("n", &p.index.to_string()), ("phase", p.phase.name())],
    ))
}

/// The status line: the guarantee and each processor's phase, transactional.id and epoch,
/// and its counts.
pub fn status_text(sim: &Sim, lang: Lang) -> String {
    let Some(pl) = sim.pipeline() else {
        return t(lang, "pipe_status_off").to_string();
    };
    let mut s = tf(
        lang,
        "pipe_status_head",
        &[
            ("g", pl.guarantee.name()),
            ("other", pl.guarantee.other().name()),
        ],
    );
    for v in processor_views(sim) {
        let id = match &v.transactional_id {
            Some(id) => tf(
                lang,
                "pipe_txn_id",
                &[("id", id), ("e", &v.epoch.to_string())],
            ),
            None => t(lang, "pipe_no_txn_id").to_string(),
        };
        s.push_str(" | ");
        s.push_str(&tf(
            lang,
            "pipe_processor_line",
            &[
                ("n", &v.index.to_string()),
                ("c", &v.consumer.to_string()),
                ("phase", v.phase),
                ("id", &id),
                ("p", &v.processed.to_string()),
                ("k", &v.commits.to_string()),
                ("a", &v.aborts.to_string()),
            ],
        ));
    }
    s
}

/// The reports of the two guarantees: (exactly_once_v2, at_least_once), from whichever of
/// the visible simulation and its twin runs each.
pub fn by_guarantee<'a>(
    sim: &'a Sim,
    twin: Option<&'a Sim>,
) -> (Option<PipelineReport>, Option<PipelineReport>) {
    let mut eos = None;
    let mut alos = None;
    for s in std::iter::once(sim).chain(twin) {
        let (Some(pl), Some(r)) = (s.pipeline(), s.pipeline_report()) else {
            continue;
        };
        match pl.guarantee {
            ProcessingGuarantee::ExactlyOnceV2 => eos = Some(r),
            ProcessingGuarantee::AtLeastOnce => alos = Some(r),
        }
    }
    (eos, alos)
}

/// "duplicates in the output: exactly_once_v2 N · at_least_once M", then what is not (yet)
/// in the output and records of aborted transactions a read_committed reader returned.
pub fn counts_text(sim: &Sim, twin: Option<&Sim>, lang: Lang) -> String {
    let (eos, alos) = by_guarantee(sim, twin);
    if eos.is_none() && alos.is_none() {
        return t(lang, "pipe_counts_off").to_string();
    }
    let n = |r: &Option<PipelineReport>, f: fn(&PipelineReport) -> u64| {
        r.as_ref().map_or("—".to_string(), |r| f(r).to_string())
    };
    tf(
        lang,
        "pipe_counts",
        &[
            ("eos", &n(&eos, |r| r.duplicates)),
            ("alos", &n(&alos, |r| r.duplicates)),
            ("eos_missing", &n(&eos, |r| r.missing)),
            ("alos_missing", &n(&alos, |r| r.missing)),
            ("eos_aborted", &n(&eos, |r| r.read_committed_aborted_seen)),
            ("alos_aborted", &n(&alos, |r| r.read_committed_aborted_seen)),
            ("eos_crashes", &n(&eos, |r| r.processor_crashes)),
            ("alos_crashes", &n(&alos, |r| r.processor_crashes)),
        ],
    )
}

/// The status line, the counts and the buttons' state (called with the stats).
pub fn write_status(doc: &Document, sim: &Sim, twin: Option<&Sim>, lang: Lang) {
    set_text(doc, "pipeline-status", &status_text(sim, lang));
    set_text(doc, "eos-counts", &counts_text(sim, twin, lang));
    let on = sim.pipeline().is_some();
    for id in [
        "crash-processor",
        "restart-processor",
        "restart-processor-new-id",
    ] {
        if let Some(b) = doc.get_element_by_id(id) {
            let disabled = b.has_attribute("disabled");
            if on && disabled {
                let _ = b.remove_attribute("disabled");
            } else if !on && !disabled {
                let _ = b.set_attribute("disabled", "");
            }
        }
    }
    if let Some(e) = doc.get_element_by_id("eos-counts") {
        let (eos, alos) = by_guarantee(sim, twin);
        for (attr, r) in [("data-eos", eos), ("data-alos", alos)] {
            let v = r.map_or("-".to_string(), |r| r.duplicates.to_string());
            if e.get_attribute(attr).as_deref() != Some(v.as_str()) {
                let _ = e.set_attribute(attr, &v);
            }
        }
    }
}

/// The on-Reset controls show the config the next Reset builds.
pub fn sync_controls(doc: &Document, pending: &Config) {
    let get = |n: &str| settings::current(pending, n).unwrap_or_default();
    if let Some(i) = input(doc, "pipeline-enabled") {
        i.set_checked(get("sim.pipeline") == "ctp");
    }
    if let Some(s) = select(doc, "pipeline-guarantee") {
        s.set_value(&get("processing.guarantee"));
    }
    if let Some(i) = input(doc, "pipeline-processors") {
        i.set_value(&get("sim.pipeline.processors"));
    }
}

// ----- the controls -----

fn setting(a: &mut App, doc: &Document, name: &str, value: &str) {
    let r = a.apply_setting(name, value);
    a.show(r);
    sync_controls(doc, &a.pending);
    a.draw();
}

fn processor_index(doc: &Document, lang: Lang) -> Result<u32, String> {
    let raw = input(doc, "processor-index")
        .map(|i| i.value())
        .unwrap_or_default();
    raw.trim()
        .parse::<u32>()
        .map_err(|_| tf(lang, "pipe_bad_index", &[("raw", &raw)]))
}

/// Crashes processor `n` in both simulations: mid-transaction through the fault machinery
/// (`crash:processor=N,in-txn@+0s`: each simulation crashes it at its own next moment between
/// a produce and its commit, within 5 s), else at once.
pub fn crash(a: &mut App, n: u32, in_txn: bool) -> Result<String, String> {
    if in_txn {
        let text = format!("crash:processor={n},in-txn@+0s");
        a.inject_fault(&text)?;
        Ok(tf(a.lang, "pipe_crash_scheduled", &[("n", &n.to_string())]))
    } else {
        a.apply_change(Change::CrashProcessor { processor: n })?;
        Ok(tf(a.lang, "pipe_crashed", &[("n", &n.to_string())]))
    }
}

/// Restarts processor `n` in both simulations, with the same or a new transactional.id.
pub fn restart(a: &mut App, n: u32, new_id: bool) -> Result<String, String> {
    a.apply_change(Change::RestartProcessor {
        processor: n,
        new_transactional_id: new_id,
    })?;
    let key = if new_id {
        "pipe_restarted_new"
    } else {
        "pipe_restarted_same"
    };
    Ok(tf(a.lang, key, &[("n", &n.to_string())]))
}

fn button(
    doc: &Document,
    id: &'static str,
    act: fn(&mut App, u32, &Document) -> Result<String, String>,
) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, id, "click", move |_| {
        with_app(|a| {
            let r = processor_index(&d, a.lang).and_then(|n| act(a, n, &d));
            a.show(r);
            a.draw();
        });
    })
}

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, "pipeline-enabled", "change", move |_| {
        let on = input(&d, "pipeline-enabled").is_some_and(|i| i.checked());
        with_app(|a| setting(a, &d, "sim.pipeline", if on { "ctp" } else { "none" }));
    })?;
    let d = doc.clone();
    on_id(doc, "pipeline-guarantee", "change", move |_| {
        let Some(v) = select(&d, "pipeline-guarantee").map(|s| s.value()) else {
            return;
        };
        with_app(|a| setting(a, &d, "processing.guarantee", &v));
    })?;
    let d = doc.clone();
    on_id(doc, "pipeline-processors", "change", move |_| {
        let Some(v) = input(&d, "pipeline-processors").map(|i| i.value()) else {
            return;
        };
        with_app(|a| setting(a, &d, "sim.pipeline.processors", &v));
    })?;
    button(doc, "crash-processor", |a, n, d| {
        let in_txn = input(d, "crash-in-txn").is_some_and(|i| i.checked());
        crash(a, n, in_txn)
    })?;
    button(doc, "restart-processor", |a, n, _| restart(a, n, false))?;
    button(doc, "restart-processor-new-id", |a, n, _| {
        restart(a, n, true)
    })?;
    Ok(())
}

/// `window.streamscope.pipeline()`: the reports and processors of the visible simulation and
/// of its twin, by guarantee too, and the texts the page shows.
#[derive(Serialize)]
struct Hook {
    visible: Option<Side>,
    twin: Option<Side>,
    exactly_once_v2: Option<PipelineReport>,
    at_least_once: Option<PipelineReport>,
    /// Every phase the visible simulation's processors were seen in, per processor, in the
    /// order first seen (sampled after each frame's run).
    phases_seen: Vec<Vec<&'static str>>,
    twin_time_us: Option<u64>,
    status: String,
    counts: String,
}

#[derive(Serialize)]
struct Side {
    guarantee: &'static str,
    report: Option<PipelineReport>,
    processors: Vec<ProcessorView>,
}

fn side(sim: &Sim) -> Option<Side> {
    let pl = sim.pipeline()?;
    Some(Side {
        guarantee: pl.guarantee.name(),
        report: sim.pipeline_report(),
        processors: processor_views(sim),
    })
}

/// Adds what each processor is in now to what it was seen in (`phases_seen`).
pub fn observe_phases(sim: &Sim, seen: &mut Vec<Vec<&'static str>>) {
    let Some(pl) = sim.pipeline() else {
        return;
    };
    if seen.len() < pl.processors.len() {
        seen.resize(pl.processors.len(), Vec::new());
    }
    for (p, s) in pl.processors.iter().zip(seen.iter_mut()) {
        let name = p.phase.name();
        if !s.contains(&name) {
            s.push(name);
        }
    }
}

pub fn install_hook(hook: &js_sys::Object) -> Result<(), JsValue> {
    let f = Closure::<dyn Fn() -> JsValue>::new(|| {
        with_app(|a| {
            let twin = a.twin.as_ref().map(|t| &t.sim);
            let (eos, alos) = by_guarantee(&a.sim, twin);
            let h = Hook {
                visible: side(&a.sim),
                twin: twin.and_then(side),
                exactly_once_v2: eos,
                at_least_once: alos,
                phases_seen: a.phases_seen.clone(),
                twin_time_us: twin.map(|t| t.now().micros()),
                status: status_text(&a.sim, a.lang),
                counts: counts_text(&a.sim, twin, a.lang),
            };
            let ser = serde_wasm_bindgen::Serializer::json_compatible();
            h.serialize(&ser).unwrap_or(JsValue::NULL)
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(hook, &"pipeline".into(), f.as_ref())?;
    f.forget();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline_config(g: &str) -> Config {
        let mut c = Config::preset();
        c.set("sim.pipeline", "ctp").unwrap();
        c.set("processing.guarantee", g).unwrap();
        c
    }

    #[test]
    fn the_twin_runs_the_other_guarantee() {
        assert!(twin_config(&Config::preset()).is_none());
        assert!(Twin::new(&Config::preset(), 1).is_none());
        let c = pipeline_config("exactly_once_v2");
        let twin = Twin::new(&c, 7).unwrap();
        let pl = twin.sim.pipeline().unwrap();
        assert_eq!(pl.guarantee, ProcessingGuarantee::AtLeastOnce);
        assert_eq!(twin.sim.seed(), 7);
        // The visible world is unchanged by building its twin.
        assert_eq!(
            c.pipeline.guarantee.value,
            ProcessingGuarantee::ExactlyOnceV2
        );
    }

    /// The page's flow on the seed the e2e test uses: run, crash processor 0 in-txn from the
    /// fault box, restart it with the same transactional.id, stop the input and run on.
    /// exactly_once_v2 has no duplicate and nothing missing; at_least_once repeats work.
    #[test]
    fn a_crash_in_txn_duplicates_only_at_least_once() {
        let c = pipeline_config("exactly_once_v2");
        let mut sim = Sim::new(c.clone(), SEED).unwrap();
        let mut twin = Twin::new(&c, SEED).unwrap();
        let step = |sim: &mut Sim, twin: &mut Twin, ms: u64| {
            let t = SimTime(ms * 1000);
            sim.run_until(t);
            twin.catch_up(t, u64::MAX);
        };
        step(&mut sim, &mut twin, 2_000);
        let text = "crash:processor=0,in-txn@+0s";
        let spec = streamscope_core::sim::schedule::parse_fault_at(text, sim.now()).unwrap();
        sim.schedule_fault(spec).unwrap();
        twin.schedule_fault(sim.now(), text);
        step(&mut sim, &mut twin, 8_000);
        let mut seen = Vec::new();
        observe_phases(&sim, &mut seen);
        assert_eq!(seen[0], vec!["crashed"]);
        assert_eq!(processor_views(&twin.sim)[0].phase, "crashed");
        let restart = Change::RestartProcessor {
            processor: 0,
            new_transactional_id: false,
        };
        sim.apply(restart.clone()).unwrap();
        twin.mirror(sim.now(), &restart);
        let stop = Change::Set {
            name: "sim.produce.rate".into(),
            value: "0".into(),
        };
        step(&mut sim, &mut twin, 10_000);
        sim.apply(stop.clone()).unwrap();
        twin.mirror(sim.now(), &stop);
        step(&mut sim, &mut twin, 60_000);
        let (eos, alos) = by_guarantee(&sim, Some(&twin.sim));
        let (eos, alos) = (eos.unwrap(), alos.unwrap());
        assert_eq!(eos.processor_crashes, 1);
        assert_eq!(alos.processor_crashes, 1);
        assert!(eos.input > 0);
        assert_eq!((eos.duplicates, eos.missing), (0, 0), "{eos:?}");
        assert_eq!(eos.read_committed_aborted_seen, 0);
        assert!(alos.duplicates > 0, "{alos:?}");
        assert_eq!(alos.missing, 0, "{alos:?}");
        let text = counts_text(&sim, Some(&twin.sim), Lang::En);
        assert!(
            text.starts_with(&format!(
                "duplicates in the output: exactly_once_v2 0 · at_least_once {}",
                alos.duplicates
            )),
            "{text}"
        );
        assert!(status_text(&sim, Lang::Ko).contains("ctp-processor-0"));
    }

    /// The seed of `tests/e2e/pipeline.spec.ts`.
    const SEED: u64 = 3;

    #[test]
    fn without_a_pipeline_the_page_says_so() {
        let sim = Sim::new(Config::preset(), 1).unwrap();
        assert_eq!(status_text(&sim, Lang::En), t(Lang::En, "pipe_status_off"));
        assert_eq!(
            counts_text(&sim, None, Lang::En),
            t(Lang::En, "pipe_counts_off")
        );
        assert!(processor_views(&sim).is_empty());
    }
}
