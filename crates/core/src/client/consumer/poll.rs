//! `poll()` and commits: `KafkaConsumer.poll()` (max.poll.records; the application's loop
//! around it is `app::consuming`), max.poll.interval.ms, commitSync / commitAsync and
//! auto-commit (auto.commit.interval.ms), heartbeats on their timer, records-lag-max.

use crate::client::consumer::context::{ConsumerCtx, ConsumerWake};
use crate::consumer::coordinator::CONSUMER_REQUEST_TIMEOUT_US;
use crate::consumer::coordinator::DEFAULT_API_TIMEOUT_US;
use crate::consumer::{BufferedRecord, Consumer, MemberState};
use crate::event::Event;
use crate::net::{Body, Node, TopicPartitionId};
use crate::sim::{Pending, Sim};
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

impl Sim {
    /// `KafkaConsumer.poll()`: a due auto-commit, a pending assignment and a requested rejoin
    /// first (rebalance callbacks run inside `poll()`), then up to `max_poll_records` records
    /// from the buffer, records-lag-max, and the next fetches. Returns how many records the
    /// application gets, and the records themselves when it asks for them (`keep`).
    pub(crate) fn poll(
        &mut self,
        c: u32,
        max_poll_records: u32,
        keep: bool,
    ) -> (u32, Vec<BufferedRecord>) {
        let now = self.now;
        self.maybe_auto_commit(c);
        self.apply_pending_assignment(c);
        let cons = &mut self.consumers[c as usize];
        cons.busy_until = None;
        cons.last_poll = now;
        if cons.rejoin_requested {
            self.maybe_rejoin_now(c);
        }
        let polled = self.fetched_records(c, max_poll_records, keep);
        let lag = self.consumer_lag_max(c);
        let cons = &mut self.consumers[c as usize];
        cons.records_lag_max = cons.records_lag_max.max(lag);
        self.send_consumer_fetches(c);
        polled
    }

    /// `Fetcher.fetchRecords`: up to `max_poll_records` visible records from the buffer at
    /// the member's positions (records at another offset are dropped, control markers and
    /// aborted records only advance the position); returns how many the application got.
    fn fetched_records(
        &mut self,
        c: u32,
        max_poll_records: u32,
        keep: bool,
    ) -> (u32, Vec<BufferedRecord>) {
        let mut returned: Vec<BufferedRecord> = Vec::new();
        let cons = &mut self.consumers[c as usize];
        let mut n = 0u32;
        while n < max_poll_records {
            let Some(r) = cons.buffer.front().copied() else {
                break;
            };
            cons.buffer.pop_front();
            let Some(pos) = cons.positions.get_mut(&r.tp) else {
                continue;
            };
            if r.offset != *pos {
                continue;
            }
            *pos += 1;
            if r.visible {
                n += 1;
                if keep {
                    returned.push(r);
                }
            }
        }
        cons.records_consumed += n as u64;
        (n, returned)
    }

    pub(crate) fn maybe_auto_commit(&mut self, c: u32) -> bool {
        let now = self.now;
        let group = self.consumer(c).group;
        let cc = &self.config.groups[group as usize].consumer;
        let (enabled, interval) = (
            cc.enable_auto_commit.value,
            cc.auto_commit_interval_ms.value * 1000,
        );
        let cons = &mut self.consumers[c as usize];
        if !enabled || cons.state != MemberState::Stable || now < cons.next_auto_commit {
            return false;
        }
        cons.next_auto_commit = now.plus(interval.max(1));
        self.send_commit(c);
        true
    }

    /// The member's background timer: heartbeats (sent while it is in the group, as Kafka's
    /// heartbeat thread does after JoinGroup), auto-commit while the application is idle
    /// (inside `poll()`), the fetch request timeout, and max.poll.interval.ms: when the
    /// application has been processing for longer, the member leaves the group (KIP-62; a
    /// static member sends no LeaveGroup and its session expires instead). The timer keeps
    /// running while the process is down, so that a restart picks it up.
    pub(crate) fn on_consumer_timer(&mut self, c: u32) -> Option<Event> {
        let now = self.now;
        let group = self.consumer(c).group;
        let cc = &self.config.groups[group as usize].consumer;
        let t = TimerSettings {
            hb_interval: (cc.heartbeat_interval_ms.value * 1000).max(1),
            max_poll_us: cc.max_poll_interval_ms.value * 1000,
            auto: cc.enable_auto_commit.value,
        };
        let cons = &self.consumers[c as usize];
        if !cons.alive {
            if !cons.closed {
                self.schedule(
                    now.plus(t.hb_interval),
                    Pending::ConsumerTimer { consumer: c },
                );
            }
            return None;
        }
        let joined = matches!(
            cons.state,
            MemberState::Syncing | MemberState::FetchingOffsets | MemberState::Stable
        );
        if joined && cons.busy_until.is_some() && now.since(cons.last_poll) >= t.max_poll_us {
            return Some(self.leave_on_poll_timeout(c, group));
        }
        let lost_coordinator = self.check_coordinator_timeouts(c);
        if let Some(ev) = self.maybe_expire_commit_sync(c) {
            return Some(ev);
        }
        let idle = self.consumers[c as usize].busy_until.is_none();
        let commit = idle && self.maybe_auto_commit(c);
        self.expire_consumer_fetches(c);
        let heartbeat = self.maybe_send_heartbeat(c, group, joined, t.hb_interval);
        self.schedule_consumer_timer(c, &t, joined, idle);
        if let Some(coordinator) = lost_coordinator {
            return Some(Event::CoordinatorUnknown {
                consumer: c,
                coordinator,
            });
        }
        Some(Event::ConsumerTimer {
            consumer: c,
            heartbeat,
            commit,
        })
    }

    /// `maybeLeaveGroup` on max.poll.interval.ms (KIP-62): the application has been
    /// processing for longer; a dynamic member sends LeaveGroup, and the membership is lost.
    fn leave_on_poll_timeout(&mut self, c: u32, group: u32) -> Event {
        let now = self.now;
        let cons = &self.consumers[c as usize];
        let left_group = cons.instance_id.is_none();
        if left_group {
            let body = Body::LeaveGroup {
                group,
                member: c,
                member_id: cons.member_id.clone(),
            };
            self.send_to_coordinator(c, body);
        }
        self.lose_membership(c, true);
        let next = self.consumers[c as usize].next_heartbeat.max(now.plus(1));
        self.schedule(next, Pending::ConsumerTimer { consumer: c });
        Event::PollTimeoutExpired {
            consumer: c,
            left_group,
        }
    }

    /// A coordinator request unanswered for its timeout: the coordinator is marked unknown
    /// (`markCoordinatorUnknown`; returns it); a FindCoordinator unanswered for
    /// request.timeout.ms is sent again.
    fn check_coordinator_timeouts(&mut self, c: u32) -> Option<u32> {
        let now = self.now;
        let cons = &self.consumers[c as usize];
        let lost_coordinator = cons
            .coordinator
            .filter(|_| cons.coordinator_requests.iter().any(|(_, d)| *d <= now));
        if cons
            .find_coordinator_sent
            .is_some_and(|t| now.since(t) >= CONSUMER_REQUEST_TIMEOUT_US)
        {
            self.consumers[c as usize].find_coordinator_sent = None;
        }
        if lost_coordinator.is_some() {
            self.mark_coordinator_unknown(c);
        } else if self.consumers[c as usize].coordinator.is_none() {
            self.find_coordinator(c);
        }
        lost_coordinator
    }

    /// commitSync() past default.api.timeout.ms throws TimeoutException: the application
    /// carries on polling (the offsets stay uncommitted).
    fn maybe_expire_commit_sync(&mut self, c: u32) -> Option<Event> {
        let now = self.now;
        let cons = &mut self.consumers[c as usize];
        if cons.commit_sync_wait.is_none() || now < cons.commit_sync_deadline {
            return None;
        }
        cons.commit_sync_wait = None;
        cons.busy_until = Some(now);
        self.schedule(now, Pending::ConsumerPoll { consumer: c });
        let next = self.consumers[c as usize].next_heartbeat.max(now.plus(1));
        self.schedule(next, Pending::ConsumerTimer { consumer: c });
        Some(Event::CommitSyncTimedOut { consumer: c })
    }

    /// A fetch with no answer for the consumer's request.timeout.ms (30 s) is given up: the
    /// connection is closed and the partitions are fetched again.
    fn expire_consumer_fetches(&mut self, c: u32) {
        let now = self.now;
        let cons = &mut self.consumers[c as usize];
        let mut expired = false;
        for (f, sent) in cons.fetch_in_flight.iter_mut().zip(&cons.fetch_sent_at) {
            if *f && now.since(*sent) >= CONSUMER_REQUEST_TIMEOUT_US {
                *f = false;
                expired = true;
            }
        }
        if expired {
            self.send_consumer_fetches(c);
        }
    }

    /// The heartbeat thread's `sendHeartbeatRequest` when one is due and the member is in
    /// the group with a known coordinator; returns whether one was sent.
    fn maybe_send_heartbeat(&mut self, c: u32, group: u32, joined: bool, hb_interval: u64) -> bool {
        let now = self.now;
        let cons = &mut self.consumers[c as usize];
        if now < cons.next_heartbeat {
            return false;
        }
        cons.next_heartbeat = now.plus(hb_interval);
        if !(joined && cons.coordinator.is_some()) {
            return false;
        }
        let body = Body::Heartbeat {
            group,
            member: c,
            member_id: cons.member_id.clone(),
            generation: cons.generation,
        };
        self.send_to_coordinator(c, body);
        true
    }

    /// The timer's next run: the next heartbeat, or sooner for a due auto-commit, the
    /// max.poll.interval.ms deadline or a blocked commitSync()'s timeout.
    fn schedule_consumer_timer(&mut self, c: u32, t: &TimerSettings, joined: bool, idle: bool) {
        let now = self.now;
        let cons = &self.consumers[c as usize];
        let mut next = cons.next_heartbeat;
        // An auto-commit that is due but could not run (the member is not Stable) waits for
        // the next heartbeat: rescheduling at `now` would spin at the same instant forever.
        if t.auto && idle && cons.next_auto_commit > now {
            next = next.min(cons.next_auto_commit);
        }
        if joined && cons.busy_until.is_some() {
            next = next.min(cons.last_poll.plus(t.max_poll_us).max(now.plus(1)));
        }
        if cons.commit_sync_wait.is_some() {
            next = next.min(cons.commit_sync_deadline.max(now.plus(1)));
        }
        self.schedule(next.max(now), Pending::ConsumerTimer { consumer: c });
    }

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
