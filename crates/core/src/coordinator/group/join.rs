//! JoinGroup at the group coordinator (`ClassicGroup`, `GroupCoordinator`): a new member's
//! MEMBER_ID_REQUIRED round, the delayed initial join (group.initial.rebalance.delay.ms), the
//! join phase waiting for every known member up to the rebalance timeout, protocol voting
//! (`selectProtocol`), the leader's JoinGroup response with every member's metadata, static
//! members (`group.instance.id`) replacing their old member id.

use crate::coordinator::group::context::GroupCtx;
use crate::coordinator::group::state::{
    Group, GroupCoordinators, GroupMember, GroupState, GroupTimer, JoinRequest,
};
use crate::event::{Delivery, Event, RebalanceReason};
use crate::net::{Body, GroupError, JoinedMember};
use crate::time::SimTime;
use alloc::string::String;
use alloc::vec::Vec;

/// The members as the leader receives them, in join order.
pub(crate) fn joined_members(g: &Group) -> Vec<JoinedMember> {
    g.members
        .iter()
        .map(|m| JoinedMember {
            consumer: m.consumer,
            member_id: m.member_id.clone(),
            instance_id: m.instance_id.clone(),
            metadata: m.metadata.clone(),
        })
        .collect()
}

/// The group's timeouts a JoinGroup uses, in microseconds.
#[derive(Clone, Copy)]
struct JoinTimeouts {
    session_us: u64,
    rebalance_us: u64,
    /// group.initial.rebalance.delay.ms.
    delay_us: u64,
}

impl GroupCoordinators {
    /// JoinGroup at the coordinator (`classicGroupJoin`): an unknown member id is refused, a
    /// member whose protocols the others do not support too; then a static member replaces
    /// its old incarnation, a known member rejoins, or a new member is added.
    pub(crate) fn coordinator_join(&mut self, ctx: &mut GroupCtx, req: JoinRequest) -> Delivery {
        let timeouts = ctx.timeouts(req.group);
        let t = JoinTimeouts {
            session_us: timeouts.session_us,
            rebalance_us: timeouts.rebalance_us,
            delay_us: ctx.initial_rebalance_delay_us,
        };
        let g = self.group_mut(req.group);
        // A static member's earlier incarnation, still in the group under another member id.
        let replaced = req.instance_id.as_ref().and_then(|iid| {
            g.members
                .iter()
                .position(|m| m.instance_id.as_ref() == Some(iid) && m.member_id != req.member_id)
        });
        let known = g.member(&req.member_id).is_some();
        if !known && !req.new_member && replaced.is_none() {
            return self.refuse_join(ctx, req, GroupError::UnknownMemberId);
        }
        let others_support = {
            let mut probe = g.clone();
            probe.members.retain(|m| m.member_id != req.member_id);
            if let Some(i) = replaced {
                let id = &g.members[i].member_id;
                probe.members.retain(|m| &m.member_id != id);
            }
            probe.supports_protocols(&req.protocols)
        };
        if !others_support {
            return self.refuse_join(ctx, req, GroupError::InconsistentGroupProtocol);
        }
        if let Some(i) = replaced {
            self.update_static_member_and_rebalance(ctx, req, i, t)
        } else if known {
            self.update_member_and_rebalance(ctx, req, t)
        } else {
            self.add_member_and_rebalance(ctx, req, t)
        }
    }

    /// The JoinGroup is answered with `error`.
    fn refuse_join(&mut self, ctx: &mut GroupCtx, req: JoinRequest, error: GroupError) -> Delivery {
        self.join_error(ctx, req.group, req.consumer, req.member_id, error);
        Delivery::GroupRefused { error }
    }

    /// A JoinGroup answered with the group's current generation, protocol and leader, no
    /// rebalance (`members`: every member's metadata, for the leader).
    fn reply_current_generation(
        &self,
        ctx: &mut GroupCtx,
        group: u32,
        consumer: u32,
        member_id: String,
        members: Vec<JoinedMember>,
    ) {
        let g = &self.groups[group as usize];
        let (gen, protocol) = (g.generation, g.protocol);
        let leader = g.leader.clone().unwrap_or_default();
        self.coordinator_reply(
            ctx,
            group,
            consumer,
            Body::JoinGroupResponse {
                member_id,
                generation: gen,
                protocol,
                leader,
                members,
                error: None,
            },
        );
    }

    /// `maybePrepareRebalance` for a joining member: the group rebalances, this member has
    /// already rejoined.
    fn rebalance_for_join(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        member_id: &str,
        rebalance_us: u64,
        reason: RebalanceReason,
    ) -> Delivery {
        let gen = self.groups[group as usize].generation;
        self.prepare_rebalance(ctx, group, rebalance_us);
        if let Some(m) = self.groups[group as usize].member_mut(member_id) {
            m.joined = true;
        }
        self.maybe_complete_join(ctx, group);
        Delivery::RebalanceTriggered {
            group,
            generation: gen,
            reason,
        }
    }

    /// `updateStaticMemberAndRebalance` (KIP-345): the new process takes the place of the
    /// static member's old incarnation `i` (and its assignment).
    fn update_static_member_and_rebalance(
        &mut self,
        ctx: &mut GroupCtx,
        req: JoinRequest,
        i: usize,
        t: JoinTimeouts,
    ) -> Delivery {
        let now = ctx.now;
        let group = req.group;
        let g = &mut self.groups[group as usize];
        let m = &mut g.members[i];
        let old_id = core::mem::replace(&mut m.member_id, req.member_id.clone());
        m.consumer = req.consumer;
        m.protocols = req.protocols;
        m.metadata = req.metadata;
        m.session_deadline = now.plus(t.session_us);
        if g.leader.as_deref() == Some(old_id.as_str()) {
            g.leader = Some(req.member_id.clone());
        }
        match g.state {
            GroupState::Stable => {
                // No rebalance: the same generation and assignment (the new member id is
                // written to the log).
                g.store();
                self.reply_current_generation(ctx, group, req.consumer, req.member_id, Vec::new());
                Delivery::Group
            }
            GroupState::PreparingRebalance => {
                g.members[i].joined = true;
                self.maybe_complete_join(ctx, group);
                Delivery::Group
            }
            _ => {
                let reason = RebalanceReason::MemberJoined {
                    consumer: req.consumer,
                };
                self.rebalance_for_join(ctx, group, &req.member_id, t.rebalance_us, reason)
            }
        }
    }

    /// `updateMemberAndRebalance`: a known member rejoins; with the same metadata it is
    /// answered with the current generation, else the group rebalances.
    fn update_member_and_rebalance(
        &mut self,
        ctx: &mut GroupCtx,
        req: JoinRequest,
        t: JoinTimeouts,
    ) -> Delivery {
        let now = ctx.now;
        let group = req.group;
        let g = &mut self.groups[group as usize];
        let m = g
            .member_mut(&req.member_id)
            .expect("a known member: coordinator_join found it in the group");
        let changed = m.metadata != req.metadata || m.protocols != req.protocols;
        m.metadata = req.metadata;
        m.protocols = req.protocols;
        m.joined = true;
        m.session_deadline = now.plus(t.session_us);
        let is_leader = g.leader.as_deref() == Some(req.member_id.as_str());
        match g.state {
            GroupState::PreparingRebalance => {
                self.maybe_complete_join(ctx, group);
                Delivery::Group
            }
            GroupState::Stable | GroupState::CompletingRebalance
                if !(changed || is_leader && g.state == GroupState::Stable) =>
            {
                // Same metadata: answered with the current generation, no rebalance.
                let members = if is_leader {
                    joined_members(g)
                } else {
                    Vec::new()
                };
                self.reply_current_generation(ctx, group, req.consumer, req.member_id, members);
                Delivery::Group
            }
            _ => {
                let reason = RebalanceReason::MemberRejoined {
                    consumer: req.consumer,
                };
                self.rebalance_for_join(ctx, group, &req.member_id, t.rebalance_us, reason)
            }
        }
    }

    /// `addMemberAndRebalance`: a new member, with its session timer; an empty group waits
    /// group.initial.rebalance.delay.ms for more (`InitialDelayedJoin`), a stable one
    /// rebalances.
    fn add_member_and_rebalance(
        &mut self,
        ctx: &mut GroupCtx,
        req: JoinRequest,
        t: JoinTimeouts,
    ) -> Delivery {
        let now = ctx.now;
        let group = req.group;
        let g = &mut self.groups[group as usize];
        let handle = g.next_handle;
        g.next_handle += 1;
        let deadline = now.plus(t.session_us);
        g.members.push(GroupMember {
            consumer: req.consumer,
            member_id: req.member_id.clone(),
            instance_id: req.instance_id,
            protocols: req.protocols,
            metadata: req.metadata,
            session_deadline: deadline,
            joined: true,
            awaiting_sync: false,
            assignment: Vec::new(),
            handle,
        });
        ctx.out.timer(
            deadline,
            GroupTimer::SessionExpire {
                group,
                handle,
                at: deadline,
            },
        );
        let g = &mut self.groups[group as usize];
        match g.state {
            GroupState::Empty | GroupState::Dead => {
                // `InitialDelayedJoin`: wait group.initial.rebalance.delay.ms for more.
                g.state = GroupState::PreparingRebalance;
                g.initial_join = true;
                g.initial_join_started = now;
                g.initial_join_grew = false;
                let at = now.plus(t.delay_us);
                g.join_deadline = Some(at);
                ctx.out.timer(at, GroupTimer::JoinDeadline { group, at });
                Delivery::Group
            }
            GroupState::PreparingRebalance => {
                if g.initial_join {
                    g.initial_join_grew = true;
                } else {
                    self.maybe_complete_join(ctx, group);
                }
                Delivery::Group
            }
            GroupState::Stable | GroupState::CompletingRebalance => {
                let reason = RebalanceReason::MemberJoined {
                    consumer: req.consumer,
                };
                self.rebalance_for_join(ctx, group, &req.member_id, t.rebalance_us, reason)
            }
        }
    }

    /// `prepareRebalance`: every member must rejoin within the rebalance timeout
    /// (max.poll.interval.ms); members waiting for SyncGroup are told to rejoin.
    pub(crate) fn prepare_rebalance(&mut self, ctx: &mut GroupCtx, group: u32, rebalance_us: u64) {
        let now = ctx.now;
        let g = self.group_mut(group);
        g.state = GroupState::PreparingRebalance;
        g.initial_join = false;
        let mut waiting = Vec::new();
        for m in &mut g.members {
            m.joined = false;
            if m.awaiting_sync {
                m.awaiting_sync = false;
                waiting.push((m.consumer, m.member_id.clone()));
            }
        }
        let gen = g.generation;
        let at = now.plus(rebalance_us);
        g.join_deadline = Some(at);
        ctx.out.timer(at, GroupTimer::JoinDeadline { group, at });
        for (c, member_id) in waiting {
            self.coordinator_reply(
                ctx,
                group,
                c,
                Body::SyncGroupResponse {
                    member_id,
                    generation: gen,
                    assignment: Vec::new(),
                    error: Some(GroupError::RebalanceInProgress),
                },
            );
        }
    }

    /// Every member has rejoined: the join phase ends now.
    pub(crate) fn maybe_complete_join(&mut self, ctx: &mut GroupCtx, group: u32) {
        let at = ctx.now;
        let g = self.group_mut(group);
        if g.state == GroupState::PreparingRebalance
            && !g.initial_join
            && g.members.iter().all(|m| m.joined)
        {
            g.join_deadline = Some(at);
            ctx.out.timer(at, GroupTimer::JoinDeadline { group, at });
        }
    }

    /// The join phase ends: a new generation, the protocol the votes chose, the first member
    /// to join leads (the leader stays leader while it is a member).
    pub(crate) fn on_join_deadline(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        at: SimTime,
    ) -> Option<Event> {
        let t = ctx.timeouts(group);
        let (session_us, rebalance_us) = (t.session_us, t.rebalance_us);
        let delay_us = ctx.initial_rebalance_delay_us;
        if !self.coordinator_running(ctx, group) {
            return None; // its coordinator is down: the group's state died with it
        }
        let g = self.group_mut(group);
        if g.join_deadline != Some(at) || g.state != GroupState::PreparingRebalance {
            return None;
        }
        if self.extend_initial_join(ctx, group, rebalance_us, delay_us) {
            return None;
        }
        let g = &mut self.groups[group as usize];
        g.join_deadline = None;
        g.initial_join = false;
        // Members that did not rejoin within the rebalance timeout are removed.
        let before = g.members.len();
        g.members.retain(|m| m.joined);
        let removed = (before - g.members.len()) as u32;
        g.generation += 1;
        if g.members.is_empty() {
            g.state = GroupState::Empty;
            g.protocol = None;
            g.leader = None;
            g.store();
            return Some(Event::RebalanceJoined {
                group,
                generation: g.generation,
                leader: 0,
                members: 0,
                protocol: "",
                removed,
            });
        }
        Some(self.on_complete_join(ctx, group, session_us, removed))
    }

    /// `InitialDelayedJoin`: members kept arriving during the initial delay, so the join
    /// waits another delay, within the rebalance timeout. Returns whether it does.
    fn extend_initial_join(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        rebalance_us: u64,
        delay_us: u64,
    ) -> bool {
        let now = ctx.now;
        let g = &mut self.groups[group as usize];
        if !(g.initial_join && g.initial_join_grew) {
            return false;
        }
        let remaining = rebalance_us.saturating_sub(now.since(g.initial_join_started));
        if remaining == 0 || delay_us == 0 {
            return false;
        }
        g.initial_join_grew = false;
        let next = now.plus(delay_us.min(remaining));
        g.join_deadline = Some(next);
        ctx.out
            .timer(next, GroupTimer::JoinDeadline { group, at: next });
        true
    }

    /// `onCompleteJoin` for a group with members: the voted protocol, the leader, every
    /// member waits for its SyncGroup; each gets its JoinGroup response (the leader with
    /// every member's metadata).
    fn on_complete_join(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        session_us: u64,
        removed: u32,
    ) -> Event {
        let now = ctx.now;
        let g = &mut self.groups[group as usize];
        g.protocol = g.select_protocol();
        g.state = GroupState::CompletingRebalance;
        let leader_present = g
            .leader
            .as_deref()
            .is_some_and(|l| g.members.iter().any(|m| m.member_id == l));
        if !leader_present {
            g.leader = g.members.first().map(|m| m.member_id.clone());
        }
        for m in &mut g.members {
            m.awaiting_sync = false;
            m.joined = false;
            m.assignment.clear();
            m.session_deadline = now.plus(session_us);
        }
        let (gen, protocol) = (g.generation, g.protocol);
        let leader_consumer = g.leader_consumer().unwrap_or(0);
        let n = g.members.len() as u32;
        self.send_join_responses(ctx, group);
        Event::RebalanceJoined {
            group,
            generation: gen,
            leader: leader_consumer,
            members: n,
            protocol: protocol.map_or("", |k| k.name()),
            removed,
        }
    }

    /// Every member's JoinGroup response of the new generation, in join order.
    fn send_join_responses(&self, ctx: &mut GroupCtx, group: u32) {
        let g = &self.groups[group as usize];
        let leader = g.leader.clone().unwrap_or_default();
        let (gen, protocol) = (g.generation, g.protocol);
        let list = joined_members(g);
        let replies: Vec<(u32, String)> = g
            .members
            .iter()
            .map(|m| (m.consumer, m.member_id.clone()))
            .collect();
        for (c, member_id) in replies {
            let members = if member_id == leader {
                list.clone()
            } else {
                Vec::new()
            };
            self.coordinator_reply(
                ctx,
                group,
                c,
                Body::JoinGroupResponse {
                    member_id,
                    generation: gen,
                    protocol,
                    leader: leader.clone(),
                    members,
                    error: None,
                },
            );
        }
    }
}
