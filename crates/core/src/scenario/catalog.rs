//! The scenarios shipped with the core: every file of `crates/core/scenarios/`, embedded
//! (`tests/scenario_claims.rs` checks that this table lists exactly the folder's files), in
//! the order the page lists them.

/// One scenario file as embedded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScenarioSource {
    /// Its file name in `crates/core/scenarios/`.
    pub file: &'static str,
    pub text: &'static str,
}

macro_rules! sources {
    ($($file:literal),* $(,)?) => {
        &[$(ScenarioSource {
            file: $file,
            text: include_str!(concat!("../../scenarios/", $file)),
        }),*]
    };
}

const SOURCES: &[ScenarioSource] = sources![
    "record-anatomy.scn",
    "key-hashing.scn",
    "round-robin.scn",
    "explicit-partition.scn",
    "sticky-partitioner.scn",
    "adaptive-partitioning.scn",
    "compression.scn",
    "batching.scn",
    "sync-async.scn",
    "acks.scn",
    "min-insync-replicas.scn",
    "idempotence.scn",
    "kraft-elections.scn",
    "consumer-lag.scn",
    "poll-fetch-commit.scn",
    "several-groups.scn",
    "rebalance-triggers.scn",
    "eager-vs-cooperative.scn",
    "assignors.scn",
    "poll-interval-vs-session.scn",
    "read-committed.scn",
    "exactly-once-crash.scn",
];

/// Every scenario file, in the page's order.
pub fn catalog() -> &'static [ScenarioSource] {
    SOURCES
}
