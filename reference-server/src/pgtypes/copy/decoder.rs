//! COPY FROM: an incremental decoder fed CopyData chunks split at arbitrary byte positions.

use datafusion::arrow::array::{ArrayRef, RecordBatchOptions};
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::scalar::ScalarValue;

use super::BINARY_SIGNATURE;
use super::columns::ColumnBuf;
use super::options::{CopyFormat, CopyOptions};
use crate::pgtypes::PgTypeError;
use crate::pgtypes::binary_in::parse_binary;
use crate::pgtypes::mapping::PgColumnType;
use crate::pgtypes::settings::FormatSettings;
use crate::pgtypes::text_in::{InCtx, parse_text};

/// Longest row accepted, so a stream without line ends cannot exhaust memory.
const MAX_ROW_BYTES: usize = 256 << 20;

/// A COPY FROM failure, worded as PostgreSQL words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CopyError {
    /// SQLSTATE, e.g. `22P02` (bad value), `22P04` (bad COPY format), `23502` (NULL in a
    /// NOT NULL column).
    pub code: &'static str,
    pub message: String,
    /// 1-based input line (binary: tuple number, counting the header as line 0+1).
    pub line: u64,
    /// The column being read, when the error is about one value.
    pub column: Option<String>,
    /// The offending value's text, when known (PostgreSQL shows it in the context).
    pub value: Option<String>,
    /// The line's text, for errors about a whole line (shown when no column applies).
    pub line_text: Option<String>,
}

impl CopyError {
    /// PostgreSQL's CONTEXT line: `COPY t, line 3, column a: "x"`.
    pub fn context(&self, table: &str) -> String {
        match (&self.column, &self.value, &self.line_text) {
            (Some(c), Some(v), _) => {
                format!(
                    "COPY {table}, line {}, column {c}: \"{}\"",
                    self.line,
                    limit(v)
                )
            }
            (Some(c), None, _) => format!("COPY {table}, line {}, column {c}", self.line),
            (None, _, Some(t)) => format!("COPY {table}, line {}: \"{}\"", self.line, limit(t)),
            _ => format!("COPY {table}, line {}", self.line),
        }
    }
}

/// PostgreSQL's limit_printout_length: at most 100 bytes, then `...`.
fn limit(s: &str) -> String {
    const MAX: usize = 100;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// Decodes COPY FROM input into record batches of `schema`.
pub struct CopyDecoder {
    schema: SchemaRef,
    cols: Vec<PgColumnType>,
    opts: CopyOptions,
    ctx: InCtx,
    table: Option<String>,
    /// Unconsumed input.
    buf: Vec<u8>,
    /// Rows decoded and not yet finished into `built`, column by column.
    columns: Vec<ColumnBuf>,
    /// Rows finished into a batch but not yet taken (when `take_batch` asked for fewer).
    built: Option<RecordBatch>,
    /// Rows pending in `columns` and `built` together.
    rows: usize,
    /// The first error: a failed decoder may hold part of a row, so it stops there.
    failed: Option<CopyError>,
    /// Field bounds of the current text-format line, reused from line to line.
    spans: Vec<(usize, usize)>,
    /// A de-escaped field, reused from field to field.
    scratch: Vec<u8>,
    /// Lines (text/csv) or tuples (binary) consumed, for error positions.
    line: u64,
    header_done: bool,
    /// `\.` or the binary trailer was seen: further input is ignored (text) or an error.
    ended: bool,
    /// Line ending style, fixed by the first line.
    eol: Option<Eol>,
    force_not_null: Vec<bool>,
    force_null: Vec<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Eol {
    Nl,
    CrNl,
    Cr,
}

/// An error that is the server's fault (XX000).
fn internal(message: String, line: u64) -> CopyError {
    CopyError {
        code: "XX000",
        message,
        line,
        column: None,
        value: None,
        line_text: None,
    }
}

fn bad_format(msg: impl Into<String>, line: u64) -> CopyError {
    CopyError {
        code: "22P04",
        message: msg.into(),
        line,
        column: None,
        value: None,
        line_text: None,
    }
}

impl CopyDecoder {
    pub fn new(
        schema: SchemaRef,
        cols: Vec<PgColumnType>,
        opts: CopyOptions,
        settings: &FormatSettings,
    ) -> Self {
        let names = |list: &[String]| -> Vec<bool> {
            schema
                .fields()
                .iter()
                .map(|f| list.iter().any(|n| n == f.name()))
                .collect()
        };
        let force_not_null = names(&opts.force_not_null);
        let force_null = names(&opts.force_null);
        let columns = schema
            .fields()
            .iter()
            .zip(&cols)
            .map(|(f, c)| ColumnBuf::new(f.data_type(), c))
            .collect();
        CopyDecoder {
            schema,
            cols,
            ctx: InCtx::new(settings),
            table: None,
            buf: Vec::new(),
            columns,
            built: None,
            rows: 0,
            failed: None,
            spans: Vec::new(),
            scratch: Vec::new(),
            line: 0,
            header_done: false,
            ended: false,
            eol: None,
            force_not_null,
            force_null,
            opts,
        }
    }

    /// Names the target table in NOT NULL violation messages.
    pub fn with_table(mut self, table: impl Into<String>) -> Self {
        self.table = Some(table.into());
        self
    }

    /// Rows decoded and not yet taken.
    pub fn pending_rows(&self) -> usize {
        self.rows
    }

    /// Whether a binary stream's header is still unread: PostgreSQL reports header errors
    /// before it installs the COPY error context, so they carry no CONTEXT line.
    pub fn in_binary_header(&self) -> bool {
        self.opts.format == CopyFormat::Binary && !self.header_done
    }

    /// Lines (or binary tuples) read so far.
    pub fn lines(&self) -> u64 {
        self.line
    }

    /// Feeds one CopyData payload.
    pub fn push(&mut self, data: &[u8]) -> Result<(), CopyError> {
        self.guarded(|d| d.push_inner(data))
    }

    /// Runs `f` unless an earlier call failed (the columns may then hold part of a row), and
    /// keeps its error: later calls repeat it.
    fn guarded<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, CopyError>,
    ) -> Result<T, CopyError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = f(self);
        if let Err(e) = &result {
            self.failed = Some(e.clone());
        }
        result
    }

    fn push_inner(&mut self, data: &[u8]) -> Result<(), CopyError> {
        if self.ended {
            if self.opts.format == CopyFormat::Binary && !data.is_empty() {
                return Err(bad_format("received copy data after EOF marker", self.line));
            }
            return Ok(());
        }
        self.buf.extend_from_slice(data);
        let consumed = match self.opts.format {
            CopyFormat::Binary => self.decode_binary(false)?,
            _ => self.decode_lines(false)?,
        };
        self.buf.drain(..consumed);
        if self.buf.len() > MAX_ROW_BYTES {
            return Err(CopyError {
                code: "54000",
                message: "COPY row is too long".into(),
                line: self.line + 1,
                column: None,
                value: None,
                line_text: None,
            });
        }
        Ok(())
    }

    /// Up to `max_rows` decoded rows as a batch, or `None` when none are pending.
    pub fn take_batch(&mut self, max_rows: usize) -> Result<Option<RecordBatch>, CopyError> {
        self.guarded(|d| d.take_inner(max_rows))
    }

    fn take_inner(&mut self, max_rows: usize) -> Result<Option<RecordBatch>, CopyError> {
        if self.rows == 0 || max_rows == 0 {
            return Ok(None);
        }
        let in_columns = self.rows - self.built.as_ref().map_or(0, RecordBatch::num_rows);
        if in_columns > 0 {
            let fresh = self.finish_columns(in_columns)?;
            self.built = Some(match self.built.take() {
                None => fresh,
                Some(old) => concat_batches(&self.schema, [&old, &fresh])
                    .map_err(|e| self.internal(e.to_string()))?,
            });
        }
        let Some(all) = self.built.take() else {
            return Ok(None);
        };
        let n = max_rows.min(all.num_rows());
        if n < all.num_rows() {
            self.built = Some(all.slice(n, all.num_rows() - n));
        }
        self.rows -= n;
        Ok(Some(all.slice(0, n)))
    }

    /// The rows held by `columns` (`n` of them) as a batch.
    fn finish_columns(&mut self, n: usize) -> Result<RecordBatch, CopyError> {
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.columns.len());
        let line = self.line;
        for col in &mut self.columns {
            let array = col.finish(n).map_err(|e| internal(e.0, line))?;
            arrays.push(array);
        }
        let options = RecordBatchOptions::new().with_row_count(Some(n));
        RecordBatch::try_new_with_options(self.schema.clone(), arrays, &options)
            .map_err(|e| self.internal(e.to_string()))
    }

    fn internal(&self, message: String) -> CopyError {
        internal(message, self.line)
    }

    /// Ends the input: decodes a final unterminated line, checks the binary trailer, and
    /// returns the remaining rows.
    pub fn finish(&mut self) -> Result<Option<RecordBatch>, CopyError> {
        self.guarded(Self::finish_inner)
    }

    fn finish_inner(&mut self) -> Result<Option<RecordBatch>, CopyError> {
        if !self.ended {
            match self.opts.format {
                CopyFormat::Binary => {
                    let consumed = self.decode_binary(true)?;
                    self.buf.drain(..consumed);
                    if !self.ended {
                        // PostgreSQL accepts a stream that stops cleanly between tuples
                        // only after the header; anything partial is an unexpected EOF.
                        if !self.buf.is_empty() || !self.header_done {
                            let mut e = bad_format("unexpected EOF in COPY data", self.line + 1);
                            if self.header_done {
                                e.column = self.partial_column();
                            }
                            return Err(e);
                        }
                    }
                }
                _ => {
                    let consumed = self.decode_lines(true)?;
                    self.buf.drain(..consumed);
                }
            }
            self.ended = true;
        }
        self.take_inner(self.rows)
    }

    // -----------------------------------------------------------------------------------
    // text and csv

    fn decode_lines(&mut self, at_eof: bool) -> Result<usize, CopyError> {
        // Lines are read in place: the buffer is lent out so rows can be added meanwhile.
        let buf = std::mem::take(&mut self.buf);
        let result = self.decode_lines_in(&buf, at_eof);
        self.buf = buf;
        result
    }

    fn decode_lines_in(&mut self, b: &[u8], at_eof: bool) -> Result<usize, CopyError> {
        let mut pos = 0;
        while !self.ended {
            let (end, next) = match find_line_end(b, pos, &self.opts) {
                Some(x) => x,
                None if at_eof && pos < b.len() => {
                    if self.opts.format == CopyFormat::Csv && self.unterminated_quote(b, pos) {
                        let line = self.line + 1 + self.embedded_newlines(b, pos, b.len());
                        let mut e = bad_format("unterminated CSV quoted field", line);
                        e.line_text = Some(String::from_utf8_lossy(&b[pos..]).into_owned());
                        return Err(e);
                    }
                    let n = b.len();
                    if b.last() == Some(&b'\r') {
                        (n - 1, n)
                    } else {
                        (n, n)
                    }
                }
                None => break,
            };
            self.line += 1;
            if self.opts.format == CopyFormat::Csv {
                self.line += self.embedded_newlines(b, pos, end);
            }
            let terminator = &b[end..next];
            let eol = match terminator {
                b"\n" => Some(Eol::Nl),
                b"\r\n" => Some(Eol::CrNl),
                b"\r" => Some(Eol::Cr),
                _ => None,
            };
            if let Some(e) = eol {
                match self.eol {
                    None => self.eol = Some(e),
                    Some(prev) if prev != e => {
                        let newline = e == Eol::Nl || prev == Eol::Cr && e == Eol::CrNl;
                        let csv = self.opts.format == CopyFormat::Csv;
                        let msg = match (newline, csv) {
                            (true, false) => "literal newline found in data",
                            (false, false) => "literal carriage return found in data",
                            (true, true) => "unquoted newline found in data",
                            (false, true) => "unquoted carriage return found in data",
                        };
                        return Err(bad_format(msg, self.line));
                    }
                    _ => {}
                }
            }
            let line = &b[pos..end];
            pos = next;
            if let Err(e) = std::str::from_utf8(line) {
                return Err(CopyError {
                    code: "22021",
                    message: PgTypeError::bad_utf8(line, &e).to_string(),
                    line: self.line,
                    column: None,
                    value: None,
                    line_text: None,
                });
            }
            let csv = self.opts.format == CopyFormat::Csv;
            let line = if csv {
                if line == b"\\." {
                    self.ended = true;
                    break;
                }
                line
            } else {
                match end_marker(line) {
                    Some(Ok(before)) => {
                        self.ended = true;
                        if before == 0 {
                            break;
                        }
                        &line[..before]
                    }
                    Some(Err(())) => {
                        return Err(bad_format("end-of-copy marker corrupt", self.line));
                    }
                    None => line,
                }
            };
            if self.opts.header && !self.header_done {
                self.header_done = true;
                continue;
            }
            self.header_done = true;
            if csv {
                let fields = self.split_csv(line)?;
                self.add_csv_row(&fields, line)?;
            } else {
                self.add_text_row(line)?;
            }
        }
        Ok(pos)
    }

    /// PostgreSQL counts a line for each newline quoted inside a CSV record (the line-end
    /// character of the input, `\r` until the first line end is known).
    fn embedded_newlines(&self, b: &[u8], from: usize, to: usize) -> u64 {
        let nl = if self.eol == Some(Eol::Nl) {
            b'\n'
        } else {
            b'\r'
        };
        b.get(from..to)
            .map_or(0, |b| b.iter().filter(|&&c| c == nl).count() as u64)
    }

    fn unterminated_quote(&self, b: &[u8], from: usize) -> bool {
        let mut in_quote = false;
        let b = b.get(from..).unwrap_or_default();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if in_quote && c == self.opts.escape && self.opts.escape != self.opts.quote {
                i += 2;
                continue;
            }
            if c == self.opts.quote {
                in_quote = !in_quote;
            }
            i += 1;
        }
        in_quote
    }

    /// Text format: one row from the line's fields, split on unescaped delimiters; a field
    /// whose raw text is the NULL string is NULL, others are de-escaped.
    fn add_text_row(&mut self, line: &[u8]) -> Result<(), CopyError> {
        let mut spans = std::mem::take(&mut self.spans);
        let mut scratch = std::mem::take(&mut self.scratch);
        text_spans(line, self.opts.delimiter, &mut spans);
        let result = self.add_text_values(line, &spans, &mut scratch);
        self.spans = spans;
        self.scratch = scratch;
        result
    }

    fn add_text_values(
        &mut self,
        line: &[u8],
        spans: &[(usize, usize)],
        scratch: &mut Vec<u8>,
    ) -> Result<(), CopyError> {
        self.check_width(spans.len(), line)?;
        for i in 0..self.cols.len() {
            let Some(&(start, end)) = spans.get(i) else {
                return Err(self.missing(i, line));
            };
            let raw = line.get(start..end).unwrap_or_default();
            let value = if raw == self.opts.null.as_bytes() {
                None
            } else if raw.contains(&b'\\') {
                unescape_text(raw, scratch);
                Some(scratch.as_slice())
            } else {
                Some(raw)
            };
            self.add_value(i, value, line)?;
        }
        self.rows += 1;
        Ok(())
    }

    /// CSV: fields split on the delimiter outside quotes; an unquoted field equal to the
    /// NULL string is NULL (unless FORCE_NOT_NULL); a quoted one is a value (unless
    /// FORCE_NULL).
    fn split_csv(&self, line: &[u8]) -> Result<Vec<Option<Vec<u8>>>, CopyError> {
        let (delim, quote, escape) = (self.opts.delimiter, self.opts.quote, self.opts.escape);
        let null = self.opts.null.as_bytes();
        let mut fields = Vec::new();
        let mut i = 0;
        loop {
            let mut value = Vec::new();
            let mut quoted = false;
            let mut in_quote = false;
            while i < line.len() {
                let c = line[i];
                if in_quote {
                    if c == escape
                        && let Some(&n) = line.get(i + 1)
                        && (n == quote || n == escape)
                    {
                        value.push(n);
                        i += 2;
                        continue;
                    }
                    if c == quote {
                        in_quote = false;
                        i += 1;
                        continue;
                    }
                    value.push(c);
                    i += 1;
                    continue;
                }
                if c == delim {
                    break;
                }
                if c == quote {
                    in_quote = true;
                    quoted = true;
                    i += 1;
                    continue;
                }
                value.push(c);
                i += 1;
            }
            if in_quote {
                return Err(bad_format("unterminated CSV quoted field", self.line));
            }
            let col = fields.len();
            let is_null = if quoted {
                self.force_null.get(col).copied().unwrap_or(false) && value == null
            } else {
                value == null && !self.force_not_null.get(col).copied().unwrap_or(false)
            };
            fields.push(if is_null { None } else { Some(value) });
            if i >= line.len() {
                break;
            }
            i += 1; // the delimiter
        }
        Ok(fields)
    }

    /// CSV: one row from the line's (unquoted) fields.
    fn add_csv_row(&mut self, fields: &[Option<Vec<u8>>], line: &[u8]) -> Result<(), CopyError> {
        self.check_width(fields.len(), line)?;
        for i in 0..self.cols.len() {
            let Some(f) = fields.get(i) else {
                return Err(self.missing(i, line));
            };
            self.add_value(i, f.as_deref(), line)?;
        }
        self.rows += 1;
        Ok(())
    }

    /// More fields than columns is an error before any value is read, as in PostgreSQL.
    fn check_width(&self, fields: usize, line: &[u8]) -> Result<(), CopyError> {
        if fields > self.cols.len() {
            let mut e = bad_format("extra data after last expected column", self.line);
            e.line_text = Some(String::from_utf8_lossy(line).into_owned());
            return Err(e);
        }
        Ok(())
    }

    /// Columns convert in order; a missing one fails when its turn comes, as in PostgreSQL
    /// (so a bad first value is reported before a missing later column).
    fn missing(&self, i: usize, line: &[u8]) -> CopyError {
        let name = self.schema.field(i).name();
        let mut e = bad_format(format!("missing data for column \"{name}\""), self.line);
        e.line_text = Some(String::from_utf8_lossy(line).into_owned());
        e
    }

    /// Appends column `i`'s value (`None`: NULL) from its de-escaped text.
    fn add_value(&mut self, i: usize, value: Option<&[u8]>, line: &[u8]) -> Result<(), CopyError> {
        let v = match value {
            None => self.to_column_type(None, i).map_err(|mut e| {
                if e.code == "23502" {
                    e.line_text = Some(String::from_utf8_lossy(line).into_owned());
                }
                e
            })?,
            Some(bytes) => {
                let field = self.schema.field(i);
                let text = std::str::from_utf8(bytes).map_err(|e| CopyError {
                    code: "22021",
                    message: PgTypeError::bad_utf8(bytes, &e).to_string(),
                    line: self.line,
                    column: Some(field.name().clone()),
                    value: None,
                    line_text: None,
                })?;
                if self.columns.get_mut(i).is_some_and(|c| c.push_fast(text)) {
                    return Ok(());
                }
                let col = self
                    .cols
                    .get(i)
                    .ok_or_else(|| self.internal("no such column".into()))?;
                let parsed = parse_text(text, col, &self.ctx)
                    .map_err(|e| self.value_error(e, i, Some(text.to_string())))?;
                self.to_column_type(Some(parsed), i)?
            }
        };
        self.push_scalar(i, v)
    }

    fn push_scalar(&mut self, i: usize, v: ScalarValue) -> Result<(), CopyError> {
        let pushed = match self.columns.get_mut(i) {
            Some(c) => c.push_scalar(v).map_err(|e| e.0),
            None => Err("no such column".to_string()),
        };
        pushed.map_err(|e| self.internal(e))
    }

    fn value_error(&self, e: PgTypeError, col: usize, value: Option<String>) -> CopyError {
        CopyError {
            code: e.sqlstate(),
            message: e.to_string(),
            line: self.line,
            column: Some(self.schema.field(col).name().clone()),
            value,
            line_text: None,
        }
    }

    /// Casts a parsed value to the column's Arrow type and enforces NOT NULL.
    fn to_column_type(&self, v: Option<ScalarValue>, i: usize) -> Result<ScalarValue, CopyError> {
        let field = self.schema.field(i);
        let dt = field.data_type();
        match v {
            None => {
                if !field.is_nullable() {
                    let table = self.table.as_deref().unwrap_or("?");
                    return Err(CopyError {
                        code: "23502",
                        message: format!(
                            "null value in column \"{}\" of relation \"{table}\" violates not-null constraint",
                            field.name()
                        ),
                        line: self.line,
                        column: None,
                        value: None,
                        line_text: None,
                    });
                }
                ScalarValue::try_from(dt).map_err(|e| {
                    self.value_error(PgTypeError::FeatureNotSupported(e.to_string()), i, None)
                })
            }
            Some(s) if s.data_type() == *dt => Ok(s),
            Some(s) => s.cast_to(dt).map_err(|_| {
                let err = if matches!(
                    dt,
                    datafusion::arrow::datatypes::DataType::Decimal128(..)
                        | datafusion::arrow::datatypes::DataType::Decimal256(..)
                ) {
                    PgTypeError::NumericOverflow
                } else {
                    PgTypeError::FeatureNotSupported(format!(
                        "cannot store a {} value in a column of Arrow type {dt}",
                        s.data_type()
                    ))
                };
                self.value_error(err, i, None)
            }),
        }
    }

    /// The column a truncated binary tuple stopped in (PostgreSQL names it in the context).
    fn partial_column(&self) -> Option<String> {
        let b = &self.buf;
        if b.len() < 2 {
            return None;
        }
        let mut p = 2;
        for i in 0..self.cols.len() {
            if b.len() < p + 4 {
                return Some(self.schema.field(i).name().clone());
            }
            let len = read_i32(b, p);
            p += 4;
            if len > 0 {
                p += len as usize;
                if b.len() < p {
                    return Some(self.schema.field(i).name().clone());
                }
            }
        }
        None
    }

    fn push_row(&mut self, values: Vec<ScalarValue>) -> Result<(), CopyError> {
        for (i, v) in values.into_iter().enumerate() {
            self.push_scalar(i, v)?;
        }
        self.rows += 1;
        Ok(())
    }

    // -----------------------------------------------------------------------------------
    // binary

    fn decode_binary(&mut self, at_eof: bool) -> Result<usize, CopyError> {
        let mut pos = 0;
        if !self.header_done {
            let b = &self.buf;
            let sig_len = BINARY_SIGNATURE.len();
            let have = b.len().min(sig_len);
            if b[..have] != BINARY_SIGNATURE[..have] {
                return Err(bad_format("COPY file signature not recognized", 1));
            }
            if b.len() < sig_len + 8 {
                if at_eof {
                    let msg = if b.len() < sig_len {
                        "COPY file signature not recognized"
                    } else if b.len() < sig_len + 4 {
                        "invalid COPY file header (missing flags)"
                    } else {
                        "invalid COPY file header (missing length)"
                    };
                    return Err(bad_format(msg, 1));
                }
                return Ok(0);
            }
            let flags = read_i32(b, sig_len);
            if flags & (1 << 16) != 0 {
                return Err(bad_format("invalid COPY file header (WITH OIDS)", 1));
            }
            if flags & !0xffff & !(1 << 16) != 0 {
                return Err(bad_format(
                    "unrecognized critical flags in COPY file header",
                    1,
                ));
            }
            let ext = read_i32(b, sig_len + 4);
            if ext < 0 {
                return Err(bad_format("invalid COPY file header (missing length)", 1));
            }
            let total = sig_len + 8 + ext as usize;
            if b.len() < total {
                if at_eof {
                    return Err(bad_format("invalid COPY file header (wrong length)", 1));
                }
                return Ok(0);
            }
            pos = total;
            self.header_done = true;
        }
        let ncols = self.cols.len();
        loop {
            let b = &self.buf;
            if b.len() < pos + 2 {
                break;
            }
            let count = i16::from_be_bytes([b[pos], b[pos + 1]]);
            if count == -1 {
                self.ended = true;
                pos += 2;
                if pos < b.len() {
                    return Err(bad_format(
                        "received copy data after EOF marker",
                        self.line + 1,
                    ));
                }
                break;
            }
            let line = self.line + 1;
            if count as usize != ncols || count < 0 {
                return Err(bad_format(
                    format!("row field count is {count}, expected {ncols}"),
                    line,
                ));
            }
            // Check the whole tuple is present before decoding any field.
            let mut p = pos + 2;
            let mut spans = Vec::with_capacity(ncols);
            let mut complete = true;
            for _ in 0..ncols {
                if b.len() < p + 4 {
                    complete = false;
                    break;
                }
                let len = read_i32(b, p);
                p += 4;
                if len == -1 {
                    spans.push(None);
                    continue;
                }
                if len < 0 {
                    return Err(bad_format("invalid field size", line));
                }
                let len = len as usize;
                if b.len() < p + len {
                    complete = false;
                    break;
                }
                spans.push(Some((p, p + len)));
                p += len;
            }
            if !complete {
                break;
            }
            self.line = line;
            let mut values = Vec::with_capacity(ncols);
            for (i, span) in spans.into_iter().enumerate() {
                let v = match span {
                    None => None,
                    Some((s, e)) => Some(
                        parse_binary(&self.buf[s..e], &self.cols[i])
                            .map_err(|err| self.value_error(err, i, None))?,
                    ),
                };
                values.push(self.to_column_type(v, i)?);
            }
            self.push_row(values)?;
            pos = p;
        }
        Ok(pos)
    }
}

fn read_i32(b: &[u8], at: usize) -> i32 {
    match b.get(at..at + 4) {
        Some(&[a, b2, c, d]) => i32::from_be_bytes([a, b2, c, d]),
        _ => 0,
    }
}

/// Text format's end marker: an unescaped `\\.` must end the line (data before it is the
/// last row); `Some(Ok(len))` gives the data length before it, `Some(Err)` a corrupt marker.
fn end_marker(line: &[u8]) -> Option<Result<usize, ()>> {
    let mut i = 0;
    while i < line.len() {
        if line[i] == b'\\' {
            if line.get(i + 1) == Some(&b'.') {
                return Some(if i + 2 == line.len() { Ok(i) } else { Err(()) });
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}

/// CopyReadAttributesText's de-escaping: `\b \f \n \r \t \v`, octal `\ooo`, hex `\xhh`,
/// and any other escaped byte as itself.
fn unescape_text(raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c != b'\\' || i + 1 >= raw.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = raw[i + 1];
        i += 2;
        match e {
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match raw.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            b'x' => {
                let hex = |c: Option<&u8>| c.and_then(|c| (*c as char).to_digit(16));
                match hex(raw.get(i)) {
                    Some(h) => {
                        let mut v = h;
                        i += 1;
                        if let Some(l) = hex(raw.get(i)) {
                            v = v * 16 + l;
                            i += 1;
                        }
                        out.push(v as u8);
                    }
                    None => out.push(b'x'),
                }
            }
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            other => out.push(other),
        }
    }
}

/// Finds the end of the line starting at `from`; returns (content end, next line start).
/// Text: a backslash protects the next byte. CSV: line ends inside quotes are data.
fn find_line_end(b: &[u8], from: usize, opts: &CopyOptions) -> Option<(usize, usize)> {
    let csv = opts.format == CopyFormat::Csv;
    let mut in_quote = false;
    let mut i = from;
    while i < b.len() {
        let c = b[i];
        if csv {
            if in_quote {
                if c == opts.escape && opts.escape != opts.quote {
                    if b.get(i + 1) == Some(&opts.quote) || b.get(i + 1) == Some(&opts.escape) {
                        i += 2;
                        continue;
                    }
                } else if c == opts.quote {
                    in_quote = false;
                }
                i += 1;
                continue;
            }
            if c == opts.quote {
                in_quote = true;
                i += 1;
                continue;
            }
        } else if c == b'\\' {
            if i + 1 >= b.len() {
                return None;
            }
            i += 2;
            continue;
        }
        if c == b'\n' {
            return Some((i, i + 1));
        }
        if c == b'\r' {
            match b.get(i + 1) {
                None => return None,
                Some(b'\n') => return Some((i, i + 2)),
                Some(_) => return Some((i, i + 1)),
            }
        }
        i += 1;
    }
    None
}

/// The bounds of the line's fields, split on delimiters not protected by a backslash.
fn text_spans(line: &[u8], delim: u8, spans: &mut Vec<(usize, usize)>) {
    spans.clear();
    let mut start = 0;
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            c if c == delim => {
                spans.push((start, i));
                i += 1;
                start = i;
            }
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    spans.push((start, line.len()));
}
