//! Date/time constructors and `age`, as PostgreSQL defines them: `make_timestamp`,
//! `make_timestamptz(..., zone)`, `make_interval` (positional; named arguments are made
//! positional by the rewrite) and `age(a, b)` (field-wise difference, borrowing from the
//! larger fields the way timestamp_age does).

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use datafusion::arrow::array::{
    Array, AsArray, IntervalMonthDayNanoArray, TimestampMicrosecondArray,
};
use datafusion::arrow::datatypes::{
    DataType, Float64Type, Int64Type, IntervalMonthDayNano, IntervalUnit, TimeUnit,
};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
use datafusion::prelude::SessionContext;

use super::SqlError;
use super::pg_udf::RowFn;

/// The argument names of `make_interval`, in positional order.
pub const MAKE_INTERVAL_ARGS: [&str; 7] =
    ["years", "months", "weeks", "days", "hours", "mins", "secs"];

fn sql_err(code: &'static str, msg: String) -> DataFusionError {
    DataFusionError::External(Box::new(SqlError::new(code, msg)))
}

pub fn register(ctx: &SessionContext) {
    // Int64 parameters: integer literals are Int64 while DataFusion plans, and int4 widens.
    let int = DataType::Int64;
    let ts = DataType::Timestamp(TimeUnit::Microsecond, None);
    let tstz = DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC")));
    let interval = DataType::Interval(IntervalUnit::MonthDayNano);
    let six = vec![
        int.clone(),
        int.clone(),
        int.clone(),
        int.clone(),
        int.clone(),
        DataType::Float64,
    ];
    ctx.register_udf(create_udf(
        "make_timestamp",
        six.clone(),
        ts.clone(),
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| make_ts(args, None)),
    ));
    let mut seven = six;
    seven.push(DataType::Utf8);
    ctx.register_udf(create_udf(
        "make_timestamptz",
        seven,
        tstz,
        Volatility::Immutable,
        Arc::new(|args: &[ColumnarValue]| make_ts(args, Some(6))),
    ));
    let mut interval_args = vec![int.clone(); 6];
    interval_args.push(DataType::Float64);
    ctx.register_udf(create_udf(
        "make_interval",
        interval_args,
        interval.clone(),
        Volatility::Immutable,
        Arc::new(make_interval),
    ));
    ctx.register_udf(
        RowFn::new(
            "age",
            age_types,
            |_| Ok(DataType::Interval(IntervalUnit::MonthDayNano)),
            age_row,
        )
        .udf(),
    );
    ctx.register_udf(
        RowFn::new(
            "make_time",
            |_| Ok(vec![DataType::Int64, DataType::Int64, DataType::Float64]),
            |_| Ok(DataType::Time64(TimeUnit::Microsecond)),
            make_time,
        )
        .udf(),
    );
}

/// Whether every argument is a scalar (the result is one then too), and the arguments as
/// arrays of one length.
fn arrays(args: &[ColumnarValue]) -> DfResult<(bool, Vec<Arc<dyn Array>>)> {
    let scalar = args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
    Ok((scalar, ColumnarValue::values_to_arrays(args)?))
}

fn finish(scalar: bool, out: Arc<dyn Array>) -> DfResult<ColumnarValue> {
    if scalar {
        return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?));
    }
    Ok(ColumnarValue::Array(out))
}

fn int_at(a: &dyn Array, i: usize) -> Option<i64> {
    let a = a.as_primitive_opt::<Int64Type>()?;
    a.is_valid(i).then(|| a.value(i))
}

fn float_at(a: &dyn Array, i: usize) -> Option<f64> {
    let a = a.as_primitive_opt::<Float64Type>()?;
    a.is_valid(i).then(|| a.value(i))
}

/// make_timestamp(year, month, day, hour, min, sec) and make_timestamptz(..., zone).
fn make_ts(args: &[ColumnarValue], zone_at: Option<usize>) -> DfResult<ColumnarValue> {
    let (scalar, arrays) = arrays(args)?;
    let len = arrays.first().map_or(0, |a| a.len());
    let out: TimestampMicrosecondArray = (0..len)
        .map(|i| {
            let f: Option<Vec<i64>> = arrays
                .iter()
                .take(5)
                .map(|a| int_at(a.as_ref(), i))
                .collect();
            let (Some(f), Some(sec)) = (f, arrays.get(5).and_then(|a| float_at(a.as_ref(), i)))
            else {
                return Ok(None);
            };
            let [year, month, day, hour, min] = f.as_slice() else {
                return Ok(None);
            };
            let local = local_timestamp(*year, *month, *day, *hour, *min, sec)?;
            let Some(zone_idx) = zone_at else {
                return Ok(Some(local.and_utc().timestamp_micros()));
            };
            let Some(zone) = arrays
                .get(zone_idx)
                .and_then(|a| a.as_string_opt::<i32>())
                .filter(|a| a.is_valid(i))
                .map(|a| a.value(i).to_owned())
            else {
                return Ok(None);
            };
            let tz: chrono_tz::Tz = zone
                .parse()
                .map_err(|_| sql_err("22023", format!("time zone \"{zone}\" not recognized")))?;
            let utc = tz
                .from_local_datetime(&local)
                .earliest()
                .or_else(|| {
                    tz.from_local_datetime(&(local + chrono::Duration::hours(1)))
                        .earliest()
                })
                .ok_or_else(|| sql_err("22008", "timestamp out of range".into()))?;
            Ok(Some(utc.timestamp_micros()))
        })
        .collect::<DfResult<_>>()?;
    let out = match zone_at {
        Some(_) => out.with_timezone("UTC"),
        None => out,
    };
    finish(scalar, Arc::new(out))
}

/// The wall-clock time make_timestamp builds; seconds of 60 carry into the minute, as in
/// PostgreSQL.
fn local_timestamp(
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    min: i64,
    sec: f64,
) -> DfResult<NaiveDateTime> {
    // PostgreSQL: year 0 does not exist, negative years are BC.
    let y = if year < 0 { year + 1 } else { year };
    let date = (year != 0)
        .then(|| {
            NaiveDate::from_ymd_opt(
                i32::try_from(y).ok()?,
                u32::try_from(month).ok()?,
                u32::try_from(day).ok()?,
            )
        })
        .flatten()
        .ok_or_else(|| {
            sql_err(
                "22008",
                format!("date field value out of range: {year}-{month:02}-{day:02}"),
            )
        })?;
    let time_ok =
        (0..=23).contains(&hour) && (0..=59).contains(&min) && (0.0..=60.0).contains(&sec);
    if !time_ok {
        return Err(sql_err(
            "22008",
            format!("time field value out of range: {hour:02}:{min:02}:{sec:02}"),
        ));
    }
    let usecs = (sec * 1e6).round() as i64;
    let midnight = NaiveDateTime::new(date, NaiveTime::MIN);
    Ok(midnight
        + chrono::Duration::hours(hour)
        + chrono::Duration::minutes(min)
        + chrono::Duration::microseconds(usecs))
}

/// make_interval(years, months, weeks, days, hours, mins, secs).
fn make_interval(args: &[ColumnarValue]) -> DfResult<ColumnarValue> {
    let (scalar, arrays) = arrays(args)?;
    let len = arrays.first().map_or(0, |a| a.len());
    let overflow = || sql_err("22008", "interval out of range".into());
    let out: IntervalMonthDayNanoArray = (0..len)
        .map(|i| {
            let f: Option<Vec<i64>> = arrays
                .iter()
                .take(6)
                .map(|a| int_at(a.as_ref(), i))
                .collect();
            let (Some(f), Some(secs)) = (f, arrays.get(6).and_then(|a| float_at(a.as_ref(), i)))
            else {
                return Ok(None);
            };
            let [years, months, weeks, days, hours, mins] = f.as_slice() else {
                return Ok(None);
            };
            let months = years
                .checked_mul(12)
                .and_then(|y| y.checked_add(*months))
                .ok_or_else(overflow)?;
            let days = weeks
                .checked_mul(7)
                .and_then(|w| w.checked_add(*days))
                .ok_or_else(overflow)?;
            let nanos =
                (*hours as f64 * 3600.0 + *mins as f64 * 60.0) * 1e9 + (secs * 1e6).round() * 1e3;
            if !nanos.is_finite() || nanos.abs() >= i64::MAX as f64 {
                return Err(overflow());
            }
            Ok(Some(IntervalMonthDayNano::new(
                i32::try_from(months).map_err(|_| overflow())?,
                i32::try_from(days).map_err(|_| overflow())?,
                nanos as i64,
            )))
        })
        .collect::<DfResult<_>>()?;
    finish(scalar, Arc::new(out))
}

/// Calendar fields of a timestamp (microseconds since 1970, UTC wall clock).
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    usecs_of_day: i64,
}

fn fields(us: i64) -> DfResult<Fields> {
    let dt = chrono::DateTime::from_timestamp_micros(us)
        .ok_or_else(|| sql_err("22008", "timestamp out of range".into()))?
        .naive_utc();
    let t = dt.time();
    Ok(Fields {
        year: i64::from(dt.year()),
        month: i64::from(dt.month()),
        day: i64::from(dt.day()),
        usecs_of_day: i64::from(t.num_seconds_from_midnight()) * 1_000_000
            + i64::from(t.nanosecond() / 1000),
    })
}

fn days_in(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// timestamp_age: `a - b` field by field, normalised so every field has the sign of `a - b`;
/// a borrowed month is as long as the earlier timestamp's month.
pub fn age_of(a: i64, b: i64) -> DfResult<(i64, i64, i64)> {
    let infinite = |v: i64| v == i64::MAX || v == i64::MIN;
    if infinite(a) || infinite(b) {
        return Err(sql_err("22008", "interval out of range".into()));
    }
    let (f1, f2) = (fields(a)?, fields(b)?);
    let flip = a < b;
    let sign = if flip { -1 } else { 1 };
    let mut usecs = sign * (f1.usecs_of_day - f2.usecs_of_day);
    let mut day = sign * (f1.day - f2.day);
    let mut mon = sign * (f1.month - f2.month);
    let mut year = sign * (f1.year - f2.year);
    const USECS_PER_DAY: i64 = 86_400_000_000;
    if usecs < 0 {
        usecs += USECS_PER_DAY;
        day -= 1;
    }
    let borrow_from = if flip { &f1 } else { &f2 };
    while day < 0 {
        day += days_in(borrow_from.year, borrow_from.month);
        mon -= 1;
    }
    while mon < 0 {
        mon += 12;
        year -= 1;
    }
    Ok((sign * (year * 12 + mon), sign * day, sign * usecs))
}

/// `age(a, b)` and `age(b)` (from today's midnight) take timestamps; dates widen to them.
fn age_types(types: &[DataType]) -> DfResult<Vec<DataType>> {
    if !(1..=2).contains(&types.len()) {
        return Err(DataFusionError::Plan(
            "age expects one or two timestamps".into(),
        ));
    }
    Ok(vec![
        DataType::Timestamp(TimeUnit::Microsecond, None);
        types.len()
    ])
}

fn age_row(args: &[ScalarValue], _: &DataType) -> DfResult<ScalarValue> {
    let us = |v: &ScalarValue| match v {
        ScalarValue::TimestampMicrosecond(Some(v), _) => Ok(*v),
        _ => Err(DataFusionError::Plan("age expects timestamps".into())),
    };
    let (a, b) = match args {
        [b] => {
            let today = chrono::Utc::now().date_naive().and_time(NaiveTime::MIN);
            (today.and_utc().timestamp_micros(), us(b)?)
        }
        [a, b] => (us(a)?, us(b)?),
        _ => return Err(DataFusionError::Plan("age expects two timestamps".into())),
    };
    let overflow = || sql_err("22008", "interval out of range".into());
    let (months, days, usecs) = age_of(a, b)?;
    Ok(ScalarValue::IntervalMonthDayNano(Some(
        IntervalMonthDayNano::new(
            i32::try_from(months).map_err(|_| overflow())?,
            i32::try_from(days).map_err(|_| overflow())?,
            usecs.checked_mul(1000).ok_or_else(overflow)?,
        ),
    )))
}

/// make_time(hour, min, sec): PostgreSQL allows 24:00:00 and a fractional second.
fn make_time(args: &[ScalarValue], _: &DataType) -> DfResult<ScalarValue> {
    let (
        [
            ScalarValue::Int64(Some(hour)),
            ScalarValue::Int64(Some(min)),
            ScalarValue::Float64(Some(sec)),
        ],
    ) = (args,)
    else {
        return Err(DataFusionError::Plan(
            "make_time expects three numbers".into(),
        ));
    };
    let usecs = (sec * 1e6).round();
    let total = (*hour as f64 * 3600.0 + *min as f64 * 60.0) * 1e6 + usecs;
    let valid = (0..=24).contains(hour)
        && (0..=59).contains(min)
        && (0.0..=60.0).contains(sec)
        && total <= 86_400_000_000.0;
    if !valid {
        return Err(sql_err(
            "22008",
            format!("time field value out of range: {hour:02}:{min:02}:{sec:02}"),
        ));
    }
    Ok(ScalarValue::Time64Microsecond(Some(total as i64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(s: &str) -> i64 {
        let dt = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f");
        dt.map(|d| d.and_utc().timestamp_micros())
            .unwrap_or(i64::MIN)
    }

    // Expected values from PostgreSQL 15:
    // age('2024-03-15', '2020-01-20') = '4 years 1 mon 26 days',
    // age('2024-02-29', '2023-02-28') = '1 year 1 day',
    // age('2020-01-31', '2020-03-01') = '-1 mons -1 days',
    // age('2024-03-01 10:00', '2024-01-31 12:30:00.5') = '1 mon 21:29:59.5'.
    #[test]
    fn age_matches_postgres() {
        let hour = 3_600_000_000;
        let cases = [
            ("2024-03-15 00:00:00", "2020-01-20 00:00:00", (49, 26, 0)),
            ("2024-02-29 00:00:00", "2023-02-28 00:00:00", (12, 1, 0)),
            ("2020-01-31 00:00:00", "2020-03-01 00:00:00", (-1, -1, 0)),
            (
                "2024-03-01 10:00:00",
                "2024-01-31 12:30:00.5",
                (1, 0, 21 * hour + 29 * 60_000_000 + 59_500_000),
            ),
        ];
        for (a, b, want) in cases {
            assert_eq!(age_of(us(a), us(b)).ok(), Some(want), "age({a}, {b})");
        }
    }

    #[test]
    fn make_timestamp_checks_fields_like_postgres() {
        assert!(local_timestamp(2024, 2, 30, 0, 0, 0.0).is_err());
        assert!(local_timestamp(2024, 2, 3, 25, 0, 0.0).is_err());
        // Seconds of 60 carry: make_timestamp(2024, 2, 3, 2, 0, 60) = 2024-02-03 02:01:00.
        let carried = local_timestamp(2024, 2, 3, 2, 0, 60.0).ok();
        assert_eq!(
            carried.map(|t| t.to_string()),
            Some("2024-02-03 02:01:00".to_owned())
        );
    }
}
