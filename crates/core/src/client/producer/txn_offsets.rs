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
use crate::producer::transaction::{ClientTxnTimer, OffsetsStep, TxnOffsets};
use crate::producer::ProducerState;
use crate::sim::{Pending, Sim};

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
        let t = self.producer_mut(idx).txn.as_mut().expect(
            "only a transactional producer sends offsets to its transaction (Kafka: IllegalStateException)",
        );
        let step = if t.version < 2 && !t.offsets_added {
            OffsetsStep::AddingOffsets
        } else {
            OffsetsStep::Committing
        };
        t.sending_offsets = Some((offsets, step));
        match step {
            OffsetsStep::AddingOffsets => self.send_add_offsets_to_txn(idx),
            OffsetsStep::Committing => self.send_txn_offset_commit(idx),
        }
        step
    }

    /// The call in progress and its step, if any.
    fn offsets_step(&self, idx: u32) -> Option<OffsetsStep> {
        let t = self.producer(idx).txn.as_ref()?;
        t.sending_offsets.as_ref().map(|(_, step)| *step)
    }

    /// AddOffsetsToTxn to the transaction coordinator (one transactional request in flight
    /// at a time).
    fn send_add_offsets_to_txn(&mut self, idx: u32) {
        let prod = self.producer_mut(idx);
        let (producer_id, epoch) = (prod.producer_id, prod.epoch);
        let t = prod
            .txn
            .as_mut()
            .expect("only a transactional producer sends offsets to its transaction");
        let (offsets, _) = t
            .sending_offsets
            .as_ref()
            .expect("AddOffsetsToTxn is sent for a sendOffsetsToTransaction() in progress");
        let group = offsets.group;
        t.request_in_flight = true;
        let (coordinator, transactional_id) = (t.coordinator, t.transactional_id.clone());
        self.send(
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
        self.txn_request_sent(idx);
    }

    /// The coordinator's AddOffsetsToTxnResponse: TxnOffsetCommit next, or again after the
    /// backoff, or the end of the call when the producer is fenced.
    pub(crate) fn on_add_offsets_response(
        &mut self,
        idx: u32,
        error: Option<KafkaError>,
    ) -> Delivery {
        let t = self
            .producer_mut(idx)
            .txn
            .as_mut()
            .expect("AddOffsetsToTxn answers come only to a transactional producer");
        t.request_in_flight = false;
        if error.is_none() {
            t.offsets_added = true;
        }
        if self.offsets_step(idx) != Some(OffsetsStep::AddingOffsets) {
            // The answer to a request sent again: the first answer moved the call on.
            return Delivery::Txn { state: None, error };
        }
        match error {
            None => {
                self.set_offsets_step(idx, OffsetsStep::Committing);
                self.return_to_application(ClientCallback::OffsetsAdded { producer: idx });
                self.send_txn_offset_commit(idx);
            }
            Some(e) if e.is_retriable() => self.retry_offsets(idx, None),
            Some(e) => self.offsets_fenced(idx, e),
        }
        Delivery::Txn { state: None, error }
    }

    fn set_offsets_step(&mut self, idx: u32, step: OffsetsStep) {
        let t = self.producer_mut(idx).txn.as_mut();
        let call = t.and_then(|t| t.sending_offsets.as_mut());
        call.expect("a sendOffsetsToTransaction() is in progress").1 = step;
    }

    /// TxnOffsetCommit to the group coordinator with the consumer's group metadata; after the
    /// backoff when the coordinator is not available.
    fn send_txn_offset_commit(&mut self, idx: u32) {
        let prod = self.producer(idx);
        let (producer_id, epoch) = (prod.producer_id, prod.epoch);
        let timeout = prod.config.request_timeout_ms.value.max(1) * 1000;
        let t = prod
            .txn
            .as_ref()
            .expect("only a transactional producer commits offsets in its transaction");
        let (offsets, _) = t
            .sending_offsets
            .clone()
            .expect("TxnOffsetCommit is sent for a sendOffsetsToTransaction() in progress");
        let transactional_id = t.transactional_id.clone();
        let Some(coordinator) = self
            .groups()
            .get(offsets.group as usize)
            .and_then(|g| self.offsets_leader(g.offsets_partition))
        else {
            // COORDINATOR_NOT_AVAILABLE: try again after the backoff.
            self.retry_offsets(idx, None);
            return;
        };
        let t = self.producer_mut(idx).txn.as_mut().expect("checked above");
        t.offsets_seq += 1;
        let seq = t.offsets_seq;
        let at = self.now.plus(timeout);
        self.schedule(
            at,
            Pending::ProducerTxn(ClientTxnTimer::OffsetsTimeout { producer: idx, seq }),
        );
        let TxnOffsets {
            group,
            offsets,
            member_id,
            generation,
            instance_id,
        } = offsets;
        self.send(
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
        idx: u32,
        error: Option<GroupError>,
        producer_error: Option<KafkaError>,
    ) -> Delivery {
        if self.offsets_step(idx) != Some(OffsetsStep::Committing) {
            return Delivery::Group;
        }
        self.producer_mut(idx)
            .txn
            .as_mut()
            .expect("checked by offsets_step")
            .offsets_seq += 1;
        match (error, producer_error) {
            (None, None) => {
                let t = self.producer_mut(idx).txn.as_mut().expect("checked above");
                t.sending_offsets = None;
                t.offsets_added = true;
                self.return_to_application(ClientCallback::OffsetsCommitted { producer: idx });
                Delivery::Group
            }
            (_, Some(e)) => {
                if e.is_retriable() {
                    let fast = (e == KafkaError::ConcurrentTransactions)
                        .then_some(CONCURRENT_TRANSACTIONS_BACKOFF_US);
                    self.retry_offsets(idx, fast);
                } else {
                    self.offsets_fenced(idx, e);
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
                self.retry_offsets(idx, None);
                Delivery::GroupRefused { error: e }
            }
            (Some(e), None) => {
                // CommitFailedException (a stale generation, an unknown member, a fenced
                // instance): the application aborts the transaction.
                self.producer_mut(idx)
                    .txn
                    .as_mut()
                    .expect("checked above")
                    .sending_offsets = None;
                self.return_to_application(ClientCallback::OffsetsRefused {
                    producer: idx,
                    error: e,
                });
                Delivery::GroupRefused { error: e }
            }
        }
    }

    /// The call ends with a fencing error; the application learns it at once.
    fn offsets_fenced(&mut self, idx: u32, error: KafkaError) {
        let t = self.producer_mut(idx).txn.as_mut();
        t.expect("a transactional producer").sending_offsets = None;
        self.return_to_application(ClientCallback::Fenced {
            producer: idx,
            error,
        });
    }

    /// The current step again after `backoff_us` (retry.backoff.ms when `None`).
    fn retry_offsets(&mut self, idx: u32, backoff_us: Option<u64>) {
        let backoff = backoff_us
            .unwrap_or_else(|| self.producer(idx).config.retry_backoff_ms.value.max(1) * 1000);
        let at = self.now.plus(backoff);
        self.schedule(
            at,
            Pending::ProducerTxn(ClientTxnTimer::OffsetsRetry { producer: idx }),
        );
    }

    /// An AddOffsetsToTxn unanswered for request.timeout.ms is sent again; `false` when the
    /// request out is another one.
    pub(crate) fn resend_add_offsets_to_txn(&mut self, idx: u32) -> bool {
        if self.offsets_step(idx) != Some(OffsetsStep::AddingOffsets) {
            return false;
        }
        self.send_add_offsets_to_txn(idx);
        true
    }

    /// The call's timers: a retry after a retriable error, or a TxnOffsetCommit unanswered
    /// for request.timeout.ms. A replaced (killed) producer's timers do nothing.
    pub(crate) fn on_offsets_timer(&mut self, timer: ClientTxnTimer) -> Option<Event> {
        let (ClientTxnTimer::OffsetsRetry { producer }
        | ClientTxnTimer::OffsetsTimeout { producer, .. }) = timer
        else {
            unreachable!("on_offsets_timer gets only sendOffsetsToTransaction()'s timers");
        };
        let p = self.producer(producer);
        if p.crashed || p.state == ProducerState::Closed {
            return None;
        }
        let t = p.txn.as_ref()?;
        match timer {
            ClientTxnTimer::OffsetsTimeout { seq, .. } => {
                if self.offsets_step(producer) != Some(OffsetsStep::Committing)
                    || t.offsets_seq != seq
                {
                    return None;
                }
                self.send_txn_offset_commit(producer);
            }
            _ => {
                self.txn_refresh_coordinator(producer);
                match self.offsets_step(producer)? {
                    OffsetsStep::AddingOffsets => self.send_add_offsets_to_txn(producer),
                    OffsetsStep::Committing => self.send_txn_offset_commit(producer),
                }
            }
        }
        Some(Event::TransactionRetried { producer })
    }
}
