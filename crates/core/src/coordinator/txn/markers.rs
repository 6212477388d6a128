//! Ending a transaction: the coordinator has every partition leader of the transaction append
//! a COMMIT / ABORT control marker (WriteTxnMarkers), sends them again when a leader moves or
//! an answer does not come, and completes the transaction (COMPLETE_COMMIT / COMPLETE_ABORT)
//! once every marker is replicated; the group coordinator's pending transactional offsets are
//! committed or dropped with it.

use crate::coordinator::txn::context::{CoordinatorCall, TxnCtx};
use crate::coordinator::txn::state::{TxnCoordinators, TxnState, TxnTimer};
use crate::event::Delivery;
use crate::net::{Body, KafkaError, Node, TopicPartitionId};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// How long the coordinator waits for a marker's answer before sending it again.
pub(crate) const MARKER_RESEND_US: u64 = 30_000_000;

/// Wait before sending markers again to a partition without a leader.
pub(crate) const MARKER_RETRY_US: u64 = 100_000;

impl TxnCoordinators {
    /// PREPARE_COMMIT / PREPARE_ABORT (with an epoch bump when `bump`), then the markers to
    /// every partition of the transaction (COMPLETE_* at once when it has none).
    pub(crate) fn end_transaction(
        &mut self,
        ctx: &mut TxnCtx,
        tid: &str,
        commit: bool,
        bump: bool,
    ) {
        let m = self.transaction_mut(tid);
        if bump {
            m.epoch = m.epoch.saturating_add(1);
        }
        m.marker_epoch = m.epoch;
        m.last_update = ctx.now;
        m.pending_markers = m.partitions.clone();
        m.markers_in_flight.clear();
        // The offsets of the transaction's groups (their `__consumer_offsets` marker).
        let groups: Vec<u32> = core::mem::take(&mut m.groups).into_iter().collect();
        ctx.out.call(CoordinatorCall::CompleteTxnOffsets {
            producer_id: m.producer_id,
            groups,
            commit,
        });
        if m.partitions.is_empty() {
            m.transition_to(if commit {
                TxnState::CompleteCommit
            } else {
                TxnState::CompleteAbort
            });
            return;
        }
        m.transition_to(if commit {
            TxnState::PrepareCommit
        } else {
            TxnState::PrepareAbort
        });
        self.send_markers(ctx, tid);
    }

    /// Sends WriteTxnMarkers for the pending, not in-flight markers of `tid`, one request per
    /// partition leader. Returns how many markers were sent.
    pub(crate) fn send_markers(&mut self, ctx: &mut TxnCtx, tid: &str) -> u32 {
        let m = self.transaction_mut(tid);
        let commit = m.state == TxnState::PrepareCommit;
        if !m.state.preparing() {
            return 0;
        }
        let (coord, pid, epoch) = (m.coordinator, m.producer_id, m.marker_epoch);
        let mut per_leader: BTreeMap<u32, Vec<TopicPartitionId>> = BTreeMap::new();
        let mut leaderless = false;
        for tp in m.pending_markers.difference(&m.markers_in_flight) {
            match ctx.metadata.leader(*tp) {
                Some(l) => per_leader.entry(l).or_default().push(*tp),
                None => leaderless = true,
            }
        }
        if leaderless {
            let at = ctx.now.plus(MARKER_RETRY_US);
            ctx.out
                .timer(at, TxnTimer::MarkerRetry { producer_id: pid });
        }
        let mut n = 0;
        for (leader, partitions) in per_leader {
            n += partitions.len() as u32;
            m.markers_in_flight.extend(partitions.iter().copied());
            ctx.out.send(
                Node::Broker(coord),
                Node::Broker(leader),
                Body::WriteTxnMarkers {
                    transactional_id: String::from(tid),
                    producer_id: pid,
                    epoch,
                    commit,
                    partitions,
                },
            );
        }
        n
    }

    /// Marker answers at the coordinator: COMPLETE_* once every partition has its marker;
    /// a partition whose leader moved gets its marker again.
    pub(crate) fn on_markers_written(
        &mut self,
        ctx: &mut TxnCtx,
        tid: &str,
        pid: i64,
        results: Vec<(TopicPartitionId, Option<KafkaError>)>,
    ) -> Delivery {
        // Markers are only sent for a transactional.id the coordinator holds, and it never
        // forgets one.
        let m = self.transactions.get_mut(tid).unwrap_or_else(|| {
            panic!("markers written for transactional.id {tid:?}, which the coordinator never held")
        });
        if m.producer_id != pid || !m.state.preparing() {
            // The answer to markers of an earlier producer id or an already completed
            // transaction (they were sent again after a coordinator move).
            return self.delivery(tid, None);
        }
        let mut retry = false;
        let mut first_error = None;
        for (tp, error) in results {
            m.markers_in_flight.remove(&tp);
            match error {
                Some(KafkaError::NotLeaderOrFollower) => {
                    retry = true;
                    first_error = first_error.or(error);
                }
                // Written, or refused for good (a newer epoch is there already).
                _ => {
                    m.pending_markers.remove(&tp);
                }
            }
        }
        m.last_update = ctx.now;
        if m.pending_markers.is_empty() {
            let next = if m.state == TxnState::PrepareCommit {
                TxnState::CompleteCommit
            } else {
                TxnState::CompleteAbort
            };
            m.transition_to(next);
            m.partitions.clear();
        } else if retry {
            let at = ctx.now.plus(MARKER_RETRY_US);
            ctx.out
                .timer(at, TxnTimer::MarkerRetry { producer_id: pid });
        }
        self.delivery(tid, first_error)
    }
}
