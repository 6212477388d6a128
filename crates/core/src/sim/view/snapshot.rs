//! The [`Snapshot`] the page exposes as `window.streamscope.snapshot()` (schema documented in
//! ARCHITECTURE.md): brokers, producers, partitions, groups, consumers, messages in flight,
//! the changes applied and every transactional.id at its coordinator.

use super::{ConsumerSummary, PartitionSummary, ProducerView};
use crate::sim::Sim;
use alloc::string::String;
use alloc::vec::Vec;

/// A transactional.id at its coordinator.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TransactionView {
    pub transactional_id: String,
    pub coordinator: u32,
    /// Its `__transaction_state` partition.
    pub state_partition: u32,
    pub producer_id: i64,
    pub epoch: i16,
    pub state: crate::coordinator::txn::state::TxnState,
    /// (topic, partition) pairs in the transaction.
    pub partitions: Vec<(String, u32)>,
    /// Partitions whose marker is not yet written and replicated.
    pub pending_markers: u32,
    pub started_at_us: u64,
    pub timeout_ms: u64,
}

/// A message in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MessageView {
    pub id: u64,
    pub kind: crate::net::MessageKind,
    pub from: crate::net::Node,
    pub to: crate::net::Node,
    pub sent_at_us: u64,
    pub deliver_at_us: u64,
    pub records: u32,
}

/// A consumer group.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GroupView {
    pub group_id: String,
    pub coordinator: u32,
    pub offsets_partition: u32,
    pub state: crate::consumer::group::GroupState,
    pub generation: u32,
    pub protocol: &'static str,
    pub leader: Option<u32>,
    pub members: Vec<u32>,
    /// Each member as the coordinator knows it, with its assignment in this generation.
    pub member_details: Vec<GroupMemberView>,
    /// The group's committed offsets at its coordinator: (topic, partition, offset).
    pub committed: Vec<(String, u32, u64)>,
    /// The group's lag over time, oldest first: `[time_us, lag, committed_lag]` summed over
    /// the partitions of its topics (see `consumer::lag`).
    pub lag_history: Vec<[u64; 3]>,
    /// The partitions `partition_lag_history` has a column for: (topic, partition).
    pub lag_partitions: Vec<(String, u32)>,
    /// Per sample: time and, per partition of `lag_partitions`, `[lag, committed_lag]`.
    pub partition_lag_history: Vec<(u64, Vec<[u64; 2]>)>,
}

/// One group member at the coordinator.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GroupMemberView {
    pub consumer: u32,
    pub member_id: String,
    pub group_instance_id: Option<String>,
    /// `partition.assignment.strategy`, most preferred first.
    pub strategies: String,
    /// (topic, partition) pairs.
    pub assignment: Vec<(String, u32)>,
}

/// Everything the page's test hook exposes (`window.streamscope.snapshot()`).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Snapshot {
    pub seed: u64,
    pub time_us: u64,
    pub events: u64,
    pub trace_hash: String,
    pub records_sent: u64,
    pub records_acknowledged: u64,
    pub records_failed: u64,
    pub records_consumed: u64,
    pub brokers: Vec<BrokerView>,
    pub producers: Vec<ProducerView>,
    pub partitions: Vec<PartitionSummary>,
    pub groups: Vec<GroupView>,
    pub consumers: Vec<ConsumerSummary>,
    pub messages: Vec<MessageView>,
    pub changes: Vec<crate::sim::AppliedChange>,
    /// The invariant monitor's counts.
    pub monitor: crate::monitor::MonitorCounts,
    pub leader_elections: u64,
    /// The fault schedule (`--fault` syntax).
    pub faults: Vec<String>,
    /// Every transactional.id at its coordinator.
    pub transactions: Vec<TransactionView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BrokerView {
    pub id: u32,
    pub alive: bool,
    /// Fenced by the KRaft controller (its session expired while it was down).
    pub fenced: bool,
    /// Started again, waiting for the controller to accept its new incarnation.
    pub registering: bool,
}

impl Sim {
    fn topic_name(&self, topic: u32) -> String {
        self.topics
            .get(topic as usize)
            .map_or_else(String::new, |t| t.name.clone())
    }

    /// Every transactional.id at its coordinator.
    pub fn transaction_views(&self) -> Vec<TransactionView> {
        self.transactions()
            .map(|m| TransactionView {
                transactional_id: m.transactional_id.clone(),
                coordinator: m.coordinator,
                state_partition: m.state_partition,
                producer_id: m.producer_id,
                epoch: m.epoch,
                state: m.state,
                partitions: m
                    .partitions
                    .iter()
                    .map(|tp| (self.topic_name(tp.topic), tp.partition))
                    .collect(),
                pending_markers: m.pending_markers.len() as u32,
                started_at_us: m.started_at.micros(),
                timeout_ms: m.timeout_us / 1000,
            })
            .collect()
    }

    pub fn message_views(&self) -> Vec<MessageView> {
        self.messages
            .values()
            .map(|m| MessageView {
                id: m.id,
                kind: m.body.kind(),
                from: m.from,
                to: m.to,
                sent_at_us: m.sent_at.micros(),
                deliver_at_us: m.deliver_at.micros(),
                records: m.body.record_count(),
            })
            .collect()
    }

    pub fn snapshot(&self) -> Snapshot {
        let (records_sent, records_acknowledged, records_failed, records_consumed) = self.totals();
        Snapshot {
            seed: self.seed(),
            time_us: self.now().micros(),
            events: self.events_processed(),
            trace_hash: alloc::format!("{:016x}", self.trace().hash()),
            records_sent,
            records_acknowledged,
            records_failed,
            records_consumed,
            brokers: self
                .brokers
                .iter()
                .map(|b| BrokerView {
                    id: b.id,
                    alive: b.alive,
                    fenced: b.fenced,
                    registering: b.registering,
                })
                .collect(),
            producers: self.producer_views(),
            partitions: self.partition_summaries(),
            groups: self.group_views(),
            consumers: self.consumer_views(),
            messages: self.message_views(),
            changes: self.changes().to_vec(),
            monitor: self.monitor.counts(),
            leader_elections: self.controller.leader_elections(),
            faults: self.fault_texts(),
            transactions: self.transaction_views(),
        }
    }

    /// Every group at its coordinator, as the [`Snapshot`] shows it.
    pub fn group_views(&self) -> Vec<GroupView> {
        self.groups()
            .iter()
            .map(|g| GroupView {
                group_id: g.group_id.clone(),
                coordinator: g.coordinator,
                offsets_partition: g.offsets_partition,
                state: g.state,
                generation: g.generation,
                protocol: g.protocol_name(),
                leader: g.leader_consumer(),
                members: g.members.iter().map(|m| m.consumer).collect(),
                member_details: g
                    .members
                    .iter()
                    .map(|m| GroupMemberView {
                        consumer: m.consumer,
                        member_id: m.member_id.clone(),
                        group_instance_id: m.instance_id.clone(),
                        strategies: m.protocols.display(),
                        assignment: m
                            .assignment
                            .iter()
                            .map(|tp| (self.topic_name(tp.topic), tp.partition))
                            .collect(),
                    })
                    .collect(),
                committed: g
                    .committed
                    .iter()
                    .map(|(tp, o)| (self.topic_name(tp.topic), tp.partition, *o))
                    .collect(),
                lag_history: g
                    .lag_history
                    .iter()
                    .map(|s| [s.time_us, s.lag, s.committed_lag])
                    .collect(),
                lag_partitions: self
                    .group_partitions(g.index)
                    .iter()
                    .map(|tp| (self.topic_name(tp.topic), tp.partition))
                    .collect(),
                partition_lag_history: g
                    .lag_history
                    .iter()
                    .map(|s| {
                        (
                            s.time_us,
                            s.partitions.iter().map(|&(a, b)| [a, b]).collect(),
                        )
                    })
                    .collect(),
            })
            .collect()
    }

    /// The message with this id while it is in flight (`None` once delivered). Message ids
    /// grow by one per message sent, so tests can follow every request and response.
    pub fn message(&self, id: u64) -> Option<&crate::net::Message> {
        self.messages.get(&id)
    }
}
