//! The consumer as an actor (see `crate::actor`): what a consumer's handler is handed (the
//! time, the cluster metadata every client has, the member's own settings) and what it returns
//! (the messages it sends, the wake-ups it sets, the callbacks to its application), applied in
//! order by the engine (`host`).
//!
//! The whole consumer client runs this way: the fetcher, the offset resets, the member protocol,
//! commits, `poll()` and the consumer's timer. What stays on `Sim` is the `host` (shims that build
//! the context and apply the effects) and the lag a `poll()` samples for `records-lag-max`, which
//! is read from the partition leaders' high watermarks Sim-side (a simplification: Kafka's consumer
//! learns it from the fetch responses it already has).

use crate::actor::Outbox;
use crate::client::callback::ClientCallback;
use crate::cluster::Metadata;
use crate::config::ConsumerConfig;
use crate::rng::Rng;
use crate::time::SimTime;
use alloc::string::String;

/// A consumer's wake-ups that the actor sets for itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumerWake {
    /// The application's next `poll()` (an idle application is woken by fetched records).
    Poll,
    /// Waiting offset resets may be sent again (`Pending::OffsetResetRetry`).
    OffsetReset,
    /// The member's heartbeat / auto-commit timer (`Pending::ConsumerTimer`).
    Timer,
    /// OffsetFetch again after UNSTABLE_OFFSET_COMMIT (`Pending::OffsetFetchRetry`).
    OffsetFetch,
}

/// What a consumer's handler is handed.
pub struct ConsumerCtx<'a> {
    pub now: SimTime,
    pub metadata: Metadata<'a>,
    /// The member's settings (its group's consumer configuration).
    pub config: &'a ConsumerConfig,
    /// The topics it subscribes to (its group's).
    pub subscription: &'a [String],
    /// The client's randomness (a new member's UUID).
    pub rng: &'a mut Rng,
    pub out: Outbox<ConsumerWake, ClientCallback>,
}
