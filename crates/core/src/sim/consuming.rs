//! Consumer-side handlers: the member's side of the classic group protocol (JoinGroup,
//! SyncGroup, OffsetFetch, OffsetCommit, Heartbeat, LeaveGroup; eager and cooperative
//! rebalancing as `ConsumerCoordinator` does them), finding the coordinator (FindCoordinator,
//! `markCoordinatorUnknown` on a request timeout or NOT_COORDINATOR), consumer fetches and
//! `poll()`. The coordinator's side is in `classic_group` and `coordinator`.

use super::{Pending, Sim};
use crate::assignor::{AssignorKind, MemberSubscription, TopicPartition};
use crate::config::{CommitMode, OffsetReset, RebalanceProtocol};
use crate::consumer::group::JoinMetadata;
use crate::consumer::{BufferedRecord, MemberState};
use crate::event::{Delivery, Event};
use crate::net::{
    Body, FetchedPartition, GroupError, JoinedMember, MessageKind, Node, TopicPartitionId,
};
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// The consumer's `request.timeout.ms` (30 s).
pub(crate) const CONSUMER_REQUEST_TIMEOUT_US: u64 = 30_000_000;
/// `default.api.timeout.ms` (60 s): how long `commitSync()` blocks before it throws
/// TimeoutException.
const DEFAULT_API_TIMEOUT_US: u64 = 60_000_000;
/// The consumer's retry.backoff.ms (100 ms), between OffsetFetch attempts.
const OFFSET_FETCH_RETRY_BACKOFF_US: u64 = 100_000;
/// `JOIN_GROUP_TIMEOUT_LAPSE`: a JoinGroup may wait the rebalance timeout plus this.
const JOIN_GROUP_TIMEOUT_LAPSE_US: u64 = 5_000_000;

/// How long the member waits for the answer to a JoinGroup: max.poll.interval.ms (the
/// rebalance timeout) + 5 s.
pub(crate) fn join_group_timeout_us(c: &crate::config::ConsumerConfig) -> u64 {
    c.max_poll_interval_ms.value * 1000 + JOIN_GROUP_TIMEOUT_LAPSE_US
}

/// The timeout of a request of `kind` to the coordinator (`None`: the member's group has no
/// configuration): JoinGroup's, else request.timeout.ms.
pub(crate) fn coordinator_request_timeout_us(
    c: Option<&crate::config::ConsumerConfig>,
    kind: MessageKind,
) -> u64 {
    if kind == MessageKind::JoinGroup {
        c.map_or(
            300_000_000 + JOIN_GROUP_TIMEOUT_LAPSE_US,
            join_group_timeout_us,
        )
    } else {
        CONSUMER_REQUEST_TIMEOUT_US
    }
}

impl Sim {
    /// A member's request to its group's coordinator, as the member knows it. While the
    /// coordinator is unknown the request is not sent: a FindCoordinator goes out, and once
    /// it is answered the member redoes what its state needs (`coordinator_found`).
    pub(crate) fn send_to_coordinator(&mut self, c: u32, body: Body) {
        let Some(cons) = self.consumers.get(c as usize) else {
            return;
        };
        let Some(coord) = cons.coordinator else {
            self.find_coordinator(c);
            return;
        };
        let kind = body.kind();
        if kind != MessageKind::LeaveGroup {
            // Kafka's JoinGroup waits up to the rebalance timeout + 5 s; the rest
            // request.timeout.ms.
            let cc = self
                .config
                .groups
                .get(cons.group as usize)
                .map(|g| &g.consumer);
            let timeout = coordinator_request_timeout_us(cc, kind);
            let deadline = self.now.plus(timeout);
            self.consumers[c as usize]
                .coordinator_requests
                .push((kind, deadline));
        }
        self.send(Node::Consumer(c), Node::Broker(coord), body);
    }

    /// Sends FindCoordinator to a live broker (the first from the member's index), unless one
    /// is outstanding. With no broker alive, the member's timer tries again.
    pub(crate) fn find_coordinator(&mut self, c: u32) {
        let Some(cons) = self.consumers.get(c as usize) else {
            return;
        };
        if !cons.alive || cons.find_coordinator_sent.is_some() {
            return;
        }
        let group = cons.group;
        let n = self.brokers.len();
        let Some(b) = (0..n)
            .map(|i| (c as usize + i) % n)
            .find(|&b| self.brokers[b].alive)
        else {
            return;
        };
        self.consumers[c as usize].find_coordinator_sent = Some(self.now);
        self.send(
            Node::Consumer(c),
            Node::Broker(b as u32),
            Body::FindCoordinator { group, consumer: c },
        );
    }

    /// `markCoordinatorUnknown`: the connection to the coordinator is closed (its requests in
    /// flight fail) and the member looks for the coordinator again.
    pub(crate) fn mark_coordinator_unknown(&mut self, c: u32) {
        let Some(cons) = self.consumers.get_mut(c as usize) else {
            return;
        };
        cons.coordinator = None;
        cons.coordinator_requests.clear();
        self.find_coordinator(c);
    }

    /// The coordinator is known again: redo what the member's state was waiting for (a join
    /// or sync is redone as a JoinGroup, as `joinGroupIfNeeded` does; an offset fetch and a
    /// blocked commitSync() are sent again; heartbeats resume on the timer).
    pub(crate) fn coordinator_found(&mut self, c: u32) {
        let Some(cons) = self.consumers.get(c as usize) else {
            return;
        };
        if !cons.alive {
            return;
        }
        match cons.state {
            MemberState::Joining | MemberState::Syncing => self.send_join(c),
            MemberState::FetchingOffsets => self.send_offset_fetch(c),
            _ => {}
        }
        let cons = &self.consumers[c as usize];
        if cons.commit_sync_wait.is_some() {
            if cons.positions.is_empty() {
                let cons = &mut self.consumers[c as usize];
                cons.commit_sync_wait = None;
                cons.busy_until = Some(self.now);
                self.schedule(self.now, Pending::ConsumerPoll { consumer: c });
            } else {
                let id = self.send_commit(c);
                self.consumers[c as usize].commit_sync_wait = Some(id);
            }
        }
    }

    pub(crate) fn coordinator_of(&self, consumer: u32) -> Option<(u32, u32)> {
        let c = self.consumers.get(consumer as usize)?;
        let g = self.groups.get(c.group as usize)?;
        Some((c.group, g.coordinator))
    }

    /// Whether a message to `node` is lost because that consumer's process is not running.
    pub(crate) fn consumer_down(&self, node: Node) -> bool {
        match node {
            Node::Consumer(c) => self.consumers.get(c as usize).is_some_and(|x| !x.alive),
            Node::Producer(p) => self.producers.get(p as usize).is_some_and(|x| x.crashed),
            _ => false,
        }
    }

    /// OffsetFetch (with requireStable, as the Java consumer always asks) for the assigned
    /// partitions that have no position yet.
    pub(crate) fn send_offset_fetch(&mut self, c: u32) {
        let Some(cons) = self.consumers.get(c as usize) else {
            return;
        };
        let missing: Vec<TopicPartitionId> = cons
            .assignment
            .iter()
            .filter(|tp| !cons.positions.contains_key(tp))
            .copied()
            .collect();
        if missing.is_empty() {
            return;
        }
        let group = cons.group;
        self.send_to_coordinator(
            c,
            Body::OffsetFetch {
                group,
                member: c,
                partitions: missing,
                require_stable: true,
            },
        );
    }

    /// The retry after UNSTABLE_OFFSET_COMMIT (retry.backoff.ms later).
    pub(crate) fn on_offset_fetch_retry(&mut self, c: u32) -> Option<Event> {
        let cons = self.consumers.get(c as usize)?;
        if !cons.alive || cons.state != MemberState::FetchingOffsets {
            return None;
        }
        self.send_offset_fetch(c);
        Some(Event::OffsetFetchRetried { consumer: c })
    }

    /// The member's rebalance protocol (from its `partition.assignment.strategy`).
    pub(crate) fn rebalance_protocol(&self, c: u32) -> RebalanceProtocol {
        self.consumers
            .get(c as usize)
            .map_or(RebalanceProtocol::Eager, |x| {
                x.strategies.rebalance_protocol()
            })
    }

    /// Sends JoinGroup: as a new member (a fresh member id `<client.id>-<UUID>`, or
    /// `<group.instance.id>-<UUID>` for a static member) or as the member it is.
    pub(crate) fn send_join(&mut self, c: u32) {
        let Some((group, _)) = self.coordinator_of(c) else {
            return;
        };
        let new_member = self.consumers[c as usize].member_id.is_empty();
        if new_member {
            let uuid = self.uuid();
            let cons = &mut self.consumers[c as usize];
            let prefix = cons.instance_id.as_ref().unwrap_or(&cons.client_id);
            cons.member_id = alloc::format!("{prefix}-{uuid}");
        }
        let cons = &mut self.consumers[c as usize];
        cons.state = MemberState::Joining;
        cons.rejoin_requested = false;
        let owned = cons.assignment.clone();
        let metadata = JoinMetadata {
            owned_generation: if cons.generation > 0 {
                Some(cons.generation)
            } else {
                None
            },
            owned,
            previous: cons.previous.clone(),
            previous_generation: cons.previous_generation,
        };
        let body = Body::JoinGroup {
            group,
            member: c,
            member_id: cons.member_id.clone(),
            new_member,
            instance_id: cons.instance_id.clone(),
            protocols: cons.strategies,
            metadata,
        };
        self.send_to_coordinator(c, body);
    }

    /// The coordinator (or a partition-count change) asks this member to rejoin: done at once
    /// when the application is idle, else at its next `poll()` (the rejoin runs inside poll).
    pub(crate) fn rejoin(&mut self, c: u32) {
        let Some(cons) = self.consumers.get_mut(c as usize) else {
            return;
        };
        if !cons.alive {
            return;
        }
        cons.rejoin_requested = true;
        if cons.busy_until.is_none() {
            self.maybe_rejoin_now(c);
        }
    }

    /// `onJoinPrepare` then JoinGroup, if a rejoin is pending and no join or sync is running.
    pub(crate) fn maybe_rejoin_now(&mut self, c: u32) {
        let Some(cons) = self.consumers.get(c as usize) else {
            return;
        };
        if !cons.alive
            || !cons.rejoin_requested
            || matches!(cons.state, MemberState::Joining | MemberState::Syncing)
        {
            return;
        }
        if cons.state != MemberState::Unjoined {
            self.commit_before_rejoin(c);
            if self.rebalance_protocol(c) == RebalanceProtocol::Eager {
                // Eager: everything is revoked before joining; processing stops.
                let cons = &mut self.consumers[c as usize];
                cons.assignment.clear();
                cons.positions.clear();
                cons.buffer.clear();
            }
        }
        self.send_join(c);
    }

    /// `onJoinPrepare`'s commit of the consumed positions (with auto-commit on).
    pub(crate) fn commit_before_rejoin(&mut self, c: u32) {
        let Some((group, _)) = self.coordinator_of(c) else {
            return;
        };
        // A pipeline processor at least once commits what it processed, as Streams does
        // when a rebalance starts.
        let processor = self.pipeline.is_some() && self.pipeline_commits_on_rebalance(c);
        if !processor
            && !self.config.groups[group as usize]
                .consumer
                .enable_auto_commit
                .value
        {
            return;
        }
        if self.consumers[c as usize].positions.is_empty() {
            return;
        }
        self.send_commit(c);
    }

    /// Sends an OffsetCommit of the consumed positions (`subscriptions.allConsumed()`) with a
    /// fresh correlation id, which it returns.
    pub(crate) fn send_commit(&mut self, c: u32) -> u64 {
        let offsets = self.consumers[c as usize]
            .positions
            .iter()
            .map(|(tp, o)| (*tp, *o))
            .collect();
        self.send_commit_of(c, offsets)
    }

    /// Sends an OffsetCommit of `offsets` in the member's generation; returns its correlation
    /// id.
    pub(crate) fn send_commit_of(&mut self, c: u32, offsets: Vec<(TopicPartitionId, u64)>) -> u64 {
        let cons = &mut self.consumers[c as usize];
        let request_id = cons.next_request_id;
        cons.next_request_id += 1;
        let body = Body::OffsetCommit {
            group: cons.group,
            member: c,
            member_id: cons.member_id.clone(),
            generation: cons.generation,
            offsets,
            request_id,
        };
        self.send_to_coordinator(c, body);
        request_id
    }

    /// The application blocks in `commitSync()` until the OffsetCommit response `request_id`
    /// (or default.api.timeout.ms): no poll meanwhile, max.poll.interval.ms keeps counting.
    pub(crate) fn block_in_commit_sync(&mut self, c: u32, request_id: u64) {
        let now = self.now;
        if let Some(cons) = self.consumers.get_mut(c as usize) {
            cons.commit_sync_wait = Some(request_id);
            cons.commit_sync_deadline = now.plus(DEFAULT_API_TIMEOUT_US);
            cons.busy_until = Some(SimTime(u64::MAX));
        }
    }

    /// The application calls `poll()` now (a blocking call returned), if its process runs.
    pub(crate) fn poll_now(&mut self, c: u32) {
        let now = self.now;
        if let Some(cons) = self.consumers.get_mut(c as usize) {
            if cons.alive {
                cons.busy_until = Some(now);
                self.schedule(now, Pending::ConsumerPoll { consumer: c });
            }
        }
    }

    /// The application finished processing the last poll's records and commits them itself
    /// (`sim.consumer.commit`): `commitSync()` blocks the poll loop until the response;
    /// `commitAsync()` does not. Kafka fails a commit at once, without a request, while the
    /// member is not in a stable generation (`generationIfStable()`): nothing is sent then.
    /// Returns the event, or `None` when the application does not commit.
    pub(crate) fn application_commit(&mut self, c: u32, mode: CommitMode) -> Option<Event> {
        let cons = &mut self.consumers[c as usize];
        if mode == CommitMode::Auto || !core::mem::take(&mut cons.uncommitted_poll) {
            return None;
        }
        let sync = mode == CommitMode::Sync;
        let partitions = cons.positions.len() as u32;
        let stable = matches!(
            cons.state,
            MemberState::Stable | MemberState::FetchingOffsets
        );
        if !stable || partitions == 0 {
            // CommitFailedException / RebalanceInProgressException: the loop polls again.
            self.schedule(self.now, Pending::ConsumerPoll { consumer: c });
            return Some(Event::CommitCalled {
                consumer: c,
                sync,
                partitions: 0,
            });
        }
        let id = self.send_commit(c);
        if sync {
            self.block_in_commit_sync(c, id);
        } else {
            self.schedule(self.now, Pending::ConsumerPoll { consumer: c });
        }
        Some(Event::CommitCalled {
            consumer: c,
            sync,
            partitions,
        })
    }

    /// The member lost its membership (unknown member, stale generation, or it left on
    /// max.poll.interval.ms): its partitions are lost without a commit
    /// (`onPartitionsLost`), and it rejoins, as a new member when `reset_member_id`.
    pub(crate) fn lose_membership(&mut self, c: u32, reset_member_id: bool) {
        let Some(cons) = self.consumers.get_mut(c as usize) else {
            return;
        };
        cons.assignment.clear();
        cons.positions.clear();
        cons.buffer.clear();
        cons.pending_assignment = None;
        cons.generation = 0;
        if reset_member_id {
            cons.member_id.clear();
        }
        cons.state = MemberState::Unjoined;
        self.rejoin(c);
    }

    /// The leader runs the chosen assignor over the members (`ConsumerCoordinator.
    /// onLeaderElected`), passing each member's owned partitions and generation as the
    /// assignor reads them.
    pub(crate) fn leader_assign(
        &self,
        group: u32,
        protocol: AssignorKind,
        members: &[JoinedMember],
    ) -> Vec<(String, Vec<TopicPartitionId>)> {
        let topics = &self.config.groups[group as usize].topics;
        let mut counts = BTreeMap::new();
        for name in topics {
            if let Some(t) = self.topics.iter().find(|t| &t.name == name) {
                counts.insert(name.clone(), t.partitions.len() as u32);
            }
        }
        let named = |tps: &[TopicPartitionId]| -> Vec<TopicPartition> {
            tps.iter()
                .filter_map(|tp| {
                    let t = self.topics.get(tp.topic as usize)?;
                    Some(TopicPartition::new(t.name.clone(), tp.partition as i32))
                })
                .collect()
        };
        let subs: Vec<MemberSubscription> = members
            .iter()
            .map(|m| {
                let (owned, generation) = match protocol {
                    AssignorKind::Sticky => {
                        (named(&m.metadata.previous), m.metadata.previous_generation)
                    }
                    AssignorKind::CooperativeSticky => {
                        (named(&m.metadata.owned), m.metadata.owned_generation)
                    }
                    _ => (Vec::new(), None),
                };
                MemberSubscription {
                    member_id: m.member_id.clone(),
                    group_instance_id: m.instance_id.clone(),
                    topics: topics.clone(),
                    owned,
                    generation: generation.map(|g| g.min(i32::MAX as u32) as i32),
                }
            })
            .collect();
        let result = crate::assignor::assign(protocol, &counts, &subs).unwrap_or_default();
        members
            .iter()
            .map(|m| {
                let tps = result
                    .get(&m.member_id)
                    .map(|v| {
                        v.iter()
                            .filter_map(|tp| {
                                let t = self.topics.iter().position(|t| t.name == tp.topic)?;
                                Some(TopicPartitionId {
                                    topic: t as u32,
                                    partition: u32::try_from(tp.partition).ok()?,
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                (m.member_id.clone(), tps)
            })
            .collect()
    }

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
                    now.plus(OFFSET_FETCH_RETRY_BACKOFF_US),
                    Pending::OffsetFetchRetry { consumer: c },
                );
                Delivery::GroupRefused {
                    error: GroupError::UnstableOffsetCommit,
                }
            }
            Body::OffsetFetchResponse { offsets, .. } => {
                let reset = self.config.groups[group as usize]
                    .consumer
                    .auto_offset_reset
                    .value;
                let mut pos = Vec::new();
                for (tp, committed) in offsets {
                    let p = match committed {
                        Some(o) => Some(o),
                        None => self.partition(tp).and_then(|p| match reset {
                            OffsetReset::Earliest => {
                                p.leader_replica().map(|r| r.log.log_start_offset())
                            }
                            OffsetReset::Latest => Some(p.high_watermark()),
                            OffsetReset::None => None,
                        }),
                    };
                    if let Some(p) = p {
                        pos.push((tp, p));
                    }
                }
                let cons = &mut self.consumers[c as usize];
                for (tp, p) in pos {
                    if cons.assignment.contains(&tp) && !cons.positions.contains_key(&tp) {
                        cons.positions.insert(tp, p);
                    }
                }
                if cons.state == MemberState::FetchingOffsets {
                    cons.state = MemberState::Stable;
                }
                let _ = now;
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

    /// The assignment of `generation` takes effect (`onJoinComplete`): revoked partitions are
    /// given up (cooperative: a follow-up rejoin hands them over), new ones need their
    /// committed offsets.
    pub(crate) fn apply_assignment(
        &mut self,
        c: u32,
        generation: u32,
        assignment: Vec<TopicPartitionId>,
    ) -> Delivery {
        let cooperative = self.rebalance_protocol(c) == RebalanceProtocol::Cooperative;
        // onPartitionsRevoked: a pipeline processor at least once commits the positions of
        // what it gives up (Streams commits revoked tasks before handing them over).
        if self.pipeline.is_some() && self.pipeline_commits_on_rebalance(c) {
            let revoked: Vec<(TopicPartitionId, u64)> = self.consumers[c as usize]
                .positions
                .iter()
                .filter(|(tp, _)| !assignment.contains(tp))
                .map(|(tp, o)| (*tp, *o))
                .collect();
            if !revoked.is_empty() {
                self.send_commit_of(c, revoked);
            }
        }
        let cons = &mut self.consumers[c as usize];
        let owned = core::mem::take(&mut cons.assignment);
        let revoked: Vec<TopicPartitionId> = owned
            .iter()
            .filter(|tp| !assignment.contains(tp))
            .copied()
            .collect();
        let added: Vec<TopicPartitionId> = assignment
            .iter()
            .filter(|tp| !owned.contains(tp))
            .copied()
            .collect();
        let kept = (assignment.len() - added.len()) as u32;
        cons.assignment = assignment.clone();
        cons.previous = assignment.clone();
        cons.previous_generation = Some(generation);
        cons.positions.retain(|tp, _| assignment.contains(tp));
        cons.buffer.retain(|r| assignment.contains(&r.tp));
        if cooperative && !revoked.is_empty() {
            // KIP-429: give up what moved, then rejoin so it can be handed over.
            cons.rejoin_requested = true;
        }
        // Committed offsets are fetched for every assigned partition without a
        // position: the new ones, and kept ones whose position was reset (Kafka's
        // `refreshCommittedOffsetsIfNeeded` for partitions still initializing).
        let missing = assignment.iter().any(|tp| !cons.positions.contains_key(tp));
        if !missing {
            cons.state = MemberState::Stable;
        } else {
            cons.state = MemberState::FetchingOffsets;
            self.send_offset_fetch(c);
        }
        self.send_consumer_fetches(c);
        if self.consumers[c as usize].busy_until.is_none() {
            self.maybe_rejoin_now(c);
        }
        Delivery::Assigned {
            generation,
            kept,
            added: added.len() as u32,
            revoked: revoked.len() as u32,
        }
    }

    /// The application's `poll()` applies an assignment that arrived while it was busy.
    pub(crate) fn apply_pending_assignment(&mut self, c: u32) {
        let Some(cons) = self.consumers.get_mut(c as usize) else {
            return;
        };
        if let Some((generation, assignment)) = cons.pending_assignment.take() {
            if cons.is_member() && cons.generation == generation {
                self.apply_assignment(c, generation, assignment);
            }
        }
    }

    /// Sends a fetch to every leader of assigned partitions that have no buffered records and
    /// no fetch outstanding (`Fetcher.prepareFetchRequests`).
    pub(crate) fn send_consumer_fetches(&mut self, c: u32) {
        let Some(cons) = self.consumers.get(c as usize) else {
            return;
        };
        // Eager members hold nothing while they rejoin; cooperative ones keep fetching what
        // they own.
        if !cons.alive || !cons.is_member() {
            return;
        }
        let mut per_broker: BTreeMap<u32, Vec<(TopicPartitionId, u64)>> = BTreeMap::new();
        for tp in &cons.assignment {
            let Some(&pos) = cons.positions.get(tp) else {
                continue;
            };
            let Some(leader) = self.partition(*tp).and_then(|p| p.leader) else {
                continue;
            };
            if cons
                .fetch_in_flight
                .get(leader as usize)
                .copied()
                .unwrap_or(true)
                || cons.buffered(*tp)
            {
                continue;
            }
            per_broker.entry(leader).or_default().push((*tp, pos));
        }
        let g = self.consumers[c as usize].group as usize;
        let cc = &self.config.groups[g].consumer;
        let params = crate::net::FetchParams {
            max_wait_ms: cc.fetch_max_wait_ms.value,
            min_bytes: cc.fetch_min_bytes.value as u64,
            partition_max_bytes: cc.max_partition_fetch_bytes.value as u64,
            isolation_level: cc.isolation_level.value,
        };
        for (b, partitions) in per_broker {
            self.consumers[c as usize].fetch_in_flight[b as usize] = true;
            self.consumers[c as usize].fetch_sent_at[b as usize] = self.now;
            self.send(
                Node::Consumer(c),
                Node::Broker(b),
                Body::ConsumerFetch {
                    consumer: c,
                    params,
                    partitions,
                },
            );
        }
    }

    /// Records arrived from a leader: buffer them; wake an idle application.
    pub(crate) fn on_consumer_fetch_response(
        &mut self,
        c: u32,
        from: Node,
        parts: Vec<FetchedPartition>,
    ) -> Delivery {
        let Node::Broker(b) = from else {
            return Delivery::Group;
        };
        let Some(cons) = self.consumers.get_mut(c as usize) else {
            return Delivery::Group;
        };
        if let Some(f) = cons.fetch_in_flight.get_mut(b as usize) {
            *f = false;
        }
        let mut n = 0;
        let mut out_of_range = Vec::new();
        for fp in parts {
            let Some(&pos) = cons.positions.get(&fp.tp) else {
                continue;
            };
            if !cons.assignment.contains(&fp.tp) {
                continue;
            }
            if pos < fp.log_start_offset {
                out_of_range.push((fp.tp, fp.log_start_offset, fp.high_watermark));
                continue;
            }
            let mut next = pos;
            let visible = visible_records(&fp);
            for ((off, entry), visible) in fp.entries.into_iter().zip(visible) {
                if off == next {
                    cons.buffer.push_back(BufferedRecord {
                        tp: fp.tp,
                        offset: off,
                        entry,
                        visible,
                    });
                    next += 1;
                    n += 1;
                }
            }
        }
        self.reset_out_of_range(c, &out_of_range);
        let cons = &mut self.consumers[c as usize];
        let idle = cons.busy_until.is_none();
        if idle && !cons.buffer.is_empty() {
            cons.busy_until = Some(self.now);
            self.schedule(self.now, Pending::ConsumerPoll { consumer: c });
        }
        self.send_consumer_fetches(c);
        Delivery::Fetched { records: n }
    }

    /// OFFSET_OUT_OF_RANGE for partitions whose fetch position fell below the leader's log
    /// start offset (retention deleted it): the consumer resets by `auto.offset.reset`
    /// (`SubscriptionState.requestOffsetReset`): earliest -> the log start offset, latest ->
    /// the high watermark; with none, `poll()` would throw `OffsetOutOfRangeException`: here
    /// the partition loses its position and is not fetched again until the next assignment.
    ///
    /// Simplified: the offsets come from the fetch response, not from a ListOffsets request.
    pub(crate) fn reset_out_of_range(&mut self, c: u32, parts: &[(TopicPartitionId, u64, u64)]) {
        if parts.is_empty() {
            return;
        }
        let Some(cons) = self.consumers.get_mut(c as usize) else {
            return;
        };
        let Some(g) = self.config.groups.get(cons.group as usize) else {
            return;
        };
        let reset = g.consumer.auto_offset_reset.value;
        for &(tp, log_start, hw) in parts {
            match reset {
                OffsetReset::Earliest => {
                    cons.positions.insert(tp, log_start);
                }
                OffsetReset::Latest => {
                    cons.positions.insert(tp, hw.max(log_start));
                }
                OffsetReset::None => {
                    cons.positions.remove(&tp);
                }
            }
        }
    }

    /// The application calls `poll()`: up to max.poll.records buffered records, then it
    /// processes them (sim.consumer.processing per record) before polling again.
    /// A pending rebalance runs inside `poll()` first (eager: everything is revoked and the
    /// poll returns nothing; cooperative: owned partitions keep being returned).
    pub(crate) fn on_consumer_poll(&mut self, c: u32) -> Option<Event> {
        let now = self.now;
        let cons = self.consumers.get(c as usize)?;
        // Timers of a crashed process, or superseded ones, are not polls.
        if !cons.alive || cons.busy_until != Some(now) {
            return None;
        }
        let group = cons.group as usize;
        if self.pipeline.is_some() {
            if let Some(ev) = self.pipeline_before_poll(c) {
                return ev;
            }
        }
        let cc = self.config.groups[group].consumer.clone();
        if let Some(ev) = self.application_commit(c, cc.commit_mode.value) {
            return Some(ev);
        }
        self.maybe_auto_commit(c);
        self.apply_pending_assignment(c);
        let cons = &mut self.consumers[c as usize];
        cons.busy_until = None;
        cons.last_poll = now;
        let per_record = cons
            .processing_us
            .unwrap_or(cc.processing_us_per_record.value);
        if cons.rejoin_requested {
            self.maybe_rejoin_now(c);
        }
        // What the application gets, kept when a pipeline or a transaction needs to know.
        let track = self.pipeline.is_some() || !self.txn_coordinator.is_empty();
        let mut returned: Vec<BufferedRecord> = Vec::new();
        let cons = &mut self.consumers[c as usize];
        let mut n = 0u32;
        while n < cc.max_poll_records.value {
            let Some(r) = cons.buffer.front().copied() else {
                break;
            };
            cons.buffer.pop_front();
            let Some(pos) = cons.positions.get_mut(&r.tp) else {
                continue;
            };
            if r.offset != *pos {
                continue;
            }
            *pos += 1;
            if r.visible {
                n += 1;
                if track {
                    returned.push(r);
                }
            }
        }
        cons.records_consumed += n as u64;
        if !returned.is_empty() {
            self.pipeline_polled(c, &returned);
            self.pipeline_verify(c, &returned);
        }
        let cons = &mut self.consumers[c as usize];
        if n > 0 {
            cons.uncommitted_poll = true;
            let at = now.plus(per_record.saturating_mul(n as u64));
            cons.busy_until = Some(at);
            self.schedule(at, Pending::ConsumerPoll { consumer: c });
        }
        let lag = self.consumer_lag_max(c);
        let cons = &mut self.consumers[c as usize];
        cons.records_lag_max = cons.records_lag_max.max(lag);
        self.send_consumer_fetches(c);
        Some(Event::Polled {
            consumer: c,
            records: n,
        })
    }

    pub(crate) fn maybe_auto_commit(&mut self, c: u32) -> bool {
        let now = self.now;
        let Some((group, _)) = self.coordinator_of(c) else {
            return false;
        };
        let cc = &self.config.groups[group as usize].consumer;
        let (enabled, interval) = (
            cc.enable_auto_commit.value,
            cc.auto_commit_interval_ms.value * 1000,
        );
        let cons = &mut self.consumers[c as usize];
        if !enabled || cons.state != MemberState::Stable || now < cons.next_auto_commit {
            return false;
        }
        cons.next_auto_commit = now.plus(interval.max(1));
        self.send_commit(c);
        true
    }

    /// The member's background timer: heartbeats (sent while it is in the group, as Kafka's
    /// heartbeat thread does after JoinGroup), auto-commit while the application is idle
    /// (inside `poll()`), the fetch request timeout, and max.poll.interval.ms: when the
    /// application has been processing for longer, the member leaves the group (KIP-62; a
    /// static member sends no LeaveGroup and its session expires instead). The timer keeps
    /// running while the process is down, so that a restart picks it up.
    pub(crate) fn on_consumer_timer(&mut self, c: u32) -> Option<Event> {
        let now = self.now;
        let (group, _) = self.coordinator_of(c)?;
        let cc = &self.config.groups[group as usize].consumer;
        let hb_interval = (cc.heartbeat_interval_ms.value * 1000).max(1);
        let max_poll_us = cc.max_poll_interval_ms.value * 1000;
        let auto = cc.enable_auto_commit.value;
        let cons = &self.consumers[c as usize];
        if !cons.alive {
            if !cons.closed {
                self.schedule(
                    now.plus(hb_interval),
                    Pending::ConsumerTimer { consumer: c },
                );
            }
            return None;
        }
        let joined = matches!(
            cons.state,
            MemberState::Syncing | MemberState::FetchingOffsets | MemberState::Stable
        );
        if joined && cons.busy_until.is_some() && now.since(cons.last_poll) >= max_poll_us {
            let left_group = cons.instance_id.is_none();
            if left_group {
                let body = Body::LeaveGroup {
                    group,
                    member: c,
                    member_id: cons.member_id.clone(),
                };
                self.send_to_coordinator(c, body);
            }
            self.lose_membership(c, true);
            let next = self.consumers[c as usize].next_heartbeat.max(now.plus(1));
            self.schedule(next, Pending::ConsumerTimer { consumer: c });
            return Some(Event::PollTimeoutExpired {
                consumer: c,
                left_group,
            });
        }
        // A coordinator request unanswered for its timeout: the coordinator is marked
        // unknown; a FindCoordinator unanswered for request.timeout.ms is sent again.
        let lost_coordinator = cons
            .coordinator
            .filter(|_| cons.coordinator_requests.iter().any(|(_, d)| *d <= now));
        if cons
            .find_coordinator_sent
            .is_some_and(|t| now.since(t) >= CONSUMER_REQUEST_TIMEOUT_US)
        {
            self.consumers[c as usize].find_coordinator_sent = None;
        }
        if lost_coordinator.is_some() {
            self.mark_coordinator_unknown(c);
        } else if self.consumers[c as usize].coordinator.is_none() {
            self.find_coordinator(c);
        }
        // commitSync() past default.api.timeout.ms throws TimeoutException: the application
        // carries on polling (the offsets stay uncommitted).
        let cons = &mut self.consumers[c as usize];
        if cons.commit_sync_wait.is_some() && now >= cons.commit_sync_deadline {
            cons.commit_sync_wait = None;
            cons.busy_until = Some(now);
            self.schedule(now, Pending::ConsumerPoll { consumer: c });
            let next = self.consumers[c as usize].next_heartbeat.max(now.plus(1));
            self.schedule(next, Pending::ConsumerTimer { consumer: c });
            return Some(Event::CommitSyncTimedOut { consumer: c });
        }
        let cons = &self.consumers[c as usize];
        let idle = cons.busy_until.is_none();
        let commit = idle && self.maybe_auto_commit(c);
        // A fetch with no answer for the consumer's request.timeout.ms (30 s) is given up:
        // the connection is closed and the partitions are fetched again.
        let cons = &mut self.consumers[c as usize];
        let mut expired = false;
        for (f, sent) in cons.fetch_in_flight.iter_mut().zip(&cons.fetch_sent_at) {
            if *f && now.since(*sent) >= CONSUMER_REQUEST_TIMEOUT_US {
                *f = false;
                expired = true;
            }
        }
        if expired {
            self.send_consumer_fetches(c);
        }
        let cons = &mut self.consumers[c as usize];
        let mut heartbeat = false;
        if now >= cons.next_heartbeat {
            cons.next_heartbeat = now.plus(hb_interval);
            if joined && cons.coordinator.is_some() {
                heartbeat = true;
                let body = Body::Heartbeat {
                    group,
                    member: c,
                    member_id: cons.member_id.clone(),
                    generation: cons.generation,
                };
                self.send_to_coordinator(c, body);
            }
        }
        let cons = &self.consumers[c as usize];
        let mut next = cons.next_heartbeat;
        // An auto-commit that is due but could not run (the member is not Stable) waits for
        // the next heartbeat: rescheduling at `now` would spin at the same instant forever.
        if auto && idle && cons.next_auto_commit > now {
            next = next.min(cons.next_auto_commit);
        }
        if joined && cons.busy_until.is_some() {
            next = next.min(cons.last_poll.plus(max_poll_us).max(now.plus(1)));
        }
        if cons.commit_sync_wait.is_some() {
            next = next.min(cons.commit_sync_deadline.max(now.plus(1)));
        }
        self.schedule(next.max(now), Pending::ConsumerTimer { consumer: c });
        if let Some(coordinator) = lost_coordinator {
            return Some(Event::CoordinatorUnknown {
                consumer: c,
                coordinator,
            });
        }
        Some(Event::ConsumerTimer {
            consumer: c,
            heartbeat,
            commit,
        })
    }

    /// Largest lag (high watermark - position; read_committed: last stable offset -
    /// position) over a consumer's partitions.
    pub(crate) fn consumer_lag_max(&self, c: u32) -> u64 {
        let Some(cons) = self.consumers.get(c as usize) else {
            return 0;
        };
        cons.positions
            .iter()
            .map(|(tp, pos)| {
                self.consumer_fetch_end(Node::Consumer(c), *tp)
                    .saturating_sub(*pos)
            })
            .max()
            .unwrap_or(0)
    }
}

/// Which fetched entries the application sees (`CompletedFetch`): never control markers; for
/// a read_committed fetch (one that lists aborted transactions) not the records of an aborted
/// transaction: a producer id is skipped from the first offset of its aborted transaction to
/// its ABORT marker.
fn visible_records(fp: &FetchedPartition) -> Vec<bool> {
    let mut aborted: Vec<(i64, u64)> = fp.aborted_transactions.clone();
    aborted.sort_by_key(|(_, first)| *first);
    let mut next = 0;
    let mut skipping = alloc::collections::BTreeSet::new();
    fp.entries
        .iter()
        .map(|(off, e)| {
            while next < aborted.len() && aborted[next].1 <= *off {
                skipping.insert(aborted[next].0);
                next += 1;
            }
            match e.kind {
                crate::log::EntryKind::Data => {
                    !(e.transactional && skipping.contains(&e.producer_id))
                }
                crate::log::EntryKind::ControlAbort => {
                    skipping.remove(&e.producer_id);
                    false
                }
                crate::log::EntryKind::ControlCommit => false,
            }
        })
        .collect()
}
