//! Functions PostgreSQL declares as returning `integer` where DataFusion's return bigint
//! (or an unsigned integer): `regexp_count`, `array_length`, `cardinality`,
//! `array_position`, `array_ndims`. The wrapper runs DataFusion's function and casts its
//! result, so clients see int4 columns as from PostgreSQL.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;
use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};
use datafusion::prelude::SessionContext;

const INT4_FUNCTIONS: [&str; 5] = [
    "regexp_count",
    "array_length",
    "cardinality",
    "array_position",
    "array_ndims",
];

pub fn register(ctx: &SessionContext) {
    for name in INT4_FUNCTIONS {
        if let Ok(inner) = ctx.udf(name) {
            ctx.register_udf(ScalarUDF::new_from_impl(Int4Result {
                inner: inner.as_ref().clone(),
            }));
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Int4Result {
    inner: ScalarUDF,
}

impl ScalarUDFImpl for Int4Result {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn coerce_types(&self, args: &[DataType]) -> DfResult<Vec<DataType>> {
        self.inner.coerce_types(args)
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Int32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        // The inner function computes with its own result type.
        let mut args = args;
        let fields: Vec<_> = args.arg_fields.clone();
        let inner_type = self.inner.return_type(
            &fields
                .iter()
                .map(|f| f.data_type().clone())
                .collect::<Vec<_>>(),
        )?;
        args.return_field = std::sync::Arc::new(
            args.return_field
                .as_ref()
                .clone()
                .with_data_type(inner_type),
        );
        self.inner
            .invoke_with_args(args)?
            .cast_to(&DataType::Int32, None)
    }
}
