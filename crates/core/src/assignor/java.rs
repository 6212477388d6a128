//! The few pieces of Java behaviour that Kafka's assignors leak into their results.
//!
//! - [`string_hash`] mirrors `java.lang.String.hashCode` (over UTF-16 code units).
//! - [`cmp_str`] mirrors `String.compareTo` (UTF-16 code-unit order, which differs from Rust's byte
//!   order only between supplementary characters and U+E000..U+FFFF).
//! - [`topic_partition_hash`] mirrors `org.apache.kafka.common.TopicPartition.hashCode`.
//! - [`JavaHashMap`] mirrors the iteration order of a `java.util.HashMap` / `HashSet` (bucket by bucket,
//!   insertion order within a bucket, resizes that keep relative order, the treeify-triggered
//!   resize of small tables). Only keys are tracked; values live with the caller.
//!
//! Simplification: when a bucket of a table of capacity 64 or more reaches 9 keys, Java turns the
//! bucket into a red-black tree whose root is moved to the front of the bucket's iteration order.
//! That reordering is not emulated (the keys keep insertion order). It needs 9 keys sharing the
//! low bits of their spread hash at a load factor of at most 0.75, which random member ids do not
//! produce.
use alloc::vec::Vec;
use core::cmp::Ordering;

/// `java.lang.String.hashCode()`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 code units, wrapping.
pub fn string_hash(s: &str) -> i32 {
    let mut h: i32 = 0;
    for unit in s.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(unit as i32);
    }
    h
}

/// `TopicPartition.hashCode()`: `31 * (31 + partition) + topic.hashCode()`, wrapping.
pub fn topic_partition_hash(topic_hash: i32, partition: i32) -> i32 {
    31i32
        .wrapping_mul(31i32.wrapping_add(partition))
        .wrapping_add(topic_hash)
}

/// `String.compareTo`: lexicographic over UTF-16 code units.
pub fn cmp_str(a: &str, b: &str) -> Ordering {
    // Equal prefixes compare the same in every encoding; only the first differing characters
    // decide, and UTF-16 order differs from code-point order only above U+FFFF.
    let mut ai = a.chars();
    let mut bi = b.chars();
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => {
                let mut bx = [0u16; 2];
                let mut by = [0u16; 2];
                let ux = x.encode_utf16(&mut bx);
                let uy = y.encode_utf16(&mut by);
                return (*ux).cmp(&*uy);
            }
        }
    }
}

const DEFAULT_CAPACITY: usize = 16;
const MAX_CAPACITY: usize = 1 << 30;
const TREEIFY_THRESHOLD: usize = 8;
const MIN_TREEIFY_CAPACITY: usize = 64;

/// `HashMap.hash(key)`: the hash code with its high half xored into the low half.
pub fn spread(h: i32) -> u32 {
    let h = h as u32;
    h ^ (h >> 16)
}

/// `HashMap.tableSizeFor`: the power of two at or above `cap` (1 for 0 or 1).
fn table_size_for(cap: usize) -> usize {
    if cap <= 1 {
        1
    } else {
        cap.checked_next_power_of_two()
            .unwrap_or(MAX_CAPACITY)
            .min(MAX_CAPACITY)
    }
}

/// `(int) ((float) cap * 0.75f)`, as `HashMap.resize` computes a threshold.
fn threshold_of(cap: usize) -> usize {
    if cap >= MAX_CAPACITY {
        i32::MAX as usize
    } else {
        (cap as f32 * 0.75f32) as usize
    }
}

/// The key layout of a `java.util.HashMap` (or the `HashMap` inside a `HashSet`), for
/// reproducing its iteration order. Keys are small `Copy` ids; their Java hash codes are given
/// by the caller.
#[derive(Clone, Debug)]
pub struct JavaHashMap<K> {
    /// Empty until the first insertion, as in Java.
    table: Vec<Vec<(u32, K)>>,
    size: usize,
    /// Before the table exists: the initial capacity (0 = default), as Java keeps it.
    threshold: usize,
}

impl<K: Copy + PartialEq> JavaHashMap<K> {
    /// `new HashMap<>()`.
    pub fn new() -> Self {
        JavaHashMap {
            table: Vec::new(),
            size: 0,
            threshold: 0,
        }
    }

    /// `new HashMap<>(initialCapacity)`.
    pub fn with_capacity(initial_capacity: usize) -> Self {
        JavaHashMap {
            table: Vec::new(),
            size: 0,
            threshold: table_size_for(initial_capacity),
        }
    }

    pub fn len(&self) -> usize {
        self.size
    }

    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    fn resize(&mut self) {
        let old_cap = self.table.len();
        let old_thr = self.threshold;
        let new_cap;
        let mut new_thr = 0usize;
        if old_cap > 0 {
            if old_cap >= MAX_CAPACITY {
                self.threshold = i32::MAX as usize;
                return;
            }
            new_cap = old_cap << 1;
            if new_cap < MAX_CAPACITY && old_cap >= DEFAULT_CAPACITY {
                new_thr = old_thr << 1;
            }
        } else if old_thr > 0 {
            new_cap = old_thr;
        } else {
            new_cap = DEFAULT_CAPACITY;
            new_thr = threshold_of(DEFAULT_CAPACITY);
        }
        if new_thr == 0 {
            new_thr = threshold_of(new_cap);
        }
        self.threshold = new_thr;
        let mut table: Vec<Vec<(u32, K)>> = Vec::with_capacity(new_cap);
        table.resize_with(new_cap, Vec::new);
        if old_cap > 0 {
            for (j, bucket) in core::mem::take(&mut self.table).into_iter().enumerate() {
                for (h, k) in bucket {
                    let idx = if h as usize & old_cap == 0 {
                        j
                    } else {
                        j + old_cap
                    };
                    table[idx].push((h, k));
                }
            }
        }
        self.table = table;
    }

    /// `put(key, ...)`: a new key goes to the end of its bucket; an existing key keeps its place.
    /// Returns true when the key was new.
    pub fn insert(&mut self, hash: i32, key: K) -> bool {
        let h = spread(hash);
        if self.table.is_empty() {
            self.resize();
        }
        let idx = h as usize & (self.table.len() - 1);
        let bucket = &mut self.table[idx];
        if bucket.iter().any(|&(bh, bk)| bh == h && bk == key) {
            return false;
        }
        let before = bucket.len();
        bucket.push((h, key));
        if before >= TREEIFY_THRESHOLD && self.table.len() < MIN_TREEIFY_CAPACITY {
            // treeifyBin on a small table resizes instead.
            self.resize();
        }
        self.size += 1;
        if self.size > self.threshold {
            self.resize();
        }
        true
    }

    /// `remove(key)`: the other keys keep their order. Returns true when the key was present.
    pub fn remove(&mut self, hash: i32, key: K) -> bool {
        if self.table.is_empty() {
            return false;
        }
        let h = spread(hash);
        let idx = h as usize & (self.table.len() - 1);
        let bucket = &mut self.table[idx];
        match bucket.iter().position(|&(bh, bk)| bh == h && bk == key) {
            Some(pos) => {
                bucket.remove(pos);
                self.size -= 1;
                true
            }
            None => false,
        }
    }

    pub fn contains(&self, hash: i32, key: K) -> bool {
        if self.table.is_empty() {
            return false;
        }
        let h = spread(hash);
        let idx = h as usize & (self.table.len() - 1);
        self.table[idx].iter().any(|&(bh, bk)| bh == h && bk == key)
    }

    /// `clear()`: keeps the capacity, as Java does.
    pub fn clear(&mut self) {
        for b in self.table.iter_mut() {
            b.clear();
        }
        self.size = 0;
    }

    /// The first key in iteration order (`iterator().next()`).
    pub fn first(&self) -> Option<K> {
        self.table.iter().find_map(|b| b.first().map(|&(_, k)| k))
    }

    /// Keys in Java's iteration order.
    pub fn iter(&self) -> impl Iterator<Item = K> + '_ {
        self.table.iter().flat_map(|b| b.iter().map(|&(_, k)| k))
    }
}

impl<K: Copy + PartialEq> Default for JavaHashMap<K> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hash_known_values() {
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        // BRIEF: "my-group" -> coordinator partition 12 of 50 (Utils.abs(hashCode) % 50).
        assert_eq!(string_hash("my-group").unsigned_abs() % 50, 12);
        assert_eq!(string_hash("polygenelubricants"), i32::MIN);
        // Supplementary characters count as two UTF-16 units.
        assert_eq!(string_hash("\u{1F600}"), 0xD83D * 31 + 0xDE00);
    }

    #[test]
    fn compare_is_utf16_order() {
        assert_eq!(cmp_str("a", "b"), Ordering::Less);
        assert_eq!(cmp_str("ab", "a"), Ordering::Greater);
        assert_eq!(cmp_str("B", "a"), Ordering::Less);
        // U+FF5E (one unit 0xFF5E) sorts after U+1F600 (0xD83D ...) in Java, before it in Rust.
        assert_eq!(cmp_str("\u{FF5E}", "\u{1F600}"), Ordering::Greater);
        assert!("\u{FF5E}" < "\u{1F600}");
    }

    #[test]
    fn iteration_order_follows_buckets_then_insertion() {
        let mut m = JavaHashMap::new();
        // Hashes 17 and 1 share bucket 1 of 16; 0 goes first.
        m.insert(17, 'a');
        m.insert(1, 'b');
        m.insert(0, 'c');
        let v: Vec<char> = m.iter().collect();
        assert_eq!(v, ['c', 'a', 'b']);
        // 13 keys force a resize to 32: 17 moves to bucket 17.
        for k in 2..12 {
            m.insert(k, 'x');
        }
        let v: Vec<char> = m.iter().filter(|&c| c != 'x').collect();
        assert_eq!(v, ['c', 'b', 'a']);
    }
}
