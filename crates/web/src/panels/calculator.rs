//! The key -> partition calculator: Kafka's key hashing (the Java client's and librdkafka's
//! partitioners, from the core's `inspect::place_key`) for a typed key and partition count.

use super::record::spaced_hex;
use crate::dom::set_text;
use crate::i18n::{t, tf, Lang};
use streamscope_core::inspect;
use wasm_bindgen::JsCast;
use web_sys::{Document, HtmlInputElement};

/// Largest partition count the calculator takes (Kafka's partition ids are Java ints).
pub const MAX_PARTITIONS: u64 = i32::MAX as u64;

/// The calculator's partition count: an integer from 1 to 2147483647.
pub fn parse_partitions(raw: &str) -> Option<u32> {
    match raw.trim().parse::<u64>() {
        Ok(n) if (1..=MAX_PARTITIONS).contains(&n) => Some(n as u32),
        _ => None,
    }
}

/// The calculator's cells by element id.
pub type Cells = Vec<(&'static str, String)>;

/// What the calculator shows: the cells by element id, and the error (empty when valid).
pub fn calculator(key: &str, raw_partitions: &str, lang: Lang) -> (Cells, String) {
    let Some(n) = parse_partitions(raw_partitions) else {
        return invalid_partitions(raw_partitions, lang);
    };
    let bytes = key.as_bytes();
    let placed = inspect::place_key(bytes, n);
    let ns = n.to_string();
    let (rd, rd_how) = rdkafka_cells(&placed, &ns, lang);
    let verdict = match placed.librdkafka_partition {
        Some(p) if p == placed.java_partition => t(lang, "calc_same"),
        Some(_) => t(lang, "calc_differ"),
        None => "",
    };
    let cells = vec![
        ("calc-bytes", bytes_cell(bytes, lang)),
        ("calc-java", placed.java_partition.to_string()),
        (
            "calc-java-how",
            tf(
                lang,
                "calc_java_how",
                &[("n", &ns), ("h", &placed.murmur2.to_string())],
            ),
        ),
        ("calc-rdkafka", rd),
        ("calc-rdkafka-how", rd_how),
        ("calc-verdict", verdict.to_string()),
    ];
    (cells, String::new())
}

/// A partition count that is not one: the error naming the field, the cells emptied.
fn invalid_partitions(raw_partitions: &str, lang: Lang) -> (Cells, String) {
    let err = tf(
        lang,
        "calc_invalid",
        &[
            ("field", t(lang, "calc_partitions")),
            ("value", raw_partitions),
        ],
    );
    let cells = vec![
        ("calc-bytes", String::new()),
        ("calc-java", "—".to_string()),
        ("calc-java-how", String::new()),
        ("calc-rdkafka", "—".to_string()),
        ("calc-rdkafka-how", String::new()),
        ("calc-verdict", String::new()),
    ];
    (cells, err)
}

/// The key's bytes as spaced hex with their count.
fn bytes_cell(bytes: &[u8], lang: Lang) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let shown_hex = if hex.is_empty() {
        "—".to_string()
    } else {
        spaced_hex(&hex, 48)
    };
    tf(
        lang,
        "calc_bytes",
        &[(
            "hex",
            &tf(
                lang,
                "insp.bytes_fmt",
                &[("hex", &shown_hex), ("n", &bytes.len().to_string())],
            ),
        )],
    )
}

/// librdkafka's partition and how (CRC32 over `ns` partitions), or random for an empty key.
fn rdkafka_cells(placed: &inspect::KeyPlacement, ns: &str, lang: Lang) -> (String, String) {
    match placed.librdkafka_partition {
        Some(p) => (
            p.to_string(),
            tf(
                lang,
                "calc_rdkafka_how",
                &[
                    ("n", ns),
                    ("c", &format!("0x{:08x} ({})", placed.crc32, placed.crc32)),
                ],
            ),
        ),
        None => (
            t(lang, "calc_random").to_string(),
            t(lang, "calc_rdkafka_empty").to_string(),
        ),
    }
}

fn input_value(doc: &Document, id: &str) -> String {
    doc.get_element_by_id(id)
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

/// Recomputes the calculator from its inputs.
pub fn write_calculator(doc: &Document, lang: Lang) {
    let key = input_value(doc, "calc-key");
    let raw = input_value(doc, "calc-partitions");
    let (cells, err) = calculator(&key, &raw, lang);
    for (id, s) in &cells {
        set_text(doc, id, s);
    }
    set_text(doc, "calc-error", &err);
    if let Some(e) = doc.get_element_by_id("calc-partitions") {
        let _ = e.set_attribute(
            "aria-invalid",
            if err.is_empty() { "false" } else { "true" },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell<'a>(cells: &'a [(&str, String)], id: &str) -> &'a str {
        cells
            .iter()
            .find(|c| c.0 == id)
            .map_or("", |c| c.1.as_str())
    }

    #[test]
    fn calculator_shows_both_clients() {
        let (cells, err) = calculator("user-42", "6", Lang::En);
        assert_eq!(err, "");
        assert_eq!(cell(&cells, "calc-java"), "4");
        let placed = inspect::place_key(b"user-42", 6);
        assert_eq!(
            cell(&cells, "calc-rdkafka"),
            placed.librdkafka_partition.unwrap().to_string()
        );
        assert!(cell(&cells, "calc-java-how").contains("1459644460"));
        assert!(cell(&cells, "calc-bytes").contains("75 73 65 72 2d 34 32 (7 bytes)"));
        // An empty key: the Java client hashes it, librdkafka picks at random.
        let (cells, _) = calculator("", "6", Lang::Ko);
        assert_eq!(cell(&cells, "calc-rdkafka"), "무작위");
    }

    #[test]
    fn calculator_names_the_field_and_range() {
        for bad in ["0", "-1", "2147483648", "abc", "", "1.5"] {
            let (_, err) = calculator("k", bad, Lang::En);
            assert_eq!(
                err,
                format!("Number of partitions: '{bad}' is not valid: expected an integer from 1 to 2147483647")
            );
        }
        assert_eq!(parse_partitions(" 2147483647 "), Some(2147483647));
        let (_, err) = calculator("k", "x", Lang::Ko);
        assert!(err.starts_with("파티션 수: 'x'"));
    }
}
