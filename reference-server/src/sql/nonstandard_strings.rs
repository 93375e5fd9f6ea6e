//! `standard_conforming_strings = off`: backslashes in plain `'...'` literals are escapes, as
//! in `E'...'`. The query text is rewritten before parsing by prefixing such literals with `E`
//! (only those that contain a backslash, so other text and error positions stay as sent),
//! with PostgreSQL's `escape_string_warning` warnings (SQLSTATE 22P06) for them.

use pgwire::error::ErrorInfo;

/// The query as the parser must see it and the warnings PostgreSQL's scanner would raise.
pub struct Rewritten {
    pub sql: String,
    pub warnings: Vec<ErrorInfo>,
}

/// Rewrite `sql` as PostgreSQL reads it with standard_conforming_strings off; `None` when no
/// plain literal has a backslash (nothing to change, nothing to warn about).
pub fn rewrite(sql: &str) -> Option<Rewritten> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut warnings = Vec::new();
    let mut copied = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = find_from(bytes, i, b"\n").map_or(bytes.len(), |e| e + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = block_comment_end(bytes, i),
            b'"' => i = find_from(bytes, i + 1, b"\"").map_or(bytes.len(), |e| e + 1),
            b'$' if !ident_before(bytes, i) => i = dollar_quote_end(bytes, i),
            b'\'' => {
                let (end, escape) = literal_end(bytes, i);
                if !prefixed(bytes, i)
                    && let Some(escape) = escape
                {
                    out.push_str(sql.get(copied..i).unwrap_or_default());
                    out.push('E');
                    copied = i;
                    warnings.push(warning(sql, i, escape));
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    if warnings.is_empty() {
        return None;
    }
    out.push_str(sql.get(copied..).unwrap_or_default());
    Some(Rewritten { sql: out, warnings })
}

/// The first backslash escape of a literal, which is the one PostgreSQL warns about.
#[derive(Clone, Copy)]
enum Escape {
    Quote,
    Backslash,
    Other,
}

/// End of the literal opening at `start` (after its closing quote), reading backslashes
/// as escapes, and its first escape.
fn literal_end(bytes: &[u8], start: usize) -> (usize, Option<Escape>) {
    let mut first = None;
    let mut i = start + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => {
                let kind = match bytes.get(i + 1) {
                    Some(b'\'') => Escape::Quote,
                    Some(b'\\') => Escape::Backslash,
                    _ => Escape::Other,
                };
                first.get_or_insert(kind);
                i += 2;
            }
            b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return (i + 1, first),
            _ => i += 1,
        }
    }
    (bytes.len(), first)
}

/// Whether the quote opens an `E''`, `B''`, `X''`, `N''` or `U&''` literal rather than a
/// plain one.
fn prefixed(bytes: &[u8], quote: usize) -> bool {
    let Some(letter) = quote.checked_sub(1) else {
        return false;
    };
    match bytes.get(letter) {
        Some(b'e' | b'E' | b'b' | b'B' | b'x' | b'X' | b'n' | b'N') => !ident_before(bytes, letter),
        Some(b'&') => letter
            .checked_sub(1)
            .is_some_and(|u| matches!(bytes.get(u), Some(b'u' | b'U')) && !ident_before(bytes, u)),
        _ => false,
    }
}

fn ident_before(bytes: &[u8], i: usize) -> bool {
    i.checked_sub(1)
        .and_then(|p| bytes.get(p))
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80)
}

fn find_from(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// After a (nesting) `/* */` comment starting at `start`.
fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match (bytes.get(i), bytes.get(i + 1)) {
            (Some(b'/'), Some(b'*')) => {
                depth += 1;
                i += 2;
            }
            (Some(b'*'), Some(b'/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// After a `$tag$ ... $tag$` string starting at `start`; just past the `$` if it opens none.
fn dollar_quote_end(bytes: &[u8], start: usize) -> usize {
    let tag_len = bytes
        .get(start + 1..)
        .unwrap_or_default()
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80));
    match tag_len {
        Some(n) if bytes.get(start + 1 + n) == Some(&b'$') => {
            let tag = bytes.get(start..start + n + 2).unwrap_or_default();
            let body = start + n + 2;
            find_from(bytes, body, tag).map_or(bytes.len(), |e| e + tag.len())
        }
        _ => start + 1,
    }
}

/// PostgreSQL's scan.l warnings, positioned at the literal (1-based, in characters).
fn warning(sql: &str, at: usize, escape: Escape) -> ErrorInfo {
    let (message, hint) = match escape {
        Escape::Quote => (
            "nonstandard use of \\' in a string literal",
            "Use '' to write quotes in strings, or use the escape string syntax (E'...').",
        ),
        Escape::Backslash => (
            "nonstandard use of \\\\ in a string literal",
            "Use the escape string syntax for backslashes, e.g., E'\\\\'.",
        ),
        Escape::Other => (
            "nonstandard use of escape in a string literal",
            "Use the escape string syntax for escapes, e.g., E'\\r\\n'.",
        ),
    };
    let mut info = ErrorInfo::new("WARNING".into(), "22P06".into(), message.into());
    info.severity_nonlocalized = Some("WARNING".into());
    info.hint = Some(hint.into());
    let position = sql.get(..at).map_or(0, |s| s.chars().count()) + 1;
    info.position = Some(position.to_string());
    info
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn only_plain_literals_with_backslashes_change() {
        let r = rewrite(r"SELECT 'a\nb', 'it\'s', 'x''y', E'\t', $$\$$, 'plain' -- '\'")
            .map(|r| (r.sql, r.warnings.len()));
        assert_eq!(
            r,
            Some((
                r"SELECT E'a\nb', E'it\'s', 'x''y', E'\t', $$\$$, 'plain' -- '\'".to_owned(),
                2
            ))
        );
        assert!(rewrite("SELECT 'a', \"b\\\" FROM t /* '\\' */").is_none());
    }
}
