//! The one place the page's actions are applied: each [`Action`] a control produced changes
//! the world and its twin (through `crate::world`), moves in time (`crate::travel`), the
//! selection, the event log's filters or the playback, then the page says what happened (the
//! message line), redraws what the action can have changed, and the address's link follows
//! (`crate::share`). The messages name the core's answers; refusals are the core's own.

use crate::actions::{Action, BrokerAction};
use crate::dom::set_text;
use crate::eventlog::{self, NodeFilter};
use crate::i18n::{t, tf, Lang};
use crate::page::{random_seed, with_app, App, MAX_SEED};
use crate::panels;
use crate::render::Target;
use crate::timeline::Pointed;
use crate::transactions::{self, COMPARE_GROUP};
use streamscope_core::net::TopicPartitionId;
use streamscope_core::sim::view::event_words::subjects;
use streamscope_core::{Change, SimTime};

/// Applies `action` to the page's app (nothing before the app exists).
pub fn dispatch(action: Action) {
    with_app(|a| apply(a, action));
}

/// Applies `action`; returns the refusal for the test hook's [`Action::HookSetting`] (`None`
/// otherwise, and when it was taken). The address's link follows at once.
pub fn apply(a: &mut App, action: Action) -> Option<String> {
    let was = learner_change(&action).then(|| a.sim.metrics());
    let refused = apply_action(a, action);
    if let Some(was) = was {
        panels::metrics::remember(&a.doc, was, a.lang);
    }
    a.write_link(a.link_written.1, true);
    refused
}

/// A fault or setting change the learner makes: the metrics panel shows Was / Now / Delta
/// after it.
fn learner_change(action: &Action) -> bool {
    matches!(
        action,
        Action::Setting { .. }
            | Action::FreeSetting { .. }
            | Action::Fault { .. }
            | Action::EndFaults
            | Action::Broker { .. }
            | Action::Member(_)
            | Action::AddGroup
            | Action::AddPartition
            | Action::Protocol { .. }
            | Action::TxnSetting { .. }
    )
}

fn apply_action(a: &mut App, action: Action) -> Option<String> {
    match action {
        Action::TogglePlay => {
            a.playing = !a.playing;
            a.last_frame_ms = None;
            a.sync_controls();
        }
        Action::Step => a.step(),
        Action::Steps(n) => a.steps(n),
        Action::SetSpeed(v) => a.speed = v.clamp(0.0001, 100.0),
        Action::SetLargeTiles(large) => {
            a.view.large_tiles = large;
            a.draw();
        }
        Action::Reset { raw } => reset(a, &raw),
        Action::RandomReset => {
            let seed = random_seed();
            let r = a
                .reset(seed)
                .map(|_| format!("{} {seed}", t(a.lang, "seed")));
            a.show(r);
        }
        Action::Click { x, y } => click(a, x, y),
        Action::Select(target) => select(a, target),
        Action::Deselect => {
            if a.view.selected.is_some() {
                select(a, None);
            }
        }
        Action::Calculator => panels::write_calculator(&a.doc, a.lang),
        Action::ToggleLanguage => {
            a.lang = a.lang.other();
            crate::share::store_language(a.lang);
            a.apply_language();
        }
        Action::Setting { name, value } => setting(a, name, &value),
        Action::FreeSetting { raw } => {
            let r = match raw.split_once('=') {
                Some((n, v)) => a.apply_setting(n, v),
                None => Err(tf(a.lang, "r_name_value", &[("raw", raw.trim())])),
            };
            at_field(a, "setting", r.as_ref().err());
            a.show(r);
            a.sync_controls();
            a.draw();
        }
        Action::HookSetting { name, value } => {
            let r = a.apply_setting(&name, &value);
            a.sync_controls();
            return r.err();
        }
        Action::RunUntil { ms } => {
            a.advance(SimTime((ms.max(0.0) * 1000.0) as u64), u64::MAX);
            a.draw();
        }
        Action::Compare { .. } | Action::StopCompare => return compare(a, action),
        other => apply_change_action(a, other),
    }
    None
}

/// "Compare" and "Stop comparing": the status line says what happened; a refusal is shown at
/// the settings box too, and returned for the test hook.
fn compare(a: &mut App, action: Action) -> Option<String> {
    match action {
        Action::Compare { raw } => {
            let result = a.start_compare(&raw);
            let text = result.clone().unwrap_or_else(|e| e);
            set_text(&a.doc, "compare-status", &text);
            if let Some(field) = a.doc.get_element_by_id("compare-settings") {
                crate::dom::field_message(
                    &a.doc,
                    &field,
                    result.as_ref().err().map(String::as_str),
                );
            }
            result.err()
        }
        Action::StopCompare => {
            let msg = a.stop_compare();
            set_text(&a.doc, "compare-status", &msg);
            None
        }
        _ => None,
    }
}

/// The actions that change the world's faults, brokers, groups, transactions or pipeline.
fn apply_change_action(a: &mut App, action: Action) {
    match action {
        Action::Fault { raw } => {
            let r = a.inject_fault(&raw);
            at_field(a, "fault", r.as_ref().err());
            a.show(r);
            a.draw();
        }
        Action::EndFaults => {
            a.end_faults();
            let msg = t(a.lang, "faults_ended").to_string();
            a.show(Ok(msg));
            a.draw();
        }
        Action::Drain => {
            let msg = a.start_drain();
            a.show(Ok(msg));
            a.draw();
        }
        Action::Broker { broker, action } => broker_fault(a, broker, action),
        Action::Member(change) => {
            let r = change.and_then(|c| member_change(a, c));
            a.show(r);
            a.draw();
        }
        Action::AddGroup => {
            let n = a.sim.groups().len();
            let r = member_change(
                a,
                Change::AddGroup {
                    group_id: format!("g{}", n + 1),
                    topics: vec!["orders".to_string()],
                    consumers: 1,
                },
            );
            a.show(r);
            a.draw();
        }
        Action::AddPartition => {
            let n = a.sim.topics().first().map_or(0, |t| t.partitions.len());
            let r = a.apply_setting("num.partitions", &(n + 1).to_string());
            a.show_at("num.partitions", r);
            a.sync_controls();
            a.draw();
        }
        Action::Protocol { list } => {
            let r = a.apply_setting("partition.assignment.strategy", list);
            a.show_at("partition.assignment.strategy", r);
            a.draw();
        }
        other => apply_txn_action(a, other),
    }
}

/// The Transactions box's actions: its settings, the side-by-side group, the transaction
/// buttons, and the pipeline's settings and processor buttons.
fn apply_txn_action(a: &mut App, action: Action) {
    match action {
        Action::TxnSetting { name, value } => {
            let r = a.apply_setting(name, &value);
            if r.is_ok() && name == "isolation.level" && transactions::compare_on(&a.pending) {
                // isolation.level sets every group: the side-by-side group keeps the other level.
                transactions::set_compare(&mut a.pending, true);
            }
            a.show_at(name, r);
            transactions::sync_controls(&a.doc, &a.pending);
            a.draw();
        }
        Action::TxnCompare(on) => txn_compare(a, on),
        Action::Txn(c) => {
            let msg = transactions::change_message(&a.sim, &c, a.lang);
            let r = a.apply_change(c).map(|_| msg);
            a.show(r);
            a.draw();
        }
        Action::PipelineSetting { name, value } => {
            let r = a.apply_setting(name, &value);
            a.show_at(name, r);
            crate::pipeline::sync_controls(&a.doc, &a.pending);
            a.draw();
        }
        Action::CrashProcessor { raw, in_txn } => {
            let r = processor_index(&raw, a.lang).and_then(|n| crash_processor(a, n, in_txn));
            a.show(r);
            a.draw();
        }
        Action::RestartProcessor { raw, new_id } => {
            let r = processor_index(&raw, a.lang).and_then(|n| restart_processor(a, n, new_id));
            a.show(r);
            a.draw();
        }
        other => apply_time_action(a, other),
    }
}

/// The timeline's, the time controls' and the event log's actions.
fn apply_time_action(a: &mut App, action: Action) {
    match action {
        Action::StepBack(n) => a.step_back(n),
        Action::Live => {
            a.go_live();
            let msg = t(a.lang, "went_live").to_string();
            a.show(Ok(msg));
        }
        Action::Seek { time_us } if time_us.is_finite() && time_us >= 0.0 => {
            a.seek(SimTime(time_us as u64));
        }
        Action::TimelineAt { x, y, drag } => timeline_at(a, x, y, drag),
        Action::TimelineUp => a.timeline.dragging = false,
        Action::TimelineKey(key) => match key {
            "Home" => a.jump_to_event(0),
            "End" => a.go_live(),
            _ => {
                let r = a.jump_by_kind(key == "PageDown");
                a.show(r);
            }
        },
        Action::MarkKind(group) => a.timeline.group = group,
        Action::JumpKind { forward } => {
            let r = a.jump_by_kind(forward);
            a.show(r);
        }
        Action::JumpTime { raw } => jump_time(a, &raw),
        Action::LogNode(v) => {
            a.log.node = eventlog::parse_node(&v);
            a.draw();
        }
        Action::LogKind(v) => {
            a.log.kind = eventlog::parse_kind(&v);
            a.draw();
        }
        Action::LogLine { event } => {
            a.jump_to_event(event + 1);
            let last = a.sim.trace().last().filter(|e| e.index == event);
            a.view.highlight = last.map(|e| subjects(&a.sim, &e.event));
            a.draw();
        }
        Action::CopyLink => a.copy_link(),
        Action::OpenLink { fragment } if fragment != a.link_written.0 => a.open_link(&fragment),
        _ => {}
    }
}

/// A click on the canvas: a record, marker or partition is selected (and the log shows its
/// lines); a broker's, producer's or consumer's box shows its lines.
fn click(a: &mut App, x: f64, y: f64) {
    if let Some(target) = a.view.hits.find(x, y) {
        a.log.node = match target {
            Target::Record(id) => NodeFilter::Record(id),
            Target::Partition {
                topic, partition, ..
            }
            | Target::Marker {
                topic, partition, ..
            } => NodeFilter::Partition(TopicPartitionId { topic, partition }),
        };
        select(a, Some(target));
    } else if let Some(node) = a.view.node_at(x, y) {
        a.log.node = NodeFilter::Node(node);
        a.draw();
    }
}

/// The timeline pressed at (x, y): a mark near it, else the time; dragged: the time.
fn timeline_at(a: &mut App, x: f64, y: f64, drag: bool) {
    if drag {
        if a.timeline.dragging {
            let t = a.timeline.time_at(x);
            if t != a.sim.now() {
                a.seek(t);
            }
        }
        return;
    }
    match a.timeline.find(&a.history, x, y) {
        Pointed::Mark(m) => {
            a.timeline.dragging = false;
            a.jump_to_mark(&m);
        }
        Pointed::Time(t) => {
            a.timeline.dragging = true;
            a.seek(t);
        }
    }
}

/// "Jump to time": a refusal is said at the field, in the page's language.
fn jump_time(a: &mut App, raw: &str) {
    let r = a.jump_to_typed_time(raw);
    let error = r.as_ref().err().cloned().unwrap_or_default();
    set_text(&a.doc, "jump-error", &error);
    if let Some(i) = crate::dom::input(&a.doc, "jump-time") {
        let _ = i.set_attribute(
            "aria-invalid",
            if error.is_empty() { "false" } else { "true" },
        );
    }
    a.show(r);
}

fn reset(a: &mut App, raw: &str) {
    match raw.trim().parse::<u64>() {
        Ok(seed) if seed <= MAX_SEED => {
            at_field(a, "seed", None);
            let r = a
                .reset(seed)
                .map(|_| format!("{} {seed}", t(a.lang, "seed")));
            a.show(r);
        }
        _ => {
            let allowed = tf(
                a.lang,
                "a_int",
                &[("min", "0"), ("max", &MAX_SEED.to_string())],
            );
            let msg = tf(
                a.lang,
                "r_not_valid",
                &[
                    ("name", t(a.lang, "seed")),
                    ("raw", raw.trim()),
                    ("allowed", &allowed),
                ],
            );
            at_field(a, "seed", Some(&msg));
            a.show(Err(msg));
        }
    }
}

/// Says a refusal at control `#id` (it keeps what was typed) or clears its message.
fn at_field(a: &App, id: &str, error: Option<&String>) {
    if let Some(c) = a.doc.get_element_by_id(id) {
        crate::dom::field_message(&a.doc, &c, error.map(|e| e.as_str()));
    }
}

fn select(a: &mut App, target: Option<crate::render::Target>) {
    a.view.selected = target;
    a.draw();
}

/// A setting control: apply `name` = `value` (live, or queued for Reset); on refusal say why
/// at the control, which keeps what was typed, and put the other controls back to what is in
/// force.
fn setting(a: &mut App, name: &str, value: &str) {
    let r = a.apply_setting(name, value);
    a.show_at(name, r);
    a.sync_controls();
    a.draw();
}

/// Applies a consumer-group change (the core validates; nothing changes on an error) and
/// says what it did.
fn member_change(a: &mut App, change: Change) -> Result<String, String> {
    let lang = a.lang;
    let c = |n: &u32| n.to_string();
    let msg = match &change {
        Change::AddConsumer { group, strategy } => tf(
            lang,
            "member_added",
            &[("g", &c(group)), ("s", strategy.as_deref().unwrap_or("-"))],
        ),
        Change::AddGroup { group_id, .. } => tf(lang, "group_added", &[("g", group_id)]),
        Change::RemoveConsumer { consumer } => tf(lang, "member_closed", &[("c", &c(consumer))]),
        Change::CrashConsumer { consumer } => tf(lang, "member_crashed", &[("c", &c(consumer))]),
        Change::RestartConsumer { consumer } => {
            tf(lang, "member_restarted", &[("c", &c(consumer))])
        }
        Change::SlowConsumer {
            consumer,
            per_record_us,
        } => tf(
            lang,
            "member_slowed",
            &[
                ("c", &c(consumer)),
                ("ms", &(per_record_us / 1000).to_string()),
            ],
        ),
        _ => t(lang, "applied").to_string(),
    };
    a.apply_change(change)?;
    Ok(msg)
}

/// Kills broker `b`'s process, loses its host or restarts it (the core validates) and says
/// what happened.
fn broker_fault(a: &mut App, b: u32, action: BrokerAction) {
    let (change, key) = match action {
        BrokerAction::Kill => (Change::KillBroker { broker: b }, "kill_done"),
        BrokerAction::LoseHost => (Change::CrashBroker { broker: b }, "crash_done"),
        BrokerAction::Restart => (Change::RestartBroker { broker: b }, "restart_done"),
    };
    let r = a.apply_change(change).map(|_| {
        // A restart before the fence waits for the controller (`sim::faults`).
        let waits = a
            .sim
            .brokers()
            .get(b as usize)
            .is_some_and(|x| x.registering);
        let key = if waits { "restart_pending_done" } else { key };
        tf(a.lang, key, &[("b", &b.to_string())])
    });
    a.show(r);
    a.draw();
}

fn txn_compare(a: &mut App, on: bool) {
    transactions::set_compare(&mut a.pending, on);
    let level = transactions::compare_level(&a.pending).unwrap_or("-");
    crate::brokers::queue(&mut a.queued, &format!("group {COMPARE_GROUP}"), level);
    crate::brokers::write_pending(&a.doc, &a.queued, a.lang);
    let msg = if on {
        tf(
            a.lang,
            "txn_compare_on",
            &[("g", COMPARE_GROUP), ("l", level)],
        )
    } else {
        tf(a.lang, "txn_compare_off", &[("g", COMPARE_GROUP)])
    };
    a.show(Ok(msg));
    transactions::sync_controls(&a.doc, &a.pending);
}

fn processor_index(raw: &str, lang: Lang) -> Result<u32, String> {
    raw.trim()
        .parse::<u32>()
        .map_err(|_| tf(lang, "pipe_bad_index", &[("raw", raw)]))
}

/// Crashes processor `n` in both simulations: mid-transaction through the fault machinery
/// (`crash:processor=N,in-txn@+0s`: each simulation crashes it at its own next moment between
/// a produce and its commit, within 5 s), else at once.
fn crash_processor(a: &mut App, n: u32, in_txn: bool) -> Result<String, String> {
    if in_txn {
        let text = format!("crash:processor={n},in-txn@+0s");
        a.inject_fault(&text)?;
        Ok(tf(a.lang, "pipe_crash_scheduled", &[("n", &n.to_string())]))
    } else {
        a.apply_change(Change::CrashProcessor { processor: n })?;
        Ok(tf(a.lang, "pipe_crashed", &[("n", &n.to_string())]))
    }
}

/// Restarts processor `n` in both simulations, with the same or a new transactional.id.
fn restart_processor(a: &mut App, n: u32, new_id: bool) -> Result<String, String> {
    a.apply_change(Change::RestartProcessor {
        processor: n,
        new_transactional_id: new_id,
    })?;
    let key = if new_id {
        "pipe_restarted_new"
    } else {
        "pipe_restarted_same"
    };
    Ok(tf(a.lang, key, &[("n", &n.to_string())]))
}
