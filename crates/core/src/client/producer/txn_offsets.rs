//! `KafkaProducer.sendOffsetsToTransaction()`'s first step under transaction.version 1:
//! AddOffsetsToTxn puts the consumer group's `__consumer_offsets` partition in the open
//! transaction (the coordinator then expects its markers); the transaction manager sends it
//! again when it times out, and hands the answer back to the application
//! (`ClientCallback::OffsetsAdded`).
//!
//! Simplified: the second step, TxnOffsetCommit to the group coordinator (under
//! transaction.version 2 the only one, KIP-890), is still sent by the pipeline's processor
//! (`app::pipeline::processor`), which then calls commitTransaction().

use crate::client::callback::ClientCallback;
use crate::event::Delivery;
use crate::net::{Body, KafkaError, Node};
use crate::sim::Sim;

impl Sim {
    /// Sends AddOffsetsToTxn for `group`'s offsets to the transaction coordinator (one
    /// transactional request in flight at a time).
    pub(crate) fn send_add_offsets_to_txn(&mut self, idx: u32, group: u32) {
        let prod = self.producer_mut(idx);
        let (producer_id, epoch) = (prod.producer_id, prod.epoch);
        let t = prod
            .txn
            .as_mut()
            .expect("only a transactional producer sends offsets to its transaction");
        t.request_in_flight = true;
        t.adding_offsets_of = Some(group);
        let (coordinator, transactional_id) = (t.coordinator, t.transactional_id.clone());
        self.send(
            Node::Producer(idx),
            Node::Broker(coordinator),
            Body::AddOffsetsToTxn {
                producer: idx,
                transactional_id,
                producer_id,
                epoch,
                group,
            },
        );
        self.txn_request_sent(idx);
    }

    /// The coordinator's AddOffsetsToTxnResponse: the group is in the transaction (or not,
    /// with `error`); the application decides what follows.
    pub(crate) fn on_add_offsets_response(
        &mut self,
        idx: u32,
        error: Option<KafkaError>,
    ) -> Delivery {
        let t = self
            .producer_mut(idx)
            .txn
            .as_mut()
            .expect("AddOffsetsToTxn answers come only to a transactional producer");
        t.request_in_flight = false;
        t.adding_offsets_of = None;
        if error.is_none() {
            t.offsets_added = true;
        }
        self.return_to_application(ClientCallback::OffsetsAdded {
            producer: idx,
            error,
        });
        Delivery::Txn { state: None, error }
    }

    /// An AddOffsetsToTxn unanswered for request.timeout.ms is sent again; `false` when the
    /// request out is another one.
    pub(crate) fn resend_add_offsets_to_txn(&mut self, idx: u32) -> bool {
        let group = self
            .producer(idx)
            .txn
            .as_ref()
            .and_then(|t| t.adding_offsets_of);
        match group {
            Some(group) => {
                self.send_add_offsets_to_txn(idx, group);
                true
            }
            None => false,
        }
    }
}
