//! interval arithmetic and comparison as PostgreSQL does them. `interval * number` and
//! `interval / number` (DataFusion: "Invalid interval arithmetic operation") spill a
//! fractional month into days (30 a month) and a fractional day into time (24 hours a day);
//! intervals compare by their total length at 30-day months and 24-hour days, so
//! `INTERVAL '1 day' = INTERVAL '24 hours'` (DataFusion compares the fields).

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNano, IntervalUnit};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::logical_expr::Expr as LogicalExpr;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::{
    BinaryOperator, DataType as SqlType, Expr, UnaryOperator, Value,
};

use super::pg_udf::{RowFn, sql_err};

pub const MUL_FN: &str = "pg_interval_mul";
pub const DIV_FN: &str = "pg_interval_div";

const INTERVAL: DataType = DataType::Interval(IntervalUnit::MonthDayNano);

pub fn register(ctx: &SessionContext) {
    ctx.register_udf(RowFn::new(MUL_FN, interval_and_factor, |_| Ok(INTERVAL), mul).udf());
    ctx.register_udf(RowFn::new(DIV_FN, interval_and_factor, |_| Ok(INTERVAL), div).udf());
}

/// Whether an expression is syntactically an interval (a literal or a cast to interval).
fn is_interval(e: &Expr) -> bool {
    match e {
        Expr::Interval(_) => true,
        Expr::Cast {
            data_type: SqlType::Interval { .. },
            ..
        } => true,
        Expr::Nested(inner) => is_interval(inner),
        _ => false,
    }
}

/// `interval * n`, `n * interval`, `interval / n` and `-interval` as calls of the
/// functions above.
pub fn rewrite(e: &mut Expr) {
    if let Expr::UnaryOp {
        op: UnaryOperator::Minus,
        expr,
    } = e
        && is_interval(expr)
    {
        let inner = std::mem::replace(expr.as_mut(), Expr::value(Value::Null));
        let minus_one = Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr: Box::new(Expr::value(Value::Number("1".into(), false))),
        };
        *e = super::rewrite::call(MUL_FN, vec![inner, minus_one]);
        return;
    }
    let Expr::BinaryOp { left, op, right } = e else {
        return;
    };
    let take = |x: &mut Box<Expr>| std::mem::replace(x.as_mut(), Expr::value(Value::Null));
    let call = match op {
        BinaryOperator::Multiply if is_interval(left) => {
            super::rewrite::call(MUL_FN, vec![take(left), take(right)])
        }
        BinaryOperator::Multiply if is_interval(right) => {
            super::rewrite::call(MUL_FN, vec![take(right), take(left)])
        }
        BinaryOperator::Divide if is_interval(left) => {
            super::rewrite::call(DIV_FN, vec![take(left), take(right)])
        }
        _ => return,
    };
    *e = call;
}

fn interval_and_factor(args: &[DataType]) -> DfResult<Vec<DataType>> {
    match args {
        [_, f] if f.is_numeric() || f == &DataType::Null => Ok(vec![INTERVAL, DataType::Float64]),
        _ => Err(sql_err(
            "42883",
            "operator does not exist: interval * unknown",
        )),
    }
}

fn parts(args: &[ScalarValue]) -> Option<(IntervalMonthDayNano, f64)> {
    match args {
        [
            ScalarValue::IntervalMonthDayNano(Some(iv)),
            ScalarValue::Float64(Some(f)),
        ] => Some((*iv, *f)),
        _ => None,
    }
}

/// Round to microseconds, as PostgreSQL's TSROUND.
fn tsround(x: f64) -> f64 {
    (x * 1e6).round_ties_even() / 1e6
}

/// PostgreSQL's interval_mul.
fn scale(iv: IntervalMonthDayNano, factor: f64) -> DfResult<ScalarValue> {
    let range = || sql_err("22008", "interval out of range");
    let months_f = f64::from(iv.months) * factor;
    let days_f = f64::from(iv.days) * factor;
    if !months_f.is_finite() || months_f.abs() > f64::from(i32::MAX) {
        return Err(range());
    }
    if !days_f.is_finite() || days_f.abs() > f64::from(i32::MAX) {
        return Err(range());
    }
    let months = months_f.trunc() as i32;
    let mut days = days_f.trunc() as i32;
    let month_rem_days = tsround((months_f - f64::from(months)) * 30.0);
    let mut sec_rem =
        tsround((days_f - f64::from(days) + month_rem_days - month_rem_days.trunc()) * 86_400.0);
    if sec_rem.abs() >= 86_400.0 {
        let whole = (sec_rem / 86_400.0).trunc();
        days = days.saturating_add(whole as i32);
        sec_rem -= whole * 86_400.0;
    }
    days = days.saturating_add(month_rem_days.trunc() as i32);
    let usecs = ((iv.nanoseconds / 1000) as f64 * factor + sec_rem * 1e6).round_ties_even();
    if !usecs.is_finite() || usecs.abs() >= 9.2e18 {
        return Err(range());
    }
    Ok(ScalarValue::IntervalMonthDayNano(Some(
        IntervalMonthDayNano::new(months, days, (usecs as i64).saturating_mul(1000)),
    )))
}

fn mul(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    match parts(args) {
        Some((iv, f)) => scale(iv, f),
        None => Ok(ScalarValue::IntervalMonthDayNano(None)),
    }
}

fn div(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    match parts(args) {
        Some((_, 0.0)) => Err(sql_err("22012", "division by zero")),
        Some((iv, f)) => scale(iv, 1.0 / f),
        None => Ok(ScalarValue::IntervalMonthDayNano(None)),
    }
}

/// An interval's total length in nanoseconds (30-day months, 24-hour days), for comparing.
fn key(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    const DAY: i128 = 86_400_000_000_000;
    Ok(ScalarValue::Decimal128(
        match args.first() {
            Some(ScalarValue::IntervalMonthDayNano(Some(iv))) => Some(
                i128::from(iv.months) * 30 * DAY
                    + i128::from(iv.days) * DAY
                    + i128::from(iv.nanoseconds),
            ),
            _ => None,
        },
        38,
        0,
    ))
}

/// `key(e)`: the value intervals compare by.
pub fn comparable(e: LogicalExpr) -> LogicalExpr {
    let f = RowFn::new(
        "interval_cmp_key",
        |_| Ok(vec![INTERVAL]),
        |_| Ok(DataType::Decimal128(38, 0)),
        key,
    );
    LogicalExpr::ScalarFunction(ScalarFunction::new_udf(Arc::new(f.udf()), vec![e]))
}
