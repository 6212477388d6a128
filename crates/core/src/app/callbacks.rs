//! The applications' side of the clients' callbacks (`client::callback`): each answer goes to
//! the application that owns the client (a pipeline processor, the transactional or plain
//! producing application), as a Java application's listener, callback or blocked call gets it.
//! An answer no application waits for is dropped: a plain consumer's listener does nothing
//! beyond what auto-commit does, and a failed commit of a plain consumer is only logged.

use crate::client::callback::ClientCallback;
use crate::sim::Sim;

impl Sim {
    /// Hands a client's answer to its application, at once.
    pub(crate) fn return_to_application(&mut self, callback: ClientCallback) {
        match callback {
            ClientCallback::PartitionsRevoked {
                consumer,
                positions,
            } => {
                // A pipeline processor at least once commits the positions of what it gives
                // up, as Streams commits its tasks when a rebalance starts and before it hands
                // them over.
                if self.pipeline_commits_on_rebalance(consumer) {
                    self.send_commit_of(consumer, positions);
                }
            }
            ClientCallback::CommitFailed { consumer, .. } => self.pipeline_commit_failed(consumer),
            ClientCallback::SendReturned {
                producer,
                created_at,
            } => self.sync_send_returned(producer, created_at),
            ClientCallback::Flushed { producer } => self.pipeline_flushed(producer),
            ClientCallback::Initialized { producer } => {
                if !self.pipeline_producer_ready(producer) {
                    self.txn_resume(producer);
                }
            }
            ClientCallback::OffsetsAdded { producer } => self.pipeline_offsets_added(producer),
            ClientCallback::OffsetsCommitted { producer } => {
                self.pipeline_offsets_committed(producer)
            }
            ClientCallback::OffsetsRefused { producer, error } => {
                self.pipeline_offsets_refused(producer, error)
            }
            ClientCallback::TransactionCompleted { producer, commit } => {
                if !self.pipeline_txn_done(producer, commit) {
                    self.txn_resume(producer);
                }
            }
            ClientCallback::Fenced { producer, error } => {
                if let Some(pr) = self.processor_of_producer(producer) {
                    self.pipeline_fenced(pr, error);
                }
            }
        }
    }
}
