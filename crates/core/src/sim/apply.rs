//! Applying a live change (`Sim::apply`): a setting (validated against the whole config first;
//! a producer setting replaces the producer instance, as a Java application restarts its
//! `KafkaProducer`), or a change to the world; a refused change leaves the run as it was.

use super::Sim;
use crate::config::{Config, ConfigError};
use crate::sim::AppliedChange;
use crate::Change;
use alloc::vec::Vec;

/// Whether two producer configs differ in a setting Kafka fixes at construction.
pub(crate) fn producer_settings_differ(
    a: &crate::config::ProducerConfig,
    b: &crate::config::ProducerConfig,
) -> bool {
    let mut a2 = a.clone();
    a2.workload = b.workload.clone();
    a2 != *b
}

impl Sim {
    // ----- live changes -----

    /// Applies a live change. It is validated first; when invalid, the error names the field
    /// and the allowed range and the simulation is left exactly as it was. An applied change
    /// goes into the input log (`sim::input`) and the audit of changes.
    pub fn apply(&mut self, change: Change) -> Result<(), ConfigError> {
        self.apply_change(change.clone())?;
        self.log_input(crate::sim::input::Input::Change { change });
        Ok(())
    }

    /// Applies a change and records it in the audit of changes only: a live change, or one a
    /// scheduled fault makes by itself (not an input: replaying the fault makes it again).
    pub(crate) fn apply_change(&mut self, change: Change) -> Result<(), ConfigError> {
        match &change {
            Change::Set { name, value } => {
                let mut next = self.config.clone();
                next.set(name, value)?;
                next.validate()?;
                self.apply_config(next, name)?;
            }
            Change::CrashBroker { broker } => self.crash_broker(*broker)?,
            Change::KillBroker { broker } => self.kill_broker(*broker)?,
            Change::RestartBroker { broker } => self.restart_broker(*broker)?,
            Change::DropResponses { broker, on } => self.drop_responses(*broker, *on)?,
            Change::Link { a, b, fault, on } => self.set_link_fault(*a, *b, *fault, *on)?,
            Change::AddConsumer { group, strategy } => {
                self.add_consumer(*group, strategy.as_deref())?
            }
            Change::RemoveConsumer { consumer } => self.remove_consumer(*consumer)?,
            Change::CrashConsumer { consumer } => self.crash_consumer(*consumer)?,
            Change::RestartConsumer { consumer } => self.restart_consumer(*consumer)?,
            Change::SlowConsumer {
                consumer,
                per_record_us,
            } => self.slow_consumer(*consumer, *per_record_us)?,
            Change::AddGroup {
                group_id,
                topics,
                consumers,
            } => self.add_group(group_id, topics, *consumers)?,
            Change::BeginTransaction { producer } => self.txn_change(
                *producer,
                crate::client::producer::transaction::TxnCall::Begin,
            )?,
            Change::CommitTransaction { producer } => self.txn_change(
                *producer,
                crate::client::producer::transaction::TxnCall::Commit,
            )?,
            Change::AbortTransaction { producer } => self.txn_change(
                *producer,
                crate::client::producer::transaction::TxnCall::Abort,
            )?,
            Change::StartZombie { producer } => self.start_zombie(*producer)?,
            Change::CrashProcessor { processor } => self.crash_processor(*processor)?,
            Change::RestartProcessor {
                processor,
                new_transactional_id,
            } => self.restart_processor(*processor, *new_transactional_id)?,
        }
        self.changes.push(AppliedChange {
            at_event: self.events_processed,
            at_time: self.now,
            change,
        });
        Ok(())
    }

    pub(crate) fn apply_config(&mut self, next: Config, name: &str) -> Result<(), ConfigError> {
        let old = &self.config;
        let producer_changed = old
            .producers
            .iter()
            .zip(&next.producers)
            .any(|(a, b)| producer_settings_differ(a, b));
        let workload_changed = old
            .producers
            .iter()
            .zip(&next.producers)
            .any(|(a, b)| a.workload != b.workload);
        let grown = live_topic_changes(old, &next, name)?;
        self.check_new_replicas_placeable(&grown, name)?;
        self.config = next;
        for (topic, count) in grown {
            self.add_partitions(topic, count);
        }
        self.apply_producer_settings(producer_changed, workload_changed);
        Ok(())
    }

    /// The controller places new replicas on registered, unfenced brokers
    /// (`StripedReplicaPlacer`): fewer than the replication factor is refused.
    fn check_new_replicas_placeable(
        &self,
        grown: &[(u32, u32)],
        name: &str,
    ) -> Result<(), ConfigError> {
        let usable = self.brokers.iter().filter(|b| !b.fenced).count() as u32;
        for &(topic, _) in grown {
            let rf = self.topics[topic as usize]
                .partitions
                .first()
                .map_or(1, |p| p.replicas.len() as u32);
            if usable < rf {
                return Err(ConfigError::new(
                    name,
                    alloc::format!(
                        "Kafka refuses it now (InvalidReplicationFactorException): the target replication factor of {rf} cannot be reached because only {usable} broker(s) are registered; restart a broker first"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// New producer settings replace every producer instance (a restarted `KafkaProducer`); a
    /// new workload only is taken by the running instances; either way the applications
    /// resume sending under a new workload.
    fn apply_producer_settings(&mut self, producer_changed: bool, workload_changed: bool) {
        if producer_changed {
            for app in 0..self.config.producers.len() as u32 {
                self.restart_producer(app);
            }
        } else if workload_changed {
            for app in 0..self.config.producers.len() as u32 {
                let idx = self.app_producer[app as usize] as usize;
                self.producers[idx].config.workload =
                    self.config.producers[app as usize].workload.clone();
            }
        }
        if workload_changed {
            for app in 0..self.config.producers.len() as u32 {
                self.resume_sending(app);
            }
        }
    }
}

/// The topics grown from `old` to `next`, as (topic, new partition count): adding partitions
/// is the one topic change Kafka makes live (CreatePartitions); removing them, or changing any
/// other broker, topic, group or sim setting, is refused while the simulation runs.
fn live_topic_changes(
    old: &Config,
    next: &Config,
    name: &str,
) -> Result<Vec<(u32, u32)>, ConfigError> {
    let mut grown = Vec::new();
    let mut old_cmp = old.clone();
    old_cmp.broker.num_partitions = next.broker.num_partitions;
    for (i, (a, b)) in old.topics.iter().zip(&next.topics).enumerate() {
        if b.partitions.value < a.partitions.value {
            return Err(ConfigError::new(
                name,
                alloc::format!(
                    "topic '{}' has {} partitions: Kafka can add partitions but never remove them (InvalidPartitionsException); set at least {}",
                    a.name, a.partitions.value, a.partitions.value
                ),
            ));
        }
        if b.partitions.value > a.partitions.value {
            grown.push((i as u32, b.partitions.value));
        }
        old_cmp.topics[i].partitions = b.partitions;
    }
    let other_changed = old_cmp.sim != next.sim
        || old_cmp.broker != next.broker
        || old_cmp.topics != next.topics
        || old_cmp.groups != next.groups;
    if other_changed {
        return Err(ConfigError::new(
            name,
            "cannot change while the simulation runs yet: set it and reset the simulation",
        ));
    }
    Ok(grown)
}
