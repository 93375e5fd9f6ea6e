//! PostgreSQL binary output (typsend functions) for Arrow values.

use bytes::{BufMut, BytesMut};
use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::Field;
use postgres_types::Type;

use super::PgTypeError;
use super::datetime::{UNIX_TO_PG_DAYS, UNIX_TO_PG_USECS, USECS_PER_DAY};
use super::datum::{Datum, datum_at};
use super::mapping::{PgColumnType, pg_type_of};
use super::settings::FormatSettings;
use super::text_in::{parse_inet, parse_timetz, parse_uuid};
use super::text_out::{TextCtx, decimal_of, put_text};

/// Appends the PostgreSQL binary form of `array[row]` to `out`; returns `false` (writing
/// nothing) for NULL.
pub fn encode_binary(
    array: &dyn Array,
    row: usize,
    col: &PgColumnType,
    out: &mut BytesMut,
) -> Result<bool, PgTypeError> {
    match datum_at(array, row)? {
        None => Ok(false),
        Some(d) => {
            put_binary(&d, col, &binary_ctx(), out)?;
            Ok(true)
        }
    }
}

/// Binary output of text-like types goes through the text encoder with fixed settings
/// (binary format is independent of the session's GUCs).
pub(crate) fn binary_ctx() -> TextCtx {
    TextCtx::new(&FormatSettings::default())
}

fn cannot(d: &Datum<'_>, col: &PgColumnType) -> PgTypeError {
    let kind = match d {
        Datum::Bool(_) => "boolean",
        Datum::Int(_) | Datum::UInt(_) => "integer",
        Datum::F32(_) | Datum::F64(_) => "float",
        Datum::Dec128(..) | Datum::Dec256(..) => "decimal",
        Datum::Str(_) => "string",
        Datum::Bytes(_) => "binary",
        Datum::Date(_) => "date",
        Datum::Time(_) => "time",
        Datum::Timestamp(_) => "timestamp",
        Datum::Interval(..) => "interval",
        Datum::List(_) => "list",
        Datum::Struct(..) => "struct",
    };
    PgTypeError::FeatureNotSupported(format!(
        "cannot send a {kind} value as type {}",
        col.ty.name()
    ))
}

fn out_of_range(col: &PgColumnType, v: impl ToString) -> PgTypeError {
    PgTypeError::NumericOutOfRange {
        ty: col.sql_name().to_string(),
        value: v.to_string(),
    }
}

fn as_i64(d: &Datum<'_>, col: &PgColumnType) -> Result<i64, PgTypeError> {
    match d {
        Datum::Int(v) => Ok(*v),
        Datum::UInt(v) => i64::try_from(*v).map_err(|_| out_of_range(col, v)),
        Datum::Bool(b) => Ok(i64::from(*b)),
        Datum::Dec128(v, _, 0) => i64::try_from(*v).map_err(|_| out_of_range(col, v)),
        Datum::Str(s) => s
            .trim()
            .parse()
            .map_err(|_| PgTypeError::invalid(col.sql_name(), s)),
        _ => Err(cannot(d, col)),
    }
}

fn as_f64(d: &Datum<'_>, col: &PgColumnType) -> Result<f64, PgTypeError> {
    match d {
        Datum::F64(v) => Ok(*v),
        Datum::F32(v) => Ok(f64::from(*v)),
        Datum::Int(v) => Ok(*v as f64),
        Datum::UInt(v) => Ok(*v as f64),
        Datum::Dec128(..) | Datum::Dec256(..) => {
            let mut b = BytesMut::new();
            put_text(d, &PgColumnType::new(Type::NUMERIC), &binary_ctx(), &mut b)?;
            std::str::from_utf8(&b)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| cannot(d, col))
        }
        _ => Err(cannot(d, col)),
    }
}

fn pg_days(unix_days: i64) -> i32 {
    match unix_days {
        d if d >= i64::from(i32::MAX) => i32::MAX,
        d if d <= i64::from(i32::MIN) => i32::MIN,
        d => (d - UNIX_TO_PG_DAYS).clamp(i64::from(i32::MIN) + 1, i64::from(i32::MAX) - 1) as i32,
    }
}

fn pg_usecs(unix_usecs: i64) -> i64 {
    match unix_usecs {
        i64::MAX | i64::MIN => unix_usecs,
        v => v.saturating_sub(UNIX_TO_PG_USECS),
    }
}

/// regtypesend sends the oid; the server carries `regtype` values (from `pg_typeof`) as the
/// type's printed name, so the name is read back into its built-in type.
fn regtype_oid(name: &str) -> Result<u32, PgTypeError> {
    match name {
        "unknown" => Ok(Type::UNKNOWN.oid()),
        "record" => Ok(Type::RECORD.oid()),
        "void" => Ok(Type::VOID.oid()),
        "\"char\"" => Ok(Type::CHAR.oid()),
        _ => super::mapping::parse_type_name(name).map(|c| c.ty.oid()),
    }
}

/// Writes one non-null value in the binary form of `col`'s type.
pub(crate) fn put_binary(
    d: &Datum<'_>,
    col: &PgColumnType,
    ctx: &TextCtx,
    out: &mut BytesMut,
) -> Result<(), PgTypeError> {
    if let Datum::List(values) = d {
        let elem = col
            .element()
            .unwrap_or_else(|| pg_type_of(&Field::new("item", values.data_type().clone(), true)));
        return put_array_binary(values.as_ref(), &elem, ctx, out);
    }
    if let Datum::Struct(array, row) = d {
        return put_record_binary(array, *row, ctx, out);
    }
    match col.ty {
        Type::BOOL => match d {
            Datum::Bool(b) => out.put_u8(u8::from(*b)),
            Datum::Str(s) => out.put_u8(u8::from(matches!(*s, "t" | "true"))),
            _ => out.put_u8(u8::from(as_i64(d, col)? != 0)),
        },
        Type::INT2 => {
            let v = as_i64(d, col)?;
            out.put_i16(i16::try_from(v).map_err(|_| out_of_range(col, v))?);
        }
        Type::INT4 => {
            let v = as_i64(d, col)?;
            out.put_i32(i32::try_from(v).map_err(|_| out_of_range(col, v))?);
        }
        Type::INT8 => out.put_i64(as_i64(d, col)?),
        Type::REGTYPE => match d {
            Datum::Str(name) => out.put_u32(regtype_oid(name)?),
            _ => {
                let v = as_i64(d, col)?;
                out.put_u32(u32::try_from(v).map_err(|_| out_of_range(col, v))?);
            }
        },
        Type::OID | Type::REGCLASS | Type::REGPROC | Type::REGNAMESPACE | Type::REGROLE => {
            let v = as_i64(d, col)?;
            out.put_u32(u32::try_from(v).map_err(|_| out_of_range(col, v))?);
        }
        Type::FLOAT4 => match d {
            Datum::F32(v) => out.put_f32(*v),
            _ => out.put_f32(as_f64(d, col)? as f32),
        },
        Type::FLOAT8 => out.put_f64(as_f64(d, col)?),
        Type::NUMERIC => {
            let dec = match d {
                Datum::Dec128(..) | Datum::Dec256(..) | Datum::Int(_) | Datum::UInt(_) => {
                    decimal_of(d, col).ok_or_else(|| cannot(d, col))?
                }
                Datum::F32(_) | Datum::F64(_) | Datum::Str(_) => {
                    let mut b = BytesMut::new();
                    put_text(d, &PgColumnType::new(Type::FLOAT8), ctx, &mut b)?;
                    let s = String::from_utf8_lossy(&b).into_owned();
                    if s == "NaN" {
                        out.put_slice(&[0, 0, 0, 0, 0xC0, 0, 0, 0]);
                        return Ok(());
                    }
                    super::numeric::parse_numeric_text(&s)?
                }
                _ => return Err(cannot(d, col)),
            };
            dec.put_binary(out);
        }
        Type::BYTEA => match d {
            Datum::Bytes(b) => out.put_slice(b),
            Datum::Str(s) => out.put_slice(s.as_bytes()),
            _ => return Err(cannot(d, col)),
        },
        Type::DATE => match d {
            Datum::Date(days) => out.put_i32(pg_days(*days)),
            Datum::Timestamp(us) => out.put_i32(pg_days(us.div_euclid(USECS_PER_DAY))),
            _ => return Err(cannot(d, col)),
        },
        Type::TIME => match d {
            Datum::Time(us) => out.put_i64(*us),
            _ => return Err(cannot(d, col)),
        },
        Type::TIMESTAMP | Type::TIMESTAMPTZ => match d {
            Datum::Timestamp(us) => out.put_i64(pg_usecs(*us)),
            Datum::Date(days) => {
                let us = match pg_days(*days) {
                    i32::MAX => i64::MAX,
                    i32::MIN => i64::MIN,
                    pd => i64::from(pd) * USECS_PER_DAY,
                };
                out.put_i64(us);
            }
            _ => return Err(cannot(d, col)),
        },
        Type::INTERVAL => match d {
            Datum::Interval(m, days, us) => {
                out.put_i64(*us);
                out.put_i32(
                    i32::try_from(*days)
                        .map_err(|_| PgTypeError::DateTimeOutOfRange("interval"))?,
                );
                out.put_i32(
                    i32::try_from(*m).map_err(|_| PgTypeError::DateTimeOutOfRange("interval"))?,
                );
            }
            Datum::Time(us) => {
                out.put_i64(*us);
                out.put_i64(0);
            }
            _ => return Err(cannot(d, col)),
        },
        Type::UUID => match d {
            Datum::Bytes(b) if b.len() == 16 => out.put_slice(b),
            Datum::Str(s) => out.put_slice(&parse_uuid(s)?),
            _ => return Err(cannot(d, col)),
        },
        Type::JSONB => {
            out.put_u8(1);
            put_text(d, col, ctx, out)?;
        }
        Type::TIMETZ => match d {
            Datum::Str(s) => {
                let (us, east) = parse_timetz(s)?;
                out.put_i64(us);
                out.put_i32(-east);
            }
            _ => return Err(cannot(d, col)),
        },
        Type::INET | Type::CIDR => match d {
            Datum::Str(s) => {
                let net = parse_inet(s, col.ty == Type::CIDR)?;
                net.put_binary(out);
            }
            _ => return Err(cannot(d, col)),
        },
        // text, varchar, bpchar, name, json, "char", unknown: the text bytes.
        _ => put_text(d, col, ctx, out)?,
    }
    Ok(())
}

/// Shape of a (possibly nested) list: the length of each dimension, if rectangular.
fn array_dims(values: &dyn Array, dims: &mut Vec<i32>) -> Result<(), PgTypeError> {
    let len = i32::try_from(values.len()).map_err(|_| PgTypeError::NumericOverflow)?;
    dims.push(len);
    if let Ok(Some(Datum::List(first))) = datum_at(values, 0) {
        let depth = dims.len();
        array_dims(first.as_ref(), dims)?;
        for i in 1..values.len() {
            let mut sub = Vec::new();
            match datum_at(values, i)? {
                Some(Datum::List(inner)) => array_dims(inner.as_ref(), &mut sub)?,
                _ => return Err(not_rectangular()),
            }
            if sub[..] != dims[depth..] {
                return Err(not_rectangular());
            }
        }
    }
    if dims.len() > 6 {
        return Err(PgTypeError::FeatureNotSupported(
            "number of array dimensions exceeds the maximum allowed (6)".into(),
        ));
    }
    Ok(())
}

fn not_rectangular() -> PgTypeError {
    PgTypeError::FeatureNotSupported(
        "multidimensional arrays must have array expressions with matching dimensions".into(),
    )
}

/// Leaf elements in row-major order.
fn for_each_leaf(
    values: &dyn Array,
    f: &mut dyn FnMut(Option<Datum<'_>>) -> Result<(), PgTypeError>,
) -> Result<(), PgTypeError> {
    for i in 0..values.len() {
        match datum_at(values, i)? {
            Some(Datum::List(inner)) => for_each_leaf(inner.as_ref(), f)?,
            other => f(other)?,
        }
    }
    Ok(())
}

/// array_send: ndim, has-null flag, element oid, (length, lower bound 1) per dimension, then
/// each element as length + bytes.
fn put_array_binary(
    values: &dyn Array,
    elem: &PgColumnType,
    ctx: &TextCtx,
    out: &mut BytesMut,
) -> Result<(), PgTypeError> {
    let mut dims = Vec::new();
    array_dims(values, &mut dims)?;
    if dims.contains(&0) {
        dims.clear();
    }
    let mut has_null = false;
    let mut body = BytesMut::new();
    for_each_leaf(values, &mut |d| {
        match d {
            None => {
                has_null = true;
                body.put_i32(-1);
            }
            Some(d) => {
                let at = body.len();
                body.put_i32(0);
                put_binary(&d, elem, ctx, &mut body)?;
                let len = (body.len() - at - 4) as i32;
                body[at..at + 4].copy_from_slice(&len.to_be_bytes());
            }
        }
        Ok(())
    })?;
    out.put_i32(dims.len() as i32);
    out.put_i32(i32::from(has_null));
    out.put_u32(elem.ty.oid());
    for d in &dims {
        out.put_i32(*d);
        out.put_i32(1);
    }
    if !dims.is_empty() {
        out.put_slice(&body);
    }
    Ok(())
}

/// record_send: field count, then per field its type oid, length and bytes.
fn put_record_binary(
    array: &datafusion::arrow::array::StructArray,
    row: usize,
    ctx: &TextCtx,
    out: &mut BytesMut,
) -> Result<(), PgTypeError> {
    out.put_i32(array.num_columns() as i32);
    for (field, column) in array.fields().iter().zip(array.columns()) {
        let col = pg_type_of(field);
        out.put_u32(col.ty.oid());
        match datum_at(column.as_ref(), row)? {
            None => out.put_i32(-1),
            Some(d) => {
                let at = out.len();
                out.put_i32(0);
                put_binary(&d, &col, ctx, out)?;
                let len = (out.len() - at - 4) as i32;
                out[at..at + 4].copy_from_slice(&len.to_be_bytes());
            }
        }
    }
    Ok(())
}
