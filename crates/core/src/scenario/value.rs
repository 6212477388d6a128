//! What a claim's operands are (`Value`) and the small readers the queries share: a number,
//! an integer value and a partition named as `orders-2` or `record N`.

use super::highlight::topic_partition;
use crate::net::TopicPartitionId;
use crate::sim::Sim;
use alloc::format;
use alloc::string::String;
use core::fmt;

/// A value a query gives or a literal is.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(n) => write!(f, "{n}"),
            Value::Real(x) => write!(f, "{x:.4}"),
            Value::Text(t) => write!(f, "{t}"),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

pub(super) fn int(n: impl TryInto<i64>) -> Value {
    Value::Int(n.try_into().unwrap_or(i64::MAX))
}

pub(super) fn number<T: core::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.parse::<T>()
        .map_err(|_| format!("'{text}' is not {what}"))
}

/// `orders-2`, or `record N` (the partition record N went to).
pub(super) fn tp_of(sim: &Sim, text: &str) -> Result<TopicPartitionId, String> {
    if let Some(id) = text.strip_prefix("record ") {
        let id: u64 = number(id.trim(), "a record id")?;
        let e = sim
            .journal
            .get(id)
            .ok_or_else(|| format!("record {id} is not in the inspector's journal"))?;
        let topic = sim
            .producers()
            .get(e.producer as usize)
            .map_or(0, |p| p.topic);
        return Ok(TopicPartitionId {
            topic,
            partition: e.partition,
        });
    }
    let (topic, partition) = topic_partition(text)?;
    let t = sim
        .topics()
        .iter()
        .position(|t| t.name == topic)
        .ok_or_else(|| format!("no topic '{topic}'"))?;
    Ok(TopicPartitionId {
        topic: t as u32,
        partition,
    })
}
