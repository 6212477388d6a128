//! Lag as the page shows it: per assigned partition, to where the consumer's fetch ends now
//! (the high watermark, or the last stable offset under read_committed); the total over every
//! consumer; and a group lag sample's records-lag-max.

use crate::consumer::lag::GroupLagSample;
use crate::consumer::Consumer;
use crate::net::TopicPartitionId;
use crate::sim::Sim;

impl Sim {
    /// Consumer `consumer`'s lag on `tp`: where its fetch ends now minus its position (0
    /// without a position).
    pub fn consumer_partition_lag(&self, consumer: u32, tp: TopicPartitionId) -> u64 {
        self.consumers
            .get(consumer as usize)
            .map_or(0, |c| self.lag_of(c, tp))
    }

    /// The sum of every consumer's lag over its assigned partitions (what the summaries'
    /// `lag` add up to).
    pub fn consumer_lag_total(&self) -> u64 {
        self.consumers
            .iter()
            .flat_map(|c| c.assignment.iter().map(move |tp| self.lag_of(c, *tp)))
            .sum()
    }

    fn lag_of(&self, c: &Consumer, tp: TopicPartitionId) -> u64 {
        let position = c.positions.get(&tp).copied().unwrap_or(0);
        self.consumer_fetch_limit(c.index, tp)
            .saturating_sub(position)
    }
}

impl GroupLagSample {
    /// records-lag-max of the sample: its largest partition lag (0 without partitions).
    pub fn records_lag_max(&self) -> u64 {
        self.partitions.iter().map(|p| p.0).max().unwrap_or(0)
    }
}
