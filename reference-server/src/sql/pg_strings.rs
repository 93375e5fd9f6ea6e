//! PostgreSQL string functions DataFusion lacks: `quote_literal`, `quote_nullable`,
//! `format`, `regexp_split_to_array`, `convert_from`.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::prelude::SessionContext;

use super::pg_udf::{RowFn, is_text, sql_err, text};

pub fn register(ctx: &SessionContext) {
    ctx.register_udf(
        RowFn::new(
            "quote_literal",
            all_text,
            |_| Ok(DataType::Utf8),
            quote_literal_fn,
        )
        .udf(),
    );
    ctx.register_udf(
        RowFn::new(
            "quote_nullable",
            all_text,
            |_| Ok(DataType::Utf8),
            quote_nullable_fn,
        )
        .non_strict()
        .udf(),
    );
    ctx.register_udf(
        RowFn::new("format", all_text, |_| Ok(DataType::Utf8), format_fn)
            .non_strict()
            .udf(),
    );
    ctx.register_udf(RowFn::new("regexp_split_to_array", all_text, text_list, split_fn).udf());
    ctx.register_udf(
        RowFn::new(
            "convert_from",
            bytes_and_name,
            |_| Ok(DataType::Utf8),
            convert_from_fn,
        )
        .udf(),
    );
}

fn text_list(_args: &[DataType]) -> DfResult<DataType> {
    Ok(DataType::List(Arc::new(Field::new(
        "item",
        DataType::Utf8,
        true,
    ))))
}

/// Every argument as text (PostgreSQL's text output of the value).
fn all_text(args: &[DataType]) -> DfResult<Vec<DataType>> {
    if args.is_empty() {
        return Err(sql_err(
            "42883",
            "function does not exist without arguments",
        ));
    }
    Ok(vec![DataType::Utf8; args.len()])
}

fn bytes_and_name(args: &[DataType]) -> DfResult<Vec<DataType>> {
    match args {
        [_, n] if is_text(n) || n == &DataType::Null => Ok(vec![DataType::Binary, DataType::Utf8]),
        _ => Err(sql_err("42883", "function convert_from does not exist")),
    }
}

/// `quote_literal`: single quotes doubled; a backslash makes it an `E'...'` string with the
/// backslashes doubled.
pub fn quote_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    if s.contains('\\') {
        out.push('E');
    }
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// `quote_ident`: quoted unless it is a plain lower-case identifier.
pub fn quote_ident(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain {
        return s.to_owned();
    }
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn quote_literal_fn(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    Ok(ScalarValue::Utf8(
        args.first().and_then(text).map(quote_literal),
    ))
}

fn quote_nullable_fn(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    Ok(ScalarValue::Utf8(Some(
        args.first()
            .and_then(text)
            .map_or_else(|| "NULL".to_owned(), quote_literal),
    )))
}

/// `format(fmt, args...)`: `%s`, `%I`, `%L` and `%%`, with `n$` positions, the `-` flag and a
/// width (`*` widths are not supported).
fn format_fn(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    let Some(first) = args.first() else {
        return Ok(ScalarValue::Utf8(None));
    };
    let Some(fmt) = text(first) else {
        return Ok(ScalarValue::Utf8(None));
    };
    let values: Vec<Option<&str>> = args.iter().skip(1).map(text).collect();
    let bad = |m: &str| sql_err("22023", m.to_owned());
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    let mut next = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        // [position$][-][width]type
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        let mut position = None;
        if !digits.is_empty() && chars.peek() == Some(&'$') {
            chars.next();
            let p: usize = digits.parse().map_err(|_| bad("invalid argument number"))?;
            if p == 0 {
                return Err(bad(
                    "format specifies argument 0, but arguments are numbered from 1",
                ));
            }
            position = Some(p - 1);
            digits.clear();
        }
        let mut left = false;
        if digits.is_empty() {
            while chars.peek() == Some(&'-') {
                left = true;
                chars.next();
            }
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
        }
        let width: usize = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| bad("number is out of range"))?
        };
        if width > 10_000_000 {
            return Err(bad("number is out of range"));
        }
        let kind = chars
            .next()
            .ok_or_else(|| bad("unterminated format() type specifier"))?;
        let index = position.unwrap_or(next);
        next = index + 1;
        let value = *values
            .get(index)
            .ok_or_else(|| bad("too few arguments for format()"))?;
        let piece = match kind {
            's' => value.unwrap_or("").to_owned(),
            'I' => quote_ident(value.ok_or_else(|| {
                sql_err(
                    "22004",
                    "null values cannot be formatted as an SQL identifier",
                )
            })?),
            'L' => value.map_or_else(|| "NULL".to_owned(), quote_literal),
            other => {
                return Err(bad(&format!(
                    "unrecognized format() type specifier \"{other}\""
                )));
            }
        };
        let len = piece.chars().count();
        let pad = " ".repeat(width.saturating_sub(len));
        if left {
            out.push_str(&piece);
            out.push_str(&pad);
        } else {
            out.push_str(&pad);
            out.push_str(&piece);
        }
    }
    Ok(ScalarValue::Utf8(Some(out)))
}

/// `regexp_split_to_array(s, pattern [, flags])`: the pieces between matches (flag `i`:
/// case-insensitive).
fn split_fn(args: &[ScalarValue], ret: &DataType) -> DfResult<ScalarValue> {
    let (Some(s), Some(pattern)) = (args.first().and_then(text), args.get(1).and_then(text)) else {
        return ScalarValue::try_from(ret);
    };
    let flags = args.get(2).and_then(text).unwrap_or("");
    let re = regex::RegexBuilder::new(pattern)
        .case_insensitive(flags.contains('i'))
        .size_limit(1 << 20)
        .build()
        .map_err(|e| sql_err("2201B", format!("invalid regular expression: {e}")))?;
    let pieces: Vec<ScalarValue> = split(&re, s).into_iter().map(ScalarValue::Utf8).collect();
    Ok(ScalarValue::List(ScalarValue::new_list_nullable(
        &pieces,
        &DataType::Utf8,
    )))
}

/// The pieces of `s` between the matches of `re`.
pub(crate) fn split(re: &regex::Regex, s: &str) -> Vec<Option<String>> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for m in re.find_iter(s) {
        // PostgreSQL skips empty matches at the start and end of the string.
        if m.start() == m.end() && (m.start() == 0 || m.start() == s.len()) {
            continue;
        }
        pieces.push(s.get(start..m.start()).map(str::to_owned));
        start = m.end();
    }
    pieces.push(s.get(start..).map(str::to_owned));
    pieces
}

/// `convert_from(bytes, encoding)` for the encodings a UTF8 server reads: UTF8/SQL_ASCII
/// (validated) and LATIN1.
fn convert_from_fn(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    let (Some(ScalarValue::Binary(Some(bytes))), Some(enc)) =
        (args.first(), args.get(1).and_then(text))
    else {
        return Ok(ScalarValue::Utf8(None));
    };
    let enc = enc.to_ascii_uppercase().replace(['-', '_'], "");
    let out = match enc.as_str() {
        "UTF8" | "UNICODE" | "SQLASCII" => String::from_utf8(bytes.clone())
            .map_err(|_| sql_err("22021", "invalid byte sequence for encoding \"UTF8\""))?,
        "LATIN1" | "ISO88591" => bytes.iter().map(|b| char::from(*b)).collect(),
        _ => {
            return Err(sql_err(
                "22023",
                format!("invalid source encoding name \"{enc}\""),
            ));
        }
    };
    Ok(ScalarValue::Utf8(Some(out)))
}
