//! What the timeline is painted with: the run's notable events, in Kafka's terms, collected as
//! the run goes (the trace ring forgets, the marks do not). Each mark names the event index and
//! time it happened at, so the page can jump there.
//!
//! Every refused request is its own mark (the page draws a run of them as one stretch), so a
//! fork cuts the marks exactly where it cuts the run. Simplified: the invariant monitor is read
//! every [`MONITOR_EVERY`] events, so a loss or a duplicate is marked at most that many events
//! after the event that made it.

use crate::event::{Delivery, Event, TraceEntry};
use crate::net::{KafkaError, TopicPartitionId};
use crate::time::SimTime;

/// How many events apart the monitor's counts are read for loss and duplicate marks.
pub const MONITOR_EVERY: u64 = 64;

/// What a mark stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
pub enum MarkKind {
    /// A scheduled fault started (`applied`: it changed something) or ended.
    FaultStarted {
        fault: u32,
        applied: bool,
    },
    FaultEnded {
        fault: u32,
    },
    /// An input put into the run by hand (a change, a fault scheduled, the end of faults, a
    /// drain): the index in the input log.
    Input {
        input: u32,
    },
    /// The KRaft controller fenced a broker and elected new leaders.
    BrokerFenced {
        broker: u32,
        elections: u32,
    },
    /// A partition's ISR shrank or grew by `broker`.
    IsrShrink {
        tp: TopicPartitionId,
        broker: u32,
    },
    IsrExpand {
        tp: TopicPartitionId,
        broker: u32,
    },
    /// A group started a rebalance towards `generation`, or finished it.
    RebalanceStarted {
        group: u32,
        generation: u32,
    },
    GroupStable {
        group: u32,
        generation: u32,
        members: u32,
    },
    /// A transaction's markers were written (commit or abort).
    TxnEnded {
        commit: bool,
    },
    /// A request refused with Kafka's `error` (its response).
    Refused {
        error: KafkaError,
    },
    /// A group request refused (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, ...).
    GroupRefused {
        error: crate::net::GroupError,
    },
    /// The invariant monitor found acknowledged records lost, or duplicates, since the last
    /// look (`count` more).
    Lost {
        count: u64,
    },
    Duplicated {
        count: u64,
    },
}

/// The group a mark belongs to, for "previous / next of this kind".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum MarkGroup {
    Fault,
    Input,
    Election,
    Isr,
    Rebalance,
    Transaction,
    Refused,
    Monitor,
}

impl MarkKind {
    pub fn group(self) -> MarkGroup {
        match self {
            MarkKind::FaultStarted { .. } | MarkKind::FaultEnded { .. } => MarkGroup::Fault,
            MarkKind::Input { .. } => MarkGroup::Input,
            MarkKind::BrokerFenced { .. } => MarkGroup::Election,
            MarkKind::IsrShrink { .. } | MarkKind::IsrExpand { .. } => MarkGroup::Isr,
            MarkKind::RebalanceStarted { .. } | MarkKind::GroupStable { .. } => {
                MarkGroup::Rebalance
            }
            MarkKind::TxnEnded { .. } => MarkGroup::Transaction,
            MarkKind::Refused { .. } | MarkKind::GroupRefused { .. } => MarkGroup::Refused,
            MarkKind::Lost { .. } | MarkKind::Duplicated { .. } => MarkGroup::Monitor,
        }
    }
}

/// One mark: what, and the event index and time it happened at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Mark {
    pub event: u64,
    pub time: SimTime,
    pub kind: MarkKind,
}

/// The mark an event makes, if any.
pub fn mark_of(entry: &TraceEntry) -> Option<MarkKind> {
    Some(match &entry.event {
        Event::FaultStarted { fault, applied } => MarkKind::FaultStarted {
            fault: *fault,
            applied: *applied,
        },
        Event::FaultEnded { fault } => MarkKind::FaultEnded { fault: *fault },
        Event::BrokerFenced { broker, elections } => MarkKind::BrokerFenced {
            broker: *broker,
            elections: *elections,
        },
        Event::IsrShrink {
            topic,
            partition,
            broker,
            ..
        } => MarkKind::IsrShrink {
            tp: TopicPartitionId {
                topic: *topic,
                partition: *partition,
            },
            broker: *broker,
        },
        Event::IsrExpand {
            topic,
            partition,
            broker,
            ..
        } => MarkKind::IsrExpand {
            tp: TopicPartitionId {
                topic: *topic,
                partition: *partition,
            },
            broker: *broker,
        },
        Event::Delivered { detail, .. } => return mark_of_delivery(detail),
        _ => return None,
    })
}

fn mark_of_delivery(detail: &Delivery) -> Option<MarkKind> {
    Some(match detail {
        Delivery::RebalanceTriggered {
            group, generation, ..
        } => MarkKind::RebalanceStarted {
            group: *group,
            generation: *generation,
        },
        Delivery::GroupStable {
            group,
            generation,
            members,
        } => MarkKind::GroupStable {
            group: *group,
            generation: *generation,
            members: *members,
        },
        Delivery::MarkersWritten { commit, .. } => MarkKind::TxnEnded { commit: *commit },
        Delivery::Acknowledged {
            error: Some(error), ..
        }
        | Delivery::Txn {
            error: Some(error), ..
        } => MarkKind::Refused { error: *error },
        Delivery::GroupRefused { error } => MarkKind::GroupRefused { error: *error },
        _ => return None,
    })
}

/// The run's marks, in order.
#[derive(Clone, Debug, Default)]
pub struct Marks {
    marks: alloc::vec::Vec<Mark>,
}

impl Marks {
    pub fn all(&self) -> &[Mark] {
        &self.marks
    }

    /// Adds what happened at `event` / `time`.
    pub fn add(&mut self, event: u64, time: SimTime, kind: MarkKind) {
        if let Some(last) = self.marks.last() {
            assert!(
                (last.event, last.time) <= (event, time),
                "marks come in the run's order"
            );
        }
        self.marks.push(Mark { event, time, kind });
    }

    /// Drops the marks of events at or after `event` (a fork discards that future; an input
    /// logged at `event` stays: it is marked with the event it came before).
    pub fn cut_at(&mut self, event: u64) {
        let keep = self.marks.partition_point(|m| m.event < event);
        self.marks.truncate(keep);
    }

    /// The last mark of `group` before event `event`, and the first after it.
    pub fn previous(&self, group: Option<MarkGroup>, event: u64) -> Option<&Mark> {
        self.marks
            .iter()
            .rev()
            .find(|m| m.event < event && group.is_none_or(|g| m.kind.group() == g))
    }

    pub fn next(&self, group: Option<MarkGroup>, event: u64) -> Option<&Mark> {
        self.marks
            .iter()
            .find(|m| m.event > event && group.is_none_or(|g| m.kind.group() == g))
    }

    pub fn heap_bytes(&self) -> usize {
        self.marks.len() * core::mem::size_of::<Mark>()
    }
}
