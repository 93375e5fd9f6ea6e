//! Arrow batches → PostgreSQL DataRows. A small interim encoder until `crate::pgtypes` lands;
//! the protocol layer only calls `fields_for` and `encode_batch`.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions as ArrowFormat};
use datafusion::scalar::ScalarValue;
use pgwire::api::Type;
use pgwire::api::portal::Format;
use pgwire::api::results::{DataRowEncoder, FieldFormat, FieldInfo};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::data::{DataRow, RowDescription};
use pgwire::types::format::FormatOptions;
use rust_decimal::Decimal;

/// The PostgreSQL type a column of this Arrow type is sent as.
pub fn pg_type(dt: &DataType) -> Type {
    match dt {
        DataType::Boolean => Type::BOOL,
        DataType::Int8 | DataType::Int16 | DataType::UInt8 => Type::INT2,
        DataType::Int32 | DataType::UInt16 => Type::INT4,
        DataType::Int64 | DataType::UInt32 => Type::INT8,
        DataType::UInt64 | DataType::Decimal128(_, _) | DataType::Decimal256(_, _) => Type::NUMERIC,
        DataType::Float16 | DataType::Float32 => Type::FLOAT4,
        DataType::Float64 => Type::FLOAT8,
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => Type::BYTEA,
        DataType::Date32 | DataType::Date64 => Type::DATE,
        DataType::Timestamp(_, None) => Type::TIMESTAMP,
        DataType::Timestamp(_, Some(_)) => Type::TIMESTAMPTZ,
        DataType::Time32(_) | DataType::Time64(_) => Type::TIME,
        _ => Type::TEXT,
    }
}

/// RowDescription fields for a schema; `format` picks text/binary per column.
pub fn fields_for(
    schema: &Schema,
    format: &Format,
    options: &Arc<FormatOptions>,
) -> Vec<FieldInfo> {
    schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            FieldInfo::new(
                f.name().clone(),
                None,
                None,
                pg_type(f.data_type()),
                format.format_for(i),
            )
            .with_format_options(options.clone())
        })
        .collect()
}

/// Encode every row of `batch` with the given field descriptions.
pub fn encode_batch(
    batch: &RecordBatch,
    fields: &Arc<Vec<FieldInfo>>,
) -> PgWireResult<Vec<DataRow>> {
    let mut rows = Vec::with_capacity(batch.num_rows());
    let mut encoder = DataRowEncoder::new(fields.clone());
    let columns = batch.columns();
    for row in 0..batch.num_rows() {
        for (col, field) in columns.iter().zip(fields.iter()) {
            encode_value(&mut encoder, col, row, field)?;
        }
        rows.push(encoder.take_row());
    }
    Ok(rows)
}

fn api_err(e: impl std::fmt::Display) -> PgWireError {
    PgWireError::ApiError(e.to_string().into())
}

fn encode_value(
    enc: &mut DataRowEncoder,
    col: &ArrayRef,
    row: usize,
    field: &FieldInfo,
) -> PgWireResult<()> {
    let ty = field.datatype().clone();
    let fmt = field.format();
    let opts = field.format_options().clone();
    macro_rules! put {
        ($v:expr) => {
            enc.encode_field_with_type_and_format(&$v, &ty, fmt, &opts)
        };
    }
    if col.is_null(row) {
        return put!(None::<i32>);
    }
    let scalar = ScalarValue::try_from_array(col, row).map_err(api_err)?;
    match (&ty, scalar) {
        (_, ScalarValue::Boolean(v)) => put!(v),
        (_, ScalarValue::Int8(v)) => put!(v.map(i16::from)),
        (_, ScalarValue::Int16(v)) => put!(v),
        (_, ScalarValue::UInt8(v)) => put!(v.map(i16::from)),
        (_, ScalarValue::Int32(v)) => put!(v),
        (_, ScalarValue::UInt16(v)) => put!(v.map(i32::from)),
        (_, ScalarValue::Int64(v)) => put!(v),
        (_, ScalarValue::UInt32(v)) => put!(v.map(i64::from)),
        (_, ScalarValue::UInt64(v)) => put!(v.map(Decimal::from)),
        (_, ScalarValue::Float32(Some(v)))
            if fmt == FieldFormat::Text && opts.extra_float_digits > 0 =>
        {
            put!(Some(float_text(f64::from(v), 6, &v.to_string())))
        }
        (_, ScalarValue::Float64(Some(v)))
            if fmt == FieldFormat::Text && opts.extra_float_digits > 0 =>
        {
            put!(Some(float_text(v, 15, &v.to_string())))
        }
        (_, ScalarValue::Float32(v)) => put!(v),
        (_, ScalarValue::Float64(v)) => put!(v),
        (_, ScalarValue::Decimal128(v, _, s)) => {
            let d = v
                .map(|v| Decimal::try_from_i128_with_scale(v, s.max(0) as u32))
                .transpose()
                .map_err(api_err)?;
            put!(d)
        }
        (_, ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v)) => put!(v),
        (_, ScalarValue::Binary(v) | ScalarValue::LargeBinary(v) | ScalarValue::BinaryView(v)) => {
            put!(v)
        }
        (_, ScalarValue::Date32(v)) => {
            put!(v.and_then(|d| { NaiveDate::from_num_days_from_ce_opt(d + 719_163) }))
        }
        (&Type::TIMESTAMP | &Type::TIMESTAMPTZ, s) => {
            let micros = timestamp_micros(col.data_type(), &s);
            let dt = micros.and_then(DateTime::<Utc>::from_timestamp_micros);
            if fmt == pgwire::api::results::FieldFormat::Text {
                // PostgreSQL prints fractional seconds only when present, trailing zeros cut.
                return match dt {
                    Some(d) => {
                        let mut s = d.format("%Y-%m-%d %H:%M:%S").to_string();
                        let frac = d.timestamp_subsec_micros();
                        if frac > 0 {
                            s.push_str(format!(".{frac:06}").trim_end_matches('0'));
                        }
                        if ty == Type::TIMESTAMPTZ {
                            s.push_str("+00");
                        }
                        put!(Some(s))
                    }
                    None => put!(None::<String>),
                };
            }
            if ty == Type::TIMESTAMP {
                put!(dt.map(|d| d.naive_utc()))
            } else {
                put!(dt)
            }
        }
        (&Type::TIME, s) => {
            let micros = time_micros(&s);
            put!(micros.and_then(|us| {
                NaiveTime::from_num_seconds_from_midnight_opt(
                    (us / 1_000_000) as u32,
                    ((us % 1_000_000) * 1000) as u32,
                )
            }))
        }
        _ => {
            let text = display(col, row)?;
            put!(Some(text))
        }
    }
}

/// PostgreSQL's shortest-exact float output: plain digits unless the decimal exponent is
/// below -4 or at least `max_exp`, then `1.5e+20` style; `shortest` is Rust's shortest
/// round-trip rendering of the same value.
fn float_text(v: f64, max_exp: i32, shortest: &str) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's `{:e}` keeps the shortest digits: "1.5e20", "-2.5e-7".
    let sci = format!("{:e}", shortest.parse::<f64>().unwrap_or(v));
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= max_exp {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        shortest.to_owned()
    }
}

fn timestamp_micros(dt: &DataType, s: &ScalarValue) -> Option<i64> {
    let unit = match dt {
        DataType::Timestamp(u, _) => u,
        _ => return None,
    };
    let v = match s {
        ScalarValue::TimestampSecond(v, _)
        | ScalarValue::TimestampMillisecond(v, _)
        | ScalarValue::TimestampMicrosecond(v, _)
        | ScalarValue::TimestampNanosecond(v, _) => (*v)?,
        _ => return None,
    };
    Some(match unit {
        TimeUnit::Second => v.saturating_mul(1_000_000),
        TimeUnit::Millisecond => v.saturating_mul(1000),
        TimeUnit::Microsecond => v,
        TimeUnit::Nanosecond => v.div_euclid(1000),
    })
}

fn time_micros(s: &ScalarValue) -> Option<i64> {
    match s {
        ScalarValue::Time32Second(v) => v.map(|v| i64::from(v) * 1_000_000),
        ScalarValue::Time32Millisecond(v) => v.map(|v| i64::from(v) * 1000),
        ScalarValue::Time64Microsecond(v) => *v,
        ScalarValue::Time64Nanosecond(v) => v.map(|v| v / 1000),
        _ => None,
    }
}

fn display(col: &ArrayRef, row: usize) -> PgWireResult<String> {
    let opts = ArrowFormat::default();
    let f = ArrayFormatter::try_new(col.as_ref(), &opts).map_err(api_err)?;
    Ok(f.value(row).to_string())
}

/// RowDescription message for the given fields.
pub fn row_description(fields: &[FieldInfo]) -> RowDescription {
    RowDescription::new(fields.iter().map(Into::into).collect())
}

/// Replace column names with PostgreSQL's (`?column?`, function names...) where known.
pub fn rename(schema: &SchemaRef, names: Option<&[Option<String>]>) -> SchemaRef {
    let Some(names) = names.filter(|n| n.len() == schema.fields().len()) else {
        return schema.clone();
    };
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .zip(names)
        .map(|(f, n)| match n {
            Some(n) => f.as_ref().clone().with_name(n.clone()),
            None => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// Lazily encode a DataFusion stream into DataRows (nothing is buffered beyond a batch).
pub fn row_stream(
    stream: datafusion::execution::SendableRecordBatchStream,
    fields: Arc<Vec<FieldInfo>>,
) -> impl futures::Stream<Item = PgWireResult<DataRow>> + Send + 'static {
    use futures::StreamExt;
    stream.flat_map(move |batch| {
        let rows = batch
            .map_err(|e| PgWireError::from(crate::sql::SqlError::from(e)))
            .and_then(|b| encode_batch(&b, &fields));
        let items: Vec<PgWireResult<DataRow>> = match rows {
            Ok(rows) => rows.into_iter().map(Ok).collect(),
            Err(e) => vec![Err(e)],
        };
        futures::stream::iter(items)
    })
}

/// The raw field values of an encoded DataRow (`None` = NULL).
pub fn text_fields(row: &DataRow) -> Vec<Option<&[u8]>> {
    let data: &[u8] = &row.data;
    let mut out = Vec::with_capacity(usize::try_from(row.field_count).unwrap_or(0));
    let mut pos = 0usize;
    while pos + 4 <= data.len() {
        let len = i32::from_be_bytes([data[pos], data[pos + 1], data[pos + 2], data[pos + 3]]);
        pos += 4;
        if len < 0 {
            out.push(None);
            continue;
        }
        let end = (pos + len as usize).min(data.len());
        out.push(data.get(pos..end));
        pos = end;
    }
    out
}
