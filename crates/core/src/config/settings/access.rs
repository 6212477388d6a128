//! Where a setting lives in a [`Config`]: which part holds it (every producer, every group's
//! consumers, the broker, every topic, ...) and the row's get and set on that part. Kafka
//! configures each client and topic on its own; the simulator sets a setting on every part of
//! its kind, and reads it from the first (the page and `--help` show one value).

use super::Value;
use crate::config::{
    BrokerConfig, Config, ConsumerConfig, GroupConfig, PipelineConfig, ProducerConfig, SimConfig,
    TopicConfig, Workload,
};
use alloc::string::String;
use core::fmt;

/// A row's get (its value as text) and set (store a parsed value, marked as the user's or
/// not) on one part `P` of a config. Set errors are the message only; the row adds its name.
pub struct Field<P> {
    pub get: fn(&P) -> String,
    pub set: fn(&mut P, Value, bool) -> Result<(), String>,
}

impl<P> Clone for Field<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for Field<P> {}

impl<P> fmt::Debug for Field<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Field")
    }
}

/// The part of a config a setting lives in, with the row's get and set on it.
#[derive(Clone, Copy, Debug)]
pub enum Access {
    /// Every producer (`ProducerConfig`).
    Producer(Field<ProducerConfig>),
    /// Every producer's application (`sim.*` workload settings).
    Workload(Field<Workload>),
    /// Every group's consumers (`ConsumerConfig`).
    Consumer(Field<ConsumerConfig>),
    /// Every group.
    Group(Field<GroupConfig>),
    /// The broker (and the defaults of topic settings).
    Broker(Field<BrokerConfig>),
    /// Every topic.
    Topic(Field<TopicConfig>),
    /// The world itself (`sim.brokers`, `sim.network.latency`).
    Sim(Field<SimConfig>),
    /// The consume-transform-produce pipeline.
    Pipeline(Field<PipelineConfig>),
}

impl Access {
    /// The value in the first part of its kind, as text (`None` when there is none).
    pub fn get(&self, cfg: &Config) -> Option<String> {
        match *self {
            Access::Producer(f) => cfg.producers.first().map(f.get),
            Access::Workload(f) => cfg.producers.first().map(|p| (f.get)(&p.workload)),
            Access::Consumer(f) => cfg.groups.first().map(|g| (f.get)(&g.consumer)),
            Access::Group(f) => cfg.groups.first().map(f.get),
            Access::Broker(f) => Some((f.get)(&cfg.broker)),
            Access::Topic(f) => cfg.topics.first().map(f.get),
            Access::Sim(f) => Some((f.get)(&cfg.sim)),
            Access::Pipeline(f) => Some((f.get)(&cfg.pipeline)),
        }
    }

    /// Stores `v` in every part of its kind.
    pub fn set(&self, cfg: &mut Config, v: &Value, explicit: bool) -> Result<(), String> {
        match *self {
            Access::Producer(f) => each(cfg.producers.iter_mut(), f, v, explicit),
            Access::Workload(f) => each(
                cfg.producers.iter_mut().map(|p| &mut p.workload),
                f,
                v,
                explicit,
            ),
            Access::Consumer(f) => each(
                cfg.groups.iter_mut().map(|g| &mut g.consumer),
                f,
                v,
                explicit,
            ),
            Access::Group(f) => each(cfg.groups.iter_mut(), f, v, explicit),
            Access::Broker(f) => (f.set)(&mut cfg.broker, v.clone(), explicit),
            Access::Topic(f) => each(cfg.topics.iter_mut(), f, v, explicit),
            Access::Sim(f) => (f.set)(&mut cfg.sim, v.clone(), explicit),
            Access::Pipeline(f) => (f.set)(&mut cfg.pipeline, v.clone(), explicit),
        }
    }
}

fn each<'a, P: 'a>(
    parts: impl Iterator<Item = &'a mut P>,
    f: Field<P>,
    v: &Value,
    explicit: bool,
) -> Result<(), String> {
    for p in parts {
        (f.set)(p, v.clone(), explicit)?;
    }
    Ok(())
}

/// A part of a config that settings live in: picks out the rows that set it.
pub trait Part: Sized {
    fn field(access: &Access) -> Option<Field<Self>>;
}

macro_rules! part {
    ($($variant:ident => $ty:ty),* $(,)?) => {
        $(impl Part for $ty {
            fn field(access: &Access) -> Option<Field<Self>> {
                match *access {
                    Access::$variant(f) => Some(f),
                    _ => None,
                }
            }
        })*
    };
}

part!(
    Producer => ProducerConfig,
    Workload => Workload,
    Consumer => ConsumerConfig,
    Group => GroupConfig,
    Broker => BrokerConfig,
    Topic => TopicConfig,
    Sim => SimConfig,
    Pipeline => PipelineConfig,
);
