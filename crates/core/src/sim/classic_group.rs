//! The group coordinator's side of the classic group protocol (Kafka's `ClassicGroup` as
//! `GroupMetadataManager` drives it): JoinGroup with the empty group's delayed initial join,
//! protocol voting, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit validation, session expiry
//! and static members (KIP-345); TxnOffsetCommit (KIP-447) and the pending transactional
//! offsets that a transaction's end commits or drops.
//!
//! Which broker coordinates a group, FindCoordinator and the coordinator's failover are in
//! `sim::coordinator`.
//!
//! Simplified: one rebalance timeout and session timeout per group (Kafka takes each member's);
//! a static member that restarts while the group is Stable is given its old assignment without
//! a rebalance whatever its metadata (Kafka rebalances if its protocols changed); a static
//! leader's restart does not make it re-run the assignor (KIP-814's skipAssignment has the
//! same effect); FENCED_INSTANCE_ID is not answered (a replaced static member's old process is
//! always dead here).

use super::{Pending, Sim};
use crate::config::StrategyList;
use crate::consumer::group::{GroupMember, GroupState, JoinMetadata};
use crate::event::{Delivery, Event, RebalanceReason};
use crate::net::{Body, GroupError, JoinedMember, KafkaError, Node, TopicPartitionId};
use crate::time::SimTime;
use alloc::string::String;
use alloc::vec::Vec;

/// A JoinGroup request as the coordinator reads it.
pub(crate) struct JoinRequest {
    pub group: u32,
    pub consumer: u32,
    pub member_id: String,
    pub new_member: bool,
    pub instance_id: Option<String>,
    pub protocols: StrategyList,
    pub metadata: JoinMetadata,
}

impl Sim {
    pub(crate) fn group_timeouts(&self, group: u32) -> (u64, u64) {
        self.config
            .groups
            .get(group as usize)
            .map_or((45_000_000, 300_000_000), |g| {
                (
                    g.consumer.session_timeout_ms.value * 1000,
                    g.consumer.max_poll_interval_ms.value * 1000,
                )
            })
    }

    /// The coordinator's answer to consumer `to` in group `group`.
    pub(crate) fn coordinator_reply(&mut self, group: u32, to: u32, body: Body) {
        if let Some(g) = self.groups.get(group as usize) {
            let coord = g.coordinator;
            self.send(Node::Broker(coord), Node::Consumer(to), body);
        }
    }

    /// A group request at broker `broker`: FindCoordinator at any broker; the rest only at
    /// the group's coordinator (others answer NOT_COORDINATOR, see `sim::coordinator`).
    pub(crate) fn on_coordinator_request(
        &mut self,
        broker: u32,
        from: Node,
        body: Body,
    ) -> Delivery {
        let Node::Consumer(consumer) = from else {
            return Delivery::Group;
        };
        if let Some(d) = self.not_coordinator(broker, consumer, &body) {
            return d;
        }
        match body {
            Body::JoinGroup {
                group,
                member_id,
                new_member,
                instance_id,
                protocols,
                metadata,
                ..
            } => self.coordinator_join(JoinRequest {
                group,
                consumer,
                member_id,
                new_member,
                instance_id,
                protocols,
                metadata,
            }),
            Body::SyncGroup {
                group,
                member_id,
                generation,
                assignment,
                ..
            } => self.coordinator_sync(group, consumer, member_id, generation, assignment),
            Body::Heartbeat {
                group,
                member_id,
                generation,
                ..
            } => self.coordinator_heartbeat(group, consumer, member_id, generation),
            Body::LeaveGroup {
                group, member_id, ..
            } => {
                self.coordinator_reply(group, consumer, Body::LeaveGroupResponse);
                self.remove_member(group, &member_id, false)
                    .unwrap_or(Delivery::Group)
            }
            Body::OffsetFetch {
                group,
                partitions,
                require_stable,
                ..
            } => {
                let Some(g) = self.groups.get(group as usize) else {
                    return Delivery::Group;
                };
                // KIP-447: with requireStable, a partition whose transactional commit is
                // still pending is answered UNSTABLE_OFFSET_COMMIT (the client retries).
                let unstable = require_stable
                    && partitions.iter().any(|tp| {
                        g.pending_txn_offsets
                            .values()
                            .any(|offs| offs.contains_key(tp))
                    });
                let (offsets, error) = if unstable {
                    (Vec::new(), Some(GroupError::UnstableOffsetCommit))
                } else {
                    let offsets = partitions
                        .iter()
                        .map(|tp| (*tp, g.committed.get(tp).copied()))
                        .collect();
                    (offsets, None)
                };
                self.coordinator_reply(
                    group,
                    consumer,
                    Body::OffsetFetchResponse { offsets, error },
                );
                error.map_or(Delivery::Group, |error| Delivery::GroupRefused { error })
            }
            Body::OffsetCommit {
                group,
                member_id,
                generation,
                offsets,
                request_id,
                ..
            } => {
                self.coordinator_commit(group, consumer, member_id, generation, offsets, request_id)
            }
            _ => Delivery::Group,
        }
    }

    /// `validateOffsetCommit` for a group member: known member, current generation, and not
    /// between the join and the leader's assignment.
    pub(crate) fn coordinator_commit(
        &mut self,
        group: u32,
        consumer: u32,
        member_id: String,
        generation: u32,
        offsets: Vec<(TopicPartitionId, u64)>,
        request_id: u64,
    ) -> Delivery {
        let Some(g) = self.groups.get_mut(group as usize) else {
            return Delivery::Group;
        };
        let error = g.validate_offset_commit(&member_id, generation, None, false);
        if error.is_none() {
            for (tp, off) in &offsets {
                g.committed.insert(*tp, *off);
            }
        }
        self.coordinator_reply(
            group,
            consumer,
            Body::OffsetCommitResponse {
                offsets,
                error,
                request_id,
            },
        );
        error.map_or(Delivery::Group, |error| Delivery::GroupRefused { error })
    }

    pub(crate) fn join_error(
        &mut self,
        group: u32,
        consumer: u32,
        member_id: String,
        error: GroupError,
    ) {
        self.coordinator_reply(
            group,
            consumer,
            Body::JoinGroupResponse {
                member_id,
                generation: 0,
                protocol: None,
                leader: String::new(),
                members: Vec::new(),
                error: Some(error),
            },
        );
    }

    pub(crate) fn coordinator_join(&mut self, req: JoinRequest) -> Delivery {
        let now = self.now;
        let (session_us, rebalance_us) = self.group_timeouts(req.group);
        let delay_us = self.config.broker.group_initial_rebalance_delay_ms.value * 1000;
        let group = req.group;
        let Some(g) = self.groups.get_mut(group as usize) else {
            return Delivery::Group;
        };
        // A static member's earlier incarnation, still in the group under another member id.
        let replaced = req.instance_id.as_ref().and_then(|iid| {
            g.members
                .iter()
                .position(|m| m.instance_id.as_ref() == Some(iid) && m.member_id != req.member_id)
        });
        let known = g.member(&req.member_id).is_some();
        if !known && !req.new_member && replaced.is_none() {
            self.join_error(
                group,
                req.consumer,
                req.member_id,
                GroupError::UnknownMemberId,
            );
            return Delivery::GroupRefused {
                error: GroupError::UnknownMemberId,
            };
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
            self.join_error(
                group,
                req.consumer,
                req.member_id,
                GroupError::InconsistentGroupProtocol,
            );
            return Delivery::GroupRefused {
                error: GroupError::InconsistentGroupProtocol,
            };
        }

        if let Some(i) = replaced {
            // KIP-345: the new process takes the instance's place (and its assignment).
            let m = &mut g.members[i];
            let old_id = core::mem::replace(&mut m.member_id, req.member_id.clone());
            m.consumer = req.consumer;
            m.protocols = req.protocols;
            m.metadata = req.metadata;
            m.session_deadline = now.plus(session_us);
            if g.leader.as_deref() == Some(old_id.as_str()) {
                g.leader = Some(req.member_id.clone());
            }
            match g.state {
                GroupState::Stable => {
                    // No rebalance: the same generation and assignment (the new member id is
                    // written to the log).
                    g.store();
                    let (gen, protocol) = (g.generation, g.protocol);
                    let leader = g.leader.clone().unwrap_or_default();
                    self.coordinator_reply(
                        group,
                        req.consumer,
                        Body::JoinGroupResponse {
                            member_id: req.member_id,
                            generation: gen,
                            protocol,
                            leader,
                            members: Vec::new(),
                            error: None,
                        },
                    );
                    return Delivery::Group;
                }
                GroupState::PreparingRebalance => {
                    g.members[i].joined = true;
                    self.maybe_complete_join(group);
                    return Delivery::Group;
                }
                _ => {
                    let gen = g.generation;
                    self.prepare_rebalance(group, rebalance_us);
                    if let Some(m) = self.groups[group as usize].member_mut(&req.member_id) {
                        m.joined = true;
                    }
                    self.maybe_complete_join(group);
                    return Delivery::RebalanceTriggered {
                        group,
                        generation: gen,
                        reason: RebalanceReason::MemberJoined {
                            consumer: req.consumer,
                        },
                    };
                }
            }
        }

        if known {
            let Some(m) = g.member_mut(&req.member_id) else {
                return Delivery::Group;
            };
            let changed = m.metadata != req.metadata || m.protocols != req.protocols;
            m.metadata = req.metadata;
            m.protocols = req.protocols;
            m.joined = true;
            m.session_deadline = now.plus(session_us);
            let is_leader = g.leader.as_deref() == Some(req.member_id.as_str());
            match g.state {
                GroupState::PreparingRebalance => {
                    self.maybe_complete_join(group);
                    Delivery::Group
                }
                GroupState::Stable | GroupState::CompletingRebalance
                    if !(changed || is_leader && g.state == GroupState::Stable) =>
                {
                    // Same metadata: answered with the current generation, no rebalance.
                    let (gen, protocol) = (g.generation, g.protocol);
                    let leader = g.leader.clone().unwrap_or_default();
                    let members = if is_leader {
                        joined_members(g)
                    } else {
                        Vec::new()
                    };
                    self.coordinator_reply(
                        group,
                        req.consumer,
                        Body::JoinGroupResponse {
                            member_id: req.member_id,
                            generation: gen,
                            protocol,
                            leader,
                            members,
                            error: None,
                        },
                    );
                    Delivery::Group
                }
                _ => {
                    let gen = g.generation;
                    self.prepare_rebalance(group, rebalance_us);
                    if let Some(m) = self.groups[group as usize].member_mut(&req.member_id) {
                        m.joined = true;
                    }
                    self.maybe_complete_join(group);
                    Delivery::RebalanceTriggered {
                        group,
                        generation: gen,
                        reason: RebalanceReason::MemberRejoined {
                            consumer: req.consumer,
                        },
                    }
                }
            }
        } else {
            // A new member.
            let handle = g.next_handle;
            g.next_handle += 1;
            let deadline = now.plus(session_us);
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
            self.schedule(
                deadline,
                Pending::SessionExpire {
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
                    let at = now.plus(delay_us);
                    g.join_deadline = Some(at);
                    self.schedule(at, Pending::JoinDeadline { group, at });
                    Delivery::Group
                }
                GroupState::PreparingRebalance => {
                    if g.initial_join {
                        g.initial_join_grew = true;
                    } else {
                        self.maybe_complete_join(group);
                    }
                    Delivery::Group
                }
                GroupState::Stable | GroupState::CompletingRebalance => {
                    let gen = g.generation;
                    self.prepare_rebalance(group, rebalance_us);
                    if let Some(m) = self.groups[group as usize].member_mut(&req.member_id) {
                        m.joined = true;
                    }
                    self.maybe_complete_join(group);
                    Delivery::RebalanceTriggered {
                        group,
                        generation: gen,
                        reason: RebalanceReason::MemberJoined {
                            consumer: req.consumer,
                        },
                    }
                }
            }
        }
    }

    /// `prepareRebalance`: every member must rejoin within the rebalance timeout
    /// (max.poll.interval.ms); members waiting for SyncGroup are told to rejoin.
    pub(crate) fn prepare_rebalance(&mut self, group: u32, rebalance_us: u64) {
        let now = self.now;
        let Some(g) = self.groups.get_mut(group as usize) else {
            return;
        };
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
        self.schedule(at, Pending::JoinDeadline { group, at });
        for (c, member_id) in waiting {
            self.coordinator_reply(
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
    pub(crate) fn maybe_complete_join(&mut self, group: u32) {
        let Some(g) = self.groups.get_mut(group as usize) else {
            return;
        };
        if g.state == GroupState::PreparingRebalance
            && !g.initial_join
            && g.members.iter().all(|m| m.joined)
        {
            let at = self.now;
            g.join_deadline = Some(at);
            self.schedule(at, Pending::JoinDeadline { group, at });
        }
    }

    /// The join phase ends: a new generation, the protocol the votes chose, the first member
    /// to join leads (the leader stays leader while it is a member).
    pub(crate) fn on_join_deadline(&mut self, group: u32, at: SimTime) -> Option<Event> {
        let now = self.now;
        let (session_us, rebalance_us) = self.group_timeouts(group);
        let delay_us = self.config.broker.group_initial_rebalance_delay_ms.value * 1000;
        if !self.coordinator_running(group) {
            return None; // its coordinator is down: the group's state died with it
        }
        let g = self.groups.get_mut(group as usize)?;
        if g.join_deadline != Some(at) || g.state != GroupState::PreparingRebalance {
            return None;
        }
        if g.initial_join && g.initial_join_grew {
            // Members kept arriving: wait another delay, within the rebalance timeout.
            let remaining = rebalance_us.saturating_sub(now.since(g.initial_join_started));
            if remaining > 0 && delay_us > 0 {
                g.initial_join_grew = false;
                let next = now.plus(delay_us.min(remaining));
                g.join_deadline = Some(next);
                self.schedule(next, Pending::JoinDeadline { group, at: next });
                return None;
            }
        }
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
        let leader = g.leader.clone().unwrap_or_default();
        let (gen, protocol) = (g.generation, g.protocol);
        let list = joined_members(g);
        let replies: Vec<(u32, String)> = g
            .members
            .iter()
            .map(|m| (m.consumer, m.member_id.clone()))
            .collect();
        let leader_consumer = g.leader_consumer().unwrap_or(0);
        let n = replies.len() as u32;
        for (c, member_id) in replies {
            let members = if member_id == leader {
                list.clone()
            } else {
                Vec::new()
            };
            self.coordinator_reply(
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
        Some(Event::RebalanceJoined {
            group,
            generation: gen,
            leader: leader_consumer,
            members: n,
            protocol: protocol.map_or("", |k| k.name()),
            removed,
        })
    }

    pub(crate) fn coordinator_sync(
        &mut self,
        group: u32,
        consumer: u32,
        member_id: String,
        generation: u32,
        assignment: Option<Vec<(String, Vec<TopicPartitionId>)>>,
    ) -> Delivery {
        let now = self.now;
        let (session_us, _) = self.group_timeouts(group);
        let Some(g) = self.groups.get_mut(group as usize) else {
            return Delivery::Group;
        };
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
            self.coordinator_reply(
                group,
                consumer,
                Body::SyncGroupResponse {
                    member_id,
                    generation,
                    assignment: Vec::new(),
                    error: Some(error),
                },
            );
            return Delivery::GroupRefused { error };
        }
        if let Some(m) = g.member_mut(&member_id) {
            m.session_deadline = now.plus(session_us);
        }
        match g.state {
            GroupState::CompletingRebalance => {
                if let Some(m) = g.member_mut(&member_id) {
                    m.awaiting_sync = true;
                }
                let from_leader = g.leader.as_deref() == Some(member_id.as_str());
                let Some(a) = assignment.filter(|_| from_leader) else {
                    return Delivery::Group;
                };
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
                    self.coordinator_reply(
                        group,
                        c,
                        Body::SyncGroupResponse {
                            member_id,
                            generation,
                            assignment,
                            error: None,
                        },
                    );
                }
                Delivery::GroupStable {
                    group,
                    generation,
                    members: n,
                }
            }
            _ => {
                let assignment = g
                    .member(&member_id)
                    .map(|m| m.assignment.clone())
                    .unwrap_or_default();
                self.coordinator_reply(
                    group,
                    consumer,
                    Body::SyncGroupResponse {
                        member_id,
                        generation,
                        assignment,
                        error: None,
                    },
                );
                Delivery::Group
            }
        }
    }

    pub(crate) fn coordinator_heartbeat(
        &mut self,
        group: u32,
        consumer: u32,
        member_id: String,
        generation: u32,
    ) -> Delivery {
        let now = self.now;
        let (session_us, _) = self.group_timeouts(group);
        let Some(g) = self.groups.get_mut(group as usize) else {
            return Delivery::Group;
        };
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
        group: u32,
        member_id: &str,
        expired: bool,
    ) -> Option<Delivery> {
        let (_, rebalance_us) = self.group_timeouts(group);
        let g = self.groups.get_mut(group as usize)?;
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
                self.prepare_rebalance(group, rebalance_us);
                self.maybe_complete_join(group);
                Some(Delivery::RebalanceTriggered {
                    group,
                    generation: gen,
                    reason,
                })
            }
            GroupState::PreparingRebalance => {
                self.maybe_complete_join(group);
                Some(Delivery::Group)
            }
            _ => Some(Delivery::Group),
        }
    }

    /// A member's session timer: expire it if nothing came within session.timeout.ms (members
    /// waiting in a join or sync phase are kept alive by it).
    pub(crate) fn on_session_expire(
        &mut self,
        group: u32,
        handle: u64,
        at: SimTime,
    ) -> Option<Event> {
        let now = self.now;
        let (session_us, _) = self.group_timeouts(group);
        if !self.coordinator_running(group) {
            return None; // the next coordinator restarts the session timers when it loads
        }
        let g = self.groups.get_mut(group as usize)?;
        let state = g.state;
        let m = g.members.iter_mut().find(|m| m.handle == handle)?;
        let waiting = (state == GroupState::PreparingRebalance && m.joined)
            || (state == GroupState::CompletingRebalance && m.awaiting_sync);
        if waiting {
            m.session_deadline = now.plus(session_us);
        }
        if m.session_deadline > now {
            let next = m.session_deadline;
            self.schedule(
                next,
                Pending::SessionExpire {
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
        self.remove_member(group, &member_id, true);
        Some(Event::MemberExpired {
            group,
            consumer,
            generation,
        })
    }

    // ----- transactional offset commits (KIP-447; see `sim::pipeline`) -----

    /// TxnOffsetCommit at the group coordinator: the producer must be current at its
    /// transaction coordinator; the group metadata is validated as KIP-447 says (unknown
    /// member, fenced instance, stale generation); the offsets wait as pending until the
    /// transaction ends. Under transaction.version 2 the group joins the transaction here.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn on_txn_offset_commit(&mut self, b: u32, from: Node, body: Body) -> Delivery {
        let Body::TxnOffsetCommit {
            transactional_id,
            producer_id,
            epoch,
            group,
            member_id,
            generation,
            instance_id,
            offsets,
            ..
        } = body
        else {
            return Delivery::Group;
        };
        let reply = |s: &mut Sim, error: Option<GroupError>, producer_error: Option<KafkaError>| {
            s.send(
                Node::Broker(b),
                from,
                Body::TxnOffsetCommitResponse {
                    error,
                    producer_error,
                },
            );
        };
        let Some(g) = self.groups.get(group as usize) else {
            return Delivery::Group;
        };
        if self.offsets_leader(g.offsets_partition) != Some(b) {
            reply(self, Some(GroupError::NotCoordinator), None);
            return Delivery::GroupRefused {
                error: GroupError::NotCoordinator,
            };
        }
        // The producer's epoch, as the `__consumer_offsets` append checks it.
        let producer_error = match self.txn_coordinator.get(&transactional_id) {
            None => Some(KafkaError::InvalidProducerIdMapping),
            Some(m) if m.producer_id != producer_id => Some(KafkaError::InvalidProducerIdMapping),
            Some(m) if epoch < m.epoch => Some(KafkaError::ProducerFenced),
            Some(m)
                if m.state != crate::coordinator::txn::state::TxnState::Ongoing
                    && self.config.broker.transaction_version.value < 2 =>
            {
                Some(KafkaError::InvalidTxnState)
            }
            Some(m) if m.state.preparing() => Some(KafkaError::ConcurrentTransactions),
            _ => None,
        };
        if producer_error.is_some() {
            reply(self, None, producer_error);
            return Delivery::Txn {
                state: None,
                error: producer_error,
            };
        }
        let error = self.groups[group as usize].validate_offset_commit(
            &member_id,
            generation,
            instance_id.as_deref(),
            true,
        );
        if let Some(e) = error {
            reply(self, Some(e), None);
            return Delivery::GroupRefused { error: e };
        }
        if self.config.broker.transaction_version.value >= 2 {
            // KIP-890: the TxnOffsetCommit adds the group's partition to the transaction.
            let (_, coordinator) = self.transaction_coordinator(&transactional_id);
            if let Some(e) = self.coordinator_add_offsets(
                coordinator,
                &transactional_id,
                producer_id,
                epoch,
                group,
            ) {
                reply(self, None, Some(e));
                return Delivery::Txn {
                    state: None,
                    error: Some(e),
                };
            }
        }
        let pending = self.groups[group as usize]
            .pending_txn_offsets
            .entry(producer_id)
            .or_default();
        for (tp, o) in offsets {
            pending.insert(tp, o);
        }
        reply(self, None, None);
        Delivery::Group
    }

    /// The transaction of `producer_id` ends: its pending offsets in `groups` become the
    /// committed offsets (commit) or are dropped (abort).
    pub(crate) fn complete_txn_offsets(&mut self, producer_id: i64, groups: &[u32], commit: bool) {
        for &gi in groups {
            let Some(g) = self.groups.get_mut(gi as usize) else {
                continue;
            };
            let Some(offsets) = g.pending_txn_offsets.remove(&producer_id) else {
                continue;
            };
            if commit {
                for (tp, o) in &offsets {
                    g.committed.insert(*tp, *o);
                }
                // The members learn their committed offsets (what the page shows).
                for c in self.consumers.iter_mut().filter(|c| c.group == gi) {
                    for (tp, o) in &offsets {
                        if c.assignment.contains(tp) {
                            c.committed.insert(*tp, *o);
                        }
                    }
                }
            }
        }
    }
}

/// The members as the leader receives them, in join order.
fn joined_members(g: &crate::consumer::group::Group) -> Vec<JoinedMember> {
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
