//! What a producer's batches were answered with when they failed or were refused, kept for
//! the page: the last error (Kafka's name, the partition, when, whether the batch is retried)
//! and counts, per partition for the refusals a leader answered in a ProduceResponse. Kafka's
//! `Sender` logs each ("Got error produce response ... retrying") and the record's callback
//! gets the exception; `record-error-rate` counts the records that failed for good.

use crate::net::KafkaError;
use crate::time::SimTime;
use alloc::vec::Vec;

/// One error a batch of the producer got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProduceError {
    pub error: KafkaError,
    pub partition: u32,
    pub at: SimTime,
    /// The batch is sent again (a retriable error with retries and delivery.timeout.ms left).
    pub retried: bool,
}

/// The refusals of one partition a leader answered this producer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PartitionRefusals {
    /// Batches refused.
    pub count: u64,
    pub last: KafkaError,
    pub at: SimTime,
}

/// A producer's errors so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ProduceErrors {
    /// Batch errors, retried or final (a leader's refusal, a timeout, a closed connection,
    /// an aborted transaction).
    pub count: u64,
    pub last: Option<ProduceError>,
    /// Per partition of its topic: what its leader refused (`None`: nothing yet).
    pub refused: Vec<Option<PartitionRefusals>>,
}

impl ProduceErrors {
    /// A batch of `partition` got `error`.
    pub(crate) fn note(&mut self, partition: u32, error: KafkaError, at: SimTime, retried: bool) {
        self.count += 1;
        self.last = Some(ProduceError {
            error,
            partition,
            at,
            retried,
        });
    }

    /// The leader of `partition` answered its batch with `error`.
    pub(crate) fn refused_at(&mut self, partition: u32, error: KafkaError, at: SimTime) {
        let i = partition as usize;
        if self.refused.len() <= i {
            self.refused.resize(i + 1, None);
        }
        let count = self.refused[i].map_or(0, |r| r.count) + 1;
        self.refused[i] = Some(PartitionRefusals {
            count,
            last: error,
            at,
        });
    }
}
