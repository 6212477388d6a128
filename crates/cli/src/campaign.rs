//! `streamscope campaign`: many seeds over a grid of settings, each run with a fault schedule
//! drawn from its seed (the same schedule for every setting), drained and counted by the
//! core's invariant monitor. Prints a table: setting -> records acknowledged / lost /
//! duplicated / out of order; with `--pipeline ctp`, the pipeline verifier's counts per
//! processing.guarantee too. Holds no Kafka logic: every run is `run::run_plan`.

use crate::run::{build_config, build_faults, progress_bar, run_plan, RunPlan};
use crate::CliError;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use streamscope_core::config::settings::parse_duration_us;
use streamscope_core::sim::Summary;
use streamscope_core::SimTime;

#[derive(clap::Args)]
pub struct Args {
    /// Seeds per setting (seeds first-seed, first-seed+1, ...).
    #[arg(long, default_value_t = 20)]
    seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 1)]
    first_seed: u64,
    /// Simulated time of each run before its faults end and it drains (at least 20 s lets the
    /// controller fence a crashed broker).
    #[arg(long, default_value = "40s")]
    until: String,
    /// An axis of the grid (repeatable), `NAME=V1,V2,...`; replaces the default axis of that
    /// name. Default grid: acks=0,1,all x enable.idempotence=false,true x
    /// min.insync.replicas=1,2 x unclean.leader.election.enable=false,true x
    /// replication.factor=3.
    #[arg(long = "grid", value_name = "NAME=V1,V2")]
    grid: Vec<String>,
    /// A setting for every run (repeatable), as for `run`.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Print the table as one JSON object.
    #[arg(long)]
    json: bool,
    /// Runs in parallel (default: the machine's cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// `ctp`: every run has the consume-transform-produce pipeline (`run --pipeline ctp`);
    /// the default grid becomes processing.guarantee=at_least_once,exactly_once_v2 and the
    /// table adds the verifier's counts (input, duplicated, missing).
    #[arg(long, value_name = "ctp")]
    pipeline: Option<String>,
}

const DEFAULT_GRID: &[(&str, &[&str])] = &[
    ("acks", &["0", "1", "all"]),
    ("enable.idempotence", &["false", "true"]),
    ("min.insync.replicas", &["1", "2"]),
    ("unclean.leader.election.enable", &["false", "true"]),
    ("replication.factor", &["3"]),
];

/// One row of the table.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Row {
    /// The grid point, as (name, value) pairs.
    pub settings: Vec<(String, String)>,
    /// Why Kafka refuses this combination (no runs then).
    pub rejected: Option<String>,
    pub runs: u64,
    pub records_sent: u64,
    pub records_acknowledged: u64,
    pub records_failed: u64,
    pub acknowledged_lost: u64,
    pub duplicates: u64,
    pub out_of_order: u64,
    /// Runs that lost at least one acknowledged record.
    pub runs_with_loss: u64,
    pub runs_with_duplicates: u64,
    pub leader_elections: u64,
    /// With `--pipeline ctp`: the verifier's counts summed over the runs.
    pub pipeline_input: u64,
    pub pipeline_duplicates: u64,
    pub pipeline_missing: u64,
    pub runs_with_pipeline_duplicates: u64,
    pub read_committed_aborted_seen: u64,
    /// Runs the liveness monitor found stuck after the drain, and the first one's parts.
    pub runs_stuck: u64,
    pub stuck_example: Option<String>,
}

#[derive(serde::Serialize)]
struct Report<'a> {
    seeds: Vec<u64>,
    until_us: u64,
    rows: &'a [Row],
}

const PIPELINE_GRID: &[(&str, &[&str])] = &[(
    "processing.guarantee",
    &["at_least_once", "exactly_once_v2"],
)];

fn parse_grid(args: &[String], pipeline: bool) -> Result<Vec<(String, Vec<String>)>, CliError> {
    let base = if pipeline {
        PIPELINE_GRID
    } else {
        DEFAULT_GRID
    };
    let mut axes: Vec<(String, Vec<String>)> = base
        .iter()
        .map(|(n, vs)| (n.to_string(), vs.iter().map(|v| v.to_string()).collect()))
        .collect();
    for g in args {
        let Some((name, values)) = g.split_once('=') else {
            return Err(CliError::usage(format!(
                "--grid {g}: expected NAME=V1,V2, e.g. --grid acks=1,all"
            )));
        };
        let values: Vec<String> = values
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            return Err(CliError::usage(format!(
                "--grid {g}: give at least one value, e.g. --grid {name}=1,all"
            )));
        }
        match axes.iter_mut().find(|(n, _)| n == name) {
            Some(axis) => axis.1 = values,
            None => axes.push((name.to_string(), values)),
        }
    }
    Ok(axes)
}

fn grid_points(axes: &[(String, Vec<String>)]) -> Vec<Vec<(String, String)>> {
    let mut points = vec![Vec::new()];
    for (name, values) in axes {
        let mut next = Vec::new();
        for p in &points {
            for v in values {
                let mut q = p.clone();
                q.push((name.clone(), v.clone()));
                next.push(q);
            }
        }
        points = next;
    }
    points
}

/// One run to do: the row it counts in, its config, its seed.
type Job = (usize, streamscope_core::Config, u64);

pub fn main(args: Args) -> Result<(), CliError> {
    let until = SimTime(
        parse_duration_us(&args.until).map_err(|m| CliError::usage(format!("--until: {m}")))?,
    );
    if args.seeds == 0 {
        return Err(CliError::usage("--seeds must be at least 1"));
    }
    let pipeline = parse_pipeline(args.pipeline.as_deref())?;
    let axes = parse_grid(&args.grid, pipeline)?;
    let mut base_sets = args.set.clone();
    if pipeline {
        base_sets.insert(0, String::from("sim.pipeline=ctp"));
    }
    check_settings(&base_sets, &axes)?;
    let (rows, jobs) = plan_jobs(&grid_points(&axes), &base_sets, &args);
    let workers = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let rows = run_jobs(&jobs, rows, until, workers)?;
    let out = std::io::stdout();
    let mut out = out.lock();
    let res = if args.json {
        let seeds = (args.first_seed..args.first_seed + args.seeds).collect();
        serde_json::to_writer(
            &mut out,
            &Report {
                seeds,
                until_us: until.micros(),
                rows: &rows,
            },
        )
        .map_err(std::io::Error::other)
        .and_then(|_| writeln!(out))
    } else {
        print_table(&mut out, &rows, args.seeds, until, pipeline)
    };
    match res {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::io(format!("cannot write the table: {e}"))),
        Ok(()) => Ok(()),
    }
}

/// `--pipeline`: none, or `ctp`.
fn parse_pipeline(pipeline: Option<&str>) -> Result<bool, CliError> {
    match pipeline {
        None => Ok(false),
        Some("ctp") => Ok(true),
        Some(other) => Err(CliError::usage(format!(
            "--pipeline {other}: the only pipeline is 'ctp' (consume-transform-produce)"
        ))),
    }
}

/// Checks every setting name and value up front, so a typo fails before any run.
fn check_settings(base_sets: &[String], axes: &[(String, Vec<String>)]) -> Result<(), CliError> {
    build_config(base_sets)?;
    for (name, values) in axes {
        for v in values {
            let mut c = streamscope_core::Config::preset();
            c.set(name, v)
                .map_err(|e| CliError::usage(format!("--grid {name}={v}: {e}")))?;
        }
    }
    Ok(())
}

/// One row per grid point (a combination Kafka refuses says why and gets no runs) and the
/// runs to do: every seed for every accepted point.
fn plan_jobs(
    points: &[Vec<(String, String)>],
    base_sets: &[String],
    args: &Args,
) -> (Vec<Row>, Vec<Job>) {
    let mut rows: Vec<Row> = Vec::with_capacity(points.len());
    let mut jobs: Vec<Job> = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let mut sets = base_sets.to_vec();
        sets.extend(p.iter().map(|(n, v)| format!("{n}={v}")));
        let mut row = Row {
            settings: p.clone(),
            ..Row::default()
        };
        match build_config(&sets) {
            Ok(config) => {
                for s in 0..args.seeds {
                    jobs.push((i, config.clone(), args.first_seed + s));
                }
            }
            Err(e) => row.rejected = Some(e.message),
        }
        rows.push(row);
    }
    (rows, jobs)
}

/// Runs the jobs on `workers` threads (a progress bar on a terminal), each counted in its
/// row; the first error, if any, is the answer.
fn run_jobs(
    jobs: &[Job],
    rows: Vec<Row>,
    until: SimTime,
    workers: usize,
) -> Result<Vec<Row>, CliError> {
    let total = jobs.len();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let rows = Mutex::new(rows);
    let first_error: Mutex<Option<CliError>> = Mutex::new(None);
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = progress_bar(total as u64);
        b.set_prefix("runs");
        b
    });
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some((row, config, seed)) = jobs.get(k) else {
                    return;
                };
                match run_one(config, *seed, until) {
                    Ok(s) => {
                        if let Ok(mut rows) = rows.lock() {
                            count_run(&mut rows[*row], &s);
                        }
                    }
                    Err(e) => {
                        if let Ok(mut slot) = first_error.lock() {
                            slot.get_or_insert(e);
                        }
                    }
                }
                done.fetch_add(1, Ordering::Relaxed);
                if let Some(b) = bar.as_ref() {
                    b.inc(1);
                }
            });
        }
    });
    if let Some(b) = bar.as_ref() {
        b.finish_and_clear();
    }
    if let Some(e) = first_error.into_inner().ok().flatten() {
        return Err(e);
    }
    rows.into_inner()
        .map_err(|_| CliError::io("a run panicked: please report it with the seed"))
}

/// One run: the fault schedule drawn from the seed, run to `until`, drained.
fn run_one(
    config: &streamscope_core::Config,
    seed: u64,
    until: SimTime,
) -> Result<Summary, CliError> {
    build_faults(config, seed, until, &[], true).and_then(|faults| {
        run_plan(RunPlan {
            config: config.clone(),
            seed,
            until,
            faults,
            drain: true,
            trace: None,
            progress: false,
            inputs: Vec::new(),
            inputs_out: None,
        })
    })
}

/// Adds one run's summary to its row.
fn count_run(r: &mut Row, s: &Summary) {
    r.runs += 1;
    r.records_sent += s.records_sent;
    r.records_acknowledged += s.records_acknowledged;
    r.records_failed += s.records_failed;
    r.acknowledged_lost += s.acknowledged_lost;
    r.duplicates += s.duplicates;
    r.out_of_order += s.out_of_order;
    r.runs_with_loss += (s.acknowledged_lost > 0) as u64;
    r.runs_with_duplicates += (s.duplicates > 0) as u64;
    r.leader_elections += s.leader_elections;
    r.pipeline_input += s.pipeline_input.unwrap_or(0);
    let dups = s.pipeline_duplicates.unwrap_or(0);
    r.pipeline_duplicates += dups;
    r.runs_with_pipeline_duplicates += (dups > 0) as u64;
    r.pipeline_missing += s.pipeline_missing.unwrap_or(0);
    r.read_committed_aborted_seen += s.read_committed_aborted_seen;
    if !s.settled {
        r.runs_stuck += 1;
        if r.stuck_example.is_none() {
            r.stuck_example = Some(format!("seed {}: {}", s.seed, s.stuck.join("; ")));
        }
    }
}

fn print_table(
    out: &mut impl Write,
    rows: &[Row],
    seeds: u64,
    until: SimTime,
    pipeline: bool,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{seeds} seeds per setting, {until} each with a fault schedule drawn from the seed, then drained"
    )?;
    let w = rows
        .iter()
        .map(|r| label(r).len())
        .max()
        .unwrap_or(10)
        .max(7);
    print_kept_table(out, rows, w)?;
    if pipeline {
        print_pipeline_table(out, rows, w)?;
    }
    Ok(())
}

/// A row's grid point with short names: `acks=1 idempotence=false ...`.
fn label(r: &Row) -> String {
    r.settings
        .iter()
        .map(|(n, v)| format!("{}={v}", short(n)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What Kafka kept: per setting acknowledged, lost, duplicated, reordered, runs with loss,
/// elections, stuck runs (or why Kafka refuses it); the legend; an example of each stuck row.
fn print_kept_table(out: &mut impl Write, rows: &[Row], w: usize) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<w$}  {:>12} {:>8} {:>10} {:>8} {:>11} {:>9} {:>7}",
        "setting",
        "acknowledged",
        "lost",
        "duplicated",
        "reorder",
        "runs w/loss",
        "elections",
        "stuck"
    )?;
    for r in rows {
        match &r.rejected {
            Some(why) => writeln!(out, "{:<w$}  rejected by Kafka: {why}", label(r))?,
            None => writeln!(
                out,
                "{:<w$}  {:>12} {:>8} {:>10} {:>8} {:>7}/{:<3} {:>9} {:>7}",
                label(r),
                r.records_acknowledged,
                r.acknowledged_lost,
                r.duplicates,
                r.out_of_order,
                r.runs_with_loss,
                r.runs,
                r.leader_elections,
                r.runs_stuck
            )?,
        }
    }
    writeln!(
        out,
        "lost = acknowledged records missing from their partition leader's final log; duplicated = extra copies in it; reorder = records behind a later one of the same producer; stuck = runs that did not settle after the drain (nothing Kafka would still do moved them on)."
    )?;
    for r in rows.iter().filter(|r| r.runs_stuck > 0) {
        if let Some(e) = &r.stuck_example {
            writeln!(out, "stuck {}: {e}", label(r))?;
        }
    }
    Ok(())
}

/// With `--pipeline ctp`: the verifier's counts per accepted setting, and their legend.
fn print_pipeline_table(out: &mut impl Write, rows: &[Row], w: usize) -> std::io::Result<()> {
    writeln!(
        out,
        "pipeline (the read_committed verifier of topic output):"
    )?;
    writeln!(
        out,
        "{:<w$}  {:>10} {:>10} {:>12} {:>8} {:>13}",
        "setting", "input", "duplicated", "runs w/dups", "missing", "aborted read"
    )?;
    for r in rows.iter().filter(|r| r.rejected.is_none()) {
        writeln!(
            out,
            "{:<w$}  {:>10} {:>10} {:>8}/{:<3} {:>8} {:>13}",
            label(r),
            r.pipeline_input,
            r.pipeline_duplicates,
            r.runs_with_pipeline_duplicates,
            r.runs,
            r.pipeline_missing,
            r.read_committed_aborted_seen
        )?;
    }
    writeln!(
        out,
        "duplicated = input records whose output the verifier read more than once; missing = never; aborted read = records of aborted transactions a read_committed consumer got (always 0)."
    )?;
    Ok(())
}

/// Short column names for the table.
fn short(name: &str) -> &str {
    match name {
        "enable.idempotence" => "idempotence",
        "min.insync.replicas" => "min.isr",
        "unclean.leader.election.enable" => "unclean",
        "replication.factor" => "rf",
        n => n,
    }
}
