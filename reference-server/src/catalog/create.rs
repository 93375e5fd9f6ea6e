//! CREATE [TEMP] TABLE [IF NOT EXISTS] [AS]: column types, defaults and constraints from the
//! parsed statement, named as PostgreSQL names them.

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{
    self, ColumnOption, Expr, Ident, ObjectName, Statement, TableConstraint, visit_expressions,
};
use pgwire::error::ErrorInfo;

use super::{Catalog, DdlResult, SessionCatalog, TEMP_SCHEMA};
use crate::pgtypes::{PG_TYPE_KEY, from_sql_type, is_serial_type};
use crate::sql::SqlError;
use crate::storage::{ColumnDefault, ConstraintDef, FkAction, Storage, StorageError, TableDef};

/// An identifier as PostgreSQL stores it: unquoted names fold to lower case.
pub fn ident(i: &Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_lowercase()
    }
}

/// `(schema, table)` of a possibly qualified name.
pub fn split_name(n: &ObjectName) -> (Option<String>, String) {
    let parts: Vec<String> =
        n.0.iter()
            .map(|p| p.as_ident().map(ident).unwrap_or_else(|| p.to_string()))
            .collect();
    match parts.as_slice() {
        [.., schema, table] => (Some(schema.clone()), table.clone()),
        [table] => (None, table.clone()),
        [] => (None, String::new()),
    }
}

/// Collects constraints while columns are read, then names them as PostgreSQL does.
pub(super) struct Pending {
    pub table: String,
    pub constraints: Vec<ConstraintDef>,
    pub names: Vec<String>,
}

impl Pending {
    /// `ChooseConstraintName`: `<table>_<cols>_<label>`, with a number added until unique.
    fn name(&mut self, given: Option<&Ident>, cols: &[String], label: &str) -> String {
        if let Some(n) = given {
            let n = ident(n);
            self.names.push(n.clone());
            return n;
        }
        let base = if cols.is_empty() {
            format!("{}_{label}", self.table)
        } else {
            format!("{}_{}_{label}", self.table, cols.join("_"))
        };
        let mut name = base.clone();
        let mut n = 0;
        while self.names.contains(&name) {
            n += 1;
            name = format!("{base}{n}");
        }
        self.names.push(name.clone());
        name
    }

    fn unique(&mut self, given: Option<&Ident>, columns: Vec<String>, primary: bool) {
        let name = if primary {
            self.name(given, &[], "pkey")
        } else {
            self.name(given, &columns, "key")
        };
        self.constraints.push(ConstraintDef::Unique {
            name,
            columns,
            primary,
        });
    }

    fn check(&mut self, given: Option<&Ident>, expr: &Expr, columns: &[String]) {
        let used = expr_columns(expr, columns);
        let name = match used.as_slice() {
            [one] => self.name(given, std::slice::from_ref(one), "check"),
            _ => self.name(given, &[], "check"),
        };
        self.constraints.push(ConstraintDef::Check {
            name,
            expr: expr.to_string(),
        });
    }

    fn foreign(
        &mut self,
        given: Option<&Ident>,
        fk: &ast::ForeignKeyConstraint,
        cols: Vec<String>,
    ) {
        let name = self.name(given.or(fk.name.as_ref()), &cols, "fkey");
        self.constraints.push(ConstraintDef::ForeignKey {
            name,
            columns: cols,
            ref_table: split_name(&fk.foreign_table).1,
            ref_columns: fk.referred_columns.iter().map(ident).collect(),
            on_delete: match fk.on_delete {
                Some(ast::ReferentialAction::Cascade) => FkAction::Cascade,
                Some(ast::ReferentialAction::SetNull) => FkAction::SetNull,
                Some(ast::ReferentialAction::SetDefault) => FkAction::SetDefault,
                Some(ast::ReferentialAction::Restrict) => FkAction::Restrict,
                Some(ast::ReferentialAction::NoAction) | None => FkAction::NoAction,
            },
        });
    }
}

/// The distinct table columns an expression refers to, in order of appearance.
pub fn expr_columns(expr: &Expr, columns: &[String]) -> Vec<String> {
    let mut used: Vec<String> = Vec::new();
    let _ = visit_expressions(expr, |e| {
        let name = match e {
            Expr::Identifier(i) => Some(ident(i)),
            Expr::CompoundIdentifier(parts) => parts.last().map(ident),
            _ => None,
        };
        if let Some(n) = name
            && columns.contains(&n)
            && !used.contains(&n)
        {
            used.push(n);
        }
        ControlFlow::<()>::Continue(())
    });
    used
}

fn index_columns(cols: &[ast::IndexColumn]) -> Vec<String> {
    cols.iter()
        .map(|c| match &c.column.expr {
            Expr::Identifier(i) => ident(i),
            other => other.to_string(),
        })
        .collect()
}

/// A column of a new table: its Arrow field and default.
pub struct NewColumn {
    pub field: Field,
    pub default: Option<String>,
}

/// Reads one column definition (type, NOT NULL, DEFAULT, column constraints).
pub(super) fn column(
    table: &str,
    c: &ast::ColumnDef,
    all: &[String],
    pending: &mut Pending,
) -> Result<NewColumn, SqlError> {
    let name = ident(&c.name);
    let mut default = None;
    let mut nullable = true;
    let (dt, type_name): (DataType, Option<String>) = if is_serial_type(&c.data_type) {
        let t = c.data_type.to_string().to_ascii_lowercase();
        default = Some(format!("nextval('{table}_{name}_seq'::regclass)"));
        nullable = false;
        if t.starts_with("big") || t == "serial8" {
            (DataType::Int64, None)
        } else if t.starts_with("small") || t == "serial2" {
            (DataType::Int16, None)
        } else {
            (DataType::Int32, None)
        }
    } else {
        let (dt, pg) = from_sql_type(&c.data_type).map_err(SqlError::from)?;
        (dt.clone(), pg_type_name(&dt, &pg))
    };
    for opt in &c.options {
        let given = opt.name.as_ref();
        match &opt.option {
            ColumnOption::NotNull => nullable = false,
            ColumnOption::Null => {}
            ColumnOption::Default(e) => default = Some(e.to_string()),
            ColumnOption::PrimaryKey(_) => {
                nullable = false;
                pending.unique(given, vec![name.clone()], true);
            }
            ColumnOption::Unique(_) => pending.unique(given, vec![name.clone()], false),
            ColumnOption::Check(ck) => pending.check(given.or(ck.name.as_ref()), &ck.expr, all),
            ColumnOption::ForeignKey(fk) => pending.foreign(given, fk, vec![name.clone()]),
            ColumnOption::Generated {
                generation_expr: None,
                ..
            }
            | ColumnOption::Identity(_) => {
                nullable = false;
                default = Some(format!("nextval('{table}_{name}_seq'::regclass)"));
            }
            ColumnOption::Collation(_) | ColumnOption::Comment(_) => {}
            other => {
                return Err(SqlError::unsupported(format!(
                    "column option {other} is not supported"
                )));
            }
        }
    }
    let mut field = Field::new(name, dt, nullable);
    if let Some(t) = type_name {
        field = field.with_metadata([(PG_TYPE_KEY.to_owned(), t)].into_iter().collect());
    }
    Ok(NewColumn { field, default })
}

/// The `pg_type` metadata a column needs: only when the Arrow type alone does not say it
/// (`varchar(n)`, `uuid`, `json`...). Plain columns carry none, because DataFusion refuses to
/// mix fields whose metadata differ (e.g. in a recursive CTE's UNION).
pub(super) fn pg_type_name(dt: &DataType, pg: &crate::pgtypes::PgColumnType) -> Option<String> {
    (crate::pgtypes::arrow_to_pg(dt) != *pg).then(|| pg.type_name())
}

/// Reads a table constraint into `pending`.
pub(super) fn table_constraint(
    c: &TableConstraint,
    all: &[String],
    pending: &mut Pending,
) -> Result<Vec<String>, SqlError> {
    match c {
        TableConstraint::PrimaryKey(pk) => {
            let cols = index_columns(&pk.columns);
            pending.unique(pk.name.as_ref(), cols.clone(), true);
            return Ok(cols);
        }
        TableConstraint::Unique(u) => {
            pending.unique(u.name.as_ref(), index_columns(&u.columns), false)
        }
        TableConstraint::Check(ck) => pending.check(ck.name.as_ref(), &ck.expr, all),
        TableConstraint::ForeignKey(fk) => {
            let cols = fk.columns.iter().map(ident).collect();
            pending.foreign(None, fk, cols);
        }
        other => {
            return Err(SqlError::unsupported(format!(
                "constraint {other} is not supported"
            )));
        }
    }
    Ok(Vec::new())
}

/// Checks that constraint columns exist (42703) and that no column is defined twice (42701).
fn validate_columns(
    table: &str,
    fields: &[Field],
    constraints: &[ConstraintDef],
) -> Result<(), SqlError> {
    for (i, f) in fields.iter().enumerate() {
        if fields.iter().take(i).any(|g| g.name() == f.name()) {
            return Err(SqlError::new(
                "42701",
                format!("column \"{}\" specified more than once", f.name()),
            ));
        }
    }
    for c in constraints {
        let cols = match c {
            ConstraintDef::Unique { columns, .. } | ConstraintDef::ForeignKey { columns, .. } => {
                columns
            }
            ConstraintDef::Check { .. } | ConstraintDef::Index { .. } => continue,
        };
        if let Some(missing) = cols.iter().find(|c| !fields.iter().any(|f| f.name() == *c)) {
            return Err(SqlError::new(
                "42703",
                format!("column \"{missing}\" named in key does not exist"),
            ));
        }
    }
    let _ = table;
    Ok(())
}

/// The first timestamp column partitions the table by time.
pub fn time_column(schema: &Schema) -> Option<String> {
    schema
        .fields()
        .iter()
        .find(|f| matches!(f.data_type(), DataType::Timestamp(_, _)))
        .map(|f| f.name().clone())
}

impl Catalog {
    /// CREATE TABLE from its parsed statement; returns the rows inserted by `AS`.
    pub async fn create_table_stmt(
        &self,
        ctx: &SessionContext,
        ct: &ast::CreateTable,
    ) -> Result<(DdlResult, usize), SqlError> {
        let (schema_name, name) = split_name(&ct.name);
        let session = SessionCatalog::of(ctx)
            .ok_or_else(|| SqlError::new("XX000", "session catalog missing"))?;
        let temporary = ct.temporary
            || schema_name
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(TEMP_SCHEMA));
        match schema_name.as_deref() {
            None | Some(super::SCHEMA) => {}
            Some(s) if s.eq_ignore_ascii_case(TEMP_SCHEMA) => {}
            Some(s) => {
                return Err(SqlError::new(
                    "3F000",
                    format!("schema \"{s}\" does not exist"),
                ));
            }
        }
        let storage = if temporary {
            session.temp_storage().clone()
        } else {
            session.shared_storage().clone()
        };
        let all: Vec<String> = ct.columns.iter().map(|c| ident(&c.name)).collect();
        let mut pending = Pending {
            table: name.clone(),
            constraints: Vec::new(),
            names: Vec::new(),
        };
        let mut fields = Vec::new();
        let mut defaults = Vec::new();
        let mut query_rows = None;
        if let Some(q) = &ct.query {
            let plan = ctx
                .state()
                .statement_to_plan(DFStatement::Statement(Box::new(Statement::Query(
                    q.clone(),
                ))))
                .await?;
            let out = plan.schema().as_arrow().clone();
            for (i, f) in out.fields().iter().enumerate() {
                let n = all.get(i).cloned().unwrap_or_else(|| f.name().clone());
                fields.push(f.as_ref().clone().with_name(n).with_nullable(true));
            }
            query_rows = Some(plan);
        } else {
            for c in &ct.columns {
                let col = column(&name, c, &all, &mut pending)?;
                if let Some(d) = col.default {
                    defaults.push(ColumnDefault {
                        column: col.field.name().clone(),
                        expr: d,
                    });
                }
                fields.push(col.field);
            }
        }
        for c in &ct.constraints {
            let pk = table_constraint(c, &all, &mut pending)?;
            for f in fields.iter_mut().filter(|f| pk.contains(f.name())) {
                *f = f.clone().with_nullable(false);
            }
        }
        validate_columns(&name, &fields, &pending.constraints)?;
        let schema = Arc::new(Schema::new(fields));
        let primary_key = pending
            .constraints
            .iter()
            .find_map(|c| match c {
                ConstraintDef::Unique {
                    columns,
                    primary: true,
                    ..
                } => Some(columns.clone()),
                _ => None,
            })
            .unwrap_or_default();
        if pending
            .constraints
            .iter()
            .filter(|c| matches!(c, ConstraintDef::Unique { primary: true, .. }))
            .count()
            > 1
        {
            return Err(SqlError::new(
                "42P16",
                format!("multiple primary keys for table \"{name}\" are not allowed"),
            ));
        }
        let def = TableDef {
            name: name.clone(),
            schema: schema.clone(),
            time_column: time_column(&schema),
            primary_key,
            constraints: pending.constraints,
            defaults,
        };
        let created = match storage.create_table(def, ct.if_not_exists) {
            Ok(created) => created,
            Err(StorageError::AlreadyExists(n)) => {
                return Err(SqlError::new(
                    "42P07",
                    format!("relation \"{n}\" already exists"),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        self.bump();
        if !created {
            return Ok((
                DdlResult::Skipped(Box::new(ErrorInfo::new(
                    "NOTICE".into(),
                    "42P07".into(),
                    format!("relation \"{name}\" already exists, skipping"),
                ))),
                0,
            ));
        }
        let Some(plan) = query_rows else {
            return Ok((DdlResult::Done, 0));
        };
        let inserted = async {
            let batches = ctx.execute_logical_plan(plan).await?.collect().await?;
            fill(&storage, &name, &schema, batches).await
        }
        .await;
        match inserted {
            Ok(n) => Ok((DdlResult::Done, usize::try_from(n).unwrap_or(usize::MAX))),
            Err(e) => {
                // The table must not outlive a failed CREATE TABLE AS.
                let _ = storage.drop_table(&name, true);
                self.bump();
                Err(e)
            }
        }
    }
}

/// Inserts a query's rows (columns renamed to the table's) into a new table.
async fn fill(
    storage: &Storage,
    name: &str,
    schema: &SchemaRef,
    batches: Vec<RecordBatch>,
) -> Result<u64, SqlError> {
    let table = storage
        .table(name)
        .ok_or_else(|| SqlError::new("42P01", format!("relation \"{name}\" does not exist")))?;
    let batches = batches
        .into_iter()
        .map(|b| RecordBatch::try_new(schema.clone(), b.columns().to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SqlError::new("42804", e.to_string()))?;
    Ok(table.insert(batches).await?)
}
