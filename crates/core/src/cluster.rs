//! Brokers, topics and partition replicas (`ReplicaManager`, `Partition`, the KRaft
//! controller's `StripedReplicaPlacer` and `PartitionChangeBuilder`).
//!
//! The leader tracks what each follower has fetched and when it was last caught up
//! (`Replica.updateFetchState`), and the high watermark is the smallest log end offset in the
//! ISR, exactly as in Kafka: it moves only when a follower's next fetch reports its new offset.
//! ISR shrink and expansion are driven from `sim::isr`, elections from `controller`.
//!
//! Simplified: the leader's view of a follower is stored on the follower's `Replica` (one
//! leader at a time, so one view suffices; it is reset at every election); no "maximal ISR"
//! while an AlterPartition is in flight (ISR changes commit at once).

use crate::log::Log;
use crate::rng::Rng;
use crate::time::SimTime;
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
    /// Its process was started again while the controller still held the previous
    /// incarnation's session: the new registration is refused until that session expires
    /// (`controller`), so it serves nothing yet.
    pub registering: bool,
    /// Its process was killed on a host that is still up: connections to it are closed or
    /// refused at once instead of going silent (`CrashKind::Kill`).
    pub refuses_connections: bool,
    /// Down since its host was lost (`Change::CrashBroker`), not only its process killed: the
    /// page cache went with the host, so the new incarnation loses the tail it had not flushed
    /// (`controller`). A killed process keeps its whole log.
    pub host_lost: bool,
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
    /// On the leader: the latest time this follower was known to have been caught up to the
    /// leader's log end offset (`lastCaughtUpTimeMs`).
    pub last_caught_up: SimTime,
    /// On the leader: its log end offset when this follower's previous fetch arrived
    /// (`lastFetchLeaderLogEndOffset`).
    pub last_fetch_leader_leo: u64,
    /// On the leader: when this follower's previous fetch arrived (`lastFetchTimeMs`).
    pub last_fetch_time: SimTime,
}

impl Replica {
    /// `Replica.updateFetchState` on the leader when this follower's fetch at `fetch_offset`
    /// arrives at `now`: a fetch at (or past) the leader's log end offset means caught up
    /// now; a fetch at (or past) the leader's log end offset of the previous fetch means it
    /// was caught up when that previous fetch arrived.
    pub fn update_fetch_state(&mut self, fetch_offset: u64, leader_leo: u64, now: SimTime) {
        if fetch_offset >= leader_leo {
            self.last_caught_up = self.last_caught_up.max(now);
        } else if fetch_offset >= self.last_fetch_leader_leo {
            self.last_caught_up = self.last_caught_up.max(self.last_fetch_time);
        }
        self.last_fetch_leader_leo = self.last_fetch_leader_leo.max(leader_leo);
        self.last_fetch_time = now;
        self.leader_view_leo = fetch_offset;
    }

    /// `ReplicaState.isCaughtUp`: at the leader's log end offset, or caught up within
    /// `max_lag_us` (`replica.lag.time.max.ms`).
    pub fn is_caught_up(&self, leader_leo: u64, now: SimTime, max_lag_us: u64) -> bool {
        self.leader_view_leo == leader_leo
            || now.micros().saturating_sub(self.last_caught_up.micros()) <= max_lag_us
    }
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
                    last_caught_up: SimTime::ZERO,
                    last_fetch_leader_leo: 0,
                    last_fetch_time: SimTime::ZERO,
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

    /// `Partition.effectiveMinIsr`: min.insync.replicas capped at the replication factor.
    pub fn effective_min_isr(&self, min_insync_replicas: u32) -> usize {
        (min_insync_replicas as usize).min(self.replicas.len())
    }

    /// What a new leader does to its followers' state (`Replica.resetReplicaState`): followers
    /// in the ISR count as caught up now, the others as never; fetch history is forgotten and
    /// their offsets are learnt from their next fetches.
    pub fn reset_follower_states(&mut self, now: SimTime) {
        let leader = self.leader;
        for r in &mut self.replicas {
            if Some(r.broker) == leader {
                continue;
            }
            r.leader_view_leo = 0;
            r.last_fetch_leader_leo = 0;
            r.last_fetch_time = SimTime::ZERO;
            r.last_caught_up = if self.isr.contains(&r.broker) {
                now
            } else {
                SimTime::ZERO
            };
        }
    }

    /// Recomputes the leader's high watermark: the smallest log end offset in the ISR (the
    /// leader's own, and what each in-sync follower last reported). It never goes backward.
    /// Returns the new value when it advanced.
    /// Since Kafka 3.7 (KAFKA-15583) it also stands still while the ISR is smaller than
    /// `min(min.insync.replicas, replication factor)`, whatever acks the writes used.
    pub fn maybe_advance_high_watermark(&mut self, min_insync_replicas: u32) -> Option<u64> {
        let leader = self.leader?;
        if self.isr.len() < self.effective_min_isr(min_insync_replicas) {
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

/// A broker as an observer of the cluster sees it: running, down with the controller not
/// knowing yet, down and fenced by the controller, or started again and waiting for its old
/// session to expire before it may register (KIP-966).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum BrokerState {
    Up,
    Crashed,
    Fenced,
    /// Started again; the controller accepts it when its previous session expires.
    Restarting,
}

impl BrokerState {
    pub fn name(self) -> &'static str {
        match self {
            BrokerState::Up => "up",
            BrokerState::Crashed => "crashed",
            BrokerState::Fenced => "fenced",
            BrokerState::Restarting => "restarting",
        }
    }
}

impl Broker {
    /// What state the broker is in, as the page and the views show it.
    pub fn state(&self) -> BrokerState {
        match (self.alive, self.fenced) {
            (true, _) => BrokerState::Up,
            _ if self.registering => BrokerState::Restarting,
            (false, false) => BrokerState::Crashed,
            (false, true) => BrokerState::Fenced,
        }
    }
}

/// A topic and its partitions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    pub name: String,
    pub partitions: Vec<Partition>,
    pub min_insync_replicas: u32,
}

/// What every broker knows of the cluster from the controller (KRaft's metadata log, as each
/// broker's `MetadataCache` holds it): which broker leads each partition, and which brokers
/// are up. A role handed this learns nothing else about other nodes.
///
/// Simplified: "up" is the broker process running, which the metadata learns only when the
/// controller fences it; roles use it where Kafka's would see a closed connection.
#[derive(Clone, Copy)]
pub struct Metadata<'a> {
    topics: &'a [Topic],
    brokers: &'a [Broker],
}

impl<'a> Metadata<'a> {
    pub fn new(topics: &'a [Topic], brokers: &'a [Broker]) -> Metadata<'a> {
        Metadata { topics, brokers }
    }

    /// The partition's leader, `None` while it has none (or the partition does not exist).
    pub fn leader(&self, tp: crate::net::TopicPartitionId) -> Option<u32> {
        self.topics
            .get(tp.topic as usize)?
            .partitions
            .get(tp.partition as usize)?
            .leader
    }

    /// Topic `topic`'s name.
    pub fn topic_name(&self, topic: u32) -> Option<&'a str> {
        self.topics.get(topic as usize).map(|t| t.name.as_str())
    }

    /// The index of the topic named `name`.
    pub fn topic_index(&self, name: &str) -> Option<u32> {
        self.topics
            .iter()
            .position(|t| t.name == name)
            .map(|i| i as u32)
    }

    /// How many partitions topic `topic` has.
    pub fn partition_count(&self, topic: u32) -> Option<u32> {
        self.topics
            .get(topic as usize)
            .map(|t| t.partitions.len() as u32)
    }

    /// How many brokers the cluster has (ids 0 to n - 1).
    pub fn broker_count(&self) -> usize {
        self.brokers.len()
    }

    pub fn broker_up(&self, broker: u32) -> bool {
        self.brokers.get(broker as usize).is_some_and(|b| b.alive)
    }

    /// The leader of each partition of `topic` (empty for a topic that does not exist).
    pub fn leaders(&self, topic: u32) -> Vec<Option<u32>> {
        self.topics
            .get(topic as usize)
            .map_or_else(Vec::new, Topic::leaders)
    }

    /// The broker's host refuses connections (its process was killed, `Broker::refuses_connections`):
    /// a client sees the connection refused at once.
    pub fn refuses_connections(&self, broker: u32) -> bool {
        self.brokers
            .get(broker as usize)
            .is_some_and(|b| b.refuses_connections)
    }
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
