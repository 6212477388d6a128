//! `streamscope compare`: world A (the preset with `--set`) and world B (A with `--b`
//! settings) on the same seed and the same faults, both run to `--until`, and their headline
//! metrics side by side with B - A (the core's `compare`; the page's A/B panel shows the same
//! rows). Stops exactly at `--until`, no drain: rates and gauges are read while the run moves.
//! `--from-url` compares a page's link instead: world A is the link's run at its moment, world
//! B its `ab=` settings (or `--b`) replayed on A's inputs to the same time, as the page does.

use crate::run::{build_config, build_faults, progress_bar};
use crate::CliError;
use std::io::{IsTerminal, Write};
use streamscope_core::compare::{headline, CompareRow, Comparison};
use streamscope_core::config::settings::parse_duration_us;
use streamscope_core::link::RunLink;
use streamscope_core::sim::schedule::FaultSpec;
use streamscope_core::{Config, Sim, SimTime};

#[derive(clap::Args)]
pub struct Args {
    /// World B's settings (repeatable, or comma-separated): `--b linger.ms=20 --b acks=all`.
    /// Each must differ from world A's value. With `--from-url`, they replace the link's `ab=`.
    #[arg(long = "b", value_name = "NAME=VALUE")]
    b: Vec<String>,
    /// A page's link (its address, or the part after '#'): world A is the link's run at its
    /// moment; world B is its A/B settings (`ab=`) unless `--b` is given.
    #[arg(long = "from-url", value_name = "URL")]
    from_url: Option<String>,
    /// World A's settings, as `streamscope run --set` (both worlds start from them).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Seed of both worlds (default 1).
    #[arg(long)]
    seed: Option<u64>,
    /// Simulated time to run both worlds (default 10s).
    #[arg(long)]
    until: Option<String>,
    /// A fault both worlds get (repeatable; `streamscope run --help` gives the syntax).
    #[arg(long = "fault", value_name = "KIND:TARGET@T[..T2]")]
    fault: Vec<String>,
    /// Print the rows as one JSON object.
    #[arg(long)]
    json: bool,
}

/// One world run to `until` with `faults`, with a progress bar on a terminal.
fn run_world(
    label: &str,
    config: Config,
    seed: u64,
    faults: &[FaultSpec],
    until: SimTime,
) -> Result<Sim, CliError> {
    let mut sim = Sim::new(config, seed)
        .map_err(|e| CliError::usage(format!("invalid configuration: {e}")))?;
    for f in faults {
        sim.schedule_fault(f.clone())
            .map_err(|e| CliError::usage(format!("--fault {}: {e}", f.text)))?;
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = progress_bar(until.micros());
        b.set_prefix(format!("world {label}"));
        b
    });
    let step = (until.micros() / 100).max(1);
    let mut t = 0;
    while t < until.micros() {
        t = (t + step).min(until.micros());
        sim.run_until(SimTime(t));
        if let Some(b) = bar.as_ref() {
            b.set_position(t);
            b.set_message(format!("{}", SimTime(t)));
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(sim)
}

fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}

fn print_table(
    out: &mut impl Write,
    c: &Comparison,
    seed: u64,
    until: SimTime,
    rows: &[CompareRow],
) -> std::io::Result<()> {
    writeln!(
        out,
        "seed {seed}, both worlds at {until}; world B: {}",
        c.text()
    )?;
    writeln!(
        out,
        "{:<11} {:<30} {:>14} {:>14} {:>14}  unit",
        "scope", "metric", "A", "B", "B - A"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<11} {:<30} {:>14} {:>14} {:>14}  {}",
            r.scope,
            r.name,
            number(r.a),
            number(r.b),
            number(r.delta),
            r.unit
        )?;
    }
    Ok(())
}

/// A JSON number, or null for NaN (JSON has none).
fn json_number(v: f64) -> serde_json::Value {
    serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

pub fn main(args: Args) -> Result<(), CliError> {
    if let Some(url) = &args.from_url {
        return compare_link(url, &args);
    }
    if args.b.is_empty() {
        return Err(CliError::usage(
            "--b: give world B's settings, e.g. --b linger.ms=20 (or --from-url with a link \
             that holds ab=)",
        ));
    }
    let until = args.until.as_deref().unwrap_or("10s");
    let until =
        SimTime(parse_duration_us(until).map_err(|m| CliError::usage(format!("--until: {m}")))?);
    let seed = args.seed.unwrap_or(1);
    let a = build_config(&args.set)?;
    let comparison = Comparison::parse(&args.b.join(","), &a)
        .map_err(|e| CliError::usage(format!("--b: {e}")))?;
    let b = comparison
        .world_b(&a)
        .map_err(|e| CliError::usage(format!("--b: {e}")))?;
    let faults = build_faults(&a, seed, until, &args.fault, false)?;
    let world_a = run_world("A", a, seed, &faults, until)?;
    let world_b = run_world("B", b, seed, &faults, until)?;
    print_comparison(&args, &comparison, seed, until, &world_a, &world_b)
}

/// `--from-url`: the link's world A at its moment and world B replayed on A's inputs.
fn compare_link(url: &str, args: &Args) -> Result<(), CliError> {
    let held = [
        ("--set", !args.set.is_empty()),
        ("--seed", args.seed.is_some()),
        ("--until", args.until.is_some()),
        ("--fault", !args.fault.is_empty()),
    ];
    if let Some((flag, _)) = held.iter().find(|(_, given)| *given) {
        return Err(CliError::usage(format!(
            "--from-url and {flag}: the link holds the seed, the settings, the inputs and the \
             moment; give --from-url without {flag}"
        )));
    }
    let bad = |e: String| CliError::usage(format!("--from-url: {e}"));
    let link = RunLink::parse(url).map_err(|e| bad(e.to_string()))?;
    let a_start = link.config().map_err(|e| bad(e.to_string()))?;
    let comparison = if args.b.is_empty() {
        if link.compare.is_empty() {
            return Err(bad(String::from(
                "the link holds no A/B comparison (ab=): start one on the page, or give --b",
            )));
        }
        Comparison::of_settings(link.compare.clone(), &a_start)
    } else {
        Comparison::parse(&args.b.join(","), &a_start)
    }
    .map_err(|e| CliError::usage(format!("--b: {e}")))?;
    let world_a = link.world().map_err(|e| bad(e.to_string()))?;
    let until = world_a.now();
    let world_b = comparison
        .replay_b(&a_start, link.seed, &link.inputs, until)
        .map_err(|e| CliError::usage(format!("--b: {e}")))?;
    print_comparison(args, &comparison, link.seed, until, &world_a, &world_b)
}

/// The rows of A against B, as a table or (`--json`) one JSON object.
fn print_comparison(
    args: &Args,
    comparison: &Comparison,
    seed: u64,
    until: SimTime,
    world_a: &Sim,
    world_b: &Sim,
) -> Result<(), CliError> {
    let rows = headline(world_a, world_b);
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        let rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "scope": r.scope, "name": r.name, "unit": r.unit,
                    "a": json_number(r.a), "b": json_number(r.b), "delta": json_number(r.delta),
                })
            })
            .collect();
        let doc = serde_json::json!({
            "seed": seed, "time_us": until.micros(), "b": comparison.text(), "rows": rows,
        });
        writeln!(out, "{doc}")
    } else {
        print_table(&mut out, comparison, seed, until, &rows)
    };
    written.map_err(|e| CliError::io(format!("cannot write to standard output: {e}")))
}
