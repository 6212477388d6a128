//! `org.apache.kafka.clients.consumer.RangeAssignor`.
//!
//! Per topic of `partitionsPerTopic`: the topic's subscribers in `MemberInfo` order (static
//! members first by `group.instance.id`, then the others by member id; a stable sort over the
//! leader's `HashMap` order, which only shows when two members share a `group.instance.id`), and
//! its partitions in order; with `n` partitions over `c` subscribers, member `i` takes `n / c`
//! contiguous partitions, the first `n % c` members one more.
//!
//! Simplified: no rack-aware placement (Streamscope's members carry no `client.rack`; Kafka skips
//! that step too when no member has a rack).
use super::{Group, Tp};
use alloc::vec::Vec;

pub(crate) fn assign(group: &Group) -> Vec<Vec<Tp>> {
    let n = group.member_count();
    let mut out: Vec<Vec<Tp>> = (0..n).map(|_| Vec::new()).collect();
    // Subscribers of each topic, in the leader's HashMap order.
    let mut subscribers: Vec<Vec<u32>> = (0..group.topics.len()).map(|_| Vec::new()).collect();
    for &m in &group.subscription_order {
        for &t in &group.member_topic_set[m as usize] {
            if let Some(list) = subscribers.get_mut(t as usize) {
                list.push(m);
            }
        }
    }
    for &t in &group.assignable_topics {
        let Some(count) = group.count(t) else {
            continue;
        };
        let members = &mut subscribers[t as usize];
        if members.is_empty() {
            continue;
        }
        super::sort_ids(members, &|a, b| group.cmp_member_info(a, b));
        let c = members.len() as u32;
        let per = count / c;
        let extra = count % c;
        let base = group.topics[t as usize].offset;
        let mut next = 0u32;
        for (i, &m) in members.iter().enumerate() {
            let take = per + u32::from((i as u32) < extra);
            out[m as usize].extend(base + next..base + next + take);
            next += take;
        }
    }
    out
}
