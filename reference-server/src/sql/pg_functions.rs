//! PostgreSQL functions whose result type or argument types DataFusion's simple UDFs cannot
//! express: `pg_typeof` (reads its argument's type), and functions returning PostgreSQL
//! types Arrow lacks (`void`, `regtype`), tagged through the field's `pg_type` metadata.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

use crate::pgtypes::{PG_TYPE_KEY, pg_type_of};

/// A text result tagged as a PostgreSQL type.
fn tagged_text(name: &str, pg_type: &str) -> FieldRef {
    let meta = HashMap::from([(PG_TYPE_KEY.to_owned(), pg_type.to_owned())]);
    Arc::new(Field::new(name, DataType::Utf8, true).with_metadata(meta))
}

/// `pg_typeof(any)`: the argument's PostgreSQL type name, as `regtype` prints it.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PgTypeof {
    signature: Signature,
}

impl PgTypeof {
    pub fn udf() -> ScalarUDF {
        ScalarUDF::new_from_impl(Self {
            signature: Signature::any(1, Volatility::Immutable),
        })
    }
}

/// `format_type` of a field: `integer`, `text`, `integer[]`, ...
fn type_name(field: &Field) -> String {
    let col = pg_type_of(field);
    match col.element() {
        Some(elem) => format!("{}[]", elem.sql_name()),
        None if field.data_type() == &DataType::Null => "unknown".to_owned(),
        None => col.sql_name().to_owned(),
    }
}

impl ScalarUDFImpl for PgTypeof {
    fn name(&self) -> &str {
        "pg_typeof"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> DfResult<FieldRef> {
        Ok(tagged_text(self.name(), "regtype"))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let field = args
            .arg_fields
            .first()
            .ok_or_else(|| DataFusionError::Plan("pg_typeof expects one argument".into()))?;
        Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(type_name(
            field,
        )))))
    }
}

/// Wraps a text-returning UDF so its result carries a PostgreSQL type (`void`).
#[derive(Debug)]
pub struct Tagged {
    inner: ScalarUDF,
    pg_type: &'static str,
}

impl PartialEq for Tagged {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner && self.pg_type == other.pg_type
    }
}

impl Eq for Tagged {}

impl std::hash::Hash for Tagged {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
        self.pg_type.hash(state);
    }
}

impl Tagged {
    pub fn udf(inner: ScalarUDF, pg_type: &'static str) -> ScalarUDF {
        ScalarUDF::new_from_impl(Self { inner, pg_type })
    }
}

impl ScalarUDFImpl for Tagged {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> DfResult<FieldRef> {
        Ok(tagged_text(self.name(), self.pg_type))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        self.inner.invoke_with_args(args)
    }
}

/// `width_bucket(operand, low, high, count)`: the bucket of `operand` among `count`
/// equal-width buckets over [low, high); 0 below, count + 1 above (reversed when low > high).
pub fn width_bucket(op: f64, low: f64, high: f64, count: i32) -> Result<i32, super::SqlError> {
    let invalid = |m: &str| super::SqlError::new("2201G", m.to_owned());
    if count <= 0 {
        return Err(invalid("count must be greater than zero"));
    }
    if low == high {
        return Err(invalid("lower bound cannot equal upper bound"));
    }
    if !(op.is_finite() && low.is_finite() && high.is_finite()) {
        return Err(invalid(
            "operand, lower bound, and upper bound cannot be NaN",
        ));
    }
    let n = f64::from(count);
    let bucket = if low < high {
        if op < low {
            0.0
        } else if op >= high {
            n + 1.0
        } else {
            ((op - low) / (high - low) * n).floor() + 1.0
        }
    } else if op > low {
        0.0
    } else if op <= high {
        n + 1.0
    } else {
        ((low - op) / (low - high) * n).floor() + 1.0
    };
    // count + 1 overflows only for count = i32::MAX, as in PostgreSQL.
    if bucket > f64::from(i32::MAX) {
        return Err(super::SqlError::new("22003", "integer out of range"));
    }
    Ok(bucket as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_bucket_edges() {
        assert_eq!(width_bucket(5.35, 0.024, 10.06, 5).ok(), Some(3));
        assert_eq!(width_bucket(-1.0, 0.0, 10.0, 5).ok(), Some(0));
        assert_eq!(width_bucket(10.0, 0.0, 10.0, 5).ok(), Some(6));
        assert_eq!(width_bucket(8.0, 10.0, 0.0, 5).ok(), Some(2));
        assert_eq!(
            width_bucket(1.0, 0.0, 10.0, 0).map_err(|e| e.code),
            Err("2201G")
        );
    }
}
