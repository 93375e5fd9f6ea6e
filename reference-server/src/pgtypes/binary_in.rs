//! PostgreSQL binary input (typreceive functions): bytes → Arrow scalar.

use std::sync::Arc;

use bytes::BytesMut;
use datafusion::arrow::datatypes::IntervalMonthDayNano;
use datafusion::scalar::ScalarValue;
use postgres_types::Type;

use super::PgTypeError;
use super::datetime::{UNIX_TO_PG_DAYS, UNIX_TO_PG_USECS, put_offset, put_time};
use super::mapping::{PgColumnType, pg_type_to_arrow};
use super::numeric::parse_numeric_binary;
use super::text_in::inet_binary_to_text;
use super::text_out::put_uuid;

fn short() -> PgTypeError {
    PgTypeError::Other {
        code: "08P01",
        message: "insufficient data left in message".into(),
    }
}

fn wrong_len(_ty: &Type) -> PgTypeError {
    PgTypeError::InvalidBinary("incorrect binary data format".into())
}

fn fixed<const N: usize>(b: &[u8], ty: &Type) -> Result<[u8; N], PgTypeError> {
    b.try_into()
        .map_err(|_| if b.len() < N { short() } else { wrong_len(ty) })
}

fn utf8(b: &[u8]) -> Result<String, PgTypeError> {
    String::from_utf8(b.to_vec()).map_err(|e| PgTypeError::bad_utf8(b, &e.utf8_error()))
}

/// Decodes one binary value of `col`'s type.
pub(crate) fn parse_binary(b: &[u8], col: &PgColumnType) -> Result<ScalarValue, PgTypeError> {
    let ty = &col.ty;
    if let Some(elem) = col.element() {
        let mut pos = 0;
        return parse_array_binary(b, &mut pos, &elem);
    }
    Ok(match *ty {
        Type::BOOL => ScalarValue::Boolean(Some(fixed::<1>(b, ty)?[0] != 0)),
        Type::INT2 => ScalarValue::Int16(Some(i16::from_be_bytes(fixed(b, ty)?))),
        Type::INT4 => ScalarValue::Int32(Some(i32::from_be_bytes(fixed(b, ty)?))),
        Type::INT8 => ScalarValue::Int64(Some(i64::from_be_bytes(fixed(b, ty)?))),
        Type::OID => ScalarValue::UInt32(Some(u32::from_be_bytes(fixed(b, ty)?))),
        Type::FLOAT4 => ScalarValue::Float32(Some(f32::from_be_bytes(fixed(b, ty)?))),
        Type::FLOAT8 => ScalarValue::Float64(Some(f64::from_be_bytes(fixed(b, ty)?))),
        Type::NUMERIC => parse_numeric_binary(b)?.to_scalar("numeric", "binary value")?,
        Type::BYTEA => ScalarValue::Binary(Some(b.to_vec())),
        Type::DATE => {
            let d = i32::from_be_bytes(fixed(b, ty)?);
            let unix = match d {
                i32::MAX | i32::MIN => d,
                d => i32::try_from(i64::from(d) + UNIX_TO_PG_DAYS)
                    .map_err(|_| PgTypeError::DateTimeOutOfRange("date"))?,
            };
            ScalarValue::Date32(Some(unix))
        }
        Type::TIME => {
            let us = i64::from_be_bytes(fixed(b, ty)?);
            if !(0..=86_400_000_000).contains(&us) {
                return Err(PgTypeError::DateTimeOutOfRange("time"));
            }
            ScalarValue::Time64Microsecond(Some(us))
        }
        Type::TIMESTAMP | Type::TIMESTAMPTZ => {
            let v = i64::from_be_bytes(fixed(b, ty)?);
            let unix = match v {
                i64::MAX | i64::MIN => v,
                v => v
                    .checked_add(UNIX_TO_PG_USECS)
                    .ok_or(PgTypeError::DateTimeOutOfRange("timestamp"))?,
            };
            let tz = (*ty == Type::TIMESTAMPTZ).then(|| Arc::from("UTC"));
            ScalarValue::TimestampMicrosecond(Some(unix), tz)
        }
        Type::INTERVAL => {
            let raw: [u8; 16] = fixed(b, ty)?;
            let us = i64::from_be_bytes(raw[..8].try_into().map_err(|_| short())?);
            let days = i32::from_be_bytes(raw[8..12].try_into().map_err(|_| short())?);
            let months = i32::from_be_bytes(raw[12..].try_into().map_err(|_| short())?);
            let nanos = us
                .checked_mul(1000)
                .ok_or(PgTypeError::DateTimeOutOfRange("interval"))?;
            ScalarValue::IntervalMonthDayNano(Some(IntervalMonthDayNano::new(months, days, nanos)))
        }
        Type::UUID => {
            let raw: [u8; 16] = fixed(b, ty)?;
            let mut out = BytesMut::with_capacity(36);
            put_uuid(&mut out, &raw);
            ScalarValue::Utf8(Some(String::from_utf8_lossy(&out).into_owned()))
        }
        Type::TIMETZ => {
            let raw: [u8; 12] = fixed(b, ty)?;
            let us = i64::from_be_bytes(raw[..8].try_into().map_err(|_| short())?);
            let west = i32::from_be_bytes(raw[8..].try_into().map_err(|_| short())?);
            if !(0..=86_400_000_000).contains(&us) || !(-57_599..=57_599).contains(&west) {
                return Err(PgTypeError::DateTimeOutOfRange("time"));
            }
            let mut out = BytesMut::new();
            put_time(&mut out, us);
            put_offset(&mut out, -west);
            ScalarValue::Utf8(Some(String::from_utf8_lossy(&out).into_owned()))
        }
        Type::JSONB => {
            let (version, rest) = b.split_first().ok_or_else(short)?;
            if *version != 1 {
                return Err(PgTypeError::InvalidBinary(format!(
                    "unsupported jsonb version number {version}"
                )));
            }
            ScalarValue::Utf8(Some(super::jsonb::normalize(&utf8(rest)?)?))
        }
        Type::JSON => {
            let s = utf8(b)?;
            super::jsonb::normalize(&s)?;
            ScalarValue::Utf8(Some(s))
        }
        Type::INET | Type::CIDR => {
            ScalarValue::Utf8(Some(inet_binary_to_text(b, *ty == Type::CIDR)?))
        }
        Type::BPCHAR => ScalarValue::Utf8(Some(utf8(b)?)),
        _ => ScalarValue::Utf8(Some(utf8(b)?)),
    })
}

fn read_i32(b: &[u8], pos: &mut usize) -> Result<i32, PgTypeError> {
    let raw = b.get(*pos..*pos + 4).ok_or_else(short)?;
    *pos += 4;
    Ok(i32::from_be_bytes(raw.try_into().map_err(|_| short())?))
}

/// array_recv: header, dimensions, then elements (nested lists for multiple dimensions).
fn parse_array_binary(
    b: &[u8],
    pos: &mut usize,
    elem: &PgColumnType,
) -> Result<ScalarValue, PgTypeError> {
    let elem_arrow = pg_type_to_arrow(elem)?;
    let ndim = read_i32(b, pos)?;
    let flags = read_i32(b, pos)?;
    let elem_oid = read_i32(b, pos)? as u32;
    if !(0..=6).contains(&ndim) {
        return Err(PgTypeError::InvalidBinary(format!(
            "invalid number of dimensions: {ndim}"
        )));
    }
    if flags != 0 && flags != 1 {
        return Err(PgTypeError::InvalidBinary("invalid array flags".into()));
    }
    if elem_oid != elem.ty.oid() {
        return Err(PgTypeError::InvalidBinary(format!(
            "binary data has array element type {elem_oid} instead of expected {}",
            elem.ty.oid()
        )));
    }
    let mut dims = Vec::new();
    let mut total: u64 = 1;
    for _ in 0..ndim {
        let len = read_i32(b, pos)?;
        let _lbound = read_i32(b, pos)?;
        if len < 0 {
            return Err(PgTypeError::InvalidBinary(
                "array size exceeds the maximum allowed".into(),
            ));
        }
        total = total.saturating_mul(len as u64);
        dims.push(len as usize);
    }
    // Every element needs at least its 4-byte length, which bounds the allocation.
    if ndim > 0 && total > (b.len() as u64) / 4 {
        return Err(short());
    }
    if ndim == 0 {
        return Ok(ScalarValue::List(ScalarValue::new_list_nullable(
            &[],
            &elem_arrow,
        )));
    }
    let mut leaves = Vec::with_capacity(total as usize);
    for _ in 0..total {
        let len = read_i32(b, pos)?;
        if len == -1 {
            leaves.push(ScalarValue::try_from(&elem_arrow).map_err(|_| short())?);
            continue;
        }
        let len = usize::try_from(len).map_err(|_| short())?;
        let raw = b.get(*pos..*pos + len).ok_or_else(short)?;
        *pos += len;
        leaves.push(super::text_in::coerce(
            parse_binary(raw, elem)?,
            &elem_arrow,
        )?);
    }
    if *pos != b.len() {
        return Err(PgTypeError::InvalidBinary(
            "incorrect binary data format in array".into(),
        ));
    }
    Ok(nest(leaves, &dims, &elem_arrow))
}

/// Groups row-major leaves into nested lists following `dims`.
fn nest(
    leaves: Vec<ScalarValue>,
    dims: &[usize],
    elem: &datafusion::arrow::datatypes::DataType,
) -> ScalarValue {
    match dims {
        [] | [_] => ScalarValue::List(ScalarValue::new_list_nullable(&leaves, elem)),
        [_, inner @ ..] => {
            let chunk: usize = inner.iter().product();
            let mut groups = Vec::new();
            let mut iter = leaves.into_iter();
            loop {
                let part: Vec<ScalarValue> = iter.by_ref().take(chunk.max(1)).collect();
                if part.is_empty() {
                    break;
                }
                groups.push(nest(part, inner, elem));
            }
            let item_type = groups
                .first()
                .map(|g| g.data_type())
                .unwrap_or_else(|| elem.clone());
            ScalarValue::List(ScalarValue::new_list_nullable(&groups, &item_type))
        }
    }
}
