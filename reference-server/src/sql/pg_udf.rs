//! A scalar UDF built from PostgreSQL's signature of a function: how arguments are coerced,
//! the result type, an optional PostgreSQL type tag on the result, and a per-row function.
//! Per-row evaluation keeps each function a few lines; these are not hot-path functions.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, new_empty_array};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    TypeSignature, Volatility,
};

use crate::pgtypes::PG_TYPE_KEY;

/// Argument types after coercion, from the types the call has.
pub type CoerceFn = fn(&[DataType]) -> DfResult<Vec<DataType>>;
/// Result type from the coerced argument types.
pub type ReturnFn = fn(&[DataType]) -> DfResult<DataType>;
/// PostgreSQL type name for the result field (when Arrow's type alone does not say it).
pub type TagFn = fn(&[FieldRef]) -> Option<String>;
/// One row: the argument values (coerced) and the result type.
pub type EvalFn = fn(&[ScalarValue], &DataType) -> DfResult<ScalarValue>;

#[derive(Debug)]
pub struct RowFn {
    name: &'static str,
    signature: Signature,
    coerce: CoerceFn,
    ret: ReturnFn,
    tag: Option<TagFn>,
    eval: EvalFn,
    /// NULL in any argument gives NULL without calling `eval` (PostgreSQL's STRICT).
    strict: bool,
}

/// Each function has its own name, so the name identifies it.
impl PartialEq for RowFn {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.signature == other.signature
    }
}

impl Eq for RowFn {}

impl std::hash::Hash for RowFn {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl RowFn {
    /// A strict, immutable function.
    pub fn new(name: &'static str, coerce: CoerceFn, ret: ReturnFn, eval: EvalFn) -> Self {
        RowFn {
            name,
            signature: Signature::new(TypeSignature::UserDefined, Volatility::Immutable),
            coerce,
            ret,
            tag: None,
            eval,
            strict: true,
        }
    }

    /// `eval` sees NULL arguments too.
    pub fn non_strict(mut self) -> Self {
        self.strict = false;
        self
    }

    pub fn tagged(mut self, tag: TagFn) -> Self {
        self.tag = Some(tag);
        self
    }

    pub fn udf(self) -> ScalarUDF {
        ScalarUDF::new_from_impl(self)
    }

    fn row(&self, values: &[ScalarValue], ret: &DataType) -> DfResult<ScalarValue> {
        if self.strict && values.iter().any(ScalarValue::is_null) {
            return ScalarValue::try_from(ret);
        }
        let out = (self.eval)(values, ret)?;
        if &out.data_type() == ret {
            Ok(out)
        } else {
            out.cast_to(ret)
        }
    }
}

/// An error with a SQLSTATE, as the functions report bad input.
pub fn sql_err(code: &'static str, message: impl Into<String>) -> DataFusionError {
    DataFusionError::External(Box::new(super::SqlError::new(code, message)))
}

/// The text of a string value (`None` for other values and NULL).
pub fn text(v: &ScalarValue) -> Option<&str> {
    match v {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => Some(s),
        _ => None,
    }
}

/// Whether the type is one of Arrow's string types.
pub fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

impl ScalarUDFImpl for RowFn {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> DfResult<Vec<DataType>> {
        (self.coerce)(arg_types)
    }

    fn return_type(&self, args: &[DataType]) -> DfResult<DataType> {
        (self.ret)(args)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DfResult<FieldRef> {
        let types: Vec<DataType> = args
            .arg_fields
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        let mut field = Field::new(self.name, (self.ret)(&types)?, true);
        if let Some(name) = self.tag.and_then(|t| t(args.arg_fields)) {
            field = field.with_metadata(HashMap::from([(PG_TYPE_KEY.to_owned(), name)]));
        }
        Ok(Arc::new(field))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let ret = args.return_field.data_type().clone();
        if args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)))
        {
            let values: Vec<ScalarValue> = args
                .args
                .iter()
                .filter_map(|a| match a {
                    ColumnarValue::Scalar(s) => Some(s.clone()),
                    ColumnarValue::Array(_) => None,
                })
                .collect();
            return Ok(ColumnarValue::Scalar(self.row(&values, &ret)?));
        }
        let rows = args.number_rows;
        if rows == 0 {
            return Ok(ColumnarValue::Array(new_empty_array(&ret)));
        }
        let mut out = Vec::with_capacity(rows);
        for i in 0..rows {
            let values = args
                .args
                .iter()
                .map(|a| match a {
                    ColumnarValue::Scalar(s) => Ok(s.clone()),
                    ColumnarValue::Array(arr) => ScalarValue::try_from_array(arr, i),
                })
                .collect::<DfResult<Vec<_>>>()?;
            out.push(self.row(&values, &ret)?);
        }
        let array: ArrayRef = ScalarValue::iter_to_array(out)?;
        Ok(ColumnarValue::Array(array))
    }
}
