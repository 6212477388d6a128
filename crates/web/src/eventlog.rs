//! The event log (issue 13): the trace ring's entries up to the moment shown (the world's own
//! ring, so after a jump exactly what the run had then), with the run's inputs among them,
//! newest at the bottom, in Kafka's words (`words`, `clients`, `names`); filtered by node
//! (a broker, producer or consumer, the controller, the coordinators, or what was clicked on
//! the canvas: a partition, a record) and by kind (the timeline's kinds of mark, or the
//! requests of one API key). At most [`MAX_LINES`] lines are written, and only when what they
//! show changed. A click on a line jumps right after its event (`crate::apply`), and what the
//! line names is outlined on the canvas (`render::View::highlight`).

mod clients;
mod names;
mod words;

pub use names::{node_name, partition_name};
pub use words::{input_line, line};

use crate::dom::set_text;
use crate::i18n::{t, tf, Lang};
use crate::timeline::{group_code, group_of, GROUPS};
use streamscope_core::net::{MessageKind, Node, TopicPartitionId};
use streamscope_core::scenario::Highlight;
use streamscope_core::sim::history::marks::{mark_of, MarkGroup};
use streamscope_core::sim::input::LoggedInput;
use streamscope_core::sim::view::event_words::{api_key, subjects, Subjects, API_KEYS};
use streamscope_core::sim::TRACE_CAPACITY;
use streamscope_core::{Event, Sim, TraceEntry};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

/// Lines written at most (the newest that match).
pub const MAX_LINES: usize = 200;

/// Whose lines the log shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NodeFilter {
    #[default]
    All,
    Node(Node),
    Controller,
    Coordinator,
    Partition(TopicPartitionId),
    Record(u64),
}

/// Which lines the log shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KindFilter {
    #[default]
    All,
    Group(MarkGroup),
    Api(&'static str),
}

/// What the log showed last, to tell whether it must write again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shown {
    events: u64,
    inputs: usize,
    hash: u64,
    node: NodeFilter,
    kind: KindFilter,
    lang: Lang,
}

/// The log's filters and what it wrote.
#[derive(Clone, Debug, Default)]
pub struct EventLog {
    pub node: NodeFilter,
    pub kind: KindFilter,
    shown: Option<Shown>,
    /// The world's shape, the language and the filters the selects were built for.
    filters_for: Option<(usize, usize, usize, Lang, NodeFilter)>,
    /// What the open guided scenario's step talks about: its lines are marked (`guided`;
    /// set by `crate::guide`, which then calls [`EventLog::forget`]).
    pub guided: Vec<Highlight>,
}

impl EventLog {
    /// A new run: every node, every kind.
    pub fn reset(&mut self) {
        *self = EventLog::default();
    }

    /// Write again at the next chance (the language changed).
    pub fn forget(&mut self) {
        self.shown = None;
        self.filters_for = None;
    }
}

/// One line: an event of the trace, or an input of the run (index, input).
#[derive(Clone, Copy, Debug)]
pub enum Line<'a> {
    Event(&'a TraceEntry),
    Input(usize, &'a LoggedInput),
}

/// Whether an event with `s` as its subjects is one of `filter`'s (`record`: the record's
/// producer and partition, when the journal still has it).
fn node_matches(
    filter: NodeFilter,
    s: &Subjects,
    e: &Event,
    record: Option<(u32, TopicPartitionId)>,
) -> bool {
    match filter {
        NodeFilter::All => true,
        NodeFilter::Node(n) => s.names(n),
        NodeFilter::Controller => s.controller,
        NodeFilter::Coordinator => s.coordinator,
        NodeFilter::Partition(tp) => s.partition == Some(tp),
        NodeFilter::Record(id) => {
            let produce = matches!(
                e,
                Event::Delivered {
                    kind: MessageKind::Produce | MessageKind::ProduceResponse,
                    ..
                }
            );
            s.record == Some(id)
                || record.is_some_and(|(p, tp)| {
                    s.partition == Some(tp) || (produce && s.names(Node::Producer(p)))
                })
        }
    }
}

fn kind_matches(filter: KindFilter, e: &TraceEntry) -> bool {
    match filter {
        KindFilter::All => true,
        KindFilter::Group(g) => mark_of(e).is_some_and(|m| m.group() == g),
        KindFilter::Api(name) => {
            matches!(e.event, Event::Delivered { kind, .. } if api_key(kind) == name)
        }
    }
}

/// The newest lines of `sim`'s trace ring and inputs that `log`'s filters let through (at
/// most [`MAX_LINES`]), oldest first; an input comes before the event it took effect before.
pub fn lines<'a>(sim: &'a Sim, log: &EventLog) -> Vec<Line<'a>> {
    let record = match log.node {
        NodeFilter::Record(id) => sim.record_info(id).and_then(|r| {
            let topic = sim.topics().iter().position(|t| t.name == r.topic)? as u32;
            Some((
                r.producer,
                TopicPartitionId {
                    topic,
                    partition: r.partition,
                },
            ))
        }),
        _ => None,
    };
    let with_inputs = log.node == NodeFilter::All
        && matches!(
            log.kind,
            KindFilter::All | KindFilter::Group(MarkGroup::Input)
        );
    let mut inputs = sim.inputs().iter().enumerate().rev().peekable();
    let mut out: Vec<Line<'a>> = Vec::new();
    for e in sim.trace().entries().rev() {
        while let Some((i, l)) = inputs.next_if(|(_, l)| l.at_event > e.index) {
            if with_inputs {
                out.push(Line::Input(i, l));
            }
        }
        if out.len() >= MAX_LINES {
            break;
        }
        let s = subjects(sim, &e.event);
        if kind_matches(log.kind, e) && node_matches(log.node, &s, &e.event, record) {
            out.push(Line::Event(e));
        }
    }
    out.truncate(MAX_LINES);
    out.reverse();
    out
}

/// Writes the log's lines when what they show changed, following the moment shown.
pub fn write(doc: &Document, log: &mut EventLog, sim: &Sim, lang: Lang) {
    let key = Shown {
        events: sim.events_processed(),
        inputs: sim.inputs().len(),
        hash: sim.trace().hash(),
        node: log.node,
        kind: log.kind,
        lang,
    };
    if log.shown == Some(key) {
        return;
    }
    let Some(list) = doc.get_element_by_id("event-log") else {
        return;
    };
    log.shown = Some(key);
    write_filters(doc, log, sim, lang);
    let lines = lines(sim, log);
    let items = list_items(doc, &list);
    for (i, item) in items.iter().enumerate() {
        let Some(l) = lines.get(i) else {
            let _ = item.set_attribute("hidden", "");
            continue;
        };
        let (text, event, guided) = match l {
            Line::Event(e) => (line(sim, e, lang), e.index.to_string(), guided(sim, log, e)),
            Line::Input(n, input) => (input_line(*n, input, lang), String::new(), false),
        };
        if item.text_content().as_deref() != Some(text.as_str()) {
            item.set_text_content(Some(&text));
        }
        let _ = item.set_attribute("data-event", &event);
        let class = match (event.is_empty(), guided) {
            (true, _) => "input",
            (false, true) => "guided",
            (false, false) => "",
        };
        let _ = item.set_attribute("class", class);
        let _ = item.remove_attribute("hidden");
    }
    let cap = TRACE_CAPACITY.to_string();
    let count = if lines.is_empty() {
        tf(lang, "log_empty", &[("cap", &cap)])
    } else {
        let e = sim.events_processed().saturating_sub(1).to_string();
        tf(
            lang,
            "log_count",
            &[("n", &lines.len().to_string()), ("e", &e), ("cap", &cap)],
        )
    };
    set_text(doc, "log-count", &count);
    list.set_scroll_top(list.scroll_height());
}

/// Whether the line of `e` names an object the guided scenario's step talks about.
fn guided(sim: &Sim, log: &EventLog, e: &TraceEntry) -> bool {
    if log.guided.is_empty() {
        return false;
    }
    let s = subjects(sim, &e.event);
    log.guided.iter().any(|h| h.names(sim, &s))
}

/// The log's `<li>` elements, [`MAX_LINES`] of them (made once).
fn list_items(doc: &Document, list: &Element) -> Vec<Element> {
    while (list.child_element_count() as usize) < MAX_LINES {
        let Ok(li) = doc.create_element("li") else {
            break;
        };
        let _ = li.set_attribute("tabindex", "0");
        let _ = li.set_attribute("hidden", "");
        if list.append_child(&li).is_err() {
            break;
        }
    }
    let mut out = Vec::with_capacity(MAX_LINES);
    let mut child = list.first_element_child();
    while let Some(c) = child {
        child = c.next_element_sibling();
        out.push(c);
    }
    out
}

/// A node filter as the select's value: `all`, `broker:1`, `producer:0`, `consumer:2`,
/// `controller`, `coordinator`, `partition:0:3`, `record:812`.
pub fn node_value(f: NodeFilter) -> String {
    match f {
        NodeFilter::All => "all".into(),
        NodeFilter::Node(Node::Broker(b)) => format!("broker:{b}"),
        NodeFilter::Node(Node::Producer(p)) => format!("producer:{p}"),
        NodeFilter::Node(Node::Consumer(c)) => format!("consumer:{c}"),
        NodeFilter::Controller => "controller".into(),
        NodeFilter::Coordinator => "coordinator".into(),
        NodeFilter::Partition(tp) => format!("partition:{}:{}", tp.topic, tp.partition),
        NodeFilter::Record(id) => format!("record:{id}"),
    }
}

/// The filter a select's value names (every node for any other text).
pub fn parse_node(v: &str) -> NodeFilter {
    let mut parts = v.split(':');
    let kind = parts.next().unwrap_or("");
    let mut num = || parts.next().and_then(|n| n.parse::<u64>().ok());
    let small = |n: u64| u32::try_from(n).ok();
    let node = match kind {
        "broker" => num()
            .and_then(small)
            .map(|b| NodeFilter::Node(Node::Broker(b))),
        "producer" => num()
            .and_then(small)
            .map(|p| NodeFilter::Node(Node::Producer(p))),
        "consumer" => num()
            .and_then(small)
            .map(|c| NodeFilter::Node(Node::Consumer(c))),
        "controller" => Some(NodeFilter::Controller),
        "coordinator" => Some(NodeFilter::Coordinator),
        "partition" => match (num().and_then(small), num().and_then(small)) {
            (Some(topic), Some(partition)) => {
                Some(NodeFilter::Partition(TopicPartitionId { topic, partition }))
            }
            _ => None,
        },
        "record" => num().map(NodeFilter::Record),
        _ => None,
    };
    node.unwrap_or_default()
}

/// A kind filter as the select's value: `all`, `group:fault`, `api:Produce`.
pub fn kind_value(f: KindFilter) -> String {
    match f {
        KindFilter::All => "all".into(),
        KindFilter::Group(g) => format!("group:{}", group_code(g).0),
        KindFilter::Api(a) => format!("api:{a}"),
    }
}

pub fn parse_kind(v: &str) -> KindFilter {
    if let Some(g) = v.strip_prefix("group:").and_then(group_of) {
        return KindFilter::Group(g);
    }
    match v.strip_prefix("api:") {
        Some(a) => API_KEYS
            .iter()
            .find(|(n, _)| *n == a)
            .map_or(KindFilter::All, |(n, _)| KindFilter::Api(n)),
        None => KindFilter::All,
    }
}

/// The filters' selects, built again when the world's shape, the language or a filter the
/// canvas set changed.
pub fn write_filters(doc: &Document, log: &mut EventLog, sim: &Sim, lang: Lang) {
    let shape = (
        sim.brokers().len(),
        sim.producers().len(),
        sim.consumers().len(),
        lang,
        log.node,
    );
    if log.filters_for == Some(shape) {
        return;
    }
    log.filters_for = Some(shape);
    let mut nodes: Vec<(String, String)> = vec![("all".into(), t(lang, "log_all_nodes").into())];
    let mut filters: Vec<NodeFilter> = Vec::new();
    type Kind = fn(u32) -> Node;
    let kinds: [(usize, Kind); 3] = [
        (shape.0, Node::Broker),
        (shape.1, Node::Producer),
        (shape.2, Node::Consumer),
    ];
    for (n, node) in kinds {
        filters.extend((0..n as u32).map(|i| NodeFilter::Node(node(i))));
    }
    filters.extend([NodeFilter::Controller, NodeFilter::Coordinator]);
    for f in filters {
        nodes.push((node_value(f), node_label(sim, f, lang)));
    }
    if matches!(log.node, NodeFilter::Partition(_) | NodeFilter::Record(_)) {
        nodes.push((node_value(log.node), node_label(sim, log.node, lang)));
    }
    fill_select(doc, "log-node", &nodes, &node_value(log.node));
    let mut kinds: Vec<(String, String)> = vec![("all".into(), t(lang, "log_all_kinds").into())];
    for g in GROUPS {
        kinds.push((
            kind_value(KindFilter::Group(g)),
            t(lang, group_code(g).1).into(),
        ));
    }
    for (api, _) in API_KEYS {
        kinds.push((
            kind_value(KindFilter::Api(api)),
            tf(lang, "log_api", &[("api", api)]),
        ));
    }
    fill_select(doc, "log-kind", &kinds, &kind_value(log.kind));
}

fn node_label(sim: &Sim, f: NodeFilter, lang: Lang) -> String {
    match f {
        NodeFilter::All => t(lang, "log_all_nodes").into(),
        NodeFilter::Node(n) => node_name(n, lang),
        NodeFilter::Controller => t(lang, "log_controller").into(),
        NodeFilter::Coordinator => t(lang, "log_coordinator").into(),
        NodeFilter::Partition(tp) => tf(lang, "log_partition", &[("p", &partition_name(sim, tp))]),
        NodeFilter::Record(id) => tf(lang, "log_record", &[("id", &id.to_string())]),
    }
}

/// Replaces `#id`'s options by `options` (value, text) and selects `value`.
fn fill_select(doc: &Document, id: &str, options: &[(String, String)], value: &str) {
    let Some(select) = crate::dom::select(doc, id) else {
        return;
    };
    let el: &Element = select.unchecked_ref();
    el.set_text_content(None);
    for (v, text) in options {
        if let Ok(o) = doc.create_element("option") {
            let _ = o.set_attribute("value", v);
            o.set_text_content(Some(text));
            let _ = el.append_child(&o);
        }
    }
    select.set_value(value);
}
