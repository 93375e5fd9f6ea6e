//! Unqualified columns of a correlated catalog subquery (pg_dump's
//! `(SELECT typarray FROM pg_type te WHERE oid = pg_type.typelem)`): PostgreSQL resolves
//! `oid` in the innermost scope first, so it is `te.oid`. Qualifying it spells that out for
//! the catalog-lookup rewrite, which tells inner from outer columns by their qualifier.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{Expr, Query, SetExpr, TableFactor, visit_expressions_mut};

use super::ast_shapes::catalog_relation;
use crate::catalog::system::catalog_relation_has_column;

/// In a subquery over one aliased `pg_catalog` relation, `col` → `alias.col` in its WHERE
/// clause for each column that relation has.
pub fn qualify(q: &mut Query) {
    let SetExpr::Select(select) = q.body.as_mut() else {
        return;
    };
    let [from] = select.from.as_slice() else {
        return;
    };
    let TableFactor::Table {
        name,
        alias: Some(alias),
        args: None,
        ..
    } = &from.relation
    else {
        return;
    };
    if !from.joins.is_empty() {
        return;
    }
    let Some(rel) = catalog_relation(name) else {
        return;
    };
    let alias = alias.name.clone();
    let Some(w) = select.selection.as_mut() else {
        return;
    };
    let _ = visit_expressions_mut(w, |e| {
        if let Expr::Identifier(id) = e
            && id.quote_style.is_none()
            && catalog_relation_has_column(&rel, &id.value.to_ascii_lowercase())
        {
            *e = Expr::CompoundIdentifier(vec![alias.clone(), id.clone()]);
        }
        ControlFlow::<()>::Continue(())
    });
}
