//! The Export panel ("Use it for real"): the settings the page would run with next (the
//! pending config, which the controls show) as the core writes them,
//! `streamscope_core::config::export`: Java `Properties` or kafka-python code. The page only
//! chooses the format, shows the text read-only and copies it; every line comes from the core.
//!
//! It fills `<div id="export-panel">` when the page has one (and does nothing otherwise):
//! a format choice, a read-only `<pre>` (focusable, so the keyboard can reach and select it)
//! and a Copy button (`navigator.clipboard.writeText`, falling back to selecting the text and
//! `document.execCommand("copy")` where the Clipboard API is refused).

use crate::dom::{on, select, set_text};
use crate::i18n::{t, tf, Lang};
use std::cell::RefCell;
use streamscope_core::config::export::{java_properties, kafka_python};
use streamscope_core::Config;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Document;

/// An export format, by the name `window.streamscope.exportConfig` and the panel's choice use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Java,
    KafkaPython,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 2] = [ExportFormat::Java, ExportFormat::KafkaPython];

    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Java => "java",
            ExportFormat::KafkaPython => "kafka-python",
        }
    }

    /// From its name; the error names the argument and the values allowed.
    pub fn from_name(raw: &str) -> Result<ExportFormat, String> {
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.name() == raw)
            .ok_or_else(|| {
                format!("exportConfig: format '{raw}' is not one of 'java', 'kafka-python'")
            })
    }

    fn label_key(self) -> &'static str {
        match self {
            ExportFormat::Java => "export_java",
            ExportFormat::KafkaPython => "export_kafka_python",
        }
    }
}

/// The export text of `cfg` in `format`, exactly as the panel shows it.
pub fn export_text(cfg: &Config, format: ExportFormat) -> String {
    match format {
        ExportFormat::Java => java_properties(cfg),
        ExportFormat::KafkaPython => kafka_python(cfg),
    }
}

/// What the panel last showed: the config and language it was written for, and both texts
/// (so the format choice switches without the app).
struct Shown {
    cfg: Config,
    lang: Lang,
    texts: [String; 2],
}

thread_local! {
    static SHOWN: RefCell<Option<Shown>> = const { RefCell::new(None) };
}

const PANEL: &str = "export-panel";
const FORMAT: &str = "export-format";
const TEXT: &str = "export-text";
const COPY: &str = "export-copy";
const STATUS: &str = "export-status";

/// Fills or refreshes the panel for `cfg` in `lang`; cheap when neither changed (one config
/// comparison), so the page calls it every frame.
pub fn write_export(doc: &Document, cfg: &Config, lang: Lang) {
    let Some(panel) = doc.get_element_by_id(PANEL) else {
        return;
    };
    let fresh = SHOWN.with_borrow(|s| s.as_ref().is_some_and(|s| s.lang == lang && &s.cfg == cfg));
    if fresh && doc.get_element_by_id(TEXT).is_some() {
        return;
    }
    if doc.get_element_by_id(TEXT).is_none() && build(doc, &panel).is_err() {
        return;
    }
    let texts = ExportFormat::ALL.map(|f| export_text(cfg, f));
    SHOWN.set(Some(Shown {
        cfg: cfg.clone(),
        lang,
        texts,
    }));
    write_labels(doc, lang);
    show_chosen(doc);
}

/// The format chosen in the panel (Java without the panel).
fn chosen(doc: &Document) -> ExportFormat {
    select(doc, FORMAT)
        .and_then(|s| ExportFormat::from_name(&s.value()).ok())
        .unwrap_or(ExportFormat::Java)
}

/// Shows the chosen format's text from what was last written.
fn show_chosen(doc: &Document) {
    let format = chosen(doc);
    let i = ExportFormat::ALL
        .iter()
        .position(|f| *f == format)
        .unwrap_or(0);
    let text = SHOWN.with_borrow(|s| s.as_ref().map(|s| s.texts[i].clone()));
    if let Some(text) = text {
        set_text(doc, TEXT, &text);
    }
    set_text(doc, STATUS, "");
}

fn write_labels(doc: &Document, lang: Lang) {
    set_text(doc, "export-format-label", t(lang, "export_format"));
    set_text(doc, COPY, t(lang, "export_copy"));
    if let Some(s) = select(doc, FORMAT) {
        let options = s.options();
        for (i, f) in ExportFormat::ALL.iter().enumerate() {
            if let Some(o) = options.item(i as u32) {
                o.set_text_content(Some(t(lang, f.label_key())));
            }
        }
    }
    if let Some(pre) = doc.get_element_by_id(TEXT) {
        let _ = pre.set_attribute("aria-label", t(lang, "export_text_label"));
    }
}

/// The panel's elements, created once, and their listeners.
fn build(doc: &Document, panel: &web_sys::Element) -> Result<(), JsValue> {
    let row = doc.create_element("div")?;
    row.set_class_name("export-row");
    let label = doc.create_element("label")?;
    label.set_id("export-format-label");
    label.set_attribute("for", FORMAT)?;
    let sel = doc.create_element("select")?;
    sel.set_id(FORMAT);
    for f in ExportFormat::ALL {
        let o = doc.create_element("option")?;
        o.set_attribute("value", f.name())?;
        sel.append_child(&o)?;
    }
    let copy = doc.create_element("button")?;
    copy.set_id(COPY);
    copy.set_attribute("type", "button")?;
    let status = doc.create_element("span")?;
    status.set_id(STATUS);
    status.set_attribute("aria-live", "polite")?;
    for e in [&label, &sel, &copy, &status] {
        row.append_child(e)?;
    }
    let pre = doc.create_element("pre")?;
    pre.set_id(TEXT);
    pre.set_attribute("tabindex", "0")?;
    pre.set_attribute("role", "textbox")?;
    pre.set_attribute("aria-readonly", "true")?;
    pre.set_attribute("aria-multiline", "true")?;
    panel.append_child(&row)?;
    panel.append_child(&pre)?;
    let d = doc.clone();
    on(&sel, "change", move |_| show_chosen(&d))?;
    let d = doc.clone();
    on(&copy, "click", move |_| copy_text(&d))?;
    Ok(())
}

/// Copies the shown text: the Clipboard API, or the selection and `execCommand("copy")`.
fn copy_text(doc: &Document) {
    let text = doc
        .get_element_by_id(TEXT)
        .and_then(|e| e.text_content())
        .unwrap_or_default();
    let lang = SHOWN.with_borrow(|s| s.as_ref().map_or(Lang::En, |s| s.lang));
    let clipboard = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| js_sys::Reflect::get(&n, &"clipboard".into()).ok())
        .filter(|c| !c.is_undefined() && !c.is_null());
    let write = clipboard.as_ref().and_then(|c| {
        let f = js_sys::Reflect::get(c, &"writeText".into()).ok()?;
        let f: js_sys::Function = f.dyn_into().ok()?;
        f.call1(c, &JsValue::from_str(&text)).ok()
    });
    match write.and_then(|p| p.dyn_into::<js_sys::Promise>().ok()) {
        Some(promise) => {
            let d = doc.clone();
            let done = Closure::once(move |_: JsValue| copied(&d, lang, true));
            let d = doc.clone();
            let failed = Closure::once(move |_: JsValue| fallback_copy(&d, lang));
            let _ = promise.then2(&done, &failed);
            done.forget();
            failed.forget();
        }
        None => fallback_copy(doc, lang),
    }
}

/// Selects the text and asks the browser to copy the selection.
fn fallback_copy(doc: &Document, lang: Lang) {
    let selected = (|| -> Option<()> {
        let pre = doc.get_element_by_id(TEXT)?;
        let range = doc.create_range().ok()?;
        range.select_node_contents(&pre).ok()?;
        let sel = web_sys::window()?.get_selection().ok()??;
        sel.remove_all_ranges().ok()?;
        sel.add_range(&range).ok()
    })();
    let ok = selected.is_some()
        && js_sys::Reflect::get(doc, &"execCommand".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .and_then(|f| f.call1(doc, &"copy".into()).ok())
            .is_some_and(|r| r.as_bool() == Some(true));
    copied(doc, lang, ok);
}

fn copied(doc: &Document, lang: Lang, ok: bool) {
    let format = chosen(doc);
    let msg = if ok {
        tf(
            lang,
            "export_copied",
            &[("format", t(lang, format.label_key()))],
        )
    } else {
        t(lang, "export_copy_failed").to_string()
    };
    set_text(doc, STATUS, &msg);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_and_a_bad_one_named() {
        for f in ExportFormat::ALL {
            assert_eq!(ExportFormat::from_name(f.name()), Ok(f));
        }
        let e = ExportFormat::from_name("yaml").unwrap_err();
        assert!(e.contains("'yaml'") && e.contains("'java'") && e.contains("'kafka-python'"));
    }

    #[test]
    fn the_text_is_the_core_export() {
        let mut cfg = Config::preset();
        cfg.set("linger.ms", "20").unwrap();
        assert!(export_text(&cfg, ExportFormat::Java).contains("linger.ms=20"));
        assert!(export_text(&cfg, ExportFormat::KafkaPython).contains("linger_ms=20"));
    }
}
