//! The group coordinator's assignors for KIP-848 `consumer` groups
//! (`org.apache.kafka.coordinator.group.api.assignor.ConsumerGroupPartitionAssignor`), run by
//! the broker when a group's target assignment is recomputed (`TargetAssignmentBuilder`).
//!
//! | [`ServerAssignor`] | name (`group.consumer.assignors`, `group.remote.assignor`) | Kafka class | module |
//! |---|---|---|---|
//! | `Uniform` | `uniform` (the default, first in the list) | `UniformAssignor`: `UniformHomogeneousAssignmentBuilder` / `UniformHeterogeneousAssignmentBuilder` | [`uniform_homogeneous`], [`uniform_heterogeneous`] |
//! | `Range` | `range` | `org.apache.kafka.coordinator.group.assignor.RangeAssignor` | [`range`] |
//!
//! The input is what `GroupSpec` and `SubscribedTopicDescriber` hand an assignor ([`GroupSpec`]):
//! each member's id, instance id, rack, subscribed topics and current target assignment, the
//! subscription type, and the partition count of every topic. Topics are keyed by name here and
//! carry their topic id ([`TopicId`]), since Kafka's assignors iterate `HashSet<Uuid>`s and break
//! ties by `Uuid.compareTo`. The output is Kafka's `GroupAssignment.members()`: member to topic to
//! partitions, with only the members Kafka's map holds (the uniform assignor returns an empty map
//! when nobody subscribes to anything).
//!
//! Where the result depends on iteration order, the order Kafka iterates is modelled:
//! - `GroupSpec.memberIds()`: the `HashMap<String, ..>` the coordinator builds
//!   ([`MemberOrder::Hash`], filled in the listed order), or the sorted order Kafka's tests
//!   give with a `TreeMap` or their sorting `GroupSpec` ([`MemberOrder::Sorted`]), or a
//!   `LinkedHashMap`'s ([`MemberOrder::Listed`]). The
//!   homogeneous builder gives the extra partitions to the first members in this order, and the
//!   heterogeneous builder breaks every tie by it. Range sorts the members itself.
//! - A member's current assignment: a `HashMap<Uuid, HashSet<Integer>>` filled in the listed
//!   order ([`AssignmentOrder::Hash`]), or the `LinkedHashMap` of Kafka's tests
//!   (`mkOrderedAssignment`, [`AssignmentOrder::Listed`]); the homogeneous builder keeps the
//!   first partitions in this order when a member is over its quota.
//! - The subscribed topics: the homogeneous builder's `HashSet<Uuid>` of the first member's
//!   subscription, which orders the partitions it hands out.
//!
//! Simplified: trunk's rack-aware steps (uniform homogeneous, range) run only when some
//! partition has a replica on a rack (`SubscribedTopicDescriber.racksForPartition`). Streamscope's
//! brokers have no `broker.rack` yet, so Kafka's own checks turn those steps off and the results
//! here are Kafka's for such a cluster; member racks are read and unused. A current assignment the coordinator could not have made is refused rather
//! than followed into Java's undefined corners: a partition in two members' assignments, or a
//! partition number outside its subscribed topic's range ([`ServerAssignError`]).
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub mod range;
mod spec;
pub mod topic_id;
pub mod uniform_heterogeneous;
pub mod uniform_homogeneous;

pub use topic_id::{BadTopicId, TopicId};

/// The two assignors Kafka 4.x's group coordinator ships for consumer groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServerAssignor {
    Uniform,
    Range,
}

impl ServerAssignor {
    /// In the order of `group.consumer.assignors`' default (`uniform,range`).
    pub const ALL: [ServerAssignor; 2] = [ServerAssignor::Uniform, ServerAssignor::Range];

    /// `ConsumerGroupPartitionAssignor.name()`.
    pub fn name(self) -> &'static str {
        match self {
            ServerAssignor::Uniform => "uniform",
            ServerAssignor::Range => "range",
        }
    }

    pub fn from_name(name: &str) -> Option<ServerAssignor> {
        ServerAssignor::ALL.into_iter().find(|a| a.name() == name)
    }
}

impl fmt::Display for ServerAssignor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `SubscriptionType`: whether every member subscribes to the same topics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionType {
    Homogeneous,
    Heterogeneous,
}

/// The iteration order of `GroupSpec.memberIds()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MemberOrder {
    /// The coordinator's `HashMap<String, MemberSubscriptionAndAssignmentImpl>`.
    #[default]
    Hash,
    /// Sorted by member id (`String.compareTo`), as Kafka's assignor tests give them.
    Sorted,
    /// As listed (a `LinkedHashMap`, as some of Kafka's tests give them).
    Listed,
}

/// The iteration order of a member's current assignment (`MemberAssignment.partitions()`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AssignmentOrder {
    /// A `HashMap<Uuid, HashSet<Integer>>` (`HashSet` over the listed partitions).
    #[default]
    Hash,
    /// Topics and partitions as listed (`LinkedHashMap` / `LinkedHashSet`).
    Listed,
}

/// A topic as `SubscribedTopicDescriber` describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicMetadata {
    /// The number of partitions (`numPartitions`).
    pub partitions: u32,
    /// The topic id; `None` for Streamscope's stand-in derived from the name.
    pub id: Option<TopicId>,
}

/// One member as the group spec holds it (`MemberSubscription` and `MemberAssignment`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsumerMember {
    /// The member id (a UUID the client made).
    pub member_id: String,
    /// `group.instance.id` of a static member.
    pub instance_id: Option<String>,
    /// `client.rack` (unused by Kafka 4.x's assignors).
    pub rack: Option<String>,
    /// The subscribed topic names.
    pub subscribed: Vec<String>,
    /// The member's current target assignment: topic to partitions.
    pub current: Vec<(String, Vec<i32>)>,
}

impl ConsumerMember {
    /// A member with no current assignment subscribing to `topics`.
    pub fn new<S: Into<String>>(
        member_id: impl Into<String>,
        topics: impl IntoIterator<Item = S>,
    ) -> Self {
        ConsumerMember {
            member_id: member_id.into(),
            subscribed: topics.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }
}

/// What an assignor is called with: `GroupSpec` plus the topics of `SubscribedTopicDescriber`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupSpec {
    pub members: Vec<ConsumerMember>,
    /// Topic name to its metadata.
    pub topics: BTreeMap<String, TopicMetadata>,
    /// `None`: as the coordinator computes it (homogeneous when every member lists the same set).
    pub subscription_type: Option<SubscriptionType>,
    pub member_order: MemberOrder,
    pub assignment_order: AssignmentOrder,
}

/// Member id to topic to partitions (ascending): Kafka's `GroupAssignment.members()`.
pub type ServerAssignment = BTreeMap<String, BTreeMap<String, Vec<i32>>>;

/// Why no assignment came out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerAssignError {
    /// Two members share a member id.
    DuplicateMemberId(String),
    /// A partition count above `i32::MAX`.
    PartitionCountTooLarge { topic: String, count: u32 },
    /// Kafka's `PartitionAssignorException`: a member subscribes to a topic the describer does
    /// not know, or partitions were left unassigned.
    PartitionAssignor(String),
    /// A current assignment names a partition of a subscribed topic that does not exist.
    PartitionOutOfRange {
        member: String,
        topic: String,
        partition: i32,
    },
    /// Two members' current assignments hold the same partition.
    PartitionHeldTwice { topic: String, partition: i32 },
}

impl fmt::Display for ServerAssignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerAssignError::DuplicateMemberId(id) => {
                write!(f, "member id \"{id}\" appears more than once; every member needs its own id")
            }
            ServerAssignError::PartitionCountTooLarge { topic, count } => {
                write!(f, "topic \"{topic}\" has {count} partitions; Kafka allows at most {}", i32::MAX)
            }
            ServerAssignError::PartitionAssignor(detail) => {
                write!(f, "Kafka's assignor throws PartitionAssignorException: {detail}")
            }
            ServerAssignError::PartitionOutOfRange { member, topic, partition } => write!(
                f,
                "member \"{member}\" holds partition {partition} of topic \"{topic}\", which has no such partition"
            ),
            ServerAssignError::PartitionHeldTwice { topic, partition } => write!(
                f,
                "partition {partition} of topic \"{topic}\" is in two members' current assignments; a target assignment gives each partition once"
            ),
        }
    }
}

/// Computes the target assignment of `spec` with `assignor`, exactly as Kafka's
/// `ConsumerGroupPartitionAssignor.assign(GroupSpec, SubscribedTopicDescriber)`.
pub fn assign(
    assignor: ServerAssignor,
    spec: &GroupSpec,
) -> Result<ServerAssignment, ServerAssignError> {
    let group = spec::Group::new(spec)?;
    let out = match assignor {
        _ if group.members.is_empty() => Vec::new(),
        ServerAssignor::Uniform => match group.subscription_type {
            SubscriptionType::Homogeneous => uniform_homogeneous::assign(&group)?,
            SubscriptionType::Heterogeneous => uniform_heterogeneous::assign(&group)?,
        },
        ServerAssignor::Range => range::assign(&group)?,
    };
    Ok(group.into_assignment(out))
}
