//! What the simulation holds in memory: the retained records and an estimate of the heap
//! bytes in use (issue 11: an hour of the page's world must fit).
//!
//! Kafka's retention (`retention.ms`, `retention.bytes`, whole segments) is what frees a
//! record; everything else the simulator keeps is bounded (the trace, the record journal,
//! the lag rings) or kept as ranges (the invariant monitor). The estimate counts the logs'
//! chunks as allocated (a chunk shared by a partition's replicas once) and everything else
//! by the length of what it holds, not its capacity, so that a clone (`Sim: Clone`) reports
//! the same; small per-object state (clients, groups, requests in flight) is counted by the
//! size of its values only.

use super::Sim;
use alloc::collections::BTreeMap;
use core::mem::size_of;

impl Sim {
    /// Records the logs hold: per partition, the most any of its replicas holds (its
    /// replicas share one copy).
    pub fn retained_records(&self) -> u64 {
        self.topics
            .iter()
            .flat_map(|t| &t.partitions)
            .map(|p| p.replicas.iter().map(|r| r.log.len()).max().unwrap_or(0))
            .sum()
    }

    /// Heap bytes of every replica's log, a chunk shared by several replicas counted once.
    pub fn log_bytes(&self) -> usize {
        let mut chunks = BTreeMap::new();
        let own: usize = self
            .topics
            .iter()
            .flat_map(|t| &t.partitions)
            .flat_map(|p| &p.replicas)
            .map(|r| {
                r.log.heap_bytes_shared(|id, bytes| {
                    let b = chunks.entry(id).or_insert(0);
                    *b = bytes.max(*b);
                })
            })
            .sum();
        own + chunks.values().sum::<usize>()
    }

    /// Estimated heap bytes in use: the logs ([`Sim::log_bytes`]) plus the trace ring, the
    /// record journal, the lag rings, the invariant monitor's ranges and the pipeline
    /// verifier's maps (messages in flight, bounded by the requests in flight, are left out:
    /// a refused change may leave a delivered message's slot behind, which no behaviour sees).
    pub fn memory_bytes(&self) -> usize {
        // A B-tree map entry with its share of a node, roughly.
        const MAP_ENTRY: usize = 16;
        let lag: usize = self
            .consumers
            .iter()
            .map(|c| c.lag_history.heap_bytes())
            .chain(self.groups().iter().map(|g| g.lag_history.heap_bytes()))
            .sum();
        let pipeline = self.pipeline.as_ref().map_or(0, |pl| {
            pl.origins.heap_bytes()
                + pl.seen.ranges() * (size_of::<((u32, u64), u64)>() + MAP_ENTRY)
        });
        self.log_bytes()
            + self.trace.heap_bytes()
            + self.journal.heap_bytes()
            + lag
            + self.monitor.ranges_held() * (size_of::<(u32, u32)>() + MAP_ENTRY)
            + pipeline
            + self.producers.len() * size_of::<crate::producer::Producer>()
            + self.consumers.len() * size_of::<crate::consumer::Consumer>()
    }

    /// [`Sim::memory_bytes`] with the shared parts apart: returns the world's own bytes and
    /// tells `chunks` each shared chunk it holds (the logs', the trace ring's and the journal's
    /// full chunks) by address with its bytes, so that several worlds sharing them (a history's
    /// checkpoints) are counted once.
    pub fn memory_bytes_shared(&self, chunks: &mut BTreeMap<usize, usize>) -> usize {
        let mut note = |id: usize, bytes: usize| {
            let b = chunks.entry(id).or_insert(0);
            *b = bytes.max(*b);
        };
        let logs: usize = self
            .topics
            .iter()
            .flat_map(|t| &t.partitions)
            .flat_map(|p| &p.replicas)
            .map(|r| r.log.heap_bytes_shared(&mut note))
            .sum();
        let trace = self.trace.shared_bytes(&mut note);
        let journal = self.journal.shared_bytes(&mut note);
        let whole = self.memory_bytes();
        let shared_whole = self.log_bytes() + self.trace.heap_bytes() + self.journal.heap_bytes();
        whole.saturating_sub(shared_whole) + logs + trace + journal
    }
}
