//! Produce at the partition leader (`ReplicaManager.appendRecords`, `Partition.appendRecordsToLeader`):
//! the leader's checks (leadership, min.insync.replicas, a transactional batch's epoch,
//! idempotent deduplication by sequence), the append, and acks=all completion in the produce
//! purgatory (`DelayedProduce`) with Kafka's per-partition outcomes and its expiry after the
//! request's `timeout_ms`.

use crate::broker::context::{partition, BrokerCall, BrokerCtx};
use crate::broker::metrics::counts_as_failed;
use crate::broker::state::Brokers;
use crate::broker::timers::BrokerTimer;
use crate::cluster::Topic;
use crate::config::Acks;
use crate::event::{Delivery, Event};
use crate::log::{EntryKind, LogEntry};
use crate::net::{Body, KafkaError, Node, PartitionProduceResult, TopicPartitionId};
use crate::producer::accumulator::ProducerBatch;
use crate::sim::DelayedProduce;
#[cfg(test)]
use crate::sim::Sim;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// How many batches per producer and partition a leader remembers for deduplication.
pub(crate) const PRODUCER_STATE_BATCHES: usize = 5;

use crate::broker::purgatory::ProducerIds;

/// What the leader did with a produce request's batches so far (`appendRecords`).
#[derive(Default)]
struct LeaderAppends {
    results: Vec<PartitionProduceResult>,
    /// (partition, batch id, base offset, end offset) for the acks=all wait.
    waits: Vec<(TopicPartitionId, u64, u64, u64)>,
    appended: u32,
    duplicates: u32,
    /// Partitions whose append failed in a way Kafka counts (FailedProduceRequestsPerSec).
    failed: u32,
    /// Partitions whose leader log grew.
    touched: Vec<TopicPartitionId>,
}

impl LeaderAppends {
    /// A batch refused with `error`.
    fn refuse(&mut self, tp: TopicPartitionId, batch_id: u64, error: KafkaError) {
        self.results.push(PartitionProduceResult {
            tp,
            batch_id,
            base_offset: -1,
            error: Some(error),
        });
    }
}

/// An idempotent batch against what the leader remembers of its producer.
enum SequenceCheck {
    /// New and in sequence (or not idempotent): appended.
    Append,
    /// Already in the log at this base offset: answered, not appended.
    Duplicate(u64),
    /// Not the next sequence: OUT_OF_ORDER_SEQUENCE_NUMBER.
    OutOfOrder,
}

impl Brokers {
    /// A produce request at broker `b`: a transactional one that opens a transaction in a
    /// partition waits for its coordinator's verification (`broker::txn_verification`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn on_produce_request(
        &mut self,
        ctx: &mut BrokerCtx,
        b: u32,
        producer: u32,
        request_id: u64,
        ids: ProducerIds,
        acks_timeout: (Acks, u64),
        batches: Vec<(TopicPartitionId, ProducerBatch)>,
    ) -> Delivery {
        if ids.2.is_some() {
            let partitions = self.partitions_to_verify(ctx.topics, b, &ids, &batches);
            if !partitions.is_empty() {
                return self.hold_for_verification(
                    ctx,
                    b,
                    producer,
                    request_id,
                    ids,
                    acks_timeout,
                    batches,
                    partitions,
                );
            }
        }
        self.append_produce(
            ctx,
            b,
            producer,
            request_id,
            ids,
            acks_timeout,
            batches,
            &BTreeMap::new(),
        )
    }

    /// `ReplicaManager.appendRecords`: every batch checked and appended (a verified
    /// transactional batch with the coordinator's answer in `verified`), then answered or
    /// parked for acks=all.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn append_produce(
        &mut self,
        ctx: &mut BrokerCtx,
        b: u32,
        producer: u32,
        request_id: u64,
        ids: ProducerIds,
        (acks, timeout_ms): (Acks, u64),
        batches: Vec<(TopicPartitionId, ProducerBatch)>,
        verified: &BTreeMap<TopicPartitionId, Option<KafkaError>>,
    ) -> Delivery {
        let mut out = LeaderAppends {
            results: Vec::with_capacity(batches.len()),
            ..LeaderAppends::default()
        };
        for (tp, batch) in batches {
            self.append_to_partition(ctx, b, producer, &ids, acks, tp, batch, verified, &mut out);
        }
        self.mark_produce_metrics(b, &out, ctx.now);
        // A `crash:leader=…,ahead` fault waiting on one of these partitions: the leader dies
        // right after this append, before its followers fetch it (see `sim::schedule`).
        let crash_after = ctx
            .crash_ahead
            .is_some_and(|wtp| out.touched.contains(&wtp));
        for tp in &out.touched {
            if crash_after {
                self.read_log(ctx, *tp);
                self.advance_high_watermark(ctx, *tp);
            } else {
                self.on_leader_log_grew(ctx, *tp);
            }
        }
        let delayed = DelayedProduce {
            broker: b,
            producer,
            request_id,
            waits: out.waits,
            results: out.results,
        };
        let responded = self.complete_or_watch_produce(ctx, delayed, acks, timeout_ms);
        if crash_after {
            ctx.out.call(BrokerCall::CrashAheadLeader { broker: b });
        }
        Delivery::Appended {
            records: out.appended,
            duplicates: out.duplicates,
            responded,
        }
    }

    /// MessagesInPerSec by the records taken (duplicates too), FailedProduceRequestsPerSec
    /// by the partitions refused unexpectedly (`broker::metrics`).
    fn mark_produce_metrics(&mut self, b: u32, out: &LeaderAppends, now: crate::time::SimTime) {
        let taken = u64::from(out.appended + out.duplicates);
        if taken == 0 && out.failed == 0 {
            return;
        }
        let m = self.metrics_mut(b);
        if taken > 0 {
            m.messages_in.mark(taken, now);
        }
        if out.failed > 0 {
            m.failed_produce_requests.mark(u64::from(out.failed), now);
        }
    }

    /// `Partition.appendRecordsToLeader` for one batch: the leader's checks, the idempotent
    /// producer's sequence, then the append.
    #[allow(clippy::too_many_arguments)]
    fn append_to_partition(
        &mut self,
        ctx: &mut BrokerCtx,
        b: u32,
        producer: u32,
        ids: &ProducerIds,
        acks: Acks,
        tp: TopicPartitionId,
        batch: ProducerBatch,
        verified: &BTreeMap<TopicPartitionId, Option<KafkaError>>,
        out: &mut LeaderAppends,
    ) {
        if ctx.partition(tp).is_none() {
            // A partition this cluster does not have: nothing to answer for it.
            return;
        }
        if let Err(e) = self.check_leader_append(ctx, b, acks, tp, ids, verified) {
            // A batch its coordinator did not verify never reaches `appendToLocalLog`.
            let unverified = matches!(verified.get(&tp), Some(Some(_)));
            out.failed += u32::from(!unverified && counts_as_failed(e));
            out.refuse(tp, batch.id, e);
            return;
        }
        match self.check_producer_sequence(ctx.topics, tp, ids.0, &batch) {
            SequenceCheck::Append => {}
            SequenceCheck::Duplicate(off) => {
                let n = batch.records.len() as u64;
                out.duplicates += n as u32;
                out.results.push(PartitionProduceResult {
                    tp,
                    batch_id: batch.id,
                    base_offset: off as i64,
                    error: None,
                });
                // acks=all: like an append, the answer waits until the high watermark passed
                // the original batch (`DelayedProduce` in Kafka waits on the required offset
                // whether or not the batch was new).
                out.waits.push((tp, batch.id, off, off + n));
                return;
            }
            SequenceCheck::OutOfOrder => {
                out.failed += 1;
                out.refuse(tp, batch.id, KafkaError::OutOfOrderSequenceNumber);
                return;
            }
        }
        self.append_batch(ctx, producer, ids, tp, batch, out);
    }

    /// The leader's checks before an append: `b` leads the partition, acks=all has
    /// min.insync.replicas, a transactional batch's epoch is not fenced in the log, and the
    /// coordinator did not refuse it (`broker::txn_verification`).
    fn check_leader_append(
        &mut self,
        ctx: &mut BrokerCtx,
        b: u32,
        acks: Acks,
        tp: TopicPartitionId,
        (producer_id, producer_epoch, transactional_id): &ProducerIds,
        verified: &BTreeMap<TopicPartitionId, Option<KafkaError>>,
    ) -> Result<(), KafkaError> {
        let min_isr = ctx.topics[tp.topic as usize].min_insync_replicas;
        let part = &ctx.topics[tp.topic as usize].partitions[tp.partition as usize];
        if part.leader != Some(b) {
            return Err(KafkaError::NotLeaderOrFollower);
        }
        if acks == Acks::All && part.isr.len() < part.effective_min_isr(min_isr) {
            return Err(KafkaError::NotEnoughReplicas);
        }
        if transactional_id.is_some() {
            if let Some(Some(e)) = verified.get(&tp) {
                return Err(*e);
            }
            self.check_transactional_produce(tp, *producer_id, *producer_epoch)?;
        }
        Ok(())
    }

    /// Idempotent producer (`ProducerStateManager`): a batch the leader already has is a
    /// duplicate; a new one must follow the last batch exactly.
    fn check_producer_sequence(
        &mut self,
        topics: &[Topic],
        tp: TopicPartitionId,
        producer_id: i64,
        batch: &ProducerBatch,
    ) -> SequenceCheck {
        let (true, Some(seq)) = (producer_id >= 0, batch.base_sequence) else {
            // Not an idempotent batch (no producer id or no sequence): nothing to check.
            return SequenceCheck::Append;
        };
        let last = seq.wrapping_add(batch.records.len() as i32 - 1);
        // Forget batches the leader's log no longer holds (truncated, or never replicated to
        // this leader).
        if let (Some(state), Some(lr)) = (
            self.producer_state.get_mut(&(producer_id, tp)),
            topics[tp.topic as usize].partitions[tp.partition as usize].leader_replica(),
        ) {
            state.retain(|(_, _, off, first_id)| {
                lr.log.get(*off).is_some_and(|e| e.record_id == *first_id)
            });
        }
        let Some(state) = self.producer_state.get(&(producer_id, tp)) else {
            // The producer's first batch here (or the leader forgot the others): appended.
            return SequenceCheck::Append;
        };
        if let Some(&(_, _, off, _)) = state.iter().find(|(f, l, _, _)| *f == seq && *l == last) {
            return SequenceCheck::Duplicate(off);
        }
        let expected = state.back().map(|(_, l, _, _)| l.wrapping_add(1));
        if expected.is_some_and(|e| e != seq) {
            return SequenceCheck::OutOfOrder;
        }
        SequenceCheck::Append
    }

    /// The append to the leader's log, and the idempotent producer's state for it.
    fn append_batch(
        &mut self,
        ctx: &mut BrokerCtx,
        producer: u32,
        (producer_id, producer_epoch, transactional_id): &ProducerIds,
        tp: TopicPartitionId,
        batch: ProducerBatch,
        out: &mut LeaderAppends,
    ) {
        let (producer_id, producer_epoch) = (*producer_id, *producer_epoch);
        let part = &mut ctx.topics[tp.topic as usize].partitions[tp.partition as usize];
        let epoch = part.leader_epoch;
        let leader = part
            .leader_replica_mut()
            .expect("a partition's leader is one of its replicas (elections pick only replicas)");
        let base = leader.log.log_end_offset();
        let first_ordinal = batch.first_ordinal.unwrap_or(0);
        for (i, r) in batch.records.iter().enumerate() {
            leader.log.append(LogEntry {
                record_id: r.id,
                producer_id,
                producer,
                ordinal: first_ordinal.wrapping_add(i as u32),
                key: r.key,
                size_bytes: r.size_bytes,
                leader_epoch: epoch,
                timestamp: r.created_at,
                kind: EntryKind::Data,
                producer_epoch: if producer_id >= 0 { producer_epoch } else { -1 },
                transactional: transactional_id.is_some(),
            });
        }
        let end = leader.log.log_end_offset();
        out.appended += batch.records.len() as u32;
        if let (true, Some(seq)) = (producer_id >= 0, batch.base_sequence) {
            let last = seq.wrapping_add(batch.records.len() as i32 - 1);
            let state = self.producer_state.entry((producer_id, tp)).or_default();
            let first_id = batch.records.first().map_or(0, |r| r.id);
            state.push_back((seq, last, base, first_id));
            while state.len() > PRODUCER_STATE_BATCHES {
                state.pop_front();
            }
        }
        out.results.push(PartitionProduceResult {
            tp,
            batch_id: batch.id,
            base_offset: base as i64,
            error: None,
        });
        out.waits.push((tp, batch.id, base, end));
        out.touched.push(tp);
    }

    /// acks=1 answers after the leader's append; acks=all once the high watermark passed
    /// every appended or duplicate batch (errors are answered together with them): answered
    /// now if every wait is already decided, else parked in the purgatory until decided or
    /// the request's timeout (`tryCompleteElseWatch`). Returns whether it was answered.
    fn complete_or_watch_produce(
        &mut self,
        ctx: &mut BrokerCtx,
        mut delayed: DelayedProduce,
        acks: Acks,
        timeout_ms: u64,
    ) -> bool {
        match acks {
            Acks::None => false,
            Acks::Leader => {
                respond_produce(ctx, delayed);
                true
            }
            Acks::All => {
                if decide_waits(ctx.topics, &mut delayed) {
                    respond_produce(ctx, delayed);
                    return true;
                }
                let (producer, request_id) = (delayed.producer, delayed.request_id);
                let timeout_us = timeout_ms * 1000;
                ctx.out.timer(
                    ctx.now.plus(timeout_us),
                    BrokerTimer::ProduceExpire {
                        producer,
                        request_id,
                    },
                );
                ctx.delayed_produces.push(delayed);
                false
            }
        }
    }

    /// `DelayedProduce.onExpiration`: the request's timeout passed with batches still
    /// waiting; those answer REQUEST_TIMED_OUT, the decided ones keep their result. (The
    /// producer, whose own request.timeout.ms started earlier, has usually given up on the
    /// request already and ignores the answer.)
    pub(crate) fn on_produce_expire(
        &mut self,
        ctx: &mut BrokerCtx,
        producer: u32,
        request_id: u64,
    ) -> Option<Event> {
        let i = ctx
            .delayed_produces
            .iter()
            .position(|d| d.producer == producer && d.request_id == request_id)?;
        let mut d = ctx.delayed_produces.remove(i);
        let broker = d.broker;
        let partitions = d.waits.len() as u32;
        for &(_, batch_id, _, _) in &d.waits {
            if let Some(r) = d.results.iter_mut().find(|r| r.batch_id == batch_id) {
                r.error = Some(KafkaError::RequestTimedOut);
            }
        }
        d.waits.clear();
        respond_produce(ctx, d);
        Some(Event::ProduceWaitExpired {
            broker,
            producer,
            partitions,
        })
    }

    /// Checks the acks=all produces waiting on `tp` and answers those now fully decided.
    pub(crate) fn complete_delayed_produces(&self, ctx: &mut BrokerCtx, tp: TopicPartitionId) {
        if !ctx
            .delayed_produces
            .iter()
            .any(|d| d.waits.iter().any(|w| w.0 == tp))
        {
            return;
        }
        let all = core::mem::take(ctx.delayed_produces);
        let mut keep = Vec::with_capacity(all.len());
        let mut done = Vec::new();
        for mut d in all {
            if d.waits.iter().any(|w| w.0 == tp) && decide_waits(ctx.topics, &mut d) {
                done.push(d);
            } else {
                keep.push(d);
            }
        }
        *ctx.delayed_produces = keep;
        for d in done {
            let (from, to, body) = produce_response(d);
            ctx.out.send(from, to, body);
        }
    }
}

/// Sends a produce request's response from its leader.
pub(crate) fn respond_produce(ctx: &mut BrokerCtx, d: DelayedProduce) {
    let (from, to, body) = produce_response(d);
    ctx.out.send(from, to, body);
}

/// A produce request's response from its leader: (from, to, body).
pub(crate) fn produce_response(d: DelayedProduce) -> (Node, Node, Body) {
    (
        Node::Broker(d.broker),
        Node::Producer(d.producer),
        Body::ProduceResponse {
            request_id: d.request_id,
            results: d.results,
        },
    )
}

/// `Partition.checkEnoughReplicasReachOffset` for broker `b`: `None` while the high
/// watermark is below `required`; once it is reached, no error if the ISR still has
/// min.insync.replicas members, else NOT_ENOUGH_REPLICAS_AFTER_APPEND (appended, then the
/// ISR shrank); NOT_LEADER_OR_FOLLOWER once `b` no longer leads the partition.
///
/// Since 3.7 the high watermark freezes below min.insync.replicas, so a wait whose ISR
/// shrank too far usually stays undecided and expires with REQUEST_TIMED_OUT instead.
pub(crate) fn check_enough_replicas(
    topics: &[Topic],
    b: u32,
    tp: TopicPartitionId,
    required: u64,
) -> Option<Option<KafkaError>> {
    // A wait is only made for a partition the leader appended to (none is ever removed).
    let p = partition(topics, tp)
        .unwrap_or_else(|| panic!("a produce waits on {tp:?}: not a partition of the cluster"));
    if p.leader != Some(b) {
        return Some(Some(KafkaError::NotLeaderOrFollower));
    }
    if p.high_watermark() < required {
        return None;
    }
    let min_isr = topics
        .get(tp.topic as usize)
        .map_or(1, |t| t.min_insync_replicas);
    if p.isr.len() >= p.effective_min_isr(min_isr) {
        Some(None)
    } else {
        Some(Some(KafkaError::NotEnoughReplicasAfterAppend))
    }
}

/// `DelayedProduce.tryComplete`: decides every pending wait it can (the decided ones leave
/// `waits`, their result takes the error); returns whether none is left.
pub(crate) fn decide_waits(topics: &[Topic], d: &mut DelayedProduce) -> bool {
    let b = d.broker;
    let mut decided = Vec::new();
    d.waits.retain(
        |&(tp, batch_id, _, end)| match check_enough_replicas(topics, b, tp, end) {
            Some(error) => {
                decided.push((batch_id, error));
                false
            }
            None => true,
        },
    );
    for (batch_id, error) in decided {
        if let Some(r) = d.results.iter_mut().find(|r| r.batch_id == batch_id) {
            r.error = error;
        }
    }
    d.waits.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::time::SimTime;

    /// `checkEnoughReplicasReachOffset`: a wait whose offset the high watermark has passed
    /// completes without error while the ISR holds min.insync.replicas, with
    /// NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below it meanwhile, and with
    /// NOT_LEADER_OR_FOLLOWER once the broker no longer leads.
    #[test]
    fn delayed_produce_outcomes() {
        let mut c = Config::preset();
        c.set(
            crate::config::settings::broker::MIN_INSYNC_REPLICAS.name,
            "2",
        )
        .unwrap();
        let mut sim = Sim::new(c, 1).unwrap();
        sim.run_until(SimTime(1_000_000));
        let tp = TopicPartitionId {
            topic: 0,
            partition: 0,
        };
        let leader = sim.partition(tp).and_then(|p| p.leader).unwrap();
        let hw = sim.partition(tp).unwrap().high_watermark();
        assert!(hw > 10);
        let outcome = |sim: &mut Sim, isr: Option<usize>, lead: bool| {
            let mut s = sim.clone();
            let p = s.partition_mut(tp).unwrap();
            if let Some(n) = isr {
                p.isr.truncate(n);
            }
            if !lead {
                p.leader = p.replicas.iter().map(|r| r.broker).find(|b| *b != leader);
            }
            let mut d = DelayedProduce {
                broker: leader,
                producer: 0,
                request_id: 999_999,
                waits: alloc::vec![(tp, 7, hw - 10, hw - 5), (tp, 8, hw, hw + 5)],
                results: alloc::vec![
                    PartitionProduceResult {
                        tp,
                        batch_id: 7,
                        base_offset: (hw - 10) as i64,
                        error: None,
                    },
                    PartitionProduceResult {
                        tp,
                        batch_id: 8,
                        base_offset: hw as i64,
                        error: None,
                    },
                ],
            };
            let all = s.decide_waits(&mut d);
            (all, d.waits.len(), d.results[0].error, d.results[1].error)
        };
        // The second batch is above the high watermark: still waiting.
        assert_eq!(outcome(&mut sim, None, true), (false, 1, None, None));
        assert_eq!(
            outcome(&mut sim, Some(1), true),
            (
                false,
                1,
                Some(KafkaError::NotEnoughReplicasAfterAppend),
                None
            )
        );
        let nl = Some(KafkaError::NotLeaderOrFollower);
        assert_eq!(outcome(&mut sim, None, false), (true, 0, nl, nl));
    }
}
