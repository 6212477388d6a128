//! A processor's loop as a Kafka Streams task runs it: poll, transform and send, then
//! sendOffsetsToTransaction and commitTransaction (exactly_once_v2) or flush and commitSync
//! (at_least_once); its retries and request timeouts.

use crate::app::pipeline::PipelineAction;
use crate::app::pipeline::PipelineTimer;
use crate::app::pipeline::ProcessorPhase;
use crate::consumer::{BufferedRecord, MemberState};
use crate::event::Event;
use crate::net::TopicPartitionId;
use crate::producer::transaction::{ClientTxnState, OffsetsStep, TxnOffsets};
use crate::sim::Sim;
use crate::time::SimTime;
use alloc::vec::Vec;

impl Sim {
    /// The processor's application is blocked (in a commit) until `pipeline_resume_poll`.
    pub(crate) fn block_consumer(&mut self, c: u32) {
        if let Some(cons) = self.consumers.get_mut(c as usize) {
            cons.busy_until = Some(SimTime(u64::MAX));
        }
    }

    /// The processor's loop polls again now.
    pub(crate) fn pipeline_resume_poll(&mut self, pr: u32) {
        let p = self.processor(pr);
        let c = p.consumer;
        self.set_phase(pr, ProcessorPhase::Polling);
        self.processor_mut(pr).batch.clear();
        self.poll_now(c);
    }

    /// At a processor's `poll()`: when the last poll's records are processed, their output
    /// is sent and committed first (the loop polls again once that completed). `Some`: the
    /// poll does not happen now.
    pub(crate) fn pipeline_before_poll(&mut self, c: u32) -> Option<Option<Event>> {
        let pr = self.processor_of_consumer(c)?;
        let p = self.processor(pr);
        match p.phase {
            ProcessorPhase::CommittingOffsetsSync => {
                // commitSync() returned (or failed): the next poll.
                let done = self.consumers.get(c as usize)?.commit_sync_wait.is_none();
                if !done {
                    return Some(None);
                }
                let p = self.processor_mut(pr);
                p.commits += 1;
                p.batch.clear();
                p.phase = ProcessorPhase::Polling;
                None
            }
            ProcessorPhase::Polling if !p.batch.is_empty() => Some(self.pipeline_emit(pr)),
            ProcessorPhase::Polling => None,
            _ => Some(None),
        }
    }

    /// The records `poll()` just returned to a processor: processed until its next poll.
    pub(crate) fn pipeline_polled(&mut self, c: u32, records: &[BufferedRecord]) {
        let Some(pr) = self.processor_of_consumer(c) else {
            return;
        };
        let Some(cons) = self.consumers.get(c as usize) else {
            return;
        };
        let offsets: Vec<(TopicPartitionId, u64)> =
            cons.positions.iter().map(|(tp, o)| (*tp, *o)).collect();
        let (generation, member_id) = (cons.generation, cons.member_id.clone());
        let p = self.processor_mut(pr);
        p.batch
            .extend(records.iter().map(|r| (r.tp, r.offset, r.entry.key)));
        p.batch_offsets = offsets;
        p.batch_generation = generation;
        p.batch_member_id = member_id;
    }

    /// Sends the output of the processed records and starts the commit.
    pub(crate) fn pipeline_emit(&mut self, pr: u32) -> Option<Event> {
        let p = self.processor(pr);
        let (c, idx) = (p.consumer, p.producer);
        let eos = p.transactional_id.is_some();
        if eos {
            let state = self.producers.get(idx as usize)?.txn.as_ref()?.state;
            match state {
                ClientTxnState::Ready => {}
                ClientTxnState::Fatal => {
                    self.pipeline_new_producer(pr, false);
                    self.block_consumer(c);
                    self.set_phase(pr, ProcessorPhase::WaitingInit);
                    return None;
                }
                _ => {
                    self.block_consumer(c);
                    self.set_phase(pr, ProcessorPhase::WaitingInit);
                    return None;
                }
            }
            self.txn_begin(idx);
        }
        let batch = self.processor(pr).batch.clone();
        let out_parts = self
            .topics
            .get(self.pipeline.as_ref()?.output_topic as usize)?
            .partitions
            .len() as u32;
        for &(tp, offset, key) in &batch {
            let rec = self.make_output_record(idx, key, tp.partition % out_parts.max(1));
            if let Some(pl) = self.pipeline.as_mut() {
                pl.origins.insert(rec.id, (tp.partition, offset));
            }
            self.send_output_record(idx, rec);
        }
        let n = batch.len() as u32;
        self.processor_mut(pr).processed += n as u64;
        self.block_consumer(c);
        if eos {
            self.pipeline_send_offsets(pr);
        } else {
            self.set_phase(pr, ProcessorPhase::Flushing);
            self.flush(idx);
        }
        Some(Event::PipelineStep {
            processor: pr,
            action: PipelineAction::Produced { records: n },
        })
    }

    /// sendOffsetsToTransaction() of the positions after the last poll, with the consumer's
    /// group metadata captured then (AddOffsetsToTxn first under transaction.version 1).
    fn pipeline_send_offsets(&mut self, pr: u32) {
        let p = self.processor(pr);
        let (c, idx) = (p.consumer, p.producer);
        let group = self.pipeline.as_ref().map_or(0, |pl| pl.group);
        let offsets = TxnOffsets {
            group,
            offsets: p.batch_offsets.clone(),
            member_id: p.batch_member_id.clone(),
            generation: p.batch_generation,
            instance_id: self.consumer(c).instance_id.clone(),
        };
        let phase = match self.send_offsets_to_transaction(idx, offsets) {
            OffsetsStep::AddingOffsets => ProcessorPhase::AddingOffsets,
            OffsetsStep::Committing => ProcessorPhase::CommittingOffsets,
        };
        self.set_phase(pr, phase);
    }

    pub(crate) fn on_pipeline_timer(&mut self, t: PipelineTimer) -> Option<Event> {
        match t {
            PipelineTimer::CommitRetry { processor } => {
                let p = self.processor(processor);
                if !p.needs_commit || p.phase == ProcessorPhase::Crashed {
                    return None;
                }
                let c = p.consumer;
                let cons = self.consumers.get(c as usize)?;
                let ready = cons.alive
                    && cons.state == MemberState::Stable
                    && cons.busy_until.is_none()
                    && !cons.positions.is_empty()
                    && p.phase == ProcessorPhase::Polling;
                if !ready {
                    self.schedule_commit_retry(processor);
                    return None;
                }
                let p = self.processor_mut(processor);
                p.needs_commit = false;
                p.phase = ProcessorPhase::CommittingOffsetsSync;
                let id = self.send_commit(c);
                self.block_in_commit_sync(c, id);
                Some(Event::PipelineStep {
                    processor,
                    action: PipelineAction::Retried,
                })
            }
        }
    }
}
