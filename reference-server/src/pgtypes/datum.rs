//! One Arrow cell, read into a small enum so the encoders can follow the PostgreSQL type
//! rather than the many Arrow physical types.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StructArray};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Date64Type, Decimal32Type, Decimal64Type, Decimal128Type, Decimal256Type,
    DurationMicrosecondType, DurationMillisecondType, DurationNanosecondType, DurationSecondType,
    Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    IntervalDayTimeType, IntervalMonthDayNanoType, IntervalUnit, IntervalYearMonthType,
    Time32MillisecondType, Time32SecondType, Time64MicrosecondType, Time64NanosecondType, TimeUnit,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type, i256,
};

use super::PgTypeError;

/// A non-null cell value in PostgreSQL-friendly units.
#[derive(Debug, Clone)]
pub enum Datum<'a> {
    Bool(bool),
    Int(i64),
    UInt(u64),
    F32(f32),
    F64(f64),
    /// unscaled value, precision, scale
    Dec128(i128, u8, i8),
    /// unscaled value, scale
    Dec256(i256, i8),
    Str(&'a str),
    Bytes(&'a [u8]),
    /// Days since 1970-01-01 (`i32::MAX`/`MIN` mean ±infinity).
    Date(i64),
    /// Microseconds since midnight.
    Time(i64),
    /// Microseconds since 1970-01-01 UTC (`i64::MAX`/`MIN` mean ±infinity).
    Timestamp(i64),
    /// months, days, microseconds.
    Interval(i64, i64, i64),
    /// The elements of a list cell.
    List(ArrayRef),
    Struct(&'a StructArray, usize),
}

fn unsupported(dt: &DataType) -> PgTypeError {
    PgTypeError::FeatureNotSupported(format!("cannot send values of Arrow type {dt}"))
}

/// Scales a time value to microseconds, flooring (so times before 1970 stay in their second).
fn to_micros(v: i64, unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => v.saturating_mul(1_000_000),
        TimeUnit::Millisecond => v.saturating_mul(1_000),
        TimeUnit::Microsecond => v,
        TimeUnit::Nanosecond => v.div_euclid(1_000),
    }
}

/// Timestamps keep the infinity sentinels through unit conversion.
fn ts_micros(v: i64, unit: &TimeUnit) -> i64 {
    if v == i64::MAX || v == i64::MIN {
        v
    } else {
        to_micros(v, unit)
    }
}

/// The value at `row`, or `None` for SQL NULL.
pub fn datum_at(array: &dyn Array, row: usize) -> Result<Option<Datum<'_>>, PgTypeError> {
    if row >= array.len() {
        return Err(PgTypeError::FeatureNotSupported(format!(
            "row {row} is beyond the array's {} rows",
            array.len()
        )));
    }
    if array.is_null(row) {
        return Ok(None);
    }
    let dt = array.data_type();
    macro_rules! prim {
        ($t:ty) => {
            array
                .as_primitive_opt::<$t>()
                .map(|a| a.value(row))
                .ok_or_else(|| unsupported(dt))?
        };
    }
    let d = match dt {
        DataType::Null => return Ok(None),
        DataType::Boolean => Datum::Bool(
            array
                .as_boolean_opt()
                .map(|a| a.value(row))
                .ok_or_else(|| unsupported(dt))?,
        ),
        DataType::Int8 => Datum::Int(i64::from(prim!(Int8Type))),
        DataType::Int16 => Datum::Int(i64::from(prim!(Int16Type))),
        DataType::Int32 => Datum::Int(i64::from(prim!(Int32Type))),
        DataType::Int64 => Datum::Int(prim!(Int64Type)),
        DataType::UInt8 => Datum::Int(i64::from(prim!(UInt8Type))),
        DataType::UInt16 => Datum::Int(i64::from(prim!(UInt16Type))),
        DataType::UInt32 => Datum::Int(i64::from(prim!(UInt32Type))),
        DataType::UInt64 => Datum::UInt(prim!(UInt64Type)),
        DataType::Float16 => Datum::F32(prim!(Float16Type).to_f32()),
        DataType::Float32 => Datum::F32(prim!(Float32Type)),
        DataType::Float64 => Datum::F64(prim!(Float64Type)),
        DataType::Decimal32(p, s) => Datum::Dec128(i128::from(prim!(Decimal32Type)), *p, *s),
        DataType::Decimal64(p, s) => Datum::Dec128(i128::from(prim!(Decimal64Type)), *p, *s),
        DataType::Decimal128(p, s) => Datum::Dec128(prim!(Decimal128Type), *p, *s),
        DataType::Decimal256(_, s) => Datum::Dec256(prim!(Decimal256Type), *s),
        DataType::Utf8 => Datum::Str(
            array
                .as_string_opt::<i32>()
                .map(|a| a.value(row))
                .ok_or_else(|| unsupported(dt))?,
        ),
        DataType::LargeUtf8 => Datum::Str(
            array
                .as_string_opt::<i64>()
                .map(|a| a.value(row))
                .ok_or_else(|| unsupported(dt))?,
        ),
        DataType::Utf8View => Datum::Str(
            array
                .as_string_view_opt()
                .map(|a| a.value(row))
                .ok_or_else(|| unsupported(dt))?,
        ),
        DataType::Binary => Datum::Bytes(
            array
                .as_binary_opt::<i32>()
                .map(|a| a.value(row))
                .ok_or_else(|| unsupported(dt))?,
        ),
        DataType::LargeBinary => Datum::Bytes(
            array
                .as_binary_opt::<i64>()
                .map(|a| a.value(row))
                .ok_or_else(|| unsupported(dt))?,
        ),
        DataType::BinaryView => Datum::Bytes(
            array
                .as_binary_view_opt()
                .map(|a| a.value(row))
                .ok_or_else(|| unsupported(dt))?,
        ),
        DataType::FixedSizeBinary(_) => Datum::Bytes(
            array
                .as_fixed_size_binary_opt()
                .map(|a| a.value(row))
                .ok_or_else(|| unsupported(dt))?,
        ),
        DataType::Date32 => Datum::Date(i64::from(prim!(Date32Type))),
        DataType::Date64 => Datum::Date(prim!(Date64Type).div_euclid(86_400_000)),
        DataType::Time32(TimeUnit::Second) => {
            Datum::Time(i64::from(prim!(Time32SecondType)) * 1_000_000)
        }
        DataType::Time32(_) => Datum::Time(i64::from(prim!(Time32MillisecondType)) * 1_000),
        DataType::Time64(TimeUnit::Nanosecond) => Datum::Time(prim!(Time64NanosecondType) / 1_000),
        DataType::Time64(_) => Datum::Time(prim!(Time64MicrosecondType)),
        DataType::Timestamp(unit, _) => {
            let v = match unit {
                TimeUnit::Second => prim!(TimestampSecondType),
                TimeUnit::Millisecond => prim!(TimestampMillisecondType),
                TimeUnit::Microsecond => prim!(TimestampMicrosecondType),
                TimeUnit::Nanosecond => prim!(TimestampNanosecondType),
            };
            Datum::Timestamp(ts_micros(v, unit))
        }
        DataType::Duration(unit) => {
            let v = match unit {
                TimeUnit::Second => prim!(DurationSecondType),
                TimeUnit::Millisecond => prim!(DurationMillisecondType),
                TimeUnit::Microsecond => prim!(DurationMicrosecondType),
                TimeUnit::Nanosecond => prim!(DurationNanosecondType),
            };
            // Durations truncate toward zero, as interval arithmetic does.
            let us = match unit {
                TimeUnit::Nanosecond => v / 1_000,
                _ => to_micros(v, unit),
            };
            // A difference of timestamps: whole days apart from the time, as PostgreSQL's
            // timestamp subtraction justifies it (`28 days 12:00:00`, not `684:00:00`).
            const USECS_PER_DAY: i64 = 86_400_000_000;
            Datum::Interval(0, us / USECS_PER_DAY, us % USECS_PER_DAY)
        }
        DataType::Interval(IntervalUnit::YearMonth) => {
            Datum::Interval(i64::from(prim!(IntervalYearMonthType)), 0, 0)
        }
        DataType::Interval(IntervalUnit::DayTime) => {
            let v = prim!(IntervalDayTimeType);
            Datum::Interval(0, i64::from(v.days), i64::from(v.milliseconds) * 1_000)
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = prim!(IntervalMonthDayNanoType);
            Datum::Interval(
                i64::from(v.months),
                i64::from(v.days),
                v.nanoseconds / 1_000,
            )
        }
        DataType::List(_) => Datum::List(
            array
                .as_list_opt::<i32>()
                .map(|a| a.value(row))
                .ok_or_else(|| unsupported(dt))?,
        ),
        DataType::LargeList(_) => Datum::List(
            array
                .as_list_opt::<i64>()
                .map(|a| a.value(row))
                .ok_or_else(|| unsupported(dt))?,
        ),
        DataType::FixedSizeList(_, _) => Datum::List(
            array
                .as_fixed_size_list_opt()
                .map(|a| a.value(row))
                .ok_or_else(|| unsupported(dt))?,
        ),
        DataType::Struct(_) => {
            Datum::Struct(array.as_struct_opt().ok_or_else(|| unsupported(dt))?, row)
        }
        DataType::Dictionary(key, _) => {
            let dict = array
                .as_any_dictionary_opt()
                .ok_or_else(|| unsupported(dt))?;
            let keys = dict.keys();
            let index = match key.as_ref() {
                DataType::Int8 => keys
                    .as_primitive_opt::<Int8Type>()
                    .map(|k| k.value(row) as i64),
                DataType::Int16 => keys
                    .as_primitive_opt::<Int16Type>()
                    .map(|k| k.value(row) as i64),
                DataType::Int32 => keys
                    .as_primitive_opt::<Int32Type>()
                    .map(|k| k.value(row) as i64),
                DataType::Int64 => keys.as_primitive_opt::<Int64Type>().map(|k| k.value(row)),
                DataType::UInt8 => keys
                    .as_primitive_opt::<UInt8Type>()
                    .map(|k| k.value(row) as i64),
                DataType::UInt16 => keys
                    .as_primitive_opt::<UInt16Type>()
                    .map(|k| k.value(row) as i64),
                DataType::UInt32 => keys
                    .as_primitive_opt::<UInt32Type>()
                    .map(|k| k.value(row) as i64),
                DataType::UInt64 => keys
                    .as_primitive_opt::<UInt64Type>()
                    .map(|k| k.value(row) as i64),
                _ => None,
            }
            .ok_or_else(|| unsupported(dt))?;
            let index = usize::try_from(index).map_err(|_| unsupported(dt))?;
            return datum_at(dict.values().as_ref(), index);
        }
        other => return Err(unsupported(other)),
    };
    Ok(Some(d))
}
