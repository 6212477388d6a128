//! The network between clients and brokers: every request and response is a [`Message`] in
//! flight from `sent_at` to `deliver_at`. The renderer draws messages from this table.
//!
//! Simplified: one fixed one-way latency per link (`sim.network.latency`); TCP ordering holds
//! because every message on a link takes the same time.

use crate::log::LogEntry;
use crate::producer::accumulator::ProducerBatch;
use crate::time::SimTime;
use alloc::string::String;
use alloc::vec::Vec;

/// A node on the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(
    feature = "serde",
    serde(tag = "kind", content = "id", rename_all = "snake_case")
)]
pub enum Node {
    Broker(u32),
    Producer(u32),
    Consumer(u32),
}

/// A partition of a topic, by indices into the cluster's topic list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TopicPartitionId {
    pub topic: u32,
    pub partition: u32,
}

/// Kafka error codes the simulator can answer with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum KafkaError {
    NotLeaderOrFollower,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    OutOfOrderSequenceNumber,
    RequestTimedOut,
    /// The connection closed with the request in flight (the client's view).
    NetworkException,
    /// A newer instance with the same transactional.id bumped the epoch (coordinator).
    ProducerFenced,
    /// A partition leader saw a newer epoch of this producer id (fenced or timed out).
    InvalidProducerEpoch,
    /// The coordinator is still completing the previous transaction: retry.
    ConcurrentTransactions,
    /// The request does not fit the transaction's state (e.g. commit after abort).
    InvalidTxnState,
    /// The transactional.id is not known with this producer id.
    InvalidProducerIdMapping,
    /// The broker is not the coordinator of this transactional.id.
    NotCoordinator,
    /// The batch belonged to a transaction aborted before it was sent (the client's
    /// `TransactionAbortedException`).
    TransactionAborted,
}

impl KafkaError {
    /// Kafka's name for the error (`Errors` enum).
    pub fn name(self) -> &'static str {
        match self {
            KafkaError::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            KafkaError::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            KafkaError::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            KafkaError::OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            KafkaError::RequestTimedOut => "REQUEST_TIMED_OUT",
            KafkaError::NetworkException => "NETWORK_EXCEPTION",
            KafkaError::ProducerFenced => "PRODUCER_FENCED",
            KafkaError::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            KafkaError::ConcurrentTransactions => "CONCURRENT_TRANSACTIONS",
            KafkaError::InvalidTxnState => "INVALID_TXN_STATE",
            KafkaError::InvalidProducerIdMapping => "INVALID_PRODUCER_ID_MAPPING",
            KafkaError::NotCoordinator => "NOT_COORDINATOR",
            KafkaError::TransactionAborted => "TRANSACTION_ABORTED",
        }
    }

    /// Whether the producer may retry (`RetriableException`). OUT_OF_ORDER_SEQUENCE_NUMBER is
    /// retried by the idempotent producer's own bookkeeping. Fencing is fatal.
    pub fn is_retriable(self) -> bool {
        !matches!(
            self,
            KafkaError::ProducerFenced
                | KafkaError::InvalidProducerEpoch
                | KafkaError::InvalidTxnState
                | KafkaError::InvalidProducerIdMapping
                | KafkaError::TransactionAborted
        )
    }

    /// Whether the error fences the producer (fatal for a transactional producer).
    pub fn is_fencing(self) -> bool {
        matches!(
            self,
            KafkaError::ProducerFenced | KafkaError::InvalidProducerEpoch
        )
    }
}

/// One partition's result in a produce response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionProduceResult {
    pub tp: TopicPartitionId,
    pub batch_id: u64,
    /// Offset of the batch's first record (-1 with acks=0 or on error).
    pub base_offset: i64,
    pub error: Option<KafkaError>,
}

/// Records of one partition in a fetch response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedPartition {
    pub tp: TopicPartitionId,
    pub high_watermark: u64,
    pub log_start_offset: u64,
    /// (offset, entry), consecutive.
    pub entries: Vec<(u64, LogEntry)>,
    /// The leader's last stable offset (see `sim::transactions`).
    pub last_stable_offset: u64,
    /// read_committed fetches: the aborted transactions overlapping the returned range,
    /// (producer id, first offset), as Kafka's `AbortedTransaction` list.
    pub aborted_transactions: Vec<(i64, u64)>,
}

/// What a message carries.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    Produce {
        request_id: u64,
        producer: u32,
        producer_id: i64,
        /// The producer epoch of the batches (0 for a plain idempotent producer).
        producer_epoch: i16,
        /// The transactional.id when the batches belong to a transaction.
        transactional_id: Option<String>,
        acks: crate::config::Acks,
        /// The producer's request.timeout.ms: how long an acks=all request may wait at the
        /// leader for its replicas (`timeout_ms` of Kafka's ProduceRequest).
        timeout_ms: u64,
        batches: Vec<(TopicPartitionId, ProducerBatch)>,
    },
    ProduceResponse {
        request_id: u64,
        results: Vec<PartitionProduceResult>,
    },
    /// A follower's fetch, all partitions it follows from this leader (`ReplicaFetcherThread`).
    ReplicaFetch {
        follower: u32,
        params: FetchParams,
        partitions: Vec<(TopicPartitionId, u64)>,
    },
    ReplicaFetchResponse {
        parts: Vec<FetchedPartition>,
    },
    ConsumerFetch {
        consumer: u32,
        params: FetchParams,
        partitions: Vec<(TopicPartitionId, u64)>,
    },
    ConsumerFetchResponse {
        parts: Vec<FetchedPartition>,
    },
    /// A consumer asks a partition leader where to reset a position to (`ListOffsetsRequest`
    /// with replica_id -1, sent by `OffsetFetcher.resetPositionsIfNeeded`): the log start
    /// offset or the end offset, which under read_committed is the last stable offset.
    ListOffsets {
        consumer: u32,
        isolation_level: crate::config::IsolationLevel,
        partitions: Vec<(TopicPartitionId, OffsetSpec)>,
    },
    ListOffsetsResponse {
        partitions: Vec<ListedOffset>,
    },
    /// The simulator's client makes its member id itself (`<client.id>-<UUID>`).
    JoinGroup {
        group: u32,
        member: u32,
        member_id: String,
        /// The member joins for the first time with this id (Kafka's second JoinGroup after
        /// MEMBER_ID_REQUIRED); `false`: it believes it is already a member.
        new_member: bool,
        instance_id: Option<String>,
        protocols: crate::config::StrategyList,
        metadata: crate::net::JoinMetadata,
    },
    JoinGroupResponse {
        member_id: String,
        generation: u32,
        protocol: Option<crate::assignor::AssignorKind>,
        leader: String,
        /// Every member with its metadata, for the leader only.
        members: Vec<JoinedMember>,
        error: Option<GroupError>,
    },
    SyncGroup {
        group: u32,
        member: u32,
        member_id: String,
        generation: u32,
        /// The leader's assignment: member id -> partitions.
        assignment: Option<Vec<(String, Vec<TopicPartitionId>)>>,
    },
    SyncGroupResponse {
        member_id: String,
        generation: u32,
        assignment: Vec<TopicPartitionId>,
        error: Option<GroupError>,
    },
    OffsetFetch {
        group: u32,
        member: u32,
        partitions: Vec<TopicPartitionId>,
        /// KIP-447: answer UNSTABLE_OFFSET_COMMIT while a transactional offset commit of one
        /// of the partitions is pending (the Java consumer always asks for it).
        require_stable: bool,
    },
    OffsetFetchResponse {
        offsets: Vec<(TopicPartitionId, Option<u64>)>,
        error: Option<GroupError>,
    },
    OffsetCommit {
        group: u32,
        member: u32,
        member_id: String,
        generation: u32,
        offsets: Vec<(TopicPartitionId, u64)>,
        /// The client's correlation id for this request (a blocked commitSync() waits for
        /// the response that carries it).
        request_id: u64,
    },
    OffsetCommitResponse {
        offsets: Vec<(TopicPartitionId, u64)>,
        error: Option<GroupError>,
        request_id: u64,
    },
    Heartbeat {
        group: u32,
        member: u32,
        member_id: String,
        generation: u32,
    },
    HeartbeatResponse {
        member_id: String,
        error: Option<GroupError>,
    },
    LeaveGroup {
        group: u32,
        member: u32,
        member_id: String,
    },
    LeaveGroupResponse,
    /// A producer id and epoch: initTransactions() for a transactional.id (to its
    /// coordinator), or an idempotent producer's first request (`transactional_id` null: any
    /// broker answers, from its producer id manager).
    InitProducerId {
        producer: u32,
        /// `null` for an idempotent producer without a transactional.id.
        transactional_id: Option<String>,
        /// transaction.timeout.ms; `Integer.MAX_VALUE` for an idempotent producer.
        transaction_timeout_ms: u64,
        /// The producer's current id and epoch (-1 and -1 for a new instance; KIP-360).
        producer_id: i64,
        producer_epoch: i16,
    },
    InitProducerIdResponse {
        producer_id: i64,
        epoch: i16,
        error: Option<KafkaError>,
    },
    /// Transactions V1: the partitions a transaction writes to, before the first write.
    AddPartitionsToTxn {
        producer: u32,
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        partitions: Vec<TopicPartitionId>,
    },
    AddPartitionsToTxnResponse {
        partitions: Vec<TopicPartitionId>,
        error: Option<KafkaError>,
    },
    /// A partition leader asks the transaction coordinator about the partitions of a
    /// transactional produce before appending it (KIP-890: `AddPartitionsToTxnManager` sends
    /// AddPartitionsToTxn v4+ from the broker): under transaction.version 1 it only verifies
    /// that they are in the ongoing transaction (`verify_only`), under 2 it adds them. Kafka's
    /// API is AddPartitionsToTxn; `kind()` says so.
    VerifyPartitionsInTxn {
        verification: u64,
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        partitions: Vec<TopicPartitionId>,
        verify_only: bool,
    },
    VerifyPartitionsInTxnResponse {
        verification: u64,
        results: Vec<(TopicPartitionId, Option<KafkaError>)>,
    },
    /// commitTransaction() / abortTransaction().
    EndTxn {
        producer: u32,
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        commit: bool,
    },
    EndTxnResponse {
        commit: bool,
        /// The epoch the producer continues with (bumped under transaction.version 2).
        epoch: i16,
        error: Option<KafkaError>,
    },
    /// The coordinator asks a partition leader to append COMMIT / ABORT markers.
    WriteTxnMarkers {
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        commit: bool,
        partitions: Vec<TopicPartitionId>,
    },
    WriteTxnMarkersResponse {
        transactional_id: String,
        producer_id: i64,
        results: Vec<(TopicPartitionId, Option<KafkaError>)>,
    },
    /// sendOffsetsToTransaction(), transaction.version 1: the group's `__consumer_offsets`
    /// partition joins the transaction (its marker will complete the offsets).
    AddOffsetsToTxn {
        producer: u32,
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        group: u32,
    },
    AddOffsetsToTxnResponse {
        error: Option<KafkaError>,
    },
    /// The offsets of a transaction, to the group coordinator, with the consumer's group
    /// metadata (KIP-447: member id, generation, group.instance.id).
    TxnOffsetCommit {
        producer: u32,
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        group: u32,
        member_id: String,
        generation: u32,
        instance_id: Option<String>,
        offsets: Vec<(TopicPartitionId, u64)>,
    },
    TxnOffsetCommitResponse {
        error: Option<GroupError>,
        /// The producer itself is refused (fenced, unknown transaction).
        producer_error: Option<KafkaError>,
    },
    /// Which broker coordinates `group` (sent to any live broker: Kafka's least loaded node).
    FindCoordinator {
        group: u32,
        consumer: u32,
    },
    /// The leader of the group's `__consumer_offsets` partition as the broker's metadata has
    /// it (`None`: COORDINATOR_NOT_AVAILABLE, no leader).
    FindCoordinatorResponse {
        group: u32,
        coordinator: Option<u32>,
    },
}

/// One member as the group leader receives it in its JoinGroup response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinedMember {
    pub consumer: u32,
    pub member_id: String,
    pub instance_id: Option<String>,
    pub metadata: crate::net::JoinMetadata,
}

/// Group coordinator errors (Kafka's `Errors` names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum GroupError {
    /// The group is rebalancing: rejoin.
    RebalanceInProgress,
    /// The coordinator does not know the member (it expired or left): rejoin as new.
    UnknownMemberId,
    /// The member's generation is not the group's.
    IllegalGeneration,
    /// No assignor common to every member (`INCONSISTENT_GROUP_PROTOCOL`).
    InconsistentGroupProtocol,
    /// Another process took over this group.instance.id.
    FencedInstanceId,
    /// The broker does not coordinate this group (any more): find the coordinator again.
    NotCoordinator,
    /// The group's `__consumer_offsets` partition has no leader.
    CoordinatorNotAvailable,
    /// A transactional offset commit of the partition is pending (KIP-447): retry.
    UnstableOffsetCommit,
}

impl GroupError {
    pub fn name(self) -> &'static str {
        match self {
            GroupError::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            GroupError::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            GroupError::IllegalGeneration => "ILLEGAL_GENERATION",
            GroupError::InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL",
            GroupError::FencedInstanceId => "FENCED_INSTANCE_ID",
            GroupError::NotCoordinator => "NOT_COORDINATOR",
            GroupError::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            GroupError::UnstableOffsetCommit => "UNSTABLE_OFFSET_COMMIT",
        }
    }
}

/// The kind of a message, for the renderer and the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum MessageKind {
    Produce,
    ProduceResponse,
    ReplicaFetch,
    ReplicaFetchResponse,
    ConsumerFetch,
    ConsumerFetchResponse,
    ListOffsets,
    ListOffsetsResponse,
    JoinGroup,
    JoinGroupResponse,
    SyncGroup,
    SyncGroupResponse,
    OffsetFetch,
    OffsetFetchResponse,
    OffsetCommit,
    OffsetCommitResponse,
    Heartbeat,
    HeartbeatResponse,
    LeaveGroup,
    LeaveGroupResponse,
    InitProducerId,
    InitProducerIdResponse,
    AddPartitionsToTxn,
    AddPartitionsToTxnResponse,
    EndTxn,
    EndTxnResponse,
    WriteTxnMarkers,
    WriteTxnMarkersResponse,
    FindCoordinator,
    FindCoordinatorResponse,
    AddOffsetsToTxn,
    AddOffsetsToTxnResponse,
    TxnOffsetCommit,
    TxnOffsetCommitResponse,
}

impl Body {
    pub fn kind(&self) -> MessageKind {
        match self {
            Body::Produce { .. } => MessageKind::Produce,
            Body::ProduceResponse { .. } => MessageKind::ProduceResponse,
            Body::ReplicaFetch { .. } => MessageKind::ReplicaFetch,
            Body::ReplicaFetchResponse { .. } => MessageKind::ReplicaFetchResponse,
            Body::ConsumerFetch { .. } => MessageKind::ConsumerFetch,
            Body::ConsumerFetchResponse { .. } => MessageKind::ConsumerFetchResponse,
            Body::ListOffsets { .. } => MessageKind::ListOffsets,
            Body::ListOffsetsResponse { .. } => MessageKind::ListOffsetsResponse,
            Body::JoinGroup { .. } => MessageKind::JoinGroup,
            Body::JoinGroupResponse { .. } => MessageKind::JoinGroupResponse,
            Body::SyncGroup { .. } => MessageKind::SyncGroup,
            Body::SyncGroupResponse { .. } => MessageKind::SyncGroupResponse,
            Body::OffsetFetch { .. } => MessageKind::OffsetFetch,
            Body::OffsetFetchResponse { .. } => MessageKind::OffsetFetchResponse,
            Body::OffsetCommit { .. } => MessageKind::OffsetCommit,
            Body::OffsetCommitResponse { .. } => MessageKind::OffsetCommitResponse,
            Body::Heartbeat { .. } => MessageKind::Heartbeat,
            Body::HeartbeatResponse { .. } => MessageKind::HeartbeatResponse,
            Body::LeaveGroup { .. } => MessageKind::LeaveGroup,
            Body::LeaveGroupResponse => MessageKind::LeaveGroupResponse,
            Body::InitProducerId { .. } => MessageKind::InitProducerId,
            Body::InitProducerIdResponse { .. } => MessageKind::InitProducerIdResponse,
            Body::AddPartitionsToTxn { .. } => MessageKind::AddPartitionsToTxn,
            Body::AddPartitionsToTxnResponse { .. } => MessageKind::AddPartitionsToTxnResponse,
            Body::VerifyPartitionsInTxn { .. } => MessageKind::AddPartitionsToTxn,
            Body::VerifyPartitionsInTxnResponse { .. } => MessageKind::AddPartitionsToTxnResponse,
            Body::EndTxn { .. } => MessageKind::EndTxn,
            Body::EndTxnResponse { .. } => MessageKind::EndTxnResponse,
            Body::WriteTxnMarkers { .. } => MessageKind::WriteTxnMarkers,
            Body::WriteTxnMarkersResponse { .. } => MessageKind::WriteTxnMarkersResponse,
            Body::FindCoordinator { .. } => MessageKind::FindCoordinator,
            Body::FindCoordinatorResponse { .. } => MessageKind::FindCoordinatorResponse,
            Body::AddOffsetsToTxn { .. } => MessageKind::AddOffsetsToTxn,
            Body::AddOffsetsToTxnResponse { .. } => MessageKind::AddOffsetsToTxnResponse,
            Body::TxnOffsetCommit { .. } => MessageKind::TxnOffsetCommit,
            Body::TxnOffsetCommitResponse { .. } => MessageKind::TxnOffsetCommitResponse,
        }
    }

    /// Records the message carries (for drawing and counting).
    pub fn record_count(&self) -> u32 {
        match self {
            Body::Produce { batches, .. } => {
                batches.iter().map(|(_, b)| b.records.len() as u32).sum()
            }
            Body::ReplicaFetchResponse { parts } | Body::ConsumerFetchResponse { parts } => {
                parts.iter().map(|p| p.entries.len() as u32).sum()
            }
            _ => 0,
        }
    }
}

/// The fields of a FetchRequest that decide how its leader answers, as Kafka's FetchRequest
/// carries them: how long it may wait (`max_wait_ms`) for how much (`min_bytes`), at most how
/// much per partition (`partition_max_bytes`), and up to where (`isolation_level`: the high
/// watermark, or the last stable offset under read_committed). A follower's fetch reads to the
/// log end whatever its isolation level says (Kafka's replicas fetch with `FetchIsolation.LOG_END`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchParams {
    pub max_wait_ms: u64,
    pub min_bytes: u64,
    pub partition_max_bytes: u64,
    pub isolation_level: crate::config::IsolationLevel,
}

/// Which offset a ListOffsets asks of a partition: Kafka's special timestamps
/// `EARLIEST_TIMESTAMP` (-2) and `LATEST_TIMESTAMP` (-1), chosen by `auto.offset.reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetSpec {
    Earliest,
    Latest,
}

/// One partition's answer to a ListOffsets: the offset, or the partition's error
/// (NOT_LEADER_OR_FOLLOWER from a broker that does not lead it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListedOffset {
    pub tp: TopicPartitionId,
    pub offset: Result<u64, KafkaError>,
}

/// A message in flight.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub id: u64,
    pub from: Node,
    pub to: Node,
    pub sent_at: SimTime,
    pub deliver_at: SimTime,
    pub body: Body,
}

/// A short label of a message for views (`Produce(3 batches)`).
pub fn label(m: &Message) -> String {
    alloc::format!("{:?}", m.body.kind())
}

/// What a member sends in JoinGroup besides its ids (`ConsumerProtocolSubscription` plus the
/// sticky assignors' userData).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JoinMetadata {
    /// `ownedPartitions`: what the member holds now (empty for eager members, which revoked).
    pub owned: Vec<TopicPartitionId>,
    /// `generationId` with the owned partitions (`None`: Kafka's -1).
    pub owned_generation: Option<u32>,
    /// `StickyAssignor` userData: the last assignment received and its generation.
    pub previous: Vec<TopicPartitionId>,
    pub previous_generation: Option<u32>,
}
