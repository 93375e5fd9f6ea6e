//! `time::interval`: PostgreSQL's cast from a time of day to the interval since midnight
//! (`'13:45:30'::time::interval` is `13:45:30`). Arrow has no such cast.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, IntervalMonthDayNanoArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, IntervalMonthDayNano, IntervalUnit, Time64MicrosecondType, TimeUnit,
};
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{ColumnarValue, Expr, ScalarUDF, Volatility, create_udf};

const TIME_INTERVAL_FN: &str = "pg_time_interval";

fn udf() -> ScalarUDF {
    create_udf(
        TIME_INTERVAL_FN,
        vec![DataType::Time64(TimeUnit::Microsecond)],
        DataType::Interval(IntervalUnit::MonthDayNano),
        Volatility::Immutable,
        Arc::new(time_interval),
    )
}

/// The interval since midnight of a time expression.
pub fn cast_expr(time: Expr) -> Expr {
    Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf()), vec![time]))
}

fn time_interval(args: &[ColumnarValue]) -> DfResult<ColumnarValue> {
    let Some(arg) = args.first() else {
        return Ok(ColumnarValue::Scalar(
            datafusion::common::ScalarValue::IntervalMonthDayNano(None),
        ));
    };
    let scalar = matches!(arg, ColumnarValue::Scalar(_));
    let times = cast(&arg.to_array(1)?, &DataType::Time64(TimeUnit::Microsecond))?;
    let out: IntervalMonthDayNanoArray = times
        .as_primitive::<Time64MicrosecondType>()
        .iter()
        .map(|t| t.map(|us| IntervalMonthDayNano::new(0, 0, us.saturating_mul(1000))))
        .collect();
    let out: Arc<dyn Array> = Arc::new(out);
    Ok(if scalar {
        ColumnarValue::Scalar(datafusion::common::ScalarValue::try_from_array(&out, 0)?)
    } else {
        ColumnarValue::Array(out)
    })
}
