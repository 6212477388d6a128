//! The objects a step talks about, as stable refs the page maps onto its canvas and its event
//! log: `broker:1`, `producer:0`, `consumer:2`, `partition:orders-2`, `group:g1`,
//! `record:17`, `controller`, `coordinator`. The numbers are the simulator's ids (the ones the
//! event log's `Subjects` carry); a partition and a group are named as Kafka names them.

use crate::sim::view::event_words::Subjects;
use crate::sim::Sim;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// One highlighted object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Highlight {
    Broker(u32),
    /// A producer instance (`Sim::producers` index).
    Producer(u32),
    /// A consumer (`Sim::consumers` index).
    Consumer(u32),
    Partition {
        topic: String,
        partition: u32,
    },
    /// A group by its group.id.
    Group(String),
    Record(u64),
    /// The KRaft controller.
    Controller,
    /// A group or transaction coordinator.
    Coordinator,
}

/// `topic-partition` (`orders-2`): the topic, and the number after its last '-'.
pub fn topic_partition(text: &str) -> Result<(String, u32), String> {
    let parsed = text
        .rsplit_once('-')
        .filter(|(t, _)| !t.is_empty())
        .and_then(|(t, p)| p.parse::<u32>().ok().map(|p| (t.to_string(), p)));
    parsed.ok_or_else(|| format!("'{text}': a partition is <topic>-<number>, e.g. orders-2"))
}

/// A comma-separated list of refs.
pub fn parse_list(text: &str) -> Result<Vec<Highlight>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(Highlight::parse)
        .collect()
}

impl Highlight {
    pub fn parse(text: &str) -> Result<Highlight, String> {
        let (kind, value) = text.split_once(':').unwrap_or((text, ""));
        let id = || {
            value
                .parse::<u32>()
                .map_err(|_| format!("'{text}': {kind}:<number>"))
        };
        Ok(match kind {
            "broker" => Highlight::Broker(id()?),
            "producer" => Highlight::Producer(id()?),
            "consumer" => Highlight::Consumer(id()?),
            "record" => Highlight::Record(
                value
                    .parse::<u64>()
                    .map_err(|_| format!("'{text}': record:<id>"))?,
            ),
            "partition" => {
                let (topic, partition) = topic_partition(value)?;
                Highlight::Partition { topic, partition }
            }
            "group" if !value.is_empty() => Highlight::Group(value.to_string()),
            "controller" if value.is_empty() => Highlight::Controller,
            "coordinator" if value.is_empty() => Highlight::Coordinator,
            _ => {
                return Err(format!(
                    "'{text}': a ref is broker:N, producer:N, consumer:N, partition:TOPIC-N, \
                     group:ID, record:N, controller or coordinator"
                ))
            }
        })
    }

    /// The ref as written.
    pub fn text(&self) -> String {
        match self {
            Highlight::Broker(b) => format!("broker:{b}"),
            Highlight::Producer(p) => format!("producer:{p}"),
            Highlight::Consumer(c) => format!("consumer:{c}"),
            Highlight::Partition { topic, partition } => format!("partition:{topic}-{partition}"),
            Highlight::Group(g) => format!("group:{g}"),
            Highlight::Record(r) => format!("record:{r}"),
            Highlight::Controller => String::from("controller"),
            Highlight::Coordinator => String::from("coordinator"),
        }
    }

    /// Whether the object is in `sim`'s world (a record: still in the inspector's journal).
    pub fn check(&self, sim: &Sim) -> Result<(), String> {
        let found = match self {
            Highlight::Broker(b) => (*b as usize) < sim.brokers().len(),
            Highlight::Producer(p) => (*p as usize) < sim.producers().len(),
            Highlight::Consumer(c) => (*c as usize) < sim.consumers().len(),
            Highlight::Partition { .. } => self.partition(sim).is_some(),
            Highlight::Group(_) => self.group(sim).is_some(),
            Highlight::Record(r) => sim.record_info(*r).is_some(),
            Highlight::Controller | Highlight::Coordinator => true,
        };
        if found {
            Ok(())
        } else {
            Err(format!("'{}' is not in the world", self.text()))
        }
    }

    /// The partition's (topic index, partition) in `sim`.
    pub fn partition(&self, sim: &Sim) -> Option<crate::net::TopicPartitionId> {
        let Highlight::Partition { topic, partition } = self else {
            return None;
        };
        let t = sim.topics().iter().position(|t| t.name == *topic)?;
        let tp = crate::net::TopicPartitionId {
            topic: t as u32,
            partition: *partition,
        };
        sim.partition(tp).map(|_| tp)
    }

    /// The group's index in `sim`.
    pub fn group(&self, sim: &Sim) -> Option<u32> {
        let Highlight::Group(id) = self else {
            return None;
        };
        sim.group_views()
            .iter()
            .position(|g| g.group_id == *id)
            .map(|g| g as u32)
    }

    /// Whether an event naming `s` concerns this object (the event log's filter).
    pub fn names(&self, sim: &Sim, s: &Subjects) -> bool {
        match self {
            Highlight::Broker(b) => s.brokers.contains(&Some(*b)),
            Highlight::Producer(p) => s.producer == Some(*p),
            Highlight::Consumer(c) => s.consumer == Some(*c),
            Highlight::Partition { .. } => {
                s.partition.is_some() && s.partition == self.partition(sim)
            }
            Highlight::Group(_) => s.group.is_some() && s.group == self.group(sim),
            Highlight::Record(r) => s.record == Some(*r),
            Highlight::Controller => s.controller,
            Highlight::Coordinator => s.coordinator,
        }
    }
}
