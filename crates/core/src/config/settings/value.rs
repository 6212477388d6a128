//! Parsing a setting's text by its kind and range: Kafka's `ConfigDef` validation (integers
//! in a range, booleans, one of a list, class lists), and durations, which Kafka writes as a
//! bare integer of its unit and the simulator also takes with a unit (`us`, `ms`, `s`, `m`).
//! Every error names the setting and says what is allowed.

use super::{SettingDef, SettingKind, MS};
use crate::config::{ConfigError, StrategyList};
use alloc::format;
use alloc::string::String;

/// The longest text a setting takes: Kafka's limit for a name (249, as for a topic name).
const MAX_TEXT_CHARS: usize = 249;

/// A parsed value, before it is stored.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    /// Microseconds.
    Duration(u64),
    Bool(bool),
    Enum(&'static str),
    /// `-1` for a duration that allows it: no limit.
    Unlimited,
    Assignors(StrategyList),
    /// Free text (`transactional.id`), trimmed.
    Text(String),
}

fn allowed(kind: SettingKind) -> String {
    match kind {
        SettingKind::Int { min, max } => format!("an integer from {min} to {max}"),
        SettingKind::Duration {
            unit_us,
            min_us,
            max_us,
            unlimited,
        } => {
            let unit = if unit_us == MS { "ms" } else { "us" };
            let or = if unlimited {
                ", or -1 for no limit"
            } else {
                ""
            };
            format!(
                "a duration from {} to {} (an integer in {unit}, or with a unit: us, ms, s, m){or}",
                fmt_us(min_us),
                fmt_us(max_us)
            )
        }
        SettingKind::Bool => String::from("true or false"),
        SettingKind::Enum(vals) => format!("one of {}", vals.join(", ")),
        SettingKind::AssignorList => String::from(
            "a comma list of range, roundrobin, sticky, cooperative-sticky (or Kafka's class names)",
        ),
        SettingKind::Text => String::from("text"),
    }
}

fn fmt_us(us: u64) -> String {
    if us.is_multiple_of(1_000_000) && us > 0 {
        format!("{}s", us / 1_000_000)
    } else if us.is_multiple_of(1_000) && us > 0 {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}

/// Parse `raw` for a setting; the error names the setting and what is allowed.
pub fn parse(def: &SettingDef, raw: &str) -> Result<Value, ConfigError> {
    let raw = raw.trim();
    let bad = || {
        ConfigError::new(
            def.name,
            format!("'{raw}' is not valid: expected {}", allowed(def.kind)),
        )
    };
    match def.kind {
        SettingKind::Int { min, max } => {
            let v: i64 = raw.parse().map_err(|_| bad())?;
            if v < min || v > max {
                return Err(ConfigError::new(
                    def.name,
                    format!("{v} is out of range: expected {}", allowed(def.kind)),
                ));
            }
            Ok(Value::Int(v))
        }
        SettingKind::Duration {
            unit_us,
            min_us,
            max_us,
            unlimited,
        } => {
            if unlimited && raw == "-1" {
                return Ok(Value::Unlimited);
            }
            parse_us(def, raw, unit_us, bad)
                .and_then(|us| {
                    (min_us..=max_us)
                        .contains(&us)
                        .then_some(us)
                        .ok_or_else(|| out_of_range(def, raw))
                })
                .map(Value::Duration)
        }
        SettingKind::Bool => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(bad()),
        },
        SettingKind::Enum(vals) => vals
            .iter()
            .find(|v| **v == raw)
            .map(|v| Value::Enum(v))
            .ok_or_else(bad),
        SettingKind::AssignorList => StrategyList::parse(raw)
            .map(Value::Assignors)
            .map_err(|m| ConfigError::new(def.name, m)),
        SettingKind::Text if raw.chars().count() > MAX_TEXT_CHARS => Err(ConfigError::new(
            def.name,
            format!("is too long: at most {MAX_TEXT_CHARS} characters (as a topic name)"),
        )),
        SettingKind::Text => Ok(Value::Text(String::from(raw))),
    }
}

/// A duration's microseconds (a bare integer is in `unit_us`); a negative one is out of range.
fn parse_us(
    def: &SettingDef,
    raw: &str,
    unit_us: u64,
    bad: impl Fn() -> ConfigError,
) -> Result<u64, ConfigError> {
    let (digits, mult) = split_unit(raw, unit_us).ok_or_else(&bad)?;
    let neg = digits.starts_with('-');
    let n: u64 = digits.trim_start_matches('-').parse().map_err(|_| bad())?;
    if neg && n != 0 {
        return Err(out_of_range(def, raw));
    }
    n.checked_mul(mult).ok_or_else(bad)
}

fn out_of_range(def: &SettingDef, raw: &str) -> ConfigError {
    ConfigError::new(
        def.name,
        format!("{raw} is out of range: expected {}", allowed(def.kind)),
    )
}

pub(super) fn split_unit(raw: &str, bare_unit_us: u64) -> Option<(&str, u64)> {
    for (suffix, mult) in [
        ("us", 1u64),
        ("ms", 1_000),
        ("s", 1_000_000),
        ("m", 60_000_000),
    ] {
        if let Some(d) = raw.strip_suffix(suffix) {
            // "ms" also ends with "s": try the longer suffixes first (the order above).
            if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                return Some((d, mult));
            }
        }
    }
    if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return Some((raw, bare_unit_us));
    }
    None
}

/// Parses a duration with a unit (`250us`, `5ms`, `10s`, `2m`) into microseconds: for
/// command-line flags such as `--until`, where a bare number would be ambiguous.
pub fn parse_duration_us(raw: &str) -> Result<u64, String> {
    let raw = raw.trim();
    let bad = || {
        format!("'{raw}' is not a duration: write an integer with a unit, e.g. 500ms, 10s, 2m (units: us, ms, s, m)")
    };
    if raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (digits, mult) = split_unit(raw, 0).ok_or_else(bad)?;
    if digits.starts_with('-') {
        return Err(format!("'{raw}' is negative: a duration must be 0 or more"));
    }
    let n: u64 = digits.parse().map_err(|_| bad())?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("'{raw}' is too long"))
}
