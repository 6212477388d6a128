//! The transaction coordinator's request handling (`TransactionCoordinator`): InitProducerId
//! (the producer id and an epoch bump that fences older instances and aborts what they left
//! open), AddPartitionsToTxn and AddOffsetsToTxn (transaction.version 1), EndTxn (to
//! PREPARE_COMMIT / PREPARE_ABORT).

use crate::coordinator::txn::context::{CoordinatorCall, TxnCtx};
use crate::coordinator::txn::state::{TxnCoordinators, TxnMetadata, TxnState};
use crate::event::Delivery;
use crate::net::{Body, KafkaError, Node, TopicPartitionId};
use crate::time::SimTime;
use alloc::string::String;
use alloc::vec::Vec;

impl TxnCoordinators {
    /// A transactional request at broker `b`, as its transaction coordinator.
    pub(crate) fn on_request(
        &mut self,
        ctx: &mut TxnCtx,
        b: u32,
        from: Node,
        body: Body,
    ) -> Delivery {
        match body {
            Body::InitProducerId {
                transactional_id: None,
                ..
            } => self.init_idempotent_producer_id(ctx, b, from),
            Body::InitProducerId {
                transactional_id: Some(transactional_id),
                transaction_timeout_ms,
                ..
            } => self.init_producer_id(ctx, b, from, transactional_id, transaction_timeout_ms),
            Body::AddPartitionsToTxn {
                transactional_id,
                producer_id,
                epoch,
                partitions,
                ..
            } => {
                let now = ctx.now;
                let error =
                    self.add_partitions(now, b, &transactional_id, producer_id, epoch, &partitions);
                let response = Body::AddPartitionsToTxnResponse { partitions, error };
                self.respond(ctx, b, from, &transactional_id, error, response)
            }
            Body::AddOffsetsToTxn {
                transactional_id,
                producer_id,
                epoch,
                group,
                ..
            } => {
                let error =
                    self.add_offsets(ctx.now, b, &transactional_id, producer_id, epoch, group);
                let response = Body::AddOffsetsToTxnResponse { error };
                self.respond(ctx, b, from, &transactional_id, error, response)
            }
            Body::EndTxn {
                transactional_id,
                producer_id,
                epoch,
                commit,
                ..
            } => self.end_txn(ctx, b, from, &transactional_id, producer_id, epoch, commit),
            leader
            @ (Body::WriteTxnMarkersResponse { .. } | Body::VerifyPartitionsInTxn { .. }) => {
                self.on_leader_request(ctx, b, from, leader)
            }
            other => unreachable!(
                "the engine routes only transaction coordinator requests here, not {:?}",
                other.kind()
            ),
        }
    }

    /// What a partition leader sends its transaction coordinator: the answer to the markers it
    /// was asked to write, and KIP-890's verification of a transactional Produce (or a v2
    /// producer's add of the partition).
    fn on_leader_request(&mut self, ctx: &mut TxnCtx, b: u32, from: Node, body: Body) -> Delivery {
        match body {
            Body::WriteTxnMarkersResponse {
                transactional_id,
                producer_id,
                results,
            } => self.on_markers_written(ctx, &transactional_id, producer_id, results),
            Body::VerifyPartitionsInTxn {
                verification,
                transactional_id,
                producer_id,
                epoch,
                partitions,
                verify_only,
            } => {
                let tid = &transactional_id;
                let results = if verify_only {
                    self.verify_partitions(b, tid, producer_id, epoch, &partitions)
                } else {
                    // A v2 producer's add: every partition gets the add's answer.
                    let error =
                        self.add_partitions(ctx.now, b, tid, producer_id, epoch, &partitions);
                    partitions.iter().map(|tp| (*tp, error)).collect()
                };
                let error = results.iter().find_map(|(_, e)| *e);
                let response = Body::VerifyPartitionsInTxnResponse {
                    verification,
                    results,
                };
                self.respond(ctx, b, from, tid, error, response)
            }
            other => unreachable!(
                "on_request passes only a partition leader's requests here, not {:?}",
                other.kind()
            ),
        }
    }

    /// Sends `response` from broker `b` to the requester; the delivery names the
    /// transaction's state after the request and its error.
    fn respond(
        &self,
        ctx: &mut TxnCtx,
        b: u32,
        from: Node,
        tid: &str,
        error: Option<KafkaError>,
        response: Body,
    ) -> Delivery {
        ctx.out.send(Node::Broker(b), from, response);
        self.delivery(tid, error)
    }

    pub(crate) fn delivery(&self, tid: &str, error: Option<KafkaError>) -> Delivery {
        Delivery::Txn {
            state: self.transactions.get(tid).map(|m| m.state),
            error,
        }
    }

    /// InitProducerId without a transactional.id (an idempotent producer): whichever broker
    /// it reaches hands a new producer id from its producer id manager, epoch 0, no
    /// coordinator involved (`TransactionCoordinator.handleInitProducerId`). Simplified: one
    /// counter for the cluster, where Kafka's brokers take blocks of ids from the controller
    /// (AllocateProducerIds).
    fn init_idempotent_producer_id(&mut self, ctx: &mut TxnCtx, b: u32, from: Node) -> Delivery {
        let producer_id = *ctx.next_producer_id;
        *ctx.next_producer_id += 1;
        let response = Body::InitProducerIdResponse {
            producer_id,
            epoch: 0,
            error: None,
        };
        ctx.out.send(Node::Broker(b), from, response);
        Delivery::Txn {
            state: None,
            error: None,
        }
    }

    /// InitProducerId: a new transactional.id gets a producer id; a known one gets its epoch
    /// bumped (fencing the older instance). An open transaction is aborted first (with the
    /// bump) and the caller retries on CONCURRENT_TRANSACTIONS.
    fn init_producer_id(
        &mut self,
        ctx: &mut TxnCtx,
        b: u32,
        from: Node,
        tid: String,
        timeout_ms: u64,
    ) -> Delivery {
        let (part, coord) = self.coordinator_of(&tid);
        let mut answer = (-1i64, -1i16, None);
        if coord != b {
            answer.2 = Some(KafkaError::NotCoordinator);
        } else {
            let now = ctx.now;
            match self.transactions.get(&tid).map(|m| m.state) {
                None => {
                    let pid = *ctx.next_producer_id;
                    *ctx.next_producer_id += 1;
                    self.transactions.insert(
                        tid.clone(),
                        TxnMetadata::new(tid.clone(), coord, part, pid, timeout_ms, now),
                    );
                    self.ensure_timer(ctx);
                    // Partitions' open transactions are tracked from now on.
                    ctx.out.call(CoordinatorCall::ReadTxnIndexes);
                    answer = (pid, 0, None);
                }
                Some(TxnState::PrepareCommit | TxnState::PrepareAbort) => {
                    answer.2 = Some(KafkaError::ConcurrentTransactions);
                }
                Some(TxnState::Ongoing) => {
                    // The older instance's transaction is aborted under a bumped epoch.
                    self.end_transaction(ctx, &tid, false, true);
                    answer.2 = Some(KafkaError::ConcurrentTransactions);
                }
                Some(_) => {
                    let m = self.transaction_mut(&tid);
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
        ctx.out.send(
            Node::Broker(b),
            from,
            Body::InitProducerIdResponse {
                producer_id: answer.0,
                epoch: answer.1,
                error: answer.2,
            },
        );
        self.delivery(&tid, answer.2)
    }

    /// The checks every transactional request of a producer passes at the coordinator.
    pub(crate) fn check_producer(
        &self,
        b: u32,
        tid: &str,
        pid: i64,
        epoch: i16,
    ) -> Result<(), KafkaError> {
        if self.coordinator_of(tid).1 != b {
            return Err(KafkaError::NotCoordinator);
        }
        let m = self
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
    pub(crate) fn add_partitions(
        &mut self,
        now: SimTime,
        b: u32,
        tid: &str,
        pid: i64,
        epoch: i16,
        partitions: &[TopicPartitionId],
    ) -> Option<KafkaError> {
        if let Err(e) = self.check_producer(b, tid, pid, epoch) {
            return Some(e);
        }
        let m = self.transaction_mut(tid);
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

    /// A leader's verification under transaction.version 1 (`handleVerifyPartitionsInTransaction`):
    /// each partition must be in the ongoing transaction of this producer id and epoch, else
    /// INVALID_TXN_STATE (the produce would open a transaction the coordinator does not know:
    /// a hanging transaction).
    fn verify_partitions(
        &self,
        b: u32,
        tid: &str,
        pid: i64,
        epoch: i16,
        partitions: &[TopicPartitionId],
    ) -> Vec<(TopicPartitionId, Option<KafkaError>)> {
        let checked = self.check_producer(b, tid, pid, epoch).err();
        partitions
            .iter()
            .map(|tp| {
                let error = checked.or_else(|| {
                    let m = &self.transactions[tid];
                    let open = m.state == TxnState::Ongoing && m.partitions.contains(tp);
                    (!open).then_some(KafkaError::InvalidTxnState)
                });
                (*tp, error)
            })
            .collect()
    }

    /// AddOffsetsToTxn (V1): the group's `__consumer_offsets` partition joins the transaction.
    pub(crate) fn add_offsets(
        &mut self,
        now: SimTime,
        b: u32,
        tid: &str,
        pid: i64,
        epoch: i16,
        group: u32,
    ) -> Option<KafkaError> {
        if let Some(e) = self.add_partitions(now, b, tid, pid, epoch, &[]) {
            return Some(e);
        }
        self.transaction_mut(tid).groups.insert(group);
        None
    }

    /// A group coordinator's check of a TxnOffsetCommit's producer (KIP-447; Kafka's group
    /// coordinator asks by AddPartitionsToTxn, verifyOnly under transaction.version 1): an
    /// unknown or replaced producer id, a fenced epoch, a transaction not ongoing
    /// (transaction.version 1) or one that is ending is refused; then, under
    /// transaction.version 2, the group `add_group` (if the group accepted the commit) joins
    /// the transaction.
    pub(crate) fn verify_txn_offset_commit(
        &mut self,
        ctx: &mut TxnCtx,
        tid: &str,
        pid: i64,
        epoch: i16,
        add_group: Option<u32>,
    ) -> Result<(), KafkaError> {
        let v2 = ctx.transaction_version >= 2;
        let error = match self.transactions.get(tid) {
            None => Some(KafkaError::InvalidProducerIdMapping),
            Some(m) if m.producer_id != pid => Some(KafkaError::InvalidProducerIdMapping),
            Some(m) if epoch < m.epoch => Some(KafkaError::ProducerFenced),
            Some(m) if m.state != TxnState::Ongoing && !v2 => Some(KafkaError::InvalidTxnState),
            Some(m) if m.state.preparing() => Some(KafkaError::ConcurrentTransactions),
            _ => None,
        };
        if let Some(e) = error {
            return Err(e);
        }
        match add_group {
            Some(group) if v2 => {
                let (_, coordinator) = self.coordinator_of(tid);
                match self.add_offsets(ctx.now, coordinator, tid, pid, epoch, group) {
                    Some(e) => Err(e),
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// EndTxn: PREPARE_* and the answer (with the epoch bumped under transaction.version 2),
    /// then the markers.
    #[allow(clippy::too_many_arguments)]
    fn end_txn(
        &mut self,
        ctx: &mut TxnCtx,
        b: u32,
        from: Node,
        tid: &str,
        pid: i64,
        epoch: i16,
        commit: bool,
    ) -> Delivery {
        let mut error = self.check_producer(b, tid, pid, epoch).err();
        let state = self.transactions.get(tid).map(|m| m.state);
        if error.is_none() {
            let v2 = ctx.transaction_version >= 2;
            error = match (state, commit) {
                (Some(TxnState::Ongoing), _) => {
                    self.end_transaction(ctx, tid, commit, v2);
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
        let epoch = self.transactions.get(tid).map_or(epoch, |m| m.epoch);
        ctx.out.send(
            Node::Broker(b),
            from,
            Body::EndTxnResponse {
                commit,
                epoch,
                error,
            },
        );
        self.delivery(tid, error)
    }

    /// The metadata of a transactional.id the coordinator has already checked exists.
    pub(crate) fn transaction_mut(&mut self, tid: &str) -> &mut TxnMetadata {
        match self.transactions.get_mut(tid) {
            Some(m) => m,
            None => panic!("transactional.id {tid} was checked to exist at its coordinator"),
        }
    }
}
