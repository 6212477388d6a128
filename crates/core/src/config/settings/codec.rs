//! How a row's parsed [`Value`] becomes the config field's type, and the field's value becomes
//! text again (what [`super::current`] answers; it parses back to the same value). Kafka keeps
//! `*.ms` settings in milliseconds, so do the fields; the simulator's own durations are in
//! microseconds; `-1` (no limit) is `None`.

use super::{Value, MS};
use crate::compression::payload::ValueKind;
use crate::compression::CompressionType;
use crate::config::{
    Acks, CommitMode, IsolationLevel, OffsetReset, PartitionerKind, PipelineKind,
    ProcessingGuarantee, SendMode, Setting, StrategyList,
};
use crate::producer::record::Serializer;
use alloc::format;
use alloc::string::{String, ToString};
use core::marker::PhantomData;

/// A config field a row reads and writes: a [`Setting`] (which remembers whether the user
/// set it), or a plain optional text.
pub trait Slot {
    type T;
    fn read(&self) -> &Self::T;
    fn write(&mut self, value: Self::T, explicit: bool);
}

impl<T> Slot for Setting<T> {
    type T = T;
    fn read(&self) -> &T {
        &self.value
    }
    fn write(&mut self, value: T, explicit: bool) {
        self.value = value;
        self.explicit = explicit;
    }
}

/// `transactional.id`: `None` is Kafka's null (Kafka has no explicit flag for it either).
impl Slot for Option<String> {
    type T = Option<String>;
    fn read(&self) -> &Option<String> {
        self
    }
    fn write(&mut self, value: Option<String>, _explicit: bool) {
        *self = value;
    }
}

/// Between a parsed [`Value`] and a field's type.
pub trait Codec {
    type T;
    /// The field's value; an error is the message (the row adds its name).
    fn decode(v: Value) -> Result<Self::T, String>;
    fn text(t: &Self::T) -> String;
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        _ => 0,
    }
}

/// An integer count or size.
pub struct U32;
impl Codec for U32 {
    type T = u32;
    fn decode(v: Value) -> Result<u32, String> {
        Ok(int(&v).clamp(0, u32::MAX as i64) as u32)
    }
    fn text(t: &u32) -> String {
        t.to_string()
    }
}

/// A byte count that may exceed `u32` (`buffer.memory`).
pub struct U64;
impl Codec for U64 {
    type T = u64;
    fn decode(v: Value) -> Result<u64, String> {
        Ok(int(&v).max(0) as u64)
    }
    fn text(t: &u64) -> String {
        t.to_string()
    }
}

/// A signed level (`compression.lz4.level`, `compression.zstd.level`).
pub struct I32;
impl Codec for I32 {
    type T = i32;
    fn decode(v: Value) -> Result<i32, String> {
        Ok(int(&v).clamp(i32::MIN as i64, i32::MAX as i64) as i32)
    }
    fn text(t: &i32) -> String {
        t.to_string()
    }
}

/// `compression.gzip.level`: as [`I32`], but 0 is refused as Kafka does.
pub struct GzipLevel;
impl Codec for GzipLevel {
    type T = i32;
    fn decode(v: Value) -> Result<i32, String> {
        match I32::decode(v)? {
            0 => Err(String::from(
                "0 is out of range: expected -1 (zlib's default) or 1 to 9 (Kafka refuses 0)",
            )),
            l => Ok(l),
        }
    }
    fn text(t: &i32) -> String {
        t.to_string()
    }
}

/// `sim.partition`: a partition, or -1 (`None`: the partitioner chooses).
pub struct Partition;
impl Codec for Partition {
    type T = Option<u32>;
    fn decode(v: Value) -> Result<Option<u32>, String> {
        Ok(match v {
            Value::Int(i) if i >= 0 => Some(i as u32),
            _ => None,
        })
    }
    fn text(t: &Option<u32>) -> String {
        t.map_or(-1, i64::from).to_string()
    }
}

/// A retention size in bytes (`None`: -1, no limit).
pub struct OptBytes;
impl Codec for OptBytes {
    type T = Option<u64>;
    fn decode(v: Value) -> Result<Option<u64>, String> {
        Ok(match v {
            Value::Int(i) if i >= 0 => Some(i as u64),
            _ => None,
        })
    }
    fn text(t: &Option<u64>) -> String {
        t.map_or(-1, |v| v as i64).to_string()
    }
}

/// A Kafka `*.ms` duration, kept in milliseconds; sub-millisecond values are refused since
/// Kafka cannot express them.
pub struct Ms;
impl Codec for Ms {
    type T = u64;
    fn decode(v: Value) -> Result<u64, String> {
        match v {
            Value::Duration(us) if us.is_multiple_of(MS) => Ok(us / MS),
            Value::Duration(_) => Err(String::from(
                "must be a whole number of milliseconds (Kafka's unit for this setting)",
            )),
            _ => Ok(0),
        }
    }
    fn text(t: &u64) -> String {
        t.to_string()
    }
}

/// A retention time in milliseconds (`None`: -1, no limit).
pub struct OptMs;
impl Codec for OptMs {
    type T = Option<u64>;
    fn decode(v: Value) -> Result<Option<u64>, String> {
        match v {
            Value::Unlimited => Ok(None),
            v => Ms::decode(v).map(Some),
        }
    }
    fn text(t: &Option<u64>) -> String {
        t.map_or(-1, |v| v as i64).to_string()
    }
}

/// A simulator duration in microseconds (`sim.network.latency`), written with its unit.
pub struct Us;
impl Codec for Us {
    type T = u64;
    fn decode(v: Value) -> Result<u64, String> {
        Ok(match v {
            Value::Duration(us) => us,
            _ => 0,
        })
    }
    fn text(t: &u64) -> String {
        format!("{t}us")
    }
}

pub struct Flag;
impl Codec for Flag {
    type T = bool;
    fn decode(v: Value) -> Result<bool, String> {
        Ok(matches!(v, Value::Bool(true)))
    }
    fn text(t: &bool) -> String {
        t.to_string()
    }
}

/// `partition.assignment.strategy`.
pub struct Assignors;
impl Codec for Assignors {
    type T = StrategyList;
    fn decode(v: Value) -> Result<StrategyList, String> {
        match v {
            Value::Assignors(list) => Ok(list),
            _ => Err(String::from("expected a list of assignors")),
        }
    }
    fn text(t: &StrategyList) -> String {
        t.display()
    }
}

/// Free text, empty meaning unset (`transactional.id`).
pub struct Text;
impl Codec for Text {
    type T = Option<String>;
    fn decode(v: Value) -> Result<Option<String>, String> {
        Ok(match v {
            Value::Text(s) if !s.is_empty() => Some(s),
            _ => None,
        })
    }
    fn text(t: &Option<String>) -> String {
        t.clone().unwrap_or_default()
    }
}

/// An enumerated value and the names it is written with.
pub trait Choice: Sized {
    fn name(&self) -> &'static str;
    fn from_name(name: &str) -> Option<Self>;
}

macro_rules! choice {
    ($($ty:ty),* $(,)?) => {
        $(impl Choice for $ty {
            fn name(&self) -> &'static str {
                <$ty>::name(*self)
            }
            fn from_name(name: &str) -> Option<Self> {
                <$ty>::from_name(name)
            }
        })*
    };
}

choice!(
    Acks,
    PartitionerKind,
    CompressionType,
    ValueKind,
    Serializer,
    SendMode,
    OffsetReset,
    IsolationLevel,
    CommitMode,
    PipelineKind,
    ProcessingGuarantee,
);

/// One of an enum's names (the row's kind lists the same names; parsing checked it).
pub struct Named<E>(PhantomData<E>);
impl<E: Choice> Codec for Named<E> {
    type T = E;
    fn decode(v: Value) -> Result<E, String> {
        let name = match &v {
            Value::Enum(s) => s,
            _ => "",
        };
        E::from_name(name).ok_or_else(|| format!("'{name}' is not one of its values"))
    }
    fn text(t: &E) -> String {
        String::from(t.name())
    }
}
