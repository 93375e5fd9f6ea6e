//! Correlated subqueries DataFusion cannot decorrelate (LIMIT or ORDER BY inside, recursive
//! CTEs, scalar subqueries that are not aggregates, subqueries under CASE...), run the way
//! PostgreSQL runs a SubPlan: once per distinct set of outer values, with those values bound
//! in as literals. Drivers' catalog queries are full of them (asyncpg's type introspection,
//! pg_dump, DBeaver); user queries that DataFusion decorrelates keep their joins.
//!
//! A subquery becomes a call of a volatile scalar function whose arguments are the outer
//! columns; the function runs the bound subquery on a thread of its own (a scalar function
//! is synchronous, and the query may be running inside any kind of runtime).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use datafusion::arrow::array::{Array, ArrayRef, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, DataFusionError, Result as DfResult, ScalarValue};
use datafusion::execution::SessionState;
use datafusion::logical_expr::expr::{Exists, InSubquery, ScalarFunction};
use datafusion::logical_expr::{
    ColumnarValue, Expr, LogicalPlan, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Subquery, Volatility,
};
use datafusion::physical_plan::collect;

/// `plan` with the correlated subqueries DataFusion's optimizer cannot turn into joins
/// replaced by per-row evaluation; `plan` itself when there are none.
pub fn with_subplans(state: &SessionState, plan: LogicalPlan) -> DfResult<LogicalPlan> {
    if !plan.exists(|node| Ok(node.expressions().iter().any(has_correlated)))? {
        return Ok(plan);
    }
    match state.optimize(&plan) {
        Ok(optimized)
            if !optimized.exists(|node| Ok(node.expressions().iter().any(has_subquery)))? =>
        {
            Ok(plan)
        }
        _ => plan
            .transform_up(|node| node.map_expressions(|e| e.transform_up(|e| subplan(state, e))))
            .map(|t| t.data),
    }
}

fn is_correlated(s: &Subquery) -> bool {
    !s.outer_ref_columns.is_empty()
}

fn has_correlated(e: &Expr) -> bool {
    e.exists(|e| {
        Ok(match e {
            Expr::ScalarSubquery(s) => is_correlated(s),
            Expr::Exists(Exists { subquery, .. })
            | Expr::InSubquery(InSubquery { subquery, .. }) => is_correlated(subquery),
            _ => false,
        })
    })
    .unwrap_or(false)
}

fn has_subquery(e: &Expr) -> bool {
    e.exists(|e| {
        Ok(matches!(
            e,
            Expr::ScalarSubquery(_)
                | Expr::Exists(_)
                | Expr::InSubquery(_)
                | Expr::OuterReferenceColumn(..)
        ))
    })
    .unwrap_or(false)
}

/// What the subquery's rows mean to the outer row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// `(SELECT x ...)`: NULL for no row, an error for more than one.
    Scalar,
    /// `[NOT] EXISTS (...)`.
    Exists { negated: bool },
    /// `v [NOT] IN (SELECT x ...)`: the first argument is `v`.
    In { negated: bool },
}

fn subplan(state: &SessionState, e: Expr) -> DfResult<Transformed<Expr>> {
    let (kind, subquery, value) = match e {
        Expr::ScalarSubquery(s) if is_correlated(&s) => (Kind::Scalar, s, None),
        Expr::Exists(Exists { subquery, negated }) if is_correlated(&subquery) => {
            (Kind::Exists { negated }, subquery, None)
        }
        Expr::InSubquery(InSubquery {
            expr,
            subquery,
            negated,
        }) if is_correlated(&subquery) => (Kind::In { negated }, subquery, Some(*expr)),
        other => return Ok(Transformed::no(other)),
    };
    let outer: Vec<Column> = subquery
        .outer_ref_columns
        .iter()
        .filter_map(|e| match e {
            Expr::OuterReferenceColumn(_, c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let returns = match kind {
        Kind::Scalar => subquery
            .subquery
            .schema()
            .fields()
            .first()
            .map(|f| f.data_type().clone())
            .unwrap_or(DataType::Null),
        _ => DataType::Boolean,
    };
    let args: Vec<Expr> = value
        .into_iter()
        .chain(outer.iter().cloned().map(Expr::Column))
        .collect();
    static IDS: AtomicU64 = AtomicU64::new(0);
    let udf = SubPlan {
        id: IDS.fetch_add(1, Ordering::Relaxed),
        kind,
        plan: subquery.subquery.clone(),
        outer,
        returns,
        state: state.clone(),
        signature: Signature::any(args.len(), Volatility::Volatile),
    };
    Ok(Transformed::yes(Expr::ScalarFunction(
        ScalarFunction::new_udf(Arc::new(ScalarUDF::new_from_impl(udf)), args),
    )))
}

struct SubPlan {
    /// Identity (plans and session states have no useful equality).
    id: u64,
    kind: Kind,
    plan: Arc<LogicalPlan>,
    outer: Vec<Column>,
    returns: DataType,
    state: SessionState,
    signature: Signature,
}

impl std::fmt::Debug for SubPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubPlan")
            .field("kind", &self.kind)
            .field("outer", &self.outer)
            .finish()
    }
}

impl PartialEq for SubPlan {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for SubPlan {}

impl Hash for SubPlan {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

/// One evaluation of the subquery: its row count and its first column.
struct Rows {
    count: usize,
    first: Vec<ScalarValue>,
}

impl SubPlan {
    /// The subquery with the outer columns replaced by `values`.
    fn bind(&self, values: &[ScalarValue]) -> DfResult<LogicalPlan> {
        let bound = self
            .plan
            .as_ref()
            .clone()
            .transform_up_with_subqueries(|node| {
                node.map_expressions(|e| {
                    e.transform_up(|e| match &e {
                        Expr::OuterReferenceColumn(field, col) => {
                            match self.outer.iter().position(|c| c == col) {
                                Some(i) => {
                                    let v = values
                                        .get(i)
                                        .cloned()
                                        .unwrap_or(ScalarValue::Null)
                                        .cast_to(field.data_type())?;
                                    Ok(Transformed::yes(Expr::Literal(v, None)))
                                }
                                None => Ok(Transformed::no(e)),
                            }
                        }
                        _ => Ok(Transformed::no(e)),
                    })
                })
            })?;
        Ok(bound.data)
    }

    /// Runs the subquery once per key, on a thread with a runtime of its own.
    fn evaluate(&self, keys: Vec<Vec<ScalarValue>>) -> DfResult<Vec<Rows>> {
        let plans = keys
            .iter()
            .map(|k| self.bind(k))
            .collect::<DfResult<Vec<_>>>()?;
        let state = self.state.clone();
        let run = move || -> DfResult<Vec<Rows>> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| DataFusionError::External(Box::new(e)))?;
            rt.block_on(async {
                let mut out = Vec::with_capacity(plans.len());
                for plan in plans {
                    let physical = state.create_physical_plan(&plan).await?;
                    out.push(rows(collect(physical, state.task_ctx()).await?)?);
                }
                Ok(out)
            })
        };
        std::thread::scope(|s| {
            s.spawn(run)
                .join()
                .map_err(|_| DataFusionError::Execution("a subquery's evaluation failed".into()))?
        })
    }

    fn answer(&self, rows: &Rows, value: Option<ScalarValue>) -> DfResult<ScalarValue> {
        Ok(match self.kind {
            Kind::Scalar => match rows.first.as_slice() {
                [] => ScalarValue::try_from(&self.returns)?,
                [one] => one.cast_to(&self.returns)?,
                _ => {
                    return Err(DataFusionError::Execution(
                        "more than one row returned by a subquery used as an expression".into(),
                    ));
                }
            },
            Kind::Exists { negated } => ScalarValue::Boolean(Some((rows.count > 0) != negated)),
            Kind::In { negated } => {
                let found = match value {
                    _ if rows.count == 0 => Some(false),
                    None => None,
                    Some(v) if v.is_null() => None,
                    Some(v) => {
                        let mut any_null = false;
                        let mut hit = false;
                        for r in &rows.first {
                            if r.is_null() {
                                any_null = true;
                            } else if r.cast_to(&v.data_type()).is_ok_and(|r| r == v) {
                                hit = true;
                                break;
                            }
                        }
                        if hit {
                            Some(true)
                        } else if any_null {
                            None
                        } else {
                            Some(false)
                        }
                    }
                };
                ScalarValue::Boolean(found.map(|f| f != negated))
            }
        })
    }
}

fn rows(batches: Vec<RecordBatch>) -> DfResult<Rows> {
    let mut first = Vec::new();
    let mut count = 0;
    for b in &batches {
        count += b.num_rows();
        if let Some(col) = b.columns().first() {
            for i in 0..col.len() {
                first.push(ScalarValue::try_from_array(col, i)?);
            }
        }
    }
    Ok(Rows { count, first })
}

impl ScalarUDFImpl for SubPlan {
    fn name(&self) -> &str {
        "subquery"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DfResult<DataType> {
        Ok(self.returns.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let n = args.number_rows;
        let arrays: Vec<ArrayRef> = ColumnarValue::values_to_arrays(&args.args)?;
        let has_value = matches!(self.kind, Kind::In { .. });
        let (values, outer) = arrays.split_at(usize::from(has_value));
        let mut keys: Vec<Vec<ScalarValue>> = Vec::new();
        let mut index: HashMap<Vec<ScalarValue>, usize> = HashMap::new();
        let mut row_key = Vec::with_capacity(n);
        for row in 0..n {
            let key = outer
                .iter()
                .map(|a| ScalarValue::try_from_array(a, row))
                .collect::<DfResult<Vec<_>>>()?;
            let at = *index.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                keys.len() - 1
            });
            row_key.push(at);
        }
        let results = self.evaluate(keys)?;
        let mut out = Vec::with_capacity(n);
        for (row, at) in row_key.into_iter().enumerate() {
            let value = values
                .first()
                .map(|a| ScalarValue::try_from_array(a, row))
                .transpose()?;
            let rows = results
                .get(at)
                .ok_or_else(|| DataFusionError::Internal("subquery result missing".into()))?;
            out.push(self.answer(rows, value)?);
        }
        if out.is_empty() {
            return Ok(ColumnarValue::Array(
                datafusion::arrow::array::new_empty_array(&self.returns),
            ));
        }
        Ok(ColumnarValue::Array(ScalarValue::iter_to_array(out)?))
    }
}
