//! The fault schedule: faults at simulated times, as `streamscope run --fault` writes them,
//! drawn at random from a seed (`--faults random`), or set by scenarios; they run inside the
//! simulation as events, so a schedule and a seed give the same run everywhere.
//!
//! Syntax: `KIND:TARGET[,TARGET][,VALUE]@T[..T2]` (times are simulated; `T..T2` is a window,
//! undone at `T2`; without `T2` the fault lasts until [`Sim::end_faults`]):
//! - `crash:broker=1@2s`, `crash:broker=1@2s..15s` (restarts at the end), `restart:broker=1@15s`:
//!   a crash is the broker's host lost (silent: clients wait out request.timeout.ms);
//! - `kill:broker=1@2s..15s`: the broker's process killed on a live host (its connections
//!   close at once: producers retry and move to the new leader as soon as it is elected);
//! - `crash:leader=orders-0@2s`: the broker leading orders-0 at that time; with `,ahead`
//!   (`crash:leader=orders-0,ahead@2s..15s`) the leader dies at its first append to that
//!   partition from `T` on, right after appending (and answering acks=0/1 producers) and before
//!   its followers fetch the records (for up to 5 s; then it crashes anyway);
//! - `drop-responses:broker=1@1s..2s`: requests arrive and are processed, responses are lost;
//! - `cut:broker=0,broker=2@1s..3s`: the link between the two is down;
//! - `delay:broker=0,producer,50ms@1s..4s`: messages on the link take 50 ms longer;
//! - `drop:broker=0,consumer=1,30%@1s..4s`: each message on the link is lost with probability.
//!
//! Targets: `broker=N`, `leader=TOPIC-P`, `producer` / `producer=N` (application N),
//! `consumer` / `consumer=N`.

pub mod parse;
pub mod spec;

pub use parse::{parse_fault, parse_fault_at, random_faults};
pub use spec::{FaultKind, FaultSpec, ScheduledFault};

use super::links::{Endpoint, LinkFault};
use super::{Change, Pending, Sim};
use crate::config::ConfigError;
use crate::event::Event;
use crate::net::TopicPartitionId;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// How long a `crash:leader=…,ahead` fault looks for a leader ahead of its followers.
pub const AHEAD_SEARCH_US: u64 = 5_000_000;

pub use super::liveness::drain_limit;

impl Sim {
    /// Adds a fault to the schedule. Rejected (and nothing changes) when it starts in the
    /// past or names a broker, producer, consumer or partition that does not exist.
    pub(crate) fn add_fault(&mut self, spec: FaultSpec) -> Result<(), ConfigError> {
        if spec.at < self.now {
            return Err(ConfigError::new(
                "--fault",
                format!(
                    "'{}' starts at {}, before the simulation's time {}: schedule faults from now on",
                    spec.text, spec.at, self.now
                ),
            ));
        }
        self.check_fault_targets(&spec)?;
        let index = self.faults.len() as u32;
        let at = spec.at;
        self.faults.push(ScheduledFault {
            spec,
            crashed: None,
            started: false,
            reported: false,
            ended: false,
        });
        self.schedule(at, Pending::Fault { index, end: false });
        Ok(())
    }

    /// Whether every node and partition a fault names exists in this world.
    fn check_fault_targets(&self, spec: &FaultSpec) -> Result<(), ConfigError> {
        match &spec.kind {
            FaultKind::Crash { broker }
            | FaultKind::Kill { broker }
            | FaultKind::Restart { broker }
            | FaultKind::DropResponses { broker } => self.check_fault_broker(spec, *broker),
            FaultKind::CrashLeader {
                topic, partition, ..
            } => self.check_fault_partition(spec, topic, *partition),
            FaultKind::Link { a, b, .. } => self.check_link(*a, *b),
            FaultKind::CrashProcessor { processor, .. } => {
                self.check_fault_processor(spec, *processor)
            }
        }
    }

    /// `broker=N` names a broker of the cluster.
    fn check_fault_broker(&self, spec: &FaultSpec, b: u32) -> Result<(), ConfigError> {
        let n = self.brokers.len();
        if (b as usize) < n {
            Ok(())
        } else {
            Err(ConfigError::new(
                "--fault",
                format!(
                    "'{}': broker={b} is out of range: brokers are 0 to {}",
                    spec.text,
                    n.saturating_sub(1)
                ),
            ))
        }
    }

    /// `leader=TOPIC-P` names a partition of a topic.
    fn check_fault_partition(
        &self,
        spec: &FaultSpec,
        topic: &str,
        partition: u32,
    ) -> Result<(), ConfigError> {
        if self.resolve_partition(topic, partition).is_some() {
            return Ok(());
        }
        let names: Vec<String> = self
            .topics
            .iter()
            .map(|t| {
                format!(
                    "{} (partitions 0 to {})",
                    t.name,
                    t.partitions.len().saturating_sub(1)
                )
            })
            .collect();
        Err(ConfigError::new(
            "--fault",
            format!(
                "'{}': no partition {topic}-{partition}; topics: {}",
                spec.text,
                names.join(", ")
            ),
        ))
    }

    /// `processor=N` names a processor of the pipeline.
    fn check_fault_processor(&self, spec: &FaultSpec, processor: u32) -> Result<(), ConfigError> {
        let n = self.pipeline.as_ref().map_or(0, |p| p.processors.len());
        if (processor as usize) < n {
            return Ok(());
        }
        Err(ConfigError::new(
            "--fault",
            if n == 0 {
                format!(
                    "'{}': no pipeline runs: add --pipeline ctp (sim.pipeline=ctp)",
                    spec.text
                )
            } else {
                format!(
                    "'{}': processor={processor} is out of range: processors are 0 to {}",
                    spec.text,
                    n - 1
                )
            },
        ))
    }

    pub(crate) fn resolve_partition(
        &self,
        topic: &str,
        partition: u32,
    ) -> Option<TopicPartitionId> {
        let ti = self.topics.iter().position(|t| t.name == topic)?;
        let t = &self.topics[ti];
        ((partition as usize) < t.partitions.len()).then_some(TopicPartitionId {
            topic: ti as u32,
            partition,
        })
    }

    /// The schedule, as `--fault` texts.
    pub fn fault_texts(&self) -> Vec<String> {
        self.faults.iter().map(|f| f.spec.text.clone()).collect()
    }

    /// The schedule and how far each fault got.
    pub fn scheduled_faults(&self) -> &[ScheduledFault] {
        &self.faults
    }

    /// Applies a change the schedule makes, as a live change (recorded in `changes()`).
    /// Returns whether it did anything (crashing a broker that is down already does not).
    pub(crate) fn apply_scheduled(&mut self, change: Change) -> bool {
        self.apply_change(change).is_ok()
    }

    /// A fault's start or end comes due (`Pending::Fault`); `None` when nothing happens (an
    /// end already done, a start reported already, or a start still waiting for its moment).
    pub(crate) fn on_scheduled_fault(&mut self, index: u32, end: bool) -> Option<Event> {
        let f = self
            .faults
            .get(index as usize)
            .expect("a Pending::Fault names a fault of the schedule (faults are only added)")
            .clone();
        if end {
            // Ended already (by `end_faults`), or it never started: nothing to undo.
            if f.ended || !f.started {
                return None;
            }
            self.faults[index as usize].ended = true;
            self.undo_fault(&f);
            return Some(Event::FaultEnded { fault: index });
        }
        if f.started {
            // Started inline (an `ahead` crash): report it once.
            if f.reported {
                return None;
            }
            self.faults[index as usize].reported = true;
            return Some(Event::FaultStarted {
                fault: index,
                applied: f.crashed.is_some(),
            });
        }
        // Still waiting for its moment (an `ahead` or `in-txn` crash): it comes back later.
        let applied = self.begin_fault(index, &f)?;
        let fm = &mut self.faults[index as usize];
        fm.started = true;
        fm.reported = true;
        if let Some(u) = f.spec.until {
            self.schedule(u.max(self.now), Pending::Fault { index, end: true });
        }
        Some(Event::FaultStarted {
            fault: index,
            applied,
        })
    }

    /// The end of a fault's window: what it crashed restarts, what it turned on turns off.
    fn undo_fault(&mut self, f: &ScheduledFault) {
        match f.spec.kind {
            FaultKind::Crash { .. } | FaultKind::Kill { .. } | FaultKind::CrashLeader { .. } => {
                if let Some(b) = f.crashed {
                    self.apply_scheduled(Change::RestartBroker { broker: b });
                }
            }
            FaultKind::Restart { .. } => {}
            FaultKind::CrashProcessor {
                processor, new_id, ..
            } => {
                if f.crashed.is_some() {
                    self.apply_scheduled(Change::RestartProcessor {
                        processor,
                        new_transactional_id: new_id,
                    });
                }
            }
            FaultKind::DropResponses { broker } => {
                self.apply_scheduled(Change::DropResponses { broker, on: false });
            }
            FaultKind::Link { a, b, fault } => {
                self.apply_scheduled(Change::Link {
                    a,
                    b,
                    fault,
                    on: false,
                });
            }
        }
    }

    /// The start of a fault: whether its change applied, or `None` while it waits for its
    /// moment (it has scheduled its next look).
    fn begin_fault(&mut self, index: u32, f: &ScheduledFault) -> Option<bool> {
        let applied = match &f.spec.kind {
            FaultKind::Crash { broker } | FaultKind::Kill { broker } => {
                let change = if matches!(f.spec.kind, FaultKind::Kill { .. }) {
                    Change::KillBroker { broker: *broker }
                } else {
                    Change::CrashBroker { broker: *broker }
                };
                let ok = self.apply_scheduled(change);
                if ok {
                    self.faults[index as usize].crashed = Some(*broker);
                }
                ok
            }
            FaultKind::CrashLeader {
                topic,
                partition,
                ahead,
            } => self.begin_crash_leader(index, f, topic, *partition, *ahead)?,
            FaultKind::Restart { broker } => {
                self.apply_scheduled(Change::RestartBroker { broker: *broker })
            }
            FaultKind::CrashProcessor {
                processor, in_txn, ..
            } => self.begin_crash_processor(index, f, *processor, *in_txn)?,
            FaultKind::DropResponses { broker } => self.apply_scheduled(Change::DropResponses {
                broker: *broker,
                on: true,
            }),
            FaultKind::Link { a, b, fault } => self.apply_scheduled(Change::Link {
                a: *a,
                b: *b,
                fault: *fault,
                on: true,
            }),
        };
        Some(applied)
    }

    /// `crash:leader=TOPIC-P[,ahead]`: crashes the partition's leader now, or (`ahead`) waits
    /// for its next append until the search ends (`None`).
    fn begin_crash_leader(
        &mut self,
        index: u32,
        f: &ScheduledFault,
        topic: &str,
        partition: u32,
        ahead: bool,
    ) -> Option<bool> {
        let tp = self
            .resolve_partition(topic, partition)
            .expect("a crash:leader fault names a partition (checked when scheduled; topics and partitions are only added)");
        let give_up = f.spec.at.plus(AHEAD_SEARCH_US);
        let give_up = f.spec.until.map_or(give_up, |u| give_up.min(u));
        if ahead && self.now < give_up {
            // Wait for the leader's next append (`crash_ahead_leader`); crash it
            // anyway when the search ends.
            if self.ahead_watch.is_none() {
                self.ahead_watch = Some((index, tp));
                self.schedule(give_up, Pending::Fault { index, end: false });
            }
            return None;
        }
        if self.ahead_watch.is_some_and(|(i, _)| i == index) {
            self.ahead_watch = None;
        }
        let leader = self
            .partition(tp)
            .expect("a resolved partition exists")
            .leader;
        Some(match leader {
            Some(b) if self.apply_scheduled(Change::CrashBroker { broker: b }) => {
                self.faults[index as usize].crashed = Some(b);
                true
            }
            _ => false,
        })
    }

    /// `crash:processor=N[,in-txn]`: crashes the processor now, or (`in-txn`) looks every
    /// millisecond for a moment between a produce and its commit until the search ends (`None`).
    fn begin_crash_processor(
        &mut self,
        index: u32,
        f: &ScheduledFault,
        processor: u32,
        in_txn: bool,
    ) -> Option<bool> {
        let give_up = f.spec.at.plus(AHEAD_SEARCH_US);
        let give_up = f.spec.until.map_or(give_up, |u| give_up.min(u));
        if in_txn && self.now < give_up && !self.processor_between_produce_and_commit(processor) {
            // Look again in a millisecond.
            self.schedule(self.now.plus(1_000), Pending::Fault { index, end: false });
            return None;
        }
        let ok = self.apply_scheduled(Change::CrashProcessor { processor });
        if ok {
            // `crashed` marks that the end restarts it.
            self.faults[index as usize].crashed = Some(processor);
        }
        Some(ok)
    }

    /// The leader a `crash:leader=…,ahead` fault waits on has just appended records (and
    /// answered an acks=0/1 producer, or an acks=all one if its ISR is itself alone) but not
    /// yet woken its followers' fetches: it crashes now. The fault's start is reported as the
    /// next event.
    pub(crate) fn crash_ahead_leader(&mut self, broker: u32) {
        let (index, _) = self
            .ahead_watch
            .take()
            .expect("crash_ahead_leader is called only while a crash:leader=…,ahead fault waits");
        if self.crash_broker(broker).is_ok() {
            self.changes.push(super::AppliedChange {
                at_event: self.events_processed,
                at_time: self.now,
                change: Change::CrashBroker { broker },
            });
            self.faults
                .get_mut(index as usize)
                .expect("the ahead watch names a fault of the schedule (faults are only added)")
                .crashed = Some(broker);
        }
        self.start_fault_window(index);
    }

    /// Marks a fault started, schedules its end, and queues its `FaultStarted` report.
    pub(crate) fn start_fault_window(&mut self, index: u32) {
        let f = self
            .faults
            .get_mut(index as usize)
            .expect("a fault window starts for a fault of the schedule (faults are only added)");
        f.started = true;
        let until = f.spec.until;
        if let Some(u) = until {
            self.schedule(u.max(self.now), Pending::Fault { index, end: true });
        }
        self.schedule(self.now, Pending::Fault { index, end: false });
    }

    /// Ends every fault now (`--until` reached): crashed brokers restart, links heal, lost
    /// responses get through again. Scheduled faults that have not started are dropped.
    pub(crate) fn end_every_fault(&mut self) {
        // A `crash:leader=…,ahead` still waiting for its append never fires now (it used to
        // crash a leader in the middle of the drain, with nothing left to restart it).
        self.ahead_watch = None;
        for i in 0..self.faults.len() {
            let f = &mut self.faults[i];
            if !f.started {
                f.started = true;
                f.reported = true;
                f.ended = true;
            }
        }
        for i in 0..self.faults.len() as u32 {
            if !self.faults[i as usize].ended {
                self.on_scheduled_fault(i, true);
            }
        }
        let down: Vec<u32> = self
            .brokers
            .iter()
            .filter(|b| !b.alive)
            .map(|b| b.id)
            .collect();
        for b in down {
            self.apply_scheduled(Change::RestartBroker { broker: b });
        }
        let crashed: Vec<u32> = self.pipeline.as_ref().map_or_else(Vec::new, |p| {
            p.processors
                .iter()
                .filter(|x| x.phase == crate::app::pipeline::state::ProcessorPhase::Crashed)
                .map(|x| x.index)
                .collect()
        });
        for processor in crashed {
            self.apply_scheduled(Change::RestartProcessor {
                processor,
                new_transactional_id: false,
            });
        }
        let lossy: Vec<u32> = self
            .brokers
            .iter()
            .filter(|b| b.drop_responses)
            .map(|b| b.id)
            .collect();
        for b in lossy {
            self.apply_scheduled(Change::DropResponses {
                broker: b,
                on: false,
            });
        }
        for r in core::mem::take(&mut self.link_rules) {
            self.changes.push(super::AppliedChange {
                at_event: self.events_processed,
                at_time: self.now,
                change: Change::Link {
                    a: r.a,
                    b: r.b,
                    fault: r.fault,
                    on: false,
                },
            });
        }
    }

    /// Producer applications stop calling `send()` (a `send()` blocked on memory completes or
    /// times out; records already sent go on).
    pub(crate) fn stop_applications(&mut self) {
        for app in 0..self.app_next_send.len() {
            self.app_next_send[app] = None;
        }
        self.draining = true;
        // A transactional application ends its open transaction as it would on shutdown.
        self.txn_drain();
    }
}
