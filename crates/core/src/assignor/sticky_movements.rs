//! `PartitionMovements` of the general sticky assignment: which partitions moved between which
//! members during balancing, so that a move that would undo stickiness is recognised.

use super::java::JavaHashMap;
use super::{Group, Tp};
use crate::assignor::npe;
use crate::assignor::AssignError;
use crate::assignor::Vec;
use alloc::collections::BTreeMap;

/// `PartitionMovements`.
pub(crate) struct Movements {
    /// topic -> (src, dst) -> partitions moved that way (a `HashSet<TopicPartition>`).
    pub(crate) by_topic: BTreeMap<u32, BTreeMap<(u32, u32), JavaHashMap<Tp>>>,
    /// partition -> (src, dst).
    pub(crate) moves: BTreeMap<Tp, (u32, u32)>,
}

impl Movements {
    pub(crate) fn new() -> Self {
        Movements {
            by_topic: BTreeMap::new(),
            moves: BTreeMap::new(),
        }
    }

    pub(crate) fn remove_record(&mut self, group: &Group, tp: Tp) -> Option<(u32, u32)> {
        let pair = self.moves.remove(&tp)?;
        let (topic, _) = group.tp(tp);
        if let Some(per_topic) = self.by_topic.get_mut(&topic) {
            if let Some(set) = per_topic.get_mut(&pair) {
                set.remove(group.tp_hash(tp), tp);
                if set.is_empty() {
                    per_topic.remove(&pair);
                }
            }
            if per_topic.is_empty() {
                self.by_topic.remove(&topic);
            }
        }
        Some(pair)
    }

    pub(crate) fn add_record(&mut self, group: &Group, tp: Tp, pair: (u32, u32)) {
        self.moves.insert(tp, pair);
        let (topic, _) = group.tp(tp);
        self.by_topic
            .entry(topic)
            .or_default()
            .entry(pair)
            .or_default()
            .insert(group.tp_hash(tp), tp);
    }

    pub(crate) fn move_partition(&mut self, group: &Group, tp: Tp, old: u32, new: u32) {
        if self.moves.contains_key(&tp) {
            if let Some(existing) = self.remove_record(group, tp) {
                if existing.0 != new {
                    self.add_record(group, tp, (existing.0, new));
                }
            }
        } else {
            self.add_record(group, tp, (old, new));
        }
    }

    pub(crate) fn actual_partition_to_move(&self, group: &Group, tp: Tp, old: u32, new: u32) -> Tp {
        let (topic, _) = group.tp(tp);
        let Some(per_topic) = self.by_topic.get(&topic) else {
            // As Kafka: no movement of this topic recorded yet, the partition itself moves.
            return tp;
        };
        let old = match self.moves.get(&tp) {
            Some(&(src, _)) => src,
            None => old,
        };
        match per_topic.get(&(new, old)) {
            Some(set) => set.first().unwrap_or(tp),
            None => tp,
        }
    }
}

pub(crate) fn assignment_size(current: &[Option<Vec<Tp>>], m: u32) -> Result<usize, AssignError> {
    match current.get(m as usize) {
        Some(Some(list)) => Ok(list.len()),
        _ => Err(npe("a member missing from currentAssignment is read")),
    }
}

pub(crate) fn kafka_no_such_element() -> AssignError {
    super::kafka_exception(
        "java.util.NoSuchElementException",
        "no member left to balance",
    )
}
