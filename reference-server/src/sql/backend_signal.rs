//! `pg_cancel_backend(pid)` and `pg_terminate_backend(pid [, timeout])`: signal another (or
//! this) session through the server's registry of live sessions, as PostgreSQL's
//! signalfuncs.c does: true when signalled, false with a WARNING when no session has the pid.

use std::sync::{Arc, Mutex, Weak};

use datafusion::arrow::array::{Array, AsArray, BooleanArray};
use datafusion::arrow::datatypes::{DataType, Int32Type};
use datafusion::common::{DataFusionError, Result as DfResult};
use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
use datafusion::prelude::SessionContext;
use pgwire::error::ErrorInfo;

use crate::session::{Shared, lock};

/// Register both functions for a session; warnings go to `notices` (the session's queue).
pub fn register(ctx: &SessionContext, shared: Weak<Shared>, notices: Arc<Mutex<Vec<ErrorInfo>>>) {
    for (name, terminate, args) in [
        ("pg_cancel_backend", false, vec![DataType::Int32]),
        ("pg_terminate_backend", true, vec![DataType::Int32]),
    ] {
        let (shared, notices) = (shared.clone(), notices.clone());
        ctx.register_udf(create_udf(
            name,
            args,
            DataType::Boolean,
            Volatility::Volatile,
            Arc::new(move |args: &[ColumnarValue]| signal(&shared, &notices, args, terminate)),
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
        Some(a) => a.to_array(1)?,
        None => return Err(DataFusionError::Plan("a pid is required".into())),
    };
    let pids = pids
        .as_primitive_opt::<Int32Type>()
        .ok_or_else(|| DataFusionError::Plan("the pid must be an integer".into()))?;
    let out: BooleanArray = (0..pids.len())
        .map(|i| {
            if pids.is_null(i) {
                return None;
            }
            let pid = pids.value(i);
            let sent = shared.cancels.signal(pid, terminate);
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
