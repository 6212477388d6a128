//! The engine's side of the group coordinators: it hands them a context (the time, the cluster
//! metadata, group.initial.rebalance.delay.ms and the groups' timeouts) with each request, timer
//! or broker change, and applies the effects they return, in order. The read accessors the
//! views, the page and the other roles' handlers use are here too.

use crate::actor::Effect;
use crate::cluster::Metadata;
use crate::coordinator::group::context::{GroupCall, GroupCtx};
use crate::coordinator::group::state::{Group, GroupCoordinators, GroupTimer};
use crate::event::{Delivery, Event};
use crate::net::{Body, Node};
use crate::sim::{Pending, Sim};

impl Sim {
    /// Runs one coordinator handler with its context, then applies its effects; also returns
    /// the answer of a TxnOffsetCommit the handler had verified (`GroupCall::VerifyTxnOffsetCommit`).
    fn run_group_coordinators<R>(
        &mut self,
        handler: impl FnOnce(&mut GroupCoordinators, &mut GroupCtx) -> R,
    ) -> (R, Option<Delivery>) {
        let mut ctx = GroupCtx {
            now: self.now,
            metadata: Metadata::new(&self.topics, &self.brokers),
            initial_rebalance_delay_us: self.config.broker.group_initial_rebalance_delay_ms.value
                * 1000,
            groups: &self.config.groups,
            out: Default::default(),
        };
        let result = handler(&mut self.group_coordinators, &mut ctx);
        let effects = core::mem::take(&mut ctx.out).into_effects();
        let mut answered = None;
        for effect in effects {
            match effect {
                Effect::Send { from, to, body } => {
                    self.send(from, to, body);
                }
                Effect::Timer { at, timer } => self.schedule(at, Pending::Group(timer)),
                Effect::Call(call) => {
                    if let Some(d) = self.apply_group_call(call) {
                        assert!(answered.is_none(), "one TxnOffsetCommit per handler call");
                        answered = Some(d);
                    }
                }
            }
        }
        (result, answered)
    }

    /// Runs one coordinator handler with its context, then applies its effects.
    pub(crate) fn with_group_coordinators<R>(
        &mut self,
        handler: impl FnOnce(&mut GroupCoordinators, &mut GroupCtx) -> R,
    ) -> R {
        let (result, answered) = self.run_group_coordinators(handler);
        assert!(
            answered.is_none(),
            "only a TxnOffsetCommit asks its producer's transaction coordinator"
        );
        result
    }

    /// Applies a coordinator's call on another role; a verified TxnOffsetCommit's answer.
    fn apply_group_call(&mut self, call: GroupCall) -> Option<Delivery> {
        match call {
            GroupCall::VerifyTxnOffsetCommit(req) => {
                let add_group = req.add_partition.then_some(req.group);
                let verdict = self.verify_txn_offset_commit(
                    &req.transactional_id,
                    req.producer_id,
                    req.epoch,
                    add_group,
                );
                Some(self.with_group_coordinators(|g, ctx| {
                    g.on_txn_offset_commit_verified(ctx, req, verdict)
                }))
            }
            GroupCall::ShowCommittedOffsets { group, offsets } => {
                for c in self.consumers.iter_mut().filter(|c| c.group == group) {
                    for (tp, o) in &offsets {
                        if c.assignment.contains(tp) {
                            c.committed.insert(*tp, *o);
                        }
                    }
                }
                None
            }
        }
    }

    /// A group request at broker `b` (FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
    /// LeaveGroup, OffsetFetch, OffsetCommit).
    pub(crate) fn on_coordinator_request(&mut self, b: u32, from: Node, body: Body) -> Delivery {
        self.with_group_coordinators(|g, ctx| g.on_request(ctx, b, from, body))
    }

    /// TxnOffsetCommit at broker `b`: answered at once (NOT_COORDINATOR), or after its
    /// producer's verification.
    pub(crate) fn on_txn_offset_commit(&mut self, b: u32, from: Node, body: Body) -> Delivery {
        match self.run_group_coordinators(|g, ctx| g.on_txn_offset_commit(ctx, b, from, body)) {
            (Some(d), None) | (None, Some(d)) => d,
            (answer, verified) => unreachable!(
                "a TxnOffsetCommit is answered exactly once ({answer:?}, {verified:?})"
            ),
        }
    }

    pub(crate) fn on_group_timer(&mut self, timer: GroupTimer) -> Option<Event> {
        self.with_group_coordinators(|g, ctx| match timer {
            GroupTimer::JoinDeadline { group, at } => g.on_join_deadline(ctx, group, at),
            GroupTimer::SessionExpire { group, handle, at } => {
                g.on_session_expire(ctx, group, handle, at)
            }
            GroupTimer::CoordinatorLoad { group, from } => g.on_coordinator_load(ctx, group, from),
        })
    }

    /// The controller fenced `broker`: its `__consumer_offsets` partitions move.
    pub(crate) fn move_offsets_leaders(&mut self, broker: u32) {
        self.with_group_coordinators(|g, ctx| g.move_leaders(ctx, broker));
    }

    /// `broker` came back: it leads the offsets partitions that had no leader, and reloads
    /// the groups of those it still led.
    pub(crate) fn offsets_after_restart(&mut self, broker: u32) {
        self.with_group_coordinators(|g, ctx| g.after_restart(ctx, broker));
    }

    /// The leader of `__consumer_offsets` partition `partition`.
    pub(crate) fn offsets_leader(&self, partition: u32) -> Option<u32> {
        self.group_coordinators.offsets_leader(partition)
    }

    /// The group's coordinator process runs and still leads the group's offsets partition.
    pub(crate) fn coordinator_running(&self, group: u32) -> bool {
        let metadata = Metadata::new(&self.topics, &self.brokers);
        self.group_coordinators.coordinator_up(metadata, group)
    }

    /// Every group as its coordinator keeps it, by index.
    pub fn groups(&self) -> &[Group] {
        &self.group_coordinators.groups
    }
}
