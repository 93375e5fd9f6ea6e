//! `isfinite(date | timestamp | interval)`: false only for `infinity`/`-infinity`, stored as
//! the extreme values of their Arrow type (see pgtypes' date/time output).

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, BooleanArray};
use datafusion::arrow::datatypes::{DataType, Date32Type, Int64Type};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct IsFinite {
    signature: Signature,
}

impl IsFinite {
    pub fn udf() -> ScalarUDF {
        ScalarUDF::new_from_impl(Self {
            signature: Signature::any(1, Volatility::Immutable),
        })
    }
}

impl ScalarUDFImpl for IsFinite {
    fn name(&self) -> &str {
        "isfinite"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let [input] = arrays.as_slice() else {
            return Err(DataFusionError::Plan(
                "isfinite expects one argument".into(),
            ));
        };
        let out: BooleanArray = match input.data_type() {
            DataType::Date32 => input
                .as_primitive::<Date32Type>()
                .iter()
                .map(|v| v.map(|d| d != i32::MAX && d != i32::MIN))
                .collect(),
            DataType::Timestamp(_, _) => {
                let ints = datafusion::arrow::compute::cast(input, &DataType::Int64)?;
                ints.as_primitive::<Int64Type>()
                    .iter()
                    .map(|v| v.map(|t| t != i64::MAX && t != i64::MIN))
                    .collect()
            }
            DataType::Interval(_) | DataType::Duration(_) | DataType::Null => (0..input.len())
                .map(|i| input.is_valid(i).then_some(true))
                .collect(),
            other => {
                return Err(DataFusionError::External(Box::new(super::SqlError::new(
                    "42883",
                    format!(
                        "function isfinite({}) does not exist",
                        crate::pgtypes::arrow_to_pg(other).sql_name()
                    ),
                ))));
            }
        };
        if scalar {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?));
        }
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
