//! The KRaft controller (`QuorumController`, `ClusterControlManager`, `ReplicationControlManager`)
//! and what it does about broker crashes and restarts. A crashed broker stops heartbeating
//! (every `broker.heartbeat.interval.ms`, 2 s); once its last heartbeat is
//! `broker.session.timeout.ms` (9 s) old the controller fences it, removes it from every ISR and
//! elects new leaders (`PartitionChangeBuilder`: keep a valid leader, else the first alive ISR
//! member in assignment order; unclean: the first alive replica). Every election bumps the
//! leader epoch. Neither kind of crash is a controlled shutdown, so the fencing always waits for
//! the session timeout.
//!
//! Two kinds of crash: `Change::CrashBroker` is a host lost (it goes silent: messages to it
//! vanish and clients wait out request.timeout.ms); `Change::KillBroker` is a killed process
//! on a live host (SIGKILL): its connections close at once, producers' requests in flight to
//! it fail with a disconnect and are retried, and while it is down producers do not send to
//! it (connection refused) but keep its partitions' batches until the election moves the
//! leadership, then send them to the new leader at once.
//!
//! Restart after an unclean shutdown (KIP-966): the new process registers with a new
//! incarnation id. While the controller still holds the old incarnation's session (its last
//! heartbeat less than 9 s old) it refuses the registration (`ClusterControlManager.
//! registerBroker`: DuplicateBrokerRegistrationException) and the broker retries, serving
//! nothing; once that session expires the controller fences the old incarnation (ISRs
//! shrink, leaderships move with an epoch bump) and accepts the new one. So a restarted
//! broker never keeps its old leaderships in the same epoch: it comes back as a follower,
//! truncates its diverged tail by leader epoch at its next fetch (KIP-101/279) and rejoins the
//! ISR once it reaches the high watermark.
//!
//! A killed process loses nothing it wrote: the host's page cache survives and its log recovery
//! (`LogLoader.recoverLog`) truncates only at a corrupt batch, so it restarts with its whole
//! log, which may hold acknowledged records that no other replica has (the last ISR member).
//!
//! The controller is an actor (`crate::actor`): its handlers are methods of `QuorumController`
//! (`state`) taking a `ControllerCtx` (`context`): registration and the end of heartbeats
//! (`registration`), fencing and elections (`fencing`). What it causes at other roles (the
//! coordinators moving, followers' fetchers, the partition leaders' high watermarks, the
//! clients finding the new leaders, the monitor) are `ControllerCall`s, applied in order by the
//! engine's side (`host`). The fault inputs (crash, kill, restart of a broker, lost responses)
//! are the engine's inputs on `Sim` (`faults`): they do the broker process's part and hand the
//! controller its part.
//!
//! Simplified: the controller writes the cluster's metadata image directly: the context hands
//! it `Sim.topics` and `Sim.brokers` (`&mut [Topic]`, `&mut [Broker]`) and it changes partition
//! leadership, ISR and leader epochs and the brokers' registration state (`Broker.alive`,
//! `fenced`, `registering`, `refuses_connections`) in place, where Kafka's controller appends
//! `PartitionChangeRecord`s, `FenceBrokerRecord`s and `RegisterBrokerRecord`s to the metadata
//! log and the brokers learn them by replaying it; only what the brokers then do is a
//! `ControllerCall`. Heartbeats and registrations are not messages (the controller knows when
//! the last heartbeat was sent; the refused registration is accepted exactly at the session's
//! expiry); a broker restarted after its host was lost (`Broker.host_lost`) truncates each
//! replica to its high watermark when it is accepted: the tail it had not flushed is taken as
//! lost with its page cache (a killed process keeps its page cache). Eligible leader replicas
//! (KIP-966 part 1, on by default for new clusters since Kafka 4.1) are not modelled: as before
//! 4.1 the last ISR member stays in the ISR when fenced (so it leads again when it returns,
//! which 4.1 reaches through its last-known-leader rule) and a replica that left the ISR below
//! min.insync.replicas cannot be elected cleanly. Only producers see a killed broker's closed
//! connections: consumers and followers move with the election as after a silent crash, and
//! requests to a group or transaction coordinator on it still wait for their timeouts. The
//! group and transaction coordinators (leaders of `__consumer_offsets` and
//! `__transaction_state` partitions) move with the fencing: see `coordinator`.

pub mod context;
pub mod faults;
pub mod fencing;
pub mod host;
pub mod registration;
pub mod state;

pub use state::{BROKER_HEARTBEAT_INTERVAL_US, BROKER_SESSION_TIMEOUT_US};
