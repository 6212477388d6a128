//! What the consumer does with its group coordinator's answers: FindCoordinator, JoinGroup,
//! SyncGroup, Heartbeat, OffsetFetch, OffsetCommit, LeaveGroup responses and their errors.

use crate::client::callback::ClientCallback;
use crate::consumer::coordinator::CONSUMER_RETRY_BACKOFF_US;
use crate::consumer::MemberState;
use crate::event::Delivery;
use crate::net::{Body, GroupError, JoinedMember, MessageKind, TopicPartitionId};
use crate::sim::{Pending, Sim};
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

impl Sim {
    /// A group response at the member. Responses meant for an earlier member id of this
    /// consumer (before a restart or a reset) are ignored.
    pub(crate) fn on_coordinator_response(&mut self, c: u32, body: Body) -> Delivery {
        let group = self.consumer(c).group;
        // The answer to the member's requests of that kind.
        if let Some(k) = answered_request(body.kind()) {
            self.consumers[c as usize]
                .coordinator_requests
                .retain(|(r, _)| *r != k);
        }
        if let Some(error @ (GroupError::NotCoordinator | GroupError::CoordinatorNotAvailable)) =
            response_error(&body)
        {
            // Find the coordinator again; what failed is redone once it is known (an async
            // commit is not: commitAsync() does not retry).
            self.mark_coordinator_unknown(c);
            return Delivery::GroupRefused { error };
        }
        match body {
            Body::FindCoordinatorResponse { coordinator, .. } => {
                self.on_find_coordinator_response(c, coordinator)
            }
            Body::JoinGroupResponse {
                member_id,
                generation,
                protocol,
                leader,
                members,
                error,
            } => self.on_join_group_response(
                c,
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
            } => self.on_sync_group_response(c, member_id, generation, assignment, error),
            Body::OffsetFetchResponse { offsets, error } => {
                self.on_offset_fetch_response(c, offsets, error)
            }
            Body::OffsetCommitResponse {
                offsets,
                error,
                request_id,
            } => self.on_offset_commit_response(c, offsets, error, request_id),
            Body::HeartbeatResponse { member_id, error } => {
                self.on_heartbeat_response(c, &member_id, error)
            }
            _ => Delivery::Group,
        }
    }

    /// Whether `member_id` is the member id consumer `c` has now.
    fn is_current_member(&self, c: u32, member_id: &str) -> bool {
        self.consumers[c as usize].member_id == member_id
    }

    /// `FindCoordinatorResponseHandler`: the member knows its coordinator (its requests to an
    /// earlier one are forgotten) and redoes what it was waiting for.
    fn on_find_coordinator_response(&mut self, c: u32, coordinator: Option<u32>) -> Delivery {
        let cons = &mut self.consumers[c as usize];
        cons.find_coordinator_sent = None;
        let Some(b) = coordinator else {
            // COORDINATOR_NOT_AVAILABLE: the timer asks again.
            return Delivery::GroupRefused {
                error: GroupError::CoordinatorNotAvailable,
            };
        };
        cons.coordinator = Some(b);
        cons.coordinator_requests.clear();
        self.coordinator_found(c);
        Delivery::Group
    }

    /// `JoinGroupResponseHandler`: on success the leader runs the assignor and every member
    /// sends SyncGroup (`onJoinLeader` / `onJoinFollower`).
    fn on_join_group_response(&mut self, c: u32, group: u32, r: JoinResponse) -> Delivery {
        if !self.is_current_member(c, &r.member_id)
            || self.consumers[c as usize].state != MemberState::Joining
        {
            return Delivery::Group;
        }
        if let Some(error) = r.error {
            self.on_join_group_error(c, error);
            return Delivery::GroupRefused { error };
        }
        let assignment = match r.protocol {
            Some(p) if r.leader == r.member_id && !r.members.is_empty() => {
                Some(self.leader_assign(group, p, &r.members))
            }
            _ => None,
        };
        let cons = &mut self.consumers[c as usize];
        cons.generation = r.generation;
        cons.state = MemberState::Syncing;
        self.send_to_coordinator(
            c,
            Body::SyncGroup {
                group,
                member: c,
                member_id: r.member_id,
                generation: r.generation,
                assignment,
            },
        );
        Delivery::Group
    }

    /// A JoinGroup error: the member id is reset, the error is fatal, or the member joins
    /// again.
    fn on_join_group_error(&mut self, c: u32, error: GroupError) {
        match error {
            GroupError::UnknownMemberId => self.lose_membership(c, true),
            GroupError::InconsistentGroupProtocol | GroupError::FencedInstanceId => {
                // Fatal for the application (thrown from poll()).
                self.consumers[c as usize].state = MemberState::Unjoined;
            }
            _ => {
                self.consumers[c as usize].state = MemberState::Unjoined;
                self.rejoin(c);
            }
        }
    }

    /// `SyncGroupResponseHandler`: the assignment of the generation, applied now or, while
    /// the application is busy, at its next `poll()` (`onJoinComplete`).
    fn on_sync_group_response(
        &mut self,
        c: u32,
        member_id: String,
        generation: u32,
        assignment: Vec<TopicPartitionId>,
        error: Option<GroupError>,
    ) -> Delivery {
        if !self.is_current_member(c, &member_id)
            || self.consumers[c as usize].state != MemberState::Syncing
        {
            return Delivery::Group;
        }
        if let Some(error) = error {
            match error {
                GroupError::UnknownMemberId => self.lose_membership(c, true),
                GroupError::IllegalGeneration => self.lose_membership(c, false),
                _ => {
                    self.consumers[c as usize].state = MemberState::Stable;
                    self.rejoin(c);
                }
            }
            return Delivery::GroupRefused { error };
        }
        if generation != self.consumers[c as usize].generation {
            return Delivery::Group;
        }
        if self.consumers[c as usize].busy_until.is_some() {
            return self.defer_assignment(c, generation, assignment);
        }
        self.apply_assignment(c, generation, assignment)
    }

    /// The application is processing the last poll's records (or blocked in a commit): the
    /// new assignment takes effect in its next poll(), where the Java consumer runs the
    /// rebalance callbacks, so what it processed is committed before partitions are given up.
    fn defer_assignment(
        &mut self,
        c: u32,
        generation: u32,
        assignment: Vec<TopicPartitionId>,
    ) -> Delivery {
        let cons = &mut self.consumers[c as usize];
        let added = assignment
            .iter()
            .filter(|tp| !cons.assignment.contains(tp))
            .count() as u32;
        let revoked = cons
            .assignment
            .iter()
            .filter(|tp| !assignment.contains(tp))
            .count() as u32;
        let kept = assignment.len() as u32 - added;
        // SyncGroup succeeded: the member is Stable in the new generation (a commit now, as
        // from a revocation callback, is accepted) and still holds its old partitions until
        // the callbacks run.
        cons.state = MemberState::Stable;
        cons.pending_assignment = Some((generation, assignment));
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
        c: u32,
        offsets: Vec<(TopicPartitionId, Option<u64>)>,
        error: Option<GroupError>,
    ) -> Delivery {
        if error == Some(GroupError::UnstableOffsetCommit) {
            // KIP-447: a transaction still holds offsets of these partitions; ask again
            // after retry.backoff.ms (100 ms).
            self.schedule(
                self.now.plus(CONSUMER_RETRY_BACKOFF_US),
                Pending::OffsetFetchRetry { consumer: c },
            );
            return Delivery::GroupRefused {
                error: GroupError::UnstableOffsetCommit,
            };
        }
        for (tp, committed) in offsets {
            let cons = &mut self.consumers[c as usize];
            let waiting = cons.assignment.contains(&tp)
                && !cons.positions.contains_key(&tp)
                && !cons.resets.contains_key(&tp);
            if !waiting {
                continue;
            }
            match committed {
                Some(o) => {
                    cons.positions.insert(tp, o);
                }
                None => self.request_offset_reset(c, tp),
            }
        }
        let cons = &mut self.consumers[c as usize];
        if cons.state == MemberState::FetchingOffsets {
            cons.state = MemberState::Stable;
        }
        self.reset_positions(c);
        self.send_consumer_fetches(c);
        Delivery::Group
    }

    /// `OffsetCommitResponseHandler`: a blocked commitSync() returns; the committed offsets
    /// are known.
    fn on_offset_commit_response(
        &mut self,
        c: u32,
        offsets: Vec<(TopicPartitionId, u64)>,
        error: Option<GroupError>,
        request_id: u64,
    ) -> Delivery {
        let now = self.now;
        let cons = &mut self.consumers[c as usize];
        if cons.commit_sync_wait == Some(request_id) {
            // commitSync() returns (or throws, on an error): the loop polls again.
            cons.commit_sync_wait = None;
            cons.busy_until = Some(now);
            self.schedule(now, Pending::ConsumerPoll { consumer: c });
        }
        if let Some(error) = error {
            self.return_to_application(ClientCallback::CommitFailed { consumer: c, error });
            return Delivery::GroupRefused { error };
        }
        let cons = &mut self.consumers[c as usize];
        for (tp, o) in offsets {
            cons.committed.insert(tp, o);
        }
        Delivery::Group
    }

    /// `HeartbeatResponseHandler`: REBALANCE_IN_PROGRESS asks for a rejoin; an unknown member
    /// or a stale generation loses the membership.
    fn on_heartbeat_response(
        &mut self,
        c: u32,
        member_id: &str,
        error: Option<GroupError>,
    ) -> Delivery {
        if !self.is_current_member(c, member_id) {
            return Delivery::Group;
        }
        let Some(error) = error else {
            return Delivery::Group;
        };
        match error {
            GroupError::RebalanceInProgress => self.rejoin(c),
            GroupError::UnknownMemberId => self.lose_membership(c, true),
            GroupError::IllegalGeneration => self.lose_membership(c, false),
            _ => {}
        }
        Delivery::GroupRefused { error }
    }
}
