//! Adding partitions to a live topic (Kafka's CreatePartitions): keys remap, the group
//! rebalances and the new partitions are consumed; removing partitions is refused.

use streamscope_core::murmur2::partition_for_key;
use streamscope_core::{Change, Config, Event, Sim, SimTime};

fn set(name: &str, value: &str) -> Change {
    Change::Set {
        name: name.into(),
        value: value.into(),
    }
}

#[test]
fn adding_partitions_remaps_keys_and_rebalances_the_group() {
    let mut sim = Sim::new(Config::preset(), 7).unwrap();
    sim.run_until(SimTime(2_000_000));
    let gen_before = sim.groups()[0].generation;
    assert_eq!(gen_before, 1);
    sim.apply(set("num.partitions", "12")).unwrap();
    assert_eq!(sim.topics()[0].partitions.len(), 12);
    let from = sim.events_processed();
    sim.run_until(SimTime(6_000_000));

    // Keyed records sent after the change hash over 12 partitions.
    let mut keyed_after = 0;
    for e in sim.trace().entries().filter(|e| e.index >= from) {
        if let Event::RecordAppended {
            key: Some(k),
            partition,
            ..
        } = e.event
        {
            let key = format!("key-{k}");
            assert_eq!(partition, partition_for_key(key.as_bytes(), 12), "{key}");
            keyed_after += 1;
        }
    }
    assert!(keyed_after > 50);

    // The group rebalanced: a new generation, all 12 partitions owned exactly once.
    let g = &sim.groups()[0];
    assert_eq!(g.generation, gen_before + 1);
    let mut owned: Vec<u32> = sim
        .consumers()
        .iter()
        .flat_map(|c| c.assignment.iter().map(|tp| tp.partition))
        .collect();
    owned.sort();
    assert_eq!(owned, (0..12).collect::<Vec<u32>>());
    // New partitions have data and are being consumed; nothing is lost across the rebalance.
    let s = sim.summary();
    assert!(s.partitions[6..].iter().any(|p| p.high_watermark > 0));
    // Every partition with data is being read (a fetch parked for fetch.max.wait.ms can hold
    // a broker's other partitions back briefly, as in Kafka, so lag itself is not zero).
    for c in &s.consumers {
        for p in &c.partitions {
            if p.high_watermark > 20 {
                assert!(
                    p.position > 0,
                    "partition {} (hw {}) is consumed",
                    p.partition,
                    p.high_watermark
                );
            }
        }
    }
    // Followers replicate the new partitions too.
    for p in &sim.topics()[0].partitions {
        let leo = p.log_end_offset();
        for r in &p.replicas {
            assert!(r.log.log_end_offset() <= leo);
        }
    }
}

#[test]
fn removing_partitions_is_refused_and_changes_nothing() {
    let mut sim = Sim::new(Config::preset(), 7).unwrap();
    sim.run_until(SimTime(500_000));
    let before = sim.summary();
    let err = sim.apply(set("num.partitions", "3")).unwrap_err();
    assert!(err.message.contains("never remove"), "{err}");
    assert_eq!(sim.summary(), before);
    assert!(sim.changes().is_empty());
}
