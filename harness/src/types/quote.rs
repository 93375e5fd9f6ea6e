//! The quoting rules of PostgreSQL's container output functions.

/// C `isspace` in the C locale.
fn c_isspace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// `array_out`: quote empty strings, a literal NULL (any case), and strings holding quotes,
/// backslashes, braces, the delimiter or whitespace; backslash-escape `"` and `\`.
pub(crate) fn array_element(out: &mut String, value: &str, delim: char) {
    let need = value.is_empty()
        || value.eq_ignore_ascii_case("NULL")
        || value.chars().any(|c| {
            matches!(c, '"' | '\\' | '{' | '}')
                || c == delim
                || matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
        });
    if !need {
        out.push_str(value);
        return;
    }
    out.push('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// `record_out` and `range_bound_escape`: quote empty strings and strings holding any of
/// `specials` or whitespace; double `"` and `\`.
pub(crate) fn doubled(out: &mut String, value: &str, specials: &[char]) {
    let need = value.is_empty() || value.chars().any(|c| specials.contains(&c) || c_isspace(c));
    if !need {
        out.push_str(value);
        return;
    }
    out.push('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('"');
}
