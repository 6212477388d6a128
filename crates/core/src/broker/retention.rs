//! Log retention (`LogManager`'s "kafka-log-retention" task and `UnifiedLog.deleteOldSegments`):
//! every `log.retention.check.interval.ms`, starting `log.initial.task.delay.ms` (30 s) after
//! the broker starts, every alive broker deletes whole segments of each replica it hosts that
//! lie below that replica's high watermark and break `retention.bytes` or `retention.ms`
//! (see [`crate::log::Log::delete_old_segments`]). Followers also move their log start offset
//! up to the leader's (from fetch responses), and a follower whose log end fell below the
//! leader's log start truncates fully and starts there (`ReplicaFetcherThread`'s
//! out-of-range handling).
//!
//! Simplified: one cluster-wide timer (every broker starts at time 0); `segment.ms` rolling,
//! `cleanup.policy=compact` and tiered storage are not modelled.

use crate::broker::context::BrokerCtx;
use crate::broker::state::Brokers;
use crate::broker::timers::BrokerTimer;
use crate::event::Event;
use crate::log::Retention;

/// `log.initial.task.delay.ms`'s default: the first retention check runs 30 s after start.
pub const LOG_INITIAL_TASK_DELAY_US: u64 = 30_000_000;

impl Brokers {
    /// Gives every replica log of topic `topic` its `segment.bytes`.
    pub(crate) fn apply_segment_bytes(&mut self, ctx: &mut BrokerCtx, topic: u32) {
        // The cluster's topics are the config's, one for one (`sim::world`).
        let tc = ctx
            .topic_configs
            .get(topic as usize)
            .unwrap_or_else(|| panic!("segment.bytes of topic {topic}: not a topic of the config"));
        let bytes = tc.segment_bytes.value as u64;
        if let Some(t) = ctx.topics.get_mut(topic as usize) {
            for p in &mut t.partitions {
                for r in &mut p.replicas {
                    r.log.set_segment_bytes(bytes);
                }
            }
        }
    }

    /// The periodic retention check on every alive broker. An event only when it deleted
    /// something.
    pub(crate) fn on_retention_check(&mut self, ctx: &mut BrokerCtx) -> Option<Event> {
        let now = ctx.now;
        let mut segments = 0u32;
        let mut replicas = 0u32;
        let brokers = ctx.brokers;
        for (ti, t) in ctx.topics.iter_mut().enumerate() {
            let Some(tc) = ctx.topic_configs.get(ti) else {
                continue;
            };
            let retention = Retention {
                retention_us: tc.retention_ms.value.map(|ms| ms.saturating_mul(1000)),
                retention_bytes: tc.retention_bytes.value,
            };
            for p in &mut t.partitions {
                for r in &mut p.replicas {
                    if !brokers.get(r.broker as usize).is_some_and(|b| b.alive) {
                        continue;
                    }
                    let hw = r.high_watermark;
                    let n = r.log.delete_old_segments(now, hw, retention);
                    if n > 0 {
                        segments += n;
                        replicas += 1;
                    }
                }
            }
        }
        let interval = ctx.settings.log_retention_check_interval_ms * 1000;
        ctx.out
            .timer(now.plus(interval.max(1000)), BrokerTimer::RetentionCheck);
        (segments > 0).then_some(Event::LogSegmentsDeleted { segments, replicas })
    }
}
