//! The applications on top of the clients, driving their public calls as a Java application
//! drives `KafkaProducer` and `KafkaConsumer`: the transactional producing application, the
//! consume-transform-produce pipeline and its verifier.
//!
//! The clients name no application: what they hand back (a rebalance listener's call, a
//! commit's outcome, `flush()`, `send().get()` or a transaction call returning, fencing) is a
//! `client::callback::ClientCallback`, which `callbacks` gives to the application that owns
//! the client.

pub mod callbacks;
pub mod consuming;
pub mod pipeline;
pub mod producing;
pub mod transactional;
pub mod txn_state;
pub mod verifier;
