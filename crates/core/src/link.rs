//! The run's link (issue 13, "the URL is the run"): a run is its config, its seed and its
//! inputs (`sim::input`), and a moment of it ([`Moment`]) is a place in it; the link writes
//! them as a URL fragment, so the page's address is the run, and `streamscope run --from-url`
//! runs the same world to the same moment (the same trace hash).
//!
//! The fragment (without `#`): `key=value` pairs joined by `&`, written in this order and
//! read in any, each key at most once:
//!
//! ```text
//! link     = "v=1" "&seed=" <u64> ["&set=" settings] ["&in=" inputs] ["&at=" moment]
//!            ["&scn=" <scenario id> "." <step>] ["&ab=" settings]
//!            ["&lang=" <1 to 35 of A-Z a-z 0-9 ->]
//! settings = <name> ":" <value> *("," <name> ":" <value>)
//! inputs   = input *(";" input)
//! input    = <at_event> "." [<at_pop> "."] <at_time_us> "." <tag> *(":" <field>)
//! moment   = <pop> "." <time_us>
//! ```
//!
//! `scn` is the guided scenario the page had open and its step (1-based): the page opens it
//! there (its world is still the link's, so a learner who left the step is shown away from
//! it); `ab` is world B's settings of the page's A/B comparison (`compare`), in `set`'s form.
//! Neither changes the run: `RunLink::world` is the same with or without them.
//!
//! `set` holds the start config's settings that differ from [`Config::preset`] (or that the
//! run marks as set by the user), by Kafka's name, in registry order; a name on several rows
//! (`min.insync.replicas`) is written with its scope's prefix (`topic.`, `broker.`) so that
//! `Config::set(name, value)` on the preset gives the same config back. An input is where it
//! took effect (`LoggedInput`: `<at_pop>` is left out when it equals `<at_event>`, no
//! superseded timer before it), a tag and the tag's fields:
//!
//! | tag | input | fields |
//! |---|---|---|
//! | `set` | `Change::Set` | `<name>:<value>` |
//! | `bcrash` `bkill` `brestart` | `CrashBroker` `KillBroker` `RestartBroker` | `<broker>` |
//! | `bdrop` | `DropResponses` | `<broker>:on\|off` |
//! | `link` | `Link` | `<end>:<end>:cut\|delay<N>us\|drop<N>pm:on\|off`, an end `b<N>`, `p`, `p<N>`, `c`, `c<N>` (`pm`: per mille) |
//! | `cadd` | `AddConsumer` | `<group>[:<assignors>]` |
//! | `cclose` `ccrash` `crestart` | `RemoveConsumer` `CrashConsumer` `RestartConsumer` | `<consumer>` |
//! | `cslow` | `SlowConsumer` | `<consumer>:<us per record>` |
//! | `gadd` | `AddGroup` | `<group.id>:<consumers>:<topic>[,<topic>]...` |
//! | `tbegin` `tcommit` `tabort` `tzombie` | `BeginTransaction` `CommitTransaction` `AbortTransaction` `StartZombie` | `<producer>` |
//! | `xcrash` | `CrashProcessor` | `<processor>` |
//! | `xrestart` | `RestartProcessor` | `<processor>[:new-id]` |
//! | `fault` | `Input::Fault` | its text, `crash:broker=1@2s..4s` |
//! | `end-faults` `drain` | `Input::EndFaults` `Input::Drain` | none |
//!
//! A fault's text is read again at the input's time (relative times count from there), as
//! the input log's JSON does. `at` is the moment the link shows (the world after every input
//! at or before it); without it, the last input's moment (or the start).
//! Every field is percent-encoded (UTF-8) outside `A-Z a-z 0-9 - . _ ~ @ = /` and the
//! separators its place lets through (`:` in a last field, `,` inside an input), so a browser's
//! address bar, `new URL(...)` and a chat program leave the link as it is. Example, the preset
//! of seed 42 with broker 1's host lost at 1 s and the drain begun at 3 s, seen then:
//! `v=1&seed=42&in=1751.1969.1000000.bcrash:1;2272.2727.3000000.drain&at=2727.3000000`.
//!
//! Simplified: the link holds settings, not a whole config, so a run whose world is not the
//! preset's shape (other topics, producers or groups, one producer unlike the others) has no
//! link and [`RunLink::of`] says which part; times are integer microseconds, not the shortest
//! text; a link is limited to [`MAX_LINK_BYTES`] and [`MAX_INPUTS`] inputs, its moment to
//! [`MAX_POP`] queue entries (a link replays its run from the start).

mod inputs;
pub use inputs::input_of_tag;
#[cfg(test)]
mod refusals;
mod settings;
#[cfg(test)]
mod tests;
mod text;

use crate::config::Config;
use crate::sim::input::{LoggedInput, Moment};
use crate::sim::Sim;
use crate::time::SimTime;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use text::{escape, number, shown, unescape};

/// The version this Streamscope writes and reads (`v=1`).
pub const VERSION: &str = "1";
/// The longest link read (the fragment, in bytes).
pub const MAX_LINK_BYTES: usize = 100_000;
/// The most inputs a link holds.
pub const MAX_INPUTS: usize = 5_000;
/// The latest queue entry a link's moment or input may name: a link replays its run from the
/// start, and this many entries take minutes.
pub const MAX_POP: u64 = 50_000_000;

/// The keys of a link, in the order [`RunLink::encode`] writes them.
const KEYS: [&str; 8] = ["v", "seed", "set", "in", "at", "scn", "ab", "lang"];

/// A run and a moment of it, as its link holds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunLink {
    pub seed: u64,
    /// The start config's settings that differ from the preset, `(name, value)`.
    pub settings: Vec<(String, String)>,
    /// The input log up to the moment.
    pub inputs: Vec<LoggedInput>,
    /// The moment shown (`None`: the last input's, or the start).
    pub moment: Option<Moment>,
    /// The guided scenario open on the page and its step, if any.
    pub scenario: Option<ScenarioStep>,
    /// World B's settings of the page's A/B comparison (empty: none), `(name, value)`.
    pub compare: Vec<(String, String)>,
    /// The page's language (`en`, `ko`), if the link names one.
    pub lang: Option<String>,
}

/// A guided scenario and one of its steps (1-based), as a link names them (`scn=acks.2`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioStep {
    pub id: String,
    pub step: u32,
}

/// A link refused: the part of it (`seed`, `set[2] (linger.ms)`, `in[3]`, `at`, `lang`, `v`)
/// and what is wrong with it and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkError {
    pub part: String,
    pub message: String,
}

impl LinkError {
    pub fn new(part: impl Into<String>, message: impl Into<String>) -> LinkError {
        LinkError {
            part: part.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.part, self.message)
    }
}

impl RunLink {
    /// The link of `sim`'s run at `moment` (at or before the world's own): its start config's
    /// settings, its seed and its inputs up to the moment. A run the link cannot hold (a
    /// config that is not the preset's shape, a fault whose text reads back otherwise) is an
    /// error naming the part.
    pub fn of(sim: &Sim, moment: Moment, lang: Option<&str>) -> Result<RunLink, LinkError> {
        let now = sim.moment();
        if moment > now {
            return Err(LinkError::new(
                "at",
                format!(
                    "entry {} at {} us is past the world's entry {} at {} us: a link names a \
                     moment the world has reached",
                    moment.pop, moment.time.0, now.pop, now.time.0
                ),
            ));
        }
        let inputs: Vec<LoggedInput> = sim
            .inputs()
            .iter()
            .take_while(|l| l.moment() <= moment)
            .cloned()
            .collect();
        for (i, l) in inputs.iter().enumerate() {
            let text = inputs::encode(l);
            if inputs::decode(&text).as_ref() != Ok(l) {
                return Err(LinkError::new(
                    format!("in[{i}]"),
                    format!(
                        "'{}' does not read back as the input it stands for",
                        shown(&text)
                    ),
                ));
            }
        }
        let lang = lang.map(parse_lang).transpose()?;
        Ok(RunLink {
            seed: sim.seed(),
            settings: settings::settings_of(sim.start_config())?,
            inputs,
            moment: Some(moment),
            scenario: None,
            compare: Vec::new(),
            lang,
        })
    }

    /// The URL fragment, without `#` (the grammar is the module's).
    pub fn encode(&self) -> String {
        let mut out = format!("v={VERSION}&seed={}", self.seed);
        if !self.settings.is_empty() {
            out.push_str("&set=");
            out.push_str(&write_settings(&self.settings));
        }
        if !self.inputs.is_empty() {
            let ins: Vec<String> = self.inputs.iter().map(inputs::encode).collect();
            out.push_str("&in=");
            out.push_str(&ins.join(";"));
        }
        if let Some(m) = self.moment {
            out.push_str(&format!("&at={}.{}", m.pop, m.time.0));
        }
        if let Some(s) = &self.scenario {
            out.push_str(&format!("&scn={}.{}", escape(&s.id, b""), s.step));
        }
        if !self.compare.is_empty() {
            out.push_str("&ab=");
            out.push_str(&write_settings(&self.compare));
        }
        if let Some(lang) = &self.lang {
            out.push_str("&lang=");
            out.push_str(&escape(lang, b""));
        }
        out
    }

    /// Reads a link: a whole URL (`http://host/path#v=1&...`), or its fragment with or
    /// without `#`. Every setting is checked against the registry; whether the inputs and the
    /// moment fit the run is [`RunLink::world`]'s to say.
    pub fn parse(text: &str) -> Result<RunLink, LinkError> {
        let text = text.trim();
        let fragment = match text.split_once('#') {
            Some((_, f)) => f,
            None if text.contains("://") => {
                return Err(LinkError::new(
                    "link",
                    "the URL has no '#': a run's link is the page's address with \
                     #v=1&seed=... after it (copy the whole address)",
                ))
            }
            None => text,
        };
        if fragment.len() > MAX_LINK_BYTES {
            return Err(LinkError::new(
                "link",
                format!(
                    "{} bytes: a link is at most {MAX_LINK_BYTES} bytes",
                    fragment.len()
                ),
            ));
        }
        let link = read_pairs(fragment)?;
        let config = link.config()?;
        if !link.compare.is_empty() {
            crate::compare::Comparison::of_settings(link.compare.clone(), &config)
                .map_err(|e| LinkError::new("ab", e.to_string()))?;
        }
        link.check_moment()?;
        Ok(link)
    }

    /// The preset with the link's settings, validated.
    pub fn config(&self) -> Result<Config, LinkError> {
        let mut config = Config::preset();
        for (i, (name, value)) in self.settings.iter().enumerate() {
            config
                .set(name, value)
                .map_err(|e| LinkError::new(self.setting_part(i), e.message))?;
        }
        config.validate().map_err(|e| {
            let suffix = format!(".{}", e.field);
            let i = self
                .settings
                .iter()
                .position(|(n, _)| *n == e.field || n.ends_with(&suffix));
            let part = i.map_or(format!("set ({})", e.field), |i| self.setting_part(i));
            LinkError::new(part, e.message)
        })?;
        Ok(config)
    }

    /// `set[i] (name)`.
    fn setting_part(&self, i: usize) -> String {
        let name = self.settings.get(i).map_or("", |(n, _)| n.as_str());
        format!("set[{i}] ({})", shown(name))
    }

    /// The moment [`RunLink::world`] builds: the link's, else the last input's, else the
    /// start.
    pub fn moment_or_end(&self) -> Moment {
        self.moment
            .or(self.inputs.last().map(LoggedInput::moment))
            .unwrap_or(Moment {
                pop: 0,
                time: SimTime::ZERO,
            })
    }

    /// The world of the link: its run replayed to its moment. An input or moment that does
    /// not fit the run is an error naming it (`in[i]`, `at`).
    pub fn world(&self) -> Result<Sim, LinkError> {
        self.world_observed(|_| {})
    }

    /// [`RunLink::world`], calling `observe` after every event (the trace's last entry and
    /// hash), as `Sim::replay_observed` does.
    pub fn world_observed(&self, observe: impl FnMut(&Sim)) -> Result<Sim, LinkError> {
        let config = self.config()?;
        let field = |e: crate::config::ConfigError| {
            let part = match e.field.strip_prefix("inputs") {
                Some(index) => format!("in{index}"),
                None if e.field == "moment" => String::from("at"),
                None => format!("set ({})", e.field),
            };
            LinkError::new(part, e.message)
        };
        let mut sim = Sim::new(config, self.seed).map_err(field)?;
        sim.advance_with(&self.inputs, self.moment_or_end(), observe)
            .map_err(field)?;
        Ok(sim)
    }

    /// Every input at or before the moment, and both within [`MAX_POP`].
    fn check_moment(&self) -> Result<(), LinkError> {
        if let Some(m) = self.moment.filter(|m| m.pop > MAX_POP) {
            return Err(LinkError::new(
                "at",
                format!(
                    "entry {}: a link's moment is at most entry {MAX_POP}",
                    m.pop
                ),
            ));
        }
        for (i, l) in self.inputs.iter().enumerate() {
            let late = self.moment.filter(|m| l.moment() > *m);
            if let Some(m) = late {
                return Err(LinkError::new(
                    format!("in[{i}]"),
                    format!(
                        "it takes effect at entry {} ({} us), after the link's moment at={}.{}: \
                         a link holds the inputs up to its moment",
                        l.at_pop, l.at_time.0, m.pop, m.time.0
                    ),
                ));
            }
            if l.at_pop > MAX_POP {
                return Err(LinkError::new(
                    format!("in[{i}]"),
                    format!(
                        "entry {}: a link's inputs are at most at entry {MAX_POP}",
                        l.at_pop
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The fragment's `key=value` pairs, each key once, `v=1` and `seed` required.
fn read_pairs(fragment: &str) -> Result<RunLink, LinkError> {
    let pairs: Vec<&str> = fragment.split('&').filter(|p| !p.is_empty()).collect();
    match pairs.iter().find_map(|p| p.strip_prefix("v=")) {
        Some(VERSION) => {}
        Some(v) => {
            return Err(LinkError::new(
                "v",
                format!(
                    "version '{}': this Streamscope reads version {VERSION} links",
                    shown(v)
                ),
            ))
        }
        None => {
            return Err(LinkError::new(
                "v",
                "missing: a run's link begins v=1 (is it a Streamscope link?)",
            ))
        }
    }
    let mut link = RunLink {
        seed: 0,
        settings: Vec::new(),
        inputs: Vec::new(),
        moment: None,
        scenario: None,
        compare: Vec::new(),
        lang: None,
    };
    let mut seen: Vec<&str> = Vec::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(LinkError::new(
                shown(pair),
                format!("expected KEY=VALUE with a key of {}", KEYS.join(", ")),
            ));
        };
        if !KEYS.contains(&key) {
            return Err(LinkError::new(
                shown(key),
                format!("unknown key: a link has {}", KEYS.join(", ")),
            ));
        }
        if seen.contains(&key) {
            return Err(LinkError::new(key, "given twice: give each key once"));
        }
        seen.push(key);
        read_pair(&mut link, key, value)?;
    }
    if !seen.contains(&"seed") {
        return Err(LinkError::new(
            "seed",
            "missing: a link gives seed=<number>",
        ));
    }
    Ok(link)
}

/// Reads one known key's value into `link`.
fn read_pair(link: &mut RunLink, key: &str, value: &str) -> Result<(), LinkError> {
    match key {
        "seed" => {
            link.seed = number(value, "a seed (0 to 18446744073709551615)")
                .map_err(|m| LinkError::new("seed", m))?
        }
        "set" => link.settings = read_settings(value, "set")?,
        "scn" => link.scenario = Some(read_scenario(value)?),
        "ab" => {
            link.compare = read_settings(value, "ab")?;
            if link.compare.is_empty() {
                return Err(LinkError::new(
                    "ab",
                    "empty: world B needs at least one NAME:VALUE, e.g. ab=linger.ms:100",
                ));
            }
        }
        "in" => link.inputs = read_inputs(value)?,
        "at" => link.moment = Some(read_moment(value)?),
        "lang" => {
            link.lang = Some(parse_lang(
                &unescape(value).map_err(|m| LinkError::new("lang", m))?,
            )?)
        }
        _ => {}
    }
    Ok(())
}

/// `name:value,...` (`set`'s and `ab`'s form).
fn write_settings(settings: &[(String, String)]) -> String {
    let parts: Vec<String> = settings
        .iter()
        .map(|(n, v)| format!("{}:{}", escape(n, b""), escape(v, b":")))
        .collect();
    parts.join(",")
}

/// `<id>.<step>`: a scenario id (1 to 64 of `a-z 0-9 -`) and a step from 1.
fn read_scenario(value: &str) -> Result<ScenarioStep, LinkError> {
    let bad = |m: String| LinkError::new("scn", m);
    let Some((id, step)) = value.rsplit_once('.') else {
        return Err(bad(format!(
            "'{}': expected <scenario id>.<step>, e.g. scn=acks.2",
            shown(value)
        )));
    };
    let id_ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !id_ok {
        return Err(bad(format!(
            "'{}': a scenario id is 1 to 64 of a-z 0-9 -, e.g. scn=acks.2",
            shown(id)
        )));
    }
    let step = number::<u64>(step, "a step number from 1").map_err(bad)?;
    match u32::try_from(step) {
        Ok(step) if step >= 1 => Ok(ScenarioStep {
            id: id.to_string(),
            step,
        }),
        _ => Err(bad(format!(
            "step {step}: steps count from 1, e.g. scn={id}.1"
        ))),
    }
}

/// `name:value,...`, each name once; `key` names the part in a refusal (`set[2]`, `ab[0]`).
fn read_settings(value: &str, key: &str) -> Result<Vec<(String, String)>, LinkError> {
    let mut out: Vec<(String, String)> = Vec::new();
    if value.is_empty() {
        return Ok(out);
    }
    for (i, entry) in value.split(',').enumerate() {
        let at = || format!("{key}[{i}]");
        if i >= crate::config::SETTINGS.len() * 2 {
            return Err(LinkError::new(
                at(),
                "more settings than the registry has rows",
            ));
        }
        let Some((name, raw)) = entry.split_once(':') else {
            return Err(LinkError::new(
                at(),
                format!(
                    "'{}': expected NAME:VALUE, e.g. {key}=acks:1,linger.ms:5",
                    shown(entry)
                ),
            ));
        };
        let name = unescape(name).map_err(|m| LinkError::new(at(), format!("the name: {m}")))?;
        let part = format!("{key}[{i}] ({})", shown(&name));
        let value = unescape(raw).map_err(|m| LinkError::new(part.clone(), m))?;
        if let Some(j) = out.iter().position(|(n, _)| *n == name) {
            return Err(LinkError::new(
                part,
                format!("given twice (also {key}[{j}]): give each setting once"),
            ));
        }
        out.push((name, value));
    }
    Ok(out)
}

/// `input;input;...`, at most [`MAX_INPUTS`].
fn read_inputs(value: &str) -> Result<Vec<LoggedInput>, LinkError> {
    let mut out = Vec::new();
    if value.is_empty() {
        return Ok(out);
    }
    for (i, entry) in value.split(';').enumerate() {
        if i >= MAX_INPUTS {
            return Err(LinkError::new(
                format!("in[{i}]"),
                format!("a link holds at most {MAX_INPUTS} inputs"),
            ));
        }
        out.push(inputs::decode(entry).map_err(|m| LinkError::new(format!("in[{i}]"), m))?);
    }
    Ok(out)
}

/// `<pop>.<time_us>`.
fn read_moment(value: &str) -> Result<Moment, LinkError> {
    let bad = |m: String| LinkError::new("at", m);
    let Some((pop, time)) = value.split_once('.') else {
        return Err(bad(format!(
            "'{}': expected <queue entries>.<time in us>, e.g. at=12001.3000000",
            shown(value)
        )));
    };
    Ok(Moment {
        pop: number(pop, "a queue entry count").map_err(bad)?,
        time: SimTime(number(time, "a time in microseconds").map_err(bad)?),
    })
}

/// A language tag: 1 to 35 of `A-Z a-z 0-9 -`.
fn parse_lang(lang: &str) -> Result<String, LinkError> {
    let ok = (1..=35).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(lang.to_string())
    } else {
        Err(LinkError::new(
            "lang",
            format!(
                "'{}': expected a language tag (1 to 35 of A-Z a-z 0-9 -), e.g. en or ko",
                shown(lang)
            ),
        ))
    }
}
