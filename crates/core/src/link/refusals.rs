//! A link that is not one is refused naming its part, whatever the text: a table of refusals
//! with the part each names, and a few hundred garbled links (truncated, bytes flipped,
//! random ASCII and UTF-8) that never panic.

use super::*;
use crate::config::settings::producer;
use crate::rng::Rng;
use alloc::string::String;
use alloc::vec::Vec;

/// The parts an error may name (an unknown key is named as written).
fn names_a_part(e: &LinkError) -> bool {
    let known = ["v", "seed", "set", "in[", "at", "lang", "link"];
    !e.part.is_empty()
        && !e.message.is_empty()
        && alloc::format!("{e}").starts_with(&alloc::format!("{}: ", e.part))
        && (known.iter().any(|k| e.part.starts_with(k)) || !KEYS.contains(&e.part.as_str()))
}

/// A refused link, the part its error names and what the message says.
type Refusal = (String, &'static str, &'static str);

/// Refusals of the version, the seed, the keys and the settings.
fn key_refusals() -> Vec<Refusal> {
    let linger = producer::LINGER_MS.name;
    let acks = producer::ACKS.name;
    alloc::vec![
        ("seed=1".into(), "v", "missing"),
        ("v=2&seed=1".into(), "v", "version 1"),
        ("v=1".into(), "seed", "missing"),
        ("v=1&seed=x".into(), "seed", "digits"),
        ("v=1&seed=99999999999999999999".into(), "seed", "too large"),
        ("v=1&seed=1&seed=2".into(), "seed", "twice"),
        ("v=1&seed=1&foo=3".into(), "foo", "unknown key"),
        ("v=1&seed=1&=3".into(), "=3", "KEY=VALUE"),
        ("v=1&seed=1&junk".into(), "junk", "KEY=VALUE"),
        (
            format!("v=1&seed=1&set={acks}:1,{linger}:-5"),
            "set[1] (linger.ms)",
            "expected a duration"
        ),
        (
            format!("v=1&seed=1&set={acks}:1,{acks}:0"),
            "set[1] (acks)",
            "twice"
        ),
        (
            "v=1&seed=1&set=no.such.setting:1".into(),
            "set[0] (no.such.setting)",
            "unknown setting"
        ),
        (format!("v=1&seed=1&set={linger}"), "set[0]", "NAME:VALUE"),
        (
            format!("v=1&seed=1&set={linger}:%zz"),
            "set[0] (linger.ms)",
            "hex"
        ),
        (
            format!(
                "v=1&seed=1&set={acks}:0,{}:true",
                producer::ENABLE_IDEMPOTENCE.name
            ),
            "set[0] (acks)",
            "idempotent producer"
        ),
    ]
}

/// Refusals of the inputs, the moment, the language and the whole link.
fn input_refusals() -> Vec<Refusal> {
    alloc::vec![
        ("v=1&seed=1&in=0.0.bogus".into(), "in[0]", "unknown tag"),
        (
            "v=1&seed=1&in=0.0.drain;0.x.drain".into(),
            "in[1]",
            "digits"
        ),
        (
            "v=1&seed=1&in=0.drain".into(),
            "in[0]",
            "expected <at_event>"
        ),
        ("v=1&seed=1&in=0.0.bcrash:x".into(), "in[0]", "the broker"),
        ("v=1&seed=1&in=0.0.bcrash:1:2".into(), "in[0]", "too many"),
        (
            "v=1&seed=1&in=0.0.link:b0:q:cut:on".into(),
            "in[0]",
            "not an end"
        ),
        ("v=1&seed=1&in=0.0.fault:nonsense".into(), "in[0]", "fault"),
        (
            "v=1&seed=1&in=10.5000.drain&at=1.0".into(),
            "in[0]",
            "after the link's moment"
        ),
        (
            "v=1&seed=1&in=0.60000000.0.drain".into(),
            "in[0]",
            "at most"
        ),
        ("v=1&seed=1&at=5".into(), "at", "expected"),
        ("v=1&seed=1&at=5.x".into(), "at", "digits"),
        ("v=1&seed=1&at=60000000.0".into(), "at", "at most"),
        ("v=1&seed=1&lang=".into(), "lang", "language tag"),
        ("v=1&seed=1&lang=k%20o".into(), "lang", "language tag"),
        ("http://localhost:8080/".into(), "link", "no '#'"),
        (
            format!("v=1&seed=1&in={}", "0.0.drain;".repeat(MAX_INPUTS + 1)),
            "in[5000]",
            "at most"
        ),
        (
            format!("v=1&seed={}", "1".repeat(MAX_LINK_BYTES)),
            "link",
            "at most"
        ),
    ]
}

#[test]
fn every_refusal_names_its_part() {
    for (text, part, says) in key_refusals().into_iter().chain(input_refusals()) {
        let short = super::text::shown(&text);
        let e = RunLink::parse(&text).expect_err(&short);
        assert_eq!(e.part, part, "{short}: {e}");
        assert!(e.message.contains(says), "{short}: {e}");
        assert!(names_a_part(&e), "{short}: {e}");
    }
}

#[test]
fn a_link_that_is_not_the_runs_is_refused_naming_the_input_or_moment() {
    for (text, part) in [
        ("v=1&seed=1&in=50.1.drain", "in[0]"),
        ("v=1&seed=1&in=0.0.bcrash:7", "in[0]"),
        ("v=1&seed=1&in=0.0.drain;0.0.drain&at=100000.0", "at"),
        ("v=1&seed=1&in=5.100.drain;0.0.drain", "in[1]"),
    ] {
        let link = RunLink::parse(text).expect("the text is a link");
        let e = link.world().map(|_| ()).expect_err(text);
        assert_eq!(e.part, part, "{text}: {e}");
        assert!(names_a_part(&e), "{text}: {e}");
    }
}

/// A link of a short run with a few inputs, to garble.
fn base() -> String {
    let mut sim = Sim::new(Config::preset(), 11).expect("valid");
    sim.run_until(SimTime(300_000));
    let fault = crate::sim::schedule::parse_fault_at("crash:broker=1@+100ms..+300ms", sim.now());
    sim.schedule_fault(fault.expect("valid")).expect("broker 1");
    sim.run_until(SimTime(500_000));
    let linger = String::from(producer::LINGER_MS.name);
    sim.apply(crate::sim::Change::Set {
        name: linger,
        value: String::from("7"),
    })
    .expect("live");
    sim.run_until(SimTime(800_000));
    sim.begin_drain();
    RunLink::of(&sim, sim.moment(), Some("en"))
        .expect("a link")
        .encode()
}

/// One garbled variant of `base` (or random text).
fn garble(rng: &mut Rng, base: &str) -> String {
    let bytes = base.as_bytes();
    let at = rng.below(bytes.len() as u64) as usize;
    let pool = "v=1&seed:,;.%#+-_ 0123456789abcdefxyz주문\u{0}\u{7f}😀\t";
    let pick = |rng: &mut Rng| {
        pool.chars()
            .nth(rng.below(pool.chars().count() as u64) as usize)
            .unwrap_or('x')
    };
    match rng.below(5) {
        0 => String::from_utf8_lossy(&bytes[..at]).into_owned(),
        1 => {
            let mut b = bytes.to_vec();
            b[at] = rng.below(256) as u8;
            String::from_utf8_lossy(&b).into_owned()
        }
        2 => {
            let mut s = String::from_utf8_lossy(&bytes[..at]).into_owned();
            s.push(pick(rng));
            s.push_str(&String::from_utf8_lossy(&bytes[at..]));
            s
        }
        3 => (0..rng.below(80))
            .map(|_| char::from(32 + rng.below(95) as u8))
            .collect(),
        _ => (0..rng.below(80)).map(|_| pick(rng)).collect(),
    }
}

#[test]
fn garbled_links_never_panic_and_name_their_part() {
    let base = base();
    let original = RunLink::parse(&base).expect("the base reads");
    let mut rng = Rng::new(2024);
    let mut worlds = 0;
    for i in 0..600 {
        let text = garble(&mut rng, &base);
        match RunLink::parse(&text) {
            Err(e) => assert!(names_a_part(&e), "#{i} '{text}': {e}"),
            Ok(link) => {
                assert_eq!(
                    RunLink::parse(&link.encode()).as_ref(),
                    Ok(&link),
                    "#{i} '{text}'"
                );
                // A few of the links that still read are run (a moment far on takes long).
                let near = link.moment_or_end().pop <= original.moment_or_end().pop + 2_000;
                if near && worlds < 25 {
                    worlds += 1;
                    if let Err(e) = link.world() {
                        assert!(names_a_part(&e), "#{i} '{text}': {e}");
                    }
                }
            }
        }
    }
    assert!(
        worlds >= 10,
        "only {worlds} garbled links read: the test garbles too much"
    );
}
