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
use crate::event::Delivery;
use crate::net::{Body, KafkaError, Node, TopicPartitionId};
use crate::producer::transaction::ClientTxnTimer;
use crate::producer::transaction::{ClientTxnState, TransactionManager};
use crate::sim::{Pending, Sim};
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

impl Sim {
    /// A transactional producer looks its coordinator up again (FindCoordinator, after a
    /// request to the old one timed out or was answered NOT_COORDINATOR). Simplified: the
    /// answer is immediate.
    pub(crate) fn txn_refresh_coordinator(&mut self, idx: u32) {
        let Some(tid) = self
            .producers
            .get(idx as usize)
            .and_then(|p| p.txn.as_ref())
            .map(|t| t.transactional_id.clone())
        else {
            return;
        };
        let (_, coord) = self.transaction_coordinator(&tid);
        if let Some(t) = self
            .producers
            .get_mut(idx as usize)
            .and_then(|p| p.txn.as_mut())
        {
            t.coordinator = coord;
        }
    }

    // ----- the producer (`TransactionManager`) and its application -----

    /// initTransactions(): InitProducerId to the coordinator.
    pub(crate) fn txn_send_init(&mut self, idx: u32) {
        let p = self.producer_mut(idx);
        let timeout_ms = p.config.transaction_timeout_ms.value;
        let t = p
            .txn
            .as_mut()
            .expect("only a transactional producer calls initTransactions()");
        t.request_in_flight = true;
        let (coord, tid) = (t.coordinator, t.transactional_id.clone());
        self.send(
            Node::Producer(idx),
            Node::Broker(coord),
            Body::InitProducerId {
                producer: idx,
                transactional_id: tid,
                timeout_ms,
            },
        );
        self.txn_request_sent(idx);
    }

    /// A transactional request went out: it is sent again if no answer comes within
    /// request.timeout.ms (the coordinator may have been down).
    pub(crate) fn txn_request_sent(&mut self, idx: u32) {
        let p = self.producer_mut(idx);
        let timeout = p.config.request_timeout_ms.value.max(1) * 1000;
        let t = p
            .txn
            .as_mut()
            .expect("only a transactional producer sends transactional requests");
        t.request_seq += 1;
        let seq = t.request_seq;
        let at = self.now.plus(timeout);
        self.schedule(
            at,
            Pending::ProducerTxn(ClientTxnTimer::RequestTimeout { producer: idx, seq }),
        );
    }

    /// A new transaction manager for a producer with a transactional.id.
    pub(crate) fn new_transaction_manager(&self, tid: &str) -> TransactionManager {
        let (_, coord) = self.transaction_coordinator(tid);
        TransactionManager::new(
            String::from(tid),
            coord,
            self.config.broker.transaction_version.value,
        )
    }

    /// beginTransaction().
    pub(crate) fn txn_begin(&mut self, idx: u32, will_abort: bool) {
        if let Some(t) = self
            .producers
            .get_mut(idx as usize)
            .and_then(|p| p.txn.as_mut())
        {
            t.state = ClientTxnState::InTransaction;
            t.records = 0;
            t.will_abort = will_abort;
            t.added.clear();
            t.pending.clear();
            t.offsets_added = false;
        }
    }

    /// commitTransaction() / abortTransaction(): a commit flushes every batch; an abort fails
    /// the batches not sent yet. EndTxn follows once nothing is in flight.
    pub(crate) fn txn_end(&mut self, idx: u32, commit: bool) {
        let p = self.producer_mut(idx);
        let t = p.txn.as_mut().expect(
            "commit / abort is called only on a transactional producer (the page checks it first)",
        );
        t.state = if commit {
            ClientTxnState::Committing
        } else {
            ClientTxnState::Aborting
        };
        if !commit {
            // `abortUndrainedBatches`: batches never sent fail; retried ones (which have
            // sequence numbers) are still sent, to keep the sequence without gaps.
            let mut undrained = Vec::new();
            for part in 0..p.accumulator.deques.len() as u32 {
                let Some(d) = p.accumulator.deques.get_mut(part as usize) else {
                    continue;
                };
                let Some(d) = d.as_mut() else {
                    continue;
                };
                let (keep, fail): (Vec<_>, Vec<_>) =
                    d.drain(..).partition(|b| b.base_sequence.is_some());
                d.extend(keep);
                undrained.extend(fail);
            }
            if let Some(t) = p.txn.as_mut() {
                let sent: BTreeSet<u32> = p
                    .in_flight
                    .values()
                    .flat_map(|r| r.batches.iter().map(|b| b.partition))
                    .collect();
                t.pending.retain(|part| sent.contains(part));
            }
            for b in undrained {
                self.complete_batch(idx, b, Some(KafkaError::TransactionAborted), -1);
            }
        }
        self.sender_run(idx);
    }

    /// V1: AddPartitionsToTxn for the partitions written to and not yet added (one request
    /// at a time).
    pub(crate) fn txn_maybe_add_partitions(&mut self, idx: u32) {
        let p = self.producer_mut(idx);
        let (pid, epoch, topic) = (p.producer_id, p.epoch, p.topic);
        // Not a transactional producer: nothing to add (the sender asks every producer).
        let Some(t) = p.txn.as_mut() else {
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
        self.send(
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
        self.txn_request_sent(idx);
    }

    /// EndTxn once the ending transaction has nothing queued or in flight; a transaction
    /// that wrote nothing ends in the client alone.
    pub(crate) fn txn_maybe_send_end(&mut self, idx: u32) {
        let p = self.producer_mut(idx);
        let (pid, epoch) = (p.producer_id, p.epoch);
        let idle = p.accumulator.is_empty() && p.in_flight.is_empty();
        // Not a transactional producer: no transaction to end (the sender asks every producer).
        let Some(t) = p.txn.as_mut() else {
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
            self.txn_completed(idx, commit, None);
            return;
        }
        t.request_in_flight = true;
        let (coord, tid) = (t.coordinator, t.transactional_id.clone());
        self.send(
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
        self.txn_request_sent(idx);
    }

    /// The transaction ended (EndTxn answered, or nothing to end): Ready, with the new epoch
    /// (V2) and its sequences from 0.
    pub(crate) fn txn_completed(&mut self, idx: u32, commit: bool, epoch: Option<i16>) {
        let p = self.producer_mut(idx);
        if let Some(e) = epoch.filter(|e| *e != p.epoch) {
            p.epoch = e;
            p.next_sequence.iter_mut().for_each(|s| *s = 0);
        }
        let t = p
            .txn
            .as_mut()
            .expect("only a transactional producer completes a transaction");
        t.state = ClientTxnState::Ready;
        t.added.clear();
        t.pending.clear();
        t.offsets_added = false;
        t.abortable_error = false;
        t.records = 0;
        if commit {
            t.committed += 1;
        } else {
            t.aborted += 1;
        }
        self.return_to_application(ClientCallback::TransactionCompleted {
            producer: idx,
            commit,
        });
    }

    /// The producer is fenced: fatal, every queued batch fails, the application stops.
    pub(crate) fn txn_fatal(&mut self, idx: u32, error: KafkaError) {
        let p = self.producer_mut(idx);
        // Not a transactional producer: a fencing error fails only its batches.
        let Some(t) = p.txn.as_mut() else {
            return;
        };
        if t.state == ClientTxnState::Fatal {
            return;
        }
        t.state = ClientTxnState::Fatal;
        t.fatal_error = Some(error);
        let mut queued = Vec::new();
        for d in p.accumulator.deques.iter_mut().flatten() {
            queued.extend(d.drain(..));
        }
        for b in queued {
            self.complete_batch(idx, b, Some(error), -1);
        }
        self.return_to_application(ClientCallback::Fenced {
            producer: idx,
            error,
        });
    }

    /// Schedules a retry of the transactional request after retry.backoff.ms.
    pub(crate) fn txn_retry(&mut self, idx: u32) {
        let p = self.producer_mut(idx);
        let backoff = p.config.retry_backoff_ms.value.max(1) * 1000;
        if let Some(t) = p.txn.as_mut() {
            t.retry_scheduled = true;
        }
        let at = self.now.plus(backoff);
        self.schedule(
            at,
            Pending::ProducerTxn(ClientTxnTimer::ClientRetry { producer: idx }),
        );
    }

    /// A coordinator's answer at the producer.
    pub(crate) fn on_txn_response(&mut self, idx: u32, body: Body) -> Delivery {
        let p = self.producer_mut(idx);
        let t = p
            .txn
            .as_mut()
            .expect("coordinator answers come only to a transactional producer");
        t.request_in_flight = false;
        let error = match body {
            Body::InitProducerIdResponse {
                producer_id,
                epoch,
                error,
            } => {
                match error {
                    None if t.state == ClientTxnState::Initializing => {
                        t.state = ClientTxnState::Ready;
                        p.producer_id = producer_id;
                        p.epoch = epoch;
                        p.next_sequence.iter_mut().for_each(|s| *s = 0);
                        self.return_to_application(ClientCallback::Initialized { producer: idx });
                    }
                    Some(e) if e.is_retriable() => self.txn_retry(idx),
                    Some(e) => self.txn_fatal(idx, e),
                    None => {}
                }
                error
            }
            Body::AddPartitionsToTxnResponse { partitions, error } => {
                match error {
                    None => {
                        for tp in &partitions {
                            t.pending.remove(&tp.partition);
                            t.added.insert(tp.partition);
                        }
                        self.sender_run(idx);
                    }
                    Some(e) if e.is_retriable() => self.txn_retry(idx),
                    Some(e) => self.txn_fatal(idx, e),
                }
                error
            }
            Body::EndTxnResponse {
                commit,
                epoch,
                error,
            } => {
                match error {
                    None if t.ending() => self.txn_completed(idx, commit, Some(epoch)),
                    Some(e) if e.is_retriable() => self.txn_retry(idx),
                    Some(e) => self.txn_fatal(idx, e),
                    None => {}
                }
                error
            }
            _ => None,
        };
        Delivery::Txn { state: None, error }
    }

    /// A transactional producer's timer: a retry after CONCURRENT_TRANSACTIONS, a zombie's
    /// next send, or a transactional request unanswered for request.timeout.ms.
    pub(crate) fn on_client_txn_timer(&mut self, t: ClientTxnTimer) -> Option<crate::event::Event> {
        use crate::event::Event;
        match t {
            ClientTxnTimer::ClientRetry { producer } => {
                let p = self.producers.get_mut(producer as usize)?;
                let t = p.txn.as_mut()?;
                t.retry_scheduled = false;
                self.txn_refresh_coordinator(producer);
                let t = self
                    .producers
                    .get_mut(producer as usize)
                    .and_then(|p| p.txn.as_mut())?;
                if t.state == ClientTxnState::Initializing {
                    self.txn_send_init(producer);
                } else {
                    self.sender_run(producer);
                }
                Some(Event::TransactionRetried { producer })
            }
            ClientTxnTimer::ZombieTick { producer, at } => {
                let p = self.producers.get_mut(producer as usize)?;
                let t = p.txn.as_mut()?;
                if t.tick_at != Some(at) {
                    return None;
                }
                t.tick_at = None;
                if p.blocked.is_some() || p.awaiting_ack.is_some() {
                    return None;
                }
                self.txn_app_tick(producer)
            }
            t @ (ClientTxnTimer::OffsetsRetry { .. } | ClientTxnTimer::OffsetsTimeout { .. }) => {
                self.on_offsets_timer(t)
            }
            ClientTxnTimer::RequestTimeout { producer, seq } => {
                let p = self.producers.get_mut(producer as usize)?;
                if p.crashed || p.state == crate::producer::ProducerState::Closed {
                    return None;
                }
                let t = p.txn.as_mut()?;
                if !t.request_in_flight || t.request_seq != seq {
                    return None;
                }
                t.request_in_flight = false;
                let state = t.state;
                self.txn_refresh_coordinator(producer);
                match state {
                    ClientTxnState::Initializing => self.txn_send_init(producer),
                    _ => {
                        if !self.resend_add_offsets_to_txn(producer) {
                            self.sender_run(producer);
                        }
                    }
                }
                Some(Event::TransactionRetried { producer })
            }
        }
    }
}
