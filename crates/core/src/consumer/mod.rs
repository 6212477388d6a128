//! The consumer (`KafkaConsumer` with the classic group protocol): the poll loop, fetches to
//! partition leaders, positions and committed offsets, auto-commit, heartbeats.
//!
//! Simplified for now: the coordinator is known without a FindCoordinator round trip; the
//! offset reset reads the leader's log start offset / high watermark directly instead of a
//! ListOffsets request; members never leave (membership changes come with the consumer
//! group issue).

pub mod group;

use crate::log::LogEntry;
use crate::net::TopicPartitionId;
use crate::time::SimTime;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;

/// Where a member is in the group protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum MemberState {
    /// JoinGroup sent, waiting for the coordinator.
    Joining,
    /// SyncGroup sent, waiting for the assignment.
    Syncing,
    /// Assignment received, OffsetFetch sent.
    FetchingOffsets,
    /// Consuming.
    Stable,
}

/// A fetched record waiting for `poll()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BufferedRecord {
    pub tp: TopicPartitionId,
    pub offset: u64,
    pub entry: LogEntry,
}

/// One consumer instance (a member of one group).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consumer {
    pub index: u32,
    pub group: u32,
    pub member_id: String,
    pub state: MemberState,
    pub generation: u32,
    pub assignment: Vec<TopicPartitionId>,
    /// Next offset to return to the application, per assigned partition.
    pub positions: BTreeMap<TopicPartitionId, u64>,
    /// Last offsets the coordinator confirmed committed.
    pub committed: BTreeMap<TopicPartitionId, u64>,
    /// Fetched records not yet returned by `poll()`.
    pub buffer: VecDeque<BufferedRecord>,
    /// A fetch request is outstanding to this broker (indexed by broker id).
    pub fetch_in_flight: Vec<bool>,
    /// When each outstanding fetch was sent (for the consumer's request.timeout.ms).
    pub fetch_sent_at: Vec<SimTime>,
    /// The application is processing the last poll's records until then.
    pub busy_until: Option<SimTime>,
    pub next_heartbeat: SimTime,
    pub next_auto_commit: SimTime,
    /// Records returned by `poll()` over the run.
    pub records_consumed: u64,
    /// Largest lag seen (`records-lag-max`, over the whole run for now).
    pub records_lag_max: u64,
}

impl Consumer {
    pub fn buffered(&self, tp: TopicPartitionId) -> bool {
        self.buffer.iter().any(|r| r.tp == tp)
    }
}
