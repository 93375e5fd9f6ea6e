//! COPY TO: rows rendered as one CopyData payload per batch.

use bytes::{BufMut, Bytes, BytesMut};
use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::record_batch::RecordBatch;

use super::BINARY_SIGNATURE;
use super::options::{CopyFormat, CopyOptions, ForceQuote};
use crate::pgtypes::PgTypeError;
use crate::pgtypes::binary_out::{binary_ctx, put_binary};
use crate::pgtypes::datum::datum_at;
use crate::pgtypes::mapping::PgColumnType;
use crate::pgtypes::settings::FormatSettings;
use crate::pgtypes::text_out::{TextCtx, put_text};

/// What precedes the rows: the binary signature and header, or the HEADER line.
pub fn copy_out_header(opts: &CopyOptions, schema: &Schema) -> Option<Bytes> {
    match opts.format {
        CopyFormat::Binary => {
            let mut b = BytesMut::with_capacity(19);
            b.put_slice(BINARY_SIGNATURE);
            b.put_i32(0); // flags
            b.put_i32(0); // header extension length
            Some(b.freeze())
        }
        _ if !opts.header => None,
        format => {
            let mut b = BytesMut::new();
            let single = schema.fields().len() == 1;
            for (i, f) in schema.fields().iter().enumerate() {
                if i > 0 {
                    b.put_u8(opts.delimiter);
                }
                if format == CopyFormat::Csv {
                    put_csv(&mut b, f.name().as_bytes(), false, single, opts);
                } else {
                    put_text_escaped(&mut b, f.name().as_bytes(), opts.delimiter);
                }
            }
            b.put_u8(b'\n');
            Some(b.freeze())
        }
    }
}

/// What follows the rows: the binary trailer (-1 field count); nothing for text and csv.
pub fn copy_out_trailer(opts: &CopyOptions) -> Option<Bytes> {
    (opts.format == CopyFormat::Binary).then(|| Bytes::from_static(&[0xff, 0xff]))
}

/// All rows of `batch` in the COPY format.
pub fn copy_out_batch(
    batch: &RecordBatch,
    cols: &[PgColumnType],
    opts: &CopyOptions,
    s: &FormatSettings,
) -> Result<Bytes, PgTypeError> {
    Ok(copy_out_rows(batch, cols, opts, s)?.concat().into())
}

/// The rows of `batch` in the COPY format, one payload per row: PostgreSQL sends each row
/// as its own CopyData message.
pub fn copy_out_rows(
    batch: &RecordBatch,
    cols: &[PgColumnType],
    opts: &CopyOptions,
    s: &FormatSettings,
) -> Result<Vec<Bytes>, PgTypeError> {
    if cols.len() != batch.num_columns() {
        return Err(PgTypeError::FeatureNotSupported(format!(
            "{} column types given for {} columns",
            cols.len(),
            batch.num_columns()
        )));
    }
    let mut out = BytesMut::with_capacity(batch.num_rows() * (8 * cols.len() + 1));
    let mut ends = Vec::with_capacity(batch.num_rows());
    match opts.format {
        CopyFormat::Binary => binary_rows(batch, cols, &mut out, &mut ends)?,
        CopyFormat::Text | CopyFormat::Csv => text_rows(batch, cols, opts, s, &mut out, &mut ends)?,
    }
    let mut out = out.freeze();
    let mut start = 0;
    let mut rows = Vec::with_capacity(ends.len());
    for end in ends {
        rows.push(out.split_to(end - start));
        start = end;
    }
    Ok(rows)
}

fn binary_rows(
    batch: &RecordBatch,
    cols: &[PgColumnType],
    out: &mut BytesMut,
    ends: &mut Vec<usize>,
) -> Result<(), PgTypeError> {
    let ctx = binary_ctx();
    let n = i16::try_from(cols.len())
        .map_err(|_| PgTypeError::FeatureNotSupported("too many columns".into()))?;
    for row in 0..batch.num_rows() {
        out.put_i16(n);
        for (col, array) in cols.iter().zip(batch.columns()) {
            match datum_at(array.as_ref(), row)? {
                None => out.put_i32(-1),
                Some(d) => {
                    let at = out.len();
                    out.put_i32(0);
                    put_binary(&d, col, &ctx, out)?;
                    let len = i32::try_from(out.len() - at - 4)
                        .map_err(|_| PgTypeError::FeatureNotSupported("value too large".into()))?;
                    out[at..at + 4].copy_from_slice(&len.to_be_bytes());
                }
            }
        }
        ends.push(out.len());
    }
    Ok(())
}

fn text_rows(
    batch: &RecordBatch,
    cols: &[PgColumnType],
    opts: &CopyOptions,
    s: &FormatSettings,
    out: &mut BytesMut,
    ends: &mut Vec<usize>,
) -> Result<(), PgTypeError> {
    let ctx = TextCtx::new(s);
    let schema = batch.schema();
    let force: Vec<bool> = schema
        .fields()
        .iter()
        .map(|f| match &opts.force_quote {
            ForceQuote::None => false,
            ForceQuote::All => true,
            ForceQuote::Columns(names) => names.iter().any(|n| n == f.name()),
        })
        .collect();
    let csv = opts.format == CopyFormat::Csv;
    let single = cols.len() == 1;
    let mut scratch = BytesMut::new();
    for row in 0..batch.num_rows() {
        for (i, (col, array)) in cols.iter().zip(batch.columns()).enumerate() {
            if i > 0 {
                out.put_u8(opts.delimiter);
            }
            match datum_at(array.as_ref(), row)? {
                None => out.put_slice(opts.null.as_bytes()),
                Some(d) => {
                    scratch.clear();
                    put_text(&d, col, &ctx, &mut scratch)?;
                    if csv {
                        put_csv(out, &scratch, force[i], single, opts);
                    } else {
                        put_text_escaped(out, &scratch, opts.delimiter);
                    }
                }
            }
        }
        out.put_u8(b'\n');
        ends.push(out.len());
    }
    Ok(())
}

/// CopyAttributeOutText: backslash-escape the delimiter, backslash and the control
/// characters that have a letter escape; other bytes pass through.
fn put_text_escaped(out: &mut BytesMut, s: &[u8], delim: u8) {
    let mut start = 0;
    for (i, &c) in s.iter().enumerate() {
        let esc = match c {
            0x08 => Some(b'b'),
            0x0c => Some(b'f'),
            b'\n' => Some(b'n'),
            b'\r' => Some(b'r'),
            b'\t' => Some(b't'),
            0x0b => Some(b'v'),
            b'\\' => Some(b'\\'),
            c if c == delim => Some(c),
            _ => None,
        };
        if let Some(e) = esc {
            out.put_slice(&s[start..i]);
            out.put_u8(b'\\');
            out.put_u8(e);
            start = i + 1;
        }
    }
    out.put_slice(&s[start..]);
}

/// CopyAttributeOutCSV: quote when forced, when the value equals the NULL string, when it
/// holds the delimiter, quote, CR or LF, or when a lone column's value is `\.`.
fn put_csv(out: &mut BytesMut, s: &[u8], force: bool, single: bool, opts: &CopyOptions) {
    let needs = force
        || s == opts.null.as_bytes()
        || (single && s == b"\\.")
        || s.iter()
            .any(|&c| c == opts.delimiter || c == opts.quote || c == b'\n' || c == b'\r');
    if !needs {
        out.put_slice(s);
        return;
    }
    out.put_u8(opts.quote);
    for &c in s {
        if c == opts.quote || c == opts.escape {
            out.put_u8(opts.escape);
        }
        out.put_u8(c);
    }
    out.put_u8(opts.quote);
}
