//! Offset resets by auto.offset.reset: a member with no committed offset asks each partition
//! leader with a ListOffsets, and the leader answers what Kafka's does (the log start offset
//! for earliest; for latest the high watermark, or under read_committed the last stable
//! offset). Fixed seeds; each test asserts that what it checks happened.

use streamscope_core::net::{Body, Message, TopicPartitionId};
use streamscope_core::{Change, Config, Sim, SimTime};

/// A transactional producer, and a group added at 3 s (no committed offsets) that resets
/// by `reset` under `isolation`.
fn added_group_world(seed: u64, reset: &str, isolation: &str) -> Sim {
    let mut c = Config::preset();
    c.set("transactional.id", "tx-1").unwrap();
    c.set("auto.offset.reset", reset).unwrap();
    c.set("isolation.level", isolation).unwrap();
    let mut sim = Sim::new(c, seed).unwrap();
    sim.run_until(SimTime::ZERO.plus(3_000 * 1_000));
    sim.apply(Change::AddGroup {
        group_id: "late".to_string(),
        topics: vec!["orders".to_string()],
        consumers: 2,
    })
    .unwrap();
    sim
}

/// Every ListOffsets answer sent, with the leader's high watermark and last stable offset at
/// the moment it answered: (partition, answered offset, hw, lso, log start).
fn answers(sim: &mut Sim, until: SimTime) -> Vec<(TopicPartitionId, u64, u64, u64, u64)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    while sim.next_event_time().is_some_and(|t| t <= until) {
        sim.step();
        let now = sim.now();
        let fresh: Vec<Message> = sim
            .messages()
            .filter(|m| m.sent_at == now && !seen.contains(&m.id))
            .cloned()
            .collect();
        for m in fresh {
            seen.insert(m.id);
            let Body::ListOffsetsResponse { partitions } = &m.body else {
                continue;
            };
            for a in partitions {
                let offset = a
                    .offset
                    .expect("every leader is up: no partition is refused");
                let p = sim.partition(a.tp).unwrap();
                let start = p.leader_replica().unwrap().log.log_start_offset();
                out.push((
                    a.tp,
                    offset,
                    p.high_watermark(),
                    sim.last_stable_offset(a.tp),
                    start,
                ));
            }
        }
    }
    out
}

#[test]
fn latest_under_read_committed_is_the_last_stable_offset() {
    let mut below_hw = 0;
    for seed in 1..=6 {
        let mut sim = added_group_world(seed, "latest", "read_committed");
        let got = answers(&mut sim, SimTime::ZERO.plus(5_000 * 1_000));
        assert!(
            !got.is_empty(),
            "seed {seed}: the new group sent no ListOffsets"
        );
        for (tp, offset, hw, lso, _) in got {
            assert_eq!(
                offset, lso,
                "seed {seed} {tp:?}: latest is the LSO (hw {hw})"
            );
            below_hw += u32::from(lso < hw);
        }
    }
    assert!(
        below_hw > 0,
        "no answer came while a transaction was open: the test would not tell LSO from HW"
    );
}

#[test]
fn latest_under_read_uncommitted_is_the_high_watermark() {
    let mut sim = added_group_world(2, "latest", "read_uncommitted");
    let got = answers(&mut sim, SimTime::ZERO.plus(5_000 * 1_000));
    assert!(!got.is_empty());
    for (tp, offset, hw, _, _) in got {
        assert_eq!(offset, hw, "{tp:?}");
    }
}

#[test]
fn earliest_is_the_log_start_offset_and_the_group_reads_everything() {
    let mut sim = added_group_world(3, "earliest", "read_uncommitted");
    let got = answers(&mut sim, SimTime::ZERO.plus(5_000 * 1_000));
    assert!(!got.is_empty());
    for (tp, offset, _, _, start) in got {
        assert_eq!(offset, start, "{tp:?}");
    }
    // The added group's members start at the log start and so have positions at or below
    // where the first group's are.
    let late: Vec<_> = sim.consumers().iter().filter(|c| c.group == 1).collect();
    assert!(late.iter().all(|c| !c.positions.is_empty()));
}
