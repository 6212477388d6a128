//! Where a step pauses: the `until` vocabulary (README.md has the table). An event of a kind
//! or a timeline mark (`kinds`), a time, a time after the step began, or a claim becoming true.
//! Each is checked after every event the step plays.

use super::claim::Expr;
use super::kinds::{Filter, EVENT_KINDS, MARK_KINDS};
use crate::time::SimTime;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// A step's condition.
#[derive(Clone, Debug)]
pub enum Until {
    /// The `nth` event (from 1) of `kind` the step plays that passes every filter.
    Event {
        kind: String,
        nth: u32,
        filters: Vec<Filter>,
    },
    /// The same for a timeline mark's kind.
    Mark {
        kind: String,
        nth: u32,
        filters: Vec<Filter>,
    },
    /// The clock at this time (from the world's start).
    Time(SimTime),
    /// The clock this long after the step began, in microseconds.
    After(u64),
    /// The first moment (after an event, or at once) the claim holds.
    When(Expr),
}

/// `500ms`, `2s`, `1500us`: microseconds.
pub fn duration_us(text: &str) -> Result<u64, String> {
    let (digits, scale) = if let Some(d) = text.strip_suffix("us") {
        (d, 1)
    } else if let Some(d) = text.strip_suffix("ms") {
        (d, 1_000)
    } else if let Some(d) = text.strip_suffix('s') {
        (d, 1_000_000)
    } else {
        return Err(format!("'{text}': a time is <n>us, <n>ms or <n>s"));
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("'{text}': a time is <n>us, <n>ms or <n>s"))
}

impl Until {
    /// Reads a condition (the README's `until` table).
    pub fn parse(text: &str) -> Result<Until, String> {
        let text = text.trim();
        let (word, rest) = text.split_once(' ').unwrap_or((text, ""));
        let rest = rest.trim();
        match word {
            "event" | "mark" => {
                let mut words = rest.split_whitespace();
                let kind = words.next().unwrap_or("");
                let known = if word == "event" {
                    EVENT_KINDS
                } else {
                    MARK_KINDS
                };
                if !known.contains(&kind) {
                    return Err(format!(
                        "'{kind}' is not a {word} kind: one of {}",
                        known.join(", ")
                    ));
                }
                let (nth, filters) = nth_and_filters(words)?;
                let kind = kind.to_string();
                Ok(if word == "event" {
                    Until::Event { kind, nth, filters }
                } else {
                    Until::Mark { kind, nth, filters }
                })
            }
            "time" => Ok(Until::Time(SimTime(duration_us(rest)?))),
            "after" => Ok(Until::After(duration_us(rest)?)),
            "when" => Ok(Until::When(Expr::parse(rest)?)),
            _ => Err(format!(
                "'{text}': expected event <kind> [x<n>] [filters], mark <kind> [x<n>] \
                 [filters], time <t>, after <t> or when <claim>"
            )),
        }
    }
}

fn nth_and_filters<'a>(words: impl Iterator<Item = &'a str>) -> Result<(u32, Vec<Filter>), String> {
    let mut nth = 1;
    let mut filters = Vec::new();
    for w in words {
        if let Some(n) = w.strip_prefix('x') {
            nth = n
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("'{w}': x<n> counts from 1"))?;
            continue;
        }
        filters.push(Filter::parse(w)?);
    }
    Ok((nth, filters))
}
