//! The group coordinator's side of the classic group protocol (Kafka's `ClassicGroup` as
//! `GroupMetadataManager` drives it): JoinGroup with the empty group's delayed initial join,
//! protocol voting, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit validation, session expiry
//! and static members (KIP-345); TxnOffsetCommit (KIP-447) and the pending transactional
//! offsets that a transaction's end commits or drops.
//!
//! Which broker coordinates a group, FindCoordinator and the coordinator's failover are in
//! `placement`.
//!
//! Simplified: one rebalance timeout and session timeout per group (Kafka takes each member's);
//! a static member that restarts while the group is Stable is given its old assignment without
//! a rebalance whatever its metadata (Kafka rebalances if its protocols changed); a static
//! leader's restart does not make it re-run the assignor (KIP-814's skipAssignment has the
//! same effect); FENCED_INSTANCE_ID is not answered (a replaced static member's old process is
//! always dead here).

use crate::coordinator::group::context::GroupCtx;
use crate::coordinator::group::state::{GroupCoordinators, JoinRequest};
use crate::event::Delivery;
use crate::net::{Body, GroupError, Node, TopicPartitionId};
use alloc::string::String;
use alloc::vec::Vec;

impl GroupCoordinators {
    /// The coordinator's answer to consumer `to` in group `group`.
    pub(crate) fn coordinator_reply(&self, ctx: &mut GroupCtx, group: u32, to: u32, body: Body) {
        let coord = self.group(group).coordinator;
        ctx.out.send(Node::Broker(coord), Node::Consumer(to), body);
    }

    /// A group request at broker `broker`: FindCoordinator at any broker; the rest only at
    /// the group's coordinator (others answer NOT_COORDINATOR, see `placement`).
    pub(crate) fn on_request(
        &mut self,
        ctx: &mut GroupCtx,
        broker: u32,
        from: Node,
        body: Body,
    ) -> Delivery {
        let Node::Consumer(consumer) = from else {
            // Not a group request: only consumers send those.
            return Delivery::Group;
        };
        if let Some(d) = self.not_coordinator(ctx, broker, consumer, &body) {
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
            } => self.coordinator_join(
                ctx,
                JoinRequest {
                    group,
                    consumer,
                    member_id,
                    new_member,
                    instance_id,
                    protocols,
                    metadata,
                },
            ),
            Body::SyncGroup {
                group,
                member_id,
                generation,
                assignment,
                ..
            } => self.coordinator_sync(ctx, group, consumer, member_id, generation, assignment),
            Body::Heartbeat {
                group,
                member_id,
                generation,
                ..
            } => self.coordinator_heartbeat(ctx, group, consumer, member_id, generation),
            Body::LeaveGroup {
                group, member_id, ..
            } => self.coordinator_leave(ctx, group, consumer, &member_id),
            Body::OffsetFetch {
                group,
                partitions,
                require_stable,
                ..
            } => self.coordinator_offset_fetch(ctx, group, consumer, &partitions, require_stable),
            Body::OffsetCommit {
                group,
                member_id,
                generation,
                offsets,
                request_id,
                ..
            } => self.coordinator_commit(
                ctx, group, consumer, member_id, generation, offsets, request_id,
            ),
            _ => Delivery::Group,
        }
    }

    /// LeaveGroup: answered, then the member is removed (`removeMemberAndUpdateGroup`).
    fn coordinator_leave(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        consumer: u32,
        member_id: &str,
    ) -> Delivery {
        self.coordinator_reply(ctx, group, consumer, Body::LeaveGroupResponse);
        self.remove_member(ctx, group, member_id, false)
            .unwrap_or(Delivery::Group)
    }

    /// OffsetFetch (`fetchOffsets`): the committed offsets of `partitions`; KIP-447: with
    /// requireStable, a partition whose transactional commit is still pending is answered
    /// UNSTABLE_OFFSET_COMMIT (the client retries).
    fn coordinator_offset_fetch(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        consumer: u32,
        partitions: &[TopicPartitionId],
        require_stable: bool,
    ) -> Delivery {
        let g = self.group(group);
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
            ctx,
            group,
            consumer,
            Body::OffsetFetchResponse { offsets, error },
        );
        error.map_or(Delivery::Group, |error| Delivery::GroupRefused { error })
    }

    /// `validateOffsetCommit` for a group member: known member, current generation, and not
    /// between the join and the leader's assignment.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn coordinator_commit(
        &mut self,
        ctx: &mut GroupCtx,
        group: u32,
        consumer: u32,
        member_id: String,
        generation: u32,
        offsets: Vec<(TopicPartitionId, u64)>,
        request_id: u64,
    ) -> Delivery {
        let g = self.group_mut(group);
        let error = g.validate_offset_commit(&member_id, generation, None, false);
        if error.is_none() {
            for (tp, off) in &offsets {
                g.committed.insert(*tp, *off);
            }
        }
        self.coordinator_reply(
            ctx,
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
        &self,
        ctx: &mut GroupCtx,
        group: u32,
        consumer: u32,
        member_id: String,
        error: GroupError,
    ) {
        self.coordinator_reply(
            ctx,
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
}
