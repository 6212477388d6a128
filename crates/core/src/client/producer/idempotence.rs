//! The idempotent producer's producer id: Kafka's `TransactionManager` for a producer without
//! a transactional.id (`bumpIdempotentEpochAndResetIdIfNeeded`, `InitProducerIdHandler`).
//! Before its first produce it sends InitProducerId (transactional_id null,
//! transaction_timeout_ms `Integer.MAX_VALUE`, producer_id and producer_epoch -1) to the
//! least-loaded broker; any broker answers (no coordinator lookup), with a new producer id
//! and epoch 0. Until the id arrives the sender drains nothing (`Sender.runOnce` returns while
//! the transactional request is in flight), so the first batches wait in the accumulator.
//!
//! Simplified: the least-loaded broker is the reachable broker with the fewest of this
//! producer's produce requests in flight, the lowest id on a tie (Kafka's `leastLoadedNode`
//! counts every request on the connection and starts from a random node); a request that got
//! no answer within request.timeout.ms is sent again at once to the broker least loaded then
//! (Kafka's waits retry.backoff.ms more); with no broker reachable it tries again after
//! retry.backoff.ms; the epoch is never bumped (no `epochBumpRequired` after an unresolved
//! sequence).

use crate::event::{Delivery, Event};
use crate::net::{Body, Node};
use crate::producer::context::{ProducerCtx, ProducerTimer};
use crate::producer::transaction::ClientTxnTimer;
use crate::producer::{Producer, ProducerState};

/// `Integer.MAX_VALUE`: the transaction timeout an idempotent producer's InitProducerId carries.
pub const IDEMPOTENT_TRANSACTION_TIMEOUT_MS: u64 = i32::MAX as u64;

/// Where an idempotent (non-transactional) producer's InitProducerId is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProducerIdRequest {
    /// The broker the request is out to, while it is.
    pub in_flight_to: Option<u32>,
    /// InitProducerId requests sent so far.
    pub sent: u32,
    /// Numbers the sends, so a retry timer knows whether it is the one due.
    pub seq: u64,
}

impl Producer {
    /// Whether this producer is idempotent without a transactional.id and has no producer id
    /// yet: the sender waits (`TransactionManager.hasProducerId` is false).
    pub fn awaits_producer_id(&self) -> bool {
        self.idempotent && self.txn.is_none() && self.producer_id < 0
    }

    /// InitProducerId to the least-loaded broker; with none reachable, a retry after
    /// retry.backoff.ms. Returns the broker it went to.
    pub(crate) fn send_init_producer_id(&mut self, ctx: &mut ProducerCtx) -> Option<u32> {
        let idx = self.index;
        self.producer_id_request.seq += 1;
        let seq = self.producer_id_request.seq;
        let Some(broker) = self.least_loaded_broker(ctx) else {
            self.producer_id_request.in_flight_to = None;
            let backoff = self.config.retry_backoff_ms.value.max(1) * 1000;
            let timer = ClientTxnTimer::ProducerIdRetry { producer: idx, seq };
            ctx.out
                .timer(ctx.now.plus(backoff), ProducerTimer::Txn(timer));
            return None;
        };
        self.producer_id_request.in_flight_to = Some(broker);
        self.producer_id_request.sent += 1;
        ctx.out.send(
            Node::Producer(idx),
            Node::Broker(broker),
            Body::InitProducerId {
                producer: idx,
                transactional_id: None,
                transaction_timeout_ms: IDEMPOTENT_TRANSACTION_TIMEOUT_MS,
                producer_id: self.producer_id,
                producer_epoch: self.epoch,
            },
        );
        let timeout = self.config.request_timeout_ms.value.max(1) * 1000;
        let timer = ClientTxnTimer::ProducerIdRetry { producer: idx, seq };
        ctx.out
            .timer(ctx.now.plus(timeout), ProducerTimer::Txn(timer));
        Some(broker)
    }

    /// `leastLoadedNode`: the reachable broker with the fewest requests in flight from this
    /// producer (the lowest id on a tie).
    fn least_loaded_broker(&self, ctx: &ProducerCtx) -> Option<u32> {
        (0..ctx.metadata.broker_count() as u32)
            .filter(|&b| ctx.metadata.broker_up(b) && !ctx.metadata.refuses_connections(b))
            .min_by_key(|&b| {
                let load = self.in_flight_per_broker.get(b as usize).copied();
                (load.unwrap_or(0), b)
            })
    }

    /// The InitProducerId answer: the producer id and epoch are set, sequences start at 0
    /// and the sender drains the batches that waited. An answer after the id came (a request
    /// sent again after a timeout) changes nothing.
    pub(crate) fn on_producer_id_response(
        &mut self,
        ctx: &mut ProducerCtx,
        body: Body,
    ) -> Delivery {
        let Body::InitProducerIdResponse {
            producer_id,
            epoch,
            error,
        } = body
        else {
            unreachable!(
                "a producer without a transactional.id gets only InitProducerId answers here"
            )
        };
        if error.is_none() && self.awaits_producer_id() {
            self.producer_id = producer_id;
            self.epoch = epoch;
            self.producer_id_request.in_flight_to = None;
            self.next_sequence.iter_mut().for_each(|s| *s = 0);
            self.sender_run(ctx);
        }
        Delivery::Txn { state: None, error }
    }

    /// The retry timer: the request got no answer in time (or no broker was reachable), so
    /// it is sent again; stale when the id came or a later send superseded it.
    pub(crate) fn on_producer_id_timer(
        &mut self,
        ctx: &mut ProducerCtx,
        seq: u64,
    ) -> Option<Event> {
        if self.crashed
            || self.state == ProducerState::Closed
            || !self.awaits_producer_id()
            || self.producer_id_request.seq != seq
        {
            return None;
        }
        let broker = self.send_init_producer_id(ctx);
        Some(Event::ProducerIdRetried {
            producer: self.index,
            broker,
        })
    }
}
