//! The trace in Kafka's own words, for the page's event log (issue 13): the API key a message
//! is (Kafka's `ApiKeys` names and ids: a follower's fetch and a consumer's are both `Fetch`,
//! the follower's with its replica id), whether it is the response, which role answers the
//! request, the Kafka error an event carries (`Errors` names, or the client's exception), and
//! what an event names: nodes, the controller, a coordinator, a partition, a record, a group.
//! The sentences around these names are the page's.

use crate::event::{Delivery, Event};
use crate::net::{KafkaError, MessageKind, Node, TopicPartitionId};
use crate::sim::Sim;

/// Kafka's API key of a message kind (the request's name; a response has its request's).
pub fn api_key(kind: MessageKind) -> &'static str {
    use MessageKind as K;
    match kind {
        K::Produce | K::ProduceResponse => "Produce",
        K::ReplicaFetch | K::ReplicaFetchResponse | K::ConsumerFetch | K::ConsumerFetchResponse => {
            "Fetch"
        }
        K::ListOffsets | K::ListOffsetsResponse => "ListOffsets",
        K::OffsetCommit | K::OffsetCommitResponse => "OffsetCommit",
        K::OffsetFetch | K::OffsetFetchResponse => "OffsetFetch",
        K::FindCoordinator | K::FindCoordinatorResponse => "FindCoordinator",
        K::JoinGroup | K::JoinGroupResponse => "JoinGroup",
        K::Heartbeat | K::HeartbeatResponse => "Heartbeat",
        K::LeaveGroup | K::LeaveGroupResponse => "LeaveGroup",
        K::SyncGroup | K::SyncGroupResponse => "SyncGroup",
        K::InitProducerId | K::InitProducerIdResponse => "InitProducerId",
        K::AddPartitionsToTxn | K::AddPartitionsToTxnResponse => "AddPartitionsToTxn",
        K::AddOffsetsToTxn | K::AddOffsetsToTxnResponse => "AddOffsetsToTxn",
        K::EndTxn | K::EndTxnResponse => "EndTxn",
        K::WriteTxnMarkers | K::WriteTxnMarkersResponse => "WriteTxnMarkers",
        K::TxnOffsetCommit | K::TxnOffsetCommitResponse => "TxnOffsetCommit",
    }
}

/// Every API key the simulator sends, with Kafka's numeric id, in id order.
pub const API_KEYS: [(&str, i16); 16] = [
    ("Produce", 0),
    ("Fetch", 1),
    ("ListOffsets", 2),
    ("OffsetCommit", 8),
    ("OffsetFetch", 9),
    ("FindCoordinator", 10),
    ("JoinGroup", 11),
    ("Heartbeat", 12),
    ("LeaveGroup", 13),
    ("SyncGroup", 14),
    ("InitProducerId", 22),
    ("AddPartitionsToTxn", 24),
    ("AddOffsetsToTxn", 25),
    ("EndTxn", 26),
    ("WriteTxnMarkers", 27),
    ("TxnOffsetCommit", 28),
];

/// Whether the message is a response (else the request).
pub fn is_response(kind: MessageKind) -> bool {
    use MessageKind as K;
    matches!(
        kind,
        K::ProduceResponse
            | K::ReplicaFetchResponse
            | K::ConsumerFetchResponse
            | K::ListOffsetsResponse
            | K::OffsetCommitResponse
            | K::OffsetFetchResponse
            | K::FindCoordinatorResponse
            | K::JoinGroupResponse
            | K::HeartbeatResponse
            | K::LeaveGroupResponse
            | K::SyncGroupResponse
            | K::InitProducerIdResponse
            | K::AddPartitionsToTxnResponse
            | K::AddOffsetsToTxnResponse
            | K::EndTxnResponse
            | K::WriteTxnMarkersResponse
            | K::TxnOffsetCommitResponse
    )
}

/// Whether the message is a follower's Fetch (its replica id set) or the answer to one.
pub fn is_replica_fetch(kind: MessageKind) -> bool {
    matches!(
        kind,
        MessageKind::ReplicaFetch | MessageKind::ReplicaFetchResponse
    )
}

/// Which role of a broker answers a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answerer {
    /// The partition's leader (Produce, Fetch, ListOffsets, WriteTxnMarkers).
    Leader,
    /// The group's coordinator.
    GroupCoordinator,
    /// The transactional.id's coordinator.
    TxnCoordinator,
    /// Any broker (FindCoordinator).
    AnyBroker,
}

pub fn answerer(kind: MessageKind) -> Answerer {
    match api_key(kind) {
        "Produce" | "Fetch" | "ListOffsets" | "WriteTxnMarkers" => Answerer::Leader,
        "FindCoordinator" => Answerer::AnyBroker,
        "InitProducerId" | "AddPartitionsToTxn" | "AddOffsetsToTxn" | "EndTxn" => {
            Answerer::TxnCoordinator
        }
        _ => Answerer::GroupCoordinator,
    }
}

/// What an event names, for filtering the log and highlighting on the canvas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Subjects {
    pub brokers: [Option<u32>; 2],
    pub producer: Option<u32>,
    pub consumer: Option<u32>,
    /// The KRaft controller acted (a broker fenced, leaders elected, an ISR change committed).
    pub controller: bool,
    /// A group or transaction coordinator acted, was asked or answered.
    pub coordinator: bool,
    pub partition: Option<TopicPartitionId>,
    pub record: Option<u64>,
    pub group: Option<u32>,
    pub processor: Option<u32>,
}

impl Subjects {
    /// Whether the event names `node`.
    pub fn names(&self, node: Node) -> bool {
        match node {
            Node::Broker(b) => self.brokers.contains(&Some(b)),
            Node::Producer(p) => self.producer == Some(p),
            Node::Consumer(c) => self.consumer == Some(c),
        }
    }

    fn node(&mut self, node: Node) {
        match node {
            Node::Broker(b) => self.broker(b),
            Node::Producer(p) => self.producer = Some(p),
            Node::Consumer(c) => self.consumer = Some(c),
        }
    }

    fn broker(&mut self, b: u32) {
        if self.brokers[0].is_none() {
            self.brokers[0] = Some(b);
        } else if self.brokers[0] != Some(b) {
            self.brokers[1] = Some(b);
        }
    }
}

/// What `event` names (in `sim`'s world: a record's partition is of its producer's topic).
pub fn subjects(sim: &Sim, event: &Event) -> Subjects {
    let mut s = Subjects::default();
    let tp = |topic: u32, partition: u32| Some(TopicPartitionId { topic, partition });
    match *event {
        Event::Delivered {
            kind,
            from,
            to,
            ref detail,
            ..
        } => {
            s.node(from);
            s.node(to);
            s.coordinator = matches!(
                answerer(kind),
                Answerer::GroupCoordinator | Answerer::TxnCoordinator
            ) || kind == MessageKind::WriteTxnMarkers;
            delivery_subjects(&mut s, detail);
        }
        Event::RecordAppended {
            producer,
            record_id,
            partition,
            ..
        } => {
            s.producer = Some(producer);
            s.record = Some(record_id);
            let topic = sim.producers().get(producer as usize).map(|p| p.topic);
            s.partition = topic.and_then(|t| tp(t, partition));
        }
        Event::SendFailed {
            producer,
            record_id,
            ..
        } => {
            s.producer = Some(producer);
            s.record = Some(record_id);
        }
        Event::SendBlocked { producer }
        | Event::SenderWoke { producer, .. }
        | Event::ProducerClosed { producer }
        | Event::TransactionCall { producer, .. }
        | Event::TransactionRetried { producer } => s.producer = Some(producer),
        Event::RequestTimedOut {
            producer, broker, ..
        }
        | Event::ProduceWaitExpired {
            broker, producer, ..
        } => {
            s.producer = Some(producer);
            s.broker(broker);
        }
        Event::VerificationTimedOut { broker, producer } => {
            s.producer = Some(producer);
            s.broker(broker);
            s.coordinator = true;
        }
        Event::ProducerIdRetried { producer, broker } => {
            s.producer = Some(producer);
            if let Some(b) = broker {
                s.broker(b);
            }
        }
        _ => client_or_cluster_subjects(&mut s, event),
    }
    s
}

/// [`subjects`] of the consumers' and the cluster's events.
fn client_or_cluster_subjects(s: &mut Subjects, event: &Event) {
    match *event {
        Event::FetchWaitExpired { broker, fetcher } => {
            s.broker(broker);
            s.node(fetcher);
        }
        Event::Polled { consumer, .. }
        | Event::ConsumerTimer { consumer, .. }
        | Event::PollTimeoutExpired { consumer, .. }
        | Event::CommitCalled { consumer, .. }
        | Event::CommitSyncTimedOut { consumer }
        | Event::OffsetFetchRetried { consumer }
        | Event::OffsetResetRetried { consumer } => s.consumer = Some(consumer),
        Event::CoordinatorUnknown {
            consumer,
            coordinator,
        } => {
            s.consumer = Some(consumer);
            s.broker(coordinator);
            s.coordinator = true;
        }
        Event::RebalanceJoined {
            group,
            leader,
            members,
            ..
        } => {
            s.group = Some(group);
            s.consumer = (members > 0).then_some(leader);
            s.coordinator = true;
        }
        Event::MemberExpired {
            group, consumer, ..
        } => {
            s.group = Some(group);
            s.consumer = Some(consumer);
            s.coordinator = true;
        }
        Event::CoordinatorMoved { group, from, to } => {
            s.group = Some(group);
            s.broker(from);
            if let Some(to) = to {
                s.broker(to);
            }
            s.coordinator = true;
        }
        Event::TransactionsTimedOut { .. } | Event::MarkersRetried { .. } => s.coordinator = true,
        _ => cluster_subjects(s, event),
    }
}

/// [`subjects`] of the controller's and the brokers' events.
fn cluster_subjects(s: &mut Subjects, event: &Event) {
    match *event {
        Event::BrokerFenced { broker, .. } => {
            s.broker(broker);
            s.controller = true;
        }
        Event::ReplicaFetchRetried { follower, leader } => {
            s.broker(follower);
            s.broker(leader);
        }
        Event::IsrShrink {
            topic,
            partition,
            leader,
            broker,
            ..
        }
        | Event::IsrExpand {
            topic,
            partition,
            leader,
            broker,
            ..
        } => {
            s.broker(leader);
            s.broker(broker);
            s.partition = Some(TopicPartitionId { topic, partition });
            s.controller = true;
        }
        Event::PipelineStep { processor, .. } => s.processor = Some(processor),
        _ => {}
    }
}

fn delivery_subjects(s: &mut Subjects, detail: &Delivery) {
    match *detail {
        Delivery::RebalanceTriggered { group, .. } | Delivery::GroupStable { group, .. } => {
            s.group = Some(group)
        }
        Delivery::HighWatermark { tp, .. } => s.partition = Some(tp),
        _ => {}
    }
}

/// The Kafka error an event carries: an error code's name (`NOT_ENOUGH_REPLICAS`,
/// `REBALANCE_IN_PROGRESS`) or the client's exception (`BufferExhaustedException`).
pub fn error_name(event: &Event) -> Option<&'static str> {
    match event {
        Event::Delivered { detail, .. } => match detail {
            Delivery::Acknowledged { error, .. } | Delivery::Txn { error, .. } => {
                error.map(KafkaError::name)
            }
            Delivery::GroupRefused { error } => Some(error.name()),
            _ => None,
        },
        Event::SendFailed { error, .. } => Some(error.name()),
        // DelayedProduce.onExpiration answers the waiting batches so.
        Event::ProduceWaitExpired { .. } => Some(KafkaError::RequestTimedOut.name()),
        Event::VerificationTimedOut { .. } => Some(KafkaError::NotEnoughReplicas.name()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::SimTime;

    #[test]
    fn message_kinds_have_kafkas_api_keys() {
        assert_eq!(api_key(MessageKind::ReplicaFetch), "Fetch");
        assert_eq!(api_key(MessageKind::ConsumerFetchResponse), "Fetch");
        assert!(is_replica_fetch(MessageKind::ReplicaFetchResponse));
        assert!(!is_replica_fetch(MessageKind::ConsumerFetch));
        assert!(is_response(MessageKind::EndTxnResponse) && !is_response(MessageKind::EndTxn));
        assert_eq!(answerer(MessageKind::SyncGroup), Answerer::GroupCoordinator);
        assert_eq!(
            answerer(MessageKind::AddOffsetsToTxn),
            Answerer::TxnCoordinator
        );
        assert_eq!(answerer(MessageKind::WriteTxnMarkers), Answerer::Leader);
        // Every name `api_key` gives is one of Kafka's API keys listed, once.
        let mut names: alloc::vec::Vec<&str> = API_KEYS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), API_KEYS.len());
        for kind in [MessageKind::Produce, MessageKind::TxnOffsetCommitResponse] {
            assert!(API_KEYS.iter().any(|(n, _)| *n == api_key(kind)));
        }
    }

    /// Over a run with a broker lost: every delivered message has an API key Kafka has, a
    /// request goes to a broker or comes back from one, and errors carry Kafka's names.
    #[test]
    fn a_run_in_kafka_words() {
        let mut sim = Sim::new(Config::preset(), 1).unwrap();
        sim.run_until(SimTime(1_000_000));
        sim.apply(crate::Change::CrashBroker { broker: 0 }).unwrap();
        let (mut errors, mut fenced, mut appended) = (0, 0, 0);
        while sim.now() < SimTime(12_000_000) {
            let Some(entry) = sim.step().cloned() else {
                break;
            };
            let s = subjects(&sim, &entry.event);
            if let Event::Delivered { kind, from, to, .. } = entry.event {
                assert!(API_KEYS.iter().any(|(n, _)| *n == api_key(kind)));
                assert!(s.names(from) && s.names(to));
                let broker = if is_response(kind) { from } else { to };
                assert!(matches!(broker, Node::Broker(_)), "{entry:?}");
            }
            if let Some(name) = error_name(&entry.event) {
                assert!(
                    name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                        || name.ends_with("Exception")
                );
                errors += 1;
            }
            if let Event::BrokerFenced { broker, .. } = entry.event {
                assert!(s.controller && s.names(Node::Broker(broker)));
                fenced += 1;
            }
            if let Event::RecordAppended { record_id, .. } = entry.event {
                assert_eq!(s.record, Some(record_id));
                assert_eq!(s.partition.map(|tp| tp.topic), Some(0));
                appended += 1;
            }
        }
        assert!(
            errors > 0 && fenced == 1 && appended > 0,
            "{errors} {fenced} {appended}"
        );
    }
}
