//! `x AT TIME ZONE zone` as PostgreSQL defines it: a timestamptz becomes the wall-clock
//! timestamp in `zone`, a timestamp is read as wall-clock time in `zone` and becomes a
//! timestamptz; and `date_trunc(unit, timestamptz, zone)` truncates in `zone`'s wall clock.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Value,
};

use super::pg_udf::{RowFn, sql_err, text};
use crate::pgtypes::SessionTz;

pub const AT_FN: &str = "pg_at_time_zone";

pub fn register(ctx: &SessionContext) {
    ctx.register_udf(RowFn::new(AT_FN, coerce, ret, at).udf());
}

fn naive() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, None)
}

fn zoned() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC")))
}

fn coerce(args: &[DataType]) -> DfResult<Vec<DataType>> {
    let ts = match args.first() {
        Some(DataType::Timestamp(_, Some(_))) => zoned(),
        Some(DataType::Timestamp(_, None) | DataType::Date32 | DataType::Null) => naive(),
        _ => {
            return Err(sql_err(
                "42883",
                "function timezone(unknown, this type) does not exist",
            ));
        }
    };
    Ok(vec![ts, DataType::Utf8])
}

fn ret(args: &[DataType]) -> DfResult<DataType> {
    Ok(match args.first() {
        Some(DataType::Timestamp(_, Some(_))) => naive(),
        _ => zoned(),
    })
}

fn at(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    let (Some(ts), Some(zone)) = (args.first(), args.get(1).and_then(text)) else {
        return Ok(ScalarValue::Null);
    };
    let tz = SessionTz::parse(zone)
        .ok_or_else(|| sql_err("22023", format!("time zone \"{zone}\" not recognized")))?;
    let shift = |v: i64, secs: i32| v.saturating_add(i64::from(secs) * 1_000_000);
    Ok(match ts {
        // ±infinity stay as they are.
        ScalarValue::TimestampMicrosecond(Some(v), _) if *v == i64::MAX || *v == i64::MIN => {
            match ts {
                ScalarValue::TimestampMicrosecond(_, Some(_)) => {
                    ScalarValue::TimestampMicrosecond(Some(*v), None)
                }
                _ => ScalarValue::TimestampMicrosecond(Some(*v), Some(Arc::from("UTC"))),
            }
        }
        ScalarValue::TimestampMicrosecond(Some(v), Some(_)) => {
            let offset = tz.offset_at_utc(v.div_euclid(1_000_000));
            ScalarValue::TimestampMicrosecond(Some(shift(*v, offset)), None)
        }
        ScalarValue::TimestampMicrosecond(Some(v), None) => {
            let offset = tz.offset_for_local(v.div_euclid(1_000_000));
            ScalarValue::TimestampMicrosecond(Some(shift(*v, -offset)), Some(Arc::from("UTC")))
        }
        _ => ScalarValue::Null,
    })
}

/// `ts AT TIME ZONE z` → `pg_at_time_zone(ts, z)`; `date_trunc(u, ts, z)` →
/// `pg_at_time_zone(date_trunc(u, pg_at_time_zone(ts, z)), z)`.
pub fn rewrite(e: &mut Expr) {
    if let Expr::AtTimeZone {
        timestamp,
        time_zone,
    } = e
    {
        let take = |x: &mut Box<Expr>| std::mem::replace(x.as_mut(), Expr::value(Value::Null));
        let (ts, zone) = (take(timestamp), take(time_zone));
        *e = super::rewrite::call(AT_FN, vec![ts, zone]);
        return;
    }
    let Expr::Function(f) = e else { return };
    if !f.name.to_string().eq_ignore_ascii_case("date_trunc") {
        return;
    }
    let FunctionArguments::List(list) = &mut f.args else {
        return;
    };
    let [
        FunctionArg::Unnamed(FunctionArgExpr::Expr(unit)),
        FunctionArg::Unnamed(FunctionArgExpr::Expr(ts)),
        FunctionArg::Unnamed(FunctionArgExpr::Expr(zone)),
    ] = list.args.as_slice()
    else {
        return;
    };
    let local = super::rewrite::call(AT_FN, vec![ts.clone(), zone.clone()]);
    let truncated = super::rewrite::call("date_trunc", vec![unit.clone(), local]);
    *e = super::rewrite::call(AT_FN, vec![truncated, zone.clone()]);
}
