//! How a processor's transaction or commit ends: its sendOffsetsToTransaction() returning or
//! throwing, fencing, the transaction's completion, going back to the committed offsets
//! after an abort, the commits a rebalance forces, and a failed at_least_once commit.

use crate::app::pipeline::PipelineTimer;
use crate::app::pipeline::ProcessorPhase;
use crate::consumer::MemberState;
use crate::net::{GroupError, KafkaError};
use crate::sim::{Pending, Sim};

impl Sim {
    /// The processor's sendOffsetsToTransaction(): its AddOffsetsToTxn succeeded, the
    /// TxnOffsetCommit is out.
    pub(crate) fn pipeline_offsets_added(&mut self, idx: u32) {
        let Some(pr) = self.processor_of_producer(idx) else {
            return;
        };
        if self.processor(pr).phase == ProcessorPhase::AddingOffsets {
            self.set_phase(pr, ProcessorPhase::CommittingOffsets);
        }
    }

    /// sendOffsetsToTransaction() returned: commitTransaction().
    pub(crate) fn pipeline_offsets_committed(&mut self, idx: u32) {
        let Some(pr) = self.processor_of_producer(idx) else {
            return;
        };
        self.set_phase(pr, ProcessorPhase::CommittingTransaction);
        self.txn_end(idx, true);
    }

    /// sendOffsetsToTransaction() threw CommitFailedException (a stale generation, an unknown
    /// member, a fenced instance): the transaction is aborted and the work redone from the
    /// committed offsets (Streams' TaskMigratedException).
    pub(crate) fn pipeline_offsets_refused(&mut self, idx: u32, _error: GroupError) {
        let Some(pr) = self.processor_of_producer(idx) else {
            return;
        };
        self.set_phase(pr, ProcessorPhase::AbortingTransaction);
        self.txn_end(idx, false);
    }

    /// The producer of a processor is fenced (or its transaction timed out): a new producer
    /// with the same transactional.id (initTransactions again), and the work starts again
    /// from the committed offsets.
    pub(crate) fn pipeline_fenced(&mut self, pr: u32, _error: KafkaError) {
        self.pipeline_new_producer(pr, false);
        self.pipeline_rewind(pr);
        self.processor_mut(pr).aborts += 1;
        self.pipeline_resume_poll(pr);
    }

    /// A transaction of a processor's producer ended (`txn_completed`).
    pub(crate) fn pipeline_txn_done(&mut self, idx: u32, commit: bool) -> bool {
        let Some(pr) = self.processor_of_producer(idx) else {
            return false;
        };
        let p = self.processor(pr);
        match p.phase {
            ProcessorPhase::CommittingTransaction | ProcessorPhase::AbortingTransaction => {
                if commit {
                    self.processor_mut(pr).commits += 1;
                } else {
                    self.processor_mut(pr).aborts += 1;
                    self.pipeline_rewind(pr);
                }
                self.pipeline_resume_poll(pr);
            }
            _ => {}
        }
        true
    }

    /// A processor's producer finished initTransactions(): records waiting for it are
    /// processed now.
    pub(crate) fn pipeline_producer_ready(&mut self, idx: u32) -> bool {
        let Some(pr) = self.processor_of_producer(idx) else {
            return false;
        };
        let p = self.processor(pr);
        if p.phase == ProcessorPhase::WaitingInit {
            let c = p.consumer;
            self.set_phase(pr, ProcessorPhase::Polling);
            self.poll_now(c);
        }
        true
    }

    /// After an abort: the positions go back to the committed offsets (Streams closes the
    /// tasks dirty and reinitializes them): what was consumed is fetched again.
    pub(crate) fn pipeline_rewind(&mut self, pr: u32) {
        let p = self.processor(pr);
        let c = p.consumer;
        self.processor_mut(pr).batch.clear();
        let Some(cons) = self.consumers.get_mut(c as usize) else {
            return;
        };
        if !cons.alive || cons.assignment.is_empty() {
            return;
        }
        cons.positions.clear();
        cons.resets.clear();
        cons.buffer.clear();
        if matches!(
            cons.state,
            MemberState::Stable | MemberState::FetchingOffsets
        ) {
            cons.state = MemberState::FetchingOffsets;
            self.send_offset_fetch(c);
        }
    }

    /// At-least-once: flush() returned (the producer has nothing queued or in flight):
    /// commitSync() of the positions. A flush of a producer that is no longer the
    /// processor's, or of a processor that went on meanwhile (fenced, crashed), is not waited
    /// for.
    pub(crate) fn pipeline_flushed(&mut self, idx: u32) {
        let Some(pr) = self.processor_of_producer(idx) else {
            return;
        };
        if self.processor(pr).phase != ProcessorPhase::Flushing {
            return;
        }
        assert!(
            self.producer(idx).drained(),
            "flush() returns only once nothing is queued or in flight"
        );
        let c = self.processor(pr).consumer;
        let stable = self.consumers.get(c as usize).is_some_and(|cons| {
            matches!(
                cons.state,
                MemberState::Stable | MemberState::FetchingOffsets
            ) && !cons.positions.is_empty()
        });
        self.set_phase(pr, ProcessorPhase::CommittingOffsetsSync);
        if !stable {
            // RebalanceInProgressException: committed again once the member is stable
            // (whatever moved meanwhile is redone by its next owner).
            self.pipeline_commit_failed(c);
            if let Some(cons) = self.consumers.get_mut(c as usize) {
                cons.commit_sync_wait = None;
            }
            self.poll_now(c);
            return;
        }
        let id = self.send_commit(c);
        self.block_in_commit_sync(c, id);
    }

    /// An at-least-once processor with nothing in progress (its processed records are
    /// flushed): it commits its positions when a rebalance starts and before it gives
    /// partitions up.
    pub(crate) fn pipeline_commits_on_rebalance(&self, c: u32) -> bool {
        let Some(pr) = self.processor_of_consumer(c) else {
            return false;
        };
        let p = self.processor(pr);
        p.transactional_id.is_none() && p.phase == ProcessorPhase::Polling && p.batch.is_empty()
    }

    /// At-least-once: a processor's offset commit failed (a rebalance, a stale generation):
    /// it commits its positions again once its member is stable.
    pub(crate) fn pipeline_commit_failed(&mut self, c: u32) {
        let Some(pr) = self.processor_of_consumer(c) else {
            return;
        };
        if self.processor(pr).transactional_id.is_some() {
            return;
        }
        let was = self.processor(pr).needs_commit;
        self.processor_mut(pr).needs_commit = true;
        if !was {
            self.schedule_commit_retry(pr);
        }
    }

    pub(crate) fn schedule_commit_retry(&mut self, pr: u32) {
        let at = self.now.plus(100_000);
        self.schedule(
            at,
            Pending::Pipeline(PipelineTimer::CommitRetry { processor: pr }),
        );
    }

    /// Between a produce and its commit: at-least-once, the output is acknowledged and the
    /// offset commit not done (a crash repeats the work); exactly-once, the offsets are in
    /// the transaction (pending at the group coordinator) and EndTxn is not sent yet (a crash
    /// leaves the transaction open).
    pub(crate) fn processor_between_produce_and_commit(&self, pr: u32) -> bool {
        let p = self.processor(pr);
        match p.phase {
            // The output's requests are out (the leaders will append them), the offsets
            // not committed yet.
            ProcessorPhase::Flushing => {
                let x = self.producer(p.producer);
                x.accumulator.is_empty() && !x.in_flight.is_empty()
            }
            ProcessorPhase::CommittingOffsets | ProcessorPhase::CommittingTransaction => {
                let x = self.producer(p.producer);
                let pending = self.pipeline.as_ref().is_some_and(|pl| {
                    self.groups()
                        .get(pl.group as usize)
                        .is_some_and(|g| g.pending_txn_offsets.contains_key(&x.producer_id))
                });
                pending && x.txn.as_ref().is_some_and(|t| !t.request_in_flight)
            }
            _ => false,
        }
    }
}
