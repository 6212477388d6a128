//! The cross-field rules Kafka enforces when a client or topic is created (`ProducerConfig`'s
//! idempotence rules, a replication factor no larger than the cluster, `heartbeat.interval.ms`
//! below `session.timeout.ms`), and the simulator's own limits. Single-field ranges are the
//! settings registry's ([`super::settings`]).

use super::settings::{broker, consumer, producer, sim};
use super::{Acks, Config, ConfigError, ProducerConfig};
use alloc::string::String;

impl Config {
    /// Cross-field rules Kafka enforces (and the simulator's own limits).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let brokers = self.sim.brokers.value;
        if self.topics.is_empty() {
            return Err(ConfigError::new("topics", "at least one topic is needed"));
        }
        for t in &self.topics {
            let rf = t.replication_factor.value;
            if rf == 0 || rf > brokers {
                let name = if t.replication_factor.explicit {
                    broker::REPLICATION_FACTOR.name
                } else {
                    broker::DEFAULT_REPLICATION_FACTOR.name
                };
                return Err(ConfigError::new(
                    name,
                    alloc::format!(
                        "{rf} for topic '{}' is out of range: must be between 1 and sim.brokers ({brokers}); Kafka refuses a replication factor larger than the number of brokers",
                        t.name
                    ),
                ));
            }
        }
        for p in &self.producers {
            if !self.topics.iter().any(|t| t.name == p.topic) {
                return Err(ConfigError::new(
                    "topic",
                    alloc::format!(
                        "producer '{}' writes to unknown topic '{}'",
                        p.client_id,
                        p.topic
                    ),
                ));
            }
            validate_producer(p)?;
            let parts = self
                .topics
                .iter()
                .find(|t| t.name == p.topic)
                .map_or(0, |t| t.partitions.value);
            if let Some(ep) = p.workload.explicit_partition.value {
                if ep >= parts {
                    return Err(ConfigError::new(
                        sim::PARTITION.name,
                        alloc::format!("{ep} is out of range: topic '{}' has partitions 0 to {} (or -1: let the partitioner choose)", p.topic, parts.saturating_sub(1)),
                    ));
                }
            }
        }
        for g in &self.groups {
            for t in &g.topics {
                if !self.topics.iter().any(|x| &x.name == t) {
                    return Err(ConfigError::new(
                        "group.topics",
                        alloc::format!("group '{}' subscribes to unknown topic '{t}'", g.group_id),
                    ));
                }
            }
            let c = &g.consumer;
            if c.heartbeat_interval_ms.value >= c.session_timeout_ms.value {
                return Err(ConfigError::new(
                    consumer::HEARTBEAT_INTERVAL_MS.name,
                    "must be lower than session.timeout.ms (Kafka's rule)",
                ));
            }
        }
        Ok(())
    }
}

/// `ProducerConfig`'s idempotence rules (`postProcessAndValidateIdempotenceConfigs`) and
/// `delivery.timeout.ms >= linger.ms + request.timeout.ms`.
fn validate_producer(p: &ProducerConfig) -> Result<(), ConfigError> {
    if p.enable_idempotence.explicit && p.enable_idempotence.value {
        if p.acks.value != Acks::All {
            return Err(ConfigError::new(
                producer::ACKS.name,
                alloc::format!(
                    "acks={} with enable.idempotence=true: Kafka requires acks=all for the idempotent producer (set acks=all, or leave enable.idempotence unset so it turns off)",
                    p.acks.value.name()
                ),
            ));
        }
        if p.max_in_flight_requests_per_connection.value > 5 {
            return Err(ConfigError::new(
                producer::MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION.name,
                "must be at most 5 with enable.idempotence=true",
            ));
        }
        if p.retries.value == 0 {
            return Err(ConfigError::new(
                producer::RETRIES.name,
                "must be greater than 0 with enable.idempotence=true",
            ));
        }
    }
    // Checked after the idempotence rules, as Kafka does: an unset enable.idempotence may have
    // turned off (acks, retries or max.in.flight), and a transactional producer needs it.
    if p.transactional_id.is_some() && !p.idempotence_effective() {
        let why = if p.enable_idempotence.explicit {
            String::from("enable.idempotence=false")
        } else if p.acks.value != Acks::All {
            alloc::format!("acks={} turned it off", p.acks.value.name())
        } else if p.retries.value == 0 {
            String::from("retries=0 turned it off")
        } else {
            String::from("max.in.flight.requests.per.connection > 5 turned it off")
        };
        return Err(ConfigError::new(
            producer::TRANSACTIONAL_ID.name,
            alloc::format!(
                "Cannot set a transactional.id without also enabling idempotence ({why}; a transactional producer needs acks=all)"
            ),
        ));
    }
    let need = p.linger_ms.value.saturating_add(p.request_timeout_ms.value);
    if p.delivery_timeout_ms.explicit && p.delivery_timeout_ms.value < need {
        return Err(ConfigError::new(
            producer::DELIVERY_TIMEOUT_MS.name,
            alloc::format!("must be at least linger.ms + request.timeout.ms ({need})"),
        ));
    }
    Ok(())
}
