//! The consumer (`KafkaConsumer` with the classic group protocol): the poll loop, fetches to
//! partition leaders, positions and committed offsets, auto-commit and the application's
//! commitSync() / commitAsync() (`sim.consumer.commit`), heartbeats, the member
//! side of rebalances (eager and cooperative), leaving on max.poll.interval.ms (KIP-62) and
//! static membership (KIP-345).
//!
//! The member finds its coordinator with FindCoordinator and finds it again when a request
//! to it times out or is answered NOT_COORDINATOR (`sim::coordinator`).
//!
//! The application's loop around `poll()` is `app::consuming`; the rebalance listener and a
//! commit's outcome go back to the application as `client::callback::ClientCallback`s.
//!
//! Simplified for now: the application's `poll()` is modelled only when records are
//! buffered (an idle application is "inside poll()").

pub mod context;
pub mod coordinator;
pub mod fetcher;
pub use crate::coordinator::group::state as group;
pub mod host;
pub mod lag;
pub mod member;
pub mod metrics;
pub mod offset_reset;
pub mod poll;
pub mod responses;

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
    /// Not in the group (left on max.poll.interval.ms, or lost its membership): rejoins at
    /// the application's next `poll()`.
    Unjoined,
    /// The process is not running (crashed, or closed for good).
    Stopped,
}

/// A fetched record waiting for `poll()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BufferedRecord {
    pub tp: TopicPartitionId,
    pub offset: u64,
    pub entry: LogEntry,
    /// Returned to the application: `false` for control markers and, under read_committed,
    /// records of aborted transactions (they only advance the position).
    pub visible: bool,
}

/// One consumer instance (a member of one group).
#[derive(Clone, Debug, PartialEq)]
pub struct Consumer {
    pub index: u32,
    pub group: u32,
    /// `client.id` (`consumer-<group.id>-<n>`).
    pub client_id: String,
    /// Empty until the member first joins.
    pub member_id: String,
    pub state: MemberState,
    pub generation: u32,
    pub assignment: Vec<TopicPartitionId>,
    /// Next offset to return to the application, per assigned partition.
    pub positions: BTreeMap<TopicPartitionId, u64>,
    /// Partitions waiting for their position to be reset by auto.offset.reset
    /// (`SubscriptionState`'s AWAIT_RESET): no committed offset, or the fetch position fell
    /// out of range.
    pub resets: BTreeMap<TopicPartitionId, offset_reset::PendingReset>,
    /// When a wake-up to send due resets is scheduled.
    pub reset_wakeup: Option<SimTime>,
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
    /// `group.instance.id` (static member).
    pub instance_id: Option<String>,
    /// `partition.assignment.strategy` of this instance.
    pub strategies: crate::config::StrategyList,
    /// The process runs (false after a crash or a close).
    pub alive: bool,
    /// Closed for good (`RemoveConsumer`): never restarts.
    pub closed: bool,
    /// The coordinator asked for a rejoin (or a cooperative revocation needs one): done at the
    /// next `poll()`.
    pub rejoin_requested: bool,
    /// When the application last returned from `poll()` (for max.poll.interval.ms).
    pub last_poll: SimTime,
    /// Per-record processing time of this instance, if it differs from the group's
    /// `sim.consumer.processing` (a slow consumer).
    pub processing_us: Option<u64>,
    /// The last assignment received and its generation (the sticky assignors' memory).
    pub previous: Vec<TopicPartitionId>,
    pub previous_generation: Option<u32>,
    /// The last `poll()` returned records the application has not committed itself yet
    /// (`sim.consumer.commit=sync|async`).
    pub uncommitted_poll: bool,
    /// The application is blocked in `commitSync()` until the OffsetCommit response with this
    /// correlation id arrives.
    pub commit_sync_wait: Option<u64>,
    /// An assignment (generation, partitions) that arrived while the application was busy:
    /// it takes effect at the next `poll()`, as the Java consumer runs rebalance callbacks
    /// inside `poll()`.
    pub pending_assignment: Option<(u32, Vec<TopicPartitionId>)>,
    /// When a blocked `commitSync()` gives up (default.api.timeout.ms after the call).
    pub commit_sync_deadline: SimTime,
    /// Next correlation id for an OffsetCommit.
    pub next_request_id: u64,
    /// The coordinator this member knows (`None`: unknown, FindCoordinator needed).
    pub coordinator: Option<u32>,
    /// A FindCoordinator is outstanding since then.
    pub find_coordinator_sent: Option<SimTime>,
    /// Requests to the coordinator awaiting a response: (request kind, when it times out).
    pub coordinator_requests: Vec<(crate::net::MessageKind, SimTime)>,
    /// Lag over time (one sample per `lag::LAG_SAMPLE_INTERVAL_US` while the process runs).
    pub lag_history: lag::Ring<lag::LagSample>,
    /// Its metrics under Kafka's names (`metrics`).
    pub metrics: metrics::ConsumerMetrics,
}

impl Consumer {
    /// In the group (joined or joining) and running.
    pub fn is_member(&self) -> bool {
        !matches!(self.state, MemberState::Unjoined | MemberState::Stopped)
    }

    pub fn buffered(&self, tp: TopicPartitionId) -> bool {
        self.buffer.iter().any(|r| r.tp == tp)
    }
}
