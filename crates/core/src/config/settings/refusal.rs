//! Why a setting's text is refused, as data (Kafka's `ConfigException` names the setting and
//! the value; here also which of the registry's rules it broke and the allowed range), so a
//! front end can say it in its own words and language. Read-only: it asks the same rows
//! [`super::set`] parses with and changes nothing. The English sentence stays
//! [`super::super::ConfigError`]'s message.

use super::value::split_unit;
use super::{parse, resolve, SettingKind};
use alloc::string::String;

/// Which rule of the registry a value broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// No setting has this name (bare or with a `producer.` / `consumer.` / `topic.` /
    /// `broker.` prefix).
    Unknown,
    /// Not of the setting's type (not an integer, not a duration, not one of the values).
    NotValid,
    /// Of the right type but outside the range.
    OutOfRange,
    /// Longer than the 249 characters a name may have.
    TooLong,
    /// Parsed, but the setting's own field refused it (e.g. `compression.gzip.level=0`):
    /// only the English message says why.
    Refused,
}

/// A refused `name=value`: the setting as the registry names it, the text as typed (trimmed),
/// the rule broken and the setting's kind (type and range; `None` for an unknown name).
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub setting: String,
    pub raw: String,
    pub problem: Problem,
    pub kind: Option<SettingKind>,
}

/// Why `name=raw` is refused by the registry alone, or `None` when every row it names
/// takes it (a refusal then comes from a rule across settings, `Config::validate`).
pub fn refusal(name: &str, raw: &str) -> Option<Refusal> {
    let (name, raw) = (name.trim(), raw.trim());
    let rows = resolve(name);
    if rows.is_empty() {
        return Some(Refusal {
            setting: String::from(name),
            raw: String::from(raw),
            problem: Problem::Unknown,
            kind: None,
        });
    }
    let mut cfg = crate::Config::preset();
    for def in &rows {
        let problem = match parse(def, raw) {
            Err(_) => classify(def.kind, raw),
            Ok(v) => match def.access.set(&mut cfg, &v, true) {
                Ok(()) => continue,
                Err(_) => Problem::Refused,
            },
        };
        return Some(Refusal {
            setting: String::from(def.name),
            raw: String::from(raw),
            problem,
            kind: Some(def.kind),
        });
    }
    None
}

/// Whether text `parse` refused is of the kind's type (then out of its range) or not.
fn classify(kind: SettingKind, raw: &str) -> Problem {
    match kind {
        SettingKind::Int { .. } if raw.parse::<i64>().is_ok() => Problem::OutOfRange,
        SettingKind::Duration { unit_us, .. } => match split_unit(raw, unit_us) {
            Some((digits, _)) if digits.trim_start_matches('-').parse::<u64>().is_ok() => {
                Problem::OutOfRange
            }
            _ => Problem::NotValid,
        },
        SettingKind::Text => Problem::TooLong,
        _ => Problem::NotValid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::settings::producer::{
        ACKS, BATCH_SIZE, COMPRESSION_GZIP_LEVEL, COMPRESSION_TYPE, LINGER_MS, RETRIES,
        TRANSACTIONAL_ID,
    };

    fn problem(name: &str, raw: &str) -> Option<Problem> {
        refusal(name, raw).map(|r| r.problem)
    }

    #[test]
    fn each_rule_is_named() {
        assert_eq!(problem(BATCH_SIZE.name, "-1"), Some(Problem::OutOfRange));
        assert_eq!(problem(BATCH_SIZE.name, "abc"), Some(Problem::NotValid));
        assert_eq!(problem(LINGER_MS.name, "abc"), Some(Problem::NotValid));
        assert_eq!(problem(LINGER_MS.name, "2d"), Some(Problem::NotValid));
        assert_eq!(problem(LINGER_MS.name, "-5"), Some(Problem::OutOfRange));
        assert_eq!(
            problem(LINGER_MS.name, "90000000"),
            Some(Problem::OutOfRange)
        );
        assert_eq!(problem(ACKS.name, "2"), Some(Problem::NotValid));
        assert_eq!(problem("no.such.setting", "1"), Some(Problem::Unknown));
        assert_eq!(
            problem(COMPRESSION_GZIP_LEVEL.name, "0"),
            Some(Problem::Refused)
        );
        assert_eq!(
            problem(
                TRANSACTIONAL_ID.name,
                &alloc::string::String::from("x").repeat(250)
            ),
            Some(Problem::TooLong)
        );
        assert_eq!(problem(LINGER_MS.name, "20"), None);
        assert_eq!(
            problem(&alloc::format!("producer.{}", LINGER_MS.name), "1s"),
            None
        );
    }

    #[test]
    fn it_names_the_row_and_its_range() {
        let r = refusal(" batch.size ", " -1 ");
        let r = r.as_ref();
        assert_eq!(r.map(|r| r.setting.as_str()), Some(BATCH_SIZE.name));
        assert_eq!(r.map(|r| r.raw.as_str()), Some("-1"));
        assert_eq!(
            r.and_then(|r| r.kind),
            Some(SettingKind::Int {
                min: 0,
                max: i32::MAX as i64
            })
        );
    }

    #[test]
    fn it_agrees_with_set() {
        for (name, raw) in [
            (BATCH_SIZE.name, "-1"),
            (LINGER_MS.name, "abc"),
            (ACKS.name, "all"),
            (RETRIES.name, "3"),
            (COMPRESSION_TYPE.name, "zstd"),
            (COMPRESSION_TYPE.name, "brotli"),
        ] {
            let mut cfg = crate::Config::preset();
            let refused = super::super::set(&mut cfg, name, raw).is_err();
            assert_eq!(refusal(name, raw).is_some(), refused, "{name}={raw}");
        }
    }
}
