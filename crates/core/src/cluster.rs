//! Brokers, topics and partition replicas (`ReplicaManager`, `Partition`, the KRaft
//! controller's `StripedReplicaPlacer` and `PartitionChangeBuilder`).
//!
//! Simplified for now: every broker stays up and every replica stays in the ISR (faults,
//! ISR shrink/expand and elections come with the cluster issue). The leader tracks what each
//! follower has fetched, and the high watermark is the smallest log end offset in the ISR,
//! exactly as in Kafka: it moves only when a follower's next fetch reports its new offset.

use crate::log::Log;
use crate::rng::Rng;
use alloc::string::String;
use alloc::vec::Vec;

/// A broker process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broker {
    pub id: u32,
    pub alive: bool,
    /// Fenced by the KRaft controller (its session expired); it leads nothing.
    pub fenced: bool,
    /// Its responses to clients are being lost (a fault).
    pub drop_responses: bool,
}

/// One replica of a partition, on one broker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replica {
    pub broker: u32,
    pub log: Log,
    /// This replica's view of the high watermark (the leader's is authoritative).
    pub high_watermark: u64,
    /// On the leader: the fetch offset this follower last reported (its log end offset).
    pub leader_view_leo: u64,
}

/// A partition: replicas in assignment order, the leader, the ISR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    pub topic: u32,
    pub index: u32,
    pub replicas: Vec<Replica>,
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub isr: Vec<u32>,
}

impl Partition {
    /// A new partition on `replicas` (assignment order): the first is the leader, all are
    /// in sync, every log is empty, leader epoch 0.
    pub fn new(topic: u32, index: u32, replicas: &[u32]) -> Partition {
        Partition {
            topic,
            index,
            leader: replicas.first().copied(),
            leader_epoch: 0,
            isr: replicas.to_vec(),
            replicas: replicas
                .iter()
                .map(|&b| Replica {
                    broker: b,
                    log: Log::new(),
                    high_watermark: 0,
                    leader_view_leo: 0,
                })
                .collect(),
        }
    }

    pub fn replica(&self, broker: u32) -> Option<&Replica> {
        self.replicas.iter().find(|r| r.broker == broker)
    }
    pub fn replica_mut(&mut self, broker: u32) -> Option<&mut Replica> {
        self.replicas.iter_mut().find(|r| r.broker == broker)
    }
    pub fn leader_replica(&self) -> Option<&Replica> {
        self.replica(self.leader?)
    }
    pub fn leader_replica_mut(&mut self) -> Option<&mut Replica> {
        let l = self.leader?;
        self.replica_mut(l)
    }
    /// The leader's high watermark (0 without a leader).
    pub fn high_watermark(&self) -> u64 {
        self.leader_replica().map_or(0, |r| r.high_watermark)
    }
    pub fn log_end_offset(&self) -> u64 {
        self.leader_replica().map_or(0, |r| r.log.log_end_offset())
    }

    /// Recomputes the leader's high watermark: the smallest log end offset in the ISR (the
    /// leader's own, and what each in-sync follower last reported). It never goes backward.
    /// Returns the new value when it advanced.
    /// Since Kafka 3.7 (KAFKA-15583) it also stands still while the ISR is smaller than
    /// `min(min.insync.replicas, replication factor)`, whatever acks the writes used.
    pub fn maybe_advance_high_watermark(&mut self, min_insync_replicas: u32) -> Option<u64> {
        let leader = self.leader?;
        let needed = (min_insync_replicas as usize).min(self.replicas.len());
        if self.isr.len() < needed {
            return None;
        }
        let mut min = u64::MAX;
        for r in &self.replicas {
            if !self.isr.contains(&r.broker) {
                continue;
            }
            let leo = if r.broker == leader {
                r.log.log_end_offset()
            } else {
                r.leader_view_leo
            };
            min = min.min(leo);
        }
        let lr = self.replica_mut(leader)?;
        if min != u64::MAX && min > lr.high_watermark {
            debug_assert!(min <= lr.log.log_end_offset());
            lr.high_watermark = min;
            return Some(min);
        }
        None
    }
}

/// A topic and its partitions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    pub name: String,
    pub partitions: Vec<Partition>,
    pub min_insync_replicas: u32,
}

impl Topic {
    /// Leader broker of each partition, `None` where there is none.
    pub fn leaders(&self) -> Vec<Option<u32>> {
        self.partitions.iter().map(|p| p.leader).collect()
    }
}

/// Replica placement without racks, the shape of KRaft's `StripedReplicaPlacer`: brokers
/// sorted by id, a random start offset, partition p on `rf` consecutive brokers from
/// `(start + p) mod n`; the broker order is reshuffled after every `n` partitions. The first
/// replica is the preferred leader.
///
/// Simplified: our PRNG is not Java's, so which random start and shuffles come out differs
/// from a real cluster's; the shape (balanced leaders, consecutive stripes) is Kafka's.
pub fn place_replicas(rng: &mut Rng, brokers: &[u32], partitions: u32, rf: u32) -> Vec<Vec<u32>> {
    let mut order: Vec<u32> = brokers.to_vec();
    order.sort_unstable();
    let n = order.len();
    if n == 0 {
        return (0..partitions).map(|_| Vec::new()).collect();
    }
    let rf = (rf as usize).min(n);
    let start = rng.below(n as u64) as usize;
    let mut out = Vec::with_capacity(partitions as usize);
    for p in 0..partitions as usize {
        if p > 0 && p % n == 0 {
            for i in (1..n).rev() {
                let j = rng.below(i as u64 + 1) as usize;
                order.swap(i, j);
            }
        }
        out.push((0..rf).map(|k| order[(start + p + k) % n]).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_is_striped_and_balanced() {
        let mut rng = Rng::new(4);
        let placed = place_replicas(&mut rng, &[2, 0, 1], 6, 3);
        for (p, reps) in placed.iter().enumerate() {
            assert_eq!(reps.len(), 3);
            let mut s = reps.clone();
            s.sort();
            s.dedup();
            assert_eq!(s.len(), 3, "partition {p}: distinct brokers");
        }
        // The first 3 partitions lead on 3 different brokers.
        let mut leaders: Vec<u32> = placed[..3].iter().map(|r| r[0]).collect();
        leaders.sort();
        assert_eq!(leaders, [0, 1, 2]);
    }
}
