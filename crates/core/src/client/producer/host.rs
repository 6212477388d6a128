//! The engine's side of the producer instances: it hands one a context (the time, the cluster
//! metadata, FindCoordinator's answers, the produce request counter) with each message, timer
//! or application call, runs its handler, and applies the effects it returns, in order (so
//! message ids and timer sequence numbers are those of a handler that called the engine).
//!
//! An answer to the application that may call the producer again (commitTransaction()
//! returning, fencing, ...) is a handler's last effect: where a Kafka call chain goes on after
//! such an answer, the host runs the rest as a handler of its own, after the answer
//! (`on_produce_response`, `close_connection`, `flush`).

use crate::actor::{Effect, Outbox};
use crate::cluster::Metadata;
use crate::event::{Delivery, Event};
use crate::net::PartitionProduceResult;
use crate::producer::context::{CoordinatorLookup, ProducerCall, ProducerCtx, ProducerTimer};
use crate::producer::Producer;
use crate::sim::{Pending, Sim};
use crate::time::SimTime;
use alloc::vec::Vec;

impl Sim {
    /// Runs one handler of producer instance `idx` with its context, then applies its
    /// effects; `None` when there is no such instance.
    pub(crate) fn with_producer<R>(
        &mut self,
        idx: u32,
        handler: impl FnOnce(&mut Producer, &mut ProducerCtx) -> R,
    ) -> Option<R> {
        let p = self.producers.get_mut(idx as usize)?;
        let mut ctx = ProducerCtx {
            now: self.now,
            metadata: Metadata::new(&self.topics, &self.brokers),
            coordinators: CoordinatorLookup::new(&self.txn, &self.group_coordinators),
            next_request_id: &mut self.next_request_id,
            journal: &mut self.journal,
            out: Outbox::reusing(core::mem::take(&mut self.producer_effects)),
        };
        let result = handler(p, &mut ctx);
        let mut effects = core::mem::take(&mut ctx.out).into_effects();
        let n = effects.len();
        for (i, effect) in effects.drain(..).enumerate() {
            match effect {
                Effect::Send { from, to, body } => {
                    self.send(from, to, body);
                }
                Effect::Timer { at, timer } => self.schedule(at, pending(idx, timer)),
                Effect::Call(call) => {
                    assert!(
                        i + 1 == n || !call.may_call_producer(),
                        "producer {idx}: {call:?} may call the producer again, so it is its handler's last effect"
                    );
                    self.apply_producer_call(idx, call);
                }
            }
        }
        // A nested handler (an application calling the producer back) may have put its own
        // buffer back meanwhile; either one will do.
        self.producer_effects = effects;
        Some(result)
    }

    fn apply_producer_call(&mut self, idx: u32, call: ProducerCall) {
        match call {
            ProducerCall::Application(cb) => self.return_to_application(cb),
            ProducerCall::NextSend { last_created } => {
                self.schedule_next_send_for(idx, last_created)
            }
            ProducerCall::Acknowledged { tp, first, count } => {
                self.monitor.acknowledged(idx, tp, first, count)
            }
        }
    }

    // ----- the sender thread and its responses -----

    pub(crate) fn on_sender_wake(&mut self, producer: u32, at: SimTime) -> Option<Event> {
        self.with_producer(producer, |p, ctx| p.on_sender_wake(ctx, at))?
    }

    /// One run of the sender thread (`Sender.runOnce`). Returns requests sent.
    pub(crate) fn sender_run(&mut self, idx: u32) -> u32 {
        self.with_producer(idx, |p, ctx| p.sender_run(ctx))
            .unwrap_or(0)
    }

    /// A produce response arrived: its batches complete; a fencing error makes a
    /// transactional producer fatal; the sender runs again; a close or a flush may end.
    pub(crate) fn on_produce_response(
        &mut self,
        idx: u32,
        request_id: u64,
        results: Vec<PartitionProduceResult>,
    ) -> Delivery {
        let (records, error, fencing) = self
            .with_producer(idx, |p, ctx| {
                p.on_produce_response(ctx, request_id, &results)
            })
            .unwrap_or((0, None, None));
        if let Some(e) = fencing {
            // PRODUCER_FENCED / INVALID_PRODUCER_EPOCH: a transactional producer is done.
            self.with_producer(idx, |p, ctx| p.txn_fatal(ctx, e));
        }
        self.sender_run(idx);
        self.maybe_finish_close(idx);
        self.with_producer(idx, |p, ctx| p.maybe_complete_flush(ctx));
        Delivery::Acknowledged { records, error }
    }

    /// `KafkaProducer.flush()`: returns (a callback to the application) once every record
    /// sent before it completed; at once when nothing is queued or in flight.
    pub(crate) fn flush(&mut self, idx: u32) {
        self.with_producer(idx, |p, ctx| p.begin_flush(ctx));
        self.with_producer(idx, |p, ctx| p.maybe_complete_flush(ctx));
    }

    /// `request.timeout.ms` passed without a response: the connection to that broker closes.
    pub(crate) fn on_request_timeout(&mut self, idx: u32, request_id: u64) -> Option<Event> {
        let broker = self
            .producers
            .get(idx as usize)?
            .in_flight
            .get(&request_id)?
            .broker;
        let (requests, records) = self.close_connection(idx, broker, Some(request_id));
        Some(Event::RequestTimedOut {
            producer: idx,
            broker,
            requests,
            records,
        })
    }

    /// The producer's connection to `broker` closed (`Producer::fail_connection`); then the
    /// sender runs and a close may end. Returns (requests, records).
    pub(crate) fn close_connection(
        &mut self,
        idx: u32,
        broker: u32,
        timed_out: Option<u64>,
    ) -> (u32, u32) {
        let failed = self.with_producer(idx, |p, ctx| p.fail_connection(ctx, broker, timed_out));
        let Some(failed) = failed.flatten() else {
            return (0, 0);
        };
        self.sender_run(idx);
        self.maybe_finish_close(idx);
        failed
    }

    /// A closing producer with nothing queued or in flight finishes closing.
    pub(crate) fn maybe_finish_close(&mut self, idx: u32) {
        self.with_producer(idx, |p, ctx| p.maybe_finish_close(ctx));
    }

    pub(crate) fn on_finish_close(&mut self, idx: u32) -> Option<Event> {
        self.with_producer(idx, |p, _| p.on_finish_close())?
    }
}

/// The engine's pending item for a timer of producer `producer`.
fn pending(producer: u32, timer: ProducerTimer) -> Pending {
    match timer {
        ProducerTimer::SenderWake { at } => Pending::SenderWake { producer, at },
        ProducerTimer::RequestTimeout { request_id } => Pending::RequestTimeout {
            producer,
            request_id,
        },
        ProducerTimer::FinishClose => Pending::FinishClose { producer },
        ProducerTimer::RetryBlockedSend => Pending::RetryBlockedSend { producer },
        ProducerTimer::BlockTimeout { at } => Pending::BlockTimeout { producer, at },
        ProducerTimer::Txn(t) => Pending::ProducerTxn(t),
    }
}
