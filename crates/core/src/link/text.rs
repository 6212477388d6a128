//! The link's characters: percent-encoding of every field outside a safe set (so the link is
//! the same after a browser's address bar, `new URL(...)` or a chat program has had it), its
//! decoding, strict numbers, and how a user's text is shown in an error.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Characters every field writes as they are: RFC 3986's unreserved ones and `@`, `=` and `/`,
/// which a URL fragment keeps as they are and no separator of the link is. Everything else
/// (the separators `&`, `,`, `;`, `:`, and `+`, `%`, `#`, space, non-ASCII) is `%XX`, but for
/// the separators a field's place lets through (`also`).
fn plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@' | b'=' | b'/')
}

/// `text` percent-encoded (UTF-8, upper-case hex), letting the bytes of `also` through.
pub(super) fn escape(text: &str, also: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if plain(b) || also.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

/// One field decoded: every `%XX` is a byte, and the bytes must be UTF-8. `+` is a plus (a
/// fragment is not a form).
pub(super) fn unescape(field: &str) -> Result<String, String> {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'%' {
            out.push(b);
            i += 1;
            continue;
        }
        match (bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(&h), Some(&l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                out.push(hex_value(h) << 4 | hex_value(l));
            }
            _ => {
                return Err(String::from(
                    "a '%' not followed by two hex digits: write %25 for a percent sign",
                ))
            }
        }
        i += 3;
    }
    String::from_utf8(out)
        .map_err(|_| String::from("its %XX bytes are not UTF-8: percent-encode text as UTF-8"))
}

/// The value of one hex digit (checked by the caller).
fn hex_value(d: u8) -> u8 {
    match d {
        b'0'..=b'9' => d - b'0',
        b'a'..=b'f' => d - b'a' + 10,
        _ => d.wrapping_sub(b'A').wrapping_add(10) & 0xf,
    }
}

/// A whole number in decimal digits only (no sign, no spaces, at most 20 digits).
pub(super) fn number<T: core::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "'{}' is not {what}: expected decimal digits only",
            shown(text)
        ));
    }
    text.parse()
        .map_err(|_| format!("'{}' is too large for {what}", shown(text)))
}

/// A user's text as an error shows it: at most 40 characters, control characters as '?'.
pub(super) fn shown(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    let mut out: String = text
        .chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(MAX_CHARS).is_some() {
        out.push_str("...");
    }
    out
}
