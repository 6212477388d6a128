//! The event trace: one [`Event`] per processed simulation step, kept in a bounded ring that
//! the renderer animates from and tests hash. This enum is an interface (ARCHITECTURE.md):
//! add variants deliberately (at the end: the trace hash covers each variant's index), never
//! repurpose one.

use crate::net::{KafkaError, MessageKind, Node, TopicPartitionId};
use crate::producer::partitioner::PartitionReason;
use crate::time::SimTime;
use core::hash::{Hash, Hasher};

/// What one step did.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "snake_case"))]
pub enum Event {
    /// The application called `send()`; the record went into a batch.
    RecordAppended {
        producer: u32,
        record_id: u64,
        key: Option<u32>,
        partition: u32,
        batch_id: u64,
        new_batch: bool,
        reason: PartitionReason,
        /// Produce requests the sender sent in the same step (a batch filled up).
        requests_sent: u32,
    },
    /// `send()` could not proceed (sync send waiting, or buffer.memory exhausted).
    SendBlocked { producer: u32 },
    /// `send()` failed in the producer itself (no memory within max.block.ms, too large).
    SendFailed {
        producer: u32,
        record_id: u64,
        error: crate::producer::ClientError,
    },
    /// The sender thread woke (a linger timer expired) and sent this many requests.
    SenderWoke { producer: u32, requests_sent: u32 },
    /// A message reached its destination and was handled.
    Delivered {
        message_id: u64,
        kind: MessageKind,
        from: Node,
        to: Node,
        detail: Delivery,
    },
    /// A long-polling fetch at a leader ran out of `fetch.max.wait.ms` /
    /// `replica.fetch.wait.max.ms` and was answered with what there was.
    FetchWaitExpired { broker: u32, fetcher: Node },
    /// The consumer application got records from `poll()`.
    Polled { consumer: u32, records: u32 },
    /// A consumer's periodic timer (heartbeat, auto-commit) fired.
    ConsumerTimer {
        consumer: u32,
        heartbeat: bool,
        commit: bool,
    },
    /// The coordinator completed a JoinGroup phase: a new generation, the assignor the votes
    /// chose (`protocol`, empty when the group emptied), members that did not rejoin in time
    /// removed (`removed`).
    RebalanceJoined {
        group: u32,
        generation: u32,
        leader: u32,
        members: u32,
        protocol: &'static str,
        removed: u32,
    },
    /// The coordinator heard nothing from a member for session.timeout.ms and removed it
    /// (a rebalance follows unless the group is now empty).
    MemberExpired {
        group: u32,
        consumer: u32,
        generation: u32,
    },
    /// A member's application spent longer than max.poll.interval.ms between polls: the
    /// heartbeat thread leaves the group (KIP-62; a static member just stops heartbeating).
    PollTimeoutExpired { consumer: u32, left_group: bool },
    /// A producer instance finished closing (all its batches completed).
    ProducerClosed { producer: u32 },
    /// The KRaft controller fenced a broker whose session expired and moved its leaderships.
    BrokerFenced { broker: u32, elections: u32 },
    /// A follower whose fetch was lost (cut link, dropped message) fetches again after
    /// `replica.socket.timeout.ms`.
    ReplicaFetchRetried { follower: u32, leader: u32 },
    /// A scheduled fault (index into the schedule) started; `applied` is false when it had
    /// nothing to do (the broker was down already).
    FaultStarted { fault: u32, applied: bool },
    /// A scheduled fault's window ended (the broker restarted, the link healed).
    FaultEnded { fault: u32 },
    /// A follower left a partition's ISR: not caught up to the leader's log end offset for
    /// replica.lag.time.max.ms (the leader's isr-expiration check, committed by the
    /// controller). `isr` is the new ISR size.
    IsrShrink {
        topic: u32,
        partition: u32,
        leader: u32,
        broker: u32,
        isr: u32,
    },
    /// A follower whose fetch offset reached the high watermark rejoined the ISR.
    IsrExpand {
        topic: u32,
        partition: u32,
        leader: u32,
        broker: u32,
        isr: u32,
    },
    /// An acks=all produce waited at its leader for the request's timeout
    /// (request.timeout.ms): `partitions` batches still waiting are answered
    /// REQUEST_TIMED_OUT (`DelayedProduce.onExpiration`).
    ProduceWaitExpired {
        broker: u32,
        producer: u32,
        partitions: u32,
    },
    /// The log retention task (every log.retention.check.interval.ms) deleted old segments
    /// (retention.ms / retention.bytes): `segments` over `replicas` replica logs.
    LogSegmentsDeleted { segments: u32, replicas: u32 },
    /// A produce request got no response within request.timeout.ms: the connection to the
    /// broker closed and its in-flight requests failed (to be retried or failed).
    RequestTimedOut {
        producer: u32,
        broker: u32,
        requests: u32,
        records: u32,
    },
    /// A transactional application called beginTransaction(), commitTransaction() or
    /// abortTransaction() (the last two block until EndTxn is answered).
    TransactionCall {
        producer: u32,
        call: crate::client::producer::transaction::TxnCall,
    },
    /// A transactional producer sent its request again (CONCURRENT_TRANSACTIONS).
    TransactionRetried { producer: u32 },
    /// The coordinators' check (every 10 s) aborted transactions open longer than their
    /// transaction.timeout.ms (bumping their epochs), and sent unanswered markers again.
    TransactionsTimedOut { aborted: u32, markers_resent: u32 },
    /// A coordinator sent markers again (a partition had no leader, or it moved).
    MarkersRetried { producer_id: i64, partitions: u32 },
    /// The consumer application finished processing a poll's records and called
    /// `commitSync()` (`sync`: the poll loop waits for the OffsetCommit response) or
    /// `commitAsync()` for its positions on `partitions` partitions (0: refused at once
    /// because the member is rebalancing; nothing is sent).
    CommitCalled {
        consumer: u32,
        sync: bool,
        partitions: u32,
    },
    /// The `__consumer_offsets` partition of `group` got a new leader (its broker was fenced,
    /// or came back): that broker loaded the group's committed offsets and its last stored
    /// generation and became its coordinator (`to == from`: the restarted broker reloaded it;
    /// `to` = None: no replica is alive, COORDINATOR_NOT_AVAILABLE).
    CoordinatorMoved {
        group: u32,
        from: u32,
        to: Option<u32>,
    },
    /// A member's request to its coordinator got no answer within its timeout
    /// (request.timeout.ms; JoinGroup: the rebalance timeout + 5 s): the member marks the
    /// coordinator unknown and sends FindCoordinator.
    CoordinatorUnknown { consumer: u32, coordinator: u32 },
    /// `commitSync()` blocked for default.api.timeout.ms (60 s) without an answer and threw
    /// TimeoutException; the application polls again.
    CommitSyncTimedOut { consumer: u32 },
    /// A consumer asked for its committed offsets again after UNSTABLE_OFFSET_COMMIT.
    OffsetFetchRetried { consumer: u32 },
    /// A consumer's offset resets waiting for a retry (or an answer) came due.
    OffsetResetRetried { consumer: u32 },
    /// A pipeline processor's step (`sim::pipeline`).
    PipelineStep {
        processor: u32,
        action: crate::app::pipeline::state::PipelineAction,
    },
    /// A leader held a transactional produce for the coordinator's verification and got no
    /// answer within request.timeout.ms: the held batches are refused (NOT_ENOUGH_REPLICAS).
    VerificationTimedOut { broker: u32, producer: u32 },
    /// An idempotent producer sent its InitProducerId again (to `broker`; `None`: no broker
    /// was reachable, it tries again after retry.backoff.ms): the last one got no answer
    /// within request.timeout.ms.
    ProducerIdRetried { producer: u32, broker: Option<u32> },
}

/// What happened when a message was handled.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "what", rename_all = "snake_case"))]
pub enum Delivery {
    /// A leader appended a produce request's batches.
    Appended {
        records: u32,
        duplicates: u32,
        responded: bool,
    },
    /// The producer got its response: records acknowledged or failed.
    Acknowledged {
        records: u32,
        error: Option<KafkaError>,
    },
    /// A leader served a fetch now (or parked it to wait for data).
    FetchServed {
        records: u32,
        parked: bool,
        high_watermark_moved: u32,
    },
    /// A follower or consumer received records.
    Fetched { records: u32 },
    /// A leader answered a ListOffsets: partitions with an offset, and refused ones.
    OffsetsListed { found: u32, failed: u32 },
    /// A consumer reset positions from a ListOffsets answer; failed partitions are asked
    /// again after retry.backoff.ms.
    PositionsReset { reset: u32, failed: u32 },
    /// Group protocol and offset traffic.
    Group,
    /// The message started a rebalance: the group went to PreparingRebalance.
    RebalanceTriggered {
        group: u32,
        generation: u32,
        reason: RebalanceReason,
    },
    /// The leader's assignment arrived: the group is Stable in `generation`.
    GroupStable {
        group: u32,
        generation: u32,
        members: u32,
    },
    /// A member received its assignment: partitions it keeps, gets, and gives up
    /// (cooperative: revoked ones are released now and a follow-up rebalance hands them over).
    Assigned {
        generation: u32,
        kept: u32,
        added: u32,
        revoked: u32,
    },
    /// The coordinator refused the request (or a member got the refusal).
    GroupRefused { error: crate::net::GroupError },
    /// The destination was down: the message is lost.
    Lost,
    /// A partition's high watermark moved (first moved partition).
    HighWatermark {
        tp: TopicPartitionId,
        high_watermark: u64,
    },
    /// Transaction traffic: at a coordinator, its transaction's state after the request;
    /// at a producer, `None`; with the error answered, if any.
    Txn {
        state: Option<crate::coordinator::txn::state::TxnState>,
        error: Option<KafkaError>,
    },
    /// A partition leader appended COMMIT / ABORT control markers.
    MarkersWritten { markers: u32, commit: bool },
    /// A leader holds a transactional produce until the coordinator verifies (or adds) these
    /// partitions (KIP-890).
    ProduceAwaitsVerification { partitions: u32 },
}

/// Why a rebalance started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "cause", rename_all = "snake_case"))]
pub enum RebalanceReason {
    /// A new member joined.
    MemberJoined { consumer: u32 },
    /// A member sent LeaveGroup.
    MemberLeft { consumer: u32 },
    /// A known member rejoined with different metadata (owned partitions after a cooperative
    /// revocation, a changed subscription) or is the leader (which rejoins on a partition-count
    /// change).
    MemberRejoined { consumer: u32 },
    /// A member's session expired.
    SessionExpired { consumer: u32 },
}

/// A trace entry: the event's index (its position in the whole run) and time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TraceEntry {
    pub index: u64,
    pub time: SimTime,
    pub event: Event,
}

/// The last `capacity` events, plus a running hash of every event ever recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    entries: crate::shared_ring::SharedRing<TraceEntry>,
    capacity: usize,
    hash: u64,
}

impl Trace {
    pub fn new(capacity: usize) -> Trace {
        Trace {
            entries: crate::shared_ring::SharedRing::new(capacity),
            capacity: capacity.max(1),
            hash: FNV_OFFSET,
        }
    }

    pub fn push(&mut self, e: TraceEntry) {
        let mut h = Fnv64(self.hash);
        e.hash(&mut h);
        self.hash = h.0;
        self.entries.push(e);
    }

    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &TraceEntry> + ExactSizeIterator {
        self.entries.iter()
    }

    pub fn last(&self) -> Option<&TraceEntry> {
        self.entries.last()
    }

    /// Heap bytes the ring's entries take (by length, so that a clone counts the same;
    /// events are fixed-size values).
    pub fn heap_bytes(&self) -> usize {
        self.entries.heap_bytes()
    }

    /// The ring's own heap bytes and its shared chunks (see `SharedRing::shared_bytes`).
    pub fn shared_bytes(&self, chunk: impl FnMut(usize, usize)) -> usize {
        self.entries.shared_bytes(chunk)
    }

    /// Hash of every event recorded so far (not only those still in the ring); the same on
    /// every platform (see [`Fnv64`]).
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, with `usize`/`isize` widened to 64 bits so wasm32 and native hash alike.
pub struct Fnv64(pub u64);

impl Hasher for Fnv64 {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_usize(&mut self, i: usize) {
        self.write(&(i as u64).to_le_bytes());
    }
    fn write_isize(&mut self, i: isize) {
        self.write(&(i as i64).to_le_bytes());
    }
    fn write_u16(&mut self, i: u16) {
        self.write(&i.to_le_bytes());
    }
    fn write_u32(&mut self, i: u32) {
        self.write(&i.to_le_bytes());
    }
    fn write_u64(&mut self, i: u64) {
        self.write(&i.to_le_bytes());
    }
    fn write_i32(&mut self, i: i32) {
        self.write(&i.to_le_bytes());
    }
    fn write_i64(&mut self, i: i64) {
        self.write(&i.to_le_bytes());
    }
}
