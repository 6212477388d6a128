//! A partition leader's side of transactions: its transaction index read from its log (the
//! last stable offset, the aborted transactions a read_committed fetch gets), the
//! WriteTxnMarkers request (append the markers, answer once replicated), and the epoch check
//! of a transactional produce against the log (the coordinator's side is asked by message,
//! `broker::txn_verification`).

use crate::broker::context::{partition, BrokerCtx};
use crate::broker::state::Brokers;
use crate::broker::txn_index::MarkerWait;
use crate::broker::txn_index::PartitionTxns;
use crate::cluster::Topic;
use crate::event::Delivery;
use crate::log::{EntryKind, LogEntry};
use crate::net::{Body, KafkaError, Node, TopicPartitionId};
use crate::sim::Sim;
use alloc::string::String;
use alloc::vec::Vec;

/// A transaction marker: a control batch (the v2 header plus one control record).
fn control_record(
    record_id: u64,
    (pid, epoch): (i64, i16),
    leader_epoch: u32,
    now: crate::time::SimTime,
    commit: bool,
) -> LogEntry {
    LogEntry {
        record_id,
        producer_id: pid,
        producer: u32::MAX,
        ordinal: 0,
        key: None,
        size_bytes: crate::record::RECORD_BATCH_OVERHEAD as u32 + 16,
        leader_epoch,
        timestamp: now,
        kind: if commit {
            EntryKind::ControlCommit
        } else {
            EntryKind::ControlAbort
        },
        producer_epoch: epoch,
        transactional: true,
    }
}

impl Sim {
    /// Open and aborted transactions of a partition (from its leader's log).
    pub fn partition_transactions(&self, tp: TopicPartitionId) -> Option<&PartitionTxns> {
        self.broker_state.partition_txns.get(&tp)
    }

    /// Whether the entry at `offset` of `tp` belongs to an aborted transaction (by the
    /// leader's aborted-transaction index: its producer id, from the transaction's first
    /// offset up to its ABORT marker).
    pub fn in_aborted_transaction(&self, tp: TopicPartitionId, e: &LogEntry, offset: u64) -> bool {
        e.transactional
            && self.broker_state.partition_txns.get(&tp).is_some_and(|t| {
                t.aborted.iter().any(|(pid, first, marker)| {
                    *pid == e.producer_id && *first <= offset && offset < *marker
                })
            })
    }
}

impl Brokers {
    /// Reads what is new in the leader's log of `tp` into its open / aborted transactions
    /// (after every append and leader change, with the monitor). Nothing is kept before the
    /// first transactional producer exists.
    pub(crate) fn txn_index_read(&mut self, ctx: &mut BrokerCtx, tp: TopicPartitionId) {
        if ctx.txn.transactions.is_empty() {
            return;
        }
        let p = ctx
            .topics
            .get(tp.topic as usize)
            .and_then(|t| t.partitions.get(tp.partition as usize))
            .unwrap_or_else(|| {
                panic!("the transaction index reads {tp:?}: not a partition of the cluster (the engine reads only its own, and none is ever removed)")
            });
        let Some(r) = p.leader_replica() else {
            // Offline (no leader): read when a leader is elected.
            return;
        };
        let leader = Some((r.broker, p.leader_epoch));
        let log = &r.log;
        let t = self.partition_txns.entry(tp).or_default();
        if t.leader != leader {
            *t = PartitionTxns {
                leader,
                read_to: log.log_start_offset(),
                ..PartitionTxns::default()
            };
        }
        let from = t.read_to.max(log.log_start_offset());
        for (off, e) in log.range(from, log.log_end_offset()) {
            if !e.transactional {
                continue;
            }
            let epoch = t.epochs.entry(e.producer_id).or_insert(e.producer_epoch);
            *epoch = (*epoch).max(e.producer_epoch);
            match e.kind {
                EntryKind::Data => {
                    t.ongoing.entry(e.producer_id).or_insert(off);
                }
                EntryKind::ControlCommit => {
                    t.ongoing.remove(&e.producer_id);
                }
                EntryKind::ControlAbort => {
                    if let Some(first) = t.ongoing.remove(&e.producer_id) {
                        t.aborted.push((e.producer_id, first, off));
                    }
                }
            }
        }
        t.read_to = log.log_end_offset();
        let start = log.log_start_offset();
        t.aborted.retain(|(_, _, marker)| *marker >= start);
    }

    /// WriteTxnMarkers at a partition leader: one COMMIT / ABORT control record per
    /// partition, answered once replicated.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn write_markers(
        &mut self,
        ctx: &mut BrokerCtx,
        b: u32,
        from: Node,
        tid: String,
        pid: i64,
        epoch: i16,
        commit: bool,
        partitions: Vec<TopicPartitionId>,
    ) -> Delivery {
        let Node::Broker(coordinator) = from else {
            unreachable!("WriteTxnMarkers come only from a transaction coordinator (a broker)");
        };
        let mut failed = Vec::new();
        let mut written = 0;
        for tp in partitions {
            match self.write_marker(ctx, b, coordinator, &tid, (pid, epoch), commit, tp) {
                Ok(()) => written += 1,
                Err(e) => failed.push((tp, Some(e))),
            }
        }
        if !failed.is_empty() {
            ctx.out.send(
                Node::Broker(b),
                from,
                Body::WriteTxnMarkersResponse {
                    transactional_id: tid,
                    producer_id: pid,
                    results: failed,
                },
            );
        }
        Delivery::MarkersWritten {
            markers: written,
            commit,
        }
    }

    /// One COMMIT / ABORT control record on `tp` (`Partition.appendRecordsToLeader` of a
    /// control batch), waited on until replicated; an error when `b` does not lead `tp` or the
    /// marker's epoch is fenced.
    #[allow(clippy::too_many_arguments)]
    fn write_marker(
        &mut self,
        ctx: &mut BrokerCtx,
        b: u32,
        coordinator: u32,
        tid: &str,
        (pid, epoch): (i64, i16),
        commit: bool,
        tp: TopicPartitionId,
    ) -> Result<(), KafkaError> {
        let known = self
            .partition_txns
            .get(&tp)
            .and_then(|t| t.epochs.get(&pid).copied());
        let Some(p) = ctx.partition(tp) else {
            // Not a partition of this cluster: answered as by a broker that does not lead it.
            return Err(KafkaError::NotLeaderOrFollower);
        };
        if p.leader != Some(b) {
            return Err(KafkaError::NotLeaderOrFollower);
        }
        if known.is_some_and(|k| k > epoch) {
            return Err(KafkaError::InvalidProducerEpoch);
        }
        let leader_epoch = p.leader_epoch;
        if known.is_none_or(|k| k < epoch) {
            // A marker under a new epoch: the producer's sequence starts again.
            self.producer_state.remove(&(pid, tp));
        }
        let record_id = *ctx.next_record_id;
        *ctx.next_record_id += 1;
        let now = ctx.now;
        let l = ctx
            .partition_mut(tp)
            .and_then(|p| p.leader_replica_mut())
            .expect("a partition's leader is one of its replicas (elections pick only replicas)");
        let offset = l.log.append(control_record(
            record_id,
            (pid, epoch),
            leader_epoch,
            now,
            commit,
        ));
        self.marker_waits.push(MarkerWait {
            broker: b,
            coordinator,
            transactional_id: String::from(tid),
            producer_id: pid,
            tp,
            offset,
        });
        self.on_leader_log_grew(ctx, tp);
        // The last stable offset may have moved: read_committed fetches wake.
        self.wake_parked(ctx, tp, false);
        self.complete_marker_waits(ctx, tp);
        Ok(())
    }

    /// A transactional produce at a partition leader, against its log: refused when a newer
    /// epoch of the producer id is known there (the coordinator's side was verified before,
    /// `broker::txn_verification`). A new epoch starts a new sequence.
    pub(crate) fn check_transactional_produce(
        &mut self,
        tp: TopicPartitionId,
        pid: i64,
        epoch: i16,
    ) -> Result<(), KafkaError> {
        let known = self
            .partition_txns
            .get(&tp)
            .and_then(|t| t.epochs.get(&pid).copied());
        if known.is_some_and(|k| epoch < k) {
            return Err(KafkaError::InvalidProducerEpoch);
        }
        if known.is_some_and(|k| epoch > k) {
            self.producer_state.remove(&(pid, tp));
        }
        Ok(())
    }
    /// The last stable offset of a partition at its leader: the high watermark, or the first
    /// offset of the earliest open transaction when that is lower.
    pub(crate) fn last_stable_offset(&self, topics: &[Topic], tp: TopicPartitionId) -> u64 {
        let hw = partition(topics, tp).map_or(0, |p| p.high_watermark());
        let first = self
            .partition_txns
            .get(&tp)
            .and_then(|t| t.ongoing.values().min().copied());
        let lso = first.map_or(hw, |f| f.min(hw));
        debug_assert!(
            lso <= hw,
            "the last stable offset never passes the high watermark"
        );
        lso
    }

    /// The aborted transactions overlapping `[from, to)` of a partition, as a read_committed
    /// fetch response lists them (`collectAbortedTransactions`).
    pub(crate) fn aborted_transactions(
        &self,
        tp: TopicPartitionId,
        from: u64,
        to: u64,
    ) -> Vec<(i64, u64)> {
        self.partition_txns.get(&tp).map_or_else(Vec::new, |t| {
            t.aborted
                .iter()
                .filter(|(_, first, marker)| *first < to && *marker >= from)
                .map(|(pid, first, _)| (*pid, *first))
                .collect()
        })
    }

    /// Answers the marker appends on `tp` that are now replicated (or whose broker no longer
    /// leads). Called whenever the high watermark is recomputed.
    pub(crate) fn complete_marker_waits(&mut self, ctx: &mut BrokerCtx, tp: TopicPartitionId) {
        if !self.marker_waits.iter().any(|w| w.tp == tp) {
            return;
        }
        let (leader, hw) = ctx
            .partition(tp)
            .map_or((None, 0), |p| (p.leader, p.high_watermark()));
        let mut i = 0;
        while i < self.marker_waits.len() {
            let w = &self.marker_waits[i];
            if w.tp != tp {
                i += 1;
                continue;
            }
            let error = if leader != Some(w.broker) {
                Some(KafkaError::NotLeaderOrFollower)
            } else if hw > w.offset {
                None
            } else {
                i += 1;
                continue;
            };
            let w = self.marker_waits.remove(i);
            ctx.out.send(
                Node::Broker(w.broker),
                Node::Broker(w.coordinator),
                Body::WriteTxnMarkersResponse {
                    transactional_id: w.transactional_id,
                    producer_id: w.producer_id,
                    results: alloc::vec![(tp, error)],
                },
            );
        }
    }
}
