//! What the sticky assignors start from (`AbstractStickyAssignor`'s prepopulation): each
//! member's owned partitions and the generation they were owned in, with Kafka's rules for
//! partitions claimed by two members, and whether every member subscribes to the same topics.

use super::java::JavaHashMap;
use super::{Group, Tp, NONE};
use alloc::vec::Vec;

/// Kafka's `DEFAULT_GENERATION`.
pub const DEFAULT_GENERATION: i32 = -1;

/// Member `m`'s generation as its member data reports it (-1 when absent).
pub(crate) fn member_generation(group: &Group, m: u32) -> i32 {
    group.members[m as usize]
        .generation
        .unwrap_or(DEFAULT_GENERATION)
}

/// Member `m`'s generation as its `Subscription.generationId()` reports it (Kafka keeps only
/// values >= 0 there; -1 otherwise).
pub(crate) fn subscription_generation(group: &Group, m: u32) -> i32 {
    match group.members[m as usize].generation {
        Some(g) if g >= 0 => g,
        _ => DEFAULT_GENERATION,
    }
}

/// A dense boolean set over partition ids.
pub(crate) struct TpSet {
    bits: Vec<u64>,
}

impl TpSet {
    pub fn new(bound: u32) -> Self {
        TpSet {
            bits: alloc::vec![0; (bound as usize).div_ceil(64)],
        }
    }
    pub fn insert(&mut self, id: Tp) {
        if let Some(w) = self.bits.get_mut(id as usize / 64) {
            *w |= 1 << (id % 64);
        }
    }
    pub fn remove(&mut self, id: Tp) {
        if let Some(w) = self.bits.get_mut(id as usize / 64) {
            *w &= !(1 << (id % 64));
        }
    }
    pub fn contains(&self, id: Tp) -> bool {
        self.bits
            .get(id as usize / 64)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }
}

/// What `allSubscriptionsEqual` leaves behind.
pub(crate) struct OwnedState {
    pub all_equal: bool,
    /// Each member's owned partitions after settling double claims (`consumerToOwnedPartitions`).
    pub owned: Vec<Vec<Tp>>,
    /// Iteration order of `consumerToOwnedPartitions` (a `HashMap` filled in subscription order).
    pub owned_map: JavaHashMap<u32>,
    pub multiple_previous_owners: TpSet,
    pub max_generation: i32,
}

pub(crate) fn remove_first(list: &mut Vec<Tp>, tp: Tp) -> bool {
    match list.iter().position(|&x| x == tp) {
        Some(pos) => {
            list.remove(pos);
            true
        }
        None => false,
    }
}

pub(crate) fn all_subscriptions_equal(group: &Group) -> OwnedState {
    let n = group.member_count();
    let bound = group.tp_id_bound();
    let mut owned: Vec<Vec<Tp>> = (0..n).map(|_| Vec::new()).collect();
    let mut owned_map = JavaHashMap::new();
    let mut multiple = TpSet::new(bound);
    let mut previous_owner: Vec<u32> = alloc::vec![NONE; bound as usize];
    let mut max_generation = DEFAULT_GENERATION;
    let mut all_equal = true;
    let mut subscribed: Vec<u32> = Vec::new(); // sorted set of topic indexes (NONE never occurs)
    let mut subscribed_raw_len = 0usize;

    for &m in &group.subscription_order {
        let mi = m as usize;
        let topics = &group.member_topics[mi];
        if subscribed.is_empty() {
            subscribed = group.member_topic_set[mi].clone();
            subscribed_raw_len = subscribed.len();
        } else if all_equal {
            let same = topics.len() == subscribed_raw_len
                && topics.iter().all(|t| subscribed.binary_search(t).is_ok());
            if !same {
                all_equal = false;
            }
        }

        let generation = member_generation(group, m);
        max_generation = max_generation.max(generation);
        owned_map.insert(group.member_hash[mi], m);

        for tp in &group.members[mi].owned {
            let Some(id) = group.owned_id(tp) else {
                continue;
            };
            let other = previous_owner[id as usize];
            if other == NONE {
                owned[mi].push(id);
                previous_owner[id as usize] = m;
                continue;
            }
            let other_generation = subscription_generation(group, other);
            if generation == other_generation {
                multiple.insert(id);
                remove_first(&mut owned[other as usize], id);
                previous_owner[id as usize] = m;
            } else if generation > other_generation {
                owned[mi].push(id);
                remove_first(&mut owned[other as usize], id);
                previous_owner[id as usize] = m;
            }
        }
    }
    OwnedState {
        all_equal,
        owned,
        owned_map,
        multiple_previous_owners: multiple,
        max_generation,
    }
}
