//! The consumer-group controls: add a consumer (with the strategy list chosen in the page),
//! add a group, close / crash / restart / slow down a consumer, add a partition, and the
//! protocol choice. Each button builds a core `Change` (or a setting) as an action; every rule
//! (validation, the rebalance that follows, which rebalance protocol a strategy list means)
//! lives in the core.

use crate::actions::Action;
use crate::apply::dispatch;
use crate::dom::{input, on_id, select};
use crate::i18n::{t, tf, Lang};
use crate::page::with_app;
use streamscope_core::config::{RebalanceProtocol, StrategyList};
use streamscope_core::Change;
use wasm_bindgen::JsValue;
use web_sys::Document;

/// A whole number from an input (the core validates ranges; a non-number is refused here with
/// the field named by its label, in the page's language).
fn number(doc: &Document, id: &str, max: u64) -> Result<u64, String> {
    let raw = input(doc, id).map(|i| i.value()).unwrap_or_default();
    match raw.trim().parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => {
            let lang = with_app(|a| a.lang).unwrap_or(Lang::En);
            let label = match id {
                "group-index" => "grp_group",
                "consumer-index" => "grp_consumer",
                _ => "slow_ms",
            };
            let allowed = tf(lang, "a_int", &[("min", "0"), ("max", &max.to_string())]);
            Err(tf(
                lang,
                "r_not_valid",
                &[
                    ("name", t(lang, label)),
                    ("raw", raw.trim()),
                    ("allowed", &allowed),
                ],
            ))
        }
    }
}

fn index(doc: &Document, id: &str) -> Result<u32, String> {
    let n = number(doc, id, u64::from(u32::MAX))?;
    u32::try_from(n).map_err(|_| format!("{id}: {n}"))
}

/// Wires one button to a change built from the form.
fn button(
    doc: &Document,
    id: &'static str,
    build: impl Fn(&Document) -> Result<Change, String> + 'static,
) -> Result<(), JsValue> {
    let d = doc.clone();
    on_id(doc, id, "click", move |_| {
        dispatch(Action::Member(build(&d)))
    })
}

pub fn wire(doc: &Document) -> Result<(), JsValue> {
    button(doc, "add-consumer", |d| {
        let strategy = select(d, "assignor")
            .map(|s| s.value())
            .ok_or("assignor: missing")?;
        Ok(Change::AddConsumer {
            group: index(d, "group-index")?,
            strategy: Some(strategy),
        })
    })?;
    on_id(doc, "add-group", "click", |_| dispatch(Action::AddGroup))?;
    button(doc, "remove-consumer", |d| {
        Ok(Change::RemoveConsumer {
            consumer: index(d, "consumer-index")?,
        })
    })?;
    button(doc, "crash-consumer", |d| {
        Ok(Change::CrashConsumer {
            consumer: index(d, "consumer-index")?,
        })
    })?;
    button(doc, "restart-consumer", |d| {
        Ok(Change::RestartConsumer {
            consumer: index(d, "consumer-index")?,
        })
    })?;
    button(doc, "slow-consumer", |d| {
        let ms = number(d, "slow-ms", u64::MAX / 1000)?;
        Ok(Change::SlowConsumer {
            consumer: index(d, "consumer-index")?,
            per_record_us: ms.saturating_mul(1000),
        })
    })?;
    wire_partitions_and_protocol(doc)
}

/// The rebalance protocol a strategy list means (the core's rule), as the selector's value.
fn protocol_of(list: &str) -> Option<&'static str> {
    StrategyList::parse(list)
        .ok()
        .map(|l| match l.rebalance_protocol() {
            RebalanceProtocol::Eager => "eager",
            RebalanceProtocol::Cooperative => "cooperative",
        })
}

/// "Add partition" raises the first topic's partition count by one through the live
/// `num.partitions` setting (the core adds the partition; the groups rebalance). The rebalance
/// protocol selector picks a strategy list that means that protocol, and follows the list.
fn wire_partitions_and_protocol(doc: &Document) -> Result<(), JsValue> {
    on_id(doc, "add-partition", "click", |_| {
        dispatch(Action::AddPartition)
    })?;
    let d = doc.clone();
    on_id(doc, "rebalance-protocol", "change", move |_| {
        let (Some(choice), Some(assignor)) =
            (select(&d, "rebalance-protocol"), select(&d, "assignor"))
        else {
            return;
        };
        let wanted = choice.value();
        if protocol_of(&assignor.value()) == Some(wanted.as_str()) {
            return;
        }
        let list = if wanted == "cooperative" {
            "cooperative-sticky"
        } else {
            "range"
        };
        assignor.set_value(list);
        dispatch(Action::Protocol { list });
    })?;
    let d = doc.clone();
    on_id(doc, "assignor", "change", move |_| {
        let (Some(choice), Some(assignor)) =
            (select(&d, "rebalance-protocol"), select(&d, "assignor"))
        else {
            return;
        };
        if let Some(p) = protocol_of(&assignor.value()) {
            choice.set_value(p);
        }
    })
}
