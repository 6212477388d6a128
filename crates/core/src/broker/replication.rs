//! Replication (`ReplicaManager`, `Partition`, `ReplicaFetcherManager`,
//! `ReplicaFetcherThread`): the brokers' start, the leader's high watermark and what waits on
//! it (acks=all produces, transaction markers, consumer fetches), and the follower's fetch
//! sessions with leader-epoch truncation; these are `Brokers` handlers.
//!
//! Simplified: `CreatePartitions` (the controller places the new partitions and every client
//! learns them) is still an `impl Sim` block here, as it changes the clients and groups too.

use crate::broker::context::{BrokerCall, BrokerCtx};
use crate::broker::state::Brokers;
use crate::broker::timers::BrokerTimer;
use crate::cluster::{place_replicas, Partition};
use crate::config::IsolationLevel;
use crate::event::Delivery;
use crate::net::{Body, FetchParams, FetchedPartition, Node, TopicPartitionId};
use crate::sim::Sim;
use alloc::vec::Vec;

/// Bytes a follower takes per partition per fetch (`replica.fetch.max.bytes`).
pub(crate) const REPLICA_FETCH_MAX_BYTES: u64 = 1_048_576;

impl Sim {
    /// `CreatePartitions`: the controller places the new partitions like new topics' and
    /// every client learns them from metadata: producers partition over the new count (keys
    /// move), consumer groups rebalance. Followers pick the new partitions up in their next
    /// fetch.
    pub(crate) fn add_partitions(&mut self, topic: u32, count: u32) {
        let t = self.topics.get(topic as usize).unwrap_or_else(|| {
            panic!("CreatePartitions of topic {topic}: the live change names only topics the cluster has (Sim::apply)")
        });
        let old = t.partitions.len() as u32;
        if count <= old {
            return;
        }
        let rf = t.partitions.first().map_or(1, |p| p.replicas.len() as u32);
        // Registered, unfenced brokers: what the controller knows (a crashed broker it has not
        // fenced yet still counts; `Sim::apply` refused the change if too few are left).
        let usable: Vec<u32> = self
            .brokers
            .iter()
            .filter(|b| !b.fenced)
            .map(|b| b.id)
            .collect();
        assert!(
            usable.len() as u32 >= rf,
            "CreatePartitions needs rf usable brokers"
        );
        let placed = place_replicas(&mut self.rng, &usable, count - old, rf);
        let t = &mut self.topics[topic as usize];
        for (i, reps) in placed.into_iter().enumerate() {
            t.partitions
                .push(Partition::new(topic, old + i as u32, &reps));
        }
        self.apply_segment_bytes(topic);
        // Followers start fetching the new partitions (a follower with no session to their
        // leader yet never replicated them: found by the liveness monitor).
        self.start_replica_fetchers();
        for p in &mut self.producers {
            if p.topic == topic {
                p.accumulator.grow(count);
                p.next_sequence.resize(count as usize, 0);
                p.next_ordinal.resize(count as usize, 0);
            }
        }
        let subscribed: Vec<u32> = self
            .groups()
            .iter()
            .filter(|g| {
                self.config.groups[g.index as usize]
                    .topics
                    .iter()
                    .any(|n| *n == self.topics[topic as usize].name)
            })
            .map(|g| g.index)
            .collect();
        for g in subscribed {
            let members: Vec<u32> = self
                .consumers
                .iter()
                .filter(|c| c.group == g)
                .map(|c| c.index)
                .collect();
            for c in members {
                self.rejoin(c);
            }
        }
    }
}

impl Brokers {
    /// Starts the brokers: every replica log gets its topic's `segment.bytes`, then the
    /// periodic tasks: isr-expiration at once (Kafka's initial delay is 0) and log retention
    /// after `log.initial.task.delay.ms` (30 s).
    pub(crate) fn start(&mut self, ctx: &mut BrokerCtx) {
        for t in 0..ctx.topics.len() as u32 {
            self.apply_segment_bytes(ctx, t);
        }
        ctx.out.timer(ctx.now, BrokerTimer::IsrExpiration);
        let first = ctx.now.plus(super::retention::LOG_INITIAL_TASK_DELAY_US);
        ctx.out.timer(first, BrokerTimer::RetentionCheck);
    }

    /// Each alive follower runs one fetch session per alive leader it follows
    /// (`ReplicaFetcherManager`); sessions already running are left alone.
    pub(crate) fn start_replica_fetchers(&mut self, ctx: &mut BrokerCtx) {
        let n = ctx.brokers.len() as u32;
        for follower in 0..n {
            for leader in 0..n {
                if follower != leader
                    && ctx.alive(follower)
                    && ctx.alive(leader)
                    && !ctx.replica_fetchers.contains(&(follower, leader))
                {
                    self.send_replica_fetch(ctx, follower, leader);
                }
            }
        }
    }

    /// Sends a follower's fetch for every partition it follows from `leader`, at its log end
    /// offsets (which tells the leader how far it has come). With nothing to follow there, the
    /// session ends.
    pub(crate) fn send_replica_fetch(&mut self, ctx: &mut BrokerCtx, follower: u32, leader: u32) {
        self.truncate_diverged(ctx, follower, leader);
        let mut partitions = Vec::new();
        for t in ctx.topics.iter() {
            for p in &t.partitions {
                if p.leader == Some(leader) {
                    if let Some(r) = p.replica(follower) {
                        partitions.push((
                            TopicPartitionId {
                                topic: p.topic,
                                partition: p.index,
                            },
                            r.log.log_end_offset(),
                        ));
                    }
                }
            }
        }
        if partitions.is_empty() {
            ctx.replica_fetchers.remove(&(follower, leader));
            return;
        }
        ctx.replica_fetchers.insert((follower, leader));
        ctx.out.send(
            Node::Broker(follower),
            Node::Broker(leader),
            Body::ReplicaFetch {
                follower,
                params: FetchParams {
                    max_wait_ms: ctx.settings.replica_fetch_wait_max_ms,
                    min_bytes: 1,
                    partition_max_bytes: REPLICA_FETCH_MAX_BYTES,
                    isolation_level: IsolationLevel::ReadUncommitted,
                },
                partitions,
            },
        );
    }

    /// Leader-epoch truncation (KIP-101, KIP-279): before fetching, a follower whose log
    /// diverges from its leader's (an entry at the same offset written under another epoch, or
    /// a log longer than the leader's) truncates to where they agree, as the
    /// OffsetsForLeaderEpoch exchange (or the fetch's diverging-epoch answer) makes it do.
    /// Simplified: the common prefix is found by comparing the two logs directly.
    pub(crate) fn truncate_diverged(&mut self, ctx: &mut BrokerCtx, follower: u32, leader: u32) {
        for t in ctx.topics.iter_mut() {
            for p in &mut t.partitions {
                if p.leader != Some(leader) {
                    continue;
                }
                let (Some(li), Some(fi)) = (
                    p.replicas.iter().position(|r| r.broker == leader),
                    p.replicas.iter().position(|r| r.broker == follower),
                ) else {
                    continue;
                };
                let (l, f) = (&p.replicas[li].log, &p.replicas[fi].log);
                let same = |o: u64| match (l.get(o), f.get(o)) {
                    (Some(a), Some(b)) => {
                        a.record_id == b.record_id && a.leader_epoch == b.leader_epoch
                    }
                    // Below a log start (retention): taken as agreeing.
                    _ => o < l.log_start_offset().max(f.log_start_offset()),
                };
                let fleo = f.log_end_offset();
                if fleo == 0 || (fleo <= l.log_end_offset() && same(fleo - 1)) {
                    continue;
                }
                let mut keep = fleo.min(l.log_end_offset());
                while keep > f.log_start_offset() && !same(keep - 1) {
                    keep -= 1;
                }
                let r = &mut p.replicas[fi];
                r.log.truncate_to(keep);
                r.high_watermark = r.high_watermark.min(keep);
            }
        }
    }

    /// A follower got records from its leader: append, take the leader's high watermark,
    /// and fetch again at once.
    pub(crate) fn on_replica_fetch_response(
        &mut self,
        ctx: &mut BrokerCtx,
        follower: u32,
        from: Node,
        parts: Vec<FetchedPartition>,
    ) -> Delivery {
        let Node::Broker(leader) = from else {
            unreachable!("a ReplicaFetchResponse comes only from a partition leader (a broker)");
        };
        let mut n = 0;
        for fp in parts {
            let Some(p) = ctx.partition_mut(fp.tp) else {
                continue;
            };
            // A response from a broker that no longer leads the partition (or to a replica
            // that leads it now) is stale: Kafka fences it by leader epoch
            // (FENCED_LEADER_EPOCH); it must not touch the log.
            if p.leader != Some(leader) || p.leader == Some(follower) {
                continue;
            }
            let Some((r, leader_log)) = follower_and_leader_log(p, follower, leader) else {
                continue;
            };
            // Its log ends below the leader's log start (retention deleted what it needs):
            // OFFSET_OUT_OF_RANGE, it truncates fully and starts at the leader's log start.
            if fp.log_start_offset > r.log.log_end_offset() {
                r.log.truncate_fully_and_start_at(fp.log_start_offset);
                r.high_watermark = r.high_watermark.max(fp.log_start_offset);
            }
            for (off, e) in fp.entries {
                if off == r.log.log_end_offset() {
                    // The copy shares the leader's storage where the leader still holds it.
                    match leader_log {
                        Some(l) => r.log.append_copy(e, l),
                        None => r.log.append(e),
                    };
                    n += 1;
                }
            }
            let hw = fp.high_watermark.min(r.log.log_end_offset());
            if hw > r.high_watermark {
                r.high_watermark = hw;
            }
            // The follower's log start follows the leader's (`maybeIncrementLogStartOffset`).
            let start = fp.log_start_offset.min(r.high_watermark);
            r.log.advance_start(start);
        }
        self.send_replica_fetch(ctx, follower, leader);
        Delivery::Fetched { records: n }
    }

    /// After the leader's log grew: parked follower fetches for the partition wake up, and
    /// the high watermark may move (with an ISR of one). Returns whether it moved.
    pub(crate) fn on_leader_log_grew(&mut self, ctx: &mut BrokerCtx, tp: TopicPartitionId) -> bool {
        self.read_log(ctx, tp);
        self.wake_parked(ctx, tp, true);
        self.advance_high_watermark(ctx, tp)
    }

    /// What is new in the leader's log of `tp` is read: by the invariant monitor (an effect,
    /// `BrokerCall::ReadLog`) and into the leader's transaction index.
    pub(crate) fn read_log(&mut self, ctx: &mut BrokerCtx, tp: TopicPartitionId) {
        ctx.out.call(BrokerCall::ReadLog { tp });
        self.txn_index_read(ctx, tp);
    }

    /// Recomputes the high watermark; when it moves, consumer fetches waiting on it wake.
    /// acks=all produces waiting on the partition are checked either way: the high watermark,
    /// the ISR or the leadership may have changed (`tryCompleteDelayedRequests`).
    pub(crate) fn advance_high_watermark(
        &mut self,
        ctx: &mut BrokerCtx,
        tp: TopicPartitionId,
    ) -> bool {
        let min_isr = ctx
            .topics
            .get(tp.topic as usize)
            .map_or(1, |t| t.min_insync_replicas);
        let moved = ctx
            .partition_mut(tp)
            .and_then(|p| p.maybe_advance_high_watermark(min_isr))
            .is_some();
        self.complete_delayed_produces(ctx, tp);
        self.complete_marker_waits(ctx, tp);
        if moved {
            self.wake_parked(ctx, tp, false);
        }
        moved
    }
}

/// The follower's replica (mutable) and the leader's log of partition `p`.
pub(crate) fn follower_and_leader_log(
    p: &mut crate::cluster::Partition,
    follower: u32,
    leader: u32,
) -> Option<(&mut crate::cluster::Replica, Option<&crate::log::Log>)> {
    let fi = p.replicas.iter().position(|r| r.broker == follower)?;
    let li = p.replicas.iter().position(|r| r.broker == leader).expect(
        "the caller checked that `leader` leads the partition, and a leader is one of its replicas",
    );
    if fi == li {
        return Some((&mut p.replicas[fi], None));
    }
    let (f, l) = if fi < li {
        let (a, b) = p.replicas.split_at_mut(li);
        (&mut a[fi], &b[0])
    } else {
        let (a, b) = p.replicas.split_at_mut(fi);
        (&mut b[0], &a[li])
    };
    Some((f, Some(&l.log)))
}
