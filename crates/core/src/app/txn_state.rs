//! What the transactional producing application keeps about each producer instance it drives
//! (the current one and a zombie): the records it sent in the open transaction, whether it
//! will abort it (drawn at beginTransaction from the instance's rng), and a zombie's next
//! step. Kafka's `TransactionManager` keeps none of this: it is the application's loop.
//! Vocabulary of the application and the engine; it imports nothing above it.

use crate::time::SimTime;

/// The transactional application's view of one producer instance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxnAppInstance {
    /// Records `send()` appended in the open transaction.
    pub records: u32,
    /// The application will abort the open transaction (drawn at begin).
    pub will_abort: bool,
    /// A zombie instance's next application step (stale timers are dropped).
    pub tick_at: Option<SimTime>,
}
