//! COPY text and CSV formats: option parsing, decoding incoming data into rows of
//! optional strings, and encoding outgoing values.

use datafusion::sql::sqlparser::ast::{
    CopyLegacyCsvOption, CopyLegacyOption, CopyOption, CopySource, CopyTarget, ObjectName, Query,
};

use super::SqlError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyFormat {
    Text,
    Csv,
    Binary,
}

#[derive(Debug, Clone)]
pub struct CopyOptions {
    pub format: CopyFormat,
    pub delimiter: char,
    pub null: String,
    pub header: bool,
    pub quote: char,
    pub escape: char,
}

/// What to copy, in which direction.
#[derive(Debug, Clone)]
pub enum CopySpec {
    From {
        table: ObjectName,
        columns: Vec<String>,
        options: CopyOptions,
    },
    To {
        source: CopyOut,
        options: CopyOptions,
    },
}

#[derive(Debug, Clone)]
pub enum CopyOut {
    Table {
        table: ObjectName,
        columns: Vec<String>,
    },
    Query(Box<Query>),
}

impl CopySpec {
    pub fn new(
        source: &CopySource,
        to: bool,
        target: &CopyTarget,
        options: &[CopyOption],
        legacy: &[CopyLegacyOption],
    ) -> Result<Self, SqlError> {
        let options = parse_options(options, legacy)?;
        match (to, target) {
            (false, CopyTarget::Stdin) => match source {
                CopySource::Table {
                    table_name,
                    columns,
                } => Ok(Self::From {
                    table: table_name.clone(),
                    columns: columns.iter().map(|c| c.value.clone()).collect(),
                    options,
                }),
                CopySource::Query(_) => Err(SqlError::syntax("COPY FROM does not accept a query")),
            },
            (true, CopyTarget::Stdout) => Ok(Self::To {
                source: match source {
                    CopySource::Table {
                        table_name,
                        columns,
                    } => CopyOut::Table {
                        table: table_name.clone(),
                        columns: columns.iter().map(|c| c.value.clone()).collect(),
                    },
                    CopySource::Query(q) => CopyOut::Query(q.clone()),
                },
                options,
            }),
            _ => Err(SqlError::new(
                "42501",
                "COPY to or from a file or program is not allowed; use STDIN/STDOUT",
            )),
        }
    }
}

fn parse_options(
    options: &[CopyOption],
    legacy: &[CopyLegacyOption],
) -> Result<CopyOptions, SqlError> {
    let mut format = CopyFormat::Text;
    let (mut delimiter, mut null, mut header, mut quote, mut escape) =
        (None, None, false, None, None);
    for o in options {
        match o {
            CopyOption::Format(f) => {
                format = match f.value.to_ascii_lowercase().as_str() {
                    "text" => CopyFormat::Text,
                    "csv" => CopyFormat::Csv,
                    "binary" => CopyFormat::Binary,
                    other => {
                        return Err(SqlError::new(
                            "22023",
                            format!("COPY format \"{other}\" not recognized"),
                        ));
                    }
                }
            }
            CopyOption::Freeze(_) | CopyOption::Encoding(_) => {}
            CopyOption::Delimiter(c) => delimiter = Some(*c),
            CopyOption::Null(s) => null = Some(s.clone()),
            CopyOption::Header(h) => header = *h,
            CopyOption::Quote(c) => quote = Some(*c),
            CopyOption::Escape(c) => escape = Some(*c),
            other => {
                return Err(SqlError::unsupported(format!(
                    "COPY option {other} is not supported"
                )));
            }
        }
    }
    for o in legacy {
        match o {
            CopyLegacyOption::Binary => format = CopyFormat::Binary,
            CopyLegacyOption::Delimiter(c) => delimiter = Some(*c),
            CopyLegacyOption::Null(s) => null = Some(s.clone()),
            CopyLegacyOption::Header => header = true,
            CopyLegacyOption::Csv(csv) => {
                format = CopyFormat::Csv;
                for c in csv {
                    match c {
                        CopyLegacyCsvOption::Header => header = true,
                        CopyLegacyCsvOption::Quote(q) => quote = Some(*q),
                        CopyLegacyCsvOption::Escape(e) => escape = Some(*e),
                        other => {
                            return Err(SqlError::unsupported(format!(
                                "COPY option {other} is not supported"
                            )));
                        }
                    }
                }
            }
            other => {
                return Err(SqlError::unsupported(format!(
                    "COPY option {other} is not supported"
                )));
            }
        }
    }
    if format != CopyFormat::Csv && (quote.is_some() || escape.is_some()) {
        return Err(SqlError::unsupported(
            "COPY QUOTE and ESCAPE are available only in CSV mode",
        ));
    }
    if format == CopyFormat::Text && header {
        return Err(SqlError::unsupported(
            "COPY HEADER available only in CSV mode",
        ));
    }
    let is_csv = format == CopyFormat::Csv;
    let quote = quote.unwrap_or('"');
    Ok(CopyOptions {
        format,
        delimiter: delimiter.unwrap_or(if is_csv { ',' } else { '\t' }),
        null: null.unwrap_or_else(|| if is_csv { String::new() } else { "\\N".into() }),
        header,
        quote,
        escape: escape.unwrap_or(quote),
    })
}

/// One decoding failure, with the 1-based input line for PostgreSQL's CONTEXT.
pub struct DecodeError {
    pub line: usize,
    pub error: SqlError,
}

/// Decode COPY text or CSV data into rows of fields (`None` = NULL).
pub fn decode(
    data: &str,
    opts: &CopyOptions,
    ncols: usize,
) -> Result<Vec<Vec<Option<String>>>, DecodeError> {
    let rows = match opts.format {
        CopyFormat::Csv => decode_csv(data, opts)?,
        _ => decode_text(data, opts)?,
    };
    let skip = usize::from(opts.header);
    let mut out = Vec::with_capacity(rows.len());
    for (i, (line, row)) in rows.into_iter().enumerate() {
        if i < skip {
            continue;
        }
        if row.len() != ncols {
            let error = if row.len() < ncols {
                SqlError::new("22P04", "missing data for column")
            } else {
                SqlError::new("22P04", "extra data after last expected column")
            };
            return Err(DecodeError { line, error });
        }
        out.push(row);
    }
    Ok(out)
}

type Lines = Vec<(usize, Vec<Option<String>>)>;

fn decode_text(data: &str, opts: &CopyOptions) -> Result<Lines, DecodeError> {
    let mut rows = Vec::new();
    for (i, raw) in data.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line == "\\." {
            break;
        }
        if line.is_empty() && i + 1 == data.split('\n').count() {
            break;
        }
        let fields = line
            .split(opts.delimiter)
            .map(|f| {
                if f == opts.null {
                    Ok(None)
                } else {
                    unescape_text(f).map(Some)
                }
            })
            .collect::<Result<Vec<_>, SqlError>>()
            .map_err(|error| DecodeError { line: i + 1, error })?;
        rows.push((i + 1, fields));
    }
    Ok(rows)
}

fn unescape_text(f: &str) -> Result<String, SqlError> {
    if !f.contains('\\') {
        return Ok(f.to_owned());
    }
    let mut out = String::with_capacity(f.len());
    let mut chars = f.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('v') => out.push('\u{b}'),
            Some(d @ '0'..='7') => {
                let mut v = d.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(n) => {
                            v = v * 8 + n;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            Some('x') => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 2 {
                    match chars.peek().and_then(|c| c.to_digit(16)) {
                        Some(h) => {
                            v = v * 16 + h;
                            chars.next();
                            n += 1;
                        }
                        None => break,
                    }
                }
                if n == 0 {
                    out.push('x');
                } else {
                    out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                }
            }
            Some(other) => out.push(other),
            None => return Err(SqlError::new("22P04", "end-of-copy marker corrupt")),
        }
    }
    Ok(out)
}

fn decode_csv(data: &str, opts: &CopyOptions) -> Result<Lines, DecodeError> {
    let mut rows = Vec::new();
    let mut row: Vec<Option<String>> = Vec::new();
    let mut field = String::new();
    let mut quoted_field = false;
    let mut in_quotes = false;
    let mut line = 1usize;
    let mut row_start = 1usize;
    let mut at_field_start = true;
    let mut chars = data.chars().peekable();
    let finish_field = |field: &mut String, quoted: bool, row: &mut Vec<Option<String>>| {
        let v = std::mem::take(field);
        row.push(if !quoted && v == opts.null {
            None
        } else {
            Some(v)
        });
    };
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == opts.escape && opts.escape != opts.quote && chars.peek() == Some(&opts.quote) {
                if let Some(q) = chars.next() {
                    field.push(q);
                }
            } else if c == opts.quote {
                if opts.escape == opts.quote && chars.peek() == Some(&opts.quote) {
                    chars.next();
                    field.push(opts.quote);
                } else {
                    in_quotes = false;
                }
            } else {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            continue;
        }
        if c == opts.quote {
            in_quotes = true;
            quoted_field = true;
            at_field_start = false;
        } else if c == opts.delimiter {
            finish_field(&mut field, quoted_field, &mut row);
            quoted_field = false;
            at_field_start = true;
        } else if c == '\n' || c == '\r' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            if row.is_empty() && at_field_start && field.is_empty() && !quoted_field {
                // blank line
            } else {
                finish_field(&mut field, quoted_field, &mut row);
                rows.push((row_start, std::mem::take(&mut row)));
            }
            quoted_field = false;
            at_field_start = true;
            line += 1;
            row_start = line;
        } else {
            if at_field_start
                && field.is_empty()
                && c == '\\'
                && chars.peek() == Some(&'.')
                && row.is_empty()
            {
                // end-of-data marker `\.`
                break;
            }
            at_field_start = false;
            field.push(c);
        }
    }
    if in_quotes {
        return Err(DecodeError {
            line: row_start,
            error: SqlError::new("22P04", "unterminated CSV quoted field"),
        });
    }
    if !field.is_empty() || quoted_field || !row.is_empty() {
        finish_field(&mut field, quoted_field, &mut row);
        rows.push((row_start, row));
    }
    Ok(rows)
}

/// Append one text-format field (already in PostgreSQL text output form).
pub fn encode_field(out: &mut String, value: Option<&str>, opts: &CopyOptions) {
    match (value, opts.format) {
        (None, _) => out.push_str(&opts.null),
        (Some(v), CopyFormat::Csv) => {
            let needs_quote = v.is_empty() && opts.null.is_empty()
                || v == opts.null
                || v.contains(|c: char| {
                    c == opts.delimiter || c == opts.quote || c == '\n' || c == '\r'
                })
                || v == "\\.";
            if needs_quote {
                out.push(opts.quote);
                for c in v.chars() {
                    if c == opts.quote || c == opts.escape {
                        out.push(opts.escape);
                    }
                    out.push(c);
                }
                out.push(opts.quote);
            } else {
                out.push_str(v);
            }
        }
        (Some(v), _) => {
            for c in v.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    '\u{b}' => out.push_str("\\v"),
                    c if c == opts.delimiter => {
                        out.push('\\');
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(format: CopyFormat) -> CopyOptions {
        let csv = format == CopyFormat::Csv;
        CopyOptions {
            format,
            delimiter: if csv { ',' } else { '\t' },
            null: if csv { String::new() } else { "\\N".into() },
            header: false,
            quote: '"',
            escape: '"',
        }
    }

    #[test]
    fn text_rows_with_escapes_and_nulls() {
        let rows = decode("1\ta\\tb\n2\t\\N\n\\.\n", &opts(CopyFormat::Text), 2).ok();
        assert_eq!(
            rows,
            Some(vec![
                vec![Some("1".into()), Some("a\tb".into())],
                vec![Some("2".into()), None]
            ])
        );
    }

    #[test]
    fn csv_quotes_and_embedded_newlines() {
        let rows = decode("1,\"a,\"\"b\"\"\nc\"\n2,\n", &opts(CopyFormat::Csv), 2).ok();
        assert_eq!(
            rows,
            Some(vec![
                vec![Some("1".into()), Some("a,\"b\"\nc".into())],
                vec![Some("2".into()), None]
            ])
        );
    }

    #[test]
    fn wrong_column_count_reports_line() {
        let err = decode("1\t2\n3\n", &opts(CopyFormat::Text), 2).err();
        assert_eq!(err.map(|e| (e.line, e.error.code)), Some((2, "22P04")));
    }
}
