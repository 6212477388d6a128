//! Read-only views of the state: the run [`Summary`] (the CLI's `--json` keys are frozen:
//! later work adds keys, never renames) and the [`Snapshot`] the page exposes as
//! `window.streamscope.snapshot()` (schema documented in ARCHITECTURE.md).

use super::Sim;
use crate::config::SendMode;
use crate::producer::ProducerState;
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

/// A producer batch as the page shows it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BatchView {
    pub batch_id: u64,
    pub partition: u32,
    pub records: u32,
    pub size_bytes: u32,
    pub batch_size: u32,
    pub age_us: u64,
    pub full: bool,
    /// Compression ratio the batch's size estimate uses (1.0 without compression).
    pub estimated_ratio: f32,
}

/// A producer instance as the page shows it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProducerView {
    pub index: u32,
    pub producer_id: i64,
    pub state: ProducerState,
    pub acks: &'static str,
    pub partitioner: &'static str,
    pub idempotent: bool,
    pub send_mode: &'static str,
    pub linger_ms: u64,
    pub batch_size: u32,
    pub buffer_memory_used: u64,
    pub buffer_memory: u64,
    pub records_sent: u64,
    pub records_acknowledged: u64,
    pub records_failed: u64,
    pub batches_sent: u64,
    pub batches_piggybacked: u64,
    pub compression_type: &'static str,
    /// Bytes of batches sent, before and after compression (their ratio is the real one).
    pub bytes_uncompressed: u64,
    pub bytes_on_wire: u64,
    /// The ratio the next batch's estimate starts from (`CompressionRatioEstimator`).
    pub compression_ratio_estimate: f32,
    pub requests_in_flight: u32,
    /// Sync send: the record `send().get()` waits for.
    pub awaiting_ack: Option<u64>,
    /// `send()` blocked on buffer.memory since this time (microseconds).
    pub blocked_since_us: Option<u64>,
    pub batches_retried: u64,
    pub batches_expired: u64,
    pub batches: Vec<BatchView>,
    /// Produce requests awaiting their response, oldest first.
    pub in_flight: Vec<InFlightView>,
    pub producer_epoch: i16,
    pub transactional_id: Option<String>,
    /// The transaction manager's state (`READY`, `IN_TRANSACTION`, ...).
    pub transaction_state: Option<&'static str>,
    /// PRODUCER_FENCED / INVALID_PRODUCER_EPOCH once fenced.
    pub transaction_error: Option<&'static str>,
    pub transactions_committed: u64,
    pub transactions_aborted: u64,
}

/// A transactional.id at its coordinator.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TransactionView {
    pub transactional_id: String,
    pub coordinator: u32,
    /// Its `__transaction_state` partition.
    pub state_partition: u32,
    pub producer_id: i64,
    pub epoch: i16,
    pub state: crate::coordinator::txn::state::TxnState,
    /// (topic, partition) pairs in the transaction.
    pub partitions: Vec<(String, u32)>,
    /// Partitions whose marker is not yet written and replicated.
    pub pending_markers: u32,
    pub started_at_us: u64,
    pub timeout_ms: u64,
}

/// A produce request awaiting its response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InFlightView {
    pub request_id: u64,
    pub broker: u32,
    pub sent_at_us: u64,
    pub batches: Vec<InFlightBatchView>,
}

/// A batch inside a request in flight, with its sequence numbers (idempotent producer).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InFlightBatchView {
    pub batch_id: u64,
    pub partition: u32,
    pub records: u32,
    /// First and last sequence number (`None` without idempotence).
    pub base_sequence: Option<i32>,
    pub last_sequence: Option<i32>,
    /// 1 on the first send, more after retries.
    pub attempts: u32,
}

/// A message in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MessageView {
    pub id: u64,
    pub kind: crate::net::MessageKind,
    pub from: crate::net::Node,
    pub to: crate::net::Node,
    pub sent_at_us: u64,
    pub deliver_at_us: u64,
    pub records: u32,
}

/// A consumer group.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GroupView {
    pub group_id: String,
    pub coordinator: u32,
    pub offsets_partition: u32,
    pub state: crate::consumer::group::GroupState,
    pub generation: u32,
    pub protocol: &'static str,
    pub leader: Option<u32>,
    pub members: Vec<u32>,
    /// Each member as the coordinator knows it, with its assignment in this generation.
    pub member_details: Vec<GroupMemberView>,
    /// The group's committed offsets at its coordinator: (topic, partition, offset).
    pub committed: Vec<(String, u32, u64)>,
    /// The group's lag over time, oldest first: `[time_us, lag, committed_lag]` summed over
    /// the partitions of its topics (see `consumer::lag`).
    pub lag_history: Vec<[u64; 3]>,
    /// The partitions `partition_lag_history` has a column for: (topic, partition).
    pub lag_partitions: Vec<(String, u32)>,
    /// Per sample: time and, per partition of `lag_partitions`, `[lag, committed_lag]`.
    pub partition_lag_history: Vec<(u64, Vec<[u64; 2]>)>,
}

/// One group member at the coordinator.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GroupMemberView {
    pub consumer: u32,
    pub member_id: String,
    pub group_instance_id: Option<String>,
    /// `partition.assignment.strategy`, most preferred first.
    pub strategies: String,
    /// (topic, partition) pairs.
    pub assignment: Vec<(String, u32)>,
}

/// Everything the page's test hook exposes (`window.streamscope.snapshot()`).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Snapshot {
    pub seed: u64,
    pub time_us: u64,
    pub events: u64,
    pub trace_hash: String,
    pub records_sent: u64,
    pub records_acknowledged: u64,
    pub records_failed: u64,
    pub records_consumed: u64,
    pub brokers: Vec<BrokerView>,
    pub producers: Vec<ProducerView>,
    pub partitions: Vec<PartitionSummary>,
    pub groups: Vec<GroupView>,
    pub consumers: Vec<ConsumerSummary>,
    pub messages: Vec<MessageView>,
    pub changes: Vec<super::AppliedChange>,
    /// The invariant monitor's counts.
    pub monitor: crate::monitor::MonitorCounts,
    pub leader_elections: u64,
    /// The fault schedule (`--fault` syntax).
    pub faults: Vec<String>,
    /// Every transactional.id at its coordinator.
    pub transactions: Vec<TransactionView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BrokerView {
    pub id: u32,
    pub alive: bool,
    /// Fenced by the KRaft controller (its session expired while it was down).
    pub fenced: bool,
    /// Started again, waiting for the controller to accept its new incarnation.
    pub registering: bool,
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
                    group: self.groups[c.group as usize].group_id.clone(),
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

    pub(crate) fn topic_name(&self, topic: u32) -> String {
        self.topics
            .get(topic as usize)
            .map_or_else(String::new, |t| t.name.clone())
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
            leader_elections: self.leader_elections,
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

    pub fn producer_views(&self) -> Vec<ProducerView> {
        let now = self.now();
        self.producers
            .iter()
            .map(|p| {
                let batches = p
                    .accumulator
                    .deques
                    .iter()
                    .flatten()
                    .flat_map(|d| d.iter())
                    .map(|b| BatchView {
                        batch_id: b.id,
                        partition: b.partition,
                        records: b.record_count(),
                        size_bytes: b.size_bytes,
                        batch_size: p.config.batch_size.value,
                        age_us: now.since(b.created_at),
                        full: b.is_full(),
                        estimated_ratio: b.estimated_ratio,
                    })
                    .collect();
                ProducerView {
                    index: p.index,
                    producer_id: p.producer_id,
                    state: p.state,
                    acks: p.config.acks.value.name(),
                    partitioner: p.config.partitioner.value.name(),
                    idempotent: p.idempotent,
                    send_mode: match p.config.workload.send_mode.value {
                        SendMode::Async => "async",
                        SendMode::Sync => "sync",
                    },
                    linger_ms: p.config.linger_ms.value,
                    batch_size: p.config.batch_size.value,
                    buffer_memory_used: p.accumulator.buffer_used,
                    buffer_memory: p.config.buffer_memory.value,
                    records_sent: p.stats.records_sent,
                    records_acknowledged: p.stats.records_acknowledged,
                    records_failed: p.stats.records_failed,
                    batches_sent: p.stats.batches_sent,
                    batches_piggybacked: p.stats.batches_piggybacked,
                    compression_type: p.config.compression_type.value.name(),
                    bytes_uncompressed: p.stats.bytes_uncompressed,
                    bytes_on_wire: p.stats.bytes_on_wire,
                    compression_ratio_estimate: p.accumulator.ratio_estimate,
                    requests_in_flight: p.in_flight.len() as u32,
                    awaiting_ack: p.awaiting_ack,
                    blocked_since_us: p.blocked.map(|b| b.since.micros()),
                    batches_retried: p.stats.batches_retried,
                    batches_expired: p.stats.batches_expired,
                    batches,
                    in_flight: p
                        .in_flight
                        .values()
                        .map(|r| InFlightView {
                            request_id: r.request_id,
                            broker: r.broker,
                            sent_at_us: r.sent_at.micros(),
                            batches: r
                                .batches
                                .iter()
                                .map(|b| InFlightBatchView {
                                    batch_id: b.id,
                                    partition: b.partition,
                                    records: b.record_count(),
                                    base_sequence: b.base_sequence,
                                    last_sequence: b.base_sequence.map(|s| {
                                        s.wrapping_add(b.record_count().saturating_sub(1) as i32)
                                    }),
                                    attempts: b.attempts,
                                })
                                .collect(),
                        })
                        .collect(),
                    producer_epoch: p.epoch,
                    transactional_id: p.txn.as_ref().map(|t| t.transactional_id.clone()),
                    transaction_state: p.txn.as_ref().map(|t| t.state.name()),
                    transaction_error: p.txn.as_ref().and_then(|t| t.fatal_error.map(|e| e.name())),
                    transactions_committed: p.txn.as_ref().map_or(0, |t| t.committed),
                    transactions_aborted: p.txn.as_ref().map_or(0, |t| t.aborted),
                }
            })
            .collect()
    }

    /// Every transactional.id at its coordinator.
    pub fn transaction_views(&self) -> Vec<TransactionView> {
        self.transactions()
            .map(|m| TransactionView {
                transactional_id: m.transactional_id.clone(),
                coordinator: m.coordinator,
                state_partition: m.state_partition,
                producer_id: m.producer_id,
                epoch: m.epoch,
                state: m.state,
                partitions: m
                    .partitions
                    .iter()
                    .map(|tp| {
                        let topic = self
                            .topics
                            .get(tp.topic as usize)
                            .map_or_else(String::new, |t| t.name.clone());
                        (topic, tp.partition)
                    })
                    .collect(),
                pending_markers: m.pending_markers.len() as u32,
                started_at_us: m.started_at.micros(),
                timeout_ms: m.timeout_us / 1000,
            })
            .collect()
    }

    pub fn message_views(&self) -> Vec<MessageView> {
        self.messages
            .values()
            .map(|m| MessageView {
                id: m.id,
                kind: m.body.kind(),
                from: m.from,
                to: m.to,
                sent_at_us: m.sent_at.micros(),
                deliver_at_us: m.deliver_at.micros(),
                records: m.body.record_count(),
            })
            .collect()
    }

    pub fn snapshot(&self) -> Snapshot {
        let (records_sent, records_acknowledged, records_failed, records_consumed) = self.totals();
        Snapshot {
            seed: self.seed(),
            time_us: self.now().micros(),
            events: self.events_processed(),
            trace_hash: alloc::format!("{:016x}", self.trace().hash()),
            records_sent,
            records_acknowledged,
            records_failed,
            records_consumed,
            brokers: self
                .brokers
                .iter()
                .map(|b| BrokerView {
                    id: b.id,
                    alive: b.alive,
                    fenced: b.fenced,
                    registering: b.registering,
                })
                .collect(),
            producers: self.producer_views(),
            partitions: self.partition_summaries(),
            groups: self
                .groups
                .iter()
                .map(|g| GroupView {
                    group_id: g.group_id.clone(),
                    coordinator: g.coordinator,
                    offsets_partition: g.offsets_partition,
                    state: g.state,
                    generation: g.generation,
                    protocol: g.protocol_name(),
                    leader: g.leader_consumer(),
                    members: g.members.iter().map(|m| m.consumer).collect(),
                    member_details: g
                        .members
                        .iter()
                        .map(|m| GroupMemberView {
                            consumer: m.consumer,
                            member_id: m.member_id.clone(),
                            group_instance_id: m.instance_id.clone(),
                            strategies: m.protocols.display(),
                            assignment: m
                                .assignment
                                .iter()
                                .map(|tp| {
                                    let topic = self
                                        .topics
                                        .get(tp.topic as usize)
                                        .map_or_else(String::new, |t| t.name.clone());
                                    (topic, tp.partition)
                                })
                                .collect(),
                        })
                        .collect(),
                    committed: g
                        .committed
                        .iter()
                        .map(|(tp, o)| (self.topic_name(tp.topic), tp.partition, *o))
                        .collect(),
                    lag_history: g
                        .lag_history
                        .iter()
                        .map(|s| [s.time_us, s.lag, s.committed_lag])
                        .collect(),
                    lag_partitions: self
                        .group_partitions(g.index)
                        .iter()
                        .map(|tp| (self.topic_name(tp.topic), tp.partition))
                        .collect(),
                    partition_lag_history: g
                        .lag_history
                        .iter()
                        .map(|s| {
                            (
                                s.time_us,
                                s.partitions.iter().map(|&(a, b)| [a, b]).collect(),
                            )
                        })
                        .collect(),
                })
                .collect(),
            consumers: self.consumer_views(),
            messages: self.message_views(),
            changes: self.changes().to_vec(),
            monitor: self.monitor.counts(),
            leader_elections: self.leader_elections,
            faults: self.fault_texts(),
            transactions: self.transaction_views(),
        }
    }

    /// The message with this id while it is in flight (`None` once delivered). Message ids
    /// grow by one per message sent, so tests can follow every request and response.
    pub fn message(&self, id: u64) -> Option<&crate::net::Message> {
        self.messages.get(&id)
    }
}

/// Read-only answers the page's transaction view needs (no state of their own).
impl Sim {
    /// The producer instance application `app` currently drives (after a restart or a
    /// zombie, the newest one); `None` for an unknown application.
    pub fn app_instance(&self, app: u32) -> Option<u32> {
        self.app_producer.get(app as usize).copied()
    }

    /// Whether consumer `consumer` reads with `isolation.level=read_committed`.
    pub fn consumer_read_committed(&self, consumer: u32) -> bool {
        self.read_committed(crate::net::Node::Consumer(consumer))
    }

    /// Where a fetch of `tp` by consumer `consumer` ends now: the high watermark, or the last
    /// stable offset under read_committed (what its lag is measured to).
    pub fn consumer_fetch_limit(&self, consumer: u32, tp: crate::net::TopicPartitionId) -> u64 {
        self.consumer_fetch_end(crate::net::Node::Consumer(consumer), tp)
    }
}
