//! `DEFAULT` in INSERT ... VALUES and `INSERT ... DEFAULT VALUES`, which DataFusion does not
//! plan: a column that is `DEFAULT` in every row is left out of the column list (so the
//! table's default applies, sequences included); a `DEFAULT` in only some rows becomes the
//! column's default expression (or NULL).

use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::{Expr as DfExpr, ExprSchemable, LogicalPlan, WriteOp};
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::{
    Expr, Ident, Insert, ObjectName, ObjectNamePart, Parens, Query, SetExpr, Statement,
    TableObject, Value, Values,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::SqlError;
use crate::catalog::Catalog;
use crate::catalog::sequence::Sequence;

fn is_default(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
}

/// The statement with DEFAULT placeholders resolved (other statements unchanged).
pub fn rewrite(
    catalog: &Catalog,
    ctx: &SessionContext,
    stmt: &Statement,
) -> Result<Statement, SqlError> {
    let Statement::Insert(ins) = stmt else {
        return Ok(stmt.clone());
    };
    let has_default = match ins.source.as_deref().map(|q| q.body.as_ref()) {
        None => true,
        Some(SetExpr::Values(v)) => v.rows.iter().flat_map(|r| r.content.iter()).any(is_default),
        Some(_) => false,
    };
    if !has_default {
        return Ok(stmt.clone());
    }
    let TableObject::TableName(name) = &ins.table else {
        return Ok(stmt.clone());
    };
    let table = catalog.find_table(ctx, name)?.table;
    let def = table.def();
    let all: Vec<String> = def
        .schema
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let mut ins: Insert = ins.clone();
    let mut columns: Vec<String> = if ins.columns.is_empty() {
        all.clone()
    } else {
        ins.columns
            .iter()
            .map(|c| crate::catalog::split_name(c).1)
            .collect()
    };
    let mut rows: Vec<Vec<Expr>> = match ins.source.as_deref().map(|q| q.body.as_ref()) {
        Some(SetExpr::Values(v)) => v.rows.iter().map(|r| r.content.clone()).collect(),
        // DEFAULT VALUES: one row, every column DEFAULT.
        _ => vec![vec![Expr::Identifier(Ident::new("DEFAULT")); columns.len()]],
    };
    // Columns that are DEFAULT in every row are dropped from the list.
    let mut j = 0;
    while j < columns.len() {
        if rows.iter().all(|r| r.get(j).is_some_and(is_default)) {
            columns.remove(j);
            for r in rows.iter_mut() {
                r.remove(j);
            }
        } else {
            j += 1;
        }
    }
    if columns.is_empty() {
        // Keep one column with a plain (non-sequence) default, or none at all (NULL).
        let keep = all.iter().find(|c| {
            def.defaults
                .iter()
                .find(|d| &d.column == *c)
                .is_none_or(|d| Sequence::parse_nextval(&d.expr).is_none())
        });
        let Some(keep) = keep else {
            return Err(SqlError::unsupported(
                "INSERT with every column DEFAULT is not supported for this table",
            ));
        };
        columns.push(keep.clone());
        for r in rows.iter_mut() {
            r.push(Expr::Identifier(Ident::new("DEFAULT")));
        }
    }
    for r in rows.iter_mut() {
        for (j, e) in r.iter_mut().enumerate() {
            if is_default(e) {
                let col = columns.get(j).map(String::as_str).unwrap_or_default();
                *e = default_expr(def, col)?;
            }
        }
    }
    ins.columns = columns
        .into_iter()
        .map(|c| ObjectName(vec![ObjectNamePart::Identifier(Ident::with_quote('"', c))]))
        .collect();
    let body = SetExpr::Values(Values {
        explicit_row: false,
        value_keyword: false,
        rows: rows.into_iter().map(Parens::with_empty_span).collect(),
    });
    ins.source = Some(Box::new(match ins.source.take() {
        Some(mut q) => {
            *q.body = body;
            *q
        }
        None => Query {
            body: Box::new(body),
            ..empty_query()
        },
    }));
    Ok(Statement::Insert(ins))
}

/// The default of `col` as an expression of the statement (NULL when it has none).
fn default_expr(def: &crate::storage::TableDef, col: &str) -> Result<Expr, SqlError> {
    let Some(d) = def.defaults.iter().find(|d| d.column == col) else {
        return Ok(Expr::value(Value::Null));
    };
    if Sequence::parse_nextval(&d.expr).is_some() {
        return Err(SqlError::unsupported(
            "DEFAULT for a serial column in only some rows of a multi-row VALUES is not supported",
        ));
    }
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&d.expr)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| SqlError::new("XX000", format!("bad default of column \"{col}\": {e}")))
}

/// A query around a VALUES body (for `DEFAULT VALUES`, which has none).
fn empty_query() -> Query {
    Query {
        with: None,
        body: Box::new(SetExpr::Values(Values {
            explicit_row: false,
            value_keyword: false,
            rows: Vec::new(),
        })),
        order_by: None,
        limit_clause: None,
        fetch: None,
        locks: Vec::new(),
        for_clause: None,
        settings: None,
        format_clause: None,
        pipe_operators: Vec::new(),
    }
}

/// 42601 when a VALUES row of an INSERT has more or fewer expressions than target columns
/// (DataFusion's message differs from PostgreSQL's).
pub fn check_arity(
    catalog: &Catalog,
    ctx: &SessionContext,
    stmt: &Statement,
) -> Result<(), SqlError> {
    let Statement::Insert(ins) = stmt else {
        return Ok(());
    };
    let Some(SetExpr::Values(v)) = ins.source.as_deref().map(|q| q.body.as_ref()) else {
        return Ok(());
    };
    let targets = if ins.columns.is_empty() {
        let TableObject::TableName(name) = &ins.table else {
            return Ok(());
        };
        match catalog.find_table(ctx, name) {
            Ok(t) => t.table.def().schema.fields().len(),
            Err(_) => return Ok(()),
        }
    } else {
        ins.columns.len()
    };
    for r in &v.rows {
        if r.content.len() > targets {
            return Err(SqlError::syntax(
                "INSERT has more expressions than target columns",
            ));
        }
        if r.content.len() < targets && !ins.columns.is_empty() {
            return Err(SqlError::syntax(
                "INSERT has more target columns than expressions",
            ));
        }
    }
    Ok(())
}

/// PostgreSQL has no assignment cast between boolean and numbers (DataFusion casts them).
pub fn check_types(plan: &LogicalPlan) -> Result<(), SqlError> {
    let LogicalPlan::Dml(dml) = plan else {
        return Ok(());
    };
    if !matches!(dml.op, WriteOp::Insert(_)) {
        return Ok(());
    }
    let LogicalPlan::Projection(p) = dml.input.as_ref() else {
        return Ok(());
    };
    let target = dml.target.schema();
    for (e, field) in p.expr.iter().zip(target.fields()) {
        let inner = match e {
            DfExpr::Alias(a) => a.expr.as_ref(),
            other => other,
        };
        let DfExpr::Cast(c) = inner else { continue };
        let Ok(src) = c.expr.get_type(p.input.schema()) else {
            continue;
        };
        let dst = field.data_type();
        let bad = (src == DataType::Boolean && dst.is_numeric())
            || (src.is_numeric() && *dst == DataType::Boolean);
        if bad {
            return Err(SqlError::new(
                "42804",
                format!(
                    "column \"{}\" is of type {} but expression is of type {}",
                    field.name(),
                    type_display(&crate::pgtypes::pg_type_of(field)),
                    type_display(&crate::pgtypes::arrow_to_pg(&src)),
                ),
            ));
        }
    }
    Ok(())
}

/// The type name PostgreSQL's messages use (`format_type`).
pub(super) fn type_display(t: &crate::pgtypes::PgColumnType) -> String {
    match t.ty.name() {
        "int2" => "smallint".into(),
        "int4" => "integer".into(),
        "int8" => "bigint".into(),
        "bool" => "boolean".into(),
        "float4" => "real".into(),
        "float8" => "double precision".into(),
        "varchar" => "character varying".into(),
        "bpchar" => "character".into(),
        "timestamp" => "timestamp without time zone".into(),
        "timestamptz" => "timestamp with time zone".into(),
        other => other.into(),
    }
}
