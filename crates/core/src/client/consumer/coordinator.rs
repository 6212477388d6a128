//! Consumer-side handlers: the member's side of the classic group protocol (JoinGroup,
//! SyncGroup, OffsetFetch, OffsetCommit, Heartbeat, LeaveGroup; eager and cooperative
//! rebalancing as `ConsumerCoordinator` does them), finding the coordinator (FindCoordinator,
//! `markCoordinatorUnknown` on a request timeout or NOT_COORDINATOR), consumer fetches and
//! `poll()`. The coordinator's side is in `classic_group` and `coordinator`.

use crate::client::consumer::context::{ConsumerCtx, ConsumerWake};
use crate::consumer::{Consumer, MemberState};
use crate::event::Event;
use crate::net::{Body, MessageKind, Node, TopicPartitionId};
use crate::sim::Sim;
use alloc::vec::Vec;

/// The consumer's `request.timeout.ms` (30 s).
pub(crate) const CONSUMER_REQUEST_TIMEOUT_US: u64 = 30_000_000;
/// `default.api.timeout.ms` (60 s): how long `commitSync()` blocks before it throws
/// TimeoutException.
pub(crate) const DEFAULT_API_TIMEOUT_US: u64 = 60_000_000;
/// The consumer's retry.backoff.ms (100 ms), between OffsetFetch and ListOffsets attempts.
pub(crate) const CONSUMER_RETRY_BACKOFF_US: u64 = 100_000;
/// `JOIN_GROUP_TIMEOUT_LAPSE`: a JoinGroup may wait the rebalance timeout plus this.
pub(crate) const JOIN_GROUP_TIMEOUT_LAPSE_US: u64 = 5_000_000;

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
    /// Consumer instance `c`. Instances are only ever added (a closed or crashed one keeps
    /// its slot), and every index the engine holds (a message's address or body, a timer's,
    /// a group member's, a pipeline processor's) names one; an index a user gives is checked
    /// before it gets here (`consumer_at`).
    pub(crate) fn consumer(&self, c: u32) -> &Consumer {
        let n = self.consumers.len();
        assert!(
            (c as usize) < n,
            "consumer instance {c} does not exist ({n} instances)"
        );
        &self.consumers[c as usize]
    }

    /// Whether a message to `node` is lost because that consumer's process is not running.
    pub(crate) fn consumer_down(&self, node: Node) -> bool {
        match node {
            Node::Consumer(c) => self.consumers.get(c as usize).is_some_and(|x| !x.alive),
            Node::Producer(p) => self.producers.get(p as usize).is_some_and(|x| x.crashed),
            _ => false,
        }
    }
}

impl Consumer {
    /// The coordinator is known again: redo what the member's state was waiting for (a join
    /// or sync is redone as a JoinGroup, as `joinGroupIfNeeded` does; an offset fetch and a
    /// blocked commitSync() are sent again; heartbeats resume on the timer).
    pub(crate) fn coordinator_found(&mut self, ctx: &mut ConsumerCtx) {
        if !self.alive {
            return;
        }
        match self.state {
            MemberState::Joining | MemberState::Syncing => self.send_join(ctx),
            MemberState::FetchingOffsets => self.send_offset_fetch(ctx),
            _ => {}
        }
        if self.commit_sync_wait.is_some() {
            if self.positions.is_empty() {
                self.commit_sync_wait = None;
                self.busy_until = Some(ctx.now);
                ctx.out.timer(ctx.now, ConsumerWake::Poll);
            } else {
                let id = self.send_commit(ctx);
                self.commit_sync_wait = Some(id);
            }
        }
    }

    /// The retry after UNSTABLE_OFFSET_COMMIT (retry.backoff.ms later).
    pub(crate) fn on_offset_fetch_retry(&mut self, ctx: &mut ConsumerCtx) -> Option<Event> {
        if !self.alive || self.state != MemberState::FetchingOffsets {
            return None;
        }
        self.send_offset_fetch(ctx);
        Some(Event::OffsetFetchRetried {
            consumer: self.index,
        })
    }

    /// A member's request to its group's coordinator, as the member knows it. While the
    /// coordinator is unknown the request is not sent: a FindCoordinator goes out, and once
    /// it is answered the member redoes what its state needs (`coordinator_found`).
    pub(crate) fn send_to_coordinator(&mut self, ctx: &mut ConsumerCtx, body: Body) {
        let Some(coord) = self.coordinator else {
            self.find_coordinator(ctx);
            return;
        };
        let kind = body.kind();
        if kind != MessageKind::LeaveGroup {
            // Kafka's JoinGroup waits up to the rebalance timeout + 5 s; the rest
            // request.timeout.ms.
            let timeout = coordinator_request_timeout_us(Some(ctx.config), kind);
            self.coordinator_requests
                .push((kind, ctx.now.plus(timeout)));
        }
        self.metrics.on_coordinator_request(&body, ctx.now);
        ctx.out
            .send(Node::Consumer(self.index), Node::Broker(coord), body);
    }

    /// Sends FindCoordinator to a live broker (the first from the member's index), unless one
    /// is outstanding. With no broker alive, the member's timer tries again.
    pub(crate) fn find_coordinator(&mut self, ctx: &mut ConsumerCtx) {
        if !self.alive || self.find_coordinator_sent.is_some() {
            return;
        }
        let n = ctx.metadata.broker_count();
        let Some(b) = (0..n)
            .map(|i| (self.index as usize + i) % n)
            .find(|&b| ctx.metadata.broker_up(b as u32))
        else {
            // No broker is alive: the member's timer asks again.
            return;
        };
        self.find_coordinator_sent = Some(ctx.now);
        ctx.out.send(
            Node::Consumer(self.index),
            Node::Broker(b as u32),
            Body::FindCoordinator {
                group: self.group,
                consumer: self.index,
            },
        );
    }

    /// `markCoordinatorUnknown`: the connection to the coordinator is closed (its requests in
    /// flight fail) and the member looks for the coordinator again.
    pub(crate) fn mark_coordinator_unknown(&mut self, ctx: &mut ConsumerCtx) {
        self.coordinator = None;
        self.coordinator_requests.clear();
        self.metrics.coordinator_lost();
        self.find_coordinator(ctx);
    }

    /// OffsetFetch (with requireStable, as the Java consumer always asks) for the assigned
    /// partitions that have no position yet.
    pub(crate) fn send_offset_fetch(&mut self, ctx: &mut ConsumerCtx) {
        let missing: Vec<TopicPartitionId> = self
            .assignment
            .iter()
            .filter(|tp| !self.positions.contains_key(tp) && !self.resets.contains_key(tp))
            .copied()
            .collect();
        if missing.is_empty() {
            return;
        }
        let body = Body::OffsetFetch {
            group: self.group,
            member: self.index,
            partitions: missing,
            require_stable: true,
        };
        self.send_to_coordinator(ctx, body);
    }
}
