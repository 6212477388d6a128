//! The pipeline verifier's maps (`sim::pipeline`), kept as ranges so that they do not cost
//! a map entry per record: which input record each output record came from, and how often
//! the verifier has seen each input record's output.
//!
//! Kafka has no such thing (it is our observer, like the invariant monitor). Inherently per
//! record, but compact: a processor's outputs of one poll get consecutive record ids from
//! consecutive input offsets, so one run covers a whole batch; input records seen once are
//! ranges of offsets, and only those seen more than once (duplicates, rare) are entries.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// One run of [`Origins`]: output ids `id..id + len` from input offsets `offset..` of `part`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct OriginRun {
    id: u64,
    offset: u64,
    part: u32,
    len: u32,
}

/// Output record id -> the input record it came from (input partition, offset).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    /// Sorted by first id, disjoint (24 bytes a run; ids are made in increasing order, so
    /// a new run is pushed at the end).
    runs: Vec<OriginRun>,
    len: u64,
}

impl Origins {
    /// Records `id` as the output of input record `origin` (ids are unique).
    pub fn insert(&mut self, id: u64, origin: (u32, u64)) {
        let (part, offset) = origin;
        let i = self.runs.partition_point(|r| r.id <= id);
        if let Some(r) = i.checked_sub(1).and_then(|j| self.runs.get_mut(j)) {
            let n = r.len as u64;
            if r.id + n > id {
                // Already recorded (ids are unique, so the same origin): nothing to add.
                return;
            }
            let next_free = self.runs.get(i).is_none_or(|nx| nx.id > id);
            let r = &mut self.runs[i - 1];
            if next_free
                && r.id + n == id
                && r.part == part
                && r.offset + n == offset
                && r.len < u32::MAX
            {
                r.len += 1;
                self.len += 1;
                return;
            }
        }
        self.runs.insert(
            i,
            OriginRun {
                id,
                offset,
                part,
                len: 1,
            },
        );
        self.len += 1;
    }

    /// The input record output record `id` came from.
    pub fn get(&self, id: u64) -> Option<(u32, u64)> {
        let i = self.runs.partition_point(|r| r.id <= id).checked_sub(1)?;
        let r = self.runs.get(i)?;
        let k = id - r.id;
        (k < r.len as u64).then_some((r.part, r.offset + k))
    }

    /// Every (output record id, origin), by id.
    pub fn iter(&self) -> impl Iterator<Item = (u64, (u32, u64))> + '_ {
        self.runs
            .iter()
            .flat_map(|r| (0..r.len as u64).map(move |k| (r.id + k, (r.part, r.offset + k))))
    }

    /// Heap bytes of the runs.
    pub fn heap_bytes(&self) -> usize {
        self.runs.len() * core::mem::size_of::<OriginRun>()
    }

    /// Output records recorded.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Runs held (what the map costs).
    pub fn runs(&self) -> usize {
        self.runs.len()
    }
}

/// Input record (partition, offset) -> times the verifier has seen its output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeenCounts {
    /// Per input partition, offsets seen at least once: start -> end (exclusive), disjoint
    /// and not adjacent.
    once: BTreeMap<u32, BTreeMap<u64, u64>>,
    /// Those seen more than once, with their count.
    more: BTreeMap<(u32, u64), u32>,
}

impl SeenCounts {
    /// Times input record `(part, off)`'s output was seen.
    pub fn get(&self, key: &(u32, u64)) -> u32 {
        if let Some(&n) = self.more.get(key) {
            return n;
        }
        let (part, off) = *key;
        let seen = self
            .once
            .get(&part)
            .and_then(|r| r.range(..=off).next_back())
            .is_some_and(|(_, &end)| off < end);
        u32::from(seen)
    }

    pub fn contains_key(&self, key: &(u32, u64)) -> bool {
        self.get(key) > 0
    }

    /// Counts one more sighting of `(part, off)`'s output; returns the new count.
    pub fn increment(&mut self, key: (u32, u64)) -> u32 {
        let n = self.get(&key);
        if n > 0 {
            let m = n.saturating_add(1);
            self.more.insert(key, m);
            return m;
        }
        let (part, off) = key;
        let r = self.once.entry(part).or_default();
        let before = r
            .range(..off)
            .next_back()
            .map(|(&s, &e)| (s, e))
            .filter(|&(_, e)| e == off);
        let after = r.get(&(off + 1)).copied();
        match (before, after) {
            (Some((s, _)), Some(e)) => {
                r.remove(&(off + 1));
                r.insert(s, e);
            }
            (Some((s, _)), None) => {
                r.insert(s, off + 1);
            }
            (None, Some(e)) => {
                r.remove(&(off + 1));
                r.insert(off, e);
            }
            (None, None) => {
                r.insert(off, off + 1);
            }
        }
        1
    }

    /// Every ((partition, offset), count), by partition and offset.
    pub fn iter(&self) -> impl Iterator<Item = ((u32, u64), u32)> + '_ {
        self.once.iter().flat_map(move |(&p, r)| {
            r.iter().flat_map(move |(&s, &e)| {
                (s..e).map(move |o| ((p, o), self.more.get(&(p, o)).copied().unwrap_or(1)))
            })
        })
    }

    /// Ranges and entries held (what the map costs).
    pub fn ranges(&self) -> usize {
        self.once.values().map(|r| r.len()).sum::<usize>() + self.more.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap as Model;

    #[test]
    fn origins_and_counts_match_plain_maps() {
        let (mut o, mut om) = (Origins::default(), Model::new());
        let (mut s, mut sm) = (SeenCounts::default(), Model::new());
        let mut x = 12345u64;
        let mut draw = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let mut id = 0u64;
        for _ in 0..5_000 {
            id += 1 + draw(2) * draw(3);
            let origin = (draw(3) as u32, draw(60));
            o.insert(id, origin);
            om.insert(id, origin);
            let key = (draw(3) as u32, draw(80));
            let n = sm.entry(key).or_insert(0u32);
            *n += 1;
            assert_eq!(s.increment(key), *n);
        }
        for q in 0..id + 2 {
            assert_eq!(o.get(q), om.get(&q).copied());
        }
        assert_eq!(
            o.iter().collect::<Vec<_>>(),
            om.into_iter().collect::<Vec<_>>()
        );
        assert_eq!(o.len(), 5_000);
        for p in 0..4 {
            for off in 0..90 {
                assert_eq!(s.get(&(p, off)), sm.get(&(p, off)).copied().unwrap_or(0));
            }
        }
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            sm.into_iter().collect::<Vec<_>>()
        );
    }
}
