//! Building the world a run starts from (`Sim::new`): the brokers, the topics with their
//! replicas placed on brokers, the internal topics `__consumer_offsets` (the group
//! coordinators) and `__transaction_state` (the transaction coordinators), and the first
//! producers, groups and consumers of the config.

use super::{liveness, Sim, TRACE_CAPACITY};
use crate::cluster::{place_replicas, Broker, Partition, Topic};
use crate::config::Config;
use crate::event::Trace;
use crate::rng::Rng;
use crate::time::SimTime;
use alloc::collections::{BTreeMap, BinaryHeap};
use alloc::vec::Vec;

/// The cluster as placed from the seed, before any client exists.
pub(super) struct PlacedCluster {
    /// The sim's PRNG, after the placement draws.
    pub rng: Rng,
    pub brokers: Vec<Broker>,
    pub topics: Vec<Topic>,
    pub offsets_replicas: Vec<Vec<u32>>,
    pub offsets_leaders: Vec<Option<u32>>,
    pub txn_replicas: Vec<Vec<u32>>,
    pub txn_leaders: Vec<u32>,
}

/// Places the brokers, the topics and the internal topics of `config` from `seed`.
pub(super) fn place_cluster(config: &Config, seed: u64) -> PlacedCluster {
    let mut rng = Rng::new(seed);
    let n_brokers = config.sim.brokers.value;
    let brokers: Vec<Broker> = (0..n_brokers).map(new_broker).collect();
    let ids: Vec<u32> = (0..n_brokers).collect();
    let topics = place_topics(config, &mut rng, &ids);
    // __consumer_offsets is placed like any topic (its replication factor is
    // offsets.topic.replication.factor, 3, or fewer brokers); its log is not modelled.
    let offsets_parts = config.broker.offsets_topic_num_partitions.value;
    let offsets_replicas = place_replicas(&mut rng, &ids, offsets_parts, n_brokers.min(3));
    let offsets_leaders: Vec<Option<u32>> = offsets_replicas
        .iter()
        .map(|r| r.first().copied())
        .collect();
    // __transaction_state likewise, from a stream of its own so that worlds without
    // transactions draw exactly what they drew before.
    let mut txn_rng = Rng::new(seed ^ 0x5452_414e_5341_4354);
    let txn_replicas: Vec<Vec<u32>> = place_replicas(
        &mut txn_rng,
        &ids,
        config.broker.transaction_state_log_num_partitions.value,
        n_brokers.min(3),
    );
    let txn_leaders: Vec<u32> = txn_replicas
        .iter()
        .map(|r| r.first().copied().unwrap_or(0))
        .collect();
    PlacedCluster {
        rng,
        brokers,
        topics,
        offsets_replicas,
        offsets_leaders,
        txn_replicas,
        txn_leaders,
    }
}

/// A broker at the start: up, registered, serving.
fn new_broker(id: u32) -> Broker {
    Broker {
        id,
        alive: true,
        fenced: false,
        drop_responses: false,
        registering: false,
        refuses_connections: false,
        host_lost: false,
    }
}

/// The config's topics, each partition's replicas placed on the brokers `ids`.
fn place_topics(config: &Config, rng: &mut Rng, ids: &[u32]) -> Vec<Topic> {
    let mut topics = Vec::new();
    for (ti, t) in config.topics.iter().enumerate() {
        let placed = place_replicas(rng, ids, t.partitions.value, t.replication_factor.value);
        let partitions = placed
            .into_iter()
            .enumerate()
            .map(|(pi, reps)| Partition::new(ti as u32, pi as u32, &reps))
            .collect();
        topics.push(Topic {
            name: t.name.clone(),
            partitions,
            min_insync_replicas: t.min_insync_replicas.value,
        });
    }
    topics
}

impl Sim {
    /// The world at time zero over a placed cluster: nothing has happened yet, no client exists.
    pub(super) fn empty_world(
        config: Config,
        seed: u64,
        placed: PlacedCluster,
        start_config: alloc::rc::Rc<Config>,
    ) -> Sim {
        Sim {
            start_config,
            app_next_send: alloc::vec![None; config.producers.len()],
            config,
            seed,
            now: SimTime::ZERO,
            seq: 0,
            events_processed: 0,
            queue: BinaryHeap::new(),
            rng: placed.rng,
            brokers: placed.brokers,
            topics: placed.topics,
            producers: Vec::new(),
            app_producer: Vec::new(),
            txn_apps: alloc::collections::BTreeMap::new(),
            group_coordinators: crate::coordinator::group::state::GroupCoordinators {
                groups: Vec::new(),
                offsets_leaders: placed.offsets_leaders,
                offsets_replicas: placed.offsets_replicas,
            },
            consumers: Vec::new(),
            messages: BTreeMap::new(),
            parked_fetches: Vec::new(),
            replica_fetchers: alloc::collections::BTreeSet::new(),
            controller: Default::default(),
            responses_dropped: 0,
            link_rules: Vec::new(),
            link_last_delivery: BTreeMap::new(),
            faults: Vec::new(),
            draining: false,
            lag_sampling: false,
            ahead_watch: None,
            delayed_produces: Vec::new(),
            txn_verifications: Vec::new(),
            broker_state: crate::broker::state::Brokers::default(),
            txn: crate::coordinator::txn::state::TxnCoordinators {
                leaders: placed.txn_leaders,
                replicas: placed.txn_replicas,
                transactions: BTreeMap::new(),
                timer_running: false,
            },
            pipeline: None,
            read_committed_aborted_seen: 0,
            trace: Trace::new(TRACE_CAPACITY),
            journal: crate::inspect::RecordJournal::default(),
            monitor: crate::monitor::Monitor::default(),
            liveness: liveness::LivenessMonitor::default(),
            changes: Vec::new(),
            next_message_id: 0,
            next_record_id: 0,
            next_producer_id: 1000,
            next_batch_id: 0,
            next_request_id: 0,
            producer_effects: Vec::new(),
            inputs: Vec::new(),
            popped: 0,
        }
    }

    /// The config's producer applications (each with its first `send()` scheduled), then its
    /// groups and their consumers, in the config's order.
    pub(super) fn start_configured_clients(&mut self, config: &Config) {
        for (app, pc) in config.producers.iter().enumerate() {
            let idx = self.create_producer(app as u32, pc.clone());
            self.app_producer.push(idx);
            let first = self.produce_interval(app as u32);
            if let Some(dt) = first {
                self.schedule_tick(app as u32, SimTime(dt));
            }
        }
        for (gi, gc) in config.groups.iter().enumerate() {
            let g = self.new_group(gi as u32, &gc.group_id);
            self.group_coordinators.groups.push(g);
            for _ in 0..gc.consumers.value {
                self.create_consumer(gi as u32, None);
            }
        }
    }
}
