//! A consume-transform-produce pipeline (`sim.pipeline=ctp`), run as Kafka Streams runs one:
//! processors in the consumer group `ctp` (Streams' `application.id`) read the first topic,
//! transform each record and write it to topic `output`, with `processing.guarantee`:
//!
//! - `at_least_once`: the processor produces a poll's output, flushes, then commits the input
//!   offsets (commitSync). A crash between the produce and the commit repeats the work: the
//!   next owner of the partition starts from the last commit, and the output is written again.
//! - `exactly_once_v2` (KIP-447): each poll's output and its input offsets are one
//!   transaction: beginTransaction, the sends, sendOffsetsToTransaction with the consumer's
//!   group metadata (transaction.version 1: AddOffsetsToTxn to the transaction coordinator, then
//!   TxnOffsetCommit to the group coordinator; version 2 (KIP-890): TxnOffsetCommit alone), then
//!   commitTransaction. The group coordinator rejects a TxnOffsetCommit from a stale generation
//!   (the processor aborts and starts again from the committed offsets), and holds the offsets
//!   as pending until the transaction ends; meanwhile an OffsetFetch with requireStable (every
//!   Java consumer asks for it) is answered UNSTABLE_OFFSET_COMMIT, so a new owner waits.
//!
//! A processor that crashes and restarts with the same transactional.id fences its old self
//! (InitProducerId bumps the epoch and aborts the open transaction at once); one replaced by
//! an instance with another transactional.id leaves the old transaction open until
//! transaction.timeout.ms (Streams sets 10 s), holding the output's LSO back meanwhile.
//!
//! A verifier, the consumer group `verifier` (read_committed, from the earliest offset, no
//! deduplication of its own), reads `output`; the pipeline counts, per input record, how often
//! its output reached the verifier (`PipelineReport`).
//!
//! Simplified: one transaction per poll (Streams commits every commit.interval.ms, 100 ms
//! under exactly-once); the transform is the identity on key and value, written to the same
//! partition number of `output` (Streams would hash the key; with equal partition counts and
//! keyed input that is the same partition); the processors use the group's assignor, not
//! Streams' `StreamsPartitionAssignor`; the `__consumer_offsets` COMMIT / ABORT marker is applied
//! when the coordinator prepares the transaction's end (its log is not modelled).

use super::{Pending, Sim};
use crate::config::{
    CommitMode, Config, ConsumerConfig, GroupConfig, IsolationLevel, OffsetReset, PipelineKind,
    ProcessingGuarantee, ProducerConfig, Setting,
};
use crate::consumer::{BufferedRecord, MemberState};
use crate::event::Event;
use crate::log::EntryKind;
use crate::net::{Body, GroupError, KafkaError, Node, TopicPartitionId};
use crate::producer::transaction::ClientTxnState;
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// The processors' group id (Kafka Streams' `application.id`).
pub const APPLICATION_ID: &str = "ctp";
/// The topic the processors write to.
pub const OUTPUT_TOPIC: &str = "output";
/// The verifier's group id.
pub const VERIFIER_GROUP: &str = "verifier";
/// Kafka Streams' transaction.timeout.ms under exactly-once (StreamsConfig's producer default).
pub const STREAMS_TRANSACTION_TIMEOUT_MS: u64 = 10_000;
/// Producer application numbers of the processors start here (they are not `config.producers`).
pub const PROCESSOR_APP_BASE: u32 = 1 << 30;

/// The world with the pipeline's topic and groups added (`sim.pipeline=ctp`): topic `output`
/// like the first topic (unless it exists), the group `ctp` of processors reading the first
/// topic, and the group `verifier` reading `output`. Unchanged without a pipeline; adding twice
/// changes nothing.
pub fn pipeline_world(config: &Config) -> Config {
    let mut c = config.clone();
    if c.pipeline.kind.value != PipelineKind::Ctp {
        return c;
    }
    let Some(input) = c.topics.first().cloned() else {
        return c;
    };
    if !c.topics.iter().any(|t| t.name == OUTPUT_TOPIC) {
        let mut out = input.clone();
        out.name = String::from(OUTPUT_TOPIC);
        c.topics.push(out);
    }
    let eos = c.pipeline.guarantee.value == ProcessingGuarantee::ExactlyOnceV2;
    let base = c
        .groups
        .first()
        .map_or_else(ConsumerConfig::kafka_default, |g| g.consumer.clone());
    if !c.groups.iter().any(|g| g.group_id == APPLICATION_ID) {
        let mut cc = base.clone();
        // Streams commits itself; under exactly-once its consumers read committed data.
        cc.enable_auto_commit = Setting::default(false);
        cc.commit_mode = Setting::default(CommitMode::Auto);
        cc.auto_offset_reset = Setting::default(OffsetReset::Earliest);
        cc.static_members = Setting::default(false);
        cc.isolation_level = Setting::default(if eos {
            IsolationLevel::ReadCommitted
        } else {
            IsolationLevel::ReadUncommitted
        });
        c.groups.push(GroupConfig {
            group_id: String::from(APPLICATION_ID),
            topics: vec![input.name.clone()],
            consumers: Setting::default(c.pipeline.processors.value),
            consumer: cc,
        });
    }
    if !c.groups.iter().any(|g| g.group_id == VERIFIER_GROUP) {
        let mut cc = base;
        cc.enable_auto_commit = Setting::default(true);
        cc.commit_mode = Setting::default(CommitMode::Auto);
        cc.auto_offset_reset = Setting::default(OffsetReset::Earliest);
        cc.static_members = Setting::default(false);
        cc.processing_us_per_record = Setting::default(0);
        cc.isolation_level = Setting::default(IsolationLevel::ReadCommitted);
        c.groups.push(GroupConfig {
            group_id: String::from(VERIFIER_GROUP),
            topics: vec![String::from(OUTPUT_TOPIC)],
            consumers: Setting::default(1),
            consumer: cc,
        });
    }
    c
}

/// Where a processor is in its loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ProcessorPhase {
    /// Polling (or processing the last poll's records).
    Polling,
    /// Exactly-once: waiting for initTransactions before the transaction can begin.
    WaitingInit,
    /// Exactly-once, transaction.version 1: AddOffsetsToTxn sent.
    AddingOffsets,
    /// Exactly-once: TxnOffsetCommit sent to the group coordinator.
    CommittingOffsets,
    /// Exactly-once: commitTransaction() (flush, EndTxn) in progress.
    CommittingTransaction,
    /// Exactly-once: abortTransaction() in progress (the offsets were refused).
    AbortingTransaction,
    /// At-least-once: the output is sent; flush() waits for every acknowledgement.
    Flushing,
    /// At-least-once: commitSync() of the input offsets.
    CommittingOffsetsSync,
    /// The process is down.
    Crashed,
}

impl ProcessorPhase {
    pub fn name(self) -> &'static str {
        match self {
            ProcessorPhase::Polling => "polling",
            ProcessorPhase::WaitingInit => "initTransactions",
            ProcessorPhase::AddingOffsets => "AddOffsetsToTxn",
            ProcessorPhase::CommittingOffsets => "TxnOffsetCommit",
            ProcessorPhase::CommittingTransaction => "commitTransaction",
            ProcessorPhase::AbortingTransaction => "abortTransaction",
            ProcessorPhase::Flushing => "flush",
            ProcessorPhase::CommittingOffsetsSync => "commitSync",
            ProcessorPhase::Crashed => "crashed",
        }
    }
}

/// One processor instance: a consumer of group `ctp` and its producer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Processor {
    pub index: u32,
    pub consumer: u32,
    /// The producer instance it writes with now.
    pub producer: u32,
    /// Its transactional.id (exactly-once only).
    pub transactional_id: Option<String>,
    /// Instances started with a new transactional.id so far.
    pub incarnation: u32,
    pub phase: ProcessorPhase,
    /// The last poll's records (input partition, offset, key), being processed.
    pub batch: Vec<(TopicPartitionId, u64, Option<u32>)>,
    /// The positions after that poll and the consumer's group metadata then
    /// (`groupMetadata()` changes only inside `poll()`): what the transaction commits.
    pub batch_offsets: Vec<(TopicPartitionId, u64)>,
    pub batch_generation: u32,
    pub batch_member_id: String,
    /// Input records processed (output sent), transactions committed / aborted, crashes.
    pub processed: u64,
    pub commits: u64,
    pub aborts: u64,
    pub crashes: u64,
    /// Numbers its TxnOffsetCommits (a timeout knows whether its request is still out).
    pub request_seq: u64,
    /// At-least-once: processed positions whose commit failed (a rebalance); committed again
    /// once the member is stable (Streams commits every commit.interval.ms until it works).
    pub needs_commit: bool,
}

/// The pipeline's state and its verifier's findings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    pub guarantee: ProcessingGuarantee,
    pub input_topic: u32,
    pub output_topic: u32,
    pub group: u32,
    pub verifier_group: u32,
    pub processors: Vec<Processor>,
    /// Output record id -> the input record it came from (input partition, offset).
    pub origins: super::verifier::Origins,
    /// Input record (partition, offset) -> times the verifier has seen its output.
    pub seen: super::verifier::SeenCounts,
    /// Per input partition, the highest input offset whose output the verifier saw.
    last_seen: BTreeMap<u32, u64>,
    /// Per output partition, the offset after the last record the verifier counted.
    verified_next: BTreeMap<u32, u64>,
    /// Input records seen more than once, live.
    pub duplicates: u64,
    /// Outputs seen out of input order (per input partition), live.
    pub out_of_order: u64,
    /// Records the verifier returned.
    pub output_seen: u64,
}

impl Pipeline {
    /// The processor that consumer instance `c` is, if any.
    pub fn processor_of_consumer(&self, c: u32) -> Option<&Processor> {
        self.processors.iter().find(|x| x.consumer == c)
    }
}

/// Whether producer application number `app` is a pipeline processor's (not one of
/// `config.producers`).
pub fn is_processor_app(app: u32) -> bool {
    app >= PROCESSOR_APP_BASE
}

/// What the verifier found (`streamscope run --pipeline ctp --json`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PipelineReport {
    pub guarantee: &'static str,
    /// Input records (data below the input's last stable offset, aborted ones excluded).
    pub input: u64,
    /// Output records the read_committed verifier returned.
    pub output_committed: u64,
    /// Input records whose output the verifier saw more than once.
    pub duplicates: u64,
    /// Input records whose output it never saw.
    pub missing: u64,
    /// Outputs it saw out of input order within an input partition.
    pub out_of_order: u64,
    /// Records of aborted transactions any read_committed consumer returned (must be 0).
    pub read_committed_aborted_seen: u64,
    pub transactions_committed: u64,
    pub transactions_aborted: u64,
    pub processor_crashes: u64,
}

/// Pipeline timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PipelineTimer {
    /// A processor sends its transactional request again (retriable error).
    Retry { processor: u32 },
    /// A TxnOffsetCommit got no answer within request.timeout.ms.
    Timeout { processor: u32, seq: u64 },
    /// At-least-once: try the failed offset commit again.
    CommitRetry { processor: u32 },
}

/// What a processor did (a trace event).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum PipelineAction {
    /// The last poll's records were transformed and sent.
    Produced {
        records: u32,
    },
    /// The transaction (or, at-least-once, the offset commit) completed.
    Committed,
    /// The transaction was aborted; the processor goes back to the committed offsets.
    Aborted,
    Crashed,
    Restarted {
        new_transactional_id: bool,
    },
    Retried,
}

impl Sim {
    /// The pipeline, when `sim.pipeline=ctp`.
    pub fn pipeline(&self) -> Option<&Pipeline> {
        self.pipeline.as_ref()
    }

    /// Builds the pipeline's processors (after the groups and consumers exist).
    pub(crate) fn start_pipeline(&mut self) {
        if self.config.pipeline.kind.value != PipelineKind::Ctp {
            return;
        }
        let find_group = |s: &Sim, id: &str| s.groups.iter().position(|g| g.group_id == id);
        let (Some(group), Some(verifier_group)) = (
            find_group(self, APPLICATION_ID),
            find_group(self, VERIFIER_GROUP),
        ) else {
            return;
        };
        let Some(output_topic) = self.topics.iter().position(|t| t.name == OUTPUT_TOPIC) else {
            return;
        };
        let input_topic = self
            .config
            .groups
            .get(group)
            .and_then(|g| g.topics.first())
            .and_then(|n| self.topics.iter().position(|t| &t.name == n))
            .unwrap_or(0);
        self.pipeline = Some(Pipeline {
            guarantee: self.config.pipeline.guarantee.value,
            input_topic: input_topic as u32,
            output_topic: output_topic as u32,
            group: group as u32,
            verifier_group: verifier_group as u32,
            processors: Vec::new(),
            origins: Default::default(),
            seen: Default::default(),
            last_seen: BTreeMap::new(),
            verified_next: BTreeMap::new(),
            duplicates: 0,
            out_of_order: 0,
            output_seen: 0,
        });
        let consumers: Vec<u32> = self
            .consumers
            .iter()
            .filter(|c| c.group == group as u32)
            .map(|c| c.index)
            .collect();
        for (i, c) in consumers.into_iter().enumerate() {
            let i = i as u32;
            let tid = self.processor_transactional_id(i, 0);
            let producer = self.create_processor_producer(i, tid.clone());
            if let Some(p) = self.pipeline.as_mut() {
                p.processors.push(Processor {
                    index: i,
                    consumer: c,
                    producer,
                    transactional_id: tid,
                    incarnation: 0,
                    phase: ProcessorPhase::Polling,
                    batch: Vec::new(),
                    batch_offsets: Vec::new(),
                    batch_generation: 0,
                    batch_member_id: String::new(),
                    processed: 0,
                    commits: 0,
                    aborts: 0,
                    crashes: 0,
                    request_seq: 0,
                    needs_commit: false,
                });
            }
        }
    }

    /// `ctp-processor-<n>` (and `-<k>` for the k-th instance started with a new id), or none
    /// at-least-once.
    pub(crate) fn processor_transactional_id(
        &self,
        processor: u32,
        incarnation: u32,
    ) -> Option<String> {
        if self.config.pipeline.guarantee.value != ProcessingGuarantee::ExactlyOnceV2 {
            return None;
        }
        Some(if incarnation == 0 {
            format!("{APPLICATION_ID}-processor-{processor}")
        } else {
            format!("{APPLICATION_ID}-processor-{processor}-{incarnation}")
        })
    }

    pub(crate) fn create_processor_producer(&mut self, processor: u32, tid: Option<String>) -> u32 {
        let mut pc = ProducerConfig::kafka_default(
            &format!("{APPLICATION_ID}-processor-{processor}-producer"),
            OUTPUT_TOPIC,
        );
        pc.workload.records_per_s = Setting::default(0);
        pc.workload.transaction_records = Setting::default(0);
        pc.transaction_timeout_ms = Setting::default(STREAMS_TRANSACTION_TIMEOUT_MS);
        pc.transactional_id = tid;
        self.create_producer(PROCESSOR_APP_BASE + processor, pc)
    }

    /// The processor a consumer instance is, if any.
    pub(crate) fn processor_of_consumer(&self, c: u32) -> Option<u32> {
        self.pipeline
            .as_ref()?
            .processor_of_consumer(c)
            .map(|x| x.index)
    }

    /// The processor a producer instance writes for (its current one), if any.
    pub(crate) fn processor_of_producer(&self, idx: u32) -> Option<u32> {
        let p = self.pipeline.as_ref()?;
        p.processors
            .iter()
            .find(|x| x.producer == idx)
            .map(|x| x.index)
    }

    pub(crate) fn processor(&self, pr: u32) -> Option<&Processor> {
        self.pipeline.as_ref()?.processors.get(pr as usize)
    }

    pub(crate) fn processor_mut(&mut self, pr: u32) -> Option<&mut Processor> {
        self.pipeline.as_mut()?.processors.get_mut(pr as usize)
    }

    pub(crate) fn set_phase(&mut self, pr: u32, phase: ProcessorPhase) {
        if let Some(p) = self.processor_mut(pr) {
            p.phase = phase;
        }
    }

    /// The processor's application is blocked (in a commit) until `pipeline_resume_poll`.
    pub(crate) fn block_consumer(&mut self, c: u32) {
        if let Some(cons) = self.consumers.get_mut(c as usize) {
            cons.busy_until = Some(SimTime(u64::MAX));
        }
    }

    /// The processor's loop polls again now.
    pub(crate) fn pipeline_resume_poll(&mut self, pr: u32) {
        let Some(p) = self.processor(pr) else {
            return;
        };
        let c = p.consumer;
        self.set_phase(pr, ProcessorPhase::Polling);
        if let Some(p) = self.processor_mut(pr) {
            p.batch.clear();
        }
        self.poll_now(c);
    }

    /// At a processor's `poll()`: when the last poll's records are processed, their output
    /// is sent and committed first (the loop polls again once that completed). `Some`: the
    /// poll does not happen now.
    pub(crate) fn pipeline_before_poll(&mut self, c: u32) -> Option<Option<Event>> {
        let pr = self.processor_of_consumer(c)?;
        let p = self.processor(pr)?;
        match p.phase {
            ProcessorPhase::CommittingOffsetsSync => {
                // commitSync() returned (or failed): the next poll.
                let done = self.consumers.get(c as usize)?.commit_sync_wait.is_none();
                if !done {
                    return Some(None);
                }
                if let Some(p) = self.processor_mut(pr) {
                    p.commits += 1;
                    p.batch.clear();
                    p.phase = ProcessorPhase::Polling;
                }
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
        if let Some(p) = self.processor_mut(pr) {
            p.batch
                .extend(records.iter().map(|r| (r.tp, r.offset, r.entry.key)));
            p.batch_offsets = offsets;
            p.batch_generation = generation;
            p.batch_member_id = member_id;
        }
    }

    /// Sends the output of the processed records and starts the commit.
    pub(crate) fn pipeline_emit(&mut self, pr: u32) -> Option<Event> {
        let p = self.processor(pr)?;
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
        let batch = self.processor(pr)?.batch.clone();
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
        if let Some(p) = self.processor_mut(pr) {
            p.processed += n as u64;
        }
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
        let Some(p) = self.processor(pr) else {
            return;
        };
        let idx = p.producer;
        let Some(prod) = self.producers.get_mut(idx as usize) else {
            return;
        };
        let (pid, epoch) = (prod.producer_id, prod.epoch);
        let Some(t) = prod.txn.as_mut() else {
            return;
        };
        let group = self.pipeline.as_ref().map_or(0, |p| p.group);
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
        let Some(p) = self.processor(pr) else {
            return;
        };
        let (c, idx) = (p.consumer, p.producer);
        let Some(pl) = self.pipeline.as_ref() else {
            return;
        };
        let group = pl.group;
        let Some(cons) = self.consumers.get(c as usize) else {
            return;
        };
        let instance_id = cons.instance_id.clone();
        let (offsets, member_id, generation) = (
            p.batch_offsets.clone(),
            p.batch_member_id.clone(),
            p.batch_generation,
        );
        let Some(prod) = self.producers.get(idx as usize) else {
            return;
        };
        let (pid, epoch) = (prod.producer_id, prod.epoch);
        let Some(t) = prod.txn.as_ref() else {
            return;
        };
        let tid = t.transactional_id.clone();
        let Some(coord) = self
            .groups
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
        let seq = self.processor(pr).map_or(0, |p| p.request_seq + 1);
        if let Some(p) = self.processor_mut(pr) {
            p.request_seq = seq;
        }
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
            self.processor(pr)
                .and_then(|p| self.producers.get(p.producer as usize))
                .map_or(100_000, |p| p.config.retry_backoff_ms.value.max(1) * 1000)
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
                let p = self.processor(processor)?;
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
                if let Some(p) = self.processor_mut(processor) {
                    p.needs_commit = false;
                    p.phase = ProcessorPhase::CommittingOffsetsSync;
                }
                let id = self.send_commit(c);
                self.block_in_commit_sync(c, id);
                Some(Event::PipelineStep {
                    processor,
                    action: PipelineAction::Retried,
                })
            }
            PipelineTimer::Timeout { processor, seq } => {
                let p = self.processor(processor)?;
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
                let idx = self.processor(processor)?.producer;
                self.txn_refresh_coordinator(idx);
                let p = self.processor(processor)?;
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
        if self.processor(pr).map(|p| p.phase) == Some(ProcessorPhase::AddingOffsets) {
            self.pipeline_send_offsets(pr);
            return true;
        }
        false
    }

    /// AddOffsetsToTxn / TxnOffsetCommit answers at a processor's producer.
    pub(crate) fn on_pipeline_response(&mut self, idx: u32, body: Body) -> crate::event::Delivery {
        let Some(pr) = self.processor_of_producer(idx) else {
            return crate::event::Delivery::Group;
        };
        match body {
            Body::AddOffsetsToTxnResponse { error } => {
                if let Some(t) = self
                    .producers
                    .get_mut(idx as usize)
                    .and_then(|p| p.txn.as_mut())
                {
                    t.request_in_flight = false;
                    if error.is_none() {
                        t.offsets_added = true;
                    }
                }
                if self.processor(pr).map(|p| p.phase) != Some(ProcessorPhase::AddingOffsets) {
                    return crate::event::Delivery::Txn { state: None, error };
                }
                match error {
                    None => self.pipeline_send_txn_offset_commit(pr),
                    Some(e) if e.is_retriable() => self.pipeline_retry(pr),
                    Some(e) => self.pipeline_fenced(pr, e),
                }
                crate::event::Delivery::Txn { state: None, error }
            }
            Body::TxnOffsetCommitResponse {
                error,
                producer_error,
            } => {
                if self.processor(pr).map(|p| p.phase) != Some(ProcessorPhase::CommittingOffsets) {
                    return crate::event::Delivery::Group;
                }
                if let Some(p) = self.processor_mut(pr) {
                    p.request_seq += 1;
                }
                match (error, producer_error) {
                    (None, None) => {
                        self.set_phase(pr, ProcessorPhase::CommittingTransaction);
                        if let Some(t) = self
                            .producers
                            .get_mut(idx as usize)
                            .and_then(|p| p.txn.as_mut())
                        {
                            t.offsets_added = true;
                        }
                        self.txn_end(idx, true);
                        crate::event::Delivery::Group
                    }
                    (_, Some(e)) if e.is_retriable() => {
                        let fast = (e == KafkaError::ConcurrentTransactions).then_some(20_000);
                        self.pipeline_retry_after(pr, fast);
                        crate::event::Delivery::Txn {
                            state: None,
                            error: Some(e),
                        }
                    }
                    (_, Some(e)) => {
                        self.pipeline_fenced(pr, e);
                        crate::event::Delivery::Txn {
                            state: None,
                            error: Some(e),
                        }
                    }
                    (
                        Some(
                            e @ (GroupError::NotCoordinator
                            | GroupError::CoordinatorNotAvailable
                            | GroupError::UnstableOffsetCommit),
                        ),
                        None,
                    ) => {
                        self.pipeline_retry(pr);
                        crate::event::Delivery::GroupRefused { error: e }
                    }
                    (Some(e), None) => {
                        // CommitFailedException (a stale generation, an unknown member, a
                        // fenced instance): the transaction is aborted and the work redone
                        // from the committed offsets (Streams' TaskMigratedException).
                        self.set_phase(pr, ProcessorPhase::AbortingTransaction);
                        self.txn_end(idx, false);
                        crate::event::Delivery::GroupRefused { error: e }
                    }
                }
            }
            _ => crate::event::Delivery::Group,
        }
    }

    /// The producer of a processor is fenced (or its transaction timed out): a new producer
    /// with the same transactional.id (initTransactions again), and the work starts again
    /// from the committed offsets.
    pub(crate) fn pipeline_fenced(&mut self, pr: u32, _error: KafkaError) {
        self.pipeline_new_producer(pr, false);
        self.pipeline_rewind(pr);
        if let Some(p) = self.processor_mut(pr) {
            p.aborts += 1;
        }
        self.pipeline_resume_poll(pr);
    }

    /// A transaction of a processor's producer ended (`txn_completed`).
    pub(crate) fn pipeline_txn_done(&mut self, idx: u32, commit: bool) -> bool {
        let Some(pr) = self.processor_of_producer(idx) else {
            return false;
        };
        let Some(p) = self.processor(pr) else {
            return true;
        };
        match p.phase {
            ProcessorPhase::CommittingTransaction | ProcessorPhase::AbortingTransaction => {
                if commit {
                    if let Some(p) = self.processor_mut(pr) {
                        p.commits += 1;
                    }
                } else {
                    if let Some(p) = self.processor_mut(pr) {
                        p.aborts += 1;
                    }
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
        let Some(p) = self.processor(pr) else {
            return true;
        };
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
        let Some(p) = self.processor(pr) else {
            return;
        };
        let c = p.consumer;
        if let Some(p) = self.processor_mut(pr) {
            p.batch.clear();
        }
        let Some(cons) = self.consumers.get_mut(c as usize) else {
            return;
        };
        if !cons.alive || cons.assignment.is_empty() {
            return;
        }
        cons.positions.clear();
        cons.buffer.clear();
        if matches!(
            cons.state,
            MemberState::Stable | MemberState::FetchingOffsets
        ) {
            cons.state = MemberState::FetchingOffsets;
            self.send_offset_fetch(c);
        }
    }

    /// At-least-once: once the producer has nothing queued or in flight (flush() returned),
    /// commitSync() of the positions.
    pub(crate) fn pipeline_check_flush(&mut self, idx: u32) {
        let Some(pr) = self.processor_of_producer(idx) else {
            return;
        };
        if self.processor(pr).map(|p| p.phase) != Some(ProcessorPhase::Flushing) {
            return;
        }
        let Some(prod) = self.producers.get(idx as usize) else {
            return;
        };
        if !prod.drained() {
            return;
        }
        let Some(c) = self.processor(pr).map(|p| p.consumer) else {
            return;
        };
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
        self.processor(pr).is_some_and(|p| {
            p.transactional_id.is_none() && p.phase == ProcessorPhase::Polling && p.batch.is_empty()
        })
    }

    /// At-least-once: a processor's offset commit failed (a rebalance, a stale generation):
    /// it commits its positions again once its member is stable.
    pub(crate) fn pipeline_commit_failed(&mut self, c: u32) {
        let Some(pr) = self.processor_of_consumer(c) else {
            return;
        };
        if self
            .processor(pr)
            .and_then(|p| p.transactional_id.as_ref())
            .is_some()
        {
            return;
        }
        let was = self.processor(pr).is_some_and(|p| p.needs_commit);
        if let Some(p) = self.processor_mut(pr) {
            p.needs_commit = true;
        }
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

    /// A new producer for a processor: the same transactional.id (`new_id = false`: its
    /// InitProducerId fences the old instance and aborts its open transaction) or a new one.
    pub(crate) fn pipeline_new_producer(&mut self, pr: u32, new_id: bool) {
        let Some(p) = self.processor(pr) else {
            return;
        };
        let old = p.producer;
        let incarnation = if new_id {
            p.incarnation + 1
        } else {
            p.incarnation
        };
        self.kill_producer(old);
        let tid = self.processor_transactional_id(pr, incarnation);
        let idx = self.create_processor_producer(pr, tid.clone());
        if let Some(p) = self.processor_mut(pr) {
            p.producer = idx;
            p.transactional_id = tid;
            p.incarnation = incarnation;
        }
    }

    /// A producer process dies: what it had queued or in flight is gone with it.
    pub(crate) fn kill_producer(&mut self, idx: u32) {
        if let Some(p) = self.producers.get_mut(idx as usize) {
            p.state = crate::producer::ProducerState::Closed;
            p.crashed = true;
            p.in_flight.clear();
            p.in_flight_per_broker.iter_mut().for_each(|n| *n = 0);
            for d in p.accumulator.deques.iter_mut().flatten() {
                d.clear();
            }
            p.awaiting_ack = None;
            p.blocked = None;
            p.wake_at = None;
        }
    }

    /// `Change::CrashProcessor`: the processor's process dies (consumer and producer): its
    /// open transaction stays open at the coordinator.
    pub(crate) fn crash_processor(&mut self, pr: u32) -> Result<(), crate::config::ConfigError> {
        let p = self.checked_processor(pr)?;
        if p.phase == ProcessorPhase::Crashed {
            return Err(crate::config::ConfigError::new(
                "processor",
                format!("processor {pr} is already down"),
            ));
        }
        let (c, idx) = (p.consumer, p.producer);
        if self.consumers.get(c as usize).is_some_and(|x| x.alive) {
            self.crash_consumer(c)?;
        }
        self.kill_producer(idx);
        if let Some(p) = self.processor_mut(pr) {
            p.phase = ProcessorPhase::Crashed;
            p.batch.clear();
            p.crashes += 1;
        }
        Ok(())
    }

    /// `Change::RestartProcessor`: the processor starts again, with the same
    /// transactional.id or a new one.
    pub(crate) fn restart_processor(
        &mut self,
        pr: u32,
        new_transactional_id: bool,
    ) -> Result<(), crate::config::ConfigError> {
        let p = self.checked_processor(pr)?;
        if p.phase != ProcessorPhase::Crashed {
            return Err(crate::config::ConfigError::new(
                "processor",
                format!("processor {pr} is running (only a crashed processor restarts)"),
            ));
        }
        let c = p.consumer;
        self.pipeline_new_producer(pr, new_transactional_id);
        self.restart_consumer(c)?;
        self.set_phase(pr, ProcessorPhase::Polling);
        Ok(())
    }

    pub(crate) fn checked_processor(
        &self,
        pr: u32,
    ) -> Result<&Processor, crate::config::ConfigError> {
        let Some(pl) = self.pipeline.as_ref() else {
            return Err(crate::config::ConfigError::new(
                "processor",
                "no pipeline runs: set sim.pipeline=ctp (and reset)",
            ));
        };
        pl.processors.get(pr as usize).ok_or_else(|| {
            crate::config::ConfigError::new(
                "processor",
                format!(
                    "{pr} is out of range: processors are 0 to {}",
                    pl.processors.len().saturating_sub(1)
                ),
            )
        })
    }

    /// What a read_committed consumer's `poll()` returned: counts records of aborted
    /// transactions (never expected), and, for the verifier, which input each output is.
    pub(crate) fn pipeline_verify(&mut self, c: u32, records: &[BufferedRecord]) {
        let read_committed = self
            .consumers
            .get(c as usize)
            .and_then(|x| self.config.groups.get(x.group as usize))
            .is_some_and(|g| g.consumer.isolation_level.value == IsolationLevel::ReadCommitted);
        if read_committed {
            for r in records {
                if r.entry.kind == EntryKind::Data
                    && self.in_aborted_transaction(r.tp, &r.entry, r.offset)
                {
                    self.read_committed_aborted_seen += 1;
                }
            }
        }
        let Some(pl) = self.pipeline.as_mut() else {
            return;
        };
        let verifier = self
            .consumers
            .get(c as usize)
            .is_some_and(|x| x.group == pl.verifier_group);
        if !verifier {
            return;
        }
        for r in records {
            // The verifier itself re-reads after a rebalance of its own group (from its last
            // commit): the same output record again is not a second output of the input.
            let next = pl.verified_next.entry(r.tp.partition).or_insert(0);
            if r.offset < *next {
                continue;
            }
            *next = r.offset + 1;
            pl.output_seen += 1;
            let Some((part, off)) = pl.origins.get(r.entry.record_id) else {
                continue;
            };
            let n = pl.seen.increment((part, off));
            if n == 2 {
                pl.duplicates += 1;
            }
            if n == 1 {
                let last = pl.last_seen.entry(part).or_insert(off);
                if off < *last {
                    pl.out_of_order += 1;
                }
                *last = (*last).max(off);
            }
        }
    }

    /// The verifier's findings now (input records are counted from the input's leader logs:
    /// data below the last stable offset, aborted transactions excluded).
    pub fn pipeline_report(&self) -> Option<PipelineReport> {
        let pl = self.pipeline.as_ref()?;
        let mut input = 0u64;
        let mut missing = 0u64;
        if let Some(t) = self.topics.get(pl.input_topic as usize) {
            for p in &t.partitions {
                let tp = TopicPartitionId {
                    topic: p.topic,
                    partition: p.index,
                };
                let Some(r) = p.leader_replica() else {
                    continue;
                };
                let lso = self.last_stable_offset(tp);
                for (off, e) in r.log.range(r.log.log_start_offset(), lso) {
                    if e.kind != EntryKind::Data || self.in_aborted_transaction(tp, &e, off) {
                        continue;
                    }
                    input += 1;
                    if !pl.seen.contains_key(&(p.index, off)) {
                        missing += 1;
                    }
                }
            }
        }
        let sum = |f: fn(&Processor) -> u64| pl.processors.iter().map(f).sum::<u64>();
        Some(PipelineReport {
            guarantee: pl.guarantee.name(),
            input,
            output_committed: pl.output_seen,
            duplicates: pl.duplicates,
            missing,
            out_of_order: pl.out_of_order,
            read_committed_aborted_seen: self.read_committed_aborted_seen,
            transactions_committed: if pl.guarantee == ProcessingGuarantee::ExactlyOnceV2 {
                sum(|p| p.commits)
            } else {
                0
            },
            transactions_aborted: sum(|p| p.aborts),
            processor_crashes: sum(|p| p.crashes),
        })
    }

    /// Between a produce and its commit: at-least-once, the output is acknowledged and the
    /// offset commit not done (a crash repeats the work); exactly-once, the offsets are in
    /// the transaction (pending at the group coordinator) and EndTxn is not sent yet (a crash
    /// leaves the transaction open).
    pub(crate) fn processor_between_produce_and_commit(&self, pr: u32) -> bool {
        let Some(p) = self.processor(pr) else {
            return false;
        };
        match p.phase {
            // The output's requests are out (the leaders will append them), the offsets
            // not committed yet.
            ProcessorPhase::Flushing => self
                .producers
                .get(p.producer as usize)
                .is_some_and(|x| x.accumulator.is_empty() && !x.in_flight.is_empty()),
            ProcessorPhase::CommittingOffsets | ProcessorPhase::CommittingTransaction => {
                let Some(x) = self.producers.get(p.producer as usize) else {
                    return false;
                };
                let pending = self.pipeline.as_ref().is_some_and(|pl| {
                    self.groups
                        .get(pl.group as usize)
                        .is_some_and(|g| g.pending_txn_offsets.contains_key(&x.producer_id))
                });
                pending && x.txn.as_ref().is_some_and(|t| !t.request_in_flight)
            }
            _ => false,
        }
    }
}
