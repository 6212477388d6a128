//! The values of Kafka's enumerated settings (`acks`, `partitioner.class`,
//! `auto.offset.reset`, `isolation.level`, `processing.guarantee`, ...) and of the simulator's
//! own (`sim.send.mode`, `sim.consumer.commit`, `sim.pipeline`), each with the name it is
//! written with. Where Kafka takes a class name, a short name stands for it.

/// `name()` and `from_name()` for an enumerated setting's values, each name written once.
macro_rules! names {
    ($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),*
                }
            }

            pub fn from_name(name: &str) -> Option<$ty> {
                match name {
                    $($name => Some($ty::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

/// `acks`: how many replicas must have a record before the producer hears back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Acks {
    /// `acks=0`: no response at all.
    None,
    /// `acks=1`: the leader's append.
    Leader,
    /// `acks=all` (`-1`): every replica in the ISR.
    All,
}

impl Acks {
    pub fn name(self) -> &'static str {
        match self {
            Acks::None => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        }
    }

    /// `0`, `1`, `all` or its synonym `-1`.
    pub fn from_name(name: &str) -> Option<Acks> {
        match name {
            "0" => Some(Acks::None),
            "1" => Some(Acks::Leader),
            "all" | "-1" => Some(Acks::All),
            _ => None,
        }
    }
}

/// `partitioner.class`, as short names (Kafka takes a class name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum PartitionerKind {
    /// No partitioner.class: keys hash with murmur2; keyless records use the 3.3+ built-in
    /// adaptive sticky partitioner (`BuiltInPartitioner`). Kafka's default.
    BuiltIn,
    /// `org.apache.kafka.clients.producer.RoundRobinPartitioner` (as fixed in 4.0: once per
    /// record). Ignores keys.
    RoundRobin,
    /// The 2.4 to 3.2 default (`DefaultPartitioner` + `StickyPartitionCache`, KIP-480): keys
    /// hash; keyless records stick to a partition until a new batch is created. Removed in 4.0;
    /// shown for comparison.
    LegacySticky,
}

/// How the application calls `send()`: fire-and-forget with a callback, or `send().get()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum SendMode {
    Async,
    Sync,
}

/// `isolation.level`: what a consumer's fetches may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum IsolationLevel {
    /// Everything below the high watermark, aborted transactions included (Kafka's default).
    ReadUncommitted,
    /// Only below the last stable offset, without records of aborted transactions.
    ReadCommitted,
}

/// `auto.offset.reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum OffsetReset {
    Earliest,
    Latest,
    None,
}

/// `sim.consumer.commit`: what the consumer application calls to commit (Kafka has no setting
/// for it: it is the application's code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum CommitMode {
    /// The application never commits itself: only `enable.auto.commit` commits (nothing is
    /// committed when that is false).
    Auto,
    /// `commitSync()` after processing each poll's records: the poll loop waits for the
    /// OffsetCommit response.
    Sync,
    /// `commitAsync()` after processing each poll's records: the loop goes on at once; a
    /// failed commit is not retried.
    Async,
}

/// `sim.pipeline`: whether a consume-transform-produce pipeline runs (see `sim::pipeline`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum PipelineKind {
    None,
    /// Processors read the first topic, transform each record and write it to `output`.
    Ctp,
}

/// `processing.guarantee` (Kafka Streams' name and values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ProcessingGuarantee {
    /// Produce the output, flush, then commit the input offsets (Streams' default).
    AtLeastOnce,
    /// Each poll's output and input offsets in one transaction (KIP-447's exactly-once v2).
    ExactlyOnceV2,
}

impl ProcessingGuarantee {
    /// The other guarantee (what a side-by-side comparison runs).
    pub fn other(self) -> ProcessingGuarantee {
        match self {
            ProcessingGuarantee::AtLeastOnce => ProcessingGuarantee::ExactlyOnceV2,
            ProcessingGuarantee::ExactlyOnceV2 => ProcessingGuarantee::AtLeastOnce,
        }
    }
}

// The names each value is written with (Kafka's, or the simulator's short names).
names!(PartitionerKind {
    BuiltIn => "builtin",
    RoundRobin => "round-robin",
    LegacySticky => "legacy-sticky",
});
names!(SendMode {
    Async => "async",
    Sync => "sync",
});
names!(IsolationLevel {
    ReadUncommitted => "read_uncommitted",
    ReadCommitted => "read_committed",
});
names!(OffsetReset {
    Earliest => "earliest",
    Latest => "latest",
    None => "none",
});
names!(CommitMode {
    Auto => "auto",
    Sync => "sync",
    Async => "async",
});
names!(PipelineKind {
    None => "none",
    Ctp => "ctp",
});
names!(ProcessingGuarantee {
    AtLeastOnce => "at_least_once",
    ExactlyOnceV2 => "exactly_once_v2",
});
