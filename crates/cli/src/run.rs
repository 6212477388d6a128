//! `streamscope run`: the page's world, headless. Parses flags, builds the core's `Config`
//! (every rule lives in the core), runs, prints the summary.

use crate::CliError;
use std::io::{IsTerminal, Write};
use streamscope_core::config::settings::{parse_duration_us, SettingKind, SETTINGS};
use streamscope_core::sim::faults::parse_fault;
use streamscope_core::{Change, Config, Sim, SimTime};

#[derive(clap::Args)]
#[command(after_long_help = settings_help())]
pub struct Args {
    /// Seed of the run: the same seed and settings give the same run everywhere.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Simulated time to run (an integer with a unit: us, ms, s, m).
    #[arg(long, default_value = "10s")]
    until: String,
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
    /// A fault at a simulated time (repeatable): `crash:broker=1@2s`, `restart:broker=1@15s`,
    /// or a window `crash:broker=1@2s..10s` (the broker restarts at the end). The KRaft
    /// controller fences a crashed broker 9 s after its last heartbeat and elects new leaders.
    #[arg(long = "fault", value_name = "KIND:TARGET@T[..T2]")]
    fault: Vec<String>,
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
        };
        s.push_str(&format!(
            "  {:<42} [{:?}] {} (default {}): {}\n",
            d.name, d.scope, kind, d.default, d.doc
        ));
    }
    s.push_str("\nThe preset world: brokers 0,1,2; topic `orders` with 6 partitions (num.partitions) and replication factor 3 (replication.factor); one producer; group `g1` with 2 consumers reading from the earliest offset.\n");
    s
}

pub fn main(args: Args) -> Result<(), CliError> {
    let until =
        parse_duration_us(&args.until).map_err(|m| CliError::usage(format!("--until: {m}")))?;
    let mut config = Config::preset();
    for kv in &args.set {
        let Some((name, value)) = kv.split_once('=') else {
            return Err(CliError::usage(format!(
                "--set {kv}: expected NAME=VALUE, e.g. --set acks=1"
            )));
        };
        config
            .set(name, value)
            .map_err(|e| CliError::usage(format!("--set {kv}: {e}")))?;
    }
    let mut plan: Vec<(SimTime, usize, Change)> = Vec::new();
    for (i, text) in args.fault.iter().enumerate() {
        let f = parse_fault(text).map_err(|e| CliError::usage(e.to_string()))?;
        plan.push((f.at, i, f.change));
        if let Some((t, undo)) = f.until {
            plan.push((t, i, undo));
        }
    }
    plan.sort_by_key(|(t, i, _)| (*t, *i));
    let mut plan = plan.into_iter().peekable();
    let mut sim = Sim::new(config, args.seed)
        .map_err(|e| CliError::usage(format!("invalid configuration: {e}")))?;
    let mut trace = match &args.trace {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| CliError::io(format!("cannot write the trace to {}: {e} (check the directory exists and is writable)", path.display())))?,
        )),
        None => None,
    };
    let progress = std::io::stderr().is_terminal();
    let end = SimTime(until);
    let mut last_pct = u64::MAX;
    loop {
        // Faults due before the next event apply first, at their time.
        let next = sim.next_event_time().unwrap_or(SimTime(u64::MAX));
        if let Some((t, _, _)) = plan.peek() {
            if *t <= end && *t < next {
                if let Some((t, _, change)) = plan.next() {
                    sim.run_until(t);
                    sim.apply(change.clone())
                        .map_err(|e| CliError::usage(format!("--fault at {t}: {e}")))?;
                }
                continue;
            }
        }
        let Some(entry) = sim.step_until(end) else {
            break;
        };
        if let Some(w) = trace.as_mut() {
            let line =
                serde_json::to_string(entry).map_err(|e| CliError::io(format!("trace: {e}")))?;
            writeln!(w, "{line}")
                .map_err(|e| CliError::io(format!("cannot write the trace: {e}")))?;
        }
        if progress && sim.events_processed() % 4096 == 0 {
            let pct = sim.now().micros().saturating_mul(100) / until.max(1);
            if pct != last_pct {
                last_pct = pct;
                draw_progress(pct, sim.now());
            }
        }
    }
    sim.run_until(end);
    if progress {
        eprint!("\r\x1b[2K");
    }
    if let Some(mut w) = trace {
        w.flush()
            .map_err(|e| CliError::io(format!("cannot write the trace: {e}")))?;
    }
    let summary = sim.summary();
    let out = std::io::stdout();
    let mut out = out.lock();
    let res = if args.json {
        serde_json::to_writer(&mut out, &summary)
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out))
    } else {
        print_text(&mut out, &summary)
    };
    match res {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::io(format!("cannot write the summary: {e}"))),
        Ok(()) => Ok(()),
    }
}

fn draw_progress(pct: u64, now: SimTime) {
    let width = 30;
    let filled = (pct.min(100) as usize * width) / 100;
    eprint!(
        "\r[{}{}] {:>3}% simulated {}",
        "#".repeat(filled),
        " ".repeat(width - filled),
        pct.min(100),
        now
    );
}

fn print_text(out: &mut impl Write, s: &streamscope_core::sim::Summary) -> std::io::Result<()> {
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
    writeln!(out, "partitions:")?;
    for p in &s.partitions {
        let leader = p.leader.map_or("none".to_string(), |l| l.to_string());
        writeln!(
            out,
            "  {}-{:<3} leader {:<4} replicas {:?} isr {:?} log-end-offset {} high-watermark {}",
            p.topic, p.partition, leader, p.replicas, p.isr, p.log_end_offset, p.high_watermark
        )?;
    }
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
    writeln!(out, "trace hash {}", s.trace_hash)?;
    Ok(())
}
