//! The renderer's paint box: the palette, the fonts, and the small drawing helpers every
//! part of the canvas uses (text, right-aligned, wrapped and cut to fit; panels, dots, rings;
//! solid and dashed lines), plus the record colours by key and bytes for people. Reads no
//! simulation state.

use web_sys::CanvasRenderingContext2d as Ctx;

pub const PALETTE: [&str; 12] = [
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324",
    "#469990", "#808000", "#000075", "#bfef45",
];

pub const KEYLESS: &str = "#9aa0a6";

pub const INK: &str = "#1f2328";

pub const MUTED: &str = "#57606a";

pub const PANEL: &str = "#f6f8fa";

pub const EDGE: &str = "#d0d7de";

/// Outline of a batch that is ready (full, lingered, or not the last of its queue).
pub const READY: &str = "#bc4c00";

/// Outline of a batch that rode along in a request without being ready (piggyback).
pub const RIDE: &str = "#0969da";

pub const WARN: &str = "#9a6700";

pub const DANGER: &str = "#cf222e";

pub const FONT: &str = "11px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif";

pub const SMALL: &str = "10px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif";

pub const BODY: &str = "12px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif";

pub const BOLD: &str = "600 12px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif";

/// Colour of a record by key (grey for a null key).
pub fn key_colour(key: Option<u32>) -> &'static str {
    match key {
        Some(k) => PALETTE[(k as usize) % PALETTE.len()],
        None => KEYLESS,
    }
}

pub fn text(ctx: &Ctx, s: &str, x: f64, y: f64, colour: &str, font: &str) {
    ctx.set_fill_style_str(colour);
    ctx.set_font(font);
    let _ = ctx.fill_text(s, x, y);
}

/// Text right-aligned at `x`.
pub fn text_right(ctx: &Ctx, s: &str, x: f64, y: f64, colour: &str, font: &str) {
    ctx.set_text_align("right");
    text(ctx, s, x, y, colour, font);
    ctx.set_text_align("left");
}

/// Draws `s` word-wrapped to `max_w`, at most `max_lines` lines (the last one cut with
/// an ellipsis). Returns the lines drawn.
pub fn wrapped(
    ctx: &Ctx,
    s: &str,
    (x, y): (f64, f64),
    max_w: f64,
    line_h: f64,
    max_lines: usize,
    colour: &str,
) -> usize {
    ctx.set_font(BODY);
    ctx.set_fill_style_str(colour);
    let width = |t: &str| ctx.measure_text(t).map_or(0.0, |m| m.width());
    let mut line = String::new();
    let mut lines = 0;
    let mut words = s.split(' ').peekable();
    while let Some(w) = words.next() {
        let candidate = if line.is_empty() {
            w.to_string()
        } else {
            format!("{line} {w}")
        };
        if width(&candidate) <= max_w || line.is_empty() {
            line = candidate;
        } else {
            if lines + 1 == max_lines {
                line.push('…');
                break;
            }
            let _ = ctx.fill_text(&line, x, y + line_h * lines as f64);
            lines += 1;
            line = w.to_string();
        }
        if words.peek().is_none() {
            break;
        }
    }
    if !line.is_empty() {
        let _ = ctx.fill_text(&line, x, y + line_h * lines as f64);
        lines += 1;
    }
    lines
}

/// Text cut with an ellipsis to fit `max_w`.
pub fn fit(ctx: &Ctx, s: &str, x: f64, y: f64, max_w: f64, colour: &str, font: &str) {
    ctx.set_font(font);
    let width = |t: &str| ctx.measure_text(t).map_or(0.0, |m| m.width());
    if width(s) <= max_w {
        text(ctx, s, x, y, colour, font);
        return;
    }
    let mut cut: String = s.to_string();
    while !cut.is_empty() && width(&format!("{cut}…")) > max_w {
        cut.pop();
    }
    text(ctx, &format!("{cut}…"), x, y, colour, font);
}

/// `s` whole, in `weight` (`"600"` or `""`) at `px` or smaller (down to 8 px) so that it fits
/// `max_w`: a name is never cut. Only below 8 px does it fall back to [`fit`]'s ellipsis.
/// Returns the font used.
pub fn fit_whole(
    ctx: &Ctx,
    s: &str,
    (x, y): (f64, f64),
    max_w: f64,
    colour: &str,
    (weight, px): (&str, u32),
) -> String {
    let font_at = |px: u32| {
        if weight.is_empty() {
            format!("{px}px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif")
        } else {
            format!("{weight} {px}px system-ui, \"Apple SD Gothic Neo\", \"Malgun Gothic\", \"Noto Sans KR\", \"Noto Sans CJK KR\", \"Streamscope Noto Sans KR\", sans-serif")
        }
    };
    let mut size = px;
    loop {
        let font = font_at(size);
        ctx.set_font(&font);
        let w = ctx.measure_text(s).map_or(0.0, |m| m.width());
        if w <= max_w || size <= 8 {
            if w <= max_w {
                text(ctx, s, x, y, colour, &font);
            } else {
                fit(ctx, s, x, y, max_w, colour, &font);
            }
            return font;
        }
        size -= 1;
    }
}

/// `s` word-wrapped in the small font, at most `max_lines` lines (the last cut with an
/// ellipsis); returns the lines drawn.
pub fn lines(
    ctx: &Ctx,
    s: &str,
    (x, y): (f64, f64),
    max_w: f64,
    max_lines: usize,
    colour: &str,
) -> usize {
    ctx.set_font(SMALL);
    let width = |t: &str| ctx.measure_text(t).map_or(0.0, |m| m.width());
    let mut line = String::new();
    let mut drawn = 0;
    let mut words = s.split(' ').peekable();
    while let Some(word) = words.next() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate) <= max_w || line.is_empty() {
            line = candidate;
            continue;
        }
        if drawn + 1 == max_lines {
            // The last line: the rest of the text, cut to fit.
            let rest: Vec<&str> = core::iter::once(word).chain(words.by_ref()).collect();
            line = format!("{line} {}", rest.join(" "));
            break;
        }
        text(ctx, &line, x, y + 12.0 * drawn as f64, colour, SMALL);
        drawn += 1;
        line = word.to_string();
    }
    if !line.is_empty() {
        fit(ctx, &line, x, y + 12.0 * drawn as f64, max_w, colour, SMALL);
        drawn += 1;
    }
    drawn
}

pub fn panel(ctx: &Ctx, x: f64, y: f64, w: f64, h: f64, fill: &str) {
    ctx.set_fill_style_str(fill);
    ctx.fill_rect(x, y, w, h);
    ctx.set_stroke_style_str(EDGE);
    ctx.set_line_width(1.0);
    ctx.stroke_rect(x + 0.5, y + 0.5, w - 1.0, h - 1.0);
}

pub fn dot(ctx: &Ctx, x: f64, y: f64, r: f64, colour: &str) {
    ctx.begin_path();
    let _ = ctx.arc(x, y, r, 0.0, core::f64::consts::TAU);
    ctx.set_fill_style_str(colour);
    ctx.fill();
}

pub fn ring(ctx: &Ctx, x: f64, y: f64, r: f64) {
    ctx.begin_path();
    let _ = ctx.arc(x, y, r, 0.0, core::f64::consts::TAU);
    ctx.set_stroke_style_str(INK);
    ctx.set_line_width(1.5);
    ctx.stroke();
}

/// Solid or dashed line style (dash patterns are made once per frame).
pub struct Dashes {
    solid: js_sys::Array,
    dashed: js_sys::Array,
}

impl Dashes {
    pub fn new() -> Dashes {
        Dashes {
            solid: js_sys::Array::new(),
            dashed: js_sys::Array::of2(&4.0.into(), &3.0.into()),
        }
    }
    pub fn set(&self, ctx: &Ctx, dashed: bool) {
        let _ = ctx.set_line_dash(if dashed { &self.dashed } else { &self.solid });
    }
}

/// Bytes for people: B, KiB, MiB, GiB.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else if v >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_for_people() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(32 * 1024), "32 KiB");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(33_554_432), "32 MiB");
    }
}
