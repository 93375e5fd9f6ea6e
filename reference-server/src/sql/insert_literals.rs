//! `INSERT ... VALUES` with a boolean literal for a numeric column (or a number for a boolean
//! one): PostgreSQL has no assignment cast between them and answers 42804, but DataFusion
//! types a VALUES list as the table's row and casts silently. Its plan shows no trace of the
//! literal's own type, so the check reads the statement as written.

use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::{Expr, SetExpr, Statement, TableObject, Value};

use super::SqlError;
use crate::catalog::Catalog;

/// 42804 for a boolean literal given to a numeric column or a number to a boolean column.
pub fn check(catalog: &Catalog, ctx: &SessionContext, stmt: &Statement) -> Result<(), SqlError> {
    let Statement::Insert(ins) = stmt else {
        return Ok(());
    };
    let Some(SetExpr::Values(v)) = ins.source.as_deref().map(|q| q.body.as_ref()) else {
        return Ok(());
    };
    let TableObject::TableName(name) = &ins.table else {
        return Ok(());
    };
    let Ok(found) = catalog.find_table(ctx, name) else {
        return Ok(()); // planning reports the missing table
    };
    let def = found.table.def();
    let fields: Vec<_> = if ins.columns.is_empty() {
        def.schema.fields().iter().cloned().collect()
    } else {
        ins.columns
            .iter()
            .filter_map(|c| {
                let c = crate::catalog::split_name(c).1;
                def.schema.field_with_name(&c).ok().cloned().map(Into::into)
            })
            .collect()
    };
    for row in &v.rows {
        for (e, field) in row.content.iter().zip(&fields) {
            let Expr::Value(value) = e else { continue };
            let pg = crate::pgtypes::pg_type_of(field);
            let numeric_column = field.data_type().is_numeric();
            let given = match &value.value {
                Value::Boolean(_) if numeric_column => "boolean",
                Value::Number(n, _) if pg.ty.name() == "bool" => number_type(n),
                _ => continue,
            };
            return Err(SqlError::new(
                "42804",
                format!(
                    "column \"{}\" is of type {} but expression is of type {given}",
                    field.name(),
                    super::insert_defaults::type_display(&pg),
                ),
            )
            .with_hint("You will need to rewrite or cast the expression."));
        }
    }
    Ok(())
}

/// The type PostgreSQL gives a numeric literal.
fn number_type(n: &str) -> &'static str {
    if n.parse::<i32>().is_ok() {
        "integer"
    } else if n.parse::<i64>().is_ok() {
        "bigint"
    } else {
        "numeric"
    }
}
