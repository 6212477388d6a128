//! The fault syntax (`--fault`, the page's fault box) and drawn schedules (`--faults random`):
//! `parse_fault`, `parse_fault_at`, `random_faults`.

use crate::config::{Config, ConfigError, TopicConfig};
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

/// The text of a fault being parsed, to name it in errors.
#[derive(Clone, Copy)]
struct FaultText<'a>(&'a str);

impl FaultText<'_> {
    /// An error naming the problem and the accepted forms.
    fn bad(self, why: &str) -> ConfigError {
        ConfigError::new("--fault", format!("'{}': {why}; {FORMS}", self.0))
    }
}

/// Parses one fault; the error names the problem and the accepted forms.
pub fn parse_fault(text: &str) -> Result<FaultSpec, ConfigError> {
    let ft = FaultText(text);
    let (head, when) = text
        .trim()
        .rsplit_once('@')
        .ok_or_else(|| ft.bad("no '@' before the time"))?;
    let (kind, targets) = head
        .split_once(':')
        .ok_or_else(|| ft.bad("no ':' after the kind"))?;
    let parts: Vec<&str> = targets.split(',').map(str::trim).collect();
    let (at, until) = parse_window(ft, when)?;
    let kind = match kind.trim() {
        "crash" => parse_crash(ft, &parts)?,
        "kill" => FaultKind::Kill {
            broker: one_broker(ft, &parts)
                .map_err(|_| ft.bad("kill takes one target, broker=N (a process kill; crash:leader=TOPIC-P has no kill form)"))?,
        },
        "restart" if until.is_some() => return Err(ft.bad("restart takes a time, not a window")),
        "restart" => FaultKind::Restart {
            broker: one_broker(ft, &parts)?,
        },
        "drop-responses" => FaultKind::DropResponses {
            broker: one_broker(ft, &parts)?,
        },
        "cut" => {
            let (a, b, _) = parse_link(ft, &parts, false)?;
            FaultKind::Link {
                a,
                b,
                fault: LinkFault::Cut,
            }
        }
        "delay" => parse_delay(ft, &parts)?,
        "drop" => parse_drop(ft, &parts)?,
        _ => return Err(ft.bad(
            "unknown kind: crash, kill, restart, drop-responses, cut, delay or drop",
        )),
    };
    Ok(FaultSpec::new(kind, at, until))
}

/// `T` or `T..T2`: the start and, for a window, its end (after the start).
fn parse_window(ft: FaultText, when: &str) -> Result<(SimTime, Option<SimTime>), ConfigError> {
    let (t1, t2) = match when.split_once("..") {
        Some((a, b)) => (a, Some(b)),
        None => (when, None),
    };
    let parse_t = |t: &str| {
        crate::config::settings::parse_duration_us(t.trim())
            .map(SimTime)
            .map_err(|e| ft.bad(&e))
    };
    let at = parse_t(t1)?;
    let until = match t2 {
        Some(t) => Some(parse_t(t)?),
        None => None,
    };
    if until.is_some_and(|u| u <= at) {
        return Err(ft.bad("the window must end after it starts"));
    }
    Ok((at, until))
}

/// The single target `broker=N`.
fn one_broker(ft: FaultText, parts: &[&str]) -> Result<u32, ConfigError> {
    match parts {
        [t] => match parse_endpoint(t) {
            Some(Endpoint::Broker(b)) => Ok(b),
            _ => Err(ft.bad("the target must be broker=N")),
        },
        _ => Err(ft.bad("this kind takes one target, broker=N")),
    }
}

/// A link's two ends (one a broker) and, when `value`, the value after them.
fn parse_link(
    ft: FaultText,
    parts: &[&str],
    value: bool,
) -> Result<(Endpoint, Endpoint, Option<String>), ConfigError> {
    let want = if value { 3 } else { 2 };
    if parts.len() != want {
        return Err(ft.bad(if value {
            "this kind takes two targets and a value"
        } else {
            "this kind takes two targets"
        }));
    }
    let end = |t: &str| {
        parse_endpoint(t).ok_or_else(|| {
            ft.bad("a target is broker=N, producer, producer=N, consumer or consumer=N")
        })
    };
    let a = end(parts[0])?;
    let b = end(parts[1])?;
    if a == b {
        return Err(ft.bad("a link joins two different nodes"));
    }
    if !matches!(a, Endpoint::Broker(_)) && !matches!(b, Endpoint::Broker(_)) {
        return Err(ft.bad("one end of a link must be a broker"));
    }
    Ok((a, b, parts.get(2).map(|s| String::from(*s))))
}

/// `crash:processor=N[,in-txn][,new-id]`, `crash:leader=TOPIC-P[,ahead]` or `crash:broker=N`.
fn parse_crash(ft: FaultText, parts: &[&str]) -> Result<FaultKind, ConfigError> {
    match parts {
        [t, rest @ ..] if t.starts_with("processor=") => parse_crash_processor(ft, t, rest),
        [t] | [t, _] if t.starts_with("leader=") => parse_crash_leader(ft, t, parts.get(1)),
        _ => Ok(FaultKind::Crash {
            broker: one_broker(ft, parts)?,
        }),
    }
}

/// `crash:processor=N` and its flags `in-txn`, `new-id`.
fn parse_crash_processor(
    ft: FaultText,
    target: &str,
    rest: &[&str],
) -> Result<FaultKind, ConfigError> {
    let processor = target["processor=".len()..]
        .parse()
        .map_err(|_| ft.bad("processor=N needs a processor number"))?;
    let mut new_id = false;
    let mut in_txn = false;
    for r in rest {
        match *r {
            "new-id" => new_id = true,
            "in-txn" => in_txn = true,
            _ => return Err(ft.bad("crash:processor=N takes only ',in-txn' and ',new-id'")),
        }
    }
    Ok(FaultKind::CrashProcessor {
        processor,
        new_id,
        in_txn,
    })
}

/// `crash:leader=TOPIC-P` and its flag `ahead`.
fn parse_crash_leader(
    ft: FaultText,
    target: &str,
    flag: Option<&&str>,
) -> Result<FaultKind, ConfigError> {
    let ahead = match flag {
        None => false,
        Some(&"ahead") => true,
        Some(_) => return Err(ft.bad("crash:leader=TOPIC-P takes only ',ahead'")),
    };
    let tp = &target["leader=".len()..];
    let (topic, p) = tp
        .rsplit_once('-')
        .ok_or_else(|| ft.bad("leader=TOPIC-P names a partition, e.g. leader=orders-0"))?;
    let partition = p
        .parse()
        .map_err(|_| ft.bad("leader=TOPIC-P needs a partition number"))?;
    if topic.is_empty() {
        return Err(ft.bad("leader=TOPIC-P needs a topic name"));
    }
    Ok(FaultKind::CrashLeader {
        topic: String::from(topic),
        partition,
        ahead,
    })
}

/// `delay:A,B,DURATION`.
fn parse_delay(ft: FaultText, parts: &[&str]) -> Result<FaultKind, ConfigError> {
    let (a, b, v) = parse_link(ft, parts, true)?;
    let extra_us = crate::config::settings::parse_duration_us(v.as_deref().unwrap_or(""))
        .map_err(|e| ft.bad(&format!("delay value: {e}")))?;
    Ok(FaultKind::Link {
        a,
        b,
        fault: LinkFault::Delay { extra_us },
    })
}

/// `drop:A,B,PCT%`.
fn parse_drop(ft: FaultText, parts: &[&str]) -> Result<FaultKind, ConfigError> {
    let (a, b, v) = parse_link(ft, parts, true)?;
    let v = v.unwrap_or_default();
    let pct = v
        .strip_suffix('%')
        .ok_or_else(|| ft.bad("drop value is a percentage, e.g. 30%"))?;
    let per_mille = parse_per_mille(pct)
        .ok_or_else(|| ft.bad("drop percentage must be 0 to 100, e.g. 30% or 2.5%"))?;
    Ok(FaultKind::Link {
        a,
        b,
        fault: LinkFault::Drop { per_mille },
    })
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
    // A world with no topic has no leader to crash: the schedule is empty.
    let Some(topic) = config.topics.first() else {
        return out;
    };
    let (leader_crash, crash_end) = draw_leader_crash(&mut rng, topic, span);
    out.push(leader_crash);
    let extra = rng.below(3);
    let mut second_crash_done = false;
    for _ in 0..extra {
        out.push(draw_extra_fault(
            &mut rng,
            span,
            brokers,
            crash_end,
            &mut second_crash_done,
        ));
    }
    if config.pipeline.kind.value == crate::config::PipelineKind::Ctp {
        draw_processor_crashes(&mut rng, config, span, &mut out);
    }
    out.sort_by_key(|f| f.at);
    out
}

/// `x` milliseconds in microseconds.
fn ms(x: u64) -> u64 {
    x * 1000
}

/// A number drawn from `a..b` (just `a` when the range is empty).
fn between(rng: &mut Rng, a: u64, b: u64) -> u64 {
    a + rng.below(b.saturating_sub(a).max(1))
}

/// The leader crash: from 5% to 30% into the run, a window of 17 to 25 s (the crash itself
/// may wait up to 5 s for the leader's next append, and the controller fences it 9 to 11 s
/// after it). Returns the fault and the end of its window.
fn draw_leader_crash(rng: &mut Rng, topic: &TopicConfig, span: u64) -> (FaultSpec, u64) {
    let t = (between(rng, span / 20, span * 3 / 10) / 1000) * 1000;
    let down = ms(between(rng, 17_000, 25_000));
    let crash_end = t + down;
    let fault = FaultSpec::new(
        FaultKind::CrashLeader {
            topic: topic.name.clone(),
            partition: rng.below(topic.partitions.value.max(1) as u64) as u32,
            ahead: true,
        },
        SimTime(t),
        Some(SimTime(crash_end)),
    );
    (fault, crash_end)
}

/// One more fault: lost responses, a cut or delayed link, or (once, after the leader crash
/// ends at `crash_end`) a second crash.
fn draw_extra_fault(
    rng: &mut Rng,
    span: u64,
    brokers: u32,
    crash_end: u64,
    second_crash_done: &mut bool,
) -> FaultSpec {
    let start = (between(rng, span / 20, span * 8 / 10) / 1000) * 1000;
    let len = ms(between(rng, 500, 5_000));
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
                extra_us: ms(between(rng, 20, 200)),
            },
        },
        _ if !*second_crash_done && crash_end + ms(2_000) < span => {
            *second_crash_done = true;
            let s = crash_end + ms(1_000);
            let e = s + ms(between(rng, 12_000, 20_000));
            return FaultSpec::new(FaultKind::Crash { broker: b }, SimTime(s), Some(SimTime(e)));
        }
        _ => FaultKind::DropResponses { broker: b },
    };
    FaultSpec::new(kind, SimTime(start), Some(SimTime(start + len)))
}

/// Pipeline processors crash too: one or two, each down 1 to 6 s, restarting with the
/// same transactional.id or a new one; half of them wait for a moment between a
/// produce and its commit.
fn draw_processor_crashes(rng: &mut Rng, config: &Config, span: u64, out: &mut Vec<FaultSpec>) {
    let processors = config.pipeline.processors.value.max(1) as u64;
    for _ in 0..1 + rng.below(2) {
        let start = (between(rng, span / 20, span * 7 / 10) / 1000) * 1000;
        let len = ms(between(rng, 1_000, 6_000));
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
