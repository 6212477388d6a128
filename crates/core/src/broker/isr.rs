//! ISR maintenance at partition leaders: the "isr-expiration" task `ReplicaManager` runs every
//! `replica.lag.time.max.ms / 2` (`Partition.maybeShrinkIsr`, `getOutOfSyncReplicas`), and
//! expansion when a follower catches up to the high watermark (`Partition.maybeExpandIsr`).
//! A follower is out of sync when its last fetch did not reach the leader's log end offset and
//! it has not been caught up (`Replica.updateFetchState`) for `replica.lag.time.max.ms`. The
//! ISR never loses the leader itself.
//!
//! Simplified: Kafka's leader sends AlterPartition to the KRaft controller and uses the
//! "maximal ISR" until the answer comes; here the leader's AlterPartition is a
//! `BrokerCall::AlterPartition` the engine turns into the controller's commit, a pending event
//! at the same simulated time (an [`Event::IsrShrink`] / [`Event::IsrExpand`] of its own),
//! with no round trip. One shrink event per removed follower (Kafka batches a partition's
//! removals into one AlterPartition). The check runs on one cluster-wide timer from time 0
//! (every broker starts at 0 in the simulator), skipping brokers that are down.

use crate::broker::context::{BrokerCall, BrokerCtx};
use crate::broker::state::Brokers;
use crate::broker::timers::BrokerTimer;
use crate::event::Event;
use crate::net::TopicPartitionId;
use alloc::vec::Vec;

impl Brokers {
    /// The periodic check: every alive leader looks for followers in its ISR that fell out of
    /// sync and asks for their removal. Not an event by itself (it only reads state); each
    /// removal is.
    pub(crate) fn on_isr_expiration(&mut self, ctx: &mut BrokerCtx) -> Option<Event> {
        let lag_us = ctx.settings.replica_lag_time_max_ms * 1000;
        let now = ctx.now;
        let mut out = Vec::new();
        for t in ctx.topics.iter() {
            for p in &t.partitions {
                let Some(leader) = p.leader else {
                    continue;
                };
                if !ctx.alive(leader) {
                    continue;
                }
                let leo = p.log_end_offset();
                for r in &p.replicas {
                    if r.broker != leader
                        && p.isr.contains(&r.broker)
                        && !r.is_caught_up(leo, now, lag_us)
                    {
                        out.push((
                            TopicPartitionId {
                                topic: p.topic,
                                partition: p.index,
                            },
                            r.broker,
                        ));
                    }
                }
            }
        }
        for (tp, broker) in out {
            ctx.out.call(BrokerCall::AlterPartition {
                tp,
                broker,
                expand: false,
            });
        }
        let next = now.plus(ctx.settings.isr_expiration_period_us());
        ctx.out.timer(next, BrokerTimer::IsrExpiration);
        None
    }

    /// The controller commits the removal of `broker` from `tp`'s ISR (if it still applies):
    /// the high watermark may now move (a smaller ISR), or freeze (below
    /// min.insync.replicas), and waiting acks=all produces are checked again.
    pub(crate) fn on_isr_shrink(
        &mut self,
        ctx: &mut BrokerCtx,
        tp: TopicPartitionId,
        broker: u32,
    ) -> Option<Event> {
        let lag_us = ctx.settings.replica_lag_time_max_ms * 1000;
        let now = ctx.now;
        let p = ctx.partition_mut(tp)?;
        let leader = p.leader?;
        let leo = p.log_end_offset();
        let out_of_sync = p
            .replica(broker)
            .is_some_and(|r| !r.is_caught_up(leo, now, lag_us));
        if broker == leader || !p.isr.contains(&broker) || !out_of_sync || p.isr.len() <= 1 {
            return None;
        }
        p.isr.retain(|b| *b != broker);
        let isr = p.isr.len() as u32;
        self.metrics_mut(leader).isr_shrinks.mark(1, now);
        self.advance_high_watermark(ctx, tp);
        Some(Event::IsrShrink {
            topic: tp.topic,
            partition: tp.partition,
            leader,
            broker,
            isr,
        })
    }

    /// The controller commits `broker`'s return to `tp`'s ISR: its fetch offset reached the
    /// leader's high watermark (`Partition.isFollowerInSync`). The high watermark may move
    /// (an ISR back at min.insync.replicas).
    pub(crate) fn on_isr_expand(
        &mut self,
        ctx: &mut BrokerCtx,
        tp: TopicPartitionId,
        broker: u32,
    ) -> Option<Event> {
        let p = ctx.partition_mut(tp)?;
        let leader = p.leader?;
        let hw = p.high_watermark();
        let caught_up = p.replica(broker).is_some_and(|r| r.leader_view_leo >= hw);
        if broker == leader || p.isr.contains(&broker) || !caught_up {
            return None;
        }
        p.isr.push(broker);
        let isr = p.isr.len() as u32;
        self.metrics_mut(leader).isr_expands.mark(1, ctx.now);
        self.advance_high_watermark(ctx, tp);
        Some(Event::IsrExpand {
            topic: tp.topic,
            partition: tp.partition,
            leader,
            broker,
            isr,
        })
    }
}
