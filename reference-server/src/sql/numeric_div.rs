//! `numeric / numeric` as PostgreSQL computes it: the quotient is rounded (half away from
//! zero) to the scale `select_div_scale` (numeric.c) picks, at least 16 significant digits
//! and never fewer fractional digits than either operand. DataFusion's decimal division
//! truncates at a scale taken from the operand types alone (`7.0 / 2` is `3.50000`).
//!
//! PostgreSQL's scale belongs to each value; Arrow has one scale per column, and sorting,
//! comparing, joining and aggregating all need that one Arrow type, so the scale is chosen
//! per expression:
//! - a quotient of constants gets exactly PostgreSQL's scale, computed from the two values;
//! - a quotient of two integral operands over columns (`avg(int)` too) is [`QUOTIENT`]:
//!   17 stored digits, shown with PostgreSQL's scale for the quotient's magnitude
//!   (`max(0, 16 - 4 × weight)`, see `pgtypes::numeric::quotient_text`);
//! - any other quotient over columns gets `max(16, s1, s2)`, PostgreSQL's scale whenever the
//!   quotient's magnitude lies between 1 and 10000.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Decimal128Array};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, i256};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    BinaryExpr, Cast, ColumnarValue, Expr, Operator, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};

use super::pg_udf::sql_err;
pub use crate::pgtypes::QUOTIENT;

/// PostgreSQL's NUMERIC_MIN_SIG_DIGITS.
const MIN_SIG_DIGITS: i32 = 16;
/// The largest scale an Arrow Decimal128 holds.
const MAX_SCALE: i32 = 38;

/// A numeric of a scale the value itself determines. Scale 10 is stored with precision 37:
/// Decimal128(38, 10) is unconstrained-numeric storage, which prints without trailing
/// zeros, while a computed `round(x, 10)` shows all ten digits.
pub fn exact_numeric(scale: i8) -> DataType {
    if DataType::Decimal128(38, scale) == crate::pgtypes::UNCONSTRAINED_NUMERIC {
        DataType::Decimal128(37, scale)
    } else {
        DataType::Decimal128(38, scale)
    }
}

/// `l / r` as a numeric division when either side is a decimal and the other a decimal or
/// an integer; otherwise the expression back unchanged.
pub fn division(b: BinaryExpr, l: &DataType, r: &DataType) -> Result<Expr, BinaryExpr> {
    let operand = |t: &DataType| match t {
        DataType::Decimal128(_, s) => Some(*s),
        t if t.is_integer() => Some(0),
        _ => None,
    };
    let decimal = |t: &DataType| matches!(t, DataType::Decimal128(..));
    if b.op != Operator::Divide || !(decimal(l) || decimal(r)) {
        return Err(b);
    }
    let (Some(sl), Some(sr)) = (operand(l), operand(r)) else {
        return Err(b);
    };
    let ret = match (constant(&b.left), constant(&b.right)) {
        (Some(x), Some(y)) => exact_numeric(div_scale(x, y)),
        _ if sl <= 0 && sr <= 0 => QUOTIENT,
        _ => exact_numeric(sl.max(sr).max(MIN_SIG_DIGITS as i8)),
    };
    let as_decimal = |e: Box<Expr>, t: &DataType| {
        if t.is_integer() {
            Expr::Cast(Cast::new(e, DataType::Decimal128(38, 0)))
        } else {
            *e
        }
    };
    let args = vec![as_decimal(b.left, l), as_decimal(b.right, r)];
    let udf = ScalarUDF::new_from_impl(NumericDiv::new(ret));
    Ok(Expr::ScalarFunction(ScalarFunction::new_udf(
        Arc::new(udf),
        args,
    )))
}

/// The value of a constant operand: a decimal or integer literal, possibly negated or cast
/// to a decimal.
pub(crate) fn constant(e: &Expr) -> Option<(i128, i8)> {
    match e {
        Expr::Literal(v, _) => match v {
            ScalarValue::Decimal128(Some(v), _, s) => Some((*v, *s)),
            ScalarValue::Int8(Some(v)) => Some((i128::from(*v), 0)),
            ScalarValue::Int16(Some(v)) => Some((i128::from(*v), 0)),
            ScalarValue::Int32(Some(v)) => Some((i128::from(*v), 0)),
            ScalarValue::Int64(Some(v)) => Some((i128::from(*v), 0)),
            _ => None,
        },
        Expr::Negative(inner) => constant(inner).map(|(v, s)| (-v, s)),
        Expr::Cast(c) => {
            let (v, s) = constant(&c.expr)?;
            match c.field.data_type() {
                DataType::Decimal128(_, to) if *to >= s => {
                    let f = 10i128.checked_pow(u32::try_from(to - s).ok()?)?;
                    Some((v.checked_mul(f)?, *to))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `(weight, first digit)` of a value in PostgreSQL's base-10000 digits; zero is `(0, 0)`.
pub(crate) fn base10000_lead(v: i128, scale: i8) -> (i32, i128) {
    let a = v.unsigned_abs();
    if a == 0 {
        return (0, 0);
    }
    // Decimal exponent of the leading digit: 10^e <= |value| < 10^(e+1).
    let e = a.ilog10() as i32 - i32::from(scale);
    let weight = e.div_euclid(4);
    // The leading base-10000 digit: |v| / 10^(scale + 4 × weight), truncated.
    let shift = i32::from(scale) + 4 * weight;
    let first = if shift >= 0 {
        a / 10u128.pow(shift.unsigned_abs())
    } else {
        a * 10u128.pow(shift.unsigned_abs())
    };
    (weight, first as i128)
}

/// PostgreSQL's `select_div_scale` for `x / y`, capped at the 38 digits Arrow holds.
pub fn div_scale(x: (i128, i8), y: (i128, i8)) -> i8 {
    let (w1, f1) = base10000_lead(x.0, x.1);
    let (w2, f2) = base10000_lead(y.0, y.1);
    let mut qweight = w1 - w2;
    if f1 <= f2 {
        qweight -= 1;
    }
    let rscale = (MIN_SIG_DIGITS - qweight * 4)
        .max(i32::from(x.1))
        .max(i32::from(y.1))
        .clamp(0, MAX_SCALE);
    rscale as i8
}

/// `a / b` (unscaled values with their scales) at scale `r`, rounded half away from zero.
pub fn divide(a: (i128, i8), b: (i128, i8), r: i8) -> DfResult<i128> {
    let overflow = || sql_err("22003", "value overflows numeric format");
    if b.0 == 0 {
        return Err(sql_err("22012", "division by zero"));
    }
    let shift = i32::from(r) - i32::from(a.1) + i32::from(b.1);
    let pow = |n: i32| i256::from_i128(10).checked_pow(n.unsigned_abs());
    let (mut num, mut den) = (i256::from_i128(a.0), i256::from_i128(b.0));
    if shift >= 0 {
        num = num
            .checked_mul(pow(shift).ok_or_else(overflow)?)
            .ok_or_else(overflow)?;
    } else {
        den = den
            .checked_mul(pow(shift).ok_or_else(overflow)?)
            .ok_or_else(overflow)?;
    }
    let q = num.checked_div(den).ok_or_else(overflow)?;
    let rem = num.checked_rem(den).ok_or_else(overflow)?;
    let twice = rem
        .wrapping_abs()
        .checked_mul(i256::from_i128(2))
        .ok_or_else(overflow)?;
    let q = if twice >= den.wrapping_abs() {
        let away = if num.is_negative() != den.is_negative() {
            i256::from_i128(-1)
        } else {
            i256::from_i128(1)
        };
        q.checked_add(away).ok_or_else(overflow)?
    } else {
        q
    };
    let q = q.to_i128().ok_or_else(overflow)?;
    if q.unsigned_abs() >= 10u128.pow(38) {
        return Err(overflow());
    }
    Ok(q)
}

/// The division UDF for one result type; built per expression by [`division`].
#[derive(Debug, PartialEq, Eq, Hash)]
struct NumericDiv {
    ret: DataType,
    signature: Signature,
}

impl NumericDiv {
    fn new(ret: DataType) -> Self {
        NumericDiv {
            ret,
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for NumericDiv {
    fn name(&self) -> &str {
        "numeric_div"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(self.ret.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let DataType::Decimal128(p, r) = self.ret else {
            return Err(sql_err(
                "XX000",
                "numeric division without a decimal result",
            ));
        };
        let scale = |i: usize| match args.arg_fields.get(i).map(|f| f.data_type()) {
            Some(DataType::Decimal128(_, s)) => Ok(*s),
            _ => Err(sql_err(
                "42883",
                "operator does not exist: numeric / unknown",
            )),
        };
        let (sa, sb) = (scale(0)?, scale(1)?);
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (Some(a), Some(b)) = (arrays.first(), arrays.get(1)) else {
            return Err(sql_err("42883", "numeric division needs two operands"));
        };
        let (a, b) = (
            a.as_primitive::<Decimal128Type>(),
            b.as_primitive::<Decimal128Type>(),
        );
        let out = (0..a.len())
            .map(|i| {
                if a.is_null(i) || b.is_null(i) {
                    return Ok(None);
                }
                divide((a.value(i), sa), (b.value(i), sb), r).map(Some)
            })
            .collect::<DfResult<Decimal128Array>>()?
            .with_precision_and_scale(p, r)?;
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(Arc::new(out)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_div_scale() {
        // Scales PostgreSQL 15 prints: 7.0/2 → 16 digits, 1.0/3 → 20, 100000/3 → 12.
        assert_eq!(div_scale((70, 1), (2, 0)), 16);
        assert_eq!(div_scale((10, 1), (3, 0)), 20);
        assert_eq!(div_scale((100_000, 0), (3, 0)), 12);
        assert_eq!(div_scale((0, 0), (3, 0)), 20);
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(divide((50, 0), (3, 0), 1).ok(), Some(167));
        assert_eq!(divide((-50, 0), (3, 0), 1).ok(), Some(-167));
        assert_eq!(divide((1, 0), (8, 0), 2).ok(), Some(13));
        assert!(divide((1, 0), (0, 0), 2).is_err());
    }
}
