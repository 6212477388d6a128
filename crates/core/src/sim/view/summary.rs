//! The run [`Summary`] `streamscope run` prints (the CLI's `--json` keys are frozen: later work
//! adds keys, never renames): per partition, per consumer with its lag, the totals, the
//! monitors' counts and the pipeline's verifier.

use super::ProducerView;
use crate::sim::Sim;
use alloc::string::String;
use alloc::vec::Vec;

/// One partition at the end of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PartitionSummary {
    pub topic: String,
    pub partition: u32,
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
    pub log_start_offset: u64,
    pub log_end_offset: u64,
    pub high_watermark: u64,
    /// min(high watermark, first offset of the earliest open transaction).
    pub last_stable_offset: u64,
    /// The invariant monitor's counts for this partition (see `monitor`).
    pub acknowledged_lost: u64,
    pub duplicates: u64,
    pub out_of_order: u64,
    /// Each replica's own log end offset, in the order of `replicas`.
    pub replica_log_end_offsets: Vec<u64>,
}

/// A consumer's position on one partition.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ConsumerPartition {
    pub topic: String,
    pub partition: u32,
    pub position: u64,
    pub committed: Option<u64>,
    pub high_watermark: u64,
    pub last_stable_offset: u64,
    /// High watermark minus position (read_committed: last stable offset minus position).
    pub lag: u64,
}

/// One consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ConsumerSummary {
    pub index: u32,
    pub group: String,
    pub member_id: String,
    pub state: crate::consumer::MemberState,
    pub generation: u32,
    pub records_consumed: u64,
    /// Sum of partition lags.
    pub lag: u64,
    pub records_lag_max: u64,
    pub partitions: Vec<ConsumerPartition>,
    /// Lag over time, oldest first: `[time_us, lag_max, lag, committed_lag]` (see
    /// `consumer::lag`). Only in the [`Snapshot`] (empty, and left out, in the [`Summary`]).
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "Vec::is_empty", default)
    )]
    pub lag_history: Vec<[u64; 4]>,
}

/// What `streamscope run` prints.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Summary {
    pub seed: u64,
    pub time_us: u64,
    pub events: u64,
    pub records_sent: u64,
    pub records_acknowledged: u64,
    pub records_failed: u64,
    pub records_consumed: u64,
    pub partitions: Vec<PartitionSummary>,
    pub consumers: Vec<ConsumerSummary>,
    pub trace_hash: String,
    /// Every producer instance of the run (live changes replace instances).
    pub producers: Vec<ProducerView>,
    /// The invariant monitor: acknowledged records missing from their partition leader's log.
    pub acknowledged_lost: u64,
    /// Extra copies of records in the leaders' logs.
    pub duplicates: u64,
    /// Records behind a later record of the same producer within a partition's log.
    pub out_of_order: u64,
    /// Leader changes so far (every election, clean or unclean).
    pub leader_elections: u64,
    /// The fault schedule that ran (`--fault` syntax, drawn faults included).
    pub faults: Vec<String>,
    /// Records of aborted transactions a read_committed consumer's `poll()` returned (must
    /// be 0).
    pub read_committed_aborted_seen: u64,
    /// The pipeline's verifier (`sim.pipeline=ctp`; absent otherwise): input records, output
    /// records its read_committed reader returned, input records whose output it saw more
    /// than once / never, outputs out of input order.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub pipeline_guarantee: Option<&'static str>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub pipeline_input: Option<u64>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub pipeline_output_committed: Option<u64>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub pipeline_duplicates: Option<u64>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub pipeline_missing: Option<u64>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub pipeline_out_of_order: Option<u64>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub pipeline_transactions_committed: Option<u64>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub pipeline_transactions_aborted: Option<u64>,
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub pipeline_processor_crashes: Option<u64>,
    /// The liveness monitor (`sim::liveness`): the run is settled (after a drain, what the
    /// drain found; without one, whether the world is settled now).
    pub settled: bool,
    /// What is stuck after the drain, in Kafka's terms (empty when settled or not drained).
    pub stuck: Vec<String>,
    /// The last Kafka timeout the drain waited for before the run settled.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub waited_for: Option<String>,
    /// Estimated heap bytes in use (`Sim::memory_bytes`). Not simulated state: two
    /// summaries equal in everything else are equal whatever this says (how much a clone
    /// shares with its original may differ).
    pub memory_bytes: MemoryBytes,
    /// Records the partitions' logs hold (`Sim::retained_records`).
    pub retained_records: u64,
}

/// [`Summary::memory_bytes`]: a number in JSON; ignored by `==`.
#[derive(Clone, Copy, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct MemoryBytes(pub u64);

impl PartialEq for MemoryBytes {
    fn eq(&self, _: &MemoryBytes) -> bool {
        true
    }
}

impl Sim {
    pub fn partition_summaries(&self) -> Vec<PartitionSummary> {
        let mut out = Vec::new();
        let lost = self.monitor.lost_per_partition();
        for t in &self.topics {
            for p in &t.partitions {
                let tp = crate::net::TopicPartitionId {
                    topic: p.topic,
                    partition: p.index,
                };
                let (duplicates, out_of_order) = self.monitor.partition_counts(tp);
                out.push(PartitionSummary {
                    topic: t.name.clone(),
                    partition: p.index,
                    leader: p.leader,
                    leader_epoch: p.leader_epoch,
                    replicas: p.replicas.iter().map(|r| r.broker).collect(),
                    isr: p.isr.clone(),
                    log_start_offset: p.leader_replica().map_or(0, |r| r.log.log_start_offset()),
                    log_end_offset: p.log_end_offset(),
                    high_watermark: p.high_watermark(),
                    last_stable_offset: self.last_stable_offset(tp),
                    acknowledged_lost: lost.get(&tp).copied().unwrap_or(0),
                    duplicates,
                    out_of_order,
                    replica_log_end_offsets: p
                        .replicas
                        .iter()
                        .map(|r| r.log.log_end_offset())
                        .collect(),
                });
            }
        }
        out
    }

    pub fn consumer_summaries(&self) -> Vec<ConsumerSummary> {
        self.consumers
            .iter()
            .map(|c| {
                let partitions: Vec<ConsumerPartition> = c
                    .assignment
                    .iter()
                    .map(|tp| {
                        let hw = self.partition(*tp).map_or(0, |p| p.high_watermark());
                        let end = self.consumer_fetch_end(crate::net::Node::Consumer(c.index), *tp);
                        let position = c.positions.get(tp).copied().unwrap_or(0);
                        ConsumerPartition {
                            topic: self.topics[tp.topic as usize].name.clone(),
                            partition: tp.partition,
                            position,
                            committed: c.committed.get(tp).copied(),
                            high_watermark: hw,
                            last_stable_offset: self.last_stable_offset(*tp),
                            lag: end.saturating_sub(position),
                        }
                    })
                    .collect();
                ConsumerSummary {
                    index: c.index,
                    group: self.groups()[c.group as usize].group_id.clone(),
                    member_id: c.member_id.clone(),
                    state: c.state,
                    generation: c.generation,
                    records_consumed: c.records_consumed,
                    lag: partitions.iter().map(|p| p.lag).sum(),
                    records_lag_max: c.records_lag_max,
                    partitions,
                    lag_history: Vec::new(),
                }
            })
            .collect()
    }

    /// The consumers as the [`Snapshot`] shows them: the summaries plus lag over time.
    pub fn consumer_views(&self) -> Vec<ConsumerSummary> {
        let mut out = self.consumer_summaries();
        for (v, c) in out.iter_mut().zip(&self.consumers) {
            v.lag_history = c
                .lag_history
                .iter()
                .map(|s| [s.time_us, s.lag_max, s.lag, s.committed_lag])
                .collect();
        }
        out
    }

    /// Totals over every producer instance (closed ones included).
    pub fn totals(&self) -> (u64, u64, u64, u64) {
        let sent = self.producers.iter().map(|p| p.stats.records_sent).sum();
        let acked = self
            .producers
            .iter()
            .map(|p| p.stats.records_acknowledged)
            .sum();
        let failed = self.producers.iter().map(|p| p.stats.records_failed).sum();
        let consumed = self.consumers.iter().map(|c| c.records_consumed).sum();
        (sent, acked, failed, consumed)
    }

    pub fn summary(&self) -> Summary {
        let m = self.monitor.counts();
        let pr = self.pipeline_report();
        let (records_sent, records_acknowledged, records_failed, records_consumed) = self.totals();
        Summary {
            seed: self.seed(),
            time_us: self.now().micros(),
            events: self.events_processed(),
            records_sent,
            records_acknowledged,
            records_failed,
            records_consumed,
            partitions: self.partition_summaries(),
            consumers: self.consumer_summaries(),
            trace_hash: alloc::format!("{:016x}", self.trace().hash()),
            producers: self.producer_views(),
            acknowledged_lost: m.acknowledged_lost,
            duplicates: m.duplicates,
            out_of_order: m.out_of_order,
            leader_elections: self.controller.leader_elections(),
            faults: self.fault_texts(),
            read_committed_aborted_seen: self.read_committed_aborted_seen,
            pipeline_guarantee: pr.as_ref().map(|r| r.guarantee),
            pipeline_input: pr.as_ref().map(|r| r.input),
            pipeline_output_committed: pr.as_ref().map(|r| r.output_committed),
            pipeline_duplicates: pr.as_ref().map(|r| r.duplicates),
            pipeline_missing: pr.as_ref().map(|r| r.missing),
            pipeline_out_of_order: pr.as_ref().map(|r| r.out_of_order),
            pipeline_transactions_committed: pr.as_ref().map(|r| r.transactions_committed),
            pipeline_transactions_aborted: pr.as_ref().map(|r| r.transactions_aborted),
            pipeline_processor_crashes: pr.as_ref().map(|r| r.processor_crashes),
            settled: self
                .drain_report()
                .map_or_else(|| self.settled(), |r| r.settled),
            stuck: self
                .drain_report()
                .map_or_else(Vec::new, |r| r.stuck.clone()),
            waited_for: self.drain_report().and_then(|r| r.waited_for.clone()),
            memory_bytes: MemoryBytes(self.memory_bytes() as u64),
            retained_records: self.retained_records(),
        }
    }
}
