//! `window.streamscope`: the page's state for tests and the curious, as plain objects (the
//! core's snapshot, what the last frame drew, the monitors, the pipeline and its twin, the
//! run's moment, trace hash, marks and link, the message table), and the few things a test
//! may ask the page to do (a setting, the speed, a run to a time, a step back, a seek, Live),
//! which go through `crate::apply` like the controls' actions; the guided scenarios
//! (`scenarios()`, `openScenario(id)`, `scenarioStep()`, `scenarioNext()`, `scenarioBack()`,
//! `scenarioReturn()`, `scenarioGoTo(k)`, `scenarioTry()`, `closeScenario()`), which go through
//! `crate::guide` like the panel's buttons.

use crate::actions::Action;
use crate::apply::apply;
use crate::dom::to_js;
use crate::guide;
use crate::i18n;
use crate::page::{with_app, App};
use crate::{monitor, panels, pipeline, render, transactions};
use streamscope_core::config::settings;
use wasm_bindgen::prelude::*;

/// Sets `hook.name` to a function of no argument reading the app.
fn getter(hook: &js_sys::Object, name: &str, f: fn(&mut App) -> JsValue) -> Result<(), JsValue> {
    let c = Closure::<dyn Fn() -> JsValue>::new(move || with_app(f).unwrap_or(JsValue::NULL));
    js_sys::Reflect::set(hook, &name.into(), c.as_ref())?;
    c.forget();
    Ok(())
}

/// Installs `window.streamscope`.
pub fn install(window: &web_sys::Window) -> Result<(), JsValue> {
    let hook = js_sys::Object::new();
    getter(&hook, "snapshot", |a| to_js(&a.sim.snapshot()))?;
    getter(&hook, "hitTargets", |a| {
        to_js(&panels::hit_views(&a.view.hits))
    })?;
    getter(&hook, "drawnRecords", |a| {
        JsValue::from_f64(a.view.hits.records_drawn() as f64)
    })?;
    getter(&hook, "drawnReplicas", |a| to_js(&a.view.replicas))?;
    getter(&hook, "groupPanels", |a| to_js(&a.view.groups))?;
    getter(&hook, "monitor", |a| {
        to_js(&monitor::monitor_counts(&a.sim))
    })?;
    getter(&hook, "liveness", liveness)?;
    getter(&hook, "drawnTransactions", drawn_transactions)?;
    getter(&hook, "pipeline", |a| {
        let twin = a.twin.as_ref().map(|t| &t.sim);
        to_js(&pipeline::hook_view(&a.sim, twin, &a.phases_seen, a.lang))
    })?;
    getter(&hook, "traceHash", |a| {
        JsValue::from_str(&format!("{:016x}", a.sim.trace().hash()))
    })?;
    getter(&hook, "moment", |a| to_js(&moment_view(a)))?;
    getter(&hook, "marks", |a| to_js(&a.history.marks().all()))?;
    getter(&hook, "branches", |a| to_js(&a.history.branches()))?;
    getter(&hook, "url", |a| {
        a.link_url()
            .map_or(JsValue::NULL, |u| JsValue::from_str(&u))
    })?;
    getter(&hook, "timeline", |a| to_js(&timeline_view(a)))?;
    getter(&hook, "metrics", |a| to_js(&a.sim.metrics()))?;
    getter(&hook, "compare", |a| {
        to_js(&crate::comparison::hook_view(&a.sim, a.compare.as_ref()))
    })?;
    install_actions(&hook)?;
    install_time(&hook)?;
    install_lookups(&hook)?;
    install_export(&hook)?;
    install_guide(&hook)?;
    js_sys::Reflect::set(&hook, &"canvasWidth".into(), &render::WIDTH.into())?;
    let messages = js_sys::Array::new();
    for (k, en, ko) in i18n::all() {
        let row = js_sys::Array::of3(&(*k).into(), &(*en).into(), &(*ko).into());
        messages.push(&row);
    }
    js_sys::Reflect::set(&hook, &"messages".into(), &messages)?;
    js_sys::Reflect::set(window, &"streamscope".into(), &hook)?;
    Ok(())
}

/// `moment()`: where the world shown is in its run.
#[derive(serde::Serialize)]
struct MomentView {
    pop: u64,
    time_us: u64,
    events: u64,
    live: bool,
    head_events: u64,
}

fn moment_view(a: &mut App) -> MomentView {
    let m = a.sim.moment();
    MomentView {
        pop: m.pop,
        time_us: m.time.micros(),
        events: a.sim.events_processed(),
        live: a.history.is_live(),
        head_events: a.history.head_events(&a.sim),
    }
}

/// `timeline()`: the timeline's geometry in its canvas units, so that a test can point at a
/// time or a lane.
#[derive(serde::Serialize)]
struct TimelineView {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    lane_top: f64,
    lane_h: f64,
    lanes: Vec<&'static str>,
    span_us: u64,
}

fn timeline_view(a: &mut App) -> TimelineView {
    use crate::timeline::{self as tl, GROUPS};
    TimelineView {
        width: tl::WIDTH,
        height: tl::HEIGHT,
        left: tl::LEFT,
        right: tl::RIGHT,
        lane_top: tl::LANE_TOP,
        lane_h: tl::LANE_H,
        lanes: GROUPS.iter().map(|g| tl::group_code(*g).0).collect(),
        span_us: a.history.head_moment(&a.sim).time.micros().max(1),
    }
}

/// `back(n)`, `step(n)`, `seek(time_us)`, `live()`: moves in time, applied by
/// `crate::apply`; each answers the events processed after it.
fn install_time(hook: &js_sys::Object) -> Result<(), JsValue> {
    let events = |a: &mut App| JsValue::from_f64(a.sim.events_processed() as f64);
    let back = Closure::<dyn Fn(f64) -> JsValue>::new(move |n: f64| {
        with_app(|a| {
            if n >= 0.0 && n.fract() == 0.0 {
                apply(a, Action::StepBack(n as u64));
            }
            events(a)
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(hook, &"back".into(), back.as_ref())?;
    back.forget();
    let step = Closure::<dyn Fn(f64) -> JsValue>::new(move |n: f64| {
        with_app(|a| {
            if n >= 0.0 && n.fract() == 0.0 {
                apply(a, Action::Steps(n as u64));
            }
            events(a)
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(hook, &"step".into(), step.as_ref())?;
    step.forget();
    let seek = Closure::<dyn Fn(f64) -> JsValue>::new(move |time_us: f64| {
        with_app(|a| {
            apply(a, Action::Seek { time_us });
            events(a)
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(hook, &"seek".into(), seek.as_ref())?;
    seek.forget();
    let live = Closure::<dyn Fn() -> JsValue>::new(move || {
        with_app(|a| {
            apply(a, Action::Live);
            events(a)
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(hook, &"live".into(), live.as_ref())?;
    live.forget();
    Ok(())
}

fn liveness(a: &mut App) -> JsValue {
    let o = to_js(&crate::liveness::status(&a.sim, a.drain.as_ref()));
    let keys = to_js(&a.view.stuck);
    let _ = js_sys::Reflect::set(&o, &"stuck_keys".into(), &keys);
    o
}

/// What the last frame drew of transactions (`render::TxnMarks`) plus the status line's text
/// and the side-by-side group's isolation.level.
fn drawn_transactions(a: &mut App) -> JsValue {
    let v = to_js(&a.view.txn.marks);
    let _ = js_sys::Reflect::set(
        &v,
        &"status".into(),
        &JsValue::from_str(&transactions::status_text(&a.sim, a.lang)),
    );
    let _ = js_sys::Reflect::set(
        &v,
        &"compare_group".into(),
        &transactions::compare_level(a.sim.config()).map_or(JsValue::NULL, JsValue::from_str),
    );
    v
}

/// `apply(name, value)`, `setSpeed(v)`, `runUntilMs(ms)`, `startCompare(text)` (the refusal,
/// or null), `stopCompare()`: actions, applied by `crate::apply`.
fn install_actions(hook: &js_sys::Object) -> Result<(), JsValue> {
    let set = Closure::<dyn Fn(String, String) -> JsValue>::new(|name: String, value: String| {
        with_app(|a| match apply(a, Action::HookSetting { name, value }) {
            Some(e) => JsValue::from_str(&e),
            None => JsValue::NULL,
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(hook, &"apply".into(), set.as_ref())?;
    set.forget();
    let speed = Closure::<dyn Fn(f64)>::new(|v: f64| {
        with_app(|a| apply(a, Action::SetSpeed(v)));
    });
    js_sys::Reflect::set(hook, &"setSpeed".into(), speed.as_ref())?;
    speed.forget();
    let run = Closure::<dyn Fn(f64) -> JsValue>::new(|ms: f64| {
        with_app(|a| {
            apply(a, Action::RunUntil { ms });
            JsValue::from_f64(a.sim.events_processed() as f64)
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(hook, &"runUntilMs".into(), run.as_ref())?;
    run.forget();
    let compare = Closure::<dyn Fn(String) -> JsValue>::new(|raw: String| {
        with_app(|a| match apply(a, Action::Compare { raw }) {
            Some(e) => JsValue::from_str(&e),
            None => JsValue::NULL,
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(hook, &"startCompare".into(), compare.as_ref())?;
    compare.forget();
    let stop = Closure::<dyn Fn()>::new(|| {
        with_app(|a| apply(a, Action::StopCompare));
    });
    js_sys::Reflect::set(hook, &"stopCompare".into(), stop.as_ref())?;
    stop.forget();
    Ok(())
}

/// `placeKey(key, n)`, `recordInfo(id)`, `config(name)`, `isLive(name)`: answers to a
/// question.
fn install_lookups(hook: &js_sys::Object) -> Result<(), JsValue> {
    let place = Closure::<dyn Fn(String, f64) -> JsValue>::new(|key: String, n: f64| {
        match panels::parse_partitions(&n.to_string()) {
            Some(n) => to_js(&streamscope_core::inspect::place_key(key.as_bytes(), n)),
            None => JsValue::NULL,
        }
    });
    js_sys::Reflect::set(hook, &"placeKey".into(), place.as_ref())?;
    place.forget();
    let info = Closure::<dyn Fn(f64) -> JsValue>::new(|id: f64| {
        if !(id >= 0.0 && id.fract() == 0.0) {
            return JsValue::NULL;
        }
        with_app(|a| to_js(&a.sim.record_info(id as u64))).unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(hook, &"recordInfo".into(), info.as_ref())?;
    info.forget();
    // A setting's value in the running simulation and in the config the next Reset uses.
    let config = Closure::<dyn Fn(String) -> JsValue>::new(|name: String| {
        with_app(|a| {
            let o = js_sys::Object::new();
            let running = settings::current(a.sim.config(), &name);
            let pending = settings::current(&a.pending, &name);
            let as_js = |v: Option<String>| v.map_or(JsValue::NULL, |v| JsValue::from_str(&v));
            let _ = js_sys::Reflect::set(&o, &"running".into(), &as_js(running));
            let _ = js_sys::Reflect::set(&o, &"pending".into(), &as_js(pending));
            JsValue::from(o)
        })
        .unwrap_or(JsValue::NULL)
    });
    js_sys::Reflect::set(hook, &"config".into(), config.as_ref())?;
    config.forget();
    // isLive(name): whether a setting applies live; isLive(): whether the world shown is
    // the head of the run.
    let live = Closure::<dyn Fn(JsValue) -> bool>::new(|name: JsValue| match name.as_string() {
        Some(name) => settings::is_live(&name),
        None => with_app(|a| a.history.is_live()).unwrap_or(true),
    });
    js_sys::Reflect::set(hook, &"isLive".into(), live.as_ref())?;
    live.forget();
    Ok(())
}

/// `exportConfig('java' | 'kafka-python')`: the Export panel's text for that format (the
/// pending settings, as the controls show them); any other argument answers an `Error` naming
/// the argument and the formats allowed.
fn install_export(hook: &js_sys::Object) -> Result<(), JsValue> {
    use panels::export::{export_text, ExportFormat};
    let export = Closure::<dyn Fn(JsValue) -> JsValue>::new(|format: JsValue| {
        let parsed = match format.as_string() {
            Some(name) => ExportFormat::from_name(&name),
            None => ExportFormat::from_name(&format!("{format:?}")),
        };
        match parsed {
            Ok(f) => with_app(|a| JsValue::from_str(&export_text(&a.pending, f)))
                .unwrap_or(JsValue::NULL),
            Err(e) => js_sys::Error::new(&e).into(),
        }
    });
    js_sys::Reflect::set(hook, &"exportConfig".into(), export.as_ref())?;
    export.forget();
    Ok(())
}
/// A refusal as the hook answers it: `null` when taken, else the message.
fn answer(r: Option<Result<(), String>>) -> JsValue {
    match r {
        Some(Ok(())) => JsValue::NULL,
        Some(Err(e)) => JsValue::from_str(&e),
        None => JsValue::from_str("the page has no app yet"),
    }
}

/// Sets `hook.name` to a guide move of no argument, answering as [`answer`].
fn guide_move(
    hook: &js_sys::Object,
    name: &str,
    f: fn(&mut App) -> Result<(), String>,
) -> Result<(), JsValue> {
    let c = Closure::<dyn Fn() -> JsValue>::new(move || answer(with_app(f)));
    js_sys::Reflect::set(hook, &name.into(), c.as_ref())?;
    c.forget();
    Ok(())
}

/// The guided scenarios (`crate::guide`): the catalog, opening one, the step shown (with the
/// trace hash the core's player reached there) and the moves between steps.
fn install_guide(hook: &js_sys::Object) -> Result<(), JsValue> {
    let list = Closure::<dyn Fn() -> JsValue>::new(|| to_js(&guide::rows()));
    js_sys::Reflect::set(hook, &"scenarios".into(), list.as_ref())?;
    list.forget();
    let open = Closure::<dyn Fn(JsValue) -> JsValue>::new(|id: JsValue| {
        let id = id.as_string().unwrap_or_default();
        answer(with_app(|a| guide::open(a, &id)))
    });
    js_sys::Reflect::set(hook, &"openScenario".into(), open.as_ref())?;
    open.forget();
    let go = Closure::<dyn Fn(f64) -> JsValue>::new(|k: f64| {
        if !(k >= 1.0 && k.fract() == 0.0) {
            return JsValue::from_str("scenarioGoTo(k): k is a step number, 1 or more");
        }
        answer(with_app(|a| guide::go_to(a, k as usize - 1)))
    });
    js_sys::Reflect::set(hook, &"scenarioGoTo".into(), go.as_ref())?;
    go.forget();
    getter(hook, "scenarioStep", |a| {
        guide::step_view(a).map_or(JsValue::NULL, |v| to_js(&v))
    })?;
    guide_move(hook, "scenarioNext", |a| guide::move_by(a, true))?;
    guide_move(hook, "scenarioBack", |a| guide::move_by(a, false))?;
    guide_move(hook, "scenarioReturn", guide::return_to_step)?;
    guide_move(hook, "scenarioTry", guide::try_setting)?;
    guide_move(hook, "closeScenario", |a| {
        guide::close(a);
        Ok(())
    })
}
