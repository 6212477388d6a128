//! Transaction requests in flight: which messages are transaction traffic, the pill's text
//! (Kafka's API names; responses end in ✓ or their error), and the pill itself.

use super::paint::{text, DANGER};
use super::txn::LSO_COLOUR;
use streamscope_core::net::{Body, Message, MessageKind};
use web_sys::CanvasRenderingContext2d as Ctx;

/// Whether a message is transaction traffic.
pub fn is_txn_kind(k: MessageKind) -> bool {
    matches!(
        k,
        MessageKind::InitProducerId
            | MessageKind::InitProducerIdResponse
            | MessageKind::AddPartitionsToTxn
            | MessageKind::AddPartitionsToTxnResponse
            | MessageKind::EndTxn
            | MessageKind::EndTxnResponse
            | MessageKind::WriteTxnMarkers
            | MessageKind::WriteTxnMarkersResponse
            | MessageKind::AddOffsetsToTxn
            | MessageKind::AddOffsetsToTxnResponse
            | MessageKind::TxnOffsetCommit
            | MessageKind::TxnOffsetCommitResponse
    )
}

/// The pill's text for a transaction message (Kafka's API names; responses end in ✓ or
/// their error), and whether it carries an error.
pub fn message_label(m: &Message) -> (String, bool) {
    let error = match &m.body {
        Body::InitProducerIdResponse { error, .. }
        | Body::AddPartitionsToTxnResponse { error, .. }
        | Body::EndTxnResponse { error, .. }
        | Body::AddOffsetsToTxnResponse { error, .. } => error.is_some(),
        Body::TxnOffsetCommitResponse {
            error,
            producer_error,
        } => error.is_some() || producer_error.is_some(),
        Body::WriteTxnMarkersResponse { results, .. }
        | Body::VerifyPartitionsInTxnResponse { results, .. } => {
            results.iter().any(|(_, e)| e.is_some())
        }
        _ => false,
    };
    (message_text(m), error)
}

/// The first four of a request's partitions, as its pill lists them.
fn first_four(items: impl Iterator<Item = String>) -> String {
    items.take(4).collect::<Vec<_>>().join(" ")
}

/// A response's outcome: its Kafka error's name, or a tick.
fn outcome(e: &Option<streamscope_core::net::KafkaError>) -> String {
    match e {
        Some(e) => format!(" {}", e.name()),
        None => " ✓".to_string(),
    }
}

/// InitProducerId's pill: an idempotent producer's has no transactional.id (any broker
/// answers it); the answer names the producer id and epoch.
fn init_producer_id_text(body: &Body) -> Option<String> {
    Some(match body {
        Body::InitProducerId {
            transactional_id: None,
            ..
        } => "InitProducerId transactional.id=null".to_string(),
        Body::InitProducerId { .. } => "InitProducerId".to_string(),
        Body::InitProducerIdResponse {
            producer_id,
            epoch,
            error,
        } => match error {
            Some(_) => format!("InitProducerId{}", outcome(error)),
            None => format!("InitProducerId ✓ pid {producer_id} epoch {epoch}"),
        },
        _ => return None,
    })
}

fn message_text(m: &Message) -> String {
    if let Some(s) = init_producer_id_text(&m.body) {
        return s;
    }
    match &m.body {
        Body::AddPartitionsToTxn { partitions, .. } => {
            let ps = first_four(partitions.iter().map(|tp| format!("P{}", tp.partition)));
            format!("AddPartitionsToTxn {}", ps)
        }
        Body::AddPartitionsToTxnResponse { error, .. } => {
            format!("AddPartitionsToTxn{}", outcome(error))
        }
        Body::EndTxn { commit, .. } => {
            format!("EndTxn {}", if *commit { "COMMIT" } else { "ABORT" })
        }
        Body::EndTxnResponse { error, .. } => format!("EndTxn{}", outcome(error)),
        Body::AddOffsetsToTxn { .. } => "AddOffsetsToTxn".to_string(),
        Body::AddOffsetsToTxnResponse { error, .. } => {
            format!("AddOffsetsToTxn{}", outcome(error))
        }
        Body::TxnOffsetCommit { offsets, .. } => {
            let ps = first_four(
                offsets
                    .iter()
                    .map(|(tp, o)| format!("P{}@{o}", tp.partition)),
            );
            format!("TxnOffsetCommit {}", ps)
        }
        Body::TxnOffsetCommitResponse {
            error,
            producer_error,
        } => match (error, producer_error) {
            (_, Some(e)) => format!("TxnOffsetCommit {}", e.name()),
            (Some(e), None) => format!("TxnOffsetCommit {}", e.name()),
            (None, None) => "TxnOffsetCommit ✓".to_string(),
        },
        Body::WriteTxnMarkers {
            commit, partitions, ..
        } => {
            let ps = first_four(partitions.iter().map(|tp| format!("P{}", tp.partition)));
            format!(
                "WriteTxnMarkers {} {}",
                if *commit { "COMMIT" } else { "ABORT" },
                ps
            )
        }
        Body::WriteTxnMarkersResponse { results, .. } => {
            let err = results.iter().find_map(|(_, e)| *e);
            format!("WriteTxnMarkers{}", outcome(&err))
        }
        // A leader's KIP-890 request: the same API, "verify" when it only checks (V1).
        Body::VerifyPartitionsInTxn {
            partitions,
            verify_only,
            ..
        } => {
            let ps = first_four(partitions.iter().map(|tp| format!("P{}", tp.partition)));
            let verb = if *verify_only { " verify" } else { "" };
            format!("AddPartitionsToTxn{verb} {}", ps)
        }
        Body::VerifyPartitionsInTxnResponse { results, .. } => {
            let err = results.iter().find_map(|(_, e)| *e);
            format!("AddPartitionsToTxn{}", outcome(&err))
        }
        _ => String::new(),
    }
}

/// A transaction request or response in flight: a small purple pill with its API name.
pub fn draw_message(ctx: &Ctx, m: &Message, x: f64, y: f64) {
    let (label, error) = message_label(m);
    let font = "600 9px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif";
    ctx.set_font(font);
    let w = ctx.measure_text(&label).map_or(60.0, |t| t.width()) + 8.0;
    ctx.set_fill_style_str(if error { DANGER } else { LSO_COLOUR });
    ctx.fill_rect(x - 2.0, y - 6.0, w, 12.0);
    text(ctx, &label, x + 2.0, y + 3.0, "#ffffff", font);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::marks::transactional_world;
    use streamscope_core::{Config, Sim, SimTime};

    #[test]
    fn transaction_messages_are_labelled() {
        let mut sim = transactional_world();
        let mut seen = Vec::new();
        while sim.now() < SimTime(200_000) {
            for m in sim.messages() {
                if is_txn_kind(m.body.kind()) {
                    seen.push(message_label(m).0);
                }
            }
            if sim.step().is_none() {
                break;
            }
        }
        assert!(seen.iter().any(|s| s == "InitProducerId"), "{seen:?}");
        assert!(seen.iter().any(|s| s.starts_with("InitProducerId ✓")));
    }

    /// An idempotent producer's InitProducerId is drawn on its way to a broker, with no
    /// transactional.id; its answer names the producer id; a plain producer sends none.
    #[test]
    fn an_idempotent_producer_init_producer_id_is_labelled() {
        for (idempotence, want) in [("true", true), ("false", false)] {
            let mut c = Config::preset();
            c.set("enable.idempotence", idempotence).unwrap();
            c.set("acks", "1").unwrap();
            if idempotence == "true" {
                c.set("acks", "all").unwrap();
            }
            let mut sim = Sim::new(c, 2).unwrap();
            let mut seen = Vec::new();
            while sim.now() < SimTime(50_000) {
                for m in sim.messages() {
                    if is_txn_kind(m.body.kind()) {
                        seen.push(message_label(m).0);
                    }
                }
                if sim.step().is_none() {
                    break;
                }
            }
            let asked = seen
                .iter()
                .any(|s| s == "InitProducerId transactional.id=null");
            let answered = seen.iter().any(|s| s.starts_with("InitProducerId ✓ pid "));
            assert_eq!((asked, answered), (want, want), "{idempotence}: {seen:?}");
        }
    }

    #[test]
    fn the_pipeline_offset_requests_are_labelled() {
        let mut c = Config::preset();
        c.set("sim.pipeline", "ctp").unwrap();
        c.set("processing.guarantee", "exactly_once_v2").unwrap();
        c.set("transaction.version", "1").unwrap();
        let mut sim = Sim::new(c, 1).unwrap();
        let mut seen = std::collections::BTreeSet::new();
        while sim.now() < SimTime(1_000_000) {
            for m in sim.messages() {
                if is_txn_kind(m.body.kind()) {
                    let label = message_label(m).0;
                    let api: String = label.split(' ').take(2).collect::<Vec<_>>().join(" ");
                    seen.insert(api);
                }
            }
            if sim.step().is_none() {
                break;
            }
        }
        for want in ["AddOffsetsToTxn", "AddOffsetsToTxn ✓", "TxnOffsetCommit ✓"] {
            assert!(seen.contains(want), "{want}: {seen:?}");
        }
        assert!(
            seen.iter().any(|s| s.starts_with("TxnOffsetCommit P")),
            "{seen:?}"
        );
    }
}
