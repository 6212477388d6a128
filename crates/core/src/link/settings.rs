//! A run's start config as the link's settings: the registry rows whose value differs from the
//! preset's, or which the run's config marks as set by the user (Kafka's rules read that:
//! an explicit `enable.idempotence=true` with `acks=1` is an error, an unset one quietly turns
//! off), each under the name that addresses its row alone, in registry order. What no setting
//! expresses (another number of topics, producers or groups, one producer unlike the others)
//! is an error naming that part: a link never stands for another run.

use super::LinkError;
use crate::config::settings::{lookup, SettingDef};
use crate::config::{Config, SETTINGS};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The name that addresses exactly this row: its own when no other row has it, else with its
/// scope's prefix (`topic.` + the topic row's name).
pub(super) fn key(def: &SettingDef) -> String {
    if lookup(def.name).count() > 1 {
        format!("{}{}", def.scope.prefix(), def.name)
    } else {
        String::from(def.name)
    }
}

/// The settings that give `start` when set on the preset, in registry order.
pub(super) fn settings_of(start: &Config) -> Result<Vec<(String, String)>, LinkError> {
    let mut built = Config::preset();
    let mut out = Vec::new();
    for def in SETTINGS {
        let Some(want) = def.access.get(start) else {
            continue;
        };
        let name = key(def);
        let mut next = built.clone();
        next.set(&name, &want).map_err(|e| {
            LinkError::new(
                format!("set ({name})"),
                format!("the run's value '{want}' is not taken back: {}", e.message),
            )
        })?;
        if next == built {
            continue;
        }
        let differs = def.access.get(&built).as_deref() != Some(want.as_str());
        if differs || set_by_user(start, &name, &want) {
            built = next;
            out.push((name, want));
        }
    }
    if built != *start {
        return Err(unexpressed(start, &built));
    }
    Ok(out)
}

/// Whether `cfg` holds `name=value` as set by the user: setting it again changes nothing.
fn set_by_user(cfg: &Config, name: &str, value: &str) -> bool {
    let mut again = cfg.clone();
    again.set(name, value).is_ok() && again == *cfg
}

/// The first part of `start` that the settings (`built`) do not give, as an error.
fn unexpressed(start: &Config, built: &Config) -> LinkError {
    const NO_SETTING: &str = "a link holds the preset's world and settings, and no setting adds, \
                              removes or renames one";
    const ALIKE: &str = "a setting sets every one of its kind alike, and a link holds settings";
    let count = |part: &str, run: usize, preset: usize| {
        LinkError::new(
            part,
            format!("the run has {run} where the preset has {preset}: {NO_SETTING}"),
        )
    };
    let (s, b) = (start, built);
    if s.topics.len() != b.topics.len() {
        return count("topics", s.topics.len(), b.topics.len());
    }
    if s.producers.len() != b.producers.len() {
        return count("producers", s.producers.len(), b.producers.len());
    }
    if s.groups.len() != b.groups.len() {
        return count("groups", s.groups.len(), b.groups.len());
    }
    let first = |n: usize, same: &dyn Fn(usize) -> bool| (0..n).find(|&i| !same(i));
    if let Some(i) = first(s.topics.len(), &|i| s.topics[i] == b.topics[i]) {
        let t = &s.topics[i];
        let why = if t.name == b.topics[i].name {
            "its settings differ from what the settings give (a topic's partition count is \
             the broker's num.partitions)"
        } else {
            NO_SETTING
        };
        return LinkError::new(
            format!("topics[{i}] ({})", t.name),
            format!("{why}: {ALIKE}"),
        );
    }
    if let Some(i) = first(s.producers.len(), &|i| s.producers[i] == b.producers[i]) {
        let p = &s.producers[i];
        return LinkError::new(
            format!("producers[{i}] ({})", p.client_id),
            format!("it differs from what the settings give: {ALIKE}"),
        );
    }
    if let Some(i) = first(s.groups.len(), &|i| s.groups[i] == b.groups[i]) {
        let g = &s.groups[i];
        return LinkError::new(
            format!("groups[{i}] ({})", g.group_id),
            format!("it differs from what the settings give: {ALIKE}"),
        );
    }
    LinkError::new(
        "config",
        "the broker, world or pipeline settings differ in a way no setting expresses",
    )
}
