//! The liveness monitor's checks (`sim::liveness`): every part of the world that is not
//! settled, in Kafka's terms (producers, brokers and partitions, groups, transactions, the
//! pipeline).

use super::{secs, Unsettled};
use crate::cluster::{Partition, Topic};
use crate::config::CommitMode;
use crate::consumer::group::{Group, GroupState};
use crate::consumer::{Consumer, MemberState};
use crate::net::{Node, TopicPartitionId};
use crate::sim::Sim;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

impl Sim {
    /// Every part that is not settled now (empty: settled). `first` stops at the first one.
    pub fn unsettled(&self, first: bool) -> Vec<Unsettled> {
        let mut out = Vec::new();
        self.unsettled_producers(&mut out, first);
        if !first || out.is_empty() {
            self.unsettled_partitions(&mut out, first);
        }
        if !first || out.is_empty() {
            self.unsettled_groups(&mut out, first);
        }
        if !first || out.is_empty() {
            self.unsettled_transactions(&mut out, first);
        }
        if !first || out.is_empty() {
            self.unsettled_pipeline(&mut out);
        }
        out
    }

    /// The one definition of a settled run (see the module doc).
    pub fn settled(&self) -> bool {
        self.unsettled(true).is_empty()
    }

    pub(crate) fn unsettled_producers(&self, out: &mut Vec<Unsettled>, first: bool) {
        for p in &self.producers {
            if p.crashed {
                continue;
            }
            let queued: usize = p
                .accumulator
                .deques
                .iter()
                .flatten()
                .map(|d| d.iter().map(|b| b.records.len()).sum::<usize>())
                .sum();
            let oldest = p.in_flight.values().min_by_key(|r| r.sent_at);
            // A closed instance is gone (its transaction is its coordinator's business now).
            let closed = p.state == crate::producer::ProducerState::Closed;
            let ending = !closed && p.txn.as_ref().is_some_and(|t| t.ending());
            if queued == 0 && oldest.is_none() && p.blocked.is_none() && !ending {
                continue;
            }
            let mut what = format!("producer {} (producer id {}):", p.index, p.producer_id);
            if queued > 0 {
                what.push_str(&format!(" {queued} records in the accumulator"));
            }
            if let Some(r) = oldest {
                what.push_str(&format!(
                    " {} requests in flight, the oldest to broker {} sent at {}",
                    p.in_flight.len(),
                    r.broker,
                    secs(r.sent_at)
                ));
            }
            if p.blocked.is_some() {
                what.push_str(" send() blocked on buffer.memory");
            }
            if ending {
                what.push_str(" its transaction is ending");
            }
            out.push(Unsettled {
                key: format!("producer {}", p.index),
                what,
                since: oldest.map(|r| r.sent_at),
            });
            if first {
                return;
            }
        }
    }

    pub(crate) fn unsettled_partitions(&self, out: &mut Vec<Unsettled>, first: bool) {
        if self.unsettled_brokers(out, first) {
            return;
        }
        for t in &self.topics {
            for p in &t.partitions {
                if self.unsettled_partition(t, p, out, first) {
                    return;
                }
            }
        }
    }

    /// Brokers down, fenced or not yet registered again. Returns whether to stop (`first`
    /// and one found).
    fn unsettled_brokers(&self, out: &mut Vec<Unsettled>, first: bool) -> bool {
        for b in &self.brokers {
            if !b.alive || b.fenced || b.registering {
                out.push(Unsettled {
                    key: format!("broker {}", b.id),
                    what: if b.registering {
                        format!(
                            "broker {}: restarted, its registration refused until the controller fences its previous incarnation",
                            b.id
                        )
                    } else if !b.alive {
                        format!("broker {}: down", b.id)
                    } else {
                        format!("broker {}: running but fenced by the controller", b.id)
                    },
                    since: None,
                });
                if first {
                    return true;
                }
            }
        }
        false
    }

    /// Whether broker `b` is up, unfenced and registered.
    fn broker_serving(&self, b: u32) -> bool {
        self.brokers
            .get(b as usize)
            .is_some_and(|x| x.alive && !x.fenced && !x.registering)
    }

    /// One partition: settled when its leader is live, its high watermark at its log end and
    /// every live follower in the ISR at that end. Returns whether to stop (`first` and one
    /// found).
    fn unsettled_partition(
        &self,
        t: &Topic,
        p: &Partition,
        out: &mut Vec<Unsettled>,
        first: bool,
    ) -> bool {
        let leader = p.leader.filter(|&l| self.broker_serving(l));
        let leo = p.log_end_offset();
        let hw = p.high_watermark();
        let settled = leader.is_some_and(|l| {
            hw == leo
                && p.replicas.iter().all(|r| {
                    r.broker == l
                        || !self.broker_serving(r.broker)
                        || p.isr.contains(&r.broker) && r.log.log_end_offset() == leo
                })
        });
        if settled {
            return false;
        }
        let name = format!("{}-{}", t.name, p.index);
        // No live leader: that is the partition's problem, its followers wait for one.
        let Some(leader) = leader else {
            out.push(Unsettled {
                key: format!("partition {name}"),
                what: match p.leader {
                    Some(l) => format!("{name}: leader broker {l} is not live"),
                    None => format!("{name}: no leader (ISR {:?})", p.isr),
                },
                since: None,
            });
            return first;
        };
        if self.unsettled_followers(&name, p, leader, out, first) {
            return true;
        }
        if hw != leo
            && out
                .iter()
                .all(|u| !u.key.starts_with(&format!("partition {name} ")))
        {
            out.push(Unsettled {
                key: format!("partition {name}"),
                what: format!("{name}: high watermark {hw} below the log end offset {leo}"),
                since: None,
            });
            return first;
        }
        false
    }

    /// Live followers of partition `name` out of the ISR or behind its `leader`'s log end.
    /// Returns whether to stop (`first` and one found).
    fn unsettled_followers(
        &self,
        name: &str,
        p: &Partition,
        leader: u32,
        out: &mut Vec<Unsettled>,
        first: bool,
    ) -> bool {
        let leo = p.log_end_offset();
        let hw = p.high_watermark();
        for r in p.replicas.iter().filter(|r| r.broker != leader) {
            if !self.broker_serving(r.broker) {
                continue;
            }
            let rleo = r.log.log_end_offset();
            let in_isr = p.isr.contains(&r.broker);
            if in_isr && rleo == leo {
                continue;
            }
            let state = if in_isr {
                "in the ISR"
            } else {
                "out of the ISR"
            };
            out.push(Unsettled {
                key: format!("partition {name} follower {}", r.broker),
                what: format!(
                    "{name}: follower {} {state} at log end offset {rleo}, leader {leader} at {leo} (high watermark {hw}); it has not fetched since {}",
                    r.broker,
                    secs(r.last_fetch_time)
                ),
                since: Some(r.last_fetch_time),
            });
            if first {
                return true;
            }
        }
        false
    }

    /// Whether the members of `group` commit offsets at all (auto-commit, the application's
    /// commitSync / commitAsync, or the pipeline's processors).
    pub(crate) fn group_commits(&self, group: u32) -> bool {
        if self.pipeline.as_ref().is_some_and(|p| p.group == group) {
            return true;
        }
        self.config.groups.get(group as usize).is_some_and(|g| {
            g.consumer.enable_auto_commit.value || g.consumer.commit_mode.value != CommitMode::Auto
        })
    }

    pub(crate) fn unsettled_groups(&self, out: &mut Vec<Unsettled>, first: bool) {
        for g in self.groups() {
            let running: Vec<&Consumer> = self
                .consumers
                .iter()
                .filter(|c| c.group == g.index && c.alive && !c.closed)
                .collect();
            if running.is_empty() {
                continue; // no application runs: nothing Kafka could do
            }
            let problem = self
                .group_membership_problem(g, &running)
                .or_else(|| self.group_behind(g.index, &running));
            if let Some(p) = problem {
                out.push(Unsettled {
                    what: format!("group {}: {p}", g.group_id),
                    key: format!("group {}", g.group_id),
                    since: None,
                });
                if first {
                    return;
                }
            }
        }
    }

    /// A group not Stable, a running member not stable in its generation, or a partition no
    /// member owns.
    fn group_membership_problem(&self, g: &Group, running: &[&Consumer]) -> Option<String> {
        let members = || members_line(running);
        let requests = running
            .iter()
            .flat_map(|c| c.coordinator_requests.iter())
            .count();
        if g.state != GroupState::Stable {
            return Some(format!(
                "{:?} in generation {} at coordinator broker {}; {}; {requests} requests to the coordinator outstanding",
                g.state, g.generation, g.coordinator, members()
            ));
        }
        if let Some(c) = running.iter().find(|c| {
            c.state != MemberState::Stable
                || c.generation != g.generation
                || g.member(&c.member_id).is_none()
        }) {
            return Some(format!(
                "Stable in generation {}, but {} is {:?} in generation {} ({}; {requests} requests to the coordinator outstanding)",
                g.generation, c.client_id, c.state, c.generation, members()
            ));
        }
        let owned: Vec<TopicPartitionId> = running
            .iter()
            .filter(|c| c.state == MemberState::Stable && c.generation == g.generation)
            .flat_map(|c| c.assignment.iter().copied())
            .collect();
        let unowned: Vec<TopicPartitionId> = self
            .group_partitions(g.index)
            .into_iter()
            .filter(|tp| !owned.contains(tp))
            .collect();
        if unowned.is_empty() {
            return None;
        }
        let names: Vec<String> = unowned.iter().map(|tp| self.tp_name(*tp)).collect();
        Some(format!(
            "{}, partitions not assigned to any member: {}",
            members(),
            names.join(", ")
        ))
    }

    /// A member not yet at the end of a partition it owns, or the group's committed offset
    /// behind that end.
    pub(crate) fn group_behind(&self, group: u32, running: &[&Consumer]) -> Option<String> {
        let commits = self.group_commits(group);
        let g = self
            .groups()
            .get(group as usize)
            .expect("group_behind is asked about a group of the world (groups are only added)");
        for c in running {
            if !c.buffer.is_empty() {
                return Some(format!(
                    "{} has {} fetched records not yet returned by poll()",
                    c.client_id,
                    c.buffer.len()
                ));
            }
            for tp in &c.assignment {
                let end = self.consumer_fetch_end(Node::Consumer(c.index), *tp);
                let pos = c.positions.get(tp).copied();
                if pos.is_none_or(|p| p < end) {
                    let unknown = if c.resets.contains_key(tp) {
                        "unknown (resetting by auto.offset.reset)"
                    } else {
                        "unknown"
                    };
                    return Some(format!(
                        "{} at {} position {} of {end}",
                        c.client_id,
                        self.tp_name(*tp),
                        pos.map_or_else(|| String::from(unknown), |p| format!("{p}"))
                    ));
                }
                let start = self
                    .partition(*tp)
                    .and_then(|p| p.leader_replica())
                    .map_or(0, |r| r.log.log_start_offset());
                let committed = g.committed.get(tp).copied().unwrap_or(start);
                if commits && committed < end {
                    return Some(format!(
                        "committed offset of {} is {committed} of {end}",
                        self.tp_name(*tp)
                    ));
                }
            }
        }
        None
    }

    pub(crate) fn unsettled_transactions(&self, out: &mut Vec<Unsettled>, first: bool) {
        use crate::coordinator::txn::state::TxnState;
        for m in self.txn.transactions.values() {
            if matches!(
                m.state,
                TxnState::Ongoing | TxnState::PrepareCommit | TxnState::PrepareAbort
            ) {
                out.push(Unsettled {
                    key: format!("transaction {}", m.transactional_id),
                    what: format!(
                        "transaction {} (producer id {}, epoch {}): {} since {} at coordinator broker {}, {} markers pending",
                        m.transactional_id,
                        m.producer_id,
                        m.epoch,
                        m.state.name(),
                        secs(m.started_at),
                        m.coordinator,
                        m.pending_markers.len()
                    ),
                    since: Some(m.started_at),
                });
                if first {
                    return;
                }
            }
        }
    }

    pub(crate) fn unsettled_pipeline(&self, out: &mut Vec<Unsettled>) {
        // No pipeline runs: nothing of it to settle.
        let Some(pl) = self.pipeline.as_ref() else {
            return;
        };
        if let Some(p) = pl.processors.iter().find(|p| {
            !p.batch.is_empty() || p.phase != crate::app::pipeline::state::ProcessorPhase::Polling
        }) {
            out.push(Unsettled {
                key: String::from("pipeline"),
                what: format!(
                    "pipeline: processor {} is {} with {} records in hand",
                    p.index,
                    p.phase.name(),
                    p.batch.len()
                ),
                since: None,
            });
            return;
        }
        if let Some(r) = self.pipeline_report() {
            if r.missing > 0 {
                out.push(Unsettled {
                    key: String::from("pipeline"),
                    what: format!(
                        "pipeline: the verifier has seen {} of {} input records",
                        r.input - r.missing,
                        r.input
                    ),
                    since: None,
                });
            }
        }
    }

    pub(crate) fn tp_name(&self, tp: TopicPartitionId) -> String {
        let t = self
            .topics
            .get(tp.topic as usize)
            .map_or("?", |t| t.name.as_str());
        format!("{t}-{}", tp.partition)
    }
}

/// How many members run and in which state.
fn members_line(running: &[&Consumer]) -> String {
    let count = |s: MemberState| running.iter().filter(|c| c.state == s).count();
    format!(
        "{} members ({} stable, {} joining, {} syncing, {} fetching offsets, {} unjoined)",
        running.len(),
        count(MemberState::Stable),
        count(MemberState::Joining),
        count(MemberState::Syncing),
        count(MemberState::FetchingOffsets),
        count(MemberState::Unjoined)
    )
}
