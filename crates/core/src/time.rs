//! Simulated time: integer microseconds since the start of the run. Nothing in the core reads a
//! clock; the only time is the one the event queue advances.

use core::fmt;

/// A point in simulated time, in microseconds since the run began.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct SimTime(pub u64);

/// A span of simulated time in microseconds.
pub type DurationUs = u64;

pub const US_PER_MS: u64 = 1_000;
pub const US_PER_S: u64 = 1_000_000;

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    #[inline]
    pub fn micros(self) -> u64 {
        self.0
    }
    #[inline]
    pub fn plus(self, d: DurationUs) -> SimTime {
        SimTime(self.0.saturating_add(d))
    }
    #[inline]
    pub fn since(self, earlier: SimTime) -> DurationUs {
        self.0.saturating_sub(earlier.0)
    }
}

/// Milliseconds (Kafka's unit for most settings) to microseconds.
#[inline]
pub const fn ms(v: u64) -> DurationUs {
    v.saturating_mul(US_PER_MS)
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0;
        write!(f, "{}.{:06}s", us / US_PER_S, us % US_PER_S)
    }
}
