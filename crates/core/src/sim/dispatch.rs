//! The engine's dispatch: each pending item to the handler of the node it concerns, and each
//! delivered message to the handler of its receiver by request kind (a message to a node that
//! is down, or across a cut link, is lost).

use super::Sim;
use crate::event::Event;
use crate::net::{Body, Message, MessageKind, Node};
use crate::sim::Pending;

impl Sim {
    /// Handles one pending item. `None` for items that turned out stale (a timer that was
    /// superseded): those are not events.
    pub(crate) fn dispatch(&mut self, what: Pending) -> Option<Event> {
        match what {
            Pending::Deliver(id) => {
                let msg = self.messages.remove(&id)?;
                Some(self.deliver(msg))
            }
            Pending::ProduceTick { app, at } => self.on_produce_tick(app, at),
            Pending::SenderWake { producer, at } => self.on_sender_wake(producer, at),
            Pending::FetchExpire { fetch_id } => self.on_fetch_expire(fetch_id),
            Pending::ConsumerPoll { consumer } => self.on_consumer_poll(consumer),
            Pending::ConsumerTimer { consumer } => self.on_consumer_timer(consumer),
            Pending::OffsetFetchRetry { consumer } => self.on_offset_fetch_retry(consumer),
            Pending::OffsetResetRetry { consumer } => self.on_offset_reset_retry(consumer),
            Pending::Pipeline(t) => self.on_pipeline_timer(t),
            Pending::JoinDeadline { group, at } => self.on_join_deadline(group, at),
            Pending::SessionExpire { group, handle, at } => {
                self.on_session_expire(group, handle, at)
            }
            Pending::RetryBlockedSend { producer } => self.on_retry_blocked_send(producer),
            Pending::FinishClose { producer } => self.on_finish_close(producer),
            Pending::FenceBroker { broker } => self.on_fence_broker(broker),
            Pending::RequestTimeout {
                producer,
                request_id,
            } => self.on_request_timeout(producer, request_id),
            Pending::BlockTimeout { producer, at } => self.on_block_timeout(producer, at),
            Pending::ReplicaFetchRetry { follower, leader } => {
                self.on_replica_fetch_retry(follower, leader)
            }
            Pending::Fault { index, end } => self.on_scheduled_fault(index, end),
            Pending::Broker(t) => self.on_broker_timer(t),
            Pending::Txn(t) => self.on_txn_timer(t),
            Pending::ProducerTxn(t) => self.on_client_txn_timer(t),
            Pending::LagSample => self.on_lag_sample(),
            Pending::CoordinatorLoad { group, from } => self.on_coordinator_load(group, from),
        }
    }

    pub(crate) fn deliver(&mut self, msg: Message) -> Event {
        let kind = msg.body.kind();
        let (from, to, id) = (msg.from, msg.to, msg.id);
        if !self.is_down(to) && self.link_cut(from, to) {
            // Lost on a cut link; the waiting side finds out at its timeout.
            self.message_lost(&msg);
            return Event::Delivered {
                message_id: id,
                kind,
                from,
                to,
                detail: crate::event::Delivery::Lost,
            };
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
            return Event::Delivered {
                message_id: id,
                kind,
                from,
                to,
                detail: crate::event::Delivery::Lost,
            };
        }
        let detail = match (to, msg.body) {
            (
                Node::Broker(b),
                Body::Produce {
                    request_id,
                    producer,
                    producer_id,
                    producer_epoch,
                    transactional_id,
                    acks,
                    timeout_ms,
                    batches,
                },
            ) => self.on_produce_request(
                b,
                producer,
                request_id,
                (producer_id, producer_epoch, transactional_id),
                (acks, timeout_ms),
                batches,
            ),
            (
                Node::Producer(p),
                Body::ProduceResponse {
                    request_id,
                    results,
                },
            ) => self.on_produce_response(p, request_id, results),
            (
                Node::Broker(b),
                Body::ReplicaFetch {
                    follower,
                    params,
                    partitions,
                },
            ) => self.on_fetch_request(b, Node::Broker(follower), params, partitions),
            (Node::Broker(f), Body::ReplicaFetchResponse { parts }) => {
                self.on_replica_fetch_response(f, from, parts)
            }
            (
                Node::Broker(b),
                Body::ConsumerFetch {
                    consumer,
                    params,
                    partitions,
                },
            ) => self.on_fetch_request(b, Node::Consumer(consumer), params, partitions),
            (Node::Consumer(c), Body::ConsumerFetchResponse { parts }) => {
                self.on_consumer_fetch_response(c, from, parts)
            }
            (
                Node::Broker(b),
                Body::ListOffsets {
                    consumer,
                    isolation_level,
                    partitions,
                },
            ) => self.on_list_offsets(b, consumer, isolation_level, partitions),
            (Node::Consumer(c), Body::ListOffsetsResponse { partitions }) => {
                self.on_list_offsets_response(c, from, partitions)
            }
            (
                Node::Broker(b),
                body @ (Body::InitProducerId { .. }
                | Body::AddPartitionsToTxn { .. }
                | Body::AddOffsetsToTxn { .. }
                | Body::EndTxn { .. }
                | Body::WriteTxnMarkers { .. }
                | Body::WriteTxnMarkersResponse { .. }),
            ) => self.on_txn_request(b, from, body),
            (Node::Broker(b), body @ Body::TxnOffsetCommit { .. }) => {
                self.on_txn_offset_commit(b, from, body)
            }
            (
                Node::Producer(p),
                body
                @ (Body::AddOffsetsToTxnResponse { .. } | Body::TxnOffsetCommitResponse { .. }),
            ) => self.on_pipeline_response(p, body),
            (Node::Broker(b), body) => self.on_coordinator_request(b, from, body),
            (Node::Consumer(c), body) => self.on_coordinator_response(c, body),
            (Node::Producer(p), body) => self.on_txn_response(p, body),
        };
        Event::Delivered {
            message_id: id,
            kind,
            from,
            to,
            detail,
        }
    }
}
