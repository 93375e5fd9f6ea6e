//! pg_dump reads always-empty catalogs (`pg_foreign_data_wrapper`, `pg_foreign_server`...)
//! with per-row subqueries over table functions the server lacks
//! (`ARRAY(SELECT .. FROM pg_options_to_table(fdwoptions))`). With no rows those
//! expressions are never evaluated, so they become NULL and the query plans.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Expr, FunctionArguments, GroupByExpr, SelectItem, SetExpr, Statement, TableFactor,
    visit_expressions_mut,
};

use super::ast_shapes::{catalog_relation, parse_expr};
use crate::catalog::system::is_empty_catalog_relation;

/// Replace the subqueries in the select list of a plain (ungrouped) select from one
/// always-empty `pg_catalog` relation with NULL.
pub fn simplify(stmt: &mut Statement) {
    let Statement::Query(q) = stmt else {
        return;
    };
    let SetExpr::Select(select) = q.body.as_mut() else {
        return;
    };
    let [from] = select.from.as_slice() else {
        return;
    };
    let empty = match &from.relation {
        TableFactor::Table {
            name, args: None, ..
        } => catalog_relation(name).is_some_and(|rel| is_empty_catalog_relation(&rel)),
        _ => false,
    };
    let grouped = !matches!(&select.group_by, GroupByExpr::Expressions(e, _) if e.is_empty());
    if !empty || grouped || !from.joins.is_empty() || select.having.is_some() {
        return;
    }
    for item in &mut select.projection {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else {
            continue;
        };
        let _ = visit_expressions_mut(e, |x| {
            let null = match x {
                Expr::Subquery(_) => Some("NULL"),
                Expr::Function(f) if matches!(f.args, FunctionArguments::Subquery(_)) => {
                    Some("CAST(NULL AS text[])")
                }
                _ => None,
            };
            if let Some(n) = null.and_then(parse_expr) {
                *x = n;
            }
            ControlFlow::<()>::Continue(())
        });
    }
}
