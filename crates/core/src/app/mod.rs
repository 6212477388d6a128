//! The applications on top of the clients, driving their public calls as a Java application
//! drives `KafkaProducer` and `KafkaConsumer`: the transactional producing application, the
//! consume-transform-produce pipeline and its verifier.
//!
//! Simplified: the producing application (`send()` at `sim.produce.rate`) still lives with the
//! producer client in `client::producer::send`, and the pipeline is reached from the consumer
//! client through guarded calls (its `poll()` hands the records to the processor).

pub mod pipeline;
pub mod producing;
pub mod transactional;
pub mod verifier;
