//! Bind parameters (text or binary) → DataFusion scalars of the type the plan expects.

use bytes::Bytes;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::scalar::ScalarValue;
use pgwire::api::Type;
use postgres_types::FromSql;
use postgres_types::Kind;
use rust_decimal::Decimal;

use crate::pgtypes::{FormatSettings, decode_param};
use crate::sql::SqlError;

/// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01).
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;
const PG_EPOCH_DAYS: i32 = 10_957;

/// The Arrow type a parameter of this PostgreSQL type is decoded to when the plan
/// does not say.
pub fn arrow_type(t: &Type) -> DataType {
    match *t {
        Type::BOOL => DataType::Boolean,
        Type::INT2 => DataType::Int16,
        Type::INT4 => DataType::Int32,
        Type::INT8 => DataType::Int64,
        Type::FLOAT4 => DataType::Float32,
        Type::FLOAT8 => DataType::Float64,
        Type::BYTEA => DataType::Binary,
        Type::DATE => DataType::Date32,
        Type::TIMESTAMP => DataType::Timestamp(TimeUnit::Microsecond, None),
        Type::TIMESTAMPTZ => DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into())),
        Type::NUMERIC => DataType::Decimal128(38, 10),
        // Arrays a client declares (pgjdbc's setArray, psycopg's lists) bind as lists.
        _ if matches!(t.kind(), Kind::Array(_)) => {
            crate::pgtypes::pg_type_to_arrow(&crate::pgtypes::PgColumnType::new(t.clone()))
                .unwrap_or(DataType::Utf8)
        }
        _ => DataType::Utf8,
    }
}

/// Decode parameter `index` (0-based). `target` is the type DataFusion inferred for the
/// placeholder.
pub fn decode(
    index: usize,
    value: Option<&Bytes>,
    binary: bool,
    pg: &Type,
    target: Option<&DataType>,
) -> Result<ScalarValue, SqlError> {
    let target = target.cloned().unwrap_or_else(|| arrow_type(pg));
    let Some(bytes) = value else {
        return ScalarValue::try_from(&target).map_err(SqlError::from);
    };
    if matches!(target, DataType::List(_)) && (!binary || matches!(pg.kind(), Kind::Array(_))) {
        // Arrays in text form (node-pg sends `{"1",NULL,"3"}` untyped): Arrow has no cast
        // from text to a list, so the array input function reads them; binary arrays of a
        // declared array type go through the array receive function.
        let ty = match *pg {
            Type::UNKNOWN | Type::TEXT => crate::protocol::rows::pg_type(&target),
            _ => pg.clone(),
        };
        let scalar = decode_param(
            Some(bytes),
            i16::from(binary),
            &ty,
            &FormatSettings::default(),
        )
        .map_err(SqlError::from)?;
        if scalar.data_type() == target {
            return Ok(scalar);
        }
        return scalar.cast_to(&target).map_err(SqlError::from);
    }
    let scalar = if binary {
        check_binary_length(index, bytes, pg)?;
        decode_binary(bytes, pg)?
    } else {
        if let Some(v) = plain_int(bytes, &target) {
            return v;
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|_| SqlError::new("22021", "invalid byte sequence for encoding \"UTF8\""))?;
        ScalarValue::Utf8(Some(text.to_owned()))
    };
    if scalar.data_type() == target {
        return Ok(scalar);
    }
    scalar.cast_to(&target).map_err(|_| {
        let shown = match &scalar {
            ScalarValue::Utf8(Some(s)) => s.clone(),
            other => other.to_string(),
        };
        SqlError::new(
            "22P02",
            format!(
                "invalid input syntax for type {}: \"{shown}\"",
                pg_name(&target, pg)
            ),
        )
    })
}

/// A text integer parameter parsed as PostgreSQL's int2/int4/int8 input does (blanks around
/// it, an optional sign, digits): directly, since it is the key of nearly every prepared
/// point lookup and Arrow's string cast costs more than the lookup, and with PostgreSQL's
/// 22003 for a value out of the type's range. Other forms take the general cast.
fn plain_int(bytes: &[u8], target: &DataType) -> Option<Result<ScalarValue, SqlError>> {
    let (name, min, max) = match target {
        DataType::Int16 => ("smallint", i64::from(i16::MIN), i64::from(i16::MAX)),
        DataType::Int32 => ("integer", i64::from(i32::MIN), i64::from(i32::MAX)),
        DataType::Int64 => ("bigint", i64::MIN, i64::MAX),
        _ => return None,
    };
    let text = std::str::from_utf8(bytes).ok()?;
    let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let digits = trimmed.strip_prefix(['-', '+']).unwrap_or(trimmed);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let Some(v) = trimmed
        .parse::<i64>()
        .ok()
        .filter(|v| (min..=max).contains(v))
    else {
        return Some(Err(SqlError::new(
            "22003",
            format!("value \"{text}\" is out of range for type {name}"),
        )));
    };
    Some(Ok(match target {
        DataType::Int16 => ScalarValue::Int16(i16::try_from(v).ok()),
        DataType::Int32 => ScalarValue::Int32(i32::try_from(v).ok()),
        _ => ScalarValue::Int64(Some(v)),
    }))
}

fn pg_name(target: &DataType, pg: &Type) -> String {
    if *pg == Type::UNKNOWN || *pg == Type::TEXT {
        crate::protocol::rows::pg_type(target).name().to_owned()
    } else {
        pg.name().to_owned()
    }
    .replace("int4", "integer")
    .replace("int8", "bigint")
    .replace("int2", "smallint")
    .replace("float8", "double precision")
    .replace("float4", "real")
    .replace("bool", "boolean")
}

/// PostgreSQL's receive functions read fixed-size values from the message: too few
/// bytes is a protocol error, bytes left over a bad binary representation.
fn check_binary_length(index: usize, bytes: &[u8], pg: &Type) -> Result<(), SqlError> {
    let width = match *pg {
        Type::BOOL => 1,
        Type::INT2 => 2,
        Type::INT4 | Type::FLOAT4 | Type::DATE => 4,
        Type::INT8 | Type::FLOAT8 | Type::TIMESTAMP | Type::TIMESTAMPTZ => 8,
        _ => return Ok(()),
    };
    match bytes.len().cmp(&width) {
        std::cmp::Ordering::Less => {
            Err(SqlError::new("08P01", "insufficient data left in message"))
        }
        std::cmp::Ordering::Greater => Err(SqlError::new(
            "22P03",
            format!(
                "incorrect binary data format in bind parameter {}",
                index + 1
            ),
        )),
        std::cmp::Ordering::Equal => Ok(()),
    }
}

fn decode_binary(bytes: &[u8], pg: &Type) -> Result<ScalarValue, SqlError> {
    let bad = |e: Box<dyn std::error::Error + Sync + Send>| {
        SqlError::new(
            "22P03",
            format!("incorrect binary data format in bind parameter: {e}"),
        )
    };
    Ok(match *pg {
        Type::BOOL => ScalarValue::Boolean(Some(bool::from_sql(pg, bytes).map_err(bad)?)),
        Type::INT2 => ScalarValue::Int16(Some(i16::from_sql(pg, bytes).map_err(bad)?)),
        Type::INT4 => ScalarValue::Int32(Some(i32::from_sql(pg, bytes).map_err(bad)?)),
        Type::INT8 => ScalarValue::Int64(Some(i64::from_sql(pg, bytes).map_err(bad)?)),
        Type::FLOAT4 => ScalarValue::Float32(Some(f32::from_sql(pg, bytes).map_err(bad)?)),
        Type::FLOAT8 => ScalarValue::Float64(Some(f64::from_sql(pg, bytes).map_err(bad)?)),
        Type::BYTEA => ScalarValue::Binary(Some(bytes.to_vec())),
        Type::DATE => {
            let days = i32::from_sql(&Type::INT4, bytes).map_err(bad)?;
            ScalarValue::Date32(Some(days.saturating_add(PG_EPOCH_DAYS)))
        }
        Type::TIMESTAMP | Type::TIMESTAMPTZ => {
            let micros = i64::from_sql(&Type::INT8, bytes).map_err(bad)?;
            let tz = (*pg == Type::TIMESTAMPTZ).then(|| "+00:00".into());
            ScalarValue::TimestampMicrosecond(Some(micros.saturating_add(PG_EPOCH_MICROS)), tz)
        }
        Type::NUMERIC => {
            let d = Decimal::from_sql(pg, bytes).map_err(bad)?;
            ScalarValue::Decimal128(Some(d.mantissa()), 38, d.scale().min(38) as i8)
        }
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::JSON => {
            let s = std::str::from_utf8(bytes).map_err(|_| {
                SqlError::new("22021", "invalid byte sequence for encoding \"UTF8\"")
            })?;
            ScalarValue::Utf8(Some(s.to_owned()))
        }
        // Arrays, uuid, interval, time, json(b), inet...: the receive functions COPY
        // BINARY uses.
        _ => {
            decode_param(Some(bytes), 1, pg, &FormatSettings::default()).map_err(SqlError::from)?
        }
    })
}
