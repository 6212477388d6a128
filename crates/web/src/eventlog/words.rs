//! One event log line in the page's language around Kafka's names: the request's API key, a
//! follower's Fetch as Fetch from a replica, an error by its Kafka name (all from the core's
//! `view::event_words`, `KafkaError::name`, `GroupError::name`, `TxnState::name`), the nodes
//! as the page names them. The sentences are the page's (`crate::i18n`, the `log` table).

use super::clients::client_text;
use super::names::{node_name, partition_name};
use crate::i18n::{t, tf, Lang};
use crate::timeline::time_text;
use streamscope_core::event::{Delivery, RebalanceReason};
use streamscope_core::net::Node;
use streamscope_core::producer::partitioner::PartitionReason;
use streamscope_core::sim::input::{Input, LoggedInput};
use streamscope_core::sim::links::LinkFault;
use streamscope_core::sim::view::event_words::{api_key, is_replica_fetch, is_response};
use streamscope_core::{Event, Sim, TraceEntry};

/// The line of trace entry `e`: its time, index and what happened.
pub fn line(sim: &Sim, e: &TraceEntry, lang: Lang) -> String {
    tf(
        lang,
        "log_line",
        &[
            ("t", &time_text(e.time, lang)),
            ("i", &e.index.to_string()),
            ("what", &what(sim, &e.event, lang)),
        ],
    )
}

/// The line of input `i` of the run.
pub fn input_line(i: usize, l: &LoggedInput, lang: Lang) -> String {
    let what = match &l.input {
        Input::Change { change } => change_text(change, lang),
        Input::Fault { fault } => tf(lang, "i_fault", &[("text", &fault.text)]),
        Input::EndFaults => t(lang, "i_end_faults").to_string(),
        Input::Drain => t(lang, "i_drain").to_string(),
    };
    tf(
        lang,
        "log_line",
        &[
            ("t", &time_text(l.at_time, lang)),
            ("i", &l.at_event.to_string()),
            (
                "what",
                &tf(lang, "log_input", &[("i", &i.to_string()), ("what", &what)]),
            ),
        ],
    )
}

/// A change as the page's messages say it (a setting as name=value).
fn change_text(change: &streamscope_core::Change, lang: Lang) -> String {
    use streamscope_core::Change as C;
    let n = |v: &u32| v.to_string();
    let p = |v: &u32| node_name(Node::Producer(*v), lang);
    let call = |v: &u32, call: &str| tf(lang, "e_txn_call", &[("p", &p(v)), ("call", call)]);
    match change {
        C::Set { name, value } => tf(lang, "i_set", &[("name", name), ("value", value)]),
        C::CrashBroker { broker } => tf(lang, "crash_broker_label", &[("b", &n(broker))]),
        C::KillBroker { broker } => tf(lang, "kill_broker_label", &[("b", &n(broker))]),
        C::RestartBroker { broker } => tf(lang, "restart_broker_label", &[("b", &n(broker))]),
        C::DropResponses { broker, on } => {
            let key = if *on { "i_drop_on" } else { "i_drop_off" };
            tf(lang, key, &[("b", &node_name(Node::Broker(*broker), lang))])
        }
        C::Link { a, b, fault, on } => link_text((a.text(), b.text()), *fault, *on, lang),
        C::AddConsumer { group, strategy } => tf(
            lang,
            "member_added",
            &[("g", &n(group)), ("s", strategy.as_deref().unwrap_or("-"))],
        ),
        C::RemoveConsumer { consumer } => tf(lang, "member_closed", &[("c", &n(consumer))]),
        C::CrashConsumer { consumer } => tf(lang, "member_crashed", &[("c", &n(consumer))]),
        C::RestartConsumer { consumer } => tf(lang, "member_restarted", &[("c", &n(consumer))]),
        C::SlowConsumer {
            consumer,
            per_record_us,
        } => tf(
            lang,
            "member_slowed",
            &[
                ("c", &n(consumer)),
                ("ms", &(per_record_us / 1000).to_string()),
            ],
        ),
        C::AddGroup { group_id, .. } => tf(lang, "group_added", &[("g", group_id)]),
        C::BeginTransaction { producer } => call(producer, "beginTransaction"),
        C::CommitTransaction { producer } => call(producer, "commitTransaction"),
        C::AbortTransaction { producer } => call(producer, "abortTransaction"),
        C::StartZombie { producer } => tf(lang, "i_zombie", &[("p", &p(producer))]),
        C::CrashProcessor { processor } => tf(lang, "pipe_crashed", &[("n", &n(processor))]),
        C::RestartProcessor {
            processor,
            new_transactional_id,
        } => {
            let key = if *new_transactional_id {
                "pipe_restarted_new"
            } else {
                "pipe_restarted_same"
            };
            tf(lang, key, &[("n", &n(processor))])
        }
    }
}

/// A link fault put on (or taken off) between two ends as `--fault` writes them.
fn link_text((a, b): (String, String), fault: LinkFault, on: bool, lang: Lang) -> String {
    if !on {
        return tf(lang, "i_link_off", &[("a", &a), ("b", &b)]);
    }
    let what = match fault {
        LinkFault::Cut => t(lang, "i_cut").to_string(),
        LinkFault::Delay { extra_us } => {
            tf(lang, "i_delay", &[("ms", &(extra_us / 1000).to_string())])
        }
        LinkFault::Drop { per_mille } => tf(lang, "i_drop", &[("pm", &per_mille.to_string())]),
    };
    tf(lang, "i_link_on", &[("a", &a), ("b", &b), ("what", &what)])
}

/// What an event did, in the page's words around Kafka's names.
fn what(sim: &Sim, event: &Event, lang: Lang) -> String {
    let n = |v: u32| v.to_string();
    let node = |x: Node| node_name(x, lang);
    match event {
        Event::Delivered {
            kind,
            from,
            to,
            detail,
            ..
        } => {
            let key = match (is_replica_fetch(*kind), is_response(*kind)) {
                (true, false) => "log_replica_fetch",
                (true, true) => "log_replica_fetch_response",
                (false, false) => "log_request",
                (false, true) => "log_response",
            };
            let args = [
                ("from", node(*from)),
                ("to", node(*to)),
                ("api", api_key(*kind).to_string()),
                ("what", detail_text(sim, detail, lang)),
            ];
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            tf(lang, key, &args)
        }
        Event::RecordAppended {
            producer,
            record_id,
            partition,
            batch_id,
            reason,
            requests_sent,
            ..
        } => {
            let mut s = tf(
                lang,
                "e_append",
                &[
                    ("p", &node(Node::Producer(*producer))),
                    ("id", &record_id.to_string()),
                    ("part", &n(*partition)),
                    ("reason", reason_text(*reason, lang)),
                    ("b", &batch_id.to_string()),
                ],
            );
            if *requests_sent > 0 {
                s.push_str(&tf(lang, "e_sent", &[("n", &n(*requests_sent))]));
            }
            s
        }
        other => client_text(sim, other, lang),
    }
}

fn reason_text(reason: PartitionReason, lang: Lang) -> &'static str {
    t(
        lang,
        match reason {
            PartitionReason::KeyHash { .. } => "r_key",
            PartitionReason::BuiltInSticky => "r_sticky",
            PartitionReason::RoundRobin { .. } => "r_round_robin",
            PartitionReason::LegacySticky => "r_legacy",
            PartitionReason::Explicit => "r_explicit",
        },
    )
}

/// What a delivered message did (the part after its API key).
fn detail_text(sim: &Sim, detail: &Delivery, lang: Lang) -> String {
    let n = |v: u32| v.to_string();
    match detail {
        Delivery::Appended {
            records,
            duplicates,
            responded,
        } => {
            let mut s = tf(lang, "d_appended", &[("n", &n(*records))]);
            if *duplicates > 0 {
                s.push_str(&tf(lang, "d_dups", &[("n", &n(*duplicates))]));
            }
            if !responded {
                s.push_str(t(lang, "d_waits"));
            }
            s
        }
        Delivery::Acknowledged { records, error } => match error {
            None => tf(lang, "d_acked", &[("n", &n(*records))]),
            Some(e) => tf(
                lang,
                "d_failed",
                &[("n", &n(*records)), ("error", e.name())],
            ),
        },
        Delivery::FetchServed {
            records,
            parked,
            high_watermark_moved,
        } => {
            let mut s = if *parked {
                t(lang, "d_parked").to_string()
            } else {
                tf(lang, "d_served", &[("n", &n(*records))])
            };
            if *high_watermark_moved > 0 {
                s.push_str(&tf(lang, "d_hw_moved", &[("n", &n(*high_watermark_moved))]));
            }
            s
        }
        Delivery::Fetched { records } => tf(lang, "d_fetched", &[("n", &n(*records))]),
        Delivery::OffsetsListed { found, failed } => tf(
            lang,
            "d_listed",
            &[("found", &n(*found)), ("failed", &n(*failed))],
        ),
        Delivery::PositionsReset { reset, failed } => {
            tf(lang, "d_reset", &[("n", &n(*reset)), ("f", &n(*failed))])
        }
        other => group_detail_text(sim, other, lang),
    }
}

fn group_detail_text(sim: &Sim, detail: &Delivery, lang: Lang) -> String {
    let n = |v: u32| v.to_string();
    let group = |g: u32| {
        sim.groups()
            .get(g as usize)
            .map_or_else(|| g.to_string(), |x| x.group_id.clone())
    };
    match detail {
        Delivery::RebalanceTriggered {
            group: g,
            generation,
            reason,
        } => tf(
            lang,
            "d_rebalance",
            &[
                ("g", &group(*g)),
                ("gen", &n(*generation)),
                ("cause", &cause_text(*reason, lang)),
            ],
        ),
        Delivery::GroupStable {
            group: g,
            generation,
            members,
        } => tf(
            lang,
            "d_stable",
            &[
                ("g", &group(*g)),
                ("gen", &n(*generation)),
                ("m", &n(*members)),
            ],
        ),
        Delivery::Assigned {
            generation,
            kept,
            added,
            revoked,
        } => tf(
            lang,
            "d_assigned",
            &[
                ("gen", &n(*generation)),
                ("k", &n(*kept)),
                ("a", &n(*added)),
                ("r", &n(*revoked)),
            ],
        ),
        other => other_detail_text(sim, other, lang),
    }
}

/// Refusals, losses, high watermarks and transactions.
fn other_detail_text(sim: &Sim, detail: &Delivery, lang: Lang) -> String {
    let n = |v: u32| v.to_string();
    match detail {
        Delivery::GroupRefused { error } => tf(lang, "d_refused", &[("error", error.name())]),
        Delivery::Lost => t(lang, "d_lost").to_string(),
        Delivery::HighWatermark { tp, high_watermark } => tf(
            lang,
            "d_hw",
            &[
                ("p", &partition_name(sim, *tp)),
                ("hw", &high_watermark.to_string()),
            ],
        ),
        Delivery::Txn { state, error } => match (error, state) {
            (Some(e), _) => tf(lang, "d_refused", &[("error", e.name())]),
            (None, Some(s)) => tf(lang, "d_txn_state", &[("state", s.name())]),
            (None, None) => String::new(),
        },
        Delivery::MarkersWritten { markers, commit } => tf(
            lang,
            "d_markers",
            &[
                ("n", &n(*markers)),
                ("kind", if *commit { "COMMIT" } else { "ABORT" }),
            ],
        ),
        Delivery::ProduceAwaitsVerification { partitions } => {
            tf(lang, "d_verify", &[("n", &n(*partitions))])
        }
        _ => String::new(),
    }
}

fn cause_text(reason: RebalanceReason, lang: Lang) -> String {
    let (key, c) = match reason {
        RebalanceReason::MemberJoined { consumer } => ("grp_cause_joined", consumer),
        RebalanceReason::MemberLeft { consumer } => ("grp_cause_left", consumer),
        RebalanceReason::MemberRejoined { consumer } => ("grp_cause_rejoined", consumer),
        RebalanceReason::SessionExpired { consumer } => ("grp_cause_expired", consumer),
    };
    tf(lang, key, &[("c", &c.to_string())])
}
