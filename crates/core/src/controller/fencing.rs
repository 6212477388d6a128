//! Fencing a broker whose session expired and the elections it causes
//! (`ReplicationControlManager.handleBrokerFenced`, `PartitionChangeBuilder`): the fenced broker
//! leaves every ISR (unless it is the last member), and each partition whose leader it was, or
//! whose leader is down, gets a new one, clean from the ISR or, with
//! `unclean.leader.election.enable`, from any alive replica. Every leader change bumps the
//! leader epoch.

use crate::cluster::Partition;
use crate::controller::context::{unclean_election, ControllerCall, ControllerCtx};
use crate::controller::state::QuorumController;
use crate::event::Event;
use crate::net::TopicPartitionId;
use crate::time::SimTime;
use alloc::vec::Vec;

/// What fencing a broker did.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Fenced {
    /// The trace's event (`Event::BrokerFenced`, with the elections it made).
    pub event: Event,
    /// A new incarnation of the broker was waiting for this session to expire: the controller
    /// accepts its registration next.
    pub accept_registration: bool,
}

impl QuorumController {
    /// The session of `broker` expired: the controller fences it and moves its leaderships.
    /// `None` when it came back in time, or is fenced already (the timer is stale).
    pub(crate) fn on_fence_broker(
        &mut self,
        ctx: &mut ControllerCtx,
        broker: u32,
    ) -> Option<Fenced> {
        ctx.assert_broker(broker);
        let b = &mut ctx.brokers[broker as usize];
        if b.alive || b.fenced {
            return None;
        }
        b.fenced = true;
        let alive: Vec<bool> = ctx.brokers.iter().map(|b| b.alive).collect();
        let mut elections: u32 = 0;
        let mut elected = false;
        let mut touched = Vec::new();
        for (ti, t) in ctx.topics.iter_mut().enumerate() {
            let unclean = unclean_election(ctx.topic_configs, ti);
            for p in &mut t.partitions {
                if !p.replicas.iter().any(|r| r.broker == broker) {
                    continue;
                }
                touched.push(TopicPartitionId {
                    topic: p.topic,
                    partition: p.index,
                });
                if fence_replica(p, broker, &alive, unclean, ctx.now) {
                    // Only a new leader counts as an election (going offline bumps the epoch
                    // too).
                    elections += p.leader.is_some() as u32;
                    elected = true;
                }
            }
        }
        self.leader_elections += elections as u64;
        self.leader_election_timer.mark(1, ctx.now);
        ctx.out
            .call(ControllerCall::MoveGroupCoordinators { broker });
        ctx.out.call(ControllerCall::MoveTxnCoordinators { broker });
        ctx.out.call(ControllerCall::StartReplicaFetchers);
        for tp in touched {
            ctx.out.call(ControllerCall::MonitorRead(tp));
            ctx.out.call(ControllerCall::AdvanceHighWatermark(tp));
        }
        if elected {
            ctx.out.call(ControllerCall::LeadersChanged);
        }
        Some(Fenced {
            event: Event::BrokerFenced { broker, elections },
            accept_registration: ctx.brokers[broker as usize].registering,
        })
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
    assert!(
        p.leader.is_none_or(|l| p.isr.contains(&l)),
        "a leader is always in its ISR (unclean election resets the ISR to it)"
    );
    assert!(!p.isr.is_empty(), "the last ISR member stays in the ISR");
    if p.leader == old_leader {
        return false;
    }
    // Every leader change bumps the epoch (going offline too).
    p.leader_epoch += 1;
    // The new leader learns its followers' offsets from their next fetches.
    p.reset_follower_states(now);
    true
}
