//! `partition.assignment.strategy`: a consumer's assignors in order of preference, as Kafka's
//! class names or short names, and the rebalance protocol the list implies (eager, or KIP-429's
//! cooperative protocol when every assignor supports it).

use crate::assignor::AssignorKind;
use alloc::string::String;
use alloc::vec::Vec;

/// `partition.assignment.strategy`: a consumer's assignors in order of preference (at most
/// the four Kafka ships, no repeats). Kafka takes class names; short names stand for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StrategyList {
    kinds: [AssignorKind; 4],
    len: u8,
}

/// The Kafka class behind each short assignor name.
pub const ASSIGNOR_CLASSES: [(AssignorKind, &str); 4] = [
    (
        AssignorKind::Range,
        "org.apache.kafka.clients.consumer.RangeAssignor",
    ),
    (
        AssignorKind::RoundRobin,
        "org.apache.kafka.clients.consumer.RoundRobinAssignor",
    ),
    (
        AssignorKind::Sticky,
        "org.apache.kafka.clients.consumer.StickyAssignor",
    ),
    (
        AssignorKind::CooperativeSticky,
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
    ),
];

/// Which rebalance protocol a consumer follows (`ConsumerPartitionAssignor.RebalanceProtocol`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum RebalanceProtocol {
    /// Revoke every partition before joining.
    Eager,
    /// KIP-429: keep what stays; give up only what moves, then rebalance again.
    Cooperative,
}

impl StrategyList {
    /// Kafka 4.x's default: `[RangeAssignor, CooperativeStickyAssignor]` (`ConsumerConfig`).
    pub const KAFKA_DEFAULT: StrategyList = StrategyList {
        kinds: [
            AssignorKind::Range,
            AssignorKind::CooperativeSticky,
            AssignorKind::Range,
            AssignorKind::Range,
        ],
        len: 2,
    };

    /// A list of assignors; `None` when empty or with a repeat.
    pub fn new(kinds: &[AssignorKind]) -> Option<StrategyList> {
        if kinds.is_empty() || kinds.len() > 4 {
            return None;
        }
        let mut out = StrategyList {
            kinds: [AssignorKind::Range; 4],
            len: 0,
        };
        for &k in kinds {
            if out.as_slice().contains(&k) {
                return None;
            }
            out.kinds[out.len as usize] = k;
            out.len += 1;
        }
        Some(out)
    }

    pub fn as_slice(&self) -> &[AssignorKind] {
        &self.kinds[..self.len as usize]
    }

    /// Parses a comma list of Kafka class names or short names (`range`, `roundrobin`,
    /// `sticky`, `cooperative-sticky`).
    pub fn parse(raw: &str) -> Result<StrategyList, String> {
        let mut kinds = Vec::new();
        for part in raw.split(',') {
            let name = part.trim();
            if name.is_empty() {
                continue;
            }
            let kind = AssignorKind::from_name(name)
                .or_else(|| {
                    ASSIGNOR_CLASSES
                        .iter()
                        .find(|(_, class)| *class == name)
                        .map(|(k, _)| *k)
                })
                .ok_or_else(|| {
                    alloc::format!(
                        "'{name}' is not an assignor: expected a comma list of range, roundrobin, sticky, cooperative-sticky (or Kafka's class names, e.g. org.apache.kafka.clients.consumer.CooperativeStickyAssignor)"
                    )
                })?;
            if kinds.contains(&kind) {
                return Err(alloc::format!(
                    "'{name}' is listed twice: name each assignor once"
                ));
            }
            kinds.push(kind);
        }
        StrategyList::new(&kinds).ok_or_else(|| {
            String::from("at least one assignor is needed (Kafka refuses an empty partition.assignment.strategy for a subscribing consumer)")
        })
    }

    /// The protocol every assignor of the list supports, the highest one
    /// (`ConsumerCoordinator`'s constructor): cooperative only when every assignor is
    /// `CooperativeStickyAssignor`, the only built-in one that supports it.
    pub fn rebalance_protocol(&self) -> RebalanceProtocol {
        if self
            .as_slice()
            .iter()
            .all(|k| *k == AssignorKind::CooperativeSticky)
        {
            RebalanceProtocol::Cooperative
        } else {
            RebalanceProtocol::Eager
        }
    }

    /// `range,cooperative-sticky`.
    pub fn display(&self) -> String {
        let names: Vec<&str> = self.as_slice().iter().map(|k| k.name()).collect();
        names.join(",")
    }
}
