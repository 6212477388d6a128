//! Kafka's own tests of its statistics, transcribed as inputs and expected outputs (source:
//! apache/kafka `clients/src/test/java/org/apache/kafka/common/metrics/stats/SampledStatTest`,
//! `RateTest` and `metrics/MetricsTest`, trunk of 2024-10). Kafka's `MockTime` starts at an
//! arbitrary wall time; these start at `T0`.

use super::*;

const EPS: f64 = 0.000_001;
const T0: u64 = 1_700_000_000_000;

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= EPS
}

fn config(window_ms: u64, samples: u32) -> MetricConfig {
    MetricConfig {
        samples,
        time_window_ms: window_ms,
        event_window: u64::MAX,
    }
}

/// `SampledStatTest.SampleCount`: `measure` is the number of samples with an event.
struct SampleCount;

impl Stat for SampleCount {
    const INITIAL: f64 = 0.0;
    fn update(sample: &mut Sample, _value: f64) {
        sample.value = 1.0;
    }
    fn combine(samples: &[Sample]) -> f64 {
        samples.iter().map(|s| s.value).sum()
    }
}

/// `SampledStatTest.completeSample`: events at a sample's start and end; the clock after it.
fn complete_sample(stat: &mut SampledStat<SampleCount>, c: &MetricConfig, now: &mut u64) {
    stat.record(c, 1.0, *now);
    *now += c.time_window_ms - 1;
    stat.record(c, 1.0, *now);
    *now += 1;
}

#[test]
fn a_sample_is_purged_unless_it_overlaps_the_window() {
    let c = config(1000, 2);
    // testSampleIsPurgedIfDoesntOverlap: 2.5 s after a complete sample: 0.
    let (mut stat, mut now) = (SampledStat::<SampleCount>::default(), T0);
    complete_sample(&mut stat, &c, &mut now);
    now += 2500;
    assert_eq!(stat.measure(&c, now), 0.0);
    // testSampleIsKeptIfOverlaps: 1.5 s after: 1.
    let (mut stat, mut now) = (SampledStat::<SampleCount>::default(), T0);
    complete_sample(&mut stat, &c, &mut now);
    now += 1500;
    assert_eq!(stat.measure(&c, now), 1.0);
    // testSampleIsKeptIfOverlapsAndExtra: two samples with gaps and a third: 3.
    let (mut stat, mut now) = (SampledStat::<SampleCount>::default(), T0);
    complete_sample(&mut stat, &c, &mut now);
    now += 100;
    complete_sample(&mut stat, &c, &mut now);
    now += 100;
    stat.record(&c, 1.0, now);
    assert_eq!(stat.measure(&c, now), 3.0);
}

/// `RateTest.testRateWithNoPriorAvailableSamples`: the samples not there yet count as empty
/// windows.
#[test]
fn a_fresh_rate_counts_the_missing_samples_as_empty() {
    for (samples, window_s) in [(1u32, 1u64), (1, 11), (11, 1), (11, 11)] {
        let c = config(window_s * 1000, samples);
        let mut rate = Rate::<WindowedSum>::default();
        rate.record(&c, 50.0, T0);
        let measured_at = window_s * 1000 - 1;
        let observed = rate.measure(&c, T0 + measured_at);
        let window = measured_at as f64 / 1000.0 + f64::from(samples - 1) * window_s as f64;
        assert!(
            close(observed, 50.0 / window),
            "{samples} x {window_s} s: {observed}"
        );
    }
}

/// `RateTest.testRateIsConsistentAfterTheFirstWindow`: 10-11 events/s from the second window.
#[test]
fn a_rate_stays_between_10_and_11_after_the_first_window() {
    let c = config(1000, 2);
    let steps = [0u64, 99, 100, 100, 100, 100, 100, 100, 100, 100, 100];
    let mut rate = Rate::<WindowedSum>::default();
    let mut now = T0;
    for s in steps {
        now += s;
        rate.record(&c, 1.0, now);
    }
    now += 101;
    for s in steps {
        now += s;
        rate.record(&c, 1.0, now);
        let r = rate.measure(&c, now);
        assert!((10.0..=11.0).contains(&r), "{r} at +{} ms", now - T0);
    }
}

/// `MetricsTest.testTimeWindowing`, `testOldDataHasNoEffect`,
/// `testSampledStatReturnsNaNWhenNoValuesExist`, `...InitialValueWhenNoValuesExist`.
#[test]
fn windows_expire_to_nan_or_to_the_initial_value() {
    let c = config(1, 2);
    let mut count = SampledStat::<WindowedCount>::default();
    count.record(&c, 1.0, T0);
    count.record(&c, 1.0, T0 + 1);
    assert!(close(count.measure(&c, T0 + 1), 2.0));
    count.record(&c, 1.0, T0 + 2);
    assert!(
        close(count.measure(&c, T0 + 2), 2.0),
        "the oldest event times out"
    );

    let c = config(100, 2);
    let mut max = SampledStat::<Max>::default();
    let mut avg = SampledStat::<Avg>::default();
    let mut count = SampledStat::<WindowedCount>::default();
    let mut sum = SampledStat::<WindowedSum>::default();
    max.record(&c, 50.0, T0);
    avg.record(&c, 50.0, T0);
    count.record(&c, 50.0, T0);
    sum.record(&c, 50.0, T0);
    let later = T0 + 200;
    assert!(max.measure(&c, later).is_nan());
    assert!(avg.measure(&c, later).is_nan());
    assert!(close(count.measure(&c, later), 0.0));
    assert!(close(sum.measure(&c, later), 0.0));
}

/// `MetricsTest.testRateWindowing`: three samples of the default 30 s window, a value of 100
/// each window for two windows, then half a window: rate = 200 / 75 s, count rate = 2 / 75 s,
/// totals cumulative; after three more windows the rates are 0 and the totals stay.
#[test]
fn a_meter_rates_over_its_windows_and_totals_for_ever() {
    let c = MetricConfig {
        samples: 3,
        ..MetricConfig::default()
    };
    let mut sum = Meter::<WindowedSum>::default();
    let mut count = Meter::<WindowedCount>::default();
    let mut now = T0;
    for i in 1..=2 {
        sum.record(&c, 100.0, now);
        count.record(&c, 100.0, now);
        now += c.time_window_ms;
        assert!(close(sum.total, 100.0 * f64::from(i)));
    }
    now += c.time_window_ms / 2;
    let elapsed = 30.0 * 2.5;
    assert!(close(sum.rate.measure(&c, now), 200.0 / elapsed));
    assert!(close(count.rate.measure(&c, now), 2.0 / elapsed));
    assert!(close(sum.rate.window_ms(&c, now) as f64 / 1000.0, elapsed));
    assert!(close(count.total, 2.0));
    now += c.time_window_ms * 3;
    assert!(close(sum.rate.measure(&c, now), 0.0));
    assert!(close(count.rate.measure(&c, now), 0.0));
    assert!(close(sum.total, 200.0) && close(count.total, 2.0));
}
