//! The inputs a run takes besides its config and seed: a live `Change` (a setting by Kafka's
//! name, a broker lost or killed or restarted, a link fault, consumers and groups added or
//! crashed, transactions begun and ended, processors crashed), and the audit of each as applied.

pub use crate::app::pipeline::state::PipelineReport;
pub use crate::broker::purgatory::{DelayedProduce, ParkedFetch, ProducerStateEntries};
use crate::sim::links;
use crate::time::SimTime;
use alloc::string::String;
use alloc::vec::Vec;

/// A live change, as applied.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Change {
    /// Set a setting by Kafka's name (see `config::settings`).
    Set { name: String, value: String },
    /// The broker's host is lost: the broker goes silent (clients wait out
    /// request.timeout.ms; the controller fences it after its session times out).
    CrashBroker { broker: u32 },
    /// The broker's process is killed on a host that stays up: its connections close at once
    /// (producers retry at once and wait for the new leader; fenced as a crash).
    KillBroker { broker: u32 },
    /// The broker process starts again (registering once the controller fenced the previous
    /// incarnation).
    RestartBroker { broker: u32 },
    /// The broker keeps processing requests but its responses to clients are lost (`on`), or
    /// get through again.
    DropResponses { broker: u32, on: bool },
    /// A link fault between two nodes starts (`on`) or ends.
    Link {
        a: links::Endpoint,
        b: links::Endpoint,
        fault: links::LinkFault,
        on: bool,
    },
    /// A new consumer instance joins a group (with its own partition.assignment.strategy,
    /// Kafka names or short names, if given).
    AddConsumer {
        group: u32,
        strategy: Option<String>,
    },
    /// A consumer closes cleanly (commit, LeaveGroup): an immediate rebalance.
    RemoveConsumer { consumer: u32 },
    /// A consumer's process dies silently: the coordinator removes it after
    /// session.timeout.ms.
    CrashConsumer { consumer: u32 },
    /// A crashed consumer starts again (a static member keeps its place if its session has
    /// not expired).
    RestartConsumer { consumer: u32 },
    /// A consumer's application takes this long per record from now on.
    SlowConsumer { consumer: u32, per_record_us: u64 },
    /// A new consumer group subscribes to existing topics.
    AddGroup {
        group_id: String,
        topics: Vec<String>,
        consumers: u32,
    },
    /// The application of a transactional producer calls beginTransaction() (`producer` is
    /// the application's index).
    BeginTransaction { producer: u32 },
    /// The application calls commitTransaction().
    CommitTransaction { producer: u32 },
    /// A pipeline processor's process dies (consumer and producer; `sim.pipeline=ctp`).
    CrashProcessor { processor: u32 },
    /// A crashed processor starts again, with the same transactional.id (fencing its old
    /// self) or, `new_transactional_id`, another one (its old transaction stays open until
    /// transaction.timeout.ms).
    RestartProcessor {
        processor: u32,
        new_transactional_id: bool,
    },
    /// The application calls abortTransaction().
    AbortTransaction { producer: u32 },
    /// A second instance with the same transactional.id starts and takes over the
    /// application; the running one carries on as a zombie until it is fenced.
    StartZombie { producer: u32 },
}

/// A change recorded with the event index and time it took effect at.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AppliedChange {
    pub at_event: u64,
    pub at_time: SimTime,
    pub change: Change,
}
