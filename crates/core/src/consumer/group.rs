//! The group coordinator's view of a consumer group (`ClassicGroup` in Kafka's group
//! coordinator): members, generation, leader, state, committed offsets.
//!
//! The coordinator is the leader of partition `abs(groupId.hashCode()) % 50` of
//! `__consumer_offsets`. Simplified for now: the join phase completes on a timer
//! (`group.initial.rebalance.delay.ms` for the first, empty-group rebalance), members never
//! leave, and only the Range assignor is offered.

use crate::net::TopicPartitionId;
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// `ClassicGroupState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

/// A consumer group as its coordinator keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub index: u32,
    pub group_id: String,
    /// Partition of `__consumer_offsets` that owns the group.
    pub offsets_partition: u32,
    /// The broker leading that partition: the group coordinator.
    pub coordinator: u32,
    pub state: GroupState,
    pub generation: u32,
    pub leader: Option<u32>,
    /// Members (consumer indices) in the order they joined.
    pub members: Vec<u32>,
    /// Joined since the current join phase started.
    pub joined_this_round: Vec<u32>,
    /// When the current join phase completes.
    pub join_deadline: Option<SimTime>,
    /// The current join phase is the empty group's initial delayed join.
    pub initial_join: bool,
    /// Members waiting for their SyncGroup response.
    pub awaiting_sync: Vec<u32>,
    /// The leader's assignment for the current generation.
    pub assignment: BTreeMap<u32, Vec<TopicPartitionId>>,
    pub committed: BTreeMap<TopicPartitionId, u64>,
    /// The assignor chosen for this generation (Kafka's protocol name).
    pub protocol: &'static str,
}

/// Java's `String.hashCode` over UTF-16 code units.
pub fn java_string_hash(s: &str) -> i32 {
    let mut h: i32 = 0;
    for u in s.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(u as i32);
    }
    h
}

/// Kafka's `Utils.abs`: `Integer.MIN_VALUE` maps to 0.
pub fn kafka_abs(n: i32) -> i32 {
    if n == i32::MIN {
        0
    } else {
        n.abs()
    }
}

/// The `__consumer_offsets` partition owning `group_id` (also the transaction coordinator
/// rule over `__transaction_state`).
pub fn coordinator_partition(group_id: &str, partitions: u32) -> u32 {
    (kafka_abs(java_string_hash(group_id)) as u32) % partitions.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinator_vectors() {
        assert_eq!(coordinator_partition("my-group", 50), 12);
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        assert_eq!(coordinator_partition("polygenelubricants", 50), 0);
    }
}
