//! What the producer does with a Produce response or its absence: batches completed, retried
//! (with idempotence, in sequence) or failed with Kafka's error; request.timeout.ms and
//! delivery.timeout.ms; a connection closed by a killed broker.

use crate::client::callback::ClientCallback;
use crate::event::{Delivery, Event};
use crate::inspect::RecordOutcome;
use crate::net::{KafkaError, PartitionProduceResult, TopicPartitionId};
use crate::producer::accumulator::ProducerBatch;
use crate::producer::{Producer, ProducerState};
use crate::sim::{Pending, Sim};
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

impl Sim {
    /// A produce response arrived: complete its batches.
    pub(crate) fn on_produce_response(
        &mut self,
        idx: u32,
        request_id: u64,
        results: Vec<PartitionProduceResult>,
    ) -> Delivery {
        let p = self.producer_mut(idx);
        if let Some(r) = p.in_flight.get(&request_id) {
            let b = r.broker as usize;
            p.in_flight_per_broker[b] = p.in_flight_per_broker[b].saturating_sub(1);
        }
        let (records, error) = self.complete_request(idx, request_id, &results);
        if let Some(e) = results
            .iter()
            .filter_map(|r| r.error)
            .find(|e| e.is_fencing())
        {
            // PRODUCER_FENCED / INVALID_PRODUCER_EPOCH: a transactional producer is done.
            self.txn_fatal(idx, e);
        }
        self.sender_run(idx);
        self.maybe_finish_close(idx);
        self.maybe_complete_flush(idx);
        Delivery::Acknowledged { records, error }
    }

    /// `KafkaProducer.flush()`: returns (a callback to the application) once every record
    /// sent before it completed; at once when nothing is queued or in flight.
    pub(crate) fn flush(&mut self, idx: u32) {
        self.producer_mut(idx).flush_requested = true;
        self.sender_run(idx);
        self.maybe_complete_flush(idx);
    }

    /// A waiting `flush()` returns when the producer has nothing queued or in flight.
    fn maybe_complete_flush(&mut self, idx: u32) {
        let p = self.producer_mut(idx);
        if !p.flush_requested || !p.drained() {
            return;
        }
        p.flush_requested = false;
        self.return_to_application(ClientCallback::Flushed { producer: idx });
    }

    /// Completes the batches of a request: callbacks run, buffer memory returns, a waiting
    /// `send().get()` returns. Returns (records completed, first error).
    pub(crate) fn complete_request(
        &mut self,
        idx: u32,
        request_id: u64,
        results: &[PartitionProduceResult],
    ) -> (u32, Option<crate::net::KafkaError>) {
        let p = self.producer_mut(idx);
        let Some(req) = p.in_flight.remove(&request_id) else {
            return (0, None);
        };
        let mut n = 0;
        let mut first_error = None;
        for b in req.batches {
            let res = results.iter().find(|r| r.batch_id == b.id);
            let error = res.map_or(Some(KafkaError::NetworkException), |r| r.error);
            let base_offset = res.map_or(-1, |r| r.base_offset);
            first_error = first_error.or(error);
            n += self.complete_batch(idx, b, error, base_offset);
        }
        (n, first_error)
    }

    /// `Sender.completeBatch`: success, a retry (retriable error, attempts and
    /// delivery.timeout.ms left), or a failure. Returns records that reached an outcome.
    pub(crate) fn complete_batch(
        &mut self,
        idx: u32,
        mut b: ProducerBatch,
        error: Option<KafkaError>,
        base_offset: i64,
    ) -> u32 {
        let now = self.now;
        let p = self.producer_mut(idx);
        let count = b.records.len() as u64;
        if let Some(e) = error {
            let deadline = b.created_at.plus(delivery_timeout_us(&p.config));
            let can_retry = e.is_retriable()
                && b.attempts <= p.config.retries.value
                && now < deadline
                && p.state != ProducerState::Closed;
            if can_retry {
                b.retry_at = Some(now.plus(retry_backoff_us(p, b.attempts)));
                p.stats.batches_retried += 1;
                p.accumulator.reenqueue(b);
                self.schedule_sender_wake(idx);
                return 0;
            }
            self.fail_batch(idx, &b, e);
        } else {
            self.acknowledge_batch(idx, &b, base_offset);
        }
        self.after_batch_completed(idx, &b);
        count as u32
    }

    /// The batch failed for good: its records fail with `e`; a transaction that lost a batch
    /// can only be aborted (`TransactionManager.transitionToAbortableError`).
    fn fail_batch(&mut self, idx: u32, b: &ProducerBatch, e: KafkaError) {
        let p = self.producer_mut(idx);
        p.stats.records_failed += b.records.len() as u64;
        if let Some(t) = p.txn.as_mut() {
            if e != KafkaError::TransactionAborted {
                t.abortable_error = true;
            }
        }
        for r in &b.records {
            self.journal
                .set_outcome(r.id, RecordOutcome::Failed { error: e.name() });
        }
    }

    /// The batch was acknowledged: its records have their offsets (-1 under acks=0) and the
    /// monitor learns what was acknowledged.
    fn acknowledge_batch(&mut self, idx: u32, b: &ProducerBatch, base_offset: i64) {
        let p = self.producer_mut(idx);
        let count = b.records.len() as u64;
        p.stats.records_acknowledged += count;
        if let Some(first) = b.first_ordinal {
            let tp = TopicPartitionId {
                topic: p.topic,
                partition: b.partition,
            };
            self.monitor.acknowledged(idx, tp, first, count as u32);
        }
        for (i, r) in b.records.iter().enumerate() {
            let offset = if base_offset >= 0 {
                base_offset + i as i64
            } else {
                -1
            };
            self.journal
                .set_outcome(r.id, RecordOutcome::Acknowledged { offset });
        }
    }

    /// Whatever waited for the batch carries on: its buffer memory comes back (a blocked
    /// `send()` tries again), and a `send().get()` on one of its records returns.
    fn after_batch_completed(&mut self, idx: u32, b: &ProducerBatch) {
        let now = self.now;
        let p = self.producer_mut(idx);
        p.accumulator.deallocate(b);
        let mut released_sync: Option<SimTime> = None;
        if let Some(w) = p.awaiting_ack {
            if let Some(r) = b.records.iter().find(|r| r.id == w) {
                p.awaiting_ack = None;
                released_sync = Some(r.created_at);
            }
        }
        if p.blocked.is_some() {
            self.schedule(now, Pending::RetryBlockedSend { producer: idx });
        }
        if let Some(created_at) = released_sync {
            self.return_to_application(ClientCallback::SendReturned {
                producer: idx,
                created_at,
            });
        }
    }

    /// `request.timeout.ms` passed without a response: the client closes the connection, so
    /// every request in flight to that broker fails (the timed-out one with
    /// REQUEST_TIMED_OUT, the others with NETWORK_EXCEPTION) and is retried or failed.
    pub(crate) fn on_request_timeout(&mut self, idx: u32, request_id: u64) -> Option<Event> {
        let p = self.producers.get(idx as usize)?;
        let broker = p.in_flight.get(&request_id)?.broker;
        let (requests, records) = self.close_connection(idx, broker, Some(request_id));
        Some(Event::RequestTimedOut {
            producer: idx,
            broker,
            requests,
            records,
        })
    }

    /// The producer's connection to `broker` closed, after `timed_out` ran out of
    /// request.timeout.ms or because the broker's process died (`None`): every request in
    /// flight to it fails (REQUEST_TIMED_OUT for the timed-out one, NETWORK_EXCEPTION, a
    /// disconnect, for the others) and is retried or failed. Returns (requests, records).
    pub(crate) fn close_connection(
        &mut self,
        idx: u32,
        broker: u32,
        timed_out: Option<u64>,
    ) -> (u32, u32) {
        let p = self.producer_mut(idx);
        let ids: Vec<u64> = p
            .in_flight
            .values()
            .filter(|r| r.broker == broker)
            .map(|r| r.request_id)
            .collect();
        if ids.is_empty() {
            return (0, 0);
        }
        if let Some(n) = p.in_flight_per_broker.get_mut(broker as usize) {
            *n = 0;
        }
        // The connection to that broker closed: if it was the transaction coordinator, the
        // next transactional request looks the coordinator up again.
        if p.txn.as_ref().is_some_and(|t| t.coordinator == broker) {
            self.txn_refresh_coordinator(idx);
        }
        let mut records = 0;
        for id in &ids {
            let Some(req) = self.producers[idx as usize].in_flight.remove(id) else {
                continue;
            };
            let e = if Some(*id) == timed_out {
                KafkaError::RequestTimedOut
            } else {
                KafkaError::NetworkException
            };
            for b in req.batches {
                records += b.records.len() as u32;
                self.complete_batch(idx, b, Some(e), -1);
            }
        }
        self.sender_run(idx);
        self.maybe_finish_close(idx);
        (ids.len() as u32, records)
    }

    /// Batches past delivery.timeout.ms fail with TimeoutException, queued or in flight
    /// (`RecordAccumulator.expiredBatches`, `Sender.getExpiredInflightBatches`).
    pub(crate) fn expire_batches(&mut self, idx: u32) -> u32 {
        let now = self.now;
        let p = self.producer_mut(idx);
        let timeout = delivery_timeout_us(&p.config);
        let expired = p.accumulator.take_expired(now, timeout);
        let mut n = 0;
        for b in expired {
            n += b.records.len() as u32;
            self.fail_expired(idx, b);
        }
        let p = &mut self.producers[idx as usize];
        let mut inflight_expired = Vec::new();
        for req in p.in_flight.values_mut() {
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
            self.fail_expired(idx, b);
        }
        n
    }

    pub(crate) fn fail_expired(&mut self, idx: u32, b: ProducerBatch) {
        if let Some(p) = self.producers.get_mut(idx as usize) {
            p.stats.batches_expired += 1;
        }
        // A timeout is final here: complete_batch cannot retry past the deadline.
        self.complete_batch(idx, b, Some(KafkaError::RequestTimedOut), -1);
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
