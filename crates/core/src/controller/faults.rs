//! The fault inputs on a broker (`Change::CrashBroker`, `KillBroker`, `RestartBroker`,
//! `DropResponses`): engine inputs on `Sim`, checked here (a refused input changes nothing).
//! Each does the broker process's part (it stops, its purgatories and fetch sessions end, its
//! connections close) and hands the controller its part: the end of the broker's heartbeats
//! (`QuorumController::on_heartbeats_stopped`) or a new incarnation's registration
//! (`on_register_request`), through the engine's side (`controller::host`).

use crate::config::ConfigError;
use crate::net::Node;
use crate::sim::Sim;
use alloc::format;

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
        self.controller_heartbeats_stopped(broker);
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
        self.request_registration(broker);
        Ok(())
    }

    /// Lose (or stop losing) the broker's responses to clients: requests are still processed.
    pub(crate) fn drop_responses(&mut self, broker: u32, on: bool) -> Result<(), ConfigError> {
        self.check_broker(broker)?;
        self.brokers[broker as usize].drop_responses = on;
        Ok(())
    }

    /// Whether `node` is a broker that is down (messages to it are lost).
    pub(crate) fn is_down(&self, node: Node) -> bool {
        matches!(node, Node::Broker(b) if self.brokers.get(b as usize).is_some_and(|x| !x.alive))
    }
}
