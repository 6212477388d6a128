//! The fault syntax (`--fault`, the page's fault box) and drawn schedules (`--faults random`):
//! `parse_fault`, `parse_fault_at`, `random_faults`.

use crate::config::{Config, ConfigError};
use crate::rng::Rng;
use crate::sim::schedule::Endpoint;
use crate::sim::schedule::FaultKind;
use crate::sim::schedule::FaultSpec;
use crate::sim::schedule::LinkFault;
use crate::time::SimTime;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

pub(crate) const FORMS: &str = "expected KIND:TARGET[,TARGET][,VALUE]@T[..T2]: crash:broker=1@2s, crash:broker=1@2s..15s, kill:broker=1@2s..15s, crash:leader=orders-0,ahead@2s..15s, crash:processor=0,in-txn,new-id@2s..5s, restart:broker=1@15s, drop-responses:broker=1@1s..2s, cut:broker=0,broker=2@1s..3s, delay:broker=0,producer,50ms@1s..4s, drop:broker=0,consumer=1,30%@1s..4s";

pub(crate) fn parse_endpoint(t: &str) -> Option<Endpoint> {
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
pub(crate) fn parse_per_mille(s: &str) -> Option<u32> {
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
