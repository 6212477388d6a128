//! Consumer-side handlers: the classic group protocol at the coordinator and the member
//! (JoinGroup, SyncGroup, OffsetFetch, OffsetCommit, Heartbeat), consumer fetches and
//! `poll()`.

use super::{Pending, Sim};
use crate::config::OffsetReset;
use crate::consumer::group::GroupState;
use crate::consumer::{BufferedRecord, MemberState};
use crate::event::{Delivery, Event};
use crate::net::{Body, FetchedPartition, Node, TopicPartitionId};
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// The consumer's `request.timeout.ms` (30 s).
const CONSUMER_REQUEST_TIMEOUT_US: u64 = 30_000_000;

impl Sim {
    /// A member's request to its group's coordinator.
    fn send_to_coordinator(&mut self, c: u32, body: Body) {
        if let Some((_, coord)) = self.coordinator_of(c) {
            self.send(Node::Consumer(c), Node::Broker(coord), body);
        }
    }

    /// The coordinator's answer to member `m`.
    fn reply_to_member(&mut self, m: u32, body: Body) {
        if let Some((_, coord)) = self.coordinator_of(m) {
            self.send(Node::Broker(coord), Node::Consumer(m), body);
        }
    }

    fn coordinator_of(&self, consumer: u32) -> Option<(u32, u32)> {
        let c = self.consumers.get(consumer as usize)?;
        let g = self.groups.get(c.group as usize)?;
        Some((c.group, g.coordinator))
    }

    /// A group request at the coordinator.
    pub(super) fn on_coordinator_request(&mut self, from: Node, body: Body) -> Delivery {
        let Node::Consumer(member) = from else {
            return Delivery::Group;
        };
        let now = self.now;
        match body {
            Body::JoinGroup { group, member } => {
                let delay_us = self.config.broker.group_initial_rebalance_delay_ms.value * 1000;
                let Some(g) = self.groups.get_mut(group as usize) else {
                    return Delivery::Group;
                };
                if !g.members.contains(&member) {
                    g.members.push(member);
                }
                g.joined_this_round.push(member);
                match g.state {
                    GroupState::Empty | GroupState::Dead => {
                        // An empty group waits group.initial.rebalance.delay.ms for more
                        // members (`InitialDelayedJoin`).
                        g.state = GroupState::PreparingRebalance;
                        g.initial_join = true;
                        let at = now.plus(delay_us);
                        g.join_deadline = Some(at);
                        self.schedule(at, Pending::JoinDeadline { group, at });
                    }
                    GroupState::Stable | GroupState::CompletingRebalance => {
                        // A member (re)joins: everyone must rejoin within the rebalance
                        // timeout (max.poll.interval.ms); the join completes as soon as all
                        // known members have.
                        g.state = GroupState::PreparingRebalance;
                        g.initial_join = false;
                        g.awaiting_sync.clear();
                        let timeout = self.config.groups[group as usize]
                            .consumer
                            .max_poll_interval_ms
                            .value
                            * 1000;
                        let at = now.plus(timeout);
                        g.join_deadline = Some(at);
                        self.schedule(at, Pending::JoinDeadline { group, at });
                        // Members that have not heard yet learn it from their next heartbeat.
                        self.maybe_complete_join(group);
                    }
                    GroupState::PreparingRebalance => {
                        if !g.initial_join {
                            self.maybe_complete_join(group);
                        }
                    }
                }
            }
            Body::SyncGroup {
                group,
                member,
                generation,
                assignment,
            } => {
                let Some(g) = self.groups.get_mut(group as usize) else {
                    return Delivery::Group;
                };
                if generation != g.generation {
                    return Delivery::Group;
                }
                if let Some(a) = assignment {
                    g.assignment = a.into_iter().collect();
                    g.state = GroupState::Stable;
                    let mut waiting = core::mem::take(&mut g.awaiting_sync);
                    waiting.push(member);
                    let gen = g.generation;
                    let replies: Vec<(u32, Vec<TopicPartitionId>)> = waiting
                        .iter()
                        .map(|m| (*m, g.assignment.get(m).cloned().unwrap_or_default()))
                        .collect();
                    for (m, a) in replies {
                        self.reply_to_member(
                            m,
                            Body::SyncGroupResponse {
                                generation: gen,
                                assignment: a,
                            },
                        );
                    }
                } else if g.state == GroupState::Stable {
                    let a = g.assignment.get(&member).cloned().unwrap_or_default();
                    let gen = g.generation;
                    self.reply_to_member(
                        member,
                        Body::SyncGroupResponse {
                            generation: gen,
                            assignment: a,
                        },
                    );
                } else {
                    g.awaiting_sync.push(member);
                }
            }
            Body::OffsetFetch {
                group,
                member,
                partitions,
            } => {
                let Some(g) = self.groups.get(group as usize) else {
                    return Delivery::Group;
                };
                let offsets = partitions
                    .iter()
                    .map(|tp| (*tp, g.committed.get(tp).copied()))
                    .collect();
                self.reply_to_member(member, Body::OffsetFetchResponse { offsets });
            }
            Body::OffsetCommit {
                group,
                member,
                offsets,
            } => {
                let Some(g) = self.groups.get_mut(group as usize) else {
                    return Delivery::Group;
                };
                for (tp, off) in &offsets {
                    g.committed.insert(*tp, *off);
                }
                self.reply_to_member(member, Body::OffsetCommitResponse { offsets });
            }
            Body::Heartbeat { .. } => {
                self.reply_to_member(member, Body::HeartbeatResponse);
            }
            _ => {}
        }
        Delivery::Group
    }

    /// Every known member has rejoined: the join phase ends now.
    fn maybe_complete_join(&mut self, group: u32) {
        let Some(g) = self.groups.get_mut(group as usize) else {
            return;
        };
        if g.members.iter().all(|m| g.joined_this_round.contains(m)) {
            let at = self.now;
            g.join_deadline = Some(at);
            self.schedule(at, Pending::JoinDeadline { group, at });
        }
    }

    /// A member gives up its partitions and rejoins (eager protocol: `onJoinPrepare` commits
    /// the consumed offsets when auto-commit is on, then revokes everything).
    pub(super) fn rejoin(&mut self, c: u32) {
        let Some((group, _)) = self.coordinator_of(c) else {
            return;
        };
        let auto = self.config.groups[group as usize]
            .consumer
            .enable_auto_commit
            .value;
        let cons = &mut self.consumers[c as usize];
        if cons.state == MemberState::Joining {
            return;
        }
        let offsets: Vec<(TopicPartitionId, u64)> =
            cons.positions.iter().map(|(tp, o)| (*tp, *o)).collect();
        cons.assignment.clear();
        cons.positions.clear();
        cons.buffer.clear();
        cons.state = MemberState::Joining;
        if auto && !offsets.is_empty() {
            self.send_to_coordinator(
                c,
                Body::OffsetCommit {
                    group,
                    member: c,
                    offsets,
                },
            );
        }
        self.send_to_coordinator(c, Body::JoinGroup { group, member: c });
    }

    /// The join phase ends: a new generation, the first member to join leads.
    pub(super) fn on_join_deadline(&mut self, group: u32, at: SimTime) -> Option<Event> {
        let g = self.groups.get_mut(group as usize)?;
        if g.join_deadline != Some(at) {
            return None;
        }
        g.join_deadline = None;
        if !g.initial_join {
            // Members that did not rejoin within the rebalance timeout are removed.
            let joined = core::mem::take(&mut g.joined_this_round);
            g.members.retain(|m| joined.contains(m));
        }
        g.initial_join = false;
        g.generation += 1;
        g.state = GroupState::CompletingRebalance;
        // The leader stays the leader while it is a member; else the first member.
        if !g.leader.is_some_and(|l| g.members.contains(&l)) {
            g.leader = g.members.first().copied();
        }
        g.joined_this_round.clear();
        g.awaiting_sync.clear();
        let (gen, leader, members) = (g.generation, g.leader.unwrap_or(0), g.members.clone());
        for &m in &members {
            let list = if m == leader {
                members.clone()
            } else {
                Vec::new()
            };
            self.reply_to_member(
                m,
                Body::JoinGroupResponse {
                    generation: gen,
                    leader,
                    members: list,
                },
            );
        }
        Some(Event::RebalanceJoined {
            group,
            generation: gen,
            leader,
            members: members.len() as u32,
        })
    }

    /// Range assignment as the group leader computes it (`RangeAssignor`).
    fn leader_assign(&self, group: u32, members: &[u32]) -> Vec<(u32, Vec<TopicPartitionId>)> {
        let topics = &self.config.groups[group as usize].topics;
        let mut counts = BTreeMap::new();
        for name in topics {
            if let Some(t) = self.topics.iter().find(|t| &t.name == name) {
                counts.insert(name.clone(), t.partitions.len() as u32);
            }
        }
        let subs: Vec<crate::assignor::MemberSubscription> = members
            .iter()
            .map(|m| crate::assignor::MemberSubscription {
                member_id: self.consumers[*m as usize].member_id.clone(),
                group_instance_id: None,
                topics: topics.clone(),
                owned: Vec::new(),
                generation: None,
            })
            .collect();
        let result = crate::assignor::assign(crate::assignor::AssignorKind::Range, &counts, &subs)
            .unwrap_or_default();
        members
            .iter()
            .map(|m| {
                let id = &self.consumers[*m as usize].member_id;
                let tps = result
                    .get(id)
                    .map(|v| {
                        v.iter()
                            .filter_map(|tp| {
                                let t = self.topics.iter().position(|t| t.name == tp.topic)?;
                                Some(TopicPartitionId {
                                    topic: t as u32,
                                    partition: tp.partition as u32,
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                (*m, tps)
            })
            .collect()
    }

    /// A group response at the member.
    pub(super) fn on_coordinator_response(&mut self, c: u32, body: Body) -> Delivery {
        let Some((group, _)) = self.coordinator_of(c) else {
            return Delivery::Group;
        };
        let now = self.now;
        match body {
            Body::JoinGroupResponse {
                generation,
                leader,
                members,
            } => {
                let assignment = if leader == c {
                    Some(self.leader_assign(group, &members))
                } else {
                    None
                };
                let cons = &mut self.consumers[c as usize];
                cons.generation = generation;
                cons.state = MemberState::Syncing;
                self.send_to_coordinator(
                    c,
                    Body::SyncGroup {
                        group,
                        member: c,
                        generation,
                        assignment,
                    },
                );
            }
            Body::SyncGroupResponse {
                generation,
                assignment,
            } => {
                let cons = &mut self.consumers[c as usize];
                if generation != cons.generation {
                    return Delivery::Group;
                }
                cons.assignment = assignment.clone();
                cons.positions.retain(|tp, _| assignment.contains(tp));
                cons.buffer.retain(|r| assignment.contains(&r.tp));
                cons.state = MemberState::FetchingOffsets;
                self.send_to_coordinator(
                    c,
                    Body::OffsetFetch {
                        group,
                        member: c,
                        partitions: assignment,
                    },
                );
            }
            Body::OffsetFetchResponse { offsets } => {
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
                let cc = &self.config.groups[group as usize].consumer;
                let (hb, ac) = (
                    cc.heartbeat_interval_ms.value * 1000,
                    cc.auto_commit_interval_ms.value * 1000,
                );
                let was_stable_before = self.consumers[c as usize].next_heartbeat > SimTime::ZERO;
                let cons = &mut self.consumers[c as usize];
                for (tp, p) in pos {
                    cons.positions.insert(tp, p);
                }
                cons.state = MemberState::Stable;
                if !was_stable_before {
                    cons.next_heartbeat = now.plus(hb);
                    cons.next_auto_commit = now.plus(ac);
                    let at = cons.next_heartbeat;
                    self.schedule(at, Pending::ConsumerTimer { consumer: c });
                }
                self.send_consumer_fetches(c);
            }
            Body::OffsetCommitResponse { offsets } => {
                let cons = &mut self.consumers[c as usize];
                for (tp, o) in offsets {
                    cons.committed.insert(tp, o);
                }
            }
            _ => {}
        }
        Delivery::Group
    }

    /// Sends a fetch to every leader of assigned partitions that have no buffered records and
    /// no fetch outstanding (`Fetcher.prepareFetchRequests`).
    pub(super) fn send_consumer_fetches(&mut self, c: u32) {
        let Some(cons) = self.consumers.get(c as usize) else {
            return;
        };
        if cons.state != MemberState::Stable {
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
        for (b, partitions) in per_broker {
            self.consumers[c as usize].fetch_in_flight[b as usize] = true;
            self.consumers[c as usize].fetch_sent_at[b as usize] = self.now;
            self.send(
                Node::Consumer(c),
                Node::Broker(b),
                Body::ConsumerFetch {
                    consumer: c,
                    partitions,
                },
            );
        }
    }

    /// Records arrived from a leader: buffer them; wake an idle application.
    pub(super) fn on_consumer_fetch_response(
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
        for fp in parts {
            let Some(&pos) = cons.positions.get(&fp.tp) else {
                continue;
            };
            if !cons.assignment.contains(&fp.tp) {
                continue;
            }
            let mut next = pos;
            for (off, entry) in fp.entries {
                if off == next {
                    cons.buffer.push_back(BufferedRecord {
                        tp: fp.tp,
                        offset: off,
                        entry,
                    });
                    next += 1;
                    n += 1;
                }
            }
        }
        let idle = cons.busy_until.is_none();
        if idle && !cons.buffer.is_empty() {
            cons.busy_until = Some(self.now);
            self.schedule(self.now, Pending::ConsumerPoll { consumer: c });
        }
        self.send_consumer_fetches(c);
        Delivery::Fetched { records: n }
    }

    /// The application calls `poll()`: up to max.poll.records buffered records, then it
    /// processes them (sim.consumer.processing per record) before polling again.
    pub(super) fn on_consumer_poll(&mut self, c: u32) -> Option<Event> {
        let now = self.now;
        let group = self.consumers.get(c as usize)?.group as usize;
        let cc = self.config.groups[group].consumer.clone();
        self.maybe_auto_commit(c);
        let cons = &mut self.consumers[c as usize];
        cons.busy_until = None;
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
            n += 1;
        }
        cons.records_consumed += n as u64;
        if n > 0 {
            let at = now.plus(cc.processing_us_per_record.value.saturating_mul(n as u64));
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

    fn maybe_auto_commit(&mut self, c: u32) -> bool {
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
        let offsets: Vec<(TopicPartitionId, u64)> =
            cons.positions.iter().map(|(tp, o)| (*tp, *o)).collect();
        self.send_to_coordinator(
            c,
            Body::OffsetCommit {
                group,
                member: c,
                offsets,
            },
        );
        true
    }

    /// Heartbeat and auto-commit timers of a member.
    pub(super) fn on_consumer_timer(&mut self, c: u32) -> Option<Event> {
        let now = self.now;
        let (group, _) = self.coordinator_of(c)?;
        let cc = &self.config.groups[group as usize].consumer;
        let hb_interval = cc.heartbeat_interval_ms.value * 1000;
        let auto = cc.enable_auto_commit.value;
        let commit = self.maybe_auto_commit(c);
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
            cons.next_heartbeat = now.plus(hb_interval.max(1));
            heartbeat = true;
            let generation = cons.generation;
            self.send_to_coordinator(
                c,
                Body::Heartbeat {
                    group,
                    member: c,
                    generation,
                },
            );
        }
        let cons = &self.consumers[c as usize];
        let mut next = cons.next_heartbeat;
        // An auto-commit that is due but could not run (the member is not Stable) waits for
        // the next heartbeat: rescheduling at `now` would spin at the same instant forever.
        if auto && cons.next_auto_commit > now {
            next = next.min(cons.next_auto_commit);
        }
        self.schedule(next.max(now), Pending::ConsumerTimer { consumer: c });
        Some(Event::ConsumerTimer {
            consumer: c,
            heartbeat,
            commit,
        })
    }

    /// Largest lag (high watermark - position) over a consumer's partitions.
    pub(crate) fn consumer_lag_max(&self, c: u32) -> u64 {
        let Some(cons) = self.consumers.get(c as usize) else {
            return 0;
        };
        cons.positions
            .iter()
            .map(|(tp, pos)| {
                self.partition(*tp)
                    .map_or(0, |p| p.high_watermark().saturating_sub(*pos))
            })
            .max()
            .unwrap_or(0)
    }
}
