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

use super::links::{Endpoint, LinkFault};
use super::{Change, Pending, Sim};
use crate::config::{Config, ConfigError};
use crate::event::Event;
use crate::net::TopicPartitionId;
use crate::rng::Rng;
use crate::time::SimTime;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// How long a `crash:leader=…,ahead` fault looks for a leader ahead of its followers.
pub const AHEAD_SEARCH_US: u64 = 5_000_000;

/// What a fault does.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
pub enum FaultKind {
    /// The broker's host is lost: it goes silent.
    Crash {
        broker: u32,
    },
    /// The broker's process is killed on a live host: its connections close at once.
    Kill {
        broker: u32,
    },
    /// Crash whichever broker leads this partition when the fault starts.
    CrashLeader {
        topic: String,
        partition: u32,
        /// Wait for a moment when the leader holds records not on every follower.
        ahead: bool,
    },
    Restart {
        broker: u32,
    },
    DropResponses {
        broker: u32,
    },
    Link {
        a: Endpoint,
        b: Endpoint,
        fault: LinkFault,
    },
    /// A pipeline processor's process dies (consumer and producer); at the window's end it
    /// starts again, with a new transactional.id when `new_id`. `in_txn`: wait (up to 5 s)
    /// for a moment between its produce and its commit.
    CrashProcessor {
        processor: u32,
        new_id: bool,
        in_txn: bool,
    },
}

/// One fault of a schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FaultSpec {
    /// The `--fault` text.
    pub text: String,
    pub kind: FaultKind,
    pub at: SimTime,
    /// End of the window, if it has one.
    pub until: Option<SimTime>,
}

/// A fault in the schedule and how far it got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledFault {
    pub spec: FaultSpec,
    /// The broker a crash took down (resolved when it started).
    pub crashed: Option<u32>,
    pub started: bool,
    /// Its `FaultStarted` event was emitted.
    pub reported: bool,
    pub ended: bool,
}

fn fmt_time(us: u64) -> String {
    if us.is_multiple_of(1_000_000) {
        format!("{}s", us / 1_000_000)
    } else if us.is_multiple_of(1_000) {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}

impl FaultSpec {
    /// The canonical `--fault` text of a fault.
    pub fn render(kind: &FaultKind, at: SimTime, until: Option<SimTime>) -> String {
        let head = match kind {
            FaultKind::Crash { broker } => format!("crash:broker={broker}"),
            FaultKind::Kill { broker } => format!("kill:broker={broker}"),
            FaultKind::CrashLeader {
                topic,
                partition,
                ahead,
            } => format!(
                "crash:leader={topic}-{partition}{}",
                if *ahead { ",ahead" } else { "" }
            ),
            FaultKind::Restart { broker } => format!("restart:broker={broker}"),
            FaultKind::CrashProcessor {
                processor,
                new_id,
                in_txn,
            } => format!(
                "crash:processor={processor}{}{}",
                if *in_txn { ",in-txn" } else { "" },
                if *new_id { ",new-id" } else { "" }
            ),
            FaultKind::DropResponses { broker } => format!("drop-responses:broker={broker}"),
            FaultKind::Link { a, b, fault } => match fault {
                LinkFault::Cut => format!("cut:{},{}", a.text(), b.text()),
                LinkFault::Delay { extra_us } => {
                    format!("delay:{},{},{}", a.text(), b.text(), fmt_time(*extra_us))
                }
                LinkFault::Drop { per_mille } => {
                    let pct = if per_mille.is_multiple_of(10) {
                        format!("{}%", per_mille / 10)
                    } else {
                        format!("{}.{}%", per_mille / 10, per_mille % 10)
                    };
                    format!("drop:{},{},{pct}", a.text(), b.text())
                }
            },
        };
        match until {
            Some(u) => format!("{head}@{}..{}", fmt_time(at.micros()), fmt_time(u.micros())),
            None => format!("{head}@{}", fmt_time(at.micros())),
        }
    }

    pub fn new(kind: FaultKind, at: SimTime, until: Option<SimTime>) -> FaultSpec {
        FaultSpec {
            text: FaultSpec::render(&kind, at, until),
            kind,
            at,
            until,
        }
    }
}

const FORMS: &str = "expected KIND:TARGET[,TARGET][,VALUE]@T[..T2]: crash:broker=1@2s, crash:broker=1@2s..15s, kill:broker=1@2s..15s, crash:leader=orders-0,ahead@2s..15s, crash:processor=0,in-txn,new-id@2s..5s, restart:broker=1@15s, drop-responses:broker=1@1s..2s, cut:broker=0,broker=2@1s..3s, delay:broker=0,producer,50ms@1s..4s, drop:broker=0,consumer=1,30%@1s..4s";

fn parse_endpoint(t: &str) -> Option<Endpoint> {
    let t = t.trim();
    let num = |s: &str| s.parse::<u32>().ok();
    match t.split_once('=') {
        Some(("broker", n)) => num(n).map(Endpoint::Broker),
        Some(("producer", n)) => num(n).map(|n| Endpoint::Producer(Some(n))),
        Some(("consumer", n)) => num(n).map(|n| Endpoint::Consumer(Some(n))),
        None if t == "producer" => Some(Endpoint::Producer(None)),
        None if t == "consumer" => Some(Endpoint::Consumer(None)),
        _ => None,
    }
}

/// Parses one fault; the error names the problem and the accepted forms.
pub fn parse_fault(text: &str) -> Result<FaultSpec, ConfigError> {
    let bad = |why: &str| ConfigError::new("--fault", format!("'{text}': {why}; {FORMS}"));
    let (head, when) = text
        .trim()
        .rsplit_once('@')
        .ok_or_else(|| bad("no '@' before the time"))?;
    let (kind, targets) = head
        .split_once(':')
        .ok_or_else(|| bad("no ':' after the kind"))?;
    let parts: Vec<&str> = targets.split(',').map(str::trim).collect();
    let (t1, t2) = match when.split_once("..") {
        Some((a, b)) => (a, Some(b)),
        None => (when, None),
    };
    let parse_t = |t: &str| {
        crate::config::settings::parse_duration_us(t.trim())
            .map(SimTime)
            .map_err(|e| bad(&e))
    };
    let at = parse_t(t1)?;
    let until = match t2 {
        Some(t) => Some(parse_t(t)?),
        None => None,
    };
    if until.is_some_and(|u| u <= at) {
        return Err(bad("the window must end after it starts"));
    }
    let one_broker = |parts: &[&str]| -> Result<u32, ConfigError> {
        match parts {
            [t] => match parse_endpoint(t) {
                Some(Endpoint::Broker(b)) => Ok(b),
                _ => Err(bad("the target must be broker=N")),
            },
            _ => Err(bad("this kind takes one target, broker=N")),
        }
    };
    let link = |parts: &[&str],
                value: bool|
     -> Result<(Endpoint, Endpoint, Option<String>), ConfigError> {
        let want = if value { 3 } else { 2 };
        if parts.len() != want {
            return Err(bad(if value {
                "this kind takes two targets and a value"
            } else {
                "this kind takes two targets"
            }));
        }
        let a = parse_endpoint(parts[0]).ok_or_else(|| {
            bad("a target is broker=N, producer, producer=N, consumer or consumer=N")
        })?;
        let b = parse_endpoint(parts[1]).ok_or_else(|| {
            bad("a target is broker=N, producer, producer=N, consumer or consumer=N")
        })?;
        if a == b {
            return Err(bad("a link joins two different nodes"));
        }
        if !matches!(a, Endpoint::Broker(_)) && !matches!(b, Endpoint::Broker(_)) {
            return Err(bad("one end of a link must be a broker"));
        }
        Ok((a, b, parts.get(2).map(|s| String::from(*s))))
    };
    let kind = match kind.trim() {
        "crash" => match parts.as_slice() {
            [t, rest @ ..] if t.starts_with("processor=") => {
                let processor = t["processor=".len()..]
                    .parse()
                    .map_err(|_| bad("processor=N needs a processor number"))?;
                let mut new_id = false;
                let mut in_txn = false;
                for r in rest {
                    match *r {
                        "new-id" => new_id = true,
                        "in-txn" => in_txn = true,
                        _ => {
                            return Err(bad("crash:processor=N takes only ',in-txn' and ',new-id'"))
                        }
                    }
                }
                FaultKind::CrashProcessor {
                    processor,
                    new_id,
                    in_txn,
                }
            }
            [t] | [t, _] if t.starts_with("leader=") => {
                let ahead = match parts.get(1) {
                    None => false,
                    Some(&"ahead") => true,
                    Some(_) => return Err(bad("crash:leader=TOPIC-P takes only ',ahead'")),
                };
                let tp = &t["leader=".len()..];
                let (topic, p) = tp
                    .rsplit_once('-')
                    .ok_or_else(|| bad("leader=TOPIC-P names a partition, e.g. leader=orders-0"))?;
                let partition = p
                    .parse()
                    .map_err(|_| bad("leader=TOPIC-P needs a partition number"))?;
                if topic.is_empty() {
                    return Err(bad("leader=TOPIC-P needs a topic name"));
                }
                FaultKind::CrashLeader {
                    topic: String::from(topic),
                    partition,
                    ahead,
                }
            }
            _ => FaultKind::Crash {
                broker: one_broker(&parts)?,
            },
        },
        "kill" => FaultKind::Kill {
            broker: one_broker(&parts)
                .map_err(|_| bad("kill takes one target, broker=N (a process kill; crash:leader=TOPIC-P has no kill form)"))?,
        },
        "restart" if until.is_some() => return Err(bad("restart takes a time, not a window")),
        "restart" => FaultKind::Restart {
            broker: one_broker(&parts)?,
        },
        "drop-responses" => FaultKind::DropResponses {
            broker: one_broker(&parts)?,
        },
        "cut" => {
            let (a, b, _) = link(&parts, false)?;
            FaultKind::Link {
                a,
                b,
                fault: LinkFault::Cut,
            }
        }
        "delay" => {
            let (a, b, v) = link(&parts, true)?;
            let extra_us = crate::config::settings::parse_duration_us(v.as_deref().unwrap_or(""))
                .map_err(|e| bad(&format!("delay value: {e}")))?;
            FaultKind::Link {
                a,
                b,
                fault: LinkFault::Delay { extra_us },
            }
        }
        "drop" => {
            let (a, b, v) = link(&parts, true)?;
            let v = v.unwrap_or_default();
            let pct = v
                .strip_suffix('%')
                .ok_or_else(|| bad("drop value is a percentage, e.g. 30%"))?;
            let per_mille = parse_per_mille(pct)
                .ok_or_else(|| bad("drop percentage must be 0 to 100, e.g. 30% or 2.5%"))?;
            FaultKind::Link {
                a,
                b,
                fault: LinkFault::Drop { per_mille },
            }
        }
        _ => return Err(bad(
            "unknown kind: crash, kill, restart, drop-responses, cut, delay or drop",
        )),
    };
    Ok(FaultSpec::new(kind, at, until))
}

/// Parses a fault given at simulated time `now` (the page's fault box): times may be relative,
/// `+T` meaning `now + T`, and a fault with no `@` starts now and lasts until it is ended
/// (`Sim::end_faults`). `cut:broker=0,broker=2@+0s..+5s` cuts the link now for five seconds.
pub fn parse_fault_at(text: &str, now: SimTime) -> Result<FaultSpec, ConfigError> {
    let text = text.trim();
    let (head, when) = match text.rsplit_once('@') {
        Some((h, w)) => (h, w),
        None => (text, "+0s"),
    };
    let abs = |t: &str| -> Result<String, ConfigError> {
        let t = t.trim();
        match t.strip_prefix('+') {
            Some(rel) => {
                let us = crate::config::settings::parse_duration_us(rel)
                    .map_err(|e| ConfigError::new("--fault", format!("'{text}': {e}; {FORMS}")))?;
                Ok(format!("{}us", now.micros().saturating_add(us)))
            }
            None => Ok(String::from(t)),
        }
    };
    let when = match when.split_once("..") {
        Some((a, b)) => format!("{}..{}", abs(a)?, abs(b)?),
        None => abs(when)?,
    };
    parse_fault(&format!("{head}@{when}"))
}

/// "30" -> 300, "2.5" -> 25; 0..=100 %.
fn parse_per_mille(s: &str) -> Option<u32> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) if f.len() == 1 => (i, f),
        Some(_) => return None,
        None => (s, "0"),
    };
    let v = int.parse::<u32>().ok()?.checked_mul(10)? + frac.parse::<u32>().ok()?;
    (v <= 1000).then_some(v)
}

/// Draws a fault schedule from `seed` for a run of `until` over `config`'s world
/// (`--faults random`): always a crash of a partition leader while it holds records not yet
/// on every follower, long enough for the controller to fence it (9 s) and elect a new leader
/// when the run is long enough (at least 20 s), then zero to two more of: lost responses, a cut
/// or delayed link, a second crash (never two brokers down at once). The draw uses its own
/// PRNG stream, so the same seed gives the same schedule whatever the settings.
pub fn random_faults(config: &Config, seed: u64, until: SimTime) -> Vec<FaultSpec> {
    let mut rng = Rng::new(seed ^ 0xfa17_5eed_0c0f_fee5);
    let mut out = Vec::new();
    let span = until.micros().max(1);
    let brokers = config.sim.brokers.value.max(1);
    let Some(topic) = config.topics.first() else {
        return out;
    };
    let ms = |x: u64| x * 1000;
    let between = |rng: &mut Rng, a: u64, b: u64| a + rng.below(b.saturating_sub(a).max(1));
    // The leader crash: from 5% to 30% into the run, a window of 17 to 25 s (the crash itself
    // may wait up to 5 s for the leader's next append, and the controller fences it 9 to 11 s
    // after it).
    let t = (between(&mut rng, span / 20, span * 3 / 10) / 1000) * 1000;
    let down = ms(between(&mut rng, 17_000, 25_000));
    let crash_end = t + down;
    out.push(FaultSpec::new(
        FaultKind::CrashLeader {
            topic: topic.name.clone(),
            partition: rng.below(topic.partitions.value.max(1) as u64) as u32,
            ahead: true,
        },
        SimTime(t),
        Some(SimTime(crash_end)),
    ));
    let extra = rng.below(3);
    let mut second_crash_done = false;
    for _ in 0..extra {
        let start = (between(&mut rng, span / 20, span * 8 / 10) / 1000) * 1000;
        let len = ms(between(&mut rng, 500, 5_000));
        let b = rng.below(brokers as u64) as u32;
        let kind = match rng.below(4) {
            0 => FaultKind::DropResponses { broker: b },
            1 if brokers >= 2 => {
                let c = (b + 1 + rng.below(brokers as u64 - 1) as u32) % brokers;
                FaultKind::Link {
                    a: Endpoint::Broker(b),
                    b: Endpoint::Broker(c),
                    fault: LinkFault::Cut,
                }
            }
            2 => FaultKind::Link {
                a: Endpoint::Broker(b),
                b: Endpoint::Producer(None),
                fault: LinkFault::Delay {
                    extra_us: ms(between(&mut rng, 20, 200)),
                },
            },
            _ if !second_crash_done && crash_end + ms(2_000) < span => {
                second_crash_done = true;
                let s = crash_end + ms(1_000);
                let e = s + ms(between(&mut rng, 12_000, 20_000));
                out.push(FaultSpec::new(
                    FaultKind::Crash { broker: b },
                    SimTime(s),
                    Some(SimTime(e)),
                ));
                continue;
            }
            _ => FaultKind::DropResponses { broker: b },
        };
        out.push(FaultSpec::new(
            kind,
            SimTime(start),
            Some(SimTime(start + len)),
        ));
    }
    if config.pipeline.kind.value == crate::config::PipelineKind::Ctp {
        // Pipeline processors crash too: one or two, each down 1 to 6 s, restarting with the
        // same transactional.id or a new one; half of them wait for a moment between a
        // produce and its commit.
        let processors = config.pipeline.processors.value.max(1) as u64;
        for _ in 0..1 + rng.below(2) {
            let start = (between(&mut rng, span / 20, span * 7 / 10) / 1000) * 1000;
            let len = ms(between(&mut rng, 1_000, 6_000));
            out.push(FaultSpec::new(
                FaultKind::CrashProcessor {
                    processor: rng.below(processors) as u32,
                    new_id: rng.below(2) == 1,
                    in_txn: rng.below(2) == 1,
                },
                SimTime(start),
                Some(SimTime(start + len)),
            ));
        }
    }
    out.sort_by_key(|f| f.at);
    out
}

pub use super::liveness::drain_limit;

impl Sim {
    /// Adds a fault to the schedule. Rejected (and nothing changes) when it starts in the
    /// past or names a broker, producer, consumer or partition that does not exist.
    pub fn schedule_fault(&mut self, spec: FaultSpec) -> Result<(), ConfigError> {
        if spec.at < self.now {
            return Err(ConfigError::new(
                "--fault",
                format!(
                    "'{}' starts at {}, before the simulation's time {}: schedule faults from now on",
                    spec.text, spec.at, self.now
                ),
            ));
        }
        let n = self.brokers.len();
        let check_broker = |b: u32| {
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
        };
        match &spec.kind {
            FaultKind::Crash { broker }
            | FaultKind::Kill { broker }
            | FaultKind::Restart { broker }
            | FaultKind::DropResponses { broker } => check_broker(*broker)?,
            FaultKind::CrashLeader {
                topic, partition, ..
            } => {
                if self.resolve_partition(topic, *partition).is_none() {
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
                    return Err(ConfigError::new(
                        "--fault",
                        format!(
                            "'{}': no partition {topic}-{partition}; topics: {}",
                            spec.text,
                            names.join(", ")
                        ),
                    ));
                }
            }
            FaultKind::Link { a, b, .. } => {
                self.check_link(*a, *b)?;
            }
            FaultKind::CrashProcessor { processor, .. } => {
                let n = self.pipeline.as_ref().map_or(0, |p| p.processors.len());
                if *processor as usize >= n {
                    return Err(ConfigError::new(
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
                    ));
                }
            }
        }
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
        self.apply(change).is_ok()
    }

    pub(crate) fn on_scheduled_fault(&mut self, index: u32, end: bool) -> Option<Event> {
        let f = self.faults.get(index as usize)?.clone();
        if end {
            if f.ended || !f.started {
                return None;
            }
            self.faults[index as usize].ended = true;
            match f.spec.kind {
                FaultKind::Crash { .. }
                | FaultKind::Kill { .. }
                | FaultKind::CrashLeader { .. } => {
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
            } => {
                let tp = self.resolve_partition(topic, *partition)?;
                let give_up = f.spec.at.plus(AHEAD_SEARCH_US);
                let give_up = f.spec.until.map_or(give_up, |u| give_up.min(u));
                if *ahead && self.now < give_up {
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
                let leader = self.partition(tp)?.leader;
                match leader {
                    Some(b) if self.apply_scheduled(Change::CrashBroker { broker: b }) => {
                        self.faults[index as usize].crashed = Some(b);
                        true
                    }
                    _ => false,
                }
            }
            FaultKind::Restart { broker } => {
                self.apply_scheduled(Change::RestartBroker { broker: *broker })
            }
            FaultKind::CrashProcessor {
                processor, in_txn, ..
            } => {
                let give_up = f.spec.at.plus(AHEAD_SEARCH_US);
                let give_up = f.spec.until.map_or(give_up, |u| give_up.min(u));
                if *in_txn
                    && self.now < give_up
                    && !self.processor_between_produce_and_commit(*processor)
                {
                    // Look again in a millisecond.
                    self.schedule(self.now.plus(1_000), Pending::Fault { index, end: false });
                    return None;
                }
                let ok = self.apply_scheduled(Change::CrashProcessor {
                    processor: *processor,
                });
                if ok {
                    // `crashed` marks that the end restarts it.
                    self.faults[index as usize].crashed = Some(*processor);
                }
                ok
            }
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

    /// The leader a `crash:leader=…,ahead` fault waits on has just appended records (and
    /// answered an acks=0/1 producer, or an acks=all one if its ISR is itself alone) but not
    /// yet woken its followers' fetches: it crashes now. The fault's start is reported as the
    /// next event.
    pub(crate) fn crash_ahead_leader(&mut self, broker: u32) {
        let Some((index, _)) = self.ahead_watch.take() else {
            return;
        };
        if self.crash_broker(broker).is_ok() {
            self.changes.push(super::AppliedChange {
                at_event: self.events_processed,
                at_time: self.now,
                change: Change::CrashBroker { broker },
            });
            if let Some(f) = self.faults.get_mut(index as usize) {
                f.crashed = Some(broker);
            }
        }
        self.start_fault_window(index);
    }

    /// Marks a fault started, schedules its end, and queues its `FaultStarted` report.
    pub(crate) fn start_fault_window(&mut self, index: u32) {
        let Some(f) = self.faults.get_mut(index as usize) else {
            return;
        };
        f.started = true;
        let until = f.spec.until;
        if let Some(u) = until {
            self.schedule(u.max(self.now), Pending::Fault { index, end: true });
        }
        self.schedule(self.now, Pending::Fault { index, end: false });
    }

    /// Ends every fault now (`--until` reached): crashed brokers restart, links heal, lost
    /// responses get through again. Scheduled faults that have not started are dropped.
    pub fn end_faults(&mut self) {
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
    pub fn begin_drain(&mut self) {
        for app in 0..self.app_next_send.len() {
            self.app_next_send[app] = None;
        }
        self.draining = true;
        // A transactional application ends its open transaction as it would on shutdown.
        self.txn_drain();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_syntax() {
        let f = parse_fault("crash:broker=1@2s").unwrap();
        assert_eq!(
            (f.at, f.kind.clone(), f.until),
            (SimTime(2_000_000), FaultKind::Crash { broker: 1 }, None)
        );
        let f = parse_fault("drop-responses:broker=2@1s..2s").unwrap();
        assert_eq!(f.kind, FaultKind::DropResponses { broker: 2 });
        assert_eq!(f.until, Some(SimTime(2_000_000)));
        let f = parse_fault("cut:broker=0,broker=2@1s..3s").unwrap();
        assert_eq!(
            f.kind,
            FaultKind::Link {
                a: Endpoint::Broker(0),
                b: Endpoint::Broker(2),
                fault: LinkFault::Cut
            }
        );
        let f = parse_fault("delay:broker=0,producer,50ms@1s..4s").unwrap();
        assert_eq!(
            f.kind,
            FaultKind::Link {
                a: Endpoint::Broker(0),
                b: Endpoint::Producer(None),
                fault: LinkFault::Delay { extra_us: 50_000 }
            }
        );
        assert_eq!(f.text, "delay:broker=0,producer,50ms@1s..4s");
        let f = parse_fault("drop:broker=1,consumer=0,2.5%@1s..4s").unwrap();
        assert_eq!(
            f.kind,
            FaultKind::Link {
                a: Endpoint::Broker(1),
                b: Endpoint::Consumer(Some(0)),
                fault: LinkFault::Drop { per_mille: 25 }
            }
        );
        let f = parse_fault("crash:leader=orders-3,ahead@1500ms..20s").unwrap();
        assert_eq!(
            f.kind,
            FaultKind::CrashLeader {
                topic: "orders".into(),
                partition: 3,
                ahead: true
            }
        );
        assert_eq!(f.text, "crash:leader=orders-3,ahead@1500ms..20s");
        for bad in [
            "crash:broker=1",
            "crash@2s",
            "boom:broker=1@2s",
            "crash:broker=x@2s",
            "crash:broker=1@2",
            "crash:broker=1@5s..2s",
            "restart:broker=1@1s..2s",
            "cut:broker=0@1s",
            "cut:broker=0,broker=0@1s",
            "cut:producer,consumer@1s",
            "delay:broker=0,producer@1s",
            "delay:broker=0,producer,fast@1s",
            "drop:broker=0,producer,130%@1s",
            "drop:broker=0,producer,30@1s",
            "crash:leader=orders@1s",
            "crash:leader=orders-0,soon@1s",
        ] {
            let e = parse_fault(bad).unwrap_err();
            assert_eq!(e.field, "--fault", "{bad}");
        }
    }

    #[test]
    fn relative_times_count_from_now() {
        let now = SimTime(3_000_000);
        let f = parse_fault_at("cut:broker=0,broker=2@+1s..+5s", now).unwrap();
        assert_eq!(
            (f.at, f.until),
            (SimTime(4_000_000), Some(SimTime(8_000_000)))
        );
        assert_eq!(f.text, "cut:broker=0,broker=2@4s..8s");
        let f = parse_fault_at("crash:broker=1", now).unwrap();
        assert_eq!((f.at, f.until), (now, None));
        let f = parse_fault_at("crash:broker=1@10s", now).unwrap();
        assert_eq!(f.at, SimTime(10_000_000));
        assert!(parse_fault_at("crash:broker=1@+x", now).is_err());
    }

    #[test]
    fn random_schedules_always_crash_a_leader_and_differ_by_seed() {
        let c = Config::preset();
        let a = random_faults(&c, 1, SimTime(60_000_000));
        let b = random_faults(&c, 2, SimTime(60_000_000));
        assert!(a
            .iter()
            .any(|f| matches!(f.kind, FaultKind::CrashLeader { ahead: true, .. })));
        assert_ne!(a, b);
        assert_eq!(a, random_faults(&c, 1, SimTime(60_000_000)));
        for f in &a {
            assert_eq!(parse_fault(&f.text).as_ref(), Ok(f), "{}", f.text);
        }
    }
}
