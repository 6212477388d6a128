//! Time travel (issue 13): how long going back takes, and what the checkpoints cost. Target
//! (BENCHMARKS.md): stepping back one event and rewinding to any point of the last 1,000,000
//! events each under 50 ms natively.
//!
//! World: the page's preset (`Config::preset()`, seed 42) run live through a `History` for
//! 1,000,000 events (about 570 simulated seconds), with a broker crash and restart and a
//! consumer added on the way, so the marks and the input log are not empty.
//!
//! - `back_one_event_from_live`: `History::back(1)` at the head (then `live()`, not timed);
//! - `back_one_event_in_the_past`: `back(1)` from a random event of the last 1,000,000 (the
//!   rewind there is not timed);
//! - `rewind_to_random_event`: `rewind_to_event(e)` for a random `e` of the last 1,000,000, from
//!   the head;
//! - `seek_to_random_time`: `seek(t)` for a random time of the run, from the head.
//!
//! Printed once: the checkpoints kept, the bytes the history holds beyond the world
//! (`History::memory_bytes`) and the slowest of 200 random rewinds.
//!
//! `cargo bench -p streamscope-core --bench history`

use criterion::{criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};
use streamscope_core::sim::history::History;
use streamscope_core::sim::schedule::parse_fault_at;
use streamscope_core::{Change, Config, Sim, SimTime};

const EVENTS: u64 = 1_000_000;
const SEED: u64 = 42;

/// The run: the preset for a million events, with three inputs on the way.
fn build() -> (History, Sim) {
    let mut sim = Sim::new(Config::preset(), SEED).expect("the preset is valid");
    let mut history = History::new(&sim);
    let t0 = Instant::now();
    while sim.events_processed() < EVENTS {
        let e = sim.events_processed();
        if e == 200_000 {
            let fault = parse_fault_at("crash:broker=1@+1s..+30s", sim.now())
                .expect("the fault text is valid");
            history
                .put(&mut sim, |s| s.schedule_fault(fault))
                .expect("the fault fits the world");
        }
        if e == 500_000 {
            history
                .put(&mut sim, |s| {
                    s.apply(Change::AddConsumer {
                        group: 0,
                        strategy: None,
                    })
                })
                .expect("a consumer can join");
        }
        if history.step(&mut sim).is_none() {
            panic!("the preset keeps moving");
        }
    }
    eprintln!(
        "history bench world: {} events, {:.1} s simulated, built live in {:.2} s; {} checkpoints \
         kept, history holds {:.1} MB beyond the world ({:.1} MB), {} marks",
        sim.events_processed(),
        sim.now().0 as f64 / 1e6,
        t0.elapsed().as_secs_f64(),
        history.checkpoint_events().count(),
        history.memory_bytes(&sim) as f64 / 1e6,
        sim.memory_bytes() as f64 / 1e6,
        history.marks().all().len(),
    );
    (history, sim)
}

/// A small deterministic generator for the points to go back to.
struct Points(u64);

impl Points {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

fn slowest_rewind(history: &mut History, sim: &mut Sim) {
    let mut points = Points(0x9e37_79b9_7f4a_7c15);
    let head = history.head_events(sim);
    let mut worst = (Duration::ZERO, 0);
    let mut total = Duration::ZERO;
    for _ in 0..200 {
        let e = head - points.next(EVENTS);
        let t0 = Instant::now();
        history.rewind_to_event(sim, e);
        let took = t0.elapsed();
        total += took;
        if took > worst.0 {
            worst = (took, e);
        }
        history.live(sim);
    }
    eprintln!(
        "200 random rewinds into the last {EVENTS} events: mean {:.2} ms, slowest {:.2} ms (to \
         event {})",
        total.as_secs_f64() * 1e3 / 200.0,
        worst.0.as_secs_f64() * 1e3,
        worst.1
    );
}

fn bench(c: &mut Criterion) {
    let (mut history, mut sim) = build();
    slowest_rewind(&mut history, &mut sim);
    let head = history.head_events(&sim);
    let head_time = sim.now();
    let mut group = c.benchmark_group("history");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    group.bench_function("back_one_event_from_live", |b| {
        b.iter_custom(|n| {
            let mut took = Duration::ZERO;
            for _ in 0..n {
                let t0 = Instant::now();
                history.back(&mut sim, 1);
                took += t0.elapsed();
                history.live(&mut sim);
            }
            took
        })
    });

    let mut points = Points(0x2545_f491_4f6c_dd1d);
    group.bench_function("back_one_event_in_the_past", |b| {
        b.iter_custom(|n| {
            let mut took = Duration::ZERO;
            for _ in 0..n {
                history.rewind_to_event(&mut sim, head - points.next(EVENTS));
                let t0 = Instant::now();
                history.back(&mut sim, 1);
                took += t0.elapsed();
            }
            history.live(&mut sim);
            took
        })
    });

    group.bench_function("rewind_to_random_event", |b| {
        b.iter_custom(|n| {
            let mut took = Duration::ZERO;
            for _ in 0..n {
                let e = head - points.next(EVENTS);
                let t0 = Instant::now();
                history.rewind_to_event(&mut sim, e);
                took += t0.elapsed();
                history.live(&mut sim);
            }
            took
        })
    });

    group.bench_function("seek_to_random_time", |b| {
        b.iter_custom(|n| {
            let mut took = Duration::ZERO;
            for _ in 0..n {
                let t = SimTime(points.next(head_time.0));
                let t0 = Instant::now();
                history.seek(&mut sim, t);
                took += t0.elapsed();
                history.live(&mut sim);
            }
            took
        })
    });
    group.finish();
    far_memory(history, sim);
}

/// The same run on to 4,000,000 events: how the checkpoints thin past the dense million.
fn far_memory(mut history: History, mut sim: Sim) {
    history.live(&mut sim);
    while sim.events_processed() < 4 * EVENTS {
        if history.step(&mut sim).is_none() {
            panic!("the preset keeps moving");
        }
    }
    eprintln!(
        "on to {} events ({:.0} s simulated): {} checkpoints kept, history holds {:.1} MB beyond \
         the world ({:.1} MB)",
        sim.events_processed(),
        sim.now().0 as f64 / 1e6,
        history.checkpoint_events().count(),
        history.memory_bytes(&sim) as f64 / 1e6,
        sim.memory_bytes() as f64 / 1e6,
    );
    slowest_rewind(&mut history, &mut sim);
}

criterion_group!(benches, bench);
criterion_main!(benches);
