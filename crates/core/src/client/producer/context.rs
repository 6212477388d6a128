//! What the engine hands a producer instance with each message, timer or application call (the
//! producer client is an actor, `crate::actor`): the time, the cluster metadata (partition
//! leaders, brokers that refuse connections), the run's produce request counter, the answer
//! FindCoordinator would give, and the outbox its effects go to.
//!
//! Simplified: FindCoordinator (for the transaction coordinator and a group's coordinator) is
//! answered at once, from the coordinators' placement ([`CoordinatorLookup`]), as no message;
//! produce request ids are numbered across the run, not per connection.

use crate::actor::Outbox;
use crate::client::callback::ClientCallback;
use crate::cluster::Metadata;
use crate::coordinator::group::state::GroupCoordinators;
use crate::coordinator::txn::state::TxnCoordinators;
use crate::inspect::RecordJournal;
use crate::net::TopicPartitionId;
use crate::producer::transaction::ClientTxnTimer;
use crate::time::SimTime;

/// A producer instance's timers (the engine adds the instance's index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProducerTimer {
    /// The sender thread wakes for a linger timer, a backoff or an expiry.
    SenderWake { at: SimTime },
    /// A produce request's `request.timeout.ms`.
    RequestTimeout { request_id: u64 },
    /// A closing producer has completed everything (its own event, so the trace shows it).
    FinishClose,
    /// Buffer memory came back: a blocked `send()` tries again.
    RetryBlockedSend,
    /// A blocked `send()` runs out of `max.block.ms`.
    BlockTimeout { at: SimTime },
    /// The transaction manager's timers (retries, request timeouts).
    Txn(ClientTxnTimer),
}

/// What a producer does outside its own state that is no message to a broker: what it hands
/// back to its application, and what the invariant monitor is told (an observer, not a Kafka
/// node: nothing of it comes back to the producer).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ProducerCall {
    /// A callback, a future completing or a blocking call returning (`client::callback`).
    Application(ClientCallback),
    /// The application's `send()` returned (appended or failed at once): it plans its next
    /// one, counted from the record created at `last_created`.
    NextSend { last_created: SimTime },
    /// The monitor learns ordinals `[first, first + count)` of `tp` were acknowledged.
    Acknowledged {
        tp: TopicPartitionId,
        first: u32,
        count: u32,
    },
}

impl ProducerCall {
    /// Whether the application's answer to this call may call the producer again (or replace
    /// it): such a call is the last effect of a handler, so that the producer's state the
    /// application sees is the one it would have seen when the handler called it directly.
    pub(crate) fn may_call_producer(&self) -> bool {
        matches!(
            self,
            ProducerCall::Application(
                ClientCallback::Initialized { .. }
                    | ClientCallback::OffsetsCommitted { .. }
                    | ClientCallback::OffsetsRefused { .. }
                    | ClientCallback::TransactionCompleted { .. }
                    | ClientCallback::Fenced { .. }
            )
        )
    }
}

pub(crate) type ProducerOutbox = Outbox<ProducerTimer, ProducerCall>;

/// FindCoordinator, answered at once from where the coordinators are (what the producer reads
/// of other roles, and only through this).
#[derive(Clone, Copy)]
pub(crate) struct CoordinatorLookup<'a> {
    txn: &'a TxnCoordinators,
    groups: &'a GroupCoordinators,
}

impl<'a> CoordinatorLookup<'a> {
    pub fn new(txn: &'a TxnCoordinators, groups: &'a GroupCoordinators) -> CoordinatorLookup<'a> {
        CoordinatorLookup { txn, groups }
    }

    /// FindCoordinator(TRANSACTION): the leader of the transactional.id's
    /// `__transaction_state` partition.
    pub fn transaction(&self, transactional_id: &str) -> u32 {
        self.txn.coordinator_of(transactional_id).1
    }

    /// FindCoordinator(GROUP): the leader of the group's `__consumer_offsets` partition;
    /// `None` while it has none (COORDINATOR_NOT_AVAILABLE).
    pub fn group(&self, group: u32) -> Option<u32> {
        let g = self.groups.groups.get(group as usize)?;
        self.groups.offsets_leader(g.offsets_partition)
    }
}

/// One handler call's context.
pub(crate) struct ProducerCtx<'a> {
    pub now: SimTime,
    pub metadata: Metadata<'a>,
    pub coordinators: CoordinatorLookup<'a>,
    /// The next produce request id (one counter for the run's producers).
    pub next_request_id: &'a mut u64,
    /// The inspector's journal of recent records, told of each record sent and how its send
    /// ended. An observer, not a Kafka node (nothing of it comes back to the producer), so it is
    /// written here rather than as an effect: the record path then moves nothing per record.
    pub journal: &'a mut RecordJournal,
    pub out: ProducerOutbox,
}
