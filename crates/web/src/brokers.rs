//! The page's broker and durability controls outside the canvas: Kill process and Lose host
//! buttons (the core's `Change::KillBroker`: connections close at once, and
//! `Change::CrashBroker`: silent), or Restart while it is down, laid over each broker box
//! (stable ids `#kill-broker-N`, `#crash-broker-N`, `#restart-broker-N`, the box's
//! state in `#broker-N[data-state]`), the replication settings that apply on Reset and the
//! list of settings waiting for it, and the invariant monitor's counters. Text goes in through
//! `textContent` only; everything shown comes from the core.

use crate::dom::set_text;
use crate::i18n::{t, tf, Lang};
use crate::monitor::{count_text, MonitorCounts};
use crate::render::{Layout, BUTTON_ROOM, HEIGHT, WIDTH};
use streamscope_core::cluster::BrokerState;
use streamscope_core::Sim;
use web_sys::{Document, Element};

/// The settings the durability bar shows that apply on Reset (the core refuses them live).
pub const ON_RESET: [&str; 3] = [
    "replication.factor",
    "min.insync.replicas",
    "unclean.leader.election.enable",
];

/// Records `name=value` as waiting for Reset (the latest value per name wins).
pub fn queue(queued: &mut Vec<(String, String)>, name: &str, value: &str) {
    match queued.iter_mut().find(|(n, _)| n == name) {
        Some(q) => q.1 = value.to_string(),
        None => queued.push((name.to_string(), value.to_string())),
    }
}

/// "Waiting for Reset: a=1, b=2", or empty when nothing waits.
pub fn pending_text(queued: &[(String, String)], lang: Lang) -> String {
    if queued.is_empty() {
        return String::new();
    }
    let list: Vec<String> = queued.iter().map(|(n, v)| format!("{n}={v}")).collect();
    tf(lang, "pending_reset", &[("list", &list.join(", "))])
}

/// Shows the settings waiting for Reset and flags the Reset button while any wait.
pub fn write_pending(doc: &Document, queued: &[(String, String)], lang: Lang) {
    set_text(doc, "pending-reset", &pending_text(queued, lang));
    if let Some(b) = doc.get_element_by_id("reset") {
        let _ = b.set_attribute(
            "data-pending",
            if queued.is_empty() { "false" } else { "true" },
        );
    }
}

fn element(doc: &Document, tag: &str) -> Option<Element> {
    doc.create_element(tag).ok()
}

/// Builds one Crash / Restart pair per broker over the canvas, placed at the top right of
/// each broker box (percentages of the canvas, so it follows the canvas's scaling). Rebuilt
/// only when the number of brokers changes.
pub fn build_broker_controls(doc: &Document, sim: &Sim) {
    let Some(root) = doc.get_element_by_id("broker-controls") else {
        return;
    };
    let n = sim.brokers().len() as u32;
    if root.child_element_count() == n {
        return;
    }
    root.set_text_content(None);
    let l = Layout::new(&sim.frame());
    for b in 0..n {
        let Some(div) = element(doc, "div") else {
            return;
        };
        let _ = div.set_attribute("id", &format!("broker-{b}"));
        let _ = div.set_attribute("class", "broker-ctl");
        let _ = div.set_attribute("role", "group");
        let _ = div.set_attribute("data-broker", &b.to_string());
        let _ = div.set_attribute("data-state", "up");
        let top = (l.broker_y(b) + 3.0) / HEIGHT * 100.0;
        let right = (WIDTH - l.broker_x - l.broker_w + 6.0) / WIDTH * 100.0;
        let width = (BUTTON_ROOM - 6.0) / WIDTH * 100.0;
        let _ = div.set_attribute(
            "style",
            &format!("top:{top:.3}%;right:{right:.3}%;width:{width:.3}%"),
        );
        for action in ["kill", "crash", "restart"] {
            let Some(button) = element(doc, "button") else {
                return;
            };
            let _ = button.set_attribute("id", &format!("{action}-broker-{b}"));
            let _ = button.set_attribute("type", "button");
            let _ = button.set_attribute("class", action);
            let _ = button.set_attribute("data-broker", &b.to_string());
            let _ = button.set_attribute("data-action", action);
            let _ = div.append_child(&button);
        }
        let Some(state) = element(doc, "span") else {
            return;
        };
        let _ = state.set_attribute("class", "sr-only");
        let _ = state.set_attribute("id", &format!("broker-state-{b}"));
        let _ = div.append_child(&state);
        let _ = root.append_child(&div);
    }
}

/// Brings each broker's controls up to date: its state, and the one button that applies
/// (Crash while it runs, Restart while it is down), in the page's language.
pub fn update_broker_controls(doc: &Document, sim: &Sim, lang: Lang) {
    for b in sim.brokers() {
        let state = b.state();
        let id = b.id.to_string();
        if let Some(div) = doc.get_element_by_id(&format!("broker-{id}")) {
            if div.get_attribute("data-state").as_deref() != Some(state.name()) {
                let _ = div.set_attribute("data-state", state.name());
            }
            let _ = div.set_attribute("aria-label", &tf(lang, "broker_n", &[("b", &id)]));
        }
        let up = state == BrokerState::Up;
        for (action, label_key, aria_key, shown) in [
            ("kill", "kill", "kill_broker_label", up),
            ("crash", "crash", "crash_broker_label", up),
            ("restart", "restart", "restart_broker_label", !up),
        ] {
            let Some(button) = doc.get_element_by_id(&format!("{action}-broker-{id}")) else {
                continue;
            };
            if button.text_content().as_deref() != Some(t(lang, label_key)) {
                button.set_text_content(Some(t(lang, label_key)));
            }
            let aria = tf(lang, aria_key, &[("b", &id)]);
            if button.get_attribute("aria-label").as_deref() != Some(aria.as_str()) {
                let _ = button.set_attribute("aria-label", &aria);
            }
            let hidden = button.has_attribute("hidden");
            if shown && hidden {
                let _ = button.remove_attribute("hidden");
            } else if !shown && !hidden {
                let _ = button.set_attribute("hidden", "");
            }
        }
        let state_key = match state {
            BrokerState::Up => "broker_up",
            BrokerState::Crashed => "broker_crashed",
            BrokerState::Fenced => "broker_fenced",
            BrokerState::Restarting => "broker_restarting",
        };
        set_text(
            doc,
            &format!("broker-state-{id}"),
            &format!("{} {id}: {}", t(lang, "broker"), t(lang, state_key)),
        );
    }
}

/// The monitor's counters under the canvas; red when any is above zero.
pub fn write_monitor(doc: &Document, counts: &MonitorCounts, lang: Lang) {
    for (id, n) in [
        ("mon-lost", counts.acknowledged_lost),
        ("mon-dup", counts.duplicates),
        ("mon-ooo", counts.out_of_order),
    ] {
        set_text(doc, id, &count_text(counts, n));
        if let Some(e) = doc.get_element_by_id(id) {
            let class = if counts.live && n > 0 {
                "count bad"
            } else {
                "count"
            };
            if e.get_attribute("class").as_deref() != Some(class) {
                let _ = e.set_attribute("class", class);
            }
        }
    }
    set_text(
        doc,
        "monitor-note",
        if counts.live {
            ""
        } else {
            t(lang, "monitor_not_wired")
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::config::settings;
    use streamscope_core::Config;

    #[test]
    fn the_core_answers_the_durability_controls() {
        let mut c = Config::preset();
        assert_eq!(
            settings::current(&c, "unclean.leader.election.enable").as_deref(),
            Some("false")
        );
        c.set("unclean.leader.election.enable", "true").unwrap();
        c.set("retries", "3").unwrap();
        assert_eq!(
            settings::current(&c, "unclean.leader.election.enable").as_deref(),
            Some("true")
        );
        assert_eq!(settings::current(&c, "retries").as_deref(), Some("3"));
        assert_eq!(
            settings::current(&c, "min.insync.replicas").as_deref(),
            Some("1")
        );
        assert_eq!(settings::current(&c, "no.such.setting"), None);
    }

    #[test]
    fn queued_settings_keep_the_latest_value() {
        let mut q = Vec::new();
        assert_eq!(pending_text(&q, Lang::En), "");
        queue(&mut q, "min.insync.replicas", "2");
        queue(&mut q, "replication.factor", "2");
        queue(&mut q, "min.insync.replicas", "3");
        assert_eq!(
            pending_text(&q, Lang::En),
            "Waiting for Reset: min.insync.replicas=3, replication.factor=2"
        );
    }
}
