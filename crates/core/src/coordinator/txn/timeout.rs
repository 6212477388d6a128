//! The coordinator's check for timed-out transactions (every
//! `transaction.abort.timed.out.transaction.cleanup.interval.ms`, 10 s): a transaction open
//! longer than its transaction.timeout.ms is aborted with an epoch bump, fencing its producer;
//! markers unanswered for 30 s are sent again; and the coordinators' other timer (markers
//! retried for a partition that had no leader).

use crate::coordinator::txn::context::{CoordinatorCall, TxnCtx};
use crate::coordinator::txn::markers::MARKER_RESEND_US;
use crate::coordinator::txn::state::{
    TxnCoordinators, TxnState, TxnTimer, ABORT_TIMED_OUT_INTERVAL_US,
};
use crate::event::Event;
use alloc::string::String;
use alloc::vec::Vec;

impl TxnCoordinators {
    /// Starts the coordinators' timed-out-transaction check (once transactions exist).
    pub(crate) fn ensure_timer(&mut self, ctx: &mut TxnCtx) {
        if !self.timer_running {
            self.timer_running = true;
            let at = ctx.now.plus(ABORT_TIMED_OUT_INTERVAL_US);
            ctx.out.timer(at, TxnTimer::AbortTimedOut);
        }
    }

    pub(crate) fn on_timer(&mut self, ctx: &mut TxnCtx, t: TxnTimer) -> Option<Event> {
        match t {
            TxnTimer::AbortTimedOut => self.on_abort_timed_out(ctx),
            TxnTimer::MarkerRetry { producer_id } => {
                let tid = self
                    .transactions
                    .values()
                    .find(|m| m.producer_id == producer_id)?
                    .transactional_id
                    .clone();
                let n = self.send_markers(ctx, &tid);
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
    fn on_abort_timed_out(&mut self, ctx: &mut TxnCtx) -> Option<Event> {
        let now = ctx.now;
        ctx.out.timer(
            now.plus(ABORT_TIMED_OUT_INTERVAL_US),
            TxnTimer::AbortTimedOut,
        );
        let expired: Vec<String> = self
            .transactions
            .values()
            .filter(|m| {
                m.state == TxnState::Ongoing
                    && now.since(m.started_at) >= m.timeout_us
                    && ctx.metadata.broker_up(m.coordinator)
            })
            .map(|m| m.transactional_id.clone())
            .collect();
        let stale: Vec<String> = self
            .transactions
            .values()
            .filter(|m| m.state.preparing() && now.since(m.last_update) >= MARKER_RESEND_US)
            .map(|m| m.transactional_id.clone())
            .collect();
        if expired.is_empty() && stale.is_empty() {
            return None;
        }
        for tid in &expired {
            self.end_transaction(ctx, tid, false, true);
        }
        let mut resent = 0;
        for tid in &stale {
            let m = self.transaction_mut(tid);
            m.markers_in_flight.clear();
            m.last_update = now;
            ctx.out.call(CoordinatorCall::DropMarkerWaits {
                transactional_id: tid.clone(),
            });
            resent += self.send_markers(ctx, tid);
        }
        Some(Event::TransactionsTimedOut {
            aborted: expired.len() as u32,
            markers_resent: resent,
        })
    }
}
