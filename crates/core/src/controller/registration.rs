//! Broker registration and heartbeats (`ClusterControlManager`, KIP-966): when a broker's
//! heartbeats stop the controller sets the expiry of its session; a new incarnation's
//! registration is refused while the old session lives and accepted once it is fenced, and a
//! returning broker is elected leader of the partitions left with none
//! (`ReplicationControlManager` elects leaderless partitions when a broker registers).
//!
//! Simplified: heartbeats and registrations are not messages: the controller knows when the
//! last heartbeat was sent (every `broker.heartbeat.interval.ms`, each broker at its own phase),
//! and a refused registration is accepted exactly when the old session expires.

use crate::cluster::Partition;
use crate::controller::context::{
    unclean_election, ControllerCall, ControllerCtx, ControllerTimer,
};
use crate::controller::state::{
    QuorumController, BROKER_HEARTBEAT_INTERVAL_US, BROKER_SESSION_TIMEOUT_US,
};
use crate::net::TopicPartitionId;
use crate::time::SimTime;
use alloc::vec::Vec;

/// The controller's answer to a new incarnation's registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Registration {
    /// The old incarnation's session still lives (DuplicateBrokerRegistrationException): the
    /// broker retries and serves nothing until the session expires.
    Refused,
    /// The old incarnation is fenced: the new one may register now (`register`).
    Accepted,
}

impl QuorumController {
    /// `broker`'s heartbeats stopped (its host is lost or its process killed): its session
    /// expires `broker.session.timeout.ms` after its last heartbeat, and it is fenced then.
    pub(crate) fn on_heartbeats_stopped(&mut self, ctx: &mut ControllerCtx, broker: u32) {
        ctx.assert_broker(broker);
        let n = ctx.brokers.len().max(1) as u64;
        let phase = BROKER_HEARTBEAT_INTERVAL_US * broker as u64 / n;
        let now = ctx.now.micros();
        let last = if now >= phase {
            now - (now - phase) % BROKER_HEARTBEAT_INTERVAL_US
        } else {
            0
        };
        let at = SimTime(last + BROKER_SESSION_TIMEOUT_US).max(ctx.now);
        ctx.out.timer(at, ControllerTimer::FenceBroker { broker });
    }

    /// A new incarnation of the down `broker` asks to register (`registerBroker`): refused
    /// while the controller still holds the old session (the broker waits, refusing
    /// connections), accepted once the old incarnation is fenced.
    pub(crate) fn on_register_request(
        &mut self,
        ctx: &mut ControllerCtx,
        broker: u32,
    ) -> Registration {
        ctx.assert_broker(broker);
        let b = &mut ctx.brokers[broker as usize];
        assert!(
            !b.alive && !b.registering,
            "only a down broker that is not waiting already asks to register"
        );
        if b.fenced {
            return Registration::Accepted;
        }
        b.registering = true;
        b.refuses_connections = true;
        Registration::Refused
    }

    /// The controller accepts the new incarnation: the broker is up and unfenced and fetches
    /// from the leaders; a partition with no leader left gets it as leader when it is in the ISR
    /// (or, with unclean election enabled, anyway).
    pub(crate) fn register(&mut self, ctx: &mut ControllerCtx, broker: u32) {
        ctx.assert_broker(broker);
        let b = &mut ctx.brokers[broker as usize];
        assert!(b.fenced && !b.alive, "only a fenced broker registers anew");
        b.alive = true;
        b.fenced = false;
        b.registering = false;
        b.refuses_connections = false;
        let mut elections = 0;
        let mut tps = Vec::new();
        for t in ctx.topics.iter_mut() {
            for p in &mut t.partitions {
                let unclean = unclean_election(ctx.topic_configs, p.topic as usize);
                if elect_registered(p, broker, unclean, ctx.now) {
                    elections += 1;
                }
                tps.push(TopicPartitionId {
                    topic: p.topic,
                    partition: p.index,
                });
            }
        }
        self.leader_elections += elections;
        self.leader_election_timer.mark(1, ctx.now);
        for tp in tps {
            ctx.out.call(ControllerCall::MonitorRead(tp));
        }
        ctx.out
            .call(ControllerCall::GroupCoordinatorsAfterRestart { broker });
        ctx.out
            .call(ControllerCall::TxnCoordinatorsAfterRestart { broker });
        ctx.out.call(ControllerCall::StartReplicaFetchers);
        if elections > 0 {
            // Offline partitions are back: clients find the leader in their next metadata.
            ctx.out.call(ControllerCall::LeadersChanged);
        }
    }
}

/// The election of a leaderless partition when `broker` registers: with no leader left, a
/// returning ISR member leads; with unclean election enabled, any returning replica does (the
/// ISR reset to it). Returns whether it was elected (the epoch is bumped and its follower
/// states are reset).
fn elect_registered(p: &mut Partition, broker: u32, unclean: bool, now: SimTime) -> bool {
    assert!(p.leader != Some(broker), "a fenced broker leads nothing");
    let Some(r) = p.replica(broker) else {
        return false;
    };
    assert!(
        r.high_watermark <= r.log.log_end_offset(),
        "a restarted replica's high watermark is within its log"
    );
    let in_isr = p.isr.contains(&broker);
    if p.leader.is_some() || !(in_isr || unclean) {
        return false;
    }
    if !in_isr {
        p.isr = alloc::vec![broker];
    }
    p.leader = Some(broker);
    p.leader_epoch += 1;
    p.reset_follower_states(now);
    true
}
