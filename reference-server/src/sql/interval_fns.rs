//! `justify_hours`, `justify_days` and `justify_interval`: PostgreSQL's interval
//! normalisations (a day is 24 hours, a month 30 days), with its sign rules.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, IntervalMonthDayNanoArray};
use datafusion::arrow::datatypes::{
    DataType, IntervalMonthDayNano, IntervalMonthDayNanoType, IntervalUnit,
};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
use datafusion::prelude::SessionContext;

const NANOS_PER_DAY: i64 = 86_400_000_000_000;
const DAYS_PER_MONTH: i64 = 30;

/// An interval as PostgreSQL's fields, wide enough that carries cannot overflow mid-way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub months: i64,
    pub days: i64,
    pub nanos: i64,
}

impl Span {
    fn of(v: IntervalMonthDayNano) -> Self {
        Span {
            months: i64::from(v.months),
            days: i64::from(v.days),
            nanos: v.nanoseconds,
        }
    }

    fn into_interval(self) -> DfResult<IntervalMonthDayNano> {
        let out_of_range = || {
            DataFusionError::External(Box::new(super::SqlError::new(
                "22008",
                "interval out of range",
            )))
        };
        Ok(IntervalMonthDayNano::new(
            i32::try_from(self.months).map_err(|_| out_of_range())?,
            i32::try_from(self.days).map_err(|_| out_of_range())?,
            self.nanos,
        ))
    }

    /// interval_justify_hours: whole days out of the time part.
    pub fn justify_hours(mut self) -> Self {
        self.days += self.nanos / NANOS_PER_DAY;
        self.nanos %= NANOS_PER_DAY;
        if self.days > 0 && self.nanos < 0 {
            self.nanos += NANOS_PER_DAY;
            self.days -= 1;
        } else if self.days < 0 && self.nanos > 0 {
            self.nanos -= NANOS_PER_DAY;
            self.days += 1;
        }
        self
    }

    /// interval_justify_days: whole months out of the days.
    pub fn justify_days(mut self) -> Self {
        self.months += self.days / DAYS_PER_MONTH;
        self.days %= DAYS_PER_MONTH;
        if self.months > 0 && self.days < 0 {
            self.days += DAYS_PER_MONTH;
            self.months -= 1;
        } else if self.months < 0 && self.days > 0 {
            self.days -= DAYS_PER_MONTH;
            self.months += 1;
        }
        self
    }

    /// interval_justify_interval: both, with one sign across all fields.
    pub fn justify_interval(mut self) -> Self {
        self.days += self.nanos / NANOS_PER_DAY;
        self.nanos %= NANOS_PER_DAY;
        self.months += self.days / DAYS_PER_MONTH;
        self.days %= DAYS_PER_MONTH;
        if self.months > 0 && (self.days < 0 || (self.days == 0 && self.nanos < 0)) {
            self.days += DAYS_PER_MONTH;
            self.months -= 1;
        } else if self.months < 0 && (self.days > 0 || (self.days == 0 && self.nanos > 0)) {
            self.days -= DAYS_PER_MONTH;
            self.months += 1;
        }
        if self.days > 0 && self.nanos < 0 {
            self.nanos += NANOS_PER_DAY;
            self.days -= 1;
        } else if self.days < 0 && self.nanos > 0 {
            self.nanos -= NANOS_PER_DAY;
            self.days += 1;
        }
        self
    }
}

/// One of the normalisations.
type Justify = fn(Span) -> Span;

pub fn register(ctx: &SessionContext) {
    let fns: [(&str, Justify); 3] = [
        ("justify_hours", Span::justify_hours),
        ("justify_days", Span::justify_days),
        ("justify_interval", Span::justify_interval),
    ];
    let interval = DataType::Interval(IntervalUnit::MonthDayNano);
    for (name, f) in fns {
        ctx.register_udf(create_udf(
            name,
            vec![interval.clone()],
            interval.clone(),
            Volatility::Immutable,
            Arc::new(move |args: &[ColumnarValue]| map_intervals(args, f)),
        ));
    }
}

fn map_intervals(args: &[ColumnarValue], f: Justify) -> DfResult<ColumnarValue> {
    let scalar = args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let [input] = arrays.as_slice() else {
        return Err(DataFusionError::Plan(
            "expected one interval argument".into(),
        ));
    };
    let input = input.as_primitive::<IntervalMonthDayNanoType>();
    let out: IntervalMonthDayNanoArray = (0..input.len())
        .map(|i| {
            if input.is_null(i) {
                return Ok(None);
            }
            f(Span::of(input.value(i))).into_interval().map(Some)
        })
        .collect::<DfResult<_>>()?;
    if scalar {
        return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?));
    }
    Ok(ColumnarValue::Array(Arc::new(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000_000_000;

    fn span(months: i64, days: i64, hours: i64) -> Span {
        Span {
            months,
            days,
            nanos: hours * HOUR,
        }
    }

    // Expected values from PostgreSQL 15: justify_hours('50 hours') = '2 days 02:00:00',
    // justify_days('45 days') = '1 mon 15 days',
    // justify_interval('1 month -1 hour') = '29 days 23:00:00',
    // justify_hours('-50 hours 1 day') = '-1 days -02:00:00',
    // justify_interval('-1 month 40 days -3 hours') = '9 days 21:00:00'.
    #[test]
    fn as_postgres_justifies() {
        assert_eq!(span(0, 0, 50).justify_hours(), span(0, 2, 2));
        assert_eq!(span(0, 45, 0).justify_days(), span(1, 15, 0));
        assert_eq!(span(1, 0, -1).justify_interval(), span(0, 29, 23));
        assert_eq!(span(0, 1, -50).justify_hours(), span(0, -1, -2));
        assert_eq!(span(-1, 40, -3).justify_interval(), span(0, 9, 21));
    }
}
