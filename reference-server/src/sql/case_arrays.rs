//! `CASE WHEN .. THEN acldefault(..) ELSE '{}' END` (pg_dump's default-ACL query): in
//! PostgreSQL the untyped literal takes the array type of the other branch. DataFusion
//! types it as text and cannot unify it with a list, so array-literal strings in a CASE
//! whose other results are arrays become arrays.

use datafusion::sql::sqlparser::ast::{Expr, Value};

use crate::catalog::system::is_catalog_array_column;

/// Functions returning a (text-stored) array that clients put in CASE results.
const ARRAY_FUNCTIONS: &[&str] = &["acldefault", "make_array"];

/// Rewrite the `'{..}'` results of an array-valued CASE in place; always None (the CASE
/// itself stays).
pub fn rewrite(e: &mut Expr) -> Option<Expr> {
    let Expr::Case {
        conditions,
        else_result,
        ..
    } = e
    else {
        return None;
    };
    let mut results: Vec<&mut Expr> = conditions.iter_mut().map(|c| &mut c.result).collect();
    if let Some(r) = else_result.as_mut() {
        results.push(r);
    }
    if !results.iter().any(|r| is_array_valued(r)) {
        return None;
    }
    for r in results {
        if let Some(arr) = array_of_literal(r) {
            *r = arr;
        }
    }
    None
}

fn is_array_valued(e: &Expr) -> bool {
    match e {
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            ARRAY_FUNCTIONS.contains(&name.as_str())
        }
        Expr::Identifier(i) => is_catalog_array_column(&i.value.to_ascii_lowercase()),
        Expr::CompoundIdentifier(p) => p
            .last()
            .is_some_and(|i| is_catalog_array_column(&i.value.to_ascii_lowercase())),
        _ => false,
    }
}

/// `'{}'` → an empty text array, `'{a,b}'` → `make_array('a', 'b')`.
fn array_of_literal(e: &Expr) -> Option<Expr> {
    let Expr::Value(v) = e else { return None };
    let Value::SingleQuotedString(s) = &v.value else {
        return None;
    };
    let body = s.trim().strip_prefix('{')?.strip_suffix('}')?;
    let items: Vec<String> = body
        .split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(|i| format!("'{}'", i.trim_matches('"').replace('\'', "''")))
        .collect();
    let sql = if items.is_empty() {
        "CAST(make_array() AS text[])".to_owned()
    } else {
        format!("make_array({})", items.join(", "))
    };
    super::ast_shapes::parse_expr(&sql)
}
