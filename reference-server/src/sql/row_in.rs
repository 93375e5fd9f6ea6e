//! `(a, b) [NOT] IN (SELECT x, y ...)`: DataFusion's IN subquery takes one column, so a
//! row-valued one becomes a correlated EXISTS over the subquery's rows:
//! `EXISTS (SELECT 1 FROM (subquery) AS "$in"("$1", "$2") WHERE "$1" = a AND "$2" = b)`.
//! For NOT IN a row whose comparison is NULL also counts as a match (`IS NOT FALSE`), so a
//! NULL keeps the row out as PostgreSQL's NOT IN does in a WHERE clause.

use datafusion::sql::sqlparser::ast::{
    BinaryOperator, Expr, Ident, Query, SetExpr, TableAliasColumnDef, TableFactor, Value,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// The derived table's name; `$` cannot start an unquoted identifier, so it hides nothing.
const ALIAS: &str = "$in";

pub fn rewrite(e: &mut Expr) {
    let Expr::InSubquery { expr, negated, .. } = e else {
        return;
    };
    let Expr::Tuple(items) = expr.as_ref() else {
        return;
    };
    if items.len() < 2 {
        return;
    }
    let Some(exists) = template(items.len()) else {
        return;
    };
    let mut cond: Option<Expr> = None;
    for (i, item) in items.iter().enumerate() {
        let eq = Expr::BinaryOp {
            left: Box::new(Expr::CompoundIdentifier(vec![
                Ident::with_quote('"', ALIAS),
                Ident::with_quote('"', format!("${}", i + 1)),
            ])),
            op: BinaryOperator::Eq,
            right: Box::new(Expr::Nested(Box::new(item.clone()))),
        };
        cond = Some(match cond {
            None => eq,
            Some(c) => Expr::BinaryOp {
                left: Box::new(c),
                op: BinaryOperator::And,
                right: Box::new(eq),
            },
        });
    }
    let Some(mut cond) = cond else { return };
    if *negated {
        cond = Expr::IsNotFalse(Box::new(Expr::Nested(Box::new(cond))));
    }
    let negated = *negated;
    let lhs = expr.clone();
    let Expr::InSubquery { subquery, .. } = std::mem::replace(e, Expr::value(Value::Null)) else {
        return;
    };
    *e = match fill(exists, subquery, cond, negated) {
        Ok(done) => done,
        // The template always has the shape `fill` expects; keep the input if it ever does not.
        Err(subquery) => Expr::InSubquery {
            expr: lhs,
            subquery,
            negated,
        },
    };
}

/// Puts the subquery and the condition into the template.
fn fill(
    mut exists: Expr,
    subquery: Box<Query>,
    cond: Expr,
    negated: bool,
) -> Result<Expr, Box<Query>> {
    let Expr::Exists {
        subquery: outer,
        negated: n,
    } = &mut exists
    else {
        return Err(subquery);
    };
    *n = negated;
    let SetExpr::Select(select) = outer.body.as_mut() else {
        return Err(subquery);
    };
    select.selection = Some(cond);
    let Some(TableFactor::Derived {
        subquery: inner, ..
    }) = select.from.first_mut().map(|t| &mut t.relation)
    else {
        return Err(subquery);
    };
    *inner = subquery;
    Ok(exists)
}

/// `EXISTS (SELECT 1 FROM (SELECT 1) AS "$in"("$1", ...))`, to be filled in.
fn template(columns: usize) -> Option<Expr> {
    let sql = format!("EXISTS (SELECT 1 FROM (SELECT 1) AS \"{ALIAS}\")");
    let mut e = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&sql)
        .ok()?
        .parse_expr()
        .ok()?;
    let Expr::Exists { subquery, .. } = &mut e else {
        return None;
    };
    let SetExpr::Select(select) = subquery.body.as_mut() else {
        return None;
    };
    let Some(TableFactor::Derived {
        alias: Some(alias), ..
    }) = select.from.first_mut().map(|t| &mut t.relation)
    else {
        return None;
    };
    alias.columns = (1..=columns)
        .map(|i| TableAliasColumnDef {
            name: Ident::with_quote('"', format!("${i}")),
            data_type: None,
        })
        .collect();
    Some(e)
}
