//! Streamscope's simulator of Apache Kafka's producer, broker and consumer internals.
//!
//! `no_std` + `alloc`, deterministic: simulated time in integer microseconds, randomness only
//! from the seeded PRNG inside the [`Sim`]. No I/O, no clock, no OS randomness. See
//! ARCHITECTURE.md for the map.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod actor;
pub mod app;
pub mod assignor;
pub mod broker;
pub mod client;
pub mod cluster;
pub mod compare;
pub mod compression;
pub mod config;
pub mod controller;
pub mod coordinator;
pub mod event;
pub mod inspect;
pub mod librdkafka;
pub mod link;
pub mod log;
pub mod metrics;
pub mod monitor;
pub mod murmur2;
pub mod net;
pub mod record;
pub mod rng;
pub mod scenario;
pub mod shared_ring;
pub mod sim;
pub mod time;

pub use client::{consumer, producer};
pub use config::{Config, ConfigError};
pub use event::{Event, TraceEntry};
pub use sim::{Change, Sim};
pub use time::SimTime;
