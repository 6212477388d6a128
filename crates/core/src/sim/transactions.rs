//! Transactions: the transaction coordinator (`TransactionCoordinator`,
//! `TransactionStateManager`), the partition leaders' view of open transactions
//! (`ProducerStateManager`: the last stable offset and the aborted-transaction index), and the
//! producer's `TransactionManager` as its application drives it.
//!
//! The flow: initTransactions sends InitProducerId to the coordinator (the leader of partition
//! `abs(hashCode(transactional.id)) % transaction.state.log.num.partitions` of
//! `__transaction_state`), which gives the producer id and bumps the epoch, fencing any older
//! instance with the same transactional.id and aborting a transaction it left open. Under
//! transaction.version 1 the producer sends AddPartitionsToTxn before its first write to each
//! partition; under 2 (KIP-890) the produce request itself adds the partition and the epoch is
//! bumped at every transaction end. commitTransaction / abortTransaction send EndTxn: the
//! coordinator moves to PREPARE_COMMIT / PREPARE_ABORT, answers, and has every partition leader
//! of the transaction append a COMMIT / ABORT control marker (WriteTxnMarkers); once every
//! marker is replicated (the high watermark passed it) the transaction is COMPLETE_*. A
//! transaction open longer than transaction.timeout.ms is aborted by the coordinator's check
//! (every 10 s, `transaction.abort.timed.out.transaction.cleanup.interval.ms`) with an epoch
//! bump, so its producer is fenced.
//!
//! sendOffsetsToTransaction (AddOffsetsToTxn under version 1, TxnOffsetCommit with the
//! consumer's group metadata) puts a group's offsets in the transaction; they wait at the group
//! coordinator until the transaction ends (see `sim::pipeline`).
//!
//! Coordinator failover: when the controller fences the coordinator's broker, the next live
//! replica of its `__transaction_state` partition leads and coordinates (it sends the markers
//! of preparing transactions again); producers find it after a request times out or is
//! answered NOT_COORDINATOR.
//!
//! Simplified: FindCoordinator is answered at once (no message); the state lives in memory
//! (no `__transaction_state` log to replicate or reload); a leader
//! checks a transactional produce against the coordinator's state directly, where Kafka's
//! leader asks the coordinator (KIP-890's verification, and V2's implicit AddPartitionsToTxn);
//! the epoch never overflows into a new producer id.

use super::{Pending, Sim};
use crate::event::{Delivery, Event};
use crate::log::{EntryKind, LogEntry};
use crate::net::{Body, KafkaError, Node, TopicPartitionId};
use crate::producer::transaction::{ClientTxnState, TransactionManager};
use crate::time::SimTime;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

/// `transaction.abort.timed.out.transaction.cleanup.interval.ms` (Kafka's default, 10 s).
pub const ABORT_TIMED_OUT_INTERVAL_US: u64 = 10_000_000;
/// How long the coordinator waits for a marker's answer before sending it again.
const MARKER_RESEND_US: u64 = 30_000_000;
/// Wait before sending markers again to a partition without a leader.
const MARKER_RETRY_US: u64 = 100_000;

/// A transaction's state at its coordinator (`TransactionState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TxnState {
    Empty,
    Ongoing,
    PrepareCommit,
    PrepareAbort,
    CompleteCommit,
    CompleteAbort,
}

impl TxnState {
    /// Kafka's name (`TransactionState.name`).
    pub fn name(self) -> &'static str {
        match self {
            TxnState::Empty => "Empty",
            TxnState::Ongoing => "Ongoing",
            TxnState::PrepareCommit => "PrepareCommit",
            TxnState::PrepareAbort => "PrepareAbort",
            TxnState::CompleteCommit => "CompleteCommit",
            TxnState::CompleteAbort => "CompleteAbort",
        }
    }

    pub(super) fn preparing(self) -> bool {
        matches!(self, TxnState::PrepareCommit | TxnState::PrepareAbort)
    }
}

/// What the application calls (a trace event of its own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum TxnCall {
    Begin,
    Commit,
    Abort,
}

/// A transactional.id at its coordinator (`TransactionMetadata`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnMetadata {
    pub transactional_id: String,
    pub coordinator: u32,
    /// The `__transaction_state` partition holding it.
    pub state_partition: u32,
    pub producer_id: i64,
    pub epoch: i16,
    pub state: TxnState,
    /// Partitions in the current (or completing) transaction.
    pub partitions: BTreeSet<TopicPartitionId>,
    /// Consumer groups whose offsets are in it (sendOffsetsToTransaction).
    pub groups: BTreeSet<u32>,
    /// When the transaction began (its first partition was added).
    pub started_at: SimTime,
    pub timeout_us: u64,
    /// Markers not yet acknowledged, and those of them sent and not answered.
    pub pending_markers: BTreeSet<TopicPartitionId>,
    pub markers_in_flight: BTreeSet<TopicPartitionId>,
    /// The epoch the markers are written with.
    pub marker_epoch: i16,
    pub last_update: SimTime,
}

/// Open and aborted transactions of one partition, read from its leader's log (as
/// `ProducerStateManager` keeps them: ongoing transactions by first offset, and the aborted
/// transaction index).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionTxns {
    /// The leader and leader epoch whose log was read.
    leader: Option<(u32, u32)>,
    read_to: u64,
    /// Open transactions: producer id -> offset of its first record.
    pub ongoing: BTreeMap<i64, u64>,
    /// Aborted transactions: (producer id, first offset, abort marker offset).
    pub aborted: Vec<(i64, u64, u64)>,
    /// The latest producer epoch per producer id in the log.
    pub epochs: BTreeMap<i64, i16>,
}

/// A marker appended at a leader, answered once the high watermark passes it (Kafka writes
/// markers with acks=all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerWait {
    pub broker: u32,
    pub coordinator: u32,
    pub transactional_id: String,
    pub producer_id: i64,
    pub tp: TopicPartitionId,
    pub offset: u64,
}

/// Transaction timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TxnTimer {
    /// The coordinators' periodic check for timed-out transactions.
    AbortTimedOut,
    /// A producer retries its transactional request (CONCURRENT_TRANSACTIONS).
    ClientRetry { producer: u32 },
    /// A zombie instance's application sends again (the current instance uses `ProduceTick`).
    ZombieTick { producer: u32, at: SimTime },
    /// The coordinator sends markers again (a partition had no leader).
    MarkerRetry { producer_id: i64 },
    /// A transactional request got no answer within request.timeout.ms: sent again.
    RequestTimeout { producer: u32, seq: u64 },
}

impl Sim {
    // ----- the coordinator -----

    /// The `__transaction_state` partition and coordinator broker of a transactional.id.
    pub fn transaction_coordinator(&self, transactional_id: &str) -> (u32, u32) {
        let parts = self.txn_leaders.len() as u32;
        let part = crate::consumer::group::coordinator_partition(transactional_id, parts);
        (
            part,
            self.txn_leaders.get(part as usize).copied().unwrap_or(0),
        )
    }

    /// The controller fenced `broker`: every `__transaction_state` partition it led gets the
    /// first live replica as leader, which becomes the coordinator of its transactional.ids
    /// (their state is kept, as the new leader would load it from the log) and sends the
    /// markers of transactions it finds preparing again.
    pub(super) fn move_txn_leaders(&mut self, broker: u32) {
        for p in 0..self.txn_leaders.len() {
            if self.txn_leaders[p] != broker {
                continue;
            }
            let next = self.txn_replicas.get(p).and_then(|rs| {
                rs.iter()
                    .copied()
                    .find(|&r| r != broker && self.brokers.get(r as usize).is_some_and(|b| b.alive))
            });
            if let Some(next) = next {
                self.txn_leaders[p] = next;
                self.txn_coordinator_moved(p as u32, next);
            }
        }
    }

    /// `broker` came back: it leads the `__transaction_state` partitions whose leader is down.
    pub(super) fn txn_after_restart(&mut self, broker: u32) {
        for p in 0..self.txn_leaders.len() {
            let hosts = self
                .txn_replicas
                .get(p)
                .is_some_and(|rs| rs.contains(&broker));
            let leader = self.txn_leaders[p];
            let leader_down = self.brokers.get(leader as usize).is_none_or(|b| !b.alive);
            if hosts && leader_down && leader != broker {
                self.txn_leaders[p] = broker;
                self.txn_coordinator_moved(p as u32, broker);
            }
        }
    }

    fn txn_coordinator_moved(&mut self, partition: u32, to: u32) {
        let tids: Vec<String> = self
            .txn_coordinator
            .values()
            .filter(|m| m.state_partition == partition)
            .map(|m| m.transactional_id.clone())
            .collect();
        for tid in tids {
            let preparing = match self.txn_coordinator.get_mut(&tid) {
                Some(m) => {
                    m.coordinator = to;
                    m.last_update = self.now;
                    m.markers_in_flight.clear();
                    m.state.preparing()
                }
                None => false,
            };
            // Marker answers would go to the old coordinator: the new one sends them again.
            self.marker_waits.retain(|w| w.transactional_id != tid);
            if preparing {
                self.send_markers(&tid);
            }
        }
    }

    /// A transactional producer looks its coordinator up again (FindCoordinator, after a
    /// request to the old one timed out or was answered NOT_COORDINATOR). Simplified: the
    /// answer is immediate.
    pub(super) fn txn_refresh_coordinator(&mut self, idx: u32) {
        let Some(tid) = self
            .producers
            .get(idx as usize)
            .and_then(|p| p.txn.as_ref())
            .map(|t| t.transactional_id.clone())
        else {
            return;
        };
        let (_, coord) = self.transaction_coordinator(&tid);
        if let Some(t) = self
            .producers
            .get_mut(idx as usize)
            .and_then(|p| p.txn.as_mut())
        {
            t.coordinator = coord;
        }
    }

    /// The coordinators' state of every transactional.id.
    pub fn transactions(&self) -> impl Iterator<Item = &TxnMetadata> {
        self.txn_coordinator.values()
    }

    /// The last stable offset of a partition at its leader: the high watermark, or the first
    /// offset of the earliest open transaction when that is lower.
    pub fn last_stable_offset(&self, tp: TopicPartitionId) -> u64 {
        let hw = self.partition(tp).map_or(0, |p| p.high_watermark());
        let first = self
            .partition_txns
            .get(&tp)
            .and_then(|t| t.ongoing.values().min().copied());
        let lso = first.map_or(hw, |f| f.min(hw));
        debug_assert!(
            lso <= hw,
            "the last stable offset never passes the high watermark"
        );
        lso
    }

    /// Open and aborted transactions of a partition (from its leader's log).
    pub fn partition_transactions(&self, tp: TopicPartitionId) -> Option<&PartitionTxns> {
        self.partition_txns.get(&tp)
    }

    /// Whether the entry at `offset` of `tp` belongs to an aborted transaction (by the
    /// leader's aborted-transaction index: its producer id, from the transaction's first
    /// offset up to its ABORT marker).
    pub fn in_aborted_transaction(&self, tp: TopicPartitionId, e: &LogEntry, offset: u64) -> bool {
        e.transactional
            && self.partition_txns.get(&tp).is_some_and(|t| {
                t.aborted.iter().any(|(pid, first, marker)| {
                    *pid == e.producer_id && *first <= offset && offset < *marker
                })
            })
    }

    /// The aborted transactions overlapping `[from, to)` of a partition, as a read_committed
    /// fetch response lists them (`collectAbortedTransactions`).
    pub(super) fn aborted_transactions(
        &self,
        tp: TopicPartitionId,
        from: u64,
        to: u64,
    ) -> Vec<(i64, u64)> {
        self.partition_txns.get(&tp).map_or_else(Vec::new, |t| {
            t.aborted
                .iter()
                .filter(|(_, first, marker)| *first < to && *marker >= from)
                .map(|(pid, first, _)| (*pid, *first))
                .collect()
        })
    }

    /// Reads what is new in the leader's log of `tp` into its open / aborted transactions
    /// (after every append and leader change, with the monitor). Nothing is kept before the
    /// first transactional producer exists.
    pub(super) fn txn_index_read(&mut self, tp: TopicPartitionId) {
        if self.txn_coordinator.is_empty() {
            return;
        }
        let Some(p) = self
            .topics
            .get(tp.topic as usize)
            .and_then(|t| t.partitions.get(tp.partition as usize))
        else {
            return;
        };
        let Some(r) = p.leader_replica() else {
            return;
        };
        let leader = Some((r.broker, p.leader_epoch));
        let log = &r.log;
        let t = self.partition_txns.entry(tp).or_default();
        if t.leader != leader {
            *t = PartitionTxns {
                leader,
                read_to: log.log_start_offset(),
                ..PartitionTxns::default()
            };
        }
        let from = t.read_to.max(log.log_start_offset());
        for (off, e) in log.range(from, log.log_end_offset()) {
            if !e.transactional {
                continue;
            }
            let epoch = t.epochs.entry(e.producer_id).or_insert(e.producer_epoch);
            *epoch = (*epoch).max(e.producer_epoch);
            match e.kind {
                EntryKind::Data => {
                    t.ongoing.entry(e.producer_id).or_insert(off);
                }
                EntryKind::ControlCommit => {
                    t.ongoing.remove(&e.producer_id);
                }
                EntryKind::ControlAbort => {
                    if let Some(first) = t.ongoing.remove(&e.producer_id) {
                        t.aborted.push((e.producer_id, first, off));
                    }
                }
            }
        }
        t.read_to = log.log_end_offset();
        let start = log.log_start_offset();
        t.aborted.retain(|(_, _, marker)| *marker >= start);
    }

    /// Starts the coordinators' timed-out-transaction check (once transactions exist).
    fn ensure_txn_timer(&mut self) {
        if !self.txn_timer_running {
            self.txn_timer_running = true;
            let at = self.now.plus(ABORT_TIMED_OUT_INTERVAL_US);
            self.schedule(at, Pending::Txn(TxnTimer::AbortTimedOut));
        }
    }

    pub(super) fn on_txn_timer(&mut self, t: TxnTimer) -> Option<Event> {
        match t {
            TxnTimer::AbortTimedOut => self.on_abort_timed_out(),
            TxnTimer::ClientRetry { producer } => {
                let p = self.producers.get_mut(producer as usize)?;
                let t = p.txn.as_mut()?;
                t.retry_scheduled = false;
                self.txn_refresh_coordinator(producer);
                let t = self
                    .producers
                    .get_mut(producer as usize)
                    .and_then(|p| p.txn.as_mut())?;
                if t.state == ClientTxnState::Initializing {
                    self.txn_send_init(producer);
                } else {
                    self.sender_run(producer);
                }
                Some(Event::TransactionRetried { producer })
            }
            TxnTimer::ZombieTick { producer, at } => {
                let p = self.producers.get_mut(producer as usize)?;
                let t = p.txn.as_mut()?;
                if t.tick_at != Some(at) {
                    return None;
                }
                t.tick_at = None;
                if p.blocked.is_some() || p.awaiting_ack.is_some() {
                    return None;
                }
                self.txn_app_tick(producer)
            }
            TxnTimer::RequestTimeout { producer, seq } => {
                let p = self.producers.get_mut(producer as usize)?;
                if p.crashed || p.state == crate::producer::ProducerState::Closed {
                    return None;
                }
                let t = p.txn.as_mut()?;
                if !t.request_in_flight || t.request_seq != seq {
                    return None;
                }
                t.request_in_flight = false;
                let state = t.state;
                self.txn_refresh_coordinator(producer);
                match state {
                    ClientTxnState::Initializing => self.txn_send_init(producer),
                    _ => {
                        if !self.pipeline_resend(producer) {
                            self.sender_run(producer);
                        }
                    }
                }
                Some(Event::TransactionRetried { producer })
            }
            TxnTimer::MarkerRetry { producer_id } => {
                let tid = self
                    .txn_coordinator
                    .values()
                    .find(|m| m.producer_id == producer_id)?
                    .transactional_id
                    .clone();
                let n = self.send_markers(&tid);
                Some(Event::MarkersRetried {
                    producer_id,
                    partitions: n,
                })
            }
        }
    }

    /// `abortTimedOutTransactions`: every Ongoing transaction older than its timeout is
    /// aborted with an epoch bump (fencing its producer); markers unanswered for 30 s are
    /// sent again. Not an event when it found nothing.
    fn on_abort_timed_out(&mut self) -> Option<Event> {
        let now = self.now;
        self.schedule(
            now.plus(ABORT_TIMED_OUT_INTERVAL_US),
            Pending::Txn(TxnTimer::AbortTimedOut),
        );
        let expired: Vec<String> = self
            .txn_coordinator
            .values()
            .filter(|m| {
                m.state == TxnState::Ongoing
                    && now.since(m.started_at) >= m.timeout_us
                    && self
                        .brokers
                        .get(m.coordinator as usize)
                        .is_some_and(|b| b.alive)
            })
            .map(|m| m.transactional_id.clone())
            .collect();
        let stale: Vec<String> = self
            .txn_coordinator
            .values()
            .filter(|m| m.state.preparing() && now.since(m.last_update) >= MARKER_RESEND_US)
            .map(|m| m.transactional_id.clone())
            .collect();
        if expired.is_empty() && stale.is_empty() {
            return None;
        }
        for tid in &expired {
            self.end_transaction(tid, false, true);
        }
        let mut resent = 0;
        for tid in &stale {
            if let Some(m) = self.txn_coordinator.get_mut(tid) {
                m.markers_in_flight.clear();
                m.last_update = now;
            }
            self.marker_waits.retain(|w| &w.transactional_id != tid);
            resent += self.send_markers(tid);
        }
        Some(Event::TransactionsTimedOut {
            aborted: expired.len() as u32,
            markers_resent: resent,
        })
    }

    /// PREPARE_COMMIT / PREPARE_ABORT (with an epoch bump when `bump`), then the markers to
    /// every partition of the transaction (COMPLETE_* at once when it has none).
    fn end_transaction(&mut self, tid: &str, commit: bool, bump: bool) {
        let now = self.now;
        let Some(m) = self.txn_coordinator.get_mut(tid) else {
            return;
        };
        if bump {
            m.epoch = m.epoch.saturating_add(1);
        }
        m.marker_epoch = m.epoch;
        m.last_update = now;
        m.pending_markers = m.partitions.clone();
        m.markers_in_flight.clear();
        // The offsets of the transaction's groups (their `__consumer_offsets` marker).
        let groups: Vec<u32> = core::mem::take(&mut m.groups).into_iter().collect();
        let pid = m.producer_id;
        self.complete_txn_offsets(pid, &groups, commit);
        let Some(m) = self.txn_coordinator.get_mut(tid) else {
            return;
        };
        if m.partitions.is_empty() {
            m.state = if commit {
                TxnState::CompleteCommit
            } else {
                TxnState::CompleteAbort
            };
            return;
        }
        m.state = if commit {
            TxnState::PrepareCommit
        } else {
            TxnState::PrepareAbort
        };
        self.send_markers(tid);
    }

    /// Sends WriteTxnMarkers for the pending, not in-flight markers of `tid`, one request per
    /// partition leader. Returns how many markers were sent.
    fn send_markers(&mut self, tid: &str) -> u32 {
        let Some(m) = self.txn_coordinator.get(tid) else {
            return 0;
        };
        let commit = m.state == TxnState::PrepareCommit;
        if !m.state.preparing() {
            return 0;
        }
        let (coord, pid, epoch) = (m.coordinator, m.producer_id, m.marker_epoch);
        let mut per_leader: BTreeMap<u32, Vec<TopicPartitionId>> = BTreeMap::new();
        let mut leaderless = false;
        for tp in m.pending_markers.difference(&m.markers_in_flight) {
            match self.partition(*tp).and_then(|p| p.leader) {
                Some(l) => per_leader.entry(l).or_default().push(*tp),
                None => leaderless = true,
            }
        }
        if leaderless {
            let at = self.now.plus(MARKER_RETRY_US);
            self.schedule(at, Pending::Txn(TxnTimer::MarkerRetry { producer_id: pid }));
        }
        let mut n = 0;
        for (leader, partitions) in per_leader {
            n += partitions.len() as u32;
            if let Some(m) = self.txn_coordinator.get_mut(tid) {
                m.markers_in_flight.extend(partitions.iter().copied());
            }
            self.send(
                Node::Broker(coord),
                Node::Broker(leader),
                Body::WriteTxnMarkers {
                    transactional_id: String::from(tid),
                    producer_id: pid,
                    epoch,
                    commit,
                    partitions,
                },
            );
        }
        n
    }

    /// A transactional request at broker `b` (coordinator or partition leader).
    pub(super) fn on_txn_request(&mut self, b: u32, from: Node, body: Body) -> Delivery {
        match body {
            Body::InitProducerId {
                transactional_id,
                timeout_ms,
                ..
            } => self.coordinator_init(b, from, transactional_id, timeout_ms),
            Body::AddPartitionsToTxn {
                transactional_id,
                producer_id,
                epoch,
                partitions,
                ..
            } => {
                let error =
                    self.coordinator_add(b, &transactional_id, producer_id, epoch, &partitions);
                self.send(
                    Node::Broker(b),
                    from,
                    Body::AddPartitionsToTxnResponse { partitions, error },
                );
                self.txn_delivery(&transactional_id, error)
            }
            Body::AddOffsetsToTxn {
                transactional_id,
                producer_id,
                epoch,
                group,
                ..
            } => {
                let error =
                    self.coordinator_add_offsets(b, &transactional_id, producer_id, epoch, group);
                self.send(
                    Node::Broker(b),
                    from,
                    Body::AddOffsetsToTxnResponse { error },
                );
                self.txn_delivery(&transactional_id, error)
            }
            Body::EndTxn {
                transactional_id,
                producer_id,
                epoch,
                commit,
                ..
            } => self.coordinator_end(b, from, &transactional_id, producer_id, epoch, commit),
            Body::WriteTxnMarkers {
                transactional_id,
                producer_id,
                epoch,
                commit,
                partitions,
            } => self.write_markers(
                b,
                from,
                transactional_id,
                producer_id,
                epoch,
                commit,
                partitions,
            ),
            Body::WriteTxnMarkersResponse {
                transactional_id,
                producer_id,
                results,
            } => self.on_markers_written(&transactional_id, producer_id, results),
            _ => Delivery::Group,
        }
    }

    fn txn_delivery(&self, tid: &str, error: Option<KafkaError>) -> Delivery {
        Delivery::Txn {
            state: self.txn_coordinator.get(tid).map(|m| m.state),
            error,
        }
    }

    /// InitProducerId: a new transactional.id gets a producer id; a known one gets its epoch
    /// bumped (fencing the older instance). An open transaction is aborted first (with the
    /// bump) and the caller retries on CONCURRENT_TRANSACTIONS.
    fn coordinator_init(&mut self, b: u32, from: Node, tid: String, timeout_ms: u64) -> Delivery {
        let (part, coord) = self.transaction_coordinator(&tid);
        let mut answer = (-1i64, -1i16, None);
        if coord != b {
            answer.2 = Some(KafkaError::NotCoordinator);
        } else {
            let now = self.now;
            let state = self.txn_coordinator.get(&tid).map(|m| m.state);
            match state {
                None => {
                    let pid = self.next_producer_id;
                    self.next_producer_id += 1;
                    self.txn_coordinator.insert(
                        tid.clone(),
                        TxnMetadata {
                            transactional_id: tid.clone(),
                            coordinator: coord,
                            state_partition: part,
                            producer_id: pid,
                            epoch: 0,
                            state: TxnState::Empty,
                            partitions: BTreeSet::new(),
                            groups: BTreeSet::new(),
                            started_at: now,
                            timeout_us: timeout_ms.saturating_mul(1000),
                            pending_markers: BTreeSet::new(),
                            markers_in_flight: BTreeSet::new(),
                            marker_epoch: 0,
                            last_update: now,
                        },
                    );
                    self.ensure_txn_timer();
                    // Partitions' open transactions are tracked from now on.
                    let tps: Vec<TopicPartitionId> = self
                        .topics
                        .iter()
                        .flat_map(|t| {
                            t.partitions.iter().map(|p| TopicPartitionId {
                                topic: p.topic,
                                partition: p.index,
                            })
                        })
                        .collect();
                    for tp in tps {
                        self.txn_index_read(tp);
                    }
                    answer = (pid, 0, None);
                }
                Some(TxnState::PrepareCommit | TxnState::PrepareAbort) => {
                    answer.2 = Some(KafkaError::ConcurrentTransactions);
                }
                Some(TxnState::Ongoing) => {
                    // The older instance's transaction is aborted under a bumped epoch.
                    self.end_transaction(&tid, false, true);
                    answer.2 = Some(KafkaError::ConcurrentTransactions);
                }
                Some(_) => {
                    if let Some(m) = self.txn_coordinator.get_mut(&tid) {
                        m.epoch = m.epoch.saturating_add(1);
                        m.state = TxnState::Empty;
                        m.partitions.clear();
                        m.groups.clear();
                        m.timeout_us = timeout_ms.saturating_mul(1000);
                        m.last_update = now;
                        answer = (m.producer_id, m.epoch, None);
                    }
                }
            }
        }
        self.send(
            Node::Broker(b),
            from,
            Body::InitProducerIdResponse {
                producer_id: answer.0,
                epoch: answer.1,
                error: answer.2,
            },
        );
        self.txn_delivery(&tid, answer.2)
    }

    /// The checks every transactional request of a producer passes at the coordinator.
    fn check_producer(&self, b: u32, tid: &str, pid: i64, epoch: i16) -> Result<(), KafkaError> {
        if self.transaction_coordinator(tid).1 != b {
            return Err(KafkaError::NotCoordinator);
        }
        let m = self
            .txn_coordinator
            .get(tid)
            .ok_or(KafkaError::InvalidProducerIdMapping)?;
        if m.producer_id != pid {
            return Err(KafkaError::InvalidProducerIdMapping);
        }
        if epoch < m.epoch {
            return Err(KafkaError::ProducerFenced);
        }
        Ok(())
    }

    /// AddPartitionsToTxn (V1), or the partition a V2 produce adds: the transaction becomes
    /// Ongoing (its timeout starts with its first partition).
    fn coordinator_add(
        &mut self,
        b: u32,
        tid: &str,
        pid: i64,
        epoch: i16,
        partitions: &[TopicPartitionId],
    ) -> Option<KafkaError> {
        if let Err(e) = self.check_producer(b, tid, pid, epoch) {
            return Some(e);
        }
        let now = self.now;
        let m = self.txn_coordinator.get_mut(tid)?;
        if m.state.preparing() {
            return Some(KafkaError::ConcurrentTransactions);
        }
        if m.state != TxnState::Ongoing {
            m.state = TxnState::Ongoing;
            m.partitions.clear();
            m.groups.clear();
            m.started_at = now;
        }
        m.partitions.extend(partitions.iter().copied());
        m.last_update = now;
        None
    }

    /// AddOffsetsToTxn (V1): the group's `__consumer_offsets` partition joins the transaction.
    pub(super) fn coordinator_add_offsets(
        &mut self,
        b: u32,
        tid: &str,
        pid: i64,
        epoch: i16,
        group: u32,
    ) -> Option<KafkaError> {
        if let Some(e) = self.coordinator_add(b, tid, pid, epoch, &[]) {
            return Some(e);
        }
        if let Some(m) = self.txn_coordinator.get_mut(tid) {
            m.groups.insert(group);
        }
        None
    }

    /// EndTxn: PREPARE_* and the answer (with the epoch bumped under transaction.version 2),
    /// then the markers.
    fn coordinator_end(
        &mut self,
        b: u32,
        from: Node,
        tid: &str,
        pid: i64,
        epoch: i16,
        commit: bool,
    ) -> Delivery {
        let mut error = self.check_producer(b, tid, pid, epoch).err();
        let state = self.txn_coordinator.get(tid).map(|m| m.state);
        if error.is_none() {
            let v2 = self.config.broker.transaction_version.value >= 2;
            error = match (state, commit) {
                (Some(TxnState::Ongoing), _) => {
                    self.end_transaction(tid, commit, v2);
                    None
                }
                (Some(TxnState::PrepareCommit), true) | (Some(TxnState::PrepareAbort), false) => {
                    Some(KafkaError::ConcurrentTransactions)
                }
                (Some(TxnState::CompleteCommit), true) | (Some(TxnState::CompleteAbort), false) => {
                    None
                }
                _ => Some(KafkaError::InvalidTxnState),
            };
        }
        let epoch = self.txn_coordinator.get(tid).map_or(epoch, |m| m.epoch);
        self.send(
            Node::Broker(b),
            from,
            Body::EndTxnResponse {
                commit,
                epoch,
                error,
            },
        );
        self.txn_delivery(tid, error)
    }

    /// WriteTxnMarkers at a partition leader: one COMMIT / ABORT control record per
    /// partition, answered once replicated.
    #[allow(clippy::too_many_arguments)]
    fn write_markers(
        &mut self,
        b: u32,
        from: Node,
        tid: String,
        pid: i64,
        epoch: i16,
        commit: bool,
        partitions: Vec<TopicPartitionId>,
    ) -> Delivery {
        let Node::Broker(coordinator) = from else {
            return Delivery::Group;
        };
        let now = self.now;
        let mut failed = Vec::new();
        let mut written = 0;
        for tp in partitions {
            let known = self
                .partition_txns
                .get(&tp)
                .and_then(|t| t.epochs.get(&pid).copied());
            let Some(p) = self.partition_mut(tp) else {
                failed.push((tp, Some(KafkaError::NotLeaderOrFollower)));
                continue;
            };
            if p.leader != Some(b) {
                failed.push((tp, Some(KafkaError::NotLeaderOrFollower)));
                continue;
            }
            if known.is_some_and(|k| k > epoch) {
                failed.push((tp, Some(KafkaError::InvalidProducerEpoch)));
                continue;
            }
            let leader_epoch = p.leader_epoch;
            if known.is_none_or(|k| k < epoch) {
                // A marker under a new epoch: the producer's sequence starts again.
                self.producer_state.remove(&(pid, tp));
            }
            let record_id = self.next_record_id;
            self.next_record_id += 1;
            let Some(l) = self.partition_mut(tp).and_then(|p| p.leader_replica_mut()) else {
                continue;
            };
            let offset = l.log.append(LogEntry {
                record_id,
                producer_id: pid,
                producer: u32::MAX,
                ordinal: 0,
                key: None,
                // A control batch: the v2 header plus one control record.
                size_bytes: crate::record::RECORD_BATCH_OVERHEAD as u32 + 16,
                leader_epoch,
                timestamp: now,
                kind: if commit {
                    EntryKind::ControlCommit
                } else {
                    EntryKind::ControlAbort
                },
                producer_epoch: epoch,
                transactional: true,
            });
            written += 1;
            self.marker_waits.push(MarkerWait {
                broker: b,
                coordinator,
                transactional_id: tid.clone(),
                producer_id: pid,
                tp,
                offset,
            });
            self.on_leader_log_grew(tp);
            // The last stable offset may have moved: read_committed fetches wake.
            self.wake_parked(tp, false);
            self.complete_marker_waits(tp);
        }
        if !failed.is_empty() {
            self.send(
                Node::Broker(b),
                from,
                Body::WriteTxnMarkersResponse {
                    transactional_id: tid,
                    producer_id: pid,
                    results: failed,
                },
            );
        }
        Delivery::MarkersWritten {
            markers: written,
            commit,
        }
    }

    /// Answers the marker appends on `tp` that are now replicated (or whose broker no longer
    /// leads). Called whenever the high watermark is recomputed.
    pub(super) fn complete_marker_waits(&mut self, tp: TopicPartitionId) {
        if !self.marker_waits.iter().any(|w| w.tp == tp) {
            return;
        }
        let (leader, hw) = self
            .partition(tp)
            .map_or((None, 0), |p| (p.leader, p.high_watermark()));
        let mut i = 0;
        while i < self.marker_waits.len() {
            let w = &self.marker_waits[i];
            if w.tp != tp {
                i += 1;
                continue;
            }
            let error = if leader != Some(w.broker) {
                Some(KafkaError::NotLeaderOrFollower)
            } else if hw > w.offset {
                None
            } else {
                i += 1;
                continue;
            };
            let w = self.marker_waits.remove(i);
            self.send(
                Node::Broker(w.broker),
                Node::Broker(w.coordinator),
                Body::WriteTxnMarkersResponse {
                    transactional_id: w.transactional_id,
                    producer_id: w.producer_id,
                    results: alloc::vec![(tp, error)],
                },
            );
        }
    }

    /// Marker answers at the coordinator: COMPLETE_* once every partition has its marker;
    /// a partition whose leader moved gets its marker again.
    fn on_markers_written(
        &mut self,
        tid: &str,
        pid: i64,
        results: Vec<(TopicPartitionId, Option<KafkaError>)>,
    ) -> Delivery {
        let now = self.now;
        let Some(m) = self.txn_coordinator.get_mut(tid) else {
            return Delivery::Group;
        };
        if m.producer_id != pid || !m.state.preparing() {
            return self.txn_delivery(tid, None);
        }
        let mut retry = false;
        let mut first_error = None;
        for (tp, error) in results {
            m.markers_in_flight.remove(&tp);
            match error {
                Some(KafkaError::NotLeaderOrFollower) => {
                    retry = true;
                    first_error = first_error.or(error);
                }
                // Written, or refused for good (a newer epoch is there already).
                _ => {
                    m.pending_markers.remove(&tp);
                }
            }
        }
        m.last_update = now;
        if m.pending_markers.is_empty() {
            m.state = if m.state == TxnState::PrepareCommit {
                TxnState::CompleteCommit
            } else {
                TxnState::CompleteAbort
            };
            m.partitions.clear();
        } else if retry {
            let at = now.plus(MARKER_RETRY_US);
            self.schedule(at, Pending::Txn(TxnTimer::MarkerRetry { producer_id: pid }));
        }
        self.txn_delivery(tid, first_error)
    }

    /// A transactional produce at a partition leader: refused when a newer epoch of the
    /// producer id is known (from the log, or at the coordinator); the coordinator learns the
    /// partition (V2; V1 verifies it was added). A new epoch starts a new sequence.
    pub(super) fn check_transactional_produce(
        &mut self,
        tp: TopicPartitionId,
        tid: &str,
        pid: i64,
        epoch: i16,
    ) -> Result<(), KafkaError> {
        let known = self
            .partition_txns
            .get(&tp)
            .and_then(|t| t.epochs.get(&pid).copied());
        if known.is_some_and(|k| epoch < k) {
            return Err(KafkaError::InvalidProducerEpoch);
        }
        let m = self
            .txn_coordinator
            .get(tid)
            .ok_or(KafkaError::InvalidProducerIdMapping)?;
        if m.producer_id != pid {
            return Err(KafkaError::InvalidProducerIdMapping);
        }
        if epoch < m.epoch {
            return Err(KafkaError::InvalidProducerEpoch);
        }
        if self.config.broker.transaction_version.value >= 2 {
            let coord = m.coordinator;
            if let Some(e) = self.coordinator_add(coord, tid, pid, epoch, &[tp]) {
                return Err(e);
            }
        } else if m.state != TxnState::Ongoing || !m.partitions.contains(&tp) {
            return Err(KafkaError::InvalidTxnState);
        }
        if known.is_some_and(|k| epoch > k) {
            self.producer_state.remove(&(pid, tp));
        }
        Ok(())
    }

    // ----- the producer (`TransactionManager`) and its application -----

    /// initTransactions(): InitProducerId to the coordinator.
    pub(super) fn txn_send_init(&mut self, idx: u32) {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return;
        };
        let timeout_ms = p.config.transaction_timeout_ms.value;
        let Some(t) = p.txn.as_mut() else {
            return;
        };
        t.request_in_flight = true;
        let (coord, tid) = (t.coordinator, t.transactional_id.clone());
        self.send(
            Node::Producer(idx),
            Node::Broker(coord),
            Body::InitProducerId {
                producer: idx,
                transactional_id: tid,
                timeout_ms,
            },
        );
        self.txn_request_sent(idx);
    }

    /// A transactional request went out: it is sent again if no answer comes within
    /// request.timeout.ms (the coordinator may have been down).
    pub(super) fn txn_request_sent(&mut self, idx: u32) {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return;
        };
        let timeout = p.config.request_timeout_ms.value.max(1) * 1000;
        let Some(t) = p.txn.as_mut() else {
            return;
        };
        t.request_seq += 1;
        let seq = t.request_seq;
        let at = self.now.plus(timeout);
        self.schedule(
            at,
            Pending::Txn(TxnTimer::RequestTimeout { producer: idx, seq }),
        );
    }

    /// A new transaction manager for a producer with a transactional.id.
    pub(super) fn new_transaction_manager(&self, tid: &str) -> TransactionManager {
        let (_, coord) = self.transaction_coordinator(tid);
        TransactionManager::new(
            String::from(tid),
            coord,
            self.config.broker.transaction_version.value,
        )
    }

    /// One step of a transactional application (the current instance on its `ProduceTick`,
    /// a zombie on its own timer): begin, commit or abort as its workload says, or `None`
    /// with `send` set when it sends a record now. `None` and no send: it waits (for
    /// initTransactions or the end of a transaction, or for the page in manual mode).
    pub(super) fn txn_app_step(&mut self, idx: u32) -> (Option<Event>, bool) {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return (None, false);
        };
        let n = p.config.workload.transaction_records.value;
        let abort_percent = p.config.workload.transaction_abort_percent.value;
        let Some(t) = p.txn.as_ref() else {
            return (None, true);
        };
        match t.state {
            ClientTxnState::Ready if n > 0 => {
                let will_abort = abort_percent > 0 && p.rng.percent(abort_percent);
                self.txn_begin(idx, will_abort);
                self.txn_next_tick(idx, None);
                let ev = Event::TransactionCall {
                    producer: idx,
                    call: TxnCall::Begin,
                };
                (Some(ev), false)
            }
            ClientTxnState::InTransaction if n > 0 && t.records >= n => {
                let commit = !t.will_abort;
                self.txn_end(idx, commit);
                let call = if commit {
                    TxnCall::Commit
                } else {
                    TxnCall::Abort
                };
                let ev = Event::TransactionCall {
                    producer: idx,
                    call,
                };
                (Some(ev), false)
            }
            ClientTxnState::InTransaction => (None, true),
            _ => (None, false),
        }
    }

    /// A zombie's application step (its sends go through the same path as the current
    /// instance's).
    fn txn_app_tick(&mut self, idx: u32) -> Option<Event> {
        let (ev, send) = self.txn_app_step(idx);
        if send {
            return Some(self.app_send(idx));
        }
        ev
    }

    /// Schedules the next application step of a transactional instance: its application's
    /// tick when it is the current instance, else its own (zombie) timer. `after`: the last
    /// record's creation (the rate counts from it), else now.
    pub(super) fn txn_next_tick(&mut self, idx: u32, after: Option<SimTime>) {
        let Some(p) = self.producers.get(idx as usize) else {
            return;
        };
        let app = p.app;
        let Some(dt) = self.produce_interval(app) else {
            return;
        };
        let at = after.unwrap_or(self.now).plus(dt).max(self.now);
        if self.app_producer.get(app as usize) == Some(&idx) {
            self.schedule_tick(app, at);
        } else if !self.draining {
            if let Some(t) = self.producers[idx as usize].txn.as_mut() {
                t.tick_at = Some(at);
                self.schedule(at, Pending::Txn(TxnTimer::ZombieTick { producer: idx, at }));
            }
        }
    }

    /// The application carries on at once (a blocking call returned).
    fn txn_resume(&mut self, idx: u32) {
        if self.pipeline_producer_ready(idx) {
            return;
        }
        let Some(p) = self.producers.get(idx as usize) else {
            return;
        };
        let app = p.app;
        if self.app_producer.get(app as usize) == Some(&idx) {
            if self
                .app_next_send
                .get(app as usize)
                .copied()
                .flatten()
                .is_none()
            {
                self.schedule_tick(app, self.now);
            }
        } else if !self.draining && p.state == crate::producer::ProducerState::Running {
            let now = self.now;
            if let Some(t) = self.producers[idx as usize].txn.as_mut() {
                t.tick_at = Some(now);
                self.schedule(
                    now,
                    Pending::Txn(TxnTimer::ZombieTick {
                        producer: idx,
                        at: now,
                    }),
                );
            }
        }
    }

    /// beginTransaction().
    pub(super) fn txn_begin(&mut self, idx: u32, will_abort: bool) {
        if let Some(t) = self
            .producers
            .get_mut(idx as usize)
            .and_then(|p| p.txn.as_mut())
        {
            t.state = ClientTxnState::InTransaction;
            t.records = 0;
            t.will_abort = will_abort;
            t.added.clear();
            t.pending.clear();
            t.offsets_added = false;
        }
    }

    /// commitTransaction() / abortTransaction(): a commit flushes every batch; an abort fails
    /// the batches not sent yet. EndTxn follows once nothing is in flight.
    pub(super) fn txn_end(&mut self, idx: u32, commit: bool) {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return;
        };
        let Some(t) = p.txn.as_mut() else {
            return;
        };
        t.state = if commit {
            ClientTxnState::Committing
        } else {
            ClientTxnState::Aborting
        };
        if !commit {
            // `abortUndrainedBatches`: batches never sent fail; retried ones (which have
            // sequence numbers) are still sent, to keep the sequence without gaps.
            let mut undrained = Vec::new();
            for part in 0..p.accumulator.deques.len() as u32 {
                let Some(d) = p.accumulator.deques.get_mut(part as usize) else {
                    continue;
                };
                let Some(d) = d.as_mut() else {
                    continue;
                };
                let (keep, fail): (Vec<_>, Vec<_>) =
                    d.drain(..).partition(|b| b.base_sequence.is_some());
                d.extend(keep);
                undrained.extend(fail);
            }
            if let Some(t) = p.txn.as_mut() {
                let sent: BTreeSet<u32> = p
                    .in_flight
                    .values()
                    .flat_map(|r| r.batches.iter().map(|b| b.partition))
                    .collect();
                t.pending.retain(|part| sent.contains(part));
            }
            for b in undrained {
                self.complete_batch(idx, b, Some(KafkaError::TransactionAborted), -1);
            }
        }
        self.sender_run(idx);
    }

    /// V1: AddPartitionsToTxn for the partitions written to and not yet added (one request
    /// at a time).
    pub(super) fn txn_maybe_add_partitions(&mut self, idx: u32) {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return;
        };
        let (pid, epoch, topic) = (p.producer_id, p.epoch, p.topic);
        let Some(t) = p.txn.as_mut() else {
            return;
        };
        let open = matches!(
            t.state,
            ClientTxnState::InTransaction | ClientTxnState::Committing | ClientTxnState::Aborting
        );
        if t.version >= 2 || !open || t.pending.is_empty() || t.request_in_flight {
            return;
        }
        t.request_in_flight = true;
        let partitions = t
            .pending
            .iter()
            .map(|&partition| TopicPartitionId { topic, partition })
            .collect();
        let (coord, tid) = (t.coordinator, t.transactional_id.clone());
        self.send(
            Node::Producer(idx),
            Node::Broker(coord),
            Body::AddPartitionsToTxn {
                producer: idx,
                transactional_id: tid,
                producer_id: pid,
                epoch,
                partitions,
            },
        );
        self.txn_request_sent(idx);
    }

    /// EndTxn once the ending transaction has nothing queued or in flight; a transaction
    /// that wrote nothing ends in the client alone.
    pub(super) fn txn_maybe_send_end(&mut self, idx: u32) {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return;
        };
        let (pid, epoch) = (p.producer_id, p.epoch);
        let idle = p.accumulator.is_empty() && p.in_flight.is_empty();
        let Some(t) = p.txn.as_mut() else {
            return;
        };
        if !t.ending() || t.request_in_flight || t.retry_scheduled || !idle {
            return;
        }
        if t.abortable_error && t.state == ClientTxnState::Committing {
            // commitTransaction() throws; the application aborts.
            t.state = ClientTxnState::Aborting;
        }
        let commit = t.state == ClientTxnState::Committing;
        if t.added.is_empty() && t.pending.is_empty() && !t.offsets_added {
            self.txn_completed(idx, commit, None);
            return;
        }
        t.request_in_flight = true;
        let (coord, tid) = (t.coordinator, t.transactional_id.clone());
        self.send(
            Node::Producer(idx),
            Node::Broker(coord),
            Body::EndTxn {
                producer: idx,
                transactional_id: tid,
                producer_id: pid,
                epoch,
                commit,
            },
        );
        self.txn_request_sent(idx);
    }

    /// The transaction ended (EndTxn answered, or nothing to end): Ready, with the new epoch
    /// (V2) and its sequences from 0.
    fn txn_completed(&mut self, idx: u32, commit: bool, epoch: Option<i16>) {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return;
        };
        if let Some(e) = epoch.filter(|e| *e != p.epoch) {
            p.epoch = e;
            p.next_sequence.iter_mut().for_each(|s| *s = 0);
        }
        let Some(t) = p.txn.as_mut() else {
            return;
        };
        t.state = ClientTxnState::Ready;
        t.added.clear();
        t.pending.clear();
        t.offsets_added = false;
        t.abortable_error = false;
        t.records = 0;
        if commit {
            t.committed += 1;
        } else {
            t.aborted += 1;
        }
        if self.pipeline_txn_done(idx, commit) {
            return;
        }
        self.txn_resume(idx);
    }

    /// The producer is fenced: fatal, every queued batch fails, the application stops.
    pub(super) fn txn_fatal(&mut self, idx: u32, error: KafkaError) {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return;
        };
        let Some(t) = p.txn.as_mut() else {
            return;
        };
        if t.state == ClientTxnState::Fatal {
            return;
        }
        t.state = ClientTxnState::Fatal;
        t.fatal_error = Some(error);
        let mut queued = Vec::new();
        for d in p.accumulator.deques.iter_mut().flatten() {
            queued.extend(d.drain(..));
        }
        for b in queued {
            self.complete_batch(idx, b, Some(error), -1);
        }
        if let Some(pr) = self.processor_of_producer(idx) {
            self.pipeline_fenced(pr, error);
        }
    }

    /// Schedules a retry of the transactional request after retry.backoff.ms.
    fn txn_retry(&mut self, idx: u32) {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return;
        };
        let backoff = p.config.retry_backoff_ms.value.max(1) * 1000;
        if let Some(t) = p.txn.as_mut() {
            t.retry_scheduled = true;
        }
        let at = self.now.plus(backoff);
        self.schedule(at, Pending::Txn(TxnTimer::ClientRetry { producer: idx }));
    }

    /// A coordinator's answer at the producer.
    pub(super) fn on_txn_response(&mut self, idx: u32, body: Body) -> Delivery {
        let Some(p) = self.producers.get_mut(idx as usize) else {
            return Delivery::Group;
        };
        let Some(t) = p.txn.as_mut() else {
            return Delivery::Group;
        };
        t.request_in_flight = false;
        let error = match body {
            Body::InitProducerIdResponse {
                producer_id,
                epoch,
                error,
            } => {
                match error {
                    None if t.state == ClientTxnState::Initializing => {
                        t.state = ClientTxnState::Ready;
                        p.producer_id = producer_id;
                        p.epoch = epoch;
                        p.next_sequence.iter_mut().for_each(|s| *s = 0);
                        self.txn_resume(idx);
                    }
                    Some(e) if e.is_retriable() => self.txn_retry(idx),
                    Some(e) => self.txn_fatal(idx, e),
                    None => {}
                }
                error
            }
            Body::AddPartitionsToTxnResponse { partitions, error } => {
                match error {
                    None => {
                        for tp in &partitions {
                            t.pending.remove(&tp.partition);
                            t.added.insert(tp.partition);
                        }
                        self.sender_run(idx);
                    }
                    Some(e) if e.is_retriable() => self.txn_retry(idx),
                    Some(e) => self.txn_fatal(idx, e),
                }
                error
            }
            Body::EndTxnResponse {
                commit,
                epoch,
                error,
            } => {
                match error {
                    None if t.ending() => self.txn_completed(idx, commit, Some(epoch)),
                    Some(e) if e.is_retriable() => self.txn_retry(idx),
                    Some(e) => self.txn_fatal(idx, e),
                    None => {}
                }
                error
            }
            _ => None,
        };
        Delivery::Txn { state: None, error }
    }

    /// The run drains: every transactional application ends its open transaction (commit,
    /// or abort when it meant to).
    pub(super) fn txn_drain(&mut self) {
        for idx in 0..self.producers.len() as u32 {
            let p = &self.producers[idx as usize];
            let Some(t) = p.txn.as_ref() else {
                continue;
            };
            if t.state == ClientTxnState::InTransaction
                && p.state == crate::producer::ProducerState::Running
                && !super::pipeline::is_processor_app(p.app)
            {
                let commit = !t.will_abort;
                self.txn_end(idx, commit);
            }
        }
    }

    // ----- live changes -----

    /// The page begins, commits or aborts the application's transaction; refused (and
    /// nothing changes) when the producer is not transactional or not in a state that allows
    /// the call (Kafka's `IllegalStateException`).
    pub(super) fn txn_change(
        &mut self,
        app: u32,
        call: TxnCall,
    ) -> Result<(), crate::config::ConfigError> {
        let idx = self.transactional_instance(app)?;
        let state = self.producers[idx as usize]
            .txn
            .as_ref()
            .map_or(ClientTxnState::Fatal, |t| t.state);
        let want = match call {
            TxnCall::Begin => ClientTxnState::Ready,
            _ => ClientTxnState::InTransaction,
        };
        if state != want {
            return Err(crate::config::ConfigError::new(
                "transaction",
                alloc::format!(
                    "{}: the producer is {}, and this needs {} (Kafka throws IllegalStateException: Invalid transition attempted)",
                    match call {
                        TxnCall::Begin => "beginTransaction()",
                        TxnCall::Commit => "commitTransaction()",
                        TxnCall::Abort => "abortTransaction()",
                    },
                    state.name(),
                    want.name()
                ),
            ));
        }
        match call {
            TxnCall::Begin => {
                self.txn_begin(idx, false);
                self.txn_resume(idx);
            }
            TxnCall::Commit => self.txn_end(idx, true),
            TxnCall::Abort => self.txn_end(idx, false),
        }
        Ok(())
    }

    /// A second instance with the same transactional.id starts (initTransactions): it takes
    /// over the application, and the running one carries on as a zombie until it is fenced.
    pub(super) fn start_zombie(&mut self, app: u32) -> Result<(), crate::config::ConfigError> {
        let old = self.transactional_instance(app)?;
        let cfg = self.config.producers[app as usize].clone();
        let new = self.create_producer(app, cfg);
        self.app_producer[app as usize] = new;
        self.txn_resume(old);
        Ok(())
    }

    fn transactional_instance(&self, app: u32) -> Result<u32, crate::config::ConfigError> {
        let idx = *self.app_producer.get(app as usize).ok_or_else(|| {
            crate::config::ConfigError::new(
                "producer",
                alloc::format!(
                    "{app} is not a producer application: there are {}",
                    self.app_producer.len()
                ),
            )
        })?;
        if self.producers[idx as usize].txn.is_none() {
            return Err(crate::config::ConfigError::new(
                crate::config::settings::producer::TRANSACTIONAL_ID.name,
                alloc::format!(
                    "producer {app} has no transactional.id (Kafka: TransactionalId must be set to use transactions)"
                ),
            ));
        }
        Ok(idx)
    }
}
