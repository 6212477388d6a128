//! Consumer instances coming and going: creating a member (it joins its group), and the live
//! changes of group membership: add a consumer, close one (`KafkaConsumer.close()`: commit,
//! then LeaveGroup), crash one (silent: the coordinator notices after session.timeout.ms),
//! restart a crashed one (a static member within the session timeout gets its assignment
//! back with no rebalance), slow one down (per-record processing time, so that
//! max.poll.interval.ms can run out), and add a whole group.
//!
//! Simplified: a crashed consumer's slot restarts as the same application instance (same
//! `client.id` and `group.instance.id`, a new member id); a closed static member sends no
//! LeaveGroup, as Kafka's `close()` does by default.

use super::Sim;
use crate::config::settings::consumer::PARTITION_ASSIGNMENT_STRATEGY;
use crate::config::settings::sim;
use crate::config::{ConfigError, ConsumerConfig, GroupConfig, Setting, StrategyList};
use crate::consumer::group::{coordinator_partition, Group};
use crate::consumer::{Consumer, MemberState};
use crate::net::Body;
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Most consumers the simulator runs (all groups together).
pub const MAX_CONSUMERS: usize = 256;
/// Most consumer groups.
pub const MAX_GROUPS: usize = 16;
/// Longest per-record processing time a consumer can be given (10 s).
pub const MAX_PROCESSING_US: u64 = 10_000_000;

impl Sim {
    /// The coordinator group for `group_id` (its `__consumer_offsets` partition's leader).
    pub(crate) fn new_group(&self, index: u32, group_id: &str) -> Group {
        let parts = self.config.broker.offsets_topic_num_partitions.value;
        let offsets_partition = coordinator_partition(group_id, parts);
        let coordinator = self.offsets_leader(offsets_partition).unwrap_or(0);
        Group::new(
            index,
            String::from(group_id),
            offsets_partition,
            coordinator,
        )
    }

    /// Starts a consumer instance in `group`; it joins at once.
    pub(crate) fn create_consumer(&mut self, group: u32, strategies: Option<StrategyList>) -> u32 {
        let index = self.consumers.len() as u32;
        let member_no = self.consumers.iter().filter(|c| c.group == group).count() + 1;
        let gid = self.groups()[group as usize].group_id.clone();
        let cc = &self.config.groups[group as usize].consumer;
        let instance_id = cc
            .static_members
            .value
            .then(|| format!("{gid}-instance-{member_no}"));
        let hb = cc.heartbeat_interval_ms.value * 1000;
        let c = Consumer {
            index,
            group,
            client_id: format!("consumer-{gid}-{member_no}"),
            member_id: String::new(),
            state: MemberState::Joining,
            generation: 0,
            assignment: Vec::new(),
            positions: BTreeMap::new(),
            resets: BTreeMap::new(),
            reset_wakeup: None,
            committed: BTreeMap::new(),
            buffer: alloc::collections::VecDeque::new(),
            fetch_in_flight: alloc::vec![false; self.brokers.len()],
            fetch_sent_at: alloc::vec![SimTime::ZERO; self.brokers.len()],
            busy_until: None,
            next_heartbeat: self.now.plus(hb.max(1)),
            next_auto_commit: SimTime::ZERO,
            records_consumed: 0,
            records_lag_max: 0,
            instance_id,
            strategies: strategies.unwrap_or(cc.partition_assignment_strategy.value),
            alive: true,
            closed: false,
            rejoin_requested: false,
            last_poll: self.now,
            processing_us: None,
            previous: Vec::new(),
            previous_generation: None,
            uncommitted_poll: false,
            commit_sync_wait: None,
            commit_sync_deadline: SimTime::ZERO,
            pending_assignment: None,
            next_request_id: 0,
            coordinator: None,
            find_coordinator_sent: None,
            coordinator_requests: Vec::new(),
            lag_history: crate::consumer::lag::Ring::new(crate::consumer::lag::LAG_HISTORY_SAMPLES),
            metrics: Default::default(),
        };
        let first_timer = c.next_heartbeat;
        self.consumers.push(c);
        self.schedule(
            first_timer,
            super::Pending::ConsumerTimer { consumer: index },
        );
        // FindCoordinator first; the JoinGroup follows its answer.
        self.find_coordinator(index);
        index
    }

    /// Consumer instance `consumer`, or an error naming the valid range.
    pub(crate) fn consumer_at(&self, consumer: u32) -> Result<&Consumer, ConfigError> {
        let n = self.consumers.len();
        self.consumers.get(consumer as usize).ok_or_else(|| {
            ConfigError::new(
                "consumer",
                format!(
                    "{consumer} is out of range: consumers are 0 to {}",
                    n.saturating_sub(1)
                ),
            )
        })
    }

    pub(crate) fn running_consumer(&self, consumer: u32) -> Result<&Consumer, ConfigError> {
        let c = self.consumer_at(consumer)?;
        if !c.alive {
            return Err(ConfigError::new(
                "consumer",
                format!("consumer {consumer} is not running"),
            ));
        }
        Ok(c)
    }

    /// `Change::AddConsumer`: a new instance joins `group` (a rebalance follows), with its own
    /// `partition.assignment.strategy` if given.
    pub(crate) fn add_consumer(
        &mut self,
        group: u32,
        strategy: Option<&str>,
    ) -> Result<(), ConfigError> {
        let n = self.groups().len();
        let g = self.groups().get(group as usize).ok_or_else(|| {
            ConfigError::new(
                "group",
                format!(
                    "{group} is out of range: groups are 0 to {}",
                    n.saturating_sub(1)
                ),
            )
        })?;
        if self.consumers.len() >= MAX_CONSUMERS {
            return Err(ConfigError::new(
                "consumer",
                format!("at most {MAX_CONSUMERS} consumers can run"),
            ));
        }
        let strategies = match strategy {
            Some(raw) => Some(
                StrategyList::parse(raw)
                    .map_err(|m| ConfigError::new(PARTITION_ASSIGNMENT_STRATEGY.name, m))?,
            ),
            None => None,
        };
        let list = strategies.unwrap_or(
            self.config.groups[group as usize]
                .consumer
                .partition_assignment_strategy
                .value,
        );
        if !g.supports_protocols(&list) {
            return Err(ConfigError::new(
                PARTITION_ASSIGNMENT_STRATEGY.name,
                format!(
                    "{} shares no assignor with the members of group '{}' ({}): Kafka's coordinator would refuse the join (INCONSISTENT_GROUP_PROTOCOL)",
                    list.display(),
                    g.group_id,
                    g.candidate_protocols()
                        .iter()
                        .map(|k| k.name())
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            ));
        }
        self.create_consumer(group, strategies);
        Ok(())
    }

    /// `Change::RemoveConsumer`: `close()`: commit the consumed positions (auto-commit on),
    /// send LeaveGroup (dynamic members), stop. A crashed consumer is just forgotten.
    pub(crate) fn remove_consumer(&mut self, consumer: u32) -> Result<(), ConfigError> {
        let c = self.consumer_at(consumer)?;
        if c.closed {
            return Err(ConfigError::new(
                "consumer",
                format!("consumer {consumer} is already closed"),
            ));
        }
        if c.alive && c.is_member() && c.state != MemberState::Joining {
            let auto = self.config.groups[c.group as usize]
                .consumer
                .enable_auto_commit
                .value;
            if auto && !c.positions.is_empty() {
                self.send_commit(consumer);
            }
        }
        let c = &self.consumers[consumer as usize];
        if c.alive && c.instance_id.is_none() && !c.member_id.is_empty() {
            let body = Body::LeaveGroup {
                group: c.group,
                member: consumer,
                member_id: c.member_id.clone(),
            };
            self.send_to_coordinator(consumer, body);
        }
        self.stop_consumer(consumer);
        self.consumers[consumer as usize].closed = true;
        Ok(())
    }

    /// `Change::CrashConsumer`: the process dies; nothing is sent.
    pub(crate) fn crash_consumer(&mut self, consumer: u32) -> Result<(), ConfigError> {
        self.running_consumer(consumer)?;
        self.stop_consumer(consumer);
        Ok(())
    }

    pub(crate) fn stop_consumer(&mut self, consumer: u32) {
        let c = &mut self.consumers[consumer as usize];
        c.alive = false;
        c.state = MemberState::Stopped;
        c.assignment.clear();
        c.positions.clear();
        c.resets.clear();
        c.buffer.clear();
        c.busy_until = None;
        c.commit_sync_wait = None;
        c.pending_assignment = None;
        c.uncommitted_poll = false;
        c.rejoin_requested = false;
        for f in &mut c.fetch_in_flight {
            *f = false;
        }
    }

    /// `Change::RestartConsumer`: a crashed instance starts again (same client.id and
    /// group.instance.id, a new member id) and joins.
    pub(crate) fn restart_consumer(&mut self, consumer: u32) -> Result<(), ConfigError> {
        let c = self.consumer_at(consumer)?;
        if c.alive || c.closed {
            return Err(ConfigError::new(
                "consumer",
                format!("consumer {consumer} is not crashed (only a crashed consumer restarts)"),
            ));
        }
        let now = self.now;
        let c = &mut self.consumers[consumer as usize];
        c.alive = true;
        c.member_id.clear();
        c.generation = 0;
        c.committed.clear();
        c.previous.clear();
        c.previous_generation = None;
        c.last_poll = now;
        c.state = MemberState::Joining;
        c.coordinator = None;
        c.find_coordinator_sent = None;
        c.coordinator_requests.clear();
        // A new process: its metrics start afresh.
        c.metrics = Default::default();
        self.find_coordinator(consumer);
        Ok(())
    }

    /// `Change::SlowConsumer`: this instance's processing time per record from now on.
    pub(crate) fn slow_consumer(
        &mut self,
        consumer: u32,
        per_record_us: u64,
    ) -> Result<(), ConfigError> {
        self.consumer_at(consumer)?;
        if per_record_us > MAX_PROCESSING_US {
            return Err(ConfigError::new(
                sim::CONSUMER_PROCESSING.name,
                format!(
                    "{per_record_us}us is out of range: expected 0us to {MAX_PROCESSING_US}us per record"
                ),
            ));
        }
        self.consumers[consumer as usize].processing_us = Some(per_record_us);
        Ok(())
    }

    /// `Change::AddGroup`: a new consumer group on existing topics, with its own committed
    /// offsets; its consumer settings are the first group's (Kafka's defaults if none).
    pub(crate) fn add_group(
        &mut self,
        group_id: &str,
        topics: &[String],
        consumers: u32,
    ) -> Result<(), ConfigError> {
        let id = group_id.trim();
        if id.is_empty() {
            return Err(ConfigError::new("group.id", "must not be empty"));
        }
        if self.groups().iter().any(|g| g.group_id == id) {
            return Err(ConfigError::new(
                "group.id",
                format!("group '{id}' exists already: group ids are unique"),
            ));
        }
        if self.groups().len() >= MAX_GROUPS {
            return Err(ConfigError::new(
                "group.id",
                format!("at most {MAX_GROUPS} groups can run"),
            ));
        }
        if topics.is_empty() {
            return Err(ConfigError::new(
                "group.topics",
                "subscribe to at least one topic",
            ));
        }
        for t in topics {
            if !self.topics.iter().any(|x| &x.name == t) {
                let names: Vec<&str> = self.topics.iter().map(|x| x.name.as_str()).collect();
                return Err(ConfigError::new(
                    "group.topics",
                    format!("unknown topic '{t}': topics are {}", names.join(", ")),
                ));
            }
        }
        if consumers > 64 || self.consumers.len() + consumers as usize > MAX_CONSUMERS {
            return Err(ConfigError::new(
                sim::CONSUMERS.name,
                format!(
                    "{consumers} is out of range: expected 0 to 64 (and at most {MAX_CONSUMERS} consumers in all)"
                ),
            ));
        }
        let consumer = self
            .config
            .groups
            .first()
            .map_or_else(ConsumerConfig::kafka_default, |g| g.consumer.clone());
        self.config.groups.push(GroupConfig {
            group_id: String::from(id),
            topics: topics.to_vec(),
            consumers: Setting::default(consumers),
            consumer,
        });
        let index = self.groups().len() as u32;
        let g = self.new_group(index, id);
        self.group_coordinators.groups.push(g);
        for _ in 0..consumers {
            self.create_consumer(index, None);
        }
        self.start_lag_sampler();
        Ok(())
    }
}
