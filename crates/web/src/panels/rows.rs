//! The inspector's rows (`<dt>`/`<dd>` pairs) and how they reach the page: shown or hidden,
//! updated in place when the list keeps its shape, text through `textContent` only.

use web_sys::{Document, Element};

/// One `<dt>`/`<dd>` pair; `field` names the value for tests (`data-field`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub label: String,
    pub value: String,
    pub field: &'static str,
}

pub fn row(label: impl Into<String>, value: impl Into<String>, field: &'static str) -> Row {
    Row {
        label: label.into(),
        value: value.into(),
        field,
    }
}

pub fn show(e: &Element, visible: bool) {
    if visible {
        let _ = e.remove_attribute("hidden");
    } else {
        let _ = e.set_attribute("hidden", "");
    }
}

fn set_if_changed(e: &Element, s: &str) {
    if e.text_content().as_deref() != Some(s) {
        e.set_text_content(Some(s));
    }
}

/// Fills `<dl id>` with the rows, updating the existing elements in place when the shape is
/// the same (so a refresh while playing does not rebuild the list).
pub fn fill_dl(doc: &Document, id: &str, rows: &[Row]) {
    let Some(dl) = doc.get_element_by_id(id) else {
        return;
    };
    show(&dl, !rows.is_empty());
    if dl.child_element_count() as usize == rows.len() * 2 {
        let mut cur = dl.first_element_child();
        for r in rows {
            let Some(dt) = cur else { return };
            set_if_changed(&dt, &r.label);
            let Some(dd) = dt.next_element_sibling() else {
                return;
            };
            set_if_changed(&dd, &r.value);
            if dd.get_attribute("data-field").as_deref() != Some(r.field) {
                let _ = dd.set_attribute("data-field", r.field);
            }
            cur = dd.next_element_sibling();
        }
        return;
    }
    dl.set_text_content(None);
    for r in rows {
        let (Ok(dt), Ok(dd)) = (doc.create_element("dt"), doc.create_element("dd")) else {
            return;
        };
        dt.set_text_content(Some(&r.label));
        dd.set_text_content(Some(&r.value));
        let _ = dd.set_attribute("data-field", r.field);
        let _ = dl.append_child(&dt);
        let _ = dl.append_child(&dd);
    }
}
