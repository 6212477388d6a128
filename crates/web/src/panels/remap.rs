//! The table of keys a live partition-count change moved (the core's
//! `inspect::remapped_keys`), bounded to [`MAX_REMAP_ROWS`] rows.

use super::rows::show;
use crate::dom::set_text;
use crate::i18n::{t, tf, Lang};
use streamscope_core::inspect;
use streamscope_core::producer::record::{key_text, Serializer};
use streamscope_core::Sim;
use web_sys::Document;

/// Rows the table of moved keys shows at most.
pub const MAX_REMAP_ROWS: usize = 64;

/// A live change of the partition count and the keys it moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remap {
    pub old: u32,
    pub new: u32,
    /// `sim.keys`: the key space the application uses.
    pub keys: u32,
    pub serializer: Serializer,
    /// How many keys moved.
    pub moved: usize,
    /// The first [`MAX_REMAP_ROWS`] of them: (key number, old partition, new partition).
    pub rows: Vec<(u32, u32, u32)>,
}

impl Remap {
    /// The keys of the running application that hash elsewhere with `new` partitions.
    pub fn compute(sim: &Sim, old: u32, new: u32) -> Remap {
        let app = sim.config().producers.first();
        let keys = app.map_or(0, |p| p.workload.keys.value);
        let serializer = sim
            .running_app_producer(0)
            .map(|p| p.config.key_serializer.value)
            .or(app.map(|p| p.key_serializer.value))
            .unwrap_or(Serializer::String);
        let mut rows = inspect::remapped_keys(serializer, keys, old, new);
        let moved = rows.len();
        rows.truncate(MAX_REMAP_ROWS);
        Remap {
            old,
            new,
            keys,
            serializer,
            moved,
            rows,
        }
    }

    pub fn summary(&self, lang: Lang) -> String {
        if self.keys == 0 {
            return t(lang, "remap_keyless").to_string();
        }
        tf(
            lang,
            "remap_summary",
            &[
                ("old", &self.old.to_string()),
                ("new", &self.new.to_string()),
                ("moved", &self.moved.to_string()),
                ("keys", &self.keys.to_string()),
            ],
        )
    }

    pub fn applied_text(&self, lang: Lang) -> String {
        tf(
            lang,
            "remap_applied",
            &[
                ("moved", &self.moved.to_string()),
                ("keys", &self.keys.to_string()),
            ],
        )
    }
}

/// Shows (or hides) the table of moved keys.
pub fn write_remap(doc: &Document, lang: Lang, remap: Option<&Remap>) {
    let Some(panel) = doc.get_element_by_id("remap") else {
        return;
    };
    let Some(r) = remap else {
        show(&panel, false);
        return;
    };
    show(&panel, true);
    set_text(doc, "remap-summary", &r.summary(lang));
    if let Some(body) = doc.get_element_by_id("remap-body") {
        body.set_text_content(None);
        for &(k, a, b) in &r.rows {
            let Ok(tr) = doc.create_element("tr") else {
                return;
            };
            for (tag, s) in [
                ("th", key_text(r.serializer, k)),
                ("td", a.to_string()),
                ("td", b.to_string()),
            ] {
                if let Ok(cell) = doc.create_element(tag) {
                    if tag == "th" {
                        let _ = cell.set_attribute("scope", "row");
                    }
                    cell.set_text_content(Some(&s));
                    let _ = tr.append_child(&cell);
                }
            }
            let _ = body.append_child(&tr);
        }
    }
    let more = r.moved.saturating_sub(r.rows.len());
    let more_text = if more > 0 {
        tf(lang, "remap_more", &[("n", &more.to_string())])
    } else {
        String::new()
    };
    set_text(doc, "remap-more", &more_text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use streamscope_core::Config;

    #[test]
    fn remap_lists_moved_keys_bounded() {
        let mut c = Config::preset();
        c.set("sim.keys", "1000").unwrap();
        let sim = Sim::new(c, 1).unwrap();
        let r = Remap::compute(&sim, 6, 8);
        assert_eq!(r.keys, 1000);
        assert!(r.moved > 0 && r.moved < 1000);
        assert_eq!(r.rows.len(), MAX_REMAP_ROWS);
        for &(k, a, b) in &r.rows {
            let key = key_text(Serializer::String, k);
            assert_eq!(inspect::place_key(key.as_bytes(), 6).java_partition, a);
            assert_eq!(inspect::place_key(key.as_bytes(), 8).java_partition, b);
        }
        assert!(r.summary(Lang::En).starts_with("Partitions 6 → 8: "));
    }
}
