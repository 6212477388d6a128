//! The producing application: it calls `send()` at `sim.produce.rate` records per second with
//! keys and values as configured (`sim.keys`, record and header specs), and stops while a
//! `send()` blocks on buffer.memory or during a drain.

use crate::config::SendMode;
use crate::event::Event;
use crate::producer::accumulator::RecordMeta;
use crate::producer::record::{key_bytes, HeaderSpec};
use crate::producer::ProducerState;
use crate::sim::{Pending, Sim};
use crate::time::SimTime;

impl Sim {
    /// Microseconds between two `send()` calls of an application.
    pub(crate) fn produce_interval(&self, app: u32) -> Option<u64> {
        let rate = self
            .config
            .producers
            .get(app as usize)?
            .workload
            .records_per_s
            .value;
        if rate == 0 {
            return None;
        }
        Some((1_000_000 / rate as u64).max(1))
    }

    /// `send().get()` returned: the application sends its next record, no sooner than its
    /// rate allows (a closed or replaced instance's application carries on with the new one).
    pub(crate) fn sync_send_returned(&mut self, idx: u32, created_at: SimTime) {
        let p = self.producer(idx);
        let current = self.app_producer.get(p.app as usize) == Some(&idx);
        if p.state != ProducerState::Running || !current {
            return;
        }
        let app = p.app;
        if let Some(dt) = self.produce_interval(app) {
            self.schedule_tick(app, created_at.plus(dt).max(self.now));
        }
    }

    /// The application calls `send()` once.
    pub(crate) fn on_produce_tick(&mut self, app: u32, at: SimTime) -> Option<Event> {
        if self.app_next_send.get(app as usize).copied().flatten() != Some(at) {
            return None; // superseded (the rate changed)
        }
        self.app_next_send[app as usize] = None;
        let idx = self.app_producer[app as usize];
        let p = &self.producers[idx as usize];
        if p.blocked.is_some() {
            // The application thread is inside a blocked send(); it resumes from there.
            return Some(Event::SendBlocked { producer: idx });
        }
        let sync = p.config.workload.send_mode.value == SendMode::Sync;
        if sync && p.awaiting_ack.is_some() {
            // send().get() has not returned: the next send waits for the acknowledgement.
            return Some(Event::SendBlocked { producer: idx });
        }
        if p.txn.is_some() {
            // A transactional application begins, commits or aborts between its sends.
            let (event, send) = self.txn_app_step(idx);
            if !send {
                return event;
            }
        }
        Some(self.app_send(idx))
    }

    /// The application's `send()` of its next record.
    pub(crate) fn app_send(&mut self, idx: u32) -> Event {
        let rec = self.make_record(idx);
        self.producer_send(idx, rec, true)
    }

    /// The next `send()` of the application instance `idx` drives: its application's tick
    /// (a transactional zombie has a timer of its own).
    pub(crate) fn schedule_next_send_for(&mut self, idx: u32, last_created: SimTime) {
        let p = self.producer(idx);
        if p.txn.is_some() {
            self.txn_next_tick(idx, Some(last_created));
        } else {
            self.schedule_next_send(p.app, last_created);
        }
    }

    /// The record the application sends now: a key from its key space (or none), the
    /// serializers' sizes, headers, an explicit partition if it names one.
    pub(crate) fn make_record(&mut self, idx: u32) -> RecordMeta {
        let record_id = self.next_record_id;
        self.next_record_id += 1;
        let now = self.now;
        let partitions = self.topics[self.producers[idx as usize].topic as usize]
            .partitions
            .len();
        let p = &mut self.producers[idx as usize];
        let w = &p.config.workload;
        let key = if w.keys.value == 0 || p.rng.percent(w.keyless_percent.value) {
            None
        } else {
            Some(p.rng.below(w.keys.value as u64) as u32)
        };
        let mut kb = [0u8; 24];
        let key_ser = p.config.key_serializer.value;
        let key_len = key.map(|k| key_bytes(key_ser, k, &mut kb).len() as u32);
        RecordMeta {
            id: record_id,
            key,
            key_len,
            value_len: p
                .config
                .value_serializer
                .value
                .value_len(w.value_bytes.value),
            headers: HeaderSpec {
                count: w.headers.value.min(u8::MAX as u32) as u8,
                value_len: w.header_bytes.value.min(u16::MAX as u32) as u16,
            },
            explicit_partition: w
                .explicit_partition
                .value
                .filter(|ep| (*ep as usize) < partitions),
            size_bytes: 0,
            created_at: now,
        }
    }

    /// A pipeline processor's output record: the input's key, sent to `partition` (the
    /// transform keeps key and value size).
    pub(crate) fn make_output_record(
        &mut self,
        idx: u32,
        key: Option<u32>,
        partition: u32,
    ) -> RecordMeta {
        let mut rec = self.make_record(idx);
        let ser = self.producers[idx as usize].config.key_serializer.value;
        let mut kb = [0u8; 24];
        rec.key = key;
        rec.key_len = key.map(|k| key_bytes(ser, k, &mut kb).len() as u32);
        rec.explicit_partition = Some(partition);
        rec
    }

    /// Sends a pipeline processor's output record (its event is part of the processor's).
    pub(crate) fn send_output_record(&mut self, idx: u32, rec: RecordMeta) {
        let _ = self.producer_send(idx, rec, false);
    }

    /// The application's next `send()`, no sooner than its rate allows after the last one.
    pub(crate) fn schedule_next_send(&mut self, app: u32, last_created: SimTime) {
        if let Some(dt) = self.produce_interval(app) {
            let at = last_created.plus(dt).max(self.now);
            self.schedule_tick(app, at);
        }
    }

    /// Schedules application `app`'s next `send()` at `at` (replacing any other).
    pub(crate) fn schedule_tick(&mut self, app: u32, at: SimTime) {
        if self.draining {
            return; // the run is draining: applications send nothing more
        }
        if let Some(slot) = self.app_next_send.get_mut(app as usize) {
            *slot = Some(at);
            self.schedule(at, Pending::ProduceTick { app, at });
        }
    }

    /// After a workload change: an application that is not waiting on anything sends again
    /// at its (new) rate; a send planned further away than the new interval comes forward.
    pub(crate) fn resume_sending(&mut self, app: u32) {
        let idx = self.app_producer[app as usize] as usize;
        let p = &self.producers[idx];
        let waiting = p.blocked.is_some() || p.awaiting_ack.is_some();
        let Some(dt) = self.produce_interval(app) else {
            self.app_next_send[app as usize] = None;
            return;
        };
        let want = self.now.plus(dt);
        match self.app_next_send[app as usize] {
            None if !waiting => self.schedule_tick(app, want),
            Some(at) if at > want => self.schedule_tick(app, want),
            _ => {}
        }
    }

    /// A live change of a producer setting: Kafka cannot change a running producer, so the
    /// application closes it (its batches complete first) and creates a new one.
    pub(crate) fn restart_producer(&mut self, app: u32) {
        let old = self.app_producer[app as usize];
        let now = self.now;
        let was_waiting = self.with_producer(old, |p, _| p.close(now)) == Some(true);
        if was_waiting {
            // The application's blocked send().get() is abandoned with the old instance;
            // it carries on with the new one.
            if let Some(dt) = self.produce_interval(app) {
                self.schedule_tick(app, self.now.plus(dt));
            }
        }
        self.sender_run(old);
        self.maybe_finish_close(old);
        let cfg = self.config.producers[app as usize].clone();
        let new = self.create_producer(app, cfg);
        self.app_producer[app as usize] = new;
    }
}
