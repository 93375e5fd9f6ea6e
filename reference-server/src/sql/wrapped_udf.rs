//! A DataFusion scalar function with PostgreSQL's edges added around it: arguments checked
//! before it runs (errors PostgreSQL raises where DataFusion computes on) and/or its result
//! cast to the type PostgreSQL declares. One wrapper keeps name, aliases, signature and
//! coercion of the inner function, so it replaces it in the registry transparently.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
};

/// Validates one call's arguments before the inner function runs.
pub type CheckFn = fn(&ScalarFunctionArgs) -> DfResult<()>;

/// `inner` with an optional argument check and an optional declared result type.
#[derive(Debug)]
pub struct Wrapped {
    inner: ScalarUDF,
    check: Option<CheckFn>,
    result: Option<DataType>,
}

impl Wrapped {
    /// `inner` returning `result` (its own result cast) instead of its own type.
    pub fn returning(inner: ScalarUDF, result: DataType) -> ScalarUDF {
        ScalarUDF::new_from_impl(Self {
            inner,
            check: None,
            result: Some(result),
        })
    }

    /// `inner` running only after `check` accepts its arguments.
    pub fn checked(inner: ScalarUDF, check: CheckFn) -> ScalarUDF {
        ScalarUDF::new_from_impl(Self {
            inner,
            check: Some(check),
            result: None,
        })
    }
}

/// The wrapped function and result type identify the wrapper (each is registered once, by
/// name; function pointers have no meaningful equality).
impl PartialEq for Wrapped {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner && self.result == other.result
    }
}

impl Eq for Wrapped {}

impl std::hash::Hash for Wrapped {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
        self.result.hash(state);
    }
}

impl ScalarUDFImpl for Wrapped {
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

    fn return_type(&self, args: &[DataType]) -> DfResult<DataType> {
        match &self.result {
            Some(t) => Ok(t.clone()),
            None => self.inner.return_type(args),
        }
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DfResult<FieldRef> {
        let field = self.inner.return_field_from_args(args)?;
        Ok(match &self.result {
            Some(t) => Arc::new(field.as_ref().clone().with_data_type(t.clone())),
            None => field,
        })
    }

    fn invoke_with_args(&self, mut args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        if let Some(check) = self.check {
            check(&args)?;
        }
        let Some(result) = &self.result else {
            return self.inner.invoke_with_args(args);
        };
        // The inner function computes with its own result type.
        let arg_types: Vec<DataType> = args
            .arg_fields
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        let inner_type = self.inner.return_type(&arg_types)?;
        args.return_field = Arc::new(
            args.return_field
                .as_ref()
                .clone()
                .with_data_type(inner_type),
        );
        self.inner.invoke_with_args(args)?.cast_to(result, None)
    }
}
