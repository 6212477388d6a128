//! What the consume-transform-produce pipeline keeps: its processors (each a consumer in group
//! `ctp` and a producer, with its phase) and the verifier's counts; the report, the pipeline's
//! timers and its trace vocabulary (`PipelineAction`). Data only: it imports nothing above it.

use crate::config::{
    CommitMode, Config, ConsumerConfig, GroupConfig, IsolationLevel, OffsetReset, PipelineKind,
    ProcessingGuarantee, Setting,
};
use crate::net::TopicPartitionId;
use alloc::collections::BTreeMap;
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
    pub origins: crate::app::verifier::maps::Origins,
    /// Input record (partition, offset) -> times the verifier has seen its output.
    pub seen: crate::app::verifier::maps::SeenCounts,
    /// Per input partition, the highest input offset whose output the verifier saw.
    pub(crate) last_seen: BTreeMap<u32, u64>,
    /// Per output partition, the offset after the last record the verifier counted.
    pub(crate) verified_next: BTreeMap<u32, u64>,
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
    /// At-least-once: the offset commit that failed is tried again.
    Retried,
}
