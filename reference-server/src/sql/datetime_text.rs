//! `x::text` of a date/time value is PostgreSQL's output function under the session's
//! DateStyle, IntervalStyle and TimeZone (`'2024-01-01 09:00:00+09'`), where Arrow's cast
//! gives ISO 8601 in UTC (`2024-01-01T00:00:00Z`). After planning, casts from date/time types
//! to text become calls of a per-session function that writes the wire's text form.

use std::sync::{Arc, Mutex};

use bytes::BytesMut;
use datafusion::arrow::array::{ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, DataFusionError, Result as DfResult, ScalarValue};
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    Cast, ColumnarValue, Expr, ExprSchemable, LogicalPlan, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::SessionContext;

use crate::pgtypes::{arrow_to_pg, encode_text};
use crate::session::lock;
use crate::session::settings::Settings;

const NAME: &str = "pg_datetime_text";

/// Whether PostgreSQL's text output of the type differs from Arrow's cast.
fn is_datetime(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Timestamp(..)
            | DataType::Date32
            | DataType::Date64
            | DataType::Time32(_)
            | DataType::Time64(_)
            | DataType::Interval(_)
    )
}

/// Replace every cast of a date/time value to text in the plan (subqueries included) with
/// the session's output function, registered under [`NAME`]; and make `date_trunc` of a
/// date work on timestamptz, as PostgreSQL resolves it (`date_trunc('year', DATE '2024-02-29')`
/// is `2024-01-01 00:00:00+00`).
pub fn rewrite_plan(plan: LogicalPlan, ctx: &SessionContext) -> DfResult<LogicalPlan> {
    let Ok(udf) = ctx.udf(NAME) else {
        return Ok(plan);
    };
    // Once a node's types change, the nodes above it must recompute their schemas.
    let mut changed_below = false;
    Ok(plan
        .transform_up_with_subqueries(|node| {
            let inputs = node.inputs();
            let schema = match inputs.as_slice() {
                [one] => Arc::clone(one.schema()),
                _ => Arc::new(DFSchema::empty()),
            };
            let out =
                node.map_expressions(|e| e.transform_up(|e| rewrite_expr(e, &schema, &udf)))?;
            changed_below |= out.transformed;
            if changed_below {
                Ok(Transformed::yes(out.data.recompute_schema()?))
            } else {
                Ok(out)
            }
        })?
        .data)
}

fn rewrite_expr(e: Expr, schema: &DFSchema, udf: &Arc<ScalarUDF>) -> DfResult<Transformed<Expr>> {
    match e {
        Expr::ScalarFunction(mut f)
            if f.func.name().eq_ignore_ascii_case("date_trunc")
                && f.args
                    .get(1)
                    .and_then(|a| a.get_type(schema).ok())
                    .is_some_and(|t| matches!(t, DataType::Date32 | DataType::Date64)) =>
        {
            if let Some(arg) = f.args.get_mut(1) {
                let date = std::mem::replace(arg, Expr::Literal(ScalarValue::Null, None));
                *arg = Expr::Cast(Cast::new(
                    Box::new(date),
                    DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC"))),
                ));
            }
            Ok(Transformed::yes(Expr::ScalarFunction(f)))
        }
        other => text_cast(other, schema, udf),
    }
}

fn text_cast(e: Expr, schema: &DFSchema, udf: &Arc<ScalarUDF>) -> DfResult<Transformed<Expr>> {
    let Expr::Cast(c) = &e else {
        return Ok(Transformed::no(e));
    };
    if !super::pg_udf::is_text(c.field.data_type())
        || !c.expr.get_type(schema).is_ok_and(|t| is_datetime(&t))
    {
        return Ok(Transformed::no(e));
    }
    let Expr::Cast(c) = e else {
        return Err(DataFusionError::Internal("cast expected".into()));
    };
    let to = c.field.data_type().clone();
    let call = Expr::ScalarFunction(ScalarFunction::new_udf(Arc::clone(udf), vec![*c.expr]));
    Ok(Transformed::yes(if to == DataType::Utf8 {
        call
    } else {
        Expr::Cast(Cast::new(Box::new(call), to))
    }))
}

/// The per-session output function (it reads DateStyle, IntervalStyle and TimeZone).
#[derive(Debug)]
pub struct DatetimeText {
    signature: Signature,
    settings: Arc<Mutex<Settings>>,
}

impl PartialEq for DatetimeText {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.settings, &other.settings)
    }
}

impl Eq for DatetimeText {}

impl std::hash::Hash for DatetimeText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        NAME.hash(state);
    }
}

impl DatetimeText {
    pub fn udf(settings: Arc<Mutex<Settings>>) -> ScalarUDF {
        ScalarUDF::new_from_impl(Self {
            signature: Signature::any(1, Volatility::Stable),
            settings,
        })
    }
}

impl ScalarUDFImpl for DatetimeText {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return Err(DataFusionError::Plan(format!(
                "{NAME} expects one argument"
            )));
        };
        let scalar = matches!(arg, ColumnarValue::Scalar(_));
        let array = arg.to_array(args.number_rows.max(1))?;
        let fmt = lock(&self.settings).format_settings();
        let col = arrow_to_pg(array.data_type());
        let mut out = StringBuilder::new();
        let mut buf = BytesMut::new();
        for row in 0..array.len() {
            buf.clear();
            let written = encode_text(array.as_ref(), row, &col, &fmt, &mut buf)
                .map_err(|e| DataFusionError::External(Box::new(e)))?;
            if written {
                out.append_value(String::from_utf8_lossy(&buf));
            } else {
                out.append_null();
            }
        }
        let out: ArrayRef = Arc::new(out.finish());
        if scalar {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?));
        }
        Ok(ColumnarValue::Array(out))
    }
}
