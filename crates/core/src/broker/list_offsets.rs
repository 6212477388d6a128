//! ListOffsets at a partition leader (`ReplicaManager.fetchOffset`, `Partition.fetchOffsetForTimestamp`):
//! a consumer resetting a position asks for the earliest offset (the log start offset) or the
//! latest (the high watermark, or the last stable offset under read_committed). A broker that
//! does not lead the partition answers NOT_LEADER_OR_FOLLOWER.
//!
//! Simplified: only the two special timestamps a reset uses (no lookup by timestamp, no
//! `MAX_TIMESTAMP`), and no OFFSET_NOT_AVAILABLE for a new leader whose high watermark is not
//! yet past its epoch's start offset (KIP-207).

use crate::broker::context::{partition, BrokerCtx};
use crate::broker::state::Brokers;
use crate::cluster::Topic;
use crate::config::IsolationLevel;
use crate::event::Delivery;
use crate::net::{Body, KafkaError, ListedOffset, Node, OffsetSpec, TopicPartitionId};
use alloc::vec::Vec;

impl Brokers {
    /// Broker `b` answers a consumer's ListOffsets.
    pub(crate) fn on_list_offsets(
        &mut self,
        ctx: &mut BrokerCtx,
        b: u32,
        consumer: u32,
        isolation_level: IsolationLevel,
        partitions: Vec<(TopicPartitionId, OffsetSpec)>,
    ) -> Delivery {
        let answers: Vec<ListedOffset> = partitions
            .iter()
            .map(|&(tp, spec)| ListedOffset {
                tp,
                offset: self.listed_offset(ctx.topics, b, isolation_level, tp, spec),
            })
            .collect();
        let found = answers.iter().filter(|a| a.offset.is_ok()).count() as u32;
        ctx.out.send(
            Node::Broker(b),
            Node::Consumer(consumer),
            Body::ListOffsetsResponse {
                partitions: answers,
            },
        );
        Delivery::OffsetsListed {
            found,
            failed: partitions.len() as u32 - found,
        }
    }

    fn listed_offset(
        &self,
        topics: &[Topic],
        b: u32,
        isolation_level: IsolationLevel,
        tp: TopicPartitionId,
        spec: OffsetSpec,
    ) -> Result<u64, KafkaError> {
        let p = partition(topics, tp).ok_or(KafkaError::NotLeaderOrFollower)?;
        if p.leader != Some(b) {
            return Err(KafkaError::NotLeaderOrFollower);
        }
        let leader = p.leader_replica().ok_or(KafkaError::NotLeaderOrFollower)?;
        Ok(match (spec, isolation_level) {
            (OffsetSpec::Earliest, _) => leader.log.log_start_offset(),
            (OffsetSpec::Latest, IsolationLevel::ReadUncommitted) => leader.high_watermark,
            (OffsetSpec::Latest, IsolationLevel::ReadCommitted) => {
                self.last_stable_offset(topics, tp)
            }
        })
    }
}
