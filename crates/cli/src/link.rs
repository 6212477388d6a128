//! `streamscope run --from-url`: a run's link (the page's address) run headless exactly to its
//! moment, with no end of faults and no drain, so the summary and the trace hash are the
//! page's at that moment. The link is the core's (`streamscope_core::link`); this file only
//! reads the flag, writes the trace and prints.

use crate::run::{open_trace, print_summary, progress_bar, save_inputs, write_trace_line};
use crate::CliError;
use std::io::{IsTerminal, Write};
use std::path::Path;
use streamscope_core::link::RunLink;

/// Where the run's outputs go (`--trace`, `--json`, `--save-inputs`).
pub struct Outputs<'a> {
    pub trace: Option<&'a Path>,
    pub json: bool,
    pub save_inputs: Option<&'a Path>,
}

pub fn main(url: &str, outputs: Outputs<'_>) -> Result<(), CliError> {
    let link = RunLink::parse(url).map_err(|e| {
        CliError::usage(format!(
            "--from-url: {e} (give the page's whole address, or the part after '#', in quotes)"
        ))
    })?;
    let mut trace_file = open_trace(outputs.trace)?;
    let bar = std::io::stderr()
        .is_terminal()
        .then(|| progress_bar(link.moment_or_end().time.micros()));
    let mut failed: Option<CliError> = None;
    let sim = link
        .world_observed(|sim| {
            let Some(entry) = sim.trace().last() else {
                return;
            };
            if let (Some(w), None) = (trace_file.as_mut(), failed.as_ref()) {
                failed = write_trace_line(w, entry).err();
            }
            if let Some(b) = bar.as_ref().filter(|_| entry.index.is_multiple_of(4096)) {
                b.set_position(entry.time.micros());
                b.set_message(format!("{}", entry.time));
            }
        })
        .map_err(|e| {
            CliError::usage(format!(
                "--from-url: {e} (the link does not fit its run: make it again on the page, \
                 with the same version of Streamscope)"
            ))
        })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some(e) = failed {
        return Err(e);
    }
    if let Some(mut w) = trace_file {
        w.flush()
            .map_err(|e| CliError::io(format!("cannot write the trace: {e}")))?;
    }
    if let Some(path) = outputs.save_inputs {
        save_inputs(path, sim.inputs())?;
    }
    print_summary(&sim.summary(), outputs.json, "the link's moment")?;
    note_page_state(&link);
    Ok(())
}

/// What the link holds beyond the run (the page's scenario step, its A/B comparison), said on
/// standard error with the command that uses it.
fn note_page_state(link: &RunLink) {
    if let Some(s) = &link.scenario {
        eprintln!(
            "note: the link was made at step {} of the guided scenario '{}'; to check that \
             scenario's claims: streamscope scenario check {}",
            s.step, s.id, s.id
        );
    }
    if !link.compare.is_empty() {
        let b: Vec<String> = link
            .compare
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        eprintln!(
            "note: the link also compares world B ({}); this ran world A only. To compare \
             both: streamscope compare --from-url '<the same link>'",
            b.join(", ")
        );
    }
}
