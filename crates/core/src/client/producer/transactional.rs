//! Transactions: the transaction coordinator (`TransactionCoordinator`,
//! `TransactionStateManager`), the partition leaders' view of open transactions
//! (`ProducerStateManager`: the last stable offset and the aborted-transaction index), and the
//! producer's `TransactionManager` as its application drives it.
//!
//! The flow: initTransactions sends InitProducerId to the coordinator (the leader of partition
//! `abs(hashCode(transactional.id)) % transaction.state.log.num.partitions` of
//! `__transaction_state`), which gives the producer id and bumps the epoch, fencing any older
//! instance with the same transactional.id and aborting a transaction it left open. Under
//! transaction.version 1 the producer sends AddPartitionsToTxn before its first write to each
//! partition; under 2 (KIP-890) the produce request itself adds the partition and the epoch is
//! bumped at every transaction end. commitTransaction / abortTransaction send EndTxn: the
//! coordinator moves to PREPARE_COMMIT / PREPARE_ABORT, answers, and has every partition leader
//! of the transaction append a COMMIT / ABORT control marker (WriteTxnMarkers); once every
//! marker is replicated (the high watermark passed it) the transaction is COMPLETE_*. A
//! transaction open longer than transaction.timeout.ms is aborted by the coordinator's check
//! (every 10 s, `transaction.abort.timed.out.transaction.cleanup.interval.ms`) with an epoch
//! bump, so its producer is fenced.
//!
//! sendOffsetsToTransaction (`txn_offsets`: AddOffsetsToTxn under version 1, TxnOffsetCommit
//! with the consumer's group metadata) puts a group's offsets in the transaction; they wait at the group coordinator until the transaction ends. What the
//! application learns (initTransactions, commit / abort returning, fencing) goes back to it as
//! a `client::callback::ClientCallback`.
//!
//! Coordinator failover: when the controller fences the coordinator's broker, the next live
//! replica of its `__transaction_state` partition leads and coordinates (it sends the markers
//! of preparing transactions again); producers find it after a request times out or is
//! answered NOT_COORDINATOR.
//!
//! Simplified: FindCoordinator is answered at once (no message); the state lives in memory
//! (no `__transaction_state` log to replicate or reload); the epoch never overflows into a new
//! producer id.

use crate::client::callback::ClientCallback;
use crate::event::{Delivery, Event};
use crate::net::{Body, KafkaError, Node, TopicPartitionId};
use crate::producer::context::{ProducerCall, ProducerCtx, ProducerTimer};
use crate::producer::transaction::ClientTxnTimer;
use crate::producer::transaction::{ClientTxnState, TransactionManager};
use crate::producer::{Producer, ProducerState};
use crate::sim::Sim;
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

impl Sim {
    /// A new transaction manager for a producer with a transactional.id.
    pub(crate) fn new_transaction_manager(&self, tid: &str) -> TransactionManager {
        let (_, coord) = self.transaction_coordinator(tid);
        TransactionManager::new(
            String::from(tid),
            coord,
            self.config.broker.transaction_version.value,
        )
    }

    /// initTransactions(): InitProducerId to the coordinator.
    pub(crate) fn txn_send_init(&mut self, idx: u32) {
        self.with_producer(idx, |p, ctx| p.txn_send_init(ctx));
    }

    /// beginTransaction().
    pub(crate) fn txn_begin(&mut self, idx: u32) {
        self.with_producer(idx, |p, _| p.txn_begin());
    }

    /// commitTransaction() / abortTransaction().
    pub(crate) fn txn_end(&mut self, idx: u32, commit: bool) {
        self.with_producer(idx, |p, ctx| p.txn_end(ctx, commit));
    }

    /// A coordinator's answer at the producer.
    pub(crate) fn on_txn_response(&mut self, idx: u32, body: Body) -> Delivery {
        self.with_producer(idx, |p, ctx| p.on_txn_response(ctx, body))
            .unwrap_or(Delivery::Txn {
                state: None,
                error: None,
            })
    }

    /// A transactional producer's timer: a retry after CONCURRENT_TRANSACTIONS, or a
    /// transactional request unanswered for request.timeout.ms, or sendOffsetsToTransaction()'s.
    pub(crate) fn on_client_txn_timer(&mut self, t: ClientTxnTimer) -> Option<Event> {
        match t {
            t @ (ClientTxnTimer::OffsetsRetry { producer }
            | ClientTxnTimer::OffsetsTimeout { producer, .. }) => {
                self.with_producer(producer, |p, ctx| p.on_offsets_timer(ctx, t))?
            }
            ClientTxnTimer::ProducerIdRetry { producer, seq } => {
                self.with_producer(producer, |p, ctx| p.on_producer_id_timer(ctx, seq))?
            }
            t @ (ClientTxnTimer::ClientRetry { producer }
            | ClientTxnTimer::RequestTimeout { producer, .. }) => {
                self.with_producer(producer, |p, ctx| p.on_txn_timer(ctx, t))?
            }
        }
    }
}

// ----- the producer (`TransactionManager`) -----

impl Producer {
    /// The transaction manager, which a transactional producer has (callers check
    /// `transactional.id` first; the page refuses transaction calls without one).
    fn txn_manager(&mut self) -> &mut TransactionManager {
        let index = self.index;
        self.txn
            .as_mut()
            .unwrap_or_else(|| panic!("producer {index} has no transactional.id"))
    }

    /// A transactional producer looks its coordinator up again (FindCoordinator, after a
    /// request to the old one timed out or was answered NOT_COORDINATOR). Simplified: the
    /// answer is immediate (`ProducerCtx::coordinators`).
    pub(crate) fn txn_refresh_coordinator(&mut self, ctx: &mut ProducerCtx) {
        if let Some(t) = self.txn.as_mut() {
            t.coordinator = ctx.coordinators.transaction(&t.transactional_id);
        }
    }

    /// initTransactions(): InitProducerId to the coordinator.
    pub(crate) fn txn_send_init(&mut self, ctx: &mut ProducerCtx) {
        let (idx, timeout_ms) = (self.index, self.config.transaction_timeout_ms.value);
        let (producer_id, producer_epoch) = (self.producer_id, self.epoch);
        let t = self.txn_manager();
        t.request_in_flight = true;
        let (coord, tid) = (t.coordinator, t.transactional_id.clone());
        ctx.out.send(
            Node::Producer(idx),
            Node::Broker(coord),
            Body::InitProducerId {
                producer: idx,
                transactional_id: Some(tid),
                transaction_timeout_ms: timeout_ms,
                producer_id,
                producer_epoch,
            },
        );
        self.txn_request_sent(ctx);
    }

    /// A transactional request went out: it is sent again if no answer comes within
    /// request.timeout.ms (the coordinator may have been down).
    pub(crate) fn txn_request_sent(&mut self, ctx: &mut ProducerCtx) {
        let idx = self.index;
        let timeout = self.config.request_timeout_ms.value.max(1) * 1000;
        let t = self.txn_manager();
        t.request_seq += 1;
        let seq = t.request_seq;
        let timer = ClientTxnTimer::RequestTimeout { producer: idx, seq };
        ctx.out
            .timer(ctx.now.plus(timeout), ProducerTimer::Txn(timer));
    }

    /// beginTransaction().
    pub(crate) fn txn_begin(&mut self) {
        if let Some(t) = self.txn.as_mut() {
            t.state = ClientTxnState::InTransaction;
            t.added.clear();
            t.pending.clear();
            t.offsets_added = false;
        }
    }

    /// commitTransaction() / abortTransaction(): a commit flushes every batch; an abort fails
    /// the batches not sent yet. EndTxn follows once nothing is in flight.
    pub(crate) fn txn_end(&mut self, ctx: &mut ProducerCtx, commit: bool) {
        self.txn_manager().state = if commit {
            ClientTxnState::Committing
        } else {
            ClientTxnState::Aborting
        };
        if !commit {
            for b in self.abort_undrained_batches() {
                self.complete_batch(ctx, b, Some(KafkaError::TransactionAborted), -1);
            }
        }
        self.sender_run(ctx);
    }

    /// `abortUndrainedBatches`: batches never sent are taken out (they fail); retried ones
    /// (which have sequence numbers) are still sent, to keep the sequence without gaps. The
    /// partitions no request carries are no longer waiting to be added.
    fn abort_undrained_batches(&mut self) -> Vec<crate::producer::accumulator::ProducerBatch> {
        let mut undrained = Vec::new();
        for d in self.accumulator.deques.iter_mut().flatten() {
            let (keep, fail): (Vec<_>, Vec<_>) =
                d.drain(..).partition(|b| b.base_sequence.is_some());
            d.extend(keep);
            undrained.extend(fail);
        }
        let sent: BTreeSet<u32> = self
            .in_flight
            .values()
            .flat_map(|r| r.batches.iter().map(|b| b.partition))
            .collect();
        if let Some(t) = self.txn.as_mut() {
            t.pending.retain(|part| sent.contains(part));
        }
        undrained
    }

    /// V1: AddPartitionsToTxn for the partitions written to and not yet added (one request
    /// at a time).
    pub(crate) fn txn_maybe_add_partitions(&mut self, ctx: &mut ProducerCtx) {
        let (idx, pid, epoch, topic) = (self.index, self.producer_id, self.epoch, self.topic);
        // Not a transactional producer: nothing to add (the sender asks every producer).
        let Some(t) = self.txn.as_mut() else {
            return;
        };
        let open = matches!(
            t.state,
            ClientTxnState::InTransaction | ClientTxnState::Committing | ClientTxnState::Aborting
        );
        if t.version >= 2 || !open || t.pending.is_empty() || t.request_in_flight {
            return;
        }
        t.request_in_flight = true;
        let partitions = t
            .pending
            .iter()
            .map(|&partition| TopicPartitionId { topic, partition })
            .collect();
        let (coord, tid) = (t.coordinator, t.transactional_id.clone());
        ctx.out.send(
            Node::Producer(idx),
            Node::Broker(coord),
            Body::AddPartitionsToTxn {
                producer: idx,
                transactional_id: tid,
                producer_id: pid,
                epoch,
                partitions,
            },
        );
        self.txn_request_sent(ctx);
    }

    /// EndTxn once the ending transaction has nothing queued or in flight; a transaction
    /// that wrote nothing ends in the client alone.
    pub(crate) fn txn_maybe_send_end(&mut self, ctx: &mut ProducerCtx) {
        let (idx, pid, epoch) = (self.index, self.producer_id, self.epoch);
        let idle = self.accumulator.is_empty() && self.in_flight.is_empty();
        // Not a transactional producer: no transaction to end (the sender asks every producer).
        let Some(t) = self.txn.as_mut() else {
            return;
        };
        if !t.ending() || t.request_in_flight || t.retry_scheduled || !idle {
            return;
        }
        if t.abortable_error && t.state == ClientTxnState::Committing {
            // commitTransaction() throws; the application aborts.
            t.state = ClientTxnState::Aborting;
        }
        let commit = t.state == ClientTxnState::Committing;
        if t.added.is_empty() && t.pending.is_empty() && !t.offsets_added {
            self.txn_completed(ctx, commit, None);
            return;
        }
        t.request_in_flight = true;
        let (coord, tid) = (t.coordinator, t.transactional_id.clone());
        ctx.out.send(
            Node::Producer(idx),
            Node::Broker(coord),
            Body::EndTxn {
                producer: idx,
                transactional_id: tid,
                producer_id: pid,
                epoch,
                commit,
            },
        );
        self.txn_request_sent(ctx);
    }

    /// The transaction ended (EndTxn answered, or nothing to end): Ready, with the new epoch
    /// (V2) and its sequences from 0.
    fn txn_completed(&mut self, ctx: &mut ProducerCtx, commit: bool, epoch: Option<i16>) {
        if let Some(e) = epoch.filter(|e| *e != self.epoch) {
            self.epoch = e;
            self.next_sequence.iter_mut().for_each(|s| *s = 0);
        }
        let t = self.txn_manager();
        t.state = ClientTxnState::Ready;
        t.added.clear();
        t.pending.clear();
        t.offsets_added = false;
        t.abortable_error = false;
        if commit {
            t.committed += 1;
        } else {
            t.aborted += 1;
        }
        let producer = self.index;
        ctx.out.call(ProducerCall::Application(
            ClientCallback::TransactionCompleted { producer, commit },
        ));
    }

    /// The producer is fenced: fatal, every queued batch fails, the application stops.
    pub(crate) fn txn_fatal(&mut self, ctx: &mut ProducerCtx, error: KafkaError) {
        // Not a transactional producer: a fencing error fails only its batches.
        let Some(t) = self.txn.as_mut() else {
            return;
        };
        if t.state == ClientTxnState::Fatal {
            return;
        }
        t.state = ClientTxnState::Fatal;
        t.fatal_error = Some(error);
        let mut queued = Vec::new();
        for d in self.accumulator.deques.iter_mut().flatten() {
            queued.extend(d.drain(..));
        }
        for b in queued {
            self.complete_batch(ctx, b, Some(error), -1);
        }
        let producer = self.index;
        ctx.out
            .call(ProducerCall::Application(ClientCallback::Fenced {
                producer,
                error,
            }));
    }

    /// Schedules a retry of the transactional request after retry.backoff.ms.
    fn txn_retry(&mut self, ctx: &mut ProducerCtx) {
        let backoff = self.config.retry_backoff_ms.value.max(1) * 1000;
        if let Some(t) = self.txn.as_mut() {
            t.retry_scheduled = true;
        }
        let timer = ClientTxnTimer::ClientRetry {
            producer: self.index,
        };
        ctx.out
            .timer(ctx.now.plus(backoff), ProducerTimer::Txn(timer));
    }

    /// A coordinator's answer at the producer.
    pub(crate) fn on_txn_response(&mut self, ctx: &mut ProducerCtx, body: Body) -> Delivery {
        if self.txn.is_none() {
            // An idempotent producer's InitProducerId answer (`idempotence`).
            return self.on_producer_id_response(ctx, body);
        }
        self.txn_manager().request_in_flight = false;
        let error = match body {
            Body::InitProducerIdResponse {
                producer_id,
                epoch,
                error,
            } => {
                match error {
                    None if self.txn_manager().state == ClientTxnState::Initializing => {
                        self.txn_manager().state = ClientTxnState::Ready;
                        self.producer_id = producer_id;
                        self.epoch = epoch;
                        self.next_sequence.iter_mut().for_each(|s| *s = 0);
                        let producer = self.index;
                        ctx.out
                            .call(ProducerCall::Application(ClientCallback::Initialized {
                                producer,
                            }));
                    }
                    Some(e) if e.is_retriable() => self.txn_retry(ctx),
                    Some(e) => self.txn_fatal(ctx, e),
                    None => {}
                }
                error
            }
            Body::AddPartitionsToTxnResponse { partitions, error } => {
                match error {
                    None => {
                        let t = self.txn_manager();
                        for tp in &partitions {
                            t.pending.remove(&tp.partition);
                            t.added.insert(tp.partition);
                        }
                        self.sender_run(ctx);
                    }
                    Some(e) if e.is_retriable() => self.txn_retry(ctx),
                    Some(e) => self.txn_fatal(ctx, e),
                }
                error
            }
            Body::EndTxnResponse {
                commit,
                epoch,
                error,
            } => {
                match error {
                    None if self.txn_manager().ending() => {
                        self.txn_completed(ctx, commit, Some(epoch))
                    }
                    Some(e) if e.is_retriable() => self.txn_retry(ctx),
                    Some(e) => self.txn_fatal(ctx, e),
                    None => {}
                }
                error
            }
            _ => None,
        };
        Delivery::Txn { state: None, error }
    }

    /// The transaction manager's own timers: a retry after CONCURRENT_TRANSACTIONS, or a
    /// transactional request unanswered for request.timeout.ms (sent again, to the
    /// coordinator FindCoordinator names now).
    fn on_txn_timer(&mut self, ctx: &mut ProducerCtx, timer: ClientTxnTimer) -> Option<Event> {
        let producer = self.index;
        match timer {
            ClientTxnTimer::ClientRetry { .. } => {
                self.txn.as_mut()?.retry_scheduled = false;
                self.txn_refresh_coordinator(ctx);
                if self.txn_manager().state == ClientTxnState::Initializing {
                    self.txn_send_init(ctx);
                } else {
                    self.sender_run(ctx);
                }
            }
            ClientTxnTimer::RequestTimeout { seq, .. } => {
                if self.crashed || self.state == ProducerState::Closed {
                    return None;
                }
                let t = self.txn.as_mut()?;
                if !t.request_in_flight || t.request_seq != seq {
                    return None;
                }
                t.request_in_flight = false;
                let state = t.state;
                self.txn_refresh_coordinator(ctx);
                match state {
                    ClientTxnState::Initializing => self.txn_send_init(ctx),
                    _ => {
                        if !self.resend_add_offsets_to_txn(ctx) {
                            self.sender_run(ctx);
                        }
                    }
                }
            }
            _ => unreachable!("on_txn_timer gets the transaction manager's retries and timeouts"),
        }
        Some(Event::TransactionRetried { producer })
    }
}
