//! TxnOffsetCommit at the group coordinator (KIP-447): the generation and member checks, the
//! offsets held pending until their transaction ends, then committed or dropped with it.

use crate::event::Delivery;
use crate::net::{Body, GroupError, KafkaError, Node};
use crate::sim::Sim;

impl Sim {
    // ----- transactional offset commits (KIP-447; see `sim::pipeline`) -----

    /// TxnOffsetCommit at the group coordinator: the producer must be current at its
    /// transaction coordinator; the group metadata is validated as KIP-447 says (unknown
    /// member, fenced instance, stale generation); the offsets wait as pending until the
    /// transaction ends. Under transaction.version 2 the group joins the transaction here.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn on_txn_offset_commit(&mut self, b: u32, from: Node, body: Body) -> Delivery {
        let Body::TxnOffsetCommit {
            transactional_id,
            producer_id,
            epoch,
            group,
            member_id,
            generation,
            instance_id,
            offsets,
            ..
        } = body
        else {
            unreachable!("dispatch passes only TxnOffsetCommit requests here");
        };
        let reply = |s: &mut Sim, error, producer_error| {
            s.txn_offset_commit_reply(b, from, error, producer_error);
        };
        let g = self.group(group);
        if self.offsets_leader(g.offsets_partition) != Some(b) {
            reply(self, Some(GroupError::NotCoordinator), None);
            return Delivery::GroupRefused {
                error: GroupError::NotCoordinator,
            };
        }
        let producer_error =
            self.txn_offset_commit_producer_error(&transactional_id, producer_id, epoch);
        if producer_error.is_some() {
            reply(self, None, producer_error);
            return Delivery::Txn {
                state: None,
                error: producer_error,
            };
        }
        let error = self.groups[group as usize].validate_offset_commit(
            &member_id,
            generation,
            instance_id.as_deref(),
            true,
        );
        if let Some(e) = error {
            reply(self, Some(e), None);
            return Delivery::GroupRefused { error: e };
        }
        if let Some(e) =
            self.add_offsets_partition_to_txn(&transactional_id, producer_id, epoch, group)
        {
            reply(self, None, Some(e));
            return Delivery::Txn {
                state: None,
                error: Some(e),
            };
        }
        let pending = self.groups[group as usize]
            .pending_txn_offsets
            .entry(producer_id)
            .or_default();
        for (tp, o) in offsets {
            pending.insert(tp, o);
        }
        reply(self, None, None);
        Delivery::Group
    }

    /// The TxnOffsetCommit response from broker `b` to the producer `to`.
    fn txn_offset_commit_reply(
        &mut self,
        b: u32,
        to: Node,
        error: Option<GroupError>,
        producer_error: Option<KafkaError>,
    ) {
        self.send(
            Node::Broker(b),
            to,
            Body::TxnOffsetCommitResponse {
                error,
                producer_error,
            },
        );
    }

    /// KIP-890: under transaction.version 2 the TxnOffsetCommit adds the group's partition
    /// to the transaction (at its transaction coordinator); the error if it cannot.
    fn add_offsets_partition_to_txn(
        &mut self,
        transactional_id: &str,
        producer_id: i64,
        epoch: i16,
        group: u32,
    ) -> Option<KafkaError> {
        if self.config.broker.transaction_version.value < 2 {
            return None;
        }
        let (_, coordinator) = self.transaction_coordinator(transactional_id);
        self.coordinator_add_offsets(coordinator, transactional_id, producer_id, epoch, group)
    }

    /// The producer's epoch, as the `__consumer_offsets` append checks it
    /// (`verifyTransaction`): an unknown or replaced producer id, a fenced epoch, a
    /// transaction not ongoing (transaction.version 1), or one that is ending.
    fn txn_offset_commit_producer_error(
        &self,
        transactional_id: &str,
        producer_id: i64,
        epoch: i16,
    ) -> Option<KafkaError> {
        match self.txn.transactions.get(transactional_id) {
            None => Some(KafkaError::InvalidProducerIdMapping),
            Some(m) if m.producer_id != producer_id => Some(KafkaError::InvalidProducerIdMapping),
            Some(m) if epoch < m.epoch => Some(KafkaError::ProducerFenced),
            Some(m)
                if m.state != crate::coordinator::txn::state::TxnState::Ongoing
                    && self.config.broker.transaction_version.value < 2 =>
            {
                Some(KafkaError::InvalidTxnState)
            }
            Some(m) if m.state.preparing() => Some(KafkaError::ConcurrentTransactions),
            _ => None,
        }
    }

    /// The transaction of `producer_id` ends: its pending offsets in `groups` become the
    /// committed offsets (commit) or are dropped (abort).
    pub(crate) fn complete_txn_offsets(&mut self, producer_id: i64, groups: &[u32], commit: bool) {
        for &gi in groups {
            let g = self.group_mut(gi);
            let Some(offsets) = g.pending_txn_offsets.remove(&producer_id) else {
                // The transaction committed no offsets of this group.
                continue;
            };
            if commit {
                for (tp, o) in &offsets {
                    g.committed.insert(*tp, *o);
                }
                // The members learn their committed offsets (what the page shows).
                for c in self.consumers.iter_mut().filter(|c| c.group == gi) {
                    for (tp, o) in &offsets {
                        if c.assignment.contains(tp) {
                            c.committed.insert(*tp, *o);
                        }
                    }
                }
            }
        }
    }
}
