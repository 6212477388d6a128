//! Read-only views of the state, by concept: the run [`Summary`] (`summary`), the producers
//! as the page and the summary show them (`producers`), the [`Snapshot`] the page exposes as
//! `window.streamscope.snapshot()` (`snapshot`), and the answers the page asks of the core
//! instead of working them out itself: a group's rebalance phase and protocol (`groups`),
//! zombies, fencing and the wait at the last stable offset (`transactions`), which processor a
//! consumer is and the pipeline twin's rules (`pipeline`), and lag per partition (`lag`); and
//! the page's canvas [`Frame`], every answer one frame draws read at once (`frame`, its
//! producers in `frame_producers`); every metric under Kafka's names and the Was / Now / Delta
//! of two moments (`metrics`).
//! None of them holds state of its own.

pub mod event_words;
mod frame;
mod frame_producers;
mod groups;
mod lag;
mod metrics;
mod pipeline;
mod producers;
mod snapshot;
mod summary;
mod transactions;

pub use frame::{
    AssignedFrame, BrokerFrame, ConsumerFrame, Frame, FrameBuffers, GroupFrame, PartitionFrame,
    PartitionTxn, PositionFrame, ProcessorFrame, ReplicaFrame,
};
pub use frame_producers::{CoordinatorTxnFrame, ProducerFrame, ProducerTxnFrame};
pub use groups::{GroupPhase, GroupProgress, MemberRebalance};
pub use metrics::{MetricNode, MetricRow, MetricsDelta, MetricsDeltaRow, MetricsSnapshot};
pub use pipeline::{is_processor_producer, twin_config};
pub use producers::{BatchView, InFlightBatchView, InFlightView, ProducerView};
pub use snapshot::{
    BrokerView, GroupMemberView, GroupView, MessageView, Snapshot, TransactionView,
};
pub use summary::{ConsumerPartition, ConsumerSummary, MemoryBytes, PartitionSummary, Summary};
