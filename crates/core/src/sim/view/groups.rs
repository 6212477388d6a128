//! A consumer group's rebalance as the page names it: the phase (Join, Assign, Sync, Stable,
//! or Empty / Dead) from the group's state at its coordinator and its members' states, the
//! rebalance protocol its members follow, how far the members are through the phase, and what
//! a member does with its partitions while the group rebalances.

use crate::config::RebalanceProtocol;
use crate::consumer::group::{Group, GroupState};
use crate::consumer::{Consumer, MemberState};
use crate::sim::Sim;

/// A rebalance phase as the page names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum GroupPhase {
    /// No members.
    Empty,
    /// PreparingRebalance: members send JoinGroup (eager members revoked everything first).
    Join,
    /// CompletingRebalance until the leader's SyncGroup leaves: the leader runs the assignor.
    Assign,
    /// SyncGroup: the leader's assignment goes to the coordinator and out to every member.
    Sync,
    /// Every member has its assignment.
    Stable,
    Dead,
}

impl GroupPhase {
    /// The four phases of a rebalance, in order.
    pub const CYCLE: [GroupPhase; 4] = [
        GroupPhase::Join,
        GroupPhase::Assign,
        GroupPhase::Sync,
        GroupPhase::Stable,
    ];

    /// Whether the group is in a rebalance (Join, Assign or Sync).
    pub fn is_rebalancing(self) -> bool {
        matches!(
            self,
            GroupPhase::Join | GroupPhase::Assign | GroupPhase::Sync
        )
    }
}

/// How far a group's members are: how many it has, how many have sent their JoinGroup in
/// this round, how many are not waiting for their SyncGroup response.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupProgress {
    pub members: usize,
    pub joined: usize,
    pub synced: usize,
}

/// What a member does with its partitions while its group rebalances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberRebalance {
    /// The leader, running the assignor.
    Assigns,
    /// Cooperative: it keeps its partitions (this many) while the group rebalances.
    Keeps { partitions: usize },
    /// Eager: it has revoked every partition.
    Revoked,
    /// Eager: it still holds partitions it is about to revoke.
    WillRevoke,
}

impl Sim {
    fn member_state(&self, c: u32) -> Option<MemberState> {
        self.consumers.get(c as usize).map(|c| c.state)
    }

    /// The phase of group `g`, from its state at its coordinator and its members' states:
    /// CompletingRebalance is Assign until the leader (having its JoinGroup response) sends
    /// SyncGroup with the assignment, then Sync until every member has received its
    /// SyncGroup response.
    pub fn group_phase(&self, g: &Group) -> GroupPhase {
        let syncing = |c: u32| self.member_state(c) == Some(MemberState::Syncing);
        match g.state {
            GroupState::Empty => GroupPhase::Empty,
            GroupState::Dead => GroupPhase::Dead,
            GroupState::PreparingRebalance => GroupPhase::Join,
            GroupState::CompletingRebalance => match g.leader_consumer() {
                Some(c) if syncing(c) => GroupPhase::Sync,
                _ => GroupPhase::Assign,
            },
            GroupState::Stable => {
                if g.members.iter().any(|m| syncing(m.consumer)) {
                    GroupPhase::Sync
                } else {
                    GroupPhase::Stable
                }
            }
        }
    }

    /// The rebalance protocol group `g`'s members follow (each from its own
    /// partition.assignment.strategy): `eager`, `cooperative`, `mixed`, or `None` without
    /// members.
    pub fn group_rebalance_protocol(&self, g: &Group) -> Option<&'static str> {
        let mut kinds = g.members.iter().filter_map(|m| {
            self.consumers
                .get(m.consumer as usize)
                .map(|c| c.strategies.rebalance_protocol())
        });
        let first = kinds.next()?;
        Some(if kinds.any(|k| k != first) {
            "mixed"
        } else if first == RebalanceProtocol::Cooperative {
            "cooperative"
        } else {
            "eager"
        })
    }

    /// How far group `g`'s members are through the join and the sync.
    pub fn group_progress(&self, g: &Group) -> GroupProgress {
        GroupProgress {
            members: g.members.len(),
            joined: g.members.iter().filter(|m| m.joined).count(),
            synced: g
                .members
                .iter()
                .filter(|m| self.member_state(m.consumer) != Some(MemberState::Syncing))
                .count(),
        }
    }

    /// What member `c` does with its partitions while its group rebalances (`None` when the
    /// group does not rebalance or the member takes no part).
    pub fn member_rebalance(&self, c: &Consumer) -> Option<MemberRebalance> {
        let g = self.groups().get(c.group as usize)?;
        let phase = self.group_phase(g);
        let taking_part = matches!(
            c.state,
            MemberState::Joining | MemberState::Syncing | MemberState::Unjoined
        );
        if !phase.is_rebalancing() || !taking_part {
            return None;
        }
        Some(
            if g.leader_consumer() == Some(c.index) && phase == GroupPhase::Assign {
                MemberRebalance::Assigns
            } else if c.strategies.rebalance_protocol() == RebalanceProtocol::Cooperative {
                MemberRebalance::Keeps {
                    partitions: c.assignment.len(),
                }
            } else if c.assignment.is_empty() {
                MemberRebalance::Revoked
            } else {
                MemberRebalance::WillRevoke
            },
        )
    }
}
