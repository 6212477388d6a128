//! The engine's side of the brokers: it hands them a context (the time, the partitions'
//! replicas and logs, the brokers' liveness, the settings, the purgatories) with each request,
//! response or timer, and applies the effects they return, in order. The thin `Sim` methods
//! here keep the engine's and the other roles' call sites as they were.

use crate::actor::Effect;
use crate::broker::context::{BrokerCall, BrokerCtx, BrokerSettings};
use crate::broker::purgatory::ProducerIds;
use crate::broker::state::Brokers;
use crate::broker::timers::BrokerTimer;
use crate::config::{Acks, IsolationLevel};
use crate::event::{Delivery, Event};
use crate::net::{FetchParams, FetchedPartition, KafkaError, Node, OffsetSpec, TopicPartitionId};
use crate::producer::accumulator::ProducerBatch;
use crate::sim::{Pending, Sim};
use alloc::string::String;
use alloc::vec::Vec;

impl Sim {
    /// Runs one broker handler with its context, then applies its effects.
    pub(crate) fn with_brokers<R>(
        &mut self,
        handler: impl FnOnce(&mut Brokers, &mut BrokerCtx) -> R,
    ) -> R {
        let mut ctx = BrokerCtx {
            now: self.now,
            topics: &mut self.topics,
            brokers: &self.brokers,
            settings: BrokerSettings::of(&self.config),
            topic_configs: &self.config.topics,
            parked_fetches: &mut self.parked_fetches,
            delayed_produces: &mut self.delayed_produces,
            replica_fetchers: &mut self.replica_fetchers,
            txn_verifications: &mut self.txn_verifications,
            txn: &self.txn,
            next_record_id: &mut self.next_record_id,
            crash_ahead: self.ahead_watch.map(|(_, tp)| tp),
            out: Default::default(),
        };
        let result = handler(&mut self.broker_state, &mut ctx);
        let effects = core::mem::take(&mut ctx.out).into_effects();
        for effect in effects {
            match effect {
                Effect::Send { from, to, body } => {
                    self.send(from, to, body);
                }
                Effect::Timer { at, timer } => self.schedule(at, Pending::Broker(timer)),
                Effect::Call(call) => self.apply_broker_call(call),
            }
        }
        result
    }

    fn apply_broker_call(&mut self, call: BrokerCall) {
        match call {
            BrokerCall::AlterPartition { tp, broker, expand } => {
                let timer = if expand {
                    BrokerTimer::IsrExpand { tp, broker }
                } else {
                    BrokerTimer::IsrShrink { tp, broker }
                };
                self.schedule(self.now, Pending::Broker(timer));
            }
            BrokerCall::ReadLog { tp } => self.monitor_read_log(tp),
            BrokerCall::CrashAheadLeader { broker } => self.crash_ahead_leader(broker),
        }
    }

    /// Starts the brokers (`Brokers::start`): segment sizes and the periodic tasks.
    pub(crate) fn start_broker_timers(&mut self) {
        self.with_brokers(|b, ctx| b.start(ctx));
    }

    /// Dispatches a broker timer; `None` when it found nothing to do (not an event).
    pub(crate) fn on_broker_timer(&mut self, t: BrokerTimer) -> Option<Event> {
        match t {
            BrokerTimer::IsrExpiration => self.with_brokers(|b, ctx| b.on_isr_expiration(ctx)),
            BrokerTimer::IsrShrink { tp, broker } => {
                self.with_brokers(|b, ctx| b.on_isr_shrink(ctx, tp, broker))
            }
            BrokerTimer::IsrExpand { tp, broker } => {
                self.with_brokers(|b, ctx| b.on_isr_expand(ctx, tp, broker))
            }
            BrokerTimer::FetchExpire { fetch_id } => {
                self.with_brokers(|b, ctx| b.on_fetch_expire(ctx, fetch_id))
            }
            BrokerTimer::ProduceExpire {
                producer,
                request_id,
            } => self.with_brokers(|b, ctx| b.on_produce_expire(ctx, producer, request_id)),
            BrokerTimer::RetentionCheck => self.with_brokers(|b, ctx| b.on_retention_check(ctx)),
            BrokerTimer::VerificationTimeout { verification } => {
                self.with_brokers(|b, ctx| b.on_verification_timeout(ctx, verification))
            }
        }
    }

    /// Broker `b` answers a consumer's ListOffsets (`Brokers::on_list_offsets`).
    pub(crate) fn on_list_offsets(
        &mut self,
        b: u32,
        consumer: u32,
        isolation_level: IsolationLevel,
        partitions: Vec<(TopicPartitionId, OffsetSpec)>,
    ) -> Delivery {
        self.with_brokers(|br, ctx| {
            br.on_list_offsets(ctx, b, consumer, isolation_level, partitions)
        })
    }

    /// A fetch (follower or consumer) at broker `b` (`Brokers::on_fetch_request`).
    pub(crate) fn on_fetch_request(
        &mut self,
        b: u32,
        fetcher: Node,
        params: FetchParams,
        partitions: Vec<(TopicPartitionId, u64)>,
    ) -> Delivery {
        self.with_brokers(|br, ctx| br.on_fetch_request(ctx, b, fetcher, params, partitions))
    }

    /// A produce request at broker `b` (`Brokers::on_produce_request`).
    pub(crate) fn on_produce_request(
        &mut self,
        b: u32,
        producer: u32,
        request_id: u64,
        ids: ProducerIds,
        acks_timeout: (Acks, u64),
        batches: Vec<(TopicPartitionId, ProducerBatch)>,
    ) -> Delivery {
        self.with_brokers(|br, ctx| {
            br.on_produce_request(ctx, b, producer, request_id, ids, acks_timeout, batches)
        })
    }

    /// The coordinator's answer to a leader's verification (`Brokers::on_verification_response`).
    pub(crate) fn on_verification_response(
        &mut self,
        b: u32,
        verification: u64,
        results: Vec<(TopicPartitionId, Option<KafkaError>)>,
    ) -> Delivery {
        self.with_brokers(|br, ctx| br.on_verification_response(ctx, b, verification, results))
    }

    /// WriteTxnMarkers at partition leader `b` (`Brokers::write_markers`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn write_markers(
        &mut self,
        b: u32,
        from: Node,
        tid: String,
        pid: i64,
        epoch: i16,
        commit: bool,
        partitions: Vec<TopicPartitionId>,
    ) -> Delivery {
        self.with_brokers(|br, ctx| {
            br.write_markers(ctx, b, from, tid, pid, epoch, commit, partitions)
        })
    }

    /// Reads what is new in the leader's log of `tp` into its transaction index.
    pub(crate) fn txn_index_read(&mut self, tp: TopicPartitionId) {
        self.with_brokers(|b, ctx| b.txn_index_read(ctx, tp));
    }

    /// Starts the follower fetch sessions not yet running (`Brokers::start_replica_fetchers`).
    pub(crate) fn start_replica_fetchers(&mut self) {
        self.with_brokers(|b, ctx| b.start_replica_fetchers(ctx));
    }

    /// A follower's fetch from `leader` (`Brokers::send_replica_fetch`).
    pub(crate) fn send_replica_fetch(&mut self, follower: u32, leader: u32) {
        self.with_brokers(|b, ctx| b.send_replica_fetch(ctx, follower, leader));
    }

    /// A follower got records from its leader (`Brokers::on_replica_fetch_response`).
    pub(crate) fn on_replica_fetch_response(
        &mut self,
        follower: u32,
        from: Node,
        parts: Vec<FetchedPartition>,
    ) -> Delivery {
        self.with_brokers(|b, ctx| b.on_replica_fetch_response(ctx, follower, from, parts))
    }

    /// Gives every replica log of topic `topic` its `segment.bytes`.
    pub(crate) fn apply_segment_bytes(&mut self, topic: u32) {
        self.with_brokers(|b, ctx| b.apply_segment_bytes(ctx, topic));
    }

    /// Recomputes `tp`'s high watermark (`Brokers::advance_high_watermark`).
    pub(crate) fn advance_high_watermark(&mut self, tp: TopicPartitionId) -> bool {
        self.with_brokers(|b, ctx| b.advance_high_watermark(ctx, tp))
    }

    /// Where the leader ends a fetch (`Brokers::fetch_end`).
    pub(crate) fn fetch_end(
        &self,
        fetcher: Node,
        level: IsolationLevel,
        tp: TopicPartitionId,
    ) -> u64 {
        self.broker_state
            .fetch_end(&self.topics, fetcher, level, tp)
    }

    /// The last stable offset of a partition at its leader: the high watermark, or the first
    /// offset of the earliest open transaction when that is lower.
    pub fn last_stable_offset(&self, tp: TopicPartitionId) -> u64 {
        self.broker_state.last_stable_offset(&self.topics, tp)
    }

    /// Whether an acks=all produce's waits are all decided (`decide_waits`).
    #[cfg(test)]
    pub(crate) fn decide_waits(&self, d: &mut crate::broker::purgatory::DelayedProduce) -> bool {
        crate::broker::produce::decide_waits(&self.topics, d)
    }
}
