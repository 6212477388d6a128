//! `KafkaProducer.sendOffsetsToTransaction(offsets, groupMetadata)`: under
//! transaction.version 1, AddOffsetsToTxn first puts the group's `__consumer_offsets` partition
//! in the open transaction (the transaction coordinator then writes its markers); then
//! TxnOffsetCommit carries the offsets and the consumer's group metadata to the group
//! coordinator, which keeps them pending until the transaction ends (under version 2, KIP-890,
//! TxnOffsetCommit alone). The transaction manager retries retriable errors after
//! retry.backoff.ms (CONCURRENT_TRANSACTIONS after 20 ms), sends a request again when it times
//! out, and tells the application how it ended (`ClientCallback::OffsetsAdded`,
//! `OffsetsCommitted`, `OffsetsRefused`, `Fenced`).
//!
//! Simplified: the group coordinator is found without a FindCoordinator round trip (as the
//! transaction coordinator is); a fencing error ends the call without making the producer
//! fatal first (the application replaces it at once).

use crate::client::callback::ClientCallback;
use crate::event::{Delivery, Event};
use crate::net::{Body, GroupError, KafkaError, Node};
use crate::producer::context::{ProducerCall, ProducerCtx, ProducerTimer};
use crate::producer::transaction::{ClientTxnTimer, OffsetsStep, TransactionManager, TxnOffsets};
use crate::producer::{Producer, ProducerState};
use crate::sim::Sim;

/// The client's retry of CONCURRENT_TRANSACTIONS (as its TransactionManager does for
/// AddPartitionsToTxn), instead of retry.backoff.ms.
const CONCURRENT_TRANSACTIONS_BACKOFF_US: u64 = 20_000;

impl Sim {
    /// `sendOffsetsToTransaction()`: returns the step it starts with.
    pub(crate) fn send_offsets_to_transaction(
        &mut self,
        idx: u32,
        offsets: TxnOffsets,
    ) -> OffsetsStep {
        self.with_producer(idx, |p, ctx| p.send_offsets_to_transaction(ctx, offsets))
            .unwrap_or_else(|| panic!("producer instance {idx} does not exist"))
    }

    /// The coordinator's AddOffsetsToTxnResponse.
    pub(crate) fn on_add_offsets_response(
        &mut self,
        idx: u32,
        error: Option<KafkaError>,
    ) -> Delivery {
        self.with_producer(idx, |p, ctx| p.on_add_offsets_response(ctx, error))
            .unwrap_or(Delivery::Txn { state: None, error })
    }

    /// The group coordinator's TxnOffsetCommitResponse.
    pub(crate) fn on_txn_offset_commit_response(
        &mut self,
        idx: u32,
        error: Option<GroupError>,
        producer_error: Option<KafkaError>,
    ) -> Delivery {
        self.with_producer(idx, |p, ctx| {
            p.on_txn_offset_commit_response(ctx, error, producer_error)
        })
        .unwrap_or(Delivery::Group)
    }
}

impl Producer {
    /// The transaction manager of a producer that sends offsets to its transaction (Kafka:
    /// IllegalStateException without a transactional.id; the processors all have one).
    fn offsets_txn(&mut self) -> &mut TransactionManager {
        let index = self.index;
        self.txn.as_mut().unwrap_or_else(|| {
            panic!("producer {index} has no transactional.id to send offsets to")
        })
    }

    /// `sendOffsetsToTransaction()`: returns the step it starts with.
    pub(crate) fn send_offsets_to_transaction(
        &mut self,
        ctx: &mut ProducerCtx,
        offsets: TxnOffsets,
    ) -> OffsetsStep {
        let t = self.offsets_txn();
        let step = if t.version < 2 && !t.offsets_added {
            OffsetsStep::AddingOffsets
        } else {
            OffsetsStep::Committing
        };
        t.sending_offsets = Some((offsets, step));
        match step {
            OffsetsStep::AddingOffsets => self.send_add_offsets_to_txn(ctx),
            OffsetsStep::Committing => self.send_txn_offset_commit(ctx),
        }
        step
    }

    /// The call in progress and its step, if any.
    fn offsets_step(&self) -> Option<OffsetsStep> {
        let t = self.txn.as_ref()?;
        t.sending_offsets.as_ref().map(|(_, step)| *step)
    }

    /// AddOffsetsToTxn to the transaction coordinator (one transactional request in flight
    /// at a time).
    fn send_add_offsets_to_txn(&mut self, ctx: &mut ProducerCtx) {
        let (idx, producer_id, epoch) = (self.index, self.producer_id, self.epoch);
        let t = self.offsets_txn();
        let Some((offsets, _)) = t.sending_offsets.as_ref() else {
            unreachable!("AddOffsetsToTxn is sent for a sendOffsetsToTransaction() in progress");
        };
        let group = offsets.group;
        t.request_in_flight = true;
        let (coordinator, transactional_id) = (t.coordinator, t.transactional_id.clone());
        ctx.out.send(
            Node::Producer(idx),
            Node::Broker(coordinator),
            Body::AddOffsetsToTxn {
                producer: idx,
                transactional_id,
                producer_id,
                epoch,
                group,
            },
        );
        self.txn_request_sent(ctx);
    }

    /// The coordinator's AddOffsetsToTxnResponse: TxnOffsetCommit next, or again after the
    /// backoff, or the end of the call when the producer is fenced.
    pub(crate) fn on_add_offsets_response(
        &mut self,
        ctx: &mut ProducerCtx,
        error: Option<KafkaError>,
    ) -> Delivery {
        let t = self.offsets_txn();
        t.request_in_flight = false;
        if error.is_none() {
            t.offsets_added = true;
        }
        if self.offsets_step() != Some(OffsetsStep::AddingOffsets) {
            // The answer to a request sent again: the first answer moved the call on.
            return Delivery::Txn { state: None, error };
        }
        match error {
            None => {
                self.set_offsets_step(OffsetsStep::Committing);
                let producer = self.index;
                ctx.out
                    .call(ProducerCall::Application(ClientCallback::OffsetsAdded {
                        producer,
                    }));
                self.send_txn_offset_commit(ctx);
            }
            Some(e) if e.is_retriable() => self.retry_offsets(ctx, None),
            Some(e) => self.offsets_fenced(ctx, e),
        }
        Delivery::Txn { state: None, error }
    }

    fn set_offsets_step(&mut self, step: OffsetsStep) {
        let call = self.offsets_txn().sending_offsets.as_mut();
        call.expect("a sendOffsetsToTransaction() is in progress").1 = step;
    }

    /// TxnOffsetCommit to the group coordinator (FindCoordinator's answer, `ctx.coordinators`)
    /// with the consumer's group metadata; after the backoff when the coordinator is not
    /// available.
    fn send_txn_offset_commit(&mut self, ctx: &mut ProducerCtx) {
        let (idx, producer_id, epoch) = (self.index, self.producer_id, self.epoch);
        let timeout = self.config.request_timeout_ms.value.max(1) * 1000;
        let t = self.offsets_txn();
        let Some((offsets, _)) = t.sending_offsets.clone() else {
            unreachable!("TxnOffsetCommit is sent for a sendOffsetsToTransaction() in progress");
        };
        let transactional_id = t.transactional_id.clone();
        let Some(coordinator) = ctx.coordinators.group(offsets.group) else {
            // COORDINATOR_NOT_AVAILABLE: try again after the backoff.
            self.retry_offsets(ctx, None);
            return;
        };
        let t = self.offsets_txn();
        t.offsets_seq += 1;
        let seq = t.offsets_seq;
        let timer = ClientTxnTimer::OffsetsTimeout { producer: idx, seq };
        ctx.out
            .timer(ctx.now.plus(timeout), ProducerTimer::Txn(timer));
        let TxnOffsets {
            group,
            offsets,
            member_id,
            generation,
            instance_id,
        } = offsets;
        ctx.out.send(
            Node::Producer(idx),
            Node::Broker(coordinator),
            Body::TxnOffsetCommit {
                producer: idx,
                transactional_id,
                producer_id,
                epoch,
                group,
                member_id,
                generation,
                instance_id,
                offsets,
            },
        );
    }

    /// The group coordinator's TxnOffsetCommitResponse: the call returns, is retried, or
    /// fails (a refused generation or member: the application aborts; fencing).
    pub(crate) fn on_txn_offset_commit_response(
        &mut self,
        ctx: &mut ProducerCtx,
        error: Option<GroupError>,
        producer_error: Option<KafkaError>,
    ) -> Delivery {
        if self.offsets_step() != Some(OffsetsStep::Committing) {
            return Delivery::Group;
        }
        self.offsets_txn().offsets_seq += 1;
        let producer = self.index;
        match (error, producer_error) {
            (None, None) => {
                let t = self.offsets_txn();
                t.sending_offsets = None;
                t.offsets_added = true;
                ctx.out.call(ProducerCall::Application(
                    ClientCallback::OffsetsCommitted { producer },
                ));
                Delivery::Group
            }
            (_, Some(e)) => {
                if e.is_retriable() {
                    let fast = (e == KafkaError::ConcurrentTransactions)
                        .then_some(CONCURRENT_TRANSACTIONS_BACKOFF_US);
                    self.retry_offsets(ctx, fast);
                } else {
                    self.offsets_fenced(ctx, e);
                }
                Delivery::Txn {
                    state: None,
                    error: Some(e),
                }
            }
            (
                Some(
                    e @ (GroupError::NotCoordinator
                    | GroupError::CoordinatorNotAvailable
                    | GroupError::UnstableOffsetCommit),
                ),
                None,
            ) => {
                self.retry_offsets(ctx, None);
                Delivery::GroupRefused { error: e }
            }
            (Some(e), None) => {
                // CommitFailedException (a stale generation, an unknown member, a fenced
                // instance): the application aborts the transaction.
                self.offsets_txn().sending_offsets = None;
                ctx.out
                    .call(ProducerCall::Application(ClientCallback::OffsetsRefused {
                        producer,
                        error: e,
                    }));
                Delivery::GroupRefused { error: e }
            }
        }
    }

    /// The call ends with a fencing error; the application learns it at once.
    fn offsets_fenced(&mut self, ctx: &mut ProducerCtx, error: KafkaError) {
        self.offsets_txn().sending_offsets = None;
        let producer = self.index;
        ctx.out
            .call(ProducerCall::Application(ClientCallback::Fenced {
                producer,
                error,
            }));
    }

    /// The current step again after `backoff_us` (retry.backoff.ms when `None`).
    fn retry_offsets(&mut self, ctx: &mut ProducerCtx, backoff_us: Option<u64>) {
        let backoff =
            backoff_us.unwrap_or_else(|| self.config.retry_backoff_ms.value.max(1) * 1000);
        let timer = ClientTxnTimer::OffsetsRetry {
            producer: self.index,
        };
        ctx.out
            .timer(ctx.now.plus(backoff), ProducerTimer::Txn(timer));
    }

    /// An AddOffsetsToTxn unanswered for request.timeout.ms is sent again; `false` when the
    /// request out is another one.
    pub(crate) fn resend_add_offsets_to_txn(&mut self, ctx: &mut ProducerCtx) -> bool {
        if self.offsets_step() != Some(OffsetsStep::AddingOffsets) {
            return false;
        }
        self.send_add_offsets_to_txn(ctx);
        true
    }

    /// The call's timers: a retry after a retriable error, or a TxnOffsetCommit unanswered
    /// for request.timeout.ms. A replaced (killed) producer's timers do nothing.
    pub(crate) fn on_offsets_timer(
        &mut self,
        ctx: &mut ProducerCtx,
        timer: ClientTxnTimer,
    ) -> Option<Event> {
        if self.crashed || self.state == ProducerState::Closed {
            return None;
        }
        let t = self.txn.as_ref()?;
        match timer {
            ClientTxnTimer::OffsetsTimeout { seq, .. } => {
                if self.offsets_step() != Some(OffsetsStep::Committing) || t.offsets_seq != seq {
                    return None;
                }
                self.send_txn_offset_commit(ctx);
            }
            ClientTxnTimer::OffsetsRetry { .. } => {
                self.txn_refresh_coordinator(ctx);
                match self.offsets_step()? {
                    OffsetsStep::AddingOffsets => self.send_add_offsets_to_txn(ctx),
                    OffsetsStep::Committing => self.send_txn_offset_commit(ctx),
                }
            }
            _ => unreachable!("on_offsets_timer gets only sendOffsetsToTransaction()'s timers"),
        }
        Some(Event::TransactionRetried {
            producer: self.index,
        })
    }
}
