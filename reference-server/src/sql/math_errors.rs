//! The errors PostgreSQL raises where IEEE arithmetic quietly gives infinity or NaN:
//! float division by zero (22012), the logarithm of zero or a negative number (2201E), and
//! zero to a negative power or a negative number to a non-integer power (2201F).
//! DataFusion's `ln`, `log`, `log10` and `power` keep computing the values; a wrapper checks
//! their arguments first.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, Volatility, create_udf,
};
use datafusion::prelude::SessionContext;

use super::pg_udf::sql_err;
use super::wrapped_udf::{CheckFn, Wrapped};

/// The function float division's divisor goes through (see [`super::typing`]).
pub const FLOAT_DIVISOR_FN: &str = "pg_float_divisor";

pub fn register(ctx: &SessionContext) {
    ctx.register_udf(divisor_udf());
    for (name, check) in [
        ("ln", log_args as CheckFn),
        ("log", log_args),
        ("log10", log_args),
        ("power", power_args),
    ] {
        if let Ok(inner) = ctx.udf(name) {
            ctx.register_udf(Wrapped::checked(inner.as_ref().clone(), check));
        }
    }
}

fn divisor_udf() -> ScalarUDF {
    create_udf(
        FLOAT_DIVISOR_FN,
        vec![DataType::Float64],
        DataType::Float64,
        Volatility::Immutable,
        Arc::new(float_divisor),
    )
}

/// `e` as a float division's divisor, failing on zero (unless it already is one).
pub fn checked_divisor(e: Expr) -> Expr {
    match &e {
        Expr::ScalarFunction(f) if f.name() == FLOAT_DIVISOR_FN => e,
        _ => Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(divisor_udf()), vec![e])),
    }
}

/// The divisor itself, unless it is zero.
fn float_divisor(args: &[ColumnarValue]) -> DfResult<ColumnarValue> {
    let Some(arg) = args.first() else {
        return Ok(ColumnarValue::Scalar(ScalarValue::Float64(None)));
    };
    for_each_value(arg, |v| {
        if v == 0.0 {
            Err(sql_err("22012", "division by zero"))
        } else {
            Ok(())
        }
    })?;
    Ok(arg.clone())
}

/// One call's arguments as float8 columns (`None` for NULL).
fn float_args(args: &ScalarFunctionArgs) -> DfResult<Vec<Vec<Option<f64>>>> {
    args.args
        .iter()
        .map(|a| floats(a, args.number_rows))
        .collect()
}

/// `ln(x)`, `log10(x)`, `log(x)`, `log(b, x)`: every argument must be positive.
fn log_args(args: &ScalarFunctionArgs) -> DfResult<()> {
    for v in float_args(args)?.iter().flatten().flatten() {
        if *v == 0.0 {
            return Err(sql_err("2201E", "cannot take logarithm of zero"));
        }
        if *v < 0.0 {
            return Err(sql_err(
                "2201E",
                "cannot take logarithm of a negative number",
            ));
        }
    }
    Ok(())
}

/// `power(x, y)`: not 0 to a negative power, nor a negative x to a non-integer power.
fn power_args(args: &ScalarFunctionArgs) -> DfResult<()> {
    let args = float_args(args)?;
    let (Some(xs), Some(ys)) = (args.first(), args.get(1)) else {
        return Ok(());
    };
    for (x, y) in xs.iter().zip(ys) {
        let (Some(x), Some(y)) = (x, y) else { continue };
        if *x == 0.0 && *y < 0.0 {
            return Err(sql_err(
                "2201F",
                "zero raised to a negative power is undefined",
            ));
        }
        if *x < 0.0 && y.is_finite() && y.fract() != 0.0 {
            return Err(sql_err(
                "2201F",
                "a negative number raised to a non-integer power yields a complex result",
            ));
        }
    }
    Ok(())
}

/// Call `f` on each non-NULL value of a numeric argument, read as float8.
fn for_each_value(arg: &ColumnarValue, mut f: impl FnMut(f64) -> DfResult<()>) -> DfResult<()> {
    for v in floats(arg, 1)?.into_iter().flatten() {
        f(v)?;
    }
    Ok(())
}

/// A numeric argument's values as float8 (`rows` values for a scalar).
fn floats(arg: &ColumnarValue, rows: usize) -> DfResult<Vec<Option<f64>>> {
    let array = arg.to_array(rows.max(1))?;
    if !array.data_type().is_numeric() {
        return Ok(vec![None; array.len()]);
    }
    let array = cast(&array, &DataType::Float64)?;
    Ok(array.as_primitive::<Float64Type>().iter().collect())
}
