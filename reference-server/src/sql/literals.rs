//! Date/time literals in PostgreSQL's input syntax, which DataFusion's parsers reject or read
//! differently (`'1 day 02:00:00'`, `'P1Y2M'`, `'epoch'`, `'infinity'`, `'Feb 29 2024'`), are
//! read here with PostgreSQL's rules, so they mean what they mean in PostgreSQL and bad input
//! fails with PostgreSQL's SQLSTATE.

use datafusion::arrow::datatypes::{DataType, IntervalUnit, TimeUnit};
use datafusion::common::tree_node::Transformed;
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::{Cast, Expr};
use datafusion::sql::sqlparser::ast::{CastKind, DataType as SqlType, Expr as SqlExpr, Value};
use postgres_types::Type;

use crate::pgtypes::{FormatSettings, PgColumnType, decode_text, parse_interval};

/// Rewrite `INTERVAL 'text'` (which DataFusion parses while planning, before
/// [`fold_text_cast`] sees it) and `'text'::interval` to DataFusion's unit spelling. Text
/// PostgreSQL rejects becomes a cast, which [`fold_text_cast`] reports as PostgreSQL does.
pub fn normalize_interval(e: &mut SqlExpr) {
    if let SqlExpr::Interval(iv) = e
        && iv.leading_field.is_none()
        && iv.last_field.is_none()
        && let Some(text) = string_literal(&mut iv.value)
        && parse_interval(text).is_err()
    {
        let value = std::mem::replace(iv.value.as_mut(), SqlExpr::value(Value::Null));
        *e = SqlExpr::Cast {
            kind: CastKind::DoubleColon,
            expr: Box::new(value),
            data_type: SqlType::Interval {
                fields: None,
                precision: None,
            },
            array: false,
            format: None,
        };
        return;
    }
    let text = match e {
        SqlExpr::Interval(iv) if iv.leading_field.is_none() && iv.last_field.is_none() => {
            string_literal(&mut iv.value)
        }
        SqlExpr::Cast {
            expr,
            data_type: SqlType::Interval { fields: None, .. },
            ..
        } => string_literal(expr),
        _ => None,
    };
    let Some(text) = text else { return };
    if let Ok((months, days, usecs)) = parse_interval(text) {
        *text = format!("{months} months {days} days {usecs} microseconds");
    }
}

fn string_literal(e: &mut SqlExpr) -> Option<&mut String> {
    match e {
        SqlExpr::Value(v) => match &mut v.value {
            Value::SingleQuotedString(s) => Some(s),
            _ => None,
        },
        SqlExpr::Nested(inner) => string_literal(inner),
        _ => None,
    }
}

/// Whether `e` is a non-null text constant.
pub fn is_text_literal(e: &Expr) -> bool {
    text_of(e).is_some()
}

fn text_of(e: &Expr) -> Option<&str> {
    match e {
        Expr::Literal(
            ScalarValue::Utf8(Some(s))
            | ScalarValue::Utf8View(Some(s))
            | ScalarValue::LargeUtf8(Some(s)),
            _,
        ) => Some(s),
        _ => None,
    }
}

/// `'text'::date` (also `DATE 'text'`, and text inserted into a date/time column): the value
/// PostgreSQL's input function reads, under the session's DateStyle and TimeZone.
pub fn fold_text_cast(c: Cast, fmt: &FormatSettings) -> DfResult<Transformed<Expr>> {
    let target = c.field.data_type().clone();
    let pg = match &target {
        DataType::Date32 => Type::DATE,
        DataType::Timestamp(_, None) => Type::TIMESTAMP,
        DataType::Timestamp(_, Some(_)) => Type::TIMESTAMPTZ,
        DataType::Interval(IntervalUnit::MonthDayNano) => Type::INTERVAL,
        DataType::Time64(_) => Type::TIME,
        _ => return Ok(Transformed::no(Expr::Cast(c))),
    };
    let Some(text) = text_of(&c.expr) else {
        return Ok(Transformed::no(Expr::Cast(c)));
    };
    let value = decode_text(text, &PgColumnType::new(pg), fmt)
        .map_err(|e| DataFusionError::External(Box::new(crate::sql::SqlError::from(e))))?;
    let value = match (&value, &target) {
        // ±infinity keep their sentinel in any unit (scaling them would overflow).
        (ScalarValue::TimestampMicrosecond(Some(v), _), DataType::Timestamp(unit, tz))
            if *v == i64::MAX || *v == i64::MIN =>
        {
            let (v, tz) = (Some(*v), tz.clone());
            match unit {
                TimeUnit::Second => ScalarValue::TimestampSecond(v, tz),
                TimeUnit::Millisecond => ScalarValue::TimestampMillisecond(v, tz),
                TimeUnit::Microsecond => ScalarValue::TimestampMicrosecond(v, tz),
                TimeUnit::Nanosecond => ScalarValue::TimestampNanosecond(v, tz),
            }
        }
        _ => match value.cast_to(&target) {
            Ok(v) => v,
            // Beyond what the target unit holds (years past 2262 in nanoseconds): leave the
            // cast to DataFusion.
            Err(_) => return Ok(Transformed::no(Expr::Cast(c))),
        },
    };
    Ok(Transformed::yes(Expr::Cast(Cast::new_from_field(
        Box::new(Expr::Literal(value, None)),
        c.field,
    ))))
}
