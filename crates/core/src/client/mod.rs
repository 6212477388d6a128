//! Kafka's clients: the producer (`KafkaProducer`: partitioner, accumulator, sender,
//! transaction manager) and the consumer (`KafkaConsumer`: the member's side of the group
//! protocol, the fetcher, commits).

pub mod callback;
pub mod consumer;
pub mod producer;
