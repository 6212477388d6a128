//! One frame of the page's canvas, read once ([`Sim::frame`]): everything the renderer draws,
//! with every answer it needs already worked out here (a broker's state and coordinator
//! roles, a partition's last stable offset and open transaction, a producer instance being a
//! zombie or a processor's, the running producer, a group's phase, protocol and progress, a
//! consumer's lag and wait at the LSO per assigned partition, which processor it is, what it
//! does in a rebalance). The page draws what the frame says and asks the `Sim` nothing.
//!
//! The answers are plain data. What is bulky and plain already is borrowed read-only from the
//! world instead of copied, so a frame costs a few small vectors: the replicas' logs, a
//! producer's accumulator and requests in flight, the groups' and
//! consumers' lag rings, the `&Message`s in flight and the partitions of a transaction. None
//! of them is a way back to the `Sim`. The producers' part is `frame_producers`. The page
//! keeps a frame's vectors for the next ([`FrameBuffers`]), so once warm a frame allocates
//! nothing but what the core's answers do.

use crate::cluster::{BrokerState, Partition, Replica};
use crate::consumer::lag::{GroupLagSample, LagSample, Ring};
use crate::consumer::MemberState;
use crate::log::Log;
use crate::net::{Message, TopicPartitionId};
use crate::sim::view::{GroupPhase, GroupProgress, MemberRebalance, ProducerFrame};
use crate::sim::Sim;
use crate::SimTime;
use alloc::vec::Vec;

/// A broker as its box shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrokerFrame {
    pub id: u32,
    pub state: BrokerState,
    pub alive: bool,
    /// It coordinates a consumer group.
    pub group_coordinator: bool,
    /// It coordinates a transactional.id (`Sim::is_txn_coordinator`).
    pub txn_coordinator: bool,
}

/// A partition's transactions, in a world that has them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartitionTxn {
    /// The last stable offset.
    pub lso: u64,
    /// First offset of the earliest transaction open at the leader.
    pub first_open: Option<u64>,
    /// An open transaction holds the LSO below the high watermark (`Sim::lso_holder`).
    pub held: bool,
    /// In a transaction its coordinator has not completed.
    pub in_txn: bool,
}

/// One replica of a partition as its row shows it.
#[derive(Clone, Copy, Debug)]
pub struct ReplicaFrame<'a> {
    pub broker: u32,
    pub leader: bool,
    pub in_isr: bool,
    pub log_end_offset: u64,
    /// The partition's high watermark on the leader, the follower's own on a follower.
    pub high_watermark: u64,
    /// Its log (borrowed).
    pub log: &'a Log,
}

/// A partition of some topic; its replicas are `Frame::replicas(p)`.
#[derive(Clone, Copy, Debug)]
pub struct PartitionFrame<'a> {
    pub tp: TopicPartitionId,
    pub topic_name: &'a str,
    pub leader: Option<u32>,
    /// The largest log end offset among its replicas (where a shared offset scale ends).
    pub log_end_offset_max: u64,
    /// Where its replicas are in the frame's replicas.
    replicas: (usize, usize),
    /// `None` in a world without transactions.
    pub txn: Option<PartitionTxn>,
    /// Records acknowledged to the producer but missing from the leader's log (the monitor).
    pub lost: u64,
    /// What its leaders refused the producers' batches with, over every producer instance
    /// writing to it: the count, the latest error and when (`None`: no refusal).
    pub refused: Option<crate::producer::errors::PartitionRefusals>,
}

/// A consumer's position on one of its assigned partitions, where its fetch ends now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PositionFrame {
    pub consumer: u32,
    pub group: u32,
    pub tp: TopicPartitionId,
    pub position: u64,
    pub read_committed: bool,
    /// The LSO (read_committed) or the high watermark.
    pub fetch_limit: u64,
}

/// A consumer group as its panel shows it, with its rebalance as the page names it.
#[derive(Clone, Copy, Debug)]
pub struct GroupFrame<'a> {
    pub index: u32,
    pub group_id: &'a str,
    pub generation: u32,
    /// The group coordinator's broker.
    pub coordinator: u32,
    /// The chosen assignor's name (`None` while empty).
    pub assignor: Option<&'static str>,
    /// The leader's consumer.
    pub leader: Option<u32>,
    pub members: usize,
    /// The group's lag samples (borrowed).
    pub lag_history: &'a Ring<GroupLagSample>,
    pub phase: GroupPhase,
    pub progress: GroupProgress,
    /// `eager`, `cooperative`, `mixed`, or `None` without members.
    pub rebalance_protocol: Option<&'static str>,
}

/// The pipeline processor a consumer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessorFrame {
    pub index: u32,
    pub phase: &'static str,
    pub crashed: bool,
}

/// One assigned partition of a consumer: its position, lag to where its fetch ends, and
/// whether it waits at the last stable offset (`Sim::consumer_waits_at_lso`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AssignedFrame {
    pub tp: TopicPartitionId,
    /// 0 without a position.
    pub position: u64,
    pub lag: u64,
    pub waits_at_lso: bool,
}

/// A consumer as its box shows it; its assigned partitions are `Frame::assigned(c)`.
#[derive(Clone, Copy, Debug)]
pub struct ConsumerFrame<'a> {
    pub index: u32,
    pub group: u32,
    pub member_id: &'a str,
    /// Its client.id, or its group.instance.id for a static member (what its member id
    /// starts with).
    pub client_id: &'a str,
    pub state: MemberState,
    pub generation: u32,
    pub records_consumed: u64,
    /// Its lag samples (borrowed).
    pub lag_history: &'a Ring<LagSample>,
    pub read_committed: bool,
    pub processor: Option<ProcessorFrame>,
    pub rebalance: Option<MemberRebalance>,
    /// Where its rows are in `Frame::assigned`.
    rows: (usize, usize),
}

/// One frame of the page: what the renderer draws, read once (see the module's doc).
#[derive(Clone, Debug)]
pub struct Frame<'a> {
    pub now: SimTime,
    /// A transactional producer, or a transactional.id its coordinator knows.
    pub transactions: bool,
    /// Partitions of the first topic (at least 1): the accumulator's rows.
    pub first_topic_partitions: u32,
    pub brokers: Vec<BrokerFrame>,
    /// Every topic's partitions, topic by topic.
    pub partitions: Vec<PartitionFrame<'a>>,
    replicas: Vec<ReplicaFrame<'a>>,
    /// Where each topic's partitions start in `partitions`.
    topic_starts: Vec<usize>,
    /// Every producer instance, in index order.
    pub producers: Vec<ProducerFrame<'a>>,
    /// Where the running producer of the page's application is in `producers`
    /// (`Sim::running_app_producer(0)`).
    running: Option<usize>,
    pub groups: Vec<GroupFrame<'a>>,
    pub consumers: Vec<ConsumerFrame<'a>>,
    assigned: Vec<AssignedFrame>,
    /// In a world with transactions, every consumer's position on each assigned partition
    /// (consumer by consumer, in assignment order).
    pub positions: Vec<PositionFrame>,
    /// Pipeline processors: (producer index, consumer index).
    pub processors: Vec<(u32, u32)>,
    /// The messages in flight.
    pub messages: Vec<&'a Message>,
}

/// The vectors of a frame, kept between frames (`Frame::into_buffers`, `Sim::frame_with`) so
/// that a frame allocates nothing once they have grown to the world's size.
#[derive(Debug, Default)]
pub struct FrameBuffers {
    brokers: Vec<BrokerFrame>,
    partitions: Vec<PartitionFrame<'static>>,
    topic_starts: Vec<usize>,
    replicas: Vec<ReplicaFrame<'static>>,
    producers: Vec<ProducerFrame<'static>>,
    groups: Vec<GroupFrame<'static>>,
    consumers: Vec<ConsumerFrame<'static>>,
    assigned: Vec<AssignedFrame>,
    positions: Vec<PositionFrame>,
    processors: Vec<(u32, u32)>,
    messages: Vec<&'static Message>,
}

/// `v` emptied, as a vector of another type of the same layout (a frame's items with another
/// lifetime), keeping its allocation (the standard library collects in place).
fn recycle<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter().filter_map(|_| None).collect()
}

impl Sim {
    /// This frame of the page (see [`Frame`]).
    pub fn frame(&self) -> Frame<'_> {
        self.frame_with(FrameBuffers::default())
    }

    /// This frame of the page, filling the vectors of an earlier one (`Frame::into_buffers`).
    pub fn frame_with(&self, b: FrameBuffers) -> Frame<'_> {
        let mut f = Frame {
            now: self.now(),
            transactions: self.has_transactions(),
            first_topic_partitions: self
                .topics()
                .first()
                .map_or(1, |t| t.partitions.len() as u32)
                .max(1),
            brokers: recycle(b.brokers),
            partitions: recycle(b.partitions),
            topic_starts: recycle(b.topic_starts),
            replicas: recycle(b.replicas),
            producers: recycle(b.producers),
            running: self
                .running_app_producer(0)
                .and_then(|r| self.producers().iter().position(|p| p.index == r.index)),
            groups: recycle(b.groups),
            consumers: recycle(b.consumers),
            assigned: recycle(b.assigned),
            positions: recycle(b.positions),
            processors: recycle(b.processors),
            messages: recycle(b.messages),
        };
        f.messages.extend(self.messages());
        if let Some(pl) = self.pipeline() {
            let pairs = pl.processors.iter().map(|p| (p.producer, p.consumer));
            f.processors.extend(pairs);
        }
        self.read_brokers(&mut f);
        self.read_partitions(&mut f);
        let producers = self.producers().iter().map(|p| self.producer_frame(p));
        f.producers.extend(producers);
        let groups = self.groups().iter().map(|g| GroupFrame {
            index: g.index,
            group_id: &g.group_id,
            generation: g.generation,
            coordinator: g.coordinator,
            assignor: g.protocol.map(|k| k.name()),
            leader: g.leader_consumer(),
            members: g.members.len(),
            lag_history: &g.lag_history,
            phase: self.group_phase(g),
            progress: self.group_progress(g),
            rebalance_protocol: self.group_rebalance_protocol(g),
        });
        f.groups.extend(groups);
        self.read_consumers(&mut f);
        f
    }

    fn read_brokers(&self, f: &mut Frame<'_>) {
        let brokers = self.brokers().iter().map(|b| BrokerFrame {
            id: b.id,
            state: b.state(),
            alive: b.alive,
            group_coordinator: self.groups().iter().any(|g| g.coordinator == b.id),
            txn_coordinator: f.transactions && self.is_txn_coordinator(b.id),
        });
        f.brokers.extend(brokers);
    }

    fn read_partitions<'a>(&'a self, f: &mut Frame<'a>) {
        let lost = self.monitor().lost_per_partition();
        // In order: found by binary search.
        let open = if f.transactions {
            self.partitions_in_open_transactions()
        } else {
            Vec::new()
        };
        for (ti, topic) in self.topics().iter().enumerate() {
            f.topic_starts.push(f.partitions.len());
            for p in &topic.partitions {
                let tp = TopicPartitionId {
                    topic: ti as u32,
                    partition: p.index,
                };
                let txn = f.transactions.then(|| PartitionTxn {
                    lso: self.last_stable_offset(tp),
                    first_open: self.first_open_offset(tp),
                    held: self.lso_holder(tp).is_some(),
                    in_txn: open.binary_search(&tp).is_ok(),
                });
                let start = f.replicas.len();
                f.replicas
                    .extend(p.replicas.iter().map(|r| replica_frame(p, r)));
                f.partitions.push(PartitionFrame {
                    tp,
                    topic_name: &topic.name,
                    leader: p.leader,
                    log_end_offset_max: p
                        .replicas
                        .iter()
                        .map(|x| x.log.log_end_offset())
                        .max()
                        .unwrap_or(0),
                    replicas: (start, f.replicas.len()),
                    txn,
                    lost: lost.get(&tp).copied().unwrap_or(0),
                    refused: self.partition_refusals(tp),
                });
            }
        }
    }

    /// The refusals of `tp`'s produce requests, summed over the producers writing to it
    /// (the latest error and time of any).
    pub fn partition_refusals(
        &self,
        tp: TopicPartitionId,
    ) -> Option<crate::producer::errors::PartitionRefusals> {
        let mut out: Option<crate::producer::errors::PartitionRefusals> = None;
        let of_tp = self.producers().iter().filter(|p| p.topic == tp.topic);
        for r in of_tp.filter_map(|p| p.errors.refused.get(tp.partition as usize).copied()?) {
            out = Some(match out {
                None => r,
                Some(o) => crate::producer::errors::PartitionRefusals {
                    count: o.count + r.count,
                    last: if r.at >= o.at { r.last } else { o.last },
                    at: o.at.max(r.at),
                },
            });
        }
        out
    }

    fn read_consumers<'a>(&'a self, f: &mut Frame<'a>) {
        let consumers = self.consumers();
        for c in consumers {
            let rc = self.consumer_read_committed(c.index);
            let start = f.assigned.len();
            for tp in &c.assignment {
                let pos = c.positions.get(tp).copied();
                let position = pos.unwrap_or(0);
                f.assigned.push(AssignedFrame {
                    tp: *tp,
                    position,
                    lag: self.consumer_partition_lag(c.index, *tp),
                    waits_at_lso: f.transactions
                        && self.consumer_waits_at_lso(c.index, *tp, position),
                });
                if let (true, Some(pos)) = (f.transactions, pos) {
                    if f.partition(*tp).is_some() {
                        f.positions.push(PositionFrame {
                            consumer: c.index,
                            group: c.group,
                            tp: *tp,
                            position: pos,
                            read_committed: rc,
                            fetch_limit: self.consumer_fetch_limit(c.index, *tp),
                        });
                    }
                }
            }
            let processor = self
                .pipeline_processor_of_consumer(c.index)
                .map(|p| ProcessorFrame {
                    index: p.index,
                    phase: p.phase.name(),
                    crashed: p.is_crashed(),
                });
            f.consumers.push(ConsumerFrame {
                index: c.index,
                group: c.group,
                member_id: &c.member_id,
                client_id: c.instance_id.as_deref().unwrap_or(&c.client_id),
                state: c.state,
                generation: c.generation,
                records_consumed: c.records_consumed,
                lag_history: &c.lag_history,
                read_committed: rc,
                processor,
                rebalance: self.member_rebalance(c),
                rows: (start, f.assigned.len()),
            });
        }
    }
}

fn replica_frame<'a>(p: &'a Partition, r: &'a Replica) -> ReplicaFrame<'a> {
    let leader = p.leader == Some(r.broker);
    ReplicaFrame {
        broker: r.broker,
        leader,
        in_isr: p.isr.contains(&r.broker),
        log_end_offset: r.log.log_end_offset(),
        high_watermark: if leader {
            p.high_watermark()
        } else {
            r.high_watermark
        },
        log: &r.log,
    }
}

impl ConsumerFrame<'_> {
    /// How many partitions it is assigned.
    pub fn assigned_count(&self) -> usize {
        self.rows.1 - self.rows.0
    }
}

impl<'a> Frame<'a> {
    /// The frame's vectors, for the next frame (`Sim::frame_with`).
    pub fn into_buffers(self) -> FrameBuffers {
        FrameBuffers {
            brokers: recycle(self.brokers),
            partitions: recycle(self.partitions),
            topic_starts: recycle(self.topic_starts),
            replicas: recycle(self.replicas),
            producers: recycle(self.producers),
            groups: recycle(self.groups),
            consumers: recycle(self.consumers),
            assigned: recycle(self.assigned),
            positions: recycle(self.positions),
            processors: recycle(self.processors),
            messages: recycle(self.messages),
        }
    }

    /// Partition `tp`, if the world has it.
    pub fn partition(&self, tp: TopicPartitionId) -> Option<&PartitionFrame<'a>> {
        let start = *self.topic_starts.get(tp.topic as usize)?;
        let end = self
            .topic_starts
            .get(tp.topic as usize + 1)
            .copied()
            .unwrap_or(self.partitions.len());
        self.partitions
            .get(start..end)?
            .get(tp.partition as usize)
            .filter(|p| p.tp == tp)
    }

    /// Partition `p`'s replicas, in the partition's order.
    pub fn replicas(&self, p: &PartitionFrame<'_>) -> &[ReplicaFrame<'a>] {
        self.replicas.get(p.replicas.0..p.replicas.1).unwrap_or(&[])
    }

    /// Partition `p`'s replica on `broker`, if it has one there.
    pub fn replica(&self, p: &PartitionFrame<'_>, broker: u32) -> Option<&ReplicaFrame<'a>> {
        self.replicas(p).iter().find(|r| r.broker == broker)
    }

    /// Consumer `c`'s assigned partitions, in assignment order (every one of them).
    pub fn assigned(&self, c: &ConsumerFrame<'_>) -> &[AssignedFrame] {
        self.assigned.get(c.rows.0..c.rows.1).unwrap_or(&[])
    }

    /// Group `g`, if the world has it.
    pub fn group(&self, g: u32) -> Option<&GroupFrame<'a>> {
        self.groups.get(g as usize)
    }

    /// The running producer of the page's application (`Sim::running_app_producer(0)`).
    pub fn running(&self) -> Option<&ProducerFrame<'a>> {
        self.producers.get(self.running?)
    }

    /// Whether the running producer's first batch of partition `part` is ready to send
    /// (`RecordAccumulator::first_ready` with its linger.ms; flushing while send() blocks).
    pub fn first_batch_ready(&self, part: u32) -> bool {
        self.running().is_some_and(|p| {
            let linger_us = p.linger_ms.saturating_mul(1000);
            p.accumulator
                .first_ready(part, self.now, linger_us, p.blocked_since.is_some())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::{Config, Sim, SimTime};

    #[test]
    fn a_frame_reuses_the_vectors_of_the_last() {
        let mut sim = Sim::new(Config::preset(), 1).unwrap();
        sim.run_until(SimTime(500_000));
        let f = sim.frame();
        let (parts, replicas) = (f.partitions.len(), f.replicas.len());
        let b = f.into_buffers();
        let (ptr, cap) = (b.replicas.as_ptr() as usize, b.replicas.capacity());
        assert!(cap >= replicas && b.replicas.is_empty());
        let f = sim.frame_with(b);
        assert_eq!((f.partitions.len(), f.replicas.len()), (parts, replicas));
        assert_eq!(f.replicas.as_ptr() as usize, ptr, "the same allocation");
        assert_eq!(f.replicas.capacity(), cap);
    }
}
