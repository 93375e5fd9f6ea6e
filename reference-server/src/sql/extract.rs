//! `extract(field FROM v)` (numeric) and `date_part('field', v)` (float8) as PostgreSQL 15
//! computes them: numeric results carry PostgreSQL's scale (`second` and `epoch` of a
//! timestamp, time or interval have 6 fractional digits, `milliseconds` 3, the rest none),
//! and fields DataFusion lacks (`century`, `isoyear`, `julian`, ...) exist.

use std::sync::Arc;

use chrono::{Datelike, NaiveDateTime};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Decimal128Array, Float64Array};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Field, FieldRef, Int64Type, IntervalMonthDayNanoType, IntervalUnit,
    TimeUnit,
};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

use super::SqlError;

/// The UDF `Expr::Extract` is rewritten to (numeric result).
pub const EXTRACT_FN: &str = "pg_extract";

const USECS_PER_DAY: i64 = 86_400_000_000;

/// The units PostgreSQL's extract knows (after [`unit`]'s spelling).
const KNOWN_UNITS: [&str; 19] = [
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "milliseconds",
    "microseconds",
    "decade",
    "century",
    "millennium",
    "quarter",
    "week",
    "julian",
    "epoch",
    "dow",
    "isodow",
    "doy",
    "isoyear",
];

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Extract {
    name: &'static str,
    /// `extract` (numeric) rather than `date_part` (float8).
    numeric: bool,
    signature: Signature,
}

impl Extract {
    pub fn udfs() -> [ScalarUDF; 2] {
        [(EXTRACT_FN, true), ("date_part", false)].map(|(name, numeric)| {
            ScalarUDF::new_from_impl(Self {
                name,
                numeric,
                signature: Signature::any(2, Volatility::Immutable),
            })
        })
    }
}

/// What the value's type is, as PostgreSQL names it in errors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Date,
    Timestamp,
    Time,
    Interval,
}

impl Kind {
    fn of(t: &DataType) -> Option<Kind> {
        match t {
            DataType::Date32 => Some(Kind::Date),
            DataType::Timestamp(_, _) => Some(Kind::Timestamp),
            DataType::Time64(_) => Some(Kind::Time),
            DataType::Interval(IntervalUnit::MonthDayNano) | DataType::Duration(_) => {
                Some(Kind::Interval)
            }
            _ => None,
        }
    }

    fn pg_name(self, t: &DataType) -> &'static str {
        match (self, t) {
            (Kind::Date, _) => "date",
            (Kind::Timestamp, DataType::Timestamp(_, Some(_))) => "timestamp with time zone",
            (Kind::Timestamp, _) => "timestamp without time zone",
            (Kind::Time, _) => "time without time zone",
            (Kind::Interval, _) => "interval",
        }
    }
}

fn sql_err(code: &'static str, msg: String) -> DataFusionError {
    DataFusionError::External(Box::new(SqlError::new(code, msg)))
}

/// The unit in PostgreSQL's spelling (`years` → `year`, `secs` → `second`...).
fn unit(name: &str) -> String {
    let n = name.trim().to_ascii_lowercase();
    let canonical = match n.as_str() {
        "y" | "yr" | "yrs" | "year" | "years" => "year",
        "mon" | "mons" | "month" | "months" => "month",
        "d" | "day" | "days" => "day",
        "h" | "hr" | "hrs" | "hour" | "hours" => "hour",
        "m" | "min" | "mins" | "minute" | "minutes" => "minute",
        "s" | "sec" | "secs" | "second" | "seconds" => "second",
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => "milliseconds",
        "us" | "usec" | "usecs" | "microsecond" | "microseconds" => "microseconds",
        "dec" | "decade" | "decades" => "decade",
        "c" | "cent" | "century" | "centuries" => "century",
        "mil" | "millennium" | "millennia" | "millenniums" => "millennium",
        "qtr" | "quarter" => "quarter",
        "w" | "week" | "weeks" => "week",
        "j" | "julian" => "julian",
        other => other,
    };
    canonical.to_owned()
}

/// Fractional digits of `extract(unit FROM kind)`.
fn scale(unit: &str, kind: Kind) -> i8 {
    match (unit, kind) {
        (_, Kind::Date) => 0,
        ("second" | "epoch", _) => 6,
        ("milliseconds", _) => 3,
        _ => 0,
    }
}

/// One field of a value, scaled by 10^scale(unit, kind); `None` when PostgreSQL has no such
/// unit for the type.
fn field_of(unit: &str, kind: Kind, us: i64, months: i64, days: i64) -> Option<i128> {
    let v = |x: i64| Some(i128::from(x));
    if kind == Kind::Interval {
        let years = months / 12;
        let sec_us = us % 60_000_000;
        return match unit {
            "year" => v(years),
            "month" => v(months % 12),
            "day" => v(days),
            "hour" => v(us / 3_600_000_000),
            "minute" => v((us / 60_000_000) % 60),
            "second" | "milliseconds" | "microseconds" => v(sec_us),
            "quarter" => v((months % 12) / 3 + 1),
            "decade" => v(years / 10),
            "century" => v(years / 100),
            "millennium" => v(years / 1000),
            "epoch" => Some(
                i128::from(years) * 31_557_600_000_000
                    + i128::from(months % 12) * 30 * i128::from(USECS_PER_DAY)
                    + i128::from(days) * i128::from(USECS_PER_DAY)
                    + i128::from(us),
            ),
            _ => None,
        };
    }
    let time_us = us.rem_euclid(USECS_PER_DAY);
    let time_field = match unit {
        "hour" => v(time_us / 3_600_000_000),
        "minute" => v((time_us / 60_000_000) % 60),
        "second" | "milliseconds" | "microseconds" => v(time_us % 60_000_000),
        _ => None,
    };
    if kind == Kind::Time {
        return match unit {
            "epoch" => v(us),
            _ => time_field,
        };
    }
    if kind == Kind::Date && time_field.is_some() {
        return None;
    }
    if unit == "epoch" {
        return if kind == Kind::Date {
            v(us.div_euclid(1_000_000))
        } else {
            v(us)
        };
    }
    if time_field.is_some() {
        return time_field;
    }
    let dt = chrono::DateTime::from_timestamp_micros(us)?.naive_utc();
    calendar_field(unit, &dt)
}

fn calendar_field(unit: &str, dt: &NaiveDateTime) -> Option<i128> {
    let year = i64::from(dt.year());
    // PostgreSQL counts years BC as negative without a year 0.
    let pg_year = if year <= 0 { year - 1 } else { year };
    let x = match unit {
        "year" => pg_year,
        "month" => i64::from(dt.month()),
        "day" => i64::from(dt.day()),
        "dow" => i64::from(dt.weekday().num_days_from_sunday()),
        "isodow" => i64::from(dt.weekday().number_from_monday()),
        "doy" => i64::from(dt.ordinal()),
        "week" => i64::from(dt.iso_week().week()),
        "isoyear" => i64::from(dt.iso_week().year()),
        "quarter" => (i64::from(dt.month()) - 1) / 3 + 1,
        "decade" => year.div_euclid(10),
        "century" if pg_year > 0 => (pg_year + 99) / 100,
        "century" => -((-pg_year + 99) / 100),
        "millennium" if pg_year > 0 => (pg_year + 999) / 1000,
        "millennium" => -((-pg_year + 999) / 1000),
        // Julian day number (days since 4714-11-24 BC); dates only (see `field_of`).
        "julian" if dt.time() == chrono::NaiveTime::MIN => {
            i64::from(dt.num_days_from_ce()) + 1_721_425
        }
        _ => return None,
    };
    Some(i128::from(x))
}

/// Microseconds of a date/time array's row (dates: at midnight), or the interval's fields.
fn parts(a: &dyn Array, i: usize) -> DfResult<(i64, i64, i64)> {
    Ok(match a.data_type() {
        DataType::Date32 => {
            let d = i64::from(a.as_primitive::<Date32Type>().value(i));
            (d * USECS_PER_DAY, 0, 0)
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = a.as_primitive::<IntervalMonthDayNanoType>().value(i);
            (v.nanoseconds / 1000, i64::from(v.months), i64::from(v.days))
        }
        _ => {
            return Err(DataFusionError::Internal(
                "extract: unexpected argument type".into(),
            ));
        }
    })
}

impl Extract {
    fn unit_and_kind(&self, field: Option<&ScalarValue>, t: &DataType) -> DfResult<(String, Kind)> {
        let name = match field {
            Some(
                ScalarValue::Utf8(Some(s))
                | ScalarValue::Utf8View(Some(s))
                | ScalarValue::LargeUtf8(Some(s)),
            ) => s.clone(),
            _ => {
                return Err(sql_err(
                    "0A000",
                    format!("{}: the unit must be a constant", self.name),
                ));
            }
        };
        let Some(kind) = Kind::of(t) else {
            let fname = if self.numeric { "extract" } else { "date_part" };
            return Err(sql_err(
                "42883",
                format!(
                    "function {fname}(unknown, {}) does not exist",
                    crate::pgtypes::arrow_to_pg(t).sql_name()
                ),
            ));
        };
        let unit = unit(&name);
        if !KNOWN_UNITS.contains(&unit.as_str()) {
            return Err(sql_err(
                "22023",
                format!(
                    "unit \"{name}\" not recognized for type {}",
                    kind.pg_name(t)
                ),
            ));
        }
        Ok((unit, kind))
    }

    fn result_type(&self, unit: &str, kind: Kind) -> DataType {
        if self.numeric {
            DataType::Decimal128(38, scale(unit, kind))
        } else {
            DataType::Float64
        }
    }
}

impl ScalarUDFImpl for Extract {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Err(DataFusionError::Internal(
            "extract: return_field_from_args decides".into(),
        ))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DfResult<FieldRef> {
        let t = args
            .arg_fields
            .get(1)
            .map(|f| f.data_type().clone())
            .unwrap_or(DataType::Null);
        let field = args.scalar_arguments.first().copied().flatten();
        let (unit, kind) = self.unit_and_kind(field, &t)?;
        Ok(Arc::new(Field::new(
            self.name,
            self.result_type(&unit, kind),
            true,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let field = match args.args.first() {
            Some(ColumnarValue::Scalar(s)) => Some(s.clone()),
            _ => None,
        };
        let Some(value) = args.args.get(1) else {
            return Err(DataFusionError::Plan(format!(
                "{} expects two arguments",
                self.name
            )));
        };
        let scalar = matches!(value, ColumnarValue::Scalar(_));
        let array = value.to_array(args.number_rows)?;
        let t = array.data_type().clone();
        let (unit, kind) = self.unit_and_kind(field.as_ref(), &t)?;
        // Timestamps and times as microseconds (their infinities stay extreme values).
        let array: ArrayRef = match &t {
            DataType::Timestamp(_, _) => {
                let micros = DataType::Timestamp(TimeUnit::Microsecond, None);
                let cast = datafusion::arrow::compute::cast(&array, &micros)?;
                datafusion::arrow::compute::cast(&cast, &DataType::Int64)?
            }
            // A timestamp difference: days and time, as PostgreSQL's subtraction gives.
            DataType::Duration(_) => {
                let micros = DataType::Duration(TimeUnit::Microsecond);
                let cast = datafusion::arrow::compute::cast(&array, &micros)?;
                datafusion::arrow::compute::cast(&cast, &DataType::Int64)?
            }
            DataType::Time64(_) => {
                let micros = DataType::Time64(TimeUnit::Microsecond);
                let cast = datafusion::arrow::compute::cast(&array, &micros)?;
                datafusion::arrow::compute::cast(&cast, &DataType::Int64)?
            }
            _ => array,
        };
        let unsupported = || {
            sql_err(
                "0A000",
                format!(
                    "unit \"{unit}\" not supported for type {}",
                    kind.pg_name(&t)
                ),
            )
        };
        let values = (0..array.len())
            .map(|i| {
                if array.is_null(i) {
                    return Ok(None);
                }
                let (us, months, days) = match array.data_type() {
                    DataType::Int64 if kind == Kind::Interval => {
                        let us = array.as_primitive::<Int64Type>().value(i);
                        (us % USECS_PER_DAY, 0, us / USECS_PER_DAY)
                    }
                    DataType::Int64 => (array.as_primitive::<Int64Type>().value(i), 0, 0),
                    _ => parts(array.as_ref(), i)?,
                };
                field_of(&unit, kind, us, months, days)
                    .map(Some)
                    .ok_or_else(unsupported)
            })
            .collect::<DfResult<Vec<Option<i128>>>>()?;
        let s = scale(&unit, kind);
        let out: ArrayRef = if self.numeric {
            Arc::new(
                values
                    .into_iter()
                    .collect::<Decimal128Array>()
                    .with_precision_and_scale(38, s)?,
            )
        } else {
            let div = 10f64.powi(i32::from(s));
            Arc::new(
                values
                    .into_iter()
                    .map(|v| v.map(|x| x as f64 / div))
                    .collect::<Float64Array>(),
            )
        };
        if scalar {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?));
        }
        Ok(ColumnarValue::Array(out))
    }
}
