//! COPY options as PostgreSQL validates them, from sqlparser's AST.

use datafusion::sql::sqlparser::ast::{CopyLegacyCsvOption, CopyLegacyOption, CopyOption};

use crate::pgtypes::PgTypeError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyFormat {
    Text,
    Csv,
    Binary,
}

/// Which columns CSV output always quotes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ForceQuote {
    #[default]
    None,
    All,
    Columns(Vec<String>),
}

/// COPY options with PostgreSQL's per-format defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOptions {
    pub format: CopyFormat,
    pub delimiter: u8,
    pub null: String,
    pub header: bool,
    pub quote: u8,
    pub escape: u8,
    pub force_quote: ForceQuote,
    pub force_not_null: Vec<String>,
    pub force_null: Vec<String>,
    /// Only UTF8 (and its aliases) is supported.
    pub encoding: Option<String>,
    pub freeze: bool,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions::for_format(CopyFormat::Text)
    }
}

/// Options as written, before defaults: tracks what was given so conflicts can be reported.
#[derive(Default)]
struct Given {
    format: Option<CopyFormat>,
    delimiter: Option<char>,
    null: Option<String>,
    header: Option<bool>,
    quote: Option<char>,
    escape: Option<char>,
    force_quote: Option<ForceQuote>,
    force_not_null: Option<Vec<String>>,
    force_null: Option<Vec<String>>,
    encoding: Option<String>,
    freeze: Option<bool>,
}

fn syntax(msg: impl Into<String>) -> PgTypeError {
    PgTypeError::Other {
        code: "42601",
        message: msg.into(),
    }
}

fn unsupported(msg: impl Into<String>) -> PgTypeError {
    PgTypeError::Other {
        code: "0A000",
        message: msg.into(),
    }
}

fn invalid_param(msg: impl Into<String>) -> PgTypeError {
    PgTypeError::Other {
        code: "22023",
        message: msg.into(),
    }
}

fn set<T>(slot: &mut Option<T>, v: T) -> Result<(), PgTypeError> {
    if slot.is_some() {
        return Err(syntax("conflicting or redundant options"));
    }
    *slot = Some(v);
    Ok(())
}

fn one_byte(c: char, what: &str) -> Result<u8, PgTypeError> {
    u8::try_from(u32::from(c))
        .ok()
        .filter(|b| b.is_ascii())
        .ok_or_else(|| unsupported(format!("COPY {what} must be a single one-byte character")))
}

impl CopyOptions {
    /// PostgreSQL's defaults for a format.
    pub fn for_format(format: CopyFormat) -> Self {
        let csv = format == CopyFormat::Csv;
        CopyOptions {
            format,
            delimiter: if csv { b',' } else { b'\t' },
            null: if csv {
                String::new()
            } else {
                "\\N".to_string()
            },
            header: false,
            quote: b'"',
            escape: b'"',
            force_quote: ForceQuote::None,
            force_not_null: Vec::new(),
            force_null: Vec::new(),
            encoding: None,
            freeze: false,
        }
    }

    /// Builds and validates options from `COPY ... WITH (...)` and the legacy
    /// `COPY ... CSV HEADER` syntax.
    pub fn from_sqlparser(
        options: &[CopyOption],
        legacy: &[CopyLegacyOption],
    ) -> Result<Self, PgTypeError> {
        let mut g = Given::default();
        for o in options {
            match o {
                CopyOption::Format(name) => {
                    let f = match name.value.to_ascii_lowercase().as_str() {
                        "text" => CopyFormat::Text,
                        "csv" => CopyFormat::Csv,
                        "binary" => CopyFormat::Binary,
                        other => {
                            return Err(invalid_param(format!(
                                "COPY format \"{other}\" not recognized"
                            )));
                        }
                    };
                    set(&mut g.format, f)?;
                }
                CopyOption::Freeze(b) => set(&mut g.freeze, *b)?,
                CopyOption::Delimiter(c) => set(&mut g.delimiter, *c)?,
                CopyOption::Null(s) => set(&mut g.null, s.clone())?,
                CopyOption::Header(b) => set(&mut g.header, *b)?,
                CopyOption::Quote(c) => set(&mut g.quote, *c)?,
                CopyOption::Escape(c) => set(&mut g.escape, *c)?,
                CopyOption::ForceQuote(cols) => set(
                    &mut g.force_quote,
                    force_quote_of(cols.iter().map(|i| i.value.clone())),
                )?,
                CopyOption::ForceNotNull(cols) => set(
                    &mut g.force_not_null,
                    cols.iter().map(|i| i.value.clone()).collect(),
                )?,
                CopyOption::ForceNull(cols) => set(
                    &mut g.force_null,
                    cols.iter().map(|i| i.value.clone()).collect(),
                )?,
                CopyOption::Encoding(e) => set(&mut g.encoding, e.clone())?,
            }
        }
        for o in legacy {
            match o {
                CopyLegacyOption::Binary => set(&mut g.format, CopyFormat::Binary)?,
                CopyLegacyOption::Delimiter(c) => set(&mut g.delimiter, *c)?,
                CopyLegacyOption::Null(s) => set(&mut g.null, s.clone())?,
                CopyLegacyOption::Header => set(&mut g.header, true)?,
                CopyLegacyOption::Csv(csv_opts) => {
                    set(&mut g.format, CopyFormat::Csv)?;
                    for c in csv_opts {
                        match c {
                            CopyLegacyCsvOption::Header => set(&mut g.header, true)?,
                            CopyLegacyCsvOption::Quote(q) => set(&mut g.quote, *q)?,
                            CopyLegacyCsvOption::Escape(e) => set(&mut g.escape, *e)?,
                            CopyLegacyCsvOption::ForceQuote(cols) => set(
                                &mut g.force_quote,
                                force_quote_of(cols.iter().map(|i| i.value.clone())),
                            )?,
                            CopyLegacyCsvOption::ForceNotNull(cols) => set(
                                &mut g.force_not_null,
                                cols.iter().map(|i| i.value.clone()).collect(),
                            )?,
                        }
                    }
                }
                other => {
                    return Err(syntax(format!("COPY option {other} is not supported")));
                }
            }
        }
        Self::validate(g)
    }

    fn validate(g: Given) -> Result<Self, PgTypeError> {
        let format = g.format.unwrap_or(CopyFormat::Text);
        let mut o = CopyOptions::for_format(format);
        let csv = format == CopyFormat::Csv;
        let binary = format == CopyFormat::Binary;
        if binary && g.delimiter.is_some() {
            return Err(syntax("cannot specify DELIMITER in BINARY mode"));
        }
        if binary && g.null.is_some() {
            return Err(syntax("cannot specify NULL in BINARY mode"));
        }
        if binary && g.header == Some(true) {
            return Err(unsupported("cannot specify HEADER in BINARY mode"));
        }
        if !csv && g.quote.is_some() {
            return Err(unsupported("COPY quote available only in CSV mode"));
        }
        if !csv && g.escape.is_some() {
            return Err(unsupported("COPY escape available only in CSV mode"));
        }
        if !csv && g.force_quote.is_some() {
            return Err(unsupported("COPY force quote available only in CSV mode"));
        }
        if !csv && g.force_not_null.is_some() {
            return Err(unsupported(
                "COPY force not null available only in CSV mode",
            ));
        }
        if !csv && g.force_null.is_some() {
            return Err(unsupported("COPY force null available only in CSV mode"));
        }
        if let Some(d) = g.delimiter {
            o.delimiter = one_byte(d, "delimiter")?;
        }
        if let Some(n) = g.null {
            o.null = n;
        }
        if let Some(q) = g.quote {
            o.quote = one_byte(q, "quote")?;
            o.escape = o.quote;
        }
        if let Some(e) = g.escape {
            o.escape = one_byte(e, "escape")?;
        }
        o.header = g.header.unwrap_or(false);
        o.force_quote = g.force_quote.unwrap_or_default();
        o.force_not_null = g.force_not_null.unwrap_or_default();
        o.force_null = g.force_null.unwrap_or_default();
        o.freeze = g.freeze.unwrap_or(false);
        if let Some(enc) = g.encoding {
            let norm = enc.to_ascii_lowercase().replace(['-', '_'], "");
            if norm != "utf8" && norm != "unicode" {
                return Err(invalid_param(format!(
                    "encoding \"{enc}\" is not supported by COPY here (only UTF8)"
                )));
            }
            o.encoding = Some(enc);
        }
        if matches!(o.delimiter, b'\r' | b'\n') {
            return Err(invalid_param(
                "COPY delimiter cannot be newline or carriage return",
            ));
        }
        if o.null.contains(['\r', '\n']) {
            return Err(invalid_param(
                "COPY null representation cannot use newline or carriage return",
            ));
        }
        // Data characters equal to the delimiter are backslashed in text format, so the
        // delimiter must not be something a backslash sequence gives meaning to.
        if !csv && b"\\.abcdefghijklmnopqrstuvwxyz0123456789".contains(&o.delimiter) {
            return Err(invalid_param(format!(
                "COPY delimiter cannot be \"{}\"",
                o.delimiter as char
            )));
        }
        if csv && o.delimiter == o.quote {
            return Err(unsupported("COPY delimiter and quote must be different"));
        }
        if csv && o.null.as_bytes().contains(&o.delimiter) {
            return Err(unsupported(
                "CSV delimiter character must not appear in the NULL specification",
            ));
        }
        if csv && o.null.as_bytes().contains(&o.quote) {
            return Err(unsupported(
                "CSV quote character must not appear in the NULL specification",
            ));
        }
        if format == CopyFormat::Text && o.null.as_bytes().contains(&o.delimiter) {
            return Err(unsupported(
                "COPY delimiter must not appear in the NULL specification",
            ));
        }
        Ok(o)
    }
}

fn force_quote_of(cols: impl Iterator<Item = String>) -> ForceQuote {
    let cols: Vec<String> = cols.collect();
    if cols.len() == 1 && cols[0] == "*" {
        ForceQuote::All
    } else {
        ForceQuote::Columns(cols)
    }
}
