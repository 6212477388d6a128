//! Kafka's client metrics (issue 14, "Metrics under Kafka's names"): the statistics a
//! `Sensor` keeps, computed exactly as `org.apache.kafka.common.metrics.stats` does, over
//! simulated time in milliseconds (Kafka's clients measure with `time.milliseconds()`).
//!
//! A [`SampledStat`] records values into samples of `metrics.sample.window.ms` (30 s) each,
//! keeps `metrics.num.samples` (2) of them plus one overlapping the monitored window, and
//! combines them: [`Avg`] (sum / count, NaN without events), [`Max`] (NaN without events),
//! [`WindowedSum`] and [`WindowedCount`] (0 without events). A [`Rate`] divides a windowed sum
//! by the elapsed window, counting the samples not yet filled as if they were there (so a
//! fresh sensor does not show a spike); a [`Meter`] is a rate and a cumulative total.
//! Checked against Kafka's own `SampledStatTest`, `RateTest` and `MetricsTest` (their inputs
//! and expected outputs transcribed in `tests`). The brokers' Yammer meters are `yammer`.

use alloc::vec::Vec;

pub mod yammer;

/// `MetricConfig`: the samples kept and the window of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricConfig {
    /// `metrics.num.samples`.
    pub samples: u32,
    /// `metrics.sample.window.ms`.
    pub time_window_ms: u64,
    /// Events per sample before it is complete (Kafka's clients: unbounded).
    pub event_window: u64,
}

impl Default for MetricConfig {
    /// Kafka's defaults: two samples of 30 s.
    fn default() -> MetricConfig {
        MetricConfig {
            samples: 2,
            time_window_ms: 30_000,
            event_window: u64::MAX,
        }
    }
}

/// One sample of a [`SampledStat`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    pub event_count: u64,
    pub start_ms: u64,
    pub last_event_ms: u64,
    pub value: f64,
}

impl Sample {
    fn new(initial: f64, now: u64) -> Sample {
        Sample {
            event_count: 0,
            start_ms: now,
            last_event_ms: now,
            value: initial,
        }
    }

    fn is_complete(&self, now: u64, config: &MetricConfig) -> bool {
        now.saturating_sub(self.start_ms) >= config.time_window_ms
            || self.event_count >= config.event_window
    }
}

/// What a sampled statistic does with a value and how it combines its samples.
pub trait Stat {
    /// A fresh sample's value.
    const INITIAL: f64;
    fn update(sample: &mut Sample, value: f64);
    fn combine(samples: &[Sample]) -> f64;
    /// What a recorded value adds to a [`Meter`]'s total (a count's: one).
    fn total_of(value: f64) -> f64 {
        value
    }
}

/// `Avg`: the mean of the values recorded in the samples kept.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Avg;

impl Stat for Avg {
    const INITIAL: f64 = 0.0;
    fn update(sample: &mut Sample, value: f64) {
        sample.value += value;
    }
    fn combine(samples: &[Sample]) -> f64 {
        let total: f64 = samples.iter().map(|s| s.value).sum();
        let count: u64 = samples.iter().map(|s| s.event_count).sum();
        if count == 0 {
            f64::NAN
        } else {
            total / count as f64
        }
    }
}

/// `Max`: the largest value recorded in the samples kept.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Max;

impl Stat for Max {
    const INITIAL: f64 = f64::NEG_INFINITY;
    fn update(sample: &mut Sample, value: f64) {
        sample.value = sample.value.max(value);
    }
    fn combine(samples: &[Sample]) -> f64 {
        let count: u64 = samples.iter().map(|s| s.event_count).sum();
        if count == 0 {
            return f64::NAN;
        }
        samples
            .iter()
            .map(|s| s.value)
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

/// `WindowedSum`: the sum of the values recorded in the samples kept.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WindowedSum;

impl Stat for WindowedSum {
    const INITIAL: f64 = 0.0;
    fn update(sample: &mut Sample, value: f64) {
        sample.value += value;
    }
    fn combine(samples: &[Sample]) -> f64 {
        samples.iter().map(|s| s.value).sum()
    }
}

/// `WindowedCount`: how many values were recorded in the samples kept.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WindowedCount;

impl Stat for WindowedCount {
    const INITIAL: f64 = 0.0;
    fn update(sample: &mut Sample, _value: f64) {
        sample.value += 1.0;
    }
    fn combine(samples: &[Sample]) -> f64 {
        WindowedSum::combine(samples)
    }
    fn total_of(_value: f64) -> f64 {
        1.0
    }
}

/// `SampledStat`: values recorded into rotating samples, combined by `S`.
#[derive(Clone, Debug, PartialEq)]
pub struct SampledStat<S> {
    samples: Vec<Sample>,
    current: usize,
    stat: core::marker::PhantomData<S>,
}

impl<S: Stat> Default for SampledStat<S> {
    fn default() -> Self {
        SampledStat {
            samples: Vec::new(),
            current: 0,
            stat: core::marker::PhantomData,
        }
    }
}

impl<S: Stat> SampledStat<S> {
    /// Records `value` at `now_ms` (a complete sample makes way for the next).
    pub fn record(&mut self, config: &MetricConfig, value: f64, now_ms: u64) {
        let complete = self.current_sample(now_ms).is_complete(now_ms, config);
        if complete {
            self.advance(config, now_ms);
        }
        let sample = &mut self.samples[self.current];
        S::update(sample, value);
        sample.event_count += 1;
        sample.last_event_ms = now_ms;
    }

    fn current_sample(&mut self, now_ms: u64) -> &Sample {
        if self.samples.is_empty() {
            self.samples.push(Sample::new(S::INITIAL, now_ms));
        }
        &self.samples[self.current]
    }

    /// The next sample: a new one up to `samples + 1` (one kept for the sample overlapping
    /// the monitored window), then the oldest reused.
    fn advance(&mut self, config: &MetricConfig, now_ms: u64) {
        let max = config.samples as usize + 1;
        self.current = (self.current + 1) % max;
        if self.current >= self.samples.len() {
            self.samples.push(Sample::new(S::INITIAL, now_ms));
        } else {
            self.samples[self.current] = Sample::new(S::INITIAL, now_ms);
        }
    }

    /// Resets the samples with no event in the monitored window (`samples * window`).
    fn purge(&mut self, config: &MetricConfig, now_ms: u64) {
        let expire = u64::from(config.samples) * config.time_window_ms;
        for s in &mut self.samples {
            if now_ms.saturating_sub(s.last_event_ms) >= expire {
                *s = Sample::new(S::INITIAL, now_ms);
            }
        }
    }

    /// The statistic at `now_ms`.
    pub fn measure(&mut self, config: &MetricConfig, now_ms: u64) -> f64 {
        self.purge(config, now_ms);
        S::combine(&self.samples)
    }

    /// The sample that started first.
    fn oldest_start(&mut self, now_ms: u64) -> u64 {
        if self.samples.is_empty() {
            self.samples.push(Sample::new(S::INITIAL, now_ms));
        }
        self.samples
            .iter()
            .map(|s| s.start_ms)
            .min()
            .unwrap_or(now_ms)
    }
}

/// `Rate` (per second) of a windowed sum or count.
#[derive(Clone, Debug, PartialEq)]
pub struct Rate<S = WindowedSum> {
    pub stat: SampledStat<S>,
}

impl<S: Stat> Default for Rate<S> {
    fn default() -> Self {
        Rate {
            stat: SampledStat::default(),
        }
    }
}

impl<S: Stat> Rate<S> {
    pub fn record(&mut self, config: &MetricConfig, value: f64, now_ms: u64) {
        self.stat.record(config, value, now_ms);
    }

    /// Per second at `now_ms`: the windowed total over [`Rate::window_ms`].
    pub fn measure(&mut self, config: &MetricConfig, now_ms: u64) -> f64 {
        let value = self.stat.measure(config, now_ms);
        value / (self.window_ms(config, now_ms) as f64 / 1000.0)
    }

    /// The elapsed window: since the oldest sample started, at least `samples - 1` full
    /// windows (the samples not there yet count as empty), at least 1 ms.
    pub fn window_ms(&mut self, config: &MetricConfig, now_ms: u64) -> u64 {
        self.stat.purge(config, now_ms);
        let mut elapsed = now_ms.saturating_sub(self.stat.oldest_start(now_ms));
        let full = elapsed / config.time_window_ms.max(1);
        let min_full = u64::from(config.samples.saturating_sub(1));
        if full < min_full {
            elapsed += (min_full - full) * config.time_window_ms;
        }
        elapsed.max(1)
    }
}

/// `Meter`: a rate and a cumulative total (of the values, or with `WindowedCount` of the
/// events).
#[derive(Clone, Debug, PartialEq)]
pub struct Meter<S = WindowedSum> {
    pub rate: Rate<S>,
    pub total: f64,
}

impl<S: Stat> Default for Meter<S> {
    fn default() -> Self {
        Meter {
            rate: Rate::default(),
            total: 0.0,
        }
    }
}

impl<S: Stat> Meter<S> {
    pub fn record(&mut self, config: &MetricConfig, value: f64, now_ms: u64) {
        self.rate.record(config, value, now_ms);
        self.total += S::total_of(value);
    }
}

#[cfg(test)]
mod tests;
