//! The brokers' and the controller's metrics library (Yammer Metrics 2.2,
//! `com.yammer.metrics.core.Meter` and `com.yammer.metrics.stats.EWMA`, which Kafka's
//! `KafkaMetricsGroup.newMeter` / `newTimer` create): a different algorithm from the clients'
//! sensors. A meter counts marks and keeps three exponentially weighted moving averages, ticked
//! every 5 s from the meter's creation: a tick turns the marks since the last one into an
//! instant rate (marks / 5 s) and moves the average by `alpha` towards it
//! (`alpha = 1 - exp(-5 s / 1, 5 or 15 min)`); the first tick sets it to the instant rate.
//! `MeanRate` is the count over the time since creation.
//!
//! Simplified: Yammer's tick thread runs on the wall clock; here the ticks a meter is due by
//! a simulated time are applied when it is next marked or read (lazily, so no event is
//! queued): a tick due at the same microsecond as a mark comes first. A `Timer` is kept as its
//! meter only (its count and rates): the durations it would put in its histogram are not
//! modelled (the simulated controller decides in no time).

use crate::time::SimTime;

/// Yammer's tick interval (5 s), in microseconds.
pub const TICK_US: u64 = 5_000_000;
/// `1 - exp(-5 / 60 / 1)`: the one-minute average's weight per tick (`EWMA.M1_ALPHA`).
pub const M1_ALPHA: f64 = 0.079_955_585_370_676_71;
/// `1 - exp(-5 / 60 / 5)` (`M5_ALPHA`).
pub const M5_ALPHA: f64 = 0.016_528_546_178_382_51;
/// `1 - exp(-5 / 60 / 15)` (`M15_ALPHA`).
pub const M15_ALPHA: f64 = 0.005_540_151_995_103_271;
/// The tick interval in nanoseconds, as `EWMA` divides by it.
const INTERVAL_NS: f64 = 5_000_000_000.0;

/// `EWMA`: an exponentially weighted moving average of a rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ewma {
    alpha: f64,
    initialized: bool,
    /// Per nanosecond, as Yammer keeps it.
    rate: f64,
    uncounted: u64,
}

impl Ewma {
    pub fn new(alpha: f64) -> Ewma {
        Ewma {
            alpha,
            initialized: false,
            rate: 0.0,
            uncounted: 0,
        }
    }

    pub fn update(&mut self, n: u64) {
        self.uncounted += n;
    }

    /// `tick()`: the marks since the last tick become the instant rate.
    pub fn tick(&mut self) {
        let count = core::mem::take(&mut self.uncounted);
        let instant = count as f64 / INTERVAL_NS;
        if self.initialized {
            self.rate += self.alpha * (instant - self.rate);
        } else {
            self.rate = instant;
            self.initialized = true;
        }
    }

    /// Per second (`rate(TimeUnit.SECONDS)`).
    pub fn rate_per_second(&self) -> f64 {
        self.rate * 1_000_000_000.0
    }

    /// Ticks would change nothing: no marks waiting and the rate at rest at 0.
    fn at_rest(&self) -> bool {
        self.initialized && self.uncounted == 0 && self.rate == 0.0
    }
}

/// `Meter`: a count and the one-, five- and fifteen-minute rates, ticked lazily.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YammerMeter {
    start: SimTime,
    /// Ticks applied since `start`.
    ticks: u64,
    count: u64,
    m1: Ewma,
    m5: Ewma,
    m15: Ewma,
}

/// What a meter shows (its JMX attributes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeterValues {
    pub count: u64,
    pub one_minute_rate: f64,
    pub five_minute_rate: f64,
    pub fifteen_minute_rate: f64,
    pub mean_rate: f64,
}

impl Default for YammerMeter {
    /// A meter created at time 0.
    fn default() -> YammerMeter {
        YammerMeter::new(SimTime::ZERO)
    }
}

impl YammerMeter {
    /// A meter created at `start` (its ticks fall every 5 s after).
    pub fn new(start: SimTime) -> YammerMeter {
        YammerMeter {
            start,
            ticks: 0,
            count: 0,
            m1: Ewma::new(M1_ALPHA),
            m5: Ewma::new(M5_ALPHA),
            m15: Ewma::new(M15_ALPHA),
        }
    }

    /// Applies the ticks due by `now`.
    fn catch_up(&mut self, now: SimTime) {
        let due = now.micros().saturating_sub(self.start.micros()) / TICK_US;
        while self.ticks < due {
            if self.m1.at_rest() && self.m5.at_rest() && self.m15.at_rest() {
                self.ticks = due;
                break;
            }
            self.m1.tick();
            self.m5.tick();
            self.m15.tick();
            self.ticks += 1;
        }
    }

    /// `mark(n)` at `now`.
    pub fn mark(&mut self, n: u64, now: SimTime) {
        self.catch_up(now);
        self.count += n;
        self.m1.update(n);
        self.m5.update(n);
        self.m15.update(n);
    }

    /// The meter as read at `now` (reading changes nothing).
    pub fn values(&self, now: SimTime) -> MeterValues {
        let mut m = *self;
        m.catch_up(now);
        let elapsed_ns = now.micros().saturating_sub(self.start.micros()).max(1) as f64 * 1000.0;
        let mean_rate = if m.count == 0 {
            0.0
        } else {
            m.count as f64 / elapsed_ns * 1_000_000_000.0
        };
        MeterValues {
            count: m.count,
            one_minute_rate: m.m1.rate_per_second(),
            five_minute_rate: m.m5.rate_per_second(),
            fifteen_minute_rate: m.m15.rate_per_second(),
            mean_rate,
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn the_alphas_are_yammers() {
        for (alpha, minutes) in [(M1_ALPHA, 1.0), (M5_ALPHA, 5.0), (M15_ALPHA, 15.0)] {
            let exact = 1.0 - f64::exp(-5.0 / 60.0 / minutes);
            assert_eq!(alpha, exact);
        }
    }

    /// Yammer's own `EWMASpec` ("A 1min / 5min / 15min EWMA with a value of 3"): update(3),
    /// one tick, then the rate after each further minute (12 ticks), to 1e-8.
    #[test]
    fn ewma_matches_yammers_spec() {
        let m1 = [
            0.22072766, 0.08120117, 0.02987224, 0.01098938, 0.00404277, 0.00148725, 0.00054713,
            0.00020128, 0.00007405, 0.00002724, 0.00001002, 0.00000369, 0.00000136, 0.00000050,
            0.00000018,
        ];
        let m5 = [
            0.49123845, 0.40219203, 0.32928698, 0.26959738, 0.22072766, 0.18071653, 0.14795818,
            0.12113791, 0.09917933, 0.08120117, 0.06648190, 0.05443077, 0.04456415, 0.03648604,
            0.02987224,
        ];
        let m15 = [
            0.56130419, 0.52510399, 0.49123845, 0.45955700, 0.42991879, 0.40219203, 0.37625345,
            0.35198773, 0.32928698, 0.30805027, 0.28818318, 0.26959738, 0.25221023, 0.23594443,
            0.22072766,
        ];
        for (alpha, expected) in [(M1_ALPHA, m1), (M5_ALPHA, m5), (M15_ALPHA, m15)] {
            let mut e = Ewma::new(alpha);
            e.update(3);
            e.tick();
            assert!((e.rate_per_second() - 0.6).abs() < 1e-6);
            for want in expected {
                for _ in 0..12 {
                    e.tick();
                }
                let got = e.rate_per_second();
                assert!((got - want).abs() < 1e-8, "{alpha}: {got} != {want}");
            }
        }
    }

    /// The meter ticks lazily on Yammer's schedule: nothing shows in the rates before the
    /// first tick 5 s after creation, the count does; the ticks due by a read are applied to
    /// the read only.
    #[test]
    fn the_meter_ticks_on_its_schedule() {
        let mut m = YammerMeter::new(SimTime(2_000_000));
        m.mark(3, SimTime(3_000_000));
        let before = m.values(SimTime(6_999_999));
        assert_eq!((before.count, before.one_minute_rate), (3, 0.0));
        let after = m.values(SimTime(7_000_000));
        assert!((after.one_minute_rate - 0.6).abs() < 1e-12);
        assert_eq!(m.ticks, 0, "reading applies no tick to the meter");
        let minute = m.values(SimTime(7_000_000 + 60_000_000));
        assert!((minute.one_minute_rate - 0.22072766).abs() < 1e-8);
        assert!((minute.mean_rate - 3.0 / 65.0).abs() < 1e-12);
        // A mark at a tick's instant comes after the tick.
        m.mark(5, SimTime(7_000_000));
        let next = m.values(SimTime(12_000_000));
        let want = 0.6 + M1_ALPHA * (1.0 - 0.6);
        assert!((next.one_minute_rate - want).abs() < 1e-12);
    }
}
