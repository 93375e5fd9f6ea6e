//! `x op ALL (subquery)` and `x op ANY (subquery)` for the ordering operators, with
//! PostgreSQL's three-valued result (an empty subquery makes ALL true and ANY false; a NULL
//! row or a NULL `x` makes an otherwise undecided answer NULL). DataFusion does not plan
//! these; they are written with the subquery's extreme value and counts, which DataFusion
//! plans as scalar subqueries:
//! `x > ALL (S)` is false when `x <= max(S)`, `x > ANY (S)` true when `x > min(S)`.

use datafusion::sql::sqlparser::ast::{BinaryOperator, Expr};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// Rewrite one quantified comparison in place; other expressions are left alone.
pub fn rewrite(e: &mut Expr) {
    let (left, op, right, all) = match e {
        Expr::AllOp {
            left,
            compare_op,
            right,
        } => (left, compare_op, right, true),
        Expr::AnyOp {
            left,
            compare_op,
            right,
            ..
        } => (left, compare_op, right, false),
        _ => return,
    };
    let Expr::Subquery(query) = right.as_ref() else {
        return;
    };
    let greater = match op {
        BinaryOperator::Gt | BinaryOperator::GtEq => true,
        BinaryOperator::Lt | BinaryOperator::LtEq => false,
        _ => return,
    };
    // The value x must beat: ALL compares with the far end, ANY with the near end.
    let extreme = if greater == all { "max" } else { "min" };
    let rows = |select: &str| format!("(SELECT {select} FROM ({query}) AS quantified_rows(c))");
    let (count, nulls, bound) = (
        rows("count(*)"),
        rows("count(*) - count(c)"),
        rows(&format!("{extreme}(c)")),
    );
    let x = format!("({left})");
    let sql = if all {
        format!(
            "CASE WHEN {count} = 0 THEN true WHEN NOT ({x} {op} {bound}) THEN false \
             WHEN {x} IS NULL OR {nulls} > 0 THEN NULL ELSE true END"
        )
    } else {
        format!(
            "CASE WHEN {x} {op} {bound} THEN true WHEN {count} = 0 THEN false \
             WHEN {x} IS NULL OR {nulls} > 0 THEN NULL ELSE false END"
        )
    };
    if let Ok(rewritten) = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&sql)
        .and_then(|mut p| p.parse_expr())
    {
        *e = Expr::Nested(Box::new(rewritten));
    }
}
