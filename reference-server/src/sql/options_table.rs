//! `ARRAY(SELECT .. FROM pg_options_to_table(attfdwoptions) ..)` (pg_dump's column and
//! foreign-object queries): the option columns it expands belong to foreign-data objects,
//! which the server has none of, so they are always NULL, `pg_options_to_table(NULL)` has
//! no rows and the ARRAY is PostgreSQL's empty `{}`.

use datafusion::sql::sqlparser::ast::{Expr, FunctionArguments, SetExpr, TableFactor};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

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
    let [from] = select.from.as_slice() else {
        return None;
    };
    let TableFactor::Table {
        name,
        args: Some(args),
        ..
    } = &from.relation
    else {
        return None;
    };
    let fname = name.0.last()?.as_ident()?.value.to_ascii_lowercase();
    let [arg] = args.args.as_slice() else {
        return None;
    };
    let arg = arg.to_string().to_ascii_lowercase();
    let column = arg.rsplit('.').next()?;
    (fname == "pg_options_to_table" && FOREIGN_OPTIONS.contains(&column))
        .then(|| {
            Parser::new(&PostgreSqlDialect {})
                .try_with_sql("CAST(make_array() AS text[])")
                .and_then(|mut p| p.parse_expr())
                .ok()
        })
        .flatten()
}
