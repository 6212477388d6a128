//! What the engine hands the transaction coordinators with each message or timer (the role is
//! an actor, `crate::actor`): the time, the cluster metadata, transaction.version, the producer
//! id allocator, and the outbox their effects go to.

use crate::actor::Outbox;
use crate::cluster::Metadata;
use crate::coordinator::txn::state::TxnTimer;
use crate::time::SimTime;
use alloc::string::String;
use alloc::vec::Vec;

/// What a coordinator does to another role directly, where Kafka sends a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CoordinatorCall {
    /// The transaction of `producer_id` ended: its pending offsets in `groups` are committed
    /// or dropped. Kafka's coordinator writes a marker to each group's `__consumer_offsets`
    /// partition (WriteTxnMarkers to the group coordinator's broker); here the group
    /// coordinator applies it at once.
    CompleteTxnOffsets {
        producer_id: i64,
        groups: Vec<u32>,
        commit: bool,
    },
    /// The coordinator of `transactional_id` moved or resends its markers: the partition
    /// leaders forget the marker answers they still owe the old request (the answers would go
    /// to a coordinator that no longer waits for them).
    DropMarkerWaits { transactional_id: String },
    /// A new transactional.id exists: the partition leaders read their logs into their
    /// transaction indexes (they keep none before the first transactional producer).
    ReadTxnIndexes,
}

pub(crate) type TxnOutbox = Outbox<TxnTimer, CoordinatorCall>;

/// One handler call's context.
pub(crate) struct TxnCtx<'a> {
    pub now: SimTime,
    pub metadata: Metadata<'a>,
    /// transaction.version (2: KIP-890, the epoch is bumped at every transaction end).
    pub transaction_version: u32,
    /// The next producer id to hand out (Kafka's coordinators get blocks of ids from the
    /// controller; here one counter, shared with idempotent producers).
    pub next_producer_id: &'a mut i64,
    pub out: TxnOutbox,
}
