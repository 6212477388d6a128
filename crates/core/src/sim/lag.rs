//! The lag sampler: every `consumer::lag::LAG_SAMPLE_INTERVAL_US` of simulated time it records
//! each running consumer's lag and each group's lag into their fixed-size rings (see
//! `consumer::lag`). A sample is not a trace event (it changes nothing Kafka would see), so
//! the trace and its hash are the same with or without it; its cost is per sample
//! (consumers x partitions every 100 ms), never per event.

use super::{Pending, Sim};
use crate::consumer::lag::{GroupLagSample, LagSample, LAG_SAMPLE_INTERVAL_US};
use crate::event::Event;
use crate::net::TopicPartitionId;
use alloc::vec::Vec;

impl Sim {
    /// Starts the sampler if it is not running and some group exists.
    pub(crate) fn start_lag_sampler(&mut self) {
        if !self.lag_sampling && !self.groups().is_empty() {
            self.lag_sampling = true;
            let at = self.now.plus(LAG_SAMPLE_INTERVAL_US);
            self.schedule(at, Pending::LagSample);
        }
    }

    /// Takes one sample of every running consumer and every group, then schedules the next.
    pub(crate) fn on_lag_sample(&mut self) -> Option<Event> {
        let now = self.now;
        let t = now.micros();
        for c in 0..self.consumers.len() {
            let cons = &self.consumers[c];
            if !cons.alive {
                continue;
            }
            let mut s = LagSample {
                time_us: t,
                ..LagSample::default()
            };
            for tp in &cons.assignment {
                let p = self.partition(*tp).expect(
                    "a consumer is assigned partitions of the world (partitions are only added)",
                );
                let hw = p.high_watermark();
                if let Some(&pos) = cons.positions.get(tp) {
                    let lag = hw.saturating_sub(pos);
                    s.lag += lag;
                    s.lag_max = s.lag_max.max(lag);
                }
                let start = p.leader_replica().map_or(0, |r| r.log.log_start_offset());
                let committed = cons.committed.get(tp).copied().unwrap_or(start);
                s.committed_lag += hw.saturating_sub(committed);
            }
            self.consumers[c].lag_history.push(s);
        }
        for g in 0..self.groups().len() {
            let sample = self.group_lag_sample(g as u32, t);
            self.group_coordinators.groups[g].lag_history.push(sample);
        }
        self.schedule(now.plus(LAG_SAMPLE_INTERVAL_US), Pending::LagSample);
        None
    }

    /// The partitions of a group's topics, topics in subscription order.
    pub(crate) fn group_partitions(&self, group: u32) -> Vec<TopicPartitionId> {
        let gc =
            self.config.groups.get(group as usize).expect(
                "group_partitions is asked about a group of the world (groups are only added)",
            );
        gc.topics
            .iter()
            .filter_map(|name| self.topics.iter().position(|t| &t.name == name))
            .flat_map(|ti| {
                let n = self.topics[ti].partitions.len() as u32;
                (0..n).map(move |p| TopicPartitionId {
                    topic: ti as u32,
                    partition: p,
                })
            })
            .collect()
    }

    pub(crate) fn group_lag_sample(&self, group: u32, t: u64) -> GroupLagSample {
        let mut s = GroupLagSample {
            time_us: t,
            ..GroupLagSample::default()
        };
        let g = self
            .groups()
            .get(group as usize)
            .expect("a lag sample is taken of a group of the world (groups are only added)");
        for tp in self.group_partitions(group) {
            let p = self
                .partition(tp)
                .expect("group_partitions names partitions of the world");
            let hw = p.high_watermark();
            let start = p.leader_replica().map_or(0, |r| r.log.log_start_offset());
            let committed_lag = hw.saturating_sub(g.committed.get(&tp).copied().unwrap_or(start));
            let position = self
                .consumers
                .iter()
                .filter(|c| c.group == group && c.alive && c.assignment.contains(&tp))
                .find_map(|c| c.positions.get(&tp).copied());
            let lag = position.map_or(committed_lag, |pos| hw.saturating_sub(pos));
            s.lag += lag;
            s.committed_lag += committed_lag;
            s.partitions.push((lag, committed_lag));
        }
        s
    }
}
