//! The engine's side of the KRaft controller: it hands the controller its context (the time,
//! the metadata image it writes, the topics' settings) with each timer or fault input, and
//! applies the effects it returns, in order, so message ids and timer sequence numbers are
//! those of a direct call. What the other roles do when they learn its decisions
//! (`ControllerCall`) is applied here.

use crate::actor::Effect;
use crate::controller::context::{ControllerCall, ControllerCtx, ControllerTimer};
use crate::controller::registration::Registration;
use crate::controller::state::QuorumController;
use crate::event::Event;
use crate::sim::{Pending, Sim};
use alloc::vec::Vec;

impl Sim {
    /// Runs one controller handler with its context, then applies its effects.
    fn with_controller<R>(
        &mut self,
        handler: impl FnOnce(&mut QuorumController, &mut ControllerCtx) -> R,
    ) -> R {
        let mut ctx = ControllerCtx {
            now: self.now,
            topics: &mut self.topics,
            brokers: &mut self.brokers,
            topic_configs: &self.config.topics,
            out: Default::default(),
        };
        let result = handler(&mut self.controller, &mut ctx);
        let effects = core::mem::take(&mut ctx.out).into_effects();
        for effect in effects {
            match effect {
                Effect::Send { from, to, body } => {
                    self.send(from, to, body);
                }
                Effect::Timer { at, timer } => self.schedule(at, Pending::Controller(timer)),
                Effect::Call(call) => self.apply_controller_call(call),
            }
        }
        result
    }

    fn apply_controller_call(&mut self, call: ControllerCall) {
        match call {
            ControllerCall::MoveGroupCoordinators { broker } => self.move_offsets_leaders(broker),
            ControllerCall::MoveTxnCoordinators { broker } => self.move_txn_leaders(broker),
            ControllerCall::GroupCoordinatorsAfterRestart { broker } => {
                self.offsets_after_restart(broker)
            }
            ControllerCall::TxnCoordinatorsAfterRestart { broker } => {
                self.txn_after_restart(broker)
            }
            ControllerCall::StartReplicaFetchers => self.start_replica_fetchers(),
            ControllerCall::MonitorRead(tp) => self.monitor_read(tp),
            ControllerCall::AdvanceHighWatermark(tp) => {
                self.advance_high_watermark(tp);
            }
            ControllerCall::LeadersChanged => self.after_leader_change(),
        }
    }

    pub(crate) fn on_controller_timer(&mut self, timer: ControllerTimer) -> Option<Event> {
        match timer {
            ControllerTimer::FenceBroker { broker } => self.on_fence_broker(broker),
        }
    }

    /// The controller fences a broker whose session expired and moves its leaderships; a new
    /// incarnation waiting for that session to expire is accepted next.
    fn on_fence_broker(&mut self, broker: u32) -> Option<Event> {
        let fenced = self.with_controller(|c, ctx| c.on_fence_broker(ctx, broker))?;
        if fenced.accept_registration {
            self.register_broker(broker);
        }
        Some(fenced.event)
    }

    /// `broker`'s heartbeats stopped: the controller sets its session's expiry.
    pub(crate) fn controller_heartbeats_stopped(&mut self, broker: u32) {
        self.with_controller(|c, ctx| c.on_heartbeats_stopped(ctx, broker));
    }

    /// A new incarnation of `broker` asks the controller to register: it is accepted at once
    /// if the old one is fenced, else when the old session expires (`on_fence_broker`).
    pub(crate) fn request_registration(&mut self, broker: u32) {
        if self.with_controller(|c, ctx| c.on_register_request(ctx, broker))
            == Registration::Accepted
        {
            self.register_broker(broker);
        }
    }

    /// The new incarnation of `broker` starts and the controller accepts it. It keeps its logs:
    /// after a host loss its recovery truncates each replica to its high watermark (the tail it
    /// had not flushed went with the page cache); a killed process keeps its whole log.
    fn register_broker(&mut self, broker: u32) {
        let b = &mut self.brokers[broker as usize];
        if core::mem::replace(&mut b.host_lost, false) {
            for p in self.topics.iter_mut().flat_map(|t| t.partitions.iter_mut()) {
                if let Some(r) = p.replica_mut(broker) {
                    let hw = r.high_watermark;
                    r.log.truncate_to(hw);
                }
            }
        }
        self.with_controller(|c, ctx| c.register(ctx, broker));
        // A new broker process: new meters.
        self.broker_state.restart_metrics(broker, self.now);
    }

    /// Consumers and producers find the new leader from metadata: consumers drop a fetch
    /// outstanding to a broker that no longer leads their partitions.
    fn after_leader_change(&mut self) {
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

    /// The controller's own state.
    pub fn controller(&self) -> &QuorumController {
        &self.controller
    }
}
