//! The pipeline's verifier: a read_committed consumer group (`verifier`) reading `output`,
//! and the maps that say, per input record, how often its output reached it.

pub mod check;
pub mod maps;
