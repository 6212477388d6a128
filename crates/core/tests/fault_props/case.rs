//! The random cases: a world's configuration (`Case::config`), its fault schedule and live
//! changes as drawn (`RawFault`, `RawLive`) and mapped onto the world, and the strategies that
//! draw them.

use super::*;

/// A fault as drawn, before it is mapped onto a world (broker numbers modulo the brokers...).
#[derive(Clone, Debug)]
pub(crate) struct RawFault {
    pub(crate) kind: u8,
    pub(crate) x: u32,
    pub(crate) y: u32,
    pub(crate) z: u32,
    /// Start, in per mille of the run (up to 1100: after the run).
    pub(crate) at_permille: u64,
    /// Window length; `None`: until `end_faults`.
    pub(crate) len_ms: Option<u64>,
}

/// A live change as drawn.
#[derive(Clone, Debug)]
pub(crate) struct RawLive {
    pub(crate) at_permille: u64,
    pub(crate) kind: u8,
    pub(crate) x: u32,
}

/// One random world with its faults and live changes.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) seed: u64,
    pub(crate) acks: &'static str,
    /// enable.idempotence set explicitly to true (else unset: on with acks=all, off otherwise).
    pub(crate) idempotence: bool,
    pub(crate) brokers: u32,
    pub(crate) rf: u32,
    pub(crate) min_isr: u32,
    pub(crate) unclean: bool,
    pub(crate) partitions: u32,
    pub(crate) rate: u32,
    pub(crate) linger_ms: u64,
    pub(crate) max_in_flight: u32,
    pub(crate) retries0: bool,
    pub(crate) request_timeout_ms: Option<u64>,
    pub(crate) delivery_timeout_ms: Option<u64>,
    pub(crate) consumers: u32,
    pub(crate) until_ms: u64,
    pub(crate) random_schedule: bool,
    /// The no-loss configuration (acks=all, RF 3, min.insync.replicas=2, clean) with every
    /// crash of one broker, so the schedule keeps at most one broker down.
    pub(crate) safe: bool,
    pub(crate) faults: Vec<RawFault>,
    pub(crate) live: Vec<RawLive>,
}

impl Case {
    pub(crate) fn config(&self) -> Config {
        let mut c = Config::preset();
        let mut set = |name: &str, value: String| {
            c.set(name, &value)
                .unwrap_or_else(|e| panic!("{name}={value}: {e}"));
        };
        set("acks", self.acks.to_string());
        if self.idempotence {
            set("enable.idempotence", "true".into());
        }
        set("sim.brokers", self.brokers.to_string());
        set("replication.factor", self.rf.to_string());
        set("min.insync.replicas", self.min_isr.to_string());
        set("unclean.leader.election.enable", self.unclean.to_string());
        set("num.partitions", self.partitions.to_string());
        set("sim.produce.rate", self.rate.to_string());
        set("linger.ms", self.linger_ms.to_string());
        set(
            "max.in.flight.requests.per.connection",
            self.max_in_flight.to_string(),
        );
        if self.retries0 {
            set("retries", "0".into());
        }
        if let Some(v) = self.request_timeout_ms {
            set("request.timeout.ms", v.to_string());
        }
        if let Some(v) = self.delivery_timeout_ms {
            set("delivery.timeout.ms", v.to_string());
        }
        set("sim.consumers", self.consumers.to_string());
        c
    }

    /// Whether Kafka's rules refuse this config (what `Config::validate` must say).
    pub(crate) fn should_refuse(&self) -> bool {
        let request = self.request_timeout_ms.unwrap_or(30_000);
        (self.idempotence && (self.acks != "all" || self.retries0))
            || self
                .delivery_timeout_ms
                .is_some_and(|d| d < self.linger_ms + request)
    }

    pub(crate) fn until(&self) -> SimTime {
        SimTime(self.until_ms * MS)
    }

    pub(crate) fn at(&self, permille: u64) -> SimTime {
        SimTime(self.until_ms * MS * permille / 1000 / MS * MS)
    }

    pub(crate) fn endpoint(&self, sel: u32, v: u32) -> Endpoint {
        match sel % 5 {
            0 | 1 => Endpoint::Broker(v % self.brokers),
            2 => Endpoint::Producer(if v.is_multiple_of(2) { None } else { Some(0) }),
            _ if self.consumers > 0 && !v.is_multiple_of(3) => {
                Endpoint::Consumer(Some(v % self.consumers))
            }
            _ => Endpoint::Consumer(None),
        }
    }

    /// The generated faults as specs for this world (every one valid).
    pub(crate) fn fault_specs(&self) -> Vec<FaultSpec> {
        let mut out = Vec::new();
        let crashes = self.faults.iter().filter(|f| f.kind % 8 <= 2).count();
        for f in &self.faults {
            let at = self.at(f.at_permille);
            let until = f.len_ms.map(|l| at.plus(l * MS));
            let b = f.x % self.brokers;
            let kind = match f.kind % 8 {
                0..=2 if self.safe && (crashes > 1 || f.kind % 8 != 2) => {
                    crash_kind(self.safe_broker(), f.z)
                }
                0 | 1 => crash_kind(b, f.z),
                2 => FaultKind::CrashLeader {
                    topic: "orders".into(),
                    partition: f.y % self.partitions,
                    ahead: f.z % 2 == 0,
                },
                3 => FaultKind::Restart { broker: b },
                4 => FaultKind::DropResponses { broker: b },
                _ => {
                    let a = Endpoint::Broker(b);
                    let mut other = self.endpoint(f.y, f.z);
                    if other == a {
                        other = if self.brokers > 1 {
                            Endpoint::Broker((b + 1) % self.brokers)
                        } else {
                            Endpoint::Producer(None)
                        };
                    }
                    let fault = match f.kind % 8 {
                        5 => LinkFault::Cut,
                        6 => LinkFault::Delay {
                            extra_us: (1 + f.z as u64 % 300) * MS,
                        },
                        _ => LinkFault::Drop {
                            per_mille: f.z % 1001,
                        },
                    };
                    FaultKind::Link { a, b: other, fault }
                }
            };
            let until = if matches!(kind, FaultKind::Restart { .. }) {
                None
            } else {
                until
            };
            out.push(FaultSpec::new(kind, at, until));
        }
        if self.random_schedule {
            out.extend(random_faults(&self.config(), self.seed, self.until()));
        }
        out
    }

    pub(crate) fn safe_broker(&self) -> u32 {
        (self.seed % self.brokers as u64) as u32
    }

    /// The live changes, in time order.
    pub(crate) fn live_changes(&self) -> Vec<(SimTime, Change)> {
        let mut out: Vec<(SimTime, Change)> = self
            .live
            .iter()
            .map(|l| {
                let set = |name: &str, value: String| Change::Set {
                    name: name.into(),
                    value,
                };
                let x = l.x;
                let change = match l.kind % 12 {
                    0 => set("acks", ["0", "1", "all"][x as usize % 3].into()),
                    1 => set("linger.ms", (x % 60).to_string()),
                    2 => set(
                        "partitioner.class",
                        ["builtin", "round-robin", "legacy-sticky"][x as usize % 3].into(),
                    ),
                    3 => set("sim.produce.rate", (x % 3000).to_string()),
                    // Growth, or a refused shrink.
                    4 => set("num.partitions", (1 + x % 12).to_string()),
                    // Refused live (a topic setting).
                    5 => set("min.insync.replicas", (1 + x % 3).to_string()),
                    6 => set(
                        "max.in.flight.requests.per.connection",
                        (1 + x % 5).to_string(),
                    ),
                    7 if self.safe => Change::CrashBroker {
                        broker: self.safe_broker(),
                    },
                    8 if self.safe => Change::KillBroker {
                        broker: self.safe_broker(),
                    },
                    7 => Change::CrashBroker {
                        broker: x % (self.brokers + 1),
                    },
                    8 => Change::KillBroker {
                        broker: x % (self.brokers + 1),
                    },
                    9 | 10 => Change::RestartBroker {
                        broker: x % self.brokers,
                    },
                    _ => Change::DropResponses {
                        broker: x % self.brokers,
                        on: x % 2 == 0,
                    },
                };
                (self.at(l.at_permille.min(1000)), change)
            })
            .collect();
        out.sort_by_key(|c| c.0);
        out
    }

    /// Whether the schedule keeps at most one broker down at any time, derived from the faults
    /// and live changes alone (conservatively: a crash lasts to its window's end, an open one
    /// and a live crash to the end of the run unless a live restart of that broker comes
    /// first; a leader crash may hit any broker).
    pub(crate) fn at_most_one_down(&self, specs: &[FaultSpec]) -> bool {
        let end = self.until();
        // (from, to, broker or None = unknown)
        let mut down: Vec<(SimTime, SimTime, Option<u32>)> = Vec::new();
        for f in specs {
            if f.at > end {
                continue;
            }
            let to = f.until.unwrap_or(end).min(end);
            match f.kind {
                // A restart before the fence waits for it (at most a session timeout).
                FaultKind::Crash { broker } | FaultKind::Kill { broker } => {
                    down.push((f.at, to.max(f.at.plus(SESSION)).min(end), Some(broker)))
                }
                // An `ahead` crash waits up to AHEAD_SEARCH_US (or its window's end) for the
                // leader's next append: its broker may go down as late as that.
                FaultKind::CrashLeader { ahead, .. } => {
                    let latest = if ahead {
                        f.at.plus(AHEAD_SEARCH_US).min(f.until.unwrap_or(end))
                    } else {
                        f.at
                    };
                    down.push((f.at, to.max(latest.plus(SESSION)).min(end), None))
                }
                _ => {}
            }
        }
        let live = self.live_changes();
        for (i, (t, c)) in live.iter().enumerate() {
            if let Change::CrashBroker { broker } | Change::KillBroker { broker } = c {
                let to = live[i + 1..]
                    .iter()
                    .find(|(_, c)| matches!(c, Change::RestartBroker { broker: b } if b == broker))
                    .map_or(end, |(t, _)| *t);
                down.push((*t, to.max(t.plus(SESSION)).min(end), Some(*broker)));
            }
        }
        for (i, a) in down.iter().enumerate() {
            for b in &down[i + 1..] {
                let same = matches!((a.2, b.2), (Some(x), Some(y)) if x == y);
                let overlap = a.0 <= b.1 && b.0 <= a.1;
                if overlap && !same {
                    return false;
                }
            }
        }
        true
    }
}

/// `broker.session.timeout.ms`: a broker restarted sooner registers when it runs out.
pub(crate) const SESSION: u64 = 9 * S;

/// A broker crash of either kind: host lost (even `z`) or process killed (odd).
pub(crate) fn crash_kind(broker: u32, z: u32) -> FaultKind {
    if z.is_multiple_of(2) {
        FaultKind::Crash { broker }
    } else {
        FaultKind::Kill { broker }
    }
}

pub(crate) fn raw_fault() -> impl Strategy<Value = RawFault> {
    (
        any::<u8>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        0u64..=1_100,
        prop_oneof![1 => Just(None), 3 => (100u64..=30_000).prop_map(Some)],
    )
        .prop_map(|(kind, x, y, z, at_permille, len_ms)| RawFault {
            kind,
            x,
            y,
            z,
            at_permille,
            len_ms,
        })
}

pub(crate) fn raw_live() -> impl Strategy<Value = RawLive> {
    (0u64..=1_000, any::<u8>(), any::<u32>()).prop_map(|(at_permille, kind, x)| RawLive {
        at_permille,
        kind,
        x,
    })
}

pub(crate) fn case_strategy(max_faults: usize, max_live: usize) -> impl Strategy<Value = Case> {
    let producer = (
        prop_oneof![1 => Just("0"), 1 => Just("1"), 2 => Just("all")],
        any::<bool>(),
        prop_oneof![2 => Just(0u32), 3 => 1u32..300, 3 => 300u32..1_500, 1 => 1_500u32..=5_000],
        0u64..=50,
        1u32..=5,
        prop_oneof![9 => Just(false), 1 => Just(true)],
        prop_oneof![Just(None), (200u64..=5_000).prop_map(Some)],
        prop_oneof![2 => Just(None), 1 => (0u64..=12_000).prop_map(Some)],
    );
    let world = (
        any::<u64>(),
        1u32..=5,
        1u32..=3,
        1u32..=3,
        prop_oneof![3 => Just(false), 1 => Just(true)],
        1u32..=8,
        0u32..=3,
        5_000u64..=40_000,
        prop_oneof![2 => Just(false), 1 => Just(true)],
        prop_oneof![2 => Just(false), 1 => Just(true)],
    );
    let schedule = (
        proptest::collection::vec(raw_fault(), 0..=max_faults),
        proptest::collection::vec(raw_live(), 0..=max_live),
    );
    (producer, world, schedule).prop_map(
        |(
            (acks, idem, rate, linger_ms, max_in_flight, retries0, request_timeout_ms, delivery),
            (
                seed,
                brokers,
                rf,
                min_isr,
                unclean,
                partitions,
                consumers,
                until_ms,
                random_schedule,
                safe,
            ),
            (faults, live),
        )| {
            let (acks, brokers, rf, min_isr, unclean) = if safe {
                ("all", brokers.max(3), 3, 2, false)
            } else {
                (acks, brokers, rf.min(brokers), min_isr, unclean)
            };
            // enable.idempotence=true with acks=all; one in ten such cases also sets retries=0
            // (refused, counted). delivery.timeout.ms sometimes below linger + request
            // (refused, counted).
            let idempotence = idem && acks == "all";
            Case {
                seed,
                acks,
                idempotence,
                brokers,
                rf,
                min_isr,
                unclean,
                partitions,
                rate,
                linger_ms,
                max_in_flight,
                retries0,
                request_timeout_ms,
                delivery_timeout_ms: delivery,
                consumers,
                until_ms,
                random_schedule,
                safe,
                faults,
                live,
            }
        },
    )
}
