//! `percentile_disc(f) WITHIN GROUP (ORDER BY x)`, which DataFusion lacks, as the aggregates
//! it is defined by: the first of the sorted non-null values whose position reaches
//! `ceil(f * n)` (computed in float8, as PostgreSQL does; position 1 at least).

use datafusion::sql::sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// The rewritten call, or `None` when `f` is not a one-fraction `percentile_disc` with one
/// ordering key (left to DataFusion, which reports it).
pub fn percentile_disc(f: &Function) -> Option<Expr> {
    let [order] = f.within_group.as_slice() else {
        return None;
    };
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(fraction))] = list.args.as_slice() else {
        return None;
    };
    if matches!(fraction, Expr::Array(_)) || f.over.is_some() {
        return None;
    }
    let x = &order.expr;
    let filter = f
        .filter
        .as_ref()
        .map(|c| format!(" AND ({c})"))
        .unwrap_or_default();
    let sql = format!(
        "(array_agg(({x}) ORDER BY {order}) FILTER (WHERE ({x}) IS NOT NULL{filter}))\
         [greatest(CAST(ceil(CAST(({fraction}) AS DOUBLE PRECISION) \
         * count(({x})) FILTER (WHERE true{filter})) AS BIGINT), 1)]"
    );
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&sql)
        .and_then(|mut p| p.parse_expr())
        .ok()
}
