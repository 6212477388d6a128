//! Golden traces: behaviour held fixed through refactors (issue 12). Each case is a world drawn
//! from its number across the feature matrix (the page's preset; acks 0 / 1 / all; idempotence
//! on and off; partitioners; compression; RF, min.insync.replicas, unclean election; eager and
//! cooperative assignors; static members; transactions with aborts under both isolation
//! levels; the consume-transform-produce pipeline under both guarantees), with drawn faults
//! (`random_faults`) and live changes (settings, broker crashes and kills, consumers crashed,
//! restarted, added, removed; transactions begun, committed, aborted; processors crashed). It
//! runs event by event; the trace hash at every 4,096th event index, the events run, the drain's
//! outcome and the summary (every field but the memory estimate) are compared with
//! `tests/golden/traces.txt`.
//!
//! A difference is a change of behaviour: either a bug (fix the refactor) or a fix made on
//! purpose (its own commit, with the test that shows it, and `GOLDEN_BLESS=1 cargo test -p
//! streamscope-core --test golden_traces` to write the file anew). `GOLDEN_CASES` runs fewer
//! cases while debugging (blessing needs them all).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hash::Hasher;
use streamscope_core::event::Fnv64;
use streamscope_core::rng::Rng;
use streamscope_core::sim::schedule::{drain_limit, random_faults};
use streamscope_core::{Change, Config, Sim, SimTime};

const S: u64 = 1_000_000;
const CASES: u64 = 300;
const HASH_EVERY: u64 = 4_096;
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/traces.txt");

struct World {
    settings: Vec<(String, String)>,
    until: SimTime,
    faults: bool,
    live: Vec<(SimTime, Change)>,
}

fn pick<'a>(rng: &mut Rng, xs: &[&'a str]) -> &'a str {
    xs[rng.below(xs.len() as u64) as usize]
}

fn set(name: &str, value: &str) -> Change {
    Change::Set {
        name: name.into(),
        value: value.into(),
    }
}

/// The world of case `n`: case 0..20 is the page's preset as it is (seed n), the rest draw.
fn world(n: u64) -> World {
    let mut rng = Rng::new(n ^ 0x474f_4c44_454e_5452);
    let mut s: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: &str| s.push((k.to_string(), v.to_string()));
    if n < 20 {
        return World {
            settings: s,
            until: SimTime((3 + n % 5) * S),
            faults: n >= 10,
            live: Vec::new(),
        };
    }
    let kind = n % 5;
    let rf = pick(&mut rng, &["1", "2", "3", "3"]);
    put("replication.factor", rf);
    if rf != "1" {
        put("min.insync.replicas", pick(&mut rng, &["1", "2"]));
    }
    put(
        "unclean.leader.election.enable",
        pick(&mut rng, &["false", "false", "true"]),
    );
    put(
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
    put("sim.static.members", pick(&mut rng, &["false", "true"]));
    put("sim.consumers", pick(&mut rng, &["1", "2", "3"]));
    put("sim.produce.rate", pick(&mut rng, &["100", "300", "1000"]));
    put("linger.ms", pick(&mut rng, &["0", "5", "20"]));
    put(
        "compression.type",
        pick(&mut rng, &["none", "none", "gzip", "lz4", "snappy", "zstd"]),
    );
    match kind {
        0 | 1 => {
            let acks = pick(&mut rng, &["0", "1", "all"]);
            put("acks", acks);
            if acks == "all" {
                put("enable.idempotence", pick(&mut rng, &["true", "false"]));
            } else {
                put("enable.idempotence", "false");
            }
            put(
                "partitioner.class",
                pick(
                    &mut rng,
                    &["builtin", "builtin", "round-robin", "legacy-sticky"],
                ),
            );
            put(
                "sim.consumer.commit",
                pick(&mut rng, &["auto", "sync", "async"]),
            );
        }
        2 => {
            put("transactional.id", "tx-golden");
            put("sim.transaction.records", pick(&mut rng, &["5", "20"]));
            put(
                "sim.transaction.abort.percent",
                pick(&mut rng, &["0", "30"]),
            );
            put(
                "isolation.level",
                pick(&mut rng, &["read_committed", "read_uncommitted"]),
            );
            put("transaction.version", pick(&mut rng, &["1", "2"]));
        }
        _ => {
            put("sim.pipeline", "ctp");
            put(
                "processing.guarantee",
                if kind == 3 {
                    "exactly_once_v2"
                } else {
                    "at_least_once"
                },
            );
            put("transaction.version", pick(&mut rng, &["1", "2"]));
        }
    }
    let until = SimTime((4 + rng.below(9)) * S);
    let mut live = Vec::new();
    for _ in 0..rng.below(4) {
        let at = SimTime(1 + rng.below(until.micros() - 1));
        let change = match rng.below(12) {
            0 if kind < 2 => set("acks", pick(&mut rng, &["0", "1", "all"])),
            1 => set("linger.ms", pick(&mut rng, &["0", "10", "50"])),
            2 => set("batch.size", pick(&mut rng, &["1024", "16384"])),
            3 => Change::CrashBroker {
                broker: rng.below(3) as u32,
            },
            4 => Change::KillBroker {
                broker: rng.below(3) as u32,
            },
            5 => Change::RestartBroker {
                broker: rng.below(3) as u32,
            },
            6 => Change::CrashConsumer { consumer: 0 },
            7 => Change::RestartConsumer { consumer: 0 },
            8 => Change::RemoveConsumer { consumer: 0 },
            9 if kind == 2 => Change::AbortTransaction { producer: 0 },
            9 | 10 if kind >= 3 => Change::CrashProcessor { processor: 0 },
            _ => Change::AddConsumer {
                group: 0,
                strategy: None,
            },
        };
        live.push((at, change));
    }
    live.sort_by_key(|(t, _)| *t);
    World {
        settings: s,
        until,
        faults: rng.below(3) != 0,
        live,
    }
}

/// Runs case `n` event by event and returns its golden line.
fn run(n: u64) -> String {
    run_sim(n).0
}

/// Runs case `n`: its golden line and the simulation after its drain.
fn run_sim(n: u64) -> (String, Option<Sim>) {
    let w = world(n);
    let mut c = Config::preset();
    for (k, v) in &w.settings {
        if c.set(k, v).is_err() {
            return (format!("{n} refused-setting {k}={v}"), None);
        }
    }
    let seed = n + 1;
    let mut sim = match Sim::new(c.clone(), seed) {
        Ok(s) => s,
        Err(e) => return (format!("{n} refused {e}"), None),
    };
    if w.faults {
        for f in random_faults(&c, seed, w.until) {
            if sim.schedule_fault(f).is_err() {
                return (format!("{n} refused-fault"), None);
            }
        }
    }
    let mut line = format!("{n}");
    let mut live = w.live.iter().peekable();
    let mut applied = String::new();
    loop {
        while let Some((at, change)) = live.peek() {
            if sim.next_event_time().is_none_or(|t| t > *at) {
                sim.run_until(*at);
                // A refused change leaves the run as it was; which were refused is compared.
                applied.push(if sim.apply(change.clone()).is_ok() {
                    'y'
                } else {
                    'n'
                });
                live.next();
            } else {
                break;
            }
        }
        match sim.next_event_time() {
            Some(t) if t <= w.until => {
                sim.step();
                if sim.events_processed() % HASH_EVERY == 0 {
                    let _ = write!(line, " {:x}", sim.trace().hash());
                }
            }
            _ => break,
        }
    }
    sim.run_until(w.until);
    let _ = write!(
        line,
        " @{}:{:x}",
        sim.events_processed(),
        sim.trace().hash()
    );
    sim.end_faults();
    let report = sim.drain(drain_limit(&c, w.until));
    let mut summary = sim.summary();
    summary.memory_bytes = Default::default();
    let mut h = Fnv64(0xcbf2_9ce4_8422_2325);
    h.write(format!("{summary:?}").as_bytes());
    let _ = write!(
        line,
        " live={applied} drained={}@{} end={}:{:x} acked={} consumed={} summary={:x}",
        report.settled,
        report.settled_at_us.unwrap_or(0),
        sim.events_processed(),
        sim.trace().hash(),
        summary.records_acknowledged,
        summary.records_consumed,
        h.finish()
    );
    if !report.settled {
        let _ = write!(line, " stuck={:?}", report.stuck);
    }
    (line, Some(sim))
}

fn run_all(cases: u64) -> Vec<String> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            std::thread::spawn(move || {
                (0..cases)
                    .filter(|n| n % threads == t)
                    .map(|n| (n, run(n)))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut lines = BTreeMap::new();
    for h in handles {
        lines.extend(h.join().expect("a golden case panicked"));
    }
    lines.into_values().collect()
}

#[test]
fn behaviour_matches_the_golden_traces() {
    let bless = std::env::var("GOLDEN_BLESS").is_ok_and(|v| v == "1");
    let cases = std::env::var("GOLDEN_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|_| !bless)
        .unwrap_or(CASES);
    let got = run_all(cases);
    if bless {
        let header =
            "# Golden traces (crates/core/tests/golden_traces.rs): case, trace hash every \
                      4,096 events, @events:hash at the end of the run, which live changes were \
                      accepted, the drain, the final hash and a hash of the summary.\n";
        std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden"))
            .expect("create tests/golden");
        std::fs::write(GOLDEN, format!("{header}{}\n", got.join("\n"))).expect("write golden");
        eprintln!("wrote {} cases to {GOLDEN}", got.len());
        return;
    }
    let text = std::fs::read_to_string(GOLDEN)
        .expect("tests/golden/traces.txt is missing: run with GOLDEN_BLESS=1 to write it");
    let want: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(want.len() as u64, CASES, "the golden file holds every case");
    let ran = got.iter().filter(|l| l.contains("drained=")).count();
    assert!(ran * 10 >= got.len() * 8, "most drawn worlds run: {ran}");
    let mut differ = Vec::new();
    for (g, w) in got.iter().zip(&want) {
        if g != w {
            differ.push(format!("  want {w}\n  got  {g}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} golden cases differ (first: case {}):\n{}",
        differ.len(),
        got.len(),
        differ[0].split_whitespace().nth(1).unwrap_or("?"),
        differ
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
#[ignore]
fn show_case() {
    let n: u64 = std::env::var("GOLDEN_CASE").unwrap().parse().unwrap();
    let w = world(n);
    eprintln!(
        "settings {:?}\nuntil {} faults {}\nlive {:?}",
        w.settings, w.until, w.faults, w.live
    );
    let mut c = Config::preset();
    for (k, v) in &w.settings {
        c.set(k, v).unwrap();
    }
    if w.faults {
        for f in random_faults(&c, n + 1, w.until) {
            eprintln!("fault {}", f.text);
        }
    }
    let (line, sim) = run_sim(n);
    eprintln!("{line}");
    let sim = sim.unwrap();
    eprintln!("{:?}", sim.pipeline_report());
    for p in &sim.summary().partitions {
        eprintln!("{p:?}");
    }
    for c in &sim.summary().consumers {
        eprintln!("{c:?}");
    }
}
