//! Network faults between two nodes: a link *cut* (nothing gets through, either way), a
//! *delay* (every message takes longer), or *drops* (each message is lost with a probability).
//! What the ends make of it is Kafka's: a request with no answer times out after the client's
//! `request.timeout.ms` (producers, consumers) or the follower's `replica.socket.timeout.ms`
//! (a replica fetcher), and is retried.
//!
//! Simplified: a cut or a drop loses the message silently (no TCP reset), and the side waiting
//! for it notices at its timeout; messages on a link never overtake each other (TCP), so a
//! delay that ends lets later messages queue behind earlier ones.

use super::{Pending, Sim};
use crate::config::ConfigError;
use crate::net::{Message, MessageKind, Node};
use crate::time::SimTime;
use alloc::format;
use alloc::string::String;

/// `replica.socket.timeout.ms`: a follower's fetch with no answer is given up after this.
pub const REPLICA_SOCKET_TIMEOUT_US: u64 = 30_000_000;

/// One end of a link, as faults name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(tag = "kind", content = "id", rename_all = "snake_case")
)]
pub enum Endpoint {
    Broker(u32),
    /// Every instance of producer application N (`None`: every producer).
    Producer(Option<u32>),
    /// Consumer N (`None`: every consumer).
    Consumer(Option<u32>),
}

impl Endpoint {
    /// How `--fault` writes it.
    pub fn text(self) -> String {
        match self {
            Endpoint::Broker(b) => format!("broker={b}"),
            Endpoint::Producer(None) => String::from("producer"),
            Endpoint::Producer(Some(p)) => format!("producer={p}"),
            Endpoint::Consumer(None) => String::from("consumer"),
            Endpoint::Consumer(Some(c)) => format!("consumer={c}"),
        }
    }
}

/// What is wrong with a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum LinkFault {
    /// Nothing gets through.
    Cut,
    /// Every message takes this much longer (microseconds).
    Delay { extra_us: u64 },
    /// Each message is lost with this probability (per mille).
    Drop { per_mille: u32 },
}

/// A fault in force on the link between `a` and `b` (both directions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkRule {
    pub a: Endpoint,
    pub b: Endpoint,
    pub fault: LinkFault,
}

impl Sim {
    pub(crate) fn endpoint_matches(&self, e: Endpoint, n: Node) -> bool {
        match (e, n) {
            (Endpoint::Broker(a), Node::Broker(b)) => a == b,
            (Endpoint::Producer(None), Node::Producer(_)) => true,
            (Endpoint::Producer(Some(app)), Node::Producer(i)) => {
                self.producers.get(i as usize).is_some_and(|p| p.app == app)
            }
            (Endpoint::Consumer(None), Node::Consumer(_)) => true,
            (Endpoint::Consumer(Some(a)), Node::Consumer(c)) => a == c,
            _ => false,
        }
    }

    pub(crate) fn rule_applies(&self, r: &LinkRule, from: Node, to: Node) -> bool {
        (self.endpoint_matches(r.a, from) && self.endpoint_matches(r.b, to))
            || (self.endpoint_matches(r.a, to) && self.endpoint_matches(r.b, from))
    }

    /// Whether the link between `from` and `to` is cut now.
    pub(crate) fn link_cut(&self, from: Node, to: Node) -> bool {
        !self.link_rules.is_empty()
            && self
                .link_rules
                .iter()
                .any(|r| r.fault == LinkFault::Cut && self.rule_applies(r, from, to))
    }

    /// Extra delay and whether the message is lost, for a message sent now.
    pub(crate) fn link_effect(&mut self, from: Node, to: Node) -> (u64, bool) {
        if self.link_rules.is_empty() {
            return (0, false);
        }
        let mut extra = 0u64;
        let mut lost = false;
        let mut drops = alloc::vec::Vec::new();
        for r in &self.link_rules {
            if !self.rule_applies(r, from, to) {
                continue;
            }
            match r.fault {
                LinkFault::Cut => lost = true,
                LinkFault::Delay { extra_us } => extra = extra.saturating_add(extra_us),
                LinkFault::Drop { per_mille } => drops.push(per_mille),
            }
        }
        for p in drops {
            if self.rng.below(1000) < p as u64 {
                lost = true;
            }
        }
        (extra, lost)
    }

    /// Keeps a link's messages in order (TCP): a message never arrives before one sent
    /// earlier on the same link.
    pub(crate) fn fifo_delivery(&mut self, from: Node, to: Node, at: SimTime) -> SimTime {
        let now = self.now;
        self.link_last_delivery.retain(|_, t| *t > now);
        let key = (from, to);
        let at = match self.link_last_delivery.get(&key) {
            Some(t) if *t > at => *t,
            _ => at,
        };
        if at > now.plus(self.config.sim.network_latency_us.value) {
            self.link_last_delivery.insert(key, at);
        }
        at
    }

    /// A message lost on the way (a down broker, a cut or dropping link): the side waiting
    /// for an answer finds out at its timeout. A replica fetcher retries after
    /// `replica.socket.timeout.ms`; producers and consumers have their own request timers.
    pub(crate) fn message_lost(&mut self, msg: &Message) {
        match (msg.from, msg.to, msg.body.kind()) {
            (Node::Broker(f), Node::Broker(l), MessageKind::ReplicaFetch)
            | (Node::Broker(l), Node::Broker(f), MessageKind::ReplicaFetchResponse) => {
                self.replica_fetchers.remove(&(f, l));
                let at = msg.sent_at.plus(REPLICA_SOCKET_TIMEOUT_US).max(self.now);
                self.schedule(
                    at,
                    Pending::ReplicaFetchRetry {
                        follower: f,
                        leader: l,
                    },
                );
            }
            _ => {}
        }
    }

    /// Adds (`on`) or removes a link fault.
    pub(crate) fn set_link_fault(
        &mut self,
        a: Endpoint,
        b: Endpoint,
        fault: LinkFault,
        on: bool,
    ) -> Result<(), ConfigError> {
        self.check_link(a, b)?;
        let rule = LinkRule { a, b, fault };
        if on {
            self.link_rules.push(rule);
        } else if let Some(i) = self
            .link_rules
            .iter()
            .position(|r| *r == rule || (r.a == b && r.b == a && r.fault == fault))
        {
            // Followers that lost a fetch start again at their socket timeout.
            self.link_rules.remove(i);
        }
        Ok(())
    }

    /// Whether both ends exist and differ.
    pub(crate) fn check_link(&self, a: Endpoint, b: Endpoint) -> Result<(), ConfigError> {
        for e in [a, b] {
            match e {
                Endpoint::Broker(x) if x as usize >= self.brokers.len() => {
                    return Err(ConfigError::new(
                        "--fault",
                        format!(
                            "broker={x} is out of range: brokers are 0 to {}",
                            self.brokers.len().saturating_sub(1)
                        ),
                    ))
                }
                Endpoint::Producer(Some(x)) if x as usize >= self.config.producers.len() => {
                    return Err(ConfigError::new(
                        "--fault",
                        format!(
                            "producer={x} is out of range: producers are 0 to {}",
                            self.config.producers.len().saturating_sub(1)
                        ),
                    ))
                }
                Endpoint::Consumer(Some(x)) if x as usize >= self.consumers.len() => {
                    return Err(ConfigError::new(
                        "--fault",
                        format!(
                            "consumer={x} is out of range: consumers are 0 to {}",
                            self.consumers.len().saturating_sub(1)
                        ),
                    ))
                }
                _ => {}
            }
        }
        if a == b {
            return Err(ConfigError::new(
                "--fault",
                "a link joins two different nodes: name two different targets",
            ));
        }
        Ok(())
    }

    /// A follower's fetch session that lost a request starts again (if still useful).
    pub(crate) fn on_replica_fetch_retry(
        &mut self,
        follower: u32,
        leader: u32,
    ) -> Option<crate::event::Event> {
        if self.replica_fetchers.contains(&(follower, leader)) {
            return None;
        }
        let up = |b: u32| self.brokers.get(b as usize).is_some_and(|x| x.alive);
        if !up(follower) || !up(leader) {
            return None;
        }
        self.send_replica_fetch(follower, leader);
        Some(crate::event::Event::ReplicaFetchRetried { follower, leader })
    }
}
