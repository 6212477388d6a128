//! The top of the page: builds the app on the page (the canvas scaled to the device, the
//! language kept from the last visit or the browser's, the side panel's parts, the preset
//! world with seed 1), wires the controls, installs `window.streamscope`, and runs the
//! requestAnimationFrame loop. No Kafka logic: every
//! setting goes through the core's `Config::set` / `Sim::apply`, which validate and explain
//! refusals.
//!
//! The page's modules, bottom up (a module imports only modules below it; the native test
//! `tests/layering.rs` checks there is no import cycle): `dom`, `i18n`, `refusal`; `monitor`,
//! `rebalance`, `drain`; `render`, `timeline`; `panels`, `brokers`, `liveness`,
//! `transactions`, `pipeline`, `twin`, `eventlog`, `sidepanel`; `page` (the state and how it
//! is shown); `world` (changes to the world and its twin); `travel` (moves in time); `share`
//! (the run's link); `actions`; `apply` (the one place actions are applied); `controls`,
//! `guide` (the guided scenarios), `hook`; `app`.
//!
//! An address with a fragment opens the run it names (`crate::share`).

pub use crate::page::{random_seed, MAX_SEED};

use crate::dom::el;
use crate::i18n::Lang;
use crate::page::{install, with_app, App};
use crate::render;
use std::cell::RefCell;
use std::rc::Rc;
use streamscope_core::Config;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

/// Builds the app on the page and starts the animation loop.
pub fn start() -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let doc = window.document().ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement = el(&doc, "canvas")?.dyn_into()?;
    let ratio = window.device_pixel_ratio().max(1.0);
    canvas.set_width((render::WIDTH * ratio) as u32);
    canvas.set_height((render::HEIGHT * ratio) as u32);
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or("no 2d context")?
        .dyn_into()?;
    ctx.scale(ratio, ratio)?;
    let timeline_size = (crate::timeline::WIDTH, crate::timeline::HEIGHT);
    let timeline_ctx = scaled_context(&doc, "timeline", timeline_size, ratio)?;
    let compare_ctx = scaled_context(&doc, "canvas-b", (render::WIDTH, render::HEIGHT), ratio)?;
    crate::codec::install(&window);
    // The language kept from the last visit, else the browser's (a link's own wins below).
    let lang = crate::share::stored_language()
        .unwrap_or_else(|| Lang::from_browser(&window.navigator().language().unwrap_or_default()));
    let app = App::new(Config::preset(), 1, lang, doc.clone(), (ctx, timeline_ctx))
        .map_err(|e| JsValue::from_str(&e))?;
    let mut app = app;
    app.compare_ctx = compare_ctx;
    install(app);
    crate::sidepanel::build(&doc);
    crate::controls::wire(&doc)?;
    crate::guide::wire(&doc)?;
    with_app(|a| a.apply_language());
    crate::hook::install(&window)?;
    let fragment = crate::share::current_fragment();
    if !fragment.is_empty() {
        with_app(|a| a.open_link(&fragment));
    }
    start_loop(window)?;
    if let Some(body) = doc.body() {
        body.dataset().set("ready", "true")?;
    }
    Ok(())
}

/// The canvas `id` at `w` x `h` canvas units scaled to the device, as the main one (`None`
/// without it on the page): the timeline's, and world B's (the A/B comparison).
fn scaled_context(
    doc: &web_sys::Document,
    id: &str,
    (w, h): (f64, f64),
    ratio: f64,
) -> Result<Option<CanvasRenderingContext2d>, JsValue> {
    let Some(c) = doc.get_element_by_id(id) else {
        return Ok(None);
    };
    let canvas: web_sys::HtmlCanvasElement = c.dyn_into()?;
    canvas.set_width((w * ratio) as u32);
    canvas.set_height((h * ratio) as u32);
    let ctx: Option<CanvasRenderingContext2d> = match canvas.get_context("2d")? {
        Some(c) => Some(c.dyn_into()?),
        None => None,
    };
    if let Some(ctx) = ctx.as_ref() {
        ctx.scale(ratio, ratio)?;
    }
    Ok(ctx)
}

/// The requestAnimationFrame callback, shared with itself so it can schedule the next frame.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

fn start_loop(window: web_sys::Window) -> Result<(), JsValue> {
    let cb: FrameCallback = Rc::new(RefCell::new(None));
    let cb2 = cb.clone();
    let w = window.clone();
    *cb.borrow_mut() = Some(Closure::new(move |ts: f64| {
        with_app(|a| {
            a.frame(ts);
            crate::panels::metrics::refresh(&a.doc, &a.sim, a.lang, ts);
            a.write_link(ts, false);
            crate::panels::export::write_export(&a.doc, &a.pending, a.lang);
            crate::guide::frame(a);
        });
        if let Some(c) = cb2.borrow().as_ref() {
            let _ = w.request_animation_frame(c.as_ref().unchecked_ref());
        }
    }));
    if let Some(c) = cb.borrow().as_ref() {
        window.request_animation_frame(c.as_ref().unchecked_ref())?;
    }
    Ok(())
}
