//! What the engine hands the group coordinators with each request, timer or broker change (the
//! role is an actor, `crate::actor`): the time, the cluster metadata, the group settings Kafka's
//! coordinator has from its broker config and from the members' JoinGroup requests, and the
//! outbox their effects go to.
//!
//! Simplified: one session timeout and one rebalance timeout per group, from the group's
//! consumer settings (Kafka's JoinGroup carries each member's `session.timeout.ms` and
//! `max.poll.interval.ms`, and the coordinator keeps them per member).

use crate::actor::Outbox;
use crate::cluster::Metadata;
use crate::config::GroupConfig;
use crate::coordinator::group::state::{GroupTimer, TxnOffsetCommitRequest};
use crate::net::TopicPartitionId;
use crate::time::SimTime;
use alloc::vec::Vec;

/// What a group coordinator does to another role directly, where Kafka sends a request (or
/// where the simulator shows what a real client would learn by asking).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum GroupCall {
    /// A TxnOffsetCommit's check of its producer at the transaction coordinator (KIP-447 /
    /// KIP-890): the producer id and epoch must be current, the transaction ongoing
    /// (transaction.version 1) and not ending; under transaction.version 2 the group's
    /// `__consumer_offsets` partition joins the transaction. Kafka's group coordinator sends
    /// AddPartitionsToTxn (verifyOnly under version 1) to the transaction coordinator and
    /// answers when it hears back; here the engine asks the transaction coordinators at once
    /// and hands the verdict to `GroupCoordinators::on_txn_offset_commit_verified`.
    VerifyTxnOffsetCommit(TxnOffsetCommitRequest),
    /// A transaction's offsets of `group` were committed: the group's running members show
    /// them as their committed offsets (what the page draws; a real consumer learns them by
    /// OffsetFetch).
    ShowCommittedOffsets {
        group: u32,
        offsets: Vec<(TopicPartitionId, u64)>,
    },
}

pub(crate) type GroupOutbox = Outbox<GroupTimer, GroupCall>;

/// A group's timeouts, in microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GroupTimeouts {
    /// session.timeout.ms.
    pub session_us: u64,
    /// The rebalance timeout (the members' max.poll.interval.ms).
    pub rebalance_us: u64,
}

/// One handler call's context.
pub(crate) struct GroupCtx<'a> {
    pub now: SimTime,
    pub metadata: Metadata<'a>,
    /// group.initial.rebalance.delay.ms, in microseconds.
    pub initial_rebalance_delay_us: u64,
    /// The groups' settings, by group index (for their timeouts).
    pub groups: &'a [GroupConfig],
    pub out: GroupOutbox,
}

impl GroupCtx<'_> {
    /// The group's session timeout and rebalance timeout (max.poll.interval.ms). Every group
    /// is added together with its configuration.
    pub fn timeouts(&self, group: u32) -> GroupTimeouts {
        let n = self.groups.len();
        assert!(
            (group as usize) < n,
            "consumer group {group} has no configuration ({n} groups)"
        );
        let c = &self.groups[group as usize].consumer;
        GroupTimeouts {
            session_us: c.session_timeout_ms.value * 1000,
            rebalance_us: c.max_poll_interval_ms.value * 1000,
        }
    }
}
