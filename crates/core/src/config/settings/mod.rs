//! The registry of every setting the simulator understands, under Kafka's own config names.
//!
//! One row per setting ([`SettingDef`]): its name, scope, type and range, default, doc, whether
//! a running simulation takes it live, and where it lives in a [`Config`] (its get and set).
//! Parsing ([`set`]), [`current`], [`is_live`] and the defaults of every part of a config
//! ([`apply_defaults`]) all read the rows; a setting is written nowhere else. The rows are
//! grouped by the Kafka concept they configure: [`producer`] (`ProducerConfig`), [`consumer`]
//! (`ConsumerConfig`), [`broker`] (the broker and its topics) and [`sim`] (what Kafka has no
//! name for).
//!
//! Naming rule: a bare name applies to every kind of thing that has it (`min.insync.replicas`
//! sets the broker default and every topic); a prefix narrows it (`producer.`, `consumer.`,
//! `topic.`, `broker.`). Where Kafka takes a class name a short value stands for it
//! (`partitioner.class=builtin|round-robin|legacy-sticky`). What Kafka has no name for is
//! `sim.*`. Durations: Kafka's `*.ms` settings take a bare integer of milliseconds; every
//! duration also takes an integer with a unit: `us`, `ms`, `s` or `m`.

/// One registry row: `row!(name, Scope, kind, default, live, Part.field: Codec, doc)`. The
/// get and set are generated from the field: the codec turns a parsed [`Value`] into the
/// field's type and the field's value back into text.
macro_rules! row {
    ($name:expr, $scope:ident, $kind:expr, $default:expr, $live:expr,
     $part:ident . $field:ident : $codec:ty, $doc:expr $(,)?) => {
        $crate::config::settings::SettingDef {
            name: $name,
            scope: $crate::config::settings::Scope::$scope,
            kind: $kind,
            default: $default,
            doc: $doc,
            live: $live,
            access: $crate::config::settings::Access::$part($crate::config::settings::Field {
                get: |p| {
                    <$codec as $crate::config::settings::codec::Codec>::text(
                        $crate::config::settings::codec::Slot::read(&p.$field),
                    )
                },
                set: |p, v, explicit| {
                    let value = <$codec as $crate::config::settings::codec::Codec>::decode(v)?;
                    $crate::config::settings::codec::Slot::write(&mut p.$field, value, explicit);
                    Ok(())
                },
            }),
        }
    };
}

/// A module's rows, each also a named constant (`ACKS = (row...);`) so code elsewhere can name
/// a setting (`producer::ACKS.name`) without writing its name again.
macro_rules! registry {
    ($( $id:ident = ($($row:tt)*); )*) => {
        $( #[allow(missing_docs)] pub const $id: $crate::config::settings::SettingDef = row!($($row)*); )*
        /// This module's rows, in the order `streamscope run --help` lists them.
        pub(super) const ROWS: &[$crate::config::settings::SettingDef] = &[$($id),*];
    };
}

mod access;
pub mod broker;
pub(crate) mod codec;
pub mod consumer;
pub mod producer;
pub mod refusal;
pub mod sim;
mod value;

pub use access::{Access, Field, Part};
pub use refusal::{refusal, Problem, Refusal};
pub use value::{parse, parse_duration_us, Value};

use super::{Config, ConfigError};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// Which kind of thing a setting belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Broker,
    Topic,
    Producer,
    Consumer,
    Sim,
}

impl Scope {
    pub fn prefix(self) -> &'static str {
        match self {
            Scope::Broker => "broker.",
            Scope::Topic => "topic.",
            Scope::Producer => "producer.",
            Scope::Consumer => "consumer.",
            Scope::Sim => "sim.",
        }
    }
}

/// A setting's type and allowed range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingKind {
    /// An integer in `min..=max`.
    Int {
        min: i64,
        max: i64,
    },
    /// A duration whose bare integer is in `unit_us` units; allowed `min_us..=max_us`, and
    /// `-1` (no limit, Kafka's convention for retention) when `unlimited`.
    Duration {
        unit_us: u64,
        min_us: u64,
        max_us: u64,
        unlimited: bool,
    },
    Bool,
    /// One of the listed values.
    Enum(&'static [&'static str]),
    /// A comma list of assignors (short names or Kafka class names), most preferred first.
    AssignorList,
    /// Free text of at most 249 characters, Kafka's limit for a name (`transactional.id`;
    /// empty: unset).
    Text,
}

/// One row of the registry.
#[derive(Clone, Copy, Debug)]
pub struct SettingDef {
    pub name: &'static str,
    pub scope: Scope,
    pub kind: SettingKind,
    /// The default as Kafka (or the preset, for `sim.*`) has it; for a topic setting, the
    /// name of the broker setting it follows (see [`SettingDef::kafka_default`]).
    pub default: &'static str,
    pub doc: &'static str,
    /// Whether a running simulation takes it live (see [`is_live`]).
    pub live: bool,
    /// Where it lives in a [`Config`]: its get and set.
    pub access: Access,
}

impl SettingDef {
    /// The default value as text: [`SettingDef::default`], or for a topic setting that
    /// follows a broker setting, that broker setting's default.
    pub fn kafka_default(&self) -> &'static str {
        lookup(self.default)
            .find(|d| d.scope == Scope::Broker)
            .map_or(self.default, |d| d.default)
    }
}

/// A running simulation takes the setting at once.
const LIVE: bool = true;
/// The setting applies when the world is built again (Reset).
const ON_RESET: bool = false;

const MS: u64 = 1_000;
const fn int(min: i64, max: i64) -> SettingKind {
    SettingKind::Int { min, max }
}
const fn ms_range(min_ms: u64, max_ms: u64) -> SettingKind {
    SettingKind::Duration {
        unit_us: MS,
        min_us: min_ms * MS,
        max_us: max_ms * MS,
        unlimited: false,
    }
}
/// A duration whose bare integer is microseconds (the simulator's own, `sim.*`).
const fn us_range(min_us: u64, max_us: u64) -> SettingKind {
    SettingKind::Duration {
        unit_us: 1,
        min_us,
        max_us,
        unlimited: false,
    }
}
/// A `*.ms` retention duration: `min_ms` or more, or -1 for no limit (capped at
/// `i64::MAX` microseconds, about 292,000 years).
const fn ms_or_unlimited(min_ms: u64) -> SettingKind {
    SettingKind::Duration {
        unit_us: MS,
        min_us: min_ms * MS,
        max_us: i64::MAX as u64,
        unlimited: true,
    }
}
const I64_MAX: i64 = i64::MAX;
const I32_MAX: i64 = i32::MAX as i64;
/// Longest duration the simulator accepts (a day) — longer ones would never fire in a run.
const DAY_MS: u64 = 86_400_000;

const ROW_COUNT: usize =
    producer::ROWS.len() + consumer::ROWS.len() + broker::ROWS.len() + sim::ROWS.len();
const ALL: [SettingDef; ROW_COUNT] =
    concat([producer::ROWS, consumer::ROWS, broker::ROWS, sim::ROWS]);

/// Every setting, in the order `streamscope run --help` lists them.
pub const SETTINGS: &[SettingDef] = &ALL;

/// The modules' rows one after the other.
const fn concat<const N: usize>(parts: [&[SettingDef]; 4]) -> [SettingDef; N] {
    let mut out = [parts[0][0]; N];
    let (mut i, mut k) = (0, 0);
    while k < parts.len() {
        let mut j = 0;
        while j < parts[k].len() {
            out[i] = parts[k][j];
            i += 1;
            j += 1;
        }
        k += 1;
    }
    out
}

/// The registry rows for `name` (a name can exist on several scopes).
pub fn lookup(name: &str) -> impl Iterator<Item = &'static SettingDef> + '_ {
    SETTINGS.iter().filter(move |d| d.name == name)
}

/// The rows a name stands for: every row of a bare name, else the one row a prefixed name
/// (`producer.`, `consumer.`, `topic.`, `broker.`) narrows to; empty when it is unknown.
pub(crate) fn resolve(name: &str) -> Vec<&'static SettingDef> {
    let rows: Vec<_> = lookup(name).collect();
    if !rows.is_empty() {
        return rows;
    }
    for scope in [
        Scope::Producer,
        Scope::Consumer,
        Scope::Topic,
        Scope::Broker,
    ] {
        if let Some(rest) = name.strip_prefix(scope.prefix()) {
            if let Some(def) = lookup(rest).find(|d| d.scope == scope) {
                return vec![def];
            }
        }
    }
    Vec::new()
}

/// Apply `name=value` to the config by the naming rule above.
pub fn set(cfg: &mut Config, name: &str, raw: &str) -> Result<(), ConfigError> {
    let name = name.trim();
    let rows = resolve(name);
    if rows.is_empty() {
        return Err(ConfigError::new(
            name,
            "unknown setting: see `streamscope run --help` for the list (Kafka's config names, with sim.* for what Kafka has no name for)",
        ));
    }
    for def in rows {
        let v = parse(def, raw)?;
        store(cfg, def, v, true)?;
    }
    Ok(())
}

/// Stores `raw` for one row as a default, not marked as set by the user: how the preset
/// departs from Kafka's defaults.
pub(crate) fn set_unmarked(
    cfg: &mut Config,
    def: &SettingDef,
    raw: &str,
) -> Result<(), ConfigError> {
    let v = parse(def, raw)?;
    store(cfg, def, v, false)
}

fn store(cfg: &mut Config, def: &SettingDef, v: Value, explicit: bool) -> Result<(), ConfigError> {
    def.access
        .set(cfg, &v, explicit)
        .map_err(|m| ConfigError::new(def.name, m))
}

/// Gives every setting of one part of a config (a producer, a consumer, the broker, ...) its
/// row's default, unmarked.
pub fn apply_defaults<P: Part>(part: &mut P) {
    for def in SETTINGS {
        if let Some(field) = P::field(&def.access) {
            let stored = parse(def, def.kafka_default())
                .map_err(|e| e.message)
                .and_then(|v| (field.set)(part, v, false));
            debug_assert!(
                stored.is_ok(),
                "{}: the registry's default is refused",
                def.name
            );
        }
    }
}

/// The current value of a setting as text, for controls and `--help`: of the first producer,
/// group or topic. A bare name on both the broker and topics answers the topic's value (what
/// the first topic runs with); a prefixed name (`broker.min.insync.replicas`) answers its own.
pub fn current(cfg: &Config, name: &str) -> Option<String> {
    let rows = resolve(name);
    let def = rows
        .iter()
        .find(|d| d.scope == Scope::Topic)
        .or(rows.first())?;
    def.access.get(cfg)
}

/// Whether a running simulation can take `name` live: producer settings (the producer is
/// recreated, as Kafka requires), what the application does (`sim.produce.rate`, keys,
/// value size, send mode), and `num.partitions` (partitions can be added to a live topic,
/// never removed). Everything else (brokers, other topic settings, groups) applies on reset.
/// Each row says which it is ([`SettingDef::live`]).
pub fn is_live(name: &str) -> bool {
    let bare = name.strip_prefix("producer.").unwrap_or(name);
    let bare = bare.strip_prefix("broker.").unwrap_or(bare);
    lookup(bare).any(|d| d.live)
}
