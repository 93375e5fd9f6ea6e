//! `width_bucket(operand, thresholds)`: the bucket of `operand` among the sorted lower bounds
//! in `thresholds` (0 below the first), as PostgreSQL's `width_bucket(anycompatible,
//! anycompatiblearray)`. Compared as float8, which covers the numeric types it is used with.

use std::cmp::Ordering;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::prelude::SessionContext;

use super::pg_udf::{RowFn, sql_err};

/// The name the two-argument `width_bucket` call is rewritten to.
pub const WIDTH_BUCKET_ARRAY_FN: &str = "pg_width_bucket_array";

pub fn register(ctx: &SessionContext) {
    ctx.register_udf(RowFn::new(WIDTH_BUCKET_ARRAY_FN, coerce, ret, eval).udf());
}

fn coerce(args: &[DataType]) -> DfResult<Vec<DataType>> {
    match args {
        [
            _,
            DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(..)
            | DataType::Null,
        ] => Ok(vec![
            DataType::Float64,
            DataType::new_list(DataType::Float64, true),
        ]),
        _ => Err(sql_err(
            "42883",
            "function width_bucket(..., ...) does not exist: the second argument must be an array",
        )),
    }
}

fn ret(_: &[DataType]) -> DfResult<DataType> {
    Ok(DataType::Int32)
}

/// float8 order: NaN above every number, as PostgreSQL sorts it.
fn cmp(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b)
        .unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()))
}

fn eval(args: &[ScalarValue], _: &DataType) -> DfResult<ScalarValue> {
    let (Some(ScalarValue::Float64(Some(op))), Some(ScalarValue::List(list))) =
        (args.first(), args.get(1))
    else {
        return Ok(ScalarValue::Int32(None));
    };
    if list.is_empty() || list.is_null(0) {
        return Ok(ScalarValue::Int32(None));
    }
    let values = list.value(0);
    let Some(thresholds) = values.as_primitive_opt::<Float64Type>() else {
        return Err(sql_err(
            "42804",
            "width_bucket thresholds must be a numeric array",
        ));
    };
    if thresholds.null_count() > 0 {
        return Err(sql_err("22004", "thresholds array must not contain NULLs"));
    }
    // The first threshold above the operand, by binary search as PostgreSQL does.
    let (mut left, mut right) = (0, thresholds.len());
    while left < right {
        let mid = left + (right - left) / 2;
        if cmp(*op, thresholds.value(mid)) == Ordering::Less {
            right = mid;
        } else {
            left = mid + 1;
        }
    }
    Ok(ScalarValue::Int32(Some(
        i32::try_from(left).unwrap_or(i32::MAX),
    )))
}
