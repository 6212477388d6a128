//! The producer's sender thread (`Sender`): drains every ready partition of a leader into one
//! Produce request (piggyback), up to max.in.flight.requests.per.connection, with the
//! request's acks and timeout_ms; sleeps until a batch lingers out, ends its backoff or expires.
//! Handlers of the producer instance (`crate::actor`): it learns partition leaders and the
//! brokers that refuse connections from the metadata in its context.

use crate::config::Acks;
use crate::event::Event;
use crate::net::{Body, Node, PartitionProduceResult, TopicPartitionId};
use crate::producer::accumulator::{PartitionerState, ProducerBatch};
use crate::producer::context::{ProducerCtx, ProducerTimer};
use crate::producer::responses::close_batch;
use crate::producer::responses::delivery_timeout_us;
use crate::producer::{InFlightRequest, Producer, ProducerState};
use crate::time::SimTime;
use alloc::vec::Vec;

impl Producer {
    /// The sender's linger / backoff / expiry timer fired (stale when an earlier wake-up
    /// superseded it).
    pub(crate) fn on_sender_wake(&mut self, ctx: &mut ProducerCtx, at: SimTime) -> Option<Event> {
        if self.wake_at != Some(at) {
            return None; // superseded by an earlier wake-up
        }
        self.wake_at = None;
        let requests_sent = self.sender_run(ctx);
        Some(Event::SenderWoke {
            producer: self.index,
            requests_sent,
        })
    }

    /// One run of the sender thread (`Sender.runOnce`): expire batches, add the transaction's
    /// new partitions, then `sendProducerData` until nothing more is sendable, then EndTxn if
    /// the transaction is ending. Returns requests sent.
    pub(crate) fn sender_run(&mut self, ctx: &mut ProducerCtx) -> u32 {
        // An idempotent producer's InitProducerId is out: nothing is drained or expired
        // until its answer (`Sender.maybeSendAndPollTransactionalRequest` returns first).
        if self.awaits_producer_id() {
            return 0;
        }
        // Kafka's sender loops without sleeping while something is sendable and a
        // connection has room; each pass takes at most one batch per partition.
        let mut total = 0;
        self.expire_batches(ctx);
        self.txn_maybe_add_partitions(ctx);
        loop {
            let sent = self.sender_pass(ctx);
            total += sent;
            if sent == 0 {
                break;
            }
        }
        self.txn_maybe_send_end(ctx);
        total
    }

    /// One pass of `Sender.sendProducerData`: find ready brokers, drain each one's partitions
    /// into a produce request, send. Returns requests sent.
    fn sender_pass(&mut self, ctx: &mut ProducerCtx) -> u32 {
        let now = ctx.now;
        if self.state == ProducerState::Closed {
            return 0;
        }
        let leaders = ctx.metadata.leaders(self.topic);
        // Closing, a send() blocked on memory (`free.queued() > 0`) or a flush() in progress
        // (`RecordAccumulator.flushInProgress()`): everything is sendable. Committing or
        // aborting a transaction flushes too.
        let flushing = self.state == ProducerState::Closing
            || self.blocked.is_some()
            || self.flush_requested
            || self.txn.as_ref().is_some_and(|t| t.ending());
        let ready_nodes = ready(self, &leaders, now, flushing);
        let mut sent = 0;
        let max_in_flight = self.config.max_in_flight_requests_per_connection.value;
        for node in ready_nodes {
            // A killed broker's host refuses the connection: the batches wait for the
            // metadata that names a new leader (`NetworkClient.ready` is false).
            if ctx.metadata.refuses_connections(node) {
                continue;
            }
            if self.in_flight_per_broker[node as usize] >= max_in_flight {
                continue;
            }
            let batches = drain_batches_for_one_node(self, node, &leaders, now, flushing);
            if batches.is_empty() {
                continue;
            }
            self.send_produce_request(ctx, node, batches);
            sent += 1;
        }
        // The sender sleeps until a queued batch lingers out, ends its backoff or expires.
        self.schedule_sender_wake(ctx);
        sent
    }

    /// `Sender.sendProduceRequest`: one Produce request to `node` with `batches` (acks=0:
    /// completed at once, as no response will come).
    fn send_produce_request(
        &mut self,
        ctx: &mut ProducerCtx,
        node: u32,
        batches: Vec<ProducerBatch>,
    ) {
        let now = ctx.now;
        let request_id = *ctx.next_request_id;
        *ctx.next_request_id += 1;
        let acks = self.config.acks.value;
        self.stats.requests_sent += 1;
        self.metrics.on_request(&batches, now);
        self.journal_sent(ctx, &batches);
        let body = self.produce_request(request_id, &batches);
        // acks=0: no response will come, so the batches complete as soon as they are
        // sent, with offset -1, and take no in-flight slot.
        let results: Vec<PartitionProduceResult> = if acks == Acks::None {
            batches
                .iter()
                .map(|b| PartitionProduceResult {
                    tp: self.topic_partition(b),
                    batch_id: b.id,
                    base_offset: -1,
                    error: None,
                })
                .collect()
        } else {
            self.in_flight_per_broker[node as usize] += 1;
            let timeout = self.config.request_timeout_ms.value * 1000;
            ctx.out.timer(
                now.plus(timeout),
                ProducerTimer::RequestTimeout { request_id },
            );
            Vec::new()
        };
        let previous = self.in_flight.insert(
            request_id,
            InFlightRequest {
                request_id,
                broker: node,
                sent_at: now,
                batches,
            },
        );
        assert!(
            previous.is_none(),
            "produce request {request_id} is sent once"
        );
        ctx.out
            .send(Node::Producer(self.index), Node::Broker(node), body);
        if acks == Acks::None {
            self.complete_request(ctx, request_id, &results);
        }
    }

    /// The inspector's journal learns each record's epoch, sequence and its batch's sizes.
    fn journal_sent(&self, ctx: &mut ProducerCtx, batches: &[ProducerBatch]) {
        for b in batches {
            let (wire_bytes, uncompressed_bytes) = (b.wire_size(), b.uncompressed_size());
            for (i, r) in b.records.iter().enumerate() {
                let sent = crate::inspect::SentBatch {
                    producer_epoch: self.epoch,
                    sequence: b.base_sequence.map(|s| s.wrapping_add(i as i32)),
                    wire_bytes,
                    uncompressed_bytes,
                };
                ctx.journal.set_sent(r.id, sent);
            }
        }
    }

    fn topic_partition(&self, batch: &ProducerBatch) -> TopicPartitionId {
        TopicPartitionId {
            topic: self.topic,
            partition: batch.partition,
        }
    }

    /// The Produce request with every field Kafka puts in it: the producer id (-1 unless
    /// idempotent), epoch and transactional.id, acks, timeout_ms and the batches. Under a
    /// transaction (KIP-890 V2) the request adds its partitions to it.
    fn produce_request(&mut self, request_id: u64, batches: &[ProducerBatch]) -> Body {
        let producer_id = if self.idempotent {
            self.producer_id
        } else {
            -1
        };
        let transactional_id = self.txn.as_mut().map(|t| {
            t.added.extend(batches.iter().map(|b| b.partition));
            t.transactional_id.clone()
        });
        Body::Produce {
            request_id,
            producer: self.index,
            producer_id,
            producer_epoch: self.epoch,
            transactional_id,
            acks: self.config.acks.value,
            timeout_ms: self.config.request_timeout_ms.value,
            batches: batches
                .iter()
                .map(|b| (self.topic_partition(b), b.clone()))
                .collect(),
        }
    }

    /// Wakes the sender at the earliest time a queued batch becomes sendable or expires.
    pub(crate) fn schedule_sender_wake(&mut self, ctx: &mut ProducerCtx) {
        let now = ctx.now;
        let linger_us = self.config.linger_ms.value * 1000;
        let timeout = delivery_timeout_us(&self.config);
        let Some(at) = self.accumulator.next_wake(now, linger_us, timeout) else {
            return;
        };
        if self.wake_at.is_none_or(|w| w > at || w < now) {
            self.wake_at = Some(at);
            ctx.out.timer(at, ProducerTimer::SenderWake { at });
        }
    }
}

/// `RecordAccumulator.ready`: the leaders with a sendable batch, in broker order (after the
/// adaptive partitioner's load statistics are rebuilt, as `ready()` does).
fn ready(p: &mut Producer, leaders: &[Option<u32>], now: SimTime, flushing: bool) -> Vec<u32> {
    let linger_us = p.config.linger_ms.value * 1000;
    if let PartitionerState::BuiltIn(b) = &mut p.partitioner {
        if p.config.partitioner_adaptive_partitioning_enable.value && leaders.len() >= 2 {
            // partitioner.availability.timeout.ms: a leader that has had sendable data
            // but was not drained for longer than that is left out of the choice.
            let timeout = p.config.partitioner_availability_timeout_ms.value * 1000;
            let (ready_at, drained_at) = (&p.node_ready_at, &p.node_drained_at);
            let available = |l: u32| {
                timeout == 0
                    || ready_at
                        .get(l as usize)
                        .zip(drained_at.get(l as usize))
                        .is_none_or(|(r, d)| r.since(*d) <= timeout)
            };
            let qs = p.accumulator.queue_sizes(leaders, available);
            b.update_load_stats(
                qs.as_ref().map(|(s, i)| (&s[..], &i[..])),
                leaders.len() as u32,
            );
        }
    }
    let mut ready_nodes: Vec<u32> = Vec::new();
    for (part, leader) in leaders.iter().enumerate() {
        if let Some(l) = leader {
            if p.txn.as_ref().is_none_or(|t| t.may_send_to(part as u32))
                && p.accumulator
                    .first_ready(part as u32, now, linger_us, flushing)
                && !ready_nodes.contains(l)
            {
                ready_nodes.push(*l);
            }
        }
    }
    ready_nodes.sort_unstable();
    for n in &ready_nodes {
        if let Some(t) = p.node_ready_at.get_mut(*n as usize) {
            *t = now;
        }
    }
    ready_nodes
}

/// `RecordAccumulator.drainBatchesForOneNode`: the first batch of every partition `node`
/// leads, round-robin from where the last drain stopped, up to max.request.size (a batch that
/// was not ready itself rides along: piggyback).
fn drain_batches_for_one_node(
    p: &mut Producer,
    node: u32,
    leaders: &[Option<u32>],
    now: SimTime,
    flushing: bool,
) -> Vec<ProducerBatch> {
    let linger_us = p.config.linger_ms.value * 1000;
    let max_request = p.config.max_request_size.value;
    let parts: Vec<u32> = leaders
        .iter()
        .enumerate()
        .filter(|(_, l)| **l == Some(node))
        .map(|(i, _)| i as u32)
        .collect();
    let len = parts.len() as u32;
    let start = p.drain_index[node as usize] % len.max(1);
    let mut batches = Vec::new();
    let mut size: u32 = 0;
    let mut visited = 0;
    for i in 0..len {
        let part = parts[((start + i) % len) as usize];
        // A transactional producer sends to a partition only once it is in the
        // transaction (`isSendToPartitionAllowed`).
        let allowed = p.txn.as_ref().is_none_or(|t| t.may_send_to(part));
        if !allowed || p.accumulator.backing_off(part, now) {
            visited = i + 1;
            continue;
        }
        let front = p.accumulator.deque(part).and_then(|d| d.front());
        if let Some(b) = front {
            if !batches.is_empty() && size.saturating_add(b.size_bytes) > max_request {
                break;
            }
            let was_ready = p.accumulator.first_ready(part, now, linger_us, flushing);
            if let Some(mut b) = p.accumulator.pop_first(part) {
                size = size.saturating_add(b.size_bytes);
                prepare_for_send(p, &mut b, was_ready);
                batches.push(b);
            }
        }
        visited = i + 1;
    }
    p.drain_index[node as usize] = (start + visited) % len.max(1);
    if !batches.is_empty() {
        p.node_drained_at[node as usize] = now;
    }
    batches
}

/// A drained batch is closed (its size fixed), gets its sequence number (idempotence) and
/// its records' ordinals, and counts an attempt.
fn prepare_for_send(p: &mut Producer, b: &mut ProducerBatch, was_ready: bool) {
    let part = b.partition;
    close_batch(p, b);
    if p.idempotent && b.base_sequence.is_none() {
        let seq = &mut p.next_sequence[part as usize];
        b.base_sequence = Some(*seq);
        *seq = seq.wrapping_add(b.records.len() as i32);
    }
    if b.first_ordinal.is_none() {
        if let Some(o) = p.next_ordinal.get_mut(part as usize) {
            b.first_ordinal = Some(*o);
            *o = o.wrapping_add(b.records.len() as u32);
        }
    }
    b.attempts += 1;
    if !was_ready && b.attempts == 1 {
        b.rode_along = true;
        p.stats.batches_piggybacked += 1;
    }
    p.stats.batches_sent += 1;
}
