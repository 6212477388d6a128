//! The member's side of the classic group protocol (`ConsumerCoordinator`,
//! `AbstractCoordinator`): JoinGroup with the subscription and owned partitions, eager and
//! cooperative rejoin inside `poll()`, the leader running the voted assignor, the assignment
//! applied (eager revokes all first; cooperative revokes only what moved, then rejoins).

use crate::assignor::{AssignorKind, MemberSubscription, TopicPartition};
use crate::client::callback::ClientCallback;
use crate::client::consumer::context::ConsumerCtx;
use crate::cluster::Metadata;
use crate::config::RebalanceProtocol;
use crate::consumer::{Consumer, MemberState};
use crate::event::Delivery;
use crate::net::JoinMetadata;
use crate::net::{Body, JoinedMember, TopicPartitionId};
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

impl Consumer {
    /// The member's rebalance protocol (from its `partition.assignment.strategy`).
    pub(crate) fn rebalance_protocol(&self) -> RebalanceProtocol {
        self.strategies.rebalance_protocol()
    }

    /// Sends JoinGroup: as a new member (a fresh member id `<client.id>-<UUID>`, or
    /// `<group.instance.id>-<UUID>` for a static member) or as the member it is.
    pub(crate) fn send_join(&mut self, ctx: &mut ConsumerCtx) {
        let new_member = self.member_id.is_empty();
        if new_member {
            let uuid = ctx.rng.uuid();
            let prefix = self.instance_id.as_ref().unwrap_or(&self.client_id);
            self.member_id = alloc::format!("{prefix}-{uuid}");
        }
        self.state = MemberState::Joining;
        self.rejoin_requested = false;
        let metadata = JoinMetadata {
            owned_generation: if self.generation > 0 {
                Some(self.generation)
            } else {
                None
            },
            owned: self.assignment.clone(),
            previous: self.previous.clone(),
            previous_generation: self.previous_generation,
        };
        let body = Body::JoinGroup {
            group: self.group,
            member: self.index,
            member_id: self.member_id.clone(),
            new_member,
            instance_id: self.instance_id.clone(),
            protocols: self.strategies,
            metadata,
        };
        self.send_to_coordinator(ctx, body);
    }

    /// The coordinator (or a partition-count change) asks this member to rejoin: done at once
    /// when the application is idle, else at its next `poll()` (the rejoin runs inside poll).
    pub(crate) fn rejoin(&mut self, ctx: &mut ConsumerCtx) {
        if !self.alive {
            return;
        }
        self.rejoin_requested = true;
        if self.busy_until.is_none() {
            self.maybe_rejoin_now(ctx);
        }
    }

    /// `onJoinPrepare` then JoinGroup, if a rejoin is pending and no join or sync is running.
    pub(crate) fn maybe_rejoin_now(&mut self, ctx: &mut ConsumerCtx) {
        if !self.alive
            || !self.rejoin_requested
            || matches!(self.state, MemberState::Joining | MemberState::Syncing)
        {
            return;
        }
        if self.state != MemberState::Unjoined {
            self.commit_before_rejoin(ctx);
            if self.rebalance_protocol() == RebalanceProtocol::Eager {
                // Eager: everything is revoked before joining; processing stops.
                self.assignment.clear();
                self.positions.clear();
                self.resets.clear();
                self.buffer.clear();
            }
        }
        self.send_join(ctx);
    }

    /// `onJoinPrepare`: the commit of the consumed positions (with auto-commit on), else the
    /// rebalance listener's `onPartitionsRevoked` with them (the application may commit).
    fn commit_before_rejoin(&mut self, ctx: &mut ConsumerCtx) {
        if self.positions.is_empty() {
            return;
        }
        if ctx.config.enable_auto_commit.value {
            self.send_commit(ctx);
            return;
        }
        let positions = self.consumed_positions(|_| true);
        ctx.out.call(ClientCallback::PartitionsRevoked {
            consumer: self.index,
            positions,
        });
    }

    /// The positions of the member's partitions that `keep` selects
    /// (`subscriptions.allConsumed()` for those).
    fn consumed_positions(
        &self,
        keep: impl Fn(&TopicPartitionId) -> bool,
    ) -> Vec<(TopicPartitionId, u64)> {
        self.positions
            .iter()
            .filter(|(tp, _)| keep(tp))
            .map(|(tp, o)| (*tp, *o))
            .collect()
    }

    /// The member lost its membership (unknown member, stale generation, or it left on
    /// max.poll.interval.ms): its partitions are lost without a commit
    /// (`onPartitionsLost`), and it rejoins, as a new member when `reset_member_id`.
    pub(crate) fn lose_membership(&mut self, ctx: &mut ConsumerCtx, reset_member_id: bool) {
        self.assignment.clear();
        self.positions.clear();
        self.resets.clear();
        self.buffer.clear();
        self.pending_assignment = None;
        self.generation = 0;
        if reset_member_id {
            self.member_id.clear();
        }
        self.state = MemberState::Unjoined;
        self.rejoin(ctx);
    }

    /// The assignment of `generation` takes effect (`onJoinComplete`): revoked partitions are
    /// given up (cooperative: a follow-up rejoin hands them over), new ones need their
    /// committed offsets.
    pub(crate) fn apply_assignment(
        &mut self,
        ctx: &mut ConsumerCtx,
        generation: u32,
        assignment: Vec<TopicPartitionId>,
    ) -> Delivery {
        let cooperative = self.rebalance_protocol() == RebalanceProtocol::Cooperative;
        // The rebalance listener's onPartitionsRevoked, with the positions given up.
        let revoked = self.consumed_positions(|tp| !assignment.contains(tp));
        if !revoked.is_empty() {
            ctx.out.call(ClientCallback::PartitionsRevoked {
                consumer: self.index,
                positions: revoked,
            });
        }
        let owned = core::mem::take(&mut self.assignment);
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
        self.assignment = assignment.clone();
        self.previous = assignment.clone();
        self.previous_generation = Some(generation);
        self.positions.retain(|tp, _| assignment.contains(tp));
        self.resets.retain(|tp, _| assignment.contains(tp));
        self.buffer.retain(|r| assignment.contains(&r.tp));
        if cooperative && !revoked.is_empty() {
            // KIP-429: give up what moved, then rejoin so it can be handed over.
            self.rejoin_requested = true;
        }
        // Committed offsets are fetched for every assigned partition without a
        // position: the new ones, and kept ones whose position was reset (Kafka's
        // `refreshCommittedOffsetsIfNeeded` for partitions still initializing).
        let missing = assignment
            .iter()
            .any(|tp| !self.positions.contains_key(tp) && !self.resets.contains_key(tp));
        if !missing {
            self.state = MemberState::Stable;
        } else {
            self.state = MemberState::FetchingOffsets;
            self.send_offset_fetch(ctx);
        }
        self.send_fetches(ctx);
        if self.busy_until.is_none() {
            self.maybe_rejoin_now(ctx);
        }
        Delivery::Assigned {
            generation,
            kept,
            added: added.len() as u32,
            revoked: revoked.len() as u32,
        }
    }

    /// The application's `poll()` applies an assignment that arrived while it was busy.
    pub(crate) fn apply_pending_assignment(&mut self, ctx: &mut ConsumerCtx) {
        if let Some((generation, assignment)) = self.pending_assignment.take() {
            if self.is_member() && self.generation == generation {
                self.apply_assignment(ctx, generation, assignment);
            }
        }
    }
}

/// The leader runs the chosen assignor over the members (`ConsumerCoordinator.
/// onLeaderElected`) with the cluster metadata of the subscribed topics, passing each
/// member's owned partitions and generation as the assignor reads them.
pub(crate) fn leader_assign(
    metadata: Metadata,
    subscription: &[String],
    protocol: AssignorKind,
    members: &[JoinedMember],
) -> Vec<(String, Vec<TopicPartitionId>)> {
    let mut counts = BTreeMap::new();
    for name in subscription {
        if let Some(n) = metadata
            .topic_index(name)
            .and_then(|t| metadata.partition_count(t))
        {
            counts.insert(name.clone(), n);
        }
    }
    let named = |tps: &[TopicPartitionId]| -> Vec<TopicPartition> {
        tps.iter()
            .filter_map(|tp| {
                let name = metadata.topic_name(tp.topic)?;
                Some(TopicPartition::new(String::from(name), tp.partition as i32))
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
                topics: subscription.to_vec(),
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
                            Some(TopicPartitionId {
                                topic: metadata.topic_index(&tp.topic)?,
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
