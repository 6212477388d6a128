//! The member's side of the classic group protocol (`ConsumerCoordinator`,
//! `AbstractCoordinator`): JoinGroup with the subscription and owned partitions, eager and
//! cooperative rejoin inside `poll()`, the leader running the voted assignor, the assignment
//! applied (eager revokes all first; cooperative revokes only what moved, then rejoins).

use crate::assignor::{AssignorKind, MemberSubscription, TopicPartition};
use crate::client::callback::ClientCallback;
use crate::config::RebalanceProtocol;
use crate::consumer::MemberState;
use crate::event::Delivery;
use crate::net::JoinMetadata;
use crate::net::{Body, JoinedMember, TopicPartitionId};
use crate::sim::Sim;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

impl Sim {
    /// The member's rebalance protocol (from its `partition.assignment.strategy`).
    pub(crate) fn rebalance_protocol(&self, c: u32) -> RebalanceProtocol {
        self.consumer(c).strategies.rebalance_protocol()
    }

    /// Sends JoinGroup: as a new member (a fresh member id `<client.id>-<UUID>`, or
    /// `<group.instance.id>-<UUID>` for a static member) or as the member it is.
    pub(crate) fn send_join(&mut self, c: u32) {
        let group = self.consumer(c).group;
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
        let cons = self.consumer_mut(c);
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
        let cons = self.consumer(c);
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
                cons.resets.clear();
                cons.buffer.clear();
            }
        }
        self.send_join(c);
    }

    /// `onJoinPrepare`: the commit of the consumed positions (with auto-commit on), else the
    /// rebalance listener's `onPartitionsRevoked` with them (the application may commit).
    pub(crate) fn commit_before_rejoin(&mut self, c: u32) {
        let group = self.consumer(c).group;
        if self.consumers[c as usize].positions.is_empty() {
            return;
        }
        let auto = self.config.groups[group as usize]
            .consumer
            .enable_auto_commit
            .value;
        if auto {
            self.send_commit(c);
            return;
        }
        let positions = self.consumed_positions(c, |_| true);
        self.return_to_application(ClientCallback::PartitionsRevoked {
            consumer: c,
            positions,
        });
    }

    /// The positions of the member's partitions that `keep` selects
    /// (`subscriptions.allConsumed()` for those).
    fn consumed_positions(
        &self,
        c: u32,
        keep: impl Fn(&TopicPartitionId) -> bool,
    ) -> Vec<(TopicPartitionId, u64)> {
        self.consumers[c as usize]
            .positions
            .iter()
            .filter(|(tp, _)| keep(tp))
            .map(|(tp, o)| (*tp, *o))
            .collect()
    }

    /// The member lost its membership (unknown member, stale generation, or it left on
    /// max.poll.interval.ms): its partitions are lost without a commit
    /// (`onPartitionsLost`), and it rejoins, as a new member when `reset_member_id`.
    pub(crate) fn lose_membership(&mut self, c: u32, reset_member_id: bool) {
        let cons = self.consumer_mut(c);
        cons.assignment.clear();
        cons.positions.clear();
        cons.resets.clear();
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
        // The rebalance listener's onPartitionsRevoked, with the positions given up.
        let revoked = self.consumed_positions(c, |tp| !assignment.contains(tp));
        if !revoked.is_empty() {
            self.return_to_application(ClientCallback::PartitionsRevoked {
                consumer: c,
                positions: revoked,
            });
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
        cons.resets.retain(|tp, _| assignment.contains(tp));
        cons.buffer.retain(|r| assignment.contains(&r.tp));
        if cooperative && !revoked.is_empty() {
            // KIP-429: give up what moved, then rejoin so it can be handed over.
            cons.rejoin_requested = true;
        }
        // Committed offsets are fetched for every assigned partition without a
        // position: the new ones, and kept ones whose position was reset (Kafka's
        // `refreshCommittedOffsetsIfNeeded` for partitions still initializing).
        let missing = assignment
            .iter()
            .any(|tp| !cons.positions.contains_key(tp) && !cons.resets.contains_key(tp));
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
        let cons = self.consumer_mut(c);
        if let Some((generation, assignment)) = cons.pending_assignment.take() {
            if cons.is_member() && cons.generation == generation {
                self.apply_assignment(c, generation, assignment);
            }
        }
    }
}
