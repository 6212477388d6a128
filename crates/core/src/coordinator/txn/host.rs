//! The engine's side of the transaction coordinators: it hands them a context (the time, the
//! cluster metadata, transaction.version, the producer id counter) with each request, timer or
//! broker change, and applies the effects they return, in order.

use crate::actor::Effect;
use crate::cluster::Metadata;
use crate::coordinator::txn::context::{CoordinatorCall, TxnCtx};
use crate::coordinator::txn::state::{TxnCoordinators, TxnMetadata, TxnTimer};
use crate::event::{Delivery, Event};
use crate::net::{Body, Node, TopicPartitionId};
use crate::sim::{Pending, Sim};
use alloc::vec::Vec;

impl Sim {
    /// Runs one coordinator handler with its context, then applies its effects.
    fn with_txn_coordinators<R>(
        &mut self,
        handler: impl FnOnce(&mut TxnCoordinators, &mut TxnCtx) -> R,
    ) -> R {
        let mut ctx = TxnCtx {
            now: self.now,
            metadata: Metadata::new(&self.topics, &self.brokers),
            transaction_version: self.config.broker.transaction_version.value,
            next_producer_id: &mut self.next_producer_id,
            out: Default::default(),
        };
        let result = handler(&mut self.txn, &mut ctx);
        let effects = core::mem::take(&mut ctx.out).into_effects();
        for effect in effects {
            match effect {
                Effect::Send { from, to, body } => {
                    self.send(from, to, body);
                }
                Effect::Timer { at, timer } => self.schedule(at, Pending::Txn(timer)),
                Effect::Call(call) => self.apply_coordinator_call(call),
            }
        }
        result
    }

    fn apply_coordinator_call(&mut self, call: CoordinatorCall) {
        match call {
            CoordinatorCall::CompleteTxnOffsets {
                producer_id,
                groups,
                commit,
            } => self.with_group_coordinators(|g, ctx| {
                g.complete_txn_offsets(ctx, producer_id, &groups, commit)
            }),
            CoordinatorCall::DropMarkerWaits { transactional_id } => self
                .broker_state
                .marker_waits
                .retain(|w| w.transactional_id != transactional_id),
            CoordinatorCall::ReadTxnIndexes => {
                let tps: Vec<TopicPartitionId> = self
                    .topics
                    .iter()
                    .flat_map(|t| {
                        t.partitions.iter().map(|p| TopicPartitionId {
                            topic: p.topic,
                            partition: p.index,
                        })
                    })
                    .collect();
                for tp in tps {
                    self.txn_index_read(tp);
                }
            }
        }
    }

    /// A transactional request at broker `b`: WriteTxnMarkers is for it as a partition
    /// leader, the rest for it as a transaction coordinator.
    pub(crate) fn on_txn_request(&mut self, b: u32, from: Node, body: Body) -> Delivery {
        match body {
            Body::WriteTxnMarkers {
                transactional_id,
                producer_id,
                epoch,
                commit,
                partitions,
            } => self.write_markers(
                b,
                from,
                transactional_id,
                producer_id,
                epoch,
                commit,
                partitions,
            ),
            body => self.with_txn_coordinators(|t, ctx| t.on_request(ctx, b, from, body)),
        }
    }

    pub(crate) fn on_txn_timer(&mut self, timer: TxnTimer) -> Option<Event> {
        self.with_txn_coordinators(|t, ctx| t.on_timer(ctx, timer))
    }

    /// The controller fenced `broker`: its `__transaction_state` partitions move.
    pub(crate) fn move_txn_leaders(&mut self, broker: u32) {
        self.with_txn_coordinators(|t, ctx| t.move_leaders(ctx, broker));
    }

    /// `broker` came back: it takes the `__transaction_state` partitions whose leader is down.
    pub(crate) fn txn_after_restart(&mut self, broker: u32) {
        self.with_txn_coordinators(|t, ctx| t.after_restart(ctx, broker));
    }

    /// A group coordinator's check of a TxnOffsetCommit's producer, and under
    /// transaction.version 2 the add of `add_group`'s partition to its transaction
    /// (`TxnCoordinators::verify_txn_offset_commit`).
    pub(crate) fn verify_txn_offset_commit(
        &mut self,
        tid: &str,
        pid: i64,
        epoch: i16,
        add_group: Option<u32>,
    ) -> Result<(), crate::net::KafkaError> {
        self.with_txn_coordinators(|t, ctx| {
            t.verify_txn_offset_commit(ctx, tid, pid, epoch, add_group)
        })
    }

    /// The `__transaction_state` partition and coordinator broker of a transactional.id.
    pub fn transaction_coordinator(&self, transactional_id: &str) -> (u32, u32) {
        self.txn.coordinator_of(transactional_id)
    }

    /// The coordinators' state of every transactional.id.
    pub fn transactions(&self) -> impl Iterator<Item = &TxnMetadata> {
        self.txn.transactions.values()
    }
}
