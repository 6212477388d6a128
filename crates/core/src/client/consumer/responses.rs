//! What the consumer does with its group coordinator's answers: FindCoordinator, JoinGroup,
//! SyncGroup, Heartbeat, OffsetFetch, OffsetCommit, LeaveGroup responses and their errors.

use crate::client::callback::ClientCallback;
use crate::client::consumer::context::{ConsumerCtx, ConsumerWake};
use crate::client::consumer::member::leader_assign;
use crate::consumer::coordinator::CONSUMER_RETRY_BACKOFF_US;
use crate::consumer::{Consumer, MemberState};
use crate::event::Delivery;
use crate::net::{Body, GroupError, JoinedMember, MessageKind, TopicPartitionId};
use alloc::string::String;
use alloc::vec::Vec;

/// The request kind a response of `kind` answers (among those the member tracks for their
/// timeout).
fn answered_request(kind: MessageKind) -> Option<MessageKind> {
    match kind {
        MessageKind::JoinGroupResponse => Some(MessageKind::JoinGroup),
        MessageKind::SyncGroupResponse => Some(MessageKind::SyncGroup),
        MessageKind::OffsetFetchResponse => Some(MessageKind::OffsetFetch),
        MessageKind::OffsetCommitResponse => Some(MessageKind::OffsetCommit),
        MessageKind::HeartbeatResponse => Some(MessageKind::Heartbeat),
        _ => None,
    }
}

/// The group error a response carries, if any.
fn response_error(body: &Body) -> Option<GroupError> {
    match body {
        Body::JoinGroupResponse { error, .. }
        | Body::SyncGroupResponse { error, .. }
        | Body::OffsetFetchResponse { error, .. }
        | Body::OffsetCommitResponse { error, .. }
        | Body::HeartbeatResponse { error, .. } => *error,
        _ => None,
    }
}

/// A JoinGroup response's fields.
struct JoinResponse {
    member_id: String,
    generation: u32,
    protocol: Option<crate::assignor::AssignorKind>,
    leader: String,
    members: Vec<JoinedMember>,
    error: Option<GroupError>,
}

impl Consumer {
    /// A group response at the member. Responses meant for an earlier member id of this
    /// consumer (before a restart or a reset) are ignored.
    pub(crate) fn on_coordinator_response(
        &mut self,
        ctx: &mut ConsumerCtx,
        body: Body,
    ) -> Delivery {
        let group = self.group;
        self.metrics.on_coordinator_response(&body, ctx.now);
        // The answer to the member's requests of that kind.
        if let Some(k) = answered_request(body.kind()) {
            self.coordinator_requests.retain(|(r, _)| *r != k);
        }
        if let Some(error @ (GroupError::NotCoordinator | GroupError::CoordinatorNotAvailable)) =
            response_error(&body)
        {
            // Find the coordinator again; what failed is redone once it is known (an async
            // commit is not: commitAsync() does not retry).
            self.mark_coordinator_unknown(ctx);
            return Delivery::GroupRefused { error };
        }
        match body {
            Body::FindCoordinatorResponse { coordinator, .. } => {
                self.on_find_coordinator_response(ctx, coordinator)
            }
            Body::JoinGroupResponse {
                member_id,
                generation,
                protocol,
                leader,
                members,
                error,
            } => self.on_join_group_response(
                ctx,
                group,
                JoinResponse {
                    member_id,
                    generation,
                    protocol,
                    leader,
                    members,
                    error,
                },
            ),
            Body::SyncGroupResponse {
                member_id,
                generation,
                assignment,
                error,
            } => self.on_sync_group_response(ctx, member_id, generation, assignment, error),
            Body::OffsetFetchResponse { offsets, error } => {
                self.on_offset_fetch_response(ctx, offsets, error)
            }
            Body::OffsetCommitResponse {
                offsets,
                error,
                request_id,
            } => self.on_offset_commit_response(ctx, offsets, error, request_id),
            Body::HeartbeatResponse { member_id, error } => {
                self.on_heartbeat_response(ctx, &member_id, error)
            }
            _ => Delivery::Group,
        }
    }

    /// Whether `member_id` is the member id this consumer has now.
    fn is_current_member(&self, member_id: &str) -> bool {
        self.member_id == member_id
    }

    /// `FindCoordinatorResponseHandler`: the member knows its coordinator (its requests to an
    /// earlier one are forgotten) and redoes what it was waiting for.
    fn on_find_coordinator_response(
        &mut self,
        ctx: &mut ConsumerCtx,
        coordinator: Option<u32>,
    ) -> Delivery {
        self.find_coordinator_sent = None;
        let Some(b) = coordinator else {
            // COORDINATOR_NOT_AVAILABLE: the timer asks again.
            return Delivery::GroupRefused {
                error: GroupError::CoordinatorNotAvailable,
            };
        };
        self.coordinator = Some(b);
        self.coordinator_requests.clear();
        self.metrics.coordinator_lost();
        self.coordinator_found(ctx);
        Delivery::Group
    }

    /// `JoinGroupResponseHandler`: on success the leader runs the assignor and every member
    /// sends SyncGroup (`onJoinLeader` / `onJoinFollower`).
    fn on_join_group_response(
        &mut self,
        ctx: &mut ConsumerCtx,
        group: u32,
        r: JoinResponse,
    ) -> Delivery {
        if !self.is_current_member(&r.member_id) || self.state != MemberState::Joining {
            return Delivery::Group;
        }
        if let Some(error) = r.error {
            self.on_join_group_error(ctx, error);
            return Delivery::GroupRefused { error };
        }
        self.metrics.on_joined(ctx.now);
        let assignment = match r.protocol {
            Some(p) if r.leader == r.member_id && !r.members.is_empty() => {
                Some(leader_assign(ctx.metadata, ctx.subscription, p, &r.members))
            }
            _ => None,
        };
        self.generation = r.generation;
        self.state = MemberState::Syncing;
        self.send_to_coordinator(
            ctx,
            Body::SyncGroup {
                group,
                member: self.index,
                member_id: r.member_id,
                generation: r.generation,
                assignment,
            },
        );
        Delivery::Group
    }

    /// A JoinGroup error: the member id is reset, the error is fatal, or the member joins
    /// again.
    fn on_join_group_error(&mut self, ctx: &mut ConsumerCtx, error: GroupError) {
        match error {
            GroupError::UnknownMemberId => self.lose_membership(ctx, true),
            GroupError::InconsistentGroupProtocol | GroupError::FencedInstanceId => {
                // Fatal for the application (thrown from poll()).
                self.state = MemberState::Unjoined;
            }
            _ => {
                self.state = MemberState::Unjoined;
                self.rejoin(ctx);
            }
        }
    }

    /// `SyncGroupResponseHandler`: the assignment of the generation, applied now or, while
    /// the application is busy, at its next `poll()` (`onJoinComplete`).
    fn on_sync_group_response(
        &mut self,
        ctx: &mut ConsumerCtx,
        member_id: String,
        generation: u32,
        assignment: Vec<TopicPartitionId>,
        error: Option<GroupError>,
    ) -> Delivery {
        if !self.is_current_member(&member_id) || self.state != MemberState::Syncing {
            return Delivery::Group;
        }
        if let Some(error) = error {
            match error {
                GroupError::UnknownMemberId => self.lose_membership(ctx, true),
                GroupError::IllegalGeneration => self.lose_membership(ctx, false),
                _ => {
                    self.state = MemberState::Stable;
                    self.rejoin(ctx);
                }
            }
            return Delivery::GroupRefused { error };
        }
        if generation != self.generation {
            return Delivery::Group;
        }
        self.metrics.on_synced(ctx.now);
        if self.busy_until.is_some() {
            return self.defer_assignment(generation, assignment);
        }
        self.apply_assignment(ctx, generation, assignment)
    }

    /// The application is processing the last poll's records (or blocked in a commit): the
    /// new assignment takes effect in its next poll(), where the Java consumer runs the
    /// rebalance callbacks, so what it processed is committed before partitions are given up.
    fn defer_assignment(&mut self, generation: u32, assignment: Vec<TopicPartitionId>) -> Delivery {
        let added = assignment
            .iter()
            .filter(|tp| !self.assignment.contains(tp))
            .count() as u32;
        let revoked = self
            .assignment
            .iter()
            .filter(|tp| !assignment.contains(tp))
            .count() as u32;
        let kept = assignment.len() as u32 - added;
        // SyncGroup succeeded: the member is Stable in the new generation (a commit now, as
        // from a revocation callback, is accepted) and still holds its old partitions until
        // the callbacks run.
        self.state = MemberState::Stable;
        self.pending_assignment = Some((generation, assignment));
        Delivery::Assigned {
            generation,
            kept,
            added,
            revoked,
        }
    }

    /// `OffsetFetchResponseHandler`: a committed offset is the position; without one the
    /// position is reset by auto.offset.reset, from the leader's answer to a ListOffsets.
    fn on_offset_fetch_response(
        &mut self,
        ctx: &mut ConsumerCtx,
        offsets: Vec<(TopicPartitionId, Option<u64>)>,
        error: Option<GroupError>,
    ) -> Delivery {
        if error == Some(GroupError::UnstableOffsetCommit) {
            // KIP-447: a transaction still holds offsets of these partitions; ask again
            // after retry.backoff.ms (100 ms).
            ctx.out.timer(
                ctx.now.plus(CONSUMER_RETRY_BACKOFF_US),
                ConsumerWake::OffsetFetch,
            );
            return Delivery::GroupRefused {
                error: GroupError::UnstableOffsetCommit,
            };
        }
        for (tp, committed) in offsets {
            let waiting = self.assignment.contains(&tp)
                && !self.positions.contains_key(&tp)
                && !self.resets.contains_key(&tp);
            if !waiting {
                continue;
            }
            match committed {
                Some(o) => {
                    self.positions.insert(tp, o);
                }
                None => self.request_offset_reset(ctx, tp),
            }
        }
        if self.state == MemberState::FetchingOffsets {
            self.state = MemberState::Stable;
        }
        self.reset_positions(ctx);
        self.send_fetches(ctx);
        Delivery::Group
    }

    /// `OffsetCommitResponseHandler`: a blocked commitSync() returns; the committed offsets
    /// are known.
    fn on_offset_commit_response(
        &mut self,
        ctx: &mut ConsumerCtx,
        offsets: Vec<(TopicPartitionId, u64)>,
        error: Option<GroupError>,
        request_id: u64,
    ) -> Delivery {
        if self.commit_sync_wait == Some(request_id) {
            // commitSync() returns (or throws, on an error): the loop polls again.
            self.commit_sync_wait = None;
            self.busy_until = Some(ctx.now);
            ctx.out.timer(ctx.now, ConsumerWake::Poll);
        }
        if let Some(error) = error {
            ctx.out.call(ClientCallback::CommitFailed {
                consumer: self.index,
                error,
            });
            return Delivery::GroupRefused { error };
        }
        for (tp, o) in offsets {
            self.committed.insert(tp, o);
        }
        Delivery::Group
    }

    /// `HeartbeatResponseHandler`: REBALANCE_IN_PROGRESS asks for a rejoin; an unknown member
    /// or a stale generation loses the membership.
    fn on_heartbeat_response(
        &mut self,
        ctx: &mut ConsumerCtx,
        member_id: &str,
        error: Option<GroupError>,
    ) -> Delivery {
        if !self.is_current_member(member_id) {
            return Delivery::Group;
        }
        let Some(error) = error else {
            return Delivery::Group;
        };
        match error {
            GroupError::RebalanceInProgress => self.rejoin(ctx),
            GroupError::UnknownMemberId => self.lose_membership(ctx, true),
            GroupError::IllegalGeneration => self.lose_membership(ctx, false),
            _ => {}
        }
        Delivery::GroupRefused { error }
    }
}
