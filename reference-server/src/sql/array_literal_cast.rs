//! `'{18432,19456}'::oid[]` (pg_dump passes its table lists this way): PostgreSQL parses
//! the array literal by the element type's input function. The rewrite spells the literal
//! as `make_array` of element casts, which DataFusion plans.

use datafusion::sql::sqlparser::ast::{ArrayElemTypeDef, DataType, Expr, Value};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

/// `'{a,NULL,"b"}'::T[]` → `make_array(CAST('a' AS T), NULL, CAST('b' AS T))`; None for
/// other expressions and for literals this simple reading cannot split (nested arrays,
/// escapes, quoted commas), which stay as they were.
pub fn rewrite(e: &Expr) -> Option<Expr> {
    let Expr::Cast {
        expr, data_type, ..
    } = e
    else {
        return None;
    };
    let DataType::Array(
        ArrayElemTypeDef::SquareBracket(elem, _) | ArrayElemTypeDef::AngleBracket(elem),
    ) = data_type
    else {
        return None;
    };
    let Expr::Value(v) = expr.as_ref() else {
        return None;
    };
    let Value::SingleQuotedString(s) = &v.value else {
        return None;
    };
    let body = s.trim().strip_prefix('{')?.strip_suffix('}')?;
    if body.contains(['{', '}', '\\']) {
        return None;
    }
    let mut items = Vec::new();
    for raw in body.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        if raw.eq_ignore_ascii_case("null") {
            items.push("NULL".to_owned());
            continue;
        }
        let text = match raw.strip_prefix('"') {
            Some(q) => q.strip_suffix('"')?,
            None => raw,
        };
        if text.contains('"') {
            return None;
        }
        items.push(format!("CAST('{}' AS {elem})", text.replace('\'', "''")));
    }
    let sql = if items.is_empty() {
        format!("CAST(make_array() AS {elem}[])")
    } else {
        format!("make_array({})", items.join(", "))
    };
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&sql)
        .and_then(|mut p| p.parse_expr())
        .ok()
}
