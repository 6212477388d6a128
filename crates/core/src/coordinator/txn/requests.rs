//! The transaction coordinator's request handling (`TransactionCoordinator`): InitProducerId
//! (the producer id and an epoch bump that fences older instances and aborts what they left
//! open), AddPartitionsToTxn and AddOffsetsToTxn (transaction.version 1), EndTxn (to
//! PREPARE_COMMIT / PREPARE_ABORT).

use crate::coordinator::txn::state::TxnMetadata;
use crate::coordinator::txn::state::TxnState;
use crate::event::Delivery;
use crate::net::{Body, KafkaError, Node, TopicPartitionId};
use crate::sim::Sim;
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

impl Sim {
    /// A transactional request at broker `b` (coordinator or partition leader).
    pub(crate) fn on_txn_request(&mut self, b: u32, from: Node, body: Body) -> Delivery {
        match body {
            Body::InitProducerId {
                transactional_id,
                timeout_ms,
                ..
            } => self.coordinator_init(b, from, transactional_id, timeout_ms),
            Body::AddPartitionsToTxn {
                transactional_id,
                producer_id,
                epoch,
                partitions,
                ..
            } => {
                let error =
                    self.coordinator_add(b, &transactional_id, producer_id, epoch, &partitions);
                self.send(
                    Node::Broker(b),
                    from,
                    Body::AddPartitionsToTxnResponse { partitions, error },
                );
                self.txn_delivery(&transactional_id, error)
            }
            Body::AddOffsetsToTxn {
                transactional_id,
                producer_id,
                epoch,
                group,
                ..
            } => {
                let error =
                    self.coordinator_add_offsets(b, &transactional_id, producer_id, epoch, group);
                self.send(
                    Node::Broker(b),
                    from,
                    Body::AddOffsetsToTxnResponse { error },
                );
                self.txn_delivery(&transactional_id, error)
            }
            Body::EndTxn {
                transactional_id,
                producer_id,
                epoch,
                commit,
                ..
            } => self.coordinator_end(b, from, &transactional_id, producer_id, epoch, commit),
            Body::WriteTxnMarkers {
                transactional_id,
                producer_id,
                epoch,
                commit,
                partitions,
            } => self.write_markers(
                b,
                from,
                transactional_id,
                producer_id,
                epoch,
                commit,
                partitions,
            ),
            Body::WriteTxnMarkersResponse {
                transactional_id,
                producer_id,
                results,
            } => self.on_markers_written(&transactional_id, producer_id, results),
            _ => Delivery::Group,
        }
    }

    pub(crate) fn txn_delivery(&self, tid: &str, error: Option<KafkaError>) -> Delivery {
        Delivery::Txn {
            state: self.txn.transactions.get(tid).map(|m| m.state),
            error,
        }
    }

    /// InitProducerId: a new transactional.id gets a producer id; a known one gets its epoch
    /// bumped (fencing the older instance). An open transaction is aborted first (with the
    /// bump) and the caller retries on CONCURRENT_TRANSACTIONS.
    pub(crate) fn coordinator_init(
        &mut self,
        b: u32,
        from: Node,
        tid: String,
        timeout_ms: u64,
    ) -> Delivery {
        let (part, coord) = self.transaction_coordinator(&tid);
        let mut answer = (-1i64, -1i16, None);
        if coord != b {
            answer.2 = Some(KafkaError::NotCoordinator);
        } else {
            let now = self.now;
            let state = self.txn.transactions.get(&tid).map(|m| m.state);
            match state {
                None => {
                    let pid = self.next_producer_id;
                    self.next_producer_id += 1;
                    self.txn.transactions.insert(
                        tid.clone(),
                        TxnMetadata {
                            transactional_id: tid.clone(),
                            coordinator: coord,
                            state_partition: part,
                            producer_id: pid,
                            epoch: 0,
                            state: TxnState::Empty,
                            partitions: BTreeSet::new(),
                            groups: BTreeSet::new(),
                            started_at: now,
                            timeout_us: timeout_ms.saturating_mul(1000),
                            pending_markers: BTreeSet::new(),
                            markers_in_flight: BTreeSet::new(),
                            marker_epoch: 0,
                            last_update: now,
                        },
                    );
                    self.ensure_txn_timer();
                    // Partitions' open transactions are tracked from now on.
                    let tps: Vec<TopicPartitionId> = self
                        .topics
                        .iter()
                        .flat_map(|t| {
                            t.partitions.iter().map(|p| TopicPartitionId {
                                topic: p.topic,
                                partition: p.index,
                            })
                        })
                        .collect();
                    for tp in tps {
                        self.txn_index_read(tp);
                    }
                    answer = (pid, 0, None);
                }
                Some(TxnState::PrepareCommit | TxnState::PrepareAbort) => {
                    answer.2 = Some(KafkaError::ConcurrentTransactions);
                }
                Some(TxnState::Ongoing) => {
                    // The older instance's transaction is aborted under a bumped epoch.
                    self.end_transaction(&tid, false, true);
                    answer.2 = Some(KafkaError::ConcurrentTransactions);
                }
                Some(_) => {
                    if let Some(m) = self.txn.transactions.get_mut(&tid) {
                        m.epoch = m.epoch.saturating_add(1);
                        m.transition_to(TxnState::Empty);
                        m.partitions.clear();
                        m.groups.clear();
                        m.timeout_us = timeout_ms.saturating_mul(1000);
                        m.last_update = now;
                        answer = (m.producer_id, m.epoch, None);
                    }
                }
            }
        }
        self.send(
            Node::Broker(b),
            from,
            Body::InitProducerIdResponse {
                producer_id: answer.0,
                epoch: answer.1,
                error: answer.2,
            },
        );
        self.txn_delivery(&tid, answer.2)
    }

    /// The checks every transactional request of a producer passes at the coordinator.
    pub(crate) fn check_producer(
        &self,
        b: u32,
        tid: &str,
        pid: i64,
        epoch: i16,
    ) -> Result<(), KafkaError> {
        if self.transaction_coordinator(tid).1 != b {
            return Err(KafkaError::NotCoordinator);
        }
        let m = self
            .txn
            .transactions
            .get(tid)
            .ok_or(KafkaError::InvalidProducerIdMapping)?;
        if m.producer_id != pid {
            return Err(KafkaError::InvalidProducerIdMapping);
        }
        if epoch < m.epoch {
            return Err(KafkaError::ProducerFenced);
        }
        Ok(())
    }

    /// AddPartitionsToTxn (V1), or the partition a V2 produce adds: the transaction becomes
    /// Ongoing (its timeout starts with its first partition).
    pub(crate) fn coordinator_add(
        &mut self,
        b: u32,
        tid: &str,
        pid: i64,
        epoch: i16,
        partitions: &[TopicPartitionId],
    ) -> Option<KafkaError> {
        if let Err(e) = self.check_producer(b, tid, pid, epoch) {
            return Some(e);
        }
        let now = self.now;
        let m = self.txn.transactions.get_mut(tid)?;
        if m.state.preparing() {
            return Some(KafkaError::ConcurrentTransactions);
        }
        if m.state != TxnState::Ongoing {
            m.transition_to(TxnState::Ongoing);
            m.partitions.clear();
            m.groups.clear();
            m.started_at = now;
        }
        m.partitions.extend(partitions.iter().copied());
        m.last_update = now;
        None
    }

    /// AddOffsetsToTxn (V1): the group's `__consumer_offsets` partition joins the transaction.
    pub(crate) fn coordinator_add_offsets(
        &mut self,
        b: u32,
        tid: &str,
        pid: i64,
        epoch: i16,
        group: u32,
    ) -> Option<KafkaError> {
        if let Some(e) = self.coordinator_add(b, tid, pid, epoch, &[]) {
            return Some(e);
        }
        if let Some(m) = self.txn.transactions.get_mut(tid) {
            m.groups.insert(group);
        }
        None
    }

    /// EndTxn: PREPARE_* and the answer (with the epoch bumped under transaction.version 2),
    /// then the markers.
    pub(crate) fn coordinator_end(
        &mut self,
        b: u32,
        from: Node,
        tid: &str,
        pid: i64,
        epoch: i16,
        commit: bool,
    ) -> Delivery {
        let mut error = self.check_producer(b, tid, pid, epoch).err();
        let state = self.txn.transactions.get(tid).map(|m| m.state);
        if error.is_none() {
            let v2 = self.config.broker.transaction_version.value >= 2;
            error = match (state, commit) {
                (Some(TxnState::Ongoing), _) => {
                    self.end_transaction(tid, commit, v2);
                    None
                }
                (Some(TxnState::PrepareCommit), true) | (Some(TxnState::PrepareAbort), false) => {
                    Some(KafkaError::ConcurrentTransactions)
                }
                (Some(TxnState::CompleteCommit), true) | (Some(TxnState::CompleteAbort), false) => {
                    None
                }
                _ => Some(KafkaError::InvalidTxnState),
            };
        }
        let epoch = self.txn.transactions.get(tid).map_or(epoch, |m| m.epoch);
        self.send(
            Node::Broker(b),
            from,
            Body::EndTxnResponse {
                commit,
                epoch,
                error,
            },
        );
        self.txn_delivery(tid, error)
    }
}
