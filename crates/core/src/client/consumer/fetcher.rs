//! The consumer's fetcher (`Fetcher`, `FetchCollector`): one fetch per leader for the
//! assigned partitions it has no buffered records of, carrying fetch.min.bytes,
//! fetch.max.wait.ms, max.partition.fetch.bytes and isolation.level; the records buffered; an
//! offset out of range reset by auto.offset.reset; read_committed skipping aborted
//! transactions and control records.

use crate::client::consumer::context::{ConsumerCtx, ConsumerWake};
use crate::config::IsolationLevel;
use crate::consumer::{BufferedRecord, Consumer};
use crate::event::Delivery;
use crate::net::{Body, FetchedPartition, Node, TopicPartitionId};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// Which fetched entries the application sees (`CompletedFetch`): never control markers; for
/// a read_committed fetch (one that lists aborted transactions) not the records of an aborted
/// transaction: a producer id is skipped from the first offset of its aborted transaction to
/// its ABORT marker.
pub(crate) fn visible_records(fp: &FetchedPartition) -> Vec<bool> {
    let mut aborted: Vec<(i64, u64)> = fp.aborted_transactions.clone();
    aborted.sort_by_key(|(_, first)| *first);
    let mut next = 0;
    let mut skipping = alloc::collections::BTreeSet::new();
    fp.entries
        .iter()
        .map(|(off, e)| {
            while next < aborted.len() && aborted[next].1 <= *off {
                skipping.insert(aborted[next].0);
                next += 1;
            }
            match e.kind {
                crate::log::EntryKind::Data => {
                    !(e.transactional && skipping.contains(&e.producer_id))
                }
                crate::log::EntryKind::ControlAbort => {
                    skipping.remove(&e.producer_id);
                    false
                }
                crate::log::EntryKind::ControlCommit => false,
            }
        })
        .collect()
}

impl Consumer {
    /// Sends a fetch to every leader of assigned partitions that have no buffered records and
    /// no fetch outstanding (`Fetcher.prepareFetchRequests`).
    pub(crate) fn send_fetches(&mut self, ctx: &mut ConsumerCtx) {
        // Eager members hold nothing while they rejoin; cooperative ones keep fetching what
        // they own.
        if !self.alive || !self.is_member() {
            return;
        }
        self.metrics.retain_partitions(&self.assignment);
        let mut per_broker: BTreeMap<u32, Vec<(TopicPartitionId, u64)>> = BTreeMap::new();
        for tp in &self.assignment {
            let Some(&pos) = self.positions.get(tp) else {
                continue;
            };
            let Some(leader) = ctx.metadata.leader(*tp) else {
                continue;
            };
            if self
                .fetch_in_flight
                .get(leader as usize)
                .copied()
                .unwrap_or(true)
                || self.buffered(*tp)
            {
                continue;
            }
            per_broker.entry(leader).or_default().push((*tp, pos));
        }
        let cc = ctx.config;
        let params = crate::net::FetchParams {
            max_wait_ms: cc.fetch_max_wait_ms.value,
            min_bytes: cc.fetch_min_bytes.value as u64,
            partition_max_bytes: cc.max_partition_fetch_bytes.value as u64,
            isolation_level: cc.isolation_level.value,
        };
        for (b, partitions) in per_broker {
            self.fetch_in_flight[b as usize] = true;
            self.fetch_sent_at[b as usize] = ctx.now;
            ctx.out.send(
                Node::Consumer(self.index),
                Node::Broker(b),
                Body::ConsumerFetch {
                    consumer: self.index,
                    params,
                    partitions,
                },
            );
        }
    }

    /// Records arrived from leader `b`: buffer them; wake an idle application.
    pub(crate) fn on_fetch_response(
        &mut self,
        ctx: &mut ConsumerCtx,
        b: u32,
        parts: Vec<FetchedPartition>,
    ) -> Delivery {
        if let Some(f) = self.fetch_in_flight.get_mut(b as usize) {
            *f = false;
            let sent = self.fetch_sent_at[b as usize];
            self.metrics.on_fetch_response(sent, ctx.now);
        }
        let read_committed = ctx.config.isolation_level.value == IsolationLevel::ReadCommitted;
        let mut n = 0;
        let mut out_of_range = Vec::new();
        for fp in parts {
            let Some(&pos) = self.positions.get(&fp.tp) else {
                continue;
            };
            if !self.assignment.contains(&fp.tp) {
                continue;
            }
            if pos < fp.log_start_offset {
                out_of_range.push(fp.tp);
                continue;
            }
            let end = if read_committed {
                fp.last_stable_offset
            } else {
                fp.high_watermark
            };
            self.metrics.on_fetch_end(fp.tp, end);
            let buffered_before = n;
            let mut next = pos;
            let visible = visible_records(&fp);
            for ((off, entry), visible) in fp.entries.into_iter().zip(visible) {
                if off == next {
                    self.buffer.push_back(BufferedRecord {
                        tp: fp.tp,
                        offset: off,
                        entry,
                        visible,
                    });
                    next += 1;
                    n += 1;
                }
            }
            if n == buffered_before {
                // Nothing for the application: its lag is known now.
                self.metrics.on_partition_position(fp.tp, pos, ctx.now);
            }
        }
        self.reset_out_of_range(ctx, &out_of_range);
        let idle = self.busy_until.is_none();
        if idle && !self.buffer.is_empty() {
            self.busy_until = Some(ctx.now);
            ctx.out.timer(ctx.now, ConsumerWake::Poll);
        }
        self.send_fetches(ctx);
        Delivery::Fetched { records: n }
    }

    /// OFFSET_OUT_OF_RANGE for partitions whose fetch position fell below the leader's log
    /// start offset (retention deleted it): the position is reset by `auto.offset.reset`
    /// (`SubscriptionState.requestOffsetReset`, then a ListOffsets: `consumer::offset_reset`).
    fn reset_out_of_range(&mut self, ctx: &mut ConsumerCtx, parts: &[TopicPartitionId]) {
        if parts.is_empty() {
            return;
        }
        for &tp in parts {
            self.request_offset_reset(ctx, tp);
        }
        self.reset_positions(ctx);
    }
}
