//! PostgreSQL functions DataFusion lacks, registered per session (some read the session's
//! settings, so they cannot be global).

use std::sync::{Arc, Mutex};

use datafusion::arrow::array::{ArrayRef, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DataFusionError, Result as DfResult, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, Volatility, create_udf};
use datafusion::prelude::SessionContext;

use crate::catalog;
use std::time::{Duration, Instant};

use crate::session::control::StatementControl;
use crate::session::lock;
use crate::session::settings::{SERVER_VERSION, Settings};

pub fn register(
    ctx: &SessionContext,
    settings: Arc<Mutex<Settings>>,
    control: Arc<StatementControl>,
) {
    ctx.register_udf(super::pg_functions::PgTypeof::udf());
    super::interval_fns::register(ctx);
    super::datetime_fns::register(ctx);
    for f in super::extract::Extract::udfs() {
        ctx.register_udf(f);
    }
    ctx.register_udf(super::isfinite::IsFinite::udf());
    ctx.register_udf(super::pg_casts::PgTextCast::udf());
    ctx.register_udf(super::to_char::ToChar::udf(settings.clone()));
    for f in super::to_timestamp::ToTimestamp::udfs(settings.clone()) {
        ctx.register_udf(f);
    }
    ctx.register_udf(super::datetime_text::DatetimeText::udf(settings.clone()));
    super::json_fns::register(ctx);
    super::pg_math::register(ctx);
    super::math_errors::register(ctx);
    super::text_args::register(ctx);
    super::int4_results::register(ctx);
    super::json_agg::register(ctx);
    super::int4_window::register(ctx);
    super::pg_strings::register(ctx);
    super::bytea_fns::register(ctx);
    super::regexp_srf::register(ctx);
    super::interval_ops::register(ctx);
    super::at_time_zone::register(ctx);
    super::width_bucket_array::register(ctx);
    super::pg_cbrt::register(ctx);
    for f in super::ordered_set::udafs() {
        ctx.register_udaf(f);
    }
    ctx.register_udf(create_udf(
        "width_bucket",
        vec![
            DataType::Float64,
            DataType::Float64,
            DataType::Float64,
            DataType::Int32,
        ],
        DataType::Int32,
        Volatility::Immutable,
        Arc::new(width_bucket),
    ));

    let c = control.clone();
    let sleep = create_udf(
        "pg_sleep",
        vec![DataType::Float64],
        DataType::Utf8,
        Volatility::Volatile,
        Arc::new(move |args: &[ColumnarValue]| {
            let secs = match args.first() {
                Some(ColumnarValue::Scalar(ScalarValue::Float64(v))) => v.unwrap_or(0.0),
                _ => return Err(DataFusionError::Plan("pg_sleep expects a constant".into())),
            };
            // Hand this worker's other tasks (the accept loop, the CancelRequest connection)
            // to another thread while sleeping; impossible on a current-thread runtime.
            let multi_thread = tokio::runtime::Handle::try_current()
                .map(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
                .unwrap_or(false);
            if multi_thread {
                tokio::task::block_in_place(|| sleep_checked(&c, secs))?;
            } else {
                sleep_checked(&c, secs)?;
            }
            Ok(ColumnarValue::Scalar(ScalarValue::Utf8(
                Some(String::new()),
            )))
        }),
    );
    ctx.register_udf(super::pg_functions::Tagged::udf(sleep, "void"));

    let version = format!(
        "PostgreSQL {SERVER_VERSION} (reference-server {}) on x86_64-pc-linux-gnu, compiled by rustc, 64-bit",
        env!("CARGO_PKG_VERSION")
    );
    constant(ctx, "version", version);
    constant(ctx, "current_database", catalog::DATABASE.to_owned());
    constant(ctx, "current_schema", catalog::SCHEMA.to_owned());

    let c = control.clone();
    ctx.register_udf(create_udf(
        "pg_backend_pid",
        vec![],
        DataType::Int32,
        Volatility::Stable,
        Arc::new(move |_args: &[ColumnarValue]| {
            let pid = c.pid.load(std::sync::atomic::Ordering::Relaxed);
            Ok(ColumnarValue::Scalar(ScalarValue::Int32(Some(pid))))
        }),
    ));

    let s = settings.clone();
    ctx.register_udf(create_udf(
        "set_config",
        vec![DataType::Utf8, DataType::Utf8, DataType::Boolean],
        DataType::Utf8,
        Volatility::Volatile,
        Arc::new(move |args: &[ColumnarValue]| {
            // Row by row, so that `set_config(name, ..) FROM pg_settings` (pg_dump) works too.
            let rows = args
                .iter()
                .find_map(|a| match a {
                    ColumnarValue::Array(a) => Some(a.len()),
                    ColumnarValue::Scalar(_) => None,
                })
                .unwrap_or(1);
            let text = |i: usize, row: usize| match args.get(i) {
                Some(ColumnarValue::Scalar(v)) => string_of(v),
                Some(ColumnarValue::Array(a)) => string_of(&ScalarValue::try_from_array(a, row)?),
                None => Ok(None),
            };
            let mut out = Vec::with_capacity(rows);
            for row in 0..rows {
                let (Some(name), value) = (text(0, row)?, text(1, row)?) else {
                    out.push(None);
                    continue;
                };
                let mut guard = lock(&s);
                let result = match &value {
                    Some(v) => guard.set(&name, v),
                    None => guard.reset(&name),
                };
                result.map_err(|e| DataFusionError::External(Box::new(e)))?;
                out.push(guard.get(&name));
            }
            if args.iter().any(|a| matches!(a, ColumnarValue::Array(_))) {
                let arr: datafusion::arrow::array::StringArray = out.into_iter().collect();
                return Ok(ColumnarValue::Array(Arc::new(arr)));
            }
            Ok(ColumnarValue::Scalar(ScalarValue::Utf8(
                out.into_iter().next().flatten(),
            )))
        }),
    ));

    let s = settings.clone();
    ctx.register_udf(create_udf(
        "current_setting",
        vec![DataType::Utf8],
        DataType::Utf8,
        Volatility::Stable,
        Arc::new(move |args: &[ColumnarValue]| {
            map_strings(args, |name| {
                lock(&s)
                    .show(name)
                    .map_err(|e| DataFusionError::External(Box::new(e)))
            })
        }),
    ));
}

/// `width_bucket` over columns or constants (NULL in any argument gives NULL).
fn width_bucket(args: &[ColumnarValue]) -> DfResult<ColumnarValue> {
    use datafusion::arrow::array::{Array, AsArray, Int32Array};
    use datafusion::arrow::datatypes::{Float64Type, Int32Type};
    let scalar = args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let [op, low, high, count] = arrays.as_slice() else {
        return Err(DataFusionError::Plan(
            "width_bucket expects 4 arguments".into(),
        ));
    };
    let (op, low, high) = (
        op.as_primitive::<Float64Type>(),
        low.as_primitive::<Float64Type>(),
        high.as_primitive::<Float64Type>(),
    );
    let count = count.as_primitive::<Int32Type>();
    let out: Int32Array = (0..op.len())
        .map(|i| {
            if op.is_null(i) || low.is_null(i) || high.is_null(i) || count.is_null(i) {
                return Ok(None);
            }
            super::pg_functions::width_bucket(
                op.value(i),
                low.value(i),
                high.value(i),
                count.value(i),
            )
            .map(Some)
            .map_err(|e| DataFusionError::External(Box::new(e)))
        })
        .collect::<DfResult<_>>()?;
    if scalar {
        return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?));
    }
    Ok(ColumnarValue::Array(Arc::new(out)))
}

/// Sleep in small slices so CancelRequest and statement_timeout interrupt it.
fn sleep_checked(control: &StatementControl, secs: f64) -> DfResult<()> {
    let total = Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(Duration::MAX);
    let end = Instant::now().checked_add(total);
    loop {
        control
            .check()
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        let now = Instant::now();
        let left = match end {
            Some(end) if end <= now => return Ok(()),
            Some(end) => end - now,
            None => Duration::from_millis(10),
        };
        std::thread::sleep(left.min(Duration::from_millis(10)));
    }
}

fn constant(ctx: &SessionContext, name: &str, value: String) {
    ctx.register_udf(create_udf(
        name,
        vec![],
        DataType::Utf8,
        Volatility::Stable,
        Arc::new(move |_args: &[ColumnarValue]| {
            Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(
                value.clone(),
            ))))
        }),
    ));
}

/// Apply `f` to a single text argument, scalar or column (NULL in, NULL out).
fn map_strings(
    args: &[ColumnarValue],
    f: impl Fn(&str) -> DfResult<String>,
) -> DfResult<ColumnarValue> {
    let Some(arg) = args.first() else {
        return Err(DataFusionError::Plan("missing argument".into()));
    };
    match arg {
        ColumnarValue::Scalar(s) => {
            let v = match s {
                ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => v,
                _ => return Err(DataFusionError::Plan("expected a text argument".into())),
            };
            Ok(ColumnarValue::Scalar(ScalarValue::Utf8(
                v.as_deref().map(&f).transpose()?,
            )))
        }
        ColumnarValue::Array(a) => {
            let strings = datafusion::arrow::compute::cast(a, &DataType::Utf8)?;
            let strings = strings
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or_else(|| DataFusionError::Plan("expected a text argument".into()))?;
            let out: DfResult<StringArray> =
                strings.iter().map(|v| v.map(&f).transpose()).collect();
            Ok(ColumnarValue::Array(Arc::new(out?) as ArrayRef))
        }
    }
}

/// A text argument's value.
fn string_of(v: &ScalarValue) -> datafusion::common::Result<Option<String>> {
    match v {
        ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => {
            Ok(v.clone())
        }
        ScalarValue::Null => Ok(None),
        _ => Err(DataFusionError::Plan(
            "set_config expects text arguments".into(),
        )),
    }
}
