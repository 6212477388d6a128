//! The per-event checks of the simulator property (see main.rs for the list).

use std::collections::{HashMap, HashSet};
use streamscope_core::config::Acks;
use streamscope_core::event::{Delivery, Event};
use streamscope_core::murmur2::partition_for_key;
use streamscope_core::net::{Body, MessageKind, PartitionProduceResult, TopicPartitionId};
use streamscope_core::producer::partitioner::PartitionReason;
use streamscope_core::producer::ProducerState;
use streamscope_core::{Sim, SimTime};

/// A produce request as it left the producer.
pub(crate) struct Request {
    pub(crate) acks: Acks,
    /// (batch id, partition, record ids in order)
    pub(crate) batches: Vec<(u64, TopicPartitionId, Vec<u64>)>,
}

impl Request {
    pub(crate) fn records(&self) -> u32 {
        self.batches.iter().map(|b| b.2.len() as u32).sum()
    }
}

/// What the checker remembers between events.
pub(crate) struct Checker {
    /// Record id -> partition chosen at `send()` (from `RecordAppended`).
    pub(crate) sent_to: HashMap<u64, u32>,
    /// Record id -> (partition, offset) in its leader's log.
    pub(crate) in_log: HashMap<u64, (u32, u64)>,
    /// Leader-log offsets already checked, per partition.
    pub(crate) leader_checked: Vec<u64>,
    /// Follower-log offsets already checked, per partition and replica.
    pub(crate) replica_checked: Vec<Vec<u64>>,
    /// Next message id to look for.
    pub(crate) next_message: u64,
    /// Produce requests by request id, until answered (acks >= 1) or delivered (acks=0).
    pub(crate) requests: HashMap<u64, Request>,
    /// Produce message id -> request id.
    pub(crate) produce_msgs: HashMap<u64, u64>,
    /// ProduceResponse message id -> (request id, results).
    pub(crate) response_msgs: HashMap<u64, (u64, Vec<PartitionProduceResult>)>,
    /// Records acknowledged by a produce response.
    pub(crate) acked: HashSet<u64>,
    /// Records sent in acks=0 requests.
    pub(crate) acks0_records: u64,
    /// Producer instances seen in async send mode.
    pub(crate) was_async: HashSet<u32>,
    pub(crate) last_time: SimTime,
    pub(crate) events: u64,
    pub(crate) consumed: u64,
}

macro_rules! check {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(format!($($arg)+));
        }
    };
}

impl Checker {
    pub(crate) fn new(sim: &Sim) -> Checker {
        let parts = &sim.topics()[0].partitions;
        let mut c = Checker {
            sent_to: HashMap::new(),
            in_log: HashMap::new(),
            leader_checked: vec![0; parts.len()],
            replica_checked: parts.iter().map(|p| vec![0; p.replicas.len()]).collect(),
            next_message: 0,
            requests: HashMap::new(),
            produce_msgs: HashMap::new(),
            response_msgs: HashMap::new(),
            acked: HashSet::new(),
            acks0_records: 0,
            was_async: HashSet::new(),
            last_time: SimTime::ZERO,
            events: 0,
            consumed: 0,
        };
        c.scan_messages(sim).expect("initial messages");
        c
    }

    /// Remembers every message sent since the last call (ids count up by one, and a message
    /// is never delivered in the step that sent it).
    pub(crate) fn scan_messages(&mut self, sim: &Sim) -> Result<(), String> {
        while let Some(m) = sim.message(self.next_message) {
            check!(
                m.id == self.next_message,
                "message {} stored under id {}",
                m.id,
                self.next_message
            );
            check!(
                m.deliver_at > m.sent_at,
                "message {} delivered no later than sent",
                m.id
            );
            match &m.body {
                Body::Produce {
                    request_id,
                    acks,
                    batches,
                    ..
                } => {
                    let mut out = Vec::new();
                    for (tp, b) in batches {
                        check!(
                            tp.partition == b.partition,
                            "batch {} of partition {} sent for {:?}",
                            b.id,
                            b.partition,
                            tp
                        );
                        check!(!b.records.is_empty(), "empty batch {}", b.id);
                        for w in b.records.windows(2) {
                            check!(
                                w[0].id < w[1].id,
                                "batch {} records out of send order",
                                b.id
                            );
                        }
                        for r in b.records.iter() {
                            check!(
                                self.sent_to.get(&r.id) == Some(&b.partition),
                                "record {} in a batch of partition {}, sent to {:?}",
                                r.id,
                                b.partition,
                                self.sent_to.get(&r.id)
                            );
                        }
                        out.push((b.id, *tp, b.records.iter().map(|r| r.id).collect()));
                    }
                    let req = Request {
                        acks: *acks,
                        batches: out,
                    };
                    if *acks == Acks::None {
                        self.acks0_records += req.records() as u64;
                    }
                    check!(
                        self.requests.insert(*request_id, req).is_none(),
                        "request id {request_id} used twice"
                    );
                    self.produce_msgs.insert(m.id, *request_id);
                }
                Body::ProduceResponse {
                    request_id,
                    results,
                } => {
                    self.response_msgs
                        .insert(m.id, (*request_id, results.clone()));
                }
                _ => {}
            }
            self.next_message += 1;
        }
        Ok(())
    }

    /// Checks one event against what is known.
    pub(crate) fn on_event(
        &mut self,
        sim: &Sim,
        index: u64,
        time: SimTime,
        event: &Event,
    ) -> Result<(), String> {
        check!(
            index == self.events,
            "event index {index}, expected {}",
            self.events
        );
        check!(
            time >= self.last_time,
            "time went back from {:?} to {:?}",
            self.last_time,
            time
        );
        check!(
            time == sim.now(),
            "event time {:?} but clock {:?}",
            time,
            sim.now()
        );
        self.events += 1;
        self.last_time = time;
        let n = sim.topics()[0].partitions.len() as u32;
        match event {
            Event::RecordAppended {
                producer,
                record_id,
                key,
                partition,
                reason,
                ..
            } => {
                check!(
                    *partition < n,
                    "record {record_id} to partition {partition} of {n}"
                );
                check!(
                    self.sent_to.insert(*record_id, *partition).is_none(),
                    "record id {record_id} sent twice"
                );
                let p = &sim.producers()[*producer as usize];
                check!(
                    p.state == ProducerState::Running,
                    "record {record_id} sent by instance {producer} in state {:?}",
                    p.state
                );
                match (p.config.partitioner.value.name(), key) {
                    ("builtin" | "legacy-sticky", Some(k)) => {
                        let want = partition_for_key(format!("key-{k}").as_bytes(), n);
                        check!(
                            *partition == want,
                            "key-{k} to partition {partition}, murmur2 says {want} of {n}"
                        );
                        check!(
                            matches!(reason, PartitionReason::KeyHash { .. }),
                            "key-{k}: reason {reason:?}"
                        );
                    }
                    ("round-robin", _) => match reason {
                        PartitionReason::RoundRobin { counter } => {
                            check!(
                                *partition == counter % n,
                                "round-robin counter {counter} -> partition {partition} of {n}"
                            )
                        }
                        other => {
                            return Err(format!(
                                "round-robin record {record_id} with reason {other:?}"
                            ))
                        }
                    },
                    _ => {}
                }
            }
            Event::Delivered {
                message_id,
                kind: MessageKind::Produce,
                detail,
                ..
            } => {
                let rid = self
                    .produce_msgs
                    .remove(message_id)
                    .ok_or_else(|| format!("unknown produce message {message_id}"))?;
                let req = self
                    .requests
                    .get(&rid)
                    .ok_or_else(|| format!("produce request {rid} unknown"))?;
                let Delivery::Appended {
                    records,
                    duplicates,
                    responded,
                } = detail
                else {
                    return Err(format!("produce delivered with {detail:?}"));
                };
                check!(
                    *records == req.records(),
                    "request {rid}: appended {records} of {}",
                    req.records()
                );
                check!(
                    *duplicates == 0,
                    "request {rid}: {duplicates} duplicates without retries"
                );
                match req.acks {
                    Acks::None => {
                        check!(!responded, "acks=0 request {rid} answered");
                        self.requests.remove(&rid);
                    }
                    Acks::Leader => check!(*responded, "acks=1 request {rid} not answered at once"),
                    Acks::All => {}
                }
            }
            Event::Delivered {
                message_id,
                kind: MessageKind::ProduceResponse,
                detail,
                ..
            } => {
                let (rid, results) = self
                    .response_msgs
                    .remove(message_id)
                    .ok_or_else(|| format!("unknown produce response {message_id}"))?;
                let req = self
                    .requests
                    .remove(&rid)
                    .ok_or_else(|| format!("response to unknown request {rid}"))?;
                check!(
                    req.acks != Acks::None,
                    "acks=0 request {rid} got a response"
                );
                let Delivery::Acknowledged { records, error } = detail else {
                    return Err(format!("produce response handled as {detail:?}"));
                };
                check!(error.is_none(), "request {rid} failed: {error:?}");
                check!(
                    *records == req.records(),
                    "request {rid}: {records} of {} acknowledged",
                    req.records()
                );
                check!(
                    results.len() == req.batches.len(),
                    "request {rid}: {} results for {} batches",
                    results.len(),
                    req.batches.len()
                );
                for (batch_id, tp, ids) in &req.batches {
                    let r = results
                        .iter()
                        .find(|r| r.batch_id == *batch_id)
                        .ok_or_else(|| format!("request {rid}: no result for batch {batch_id}"))?;
                    check!(
                        r.tp == *tp && r.error.is_none() && r.base_offset >= 0,
                        "request {rid}: result {r:?}"
                    );
                    let part = sim.partition(*tp).ok_or("result for unknown partition")?;
                    let leader = part.leader_replica().ok_or("no leader")?;
                    for (i, id) in ids.iter().enumerate() {
                        let off = r.base_offset as u64 + i as u64;
                        let got = leader.log.get(off).map(|e| e.record_id);
                        check!(got == Some(*id), "batch {batch_id}: offset {off} of {tp:?} holds {got:?}, not record {id}");
                        check!(self.acked.insert(*id), "record {id} acknowledged twice");
                    }
                    if req.acks == Acks::All {
                        let end = r.base_offset as u64 + ids.len() as u64;
                        check!(
                            part.high_watermark() >= end,
                            "acks=all batch {batch_id} acknowledged up to {end} with HW {}",
                            part.high_watermark()
                        );
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}
