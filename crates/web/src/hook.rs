//! `window.streamscope`: the page's state for tests and the curious, as plain objects (the
//! core's snapshot, what the last frame drew, the monitors, the pipeline and its twin, the
//! message table), and the few things a test may ask the page to do (a setting, the speed, a
//! run to a time), which go through `crate::apply` like the controls' actions.

use crate::actions::Action;
use crate::apply::apply;
use crate::dom::to_js;
use crate::i18n::MESSAGES;
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
        to_js(&panels::hit_views(a.view.hits.items()))
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
    install_actions(&hook)?;
    install_lookups(&hook)?;
    js_sys::Reflect::set(&hook, &"canvasWidth".into(), &render::WIDTH.into())?;
    let messages = js_sys::Array::new();
    for (k, en, ko) in MESSAGES {
        let row = js_sys::Array::of3(&(*k).into(), &(*en).into(), &(*ko).into());
        messages.push(&row);
    }
    js_sys::Reflect::set(&hook, &"messages".into(), &messages)?;
    js_sys::Reflect::set(window, &"streamscope".into(), &hook)?;
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

/// `apply(name, value)`, `setSpeed(v)`, `runUntilMs(ms)`: actions, applied by `crate::apply`.
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
    let live = Closure::<dyn Fn(String) -> bool>::new(|name: String| settings::is_live(&name));
    js_sys::Reflect::set(hook, &"isLive".into(), live.as_ref())?;
    live.forget();
    Ok(())
}
