//! The guided scenarios' panel in `#scenario-panel` (nothing without it): the list of the
//! catalog's scenarios grouped by concept (real buttons, in catalog order), and the step of
//! the scenario open (its narration, what is true in Kafka 4.x, the claims the core checked
//! with their marks, the objects outlined, the change to try, Back / Next, and "Return to
//! step k" once the learner left). One click listener on the panel reads the pressed
//! button's `data-action`; Alt+→ / Alt+← step while a scenario is open. Texts reach the page
//! as `textContent`.

use super::state::{with_guide, Guide, Opened};
use crate::dom::set_text;
use crate::eventlog::{node_name, partition_name};
use crate::i18n::{t, tf, Lang};
use crate::page::{with_app, App};
use streamscope_core::net::Node;
use streamscope_core::scenario::{Highlight, Scenario};
use streamscope_core::Sim;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

/// The step's parts (fixed; their texts are set per step). No text from a scenario here.
const STEP_HTML: &str = r#"
<div class="scn-top">
  <button id="scenario-close" type="button" class="scn-link" data-action="close" data-i18n-label="guide_all_label"><span aria-hidden="true">← </span><span data-i18n="guide_all">All scenarios</span></button>
  <span id="scenario-progress" class="scn-progress"></span>
</div>
<h3 id="scenario-title" tabindex="-1"></h3>
<ol id="scenario-dots" class="scn-dots" aria-hidden="true"></ol>
<p id="scenario-narration" class="scn-narration"></p>
<p id="scenario-truth" class="scn-truth" hidden><strong data-i18n="guide_truth">In Kafka 4.x:</strong> <span id="scenario-truth-text"></span></p>
<h4 class="scn-sub" data-i18n="guide_claims">Checked by the simulator at this moment</h4>
<ul id="scenario-claims" class="scn-claims"></ul>
<p id="scenario-outlined" class="scn-outlined"></p>
<div id="scenario-try" class="scn-try" hidden>
  <p><strong data-i18n="guide_try">Try it:</strong> <span id="scenario-try-text"></span></p>
  <button id="scenario-try-set" type="button" data-action="try"></button>
</div>
<div id="scenario-away" class="scn-away" role="status" hidden>
  <span id="scenario-away-text"></span>
  <button id="scenario-return" type="button" data-action="return"></button>
</div>
<div class="scn-nav">
  <button id="scenario-back" type="button" data-action="back" data-i18n-label="guide_back_label"><span aria-hidden="true">← </span><span data-i18n="guide_back">Back</span></button>
  <span class="scn-keys" data-i18n="guide_keys"></span>
  <button id="scenario-next" type="button" class="scn-primary" data-action="next" data-i18n-label="guide_next_label"><span data-i18n="guide_next">Next</span><span aria-hidden="true"> →</span></button>
</div>"#;

/// A button's move: (the app, its `data-action`, its `data-scenario`).
pub type Act = fn(&mut App, &str, &str);

/// Builds the panel's parts and listens to its buttons and to Alt+→ / Alt+← (each calling
/// `act`).
pub fn wire(doc: &Document, act: Act) -> Result<(), JsValue> {
    let Some(panel) = doc.get_element_by_id("scenario-panel") else {
        return Ok(());
    };
    panel.set_text_content(None);
    let intro = doc.create_element("p")?;
    intro.set_id("scenario-intro");
    intro.set_class_name("scn-intro");
    intro.set_attribute("data-i18n", "guide_intro")?;
    let step = doc.create_element("section")?;
    step.set_id("scenario-step");
    step.set_class_name("scn-step");
    step.set_attribute("aria-labelledby", "scenario-title")?;
    step.set_attribute("hidden", "")?;
    step.set_inner_html(STEP_HTML);
    let list = doc.create_element("div")?;
    list.set_id("scenario-list");
    list.set_class_name("scn-list");
    for e in [&intro, &step, &list] {
        panel.append_child(e)?;
    }
    crate::dom::on(&panel, "click", move |e| {
        let button = e
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("[data-action]").ok().flatten());
        if let Some(b) = button {
            let action = b.get_attribute("data-action").unwrap_or_default();
            let id = b.get_attribute("data-scenario").unwrap_or_default();
            with_app(|a| act(a, &action, &id));
        }
    })?;
    let window = web_sys::window().ok_or("no window")?;
    let keys =
        Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |k: web_sys::KeyboardEvent| {
            let forward = match k.key().as_str() {
                "ArrowRight" => true,
                "ArrowLeft" => false,
                _ => return,
            };
            if !k.alt_key() || k.ctrl_key() || k.meta_key() {
                return;
            }
            let open = with_guide(|g| g.opened.is_some());
            if open {
                // Before the page's own ← / → (a step of one event) and the browser's history.
                k.prevent_default();
                k.stop_propagation();
                with_app(|a| act(a, if forward { "next" } else { "back" }, ""));
            }
        });
    window.add_event_listener_with_callback_and_bool(
        "keydown",
        keys.as_ref().unchecked_ref(),
        true,
    )?;
    keys.forget();
    Ok(())
}

/// Focus on `#id` (when it can take it).
pub fn focus(doc: &Document, id: &str) {
    if let Some(e) = doc
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = e.focus();
    }
}

/// After closing: focus on the list's first button (keyboard users keep their place).
pub fn focus_list(doc: &Document) {
    if let Some(e) = doc
        .query_selector("#scenario-list button")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = e.focus();
    }
}

/// The speed select shows the scenario's speed (an option is added when it has none).
pub fn show_speed(doc: &Document, speed: f64) {
    let Some(select) = crate::dom::select(doc, "speed") else {
        return;
    };
    let value = speed.to_string();
    let el: &Element = select.unchecked_ref();
    let has = el
        .query_selector(&format!("option[value=\"{value}\"]"))
        .ok()
        .flatten()
        .is_some();
    if !has {
        if let Ok(o) = doc.create_element("option") {
            let _ = o.set_attribute("value", &value);
            o.set_text_content(Some(&format!("{value}×")));
            let _ = el.append_child(&o);
        }
    }
    select.set_value(&value);
}

/// Writes the panel: the list (when `list_too`), and the step of the scenario open or
/// nothing of it.
pub fn write(a: &App, g: &mut Guide, away: bool, list_too: bool) {
    let doc = &a.doc;
    let Some(panel) = doc.get_element_by_id("scenario-panel") else {
        return;
    };
    let open = g.opened.is_some();
    for (id, hide) in [
        ("scenario-step", !open),
        ("scenario-list", open),
        ("scenario-intro", open),
    ] {
        set_hidden(doc, id, hide);
    }
    let _ = panel.set_attribute("data-open", if open { "true" } else { "false" });
    // A scenario open is shown: its side-panel group opens with it.
    if let Some(group) = doc.get_element_by_id("scenario-group").filter(|_| open) {
        let _ = group.set_attribute("open", "");
    }
    if list_too {
        write_list(doc, g, a.lang);
        translate(doc, &panel, a.lang);
    }
    if let Some(o) = g.opened.as_ref() {
        write_step(a, o, away);
    }
}

/// The panel's fixed labels in `lang` (`data-i18n`, `data-i18n-label`).
fn translate(doc: &Document, panel: &Element, lang: Lang) {
    let _ = doc;
    if let Ok(list) = panel.query_selector_all("[data-i18n]") {
        for i in 0..list.length() {
            if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let key = e.get_attribute("data-i18n").unwrap_or_default();
                e.set_text_content(Some(t(lang, &key)));
            }
        }
    }
    if let Ok(list) = panel.query_selector_all("[data-i18n-label]") {
        for i in 0..list.length() {
            if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                let key = e.get_attribute("data-i18n-label").unwrap_or_default();
                let _ = e.set_attribute("aria-label", t(lang, &key));
            }
        }
    }
}

fn set_hidden(doc: &Document, id: &str, hidden: bool) {
    if let Some(e) = doc.get_element_by_id(id) {
        let _ = if hidden {
            e.set_attribute("hidden", "")
        } else {
            e.remove_attribute("hidden")
        };
    }
}

/// The concept's label (the concept itself when the table has none).
fn concept_label(lang: Lang, concept: &str) -> String {
    let key = format!("concept_{concept}");
    if crate::i18n::all().any(|m| m.0 == key) {
        t(lang, &key).to_string()
    } else {
        concept.to_string()
    }
}

/// The list: one section per concept, in the order the catalog first names it.
fn write_list(doc: &Document, g: &mut Guide, lang: Lang) {
    let Some(list) = doc.get_element_by_id("scenario-list") else {
        return;
    };
    list.set_text_content(None);
    let all = match g.catalog() {
        Ok(all) => all,
        Err(e) => {
            list.set_text_content(Some(&tf(lang, "guide_catalog_bad", &[("why", e)])));
            return;
        }
    };
    let mut concepts: Vec<&str> = Vec::new();
    for s in all {
        if !concepts.contains(&s.concept.as_str()) {
            concepts.push(&s.concept);
        }
    }
    for c in concepts {
        let _ = write_group(doc, &list, c, all, lang);
    }
}

fn write_group(
    doc: &Document,
    list: &Element,
    concept: &str,
    all: &[Scenario],
    lang: Lang,
) -> Result<(), JsValue> {
    let section = doc.create_element("section")?;
    section.set_class_name("scn-group");
    let h = doc.create_element("h3")?;
    h.set_class_name("scn-concept");
    h.set_text_content(Some(&concept_label(lang, concept)));
    let ul = doc.create_element("ul")?;
    for s in all.iter().filter(|s| s.concept == concept) {
        let li = item(doc, s, lang)?;
        ul.append_child(&li)?;
    }
    section.append_child(&h)?;
    section.append_child(&ul)?;
    list.append_child(&section)?;
    Ok(())
}

/// One scenario's button: its title, its number of steps, its summary (the description).
fn item(doc: &Document, s: &Scenario, lang: Lang) -> Result<Element, JsValue> {
    let li = doc.create_element("li")?;
    let b = doc.create_element("button")?;
    b.set_attribute("type", "button")?;
    b.set_class_name("scn-item");
    b.set_attribute("data-action", "open")?;
    b.set_attribute("data-scenario", &s.id)?;
    b.set_id(&format!("scenario-open-{}", s.id));
    let title = s.title.get(lang.code());
    let n = s.steps.len().to_string();
    let label = tf(lang, "guide_open_label", &[("title", title), ("n", &n)]);
    b.set_attribute("aria-label", &label)?;
    let summary_id = format!("scenario-summary-{}", s.id);
    b.set_attribute("aria-describedby", &summary_id)?;
    for (class, text, id) in [
        ("scn-item-title", title.to_string(), None),
        (
            "scn-item-steps",
            tf(lang, "guide_steps", &[("n", &n)]),
            None,
        ),
        (
            "scn-item-summary",
            s.summary.get(lang.code()).to_string(),
            Some(&summary_id),
        ),
    ] {
        let span = doc.create_element("span")?;
        span.set_class_name(class);
        span.set_text_content(Some(&text));
        if let Some(id) = id {
            span.set_id(id);
        }
        b.append_child(&span)?;
    }
    li.append_child(&b)?;
    Ok(li)
}

/// The step shown: its texts, the claims with their marks, the outlined objects, the try
/// button, whether the learner left, Back / Next.
fn write_step(a: &App, o: &Opened, away: bool) {
    let doc = &a.doc;
    let lang = a.lang;
    let code = lang.code();
    let Some(step) = o.scenario.steps.get(o.step) else {
        return;
    };
    let (k, n) = ((o.step + 1).to_string(), o.reached.len().to_string());
    set_text(doc, "scenario-title", o.scenario.title.get(code));
    set_text(
        doc,
        "scenario-progress",
        &tf(lang, "guide_progress", &[("k", &k), ("n", &n)]),
    );
    write_dots(doc, o);
    set_text(doc, "scenario-narration", step.narration.get(code));
    set_hidden(doc, "scenario-truth", step.truth.is_none());
    set_text(
        doc,
        "scenario-truth-text",
        step.truth.as_ref().map_or("", |t| t.get(code)),
    );
    write_claims(doc, o, lang);
    let refs: Vec<String> = step
        .highlight
        .iter()
        .map(|h| ref_name(&a.sim, h, lang))
        .collect();
    let outlined = if refs.is_empty() {
        String::new()
    } else {
        tf(lang, "guide_outlined", &[("refs", &refs.join(", "))])
    };
    set_text(doc, "scenario-outlined", &outlined);
    write_try(doc, step, lang);
    set_hidden(doc, "scenario-away", !away);
    set_text(
        doc,
        "scenario-away-text",
        &tf(lang, "guide_away", &[("k", &k)]),
    );
    set_text(
        doc,
        "scenario-return",
        &tf(lang, "guide_return", &[("k", &k)]),
    );
    let edge = [
        ("scenario-back", o.step == 0),
        ("scenario-next", o.step + 1 >= o.reached.len()),
    ];
    for (id, at_edge) in edge {
        if let Some(b) = doc.get_element_by_id(id) {
            let _ = b.set_attribute("aria-disabled", if at_edge { "true" } else { "false" });
        }
    }
    if let Some(panel) = doc.get_element_by_id("scenario-step") {
        let _ = panel.set_attribute("data-step", &k);
        let _ = panel.set_attribute("data-away", if away { "true" } else { "false" });
    }
}

/// One dot per step, the one shown filled.
fn write_dots(doc: &Document, o: &Opened) {
    let Some(ol) = doc.get_element_by_id("scenario-dots") else {
        return;
    };
    ol.set_text_content(None);
    for i in 0..o.reached.len() {
        if let Ok(li) = doc.create_element("li") {
            let class = match i.cmp(&o.step) {
                std::cmp::Ordering::Less => "done",
                std::cmp::Ordering::Equal => "here",
                std::cmp::Ordering::Greater => "",
            };
            li.set_class_name(class);
            let _ = ol.append_child(&li);
        }
    }
}

/// The step's claims as the core's player checked them at the step's moment: ✓ when it
/// holds, ✗ when not (a bug the scenario test catches), with the sentence that states it.
fn write_claims(doc: &Document, o: &Opened, lang: Lang) {
    let Some(ul) = doc.get_element_by_id("scenario-claims") else {
        return;
    };
    ul.set_text_content(None);
    let Some(step) = o.scenario.steps.get(o.step) else {
        return;
    };
    let results = o.claims.get(o.step).map_or(&[][..], |c| c.as_slice());
    for (claim, result) in step.claims.iter().zip(results) {
        let Ok(li) = doc.create_element("li") else {
            continue;
        };
        let passed = result.passed;
        let _ = li.set_attribute("data-passed", if passed { "true" } else { "false" });
        let _ = li.set_attribute("title", &claim.check);
        let mark = doc.create_element("span");
        if let Ok(mark) = mark {
            mark.set_class_name("scn-mark");
            mark.set_text_content(Some(if passed { "✓" } else { "✗" }));
            let _ = mark.set_attribute("aria-hidden", "true");
            let _ = li.append_child(&mark);
        }
        let key = if passed {
            "guide_claim_holds"
        } else {
            "guide_claim_fails"
        };
        if let Ok(sr) = doc.create_element("span") {
            sr.set_class_name("scn-sr");
            sr.set_text_content(Some(&format!("{}: ", t(lang, key))));
            let _ = li.append_child(&sr);
        }
        if let Ok(text) = doc.create_element("span") {
            text.set_text_content(Some(claim.says.get(lang.code())));
            let _ = li.append_child(&text);
        }
        let _ = ul.append_child(&li);
    }
}

/// The change the step asks the learner to try, and its button when it is a setting.
fn write_try(doc: &Document, step: &streamscope_core::scenario::Step, lang: Lang) {
    set_hidden(doc, "scenario-try", step.try_text.is_none());
    set_text(
        doc,
        "scenario-try-text",
        step.try_text.as_ref().map_or("", |t| t.get(lang.code())),
    );
    set_hidden(doc, "scenario-try-set", step.try_set.is_none());
    if let Some((name, value)) = step.try_set.as_ref() {
        let args = [("name", name.as_str()), ("value", value.as_str())];
        set_text(doc, "scenario-try-set", &tf(lang, "guide_try_set", &args));
        if let Some(b) = doc.get_element_by_id("scenario-try-set") {
            let _ = b.set_attribute("aria-label", &tf(lang, "guide_try_label", &args));
        }
    }
}

/// A highlight ref in the page's words (`broker 2`, `partition orders-1`).
pub fn ref_name(sim: &Sim, h: &Highlight, lang: Lang) -> String {
    match h {
        Highlight::Broker(b) => node_name(Node::Broker(*b), lang),
        Highlight::Producer(p) => node_name(Node::Producer(*p), lang),
        Highlight::Consumer(c) => node_name(Node::Consumer(*c), lang),
        Highlight::Partition { topic, partition } => {
            let name = h
                .partition(sim)
                .map_or(format!("{topic}-{partition}"), |tp| partition_name(sim, tp));
            tf(lang, "log_partition", &[("p", &name)])
        }
        Highlight::Group(g) => tf(lang, "guide_ref_group", &[("g", g)]),
        Highlight::Record(r) => tf(lang, "log_record", &[("id", &r.to_string())]),
        Highlight::Controller => t(lang, "log_controller").to_string(),
        Highlight::Coordinator => t(lang, "log_coordinator").to_string(),
    }
}
