//! A delivered message handed to its receiver's handler, by the receiver's role (a broker: its
//! requests, follower fetch answers and coordinator requests; a consumer or a producer: the
//! answers it waits for), or lost on the way (a cut link, a receiver that is down).

use super::Sim;
use crate::event::Delivery;
use crate::net::{Body, Message, MessageKind, Node};

impl Sim {
    /// Whether `msg` is lost instead of delivered: across a cut link (the waiting side finds
    /// out at its timeout), or with a receiver that is down (a follower's fetch session to or
    /// from it ends).
    pub(super) fn lost_on_delivery(&mut self, msg: &Message) -> bool {
        let (from, to, kind) = (msg.from, msg.to, msg.body.kind());
        if !self.is_down(to) && self.link_cut(from, to) {
            // Lost on a cut link; the waiting side finds out at its timeout.
            self.message_lost(msg);
            return true;
        }
        if self.is_down(to) || self.consumer_down(to) {
            // Lost with the process; a follower's fetch session to or from it ends.
            match (from, to) {
                (Node::Broker(f), Node::Broker(l)) if kind == MessageKind::ReplicaFetch => {
                    self.replica_fetchers.remove(&(f, l));
                }
                (Node::Broker(l), Node::Broker(f)) => {
                    self.replica_fetchers.remove(&(f, l));
                }
                _ => {}
            }
            return true;
        }
        false
    }

    /// A message to broker `b`: a request to it as partition leader, as follower, or as group
    /// or transaction coordinator.
    pub(super) fn deliver_to_broker(&mut self, b: u32, from: Node, body: Body) -> Delivery {
        match body {
            Body::Produce {
                request_id,
                producer,
                producer_id,
                producer_epoch,
                transactional_id,
                acks,
                timeout_ms,
                batches,
            } => self.on_produce_request(
                b,
                producer,
                request_id,
                (producer_id, producer_epoch, transactional_id),
                (acks, timeout_ms),
                batches,
            ),
            Body::ReplicaFetch {
                follower,
                params,
                partitions,
            } => self.on_fetch_request(b, Node::Broker(follower), params, partitions),
            Body::ReplicaFetchResponse { parts } => self.on_replica_fetch_response(b, from, parts),
            Body::ConsumerFetch {
                consumer,
                params,
                partitions,
            } => self.on_fetch_request(b, Node::Consumer(consumer), params, partitions),
            Body::ListOffsets {
                consumer,
                isolation_level,
                partitions,
            } => self.on_list_offsets(b, consumer, isolation_level, partitions),
            body @ (Body::InitProducerId { .. }
            | Body::AddPartitionsToTxn { .. }
            | Body::VerifyPartitionsInTxn { .. }
            | Body::AddOffsetsToTxn { .. }
            | Body::EndTxn { .. }
            | Body::WriteTxnMarkers { .. }
            | Body::WriteTxnMarkersResponse { .. }) => self.on_txn_request(b, from, body),
            Body::VerifyPartitionsInTxnResponse {
                verification,
                results,
            } => self.on_verification_response(b, verification, results),
            body @ Body::TxnOffsetCommit { .. } => self.on_txn_offset_commit(b, from, body),
            body => self.on_coordinator_request(b, from, body),
        }
    }

    /// A message to consumer `c`: a fetch or ListOffsets answer, or its coordinator's.
    pub(super) fn deliver_to_consumer(&mut self, c: u32, from: Node, body: Body) -> Delivery {
        match body {
            Body::ConsumerFetchResponse { parts } => {
                self.on_consumer_fetch_response(c, from, parts)
            }
            Body::ListOffsetsResponse { partitions } => {
                self.on_list_offsets_response(c, from, partitions)
            }
            body => self.on_coordinator_response(c, body),
        }
    }

    /// A message to producer `p`: a produce answer, a pipeline processor's offsets answers, or
    /// its transaction coordinator's.
    pub(super) fn deliver_to_producer(&mut self, p: u32, body: Body) -> Delivery {
        match body {
            Body::ProduceResponse {
                request_id,
                results,
            } => self.on_produce_response(p, request_id, results),
            Body::AddOffsetsToTxnResponse { error } => self.on_add_offsets_response(p, error),
            Body::TxnOffsetCommitResponse {
                error,
                producer_error,
            } => self.on_txn_offset_commit_response(p, error, producer_error),
            body => self.on_txn_response(p, body),
        }
    }
}
