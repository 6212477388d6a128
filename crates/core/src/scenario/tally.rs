//! What a scenario's run went through: its events by kind and by Kafka error, and the records
//! leaders recognised as duplicates, counted by the player as it steps (the trace ring forgets).

use super::kinds::event_kind;
use crate::event::TraceEntry;
use crate::sim::view::event_words::error_name;
use alloc::collections::BTreeMap;

/// The events a scenario's run went through, by kind and by Kafka error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    kinds: BTreeMap<&'static str, u64>,
    errors: BTreeMap<&'static str, u64>,
    /// Records leaders answered as duplicates without appending them again.
    deduplicated: u64,
}

impl Tally {
    pub fn add(&mut self, entry: &TraceEntry) {
        *self.kinds.entry(event_kind(&entry.event)).or_default() += 1;
        if let Some(e) = error_name(&entry.event) {
            *self.errors.entry(e).or_default() += 1;
        }
        if let crate::event::Event::Delivered {
            detail: crate::event::Delivery::Appended { duplicates, .. },
            ..
        } = entry.event
        {
            self.deduplicated += u64::from(duplicates);
        }
    }

    /// Records the leaders recognised as duplicates (by producer id and sequence) so far.
    pub fn deduplicated(&self) -> u64 {
        self.deduplicated
    }

    /// Events of `kind` so far.
    pub fn events(&self, kind: &str) -> u64 {
        self.kinds.get(kind).copied().unwrap_or(0)
    }

    /// Events carrying Kafka's error `name` so far.
    pub fn errors(&self, name: &str) -> u64 {
        self.errors.get(name).copied().unwrap_or(0)
    }
}
