//! A bounded ring of the last `capacity` values whose full chunks are shared between clones
//! (behind `Rc`), so that a checkpoint of the world (`sim::history`) costs the ring's unfinished
//! chunk, not its contents. The trace ring (`event::Trace`) and the inspector's record journal
//! (`inspect::RecordJournal`) are kept in one. Not a Kafka concept: the engine's memory.
//!
//! A value written into a shared chunk (the journal's outcome of a record that is already in a
//! full chunk) copies that chunk once for the writer (`Rc::make_mut`); the other holders keep
//! theirs.

use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec::Vec;

/// Values per chunk.
pub const RING_CHUNK: usize = 256;

/// The last `capacity` values pushed, oldest first.
#[derive(Clone, Debug)]
pub struct SharedRing<T> {
    /// Full chunks of `RING_CHUNK` values, shared by clones.
    full: VecDeque<Rc<Vec<T>>>,
    /// Values of `full[0]` already dropped from the ring.
    skip: usize,
    /// The chunk being filled (never shared).
    tail: Vec<T>,
    capacity: usize,
    /// Values held (`full.len() * RING_CHUNK - skip + tail.len()`).
    len: usize,
}

impl<T: Clone> SharedRing<T> {
    /// An empty ring keeping at most `capacity` values (at least one).
    pub fn new(capacity: usize) -> SharedRing<T> {
        SharedRing {
            full: VecDeque::new(),
            skip: 0,
            tail: Vec::new(),
            capacity: capacity.max(1),
            len: 0,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `value`, dropping the oldest when the ring is full.
    #[inline]
    pub fn push(&mut self, value: T) {
        if self.len == self.capacity {
            self.drop_oldest();
        } else {
            self.len += 1;
        }
        self.tail.push(value);
        if self.tail.len() == RING_CHUNK {
            let chunk = core::mem::replace(&mut self.tail, Vec::with_capacity(RING_CHUNK));
            self.full.push_back(Rc::new(chunk));
        }
        debug_assert_eq!(
            self.len,
            self.full.len() * RING_CHUNK - self.skip + self.tail.len()
        );
    }

    fn drop_oldest(&mut self) {
        if self.full.is_empty() {
            self.tail.remove(0);
            return;
        }
        self.skip += 1;
        if self.skip == RING_CHUNK {
            self.full.pop_front();
            self.skip = 0;
        }
    }

    /// Where the `i`-th value (oldest first) lives: (chunk, index in it), `None` for the tail.
    #[inline(always)]
    fn place(&self, i: usize) -> (Option<usize>, usize) {
        let j = self.skip + i;
        let c = j / RING_CHUNK;
        if c < self.full.len() {
            (Some(c), j % RING_CHUNK)
        } else {
            (None, j - self.full.len() * RING_CHUNK)
        }
    }

    /// The `i`-th value, oldest first.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len() {
            return None;
        }
        match self.place(i) {
            (Some(c), k) => self.full.get(c)?.get(k),
            (None, k) => self.tail.get(k),
        }
    }

    /// The `i`-th value to change (a value in a shared chunk copies that chunk first).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len() {
            return None;
        }
        match self.place(i) {
            (Some(c), k) => Rc::make_mut(self.full.get_mut(c)?).get_mut(k),
            (None, k) => self.tail.get_mut(k),
        }
    }

    #[inline]
    pub fn last(&self) -> Option<&T> {
        match self.tail.last() {
            Some(v) => Some(v),
            None => self.full.back().and_then(|c| c.last()),
        }
    }

    /// The values, oldest first.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            ring: self,
            front: 0,
            back: self.len(),
        }
    }

    /// The position of the value whose key is `key`, keys increasing along the ring.
    pub fn binary_search_by_key<K: Ord>(&self, key: &K, f: impl Fn(&T) -> K) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let k = f(self.get(mid)?);
            match k.cmp(key) {
                core::cmp::Ordering::Less => lo = mid + 1,
                core::cmp::Ordering::Greater => hi = mid,
                core::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Heap bytes of the values held (by length, so that a clone counts the same).
    pub fn heap_bytes(&self) -> usize {
        self.len() * core::mem::size_of::<T>()
    }

    /// The ring's own heap bytes (its unfinished chunk and the chunk list), and each full
    /// chunk's address (an id, to count a chunk shared by several clones once) and bytes.
    pub fn shared_bytes(&self, mut chunk: impl FnMut(usize, usize)) -> usize {
        for c in &self.full {
            chunk(
                Rc::as_ptr(c) as usize,
                RING_CHUNK * core::mem::size_of::<T>(),
            );
        }
        self.tail.len() * core::mem::size_of::<T>()
            + self.full.len() * core::mem::size_of::<Rc<Vec<T>>>()
    }
}

impl<T: Clone + PartialEq> PartialEq for SharedRing<T> {
    fn eq(&self, other: &Self) -> bool {
        self.capacity == other.capacity && self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Clone + Eq> Eq for SharedRing<T> {}

/// The ring's values, oldest first, from both ends.
pub struct Iter<'a, T> {
    ring: &'a SharedRing<T>,
    front: usize,
    back: usize,
}

impl<'a, T: Clone> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        if self.front >= self.back {
            return None;
        }
        let v = self.ring.get(self.front);
        self.front += 1;
        v
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl<T: Clone> DoubleEndedIterator for Iter<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        self.ring.get(self.back)
    }
}

impl<T: Clone> ExactSizeIterator for Iter<'_, T> {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// The ring holds what a plain bounded deque holds, at every length and capacity, and a
    /// clone changed afterwards leaves the original as it was.
    #[test]
    fn holds_the_last_values_and_clones_stay_apart() {
        for capacity in [1, 3, 255, 256, 257, 600, 1024] {
            let mut ring = SharedRing::new(capacity);
            let mut plain = VecDeque::new();
            for v in 0..3000u32 {
                ring.push(v);
                plain.push_back(v);
                if plain.len() > capacity {
                    plain.pop_front();
                }
                assert_eq!(ring.len(), plain.len());
                assert_eq!(ring.last(), plain.back());
            }
            assert!(ring.iter().eq(plain.iter()));
            assert!(ring.iter().rev().eq(plain.iter().rev()));
            let before: Vec<u32> = ring.iter().copied().collect();
            let mut copy = ring.clone();
            for i in 0..copy.len() {
                if let Some(v) = copy.get_mut(i) {
                    *v += 1;
                }
            }
            copy.push(7);
            assert!(ring.iter().copied().eq(before.iter().copied()));
            let first = before[0];
            assert_eq!(ring.binary_search_by_key(&first, |v| *v), Some(0));
            assert_eq!(ring.binary_search_by_key(&u32::MAX, |v| *v), None);
        }
    }
}
