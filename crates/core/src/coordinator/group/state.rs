//! The group coordinator's view of a consumer group (`ClassicGroup` in Kafka's group
//! coordinator): members keyed by member id, generation, leader, state, the chosen assignor,
//! committed offsets.
//!
//! The coordinator is the leader of partition `abs(groupId.hashCode()) % 50` of
//! `__consumer_offsets`; a broker that becomes that leader loads the group from what was
//! written there ([`StoredGroup`] and the committed offsets). Only the classic protocol exists today; [`GroupProtocolKind`] is where
//! KIP-848's broker-side protocol (`group.protocol=consumer`) will sit beside it, with its own
//! member state. Simplified: the member id is made by the client (Kafka's coordinator makes it
//! and returns MEMBER_ID_REQUIRED first, KIP-394); the leader receives the members in join
//! order (Kafka: the coordinator's `HashMap` order, which the leader re-hashes anyway).

use crate::assignor::AssignorKind;
use crate::config::StrategyList;
use crate::net::JoinMetadata;
use crate::net::TopicPartitionId;
use crate::time::SimTime;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// `ClassicGroupState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

/// Which group protocol the coordinator runs for the group (`group.protocol`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum GroupProtocolKind {
    /// JoinGroup / SyncGroup with a client-side leader (every 4.x client's default).
    Classic,
}

/// One member as the coordinator keeps it (`ClassicGroupMember`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMember {
    /// The consumer instance (its network address).
    pub consumer: u32,
    pub member_id: String,
    /// `group.instance.id` of a static member.
    pub instance_id: Option<String>,
    /// Supported assignors, most preferred first.
    pub protocols: StrategyList,
    pub metadata: JoinMetadata,
    /// The session expires unless a heartbeat (or join / sync) comes by then.
    pub session_deadline: SimTime,
    /// Has (re)joined in the current join phase (`isAwaitingJoin`).
    pub joined: bool,
    /// Waits for its SyncGroup response.
    pub awaiting_sync: bool,
    /// What the leader gave it in the current generation.
    pub assignment: Vec<TopicPartitionId>,
    /// Distinguishes this member from earlier ones of the same consumer (session timers).
    pub handle: u64,
}

impl GroupMember {
    /// `ClassicGroupMember.vote`: the member's most preferred of the candidates.
    pub fn vote(&self, candidates: &[AssignorKind]) -> Option<AssignorKind> {
        self.protocols
            .as_slice()
            .iter()
            .copied()
            .find(|k| candidates.contains(k))
    }
}

/// What the coordinator last wrote to `__consumer_offsets` about the group (the
/// `GroupMetadataValue` record: generation, assignor, leader, members with their assignment),
/// written when a generation's assignment arrives and when the group empties. A coordinator
/// that loads the group starts from it: Stable with those members, or Empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredGroup {
    pub generation: u32,
    pub protocol: Option<AssignorKind>,
    pub leader: Option<String>,
    pub members: Vec<GroupMember>,
}

/// A consumer group as its coordinator keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub index: u32,
    pub group_id: String,
    /// Partition of `__consumer_offsets` that owns the group.
    pub offsets_partition: u32,
    /// The broker leading that partition: the group coordinator.
    pub coordinator: u32,
    pub kind: GroupProtocolKind,
    pub state: GroupState,
    pub generation: u32,
    /// The leader's member id.
    pub leader: Option<String>,
    /// Members in the order they joined.
    pub members: Vec<GroupMember>,
    /// When the current join phase completes.
    pub join_deadline: Option<SimTime>,
    /// The current join phase is the empty group's initial delayed join.
    pub initial_join: bool,
    /// The initial delayed join started then (it extends while members keep arriving, up to
    /// the rebalance timeout: `InitialDelayedJoin`).
    pub initial_join_started: SimTime,
    /// A new member arrived during the current initial delay.
    pub initial_join_grew: bool,
    pub committed: BTreeMap<TopicPartitionId, u64>,
    /// Transactional offset commits awaiting their transaction's end, by producer id
    /// (`pendingTransactionalOffsetCommits`).
    pub pending_txn_offsets: BTreeMap<i64, BTreeMap<TopicPartitionId, u64>>,
    /// The assignor chosen for this generation (`None` while empty).
    pub protocol: Option<AssignorKind>,
    /// Next member handle.
    pub next_handle: u64,
    /// The last group metadata record written (`None`: never written).
    pub stored: Option<StoredGroup>,
    /// The group's lag over time (`consumer::lag`).
    pub lag_history: crate::consumer::lag::Ring<crate::consumer::lag::GroupLagSample>,
}

impl Group {
    pub fn new(index: u32, group_id: String, offsets_partition: u32, coordinator: u32) -> Group {
        Group {
            index,
            group_id,
            offsets_partition,
            coordinator,
            kind: GroupProtocolKind::Classic,
            state: GroupState::Empty,
            generation: 0,
            leader: None,
            members: Vec::new(),
            join_deadline: None,
            initial_join: false,
            initial_join_started: SimTime::ZERO,
            initial_join_grew: false,
            committed: BTreeMap::new(),
            pending_txn_offsets: BTreeMap::new(),
            protocol: None,
            next_handle: 0,
            stored: None,
            lag_history: crate::consumer::lag::Ring::new(crate::consumer::lag::LAG_HISTORY_SAMPLES),
        }
    }

    /// Writes the group metadata record (`storeGroup`).
    pub fn store(&mut self) {
        self.stored = Some(StoredGroup {
            generation: self.generation,
            protocol: self.protocol,
            leader: self.leader.clone(),
            members: self.members.clone(),
        });
    }

    /// `validateOffsetCommit`: an OffsetCommit or TxnOffsetCommit from a known member of the
    /// current generation (a group.instance.id held by another member id is fenced); a plain
    /// OffsetCommit is also refused between the join and the leader's assignment.
    pub fn validate_offset_commit(
        &self,
        member_id: &str,
        generation: u32,
        instance_id: Option<&str>,
        transactional: bool,
    ) -> Option<crate::net::GroupError> {
        use crate::net::GroupError;
        let fenced = instance_id.is_some_and(|id| {
            self.members
                .iter()
                .any(|m| m.instance_id.as_deref() == Some(id) && m.member_id != member_id)
        });
        if fenced {
            Some(GroupError::FencedInstanceId)
        } else if self.member(member_id).is_none() {
            Some(GroupError::UnknownMemberId)
        } else if generation != self.generation {
            Some(GroupError::IllegalGeneration)
        } else if !transactional && self.state == GroupState::CompletingRebalance {
            Some(GroupError::RebalanceInProgress)
        } else {
            None
        }
    }

    pub fn member(&self, member_id: &str) -> Option<&GroupMember> {
        self.members.iter().find(|m| m.member_id == member_id)
    }

    pub fn member_mut(&mut self, member_id: &str) -> Option<&mut GroupMember> {
        self.members.iter_mut().find(|m| m.member_id == member_id)
    }

    /// The leader's consumer index.
    pub fn leader_consumer(&self) -> Option<u32> {
        let l = self.leader.as_deref()?;
        self.member(l).map(|m| m.consumer)
    }

    /// Kafka's protocol name of the chosen assignor (`""` while none is chosen).
    pub fn protocol_name(&self) -> &'static str {
        self.protocol.map_or("", |k| k.name())
    }

    /// Assignors every member supports (`candidateProtocols`), in the first member's order.
    pub fn candidate_protocols(&self) -> Vec<AssignorKind> {
        let Some(first) = self.members.first() else {
            return Vec::new();
        };
        first
            .protocols
            .as_slice()
            .iter()
            .copied()
            .filter(|k| {
                self.members
                    .iter()
                    .all(|m| m.protocols.as_slice().contains(k))
            })
            .collect()
    }

    /// Whether a member with these protocols could join (`supportsProtocols`): an empty group
    /// takes anyone; otherwise at least one assignor must be common to all.
    pub fn supports_protocols(&self, protocols: &StrategyList) -> bool {
        self.members.is_empty()
            || self
                .candidate_protocols()
                .iter()
                .any(|k| protocols.as_slice().contains(k))
    }

    /// `ClassicGroup.selectProtocol`: each member votes for its most preferred candidate; the
    /// most votes win. Ties go to the protocol first in the coordinator's `HashMap<String,
    /// Integer>` of votes (Java's `Stream.max` keeps the first maximum), bucket order of the
    /// names' hashes.
    pub fn select_protocol(&self) -> Option<AssignorKind> {
        let candidates = self.candidate_protocols();
        let mut votes: Vec<(AssignorKind, u32)> = Vec::new();
        let mut map = crate::assignor::java::JavaHashMap::new();
        for m in &self.members {
            let Some(v) = m.vote(&candidates) else {
                continue;
            };
            match votes.iter_mut().find(|(k, _)| *k == v) {
                Some((_, n)) => *n += 1,
                None => {
                    votes.push((v, 1));
                    map.insert(crate::assignor::java::string_hash(v.name()), v);
                }
            }
        }
        let mut best: Option<(AssignorKind, u32)> = None;
        for k in map.iter() {
            let n = votes.iter().find(|(x, _)| *x == k).map_or(0, |(_, n)| *n);
            if best.is_none_or(|(_, b)| n > b) {
                best = Some((k, n));
            }
        }
        best.map(|(k, _)| k)
    }
}

/// Java's `String.hashCode` over UTF-16 code units.
pub fn java_string_hash(s: &str) -> i32 {
    let mut h: i32 = 0;
    for u in s.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(u as i32);
    }
    h
}

/// Kafka's `Utils.abs`: `Integer.MIN_VALUE` maps to 0.
pub fn kafka_abs(n: i32) -> i32 {
    if n == i32::MIN {
        0
    } else {
        n.abs()
    }
}

/// The `__consumer_offsets` partition owning `group_id` (also the transaction coordinator
/// rule over `__transaction_state`).
pub fn coordinator_partition(group_id: &str, partitions: u32) -> u32 {
    (kafka_abs(java_string_hash(group_id)) as u32) % partitions.max(1)
}

/// What the group coordinators hold (the `__consumer_offsets` shards of Kafka's
/// `GroupCoordinatorService`, each a `GroupMetadataManager`): the leader and replicas of each
/// `__consumer_offsets` partition (its leader coordinates the groups that hash to it) and the
/// groups, by index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupCoordinators {
    pub groups: Vec<Group>,
    /// Leader of each `__consumer_offsets` partition (`None`: no replica alive).
    pub offsets_leaders: Vec<Option<u32>>,
    /// Replicas of each `__consumer_offsets` partition, in assignment order.
    pub offsets_replicas: Vec<Vec<u32>>,
}

impl GroupCoordinators {
    /// Group `group`'s coordinator state. Groups are only ever added (from the configuration,
    /// or `AddGroup`, whose id is checked first), always together with their configuration,
    /// and every group index the engine holds (a consumer's, a request's, a timer's, a
    /// pipeline's) names one.
    pub fn group(&self, group: u32) -> &Group {
        let n = self.groups.len();
        assert!(
            (group as usize) < n,
            "consumer group {group} does not exist ({n} groups)"
        );
        &self.groups[group as usize]
    }

    /// Group `group`'s coordinator state, to change (see `group`).
    pub fn group_mut(&mut self, group: u32) -> &mut Group {
        let n = self.groups.len();
        assert!(
            (group as usize) < n,
            "consumer group {group} does not exist ({n} groups)"
        );
        &mut self.groups[group as usize]
    }

    /// The leader of `__consumer_offsets` partition `partition` (`None`: no replica alive).
    pub fn offsets_leader(&self, partition: u32) -> Option<u32> {
        self.offsets_leaders
            .get(partition as usize)
            .copied()
            .flatten()
    }
}

/// The group coordinators' timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GroupTimer {
    /// A group's join phase completes.
    JoinDeadline { group: u32, at: SimTime },
    /// The coordinator checks a member's session (`handle` names the member).
    SessionExpire {
        group: u32,
        handle: u64,
        at: SimTime,
    },
    /// A broker that now leads a group's `__consumer_offsets` partition loads the group.
    CoordinatorLoad { group: u32, from: u32 },
}

/// A TxnOffsetCommit the coordinator has checked against its group, waiting for the
/// transaction coordinator's verification of the producer (`GroupCall::VerifyTxnOffsetCommit`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TxnOffsetCommitRequest {
    /// The coordinator broker it arrived at, and the producer that sent it.
    pub broker: u32,
    pub from: crate::net::Node,
    pub transactional_id: String,
    pub producer_id: i64,
    pub epoch: i16,
    pub group: u32,
    pub member_id: String,
    pub generation: u32,
    pub instance_id: Option<String>,
    pub offsets: Vec<(TopicPartitionId, u64)>,
    /// The group accepts the commit (`validateOffsetCommit` passed), so under
    /// transaction.version 2 the group's partition is to join the transaction.
    pub add_partition: bool,
}

/// A JoinGroup request as the coordinator reads it.
pub(crate) struct JoinRequest {
    pub group: u32,
    pub consumer: u32,
    pub member_id: String,
    pub new_member: bool,
    pub instance_id: Option<String>,
    pub protocols: StrategyList,
    pub metadata: JoinMetadata,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, list: &str) -> GroupMember {
        GroupMember {
            consumer: 0,
            member_id: id.into(),
            instance_id: None,
            protocols: StrategyList::parse(list).unwrap_or(StrategyList::KAFKA_DEFAULT),
            metadata: JoinMetadata::default(),
            session_deadline: SimTime::ZERO,
            joined: true,
            awaiting_sync: false,
            assignment: Vec::new(),
            handle: 0,
        }
    }

    #[test]
    fn protocol_votes() {
        let mut g = Group::new(0, "g".into(), 0, 0);
        g.members.push(member("a", "range,cooperative-sticky"));
        g.members.push(member("b", "range,cooperative-sticky"));
        assert_eq!(g.select_protocol(), Some(AssignorKind::Range));
        // A rolling upgrade: the upgraded member prefers cooperative-sticky; one vote each.
        g.members[1] = member("b", "cooperative-sticky,range");
        let tie = g.select_protocol();
        g.members.push(member("c", "cooperative-sticky,range"));
        assert_eq!(g.select_protocol(), Some(AssignorKind::CooperativeSticky));
        // Ties go to the first name in Java HashMap order of the names.
        let hr = crate::assignor::java::spread(crate::assignor::java::string_hash("range")) & 15;
        let hc =
            crate::assignor::java::spread(crate::assignor::java::string_hash("cooperative-sticky"))
                & 15;
        let expect = if hr <= hc {
            AssignorKind::Range
        } else {
            AssignorKind::CooperativeSticky
        };
        assert_eq!(tie, Some(expect));
        // Only what all support is a candidate.
        g.members.push(member("d", "roundrobin,range"));
        assert_eq!(g.candidate_protocols(), alloc::vec![AssignorKind::Range]);
        assert_eq!(g.select_protocol(), Some(AssignorKind::Range));
        assert!(!g.supports_protocols(
            &StrategyList::parse("sticky").unwrap_or(StrategyList::KAFKA_DEFAULT)
        ));
    }

    #[test]
    fn coordinator_vectors() {
        assert_eq!(coordinator_partition("my-group", 50), 12);
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
        assert_eq!(coordinator_partition("polygenelubricants", 50), 0);
    }
}
