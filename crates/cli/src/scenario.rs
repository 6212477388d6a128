//! `streamscope scenarios` lists the guided scenarios; `streamscope scenario check` plays them
//! in the core and checks every claim, a progress line per step. The scenarios and their
//! checking are the core's (`streamscope_core::scenario`); this file reads the flags and prints.

use crate::CliError;
use clap::Subcommand;
use streamscope_core::scenario::{Scenario, Text};

/// `streamscope scenarios`.
#[derive(clap::Args)]
pub struct ListArgs {
    /// The language of the titles: en or ko.
    #[arg(long, default_value = "en")]
    lang: String,
}

/// `streamscope scenario ...`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ScenarioCommand,
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// Play a scenario's steps and check every claim its narration makes.
    Check {
        /// The scenario's id (see `streamscope scenarios`).
        id: Option<String>,
        /// Check every scenario of the catalog.
        #[arg(long)]
        all: bool,
        /// Check a scenario file from disk instead (while writing one).
        #[arg(long)]
        file: Option<std::path::PathBuf>,
        /// The language of the claims printed: en or ko.
        #[arg(long, default_value = "en")]
        lang: String,
    },
}

fn lang(lang: &str) -> Result<&str, CliError> {
    match lang {
        "en" | "ko" => Ok(lang),
        other => Err(CliError::usage(format!(
            "--lang {other}: the languages are en and ko"
        ))),
    }
}

fn core_error(e: impl std::fmt::Display) -> CliError {
    CliError::usage(e.to_string())
}

pub fn list(a: ListArgs) -> Result<(), CliError> {
    use std::io::Write;
    let lang = lang(&a.lang)?;
    let mut out = std::io::stdout().lock();
    for s in Scenario::all().map_err(core_error)? {
        let line = writeln!(
            out,
            "{:<24} {} steps  {}",
            s.id,
            s.steps.len(),
            s.title.get(lang)
        );
        if line.is_err() {
            // The reader went away (`| head`): nothing more to say.
            return Ok(());
        }
    }
    Ok(())
}

pub fn main(a: Args) -> Result<(), CliError> {
    let ScenarioCommand::Check {
        id,
        all,
        file,
        lang: l,
    } = a.command;
    let lang = lang(&l)?;
    let scenarios = match (id, all, file) {
        (Some(id), false, None) => vec![Scenario::by_id(&id).map_err(core_error)?],
        (None, true, None) => Scenario::all().map_err(core_error)?,
        (None, false, Some(path)) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| CliError::io(format!("--file {}: {e}", path.display())))?;
            let name = path
                .file_name()
                .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
            vec![Scenario::parse(&name, &text).map_err(core_error)?]
        }
        _ => {
            return Err(CliError::usage(
                "scenario check: give one of <ID>, --all or --file <PATH>",
            ))
        }
    };
    let mut failed = 0;
    for s in &scenarios {
        failed += check(s, lang)?;
    }
    if failed > 0 {
        return Err(CliError::io(format!("{failed} claim(s) do not hold")));
    }
    println!("{} scenario(s): every claim holds", scenarios.len());
    Ok(())
}

fn says<'a>(t: &'a Text, lang: &str) -> &'a str {
    t.get(lang)
}

/// Plays one scenario, printing a line per step and one per failed claim; the failures.
fn check(s: &Scenario, lang: &str) -> Result<usize, CliError> {
    let mut player = s.player().map_err(core_error)?;
    let mut failed = 0;
    for (i, step) in s.steps.iter().enumerate() {
        let r = player
            .play_step()
            .map_err(|e| CliError::io(e.to_string()))?
            .clone();
        let results = player.check_claims(i);
        let bad: Vec<_> = results
            .iter()
            .zip(&step.claims)
            .filter(|(r, _)| !r.passed)
            .collect();
        println!(
            "{} step {}/{}: at {:.3} ms ({} events played), {}/{} claims hold",
            s.id,
            i + 1,
            s.steps.len(),
            r.moment.time.0 as f64 / 1000.0,
            r.played,
            results.len() - bad.len(),
            results.len()
        );
        for (result, claim) in &bad {
            println!(
                "  does not hold: {} ({}): {}",
                result.check,
                says(&claim.says, lang),
                result.message
            );
        }
        for m in player.missing_highlights(i) {
            println!("  highlight: {m}");
            failed += 1;
        }
        failed += bad.len();
    }
    Ok(failed)
}
