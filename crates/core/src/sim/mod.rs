//! The discrete-event engine: a queue of pending events ordered by (time, sequence number),
//! the network (messages in flight, link faults in `links`), one seeded PRNG, the trace, the
//! invariant and liveness monitors, the fault schedule (`schedule`) and the live changes
//! (`change`, `apply`). [`Sim::step`] processes exactly one event and returns the
//! [`TraceEntry`] it recorded; `dispatch` hands each event to the handler of the node it
//! concerns.
//!
//! The handlers live by role outside the engine: `broker` (produce, fetch, replication, ISR,
//! retention, the leader's transactions), `controller` (KRaft registration, fencing,
//! elections), `coordinator::group` and `coordinator::txn`, `client::producer` and
//! `client::consumer`, `app` (the producing and transactional applications, the pipeline and its
//! verifier). The brokers, the transaction and group coordinators, the KRaft controller and the
//! clients are actors (`crate::actor`): `Sim` holds their state (`broker_state`, `txn`,
//! `group_coordinators`, `controller`, `producers`, `consumers`) and applies the effects their
//! handlers return. Simplified: the partitions, the brokers' liveness and the brokers'
//! purgatories stay `Sim` fields their contexts lend; each handler reads what its node would
//! know (a request carries its fields).

mod apply;
pub mod change;
mod delivery;
mod dispatch;
pub mod history;
pub mod input;
mod lag;
pub mod links;
pub mod liveness;
pub mod membership;
mod memory;
pub mod schedule;
pub mod view;
mod world;

pub use change::{AppliedChange, Change};

use crate::cluster::{Broker, Partition, Topic};
use crate::config::{Config, ConfigError};
use crate::consumer::Consumer;
use crate::event::{Trace, TraceEntry};
use crate::net::{Body, Message, Node, TopicPartitionId};
use crate::rng::Rng;
use crate::time::SimTime;
use alloc::collections::{BTreeMap, BinaryHeap};
use alloc::vec::Vec;
use core::cmp::{Ordering, Reverse};

pub use crate::app::pipeline::state::PipelineReport;
pub use crate::broker::purgatory::{DelayedProduce, ParkedFetch, ProducerStateEntries};
pub use view::Summary;

/// How many events the trace ring keeps.
pub const TRACE_CAPACITY: usize = 4096;

/// Something scheduled to happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pending {
    /// A network message arrives.
    Deliver(u64),
    /// The application calls `send()` (a producer app's next record); stale unless `at`
    /// is still the app's next send.
    ProduceTick { app: u32, at: SimTime },
    /// A producer's sender thread wakes for a linger timer.
    SenderWake { producer: u32, at: SimTime },
    /// A consumer's application calls `poll()`.
    ConsumerPoll { consumer: u32 },
    /// A consumer's heartbeat / auto-commit timer.
    ConsumerTimer { consumer: u32 },
    /// A consumer asks for its committed offsets again (UNSTABLE_OFFSET_COMMIT).
    OffsetFetchRetry { consumer: u32 },
    /// A consumer's waiting offset resets may be asked again (retry.backoff.ms after a
    /// refusal, request.timeout.ms after a send).
    OffsetResetRetry { consumer: u32 },
    /// A pipeline processor's timer.
    Pipeline(crate::app::pipeline::state::PipelineTimer),
    /// Buffer memory came back: a blocked `send()` tries again.
    RetryBlockedSend { producer: u32 },
    /// A blocked `send()` runs out of `max.block.ms`.
    BlockTimeout { producer: u32, at: SimTime },
    /// A produce request's `request.timeout.ms` ran out.
    RequestTimeout { producer: u32, request_id: u64 },
    /// The KRaft controller's timer (a broker's session expiring).
    Controller(crate::controller::context::ControllerTimer),
    /// A closing producer has completed everything.
    FinishClose { producer: u32 },
    /// A follower whose fetch was lost tries again (`replica.socket.timeout.ms`).
    ReplicaFetchRetry { follower: u32, leader: u32 },
    /// A scheduled fault starts (`end = false`) or ends.
    Fault { index: u32, end: bool },
    /// A broker's background task or purgatory timer (ISR, retention, `DelayedProduce`).
    Broker(crate::broker::timers::BrokerTimer),
    /// A transaction coordinator's or transactional producer's timer.
    Txn(crate::coordinator::txn::state::TxnTimer),
    /// A transactional producer's timer.
    ProducerTxn(crate::producer::transaction::ClientTxnTimer),
    /// A zombie instance's application sends again (the current instance uses `ProduceTick`);
    /// stale unless `at` is still its next step.
    ZombieTick { producer: u32, at: SimTime },
    /// The lag sampler records every consumer's and group's lag (`sim::lag`).
    LagSample,
    /// A group coordinator's timer (join phase, session, load).
    Group(crate::coordinator::group::state::GroupTimer),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Scheduled {
    at: SimTime,
    seq: u64,
    what: Pending,
}

impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The simulated world. Cheap to clone relative to a run's length is a goal (see
/// ARCHITECTURE.md); today a clone copies the logs.
#[derive(Clone, Debug)]
pub struct Sim {
    pub(crate) config: Config,
    /// The config the world was built from (`Sim::new`'s), before any live change.
    start_config: alloc::rc::Rc<Config>,
    pub(crate) seed: u64,
    pub(crate) now: SimTime,
    seq: u64,
    events_processed: u64,
    queue: BinaryHeap<Reverse<Scheduled>>,
    pub(crate) rng: Rng,
    pub(crate) brokers: Vec<Broker>,
    pub(crate) topics: Vec<Topic>,
    pub(crate) producers: Vec<crate::producer::Producer>,
    /// Which producer instance serves each producer application now.
    pub(crate) app_producer: Vec<u32>,
    /// When each application's next `send()` is scheduled (`None`: it is waiting, or its
    /// rate is 0).
    pub(crate) app_next_send: Vec<Option<SimTime>>,
    /// The transactional application's state of each producer instance it drives
    /// (`app::txn_state`), by instance.
    pub(crate) txn_apps: alloc::collections::BTreeMap<u32, crate::app::txn_state::TxnAppInstance>,
    /// The group coordinators' state (`coordinator::group`).
    pub(crate) group_coordinators: crate::coordinator::group::state::GroupCoordinators,
    pub(crate) consumers: Vec<Consumer>,
    pub(crate) messages: BTreeMap<u64, Message>,
    pub(crate) parked_fetches: Vec<ParkedFetch>,
    /// Follower fetch sessions running: (follower, leader).
    pub(crate) replica_fetchers: alloc::collections::BTreeSet<(u32, u32)>,
    /// The KRaft controller's own state (`controller`).
    pub(crate) controller: crate::controller::state::QuorumController,
    /// Responses lost to a `DropResponses` fault.
    pub(crate) responses_dropped: u64,
    /// Link faults in force.
    pub(crate) link_rules: Vec<links::LinkRule>,
    /// Latest delivery time per link while a delay is in force (TCP keeps order).
    pub(crate) link_last_delivery: BTreeMap<(Node, Node), SimTime>,
    /// The fault schedule (`--fault`, drawn faults, scenarios).
    pub(crate) faults: Vec<schedule::ScheduledFault>,
    /// Draining (see `drain`): applications send nothing more.
    pub(crate) draining: bool,
    /// The lag sampler is scheduled (`sim::lag`).
    pub(crate) lag_sampling: bool,
    /// A `crash:leader=…,ahead` fault waiting for its moment: (fault, partition).
    pub(crate) ahead_watch: Option<(u32, TopicPartitionId)>,
    pub(crate) delayed_produces: Vec<DelayedProduce>,
    /// Transactional produces held for their coordinator's verification (KIP-890).
    pub(crate) txn_verifications: Vec<crate::broker::purgatory::PendingVerification>,
    /// The brokers' own state as partition leaders (`broker::state`).
    pub(crate) broker_state: crate::broker::state::Brokers,
    /// The transaction coordinators' state (`coordinator::txn`).
    pub(crate) txn: crate::coordinator::txn::state::TxnCoordinators,
    /// The consume-transform-produce pipeline (`sim.pipeline=ctp`).
    pub(crate) pipeline: Option<crate::app::pipeline::state::Pipeline>,
    /// Records of aborted transactions a read_committed `poll()` returned (must stay 0).
    pub(crate) read_committed_aborted_seen: u64,
    trace: Trace,
    pub(crate) journal: crate::inspect::RecordJournal,
    pub(crate) monitor: crate::monitor::Monitor,
    /// The liveness monitor's memory (`sim::liveness`).
    pub(crate) liveness: liveness::LivenessMonitor,
    changes: Vec<AppliedChange>,
    /// The input log (`sim::input`): what was put into the run, to replay it.
    inputs: Vec<input::LoggedInput>,
    /// Queue entries taken so far, events and superseded timers alike (where an input sits
    /// between two events, exactly).
    popped: u64,
    pub(crate) next_message_id: u64,
    pub(crate) next_record_id: u64,
    pub(crate) next_producer_id: i64,
    pub(crate) next_batch_id: u64,
    pub(crate) next_request_id: u64,
    /// The producer host's effect buffer, reused by every producer handler (`Outbox::reusing`).
    pub(crate) producer_effects: Vec<
        crate::actor::Effect<
            crate::producer::context::ProducerTimer,
            crate::producer::context::ProducerCall,
        >,
    >,
}

/// How far past its next pending entry `Sim::step` looks for an event (ten minutes of simulated
/// time: longer than every periodic Kafka timer the world has, the five-minute retention check
/// among them).
pub const STEP_HORIZON_US: u64 = 600_000_000;

impl Sim {
    /// Builds the world from a validated config and a seed.
    pub fn new(config: Config, seed: u64) -> Result<Sim, ConfigError> {
        config.validate()?;
        let start_config = alloc::rc::Rc::new(config.clone());
        // The pipeline's topic and groups (nothing changes without one).
        let config = crate::app::pipeline::state::pipeline_world(&config);
        config.validate()?;
        let placed = world::place_cluster(&config, seed);
        let mut sim = Sim::empty_world(config.clone(), seed, placed, start_config);
        sim.start_configured_clients(&config);
        sim.start_pipeline();
        sim.start_replica_fetchers();
        sim.start_broker_timers();
        sim.start_lag_sampler();
        Ok(sim)
    }

    // ----- the engine -----

    pub(crate) fn schedule(&mut self, at: SimTime, what: Pending) {
        debug_assert!(at >= self.now, "events are never scheduled in the past");
        let seq = self.seq;
        self.seq += 1;
        self.queue.push(Reverse(Scheduled {
            at: at.max(self.now),
            seq,
            what,
        }));
    }

    /// Puts a message on the network; it arrives after the link's latency.
    pub(crate) fn send(&mut self, from: Node, to: Node, body: Body) -> u64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        let mut deliver_at = self.now.plus(self.config.sim.network_latency_us.value);
        // A broker whose responses are being lost: the client never hears back.
        let dropped = matches!((from, to), (Node::Broker(b), Node::Producer(_) | Node::Consumer(_))
            if self.brokers.get(b as usize).is_some_and(|x| x.drop_responses));
        if dropped {
            self.responses_dropped += 1;
            return id;
        }
        // A dead process sends nothing (a crashed pipeline processor's producer).
        if matches!(from, Node::Producer(p) if self.producers.get(p as usize).is_some_and(|x| x.crashed))
        {
            return id;
        }
        let msg = Message {
            id,
            from,
            to,
            sent_at: self.now,
            deliver_at,
            body,
        };
        if !self.link_rules.is_empty() || !self.link_last_delivery.is_empty() {
            let (extra, lost) = self.link_effect(from, to);
            if lost {
                self.message_lost(&msg);
                return id;
            }
            deliver_at = self.fifo_delivery(from, to, deliver_at.plus(extra));
        }
        let msg = Message { deliver_at, ..msg };
        self.messages.insert(id, msg);
        self.schedule(deliver_at, Pending::Deliver(id));
        id
    }

    /// Time of the next pending event, if any.
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.queue.peek().map(|Reverse(s)| s.at)
    }

    /// Processes exactly one event and returns what it did; `None` when nothing is pending, or
    /// when no event comes within [`STEP_HORIZON_US`] of the next pending entry: a quiet world
    /// (one broker, so no replica fetches; no client left) keeps only timers that make no
    /// event, such as the lag sampler's, and a `step()` without this bound would run them
    /// forever. The clock is then at the last entry taken; the next `step()` goes on from there.
    pub fn step(&mut self) -> Option<&TraceEntry> {
        let horizon = self.next_event_time()?.plus(STEP_HORIZON_US);
        self.step_until(horizon)
    }

    /// Processes the next event if it happens at or before `limit`; `None` when there is
    /// none (superseded timers on the way are dropped; they are not events).
    pub fn step_until(&mut self, limit: SimTime) -> Option<&TraceEntry> {
        loop {
            let at = self.next_event_time()?;
            if at > limit {
                return None;
            }
            if self.take_next() {
                return self.trace.last();
            }
        }
    }

    /// Takes the next queue entry and runs it; whether it was an event (a superseded timer
    /// is not). The queue is not empty.
    #[inline]
    fn take_next(&mut self) -> bool {
        let Some(Reverse(s)) = self.queue.pop() else {
            panic!("take_next is called only with an entry pending");
        };
        self.popped += 1;
        debug_assert!(s.at >= self.now, "time never goes backward");
        self.now = s.at;
        let Some(event) = self.dispatch(s.what) else {
            return false;
        };
        let entry = TraceEntry {
            index: self.events_processed,
            time: self.now,
            event,
        };
        self.events_processed += 1;
        self.trace.push(entry);
        true
    }

    /// Processes every event up to and including time `t`, then sets the clock to `t`.
    /// Returns how many events ran.
    pub fn run_until(&mut self, t: SimTime) -> u64 {
        let before = self.events_processed;
        while self.step_until(t).is_some() {}
        if t > self.now {
            self.now = t;
        }
        self.events_processed - before
    }

    /// Runs at most `max_events` events up to time `t` (the page's frame budget). Returns
    /// whether it reached `t`.
    pub fn run_until_bounded(&mut self, t: SimTime, max_events: u64) -> bool {
        for _ in 0..max_events {
            if self.step_until(t).is_none() {
                if t > self.now {
                    self.now = t;
                }
                return true;
            }
        }
        false
    }

    // ----- read-only access -----

    pub fn now(&self) -> SimTime {
        self.now
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The config now (live changes included).
    pub fn config(&self) -> &Config {
        &self.config
    }
    /// The config the world was built from, before any live change (`Sim::new`'s: with its
    /// seed and input log, it makes the same run again).
    pub fn start_config(&self) -> &Config {
        &self.start_config
    }
    /// Events processed since the start (the index the next event will get).
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
    /// The inspector's details of a recent record (see `inspect::RECENT_RECORDS`).
    pub fn record_info(&self, record_id: u64) -> Option<crate::inspect::RecordInfo> {
        let e = self.journal.get(record_id)?;
        let p = self.producers.get(e.producer as usize)?;
        let of = crate::inspect::RecordProducer {
            topic: &p.config.topic,
            key_serializer: p.config.key_serializer.value,
            value_serializer: p.config.value_serializer.value,
            value_kind: p.config.workload.value_kind.value,
            producer_id: p.producer_id,
            codec: p.config.compression_type.value.name(),
            first_batch: p.accumulator.first_batch_id(),
        };
        Some(crate::inspect::record_info(e, of))
    }
    pub fn changes(&self) -> &[AppliedChange] {
        &self.changes
    }
    pub fn brokers(&self) -> &[Broker] {
        &self.brokers
    }
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }
    pub fn producers(&self) -> &[crate::producer::Producer] {
        &self.producers
    }
    pub fn consumers(&self) -> &[Consumer] {
        &self.consumers
    }
    pub fn messages(&self) -> impl Iterator<Item = &Message> {
        self.messages.values()
    }
    pub fn partition(&self, tp: TopicPartitionId) -> Option<&Partition> {
        self.topics
            .get(tp.topic as usize)?
            .partitions
            .get(tp.partition as usize)
    }
    /// The invariant monitor (see [`crate::monitor`]).
    pub fn monitor(&self) -> &crate::monitor::Monitor {
        &self.monitor
    }

    /// The monitor reads what is new in the leader's log of `tp` (after every append and
    /// every leader change, so its counts are always current).
    pub(crate) fn monitor_read(&mut self, tp: TopicPartitionId) {
        self.monitor_read_log(tp);
        self.txn_index_read(tp);
    }

    /// The invariant monitor alone reads what is new in the leader's log of `tp`.
    pub(crate) fn monitor_read_log(&mut self, tp: TopicPartitionId) {
        let p = self
            .topics
            .get(tp.topic as usize)
            .and_then(|t| t.partitions.get(tp.partition as usize))
            .unwrap_or_else(|| {
                panic!("the monitor reads {tp:?}: not a partition of the cluster (the engine reads only its own, and none is ever removed)")
            });
        let empty = crate::log::Log::new();
        let (leader, log) = match p.leader_replica() {
            Some(r) => (Some((r.broker, p.leader_epoch)), &r.log),
            None => (None, &empty),
        };
        self.monitor.read_log(tp, leader, log);
    }

    /// Producer instance `idx`. Instances are only ever added, and every index the engine holds
    /// (a message's address, a timer's, an application's current instance) names one; an index
    /// a user gives is checked before it gets here (`transactional_instance`).
    /// Producer instance `idx`, an index the simulator made itself (instances are only added).
    pub(crate) fn producer(&self, idx: u32) -> &crate::producer::Producer {
        let n = self.producers.len();
        assert!(
            (idx as usize) < n,
            "producer instance {idx} does not exist ({n} instances)"
        );
        &self.producers[idx as usize]
    }

    pub(crate) fn producer_mut(&mut self, idx: u32) -> &mut crate::producer::Producer {
        let n = self.producers.len();
        assert!(
            (idx as usize) < n,
            "producer instance {idx} does not exist ({n} instances)"
        );
        &mut self.producers[idx as usize]
    }

    /// Partition `tp`, to change in a test (the brokers change theirs through `BrokerCtx`).
    #[cfg(test)]
    pub(crate) fn partition_mut(&mut self, tp: TopicPartitionId) -> Option<&mut Partition> {
        self.topics
            .get_mut(tp.topic as usize)?
            .partitions
            .get_mut(tp.partition as usize)
    }
}
