//! Choosing a partition for a record, as Kafka's producer does (`KafkaProducer.partition`,
//! `BuiltInPartitioner`, `RoundRobinPartitioner`, and the 2.4-3.2 `StickyPartitionCache`).
//!
//! Order of decisions (Kafka 4.x): an explicit partition wins; else a configured partitioner
//! class; else a non-null key hashes with murmur2 (unless `partitioner.ignore.keys`); else the
//! built-in sticky partitioner, whose switching is driven from the accumulator
//! ([`BuiltInPartitioner::update_partition_info`]), since it depends on batch fill.

use crate::rng::Rng;
use alloc::vec::Vec;

/// Why a record went to its partition (shown by the page's inspector).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "rule", rename_all = "snake_case"))]
pub enum PartitionReason {
    /// The record named its partition.
    Explicit,
    /// `toPositive(murmur2(key)) % partitions`.
    KeyHash { murmur2: i32, partitions: u32 },
    /// Built-in (3.3+) sticky: stays until batch.size..2 x batch.size bytes went there.
    BuiltInSticky,
    /// `RoundRobinPartitioner`: the topic's counter value.
    RoundRobin { counter: u32 },
    /// 2.4-3.2 sticky: stays until a new batch is created.
    LegacySticky,
}

/// Partitions with a leader, in partition order (Kafka's `availablePartitionsForTopic`).
pub fn available(leaders: &[Option<u32>]) -> impl Iterator<Item = u32> + '_ {
    leaders
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_some())
        .map(|(i, _)| i as u32)
}

/// Uniform choice among available partitions (all partitions if none is available).
fn uniform(r: i32, leaders: &[Option<u32>]) -> u32 {
    let avail: Vec<u32> = available(leaders).collect();
    let n = leaders.len().max(1) as u32;
    if avail.is_empty() {
        (r as u32) % n
    } else {
        avail[(r as usize) % avail.len()]
    }
}

/// Cumulative frequency table of the adaptive partitioner (`PartitionLoadStats`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionLoadStats {
    pub cumulative_frequency: Vec<u32>,
    pub partition_ids: Vec<u32>,
}

/// Per-topic state of the 3.3+ built-in partitioner (`BuiltInPartitioner`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltInPartitioner {
    /// `max(1, batch.size)`.
    pub sticky_batch_size: u32,
    /// The current sticky partition and the bytes produced to it since it was chosen.
    pub current: Option<(u32, u32)>,
    pub load_stats: Option<PartitionLoadStats>,
}

impl BuiltInPartitioner {
    pub fn new(batch_size: u32) -> Self {
        BuiltInPartitioner {
            sticky_batch_size: batch_size.max(1),
            current: None,
            load_stats: None,
        }
    }

    /// `peekCurrentPartitionInfo`: the current partition, choosing one if there is none.
    pub fn peek(&mut self, rng: &mut Rng, leaders: &[Option<u32>]) -> u32 {
        if let Some((p, _)) = self.current {
            return p;
        }
        let p = self.next_partition(rng, leaders);
        self.current = Some((p, 0));
        p
    }

    /// `nextPartition`: uniform over available partitions without load statistics; weighted
    /// by inverted queue length with them.
    pub fn next_partition(&self, rng: &mut Rng, leaders: &[Option<u32>]) -> u32 {
        let r = rng.next_positive_i32();
        match &self.load_stats {
            None => uniform(r, leaders),
            Some(stats) => {
                let total = stats
                    .cumulative_frequency
                    .last()
                    .copied()
                    .unwrap_or(1)
                    .max(1);
                let weighted = (r as u32) % total;
                // The first index whose cumulative weight exceeds the draw.
                let idx = stats
                    .cumulative_frequency
                    .partition_point(|&c| c <= weighted);
                stats.partition_ids.get(idx).copied().unwrap_or(0)
            }
        }
    }

    /// `updatePartitionInfo`: count `appended_bytes` and switch when Kafka switches:
    /// at `>= batch.size` bytes if switching is enabled (the last batch is full), or at
    /// `>= 2 x batch.size` regardless. Returns true when it switched.
    pub fn update_partition_info(
        &mut self,
        appended_bytes: u32,
        enable_switch: bool,
        rng: &mut Rng,
        leaders: &[Option<u32>],
    ) -> bool {
        let Some((p, produced)) = self.current else {
            return false;
        };
        let produced = produced.saturating_add(appended_bytes);
        let s = self.sticky_batch_size;
        if (produced >= s && enable_switch) || produced >= s.saturating_mul(2) {
            let next = self.next_partition(rng, leaders);
            self.current = Some((next, 0));
            true
        } else {
            self.current = Some((p, produced));
            false
        }
    }

    /// `updatePartitionLoadStats`: from the queue sizes of partitions with a leader (in
    /// partition order). `None` (uniform) when there is too little data or all are equal.
    pub fn update_load_stats(
        &mut self,
        queue_sizes: Option<(&[u32], &[u32])>,
        num_partitions: u32,
    ) {
        self.load_stats = compute_load_stats(queue_sizes, num_partitions);
    }
}

/// Kafka's inversion of queue sizes into a cumulative frequency table: weight
/// `max + 1 - q_i`. Vector from `BuiltInPartitionerTest.adaptivePartitionsTest`:
/// `{5,0,3,0,1}` -> `{1,7,10,16,21}`.
pub fn compute_load_stats(
    queue_sizes: Option<(&[u32], &[u32])>,
    num_partitions: u32,
) -> Option<PartitionLoadStats> {
    let (sizes, ids) = queue_sizes?;
    let len = sizes.len().min(ids.len());
    // Kafka tests the topic's partition count (`queueSizes.length`), not the available ones:
    // with partitioner.availability.timeout.ms excluding all but one, the one left is chosen
    // (`BuiltInPartitioner.updatePartitionLoadStats`: "even if we have one partition").
    if len < 1 || num_partitions < 2 {
        return None;
    }
    let max = sizes[..len].iter().copied().max().unwrap_or(0);
    let all_equal = sizes[..len].iter().all(|&q| q == sizes[0]);
    if all_equal && len as u32 == num_partitions {
        return None;
    }
    let mut cum = Vec::with_capacity(len);
    let mut acc = 0u32;
    for &q in &sizes[..len] {
        acc = acc.saturating_add(max + 1 - q);
        cum.push(acc);
    }
    Some(PartitionLoadStats {
        cumulative_frequency: cum,
        partition_ids: ids[..len].to_vec(),
    })
}

/// `RoundRobinPartitioner` (4.0+, called once per record): a per-topic counter from 0 over
/// the partitions that have a leader.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoundRobin {
    pub counter: u32,
}

impl RoundRobin {
    pub fn partition(&mut self, leaders: &[Option<u32>]) -> (u32, u32) {
        let c = self.counter;
        self.counter = self.counter.wrapping_add(1);
        let positive = (c as i32) & 0x7fff_ffff;
        (uniform(positive, leaders), c)
    }
}

/// The 2.4-3.2 `StickyPartitionCache`: one partition per topic until `onNewBatch`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LegacySticky {
    pub current: Option<u32>,
}

impl LegacySticky {
    pub fn partition(&mut self, rng: &mut Rng, leaders: &[Option<u32>]) -> u32 {
        match self.current {
            Some(p) => p,
            None => self.next_partition(rng, leaders, None),
        }
    }

    /// `nextPartition(topic, cluster, prevPartition)`: when the cached partition is the one
    /// that just got a new batch, move to a random *other* available partition.
    pub fn next_partition(
        &mut self,
        rng: &mut Rng,
        leaders: &[Option<u32>],
        prev: Option<u32>,
    ) -> u32 {
        let old = self.current;
        if old.is_some() && old != prev {
            return old.unwrap_or(0);
        }
        let avail: Vec<u32> = available(leaders).collect();
        let n = leaders.len().max(1) as u32;
        let new = if avail.is_empty() {
            (rng.next_positive_i32() as u32) % n
        } else if avail.len() == 1 {
            avail[0]
        } else {
            loop {
                let cand = avail[(rng.next_positive_i32() as usize) % avail.len()];
                if Some(cand) != old {
                    break cand;
                }
            }
        };
        self.current = Some(new);
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_adaptive_vector() {
        // BuiltInPartitionerTest.adaptivePartitionsTest: queue sizes {5,0,3,0,1}.
        let s = compute_load_stats(Some((&[5, 0, 3, 0, 1], &[0, 1, 2, 3, 4])), 5).unwrap();
        assert_eq!(s.cumulative_frequency, [1, 7, 10, 16, 21]);
        let all_equal = compute_load_stats(Some((&[2, 2, 2], &[0, 1, 2])), 3);
        assert!(all_equal.is_none());
        // Equal but not every partition reported: stats still built.
        assert!(compute_load_stats(Some((&[2, 2], &[0, 2])), 3).is_some());
        // One partition left available of six: adaptive still, so always that one.
        let one = compute_load_stats(Some((&[4], &[2])), 6).expect("adaptive with one left");
        assert_eq!(one.partition_ids, [2]);
        assert!(
            compute_load_stats(Some((&[4], &[0])), 1).is_none(),
            "a one-partition topic"
        );
    }

    #[test]
    fn weighted_choice_follows_cumulative_table() {
        let mut b = BuiltInPartitioner::new(100);
        b.update_load_stats(Some((&[5, 0, 3, 0, 1], &[0, 1, 2, 3, 4])), 5);
        let leaders = [Some(0); 5];
        let mut counts = [0u32; 5];
        let mut rng = Rng::new(3);
        for _ in 0..21_000 {
            counts[b.next_partition(&mut rng, &leaders) as usize] += 1;
        }
        // Weights {1,6,3,6,5} of 21: expect ~1000, 6000, 3000, 6000, 5000.
        for (c, w) in counts.iter().zip([1u32, 6, 3, 6, 5]) {
            let want = w * 1000;
            assert!(c.abs_diff(want) < want / 5 + 100, "{counts:?}");
        }
    }

    #[test]
    fn round_robin_skips_unavailable() {
        let mut rr = RoundRobin::default();
        let leaders = [Some(0), None, Some(1)];
        let got: Vec<u32> = (0..4).map(|_| rr.partition(&leaders).0).collect();
        assert_eq!(got, [0, 2, 0, 2]);
    }

    #[test]
    fn legacy_sticky_moves_to_other_partition() {
        let mut s = LegacySticky::default();
        let mut rng = Rng::new(9);
        let leaders = [Some(0), Some(1), Some(2)];
        let p = s.partition(&mut rng, &leaders);
        for _ in 0..20 {
            let q = s.next_partition(&mut rng, &leaders, Some(s.current.unwrap()));
            assert_ne!(q, p);
            let again = s.next_partition(&mut rng, &leaders, Some(p));
            assert_eq!(again, q, "prev != cached: no change");
            s.current = Some(p);
        }
    }
}
