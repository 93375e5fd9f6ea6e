//! `sqrt`, `exp`, `ln`, `log`, `log10` and `power` (`^`) of numeric arguments as PostgreSQL
//! computes them: exactly (to 60 significant digits, then rounded half away from zero) and
//! at the result scale numeric.c picks — at least 16 significant digits for the result's
//! estimated magnitude, never fewer fractional digits than an argument. DataFusion computes
//! these in float8 (`sqrt(2.0)` was `1.4142135623730951`, PostgreSQL `1.414213562373095`).
//!
//! As for division ([`super::numeric_div`]), the scale is the value's own for constant
//! arguments and the scale for a result of magnitude 1 otherwise.

use std::str::FromStr;
use std::sync::Arc;

use bigdecimal::{BigDecimal, One, RoundingMode, ToPrimitive, Zero};
use datafusion::arrow::array::{Array, AsArray, Decimal128Array};
use datafusion::arrow::datatypes::{DataType, Decimal128Type};
use datafusion::common::{DFSchema, Result as DfResult, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    Cast, ColumnarValue, Expr, ExprSchemable, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};

use super::numeric_div::{base10000_lead, constant, exact_numeric};
use super::pg_udf::sql_err;

/// A decimal operand: unscaled value and scale.
type Value = (i128, i8);

/// Significant digits of intermediate results.
const WORK_DIGITS: u64 = 60;
const MIN_SIG_DIGITS: i32 = 16;
/// log10(e) as numeric.c writes it: its result-scale estimates truncate with this value.
#[allow(clippy::approx_constant)]
const LOG10_E: f64 = 0.434294481903252;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    Sqrt,
    Exp,
    Ln,
    /// `log(base, x)`; `log(x)` and `log10(x)` are base 10.
    Log,
    Power,
}

/// The call as a numeric function when an argument is a decimal and every argument a
/// decimal or an integer; otherwise the call back unchanged.
pub fn rewrite(f: ScalarFunction, schema: &DFSchema) -> Result<Expr, ScalarFunction> {
    let op = match (f.func.name().to_ascii_lowercase().as_str(), f.args.len()) {
        ("sqrt", 1) => Op::Sqrt,
        ("exp", 1) => Op::Exp,
        ("ln", 1) => Op::Ln,
        ("log" | "log10", 1) | ("log", 2) => Op::Log,
        ("power" | "pow", 2) => Op::Power,
        _ => return Err(f),
    };
    let types: Vec<DataType> = match f.args.iter().map(|a| a.get_type(schema)).collect() {
        Ok(t) => t,
        Err(_) => return Err(f),
    };
    let decimal = |t: &DataType| matches!(t, DataType::Decimal128(..));
    // log(b, x) exists only for numeric: integers are numerics there too.
    let any_numeric = types.iter().any(decimal) || (op == Op::Log && types.len() == 2);
    if !any_numeric || !types.iter().all(|t| decimal(t) || t.is_integer()) {
        return Err(f);
    }
    let mut args: Vec<Expr> = f
        .args
        .into_iter()
        .zip(&types)
        .map(|(a, t)| {
            if t.is_integer() {
                Expr::Cast(Cast::new(Box::new(a), DataType::Decimal128(38, 0)))
            } else {
                a
            }
        })
        .collect();
    if op == Op::Log && args.len() == 1 {
        args.insert(
            0,
            Expr::Literal(ScalarValue::Decimal128(Some(10), 38, 0), None),
        );
    }
    let scales: Vec<i8> = types
        .iter()
        .map(|t| match t {
            DataType::Decimal128(_, s) => *s,
            _ => 0,
        })
        .collect();
    let constants: Option<Vec<Value>> = args.iter().map(constant).collect();
    let scale = match constants {
        Some(values) => result_scale(op, &values).unwrap_or(MIN_SIG_DIGITS),
        None => {
            let base = if op == Op::Sqrt { 15 } else { MIN_SIG_DIGITS };
            scales.iter().map(|s| i32::from(*s)).fold(base, i32::max)
        }
    };
    let udf = ScalarUDF::new_from_impl(NumericMath::new(
        op,
        exact_numeric(scale.clamp(0, 38) as i8),
    ));
    Ok(Expr::ScalarFunction(ScalarFunction::new_udf(
        Arc::new(udf),
        args,
    )))
}

/// numeric.c's result scale for constant arguments; `None` when the call fails (the
/// evaluation reports why).
fn result_scale(op: Op, args: &[Value]) -> Option<i32> {
    let at_least = |scale: i32| {
        args.iter()
            .map(|a| i32::from(a.1))
            .fold(scale, i32::max)
            .clamp(0, 38)
    };
    let rscale = match (op, args) {
        (Op::Sqrt, [x]) => {
            let (weight, _) = base10000_lead(x.0, x.1);
            MIN_SIG_DIGITS - ((weight + 1) * 4 / 2 - 1)
        }
        (Op::Exp, [x]) => {
            let val = (to_f64(*x) * LOG10_E).clamp(-2000.0, 2000.0);
            MIN_SIG_DIGITS - val as i32
        }
        (Op::Ln, [x]) => MIN_SIG_DIGITS - ln_dweight(*x),
        (Op::Log, [b, x]) => MIN_SIG_DIGITS - (ln_dweight(*x) - ln_dweight(*b)),
        (Op::Power, [b, e]) if integral(*e) => MIN_SIG_DIGITS.max(i32::from(b.1)),
        (Op::Power, [b, e]) => {
            if b.0 <= 0 {
                return None;
            }
            let val = (to_f64(*b).ln() * to_f64(*e) * LOG10_E).clamp(-2000.0, 2000.0);
            MIN_SIG_DIGITS - val as i32
        }
        _ => return None,
    };
    Some(at_least(rscale))
}

fn to_f64(v: Value) -> f64 {
    v.0 as f64 / 10f64.powi(i32::from(v.1))
}

fn integral(v: Value) -> bool {
    v.1 <= 0 || 10i128.checked_pow(v.1 as u32).is_none_or(|p| v.0 % p == 0)
}

/// numeric.c's `estimate_ln_dweight`: the decimal weight of `ln(x)`.
fn ln_dweight(x: Value) -> i32 {
    if x.0 <= 0 {
        return 0;
    }
    let big = big(x);
    let near_one = BigDecimal::from_str("0.9").ok().is_some_and(|lo| big >= lo)
        && BigDecimal::from_str("1.1").ok().is_some_and(|hi| big <= hi);
    if near_one {
        let d = &big - BigDecimal::one();
        let (digits, scale) = d.as_bigint_and_exponent();
        let Some(d) = digits.to_i128() else {
            return 0;
        };
        if d == 0 {
            return 0;
        }
        let (weight, first) = base10000_lead(d, scale as i8);
        return weight * 4 + (first as f64).log10() as i32;
    }
    let (weight, first) = base10000_lead(x.0, x.1);
    let a = x.0.unsigned_abs();
    let shift = i32::from(x.1) + 4 * weight;
    let group = |shift: i32| -> (u128, bool) {
        if shift <= 0 {
            return (0, false);
        }
        let p = 10u128.checked_pow(shift as u32).unwrap_or(u128::MAX);
        let rest = a % p;
        let next = if shift >= 4 {
            rest / 10u128.pow(shift as u32 - 4)
        } else {
            rest * 10u128.pow(4 - shift as u32)
        };
        (next, rest != 0)
    };
    let (second, more) = group(shift);
    let (digits, dweight) = if more {
        (first as f64 * 10000.0 + second as f64, weight * 4 - 4)
    } else {
        (first as f64, weight * 4)
    };
    let ln = digits.ln() + f64::from(dweight) * std::f64::consts::LN_10;
    ln.abs().log10() as i32
}

fn big(v: Value) -> BigDecimal {
    BigDecimal::from_str(&format!("{}e{}", v.0, -i32::from(v.1))).unwrap_or_default()
}

fn overflow() -> datafusion::error::DataFusionError {
    sql_err("22003", "value overflows numeric format")
}

/// `x` rounded half away from zero to `scale` digits, as an unscaled Decimal128(38) value.
fn unbig(x: &BigDecimal, scale: i8) -> DfResult<i128> {
    let (digits, _) = x
        .with_scale_round(i64::from(scale), RoundingMode::HalfUp)
        .into_bigint_and_exponent();
    digits
        .to_i128()
        .filter(|v| v.unsigned_abs() < 10u128.pow(38))
        .ok_or_else(overflow)
}

fn exp_big(x: &BigDecimal) -> DfResult<BigDecimal> {
    // exp overflows 38 digits past 88; far below it the result rounds to 0.
    if x > &BigDecimal::from(100) {
        return Err(overflow());
    }
    if x < &BigDecimal::from(-100) {
        return Ok(BigDecimal::zero());
    }
    let small = BigDecimal::from_str("0.01").unwrap_or_default();
    let mut r = x.clone();
    let mut halvings = 0;
    while r.abs() > small {
        r = r.half();
        halvings += 1;
    }
    let eps = BigDecimal::from_str("1e-70").unwrap_or_default();
    let mut sum = BigDecimal::one();
    let mut term = BigDecimal::one();
    for n in 1..200u32 {
        term = (term * &r / BigDecimal::from(n)).with_prec(WORK_DIGITS);
        if term.abs() < eps {
            break;
        }
        sum += &term;
    }
    for _ in 0..halvings {
        sum = sum.square().with_prec(WORK_DIGITS);
    }
    Ok(sum)
}

fn ln_big(x: &BigDecimal) -> DfResult<BigDecimal> {
    if x.is_zero() {
        return Err(sql_err("2201E", "cannot take logarithm of zero"));
    }
    if x < &BigDecimal::zero() {
        return Err(sql_err(
            "2201E",
            "cannot take logarithm of a negative number",
        ));
    }
    let (lo, hi) = (
        BigDecimal::from_str("0.99").unwrap_or_default(),
        BigDecimal::from_str("1.01").unwrap_or_default(),
    );
    let mut y = x.clone();
    let mut roots = 0u32;
    while (y < lo || y > hi) && roots < 400 {
        y = y.sqrt().ok_or_else(overflow)?.with_prec(WORK_DIGITS);
        roots += 1;
    }
    // ln(y) = 2 atanh(z), z = (y - 1) / (y + 1).
    let z = ((&y - BigDecimal::one()) / (&y + BigDecimal::one())).with_prec(WORK_DIGITS);
    let z2 = (&z * &z).with_prec(WORK_DIGITS);
    let eps = BigDecimal::from_str("1e-70").unwrap_or_default();
    let mut sum = z.clone();
    let mut power = z;
    for n in (3..400u32).step_by(2) {
        power = (power * &z2).with_prec(WORK_DIGITS);
        let t = (&power / BigDecimal::from(n)).with_prec(WORK_DIGITS);
        if t.abs() < eps {
            break;
        }
        sum += t;
    }
    Ok(sum.double() * BigDecimal::from(2u64.pow(roots.min(62))))
}

/// One call's value at the result scale.
fn eval(op: Op, args: &[Value], scale: i8) -> DfResult<i128> {
    let value = match (op, args) {
        (Op::Sqrt, [x]) => {
            if x.0 < 0 {
                return Err(sql_err(
                    "2201F",
                    "cannot take square root of a negative number",
                ));
            }
            big(*x).sqrt().ok_or_else(overflow)?
        }
        (Op::Exp, [x]) => exp_big(&big(*x))?,
        (Op::Ln, [x]) => ln_big(&big(*x))?,
        (Op::Log, [b, x]) => {
            let (lb, lx) = (ln_big(&big(*b))?, ln_big(&big(*x))?);
            if lb.is_zero() {
                return Err(sql_err("22012", "division by zero"));
            }
            lx / lb
        }
        (Op::Power, [b, e]) => power(*b, *e)?,
        _ => return Err(sql_err("42883", "function does not exist")),
    };
    unbig(&value, scale)
}

fn power(b: Value, e: Value) -> DfResult<BigDecimal> {
    let (base, exp) = (big(b), big(e));
    if b.0 == 0 {
        if e.0 < 0 {
            return Err(sql_err(
                "2201F",
                "zero raised to a negative power is undefined",
            ));
        }
        return Ok(if e.0 == 0 {
            BigDecimal::one()
        } else {
            BigDecimal::zero()
        });
    }
    let magnitude = to_f64(e) * to_f64(b).abs().log10();
    if magnitude > 40.0 {
        return Err(overflow());
    }
    if magnitude < -45.0 {
        return Ok(BigDecimal::zero());
    }
    if integral(e) {
        let n = exp.to_i64().ok_or_else(overflow)?;
        let p = base.powi(n.abs());
        return Ok(if n < 0 { BigDecimal::one() / p } else { p });
    }
    if b.0 < 0 {
        return Err(sql_err(
            "2201F",
            "a negative number raised to a non-integer power yields a complex result",
        ));
    }
    exp_big(&(ln_big(&base)? * exp).with_prec(WORK_DIGITS))
}

/// The UDF for one function and result type; built per call by [`rewrite`].
#[derive(Debug, PartialEq, Eq, Hash)]
struct NumericMath {
    op: Op,
    ret: DataType,
    signature: Signature,
}

impl NumericMath {
    fn new(op: Op, ret: DataType) -> Self {
        NumericMath {
            op,
            ret,
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for NumericMath {
    fn name(&self) -> &str {
        match self.op {
            Op::Sqrt => "sqrt",
            Op::Exp => "exp",
            Op::Ln => "ln",
            Op::Log => "log",
            Op::Power => "power",
        }
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
                "numeric function without a decimal result",
            ));
        };
        let scales = args
            .arg_fields
            .iter()
            .map(|f| match f.data_type() {
                DataType::Decimal128(_, s) => Ok(*s),
                _ => Err(sql_err("42883", "function does not exist")),
            })
            .collect::<DfResult<Vec<i8>>>()?;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let arrays: Vec<_> = arrays
            .iter()
            .map(|a| a.as_primitive::<Decimal128Type>())
            .collect();
        let rows = arrays.first().map_or(0, |a| a.len());
        let out = (0..rows)
            .map(|i| {
                if arrays.iter().any(|a| a.is_null(i)) {
                    return Ok(None);
                }
                let values: Vec<Value> = arrays
                    .iter()
                    .zip(&scales)
                    .map(|(a, s)| (a.value(i), *s))
                    .collect();
                eval(self.op, &values, r).map(Some)
            })
            .collect::<DfResult<Decimal128Array>>()?
            .with_precision_and_scale(p, r)?;
        if args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)))
        {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(Arc::new(out)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(op: Op, args: &[Value]) -> Option<(i128, i32)> {
        let scale = result_scale(op, args)?;
        eval(op, args, scale as i8).ok().map(|v| (v, scale))
    }

    #[test]
    fn values_and_scales_of_postgres() {
        // PostgreSQL 15: sqrt(2.0) = 1.414213562373095, sqrt(0.0002) = 0.01414213562373095,
        // exp(1.0) = 2.7182818284590452, exp(-10.0) = 0.00004539992976248485,
        // ln(100000.0) = 11.512925464970228, ln(1.0001) = 0.00009999500033330834,
        // 2.0 ^ -1 = 0.5000000000000000, 2 ^ 0.5 = 1.4142135623730950,
        // log(10, 1000.5) = 3.0002170929722302.
        assert_eq!(run(Op::Sqrt, &[(20, 1)]), Some((1_414_213_562_373_095, 15)));
        assert_eq!(run(Op::Sqrt, &[(2, 4)]), Some((1_414_213_562_373_095, 17)));
        assert_eq!(run(Op::Exp, &[(10, 1)]), Some((27_182_818_284_590_452, 16)));
        assert_eq!(
            run(Op::Exp, &[(-100, 1)]),
            Some((4_539_992_976_248_485, 20))
        );
        assert_eq!(
            run(Op::Ln, &[(1_000_000, 1)]),
            Some((11_512_925_464_970_228, 15))
        );
        assert_eq!(
            run(Op::Ln, &[(10001, 4)]),
            Some((9_999_500_033_330_834, 20))
        );
        assert_eq!(
            run(Op::Power, &[(20, 1), (-1, 0)]),
            Some((5_000_000_000_000_000, 16))
        );
        assert_eq!(
            run(Op::Power, &[(2, 0), (5, 1)]),
            Some((14_142_135_623_730_950, 16))
        );
        assert_eq!(
            run(Op::Log, &[(10, 0), (10005, 1)]),
            Some((30_002_170_929_722_302, 16))
        );
    }

    #[test]
    fn errors_of_postgres() {
        assert!(eval(Op::Sqrt, &[(-1, 0)], 15).is_err());
        assert!(eval(Op::Ln, &[(0, 0)], 16).is_err());
        assert!(eval(Op::Power, &[(0, 0), (-1, 0)], 16).is_err());
        assert!(eval(Op::Power, &[(-2, 0), (5, 1)], 16).is_err());
    }
}
