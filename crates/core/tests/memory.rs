//! Issue 11, "memory that fits an hour": the logs cost at most 64 bytes per retained record
//! for all of a partition's replicas together, and everything else the simulation keeps does
//! not grow with the records.

use streamscope_core::{Config, Sim, SimTime};

#[test]
fn the_preset_costs_at_most_64_bytes_per_retained_record() {
    let mut sim = Sim::new(Config::preset(), 7).unwrap();
    sim.run_until(SimTime(60_000_000));
    let (records, logs) = (sim.retained_records(), sim.log_bytes() as u64);
    assert!(records > 10_000, "premise: a minute of records ({records})");
    assert!(
        logs <= 64 * records,
        "{logs} bytes of logs for {records} records: {} per record",
        logs / records
    );
    let rest_at_60s = sim.memory_bytes() as u64 - logs;
    let s = sim.summary();
    assert_eq!(
        (s.memory_bytes.0, s.retained_records),
        (sim.memory_bytes() as u64, records)
    );

    // Three more minutes: the logs grow by their records, the rest by less than the trace
    // ring and the journal still filling up would allow (bounded, not per record).
    sim.run_until(SimTime(240_000_000));
    let (records2, logs2) = (sim.retained_records(), sim.log_bytes() as u64);
    assert!(records2 > 3 * records);
    assert!(logs2 <= 64 * records2, "{} per record", logs2 / records2);
    let rest = sim.memory_bytes() as u64 - logs2;
    assert!(
        rest <= rest_at_60s + 16 * 1024 * 1024,
        "the rest grew from {rest_at_60s} to {rest}"
    );
    eprintln!(
        "60 s: {records} records, {logs} log bytes ({} B/record), rest {rest_at_60s}; \
         240 s: {records2} records, {logs2} log bytes ({} B/record), rest {rest}",
        logs / records,
        logs2 / records2
    );
}

/// Sharing survives a fault run: unclean elections and truncations leave the replicas'
/// logs exactly right (the golden and property tests check contents), and still about one
/// copy per partition.
#[test]
fn replicas_still_share_after_faults() {
    let c = Config::preset();
    let until = SimTime(90_000_000);
    let mut sim = Sim::new(c.clone(), 3).unwrap();
    for f in streamscope_core::sim::schedule::random_faults(&c, 3, until) {
        sim.schedule_fault(f).unwrap();
    }
    sim.run_until(until);
    let (records, logs) = (sim.retained_records(), sim.log_bytes() as u64);
    assert!(logs <= 64 * records, "{} per record", logs / records.max(1));
}
