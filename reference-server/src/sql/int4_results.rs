//! Functions PostgreSQL declares as returning `integer` where DataFusion's return bigint
//! (or an unsigned integer): `regexp_count`, `array_length`, `cardinality`,
//! `array_position`, `array_ndims`. The wrapper runs DataFusion's function and casts its
//! result, so clients see int4 columns as from PostgreSQL.

use datafusion::arrow::datatypes::DataType;
use datafusion::execution::FunctionRegistry;
use datafusion::prelude::SessionContext;

use super::wrapped_udf::Wrapped;

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
            ctx.register_udf(Wrapped::returning(inner.as_ref().clone(), DataType::Int32));
        }
    }
}
