//! The liveness monitor: whether a drained run has *settled*, and if not, which part is
//! *stuck* and since when, in Kafka's terms. It sits beside the invariant monitor
//! (`crate::monitor`) and, like it, judges only what an observer of a real cluster could see
//! (`kafka-topics --describe`, `kafka-consumer-groups --describe`, `kafka-transactions`, the
//! producer's metrics).
//!
//! A run is settled when, after its faults end:
//! - no record is queued in a producer or in flight (every record acknowledged or failed);
//! - every broker runs unfenced; every partition has a live leader whose ISR holds every
//!   replica at the leader's log end offset (so HW = LEO);
//! - every group with a running consumer is Stable, every running member is in its current
//!   generation, every subscribed partition is owned and consumed to its end (the LSO under
//!   read_committed), and, where the group commits, its committed offsets have reached that
//!   end too;
//! - no transaction is open at its coordinator;
//! - the pipeline's processors are idle and its verifier has seen every input record.
//!
//! [`Sim::drain`] runs until that holds. A run still waiting for a Kafka timeout that has not
//! fired (an unanswered JoinGroup's max.poll.interval.ms + 5 s, a transaction's
//! transaction.timeout.ms, a dead member's session.timeout.ms, a produce request's
//! request.timeout.ms) is not stuck: the drain's limit follows the configuration's longest
//! timeout ([`drain_limit`]) and is pushed past any such timer still pending when it is reached;
//! the report names the last one it waited for. Whatever is unsettled when nothing of that kind
//! is pending any more is stuck.
//!
//! Simplified: the checks run every [`CHECK_EVERY`] events and at least every
//! [`CHECK_INTERVAL_US`] of simulated time (a run settles at the first check that finds it
//! settled, the same in the CLI, the tests and the page).

use super::Sim;
use crate::config::{CommitMode, Config};
use crate::consumer::group::GroupState;
use crate::consumer::MemberState;
use crate::event::TraceEntry;
use crate::net::{Node, TopicPartitionId};
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// How many events the drain processes between two settledness checks.
pub const CHECK_EVERY: u32 = 256;

/// How often a drain takes the full picture of what is unsettled and which timeouts are
/// pending (the quick settled check runs far more often).
const OBSERVE_EVERY_US: u64 = 1_000_000;

/// The longest simulated time between two checks while events happen (10 ms).
pub const CHECK_INTERVAL_US: u64 = 10_000;

/// Room after the longest timeout for what it sets off (a rejoin, a rebalance, catching up).
const GRACE_US: u64 = 60_000_000;

/// The Java consumer's request.timeout.ms (the simulator's consumers use Kafka's default).
const CONSUMER_REQUEST_TIMEOUT_US: u64 = 30_000_000;

/// A request outstanding longer than this is waiting for its timeout (on this network every
/// answer that comes, comes within milliseconds, or a long poll's wait).
const OVERDUE_US: u64 = 1_000_000;

/// The longest timeout a run of `config` may wait out after its faults end, with what it is.
pub fn longest_timeout(config: &Config) -> (u64, &'static str) {
    let mut best = (0u64, "");
    let mut consider = |us: u64, what: &'static str| {
        if us > best.0 {
            best = (us, what);
        }
    };
    for p in &config.producers {
        consider(p.delivery_timeout_ms.value * 1000, "delivery.timeout.ms");
        consider(p.max_block_ms.value * 1000, "max.block.ms");
        if p.transactional_id.is_some() {
            // The coordinator checks every 10 s for transactions past their timeout.
            consider(
                (p.transaction_timeout_ms.value + 10_000) * 1000,
                "transaction.timeout.ms",
            );
        }
    }
    for g in &config.groups {
        let c = &g.consumer;
        consider(
            (c.max_poll_interval_ms.value + 5_000) * 1000,
            "max.poll.interval.ms + 5 s (JoinGroup)",
        );
        consider(c.session_timeout_ms.value * 1000, "session.timeout.ms");
        consider(60_000_000, "default.api.timeout.ms");
    }
    consider(
        super::links::REPLICA_SOCKET_TIMEOUT_US,
        "replica.socket.timeout.ms",
    );
    consider(
        config.broker.replica_lag_time_max_ms.value * 1000,
        "replica.lag.time.max.ms",
    );
    consider(
        super::faults::BROKER_SESSION_TIMEOUT_US,
        "broker.session.timeout.ms",
    );
    best
}

/// The longest a drain from `until` may take before it looks at the timers still pending:
/// the configuration's longest timeout, plus a minute for what it sets off.
pub fn drain_limit(config: &Config, until: SimTime) -> SimTime {
    until.plus(longest_timeout(config).0 + GRACE_US)
}

/// One part of the world that is not settled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsettled {
    /// Names the part ("partition orders-0", "group ctp"): the same part keeps its key.
    pub key: String,
    /// What is wrong, in Kafka's terms.
    pub what: String,
    /// Since when, where the state says (a follower's last fetch, a request's send time).
    pub since: Option<SimTime>,
}

/// A Kafka timeout the run is waiting for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingTimeout {
    pub deadline: SimTime,
    pub what: String,
}

/// What a drain found.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DrainReport {
    pub settled: bool,
    /// When the run was found settled.
    pub settled_at_us: Option<u64>,
    /// Where the drain stopped looking.
    pub limit_us: u64,
    /// The last Kafka timeout the drain waited for (and that fired before it settled).
    pub waited_for: Option<String>,
    /// What is stuck (empty when settled): "group ctp: ... since 38.2 s".
    pub stuck: Vec<String>,
}

/// A drain in progress ([`Sim::drain_start`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drain {
    limit: SimTime,
    cap: SimTime,
    /// Events since the last check, and its time.
    stepped: u32,
    checked_at: SimTime,
    over: bool,
}

/// The liveness monitor's memory across checks: since when each part has been unsettled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LivenessMonitor {
    first_seen: BTreeMap<String, SimTime>,
    /// The timeouts pending at the last check, and the latest of them that fired.
    waiting_on: Vec<PendingTimeout>,
    /// When the last full look was taken.
    observed_at: Option<SimTime>,
    waited_for: Option<PendingTimeout>,
    /// The last drain's report.
    pub report: Option<DrainReport>,
}

/// `12.3 s`
pub fn secs(t: SimTime) -> String {
    let us = t.micros();
    format!("{}.{} s", us / 1_000_000, (us / 100_000) % 10)
}

impl Sim {
    /// Every part that is not settled now (empty: settled). `first` stops at the first one.
    pub fn unsettled(&self, first: bool) -> Vec<Unsettled> {
        let mut out = Vec::new();
        self.unsettled_producers(&mut out, first);
        if !first || out.is_empty() {
            self.unsettled_partitions(&mut out, first);
        }
        if !first || out.is_empty() {
            self.unsettled_groups(&mut out, first);
        }
        if !first || out.is_empty() {
            self.unsettled_transactions(&mut out, first);
        }
        if !first || out.is_empty() {
            self.unsettled_pipeline(&mut out);
        }
        out
    }

    /// The one definition of a settled run (see the module doc).
    pub fn settled(&self) -> bool {
        self.unsettled(true).is_empty()
    }

    fn unsettled_producers(&self, out: &mut Vec<Unsettled>, first: bool) {
        for p in &self.producers {
            if p.crashed {
                continue;
            }
            let queued: usize = p
                .accumulator
                .deques
                .iter()
                .flatten()
                .map(|d| d.iter().map(|b| b.records.len()).sum::<usize>())
                .sum();
            let oldest = p.in_flight.values().min_by_key(|r| r.sent_at);
            // A closed instance is gone (its transaction is its coordinator's business now).
            let closed = p.state == crate::producer::ProducerState::Closed;
            let ending = !closed && p.txn.as_ref().is_some_and(|t| t.ending());
            if queued == 0 && oldest.is_none() && p.blocked.is_none() && !ending {
                continue;
            }
            let mut what = format!("producer {} (producer id {}):", p.index, p.producer_id);
            if queued > 0 {
                what.push_str(&format!(" {queued} records in the accumulator"));
            }
            if let Some(r) = oldest {
                what.push_str(&format!(
                    " {} requests in flight, the oldest to broker {} sent at {}",
                    p.in_flight.len(),
                    r.broker,
                    secs(r.sent_at)
                ));
            }
            if p.blocked.is_some() {
                what.push_str(" send() blocked on buffer.memory");
            }
            if ending {
                what.push_str(" its transaction is ending");
            }
            out.push(Unsettled {
                key: format!("producer {}", p.index),
                what,
                since: oldest.map(|r| r.sent_at),
            });
            if first {
                return;
            }
        }
    }

    fn unsettled_partitions(&self, out: &mut Vec<Unsettled>, first: bool) {
        for b in &self.brokers {
            if !b.alive || b.fenced || b.registering {
                out.push(Unsettled {
                    key: format!("broker {}", b.id),
                    what: if b.registering {
                        format!(
                            "broker {}: restarted, its registration refused until the controller fences its previous incarnation",
                            b.id
                        )
                    } else if !b.alive {
                        format!("broker {}: down", b.id)
                    } else {
                        format!("broker {}: running but fenced by the controller", b.id)
                    },
                    since: None,
                });
                if first {
                    return;
                }
            }
        }
        let live = |b: u32| {
            self.brokers
                .get(b as usize)
                .is_some_and(|x| x.alive && !x.fenced && !x.registering)
        };
        for t in &self.topics {
            for p in &t.partitions {
                let leader = p.leader.filter(|&l| live(l));
                let leo = p.log_end_offset();
                let hw = p.high_watermark();
                let settled = leader.is_some_and(|l| {
                    hw == leo
                        && p.replicas.iter().all(|r| {
                            r.broker == l
                                || !live(r.broker)
                                || p.isr.contains(&r.broker) && r.log.log_end_offset() == leo
                        })
                });
                if settled {
                    continue;
                }
                let name = format!("{}-{}", t.name, p.index);
                let Some(leader) = leader else {
                    out.push(Unsettled {
                        key: format!("partition {name}"),
                        what: match p.leader {
                            Some(l) => format!("{name}: leader broker {l} is not live"),
                            None => format!("{name}: no leader (ISR {:?})", p.isr),
                        },
                        since: None,
                    });
                    if first {
                        return;
                    }
                    continue;
                };
                for r in p.replicas.iter().filter(|r| r.broker != leader) {
                    if !live(r.broker) {
                        continue;
                    }
                    let rleo = r.log.log_end_offset();
                    let in_isr = p.isr.contains(&r.broker);
                    if in_isr && rleo == leo {
                        continue;
                    }
                    let state = if in_isr {
                        "in the ISR"
                    } else {
                        "out of the ISR"
                    };
                    out.push(Unsettled {
                        key: format!("partition {name} follower {}", r.broker),
                        what: format!(
                            "{name}: follower {} {state} at log end offset {rleo}, leader {leader} at {leo} (high watermark {hw}); it has not fetched since {}",
                            r.broker,
                            secs(r.last_fetch_time)
                        ),
                        since: Some(r.last_fetch_time),
                    });
                    if first {
                        return;
                    }
                }
                if hw != leo
                    && out
                        .iter()
                        .all(|u| !u.key.starts_with(&format!("partition {name} ")))
                {
                    out.push(Unsettled {
                        key: format!("partition {name}"),
                        what: format!("{name}: high watermark {hw} below the log end offset {leo}"),
                        since: None,
                    });
                    if first {
                        return;
                    }
                }
            }
        }
    }

    /// Whether the members of `group` commit offsets at all (auto-commit, the application's
    /// commitSync / commitAsync, or the pipeline's processors).
    fn group_commits(&self, group: u32) -> bool {
        if self.pipeline.as_ref().is_some_and(|p| p.group == group) {
            return true;
        }
        self.config.groups.get(group as usize).is_some_and(|g| {
            g.consumer.enable_auto_commit.value || g.consumer.commit_mode.value != CommitMode::Auto
        })
    }

    fn unsettled_groups(&self, out: &mut Vec<Unsettled>, first: bool) {
        for g in &self.groups {
            let running: Vec<&crate::consumer::Consumer> = self
                .consumers
                .iter()
                .filter(|c| c.group == g.index && c.alive && !c.closed)
                .collect();
            if running.is_empty() {
                continue; // no application runs: nothing Kafka could do
            }
            let owned: Vec<TopicPartitionId> = running
                .iter()
                .filter(|c| c.state == MemberState::Stable && c.generation == g.generation)
                .flat_map(|c| c.assignment.iter().copied())
                .collect();
            let count = |s: MemberState| running.iter().filter(|c| c.state == s).count();
            let members = || {
                format!(
                    "{} members ({} stable, {} joining, {} syncing, {} fetching offsets, {} unjoined)",
                    running.len(),
                    count(MemberState::Stable),
                    count(MemberState::Joining),
                    count(MemberState::Syncing),
                    count(MemberState::FetchingOffsets),
                    count(MemberState::Unjoined)
                )
            };
            let requests = running
                .iter()
                .flat_map(|c| c.coordinator_requests.iter())
                .count();
            let mut problem: Option<String> = None;
            if g.state != GroupState::Stable {
                problem = Some(format!(
                    "{:?} in generation {} at coordinator broker {}; {}; {requests} requests to the coordinator outstanding",
                    g.state, g.generation, g.coordinator, members()
                ));
            } else if let Some(c) = running.iter().find(|c| {
                c.state != MemberState::Stable
                    || c.generation != g.generation
                    || g.member(&c.member_id).is_none()
            }) {
                problem = Some(format!(
                    "Stable in generation {}, but {} is {:?} in generation {} ({}; {requests} requests to the coordinator outstanding)",
                    g.generation, c.client_id, c.state, c.generation, members()
                ));
            } else {
                let unowned: Vec<TopicPartitionId> = self
                    .group_partitions(g.index)
                    .into_iter()
                    .filter(|tp| !owned.contains(tp))
                    .collect();
                if !unowned.is_empty() {
                    let names: Vec<String> = unowned.iter().map(|tp| self.tp_name(*tp)).collect();
                    problem = Some(format!(
                        "{}, partitions not assigned to any member: {}",
                        members(),
                        names.join(", ")
                    ));
                }
            }
            if problem.is_none() {
                problem = self.group_behind(g.index, &running);
            }
            if let Some(p) = problem {
                out.push(Unsettled {
                    what: format!("group {}: {p}", g.group_id),
                    key: format!("group {}", g.group_id),
                    since: None,
                });
                if first {
                    return;
                }
            }
        }
    }

    /// A member not yet at the end of a partition it owns, or the group's committed offset
    /// behind that end.
    fn group_behind(&self, group: u32, running: &[&crate::consumer::Consumer]) -> Option<String> {
        let commits = self.group_commits(group);
        let g = self.groups.get(group as usize)?;
        for c in running {
            if !c.buffer.is_empty() {
                return Some(format!(
                    "{} has {} fetched records not yet returned by poll()",
                    c.client_id,
                    c.buffer.len()
                ));
            }
            for tp in &c.assignment {
                let end = self.consumer_fetch_end(Node::Consumer(c.index), *tp);
                let pos = c.positions.get(tp).copied();
                if pos.is_none_or(|p| p < end) {
                    return Some(format!(
                        "{} at {} position {} of {end}",
                        c.client_id,
                        self.tp_name(*tp),
                        pos.map_or_else(|| String::from("unknown"), |p| format!("{p}"))
                    ));
                }
                let start = self
                    .partition(*tp)
                    .and_then(|p| p.leader_replica())
                    .map_or(0, |r| r.log.log_start_offset());
                let committed = g.committed.get(tp).copied().unwrap_or(start);
                if commits && committed < end {
                    return Some(format!(
                        "committed offset of {} is {committed} of {end}",
                        self.tp_name(*tp)
                    ));
                }
            }
        }
        None
    }

    fn unsettled_transactions(&self, out: &mut Vec<Unsettled>, first: bool) {
        use super::transactions::TxnState;
        for m in self.txn_coordinator.values() {
            if matches!(
                m.state,
                TxnState::Ongoing | TxnState::PrepareCommit | TxnState::PrepareAbort
            ) {
                out.push(Unsettled {
                    key: format!("transaction {}", m.transactional_id),
                    what: format!(
                        "transaction {} (producer id {}, epoch {}): {} since {} at coordinator broker {}, {} markers pending",
                        m.transactional_id,
                        m.producer_id,
                        m.epoch,
                        m.state.name(),
                        secs(m.started_at),
                        m.coordinator,
                        m.pending_markers.len()
                    ),
                    since: Some(m.started_at),
                });
                if first {
                    return;
                }
            }
        }
    }

    fn unsettled_pipeline(&self, out: &mut Vec<Unsettled>) {
        let Some(pl) = self.pipeline.as_ref() else {
            return;
        };
        if let Some(p) = pl
            .processors
            .iter()
            .find(|p| !p.batch.is_empty() || p.phase != super::pipeline::ProcessorPhase::Polling)
        {
            out.push(Unsettled {
                key: String::from("pipeline"),
                what: format!(
                    "pipeline: processor {} is {} with {} records in hand",
                    p.index,
                    p.phase.name(),
                    p.batch.len()
                ),
                since: None,
            });
            return;
        }
        if let Some(r) = self.pipeline_report() {
            if r.missing > 0 {
                out.push(Unsettled {
                    key: String::from("pipeline"),
                    what: format!(
                        "pipeline: the verifier has seen {} of {} input records",
                        r.input - r.missing,
                        r.input
                    ),
                    since: None,
                });
            }
        }
    }

    fn tp_name(&self, tp: TopicPartitionId) -> String {
        let t = self
            .topics
            .get(tp.topic as usize)
            .map_or("?", |t| t.name.as_str());
        format!("{t}-{}", tp.partition)
    }

    /// The Kafka timeouts pending now that could still move the run, latest last.
    pub fn pending_timeouts(&self) -> Vec<PendingTimeout> {
        let mut out = Vec::new();
        let now = self.now;
        for c in self.consumers.iter().filter(|c| c.alive && !c.closed) {
            let cc = self
                .config
                .groups
                .get(c.group as usize)
                .map(|g| &g.consumer);
            let join_us =
                cc.map_or(300_000_000, |g| g.max_poll_interval_ms.value * 1000) + 5_000_000;
            let wait_us = cc.map_or(500_000, |g| g.fetch_max_wait_ms.value * 1000);
            for (kind, deadline) in &c.coordinator_requests {
                let timeout = if *kind == crate::net::MessageKind::JoinGroup {
                    join_us
                } else {
                    CONSUMER_REQUEST_TIMEOUT_US
                };
                let sent = SimTime(deadline.micros().saturating_sub(timeout));
                // A JoinGroup waits for the join phase; other requests are answered at once.
                let in_join = *kind == crate::net::MessageKind::JoinGroup
                    && self.groups.get(c.group as usize).is_some_and(|g| {
                        g.state == GroupState::PreparingRebalance
                            && self.coordinator_running(g.index)
                            && g.member(&c.member_id).is_some_and(|m| m.joined)
                    });
                if in_join || now.since(sent) < OVERDUE_US {
                    continue;
                }
                out.push(PendingTimeout {
                    deadline: *deadline,
                    what: format!(
                        "{}'s {kind:?} unanswered by its coordinator, given up at {}",
                        c.client_id,
                        secs(*deadline)
                    ),
                });
            }
            if c.commit_sync_wait.is_some() {
                out.push(PendingTimeout {
                    deadline: c.commit_sync_deadline,
                    what: format!(
                        "{}'s commitSync() until default.api.timeout.ms at {}",
                        c.client_id,
                        secs(c.commit_sync_deadline)
                    ),
                });
            }
            for (b, sent) in c.fetch_sent_at.iter().enumerate() {
                if c.fetch_in_flight.get(b).copied().unwrap_or(false)
                    && now.since(*sent) > wait_us + OVERDUE_US
                {
                    let deadline = sent.plus(CONSUMER_REQUEST_TIMEOUT_US);
                    out.push(PendingTimeout {
                        deadline,
                        what: format!(
                            "{}'s fetch from broker {b} until request.timeout.ms at {}",
                            c.client_id,
                            secs(deadline)
                        ),
                    });
                }
            }
        }
        for g in &self.groups {
            for m in &g.members {
                let alive = self
                    .consumers
                    .get(m.consumer as usize)
                    .is_some_and(|c| c.alive && c.member_id == m.member_id);
                if !alive {
                    out.push(PendingTimeout {
                        deadline: m.session_deadline,
                        what: format!(
                            "group {}: the session of departed member {} (session.timeout.ms) until {}",
                            g.group_id,
                            m.member_id,
                            secs(m.session_deadline)
                        ),
                    });
                }
            }
            if let Some(d) = g
                .join_deadline
                .filter(|_| g.state == GroupState::PreparingRebalance)
            {
                out.push(PendingTimeout {
                    deadline: d,
                    what: format!(
                        "group {}: the join phase (max.poll.interval.ms) until {}",
                        g.group_id,
                        secs(d)
                    ),
                });
            }
        }
        for p in self.producers.iter().filter(|p| !p.crashed) {
            let timeout = p.config.request_timeout_ms.value * 1000;
            let oldest = p.in_flight.values().min_by_key(|r| r.sent_at);
            if let Some(r) = oldest.filter(|r| now.since(r.sent_at) > OVERDUE_US) {
                let deadline = r.sent_at.plus(timeout);
                out.push(PendingTimeout {
                    deadline,
                    what: format!(
                        "producer {}'s produce request to broker {} until request.timeout.ms at {}",
                        p.index,
                        r.broker,
                        secs(deadline)
                    ),
                });
            }
        }
        for m in self.txn_coordinator.values() {
            if m.state == super::transactions::TxnState::Ongoing {
                let deadline = m.started_at.plus(m.timeout_us);
                out.push(PendingTimeout {
                    deadline,
                    what: format!(
                        "transaction {}: transaction.timeout.ms until {}",
                        m.transactional_id,
                        secs(deadline)
                    ),
                });
            }
        }
        let socket_us = super::links::REPLICA_SOCKET_TIMEOUT_US;
        for t in &self.topics {
            for p in &t.partitions {
                let Some(leader) = p.leader_replica() else {
                    continue;
                };
                let (lb, leo) = (leader.broker, leader.log.log_end_offset());
                for r in p.replicas.iter().filter(|r| r.broker != lb) {
                    let deadline = r.last_fetch_time.plus(socket_us);
                    let behind = r.log.log_end_offset() < leo || !p.isr.contains(&r.broker);
                    if behind && now.since(r.last_fetch_time) > OVERDUE_US {
                        out.push(PendingTimeout {
                            deadline,
                            what: format!(
                                "{}-{}: follower {}'s fetch until replica.socket.timeout.ms at {}",
                                t.name,
                                p.index,
                                r.broker,
                                secs(deadline)
                            ),
                        });
                    }
                }
            }
        }
        out.retain(|t| t.deadline > self.now);
        out.sort_by_key(|t| t.deadline);
        out
    }

    /// One liveness check during a drain: remembers since when each part is unsettled and
    /// which Kafka timeouts the run waits for (one that was pending at the previous check and
    /// has fired since is what the run waited for). Returns whether the run is settled.
    fn observe_liveness(&mut self) -> bool {
        let now = self.now;
        let l = &mut self.liveness;
        let (fired, pending): (Vec<PendingTimeout>, Vec<PendingTimeout>) =
            core::mem::take(&mut l.waiting_on)
                .into_iter()
                .partition(|w| w.deadline <= now);
        l.waiting_on = pending;
        for w in fired {
            if l.waited_for
                .as_ref()
                .is_none_or(|x| x.deadline <= w.deadline)
            {
                l.waited_for = Some(w);
            }
        }
        if self.settled() {
            self.liveness.first_seen.clear();
            return true;
        }
        // The full picture (every unsettled part, every pending timeout) is costly: it is
        // taken once per OBSERVE_EVERY_US of simulated time.
        let due = self
            .liveness
            .observed_at
            .is_none_or(|t| now >= t.plus(OBSERVE_EVERY_US));
        if due {
            let parts = self.unsettled(false);
            let pending = self.pending_timeouts();
            let l = &mut self.liveness;
            l.observed_at = Some(now);
            l.first_seen
                .retain(|k, _| parts.iter().any(|p| &p.key == k));
            for p in &parts {
                l.first_seen.entry(p.key.clone()).or_insert(now);
            }
            l.waiting_on = pending;
        }
        false
    }

    /// The stuck parts as the report lists them: what, and since when.
    fn stuck_now(&self) -> Vec<String> {
        self.unsettled(false)
            .into_iter()
            .map(|u| {
                let since = u
                    .since
                    .or_else(|| self.liveness.first_seen.get(&u.key).copied());
                match since {
                    Some(t) if !u.what.contains(" since ") => {
                        format!("{} (since {})", u.what, secs(t))
                    }
                    _ => u.what,
                }
            })
            .collect()
    }

    /// Starts a drain (see the module doc): applications stop sending; then
    /// [`Sim::drain_step`] runs it one event at a time.
    pub fn drain_start(&mut self, limit: SimTime) -> Drain {
        if !self.draining {
            self.begin_drain();
        }
        self.liveness.waiting_on.clear();
        self.liveness.waited_for = None;
        self.liveness.first_seen.clear();
        self.liveness.observed_at = None;
        self.liveness.report = None;
        let limit = limit.max(self.now);
        Drain {
            limit,
            // Pushed past pending timers at most this far (a runaway guard).
            cap: limit.plus(4 * longest_timeout(&self.config).0 + GRACE_US),
            stepped: CHECK_EVERY,
            checked_at: self.now,
            over: false,
        }
    }

    /// The drain's next event; `None` once the drain is over, its report then in
    /// [`Sim::drain_report`]. The run is checked every [`CHECK_EVERY`] events and whenever
    /// nothing is left before the limit (then a Kafka timeout still pending past the limit
    /// pushes it on).
    pub fn drain_step(&mut self, d: &mut Drain) -> Option<&TraceEntry> {
        if d.over {
            return None;
        }
        loop {
            if d.stepped >= CHECK_EVERY {
                d.stepped = 0;
                d.checked_at = self.now;
                if self.observe_liveness() {
                    self.finish_drain(d, true);
                    return None;
                }
            }
            // Checked every CHECK_EVERY events, and before any event that comes more than
            // CHECK_INTERVAL_US after the last check (a quiet world settles on time).
            let next_at = self.next_event_time();
            if next_at.is_some_and(|t| t > d.checked_at.plus(CHECK_INTERVAL_US)) && d.stepped > 0 {
                d.stepped = CHECK_EVERY;
                continue;
            }
            if next_at.is_some_and(|t| t <= d.limit) {
                // `step_until` drops superseded timers: it may process no event.
                let before = self.events_processed;
                let _ = self.step_until(d.limit);
                if self.events_processed > before {
                    d.stepped += 1;
                    return self.trace.last();
                }
                continue;
            }
            // Nothing more before the limit: is a Kafka timeout still to fire after it?
            if self.observe_liveness() {
                self.finish_drain(d, true);
                return None;
            }
            let next = self
                .pending_timeouts()
                .pop()
                .map(|t| t.deadline.plus(GRACE_US).min(d.cap));
            match next {
                Some(n) if n > d.limit && self.next_event_time().is_some() => {
                    d.limit = n;
                    d.stepped = 0;
                }
                _ => {
                    self.finish_drain(d, false);
                    return None;
                }
            }
        }
    }

    fn finish_drain(&mut self, d: &mut Drain, settled: bool) {
        d.over = true;
        let report = DrainReport {
            settled,
            settled_at_us: settled.then_some(self.now.micros()),
            limit_us: d.limit.micros(),
            waited_for: self.liveness.waited_for.as_ref().map(|w| w.what.clone()),
            stuck: if settled {
                Vec::new()
            } else {
                self.stuck_now()
            },
        };
        self.liveness.report = Some(report);
    }

    /// Drains the run to its end; `on_event` sees every event.
    pub fn drain_with<E>(
        &mut self,
        limit: SimTime,
        on_event: &mut dyn FnMut(&TraceEntry) -> Result<(), E>,
    ) -> Result<DrainReport, E> {
        let mut d = self.drain_start(limit);
        while let Some(entry) = self.drain_step(&mut d) {
            on_event(entry)?;
        }
        Ok(self.liveness.report.clone().unwrap_or_default())
    }

    /// [`Sim::drain_with`] without looking at the events.
    pub fn drain(&mut self, limit: SimTime) -> DrainReport {
        let r: Result<DrainReport, core::convert::Infallible> =
            self.drain_with(limit, &mut |_| Ok(()));
        match r {
            Ok(r) => r,
            Err(e) => match e {},
        }
    }

    /// The last drain's report (`None` before a drain).
    pub fn drain_report(&self) -> Option<&DrainReport> {
        self.liveness.report.as_ref()
    }
}
