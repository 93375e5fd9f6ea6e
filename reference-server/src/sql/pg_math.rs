//! PostgreSQL math functions DataFusion lacks: `sign`, `div`, `scale`, `min_scale`,
//! `trim_scale`. numeric is a decimal here; unconstrained numeric ([`UNCONSTRAINED_NUMERIC`])
//! prints without trailing fractional zeros, which is how `trim_scale` keeps only the digits
//! the value needs.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::prelude::SessionContext;

use super::pg_udf::{RowFn, sql_err};
use crate::pgtypes::UNCONSTRAINED_NUMERIC;

pub fn register(ctx: &SessionContext) {
    ctx.register_udf(RowFn::new("sign", float_or_numeric, sign_type, sign).udf());
    ctx.register_udf(RowFn::new("div", div_args, |_| Ok(DataType::Decimal128(38, 0)), div).udf());
    ctx.register_udf(RowFn::new("scale", numeric_arg, |_| Ok(DataType::Int32), scale).udf());
    ctx.register_udf(
        RowFn::new("min_scale", numeric_arg, |_| Ok(DataType::Int32), min_scale).udf(),
    );
    ctx.register_udf(RowFn::new("trim_scale", numeric_arg, trim_type, trim_scale).udf());
}

fn is_decimal(t: &DataType) -> bool {
    matches!(t, DataType::Decimal128(..))
}

/// numeric arguments stay numeric, everything else is float8 (PostgreSQL's `sign(float8)`).
fn float_or_numeric(args: &[DataType]) -> DfResult<Vec<DataType>> {
    match args {
        [t] if is_decimal(t) => Ok(vec![t.clone()]),
        [t] if t.is_numeric() || t == &DataType::Null => Ok(vec![DataType::Float64]),
        _ => Err(sql_err("42883", "function sign does not exist")),
    }
}

fn sign_type(args: &[DataType]) -> DfResult<DataType> {
    Ok(match args.first() {
        Some(t) if is_decimal(t) => DataType::Decimal128(38, 0),
        _ => DataType::Float64,
    })
}

fn sign(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    Ok(match args.first() {
        Some(ScalarValue::Decimal128(Some(v), ..)) => {
            ScalarValue::Decimal128(Some(v.signum()), 38, 0)
        }
        Some(ScalarValue::Float64(Some(v))) => ScalarValue::Float64(Some(if v.is_nan() {
            f64::NAN
        } else if *v > 0.0 {
            1.0
        } else if *v < 0.0 {
            -1.0
        } else {
            0.0
        })),
        _ => ScalarValue::Float64(None),
    })
}

fn numeric_arg(args: &[DataType]) -> DfResult<Vec<DataType>> {
    match args {
        [t] if is_decimal(t) => Ok(vec![t.clone()]),
        [t] if t.is_integer() || t == &DataType::Null => Ok(vec![DataType::Decimal128(38, 0)]),
        [t] if t.is_floating() => Ok(vec![UNCONSTRAINED_NUMERIC]),
        _ => Err(sql_err(
            "42883",
            "function does not exist for this argument type",
        )),
    }
}

/// `div(a, b)`: integers stay int8, numerics become one common decimal scale so the
/// truncated quotient of the raw values is the truncated quotient of the numbers.
fn div_args(args: &[DataType]) -> DfResult<Vec<DataType>> {
    match args {
        [a, b] if a.is_integer() && b.is_integer() => Ok(vec![DataType::Int64; 2]),
        [a, b]
            if (a.is_numeric() || a == &DataType::Null)
                && (b.is_numeric() || b == &DataType::Null) =>
        {
            Ok(vec![UNCONSTRAINED_NUMERIC; 2])
        }
        _ => Err(sql_err("42883", "function div does not exist")),
    }
}

fn div(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    let zero = || sql_err("22012", "division by zero");
    let q = match args {
        [ScalarValue::Int64(Some(a)), ScalarValue::Int64(Some(b))] => {
            let (a, b) = (i128::from(*a), i128::from(*b));
            if b == 0 {
                return Err(zero());
            }
            a / b
        }
        [
            ScalarValue::Decimal128(Some(a), ..),
            ScalarValue::Decimal128(Some(b), ..),
        ] => {
            if *b == 0 {
                return Err(zero());
            }
            a.checked_div(*b)
                .ok_or_else(|| sql_err("22003", "value out of range"))?
        }
        _ => return Ok(ScalarValue::Decimal128(None, 38, 0)),
    };
    Ok(ScalarValue::Decimal128(Some(q), 38, 0))
}

/// The number of fractional digits a value shows: its type's scale, less the trailing zeros
/// unconstrained numeric does not print.
fn shown_scale(v: i128, scale: i8, unconstrained: bool) -> i32 {
    let scale = i32::from(scale);
    if !unconstrained {
        return scale.max(0);
    }
    let mut s = scale;
    let mut v = v;
    while s > 0 && v % 10 == 0 {
        v /= 10;
        s -= 1;
    }
    s.max(0)
}

/// The fewest fractional digits that represent the value exactly.
fn least_scale(v: i128, scale: i8) -> i32 {
    shown_scale(v, scale, true)
}

fn scale(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    Ok(ScalarValue::Int32(match args.first() {
        Some(ScalarValue::Decimal128(Some(v), p, s)) => Some(shown_scale(
            *v,
            *s,
            DataType::Decimal128(*p, *s) == UNCONSTRAINED_NUMERIC,
        )),
        _ => None,
    }))
}

fn min_scale(args: &[ScalarValue], _ret: &DataType) -> DfResult<ScalarValue> {
    Ok(ScalarValue::Int32(match args.first() {
        Some(ScalarValue::Decimal128(Some(v), _, s)) => Some(least_scale(*v, *s)),
        _ => None,
    }))
}

/// Unconstrained numeric (printed without trailing zeros) when the value fits its scale.
fn trim_type(args: &[DataType]) -> DfResult<DataType> {
    Ok(match args.first() {
        Some(DataType::Decimal128(_, s)) if *s > 10 => DataType::Decimal128(38, *s),
        _ => UNCONSTRAINED_NUMERIC,
    })
}

fn trim_scale(args: &[ScalarValue], ret: &DataType) -> DfResult<ScalarValue> {
    match args.first() {
        Some(v) => v.cast_to(ret),
        None => ScalarValue::try_from(ret),
    }
}
