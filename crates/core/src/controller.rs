//! Broker crashes and restarts, and what the KRaft controller does about them: a crashed
//! broker stops heartbeating (every `broker.heartbeat.interval.ms`, 2 s); once its last
//! heartbeat is `broker.session.timeout.ms` (9 s) old the controller fences it, removes it from
//! every ISR and elects new leaders (`PartitionChangeBuilder`: keep a valid leader, else the
//! first alive ISR member in assignment order; unclean: the first alive replica). Every
//! election bumps the leader epoch. Neither kind of crash is a controlled shutdown, so the
//! fencing always waits for the session timeout.
//!
//! Two kinds of crash: `Change::CrashBroker` is a host lost (it goes silent: messages to it
//! vanish and clients wait out request.timeout.ms); `Change::KillBroker` is a killed process
//! on a live host (SIGKILL): its connections close at once, producers' requests in flight to
//! it fail with a disconnect and are retried, and while it is down producers do not send to
//! it (connection refused) but keep its partitions' batches until the election moves the
//! leadership, then send them to the new leader at once.
//!
//! Restart after an unclean shutdown (KIP-966): the new process registers with a new
//! incarnation id. While the controller still holds the old incarnation's session (its last
//! heartbeat less than 9 s old) it refuses the registration (`ClusterControlManager.
//! registerBroker`: DuplicateBrokerRegistrationException) and the broker retries, serving
//! nothing; once that session expires the controller fences the old incarnation (ISRs
//! shrink, leaderships move with an epoch bump) and accepts the new one. So a restarted
//! broker never keeps its old leaderships in the same epoch: it comes back as a follower,
//! truncates its diverged tail by leader epoch at its next fetch (KIP-101/279) and rejoins the
//! ISR once it reaches the high watermark.
//!
//! A killed process loses nothing it wrote: the host's page cache survives and its log recovery
//! (`LogLoader.recoverLog`) truncates only at a corrupt batch, so it restarts with its whole
//! log, which may hold acknowledged records that no other replica has (the last ISR member).
//!
//! Simplified: heartbeats and registrations are not messages (the controller knows when the
//! last heartbeat was sent; the refused registration is accepted exactly at the session's
//! expiry); a broker restarted after its host was lost (`Broker.host_lost`) truncates each
//! replica to its high watermark: the tail it had not flushed is taken as lost with its page
//! cache (a killed process keeps its page cache). Eligible leader replicas (KIP-966 part 1, on
//! by default for new clusters since Kafka 4.1) are not modelled: as before 4.1 the last ISR
//! member stays in the ISR when fenced (so it leads again when it returns, which 4.1 reaches
//! through its last-known-leader rule) and a replica that left the ISR below
//! min.insync.replicas cannot be elected cleanly. Only producers see a killed broker's closed
//! connections: consumers and followers move with the election as after a silent crash, and
//! requests to a group or transaction coordinator on it still wait for their timeouts. The
//! group coordinators (leaders of `__consumer_offsets` partitions) move with the fencing: see
//! `sim::coordinator`.

use crate::cluster::Partition;
use crate::config::ConfigError;
use crate::event::Event;
use crate::net::{Node, TopicPartitionId};
use crate::sim::{Pending, Sim};
use crate::time::SimTime;
use alloc::format;
use alloc::vec::Vec;

/// `broker.heartbeat.interval.ms`.
pub const BROKER_HEARTBEAT_INTERVAL_US: u64 = 2_000_000;
/// `broker.session.timeout.ms`.
pub const BROKER_SESSION_TIMEOUT_US: u64 = 9_000_000;

impl Sim {
    pub(crate) fn check_broker(&self, broker: u32) -> Result<(), ConfigError> {
        if (broker as usize) < self.brokers.len() {
            Ok(())
        } else {
            Err(ConfigError::new(
                "broker",
                format!(
                    "{broker} is out of range: brokers are 0 to {}",
                    self.brokers.len().saturating_sub(1)
                ),
            ))
        }
    }

    /// The broker's host is lost (`Change::CrashBroker`): it handles nothing more; messages
    /// already on the wire still arrive elsewhere; messages to it are lost. A broker waiting
    /// for its registration dies again (the old incarnation's fencing is still due).
    pub(crate) fn crash_broker(&mut self, broker: u32) -> Result<(), ConfigError> {
        self.check_broker(broker)?;
        let b = &mut self.brokers[broker as usize];
        if b.registering {
            b.registering = false;
            b.refuses_connections = false;
            b.host_lost = true;
            return Ok(());
        }
        if !b.alive {
            return Err(ConfigError::new(
                "broker",
                format!("broker {broker} is already down"),
            ));
        }
        b.alive = false;
        b.refuses_connections = false;
        b.host_lost = true;
        self.parked_fetches.retain(|f| f.broker != broker);
        self.delayed_produces.retain(|d| d.broker != broker);
        self.txn_verifications.retain(|v| v.broker != broker);
        self.replica_fetchers
            .retain(|(f, l)| *f != broker && *l != broker);
        // The controller fences it once its last heartbeat is a session timeout old.
        let n = self.brokers.len().max(1) as u64;
        let phase = BROKER_HEARTBEAT_INTERVAL_US * broker as u64 / n;
        let now = self.now.micros();
        let last = if now >= phase {
            now - (now - phase) % BROKER_HEARTBEAT_INTERVAL_US
        } else {
            0
        };
        let at = SimTime(last + BROKER_SESSION_TIMEOUT_US).max(self.now);
        self.schedule(at, Pending::FenceBroker { broker });
        Ok(())
    }

    /// The broker's process is killed on a host that stays up (`Change::KillBroker`): as a
    /// crash, but its connections close at once, so producers fail their requests in flight
    /// to it with a disconnect (retried) and send nothing to it while it is down.
    pub(crate) fn kill_broker(&mut self, broker: u32) -> Result<(), ConfigError> {
        // Its page cache survives, unless an earlier host loss took it before this restart.
        let lost_before = self
            .brokers
            .get(broker as usize)
            .is_some_and(|b| b.registering && b.host_lost);
        self.crash_broker(broker)?;
        let b = &mut self.brokers[broker as usize];
        b.refuses_connections = true;
        b.host_lost = lost_before;
        for p in 0..self.producers.len() as u32 {
            self.close_connection(p, broker, None);
        }
        Ok(())
    }

    /// The broker process starts again. If the controller has fenced it already it registers
    /// at once; otherwise its registration waits for the old session to expire
    /// (`on_fence_broker`) and it serves nothing until then (its host answers: connections
    /// are refused).
    pub(crate) fn restart_broker(&mut self, broker: u32) -> Result<(), ConfigError> {
        self.check_broker(broker)?;
        let b = &mut self.brokers[broker as usize];
        if b.alive {
            return Err(ConfigError::new(
                "broker",
                format!("broker {broker} is already up"),
            ));
        }
        if b.registering {
            return Err(ConfigError::new(
                "broker",
                format!(
                    "broker {broker} is already restarting: the controller accepts it when its previous session expires"
                ),
            ));
        }
        if !b.fenced {
            b.registering = true;
            b.refuses_connections = true;
            return Ok(());
        }
        self.register_broker(broker);
        Ok(())
    }

    /// The controller accepts the new incarnation: the broker is up and unfenced, keeps its
    /// logs (after a host loss: truncated to their high watermarks) and fetches from the
    /// leaders; a partition with no leader left gets it as leader when it is in the ISR (or,
    /// with unclean election enabled, anyway).
    pub(crate) fn register_broker(&mut self, broker: u32) {
        let b = &mut self.brokers[broker as usize];
        debug_assert!(!b.alive && b.fenced, "only a fenced broker registers anew");
        b.alive = true;
        b.fenced = false;
        b.registering = false;
        b.refuses_connections = false;
        let host_lost = core::mem::replace(&mut b.host_lost, false);
        let mut elected = false;
        let now = self.now;
        for t in &mut self.topics {
            for p in &mut t.partitions {
                debug_assert!(p.leader != Some(broker), "a fenced broker leads nothing");
                if let Some(r) = p.replica_mut(broker) {
                    if host_lost {
                        let hw = r.high_watermark;
                        r.log.truncate_to(hw);
                    }
                    debug_assert!(
                        r.high_watermark <= r.log.log_end_offset(),
                        "a restarted replica's high watermark is within its log"
                    );
                }
                // With no leader left, a returning ISR member leads; with unclean election
                // enabled, any returning replica does (the controller elects leaderless
                // partitions when a broker registers).
                if p.leader.is_none() && p.replica(broker).is_some() {
                    let unclean = self
                        .config
                        .topics
                        .get(p.topic as usize)
                        .is_some_and(|c| c.unclean_leader_election_enable.value);
                    let in_isr = p.isr.contains(&broker);
                    if in_isr || unclean {
                        if !in_isr {
                            p.isr = alloc::vec![broker];
                        }
                        p.leader = Some(broker);
                        p.leader_epoch += 1;
                        p.reset_follower_states(now);
                        self.leader_elections += 1;
                        elected = true;
                    }
                }
            }
        }
        for tp in self.all_partitions() {
            self.monitor_read(tp);
        }
        self.offsets_after_restart(broker);
        self.txn_after_restart(broker);
        self.start_replica_fetchers();
        if elected {
            // Offline partitions are back: clients find the leader in their next metadata.
            self.after_leader_change();
        }
    }

    /// Every partition of every topic.
    pub(crate) fn all_partitions(&self) -> Vec<TopicPartitionId> {
        self.topics
            .iter()
            .flat_map(|t| t.partitions.iter())
            .map(|p| TopicPartitionId {
                topic: p.topic,
                partition: p.index,
            })
            .collect()
    }

    /// Lose (or stop losing) the broker's responses to clients: requests are still processed.
    pub(crate) fn drop_responses(&mut self, broker: u32, on: bool) -> Result<(), ConfigError> {
        self.check_broker(broker)?;
        self.brokers[broker as usize].drop_responses = on;
        Ok(())
    }

    /// The controller fences a broker whose session expired and moves its leaderships.
    pub(crate) fn on_fence_broker(&mut self, broker: u32) -> Option<Event> {
        let b = self.brokers.get_mut(broker as usize)?;
        if b.alive || b.fenced {
            return None; // it came back in time, or is fenced already
        }
        b.fenced = true;
        let now = self.now;
        let alive: Vec<bool> = self.brokers.iter().map(|b| b.alive).collect();
        let mut elections: u32 = 0;
        let mut tps = Vec::new();
        let mut touched = Vec::new();
        for (ti, t) in self.topics.iter_mut().enumerate() {
            let unclean = self
                .config
                .topics
                .get(ti)
                .is_some_and(|c| c.unclean_leader_election_enable.value);
            for p in &mut t.partitions {
                if !p.replicas.iter().any(|r| r.broker == broker) {
                    continue;
                }
                let tp = TopicPartitionId {
                    topic: p.topic,
                    partition: p.index,
                };
                touched.push(tp);
                if fence_replica(p, broker, &alive, unclean, now) {
                    // Only a new leader counts as an election (going offline bumps the epoch
                    // too).
                    elections += p.leader.is_some() as u32;
                    tps.push(tp);
                }
            }
        }
        self.leader_elections += elections as u64;
        // The group coordinators it hosted move too (`sim::coordinator`).
        self.move_offsets_leaders(broker);
        // And the transaction coordinators (`sim::transactions`).
        self.move_txn_leaders(broker);
        // Followers start fetching from the new leaders; the high watermark may move.
        self.start_replica_fetchers();
        // A smaller ISR can let the high watermark move (or, below min.insync.replicas,
        // keep it still).
        for tp in touched {
            self.monitor_read(tp);
            self.advance_high_watermark(tp);
        }
        if !tps.is_empty() {
            self.after_leader_change();
        }
        // A new incarnation waiting for this session to expire is accepted now.
        if self.brokers[broker as usize].registering {
            self.register_broker(broker);
        }
        Some(Event::BrokerFenced { broker, elections })
    }

    /// Consumers and producers find the new leader from metadata: consumers drop a fetch
    /// outstanding to a broker that no longer leads their partitions.
    pub(crate) fn after_leader_change(&mut self) {
        let n = self.consumers.len() as u32;
        for c in 0..n {
            let dead: Vec<u32> = self
                .brokers
                .iter()
                .filter(|b| !b.alive)
                .map(|b| b.id)
                .collect();
            if let Some(cons) = self.consumers.get_mut(c as usize) {
                for b in dead {
                    if let Some(f) = cons.fetch_in_flight.get_mut(b as usize) {
                        *f = false;
                    }
                }
            }
            self.send_consumer_fetches(c);
            self.retry_resets_sent_to_dead_brokers(c);
        }
        for p in 0..self.producers.len() as u32 {
            self.sender_run(p);
        }
    }

    /// Whether `node` is a broker that is down (messages to it are lost).
    pub(crate) fn is_down(&self, node: Node) -> bool {
        matches!(node, Node::Broker(b) if self.brokers.get(b as usize).is_some_and(|x| !x.alive))
    }
}

/// What the controller's `PartitionChangeBuilder` does to one partition of a fenced `broker`:
/// it leaves the ISR (unless it is the last member, which stays so it can lead again); a
/// leader that is not alive or is the fenced broker is replaced by the first alive ISR member
/// in assignment order, else (`unclean.leader.election.enable`) the first alive replica with
/// the ISR reset to it, else none. Returns whether the leader changed (the epoch is bumped and
/// the new leader's follower states are reset).
fn fence_replica(
    p: &mut Partition,
    broker: u32,
    alive: &[bool],
    unclean: bool,
    now: SimTime,
) -> bool {
    let isr_without: Vec<u32> = p.isr.iter().copied().filter(|i| *i != broker).collect();
    // The last ISR member stays in the ISR even when fenced, so it can lead again.
    let mut new_isr = if isr_without.is_empty() {
        p.isr.clone()
    } else {
        isr_without.clone()
    };
    let leader_ok = p
        .leader
        .is_some_and(|l| l != broker && alive.get(l as usize) == Some(&true));
    let old_leader = p.leader;
    if !leader_ok {
        let order: Vec<u32> = p.replicas.iter().map(|r| r.broker).collect();
        let is_alive = |r: &u32| alive.get(*r as usize) == Some(&true);
        let clean = order
            .iter()
            .copied()
            .find(|r| isr_without.contains(r) && is_alive(r));
        let dirty = order.iter().copied().find(is_alive);
        match (clean, unclean, dirty) {
            (Some(l), _, _) => p.leader = Some(l),
            (None, true, Some(l)) => {
                // Unclean: an out-of-sync replica leads; what only others had is lost.
                p.leader = Some(l);
                new_isr = alloc::vec![l];
            }
            _ => p.leader = None,
        }
    }
    p.isr = new_isr;
    debug_assert!(
        p.leader.is_none_or(|l| p.isr.contains(&l)),
        "a leader is always in its ISR (unclean election resets the ISR to it)"
    );
    debug_assert!(!p.isr.is_empty(), "the last ISR member stays in the ISR");
    if p.leader == old_leader {
        return false;
    }
    // Every leader change bumps the epoch (going offline too).
    p.leader_epoch += 1;
    // The new leader learns its followers' offsets from their next fetches.
    p.reset_follower_states(now);
    true
}
