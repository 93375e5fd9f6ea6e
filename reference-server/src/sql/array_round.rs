//! `(ARRAY[1.5, 2.5])::int[]` is `{2,3}` in PostgreSQL: each element is cast as a scalar
//! would be, numeric rounding half away from zero and float8 to the nearest even
//! (`rint`). Arrow's list cast truncates the elements, so they are rounded first.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Array, Float32Array, Float64Array, ListArray,
};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Float32Type, Float64Type};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::logical_expr::{
    Cast, ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The list cast with its elements rounded first, or the cast back unchanged.
pub fn rewrite(c: Cast, from: &DataType) -> Result<Expr, Cast> {
    let (Some(to), Some(elem)) = (leaf(c.field.data_type()), leaf(from)) else {
        return Err(c);
    };
    let fractional = matches!(
        elem,
        DataType::Float32 | DataType::Float64 | DataType::Decimal128(..)
    );
    if !to.is_integer() || !fractional {
        return Err(c);
    }
    let rounded = ScalarUDF::new_from_impl(RoundElements {
        signature: Signature::any(1, Volatility::Immutable),
    })
    .call(vec![*c.expr]);
    Ok(Expr::Cast(Cast::new_from_field(Box::new(rounded), c.field)))
}

/// The element type of a (possibly nested) list type.
fn leaf(t: &DataType) -> Option<&DataType> {
    match t {
        DataType::List(f) => match f.data_type() {
            inner @ DataType::List(_) => leaf(inner),
            other => Some(other),
        },
        _ => None,
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct RoundElements {
    signature: Signature,
}

impl ScalarUDFImpl for RoundElements {
    fn name(&self) -> &str {
        "pg_round_elements"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> DfResult<DataType> {
        Ok(args.first().cloned().unwrap_or(DataType::Null))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let Some(arg) = args.args.first() else {
            return Ok(ColumnarValue::Scalar(ScalarValue::Null));
        };
        match arg {
            ColumnarValue::Array(a) => Ok(ColumnarValue::Array(round(a)?)),
            ColumnarValue::Scalar(s) => {
                let out = round(&s.to_array()?)?;
                Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
            }
        }
    }
}

/// The array with every float or decimal leaf rounded to an integral value (same type).
fn round(a: &ArrayRef) -> DfResult<ArrayRef> {
    Ok(match a.data_type() {
        DataType::List(field) => {
            let list = a.as_list::<i32>();
            Arc::new(ListArray::try_new(
                field.clone(),
                list.offsets().clone(),
                round(list.values())?,
                list.nulls().cloned(),
            )?)
        }
        DataType::Float64 => {
            let v: Float64Array = a.as_primitive::<Float64Type>().unary(f64::round_ties_even);
            Arc::new(v)
        }
        DataType::Float32 => {
            let v: Float32Array = a.as_primitive::<Float32Type>().unary(f32::round_ties_even);
            Arc::new(v)
        }
        DataType::Decimal128(p, s) => {
            let unit = 10i128.checked_pow(u32::from(s.unsigned_abs())).unwrap_or(1);
            let half_away = |v: i128| {
                if *s <= 0 {
                    return v;
                }
                let q = v / unit;
                let r = v % unit;
                let q = if r.abs() * 2 >= unit {
                    q + r.signum()
                } else {
                    q
                };
                q.saturating_mul(unit)
            };
            let v: Decimal128Array = a
                .as_primitive::<Decimal128Type>()
                .unary(half_away)
                .with_precision_and_scale(*p, *s)?;
            Arc::new(v)
        }
        _ => a.clone(),
    })
}
