//! `poll()` and commits: `KafkaConsumer.poll()` (max.poll.records; the application's loop
//! around it is `app::consuming`), max.poll.interval.ms, commitSync / commitAsync and
//! auto-commit (auto.commit.interval.ms), heartbeats on their timer, records-lag-max.

use crate::client::consumer::context::{ConsumerCtx, ConsumerWake};
use crate::consumer::coordinator::CONSUMER_REQUEST_TIMEOUT_US;
use crate::consumer::coordinator::DEFAULT_API_TIMEOUT_US;
use crate::consumer::{BufferedRecord, Consumer, MemberState};
use crate::event::Event;
use crate::net::{Body, Node, TopicPartitionId};
use crate::sim::Sim;
use crate::time::SimTime;
use alloc::vec::Vec;

/// The group's consumer settings the member's timer reads.
struct TimerSettings {
    /// heartbeat.interval.ms, in microseconds (at least 1).
    hb_interval: u64,
    /// max.poll.interval.ms, in microseconds.
    max_poll_us: u64,
    /// enable.auto.commit.
    auto: bool,
}

impl Consumer {
    /// `KafkaConsumer.poll()`: a due auto-commit, a pending assignment and a requested rejoin
    /// first (rebalance callbacks run inside `poll()`), then up to `max_poll_records` records
    /// from the buffer, records-lag-max, and the next fetches. Returns how many records the
    /// application gets, and the records themselves when it asks for them (`keep`).
    pub(crate) fn poll_records(
        &mut self,
        ctx: &mut ConsumerCtx,
        max_poll_records: u32,
        keep: bool,
    ) -> (u32, Vec<BufferedRecord>) {
        self.maybe_auto_commit(ctx);
        self.apply_pending_assignment(ctx);
        self.busy_until = None;
        self.last_poll = ctx.now;
        if self.rejoin_requested {
            self.maybe_rejoin_now(ctx);
        }
        self.fetched_records(max_poll_records, keep, ctx.now)
    }

    /// `Fetcher.fetchRecords`: up to `max_poll_records` visible records from the buffer at
    /// the member's positions (records at another offset are dropped, control markers and
    /// aborted records only advance the position); returns how many the application got.
    fn fetched_records(
        &mut self,
        max_poll_records: u32,
        keep: bool,
        now: SimTime,
    ) -> (u32, Vec<BufferedRecord>) {
        let mut returned: Vec<BufferedRecord> = Vec::new();
        let mut n = 0u32;
        let mut touched: Vec<TopicPartitionId> = Vec::new();
        while n < max_poll_records {
            let Some(r) = self.buffer.front().copied() else {
                break;
            };
            self.buffer.pop_front();
            let Some(pos) = self.positions.get_mut(&r.tp) else {
                continue;
            };
            if r.offset != *pos {
                continue;
            }
            *pos += 1;
            if touched.last() != Some(&r.tp) && !touched.contains(&r.tp) {
                touched.push(r.tp);
            }
            if r.visible {
                n += 1;
                if keep {
                    returned.push(r);
                }
            }
        }
        self.records_consumed += n as u64;
        self.metrics.on_records_consumed(n, now);
        for tp in touched {
            if let Some(&pos) = self.positions.get(&tp) {
                self.metrics.on_partition_position(tp, pos, now);
            }
        }
        (n, returned)
    }

    fn maybe_auto_commit(&mut self, ctx: &mut ConsumerCtx) -> bool {
        let now = ctx.now;
        let cc = ctx.config;
        let (enabled, interval) = (
            cc.enable_auto_commit.value,
            cc.auto_commit_interval_ms.value * 1000,
        );
        if !enabled || self.state != MemberState::Stable || now < self.next_auto_commit {
            return false;
        }
        self.next_auto_commit = now.plus(interval.max(1));
        self.send_commit(ctx);
        true
    }

    /// The member's background timer: heartbeats (sent while it is in the group, as Kafka's
    /// heartbeat thread does after JoinGroup), auto-commit while the application is idle
    /// (inside `poll()`), the fetch request timeout, and max.poll.interval.ms: when the
    /// application has been processing for longer, the member leaves the group (KIP-62; a
    /// static member sends no LeaveGroup and its session expires instead). The timer keeps
    /// running while the process is down, so that a restart picks it up.
    pub(crate) fn on_timer(&mut self, ctx: &mut ConsumerCtx) -> Option<Event> {
        let now = ctx.now;
        let group = self.group;
        let cc = ctx.config;
        let t = TimerSettings {
            hb_interval: (cc.heartbeat_interval_ms.value * 1000).max(1),
            max_poll_us: cc.max_poll_interval_ms.value * 1000,
            auto: cc.enable_auto_commit.value,
        };
        if !self.alive {
            if !self.closed {
                ctx.out.timer(now.plus(t.hb_interval), ConsumerWake::Timer);
            }
            return None;
        }
        let joined = matches!(
            self.state,
            MemberState::Syncing | MemberState::FetchingOffsets | MemberState::Stable
        );
        if joined && self.busy_until.is_some() && now.since(self.last_poll) >= t.max_poll_us {
            return Some(self.leave_on_poll_timeout(ctx, group));
        }
        let lost_coordinator = self.check_coordinator_timeouts(ctx);
        if let Some(ev) = self.maybe_expire_commit_sync(ctx) {
            return Some(ev);
        }
        let idle = self.busy_until.is_none();
        let commit = idle && self.maybe_auto_commit(ctx);
        self.expire_fetches(ctx);
        let heartbeat = self.maybe_send_heartbeat(ctx, group, joined, t.hb_interval);
        self.schedule_timer(ctx, &t, joined, idle);
        if let Some(coordinator) = lost_coordinator {
            return Some(Event::CoordinatorUnknown {
                consumer: self.index,
                coordinator,
            });
        }
        Some(Event::ConsumerTimer {
            consumer: self.index,
            heartbeat,
            commit,
        })
    }

    /// `maybeLeaveGroup` on max.poll.interval.ms (KIP-62): the application has been
    /// processing for longer; a dynamic member sends LeaveGroup, and the membership is lost.
    fn leave_on_poll_timeout(&mut self, ctx: &mut ConsumerCtx, group: u32) -> Event {
        let now = ctx.now;
        let left_group = self.instance_id.is_none();
        if left_group {
            let body = Body::LeaveGroup {
                group,
                member: self.index,
                member_id: self.member_id.clone(),
            };
            self.send_to_coordinator(ctx, body);
        }
        self.lose_membership(ctx, true);
        let next = self.next_heartbeat.max(now.plus(1));
        ctx.out.timer(next, ConsumerWake::Timer);
        Event::PollTimeoutExpired {
            consumer: self.index,
            left_group,
        }
    }

    /// A coordinator request unanswered for its timeout: the coordinator is marked unknown
    /// (`markCoordinatorUnknown`; returns it); a FindCoordinator unanswered for
    /// request.timeout.ms is sent again.
    fn check_coordinator_timeouts(&mut self, ctx: &mut ConsumerCtx) -> Option<u32> {
        let now = ctx.now;
        let lost_coordinator = self
            .coordinator
            .filter(|_| self.coordinator_requests.iter().any(|(_, d)| *d <= now));
        if self
            .find_coordinator_sent
            .is_some_and(|t| now.since(t) >= CONSUMER_REQUEST_TIMEOUT_US)
        {
            self.find_coordinator_sent = None;
        }
        if lost_coordinator.is_some() {
            self.mark_coordinator_unknown(ctx);
        } else if self.coordinator.is_none() {
            self.find_coordinator(ctx);
        }
        lost_coordinator
    }

    /// commitSync() past default.api.timeout.ms throws TimeoutException: the application
    /// carries on polling (the offsets stay uncommitted).
    fn maybe_expire_commit_sync(&mut self, ctx: &mut ConsumerCtx) -> Option<Event> {
        let now = ctx.now;
        if self.commit_sync_wait.is_none() || now < self.commit_sync_deadline {
            return None;
        }
        self.commit_sync_wait = None;
        self.busy_until = Some(now);
        ctx.out.timer(now, ConsumerWake::Poll);
        let next = self.next_heartbeat.max(now.plus(1));
        ctx.out.timer(next, ConsumerWake::Timer);
        Some(Event::CommitSyncTimedOut {
            consumer: self.index,
        })
    }

    /// A fetch with no answer for the consumer's request.timeout.ms (30 s) is given up: the
    /// connection is closed and the partitions are fetched again.
    fn expire_fetches(&mut self, ctx: &mut ConsumerCtx) {
        let now = ctx.now;
        let mut expired = false;
        for (f, sent) in self.fetch_in_flight.iter_mut().zip(&self.fetch_sent_at) {
            if *f && now.since(*sent) >= CONSUMER_REQUEST_TIMEOUT_US {
                *f = false;
                expired = true;
            }
        }
        if expired {
            self.send_fetches(ctx);
        }
    }

    /// The heartbeat thread's `sendHeartbeatRequest` when one is due and the member is in
    /// the group with a known coordinator; returns whether one was sent.
    fn maybe_send_heartbeat(
        &mut self,
        ctx: &mut ConsumerCtx,
        group: u32,
        joined: bool,
        hb_interval: u64,
    ) -> bool {
        let now = ctx.now;
        if now < self.next_heartbeat {
            return false;
        }
        self.next_heartbeat = now.plus(hb_interval);
        if !(joined && self.coordinator.is_some()) {
            return false;
        }
        let body = Body::Heartbeat {
            group,
            member: self.index,
            member_id: self.member_id.clone(),
            generation: self.generation,
        };
        self.send_to_coordinator(ctx, body);
        true
    }

    /// The timer's next run: the next heartbeat, or sooner for a due auto-commit, the
    /// max.poll.interval.ms deadline or a blocked commitSync()'s timeout.
    fn schedule_timer(
        &mut self,
        ctx: &mut ConsumerCtx,
        t: &TimerSettings,
        joined: bool,
        idle: bool,
    ) {
        let now = ctx.now;
        let mut next = self.next_heartbeat;
        // An auto-commit that is due but could not run (the member is not Stable) waits for
        // the next heartbeat: rescheduling at `now` would spin at the same instant forever.
        if t.auto && idle && self.next_auto_commit > now {
            next = next.min(self.next_auto_commit);
        }
        if joined && self.busy_until.is_some() {
            next = next.min(self.last_poll.plus(t.max_poll_us).max(now.plus(1)));
        }
        if self.commit_sync_wait.is_some() {
            next = next.min(self.commit_sync_deadline.max(now.plus(1)));
        }
        ctx.out.timer(next.max(now), ConsumerWake::Timer);
    }
}

impl Sim {
    /// Largest lag (high watermark - position; read_committed: last stable offset -
    /// position) over a consumer's partitions.
    pub(crate) fn consumer_lag_max(&self, c: u32) -> u64 {
        let cons = self.consumer(c);
        cons.positions
            .iter()
            .map(|(tp, pos)| {
                self.consumer_fetch_end(Node::Consumer(c), *tp)
                    .saturating_sub(*pos)
            })
            .max()
            .unwrap_or(0)
    }
}

impl Consumer {
    /// Sends an OffsetCommit of the consumed positions (`subscriptions.allConsumed()`) with a
    /// fresh correlation id, which it returns.
    pub(crate) fn send_commit(&mut self, ctx: &mut ConsumerCtx) -> u64 {
        let offsets = self.positions.iter().map(|(tp, o)| (*tp, *o)).collect();
        self.send_commit_of(ctx, offsets)
    }

    /// Sends an OffsetCommit of `offsets` in the member's generation; returns its correlation
    /// id.
    pub(crate) fn send_commit_of(
        &mut self,
        ctx: &mut ConsumerCtx,
        offsets: Vec<(TopicPartitionId, u64)>,
    ) -> u64 {
        let request_id = self.next_request_id;
        self.next_request_id += 1;
        let body = Body::OffsetCommit {
            group: self.group,
            member: self.index,
            member_id: self.member_id.clone(),
            generation: self.generation,
            offsets,
            request_id,
        };
        self.send_to_coordinator(ctx, body);
        request_id
    }

    /// The application blocks in `commitSync()` until the OffsetCommit response `request_id`
    /// (or default.api.timeout.ms): no poll meanwhile, max.poll.interval.ms keeps counting.
    pub(crate) fn block_in_commit_sync(&mut self, ctx: &mut ConsumerCtx, request_id: u64) {
        self.commit_sync_wait = Some(request_id);
        self.commit_sync_deadline = ctx.now.plus(DEFAULT_API_TIMEOUT_US);
        self.busy_until = Some(SimTime(u64::MAX));
    }

    /// The application calls `poll()` now (a blocking call returned), if its process runs.
    pub(crate) fn poll_now(&mut self, ctx: &mut ConsumerCtx) {
        if self.alive {
            self.busy_until = Some(ctx.now);
            ctx.out.timer(ctx.now, ConsumerWake::Poll);
        }
    }
}
