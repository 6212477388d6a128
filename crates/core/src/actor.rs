//! Nodes as actors: a role's handler changes only its own state and returns, in order, what it
//! did to the rest of the world: the messages it sends, the timers it sets, and the calls on
//! another role that are not yet messages (each named by the role's own effect type, with the
//! Kafka request it stands for). The engine (`sim`) applies them in that order, so message ids
//! and timer sequence numbers are the same as when the handler called the engine itself.
//!
//! A role that takes an [`Outbox`] reads nothing of other nodes but what it is handed: the
//! message, its own state, and the cluster metadata every broker has (`cluster::Metadata`).

use crate::net::{Body, Node};
use crate::time::SimTime;
use alloc::vec::Vec;

/// One thing a handler did outside its own state.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect<T, C> {
    /// A message onto the network.
    Send { from: Node, to: Node, body: Body },
    /// A timer of this role, firing at `at`.
    Timer { at: SimTime, timer: T },
    /// A call on another role (a shortcut for a request Kafka sends; see the role's type).
    Call(C),
}

/// What a handler returns: its effects, in the order it made them.
#[derive(Clone, Debug, PartialEq)]
pub struct Outbox<T, C> {
    effects: Vec<Effect<T, C>>,
}

impl<T, C> Default for Outbox<T, C> {
    fn default() -> Self {
        Outbox {
            effects: Vec::new(),
        }
    }
}

impl<T, C> Outbox<T, C> {
    pub fn send(&mut self, from: Node, to: Node, body: Body) {
        self.effects.push(Effect::Send { from, to, body });
    }

    pub fn timer(&mut self, at: SimTime, timer: T) {
        self.effects.push(Effect::Timer { at, timer });
    }

    pub fn call(&mut self, call: C) {
        self.effects.push(Effect::Call(call));
    }

    /// An empty outbox that reuses `buffer`'s memory (the engine keeps one per busy role, so a
    /// handler on the record path allocates nothing for its effects).
    pub fn reusing(mut buffer: Vec<Effect<T, C>>) -> Self {
        buffer.clear();
        Outbox { effects: buffer }
    }

    pub fn is_empty(&self) -> bool {
        self.effects.is_empty()
    }

    pub fn into_effects(self) -> Vec<Effect<T, C>> {
        self.effects
    }
}
