//! `INSERT INTO t SELECT ... FROM (VALUES ...) AS v(a, b)`: DataFusion types every VALUES list
//! inside an INSERT's source as the target table's row, so a nested list of another shape
//! fails ("VALUES lists must all be the same length") or is cast to the wrong types. Nested
//! lists become the equivalent `SELECT ... UNION ALL SELECT ...` (PostgreSQL resolves a VALUES
//! list's column types by the UNION rules), which DataFusion plans on its own terms.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    Ident, Query, Select, SelectItem, SetExpr, SetOperator, SetQuantifier, Statement, Values,
    VisitMut, VisitorMut,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// Rewrite VALUES lists nested in an INSERT's source query; a source that is itself a plain
/// VALUES list keeps it (DataFusion types that one by the table, as it should).
pub fn rewrite(stmt: &mut Statement) {
    let Statement::Insert(insert) = stmt else {
        return;
    };
    let Some(source) = insert.source.as_mut() else {
        return;
    };
    if matches!(source.body.as_ref(), SetExpr::Values(_)) {
        return;
    }
    let _ = source.visit(&mut Nested);
}

struct Nested;

impl VisitorMut for Nested {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        replace_values(query.body.as_mut());
        ControlFlow::Continue(())
    }
}

fn replace_values(body: &mut SetExpr) {
    match body {
        SetExpr::Values(values) => {
            if let Some(union) = as_union(values) {
                *body = union;
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            replace_values(left);
            replace_values(right);
        }
        _ => {}
    }
}

/// Longer lists stay VALUES: a UNION chain that deep would exhaust the planner's stack.
const MAX_ROWS: usize = 1000;

/// `VALUES (a, b), (c, d)` as `SELECT a AS column1, b AS column2 UNION ALL SELECT c, d`.
fn as_union(values: &Values) -> Option<SetExpr> {
    if values.rows.len() > MAX_ROWS {
        return None;
    }
    let template = select_template()?;
    let mut rows = values.rows.iter().enumerate().map(|(i, row)| {
        let items = row
            .content
            .iter()
            .enumerate()
            .map(|(j, e)| {
                if i == 0 {
                    SelectItem::ExprWithAlias {
                        expr: e.clone(),
                        alias: Ident::new(format!("column{}", j + 1)),
                    }
                } else {
                    SelectItem::UnnamedExpr(e.clone())
                }
            })
            .collect();
        select_of(&template, items)
    });
    let first = rows.next()??;
    rows.try_fold(first, |acc, row| {
        Some(SetExpr::SetOperation {
            left: Box::new(acc),
            op: SetOperator::Union,
            set_quantifier: SetQuantifier::All,
            right: Box::new(row?),
        })
    })
}

/// A parsed `SELECT 1`, so every clause but the select list has the parser's empty value.
fn select_template() -> Option<Select> {
    let mut stmts = Parser::parse_sql(&PostgreSqlDialect {}, "SELECT 1").ok()?;
    let Some(Statement::Query(query)) = stmts.pop() else {
        return None;
    };
    match *query.body {
        SetExpr::Select(select) => Some(*select),
        _ => None,
    }
}

fn select_of(template: &Select, items: Vec<SelectItem>) -> Option<SetExpr> {
    if items.is_empty() {
        return None;
    }
    let mut select = template.clone();
    select.projection = items;
    Some(SetExpr::Select(Box::new(select)))
}
