//! PostgreSQL's `int2vector`/`oidvector` catalog columns (`pg_index.indkey`,
//! `pg_proc.proargtypes`) print as space-separated numbers (`1 2`), not as arrays, and
//! pg_dump parses exactly that form. The server keeps them as arrays (so `indkey[0]` and
//! `= ANY(indkey)` work); a result column that is just such a column prints PG's form.

use datafusion::sql::sqlparser::ast::{Expr, Ident, SelectItem};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// The `int2vector`/`oidvector` columns of PostgreSQL 15's catalogs.
const VECTOR_COLUMNS: &[&str] = &[
    "indkey",
    "indcollation",
    "indclass",
    "indoption",
    "proargtypes",
    "partattrs",
    "partclass",
    "partcollation",
    "stxkeys",
];

/// `i.indkey` in the outermost select list → `array_to_string(i.indkey, ' ') AS indkey`.
pub fn rewrite(item: &mut SelectItem) {
    let (e, alias) = match item {
        SelectItem::UnnamedExpr(e) => (e, None),
        SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.clone())),
        _ => return,
    };
    let column = match e {
        Expr::Identifier(i) => i.clone(),
        Expr::CompoundIdentifier(parts) => match parts.last() {
            Some(i) => i.clone(),
            None => return,
        },
        _ => return,
    };
    if !VECTOR_COLUMNS.contains(&column.value.to_ascii_lowercase().as_str()) {
        return;
    }
    let Ok(out) = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&format!("array_to_string({e}, ' ')"))
        .and_then(|mut p| p.parse_expr())
    else {
        return;
    };
    *item = SelectItem::ExprWithAlias {
        expr: out,
        alias: alias.unwrap_or(Ident::new(column.value)),
    };
}
