//! `ARRAY(SELECT .. FROM pg_options_to_table(attfdwoptions) ..)` (pg_dump's column and
//! foreign-object queries): the option columns it expands belong to foreign-data objects,
//! which the server has none of, so they are always NULL, `pg_options_to_table(NULL)` has
//! no rows and the ARRAY is PostgreSQL's empty `{}`.

use datafusion::sql::sqlparser::ast::{Expr, FunctionArguments, SetExpr};

use super::ast_shapes::{only_table_function, parse_expr};

/// Option columns of foreign-data objects (always NULL here).
const FOREIGN_OPTIONS: &[&str] = &[
    "attfdwoptions",
    "fdwoptions",
    "srvoptions",
    "ftoptions",
    "umoptions",
];

pub fn rewrite(e: &Expr) -> Option<Expr> {
    let Expr::Function(f) = e else { return None };
    if !f.name.to_string().eq_ignore_ascii_case("array") {
        return None;
    }
    let FunctionArguments::Subquery(q) = &f.args else {
        return None;
    };
    let SetExpr::Select(select) = q.body.as_ref() else {
        return None;
    };
    let (fname, [arg]) = only_table_function(select)? else {
        return None;
    };
    let arg = arg.to_string().to_ascii_lowercase();
    let column = arg.rsplit('.').next()?;
    (fname == "pg_options_to_table" && FOREIGN_OPTIONS.contains(&column))
        .then(|| parse_expr("CAST(make_array() AS text[])"))
        .flatten()
}
