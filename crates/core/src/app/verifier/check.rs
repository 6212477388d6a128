//! The pipeline's verifier: the consumer group `verifier` (read_committed, from the earliest
//! offset, no deduplication of its own) reads `output`; per input record, how often its output
//! reached the verifier, in input order or not (`PipelineReport`).

use crate::app::pipeline::Processor;
use crate::config::{IsolationLevel, ProcessingGuarantee};
use crate::consumer::BufferedRecord;
use crate::log::EntryKind;
use crate::net::TopicPartitionId;
use crate::sim::PipelineReport;
use crate::sim::Sim;

impl Sim {
    /// What a read_committed consumer's `poll()` returned: counts records of aborted
    /// transactions (never expected), and, for the verifier, which input each output is.
    pub(crate) fn pipeline_verify(&mut self, c: u32, records: &[BufferedRecord]) {
        let read_committed = self
            .consumers
            .get(c as usize)
            .and_then(|x| self.config.groups.get(x.group as usize))
            .is_some_and(|g| g.consumer.isolation_level.value == IsolationLevel::ReadCommitted);
        if read_committed {
            for r in records {
                if r.entry.kind == EntryKind::Data
                    && self.in_aborted_transaction(r.tp, &r.entry, r.offset)
                {
                    self.read_committed_aborted_seen += 1;
                }
            }
        }
        let Some(pl) = self.pipeline.as_mut() else {
            return;
        };
        let verifier = self
            .consumers
            .get(c as usize)
            .is_some_and(|x| x.group == pl.verifier_group);
        if !verifier {
            return;
        }
        for r in records {
            // The verifier itself re-reads after a rebalance of its own group (from its last
            // commit): the same output record again is not a second output of the input.
            let next = pl.verified_next.entry(r.tp.partition).or_insert(0);
            if r.offset < *next {
                continue;
            }
            *next = r.offset + 1;
            pl.output_seen += 1;
            let Some((part, off)) = pl.origins.get(r.entry.record_id) else {
                continue;
            };
            let n = pl.seen.increment((part, off));
            if n == 2 {
                pl.duplicates += 1;
            }
            if n == 1 {
                let last = pl.last_seen.entry(part).or_insert(off);
                if off < *last {
                    pl.out_of_order += 1;
                }
                *last = (*last).max(off);
            }
        }
    }

    /// The verifier's findings now (input records are counted from the input's leader logs:
    /// data below the last stable offset, aborted transactions excluded).
    pub fn pipeline_report(&self) -> Option<PipelineReport> {
        let pl = self.pipeline.as_ref()?;
        let mut input = 0u64;
        let mut missing = 0u64;
        if let Some(t) = self.topics.get(pl.input_topic as usize) {
            for p in &t.partitions {
                let tp = TopicPartitionId {
                    topic: p.topic,
                    partition: p.index,
                };
                let Some(r) = p.leader_replica() else {
                    continue;
                };
                let lso = self.last_stable_offset(tp);
                for (off, e) in r.log.range(r.log.log_start_offset(), lso) {
                    if e.kind != EntryKind::Data || self.in_aborted_transaction(tp, &e, off) {
                        continue;
                    }
                    input += 1;
                    if !pl.seen.contains_key(&(p.index, off)) {
                        missing += 1;
                    }
                }
            }
        }
        let sum = |f: fn(&Processor) -> u64| pl.processors.iter().map(f).sum::<u64>();
        Some(PipelineReport {
            guarantee: pl.guarantee.name(),
            input,
            output_committed: pl.output_seen,
            duplicates: pl.duplicates,
            missing,
            out_of_order: pl.out_of_order,
            read_committed_aborted_seen: self.read_committed_aborted_seen,
            transactions_committed: if pl.guarantee == ProcessingGuarantee::ExactlyOnceV2 {
                sum(|p| p.commits)
            } else {
                0
            },
            transactions_aborted: sum(|p| p.aborts),
            processor_crashes: sum(|p| p.crashes),
        })
    }
}
