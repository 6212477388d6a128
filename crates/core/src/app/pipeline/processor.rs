//! A processor's loop as a Kafka Streams task runs it: poll, transform and send, then
//! sendOffsetsToTransaction and commitTransaction (exactly_once_v2) or flush and commitSync
//! (at_least_once); its retries and request timeouts.

use crate::app::pipeline::PipelineAction;
use crate::app::pipeline::PipelineTimer;
use crate::app::pipeline::ProcessorPhase;
use crate::consumer::{BufferedRecord, MemberState};
use crate::event::Event;
use crate::net::{Body, Node, TopicPartitionId};
use crate::producer::transaction::ClientTxnState;
use crate::sim::{Pending, Sim};
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
            self.txn_begin(idx, false);
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
            self.producers[idx as usize].stats.records_sent += 1;
            self.send_output_record(idx, rec);
        }
        let n = batch.len() as u32;
        self.processor_mut(pr).processed += n as u64;
        self.block_consumer(c);
        if eos {
            self.pipeline_send_offsets(pr);
        } else {
            self.set_phase(pr, ProcessorPhase::Flushing);
            self.sender_run(idx);
            self.pipeline_check_flush(idx);
        }
        Some(Event::PipelineStep {
            processor: pr,
            action: PipelineAction::Produced { records: n },
        })
    }

    /// sendOffsetsToTransaction(): AddOffsetsToTxn first under transaction.version 1.
    pub(crate) fn pipeline_send_offsets(&mut self, pr: u32) {
        let p = self.processor(pr);
        let idx = p.producer;
        let group = self.pipeline.as_ref().map_or(0, |p| p.group);
        let prod = self.producer_mut(idx);
        let (pid, epoch) = (prod.producer_id, prod.epoch);
        let t = prod
            .txn
            .as_mut()
            .expect("only an exactly_once_v2 processor, whose producer is transactional, sends offsets to its transaction");
        if t.version < 2 && !t.offsets_added {
            t.request_in_flight = true;
            let (coord, tid) = (t.coordinator, t.transactional_id.clone());
            self.set_phase(pr, ProcessorPhase::AddingOffsets);
            self.send(
                Node::Producer(idx),
                Node::Broker(coord),
                Body::AddOffsetsToTxn {
                    producer: idx,
                    transactional_id: tid,
                    producer_id: pid,
                    epoch,
                    group,
                },
            );
            self.txn_request_sent(idx);
        } else {
            self.pipeline_send_txn_offset_commit(pr);
        }
    }

    /// TxnOffsetCommit to the group coordinator with the consumer's group metadata.
    pub(crate) fn pipeline_send_txn_offset_commit(&mut self, pr: u32) {
        let p = self.processor(pr);
        let (c, idx) = (p.consumer, p.producer);
        let group = self.pipeline.as_ref().map_or(0, |pl| pl.group);
        let cons = self
            .consumers
            .get(c as usize)
            .expect("a processor's consumer instance exists");
        let instance_id = cons.instance_id.clone();
        let (offsets, member_id, generation) = (
            p.batch_offsets.clone(),
            p.batch_member_id.clone(),
            p.batch_generation,
        );
        let prod = self.producer(idx);
        let (pid, epoch) = (prod.producer_id, prod.epoch);
        let t = prod
            .txn
            .as_ref()
            .expect("only an exactly_once_v2 processor commits offsets in its transaction");
        let tid = t.transactional_id.clone();
        let Some(coord) = self
            .groups()
            .get(group as usize)
            .and_then(|g| self.offsets_leader(g.offsets_partition))
        else {
            // COORDINATOR_NOT_AVAILABLE: try again after the backoff.
            self.pipeline_retry(pr);
            return;
        };
        self.set_phase(pr, ProcessorPhase::CommittingOffsets);
        let timeout = self.producers.get(idx as usize).map_or(30_000_000, |p| {
            p.config.request_timeout_ms.value.max(1) * 1000
        });
        let seq = self.processor(pr).request_seq + 1;
        self.processor_mut(pr).request_seq = seq;
        let at = self.now.plus(timeout);
        self.schedule(
            at,
            Pending::Pipeline(PipelineTimer::Timeout { processor: pr, seq }),
        );
        self.send(
            Node::Producer(idx),
            Node::Broker(coord),
            Body::TxnOffsetCommit {
                producer: idx,
                transactional_id: tid,
                producer_id: pid,
                epoch,
                group,
                member_id,
                generation,
                instance_id,
                offsets,
            },
        );
    }

    pub(crate) fn pipeline_retry(&mut self, pr: u32) {
        self.pipeline_retry_after(pr, None);
    }

    /// `backoff_us`: instead of retry.backoff.ms (the client retries CONCURRENT_TRANSACTIONS
    /// after 20 ms, as its TransactionManager does for AddPartitionsToTxn).
    pub(crate) fn pipeline_retry_after(&mut self, pr: u32, backoff_us: Option<u64>) {
        let backoff = backoff_us.unwrap_or_else(|| {
            let idx = self.processor(pr).producer;
            self.producer(idx).config.retry_backoff_ms.value.max(1) * 1000
        });
        let at = self.now.plus(backoff);
        self.schedule(
            at,
            Pending::Pipeline(PipelineTimer::Retry { processor: pr }),
        );
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
            PipelineTimer::Timeout { processor, seq } => {
                let p = self.processor(processor);
                if p.phase != ProcessorPhase::CommittingOffsets || p.request_seq != seq {
                    return None;
                }
                self.pipeline_send_txn_offset_commit(processor);
                Some(Event::PipelineStep {
                    processor,
                    action: PipelineAction::Retried,
                })
            }
            PipelineTimer::Retry { processor } => {
                let idx = self.processor(processor).producer;
                self.txn_refresh_coordinator(idx);
                let p = self.processor(processor);
                match p.phase {
                    ProcessorPhase::AddingOffsets => self.pipeline_send_offsets(processor),
                    ProcessorPhase::CommittingOffsets => {
                        self.pipeline_send_txn_offset_commit(processor)
                    }
                    _ => return None,
                }
                Some(Event::PipelineStep {
                    processor,
                    action: PipelineAction::Retried,
                })
            }
        }
    }

    /// A transactional request of a processor's producer timed out: AddOffsetsToTxn is sent
    /// again here (`true`); other requests by the transaction manager.
    pub(crate) fn pipeline_resend(&mut self, idx: u32) -> bool {
        let Some(pr) = self.processor_of_producer(idx) else {
            return false;
        };
        if self.processor(pr).phase == ProcessorPhase::AddingOffsets {
            self.pipeline_send_offsets(pr);
            return true;
        }
        false
    }
}
