//! The engine's dispatch: each pending item to the handler of the node it concerns, and each
//! delivered message to the handler of its receiver by request kind (a message to a node that
//! is down, or across a cut link, is lost).

use super::Sim;
use crate::event::Event;
use crate::net::{Message, Node};
use crate::sim::Pending;

impl Sim {
    /// Handles one pending item. `None` for items that turned out stale (a timer that was
    /// superseded): those are not events.
    pub(crate) fn dispatch(&mut self, what: Pending) -> Option<Event> {
        match what {
            Pending::Deliver(id) => {
                // `send` stores each message once under a new id and schedules its one delivery.
                let msg = self.messages.remove(&id).unwrap_or_else(|| {
                    unreachable!("message {id} is delivered twice or was never sent")
                });
                Some(self.deliver(msg))
            }
            Pending::ProduceTick { app, at } => self.on_produce_tick(app, at),
            Pending::SenderWake { producer, at } => self.on_sender_wake(producer, at),
            Pending::ConsumerPoll { consumer } => self.on_consumer_poll(consumer),
            Pending::ConsumerTimer { consumer } => self.on_consumer_timer(consumer),
            Pending::OffsetFetchRetry { consumer } => self.on_offset_fetch_retry(consumer),
            Pending::OffsetResetRetry { consumer } => self.on_offset_reset_retry(consumer),
            Pending::Pipeline(t) => self.on_pipeline_timer(t),
            Pending::Group(t) => self.on_group_timer(t),
            Pending::RetryBlockedSend { producer } => self.on_retry_blocked_send(producer),
            Pending::FinishClose { producer } => self.on_finish_close(producer),
            Pending::Controller(t) => self.on_controller_timer(t),
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
            Pending::ZombieTick { producer, at } => self.on_zombie_tick(producer, at),
            Pending::LagSample => self.on_lag_sample(),
        }
    }

    pub(crate) fn deliver(&mut self, msg: Message) -> Event {
        let kind = msg.body.kind();
        let (from, to, id) = (msg.from, msg.to, msg.id);
        let detail = if self.lost_on_delivery(&msg) {
            crate::event::Delivery::Lost
        } else {
            match to {
                Node::Broker(b) => self.deliver_to_broker(b, from, msg.body),
                Node::Consumer(c) => self.deliver_to_consumer(c, from, msg.body),
                Node::Producer(p) => self.deliver_to_producer(p, msg.body),
            }
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
