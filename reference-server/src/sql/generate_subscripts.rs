//! `generate_subscripts(array, dim)` in a select list (SQLAlchemy's key and index reflection
//! zips it with `unnest(indkey)`): DataFusion has no such set-returning function, but it
//! zips several `unnest`s in one select list as PostgreSQL zips SRFs, so the call becomes
//! `unnest` of the subscript range.
//!
//! Subscripts start at the array's lower bound: 1 for ordinary arrays, 0 for the catalog's
//! `int2vector`/`oidvector` columns (`pg_index.indkey`, `pg_proc.proargtypes`, ...).

use datafusion::sql::sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr};

/// Catalog columns of type `int2vector` or `oidvector`, whose subscripts start at 0.
const ZERO_BASED: &[&str] = &[
    "indkey",
    "indclass",
    "indcollation",
    "indoption",
    "proargtypes",
    "tgattr",
    "partattrs",
    "partclass",
    "partcollation",
    "stxkeys",
];

/// The replacement for `generate_subscripts(array, dim)`; None for the `reverse` form, which
/// then fails as before. A dimension the array lacks yields no row, as in PostgreSQL.
pub fn rewrite(args: &[FunctionArg]) -> Option<Expr> {
    let [
        FunctionArg::Unnamed(FunctionArgExpr::Expr(array)),
        FunctionArg::Unnamed(FunctionArgExpr::Expr(dim)),
    ] = args
    else {
        return None;
    };
    let lower = i32::from(!is_zero_based(array));
    // PostgreSQL's subscripts are int4; an empty array (no length) yields no row.
    let sql = format!(
        "CAST(unnest(range({lower}, \
         {lower} + CAST(coalesce(array_length({array}, {dim}), 0) AS BIGINT))) AS INT)"
    );
    super::ast_shapes::parse_expr(&sql)
}

fn is_zero_based(e: &Expr) -> bool {
    let name = match e {
        Expr::Identifier(id) => &id.value,
        Expr::CompoundIdentifier(parts) => match parts.last() {
            Some(id) => &id.value,
            None => return false,
        },
        _ => return false,
    };
    ZERO_BASED.contains(&name.to_ascii_lowercase().as_str())
}
