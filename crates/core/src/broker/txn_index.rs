//! A partition leader's record of transactions in its log, as `ProducerStateManager` keeps it:
//! ongoing transactions by first offset (which hold the last stable offset back), the aborted
//! transaction index a read_committed fetch returns, the latest producer epoch per producer
//! id; and a transaction marker waiting to be replicated before its answer.

use crate::net::TopicPartitionId;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// Open and aborted transactions of one partition, read from its leader's log (as
/// `ProducerStateManager` keeps them: ongoing transactions by first offset, and the aborted
/// transaction index).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionTxns {
    /// The leader and leader epoch whose log was read.
    pub(crate) leader: Option<(u32, u32)>,
    pub(crate) read_to: u64,
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
