//! The Kafka timeouts a drained run may still be waiting for (`sim::liveness`): an overdue
//! request's timeout, a departed member's session, a join phase, an open transaction's
//! transaction.timeout.ms, an unanswered ListOffsets, a lagging follower's replica.socket.timeout.ms.

use super::{secs, PendingTimeout};
use crate::client::consumer::coordinator::coordinator_request_timeout_us;
use crate::client::consumer::coordinator::CONSUMER_REQUEST_TIMEOUT_US;
use crate::config::ConsumerConfig;
use crate::consumer::group::{Group, GroupState};
use crate::consumer::Consumer;
use crate::producer::Producer;
use crate::sim::Sim;
use crate::time::SimTime;
use alloc::format;
use alloc::vec::Vec;

/// A request outstanding longer than this is waiting for its timeout (on this network every
/// answer that comes, comes within milliseconds, or a long poll's wait).
const OVERDUE_US: u64 = 1_000_000;

impl Sim {
    /// The Kafka timeouts pending now that could still move the run, latest last.
    pub fn pending_timeouts(&self) -> Vec<PendingTimeout> {
        let mut out = Vec::new();
        for c in self.consumers.iter().filter(|c| c.alive && !c.closed) {
            self.pending_coordinator_requests(c, &mut out);
            pending_commit_sync(c, &mut out);
            self.pending_list_offsets(c, &mut out);
            self.pending_consumer_fetches(c, &mut out);
        }
        for g in self.groups() {
            self.pending_group_timeouts(g, &mut out);
        }
        for p in self.producers.iter().filter(|p| !p.crashed) {
            self.pending_produce_request(p, &mut out);
        }
        self.pending_transaction_timeouts(&mut out);
        self.pending_follower_fetches(&mut out);
        out.retain(|t| t.deadline > self.now);
        out.sort_by_key(|t| t.deadline);
        out
    }

    /// A consumer's requests to its group coordinator left unanswered (a JoinGroup waiting for
    /// the join phase is not overdue).
    fn pending_coordinator_requests(&self, c: &Consumer, out: &mut Vec<PendingTimeout>) {
        let cc = self.group_consumer_config(c);
        for (kind, deadline) in &c.coordinator_requests {
            let timeout = coordinator_request_timeout_us(cc, *kind);
            let sent = SimTime(deadline.micros().saturating_sub(timeout));
            // A JoinGroup waits for the join phase; other requests are answered at once.
            let in_join = *kind == crate::net::MessageKind::JoinGroup
                && self.groups().get(c.group as usize).is_some_and(|g| {
                    g.state == GroupState::PreparingRebalance
                        && self.coordinator_running(g.index)
                        && g.member(&c.member_id).is_some_and(|m| m.joined)
                });
            if in_join || self.now.since(sent) < OVERDUE_US {
                continue;
            }
            out.push(PendingTimeout {
                deadline: *deadline,
                what: format!(
                    "{}'s {kind:?} unanswered by its coordinator, given up at {}",
                    c.client_id,
                    secs(*deadline)
                ),
            });
        }
    }

    /// The consumer settings of a consumer's group, if the group is configured.
    fn group_consumer_config(&self, c: &Consumer) -> Option<&ConsumerConfig> {
        self.config
            .groups
            .get(c.group as usize)
            .map(|g| &g.consumer)
    }

    /// A consumer's ListOffsets requests sent and overdue (request.timeout.ms).
    fn pending_list_offsets(&self, c: &Consumer, out: &mut Vec<PendingTimeout>) {
        for (tp, r) in &c.resets {
            // A reset not yet sent (waiting for a leader or its backoff) has no timeout.
            let Some(b) = r.sent_to else {
                continue;
            };
            let sent = SimTime(
                r.next_allowed
                    .micros()
                    .saturating_sub(CONSUMER_REQUEST_TIMEOUT_US),
            );
            if self.now.since(sent) > OVERDUE_US {
                out.push(PendingTimeout {
                    deadline: r.next_allowed,
                    what: format!(
                        "{}'s ListOffsets for {} to broker {b} until request.timeout.ms at {}",
                        c.client_id,
                        self.tp_name(*tp),
                        secs(r.next_allowed)
                    ),
                });
            }
        }
    }

    /// A consumer's fetches in flight longer than a long poll's wait (request.timeout.ms).
    fn pending_consumer_fetches(&self, c: &Consumer, out: &mut Vec<PendingTimeout>) {
        let wait_us = self
            .group_consumer_config(c)
            .map_or(500_000, |g| g.fetch_max_wait_ms.value * 1000);
        for (b, sent) in c.fetch_sent_at.iter().enumerate() {
            if c.fetch_in_flight.get(b).copied().unwrap_or(false)
                && self.now.since(*sent) > wait_us + OVERDUE_US
            {
                let deadline = sent.plus(CONSUMER_REQUEST_TIMEOUT_US);
                out.push(PendingTimeout {
                    deadline,
                    what: format!(
                        "{}'s fetch from broker {b} until request.timeout.ms at {}",
                        c.client_id,
                        secs(deadline)
                    ),
                });
            }
        }
    }

    /// A group's departed members' sessions (session.timeout.ms) and its join phase.
    fn pending_group_timeouts(&self, g: &Group, out: &mut Vec<PendingTimeout>) {
        for m in &g.members {
            let alive = self
                .consumers
                .get(m.consumer as usize)
                .is_some_and(|c| c.alive && c.member_id == m.member_id);
            if !alive {
                out.push(PendingTimeout {
                    deadline: m.session_deadline,
                    what: format!(
                        "group {}: the session of departed member {} (session.timeout.ms) until {}",
                        g.group_id,
                        m.member_id,
                        secs(m.session_deadline)
                    ),
                });
            }
        }
        if let Some(d) = g
            .join_deadline
            .filter(|_| g.state == GroupState::PreparingRebalance)
        {
            out.push(PendingTimeout {
                deadline: d,
                what: format!(
                    "group {}: the join phase (max.poll.interval.ms) until {}",
                    g.group_id,
                    secs(d)
                ),
            });
        }
    }

    /// A producer's oldest produce request, if overdue (request.timeout.ms).
    fn pending_produce_request(&self, p: &Producer, out: &mut Vec<PendingTimeout>) {
        let timeout = p.config.request_timeout_ms.value * 1000;
        let oldest = p.in_flight.values().min_by_key(|r| r.sent_at);
        if let Some(r) = oldest.filter(|r| self.now.since(r.sent_at) > OVERDUE_US) {
            let deadline = r.sent_at.plus(timeout);
            out.push(PendingTimeout {
                deadline,
                what: format!(
                    "producer {}'s produce request to broker {} until request.timeout.ms at {}",
                    p.index,
                    r.broker,
                    secs(deadline)
                ),
            });
        }
    }

    /// Open transactions (transaction.timeout.ms).
    fn pending_transaction_timeouts(&self, out: &mut Vec<PendingTimeout>) {
        for m in self.txn.transactions.values() {
            if m.state == crate::coordinator::txn::state::TxnState::Ongoing {
                let deadline = m.started_at.plus(m.timeout_us);
                out.push(PendingTimeout {
                    deadline,
                    what: format!(
                        "transaction {}: transaction.timeout.ms until {}",
                        m.transactional_id,
                        secs(deadline)
                    ),
                });
            }
        }
    }

    /// Lagging followers whose fetches are overdue (replica.socket.timeout.ms).
    fn pending_follower_fetches(&self, out: &mut Vec<PendingTimeout>) {
        let socket_us = crate::sim::links::REPLICA_SOCKET_TIMEOUT_US;
        for t in &self.topics {
            for p in &t.partitions {
                // An offline partition has no leader to fetch from.
                let Some(leader) = p.leader_replica() else {
                    continue;
                };
                let (lb, leo) = (leader.broker, leader.log.log_end_offset());
                for r in p.replicas.iter().filter(|r| r.broker != lb) {
                    let deadline = r.last_fetch_time.plus(socket_us);
                    let behind = r.log.log_end_offset() < leo || !p.isr.contains(&r.broker);
                    if behind && self.now.since(r.last_fetch_time) > OVERDUE_US {
                        out.push(PendingTimeout {
                            deadline,
                            what: format!(
                                "{}-{}: follower {}'s fetch until replica.socket.timeout.ms at {}",
                                t.name,
                                p.index,
                                r.broker,
                                secs(deadline)
                            ),
                        });
                    }
                }
            }
        }
    }
}

/// A consumer's blocking commitSync() (default.api.timeout.ms).
fn pending_commit_sync(c: &Consumer, out: &mut Vec<PendingTimeout>) {
    if c.commit_sync_wait.is_some() {
        out.push(PendingTimeout {
            deadline: c.commit_sync_deadline,
            what: format!(
                "{}'s commitSync() until default.api.timeout.ms at {}",
                c.client_id,
                secs(c.commit_sync_deadline)
            ),
        });
    }
}
