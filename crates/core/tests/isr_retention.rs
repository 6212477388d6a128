//! The broker side of a replica falling behind and of old data going away: acks=all
//! duplicates wait for the high watermark like appends, ISR shrink after
//! replica.lag.time.max.ms, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), and log segments with
//! time/size retention.

use streamscope_core::event::Delivery;
use streamscope_core::{Change, Config, Event, Sim, SimTime};

fn sim(settings: &[(&str, &str)], seed: u64) -> Sim {
    let mut c = Config::preset();
    for (k, v) in settings {
        c.set(k, v).unwrap();
    }
    Sim::new(c, seed).unwrap()
}

fn fence_time(sim: &Sim, broker: u32) -> Option<SimTime> {
    sim.trace().entries().find_map(|e| match e.event {
        Event::BrokerFenced { broker: b, .. } if b == broker => Some(e.time),
        _ => None,
    })
}

/// A follower dies but stays in the ISR until the controller fences it: every acks=all
/// request to the other leaders waits; its retries (request.timeout.ms) reach the leader as
/// idempotent duplicates, and those must wait for the high watermark too instead of being
/// acknowledged at once (Kafka's `DelayedProduce` waits on the original batch's offsets).
#[test]
fn duplicates_with_acks_all_wait_for_the_high_watermark() {
    let mut s = sim(&[("request.timeout.ms", "1500")], 7);
    s.run_until(SimTime(1_000_000));
    let acked_at_crash = s.producers()[0].stats.records_acknowledged;
    s.apply(Change::CrashBroker { broker: 2 }).unwrap();
    s.run_until(SimTime(8_000_000));
    assert!(fence_time(&s, 2).is_none(), "not fenced yet at 8 s");
    let mut dup_requests = 0;
    let mut dup_answered_at_once = 0;
    for e in s.trace().entries() {
        if e.time < SimTime(1_100_000) {
            continue;
        }
        if let Event::Delivered {
            detail:
                Delivery::Appended {
                    duplicates,
                    responded,
                    ..
                },
            ..
        } = e.event
        {
            if duplicates > 0 {
                dup_requests += 1;
                if responded {
                    dup_answered_at_once += 1;
                }
            }
        }
    }
    assert!(
        dup_requests > 0,
        "retries reached the leaders as duplicates"
    );
    assert_eq!(
        dup_answered_at_once, 0,
        "no duplicate answered before the HW"
    );
    // Nothing written after the crash is acknowledged while the dead follower is in the ISR
    // (a few responses may have been in flight at the crash).
    let acked = s.producers()[0].stats.records_acknowledged;
    assert!(
        acked <= acked_at_crash + 50,
        "acknowledged {acked_at_crash} -> {acked} with a dead follower in the ISR"
    );
}

/// Runs to `until`, handing every event to `f` (the trace ring keeps only the last 4,096).
fn run(sim: &mut Sim, until: u64, mut f: impl FnMut(SimTime, &Event)) {
    while let Some(e) = sim.step_until(SimTime(until)) {
        let (t, ev) = (e.time, e.event.clone());
        f(t, &ev);
    }
    sim.run_until(SimTime(until));
}

/// Partitions (index) where `broker` is a follower of an alive leader.
fn followed_by(sim: &Sim, broker: u32) -> Vec<u32> {
    sim.topics()[0]
        .partitions
        .iter()
        .filter(|p| p.leader != Some(broker) && p.replicas.iter().any(|r| r.broker == broker))
        .map(|p| p.index)
        .collect()
}

/// Healthy followers keep fetching and stay in sync, even with a short
/// replica.lag.time.max.ms: no shrink at all.
#[test]
fn fetching_followers_stay_in_the_isr() {
    let mut s = sim(&[("replica.lag.time.max.ms", "1000")], 3);
    let mut changes = 0;
    run(&mut s, 20_000_000, |_, e| {
        if matches!(e, Event::IsrShrink { .. } | Event::IsrExpand { .. }) {
            changes += 1;
        }
    });
    assert_eq!(changes, 0);
    assert!(s.topics()[0].partitions.iter().all(|p| p.isr.len() == 3));
    assert!(s.producers()[0].stats.records_acknowledged > 3000);
}

/// A crashed follower is dropped by its leaders' isr-expiration check once it has not been
/// caught up for replica.lag.time.max.ms (3 s here): at the first isr-expiration check
/// (every 1.5 s from 0) more than 3 s after its last fetch, i.e. at 4.5 s for a crash at 1 s,
/// well before the controller fences it (9 s after its last heartbeat). The smaller
/// ISR lets the high watermark move again, so acks=all produce resumes. After a restart it
/// catches up and rejoins (IsrExpand).
#[test]
fn a_dead_follower_leaves_the_isr_after_the_lag_time_and_rejoins() {
    // Round-robin over all partitions: every leader's log end moves all the time.
    let mut s = sim(
        &[
            ("replica.lag.time.max.ms", "3000"),
            ("partitioner.class", "round-robin"),
        ],
        5,
    );
    run(&mut s, 1_000_000, |_, _| {});
    let victim = 2;
    let followed = followed_by(&s, victim);
    assert!(!followed.is_empty());
    s.apply(Change::CrashBroker { broker: victim }).unwrap();
    let acked_at_crash = s.producers()[0].stats.records_acknowledged;
    let mut shrinks = Vec::new();
    let mut fenced_at = None;
    run(&mut s, 12_000_000, |t, e| match *e {
        Event::IsrShrink {
            partition,
            broker,
            isr,
            ..
        } => {
            assert_eq!(broker, victim, "only the dead broker falls out of sync");
            assert_eq!(isr, 2);
            shrinks.push((t, partition));
        }
        Event::BrokerFenced { broker, .. } if broker == victim => fenced_at = Some(t),
        _ => {}
    });
    let fenced_at = fenced_at.expect("fenced by 12 s");
    let mut parts: Vec<u32> = shrinks.iter().map(|(_, p)| *p).collect();
    parts.sort();
    assert_eq!(parts, followed, "every partition it followed shrank once");
    for (t, p) in &shrinks {
        // Last fetch arrived at most a round trip before the crash at 1 s.
        assert_eq!(t.micros(), 4_500_000, "partition {p}");
        assert!(*t < fenced_at, "ISR shrink comes before fencing");
    }
    // acks=all produce to the partitions it followed resumed after the shrink (HW moves).
    let acked = s.producers()[0].stats.records_acknowledged;
    assert!(
        acked > acked_at_crash + 500,
        "acknowledged {acked_at_crash} -> {acked}"
    );

    s.apply(Change::RestartBroker { broker: victim }).unwrap();
    let mut expands = 0;
    run(&mut s, 16_000_000, |_, e| {
        if let Event::IsrExpand { broker, .. } = *e {
            assert_eq!(broker, victim);
            expands += 1;
        }
    });
    assert_eq!(expands, 6, "back in the ISR of all 6 partitions");
    assert!(s.topics()[0].partitions.iter().all(|p| p.isr.len() == 3));
}

/// min.insync.replicas=2 with both followers dead. Since Kafka 3.7 the high watermark stands
/// still below min.insync.replicas, so produces waiting when the ISR shrank never reach
/// their offset: they expire at the broker (REQUEST_TIMED_OUT, `DelayedProduce`) and the
/// producer retries; new appends are refused with NOT_ENOUGH_REPLICAS.
/// NOT_ENOUGH_REPLICAS_AFTER_APPEND needs the high watermark to pass the batch while the ISR
/// is too small, which that rule rules out here.
#[test]
fn below_min_insync_replicas_waits_expire_and_new_writes_are_refused() {
    let mut s = sim(
        &[
            ("min.insync.replicas", "2"),
            ("replica.lag.time.max.ms", "3000"),
            ("request.timeout.ms", "5000"),
        ],
        9,
    );
    run(&mut s, 1_000_000, |_, _| {});
    s.apply(Change::CrashBroker { broker: 1 }).unwrap();
    s.apply(Change::CrashBroker { broker: 2 }).unwrap();
    let mut expired = 0;
    let mut not_enough = 0;
    let mut after_append = 0;
    let mut first_shrink_below_min = None;
    let mut first_not_enough = None;
    run(&mut s, 20_000_000, |t, e| match e {
        Event::IsrShrink { isr: 1, .. } => {
            first_shrink_below_min.get_or_insert(t);
        }
        Event::ProduceWaitExpired { partitions, .. } => {
            assert!(*partitions > 0);
            expired += 1;
        }
        Event::Delivered {
            detail: Delivery::Acknowledged {
                error: Some(err), ..
            },
            ..
        } => match err.name() {
            "NOT_ENOUGH_REPLICAS" => {
                not_enough += 1;
                first_not_enough.get_or_insert(t);
            }
            "NOT_ENOUGH_REPLICAS_AFTER_APPEND" => after_append += 1,
            _ => {}
        },
        _ => {}
    });
    let shrink = first_shrink_below_min.expect("an ISR shrank to the leader alone");
    assert!(
        shrink.micros() < 5_000_000,
        "by the lag-time path, before fencing"
    );
    assert!(expired > 0, "waiting produces expired at the broker");
    assert!(not_enough > 0, "new acks=all writes refused");
    assert!(first_not_enough.is_some_and(|t| t >= shrink));
    assert_eq!(after_append, 0);
    for p in &s.topics()[0].partitions {
        assert_eq!(p.isr, vec![0], "partition {}", p.index);
    }
}

/// 20 KB records, 1 MiB segments (Kafka 4's minimum), 10 s retention checked every second:
/// the log start offset moves on every replica, the logs stop growing, and HW <= LEO and
/// log start <= HW hold on every replica throughout.
fn retention_world(extra: &[(&str, &str)]) -> Sim {
    let mut set = vec![
        ("sim.value.bytes", "20000"),
        ("segment.bytes", "1048576"),
        ("retention.ms", "10000"),
        ("log.retention.check.interval.ms", "1000"),
    ];
    set.extend_from_slice(extra);
    sim(&set, 13)
}

fn check_offsets(s: &Sim) {
    for p in &s.topics()[0].partitions {
        for r in &p.replicas {
            let (start, leo) = (r.log.log_start_offset(), r.log.log_end_offset());
            assert!(r.high_watermark <= leo, "p{} b{}", p.index, r.broker);
            assert!(start <= r.high_watermark, "p{} b{}", p.index, r.broker);
            assert_eq!(leo - start, r.log.len());
        }
    }
}

fn total_entries(s: &Sim) -> u64 {
    s.topics()[0]
        .partitions
        .iter()
        .flat_map(|p| p.replicas.iter())
        .map(|r| r.log.len())
        .sum()
}

#[test]
fn retention_deletes_old_segments_and_keeps_memory_flat() {
    let mut s = retention_world(&[]);
    let mut deletions = 0;
    let mut peak_mid = 0;
    let mut peak_late = 0;
    for sec in 1..=120u64 {
        run(&mut s, sec * 1_000_000, |t, e| {
            if let Event::LogSegmentsDeleted { .. } = e {
                assert!(t.micros() >= 30_000_000, "first check after 30 s");
                deletions += 1;
            }
        });
        check_offsets(&s);
        let n = total_entries(&s);
        if (40..80).contains(&sec) {
            peak_mid = peak_mid.max(n);
        } else if sec >= 80 {
            peak_late = peak_late.max(n);
        }
    }
    assert!(deletions > 50, "deleted on most checks: {deletions}");
    for p in &s.topics()[0].partitions {
        for r in &p.replicas {
            assert!(r.log.log_start_offset() > 0, "p{} b{}", p.index, r.broker);
            // ~10 s of data plus the active segment and one check interval.
            assert!(r.log.segments().len() <= 14, "{}", r.log.segments().len());
        }
    }
    let sent = s.producers()[0].stats.records_sent;
    assert!(sent > 20_000);
    // Memory is flat: 40 s more running held no more than a segment per log more.
    assert!(
        peak_late <= peak_mid + 18 * 60,
        "entries {peak_mid} -> {peak_late} (of {sent} sent x 3 replicas)"
    );
    assert!(peak_late < sent * 3 / 4);
}

/// Slow consumers (50 ms per record) fall more than the retention behind: their fetch
/// position drops below the log start offset, the fetch answers OFFSET_OUT_OF_RANGE and
/// auto.offset.reset decides where they go on.
#[test]
fn consumers_below_the_log_start_reset_by_auto_offset_reset() {
    for reset in ["earliest", "latest", "none"] {
        let mut s = retention_world(&[
            ("sim.consumer.processing", "50ms"),
            ("auto.offset.reset", reset),
        ]);
        // With latest/none the first position comes from reset too (at the start: HW 0).
        run(&mut s, 90_000_000, |_, _| {});
        check_offsets(&s);
        let mut skipped = 0i64;
        let mut unpositioned = 0;
        for c in s.consumers() {
            let pos: u64 = c.positions.values().sum();
            skipped += pos as i64 - c.records_consumed as i64;
            // (A position may sit below the log start while its records are still buffered:
            // 500 records take 25 s to process here; the next fetch resets it.)
            unpositioned += c
                .assignment
                .iter()
                .filter(|tp| !c.positions.contains_key(tp))
                .count();
        }
        match reset {
            "none" => assert!(unpositioned > 0, "none: partitions left without a position"),
            _ => {
                assert_eq!(unpositioned, 0, "{reset}");
                assert!(
                    skipped > 1000,
                    "{reset}: reset skipped deleted records: {skipped}"
                );
            }
        }
        if reset == "latest" {
            // Latest jumps to the high watermark: further than earliest would.
            let mut e = retention_world(&[
                ("sim.consumer.processing", "50ms"),
                ("auto.offset.reset", "earliest"),
            ]);
            run(&mut e, 90_000_000, |_, _| {});
            let consumed = |x: &Sim| {
                x.consumers()
                    .iter()
                    .map(|c| c.records_consumed)
                    .sum::<u64>()
            };
            let pos = |x: &Sim| {
                x.consumers()
                    .iter()
                    .flat_map(|c| c.positions.values())
                    .sum::<u64>()
            };
            assert!(pos(&s) - consumed(&s) > pos(&e) - consumed(&e));
        }
    }
}
