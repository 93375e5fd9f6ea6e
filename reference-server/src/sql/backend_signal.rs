//! `pg_cancel_backend(pid)` and `pg_terminate_backend(pid [, timeout])`: signal another (or
//! this) session through the server's registry of live sessions, as PostgreSQL's
//! signalfuncs.c does: true when signalled, false with a WARNING when no session has the pid.

use std::sync::{Arc, Mutex, Weak};

use datafusion::arrow::array::{Array, AsArray, BooleanArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::{
    ColumnarValue, ScalarUDF, Signature, SimpleScalarUDF, TypeSignature, Volatility,
};
use datafusion::prelude::SessionContext;
use pgwire::error::ErrorInfo;

use crate::session::{Shared, lock};

/// Register both functions for a session; warnings go to `notices` (the session's queue).
pub fn register(ctx: &SessionContext, shared: Weak<Shared>, notices: Arc<Mutex<Vec<ErrorInfo>>>) {
    for (name, terminate) in [("pg_cancel_backend", false), ("pg_terminate_backend", true)] {
        let (shared, notices) = (shared.clone(), notices.clone());
        // int4 first, so a `$1` is described as int4 as PostgreSQL does; int8 too, so a
        // literal pid (DataFusion types integer literals as int8) is accepted as it is there.
        let signature = Signature::one_of(
            vec![
                TypeSignature::Exact(vec![DataType::Int32]),
                TypeSignature::Exact(vec![DataType::Int64]),
            ],
            Volatility::Volatile,
        );
        ctx.register_udf(ScalarUDF::new_from_impl(
            SimpleScalarUDF::new_with_signature(
                name,
                signature,
                DataType::Boolean,
                Arc::new(move |args: &[ColumnarValue]| signal(&shared, &notices, args, terminate)),
            ),
        ));
    }
}

fn signal(
    shared: &Weak<Shared>,
    notices: &Mutex<Vec<ErrorInfo>>,
    args: &[ColumnarValue],
    terminate: bool,
) -> DfResult<ColumnarValue> {
    let shared = shared
        .upgrade()
        .ok_or_else(|| DataFusionError::Execution("the server is shutting down".into()))?;
    let pids = match args.first() {
        Some(a) => cast(&a.to_array(1)?, &DataType::Int64)?,
        None => return Err(DataFusionError::Plan("a pid is required".into())),
    };
    let pids = pids
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| DataFusionError::Plan("the pid must be an integer".into()))?;
    let out: BooleanArray = (0..pids.len())
        .map(|i| {
            if pids.is_null(i) {
                return None;
            }
            let pid = pids.value(i);
            // No session has a pid outside int4 (PostgreSQL would refuse it as int4).
            let sent = i32::try_from(pid).is_ok_and(|p| shared.cancels.signal(p, terminate));
            if !sent {
                let message = format!("PID {pid} is not a PostgreSQL backend process");
                let mut info = ErrorInfo::new("WARNING".into(), "01000".into(), message);
                info.severity_nonlocalized = Some("WARNING".into());
                lock(notices).push(info);
            }
            Some(sent)
        })
        .collect();
    let scalar = matches!(args.first(), Some(ColumnarValue::Scalar(_)));
    Ok(if scalar {
        ColumnarValue::Scalar(datafusion::common::ScalarValue::try_from_array(&out, 0)?)
    } else {
        ColumnarValue::Array(Arc::new(out))
    })
}
