//! `org.apache.kafka.clients.consumer.RoundRobinAssignor`.
//!
//! Members in `MemberInfo` order (static members first by `group.instance.id`, then the others
//! by member id; a stable sort over the leader's `HashMap` order); all partitions of all
//! subscribed topics of `partitionsPerTopic`, sorted by (topic, partition), are dealt in a circle,
//! skipping members that do not subscribe to the partition's topic (the skip moves the circle on).
use super::{Group, Tp};
use alloc::vec::Vec;

pub(crate) fn assign(group: &Group) -> Vec<Vec<Tp>> {
    let n = group.member_count();
    let mut out: Vec<Vec<Tp>> = (0..n).map(|_| Vec::new()).collect();
    if n == 0 {
        // Kafka's CircularIterator refuses an empty group; there is nothing to assign.
        return out;
    }
    let mut circle: Vec<u32> = group.subscription_order.clone();
    super::sort_ids(&mut circle, &|a, b| group.cmp_member_info(a, b));
    let mut pos = 0usize;
    // Topics in Java name order are exactly the assignable topics in index order.
    for &t in &group.assignable_topics {
        let Some(count) = group.count(t) else {
            continue;
        };
        let base = group.topics[t as usize].offset;
        for p in 0..count {
            // Some member subscribes to every assignable topic, so this stops within one lap.
            let mut skipped = 0usize;
            while !group.subscribes(circle[pos], t) && skipped < n {
                pos = (pos + 1) % n;
                skipped += 1;
            }
            out[circle[pos] as usize].push(base + p);
            pos = (pos + 1) % n;
        }
    }
    out
}
