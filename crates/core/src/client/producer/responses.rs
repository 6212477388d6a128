//! What the producer does with a Produce response or its absence: batches completed, retried
//! (with idempotence, in sequence) or failed with Kafka's error; request.timeout.ms and
//! delivery.timeout.ms; a connection closed by a killed broker. Handlers of the producer
//! instance (`crate::actor`): record outcomes go to the inspector and acknowledgements to the
//! monitor as calls in its outbox, and a `send().get()` or `flush()` returns to the
//! application as a `ClientCallback`.

use crate::client::callback::ClientCallback;
use crate::inspect::RecordOutcome;
use crate::net::{KafkaError, PartitionProduceResult, TopicPartitionId};
use crate::producer::accumulator::ProducerBatch;
use crate::producer::context::{ProducerCall, ProducerCtx, ProducerTimer};
use crate::producer::{Producer, ProducerState};
use crate::time::SimTime;
use alloc::vec::Vec;

/// `delivery.timeout.ms`, raised to linger.ms + request.timeout.ms when it was left unset
/// (Kafka overrides a default that is too small; an explicit one that is too small is refused
/// by validation).
pub(crate) fn delivery_timeout_us(c: &crate::config::ProducerConfig) -> u64 {
    let floor = c.linger_ms.value.saturating_add(c.request_timeout_ms.value);
    c.delivery_timeout_ms.value.max(floor).saturating_mul(1000)
}

/// `ProducerBatch.close()`: the batch's records are written for real (and compressed),
/// which fixes its size on the wire, and the topic's compression ratio estimate moves toward
/// what was observed (`CompressionRatioEstimator`: up at once, down by 0.005 a batch).
pub(crate) fn close_batch(p: &mut Producer, b: &mut crate::producer::accumulator::ProducerBatch) {
    if b.wire_bytes.is_some() {
        return; // a retried batch was closed already
    }
    let uncompressed = crate::record::RECORD_BATCH_OVERHEAD as u64 + b.records_bytes as u64;
    let wire = if b.compressed {
        let enc = crate::compression::encode_producer_batch(
            b,
            p.config.compression(),
            p.config.key_serializer.value,
            p.config.workload.value_kind.value,
        );
        match enc {
            Ok(enc) => {
                let observed =
                    enc.compressed_records_bytes as f32 / enc.records_bytes.max(1) as f32;
                let est = p.accumulator.ratio_estimate;
                p.accumulator.ratio_estimate = if observed > est {
                    (est + 0.05).max(observed)
                } else if observed < est {
                    est - 0.005
                } else {
                    est
                };
                enc.wire_size() as u64
            }
            Err(_) => uncompressed,
        }
    } else {
        uncompressed
    };
    b.wire_bytes = Some(wire.min(u32::MAX as u64) as u32);
    p.stats.bytes_uncompressed += uncompressed;
    p.stats.bytes_on_wire += wire;
}

impl Producer {
    /// A produce response arrived: its request leaves the connection and its batches
    /// complete. Returns (records completed, first error, a fencing error among them).
    pub(crate) fn on_produce_response(
        &mut self,
        ctx: &mut ProducerCtx,
        request_id: u64,
        results: &[PartitionProduceResult],
    ) -> (u32, Option<KafkaError>, Option<KafkaError>) {
        if let Some(r) = self.in_flight.get(&request_id) {
            let b = r.broker as usize;
            self.in_flight_per_broker[b] = self.in_flight_per_broker[b].saturating_sub(1);
            self.metrics.on_response(r.sent_at, ctx.now);
        }
        let (records, error) = self.complete_request(ctx, request_id, results);
        let fencing = results
            .iter()
            .filter_map(|r| r.error)
            .find(|e| e.is_fencing());
        (records, error, fencing)
    }

    /// `flush()` begins: every batch is sendable at once (`RecordAccumulator.beginFlush`).
    pub(crate) fn begin_flush(&mut self, ctx: &mut ProducerCtx) {
        self.flush_requested = true;
        self.sender_run(ctx);
    }

    /// A waiting `flush()` returns when the producer has nothing queued or in flight.
    pub(crate) fn maybe_complete_flush(&mut self, ctx: &mut ProducerCtx) {
        if !self.flush_requested || !self.drained() {
            return;
        }
        self.flush_requested = false;
        ctx.out
            .call(ProducerCall::Application(ClientCallback::Flushed {
                producer: self.index,
            }));
    }

    /// Completes the batches of a request: callbacks run, buffer memory returns, a waiting
    /// `send().get()` returns. Returns (records completed, first error).
    pub(crate) fn complete_request(
        &mut self,
        ctx: &mut ProducerCtx,
        request_id: u64,
        results: &[PartitionProduceResult],
    ) -> (u32, Option<KafkaError>) {
        let Some(req) = self.in_flight.remove(&request_id) else {
            return (0, None);
        };
        let mut n = 0;
        let mut first_error = None;
        for b in req.batches {
            let res = results.iter().find(|r| r.batch_id == b.id);
            let error = res.map_or(Some(KafkaError::NetworkException), |r| r.error);
            let base_offset = res.map_or(-1, |r| r.base_offset);
            if let Some(e) = res.and_then(|r| r.error) {
                self.errors.refused_at(b.partition, e, ctx.now);
            }
            first_error = first_error.or(error);
            n += self.complete_batch(ctx, b, error, base_offset);
        }
        (n, first_error)
    }

    /// `Sender.completeBatch`: success, a retry (retriable error, attempts and
    /// delivery.timeout.ms left), or a failure. Returns records that reached an outcome.
    pub(crate) fn complete_batch(
        &mut self,
        ctx: &mut ProducerCtx,
        mut b: ProducerBatch,
        error: Option<KafkaError>,
        base_offset: i64,
    ) -> u32 {
        let now = ctx.now;
        let count = b.records.len() as u64;
        if let Some(e) = error {
            let deadline = b.created_at.plus(delivery_timeout_us(&self.config));
            let can_retry = e.is_retriable()
                && b.attempts <= self.config.retries.value
                && now < deadline
                && self.state != ProducerState::Closed;
            self.errors.note(b.partition, e, now, can_retry);
            if can_retry {
                b.retry_at = Some(now.plus(retry_backoff_us(self, b.attempts)));
                self.stats.batches_retried += 1;
                self.metrics.on_retry(count, now);
                self.accumulator.reenqueue(b);
                self.schedule_sender_wake(ctx);
                return 0;
            }
            self.fail_batch(ctx, &b, e);
        } else {
            self.acknowledge_batch(ctx, &b, base_offset);
        }
        self.after_batch_completed(ctx, &b);
        count as u32
    }

    /// The batch failed for good: its records fail with `e`; a transaction that lost a batch
    /// can only be aborted (`TransactionManager.transitionToAbortableError`).
    fn fail_batch(&mut self, ctx: &mut ProducerCtx, b: &ProducerBatch, e: KafkaError) {
        self.stats.records_failed += b.records.len() as u64;
        self.metrics.on_error(b.records.len() as u64, ctx.now);
        if let Some(t) = self.txn.as_mut() {
            if e != KafkaError::TransactionAborted {
                t.abortable_error = true;
            }
        }
        let outcome = RecordOutcome::Failed { error: e.name() };
        for r in b.records.iter() {
            ctx.journal.set_outcome(r.id, outcome);
        }
    }

    /// The batch was acknowledged: its records have their offsets (-1 under acks=0) and the
    /// monitor learns what was acknowledged.
    fn acknowledge_batch(&mut self, ctx: &mut ProducerCtx, b: &ProducerBatch, base_offset: i64) {
        let count = b.records.len() as u64;
        self.stats.records_acknowledged += count;
        if let Some(first) = b.first_ordinal {
            let tp = TopicPartitionId {
                topic: self.topic,
                partition: b.partition,
            };
            ctx.out.call(ProducerCall::Acknowledged {
                tp,
                first,
                count: count as u32,
            });
        }
        for (i, r) in b.records.iter().enumerate() {
            let offset = if base_offset >= 0 {
                base_offset + i as i64
            } else {
                -1
            };
            ctx.journal
                .set_outcome(r.id, RecordOutcome::Acknowledged { offset });
        }
    }

    /// Whatever waited for the batch carries on: its buffer memory comes back (a blocked
    /// `send()` tries again), and a `send().get()` on one of its records returns.
    fn after_batch_completed(&mut self, ctx: &mut ProducerCtx, b: &ProducerBatch) {
        self.accumulator.deallocate(b);
        let mut released_sync: Option<SimTime> = None;
        if let Some(w) = self.awaiting_ack {
            if let Some(r) = b.records.iter().find(|r| r.id == w) {
                self.awaiting_ack = None;
                released_sync = Some(r.created_at);
            }
        }
        if self.blocked.is_some() {
            ctx.out.timer(ctx.now, ProducerTimer::RetryBlockedSend);
        }
        if let Some(created_at) = released_sync {
            ctx.out
                .call(ProducerCall::Application(ClientCallback::SendReturned {
                    producer: self.index,
                    created_at,
                }));
        }
    }

    /// The producer's connection to `broker` closed, after `timed_out` ran out of
    /// request.timeout.ms or because the broker's process died (`None`): every request in
    /// flight to it fails (REQUEST_TIMED_OUT for the timed-out one, NETWORK_EXCEPTION, a
    /// disconnect, for the others) and is retried or failed. Returns (requests, records),
    /// `None` when nothing was in flight to it (the sender then has nothing new to do).
    pub(crate) fn fail_connection(
        &mut self,
        ctx: &mut ProducerCtx,
        broker: u32,
        timed_out: Option<u64>,
    ) -> Option<(u32, u32)> {
        let ids: Vec<u64> = self
            .in_flight
            .values()
            .filter(|r| r.broker == broker)
            .map(|r| r.request_id)
            .collect();
        if ids.is_empty() {
            return None;
        }
        if let Some(n) = self.in_flight_per_broker.get_mut(broker as usize) {
            *n = 0;
        }
        // The connection to that broker closed: if it was the transaction coordinator, the
        // next transactional request looks the coordinator up again.
        if self.txn.as_ref().is_some_and(|t| t.coordinator == broker) {
            self.txn_refresh_coordinator(ctx);
        }
        let mut records = 0;
        for id in &ids {
            let Some(req) = self.in_flight.remove(id) else {
                continue;
            };
            let e = if Some(*id) == timed_out {
                KafkaError::RequestTimedOut
            } else {
                KafkaError::NetworkException
            };
            for b in req.batches {
                records += b.records.len() as u32;
                self.complete_batch(ctx, b, Some(e), -1);
            }
        }
        Some((ids.len() as u32, records))
    }

    /// Batches past delivery.timeout.ms fail with TimeoutException, queued or in flight
    /// (`RecordAccumulator.expiredBatches`, `Sender.getExpiredInflightBatches`).
    pub(crate) fn expire_batches(&mut self, ctx: &mut ProducerCtx) -> u32 {
        let now = ctx.now;
        let timeout = delivery_timeout_us(&self.config);
        let expired = self.accumulator.take_expired(now, timeout);
        let mut n = 0;
        for b in expired {
            n += b.records.len() as u32;
            self.fail_expired(ctx, b);
        }
        let mut inflight_expired = Vec::new();
        for req in self.in_flight.values_mut() {
            let mut i = 0;
            while i < req.batches.len() {
                if now.since(req.batches[i].created_at) >= timeout {
                    inflight_expired.push(req.batches.remove(i));
                } else {
                    i += 1;
                }
            }
        }
        for b in inflight_expired {
            n += b.records.len() as u32;
            self.fail_expired(ctx, b);
        }
        n
    }

    fn fail_expired(&mut self, ctx: &mut ProducerCtx, b: ProducerBatch) {
        self.stats.batches_expired += 1;
        // A timeout is final here: complete_batch cannot retry past the deadline.
        self.complete_batch(ctx, b, Some(KafkaError::RequestTimedOut), -1);
    }
}

/// Exponential backoff before a batch's next attempt (KIP-580): retry.backoff.ms x
/// 2^(attempts-1), +-20% jitter, at most retry.backoff.max.ms.
fn retry_backoff_us(p: &mut crate::producer::Producer, attempts: u32) -> u64 {
    let base = p.config.retry_backoff_ms.value.max(1) * 1000;
    let max = p
        .config
        .retry_backoff_max_ms
        .value
        .max(p.config.retry_backoff_ms.value)
        * 1000;
    let exp = base.saturating_mul(1u64 << (attempts.saturating_sub(1)).min(30));
    let jittered = exp.min(max) / 1000 * (800 + p.rng.below(401));
    jittered.min(max)
}
