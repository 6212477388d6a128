//! SyncGroup (the leader's assignment handed to every member), Heartbeat (REBALANCE_IN_PROGRESS
//! tells a member to rejoin), LeaveGroup, and session expiry at the group coordinator.

use crate::coordinator::group::context::GroupCtx;
use crate::coordinator::group::state::{GroupCoordinators, GroupState, GroupTimer};
use crate::event::{Delivery, Event, RebalanceReason};
use crate::net::{Body, GroupError, TopicPartitionId};
use crate::time::SimTime;
use alloc::string::String;
use alloc::vec::Vec;

impl GroupCoordinators {
    /// SyncGroup at the coordinator (`classicGroupSync`): an unknown member, a stale
    /// generation or a rebalance in progress is refused; during CompletingRebalance the
    /// member waits for the leader's assignment; afterwards it gets its assignment at once.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn coordinator_sync(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        consumer: u32,
        member_id: String,
        generation: u32,
        assignment: Option<Vec<(String, Vec<TopicPartitionId>)>>,
    ) -> Delivery {
        let now = ctx.now;
        let session_us = ctx.timeouts(group).session_us;
        let g = self.group_mut(group);
        let error = if g.member(&member_id).is_none() {
            Some(GroupError::UnknownMemberId)
        } else if generation != g.generation {
            Some(GroupError::IllegalGeneration)
        } else if g.state == GroupState::PreparingRebalance {
            Some(GroupError::RebalanceInProgress)
        } else {
            None
        };
        if let Some(error) = error {
            self.sync_reply(
                ctx,
                group,
                consumer,
                member_id,
                generation,
                Vec::new(),
                Some(error),
            );
            return Delivery::GroupRefused { error };
        }
        if let Some(m) = g.member_mut(&member_id) {
            m.session_deadline = now.plus(session_us);
        }
        if g.state != GroupState::CompletingRebalance {
            let assignment = g
                .member(&member_id)
                .map(|m| m.assignment.clone())
                .unwrap_or_default();
            self.sync_reply(
                ctx, group, consumer, member_id, generation, assignment, None,
            );
            return Delivery::Group;
        }
        if let Some(m) = g.member_mut(&member_id) {
            m.awaiting_sync = true;
        }
        let from_leader = g.leader.as_deref() == Some(member_id.as_str());
        let Some(a) = assignment.filter(|_| from_leader) else {
            // A follower (or a leader's retry with no assignment) waits for the leader's.
            return Delivery::Group;
        };
        self.set_and_propagate_assignment(ctx, group, generation, a)
    }

    /// A SyncGroup response to consumer `to`.
    #[allow(clippy::too_many_arguments)]
    fn sync_reply(
        &self,
        ctx: &mut GroupCtx,
        group: u32,
        to: u32,
        member_id: String,
        generation: u32,
        assignment: Vec<TopicPartitionId>,
        error: Option<GroupError>,
    ) {
        self.coordinator_reply(
            ctx,
            group,
            to,
            Body::SyncGroupResponse {
                member_id,
                generation,
                assignment,
                error,
            },
        );
    }

    /// `setAndPropagateAssignment`: the leader's assignment is every member's, the group is
    /// Stable (and written to the log), and the members waiting for it are answered.
    fn set_and_propagate_assignment(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        generation: u32,
        a: Vec<(String, Vec<TopicPartitionId>)>,
    ) -> Delivery {
        let g = &mut self.groups[group as usize];
        for m in &mut g.members {
            m.assignment = a
                .iter()
                .find(|(id, _)| *id == m.member_id)
                .map(|(_, tps)| tps.clone())
                .unwrap_or_default();
        }
        g.state = GroupState::Stable;
        g.store();
        let replies: Vec<(u32, String, Vec<TopicPartitionId>)> = g
            .members
            .iter_mut()
            .filter(|m| m.awaiting_sync)
            .map(|m| {
                m.awaiting_sync = false;
                (m.consumer, m.member_id.clone(), m.assignment.clone())
            })
            .collect();
        let n = g.members.len() as u32;
        for (c, member_id, assignment) in replies {
            self.sync_reply(ctx, group, c, member_id, generation, assignment, None);
        }
        Delivery::GroupStable {
            group,
            generation,
            members: n,
        }
    }

    pub(crate) fn coordinator_heartbeat(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        consumer: u32,
        member_id: String,
        generation: u32,
    ) -> Delivery {
        let now = ctx.now;
        let session_us = ctx.timeouts(group).session_us;
        let g = self.group_mut(group);
        let state = g.state;
        let gen = g.generation;
        let error = match g.member_mut(&member_id) {
            None => Some(GroupError::UnknownMemberId),
            Some(m) => {
                m.session_deadline = now.plus(session_us);
                if generation != gen {
                    Some(GroupError::IllegalGeneration)
                } else if state == GroupState::PreparingRebalance {
                    Some(GroupError::RebalanceInProgress)
                } else {
                    None
                }
            }
        };
        self.coordinator_reply(
            ctx,
            group,
            consumer,
            Body::HeartbeatResponse { member_id, error },
        );
        error.map_or(Delivery::Group, |error| Delivery::GroupRefused { error })
    }

    /// `removeMemberAndUpdateGroup` (LeaveGroup or session expiry): a Stable or
    /// CompletingRebalance group rebalances; a rebalancing one may now be complete.
    pub(crate) fn remove_member(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        member_id: &str,
        expired: bool,
    ) -> Option<Delivery> {
        let rebalance_us = ctx.timeouts(group).rebalance_us;
        let g = self.group_mut(group);
        // No such member (a LeaveGroup of a member already removed): nothing to do.
        let i = g.members.iter().position(|m| m.member_id == member_id)?;
        let m = g.members.remove(i);
        let gen = g.generation;
        let reason = if expired {
            RebalanceReason::SessionExpired {
                consumer: m.consumer,
            }
        } else {
            RebalanceReason::MemberLeft {
                consumer: m.consumer,
            }
        };
        match g.state {
            GroupState::Stable | GroupState::CompletingRebalance => {
                self.prepare_rebalance(ctx, group, rebalance_us);
                self.maybe_complete_join(ctx, group);
                Some(Delivery::RebalanceTriggered {
                    group,
                    generation: gen,
                    reason,
                })
            }
            GroupState::PreparingRebalance => {
                self.maybe_complete_join(ctx, group);
                Some(Delivery::Group)
            }
            _ => Some(Delivery::Group),
        }
    }

    /// A member's session timer: expire it if nothing came within session.timeout.ms (members
    /// waiting in a join or sync phase are kept alive by it).
    pub(crate) fn on_session_expire(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        handle: u64,
        at: SimTime,
    ) -> Option<Event> {
        let now = ctx.now;
        let session_us = ctx.timeouts(group).session_us;
        if !self.coordinator_running(ctx, group) {
            return None; // the next coordinator restarts the session timers when it loads
        }
        let g = self.group_mut(group);
        let state = g.state;
        // The member left, or a load gave it a new handle: a stale timer.
        let m = g.members.iter_mut().find(|m| m.handle == handle)?;
        let waiting = (state == GroupState::PreparingRebalance && m.joined)
            || (state == GroupState::CompletingRebalance && m.awaiting_sync);
        if waiting {
            m.session_deadline = now.plus(session_us);
        }
        if m.session_deadline > now {
            let next = m.session_deadline;
            ctx.out.timer(
                next,
                GroupTimer::SessionExpire {
                    group,
                    handle,
                    at: next,
                },
            );
            return None;
        }
        let _ = at;
        let (consumer, member_id) = (m.consumer, m.member_id.clone());
        let generation = g.generation;
        self.remove_member(ctx, group, &member_id, true);
        Some(Event::MemberExpired {
            group,
            consumer,
            generation,
        })
    }
}
