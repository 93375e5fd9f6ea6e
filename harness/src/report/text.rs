//! Escaping and truncation shared by the renderers. Case text comes from the server under
//! test, so every byte of it is treated as hostile to the output format.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters XML 1.0 forbids outright (and HTML treats as parse errors): C0 controls other
/// than tab/newline/CR, and the noncharacters U+FFFE/U+FFFF.
fn forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// A visible stand-in for a character that cannot appear literally, so a NUL byte in a
/// result still shows up in a diff.
fn push_placeholder(out: &mut String, c: char) {
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// Appends `s` escaped for XML text (`attr = false`) or a double- or single-quoted
/// attribute value (`attr = true`). Also valid for HTML.
pub(crate) fn push_xml(out: &mut String, s: &str, attr: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Parsers normalise raw CR (and, in attributes, tab/newline) away; references survive.
            '\r' => out.push_str("&#13;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            c if forbidden(c) => push_placeholder(out, c),
            c => out.push(c),
        }
    }
}

/// `s` escaped for XML/HTML text.
pub(crate) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_xml(&mut out, s, false);
    out
}

/// `s` escaped for an XML/HTML attribute value.
pub(crate) fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_xml(&mut out, s, true);
    out
}

/// `s` with every control character (including newlines and ESC) made visible, for one-line
/// terminal and Markdown output where a raw escape sequence could rewrite the screen.
pub(crate) fn one_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() || forbidden(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || forbidden(c) => push_placeholder(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `s` with forbidden characters made visible but newlines and tabs kept, for multi-line
/// blocks (Markdown fences).
pub(crate) fn block(s: &str) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| forbidden(c) || c == '\u{7f}' || c == '\r')
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            c if forbidden(c) || c == '\u{7f}' => push_placeholder(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// At most `max` bytes of `s` (cut on a char boundary), with a marker saying how much was cut.
pub(crate) fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::with_capacity(end + 48);
    out.push_str(&s[..end]);
    let _ = write!(out, "\n… [truncated: {} of {} bytes shown]", end, s.len());
    Cow::Owned(out)
}

/// A percentage with one decimal, or "n/a" when nothing ran.
pub(crate) fn percent(passed: usize, total: usize, skipped: usize) -> String {
    if total.saturating_sub(skipped) == 0 {
        "n/a".to_string()
    } else {
        format!("{:.1}%", 100.0 * super::model::rate(passed, total, skipped))
    }
}

/// Milliseconds as seconds with millisecond precision, e.g. "0.012".
pub(crate) fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_xml_escapes_markup_quotes_and_control_chars() {
        assert_eq!(
            xml(r#"<a href="x">&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            xml("nul\u{0}bell\u{7}vt\u{b}"),
            "nul\\u{0}bell\\u{7}vt\\u{b}"
        );
        assert_eq!(xml("\u{fffe}\u{ffff}"), "\\u{fffe}\\u{ffff}");
        assert_eq!(xml("tab\tnl\ncr\r"), "tab\tnl\ncr&#13;");
        assert_eq!(xml_attr("tab\tnl\ncr\r"), "tab&#9;nl&#10;cr&#13;");
        // Non-ASCII text passes through untouched.
        assert_eq!(xml("naïve ✓ 𝄞"), "naïve ✓ 𝄞");
    }

    #[test]
    fn report_one_line_hides_terminal_escapes() {
        assert_eq!(one_line("a\nb\u{1b}[2J"), "a\\nb\\u{1b}[2J");
        assert!(matches!(one_line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn report_truncate_cuts_on_char_boundary_with_marker() {
        assert_eq!(truncate("short", 10), "short");
        let cut = truncate("ééé", 3);
        assert_eq!(cut, "é\n… [truncated: 2 of 6 bytes shown]");
    }

    #[test]
    fn report_percent_and_seconds_format() {
        assert_eq!(percent(1, 3, 0), "33.3%");
        assert_eq!(percent(0, 2, 2), "n/a");
        assert_eq!(seconds(30_012), "30.012");
    }
}
