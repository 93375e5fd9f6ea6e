//! A recursive CTE's columns take their types from its non-recursive term. PostgreSQL types
//! a bare integer literal there `integer`; DataFusion types it `bigint`, and the literal
//! retyping of [`super::typing`] cannot run on recursive plans (the work table's types are
//! fixed when planned). So the literal is written as `CAST(1 AS INTEGER)` before planning,
//! and DataFusion coerces the recursive term to those types, as PostgreSQL does.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::Statement;
use datafusion::sql::sqlparser::ast::{
    CastKind, DataType, Expr, Query, SelectItem, SetExpr, UnaryOperator, Value, VisitMut,
    VisitorMut,
};

pub fn rewrite(stmt: &mut Statement) {
    let _ = stmt.visit(&mut RecursiveCtes);
}

struct RecursiveCtes;

impl VisitorMut for RecursiveCtes {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let Some(with) = query.with.as_mut().filter(|w| w.recursive) else {
            return ControlFlow::Continue(());
        };
        for cte in &mut with.cte_tables {
            let named = !cte.alias.columns.is_empty();
            if let SetExpr::SetOperation { left, .. } = cte.query.body.as_mut()
                && let SetExpr::Select(select) = left.as_mut()
            {
                for item in &mut select.projection {
                    match item {
                        SelectItem::ExprWithAlias { expr, .. } => int4_literal(expr),
                        // An unnamed item keeps its name only when the CTE names its columns.
                        SelectItem::UnnamedExpr(expr) if named => int4_literal(expr),
                        _ => {}
                    }
                }
            }
        }
        ControlFlow::Continue(())
    }
}

/// `1` or `-1` that fits an int4, as `CAST(... AS INTEGER)`.
fn int4_literal(e: &mut Expr) {
    let number = match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Some(n.clone()),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => Some(format!("-{n}")),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    if number.is_some_and(|n| n.parse::<i32>().is_ok()) {
        let inner = std::mem::replace(e, Expr::value(Value::Null));
        *e = Expr::Cast {
            kind: CastKind::Cast,
            expr: Box::new(inner),
            data_type: DataType::Integer(None),
            array: false,
            format: None,
        };
    }
}
