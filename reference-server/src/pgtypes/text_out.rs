//! PostgreSQL text output (typoutput functions) for Arrow values.

use bytes::{BufMut, BytesMut};
use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::DataType;
use postgres_types::Type;

use super::PgTypeError;
use super::datetime::{IntervalStyle, put_date, put_interval, put_time, put_timestamp};
use super::datum::{Datum, datum_at};
use super::float::{put_f32, put_f64};
use super::mapping::{PgColumnType, pg_type_of};
use super::numeric::{DecimalText, QUOTIENT};
use super::settings::{FormatSettings, SessionTz};

/// The settings in the form the encoders use (the time zone parsed once).
#[derive(Debug, Clone)]
pub(crate) struct TextCtx {
    pub tz: SessionTz,
    pub interval_style: IntervalStyle,
    pub extra_float_digits: i32,
    pub bytea_hex: bool,
}

impl TextCtx {
    /// An unknown time zone falls back to UTC (the session layer validates `SET TimeZone`).
    pub fn new(s: &FormatSettings) -> Self {
        TextCtx {
            tz: SessionTz::parse(&s.time_zone).unwrap_or(SessionTz::Fixed(0)),
            interval_style: IntervalStyle::parse(&s.interval_style),
            extra_float_digits: s.extra_float_digits,
            bytea_hex: !s.bytea_output.eq_ignore_ascii_case("escape"),
        }
    }
}

/// Appends the PostgreSQL text form of `array[row]` to `out`; returns `false` (writing
/// nothing) for NULL.
pub fn encode_text(
    array: &dyn Array,
    row: usize,
    col: &PgColumnType,
    s: &FormatSettings,
    out: &mut BytesMut,
) -> Result<bool, PgTypeError> {
    encode_text_ctx(array, row, col, &TextCtx::new(s), out)
}

pub(crate) fn encode_text_ctx(
    array: &dyn Array,
    row: usize,
    col: &PgColumnType,
    ctx: &TextCtx,
    out: &mut BytesMut,
) -> Result<bool, PgTypeError> {
    match datum_at(array, row)? {
        None => Ok(false),
        Some(d) => {
            put_text(&d, col, ctx, out)?;
            Ok(true)
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn put_bytea(out: &mut BytesMut, b: &[u8], hex: bool) {
    if hex {
        out.reserve(2 + 2 * b.len());
        out.put_slice(b"\\x");
        for &c in b {
            out.put_u8(HEX[(c >> 4) as usize]);
            out.put_u8(HEX[(c & 15) as usize]);
        }
        return;
    }
    for &c in b {
        match c {
            b'\\' => out.put_slice(b"\\\\"),
            0x20..=0x7e => out.put_u8(c),
            _ => {
                out.put_u8(b'\\');
                out.put_u8(b'0' + (c >> 6));
                out.put_u8(b'0' + ((c >> 3) & 7));
                out.put_u8(b'0' + (c & 7));
            }
        }
    }
}

pub(crate) fn put_uuid(out: &mut BytesMut, b: &[u8]) {
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.put_u8(b'-');
        }
        out.put_u8(HEX[(c >> 4) as usize]);
        out.put_u8(HEX[(c & 15) as usize]);
    }
}

/// The decimal form of a numeric datum. Values in unconstrained-numeric storage
/// (Decimal128(38, 10)) print without the storage scale's trailing zeros when the column
/// type is unconstrained `numeric`.
pub(crate) fn decimal_of(d: &Datum<'_>, col: &PgColumnType) -> Option<DecimalText> {
    let storage = |p: u8, s: i8| {
        col.typmod < 0 && DataType::Decimal128(p, s) == super::mapping::UNCONSTRAINED_NUMERIC
    };
    match d {
        Datum::Dec128(v, p, s) if storage(*p, *s) => Some(DecimalText::from_i128(*v, *s).trim()),
        Datum::Dec128(v, p, s) if col.typmod < 0 && DataType::Decimal128(*p, *s) == QUOTIENT => {
            Some(super::numeric::quotient_text(*v))
        }
        Datum::Dec128(v, _, s) => Some(DecimalText::from_i128(*v, *s)),
        Datum::Dec256(v, s) => Some(DecimalText::from_i256(*v, *s)),
        Datum::Int(v) => Some(DecimalText::from_i64(*v)),
        Datum::UInt(v) => Some(DecimalText::from_i128(i128::from(*v), 0)),
        _ => None,
    }
}

/// Writes one non-null value in the text form of `col`'s type.
pub(crate) fn put_text(
    d: &Datum<'_>,
    col: &PgColumnType,
    ctx: &TextCtx,
    out: &mut BytesMut,
) -> Result<(), PgTypeError> {
    match (&col.ty, d) {
        (&Type::FLOAT4, Datum::F64(v)) => put_f32(out, *v as f32, ctx.extra_float_digits),
        (&Type::FLOAT8, Datum::F32(v)) => put_f64(out, f64::from(*v), ctx.extra_float_digits),
        (&Type::NUMERIC, _) if decimal_of(d, col).is_some() => {
            if let Some(dec) = decimal_of(d, col) {
                dec.put_text(out);
            }
        }
        (&Type::BPCHAR, Datum::Str(s)) => {
            out.put_slice(s.as_bytes());
            if let Some(n) = col.char_length() {
                let len = s.chars().count();
                for _ in len..n {
                    out.put_u8(b' ');
                }
            }
        }
        (&Type::UUID, Datum::Bytes(b)) if b.len() == 16 => put_uuid(out, b),
        (&Type::DATE, Datum::Timestamp(us)) => put_date(out, us.div_euclid(86_400_000_000)),
        (&Type::TIMESTAMP | &Type::TIMESTAMPTZ, Datum::Date(days)) => {
            let us = match *days {
                d if d == i64::from(i32::MAX) => i64::MAX,
                d if d == i64::from(i32::MIN) => i64::MIN,
                d => d * 86_400_000_000,
            };
            let tz = (col.ty == Type::TIMESTAMPTZ).then_some(&ctx.tz);
            put_timestamp(out, us, tz);
        }
        (ty, Datum::Timestamp(us)) => {
            let tz = (*ty == Type::TIMESTAMPTZ).then_some(&ctx.tz);
            put_timestamp(out, *us, tz);
        }
        (_, Datum::List(values)) => {
            let elem = col.element().unwrap_or_else(|| {
                let f = datafusion::arrow::datatypes::Field::new(
                    "item",
                    values.data_type().clone(),
                    true,
                );
                pg_type_of(&f)
            });
            if col.ty == Type::INT2_VECTOR || col.ty == Type::OID_VECTOR {
                // int2vectorout/oidvectorout: the numbers separated by spaces, no braces.
                let mut b = BytesMut::new();
                put_array_text(values.as_ref(), &elem, ctx, &mut b)?;
                let inner = b.strip_prefix(b"{").unwrap_or(&b);
                let inner = inner.strip_suffix(b"}").unwrap_or(inner);
                out.extend(inner.iter().map(|&c| if c == b',' { b' ' } else { c }));
            } else {
                put_array_text(values.as_ref(), &elem, ctx, out)?;
            }
        }
        _ => put_natural(d, ctx, out)?,
    }
    Ok(())
}

/// The text form a value has in its own Arrow type's PostgreSQL type.
fn put_natural(d: &Datum<'_>, ctx: &TextCtx, out: &mut BytesMut) -> Result<(), PgTypeError> {
    match d {
        Datum::Bool(b) => out.put_u8(if *b { b't' } else { b'f' }),
        Datum::Int(v) => out.put_slice(itoa::Buffer::new().format(*v).as_bytes()),
        Datum::UInt(v) => out.put_slice(itoa::Buffer::new().format(*v).as_bytes()),
        Datum::F32(v) => put_f32(out, *v, ctx.extra_float_digits),
        Datum::F64(v) => put_f64(out, *v, ctx.extra_float_digits),
        Datum::Dec128(v, _, s) => DecimalText::from_i128(*v, *s).put_text(out),
        Datum::Dec256(v, s) => DecimalText::from_i256(*v, *s).put_text(out),
        Datum::Str(s) => out.put_slice(s.as_bytes()),
        Datum::Bytes(b) => put_bytea(out, b, ctx.bytea_hex),
        Datum::Date(days) => put_date(out, *days),
        Datum::Time(us) => put_time(out, *us),
        Datum::Timestamp(us) => put_timestamp(out, *us, None),
        Datum::Interval(m, d, us) => put_interval(out, *m, *d, *us, ctx.interval_style),
        Datum::List(values) => {
            let f =
                datafusion::arrow::datatypes::Field::new("item", values.data_type().clone(), true);
            put_array_text(values.as_ref(), &pg_type_of(&f), ctx, out)?;
        }
        Datum::Struct(array, row) => put_record_text(array, *row, ctx, out)?,
    }
    Ok(())
}

/// Whether an array element must be double-quoted (array_out's rule).
fn array_needs_quote(s: &[u8]) -> bool {
    s.is_empty()
        || s.eq_ignore_ascii_case(b"NULL")
        || s.iter().any(|&c| {
            matches!(
                c,
                b'"' | b'\\' | b'{' | b'}' | b',' | b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c
            )
        })
}

fn put_quoted(out: &mut BytesMut, s: &[u8], double_quotes_in_quotes: bool) {
    out.put_u8(b'"');
    for &c in s {
        if c == b'"' || c == b'\\' {
            out.put_u8(if double_quotes_in_quotes && c == b'"' {
                b'"'
            } else {
                b'\\'
            });
            if double_quotes_in_quotes && c == b'\\' {
                out.put_u8(b'\\');
                continue;
            }
        }
        out.put_u8(c);
    }
    out.put_u8(b'"');
}

/// `{1,2,NULL}`, nested lists as multi-dimensional arrays.
pub(crate) fn put_array_text(
    values: &dyn Array,
    elem: &PgColumnType,
    ctx: &TextCtx,
    out: &mut BytesMut,
) -> Result<(), PgTypeError> {
    out.put_u8(b'{');
    let mut scratch = BytesMut::new();
    for i in 0..values.len() {
        if i > 0 {
            out.put_u8(b',');
        }
        match datum_at(values, i)? {
            None => out.put_slice(b"NULL"),
            Some(Datum::List(inner)) => put_array_text(inner.as_ref(), elem, ctx, out)?,
            Some(d) => {
                scratch.clear();
                put_text(&d, elem, ctx, &mut scratch)?;
                if array_needs_quote(&scratch) {
                    put_quoted(out, &scratch, false);
                } else {
                    out.put_slice(&scratch);
                }
            }
        }
    }
    out.put_u8(b'}');
    Ok(())
}

/// `(1,"a b",)`: record_out's quoting (doubling quotes and backslashes).
fn put_record_text(
    array: &datafusion::arrow::array::StructArray,
    row: usize,
    ctx: &TextCtx,
    out: &mut BytesMut,
) -> Result<(), PgTypeError> {
    out.put_u8(b'(');
    let mut scratch = BytesMut::new();
    for (i, (field, column)) in array.fields().iter().zip(array.columns()).enumerate() {
        if i > 0 {
            out.put_u8(b',');
        }
        if let Some(d) = datum_at(column.as_ref(), row)? {
            scratch.clear();
            put_text(&d, &pg_type_of(field), ctx, &mut scratch)?;
            let needs = scratch.is_empty()
                || scratch.iter().any(|&c| {
                    matches!(
                        c,
                        b'"' | b'\\'
                            | b'('
                            | b')'
                            | b','
                            | b' '
                            | b'\t'
                            | b'\n'
                            | b'\r'
                            | 0x0b
                            | 0x0c
                    )
                });
            if needs {
                put_quoted(out, &scratch, true);
            } else {
                out.put_slice(&scratch);
            }
        }
    }
    out.put_u8(b')');
    Ok(())
}
