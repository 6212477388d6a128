//! The coordinator roles a broker may hold: the group coordinator (the leader of the group's
//! `__consumer_offsets` partition) and the transaction coordinator (the leader of the
//! transactional.id's `__transaction_state` partition).

pub mod group;
pub mod txn;
