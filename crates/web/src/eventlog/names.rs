//! How the event log names what an event names: a node ("broker 1", "producer 0",
//! "consumer 2") and a partition by its topic's name ("orders-3").

use crate::i18n::{tf, Lang};
use streamscope_core::net::{Node, TopicPartitionId};
use streamscope_core::Sim;

/// "broker 1", "producer 0", "consumer 2".
pub fn node_name(node: Node, lang: Lang) -> String {
    let (key, n) = match node {
        Node::Broker(b) => ("node_broker", b),
        Node::Producer(p) => ("node_producer", p),
        Node::Consumer(c) => ("node_consumer", c),
    };
    tf(lang, key, &[("n", &n.to_string())])
}

/// "orders-3".
pub fn partition_name(sim: &Sim, tp: TopicPartitionId) -> String {
    let topic = sim
        .topics()
        .get(tp.topic as usize)
        .map_or("?", |t| t.name.as_str());
    format!("{topic}-{}", tp.partition)
}
