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

#[cfg(test)]
mod tests {
    use crate::actor::Effect;
    use crate::cluster::{Broker, Metadata};
    use crate::config::{Config, StrategyList};
    use crate::coordinator::group::context::GroupCtx;
    use crate::coordinator::group::state::{
        coordinator_partition, Group, GroupCoordinators, GroupState, GroupTimer,
    };
    use crate::event::Delivery;
    use crate::net::{Body, GroupError, JoinMetadata, Node};
    use crate::time::SimTime;
    use alloc::vec::Vec;

    fn broker(id: u32) -> Broker {
        Broker {
            id,
            alive: true,
            fenced: false,
            drop_responses: false,
            registering: false,
            refuses_connections: false,
            host_lost: false,
        }
    }

    /// One group `g1` coordinated by broker 0 (the leader of every offsets partition).
    fn coordinators() -> GroupCoordinators {
        let partition = coordinator_partition("g1", 50);
        GroupCoordinators {
            groups: alloc::vec![Group::new(0, "g1".into(), partition, 0)],
            offsets_leaders: alloc::vec![Some(0); 50],
            offsets_replicas: alloc::vec![alloc::vec![0, 1]; 50],
        }
    }

    fn join(member_id: &str) -> Body {
        Body::JoinGroup {
            group: 0,
            member: 3,
            member_id: member_id.into(),
            new_member: true,
            instance_id: None,
            protocols: StrategyList::KAFKA_DEFAULT,
            metadata: JoinMetadata::default(),
        }
    }

    /// The handlers change only the coordinators' state and return what they did: the
    /// messages and timers are effects, in order, for the engine to apply.
    #[test]
    fn a_handler_returns_its_effects() {
        let config = Config::kafka_default();
        let brokers = [broker(0), broker(1)];
        let mut ctx = GroupCtx {
            now: SimTime(1_000),
            metadata: Metadata::new(&[], &brokers),
            initial_rebalance_delay_us: 3_000_000,
            groups: &config.groups,
            out: Default::default(),
        };
        let t = ctx.timeouts(0);
        let mut gc = coordinators();
        // A Heartbeat of an unknown member: refused, one response.
        let hb = Body::Heartbeat {
            group: 0,
            member: 3,
            member_id: "m".into(),
            generation: 0,
        };
        let d = gc.on_request(&mut ctx, 0, Node::Consumer(3), hb);
        assert_eq!(
            d,
            Delivery::GroupRefused {
                error: GroupError::UnknownMemberId
            }
        );
        // A new member joins the empty group: its session timer, then the initial delay.
        gc.on_request(&mut ctx, 0, Node::Consumer(3), join("m"));
        assert_eq!(gc.group(0).state, GroupState::PreparingRebalance);
        // A group request at a broker that does not coordinate the group.
        gc.on_request(&mut ctx, 1, Node::Consumer(3), join("m2"));
        let effects: Vec<Effect<GroupTimer, _>> = core::mem::take(&mut ctx.out).into_effects();
        assert_eq!(effects.len(), 4, "{effects:?}");
        assert!(matches!(
            &effects[0],
            Effect::Send { from: Node::Broker(0), to: Node::Consumer(3), body: Body::HeartbeatResponse { error, .. } }
                if *error == Some(GroupError::UnknownMemberId)
        ));
        assert_eq!(
            effects[1],
            Effect::Timer {
                at: SimTime(1_000 + t.session_us),
                timer: GroupTimer::SessionExpire {
                    group: 0,
                    handle: 0,
                    at: SimTime(1_000 + t.session_us)
                }
            }
        );
        assert_eq!(
            effects[2],
            Effect::Timer {
                at: SimTime(3_001_000),
                timer: GroupTimer::JoinDeadline {
                    group: 0,
                    at: SimTime(3_001_000)
                }
            }
        );
        assert!(matches!(
            &effects[3],
            Effect::Send { from: Node::Broker(1), body: Body::JoinGroupResponse { error, member_id, .. }, .. }
                if *error == Some(GroupError::NotCoordinator) && member_id == "m2"
        ));
    }
}
