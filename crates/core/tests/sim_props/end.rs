//! The checks after every event's state and after the drain (see main.rs for the list).

use crate::case::Case;
use crate::checker::Checker;
use std::collections::HashSet;
use streamscope_core::config::SendMode;
use streamscope_core::consumer::MemberState;
use streamscope_core::producer::ProducerState;
use streamscope_core::{Sim, SimTime};

impl Checker {
    /// Checks the whole state (incrementally where it can).
    pub(crate) fn check_state(&mut self, sim: &Sim) -> Result<(), String> {
        let t = &sim.topics()[0];
        let mut sum_hw = 0;
        for (pi, p) in t.partitions.iter().enumerate() {
            let leader = p
                .leader_replica()
                .ok_or_else(|| format!("partition {pi} has no leader"))?;
            check!(
                p.isr.len() == p.replicas.len(),
                "partition {pi}: ISR {:?} without faults",
                p.isr
            );
            let leo = leader.log.log_end_offset();
            let hw = leader.high_watermark;
            check!(
                leader.log.log_start_offset() == 0,
                "partition {pi}: log start {}",
                leader.log.log_start_offset()
            );
            check!(
                leo == leader.log.len(),
                "partition {pi}: LEO {leo} with {} entries",
                leader.log.len()
            );
            check!(hw <= leo, "partition {pi}: HW {hw} > LEO {leo}");
            sum_hw += hw;
            for off in self.leader_checked[pi]..leo {
                let e = leader
                    .log
                    .get(off)
                    .ok_or_else(|| format!("partition {pi}: offset {off} missing below LEO"))?;
                check!(
                    self.sent_to.get(&e.record_id) == Some(&(pi as u32)),
                    "partition {pi} offset {off}: record {} was sent to {:?}",
                    e.record_id,
                    self.sent_to.get(&e.record_id)
                );
                check!(
                    e.leader_epoch == p.leader_epoch,
                    "partition {pi} offset {off}: epoch {}",
                    e.leader_epoch
                );
                if let Some(prev) = self.in_log.insert(e.record_id, (pi as u32, off)) {
                    return Err(format!(
                        "record {} at partition {pi} offset {off} and at {prev:?}",
                        e.record_id
                    ));
                }
            }
            self.leader_checked[pi] = leo;
            for (ri, r) in p.replicas.iter().enumerate() {
                if Some(r.broker) == p.leader {
                    continue;
                }
                let rleo = r.log.log_end_offset();
                check!(
                    r.log.log_start_offset() == 0 && rleo == r.log.len(),
                    "partition {pi} replica {}: offsets",
                    r.broker
                );
                check!(
                    rleo <= leo,
                    "partition {pi}: follower {} LEO {rleo} > leader LEO {leo}",
                    r.broker
                );
                check!(
                    r.high_watermark <= rleo,
                    "partition {pi}: follower {} HW {} > LEO {rleo}",
                    r.broker,
                    r.high_watermark
                );
                check!(
                    r.high_watermark <= hw,
                    "partition {pi}: follower {} HW {} > leader HW {hw}",
                    r.broker,
                    r.high_watermark
                );
                if p.isr.contains(&r.broker) {
                    // HW = the smallest LEO in the ISR: no ISR member lacks a record below it.
                    check!(
                        hw <= rleo,
                        "partition {pi}: HW {hw} above the LEO {rleo} of in-sync follower {}",
                        r.broker
                    );
                }
                for off in self.replica_checked[pi][ri]..rleo {
                    check!(
                        r.log.get(off) == leader.log.get(off),
                        "partition {pi}: follower {} offset {off} {:?} differs from leader {:?}",
                        r.broker,
                        r.log.get(off),
                        leader.log.get(off)
                    );
                }
                self.replica_checked[pi][ri] = rleo;
            }
        }
        let mut consumed = 0;
        for c in sim.consumers() {
            consumed += c.records_consumed;
            for (tp, pos) in &c.positions {
                let hw = sim.partition(*tp).map_or(0, |p| p.high_watermark());
                check!(
                    *pos <= hw,
                    "consumer {} position {pos} on {tp:?} above HW {hw}",
                    c.index
                );
            }
        }
        check!(consumed >= self.consumed, "records consumed went down");
        check!(
            consumed <= sum_hw,
            "{consumed} records consumed, sum of HWs {sum_hw}"
        );
        self.consumed = consumed;
        for p in sim.producers() {
            // Only instances that were never async (records sent before a live switch to
            // sync may still be open); a replaced instance may still complete the record its
            // application abandoned.
            if p.config.workload.send_mode.value == SendMode::Async {
                self.was_async.insert(p.index);
            }
            if p.state == ProducerState::Running && !self.was_async.contains(&p.index) {
                let open = p.accumulator.queued_records() + p.in_flight_records();
                check!(
                    open <= 1,
                    "sync producer {} has {open} records queued or in flight",
                    p.index
                );
            }
        }
        Ok(())
    }

    /// Steps until `end`, checking after every event.
    pub(crate) fn run(&mut self, sim: &mut Sim, end: SimTime) -> Result<(), String> {
        while let Some(entry) = sim.step_until(end).cloned() {
            // The event first: a record appended in this step may already be in a request.
            self.on_event(sim, entry.index, entry.time, &entry.event)?;
            self.scan_messages(sim)?;
            self.check_state(sim)?;
        }
        Ok(())
    }

    /// The end-to-end checks after the drain.
    pub(crate) fn check_end(&self, sim: &Sim, case: &Case) -> Result<(), String> {
        let (sent, acked, failed, consumed) = sim.totals();
        check!(failed == 0, "{failed} records failed without faults");
        check!(
            sent == self.sent_to.len() as u64,
            "{sent} sent, {} RecordAppended events",
            self.sent_to.len()
        );
        check!(
            acked == sent,
            "{acked} of {sent} records acknowledged after the drain"
        );
        check!(
            self.acked.len() as u64 + self.acks0_records == acked,
            "{} acknowledged by responses + {} acks=0, producers count {acked}",
            self.acked.len(),
            self.acks0_records
        );
        check!(
            self.requests.is_empty(),
            "{} produce requests never completed",
            self.requests.len()
        );
        check!(
            self.produce_msgs.is_empty() && self.response_msgs.is_empty(),
            "produce messages still in flight"
        );
        let current = sim.producers().len() - 1;
        for (i, p) in sim.producers().iter().enumerate() {
            check!(
                p.drained(),
                "producer {} still has records queued or in flight",
                p.index
            );
            let want = if i == current {
                ProducerState::Running
            } else {
                ProducerState::Closed
            };
            check!(
                p.state == want,
                "producer instance {i} is {:?} after the drain, expected {want:?}",
                p.state
            );
        }
        // Every record sent is in its partition's leader log, exactly once (duplicates were
        // refused as they appeared).
        check!(
            self.in_log.len() as u64 == sent,
            "{} records in leader logs, {sent} sent",
            self.in_log.len()
        );
        for (id, part) in &self.sent_to {
            match self.in_log.get(id) {
                Some((p, _)) if p == part => {}
                other => return Err(format!("record {id} sent to {part}, in log at {other:?}")),
            }
        }
        for id in &self.acked {
            check!(
                self.in_log.contains_key(id),
                "acknowledged record {id} is in no log"
            );
        }
        let t = &sim.topics()[0];
        let mut sum_hw = 0;
        for (pi, p) in t.partitions.iter().enumerate() {
            let leader = p.leader_replica().ok_or("no leader")?;
            let leo = leader.log.log_end_offset();
            check!(
                leader.high_watermark == leo,
                "partition {pi}: HW {} != LEO {leo} after the drain",
                leader.high_watermark
            );
            sum_hw += leo;
            for r in &p.replicas {
                check!(
                    r.log == leader.log,
                    "partition {pi}: replica {} log differs from the leader's after the drain",
                    r.broker
                );
                check!(
                    r.high_watermark == leo,
                    "partition {pi}: replica {} HW {} != {leo}",
                    r.broker,
                    r.high_watermark
                );
            }
        }
        if case.consumers > 0 {
            let mut owned = HashSet::new();
            let mut positions = 0;
            for c in sim.consumers() {
                check!(
                    c.state == MemberState::Stable,
                    "consumer {} is {:?} after the drain",
                    c.index,
                    c.state
                );
                for tp in &c.assignment {
                    check!(owned.insert(*tp), "{tp:?} assigned twice");
                }
                positions += c.positions.values().sum::<u64>();
            }
            check!(
                owned.len() == t.partitions.len(),
                "{} of {} partitions assigned",
                owned.len(),
                t.partitions.len()
            );
            check!(
                positions == consumed,
                "positions add up to {positions}, {consumed} records consumed"
            );
            check!(
                consumed == sum_hw,
                "{consumed} records consumed of {sum_hw} after the drain"
            );
        } else {
            check!(consumed == 0, "no consumers but {consumed} consumed");
        }
        Ok(())
    }
}
