//! One input of a link: where it took effect, a tag, and its fields,
//! `<at_event>.<at_pop>.<at_time_us>.<tag>[:<field>]...` (`<at_event>.<at_time_us>.<tag>...`
//! when no superseded timer makes the queue entry differ from the event index). The tags are
//! in [`FORMS`]; a fault is its text, read again at the input's time (relative times count
//! from there), as the input log's JSON does (`sim::input::wire`).

use super::text::{escape, number, shown, unescape};
use crate::sim::input::{Input, LoggedInput};
use crate::sim::links::{Endpoint, LinkFault};
use crate::sim::schedule::parse_fault_at;
use crate::sim::Change;
use crate::time::SimTime;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

/// Every tag with its form, as errors show them.
pub(super) const FORMS: &[(&str, &str)] = &[
    ("set", "set:<name>:<value>"),
    ("bcrash", "bcrash:<broker>"),
    ("bkill", "bkill:<broker>"),
    ("brestart", "brestart:<broker>"),
    ("bdrop", "bdrop:<broker>:on|off"),
    (
        "link",
        "link:<end>:<end>:cut|delay<N>us|drop<N>pm:on|off (end: b<N>, p, p<N>, c, c<N>)",
    ),
    ("cadd", "cadd:<group>[:<assignors>]"),
    ("cclose", "cclose:<consumer>"),
    ("ccrash", "ccrash:<consumer>"),
    ("crestart", "crestart:<consumer>"),
    ("cslow", "cslow:<consumer>:<us per record>"),
    ("gadd", "gadd:<group.id>:<consumers>:<topic>[,<topic>]..."),
    ("tbegin", "tbegin:<producer>"),
    ("tcommit", "tcommit:<producer>"),
    ("tabort", "tabort:<producer>"),
    ("tzombie", "tzombie:<producer>"),
    ("xcrash", "xcrash:<processor>"),
    ("xrestart", "xrestart:<processor>[:new-id]"),
    ("fault", "fault:<fault text>"),
    ("end-faults", "end-faults"),
    ("drain", "drain"),
];

/// Bytes a field writes as they are inside an input (inputs are separated by `;`).
const FIELD: &[u8] = b",";
/// The same for an input's last field, which takes the rest of it.
const REST: &[u8] = b",:";

/// One logged input as the link writes it.
pub(super) fn encode(l: &LoggedInput) -> String {
    let mut out = if l.at_event == l.at_pop {
        format!("{}.{}", l.at_event, l.at_time.0)
    } else {
        format!("{}.{}.{}", l.at_event, l.at_pop, l.at_time.0)
    };
    let (tag, fields) = match &l.input {
        Input::Change { change } => change_fields(change),
        Input::Fault { fault } => ("fault", vec![escape(&fault.text, REST)]),
        Input::EndFaults => ("end-faults", Vec::new()),
        Input::Drain => ("drain", Vec::new()),
    };
    out.push('.');
    out.push_str(tag);
    for f in fields {
        out.push(':');
        out.push_str(&f);
    }
    out
}

fn on_off(on: bool) -> String {
    String::from(if on { "on" } else { "off" })
}

/// A change's tag and its fields, escaped.
fn change_fields(c: &Change) -> (&'static str, Vec<String>) {
    let n = |v: &u32| v.to_string();
    match c {
        Change::Set { name, value } => ("set", vec![escape(name, FIELD), escape(value, REST)]),
        Change::CrashBroker { broker } => ("bcrash", vec![n(broker)]),
        Change::KillBroker { broker } => ("bkill", vec![n(broker)]),
        Change::RestartBroker { broker } => ("brestart", vec![n(broker)]),
        Change::DropResponses { broker, on } => ("bdrop", vec![n(broker), on_off(*on)]),
        Change::Link { a, b, fault, on } => (
            "link",
            vec![end_text(*a), end_text(*b), fault_text(*fault), on_off(*on)],
        ),
        Change::AddConsumer { group, strategy } => {
            let mut f = vec![n(group)];
            f.extend(strategy.as_deref().map(|s| escape(s, REST)));
            ("cadd", f)
        }
        Change::RemoveConsumer { consumer } => ("cclose", vec![n(consumer)]),
        Change::CrashConsumer { consumer } => ("ccrash", vec![n(consumer)]),
        Change::RestartConsumer { consumer } => ("crestart", vec![n(consumer)]),
        Change::SlowConsumer {
            consumer,
            per_record_us,
        } => ("cslow", vec![n(consumer), per_record_us.to_string()]),
        Change::AddGroup {
            group_id,
            topics,
            consumers,
        } => {
            let topics: Vec<String> = topics.iter().map(|t| escape(t, b"")).collect();
            (
                "gadd",
                vec![escape(group_id, b""), n(consumers), topics.join(",")],
            )
        }
        Change::BeginTransaction { producer } => ("tbegin", vec![n(producer)]),
        Change::CommitTransaction { producer } => ("tcommit", vec![n(producer)]),
        Change::AbortTransaction { producer } => ("tabort", vec![n(producer)]),
        Change::StartZombie { producer } => ("tzombie", vec![n(producer)]),
        Change::CrashProcessor { processor } => ("xcrash", vec![n(processor)]),
        Change::RestartProcessor {
            processor,
            new_transactional_id,
        } => {
            let mut f = vec![n(processor)];
            f.extend(new_transactional_id.then(|| String::from("new-id")));
            ("xrestart", f)
        }
    }
}

fn end_text(e: Endpoint) -> String {
    match e {
        Endpoint::Broker(b) => format!("b{b}"),
        Endpoint::Producer(None) => String::from("p"),
        Endpoint::Producer(Some(p)) => format!("p{p}"),
        Endpoint::Consumer(None) => String::from("c"),
        Endpoint::Consumer(Some(c)) => format!("c{c}"),
    }
}

fn fault_text(f: LinkFault) -> String {
    match f {
        LinkFault::Cut => String::from("cut"),
        LinkFault::Delay { extra_us } => format!("delay{extra_us}us"),
        LinkFault::Drop { per_mille } => format!("drop{per_mille}pm"),
    }
}

/// One input read back; the error says what is wrong and the form expected.
pub(super) fn decode(entry: &str) -> Result<LoggedInput, String> {
    const PLACE: &str = "expected <at_event>.<at_pop>.<at_time_us>.<tag>[:<field>]... or \
                         <at_event>.<at_time_us>.<tag>[:<field>]...";
    let (head, rest) = match entry.split_once(':') {
        Some((h, r)) => (h, Some(r)),
        None => (entry, None),
    };
    let parts: Vec<&str> = head.split('.').collect();
    let (at_event, at_pop, at_time, tag) = match parts[..] {
        [e, t, tag] => (e, e, t, tag),
        [e, p, t, tag] => (e, p, t, tag),
        _ => return Err(format!("'{}': {PLACE}", shown(entry))),
    };
    let at_time = SimTime(number(at_time, "a time in microseconds")?);
    let form = FORMS.iter().find(|(t, _)| *t == tag).map(|(_, f)| *f);
    let Some(form) = form else {
        let tags: Vec<&str> = FORMS.iter().map(|(t, _)| *t).collect();
        return Err(format!(
            "unknown tag '{}': one of {}",
            shown(tag),
            tags.join(", ")
        ));
    };
    let mut fields = Fields { rest };
    let input = read_input(tag, &mut fields, at_time)
        .and_then(|input| fields.done().map(|()| input))
        .map_err(|why| format!("{tag}: {why}; expected {form}"))?;
    Ok(LoggedInput {
        at_event: number(at_event, "an event index")?,
        at_pop: number(at_pop, "a queue entry count")?,
        at_time,
        input,
    })
}

/// One input as a tag and its fields without a place (`bkill:1`, `set:acks:0`,
/// `fault:crash:broker=1@+2s`), read as if it took effect at `at_time`: what a guided
/// scenario's step puts into its run (`crate::scenario`).
pub fn input_of_tag(text: &str, at_time: SimTime) -> Result<Input, String> {
    let (tag, rest) = match text.split_once(':') {
        Some((t, r)) => (t, Some(r)),
        None => (text, None),
    };
    let Some(form) = FORMS.iter().find(|(t, _)| *t == tag).map(|(_, f)| *f) else {
        let tags: Vec<&str> = FORMS.iter().map(|(t, _)| *t).collect();
        return Err(format!(
            "unknown tag '{}': one of {}",
            shown(tag),
            tags.join(", ")
        ));
    };
    let mut fields = Fields { rest };
    read_input(tag, &mut fields, at_time)
        .and_then(|input| fields.done().map(|()| input))
        .map_err(|why| format!("{tag}: {why}; expected {form}"))
}

/// The fields after an input's tag, read one by one.
struct Fields<'a> {
    rest: Option<&'a str>,
}

impl<'a> Fields<'a> {
    /// The next field as written (still escaped), up to the next ':'.
    fn next_raw(&mut self, what: &str) -> Result<&'a str, String> {
        let rest = self.rest.ok_or_else(|| format!("{what} is missing"))?;
        let (field, more) = match rest.split_once(':') {
            Some((f, m)) => (f, Some(m)),
            None => (rest, None),
        };
        self.rest = more;
        Ok(field)
    }

    /// The next field, up to the next ':'.
    fn next(&mut self, what: &str) -> Result<String, String> {
        unescape(self.next_raw(what)?).map_err(|why| format!("{what}: {why}"))
    }

    /// The last field: the rest of the input, ':' included.
    fn last(&mut self, what: &str) -> Result<String, String> {
        let rest = self
            .rest
            .take()
            .ok_or_else(|| format!("{what} is missing"))?;
        unescape(rest).map_err(|why| format!("{what}: {why}"))
    }

    fn id(&mut self, what: &str) -> Result<u32, String> {
        number(&self.next(what)?, "a number").map_err(|why| format!("{what}: {why}"))
    }

    fn on(&mut self) -> Result<bool, String> {
        match self.next("on|off")?.as_str() {
            "on" => Ok(true),
            "off" => Ok(false),
            other => Err(format!("'{}' is not on or off", shown(other))),
        }
    }

    fn done(&self) -> Result<(), String> {
        match self.rest {
            None => Ok(()),
            Some(extra) => Err(format!("a field too many ('{}')", shown(extra))),
        }
    }
}

/// The input a tag stands for, from its fields.
fn read_input(tag: &str, f: &mut Fields, at_time: SimTime) -> Result<Input, String> {
    let change = match tag {
        "fault" => {
            let text = f.last("the fault text")?;
            let fault = parse_fault_at(&text, at_time).map_err(|e| e.message)?;
            return Ok(Input::Fault { fault });
        }
        "end-faults" => return Ok(Input::EndFaults),
        "drain" => return Ok(Input::Drain),
        "set" => Change::Set {
            name: f.next("the setting's name")?,
            value: f.last("the value")?,
        },
        "bdrop" => Change::DropResponses {
            broker: f.id("the broker")?,
            on: f.on()?,
        },
        "link" => Change::Link {
            a: end(&f.next("the first end")?)?,
            b: end(&f.next("the second end")?)?,
            fault: link_fault(&f.next("the link fault")?)?,
            on: f.on()?,
        },
        "cadd" => Change::AddConsumer {
            group: f.id("the group")?,
            strategy: f
                .rest
                .is_some()
                .then(|| f.last("the assignors"))
                .transpose()?,
        },
        "cslow" => Change::SlowConsumer {
            consumer: f.id("the consumer")?,
            per_record_us: number(&f.next("the time per record")?, "a number of microseconds")?,
        },
        "gadd" => add_group(f)?,
        "xrestart" => Change::RestartProcessor {
            processor: f.id("the processor")?,
            new_transactional_id: match f.rest.is_some().then(|| f.last("new-id")).transpose()? {
                None => false,
                Some(flag) if flag == "new-id" => true,
                Some(other) => return Err(format!("'{}' is not new-id", shown(&other))),
            },
        },
        _ => one_id_change(tag, f)?,
    };
    Ok(Input::Change { change })
}

/// The changes whose one field is an id.
fn one_id_change(tag: &str, f: &mut Fields) -> Result<Change, String> {
    Ok(match tag {
        "bcrash" => Change::CrashBroker {
            broker: f.id("the broker")?,
        },
        "bkill" => Change::KillBroker {
            broker: f.id("the broker")?,
        },
        "brestart" => Change::RestartBroker {
            broker: f.id("the broker")?,
        },
        "cclose" => Change::RemoveConsumer {
            consumer: f.id("the consumer")?,
        },
        "ccrash" => Change::CrashConsumer {
            consumer: f.id("the consumer")?,
        },
        "crestart" => Change::RestartConsumer {
            consumer: f.id("the consumer")?,
        },
        "tbegin" => Change::BeginTransaction {
            producer: f.id("the producer")?,
        },
        "tcommit" => Change::CommitTransaction {
            producer: f.id("the producer")?,
        },
        "tabort" => Change::AbortTransaction {
            producer: f.id("the producer")?,
        },
        "tzombie" => Change::StartZombie {
            producer: f.id("the producer")?,
        },
        "xcrash" => Change::CrashProcessor {
            processor: f.id("the processor")?,
        },
        _ => return Err(String::from("not a tag of the link")),
    })
}

fn add_group(f: &mut Fields) -> Result<Change, String> {
    let group_id = f.next("the group.id")?;
    let consumers = f.id("the consumer count")?;
    // Each name is escaped on its own, so a ',' as written is a separator.
    let topics = f.next_raw("the topics")?;
    let topics = if topics.is_empty() {
        Vec::new()
    } else {
        topics
            .split(',')
            .map(|t| unescape(t).map_err(|why| format!("a topic: {why}")))
            .collect::<Result<Vec<_>, _>>()?
    };
    Ok(Change::AddGroup {
        group_id,
        topics,
        consumers,
    })
}

fn end(text: &str) -> Result<Endpoint, String> {
    let id = |rest: &str| number::<u32>(rest, "an id");
    match text.split_at_checked(1) {
        Some(("b", n)) => id(n).map(Endpoint::Broker),
        Some(("p", "")) => Ok(Endpoint::Producer(None)),
        Some(("p", n)) => id(n).map(|n| Endpoint::Producer(Some(n))),
        Some(("c", "")) => Ok(Endpoint::Consumer(None)),
        Some(("c", n)) => id(n).map(|n| Endpoint::Consumer(Some(n))),
        _ => Err(format!(
            "'{}' is not an end: b<N>, p, p<N>, c or c<N>",
            shown(text)
        )),
    }
}

fn link_fault(text: &str) -> Result<LinkFault, String> {
    if text == "cut" {
        return Ok(LinkFault::Cut);
    }
    if let Some(us) = text
        .strip_prefix("delay")
        .and_then(|t| t.strip_suffix("us"))
    {
        return Ok(LinkFault::Delay {
            extra_us: number(us, "a delay in microseconds")?,
        });
    }
    if let Some(pm) = text.strip_prefix("drop").and_then(|t| t.strip_suffix("pm")) {
        return Ok(LinkFault::Drop {
            per_mille: number(pm, "a drop rate per mille")?,
        });
    }
    Err(format!(
        "'{}' is not a link fault: cut, delay<N>us or drop<N>pm",
        shown(text)
    ))
}
