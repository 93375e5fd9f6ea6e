//! PostgreSQL's planner folds constant subexpressions while Bind plans the portal, so
//! `SELECT 1/0` fails at Bind (before BindComplete), not at Execute. DataFusion's own
//! constant folding swallows such errors and defers them to execution; this check
//! evaluates the same subexpressions at Bind to report the error where PostgreSQL does.

use std::sync::Arc;

use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, Result};
use datafusion::execution::context::ExecutionProps;
use datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext;
use datafusion::logical_expr::{Expr, LogicalPlan};
use datafusion::physical_expr::create_physical_expr;

/// Evaluate every maximal constant subexpression of `plan` once; the first error is
/// the one PostgreSQL reports at Bind.
pub fn check_constants(plan: &LogicalPlan) -> Result<()> {
    let props = ExecutionProps::new();
    let empty = DFSchema::empty();
    let planning = PhysicalPlanningContext::default();
    let one_row = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &RecordBatchOptions::new().with_row_count(Some(1)),
    )?;
    plan.apply_with_subqueries(|node| {
        node.apply_expressions(|e| {
            e.apply(|sub| {
                // CASE evaluates branches lazily; folding them eagerly could raise an
                // error for a branch PostgreSQL would have discarded.
                if matches!(sub, Expr::Case(_) | Expr::Literal(..)) {
                    return Ok(TreeNodeRecursion::Jump);
                }
                if !is_constant(sub) {
                    return Ok(TreeNodeRecursion::Continue);
                }
                create_physical_expr(sub, &empty, &props, &planning)?.evaluate(&one_row)?;
                Ok(TreeNodeRecursion::Jump)
            })
        })?;
        Ok(TreeNodeRecursion::Continue)
    })?;
    Ok(())
}

/// No column, placeholder, subquery, aggregate, window or volatile call anywhere inside.
fn is_constant(e: &Expr) -> bool {
    !e.is_volatile()
        && !e
            .exists(|x| {
                Ok(matches!(
                    x,
                    Expr::Column(_)
                        | Expr::OuterReferenceColumn(..)
                        | Expr::Placeholder(_)
                        | Expr::ScalarSubquery(_)
                        | Expr::Exists(_)
                        | Expr::InSubquery(_)
                        | Expr::AggregateFunction(_)
                        | Expr::WindowFunction(_)
                        | Expr::Unnest(_)
                        | Expr::GroupingSet(_)
                        | Expr::Case(_)
                ))
            })
            .unwrap_or(true)
}
