//! Deterministic record values of a few realistic shapes, so that compression has real bytes
//! to work on. A value depends only on (record id, length, kind): the same record always has
//! the same bytes, on every platform. `tools/gen_compression_golden.py` reimplements this
//! generator in Python, byte for byte (the golden test checks the CRC of the result).
//!
//! The stream of pseudo-random numbers is SplitMix64 seeded with `record_id + salt(kind)`;
//! `below(n)` is `next() % n`.

use alloc::vec::Vec;

/// The shape of the value bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum ValueKind {
    /// A small JSON order document (ids, status, currency, items, prices, a timestamp), fields
    /// drawn from the record id, padded to the length with a `notes` text field (or cut).
    Json,
    /// English-like sentences from a 64-word vocabulary.
    Text,
    /// Uppercase letters A-Z, uniform: what `kafka-producer-perf-test` sends (it draws one
    /// such payload per run; here each record has its own).
    Letters,
    /// Uniform random bytes: incompressible.
    Random,
}

impl ValueKind {
    pub const ALL: [ValueKind; 4] = [
        ValueKind::Json,
        ValueKind::Text,
        ValueKind::Letters,
        ValueKind::Random,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ValueKind::Json => "json",
            ValueKind::Text => "text",
            ValueKind::Letters => "letters",
            ValueKind::Random => "random",
        }
    }

    pub fn from_name(name: &str) -> Option<ValueKind> {
        ValueKind::ALL.into_iter().find(|k| k.name() == name)
    }

    fn salt(self) -> u64 {
        match self {
            ValueKind::Json => 0x4a53_4f4e,    // "JSON"
            ValueKind::Text => 0x5445_5854,    // "TEXT"
            ValueKind::Letters => 0x4c45_5454, // "LETT"
            ValueKind::Random => 0x5241_4e44,  // "RAND"
        }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = self.below(items.len() as u64) as usize;
        items.get(i).copied().unwrap_or("")
    }
}

/// 64 common English words (text values, JSON notes).
const WORDS: [&str; 64] = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "for",
    "on",
    "that",
    "with",
    "as",
    "it",
    "was",
    "at",
    "by",
    "from",
    "order",
    "customer",
    "payment",
    "delivery",
    "package",
    "address",
    "warehouse",
    "shipped",
    "received",
    "request",
    "please",
    "thanks",
    "leave",
    "door",
    "call",
    "before",
    "after",
    "morning",
    "evening",
    "weekend",
    "gift",
    "wrap",
    "fragile",
    "handle",
    "care",
    "box",
    "small",
    "large",
    "blue",
    "red",
    "green",
    "size",
    "item",
    "return",
    "refund",
    "store",
    "pickup",
    "express",
    "standard",
    "tracking",
    "number",
    "update",
    "status",
    "note",
    "quick",
    "delay",
    "apologies",
    "again",
];

const STATUSES: [&str; 5] = ["NEW", "PAID", "SHIPPED", "DELIVERED", "CANCELLED"];
const CHANNELS: [&str; 4] = ["web", "mobile", "store", "partner"];
const CURRENCIES: [&str; 5] = ["EUR", "USD", "GBP", "JPY", "KRW"];
const COUNTRIES: [&str; 8] = ["DE", "US", "GB", "FR", "JP", "KR", "NL", "BR"];

fn push_padded(out: &mut Vec<u8>, n: u64, width: usize) {
    let mut digits = Vec::with_capacity(20);
    push_decimal(&mut digits, n);
    for _ in digits.len()..width {
        out.push(b'0');
    }
    out.extend_from_slice(&digits);
}

/// Words separated by spaces until `out` holds `target` bytes (the last word is cut).
fn fill_words(out: &mut Vec<u8>, rng: &mut SplitMix64, target: usize, first: bool) {
    let mut first = first;
    while out.len() < target {
        if !first {
            out.push(b' ');
        }
        first = false;
        out.extend_from_slice(rng.pick(&WORDS).as_bytes());
    }
    out.truncate(target);
}

fn json(record_id: u64, len: usize, rng: &mut SplitMix64) -> Vec<u8> {
    let mut d = Vec::with_capacity(len.max(320));
    d.extend_from_slice(b"{\"order_id\":");
    push_decimal(&mut d, record_id);
    d.extend_from_slice(b",\"customer\":\"cust-");
    push_padded(&mut d, rng.below(20_000), 5);
    d.extend_from_slice(b"\",\"status\":\"");
    d.extend_from_slice(rng.pick(&STATUSES).as_bytes());
    d.extend_from_slice(b"\",\"channel\":\"");
    d.extend_from_slice(rng.pick(&CHANNELS).as_bytes());
    d.extend_from_slice(b"\",\"currency\":\"");
    d.extend_from_slice(rng.pick(&CURRENCIES).as_bytes());
    d.extend_from_slice(b"\",\"country\":\"");
    d.extend_from_slice(rng.pick(&COUNTRIES).as_bytes());
    // Creation time: 10:00:00.000 plus 7 ms per record id, within one day.
    let ms = (36_000_000 + record_id.wrapping_mul(7)) % 86_400_000;
    d.extend_from_slice(b"\",\"created_at\":\"2026-11-25T");
    push_padded(&mut d, ms / 3_600_000, 2);
    d.push(b':');
    push_padded(&mut d, ms / 60_000 % 60, 2);
    d.push(b':');
    push_padded(&mut d, ms / 1000 % 60, 2);
    d.push(b'.');
    push_padded(&mut d, ms % 1000, 3);
    d.extend_from_slice(b"Z\",\"items\":[");
    let items = 1 + rng.below(3);
    let mut total = 0u64;
    for i in 0..items {
        if i > 0 {
            d.push(b',');
        }
        let sku = rng.below(100_000);
        let qty = 1 + rng.below(5);
        let price = 99 + rng.below(20_000);
        total += qty * price;
        d.extend_from_slice(b"{\"sku\":\"SKU-");
        push_padded(&mut d, sku, 5);
        d.extend_from_slice(b"\",\"qty\":");
        push_decimal(&mut d, qty);
        d.extend_from_slice(b",\"unit_price_cents\":");
        push_decimal(&mut d, price);
        d.push(b'}');
    }
    d.extend_from_slice(b"],\"total_cents\":");
    push_decimal(&mut d, total);
    d.extend_from_slice(b",\"notes\":\"");
    const CLOSE: &[u8] = b"\"}";
    if len >= d.len() + CLOSE.len() {
        let target = len - CLOSE.len();
        fill_words(&mut d, rng, target, true);
        d.extend_from_slice(CLOSE);
    } else {
        d.extend_from_slice(CLOSE);
        d.truncate(len);
    }
    d
}

fn text(len: usize, rng: &mut SplitMix64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        let words = 6 + rng.below(9);
        for w in 0..words {
            let word = rng.pick(&WORDS).as_bytes();
            if w == 0 {
                if let Some((first, rest)) = word.split_first() {
                    out.push(first.to_ascii_uppercase());
                    out.extend_from_slice(rest);
                }
            } else {
                out.push(b' ');
                out.extend_from_slice(word);
            }
        }
        out.extend_from_slice(b". ");
    }
    out.truncate(len);
    out
}

/// `len` bytes of value for record `record_id`, of the given shape. Deterministic, no_std.
pub fn value_bytes(record_id: u64, len: usize, kind: ValueKind) -> Vec<u8> {
    let mut rng = SplitMix64(record_id.wrapping_add(kind.salt()));
    match kind {
        ValueKind::Json => json(record_id, len, &mut rng),
        ValueKind::Text => text(len, &mut rng),
        ValueKind::Letters => (0..len).map(|_| b'A' + rng.below(26) as u8).collect(),
        ValueKind::Random => {
            let mut out = Vec::with_capacity(len + 8);
            while out.len() < len {
                out.extend_from_slice(&rng.next().to_le_bytes());
            }
            out.truncate(len);
            out
        }
    }
}

/// Appends `n` in decimal, no padding.
pub(crate) fn push_decimal(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut v = n;
    loop {
        digits[len] = b'0' + (v % 10) as u8;
        len += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for i in (0..len).rev() {
        out.push(digits[i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_exact_and_deterministic() {
        for kind in ValueKind::ALL {
            for len in [0usize, 1, 7, 50, 199, 200, 333, 1024, 5000] {
                let a = value_bytes(42, len, kind);
                assert_eq!(a.len(), len, "{kind:?} {len}");
                assert_eq!(a, value_bytes(42, len, kind));
            }
            assert_ne!(value_bytes(1, 100, kind), value_bytes(2, 100, kind));
        }
    }

    #[test]
    fn json_is_a_document_when_long_enough() {
        let v = value_bytes(12345, 512, ValueKind::Json);
        let s = core::str::from_utf8(&v).unwrap();
        assert!(
            s.starts_with("{\"order_id\":12345,\"customer\":\"cust-"),
            "{s}"
        );
        assert!(s.ends_with("\"}"), "{s}");
        assert!(s.contains("\"created_at\":\"2026-11-25T"), "{s}");
    }

    #[test]
    fn splitmix_reference() {
        // SplitMix64 seeded with 0: first output 0xe220a8397b1dcdaf (the reference sequence).
        let mut r = SplitMix64(0);
        assert_eq!(r.next(), 0xe220_a839_7b1d_cdaf);
    }
}
