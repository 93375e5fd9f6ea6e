//! pgjdbc's key and index metadata (`getPrimaryKeys`, `getIndexInfo`) selects
//! `information_schema._pg_expandarray(i.indkey)`, a set-returning function of composite
//! rows `(x, n)`, and reads its fields as `(...).n` / `(keys).x`. DataFusion has neither
//! composite SRFs nor `(expr).field`, so the call becomes a struct of two zipped `unnest`s
//! (the elements, and their 1-based positions) and field selection becomes `get_field`.

use datafusion::sql::sqlparser::ast::{AccessExpr, Expr, FunctionArg, FunctionArgExpr};

use super::ast_shapes::parse_expr;

/// `_pg_expandarray(a)` → `named_struct('x', unnest(a), 'n', <1..len as int>)`.
pub fn expand(args: &[FunctionArg]) -> Option<Expr> {
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(array))] = args else {
        return None;
    };
    parse_expr(&format!(
        "named_struct('x', unnest({array}), 'n', CAST(unnest(range(1, \
         1 + CAST(coalesce(array_length({array}, 1), 0) AS BIGINT))) AS INT))"
    ))
}

/// `(composite).field` → `get_field(composite, 'field')`.
pub fn field_selection(root: &Expr, chain: &[AccessExpr]) -> Option<Expr> {
    let Expr::Nested(inner) = root else {
        return None;
    };
    let [AccessExpr::Dot(Expr::Identifier(field))] = chain else {
        return None;
    };
    let name = field.value.to_ascii_lowercase().replace('\'', "''");
    parse_expr(&format!("get_field({inner}, '{name}')"))
}
