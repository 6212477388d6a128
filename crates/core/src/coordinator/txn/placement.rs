//! Which broker coordinates a transactional.id: the leader of partition
//! `abs(hashCode(transactional.id)) % transaction.state.log.num.partitions` of
//! `__transaction_state`, and its failover when the controller fences that leader (the next
//! live replica leads and sends the markers of preparing transactions again).
//!
//! Simplified: the state lives in memory (no `__transaction_state` log to replicate or reload).

use crate::coordinator::txn::context::{CoordinatorCall, TxnCtx};
use crate::coordinator::txn::state::TxnCoordinators;
use alloc::string::String;
use alloc::vec::Vec;

impl TxnCoordinators {
    /// The `__transaction_state` partition and coordinator broker of a transactional.id.
    pub fn coordinator_of(&self, transactional_id: &str) -> (u32, u32) {
        let parts = self.leaders.len() as u32;
        let part = crate::consumer::group::coordinator_partition(transactional_id, parts);
        (part, self.leaders.get(part as usize).copied().unwrap_or(0))
    }

    /// The controller fenced `broker`: every `__transaction_state` partition it led gets the
    /// first live replica as leader, which becomes the coordinator of its transactional.ids
    /// (their state is kept, as the new leader would load it from the log) and sends the
    /// markers of transactions it finds preparing again.
    pub(crate) fn move_leaders(&mut self, ctx: &mut TxnCtx, broker: u32) {
        for p in 0..self.leaders.len() {
            if self.leaders[p] != broker {
                continue;
            }
            let next = self.replicas.get(p).and_then(|rs| {
                rs.iter()
                    .copied()
                    .find(|&r| r != broker && ctx.metadata.broker_up(r))
            });
            if let Some(next) = next {
                self.leaders[p] = next;
                self.coordinator_moved(ctx, p as u32, next);
            }
        }
    }

    /// `broker` came back: it leads the `__transaction_state` partitions whose leader is down.
    pub(crate) fn after_restart(&mut self, ctx: &mut TxnCtx, broker: u32) {
        for p in 0..self.leaders.len() {
            let hosts = self.replicas.get(p).is_some_and(|rs| rs.contains(&broker));
            let leader = self.leaders[p];
            if hosts && !ctx.metadata.broker_up(leader) && leader != broker {
                self.leaders[p] = broker;
                self.coordinator_moved(ctx, p as u32, broker);
            }
        }
    }

    fn coordinator_moved(&mut self, ctx: &mut TxnCtx, partition: u32, to: u32) {
        let tids: Vec<String> = self
            .transactions
            .values()
            .filter(|m| m.state_partition == partition)
            .map(|m| m.transactional_id.clone())
            .collect();
        for tid in tids {
            let m = self.transaction_mut(&tid);
            m.coordinator = to;
            m.last_update = ctx.now;
            m.markers_in_flight.clear();
            let preparing = m.state.preparing();
            // Marker answers would go to the old coordinator: the new one sends them again.
            ctx.out.call(CoordinatorCall::DropMarkerWaits {
                transactional_id: tid.clone(),
            });
            if preparing {
                self.send_markers(ctx, &tid);
            }
        }
    }
}
