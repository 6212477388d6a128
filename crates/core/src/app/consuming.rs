//! The consuming application's loop around `KafkaConsumer.poll()`: it polls, processes what it
//! got (`sim.consumer.processing` per record, or the instance's own, slower, time), commits
//! itself when `sim.consumer.commit` says so (`commitSync()` blocks the loop until the answer,
//! `commitAsync()` does not), and polls again. A pipeline processor runs its own loop
//! (`app::pipeline::processor`) around the same calls; the verifier reads what its polls
//! return.
//!
//! Simplified: an idle application (nothing buffered) is "inside `poll()`": its next poll runs
//! when a fetch response brings records (`client::consumer::fetcher`).

use crate::config::CommitMode;
use crate::consumer::MemberState;
use crate::event::Event;
use crate::sim::{Pending, Sim};

impl Sim {
    /// The application's turn to call `poll()` (`Pending::ConsumerPoll`).
    pub(crate) fn on_consumer_poll(&mut self, c: u32) -> Option<Event> {
        let now = self.now;
        let cons = self.consumer(c);
        // Timers of a crashed process, or superseded ones, are not polls.
        if !cons.alive || cons.busy_until != Some(now) {
            return None;
        }
        let group = cons.group as usize;
        if self.pipeline.is_some() {
            if let Some(ev) = self.pipeline_before_poll(c) {
                return ev;
            }
        }
        let cc = self.config.groups[group].consumer.clone();
        if let Some(ev) = self.application_commit(c, cc.commit_mode.value) {
            return Some(ev);
        }
        // What poll() returns is kept when a processor or the verifier reads it.
        let keep = self.pipeline.is_some() || !self.txn.transactions.is_empty();
        let (n, records) = self.poll(c, cc.max_poll_records.value, keep);
        if !records.is_empty() {
            self.pipeline_polled(c, &records);
            self.pipeline_verify(c, &records);
        }
        let cons = &mut self.consumers[c as usize];
        if n > 0 {
            let per_record = cons
                .processing_us
                .unwrap_or(cc.processing_us_per_record.value);
            cons.uncommitted_poll = true;
            let at = now.plus(per_record.saturating_mul(n as u64));
            cons.busy_until = Some(at);
            self.schedule(at, Pending::ConsumerPoll { consumer: c });
        }
        Some(Event::Polled {
            consumer: c,
            records: n,
        })
    }

    /// The application finished processing the last poll's records and commits them itself
    /// (`sim.consumer.commit`): `commitSync()` blocks the poll loop until the response;
    /// `commitAsync()` does not. Kafka fails a commit at once, without a request, while the
    /// member is not in a stable generation (`generationIfStable()`): nothing is sent then.
    /// Returns the event, or `None` when the application does not commit.
    fn application_commit(&mut self, c: u32, mode: CommitMode) -> Option<Event> {
        let cons = &mut self.consumers[c as usize];
        if mode == CommitMode::Auto || !core::mem::take(&mut cons.uncommitted_poll) {
            return None;
        }
        let sync = mode == CommitMode::Sync;
        let partitions = cons.positions.len() as u32;
        let stable = matches!(
            cons.state,
            MemberState::Stable | MemberState::FetchingOffsets
        );
        if !stable || partitions == 0 {
            // CommitFailedException / RebalanceInProgressException: the loop polls again.
            self.schedule(self.now, Pending::ConsumerPoll { consumer: c });
            return Some(Event::CommitCalled {
                consumer: c,
                sync,
                partitions: 0,
            });
        }
        let id = self.send_commit(c);
        if sync {
            self.block_in_commit_sync(c, id);
        } else {
            self.schedule(self.now, Pending::ConsumerPoll { consumer: c });
        }
        Some(Event::CommitCalled {
            consumer: c,
            sync,
            partitions,
        })
    }
}
