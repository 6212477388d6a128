//! The producer's sender thread (`Sender`): drains every ready partition of a leader into one
//! Produce request (piggyback), up to max.in.flight.requests.per.connection, with the
//! request's acks and timeout_ms; sleeps until a batch lingers out, ends its backoff or expires.

use crate::config::Acks;
use crate::event::Event;
use crate::net::{Body, Node, PartitionProduceResult, TopicPartitionId};
use crate::producer::accumulator::{PartitionerState, ProducerBatch};
use crate::producer::responses::close_batch;
use crate::producer::responses::delivery_timeout_us;
use crate::producer::{InFlightRequest, Producer, ProducerState};
use crate::sim::{Pending, Sim};
use crate::time::SimTime;
use alloc::vec::Vec;

impl Sim {
    pub(crate) fn on_sender_wake(&mut self, producer: u32, at: SimTime) -> Option<Event> {
        let p = self.producers.get(producer as usize)?;
        if p.wake_at != Some(at) {
            return None; // superseded by an earlier wake-up
        }
        self.producers[producer as usize].wake_at = None;
        let requests_sent = self.sender_run(producer);
        Some(Event::SenderWoke {
            producer,
            requests_sent,
        })
    }

    /// One pass of the sender thread (`Sender.sendProducerData`): find ready brokers, drain
    /// each one's partitions into a produce request, send. Returns requests sent.
    pub(crate) fn sender_run(&mut self, idx: u32) -> u32 {
        // Kafka's sender loops without sleeping while something is sendable and a
        // connection has room; each pass takes at most one batch per partition.
        let mut total = 0;
        self.expire_batches(idx);
        self.txn_maybe_add_partitions(idx);
        loop {
            let sent = self.sender_pass(idx);
            total += sent;
            if sent == 0 {
                break;
            }
        }
        self.txn_maybe_send_end(idx);
        total
    }

    /// One pass of `Sender.sendProducerData`.
    pub(crate) fn sender_pass(&mut self, idx: u32) -> u32 {
        let now = self.now;
        let Some(p) = self.producers.get(idx as usize) else {
            return 0;
        };
        if p.state == ProducerState::Closed {
            return 0;
        }
        let topic = p.topic;
        let leaders = self.topics[topic as usize].leaders();
        let p = &mut self.producers[idx as usize];
        // Closing, a send() blocked on memory (`free.queued() > 0`) or a flush() in progress
        // (`RecordAccumulator.flushInProgress()`): everything is sendable. Committing or
        // aborting a transaction flushes too.
        let flushing = p.state == ProducerState::Closing
            || p.blocked.is_some()
            || p.flush_requested
            || p.txn.as_ref().is_some_and(|t| t.ending());
        let ready_nodes = ready(p, &leaders, now, flushing);
        let mut sent = 0;
        let max_in_flight = p.config.max_in_flight_requests_per_connection.value;
        for node in ready_nodes {
            // A killed broker's host refuses the connection: the batches wait for the
            // metadata that names a new leader (`NetworkClient.ready` is false).
            if self
                .brokers
                .get(node as usize)
                .is_some_and(|b| b.refuses_connections)
            {
                continue;
            }
            let p = &mut self.producers[idx as usize];
            if p.in_flight_per_broker[node as usize] >= max_in_flight {
                continue;
            }
            let batches = drain_batches_for_one_node(p, node, &leaders, now, flushing);
            if batches.is_empty() {
                continue;
            }
            self.send_produce_request(idx, node, batches);
            sent += 1;
        }
        // The sender sleeps until a queued batch lingers out, ends its backoff or expires.
        self.schedule_sender_wake(idx);
        sent
    }

    /// `Sender.sendProduceRequest`: one Produce request to `node` with `batches` (acks=0:
    /// completed at once, as no response will come).
    fn send_produce_request(&mut self, idx: u32, node: u32, batches: Vec<ProducerBatch>) {
        let now = self.now;
        let request_id = self.next_request_id;
        self.next_request_id += 1;
        let p = &mut self.producers[idx as usize];
        let topic = p.topic;
        let acks = p.config.acks.value;
        p.stats.requests_sent += 1;
        let tp = |b: &ProducerBatch| TopicPartitionId {
            topic,
            partition: b.partition,
        };
        let wire: Vec<(TopicPartitionId, _)> = batches.iter().map(|b| (tp(b), b.clone())).collect();
        let producer_id = if p.idempotent { p.producer_id } else { -1 };
        let timeout_ms = p.config.request_timeout_ms.value;
        let (producer_epoch, transactional_id) = match p.txn.as_mut() {
            Some(t) => {
                // V2: the produce request adds its partitions to the transaction.
                t.added.extend(batches.iter().map(|b| b.partition));
                (p.epoch, Some(t.transactional_id.clone()))
            }
            None => (p.epoch, None),
        };
        // acks=0: no response will come, so the batches complete as soon as they are
        // sent, with offset -1, and take no in-flight slot.
        let results: Vec<PartitionProduceResult> = if acks == Acks::None {
            batches
                .iter()
                .map(|b| PartitionProduceResult {
                    tp: tp(b),
                    batch_id: b.id,
                    base_offset: -1,
                    error: None,
                })
                .collect()
        } else {
            p.in_flight_per_broker[node as usize] += 1;
            let timeout = p.config.request_timeout_ms.value * 1000;
            self.schedule(
                now.plus(timeout),
                Pending::RequestTimeout {
                    producer: idx,
                    request_id,
                },
            );
            Vec::new()
        };
        self.producers[idx as usize].in_flight.insert(
            request_id,
            InFlightRequest {
                request_id,
                broker: node,
                sent_at: now,
                batches,
            },
        );
        self.send(
            Node::Producer(idx),
            Node::Broker(node),
            Body::Produce {
                request_id,
                producer: idx,
                producer_id,
                producer_epoch,
                transactional_id,
                acks,
                timeout_ms,
                batches: wire,
            },
        );
        if acks == Acks::None {
            self.complete_request(idx, request_id, &results);
        }
    }

    /// Wakes the sender at the earliest time a queued batch becomes sendable or expires.
    pub(crate) fn schedule_sender_wake(&mut self, idx: u32) {
        let now = self.now;
        let p = self.producer_mut(idx);
        let linger_us = p.config.linger_ms.value * 1000;
        let timeout = delivery_timeout_us(&p.config);
        let Some(at) = p.accumulator.next_wake(now, linger_us, timeout) else {
            return;
        };
        if p.wake_at.is_none_or(|w| w > at || w < now) {
            p.wake_at = Some(at);
            self.schedule(at, Pending::SenderWake { producer: idx, at });
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
