//! Which broker coordinates a transactional.id: the leader of partition
//! `abs(hashCode(transactional.id)) % transaction.state.log.num.partitions` of
//! `__transaction_state`, and its failover when the controller fences that leader (the next
//! live replica leads and sends the markers of preparing transactions again).
//!
//! Simplified: the state lives in memory (no `__transaction_state` log to replicate or reload).

use crate::coordinator::txn::state::TxnMetadata;
use crate::sim::Sim;
use alloc::string::String;
use alloc::vec::Vec;

impl Sim {
    // ----- the coordinator -----

    /// The `__transaction_state` partition and coordinator broker of a transactional.id.
    pub fn transaction_coordinator(&self, transactional_id: &str) -> (u32, u32) {
        let parts = self.txn.leaders.len() as u32;
        let part = crate::consumer::group::coordinator_partition(transactional_id, parts);
        (
            part,
            self.txn.leaders.get(part as usize).copied().unwrap_or(0),
        )
    }

    /// The controller fenced `broker`: every `__transaction_state` partition it led gets the
    /// first live replica as leader, which becomes the coordinator of its transactional.ids
    /// (their state is kept, as the new leader would load it from the log) and sends the
    /// markers of transactions it finds preparing again.
    pub(crate) fn move_txn_leaders(&mut self, broker: u32) {
        for p in 0..self.txn.leaders.len() {
            if self.txn.leaders[p] != broker {
                continue;
            }
            let next = self.txn.replicas.get(p).and_then(|rs| {
                rs.iter()
                    .copied()
                    .find(|&r| r != broker && self.brokers.get(r as usize).is_some_and(|b| b.alive))
            });
            if let Some(next) = next {
                self.txn.leaders[p] = next;
                self.txn_coordinator_moved(p as u32, next);
            }
        }
    }

    /// `broker` came back: it leads the `__transaction_state` partitions whose leader is down.
    pub(crate) fn txn_after_restart(&mut self, broker: u32) {
        for p in 0..self.txn.leaders.len() {
            let hosts = self
                .txn
                .replicas
                .get(p)
                .is_some_and(|rs| rs.contains(&broker));
            let leader = self.txn.leaders[p];
            let leader_down = self.brokers.get(leader as usize).is_none_or(|b| !b.alive);
            if hosts && leader_down && leader != broker {
                self.txn.leaders[p] = broker;
                self.txn_coordinator_moved(p as u32, broker);
            }
        }
    }

    pub(crate) fn txn_coordinator_moved(&mut self, partition: u32, to: u32) {
        let tids: Vec<String> = self
            .txn
            .transactions
            .values()
            .filter(|m| m.state_partition == partition)
            .map(|m| m.transactional_id.clone())
            .collect();
        for tid in tids {
            let preparing = match self.txn.transactions.get_mut(&tid) {
                Some(m) => {
                    m.coordinator = to;
                    m.last_update = self.now;
                    m.markers_in_flight.clear();
                    m.state.preparing()
                }
                None => false,
            };
            // Marker answers would go to the old coordinator: the new one sends them again.
            self.marker_waits.retain(|w| w.transactional_id != tid);
            if preparing {
                self.send_markers(&tid);
            }
        }
    }

    /// The coordinators' state of every transactional.id.
    pub fn transactions(&self) -> impl Iterator<Item = &TxnMetadata> {
        self.txn.transactions.values()
    }
}
