//! Progress as a property: every run settles (issue 11). Over many seeds, each draws a world
//! (acks, enable.idempotence, replication.factor, min.insync.replicas, unclean election, the
//! assignor, eager or cooperative, static members, a transactional producer with aborts and
//! either isolation.level, the consume-transform-produce pipeline under both guarantees), a
//! fault schedule (`random_faults`: a partition leader crashing right after an append, lost
//! responses, cut and delayed links, a second crash, processor crashes) and live changes
//! (acks, idempotence, linger.ms, a consumer crashing and restarting, a consumer added). At
//! `until` the faults end and the run drains with `Sim::drain`, the one definition of
//! drained. Every run must settle: the liveness monitor's report lists what is stuck if not.
//!
//! Safety on the way: no read_committed consumer ever returns a record of an aborted
//! transaction; with acks=all, min.insync.replicas=2, RF 3, clean elections and no live acks
//! change, no acknowledged record is lost; the pipeline under exactly_once_v2 sees every input
//! once and in order, under at_least_once nothing is missing.
//!
//! `PROGRESS_SEEDS` sets how many seeds (default 2,000), `PROGRESS_FIRST_SEED` the first
//! (default 1); a failure prints the seed, the drawn settings, the schedule and the stuck parts.

use streamscope_core::rng::Rng;
use streamscope_core::sim::schedule::{drain_limit, random_faults};
use streamscope_core::{Change, Config, Sim, SimTime};

const S: u64 = 1_000_000;

/// A world drawn from a seed: its settings as `name=value`, for the failure message.
struct Drawn {
    settings: Vec<(String, String)>,
    until: SimTime,
    live: Vec<(SimTime, Change)>,
    pipeline: Option<&'static str>,
    safe: bool,
}

fn pick<'a>(rng: &mut Rng, xs: &[&'a str]) -> &'a str {
    xs[rng.below(xs.len() as u64) as usize]
}

fn draw(seed: u64) -> Drawn {
    let mut rng = Rng::new(seed ^ 0x5052_4f47_5245_5353);
    let mut s: Vec<(String, String)> = Vec::new();
    let mut set = |n: &str, v: &str| s.push((n.to_string(), v.to_string()));
    let kind = seed % 4;
    let rf = pick(&mut rng, &["1", "2", "3", "3"]);
    let min_isr = if rf == "1" {
        "1"
    } else {
        pick(&mut rng, &["1", "2"])
    };
    let unclean = pick(&mut rng, &["false", "false", "true"]);
    set("replication.factor", rf);
    set("min.insync.replicas", min_isr);
    set("unclean.leader.election.enable", unclean);
    set(
        "partition.assignment.strategy",
        pick(
            &mut rng,
            &[
                "range,cooperative-sticky",
                "cooperative-sticky",
                "range",
                "roundrobin",
                "sticky",
            ],
        ),
    );
    set("sim.static.members", pick(&mut rng, &["false", "true"]));
    set("sim.consumers", pick(&mut rng, &["1", "2", "3"]));
    set("sim.produce.rate", pick(&mut rng, &["100", "200", "500"]));
    set("linger.ms", pick(&mut rng, &["0", "5", "20"]));
    let mut acks = "all";
    let mut pipeline = None;
    match kind {
        0 => {
            acks = pick(&mut rng, &["0", "1", "all"]);
            set("acks", acks);
            if acks == "all" {
                set("enable.idempotence", pick(&mut rng, &["true", "false"]));
            }
            set(
                "sim.consumer.commit",
                pick(&mut rng, &["auto", "sync", "async"]),
            );
        }
        1 => {
            set("transactional.id", "tx-progress");
            set("sim.transaction.records", pick(&mut rng, &["5", "20"]));
            set(
                "sim.transaction.abort.percent",
                pick(&mut rng, &["0", "30"]),
            );
            set(
                "isolation.level",
                pick(&mut rng, &["read_committed", "read_uncommitted"]),
            );
            set("transaction.version", pick(&mut rng, &["1", "2"]));
        }
        _ => {
            let g = if kind == 2 {
                "exactly_once_v2"
            } else {
                "at_least_once"
            };
            pipeline = Some(g);
            set("sim.pipeline", "ctp");
            set("processing.guarantee", g);
            set("transaction.version", pick(&mut rng, &["1", "2"]));
        }
    }
    let until = SimTime((10 + rng.below(21)) * S);
    let mut live = Vec::new();
    let mut acks_changed = false;
    for _ in 0..rng.below(3) {
        let at = SimTime(1 + rng.below(until.micros() - 1));
        let change = match rng.below(6) {
            0 if kind == 0 => {
                acks_changed = true;
                Change::Set {
                    name: "acks".into(),
                    value: pick(&mut rng, &["0", "1", "all"]).into(),
                }
            }
            1 => Change::Set {
                name: "linger.ms".into(),
                value: pick(&mut rng, &["0", "10", "50"]).into(),
            },
            2 | 3 => Change::CrashConsumer { consumer: 0 },
            4 => Change::RestartConsumer { consumer: 0 },
            _ => Change::AddConsumer {
                group: 0,
                strategy: None,
            },
        };
        live.push((at, change));
    }
    live.sort_by_key(|(t, _)| *t);
    let safe = acks == "all" && min_isr == "2" && rf == "3" && unclean == "false" && !acks_changed;
    Drawn {
        settings: s,
        until,
        live,
        pipeline,
        safe,
    }
}

/// Runs one seed; `Err` says what went wrong.
fn run(seed: u64) -> Result<bool, String> {
    let d = draw(seed);
    let mut c = Config::preset();
    for (n, v) in &d.settings {
        c.set(n, v)
            .map_err(|e| format!("drawn setting {n}={v} refused: {e}"))?;
    }
    let mut sim = match Sim::new(c.clone(), seed) {
        Ok(s) => s,
        // Kafka refuses some combinations (e.g. min.insync.replicas above RF): not a run.
        Err(_) => return Ok(false),
    };
    let faults = random_faults(&c, seed, d.until);
    let texts: Vec<String> = faults.iter().map(|f| f.text.clone()).collect();
    for f in faults {
        sim.schedule_fault(f)
            .map_err(|e| format!("drawn fault refused: {e}"))?;
    }
    for (at, change) in &d.live {
        sim.run_until(*at);
        // A refused change (a consumer already down, say) leaves the run as it was.
        let _ = sim.apply(change.clone());
    }
    sim.run_until(d.until);
    sim.end_faults();
    let report = sim.drain(drain_limit(&c, d.until));
    let s = sim.summary();
    let context = || {
        format!(
            "seed {seed}: settings {:?}, until {}, faults {texts:?}, live {:?}",
            d.settings, d.until, d.live
        )
    };
    if !report.settled {
        return Err(format!(
            "{}\n  did not settle by {} (limit {} s):\n    {}",
            context(),
            sim.now(),
            report.limit_us / S,
            report.stuck.join("\n    ")
        ) + &format!(
            "\n  unsettled now: {:?}\n  producers: {:?}",
            sim.unsettled(false),
            sim.producer_views()
                .iter()
                .map(|p| (p.index, p.state))
                .collect::<Vec<_>>()
        ));
    }
    if s.read_committed_aborted_seen != 0 {
        return Err(format!(
            "{}: read_committed returned aborted records",
            context()
        ));
    }
    if d.safe && s.acknowledged_lost != 0 {
        return Err(format!(
            "{}: {} acknowledged records lost under acks=all, min.insync.replicas=2",
            context(),
            s.acknowledged_lost
        ));
    }
    if let (Some(g), Some(r)) = (d.pipeline, sim.pipeline_report()) {
        if r.missing != 0 || (g == "exactly_once_v2" && (r.duplicates != 0 || r.out_of_order != 0))
        {
            return Err(format!("{}: pipeline {g}: {r:?}", context()));
        }
    }
    Ok(true)
}

#[test]
fn every_run_settles_and_stays_safe() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let seeds = env("PROGRESS_SEEDS", 2_000);
    let first = env("PROGRESS_FIRST_SEED", 1);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            std::thread::spawn(move || {
                let mut out = Vec::new();
                let mut k = t;
                while k < seeds {
                    out.push((first + k, run(first + k)));
                    k += threads;
                }
                out
            })
        })
        .collect();
    let mut results = Vec::new();
    for h in handles {
        results.extend(h.join().expect("a worker panicked"));
    }
    results.sort_by_key(|r| r.0);
    let ran = results.iter().filter(|r| matches!(r.1, Ok(true))).count();
    let failures: Vec<&String> = results.iter().filter_map(|r| r.1.as_ref().err()).collect();
    eprintln!(
        "{} seeds: {ran} ran and settled, {} refused by Kafka's config rules, {} failed",
        results.len(),
        results.len() - ran - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} runs failed; the first:\n{}",
        failures.len(),
        results.len(),
        failures.first().map_or("", |s| s.as_str())
    );
    assert!(ran * 10 >= results.len() * 8, "most drawn worlds run");
}
