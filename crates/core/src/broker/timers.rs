//! The brokers' own timers: background tasks (ISR expiration, log retention) and the
//! fetch and produce purgatories' expiry, as the engine queues them (`Pending::Broker`).

use crate::net::TopicPartitionId;

/// Timers of the brokers' own background work and purgatories, dispatched by
/// `Sim::on_broker_timer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BrokerTimer {
    /// `ReplicaManager`'s "isr-expiration" task (every replica.lag.time.max.ms / 2).
    IsrExpiration,
    /// The controller commits a follower's removal from an ISR.
    IsrShrink { tp: TopicPartitionId, broker: u32 },
    /// The controller commits a follower's return to an ISR.
    IsrExpand { tp: TopicPartitionId, broker: u32 },
    /// A parked `DelayedFetch` reaches its `max_wait_ms`.
    FetchExpire { fetch_id: u64 },
    /// An acks=all `DelayedProduce` reaches the request's timeout (the producer's
    /// request.timeout.ms, carried in the request).
    ProduceExpire { producer: u32, request_id: u64 },
    /// A transactional produce held for the coordinator's verification got no answer within
    /// the inter-broker request.timeout.ms.
    VerificationTimeout { verification: u64 },
    /// `LogManager`'s "kafka-log-retention" task (every log.retention.check.interval.ms).
    RetentionCheck,
}
