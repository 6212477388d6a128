//! What the consumer does with its group coordinator's answers: FindCoordinator, JoinGroup,
//! SyncGroup, Heartbeat, OffsetFetch, OffsetCommit, LeaveGroup responses and their errors.

use crate::consumer::coordinator::CONSUMER_RETRY_BACKOFF_US;
use crate::consumer::MemberState;
use crate::event::Delivery;
use crate::net::{Body, GroupError, MessageKind};
use crate::sim::{Pending, Sim};

impl Sim {
    /// A group response at the member. Responses meant for an earlier member id of this
    /// consumer (before a restart or a reset) are ignored.
    pub(crate) fn on_coordinator_response(&mut self, c: u32, body: Body) -> Delivery {
        let Some((group, _)) = self.coordinator_of(c) else {
            return Delivery::Group;
        };
        // The answer to the member's requests of that kind.
        let request = match body.kind() {
            MessageKind::JoinGroupResponse => Some(MessageKind::JoinGroup),
            MessageKind::SyncGroupResponse => Some(MessageKind::SyncGroup),
            MessageKind::OffsetFetchResponse => Some(MessageKind::OffsetFetch),
            MessageKind::OffsetCommitResponse => Some(MessageKind::OffsetCommit),
            MessageKind::HeartbeatResponse => Some(MessageKind::Heartbeat),
            _ => None,
        };
        if let Some(k) = request {
            self.consumers[c as usize]
                .coordinator_requests
                .retain(|(r, _)| *r != k);
        }
        let error = match &body {
            Body::JoinGroupResponse { error, .. }
            | Body::SyncGroupResponse { error, .. }
            | Body::OffsetFetchResponse { error, .. }
            | Body::OffsetCommitResponse { error, .. }
            | Body::HeartbeatResponse { error, .. } => *error,
            _ => None,
        };
        if let Some(error @ (GroupError::NotCoordinator | GroupError::CoordinatorNotAvailable)) =
            error
        {
            // Find the coordinator again; what failed is redone once it is known (an async
            // commit is not: commitAsync() does not retry).
            self.mark_coordinator_unknown(c);
            return Delivery::GroupRefused { error };
        }
        if let Body::FindCoordinatorResponse { coordinator, .. } = body {
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
            return Delivery::Group;
        }
        let now = self.now;
        let mine = |s: &Sim, id: &str| s.consumers[c as usize].member_id == id;
        match body {
            Body::JoinGroupResponse {
                member_id,
                generation,
                protocol,
                leader,
                members,
                error,
            } => {
                if !mine(self, &member_id)
                    || self.consumers[c as usize].state != MemberState::Joining
                {
                    return Delivery::Group;
                }
                if let Some(error) = error {
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
                    return Delivery::GroupRefused { error };
                }
                let assignment = match protocol {
                    Some(p) if leader == member_id && !members.is_empty() => {
                        Some(self.leader_assign(group, p, &members))
                    }
                    _ => None,
                };
                let cons = &mut self.consumers[c as usize];
                cons.generation = generation;
                cons.state = MemberState::Syncing;
                self.send_to_coordinator(
                    c,
                    Body::SyncGroup {
                        group,
                        member: c,
                        member_id,
                        generation,
                        assignment,
                    },
                );
                Delivery::Group
            }
            Body::SyncGroupResponse {
                member_id,
                generation,
                assignment,
                error,
            } => {
                if !mine(self, &member_id)
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
                    // The application is processing the last poll's records (or blocked in
                    // a commit): the new assignment takes effect in its next poll(), where the
                    // Java consumer runs the rebalance callbacks, so what it processed is
                    // committed before partitions are given up.
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
                    // SyncGroup succeeded: the member is Stable in the new generation (a
                    // commit now, as from a revocation callback, is accepted) and still holds
                    // its old partitions until the callbacks run.
                    cons.state = MemberState::Stable;
                    cons.pending_assignment = Some((generation, assignment));
                    return Delivery::Assigned {
                        generation,
                        kept,
                        added,
                        revoked,
                    };
                }
                self.apply_assignment(c, generation, assignment)
            }
            Body::OffsetFetchResponse {
                error: Some(GroupError::UnstableOffsetCommit),
                ..
            } => {
                // KIP-447: a transaction still holds offsets of these partitions; ask again
                // after retry.backoff.ms (100 ms).
                self.schedule(
                    now.plus(CONSUMER_RETRY_BACKOFF_US),
                    Pending::OffsetFetchRetry { consumer: c },
                );
                Delivery::GroupRefused {
                    error: GroupError::UnstableOffsetCommit,
                }
            }
            Body::OffsetFetchResponse { offsets, .. } => {
                // A committed offset is the position; without one the position is reset by
                // auto.offset.reset, from the leader's answer to a ListOffsets.
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
            Body::OffsetCommitResponse {
                offsets,
                error,
                request_id,
            } => {
                let cons = &mut self.consumers[c as usize];
                if cons.commit_sync_wait == Some(request_id) {
                    // commitSync() returns (or throws, on an error): the loop polls again.
                    cons.commit_sync_wait = None;
                    cons.busy_until = Some(now);
                    self.schedule(now, Pending::ConsumerPoll { consumer: c });
                }
                if let Some(error) = error {
                    if self.pipeline.is_some() {
                        self.pipeline_commit_failed(c);
                    }
                    return Delivery::GroupRefused { error };
                }
                let cons = &mut self.consumers[c as usize];
                for (tp, o) in offsets {
                    cons.committed.insert(tp, o);
                }
                Delivery::Group
            }
            Body::HeartbeatResponse { member_id, error } => {
                if !mine(self, &member_id) {
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
            _ => Delivery::Group,
        }
    }
}
