//! `streamscope run`: the page's world, headless. Parses flags, builds the core's `Config`
//! (every rule lives in the core), runs, prints the summary.

use crate::CliError;
use std::io::{IsTerminal, Write};
use streamscope_core::config::settings::{parse_duration_us, SettingKind, SETTINGS};
use streamscope_core::sim::input::{Input, LoggedInput};
use streamscope_core::sim::schedule::{parse_fault, random_faults, FaultSpec};
use streamscope_core::sim::Summary;
use streamscope_core::{Config, Sim, SimTime};

#[derive(clap::Args)]
#[command(after_long_help = settings_help())]
pub struct Args {
    /// Seed of the run (default 1): the same seed and settings give the same run everywhere.
    #[arg(long)]
    seed: Option<u64>,
    /// Simulated time to run (an integer with a unit: us, ms, s, m; default 10s).
    #[arg(long)]
    until: Option<String>,
    /// A setting under Kafka's name (repeatable): `--set acks=1 --set linger.ms=20`.
    /// A bare name applies to everything that has it; `producer.`, `consumer.`, `topic.`,
    /// `broker.` narrow it. `streamscope run --help` lists them all.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Write every event as one JSON object per line to this file.
    #[arg(long, value_name = "FILE")]
    trace: Option<std::path::PathBuf>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
    /// A fault at a simulated time (repeatable), KIND:TARGET[,TARGET][,VALUE]@T[..T2]:
    /// `crash:broker=1@2s`, `crash:broker=1@2s..15s` (the host lost: silent, clients wait
    /// out request.timeout.ms; restarts at the end), `kill:broker=1@2s..15s` (the process
    /// killed on a live host: connections close, producers retry at once),
    /// `crash:leader=orders-0,ahead@2s..15s` (the partition's leader, once it holds records
    /// not yet on every follower), `restart:broker=1@15s`, `drop-responses:broker=1@1s..2s`,
    /// `cut:broker=0,broker=2@1s..3s`, `delay:broker=0,producer,50ms@1s..4s`,
    /// `drop:broker=0,consumer=1,30%@1s..4s`, `crash:processor=0,in-txn,new-id@2s..5s` (a
    /// pipeline processor; in-txn: between a produce and its commit; new-id: it restarts
    /// with another transactional.id). Targets: broker=N, producer[=N], consumer[=N].
    /// The KRaft controller fences a crashed or killed broker 9 s after its last heartbeat and
    /// elects new leaders; a broker restarted sooner registers only then, as a follower.
    #[arg(long = "fault", value_name = "KIND:TARGET@T[..T2]")]
    fault: Vec<String>,
    /// `random`: draw a fault schedule from the seed (always a crash of a partition leader
    /// holding records not yet on every follower; more faults at random). Combines with
    /// `--fault`. Runs of at least 20 s let the controller fence the crashed broker.
    #[arg(long = "faults", value_name = "random")]
    faults: Option<String>,
    /// Stop exactly at --until: no end of faults, no drain (to compare with the page at the
    /// same simulated time). By default, at --until the faults end, producers stop sending,
    /// every record sent ends acknowledged or failed and consumers catch up before counting.
    #[arg(long)]
    no_drain: bool,
    /// `ctp`: add a consume-transform-produce pipeline (same as --set sim.pipeline=ctp):
    /// processors (group ctp) read the first topic and write every record to topic output
    /// with --set processing.guarantee=at_least_once|exactly_once_v2; a read_committed
    /// verifier reads output. `--faults random` then also crashes processors; --json adds
    /// pipeline_input, pipeline_output_committed, pipeline_duplicates, pipeline_missing.
    #[arg(long, value_name = "ctp")]
    pipeline: Option<String>,
    /// Write the run's input log (the faults scheduled, their end, the drain's start, each
    /// with where it took effect) to this file as JSON, to replay it with --inputs.
    #[arg(long, value_name = "FILE")]
    save_inputs: Option<std::path::PathBuf>,
    /// Replay an input log written by --save-inputs (with the same --seed and --set) instead of
    /// --fault / --faults, then run on to --until and drain as usual: the same run.
    #[arg(long, value_name = "FILE")]
    inputs: Option<std::path::PathBuf>,
    /// Run a run's link (the page's address, or the part after '#') exactly to its moment:
    /// no end of faults, no drain; the same trace hash as the page. The link holds the seed,
    /// the settings and the inputs: give it without --seed, --set, --fault, --faults,
    /// --inputs, --pipeline and --until (with --trace, --json, --save-inputs).
    #[arg(long = "from-url", value_name = "URL")]
    from_url: Option<String>,
}

/// The first flag given that a link holds (refused beside `--from-url`).
fn held_by_the_link(args: &Args) -> Option<&'static str> {
    [
        (args.seed.is_some(), "--seed"),
        (!args.set.is_empty(), "--set"),
        (!args.fault.is_empty(), "--fault"),
        (args.faults.is_some(), "--faults"),
        (args.inputs.is_some(), "--inputs"),
        (args.pipeline.is_some(), "--pipeline"),
        (args.until.is_some(), "--until"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

fn settings_help() -> String {
    let mut s =
        String::from("Settings (--set NAME=VALUE; Kafka's names, sim.* where Kafka has none):\n");
    for d in SETTINGS {
        let kind = match d.kind {
            SettingKind::Int { min, max } => format!("{min}..{max}"),
            SettingKind::Duration { .. } => "duration".to_string(),
            SettingKind::Bool => "true|false".to_string(),
            SettingKind::Enum(v) => v.join("|"),
            SettingKind::AssignorList => "assignor list".to_string(),
            SettingKind::Text => "text".to_string(),
        };
        s.push_str(&format!(
            "  {:<42} [{:?}] {} (default {}): {}\n",
            d.name, d.scope, kind, d.default, d.doc
        ));
    }
    s.push_str("\nThe preset world: brokers 0,1,2; topic `orders` with 6 partitions (num.partitions) and replication factor 3 (replication.factor); one producer; group `g1` with 2 consumers reading from the earliest offset.\n");
    s
}

/// Builds the preset world with `--set` settings applied (each error names the setting).
pub fn build_config(sets: &[String]) -> Result<Config, CliError> {
    let mut config = Config::preset();
    for kv in sets {
        let Some((name, value)) = kv.split_once('=') else {
            return Err(CliError::usage(format!(
                "--set {kv}: expected NAME=VALUE, e.g. --set acks=1"
            )));
        };
        config
            .set(name, value)
            .map_err(|e| CliError::usage(format!("--set {kv}: {e}")))?;
    }
    config
        .validate()
        .map_err(|e| CliError::usage(format!("invalid configuration: {e}")))?;
    Ok(config)
}

/// The fault schedule of a run: `--fault`s, plus a drawn one with `--faults random`.
pub fn build_faults(
    config: &Config,
    seed: u64,
    until: SimTime,
    texts: &[String],
    random: bool,
) -> Result<Vec<FaultSpec>, CliError> {
    let mut faults = Vec::new();
    if random {
        faults.extend(random_faults(config, seed, until));
    }
    for text in texts {
        faults.push(parse_fault(text).map_err(|e| CliError::usage(e.to_string()))?);
    }
    Ok(faults)
}

/// How one run goes: `until`, then (unless `drain` is off) faults end and the run drains.
pub struct RunPlan<'a> {
    pub config: Config,
    pub seed: u64,
    pub until: SimTime,
    pub faults: Vec<FaultSpec>,
    pub drain: bool,
    pub trace: Option<&'a mut dyn Write>,
    pub progress: bool,
    /// An input log to replay first (then `faults` is empty).
    pub inputs: Vec<LoggedInput>,
    /// Where to hand back the run's input log.
    pub inputs_out: Option<&'a mut Vec<LoggedInput>>,
}

/// Runs one simulation and returns its summary (the shared path of `run` and `campaign`).
pub fn run_plan(plan: RunPlan<'_>) -> Result<streamscope_core::sim::Summary, CliError> {
    let RunPlan {
        config,
        seed,
        until,
        faults,
        drain,
        mut trace,
        progress,
        inputs,
        inputs_out,
    } = plan;
    let limit = streamscope_core::sim::schedule::drain_limit(&config, until);
    let (mut sim, replayed) = start(config, seed, &inputs)?;
    for f in faults {
        sim.schedule_fault(f)
            .map_err(|e| CliError::usage(e.to_string()))?;
    }
    let bar = progress.then(|| progress_bar(until.micros()));
    let mut write = |entry: &streamscope_core::TraceEntry| -> Result<(), CliError> {
        if let Some(w) = trace.as_mut() {
            write_trace_line(&mut **w, entry)?;
        }
        if let Some(b) = bar.as_ref() {
            if entry.index.is_multiple_of(4096) {
                b.set_position(entry.time.micros().min(b.length().unwrap_or(u64::MAX)));
                b.set_message(format!("{}", entry.time));
            }
        }
        Ok(())
    };
    for entry in &replayed {
        write(entry)?;
    }
    while let Some(entry) = sim.step_until(until) {
        write(entry)?;
    }
    sim.run_until(until);
    if drain {
        // A replayed log that ended the faults already ended them at the same place.
        if !sim.inputs().iter().any(|i| i.input == Input::EndFaults) {
            sim.end_faults();
        }
        if let Some(b) = bar.as_ref() {
            // The drain's length is not known ahead: a spinner with the simulated time.
            b.set_length(limit.micros());
            b.set_prefix("draining");
        }
        sim.drain_with(limit, &mut write)?;
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some(out) = inputs_out {
        *out = sim.inputs().to_vec();
    }
    Ok(sim.summary())
}

/// The world at its start, or after replaying `inputs` (with the events the replay ran, for
/// the trace file).
fn start(
    config: Config,
    seed: u64,
    inputs: &[LoggedInput],
) -> Result<(Sim, Vec<streamscope_core::TraceEntry>), CliError> {
    if inputs.is_empty() {
        let sim = Sim::new(config, seed)
            .map_err(|e| CliError::usage(format!("invalid configuration: {e}")))?;
        return Ok((sim, Vec::new()));
    }
    let mut entries = Vec::new();
    let sim = Sim::replay_observed(config, seed, inputs, |s: &Sim| {
        entries.extend(s.trace().last().cloned())
    })
    .map_err(|e| {
        CliError::usage(format!(
            "--inputs: {e} (replay a log with the --seed and --set of the run that wrote it)"
        ))
    })?;
    Ok((sim, entries))
}

/// Reads an input log written by --save-inputs.
fn read_inputs(path: &std::path::Path) -> Result<Vec<LoggedInput>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::io(format!(
            "--inputs: cannot read {}: {e} (give the file --save-inputs wrote)",
            path.display()
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::usage(format!(
            "--inputs {}: not an input log: {e} (give the file --save-inputs wrote)",
            path.display()
        ))
    })
}

/// `--from-url`: the link's world, alone (the flags the link holds are refused).
fn run_link(url: &str, args: &Args) -> Result<(), CliError> {
    if let Some(flag) = held_by_the_link(args) {
        return Err(CliError::usage(format!(
            "--from-url and {flag}: the link holds the seed, the settings, the inputs and the \
             moment; give --from-url without {flag}"
        )));
    }
    crate::link::main(
        url,
        crate::link::Outputs {
            trace: args.trace.as_deref(),
            json: args.json,
            save_inputs: args.save_inputs.as_deref(),
        },
    )
}

pub fn main(args: Args) -> Result<(), CliError> {
    if let Some(url) = &args.from_url {
        return run_link(url, &args);
    }
    let until = args.until.as_deref().unwrap_or("10s");
    let until =
        SimTime(parse_duration_us(until).map_err(|m| CliError::usage(format!("--until: {m}")))?);
    let seed = args.seed.unwrap_or(1);
    let mut sets = args.set.clone();
    match args.pipeline.as_deref() {
        None => {}
        Some("ctp") => sets.insert(0, String::from("sim.pipeline=ctp")),
        Some(other) => {
            return Err(CliError::usage(format!(
                "--pipeline {other}: the only pipeline is 'ctp' (consume-transform-produce)"
            )))
        }
    }
    let config = build_config(&sets)?;
    let random = match args.faults.as_deref() {
        None => false,
        Some("random") => true,
        Some(other) => {
            return Err(CliError::usage(format!(
                "--faults {other}: the only schedule is 'random' (drawn from the seed); give single faults with --fault"
            )))
        }
    };
    let faults = build_faults(&config, seed, until, &args.fault, random)?;
    let inputs = match &args.inputs {
        Some(_) if !faults.is_empty() => {
            return Err(CliError::usage(
                "--inputs replays the faults of its log: give it without --fault / --faults",
            ))
        }
        Some(path) => read_inputs(path)?,
        None => Vec::new(),
    };
    let mut logged = Vec::new();
    let mut trace_file = open_trace(args.trace.as_deref())?;
    let summary = run_plan(RunPlan {
        config,
        seed,
        until,
        faults,
        drain: !args.no_drain,
        trace: trace_file.as_mut().map(|w| w as &mut dyn Write),
        progress: std::io::stderr().is_terminal(),
        inputs,
        inputs_out: Some(&mut logged),
    })?;
    if let Some(path) = &args.save_inputs {
        save_inputs(path, &logged)?;
    }
    if let Some(mut w) = trace_file {
        w.flush()
            .map_err(|e| CliError::io(format!("cannot write the trace: {e}")))?;
    }
    print_summary(&summary, args.json, "--no-drain")
}

/// The trace file of `--trace`, if given.
pub fn open_trace(
    path: Option<&std::path::Path>,
) -> Result<Option<std::io::BufWriter<std::fs::File>>, CliError> {
    let Some(path) = path else {
        return Ok(None);
    };
    let file = std::fs::File::create(path).map_err(|e| {
        CliError::io(format!(
            "cannot write the trace to {}: {e} (check the directory exists and is writable)",
            path.display()
        ))
    })?;
    Ok(Some(std::io::BufWriter::new(file)))
}

/// One trace entry as a line of JSON (`--trace`).
pub fn write_trace_line(
    w: &mut dyn Write,
    entry: &streamscope_core::TraceEntry,
) -> Result<(), CliError> {
    let line = serde_json::to_string(entry).map_err(|e| CliError::io(format!("trace: {e}")))?;
    writeln!(w, "{line}").map_err(|e| {
        CliError::io(format!(
            "cannot write the trace: {e} (check the disk has space)"
        ))
    })
}

/// Writes the run's input log as JSON (`--save-inputs`).
pub fn save_inputs(path: &std::path::Path, logged: &[LoggedInput]) -> Result<(), CliError> {
    let json = serde_json::to_string_pretty(logged)
        .map_err(|e| CliError::io(format!("--save-inputs: {e}")))?;
    std::fs::write(path, json + "\n").map_err(|e| {
        CliError::io(format!(
            "--save-inputs: cannot write {}: {e} (check the directory exists and is writable)",
            path.display()
        ))
    })
}

/// The summary on standard output, as text or (`json`) one JSON object; `undrained` says
/// why a run that did not drain did not.
pub fn print_summary(summary: &Summary, json: bool, undrained: &str) -> Result<(), CliError> {
    let out = std::io::stdout();
    let mut out = out.lock();
    let res = if json {
        serde_json::to_writer(&mut out, summary)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out))
    } else {
        print_text(&mut out, summary, undrained)
    };
    match res {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::io(format!("cannot write the summary: {e}"))),
        Ok(()) => Ok(()),
    }
}

/// The progress bar of `run` and `campaign` (drawn on standard error, only when it is a
/// terminal: the callers check).
pub fn progress_bar(length: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(length);
    let style = indicatif::ProgressStyle::with_template(
        "{prefix:>9} [{bar:30}] {percent:>3}% {msg} (elapsed {elapsed})",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("#> ");
    bar.set_style(style);
    bar.set_prefix("simulated");
    bar
}

fn print_text(out: &mut impl Write, s: &Summary, undrained: &str) -> std::io::Result<()> {
    writeln!(
        out,
        "seed {}: simulated {} in {} events",
        s.seed,
        SimTime(s.time_us),
        s.events
    )?;
    writeln!(
        out,
        "records: sent {}, acknowledged {}, failed {}, consumed {}",
        s.records_sent, s.records_acknowledged, s.records_failed, s.records_consumed
    )?;
    print_producers(out, s)?;
    print_partitions(out, s)?;
    print_consumers(out, s)?;
    print_monitor(out, s)?;
    print_ending(out, s, undrained)
}

/// One line per producer: its settings, compression ratio, records and batches.
fn print_producers(out: &mut impl Write, s: &Summary) -> std::io::Result<()> {
    for p in &s.producers {
        let ratio = if p.bytes_uncompressed > 0 {
            p.bytes_on_wire as f64 / p.bytes_uncompressed as f64
        } else {
            1.0
        };
        writeln!(
            out,
            "producer id {} ({:?}): acks={} partitioner={} compression={} (ratio {:.3}) sent {} acknowledged {} failed {} batches {} (rode along {}, retried {}, expired {})",
            p.producer_id,
            p.state,
            p.acks,
            p.partitioner,
            p.compression_type,
            ratio,
            p.records_sent,
            p.records_acknowledged,
            p.records_failed,
            p.batches_sent,
            p.batches_piggybacked,
            p.batches_retried,
            p.batches_expired
        )?;
    }
    Ok(())
}

/// "partitions:", then one line per partition: leader, replicas, ISR, log end offset, high
/// watermark.
fn print_partitions(out: &mut impl Write, s: &Summary) -> std::io::Result<()> {
    writeln!(out, "partitions:")?;
    for p in &s.partitions {
        let leader = p.leader.map_or("none".to_string(), |l| l.to_string());
        writeln!(
            out,
            "  {}-{:<3} leader {:<4} replicas {:?} isr {:?} log-end-offset {} high-watermark {}",
            p.topic, p.partition, leader, p.replicas, p.isr, p.log_end_offset, p.high_watermark
        )?;
    }
    Ok(())
}

/// "consumers:", then one line per member: group, member id, partitions, consumed, lag.
fn print_consumers(out: &mut impl Write, s: &Summary) -> std::io::Result<()> {
    writeln!(out, "consumers:")?;
    for c in &s.consumers {
        let parts: Vec<String> = c
            .partitions
            .iter()
            .map(|p| format!("{}-{}", p.topic, p.partition))
            .collect();
        writeln!(
            out,
            "  {} {} [{}] consumed {} lag {} records-lag-max {}",
            c.group,
            c.member_id,
            parts.join(", "),
            c.records_consumed,
            c.lag,
            c.records_lag_max
        )?;
    }
    Ok(())
}

/// The invariant monitor's counts, the pipeline's verifier (when there is one), aborted
/// records a read_committed consumer returned, and the faults.
fn print_monitor(out: &mut impl Write, s: &Summary) -> std::io::Result<()> {
    writeln!(
        out,
        "monitor: acknowledged then lost {}, duplicates {}, out of order {}; leader elections {}",
        s.acknowledged_lost, s.duplicates, s.out_of_order, s.leader_elections
    )?;
    if let (Some(g), Some(input), Some(output), Some(dups), Some(missing)) = (
        s.pipeline_guarantee,
        s.pipeline_input,
        s.pipeline_output_committed,
        s.pipeline_duplicates,
        s.pipeline_missing,
    ) {
        writeln!(
            out,
            "pipeline ({g}): input {input}, output read by read_committed {output}, duplicated {dups}, missing {missing}, out of order {}; transactions committed {}, aborted {}; processor crashes {}",
            s.pipeline_out_of_order.unwrap_or(0),
            s.pipeline_transactions_committed.unwrap_or(0),
            s.pipeline_transactions_aborted.unwrap_or(0),
            s.pipeline_processor_crashes.unwrap_or(0)
        )?;
    }
    if s.read_committed_aborted_seen > 0 {
        writeln!(
            out,
            "read_committed consumers returned {} records of aborted transactions",
            s.read_committed_aborted_seen
        )?;
    }
    if !s.faults.is_empty() {
        writeln!(out, "faults: {}", s.faults.join(" "))?;
    }
    Ok(())
}

/// How the run ended (settled, not drained, or stuck and why), then the trace hash.
fn print_ending(out: &mut impl Write, s: &Summary, undrained: &str) -> std::io::Result<()> {
    if s.settled {
        match &s.waited_for {
            Some(w) => writeln!(out, "settled at {} (it waited for {w})", SimTime(s.time_us))?,
            None => writeln!(out, "settled at {}", SimTime(s.time_us))?,
        }
    } else if s.stuck.is_empty() {
        writeln!(out, "not settled (not drained: {undrained})")?;
    } else {
        writeln!(
            out,
            "STUCK: nothing Kafka would still do moves this run on (the liveness monitor):"
        )?;
        for part in &s.stuck {
            writeln!(out, "  {part}")?;
        }
    }
    writeln!(out, "trace hash {}", s.trace_hash)?;
    Ok(())
}
