//! A fault as the schedule holds it (`FaultSpec`: what, where, when), in the `--fault` syntax
//! it renders back to.

use crate::sim::schedule::Endpoint;
use crate::sim::schedule::LinkFault;
use crate::time::SimTime;
use alloc::format;
use alloc::string::String;

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

pub(crate) fn fmt_time(us: u64) -> String {
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
