//! A boolean `CASE` evaluates a branch only on the rows that take it (`CASE WHEN txt ~ '^\d+$'
//! THEN txt::int > 0 ELSE false END` never casts other rows' text). DataFusion's simplifier
//! turns a boolean CASE into `(X AND A) OR (NOT X AND B)`, which evaluates every branch on
//! every row and fails where PostgreSQL does not. The branches are therefore computed as
//! int8 (0/1) and the CASE cast back to boolean, which that rewrite leaves alone; only CASEs
//! whose branches can fail (casts, function calls, division) are changed.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, Result as DfResult, ScalarValue};
use datafusion::logical_expr::expr::Case;
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::{BinaryExpr, Cast, Expr, ExprSchemable, LogicalPlan, Operator};

pub fn rewrite_plan(plan: LogicalPlan) -> DfResult<LogicalPlan> {
    Ok(plan
        .transform_up_with_subqueries(|node| {
            let [input] = node.inputs()[..] else {
                return Ok(Transformed::no(node));
            };
            let schema = input.schema().clone();
            let names = NamePreserver::new(&node);
            node.map_expressions(|e| {
                let name = names.save(&e);
                let out = e.transform_up(|x| lazy_case(x, &schema))?;
                Ok(if out.transformed {
                    out.update_data(|x| name.restore(x))
                } else {
                    out
                })
            })
        })?
        .data)
}

fn lazy_case(e: Expr, schema: &DFSchema) -> DfResult<Transformed<Expr>> {
    let Expr::Case(case) = &e else {
        return Ok(Transformed::no(e));
    };
    let boolean = case
        .when_then_expr
        .first()
        .is_some_and(|(_, then)| matches!(then.get_type(schema), Ok(DataType::Boolean)));
    let branches = case
        .when_then_expr
        .iter()
        .map(|(_, then)| then.as_ref())
        .chain(case.else_expr.as_deref());
    if !boolean || !branches.into_iter().any(can_fail) {
        return Ok(Transformed::no(e));
    }
    let Expr::Case(case) = e else {
        return Ok(Transformed::no(e));
    };
    let as_int = |b: Box<Expr>| Box::new(Expr::Cast(Cast::new(b, DataType::Int8)));
    let int_case = Expr::Case(Case {
        expr: case.expr,
        when_then_expr: case
            .when_then_expr
            .into_iter()
            .map(|(w, t)| (w, as_int(t)))
            .collect(),
        else_expr: Some(match case.else_expr {
            Some(b) => as_int(b),
            None => Box::new(Expr::Literal(ScalarValue::Int8(None), None)),
        }),
    });
    Ok(Transformed::yes(Expr::Cast(Cast::new(
        Box::new(int_case),
        DataType::Boolean,
    ))))
}

/// Whether evaluating the branch can raise an error on some row.
fn can_fail(e: &Expr) -> bool {
    let mut fails = false;
    let _ = e.apply(|x| {
        fails = matches!(
            x,
            Expr::Cast(_)
                | Expr::TryCast(_)
                | Expr::ScalarFunction(_)
                | Expr::BinaryExpr(BinaryExpr {
                    op: Operator::Divide | Operator::Modulo,
                    ..
                })
        );
        Ok(if fails {
            TreeNodeRecursion::Stop
        } else {
            TreeNodeRecursion::Continue
        })
    });
    fails
}
