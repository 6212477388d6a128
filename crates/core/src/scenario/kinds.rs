//! The names a scenario gives the trace's events and the timeline's marks (the trace's `Event`
//! variants in snake case, a delivered message by what its delivery did; `sim::history::marks`),
//! and the filters an `event` / `mark` condition narrows them with.

use crate::event::{Delivery, Event, TraceEntry};
use crate::sim::history::marks::{mark_of, MarkKind};
use crate::sim::view::event_words::{error_name, subjects};
use crate::sim::Sim;
use alloc::format;
use alloc::string::{String, ToString};

/// What an event must also name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    /// The Kafka error it carries (`error_name`: `NOT_ENOUGH_REPLICAS`, ...; `none`: no
    /// error).
    Error(String),
    Producer(u32),
    Broker(u32),
    Consumer(u32),
    /// `topic-partition`.
    Partition(String, u32),
    Record(u64),
    /// A `record_appended` that began a new batch (or not).
    NewBatch(bool),
}

/// Every event kind an `event` condition or `events(...)` may name.
pub const EVENT_KINDS: &[&str] = &[
    "record_appended",
    "send_blocked",
    "send_failed",
    "sender_woke",
    "fetch_wait_expired",
    "polled",
    "consumer_timer",
    "rebalance_joined",
    "member_expired",
    "poll_timeout_expired",
    "producer_closed",
    "broker_fenced",
    "replica_fetch_retried",
    "fault_started",
    "fault_ended",
    "isr_shrink",
    "isr_expand",
    "produce_wait_expired",
    "log_segments_deleted",
    "request_timed_out",
    "transaction_call",
    "transaction_retried",
    "transactions_timed_out",
    "markers_retried",
    "commit_called",
    "coordinator_moved",
    "coordinator_unknown",
    "commit_sync_timed_out",
    "offset_fetch_retried",
    "offset_reset_retried",
    "pipeline_step",
    "verification_timed_out",
    "producer_id_retried",
    "appended",
    "acknowledged",
    "fetch_served",
    "fetched",
    "offsets_listed",
    "positions_reset",
    "group",
    "rebalance_triggered",
    "group_stable",
    "assigned",
    "group_refused",
    "lost",
    "high_watermark",
    "txn",
    "markers_written",
    "produce_awaits_verification",
];

/// Every mark kind a `mark` condition may name.
pub const MARK_KINDS: &[&str] = &[
    "fault_started",
    "fault_ended",
    "broker_fenced",
    "isr_shrink",
    "isr_expand",
    "rebalance_started",
    "group_stable",
    "txn_ended",
    "refused",
    "group_refused",
];

/// An event's kind: its variant in snake case, a delivered message's by its delivery.
pub fn event_kind(event: &Event) -> &'static str {
    match event {
        Event::Delivered { detail, .. } => delivery_kind(detail),
        e => EVENT_KINDS[event_index(e)],
    }
}

fn event_index(e: &Event) -> usize {
    match e {
        Event::RecordAppended { .. } => 0,
        Event::SendBlocked { .. } => 1,
        Event::SendFailed { .. } => 2,
        Event::SenderWoke { .. } => 3,
        Event::FetchWaitExpired { .. } => 4,
        Event::Polled { .. } => 5,
        Event::ConsumerTimer { .. } => 6,
        Event::RebalanceJoined { .. } => 7,
        Event::MemberExpired { .. } => 8,
        Event::PollTimeoutExpired { .. } => 9,
        Event::ProducerClosed { .. } => 10,
        Event::BrokerFenced { .. } => 11,
        Event::ReplicaFetchRetried { .. } => 12,
        Event::FaultStarted { .. } => 13,
        Event::FaultEnded { .. } => 14,
        Event::IsrShrink { .. } => 15,
        Event::IsrExpand { .. } => 16,
        Event::ProduceWaitExpired { .. } => 17,
        Event::LogSegmentsDeleted { .. } => 18,
        Event::RequestTimedOut { .. } => 19,
        Event::TransactionCall { .. } => 20,
        Event::TransactionRetried { .. } => 21,
        Event::TransactionsTimedOut { .. } => 22,
        Event::MarkersRetried { .. } => 23,
        Event::CommitCalled { .. } => 24,
        Event::CoordinatorMoved { .. } => 25,
        Event::CoordinatorUnknown { .. } => 26,
        Event::CommitSyncTimedOut { .. } => 27,
        Event::OffsetFetchRetried { .. } => 28,
        Event::OffsetResetRetried { .. } => 29,
        Event::PipelineStep { .. } => 30,
        Event::VerificationTimedOut { .. } => 31,
        Event::ProducerIdRetried { .. } => 32,
        // A delivered message is named by its delivery (`event_kind`).
        Event::Delivered { .. } => unreachable!("a delivery has its own kind"),
    }
}

fn delivery_kind(d: &Delivery) -> &'static str {
    match d {
        Delivery::Appended { .. } => "appended",
        Delivery::Acknowledged { .. } => "acknowledged",
        Delivery::FetchServed { .. } => "fetch_served",
        Delivery::Fetched { .. } => "fetched",
        Delivery::OffsetsListed { .. } => "offsets_listed",
        Delivery::PositionsReset { .. } => "positions_reset",
        Delivery::Group => "group",
        Delivery::RebalanceTriggered { .. } => "rebalance_triggered",
        Delivery::GroupStable { .. } => "group_stable",
        Delivery::Assigned { .. } => "assigned",
        Delivery::GroupRefused { .. } => "group_refused",
        Delivery::Lost => "lost",
        Delivery::HighWatermark { .. } => "high_watermark",
        Delivery::Txn { .. } => "txn",
        Delivery::MarkersWritten { .. } => "markers_written",
        Delivery::ProduceAwaitsVerification { .. } => "produce_awaits_verification",
    }
}

/// A mark's kind name.
pub fn mark_kind(kind: &MarkKind) -> &'static str {
    match kind {
        MarkKind::FaultStarted { .. } => "fault_started",
        MarkKind::FaultEnded { .. } => "fault_ended",
        MarkKind::Input { .. } => "input",
        MarkKind::BrokerFenced { .. } => "broker_fenced",
        MarkKind::IsrShrink { .. } => "isr_shrink",
        MarkKind::IsrExpand { .. } => "isr_expand",
        MarkKind::RebalanceStarted { .. } => "rebalance_started",
        MarkKind::GroupStable { .. } => "group_stable",
        MarkKind::TxnEnded { .. } => "txn_ended",
        MarkKind::Refused { .. } => "refused",
        MarkKind::GroupRefused { .. } => "group_refused",
        MarkKind::Lost { .. } => "lost",
        MarkKind::Duplicated { .. } => "duplicated",
    }
}

impl Filter {
    /// `error=NAME`, `producer=N`, `broker=N`, `consumer=N`, `partition=TOPIC-P`, `record=N`,
    /// `new_batch=true|false`.
    pub fn parse(w: &str) -> Result<Filter, String> {
        let Some((name, value)) = w.split_once('=') else {
            return Err(format!("'{w}': a filter is name=value"));
        };
        let id = || {
            value
                .parse::<u32>()
                .map_err(|_| format!("'{w}': {name} takes a number"))
        };
        Ok(match name {
            "error" => Filter::Error(value.to_string()),
            "producer" => Filter::Producer(id()?),
            "broker" => Filter::Broker(id()?),
            "consumer" => Filter::Consumer(id()?),
            "record" => Filter::Record(u64::from(id()?)),
            "partition" => {
                let (t, p) = super::highlight::topic_partition(value)?;
                Filter::Partition(t, p)
            }
            "new_batch" => match value {
                "true" => Filter::NewBatch(true),
                "false" => Filter::NewBatch(false),
                _ => return Err(format!("'{w}': new_batch is true or false")),
            },
            _ => {
                return Err(format!(
                    "'{name}': a filter is error, producer, broker, consumer, partition, \
                     record or new_batch"
                ))
            }
        })
    }

    /// Whether the event passes the filter.
    pub fn passes(&self, sim: &Sim, event: &Event) -> bool {
        let s = subjects(sim, event);
        match self {
            Filter::Error(name) if name == "none" => error_name(event).is_none(),
            Filter::Error(name) => error_name(event) == Some(name.as_str()),
            Filter::Producer(p) => s.producer == Some(*p),
            Filter::Broker(b) => s.brokers.contains(&Some(*b)),
            Filter::Consumer(c) => s.consumer == Some(*c),
            Filter::Record(r) => s.record == Some(*r),
            Filter::Partition(topic, p) => s.partition.is_some_and(|tp| {
                tp.partition == *p
                    && sim
                        .topics()
                        .get(tp.topic as usize)
                        .is_some_and(|t| t.name == *topic)
            }),
            Filter::NewBatch(want) => {
                matches!(event, Event::RecordAppended { new_batch, .. } if new_batch == want)
            }
        }
    }
}

/// Whether `entry` is one an `event` / `mark` condition counts.
pub fn counts(sim: &Sim, mark: bool, kind: &str, filters: &[Filter], entry: &TraceEntry) -> bool {
    let named = if mark {
        mark_of(entry).is_some_and(|m| mark_kind(&m) == kind)
    } else {
        event_kind(&entry.event) == kind
    };
    named && filters.iter().all(|f| f.passes(sim, &entry.event))
}
