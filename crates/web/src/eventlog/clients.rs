//! The event log's sentences for what the clients, the coordinators, the controller and the
//! fault schedule did by themselves (every event but a delivered message and a `send()`),
//! around the Kafka names and settings each names.

use super::names::{node_name, partition_name};
use crate::i18n::{t, tf, Lang};
use streamscope_core::app::pipeline::state::PipelineAction;
use streamscope_core::client::producer::transaction::TxnCall;
use streamscope_core::net::{Node, TopicPartitionId};
use streamscope_core::sim::view::event_words::error_name;
use streamscope_core::{Event, Sim};

/// The sentence of an event other than `Delivered` and `RecordAppended`.
pub fn client_text(sim: &Sim, event: &Event, lang: Lang) -> String {
    let n = |v: u32| v.to_string();
    let p = |x: u32| node_name(Node::Producer(x), lang);
    let b = |x: u32| node_name(Node::Broker(x), lang);
    let error = error_name(event).unwrap_or("");
    match *event {
        Event::SendBlocked { producer } => tf(lang, "e_blocked", &[("p", &p(producer))]),
        Event::SendFailed {
            producer,
            record_id,
            ..
        } => tf(
            lang,
            "e_send_failed",
            &[
                ("p", &p(producer)),
                ("id", &record_id.to_string()),
                ("error", error),
            ],
        ),
        Event::SenderWoke {
            producer,
            requests_sent,
        } => tf(
            lang,
            "e_sender",
            &[("p", &p(producer)), ("n", &n(requests_sent))],
        ),
        Event::ProducerClosed { producer } => tf(lang, "e_closed", &[("p", &p(producer))]),
        Event::ProduceWaitExpired {
            broker,
            producer,
            partitions,
        } => tf(
            lang,
            "e_produce_wait",
            &[
                ("b", &b(broker)),
                ("p", &p(producer)),
                ("n", &n(partitions)),
                ("error", error),
            ],
        ),
        Event::RequestTimedOut {
            producer,
            broker,
            requests,
            records,
        } => tf(
            lang,
            "e_request_timeout",
            &[
                ("p", &p(producer)),
                ("b", &b(broker)),
                ("n", &n(requests)),
                ("r", &n(records)),
            ],
        ),
        Event::VerificationTimedOut { broker, producer } => tf(
            lang,
            "e_verify_timeout",
            &[("b", &b(broker)), ("p", &p(producer)), ("error", error)],
        ),
        _ => txn_text(sim, event, lang),
    }
}

/// Transactions and the pipeline's processors.
fn txn_text(sim: &Sim, event: &Event, lang: Lang) -> String {
    let n = |v: u32| v.to_string();
    let p = |x: u32| node_name(Node::Producer(x), lang);
    match *event {
        Event::TransactionCall { producer, call } => {
            let call = match call {
                TxnCall::Begin => "beginTransaction",
                TxnCall::Commit => "commitTransaction",
                TxnCall::Abort => "abortTransaction",
            };
            tf(lang, "e_txn_call", &[("p", &p(producer)), ("call", call)])
        }
        Event::TransactionRetried { producer } => tf(lang, "e_txn_retry", &[("p", &p(producer))]),
        Event::ProducerIdRetried { producer, broker } => match broker {
            Some(b) => tf(
                lang,
                "e_pid_retry",
                &[
                    ("p", &p(producer)),
                    ("b", &node_name(Node::Broker(b), lang)),
                ],
            ),
            None => tf(lang, "e_pid_retry_none", &[("p", &p(producer))]),
        },
        Event::TransactionsTimedOut {
            aborted,
            markers_resent,
        } => tf(
            lang,
            "e_txn_timeout",
            &[("n", &n(aborted)), ("m", &n(markers_resent))],
        ),
        Event::MarkersRetried {
            producer_id,
            partitions,
        } => tf(
            lang,
            "e_markers_retry",
            &[("pid", &producer_id.to_string()), ("n", &n(partitions))],
        ),
        Event::PipelineStep { processor, action } => {
            let what = match action {
                PipelineAction::Produced { records } => {
                    tf(lang, "p_produced", &[("n", &n(records))])
                }
                PipelineAction::Committed => t(lang, "p_committed").to_string(),
                PipelineAction::Aborted => t(lang, "p_aborted").to_string(),
                PipelineAction::Crashed => t(lang, "p_crashed").to_string(),
                PipelineAction::Restarted {
                    new_transactional_id,
                } => t(
                    lang,
                    if new_transactional_id {
                        "p_restarted_new"
                    } else {
                        "p_restarted"
                    },
                )
                .to_string(),
                PipelineAction::Retried => t(lang, "p_retried").to_string(),
            };
            tf(lang, "e_pipeline", &[("n", &n(processor)), ("what", &what)])
        }
        _ => consumer_text(sim, event, lang),
    }
}

/// The consumers and the group coordinators.
fn consumer_text(sim: &Sim, event: &Event, lang: Lang) -> String {
    let n = |v: u32| v.to_string();
    let c = |x: u32| node_name(Node::Consumer(x), lang);
    let group = |g: u32| {
        sim.groups()
            .get(g as usize)
            .map_or_else(|| g.to_string(), |x| x.group_id.clone())
    };
    match *event {
        Event::Polled { consumer, records } => {
            tf(lang, "e_polled", &[("c", &c(consumer)), ("n", &n(records))])
        }
        Event::ConsumerTimer {
            consumer,
            heartbeat,
            commit,
        } => {
            let key = match (heartbeat, commit) {
                (true, _) => "e_timer_hb",
                (false, true) => "e_timer_commit",
                (false, false) => "e_timer",
            };
            tf(lang, key, &[("c", &c(consumer))])
        }
        Event::RebalanceJoined { .. } => joined_text(sim, event, lang),
        Event::MemberExpired {
            group: g, consumer, ..
        } => tf(lang, "e_expired", &[("c", &c(consumer)), ("g", &group(g))]),
        Event::PollTimeoutExpired {
            consumer,
            left_group,
        } => {
            let key = if left_group {
                "e_poll_timeout"
            } else {
                "e_poll_timeout_static"
            };
            tf(lang, key, &[("c", &c(consumer))])
        }
        Event::CommitCalled {
            consumer,
            sync,
            partitions,
        } => {
            let call = if sync { "commitSync" } else { "commitAsync" };
            let key = if partitions == 0 {
                "e_commit_refused"
            } else {
                "e_commit"
            };
            let args = [
                ("c", c(consumer)),
                ("call", call.into()),
                ("n", n(partitions)),
            ];
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            tf(lang, key, &args)
        }
        _ => coordinator_text(sim, event, lang),
    }
}

/// The end of a group's join phase.
fn joined_text(sim: &Sim, event: &Event, lang: Lang) -> String {
    let Event::RebalanceJoined {
        group,
        generation,
        leader,
        members,
        protocol,
        removed,
    } = *event
    else {
        return String::new();
    };
    let n = |v: u32| v.to_string();
    let g = sim
        .groups()
        .get(group as usize)
        .map_or_else(|| group.to_string(), |x| x.group_id.clone());
    let gen = n(generation);
    let mut s = if members == 0 {
        tf(lang, "e_joined_empty", &[("g", &g), ("gen", &gen)])
    } else {
        let leader = node_name(Node::Consumer(leader), lang);
        let m = n(members);
        let args = [("g", &g), ("gen", &gen), ("m", &m), ("c", &leader)];
        let mut args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        args.push(("a", protocol));
        tf(lang, "e_joined", &args)
    };
    if removed > 0 {
        s.push_str(&tf(lang, "e_removed", &[("n", &n(removed))]));
    }
    s
}

/// The group coordinators' moves, the consumers' retries and the waits at a leader.
fn coordinator_text(sim: &Sim, event: &Event, lang: Lang) -> String {
    let c = |x: u32| node_name(Node::Consumer(x), lang);
    let b = |x: u32| node_name(Node::Broker(x), lang);
    match *event {
        Event::CoordinatorMoved { group, from, to } => {
            let g = sim
                .groups()
                .get(group as usize)
                .map_or_else(|| group.to_string(), |x| x.group_id.clone());
            match to {
                Some(to) => tf(
                    lang,
                    "e_coord_moved",
                    &[("g", &g), ("from", &b(from)), ("to", &b(to))],
                ),
                None => tf(lang, "e_coord_gone", &[("g", &g)]),
            }
        }
        Event::CoordinatorUnknown {
            consumer,
            coordinator,
        } => tf(
            lang,
            "e_coord_unknown",
            &[("c", &c(consumer)), ("b", &b(coordinator))],
        ),
        Event::CommitSyncTimedOut { consumer } => {
            tf(lang, "e_commit_timeout", &[("c", &c(consumer))])
        }
        Event::OffsetFetchRetried { consumer } => {
            tf(lang, "e_offset_fetch_retry", &[("c", &c(consumer))])
        }
        Event::OffsetResetRetried { consumer } => tf(lang, "e_reset_retry", &[("c", &c(consumer))]),
        Event::FetchWaitExpired { broker, fetcher } => tf(
            lang,
            "e_fetch_wait",
            &[("b", &b(broker)), ("n", &node_name(fetcher, lang))],
        ),
        _ => cluster_text(sim, event, lang),
    }
}

/// The controller, the faults and retention.
fn cluster_text(sim: &Sim, event: &Event, lang: Lang) -> String {
    let n = |v: u32| v.to_string();
    let b = |x: u32| node_name(Node::Broker(x), lang);
    let fault = |i: u32| {
        sim.scheduled_faults()
            .get(i as usize)
            .map_or(String::new(), |f| f.spec.text.clone())
    };
    match *event {
        Event::BrokerFenced { broker, elections } => {
            tf(lang, "e_fenced", &[("b", &b(broker)), ("n", &n(elections))])
        }
        Event::ReplicaFetchRetried { follower, leader } => {
            tf(lang, "e_refetch", &[("f", &b(follower)), ("l", &b(leader))])
        }
        Event::FaultStarted { fault: i, applied } => {
            let key = if applied {
                "e_fault_started"
            } else {
                "e_fault_noop"
            };
            tf(lang, key, &[("n", &n(i)), ("text", &fault(i))])
        }
        Event::FaultEnded { fault: i } => {
            tf(lang, "e_fault_ended", &[("n", &n(i)), ("text", &fault(i))])
        }
        Event::IsrShrink {
            topic,
            partition,
            broker,
            isr,
            ..
        }
        | Event::IsrExpand {
            topic,
            partition,
            broker,
            isr,
            ..
        } => {
            let key = if matches!(event, Event::IsrShrink { .. }) {
                "e_isr_shrink"
            } else {
                "e_isr_expand"
            };
            let tp = partition_name(sim, TopicPartitionId { topic, partition });
            tf(lang, key, &[("b", &b(broker)), ("p", &tp), ("n", &n(isr))])
        }
        Event::LogSegmentsDeleted { segments, replicas } => tf(
            lang,
            "e_retention",
            &[("n", &n(segments)), ("r", &n(replicas))],
        ),
        _ => String::new(),
    }
}
