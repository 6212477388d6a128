//! The coordinator's check for timed-out transactions (every
//! `transaction.abort.timed.out.transaction.cleanup.interval.ms`, 10 s): a transaction open
//! longer than its transaction.timeout.ms is aborted with an epoch bump, fencing its producer;
//! and the dispatch of transaction timers.

use crate::coordinator::txn::markers::MARKER_RESEND_US;
use crate::coordinator::txn::state::TxnState;
use crate::coordinator::txn::state::TxnTimer;
use crate::coordinator::txn::state::ABORT_TIMED_OUT_INTERVAL_US;
use crate::event::Event;
use crate::producer::transaction::ClientTxnState;
use crate::sim::{Pending, Sim};
use alloc::string::String;
use alloc::vec::Vec;

impl Sim {
    /// Starts the coordinators' timed-out-transaction check (once transactions exist).
    pub(crate) fn ensure_txn_timer(&mut self) {
        if !self.txn.timer_running {
            self.txn.timer_running = true;
            let at = self.now.plus(ABORT_TIMED_OUT_INTERVAL_US);
            self.schedule(at, Pending::Txn(TxnTimer::AbortTimedOut));
        }
    }

    pub(crate) fn on_txn_timer(&mut self, t: TxnTimer) -> Option<Event> {
        match t {
            TxnTimer::AbortTimedOut => self.on_abort_timed_out(),
            TxnTimer::ClientRetry { producer } => {
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
            TxnTimer::ZombieTick { producer, at } => {
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
            TxnTimer::RequestTimeout { producer, seq } => {
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
                        if !self.pipeline_resend(producer) {
                            self.sender_run(producer);
                        }
                    }
                }
                Some(Event::TransactionRetried { producer })
            }
            TxnTimer::MarkerRetry { producer_id } => {
                let tid = self
                    .txn
                    .transactions
                    .values()
                    .find(|m| m.producer_id == producer_id)?
                    .transactional_id
                    .clone();
                let n = self.send_markers(&tid);
                Some(Event::MarkersRetried {
                    producer_id,
                    partitions: n,
                })
            }
        }
    }

    /// `abortTimedOutTransactions`: every Ongoing transaction older than its timeout is
    /// aborted with an epoch bump (fencing its producer); markers unanswered for 30 s are
    /// sent again. Not an event when it found nothing.
    pub(crate) fn on_abort_timed_out(&mut self) -> Option<Event> {
        let now = self.now;
        self.schedule(
            now.plus(ABORT_TIMED_OUT_INTERVAL_US),
            Pending::Txn(TxnTimer::AbortTimedOut),
        );
        let expired: Vec<String> = self
            .txn
            .transactions
            .values()
            .filter(|m| {
                m.state == TxnState::Ongoing
                    && now.since(m.started_at) >= m.timeout_us
                    && self
                        .brokers
                        .get(m.coordinator as usize)
                        .is_some_and(|b| b.alive)
            })
            .map(|m| m.transactional_id.clone())
            .collect();
        let stale: Vec<String> = self
            .txn
            .transactions
            .values()
            .filter(|m| m.state.preparing() && now.since(m.last_update) >= MARKER_RESEND_US)
            .map(|m| m.transactional_id.clone())
            .collect();
        if expired.is_empty() && stale.is_empty() {
            return None;
        }
        for tid in &expired {
            self.end_transaction(tid, false, true);
        }
        let mut resent = 0;
        for tid in &stale {
            if let Some(m) = self.txn.transactions.get_mut(tid) {
                m.markers_in_flight.clear();
                m.last_update = now;
            }
            self.marker_waits.retain(|w| &w.transactional_id != tid);
            resent += self.send_markers(tid);
        }
        Some(Event::TransactionsTimedOut {
            aborted: expired.len() as u32,
            markers_resent: resent,
        })
    }
}
