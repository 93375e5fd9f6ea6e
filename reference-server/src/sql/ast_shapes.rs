//! Shapes of parsed SQL the rewrites look for, in one place: the single FROM item, a
//! table-function call there, a `pg_catalog` relation name, and an expression from text.

use datafusion::sql::sqlparser::ast::{Expr, FunctionArg, ObjectName, Select, TableFactor};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

use crate::catalog::system::PG_CATALOG;

/// An expression written as SQL text (the rewrites build their replacements so).
pub fn parse_expr(sql: &str) -> Option<Expr> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .ok()
}

/// The select's FROM item when it is the only one (joins are the caller's concern).
pub fn only_from(select: &Select) -> Option<&TableFactor> {
    match select.from.as_slice() {
        [from] => Some(&from.relation),
        _ => None,
    }
}

/// The function's name (its last part, lower-case) and arguments when the only FROM item
/// is a table-function call such as `unnest(x)`.
pub fn only_table_function(select: &Select) -> Option<(String, &[FunctionArg])> {
    let TableFactor::Table {
        name,
        args: Some(args),
        ..
    } = only_from(select)?
    else {
        return None;
    };
    let last = name.0.last()?.as_ident()?.value.to_ascii_lowercase();
    Some((last, args.args.as_slice()))
}

/// The relation's name (lower-case) when `name` is unqualified or `pg_catalog.`-qualified,
/// as catalog relations are written.
pub fn catalog_relation(name: &ObjectName) -> Option<String> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| p.as_ident().map(|i| i.value.to_ascii_lowercase()))
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [rel] => Some(rel.clone()),
        [schema, rel] if schema == PG_CATALOG => Some(rel.clone()),
        _ => None,
    }
}
