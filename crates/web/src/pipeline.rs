//! What the page shows of the consume-transform-produce pipeline (`sim.pipeline=ctp`): the
//! processors' status line, the side-by-side count of duplicates in the output under
//! exactly_once_v2 and at_least_once (from the visible world and its hidden twin,
//! `crate::twin`), the on-Reset controls' values, the phases each processor was seen in, and
//! `window.streamscope.pipeline()`'s data. Every rule (what a crash does, when a processor may
//! restart, what counts as a duplicate) is the core's; this module only formats what it
//! reports. The controls that change the pipeline are `crate::controls::pipeline`'s.

use crate::dom::{input, select, set_text};
use crate::i18n::{t, tf, Lang};
use serde::Serialize;
use streamscope_core::app::pipeline::state::PipelineReport;
use streamscope_core::config::{settings, Config, ProcessingGuarantee};
use streamscope_core::Sim;
use web_sys::Document;

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
    crate::dom::set_input_value(doc, "pipeline-processors", &get("sim.pipeline.processors"));
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

/// `window.streamscope.pipeline()`'s data: the visible world, its twin (`twin`), the phases
/// seen (`phases_seen`), the texts in `lang`.
pub fn hook_view(
    sim: &Sim,
    twin: Option<&Sim>,
    phases_seen: &[Vec<&'static str>],
    lang: Lang,
) -> impl Serialize {
    let (eos, alos) = by_guarantee(sim, twin);
    Hook {
        visible: side(sim),
        twin: twin.and_then(side),
        exactly_once_v2: eos,
        at_least_once: alos,
        phases_seen: phases_seen.to_vec(),
        twin_time_us: twin.map(|t| t.now().micros()),
        status: status_text(sim, lang),
        counts: counts_text(sim, twin, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
