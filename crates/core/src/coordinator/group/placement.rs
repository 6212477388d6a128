//! Which broker coordinates a group, and what happens when it fails.
//!
//! The coordinator of a group is the leader of partition `abs(groupId.hashCode()) %
//! offsets.topic.num.partitions` of `__consumer_offsets`. A member finds it with
//! FindCoordinator, sent to any live broker, which answers from its metadata (the partition's
//! leader, or COORDINATOR_NOT_AVAILABLE). A broker that is not (or no longer) the coordinator
//! answers group requests with NOT_COORDINATOR. When the coordinator's broker is fenced, the
//! controller elects another replica of the offsets partition; the new leader loads the group
//! (`GroupMetadataManager` replaying the partition): the committed offsets and the last group
//! metadata record, so the group comes back Stable with the generation, leader and members it
//! last wrote (written when a generation's assignment arrived, or Empty), and every member's
//! session timer starts again (`onLoaded`). A member keeps its generation: its heartbeats to the
//! new coordinator succeed and no rebalance happens unless the group was mid-rebalance, in
//! which case the members' requests of the lost rebalance time out and they rejoin.
//!
//! Simplified: `__consumer_offsets` has no log here (a commit is durable once answered; its
//! replicas are all in sync, so the first live replica in assignment order leads); loading is
//! instant; FindCoordinator goes to the first live broker from the member's index (Kafka's
//! least loaded node; a connection to a dead broker fails at once).

use crate::coordinator::group::context::GroupCtx;
use crate::coordinator::group::state::{GroupCoordinators, GroupState, GroupTimer};
use crate::event::{Delivery, Event};
use crate::net::{Body, GroupError, Node};
use alloc::string::String;
use alloc::vec::Vec;

/// The NOT_COORDINATOR answer to a group request (`body`), as its response kind carries it.
fn not_coordinator_response(body: &Body) -> Body {
    let error = Some(GroupError::NotCoordinator);
    match body {
        Body::JoinGroup { member_id, .. } => Body::JoinGroupResponse {
            member_id: member_id.clone(),
            generation: 0,
            protocol: None,
            leader: String::new(),
            members: Vec::new(),
            error,
        },
        Body::SyncGroup {
            member_id,
            generation,
            ..
        } => Body::SyncGroupResponse {
            member_id: member_id.clone(),
            generation: *generation,
            assignment: Vec::new(),
            error,
        },
        Body::Heartbeat { member_id, .. } => Body::HeartbeatResponse {
            member_id: member_id.clone(),
            error,
        },
        Body::OffsetFetch { .. } => Body::OffsetFetchResponse {
            offsets: Vec::new(),
            error,
        },
        Body::OffsetCommit {
            offsets,
            request_id,
            ..
        } => Body::OffsetCommitResponse {
            offsets: offsets.clone(),
            error,
            request_id: *request_id,
        },
        _ => Body::LeaveGroupResponse,
    }
}

impl GroupCoordinators {
    /// The group's coordinator process runs and still leads the group's offsets partition.
    pub(crate) fn coordinator_running(&self, ctx: &GroupCtx, group: u32) -> bool {
        self.coordinator_up(ctx.metadata, group)
    }

    /// The group's coordinator process runs (as the cluster metadata has it) and still leads
    /// the group's offsets partition.
    pub fn coordinator_up(&self, metadata: crate::cluster::Metadata, group: u32) -> bool {
        let g = self.group(group);
        metadata.broker_up(g.coordinator)
            && self.offsets_leader(g.offsets_partition) == Some(g.coordinator)
    }

    /// FindCoordinator (at any broker), and NOT_COORDINATOR for a group request at a broker
    /// that does not coordinate the group. `None`: the request is for this coordinator.
    pub(crate) fn not_coordinator(
        &mut self,
        ctx: &mut GroupCtx,
        broker: u32,
        consumer: u32,
        body: &Body,
    ) -> Option<Delivery> {
        let from = Node::Broker(broker);
        let to = Node::Consumer(consumer);
        if let Body::FindCoordinator { group, .. } = body {
            return self.find_coordinator_at(ctx, broker, consumer, *group);
        }
        let group = match body {
            Body::JoinGroup { group, .. }
            | Body::SyncGroup { group, .. }
            | Body::Heartbeat { group, .. }
            | Body::OffsetFetch { group, .. }
            | Body::OffsetCommit { group, .. }
            | Body::LeaveGroup { group, .. } => *group,
            _ => return None,
        };
        let g = self.group(group);
        if g.coordinator == broker && self.offsets_leader(g.offsets_partition) == Some(broker) {
            return None;
        }
        let reply = not_coordinator_response(body);
        ctx.out.send(from, to, reply);
        Some(Delivery::GroupRefused {
            error: GroupError::NotCoordinator,
        })
    }

    /// FindCoordinator at any broker (`handleFindCoordinatorRequest`): answered from its
    /// metadata, the leader of the group's offsets partition (none: COORDINATOR_NOT_AVAILABLE).
    fn find_coordinator_at(
        &mut self,
        ctx: &mut GroupCtx,
        broker: u32,
        consumer: u32,
        group: u32,
    ) -> Option<Delivery> {
        let partition = self.group(group).offsets_partition;
        let coordinator = self.offsets_leader(partition);
        ctx.out.send(
            Node::Broker(broker),
            Node::Consumer(consumer),
            Body::FindCoordinatorResponse { group, coordinator },
        );
        Some(Delivery::Group)
    }

    /// The controller fenced `broker`: every `__consumer_offsets` partition it led gets the
    /// first live replica as leader, which loads the groups of that partition.
    pub(crate) fn move_leaders(&mut self, ctx: &mut GroupCtx, broker: u32) {
        for p in 0..self.offsets_leaders.len() {
            if self.offsets_leaders[p] != Some(broker) {
                continue;
            }
            let next = self.offsets_replicas.get(p).and_then(|rs| {
                rs.iter()
                    .copied()
                    .find(|&r| r != broker && ctx.metadata.broker_up(r))
            });
            self.offsets_leaders[p] = next;
            self.schedule_group_loads(ctx, p as u32, broker);
        }
    }

    /// `broker` came back: it leads the offsets partitions that had no leader, and reloads the
    /// groups of those it still led (its memory was lost with the process).
    pub(crate) fn after_restart(&mut self, ctx: &mut GroupCtx, broker: u32) {
        for p in 0..self.offsets_leaders.len() {
            let hosts = self
                .offsets_replicas
                .get(p)
                .is_some_and(|rs| rs.contains(&broker));
            let leader = self.offsets_leaders[p];
            if leader.is_none() && hosts {
                self.offsets_leaders[p] = Some(broker);
            } else if leader != Some(broker) {
                continue;
            }
            let from: Vec<(u32, u32)> = self
                .groups
                .iter()
                .filter(|g| g.offsets_partition == p as u32)
                .map(|g| (g.index, g.coordinator))
                .collect();
            for (group, from) in from {
                ctx.out
                    .timer(ctx.now, GroupTimer::CoordinatorLoad { group, from });
            }
        }
    }

    fn schedule_group_loads(&mut self, ctx: &mut GroupCtx, partition: u32, from: u32) {
        let groups: Vec<u32> = self
            .groups
            .iter()
            .filter(|g| g.offsets_partition == partition)
            .map(|g| g.index)
            .collect();
        for group in groups {
            ctx.out
                .timer(ctx.now, GroupTimer::CoordinatorLoad { group, from });
        }
    }

    /// The new leader of the group's offsets partition loads it and becomes its coordinator.
    pub(crate) fn on_coordinator_load(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        from: u32,
    ) -> Option<Event> {
        let partition = self.group(group).offsets_partition;
        let to = self.offsets_leader(partition);
        if let Some(t) = to {
            self.groups[group as usize].coordinator = t;
            self.load_group(ctx, group);
        }
        Some(Event::CoordinatorMoved { group, from, to })
    }

    /// The group as its last metadata record has it: Stable with those members (or Empty),
    /// nothing in flight; the committed offsets are kept; every member's session starts now.
    pub(crate) fn load_group(&mut self, ctx: &mut GroupCtx, group: u32) {
        let now = ctx.now;
        let session_us = ctx.timeouts(group).session_us;
        let g = self.group_mut(group);
        let stored = g.stored.clone();
        match stored {
            Some(st) => {
                g.generation = st.generation;
                g.protocol = st.protocol;
                g.leader = st.leader;
                g.members = st.members;
            }
            None => {
                g.generation = 0;
                g.protocol = None;
                g.leader = None;
                g.members.clear();
            }
        }
        g.state = if g.members.is_empty() {
            GroupState::Empty
        } else {
            GroupState::Stable
        };
        g.join_deadline = None;
        g.initial_join = false;
        g.initial_join_grew = false;
        let deadline = now.plus(session_us);
        let mut timers = Vec::new();
        for m in &mut g.members {
            m.joined = false;
            m.awaiting_sync = false;
            m.session_deadline = deadline;
            // New handles: the old coordinator's session timers die with it.
            m.handle = g.next_handle;
            g.next_handle += 1;
            timers.push(m.handle);
        }
        for handle in timers {
            ctx.out.timer(
                deadline,
                GroupTimer::SessionExpire {
                    group,
                    handle,
                    at: deadline,
                },
            );
        }
    }
}
