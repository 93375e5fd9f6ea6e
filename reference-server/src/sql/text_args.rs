//! String functions PostgreSQL does not define for numbers: `length(12345)` is 42883
//! (there is no implicit integer → text cast), where DataFusion would coerce the number to
//! a string. The wrapper refuses non-string arguments and otherwise runs DataFusion's
//! function unchanged.

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result as DfResult;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    TypeSignature, Volatility,
};
use datafusion::prelude::SessionContext;

use super::pg_udf::sql_err;

/// Functions of one text (or bytea) argument.
const TEXT_ONLY: [&str; 3] = ["length", "char_length", "character_length"];

pub fn register(ctx: &SessionContext) {
    for name in TEXT_ONLY {
        if let Ok(inner) = ctx.udf(name) {
            ctx.register_udf(ScalarUDF::new_from_impl(TextOnly {
                signature: Signature::new(TypeSignature::UserDefined, Volatility::Immutable),
                inner: inner.as_ref().clone(),
            }));
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct TextOnly {
    inner: ScalarUDF,
    signature: Signature,
}

/// PostgreSQL's name of an argument type, for the "does not exist" message.
fn pg_name(t: &DataType) -> String {
    match t {
        DataType::Int16 => "smallint".into(),
        DataType::Int32 => "integer".into(),
        DataType::Int64 => "bigint".into(),
        DataType::Float32 => "real".into(),
        DataType::Float64 => "double precision".into(),
        DataType::Decimal128(..) => "numeric".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Date32 => "date".into(),
        other => other.to_string(),
    }
}

impl ScalarUDFImpl for TextOnly {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> DfResult<Vec<DataType>> {
        args.iter()
            .map(|t| match t {
                DataType::Utf8
                | DataType::LargeUtf8
                | DataType::Utf8View
                | DataType::Binary
                | DataType::LargeBinary
                | DataType::BinaryView => Ok(t.clone()),
                DataType::Null | DataType::Dictionary(..) => Ok(DataType::Utf8),
                other => Err(sql_err(
                    "42883",
                    format!(
                        "function {}({}) does not exist",
                        self.name(),
                        pg_name(other)
                    ),
                )),
            })
            .collect()
    }

    fn return_type(&self, args: &[DataType]) -> DfResult<DataType> {
        self.inner.return_type(args)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DfResult<FieldRef> {
        self.inner.return_field_from_args(args)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        self.inner.invoke_with_args(args)
    }
}
