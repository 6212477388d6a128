//! The side panel's own parts (the controls themselves are wired in `crate::controls`): every
//! setting control (`[data-setting]`) gets its message element (`#ID-error`, `role=alert`,
//! named by `aria-describedby`); each concept group (`details.concept`) gets the badge saying
//! whether its settings apply now or on Reset, which the core's settings registry knows
//! (`settings::is_live`); a select whose setting is one of a list of values gets its options
//! from the registry, the Kafka default marked "(default)" in the page's language; and the
//! "Any setting" box gets its searchable list of every setting the registry has, with its
//! range and default. No setting fact is written here: every one is read from the registry.

use crate::dom::{control_for_setting, field_error_element};
use crate::i18n::{t, tf, Lang};
use crate::refusal::allowed;
use streamscope_core::config::settings::{self, SettingDef, SettingKind, SETTINGS};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

/// The elements matching `selector` (none when the page has none).
fn all(root: &dyn AsQuery, selector: &str) -> Vec<Element> {
    let Some(list) = root.query(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect()
}

/// A document or an element: both answer `querySelectorAll`.
trait AsQuery {
    fn query(&self, selector: &str) -> Option<web_sys::NodeList>;
}
impl AsQuery for Document {
    fn query(&self, selector: &str) -> Option<web_sys::NodeList> {
        self.query_selector_all(selector).ok()
    }
}
impl AsQuery for Element {
    fn query(&self, selector: &str) -> Option<web_sys::NodeList> {
        self.query_selector_all(selector).ok()
    }
}

/// The registry's row for the setting a control shows.
fn def_of(e: &Element) -> Option<&'static SettingDef> {
    let name = e.get_attribute("data-setting")?;
    let def = settings::lookup(&name).next();
    def
}

/// Builds the side panel's parts once, before the first translation (`App::apply_language`
/// writes their texts).
pub fn build(doc: &Document) {
    for e in all(doc, "select[data-setting]") {
        fill_options(doc, &e);
    }
    for e in all(doc, "[data-setting]") {
        field_error_element(doc, &e);
    }
    for g in all(doc, "details.concept") {
        badge(doc, &g);
    }
}

/// The settings list and the free box's names, built the first time "Any setting" opens (a
/// hundred rows the page need not carry before), then written in `lang`.
pub fn ensure_setting_list(doc: &Document, lang: Lang) {
    if build_setting_list(doc) {
        write_setting_list(doc, lang);
    }
}

/// A select with no options of its own gets the registry's values.
fn fill_options(doc: &Document, select: &Element) {
    if select.child_element_count() > 0 {
        return;
    }
    let Some(SettingKind::Enum(values)) = def_of(select).map(|d| d.kind) else {
        return;
    };
    for v in values {
        let Ok(o) = doc.create_element("option") else {
            return;
        };
        let _ = o.set_attribute("value", v);
        o.set_text_content(Some(v));
        let _ = select.append_child(&o);
    }
    let _ = select.set_attribute("data-registry-options", "");
}

/// The group's badge: "applies now" when every setting in it is live, "on Reset" when none
/// is, else both (and each setting outside a titled part that applies on Reset says so).
fn badge(doc: &Document, group: &Element) {
    let Some(b) = group.query_selector("summary .badge").ok().flatten() else {
        return;
    };
    let controls = all(group, "[data-setting]");
    let live = |e: &Element| {
        e.get_attribute("data-setting")
            .is_some_and(|n| settings::is_live(&n))
    };
    let apply = match group.get_attribute("data-apply") {
        Some(a) => a,
        None if controls.iter().all(live) => "now".to_string(),
        None if !controls.iter().any(live) => "reset".to_string(),
        None => "mixed".to_string(),
    };
    if apply == "mixed" {
        for c in controls.iter().filter(|c| !live(c)) {
            let in_titled_part = c.closest(".sub").ok().flatten().is_some();
            let field = c.closest(".field").ok().flatten();
            if let (false, Some(f)) = (in_titled_part, field) {
                if let Ok(tag) = doc.create_element("span") {
                    let _ = tag.set_attribute("class", "apply-tag");
                    let _ = tag.set_attribute("data-i18n", "on_reset_tag");
                    let _ = f.append_child(&tag);
                }
            }
        }
    }
    let _ = b.set_attribute("data-apply", &apply);
    let _ = b.set_attribute("data-i18n", &format!("badge_{apply}"));
}

/// The settings list (one button per registry row) and the free box's datalist of names;
/// whether it was built now.
fn build_setting_list(doc: &Document) -> bool {
    let (Some(list), Some(names)) = (
        doc.get_element_by_id("setting-list"),
        doc.get_element_by_id("setting-names"),
    ) else {
        return false;
    };
    if list.child_element_count() > 0 {
        return false;
    }
    for def in SETTINGS {
        let (Ok(li), Ok(button), Ok(option)) = (
            doc.create_element("li"),
            doc.create_element("button"),
            doc.create_element("option"),
        ) else {
            return false;
        };
        let _ = li.set_attribute("data-name", def.name);
        let _ = button.set_attribute("type", "button");
        let _ = button.set_attribute("data-name", def.name);
        for class in ["s-name", "s-apply", "s-range"] {
            if let Ok(span) = doc.create_element("span") {
                let _ = span.set_attribute("class", class);
                if class == "s-name" {
                    span.set_text_content(Some(def.name));
                }
                let _ = button.append_child(&span);
            }
        }
        let _ = li.append_child(&button);
        let _ = list.append_child(&li);
        let _ = option.set_attribute("value", &format!("{}=", def.name));
        let _ = names.append_child(&option);
    }
    true
}

/// The side panel's texts in `lang`: the registry options' "(default)", the settings list's
/// ranges, defaults and badges, and its count.
pub fn write(doc: &Document, lang: Lang) {
    for select in all(doc, "select[data-registry-options]") {
        let default = def_of(&select).map(|d| d.kafka_default());
        for o in all(&select, "option") {
            let v = o.get_attribute("value").unwrap_or_default();
            let text = if Some(v.as_str()) == default {
                format!("{v} {}", t(lang, "default_suffix"))
            } else {
                v
            };
            o.set_text_content(Some(&text));
        }
    }
    write_setting_list(doc, lang);
}

/// The settings list's ranges, defaults and badges in `lang`, and its count (nothing before
/// it is built).
fn write_setting_list(doc: &Document, lang: Lang) {
    for li in all(doc, "#setting-list li") {
        let name = li.get_attribute("data-name").unwrap_or_default();
        let Some(def) = settings::lookup(&name).next() else {
            continue;
        };
        let badge = if def.live { "badge_now" } else { "badge_reset" };
        let default = match def.kafka_default() {
            "" => t(lang, "default_empty"),
            d => d,
        };
        let range = tf(
            lang,
            "setting_row",
            &[("allowed", &allowed(lang, def.kind)), ("default", default)],
        );
        for (class, text) in [("s-apply", t(lang, badge)), ("s-range", range.as_str())] {
            if let Some(s) = li.query_selector(&format!(".{class}")).ok().flatten() {
                s.set_text_content(Some(text));
            }
        }
    }
    let query = crate::dom::input_value(doc, "setting-filter");
    filter(doc, lang, &query);
}

/// Shows only the settings whose name contains every word of `query` (any case), and the
/// count.
pub fn filter(doc: &Document, lang: Lang, query: &str) {
    let words: Vec<String> = query
        .split_whitespace()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let rows = all(doc, "#setting-list li");
    let mut shown = 0;
    for li in &rows {
        let name = li.get_attribute("data-name").unwrap_or_default();
        let show = words.iter().all(|w| name.contains(w.as_str()));
        if show {
            shown += 1;
            let _ = li.remove_attribute("hidden");
        } else {
            let _ = li.set_attribute("hidden", "");
        }
    }
    let text = tf(
        lang,
        "setting_count",
        &[
            ("n", &shown.to_string()),
            ("total", &rows.len().to_string()),
        ],
    );
    crate::dom::set_text(doc, "setting-count", &text);
}

/// The control showing setting `name`, for a refusal to be said there.
pub fn control(doc: &Document, name: &str) -> Option<Element> {
    let def = settings::lookup(name.trim()).next();
    let found = control_for_setting(doc, def.map_or(name.trim(), |d| d.name));
    found
}
