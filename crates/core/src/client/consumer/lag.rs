//! Consumer lag over time, for the page's lag chart: a fixed-size ring of samples per
//! consumer and per group, one sample every [`LAG_SAMPLE_INTERVAL_US`] of simulated time.
//!
//! Kafka's lag is end offset minus position, the end offset being the high watermark for
//! `read_uncommitted` (the last stable offset for `read_committed`, once transactions exist);
//! `records-lag-max` is the largest partition lag. The committed lag is what
//! `kafka-consumer-groups --describe` shows: high watermark minus the group's committed
//! offset. Simplified: Kafka's metric is a max over a 2 x 30 s window recorded at each fetch;
//! here each sample holds the instantaneous max; a partition without a committed offset
//! counts its committed lag from the log start offset.

use alloc::vec::Vec;

/// Simulated time between two lag samples (100 ms).
pub const LAG_SAMPLE_INTERVAL_US: u64 = 100_000;
/// Samples kept per consumer and per group (60 s at one sample per 100 ms).
pub const LAG_HISTORY_SAMPLES: usize = 600;

/// A bounded ring: the newest `capacity` items, oldest first when read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ring<T> {
    items: Vec<T>,
    /// Where the next item goes once the ring is full (the oldest item).
    next: usize,
    capacity: usize,
}

impl<T> Ring<T> {
    /// Heap bytes of the ring's items (fixed once full).
    pub fn heap_bytes(&self) -> usize {
        self.items.len() * core::mem::size_of::<T>()
    }

    pub fn new(capacity: usize) -> Ring<T> {
        Ring {
            items: Vec::new(),
            next: 0,
            capacity: capacity.max(1),
        }
    }

    /// Adds an item, dropping the oldest when full: O(1), no allocation once full.
    pub fn push(&mut self, item: T) {
        if self.items.len() < self.capacity {
            self.items.push(item);
        } else if let Some(slot) = self.items.get_mut(self.next) {
            *slot = item;
        }
        self.next = (self.next + 1) % self.capacity;
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        let split = if self.items.len() < self.capacity {
            0
        } else {
            self.next
        };
        let (a, b) = self.items.split_at(split);
        b.iter().chain(a.iter())
    }

    /// The newest item.
    pub fn last(&self) -> Option<&T> {
        if self.items.is_empty() {
            return None;
        }
        let i = (self.next + self.capacity - 1) % self.capacity;
        self.items.get(i.min(self.items.len() - 1))
    }
}

/// One consumer's lag at one moment (over its assigned partitions).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LagSample {
    pub time_us: u64,
    /// `records-lag-max`: the largest high watermark - position.
    pub lag_max: u64,
    /// Sum of high watermark - position.
    pub lag: u64,
    /// Sum of high watermark - committed offset.
    pub committed_lag: u64,
}

/// A group's lag at one moment, over every partition of its topics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupLagSample {
    pub time_us: u64,
    /// Sum of the partitions' `lag`.
    pub lag: u64,
    /// Sum of the partitions' `committed_lag`.
    pub committed_lag: u64,
    /// Per partition (the group's topics in order, partitions in order): (high watermark -
    /// the owner's position, or the committed lag while no member holds a position;
    /// high watermark - the committed offset).
    pub partitions: Vec<(u64, u64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_keeps_the_newest() {
        let mut r = Ring::new(3);
        assert!(r.is_empty());
        for i in 0..5u32 {
            r.push(i);
        }
        assert_eq!(r.len(), 3);
        assert_eq!(r.iter().copied().collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!(r.last(), Some(&4));
        r.push(5);
        assert_eq!(r.iter().copied().collect::<Vec<_>>(), [3, 4, 5]);
        let mut s = Ring::new(4);
        s.push(1u8);
        s.push(2);
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), [1, 2]);
        assert_eq!(s.last(), Some(&2));
    }
}
