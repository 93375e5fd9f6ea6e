//! `cbrt(float8)` (and `||/`) with the digits PostgreSQL prints: PostgreSQL calls the C
//! library's `cbrt`, and glibc's is one rational refinement of a polynomial estimate, not
//! correctly rounded (`cbrt(27)` is 3.0000000000000004 there). Rust's `f64::cbrt` rounds
//! correctly (3), so the same computation is reproduced here.

use std::sync::Arc;

use datafusion::arrow::array::{AsArray, Float64Array};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
use datafusion::prelude::SessionContext;

pub fn register(ctx: &SessionContext) {
    ctx.register_udf(create_udf(
        "cbrt",
        vec![DataType::Float64],
        DataType::Float64,
        Volatility::Immutable,
        Arc::new(cbrt_values),
    ));
}

fn cbrt_values(args: &[ColumnarValue]) -> DfResult<ColumnarValue> {
    match args.first() {
        Some(ColumnarValue::Scalar(ScalarValue::Float64(v))) => Ok(ColumnarValue::Scalar(
            ScalarValue::Float64(v.map(glibc_cbrt)),
        )),
        Some(ColumnarValue::Array(a)) => {
            let Some(values) = a.as_primitive_opt::<Float64Type>() else {
                return Err(super::pg_udf::sql_err("42883", "cbrt expects float8"));
            };
            let out: Float64Array = values.unary(glibc_cbrt);
            Ok(ColumnarValue::Array(Arc::new(out)))
        }
        _ => Ok(ColumnarValue::Scalar(ScalarValue::Float64(None))),
    }
}

/// `x` as mantissa in [0.5, 1) and a power of two, as C's `frexp`.
fn frexp(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(x * 2f64.powi(54));
        return (m, e - 54);
    }
    let mantissa = f64::from_bits((bits & !(0x7ff_u64 << 52)) | (1022_u64 << 52));
    (mantissa, exp - 1022)
}

/// glibc's `__cbrt` (sysdeps/ieee754/dbl-64): a degree-6 estimate on the reduced mantissa,
/// one Halley step, then the exponent's third restored.
fn glibc_cbrt(x: f64) -> f64 {
    const CBRT2: f64 = 1.259_921_049_894_873_2;
    const SQR_CBRT2: f64 = 1.587_401_051_968_199_6;
    const FACTOR: [f64; 5] = [1.0 / SQR_CBRT2, 1.0 / CBRT2, 1.0, CBRT2, SQR_CBRT2];
    if x == 0.0 || !x.is_finite() {
        return x + x;
    }
    let (xm, xe) = frexp(x.abs());
    let u = 0.354_895_765_043_919_84
        + (1.508_191_937_815_849
            + (-2.114_994_941_673_713
                + (2.446_931_225_635_344_4
                    + (-1.834_692_774_836_130_8
                        + (0.784_932_344_976_639_2 - 0.145_263_899_385_486_37 * xm) * xm)
                        * xm)
                    * xm)
                * xm)
            * xm;
    let t2 = u * u * u;
    let factor = usize::try_from(2 + xe % 3)
        .ok()
        .and_then(|i| FACTOR.get(i))
        .copied()
        .unwrap_or(1.0);
    let ym = u * (t2 + 2.0 * xm) / (2.0 * t2 + xm) * factor;
    let signed = if x > 0.0 { ym } else { -ym };
    signed * 2f64.powi(xe / 3)
}

#[cfg(test)]
mod tests {
    use super::glibc_cbrt;

    /// Values PostgreSQL 15 (glibc 2.36) returns.
    #[test]
    fn matches_postgres_digits() {
        assert_eq!(glibc_cbrt(27.0), 3.000_000_000_000_000_4);
        assert_eq!(glibc_cbrt(-27.0), -3.000_000_000_000_000_4);
        assert_eq!(glibc_cbrt(2.0), 1.259_921_049_894_873_4);
        assert_eq!(glibc_cbrt(8.0), 2.0);
        assert_eq!(glibc_cbrt(1000.0), 10.0);
        assert_eq!(glibc_cbrt(1e300), 1e100);
        assert_eq!(glibc_cbrt(1e-310), 4.641_588_833_612_775e-104);
        assert!(glibc_cbrt(f64::NAN).is_nan());
        assert_eq!(glibc_cbrt(f64::INFINITY), f64::INFINITY);
    }
}
