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

mod parts;
mod timeouts;

use super::Sim;
use crate::config::settings::{broker, consumer, producer};
use crate::config::Config;
use crate::event::TraceEntry;
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

/// The longest timeout a run of `config` may wait out after its faults end, with what it is.
pub fn longest_timeout(config: &Config) -> (u64, &'static str) {
    let mut best = (0u64, "");
    let mut consider = |us: u64, what: &'static str| {
        if us > best.0 {
            best = (us, what);
        }
    };
    for p in &config.producers {
        consider(
            p.delivery_timeout_ms.value * 1000,
            producer::DELIVERY_TIMEOUT_MS.name,
        );
        consider(p.max_block_ms.value * 1000, producer::MAX_BLOCK_MS.name);
        if p.transactional_id.is_some() {
            // The coordinator checks every 10 s for transactions past their timeout.
            consider(
                (p.transaction_timeout_ms.value + 10_000) * 1000,
                producer::TRANSACTION_TIMEOUT_MS.name,
            );
        }
    }
    for g in &config.groups {
        let c = &g.consumer;
        consider(
            crate::client::consumer::coordinator::join_group_timeout_us(c),
            "max.poll.interval.ms + 5 s (JoinGroup)",
        );
        consider(
            c.session_timeout_ms.value * 1000,
            consumer::SESSION_TIMEOUT_MS.name,
        );
        consider(60_000_000, "default.api.timeout.ms");
    }
    consider(
        super::links::REPLICA_SOCKET_TIMEOUT_US,
        "replica.socket.timeout.ms",
    );
    consider(
        config.broker.replica_lag_time_max_ms.value * 1000,
        broker::REPLICA_LAG_TIME_MAX_MS.name,
    );
    consider(
        crate::controller::BROKER_SESSION_TIMEOUT_US,
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

impl Drain {
    /// The drain has ended ([`Sim::drain_step`] returned `None`; the report is out).
    pub fn is_over(&self) -> bool {
        self.over
    }
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
    /// One liveness check during a drain: remembers since when each part is unsettled and
    /// which Kafka timeouts the run waits for (one that was pending at the previous check and
    /// has fired since is what the run waited for). Returns whether the run is settled.
    pub(crate) fn observe_liveness(&mut self) -> bool {
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
    pub(crate) fn stuck_now(&self) -> Vec<String> {
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

    pub(crate) fn finish_drain(&mut self, d: &mut Drain, settled: bool) {
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
