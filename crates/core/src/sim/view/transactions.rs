//! The answers the page's transaction view asks of the core: whether the world has
//! transactions at all, which producer instance an application drives and which Running
//! instances are zombies, where a consumer's fetch ends and whether a read_committed consumer
//! waits at the last stable offset (LSO), what holds a partition's LSO below its high
//! watermark, which partitions are in an open transaction and which brokers coordinate one.

use super::is_processor_producer;
use crate::coordinator::txn::state::TxnMetadata;
use crate::coordinator::txn::state::TxnState;
use crate::net::{Node, TopicPartitionId};
use crate::producer::{Producer, ProducerState};
use crate::sim::Sim;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;

impl TxnState {
    /// Whether a transaction in this state is still open (not completed at its coordinator).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            TxnState::Ongoing | TxnState::PrepareCommit | TxnState::PrepareAbort
        )
    }

    /// Whether the coordinator's metadata in this state names the transaction's partitions
    /// (every state but Empty: from Ongoing until the next transaction begins).
    pub fn names_partitions(self) -> bool {
        self != TxnState::Empty
    }
}

impl Sim {
    /// The producer instance application `app` currently drives (after a restart or a
    /// zombie, the newest one); `None` for an unknown application.
    pub fn app_instance(&self, app: u32) -> Option<u32> {
        self.app_producer.get(app as usize).copied()
    }

    /// The running producer of application `app`: the instance it drives when that one runs
    /// (not a zombie sharing its transactional.id), else the first running instance that is
    /// not a pipeline processor's.
    pub fn running_app_producer(&self, app: u32) -> Option<&Producer> {
        let current = self
            .app_instance(app)
            .and_then(|i| self.producers.iter().find(|p| p.index == i))
            .filter(|p| p.state == ProducerState::Running);
        current.or_else(|| {
            self.producers
                .iter()
                .find(|p| p.state == ProducerState::Running && !is_processor_producer(p))
        })
    }

    /// Whether this world has transactions: a transactional producer, or a transactional.id
    /// its coordinator knows.
    pub fn has_transactions(&self) -> bool {
        self.producers.iter().any(|p| p.txn.is_some()) || self.transactions().next().is_some()
    }

    /// A Running instance that its application no longer drives (a zombie: a newer instance
    /// shares its transactional.id). A pipeline processor's producer is never the
    /// application's zombie.
    pub fn is_zombie(&self, p: &Producer) -> bool {
        p.state == ProducerState::Running
            && self.app_instance(p.app) != Some(p.index)
            && !is_processor_producer(p)
    }

    /// The coordinator's metadata for a transactional.id.
    pub fn transaction_metadata(&self, transactional_id: &str) -> Option<&TxnMetadata> {
        self.transactions()
            .find(|m| m.transactional_id == transactional_id)
    }

    /// Whether consumer `consumer` reads with `isolation.level=read_committed`.
    pub fn consumer_read_committed(&self, consumer: u32) -> bool {
        self.read_committed(Node::Consumer(consumer))
    }

    /// Where a fetch of `tp` by consumer `consumer` ends now: the high watermark, or the last
    /// stable offset under read_committed (what its lag is measured to).
    pub fn consumer_fetch_limit(&self, consumer: u32, tp: TopicPartitionId) -> u64 {
        self.consumer_fetch_end(Node::Consumer(consumer), tp)
    }

    /// A read_committed consumer at `position` of `tp` that has reached the LSO while an open
    /// transaction holds the LSO below the high watermark: it waits for the commit or abort.
    pub fn consumer_waits_at_lso(
        &self,
        consumer: u32,
        tp: TopicPartitionId,
        position: u64,
    ) -> bool {
        if !self.has_transactions() || self.partition(tp).is_none() {
            return false;
        }
        let lso = self.last_stable_offset(tp);
        let hw = self.partition(tp).map_or(0, |p| p.high_watermark());
        self.consumer_read_committed(consumer) && position >= lso && lso < hw
    }

    /// The first offset of the earliest transaction open at `tp`'s leader.
    pub fn first_open_offset(&self, tp: TopicPartitionId) -> Option<u64> {
        self.partition_transactions(tp)
            .and_then(|t| t.ongoing.values().min().copied())
    }

    /// What holds `tp`'s LSO below its high watermark: the earliest open transaction's
    /// producer id and first offset (`None` when the LSO is the high watermark).
    pub fn lso_holder(&self, tp: TopicPartitionId) -> Option<(i64, u64)> {
        let lso = self.last_stable_offset(tp);
        let hw = self.partition(tp).map_or(0, |p| p.high_watermark());
        let txns = self.partition_transactions(tp)?;
        let (pid, first) = txns.ongoing.iter().min_by_key(|(_, o)| **o)?;
        (lso < hw).then_some((*pid, *first))
    }

    /// The partitions in a transaction its coordinator has not completed, in order.
    pub fn partitions_in_open_transactions(&self) -> Vec<TopicPartitionId> {
        let open: BTreeSet<TopicPartitionId> = self
            .transactions()
            .filter(|m| m.state.is_open())
            .flat_map(|m| m.partitions.iter().copied())
            .collect();
        open.into_iter().collect()
    }

    /// Whether broker `b` coordinates some transactional.id (leads its `__transaction_state`
    /// partition, as the coordinator or a transactional producer knows it).
    pub fn is_txn_coordinator(&self, b: u32) -> bool {
        self.transactions().any(|m| m.coordinator == b)
            || self
                .producers
                .iter()
                .filter_map(|p| p.txn.as_ref())
                .any(|t| t.coordinator == b)
    }
}
