//! `typname[0]` (pg_dump's type query): PostgreSQL's `name` type is a fixed-length char
//! array, so a subscript on it yields one character (0-based). The server stores `name`
//! columns as text, which DataFusion cannot subscript; the rewrite reads that character.

use datafusion::sql::sqlparser::ast::{AccessExpr, Expr, Subscript};

use crate::catalog::system::is_catalog_array_column;

/// `x.typname[i]` → `substr(x.typname, i + 1, 1)` for a catalog `…name` column; None for
/// anything else (array subscripts keep their meaning).
pub fn rewrite(e: &Expr) -> Option<Expr> {
    let Expr::CompoundFieldAccess { root, access_chain } = e else {
        return None;
    };
    let [AccessExpr::Subscript(Subscript::Index { index })] = access_chain.as_slice() else {
        return None;
    };
    let column = match root.as_ref() {
        Expr::Identifier(i) => &i.value,
        Expr::CompoundIdentifier(parts) => &parts.last()?.value,
        _ => return None,
    };
    let column = column.to_ascii_lowercase();
    if !column.ends_with("name") || is_catalog_array_column(&column) {
        return None;
    }
    super::ast_shapes::parse_expr(&format!("substr({root}, ({index}) + 1, 1)"))
}
