//! The producer's metrics under Kafka's names (`producer-metrics`, issue 14): the sensors the
//! Java producer's `Sender.SenderMetrics` and `KafkaProducer` keep, recorded where they record
//! them, over Kafka's default `MetricConfig` (2 samples of 30 s, `crate::metrics`):
//!
//! - per drained request (`updateProduceRequestMetrics`): each batch's size on the wire
//!   (`batch-size-avg/max`), its time queued (`record-queue-time-avg/max`: drained minus created,
//!   in ms) and its compression ratio (`compression-rate-avg`: the compressed records over the
//!   uncompressed ones), and the request's records (`record-send-rate/total`,
//!   `records-per-request-avg`);
//! - per response (`handleProduceResponse`, not for acks=0 nor a timed-out request):
//!   `request-latency-avg/max`;
//! - per retried batch (`reenqueueBatch`): `record-retry-rate/total` by its records; per failed
//!   batch (`failBatch`) and per failed `send()` (`KafkaProducer.doSend`'s `errors` sensor, the
//!   same one): `record-error-rate/total`;
//! - `buffer-available-bytes`: buffer.memory less what the accumulator holds.
//!
//! Simplified: the clock is the simulation's, in whole milliseconds (`time.milliseconds()`);
//! per-topic and per-node metrics are not kept (one topic per producer here).

use crate::metrics::{Avg, Max, Meter, MetricConfig, SampledStat, WindowedSum};
use crate::producer::accumulator::ProducerBatch;
use crate::record::RECORD_BATCH_OVERHEAD;
use crate::time::SimTime;
use alloc::vec::Vec;

/// The producer's sensors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProducerMetrics {
    pub config: MetricConfig,
    batch_size_avg: SampledStat<Avg>,
    batch_size_max: SampledStat<Max>,
    compression_rate_avg: SampledStat<Avg>,
    queue_time_avg: SampledStat<Avg>,
    queue_time_max: SampledStat<Max>,
    request_latency_avg: SampledStat<Avg>,
    request_latency_max: SampledStat<Max>,
    records_per_request: Meter<WindowedSum>,
    records_per_request_avg: SampledStat<Avg>,
    retries: Meter<WindowedSum>,
    errors: Meter<WindowedSum>,
}

fn ms(t: SimTime) -> u64 {
    t.micros() / 1000
}

/// `MemoryRecordsBuilder.compressionRatio()` once closed: the written (compressed) records over
/// the uncompressed records, as Java's float division.
fn compression_ratio(b: &ProducerBatch) -> f64 {
    let written = b.wire_size().saturating_sub(RECORD_BATCH_OVERHEAD as u32);
    if b.records_bytes == 0 {
        return 1.0;
    }
    f64::from(written as f32 / b.records_bytes as f32)
}

impl ProducerMetrics {
    /// A request drained for one broker: its batches (closed) and their records.
    pub fn on_request(&mut self, batches: &[ProducerBatch], now: SimTime) {
        let (c, now_ms) = (self.config, ms(now));
        let mut records = 0u64;
        for b in batches {
            let size = f64::from(b.wire_size());
            self.batch_size_avg.record(&c, size, now_ms);
            self.batch_size_max.record(&c, size, now_ms);
            let queued = now_ms.saturating_sub(ms(b.created_at)) as f64;
            self.queue_time_avg.record(&c, queued, now_ms);
            self.queue_time_max.record(&c, queued, now_ms);
            self.compression_rate_avg
                .record(&c, compression_ratio(b), now_ms);
            records += b.records.len() as u64;
        }
        self.records_per_request.record(&c, records as f64, now_ms);
        self.records_per_request_avg
            .record(&c, records as f64, now_ms);
    }

    /// A produce response came back for a request sent at `sent_at`.
    pub fn on_response(&mut self, sent_at: SimTime, now: SimTime) {
        let (c, now_ms) = (self.config, ms(now));
        let latency = now_ms.saturating_sub(ms(sent_at)) as f64;
        self.request_latency_avg.record(&c, latency, now_ms);
        self.request_latency_max.record(&c, latency, now_ms);
    }

    /// A batch of `records` goes back to the queue for a retry.
    pub fn on_retry(&mut self, records: u64, now: SimTime) {
        let c = self.config;
        self.retries.record(&c, records as f64, ms(now));
    }

    /// `records` failed: a batch for good, or one `send()` (1).
    pub fn on_error(&mut self, records: u64, now: SimTime) {
        let c = self.config;
        self.errors.record(&c, records as f64, ms(now));
    }

    /// Every metric at `now`, by Kafka's name, with `buffer-available-bytes` given.
    pub fn values(&self, now: SimTime, buffer_available: u64) -> Vec<(&'static str, f64)> {
        let (c, t) = (self.config, ms(now));
        let mut m = self.clone(); // measuring purges old samples
        alloc::vec![
            (
                "record-send-rate",
                m.records_per_request.rate.measure(&c, t)
            ),
            ("record-send-total", m.records_per_request.total),
            (
                "records-per-request-avg",
                m.records_per_request_avg.measure(&c, t)
            ),
            ("batch-size-avg", m.batch_size_avg.measure(&c, t)),
            ("batch-size-max", m.batch_size_max.measure(&c, t)),
            (
                "compression-rate-avg",
                m.compression_rate_avg.measure(&c, t)
            ),
            ("record-queue-time-avg", m.queue_time_avg.measure(&c, t)),
            ("record-queue-time-max", m.queue_time_max.measure(&c, t)),
            ("request-latency-avg", m.request_latency_avg.measure(&c, t)),
            ("request-latency-max", m.request_latency_max.measure(&c, t)),
            ("record-retry-rate", m.retries.rate.measure(&c, t)),
            ("record-retry-total", m.retries.total),
            ("record-error-rate", m.errors.rate.measure(&c, t)),
            ("record-error-total", m.errors.total),
            ("buffer-available-bytes", buffer_available as f64),
        ]
    }
}

impl crate::producer::Producer {
    /// Its metrics at `now` by Kafka's name (`buffer-available-bytes` from its accumulator).
    pub fn metric_values(&self, now: SimTime) -> Vec<(&'static str, f64)> {
        let acc = &self.accumulator;
        let available = acc.buffer_memory.saturating_sub(acc.buffer_used);
        self.metrics.values(now, available)
    }
}
