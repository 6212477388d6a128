//! KIP-890's verification at a partition leader (`ReplicaManager.appendRecordsWithTransactionVerification`,
//! `AddPartitionsToTxnManager`): a transactional produce whose batch opens a transaction in a
//! partition (the leader's log shows no open transaction of that producer id and epoch) is held
//! until the transaction coordinator answers the leader's AddPartitionsToTxn: under
//! transaction.version 1 it verifies that the partition is in the ongoing transaction
//! (`verifyOnly`, which closes the hanging-transaction hole), under 2 it adds it (the implicit
//! add that replaces the client's AddPartitionsToTxn). A batch of a transaction the log already
//! shows open is appended at once. The coordinator's refusals answer the held batches:
//! PRODUCER_FENCED as INVALID_PRODUCER_EPOCH (what the produce path expects), NOT_COORDINATOR
//! as NOT_ENOUGH_REPLICAS (retriable: the producer sends again and the leader asks the new
//! coordinator); so does no answer within the inter-broker request.timeout.ms (30 s).
//!
//! Simplified: one verification request per held produce (Kafka's manager batches the
//! partitions of several producers per coordinator node).

use crate::broker::context::{partition, BrokerCtx};
use crate::broker::purgatory::{PendingVerification, ProducerIds};
use crate::broker::state::Brokers;
use crate::broker::timers::BrokerTimer;
use crate::cluster::Topic;
use crate::config::Acks;
use crate::event::{Delivery, Event};
use crate::net::{Body, KafkaError, Node, TopicPartitionId};
use crate::producer::accumulator::ProducerBatch;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// The inter-broker request.timeout.ms of the leader's AddPartitionsToTxnManager (30 s).
pub(crate) const VERIFICATION_TIMEOUT_US: u64 = 30_000_000;

impl Brokers {
    /// The partitions of a transactional produce at `b` that need the coordinator's answer:
    /// led here, and without an open transaction of this producer id and epoch in the log.
    pub(crate) fn partitions_to_verify(
        &self,
        topics: &[Topic],
        b: u32,
        (pid, epoch, _): &ProducerIds,
        batches: &[(TopicPartitionId, ProducerBatch)],
    ) -> Vec<TopicPartitionId> {
        let mut out: Vec<TopicPartitionId> = Vec::new();
        for (tp, _) in batches {
            let leads = partition(topics, *tp).is_some_and(|p| p.leader == Some(b));
            let open = self
                .partition_txns
                .get(tp)
                .is_some_and(|t| t.ongoing.contains_key(pid) && t.epochs.get(pid) == Some(epoch));
            if leads && !open && !out.contains(tp) {
                out.push(*tp);
            }
        }
        out
    }

    /// Holds the produce and asks the coordinator (`AddPartitionsToTxnManager.addOrVerifyTransaction`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn hold_for_verification(
        &mut self,
        ctx: &mut BrokerCtx,
        b: u32,
        producer: u32,
        request_id: u64,
        ids: ProducerIds,
        (acks, timeout_ms): (Acks, u64),
        batches: Vec<(TopicPartitionId, ProducerBatch)>,
        partitions: Vec<TopicPartitionId>,
    ) -> Delivery {
        let Some(tid) = ids.2.clone() else {
            unreachable!("only a transactional produce is verified")
        };
        let id = self.next_verification_id;
        self.next_verification_id += 1;
        // The coordinator, from the metadata of `__transaction_state`.
        let (_, coordinator) = ctx.txn.coordinator_of(&tid);
        let verify_only = ctx.settings.transaction_version < 2;
        let n = partitions.len() as u32;
        ctx.out.send(
            Node::Broker(b),
            Node::Broker(coordinator),
            Body::VerifyPartitionsInTxn {
                verification: id,
                transactional_id: tid,
                producer_id: ids.0,
                epoch: ids.1,
                partitions: partitions.clone(),
                verify_only,
            },
        );
        ctx.out.timer(
            ctx.now.plus(VERIFICATION_TIMEOUT_US),
            BrokerTimer::VerificationTimeout { verification: id },
        );
        ctx.txn_verifications.push(PendingVerification {
            id,
            broker: b,
            producer,
            request_id,
            ids,
            acks,
            timeout_ms,
            batches,
            partitions,
        });
        Delivery::ProduceAwaitsVerification { partitions: n }
    }

    /// The coordinator's answer: the held produce is appended, its refused partitions
    /// answered with the error.
    pub(crate) fn on_verification_response(
        &mut self,
        ctx: &mut BrokerCtx,
        b: u32,
        verification: u64,
        results: Vec<(TopicPartitionId, Option<KafkaError>)>,
    ) -> Delivery {
        let Some(i) = ctx
            .txn_verifications
            .iter()
            .position(|v| v.id == verification && v.broker == b)
        else {
            // It timed out already, or the leader restarted meanwhile: nothing waits for it.
            return Delivery::Txn {
                state: None,
                error: None,
            };
        };
        let v = ctx.txn_verifications.remove(i);
        let outcome: BTreeMap<TopicPartitionId, Option<KafkaError>> = results
            .into_iter()
            .map(|(tp, e)| (tp, e.map(produce_error)))
            .collect();
        self.append_produce(
            ctx,
            v.broker,
            v.producer,
            v.request_id,
            v.ids,
            (v.acks, v.timeout_ms),
            v.batches,
            &outcome,
        )
    }

    /// No answer within request.timeout.ms: the held batches are answered NOT_ENOUGH_REPLICAS.
    pub(crate) fn on_verification_timeout(
        &mut self,
        ctx: &mut BrokerCtx,
        verification: u64,
    ) -> Option<Event> {
        let i = ctx
            .txn_verifications
            .iter()
            .position(|v| v.id == verification)?;
        let v = ctx.txn_verifications.remove(i);
        let outcome: BTreeMap<TopicPartitionId, Option<KafkaError>> = v
            .partitions
            .iter()
            .map(|tp| (*tp, Some(KafkaError::NotEnoughReplicas)))
            .collect();
        let broker = v.broker;
        let producer = v.producer;
        self.append_produce(
            ctx,
            v.broker,
            v.producer,
            v.request_id,
            v.ids,
            (v.acks, v.timeout_ms),
            v.batches,
            &outcome,
        );
        Some(Event::VerificationTimedOut { broker, producer })
    }
}

/// A coordinator's answer as the produce path reports it (`AddPartitionsToTxnManager`).
fn produce_error(e: KafkaError) -> KafkaError {
    match e {
        KafkaError::ProducerFenced => KafkaError::InvalidProducerEpoch,
        KafkaError::NotCoordinator => KafkaError::NotEnoughReplicas,
        other => other,
    }
}
