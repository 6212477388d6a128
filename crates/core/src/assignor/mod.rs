//! Consumer-group partition assignors, bit-exact with Apache Kafka's Java client.
//!
//! | [`AssignorKind`] | protocol name | Kafka class | module |
//! |---|---|---|---|
//! | `Range` | `range` | `org.apache.kafka.clients.consumer.RangeAssignor` | [`range`] |
//! | `RoundRobin` | `roundrobin` | `org.apache.kafka.clients.consumer.RoundRobinAssignor` | [`round_robin`] |
//! | `Sticky` | `sticky` | `org.apache.kafka.clients.consumer.StickyAssignor` | [`sticky`] |
//! | `CooperativeSticky` | `cooperative-sticky` | `org.apache.kafka.clients.consumer.CooperativeStickyAssignor` | [`sticky`] |
//!
//! The broker-side assignors of KIP-848 `consumer` groups (`uniform`, `range`) are in [`server`].
//!
//! [`assign`] is called the way the group leader calls `assign(Cluster, GroupSubscription)`
//! after JoinGroup (`AbstractPartitionAssignor.assign`): the members come in JoinGroup order and
//! are put into a `java.util.HashMap` keyed by member id, which the assignors iterate; topics
//! nobody subscribes to and topics without partitions are left out; every member is in the result.
//!
//! Ownership (`owned` + `generation` of a [`MemberSubscription`]) means, per assignor:
//! - Range / RoundRobin: ignored.
//! - Sticky (eager): the previous assignment and generation the member's `StickyAssignor` sends
//!   in its subscription userData.
//! - CooperativeSticky: the subscription's `ownedPartitions` and `generationId`; the result is the
//!   first-round assignment (partitions still owned by another member are held back).
//!
//! Whatever Kafka accepts is accepted and resolved as Kafka does: owned partitions of deleted
//! topics, subscribed topics with no partition count, a partition claimed by two members (the
//! higher generation wins; at the same generation it is taken from both), owned partitions of a
//! topic the member no longer subscribes to. Where Kafka's Java assignor itself throws on an input
//! (it does for a few inconsistent inputs, e.g. owned partition numbers beyond the topic's count
//! in some layouts), [`assign`] returns [`AssignError::KafkaException`] instead of panicking.
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

mod input;
pub mod java;
pub mod range;
pub mod round_robin;
pub mod server;
pub mod sticky;
mod sticky_general;
mod sticky_movements;
pub mod sticky_owned;

/// A topic name and partition number (`org.apache.kafka.common.TopicPartition`).
///
/// Ordered by topic (plain character order) then partition, the order of every list in an
/// assignment.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// The four assignors of Kafka's Java consumer (`partition.assignment.strategy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AssignorKind {
    Range,
    RoundRobin,
    Sticky,
    CooperativeSticky,
}

impl AssignorKind {
    /// All four, in the order of the table above.
    pub const ALL: [AssignorKind; 4] = [
        AssignorKind::Range,
        AssignorKind::RoundRobin,
        AssignorKind::Sticky,
        AssignorKind::CooperativeSticky,
    ];

    /// Kafka's protocol name (`ConsumerPartitionAssignor.name()`).
    pub fn name(self) -> &'static str {
        match self {
            AssignorKind::Range => "range",
            AssignorKind::RoundRobin => "roundrobin",
            AssignorKind::Sticky => "sticky",
            AssignorKind::CooperativeSticky => "cooperative-sticky",
        }
    }

    /// The assignor with this protocol name (exact, as Kafka matches names).
    pub fn from_name(name: &str) -> Option<AssignorKind> {
        AssignorKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for AssignorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for AssignorKind {
    type Err = AssignError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AssignorKind::from_name(s).ok_or_else(|| AssignError::UnknownAssignor(String::from(s)))
    }
}

/// One member's JoinGroup subscription, as the group leader sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberSubscription {
    /// The member id the coordinator gave (`<client.id>-<UUID>`).
    pub member_id: String,
    /// `group.instance.id` of a static member.
    pub group_instance_id: Option<String>,
    /// The subscribed topics, as the member lists them.
    pub topics: Vec<String>,
    /// Partitions the member owned at `generation` (sticky assignors only).
    pub owned: Vec<TopicPartition>,
    /// The generation the member last took part in; `None` for a new member (Kafka's -1).
    pub generation: Option<i32>,
}

impl MemberSubscription {
    /// A new member (no previous generation) subscribing to `topics`.
    pub fn new<S: Into<String>>(
        member_id: impl Into<String>,
        topics: impl IntoIterator<Item = S>,
    ) -> Self {
        MemberSubscription {
            member_id: member_id.into(),
            topics: topics.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }
}

/// Member id to its partitions, each list sorted by (topic, partition).
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// Why [`assign`] gave no assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignError {
    /// Two members share a member id (the coordinator never does that).
    DuplicateMemberId(String),
    /// A partition count above `i32::MAX`, which Kafka cannot represent.
    PartitionCountTooLarge { topic: String, count: u32 },
    /// Not one of Kafka's four protocol names (from [`AssignorKind::from_str`]).
    UnknownAssignor(String),
    /// Kafka's Java assignor fails on this input: it throws the named Java exception (only with
    /// inconsistent ownership data), or its general sticky loop never returns (a known property
    /// of `performReassignments`, reached with unequal subscriptions); the leader's rebalance
    /// would fail or hang.
    KafkaException {
        exception: &'static str,
        detail: String,
    },
}

impl fmt::Display for AssignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssignError::DuplicateMemberId(id) => {
                write!(f, "member id \"{id}\" appears more than once; every member needs its own id")
            }
            AssignError::PartitionCountTooLarge { topic, count } => {
                write!(f, "topic \"{topic}\" has {count} partitions; Kafka allows at most {}", i32::MAX)
            }
            AssignError::UnknownAssignor(name) => write!(
                f,
                "unknown assignor \"{name}\"; use one of range, roundrobin, sticky, cooperative-sticky"
            ),
            AssignError::KafkaException { exception, detail } => {
                write!(f, "Kafka's assignor fails on this input ({exception}): {detail}")
            }
        }
    }
}

pub(crate) fn kafka_exception(exception: &'static str, detail: &str) -> AssignError {
    AssignError::KafkaException {
        exception,
        detail: String::from(detail),
    }
}

pub(crate) fn npe(detail: &str) -> AssignError {
    kafka_exception("java.lang.NullPointerException", detail)
}

pub(crate) fn illegal_state(detail: &str) -> AssignError {
    kafka_exception("java.lang.IllegalStateException", detail)
}

/// Assigns the partitions of `partitions_per_topic` (topic name to partition count) to
/// `members` (in JoinGroup order) exactly as Kafka's assignor `kind` does.
///
/// Every member is in the result, each list sorted by (topic, partition). Errors only for a
/// duplicate member id, a partition count Kafka cannot hold, or an input on which Kafka's own
/// assignor throws.
pub fn assign(
    kind: AssignorKind,
    partitions_per_topic: &BTreeMap<String, u32>,
    members: &[MemberSubscription],
) -> Result<Assignment, AssignError> {
    let group = Group::new(partitions_per_topic, members)?;
    let per_member: Vec<Vec<Tp>> = match kind {
        AssignorKind::Range => range::assign(&group),
        AssignorKind::RoundRobin => round_robin::assign(&group),
        AssignorKind::Sticky => sticky::assign(&group, false)?,
        AssignorKind::CooperativeSticky => sticky::assign(&group, true)?,
    };
    Ok(group.into_assignment(per_member))
}

// ---------------------------------------------------------------------------------------------
// The group as the assignors see it: interned topics, dense partition ids, Java orders.

/// A partition id: dense over the partitions of `partitionsPerTopic` (topic by topic in Java
/// name order), then ids for owned partitions whose number lies outside their topic's range.
pub(crate) type Tp = u32;
pub(crate) const NONE: u32 = u32::MAX;

/// Stable sort of member or partition ids by `cmp`: the standard library's `sort_by`, the same
/// algorithm and result, but one copy of it for every order the assignors sort ids by (each
/// closure would otherwise instantiate the whole stable sort again; about 7 KB of wasm each).
#[inline(never)]
pub(crate) fn sort_ids(ids: &mut [u32], cmp: &dyn Fn(u32, u32) -> Ordering) {
    ids.sort_by(|&a, &b| cmp(a, b));
}

pub(crate) struct TopicInfo<'a> {
    pub name: &'a str,
    pub hash: i32,
    /// Partition count if the topic is in `partitionsPerTopic` (subscribed and with partitions).
    pub count: Option<u32>,
    /// First dense partition id of the topic.
    pub offset: u32,
}

pub(crate) struct Group<'a> {
    pub members: &'a [MemberSubscription],
    pub member_hash: Vec<i32>,
    /// Member indexes in the iteration order of the leader's `HashMap<String, Subscription>`.
    pub subscription_order: Vec<u32>,
    /// Rank of each member id in Java `String` order.
    pub member_rank: Vec<u32>,
    /// Every topic named anywhere, sorted in Java `String` order.
    pub topics: Vec<TopicInfo<'a>>,
    topic_index: BTreeMap<&'a str, u32>,
    /// Each member's subscription as topic indexes, as listed (duplicates kept).
    pub member_topics: Vec<Vec<u32>>,
    /// Each member's subscription as sorted, deduplicated topic indexes.
    pub member_topic_set: Vec<Vec<u32>>,
    /// Topics of `partitionsPerTopic`, in Java name order.
    pub assignable_topics: Vec<u32>,
    /// Total partitions of `partitionsPerTopic`.
    pub total_partitions: u32,
    /// Owned partitions outside their topic's range: (topic, partition), ids from `total_partitions`.
    pub extra: ExtraPartitions,
}

#[derive(Default)]
pub(crate) struct ExtraPartitions {
    pub list: Vec<(u32, i32)>,
    pub index: BTreeMap<(u32, i32), u32>,
}

impl<'a> Group<'a> {
    /// The group as `AbstractPartitionAssignor.assign` sees it: the input checked, every topic
    /// interned in Java name order, the members' subscriptions, `partitionsPerTopic`, ids for
    /// owned partitions out of range, the leader's `HashMap` order and the member id order.
    fn new(
        partitions_per_topic: &'a BTreeMap<String, u32>,
        members: &'a [MemberSubscription],
    ) -> Result<Self, AssignError> {
        input::check(partitions_per_topic, members)?;
        let names = input::topic_names(partitions_per_topic, members);
        let topic_index: BTreeMap<&'a str, u32> = names
            .iter()
            .enumerate()
            .map(|(i, &n)| (n, i as u32))
            .collect();
        let (member_topics, member_topic_set) = input::subscriptions(members, &topic_index);
        let (topics, assignable_topics, offset) =
            input::assignable(partitions_per_topic, &names, &member_topic_set)?;
        let extra = input::extra_partitions(members, &topic_index, &topics, offset);
        let (member_hash, subscription_order) = input::leader_map_order(members);
        let member_rank = input::member_ranks(members);
        Ok(Group {
            members,
            member_hash,
            subscription_order,
            member_rank,
            topics,
            topic_index,
            member_topics,
            member_topic_set,
            assignable_topics,
            total_partitions: offset,
            extra,
        })
    }

    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Whether member `m` lists topic `t` in its subscription.
    pub fn subscribes(&self, m: u32, t: u32) -> bool {
        self.member_topic_set[m as usize].binary_search(&t).is_ok()
    }

    pub fn topic_of_name(&self, name: &str) -> Option<u32> {
        self.topic_index.get(name).copied()
    }

    /// The partition count of a topic of `partitionsPerTopic`.
    pub fn count(&self, t: u32) -> Option<u32> {
        self.topics.get(t as usize).and_then(|ti| ti.count)
    }

    /// The dense id of partition `p` of topic `t`, if `t` is assignable (owned partitions
    /// outside the topic's range have ids too).
    pub fn tp_id(&self, t: u32, p: i32) -> Option<Tp> {
        let info = self.topics.get(t as usize)?;
        let count = info.count?;
        if p >= 0 && (p as u32) < count {
            return Some(info.offset + p as u32);
        }
        self.extra.index.get(&(t, p)).copied()
    }

    /// The dense id of an owned partition, if its topic is assignable.
    pub fn owned_id(&self, tp: &TopicPartition) -> Option<Tp> {
        let t = self.topic_of_name(&tp.topic)?;
        self.tp_id(t, tp.partition)
    }

    /// (topic index, partition number) of a dense id.
    pub fn tp(&self, id: Tp) -> (u32, i32) {
        if id < self.total_partitions {
            // Binary search over the assignable topics' offsets.
            let pos = self
                .assignable_topics
                .partition_point(|&t| self.topics[t as usize].offset <= id);
            let t = self.assignable_topics[pos.saturating_sub(1)];
            (t, (id - self.topics[t as usize].offset) as i32)
        } else {
            self.extra
                .list
                .get((id - self.total_partitions) as usize)
                .copied()
                .unwrap_or((NONE, 0))
        }
    }

    pub fn is_extra(&self, id: Tp) -> bool {
        id >= self.total_partitions
    }

    /// One past the largest partition id (dense plus extra).
    pub fn tp_id_bound(&self) -> u32 {
        self.total_partitions + self.extra.list.len() as u32
    }

    /// `TopicPartition.hashCode()` of a dense id.
    pub fn tp_hash(&self, id: Tp) -> i32 {
        let (t, p) = self.tp(id);
        let th = self.topics.get(t as usize).map(|i| i.hash).unwrap_or(0);
        java::topic_partition_hash(th, p)
    }

    /// Java order of two partitions: topic (`String.compareTo`), then partition number.
    pub fn cmp_tp(&self, a: Tp, b: Tp) -> Ordering {
        let (ta, pa) = self.tp(a);
        let (tb, pb) = self.tp(b);
        ta.cmp(&tb).then(pa.cmp(&pb))
    }

    /// `MemberInfo.compareTo`: static members first by group.instance.id, then by member id.
    pub fn cmp_member_info(&self, a: u32, b: u32) -> Ordering {
        let ma = &self.members[a as usize];
        let mb = &self.members[b as usize];
        match (&ma.group_instance_id, &mb.group_instance_id) {
            (Some(x), Some(y)) => java::cmp_str(x, y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => self.member_rank[a as usize].cmp(&self.member_rank[b as usize]),
        }
    }

    fn into_assignment(self, per_member: Vec<Vec<Tp>>) -> Assignment {
        let mut out = Assignment::new();
        for (i, m) in self.members.iter().enumerate() {
            let ids = per_member.get(i).map(Vec::as_slice).unwrap_or(&[]);
            // Plain character (byte) order of topic names for the output.
            let mut sorted: Vec<Tp> = ids.to_vec();
            sort_ids(&mut sorted, &|a, b| {
                let (a, b) = (self.tp(a), self.tp(b));
                let na = self.topics.get(a.0 as usize).map(|t| t.name).unwrap_or("");
                let nb = self.topics.get(b.0 as usize).map(|t| t.name).unwrap_or("");
                na.cmp(nb).then(a.1.cmp(&b.1))
            });
            let list: Vec<(u32, i32)> = sorted.iter().map(|&id| self.tp(id)).collect();
            let tps = list
                .into_iter()
                .map(|(t, p)| TopicPartition {
                    topic: String::from(self.topics.get(t as usize).map(|t| t.name).unwrap_or("")),
                    partition: p,
                })
                .collect();
            out.insert(m.member_id.clone(), tps);
        }
        out
    }
}
