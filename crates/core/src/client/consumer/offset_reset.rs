//! Resetting a position by auto.offset.reset (`SubscriptionState.requestOffsetReset`,
//! `OffsetFetcher.resetPositionsIfNeeded`): a partition with no committed offset, or whose
//! fetch position fell below the leader's log start offset, waits for a reset. The consumer
//! sends one ListOffsets per leader for the partitions that are due, and asks again
//! retry.backoff.ms after a refusal or while the partition has no leader, and
//! request.timeout.ms after a request nobody answered (the Java consumer's
//! `nextRetryTimeMs`). A partition is not fetched until its position is known.
//!
//! With auto.offset.reset=none the Java consumer's `poll()` throws
//! (`NoOffsetForPartitionException`, `OffsetOutOfRangeException`); here the partition keeps no
//! position and is not fetched again until the next assignment.

use crate::client::consumer::context::{ConsumerCtx, ConsumerWake};
use crate::config::OffsetReset;
use crate::consumer::coordinator::{CONSUMER_REQUEST_TIMEOUT_US, CONSUMER_RETRY_BACKOFF_US};
use crate::consumer::Consumer;
use crate::event::{Delivery, Event};
use crate::net::{Body, ListedOffset, Node, OffsetSpec, TopicPartitionId};
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// A partition waiting for its position to be reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingReset {
    pub spec: OffsetSpec,
    /// The next ListOffsets for it may go out then.
    pub next_allowed: SimTime,
    /// The broker a ListOffsets for it is outstanding to.
    pub sent_to: Option<u32>,
}

impl Consumer {
    /// The position of `tp` is reset by the member's auto.offset.reset: it is dropped, and
    /// (unless the strategy is `none`) the partition waits for a ListOffsets answer.
    pub(crate) fn request_offset_reset(&mut self, ctx: &mut ConsumerCtx, tp: TopicPartitionId) {
        let spec = match ctx.config.auto_offset_reset.value {
            OffsetReset::Earliest => Some(OffsetSpec::Earliest),
            OffsetReset::Latest => Some(OffsetSpec::Latest),
            OffsetReset::None => None,
        };
        assert!(
            self.assignment.contains(&tp),
            "only an assigned partition's position is reset"
        );
        self.positions.remove(&tp);
        if let Some(spec) = spec {
            self.resets.insert(
                tp,
                PendingReset {
                    spec,
                    next_allowed: ctx.now,
                    sent_to: None,
                },
            );
        }
    }

    /// Sends a ListOffsets to each leader of the partitions whose reset is due, and arranges
    /// a wake-up for the next one that is not.
    pub(crate) fn reset_positions(&mut self, ctx: &mut ConsumerCtx) {
        let now = ctx.now;
        if !self.alive || !self.is_member() {
            return;
        }
        let mut per_leader: BTreeMap<u32, Vec<(TopicPartitionId, OffsetSpec)>> = BTreeMap::new();
        let mut leaderless = Vec::new();
        for (tp, r) in &self.resets {
            if r.next_allowed > now {
                continue;
            }
            match ctx.metadata.leader(*tp) {
                Some(leader) => per_leader.entry(leader).or_default().push((*tp, r.spec)),
                // No leader in the metadata: asked again after retry.backoff.ms.
                None => leaderless.push(*tp),
            }
        }
        let isolation_level = ctx.config.isolation_level.value;
        for tp in leaderless {
            if let Some(r) = self.resets.get_mut(&tp) {
                r.next_allowed = now.plus(CONSUMER_RETRY_BACKOFF_US);
                r.sent_to = None;
            }
        }
        for (leader, partitions) in &per_leader {
            for (tp, _) in partitions {
                if let Some(r) = self.resets.get_mut(tp) {
                    r.next_allowed = now.plus(CONSUMER_REQUEST_TIMEOUT_US);
                    r.sent_to = Some(*leader);
                }
            }
        }
        for (leader, partitions) in per_leader {
            ctx.out.send(
                Node::Consumer(self.index),
                Node::Broker(leader),
                Body::ListOffsets {
                    consumer: self.index,
                    isolation_level,
                    partitions,
                },
            );
        }
        self.arrange_reset_wakeup(ctx);
    }

    /// One wake-up at the earliest time a waiting reset may be sent again (none while one at
    /// or before that time is already arranged).
    fn arrange_reset_wakeup(&mut self, ctx: &mut ConsumerCtx) {
        let now = ctx.now;
        let Some(next) = self.resets.values().map(|r| r.next_allowed).min() else {
            return;
        };
        let next = next.max(now.plus(1));
        if self.reset_wakeup.is_some_and(|w| w > now && w <= next) {
            return;
        }
        self.reset_wakeup = Some(next);
        ctx.out.timer(next, ConsumerWake::OffsetReset);
    }

    /// The wake-up: send the resets that are due.
    pub(crate) fn on_offset_reset_retry(&mut self, ctx: &mut ConsumerCtx) -> Option<Event> {
        if self.reset_wakeup == Some(ctx.now) {
            self.reset_wakeup = None;
        }
        if !self.alive || self.resets.is_empty() {
            return None;
        }
        self.reset_positions(ctx);
        Some(Event::OffsetResetRetried {
            consumer: self.index,
        })
    }

    /// A leader's ListOffsets answer: positions for the partitions still waiting, and a
    /// retry after retry.backoff.ms for the refused ones.
    pub(crate) fn on_list_offsets_response(
        &mut self,
        ctx: &mut ConsumerCtx,
        from: Node,
        partitions: Vec<ListedOffset>,
    ) -> Delivery {
        let now = ctx.now;
        let (mut reset, mut failed) = (0, 0);
        for answer in partitions {
            let Some(r) = self.resets.get_mut(&answer.tp) else {
                // Reset already, or no longer assigned: the answer is stale.
                continue;
            };
            if r.sent_to.map(Node::Broker) != Some(from) {
                continue;
            }
            match answer.offset {
                Ok(offset) => {
                    self.resets.remove(&answer.tp);
                    self.positions.insert(answer.tp, offset);
                    reset += 1;
                }
                Err(_) => {
                    r.next_allowed = now.plus(CONSUMER_RETRY_BACKOFF_US);
                    r.sent_to = None;
                    failed += 1;
                }
            }
        }
        if reset > 0 {
            self.send_fetches(ctx);
        }
        self.arrange_reset_wakeup(ctx);
        Delivery::PositionsReset { reset, failed }
    }

    /// A leader went away: resets outstanding to a broker that is down are asked again now
    /// (the client sees its request fail when the leader moves).
    pub(crate) fn retry_resets_sent_to_dead_brokers(&mut self, ctx: &mut ConsumerCtx) {
        let now = ctx.now;
        let mut any = false;
        for r in self.resets.values_mut() {
            if r.sent_to.is_some_and(|b| !ctx.metadata.broker_up(b)) {
                r.next_allowed = now;
                r.sent_to = None;
                any = true;
            }
        }
        if any {
            self.reset_positions(ctx);
        }
    }
}
