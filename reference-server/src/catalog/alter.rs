//! ALTER TABLE: every form computes the new definition and the table's rows under it, then
//! swaps the table in one catalog commit (`Storage::replace_table`), so existing data stays
//! readable under renamed, added, dropped or retyped columns.

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, new_null_array};
use datafusion::arrow::compute::{CastOptions, cast_with_options};
use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::common::DFSchema;
use datafusion::prelude::SessionContext;
use datafusion::sql::sqlparser::ast::{
    AlterColumnOperation, AlterTable, AlterTableOperation, Expr, visit_expressions_mut,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::constraints::{KeyIndex, Rules};
use super::create::{Pending, column, ident, split_name, table_constraint, time_column};
use super::{Catalog, TableRef};
use crate::pgtypes::{PG_TYPE_KEY, from_sql_type};
use crate::sql::SqlError;
use crate::storage::{ColumnDefault, ConstraintDef, TableDef};

/// A table being altered: its columns, where each one's values come from, and constraints.
struct Draft {
    def: TableDef,
    fields: Vec<Field>,
    /// Old column index of each new column; `None` = filled with its default (or NULL).
    origin: Vec<Option<usize>>,
}

fn no_column(c: &str, t: &str) -> SqlError {
    SqlError::new(
        "42703",
        format!("column \"{c}\" of relation \"{t}\" does not exist"),
    )
}

impl Draft {
    fn position(&self, c: &str) -> Result<usize, SqlError> {
        self.fields
            .iter()
            .position(|f| f.name() == c)
            .ok_or_else(|| no_column(c, &self.def.name))
    }

    fn names(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.name().clone()).collect()
    }

    fn apply(&mut self, op: &AlterTableOperation) -> Result<(), SqlError> {
        let table = self.def.name.clone();
        match op {
            AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                ..
            } => {
                let name = ident(&column_def.name);
                if self.fields.iter().any(|f| *f.name() == name) {
                    if *if_not_exists {
                        return Ok(());
                    }
                    return Err(SqlError::new(
                        "42701",
                        format!("column \"{name}\" of relation \"{table}\" already exists"),
                    ));
                }
                let mut all = self.names();
                all.push(name.clone());
                let mut pending = self.pending();
                let col = column(&table, column_def, &all, &mut pending)?;
                self.def.constraints = pending.constraints;
                if let Some(d) = col.default {
                    self.def.defaults.push(ColumnDefault {
                        column: name,
                        expr: d,
                    });
                }
                self.fields.push(col.field);
                self.origin.push(None);
            }
            AlterTableOperation::DropColumn {
                column_names,
                if_exists,
                ..
            } => {
                for c in column_names {
                    let c = ident(c);
                    let Ok(i) = self.position(&c) else {
                        if *if_exists {
                            continue;
                        }
                        return Err(no_column(&c, &table));
                    };
                    self.fields.remove(i);
                    self.origin.remove(i);
                    self.def.defaults.retain(|d| d.column != c);
                    let names = self.names();
                    self.def.constraints.retain(|k| match k {
                        ConstraintDef::Unique { columns, .. }
                        | ConstraintDef::Index { columns, .. }
                        | ConstraintDef::ForeignKey { columns, .. } => !columns.contains(&c),
                        ConstraintDef::Check { expr, .. } => parse(expr)
                            .map(|e| {
                                super::create::expr_columns(&e, std::slice::from_ref(&c)).is_empty()
                            })
                            .unwrap_or(true),
                    });
                    let _ = names;
                }
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                let (old, new) = (ident(old_column_name), ident(new_column_name));
                let i = self.position(&old)?;
                if self.fields.iter().any(|f| *f.name() == new) {
                    return Err(SqlError::new(
                        "42701",
                        format!("column \"{new}\" of relation \"{table}\" already exists"),
                    ));
                }
                if let Some(f) = self.fields.get_mut(i) {
                    *f = f.clone().with_name(new.clone());
                }
                self.rename_refs(&old, &new);
            }
            AlterTableOperation::RenameTable { table_name } => {
                let n = match table_name {
                    datafusion::sql::sqlparser::ast::RenameTableNameKind::As(n)
                    | datafusion::sql::sqlparser::ast::RenameTableNameKind::To(n) => n,
                };
                self.def.name = split_name(n).1;
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let c = ident(column_name);
                let i = self.position(&c)?;
                self.alter_column(i, &c, op)?;
            }
            AlterTableOperation::AddConstraint { constraint, .. } => {
                let all = self.names();
                let mut pending = self.pending();
                let pk = table_constraint(constraint, &all, &mut pending)?;
                self.def.constraints = pending.constraints;
                for f in self.fields.iter_mut().filter(|f| pk.contains(f.name())) {
                    *f = f.clone().with_nullable(false);
                }
            }
            AlterTableOperation::DropConstraint {
                if_exists, name, ..
            } => {
                let n = ident(name);
                let before = self.def.constraints.len();
                self.def.constraints.retain(|k| k.name() != n);
                if before == self.def.constraints.len() && !*if_exists {
                    return Err(SqlError::new(
                        "42704",
                        format!("constraint \"{n}\" of relation \"{table}\" does not exist"),
                    ));
                }
            }
            other => {
                return Err(SqlError::unsupported(format!(
                    "ALTER TABLE {other} is not supported"
                )));
            }
        }
        Ok(())
    }

    fn alter_column(
        &mut self,
        i: usize,
        c: &str,
        op: &AlterColumnOperation,
    ) -> Result<(), SqlError> {
        let Some(field) = self.fields.get(i).cloned() else {
            return Err(no_column(c, &self.def.name));
        };
        match op {
            AlterColumnOperation::SetNotNull => {
                self.fields[i] = field.with_nullable(false);
            }
            AlterColumnOperation::DropNotNull => {
                let in_pk = self.def.constraints.iter().any(|k| {
                    matches!(k, ConstraintDef::Unique { primary: true, columns, .. } if columns.iter().any(|x| x == c))
                });
                if in_pk {
                    return Err(SqlError::new(
                        "42P16",
                        format!("column \"{c}\" is in a primary key"),
                    ));
                }
                self.fields[i] = field.with_nullable(true);
            }
            AlterColumnOperation::SetDefault { value } => {
                self.def.defaults.retain(|d| d.column != c);
                self.def.defaults.push(ColumnDefault {
                    column: c.to_owned(),
                    expr: value.to_string(),
                });
            }
            AlterColumnOperation::DropDefault => self.def.defaults.retain(|d| d.column != c),
            AlterColumnOperation::SetDataType {
                data_type, using, ..
            } => {
                if using.is_some() {
                    return Err(SqlError::unsupported(
                        "ALTER COLUMN TYPE ... USING is not supported",
                    ));
                }
                let (dt, pg) = from_sql_type(data_type).map_err(SqlError::from)?;
                let mut meta = field.metadata().clone();
                match super::create::pg_type_name(&dt, &pg) {
                    Some(t) => meta.insert(PG_TYPE_KEY.to_owned(), t),
                    None => meta.remove(PG_TYPE_KEY),
                };
                self.fields[i] =
                    Field::new(field.name(), dt, field.is_nullable()).with_metadata(meta);
            }
            other => {
                return Err(SqlError::unsupported(format!(
                    "ALTER COLUMN {other} is not supported"
                )));
            }
        }
        Ok(())
    }

    fn pending(&self) -> Pending {
        Pending {
            table: self.def.name.clone(),
            names: self
                .def
                .constraints
                .iter()
                .map(|k| k.name().to_owned())
                .collect(),
            constraints: self.def.constraints.clone(),
        }
    }

    /// Renames a column in defaults and constraints.
    fn rename_refs(&mut self, old: &str, new: &str) {
        for d in &mut self.def.defaults {
            if d.column == old {
                d.column = new.to_owned();
            }
        }
        for k in &mut self.def.constraints {
            match k {
                ConstraintDef::Unique { columns, .. }
                | ConstraintDef::Index { columns, .. }
                | ConstraintDef::ForeignKey { columns, .. } => {
                    for c in columns.iter_mut().filter(|c| *c == old) {
                        *c = new.to_owned();
                    }
                }
                ConstraintDef::Check { expr, .. } => {
                    if let Ok(mut e) = parse(expr) {
                        let _ = visit_expressions_mut(&mut e, |x| {
                            if let Expr::Identifier(i) = x
                                && ident(i) == old
                            {
                                *i = datafusion::sql::sqlparser::ast::Ident::with_quote('"', new);
                            }
                            ControlFlow::<()>::Continue(())
                        });
                        *expr = e.to_string();
                    }
                }
            }
        }
        for p in &mut self.def.primary_key {
            if p == old {
                *p = new.to_owned();
            }
        }
    }

    /// The rows of the table under the new definition.
    fn rows(
        &self,
        def: &TableDef,
        rules: &Rules,
        old: &[RecordBatch],
    ) -> Result<Vec<RecordBatch>, SqlError> {
        let opts = CastOptions {
            safe: false,
            ..Default::default()
        };
        let mut out = Vec::with_capacity(old.len());
        for b in old {
            let n = b.num_rows();
            let mut cols: Vec<ArrayRef> = Vec::with_capacity(self.fields.len());
            for (f, origin) in self.fields.iter().zip(&self.origin) {
                let col = match origin.and_then(|o| b.columns().get(o)) {
                    Some(c) => c.clone(),
                    None => default_values(def, rules, f, n)?,
                };
                let col = if col.data_type() == f.data_type() {
                    col
                } else {
                    cast_with_options(&col, f.data_type(), &opts).map_err(|e| {
                        SqlError::new(
                            "42804",
                            format!(
                                "column \"{}\" cannot be cast automatically to type {}: {e}",
                                f.name(),
                                f.data_type()
                            ),
                        )
                    })?
                };
                cols.push(col);
            }
            let loose: Vec<Field> = self
                .fields
                .iter()
                .map(|f| f.clone().with_nullable(true))
                .collect();
            out.push(
                RecordBatch::try_new(Arc::new(Schema::new(loose)), cols)
                    .map_err(|e| SqlError::new("XX000", e.to_string()))?,
            );
        }
        Ok(out)
    }
}

/// A new column's values for `n` existing rows: its default, evaluated, or NULL.
fn default_values(
    def: &TableDef,
    rules: &Rules,
    f: &Field,
    n: usize,
) -> Result<ArrayRef, SqlError> {
    let Some((_, expr)) = rules.defaults.iter().find(|(c, _)| c == f.name()) else {
        return Ok(new_null_array(f.data_type(), n));
    };
    let _ = def;
    let phys =
        super::constraints::compiler().create_physical_expr(expr.clone(), &DFSchema::empty())?;
    let empty = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &datafusion::arrow::array::RecordBatchOptions::new().with_row_count(Some(n)),
    )
    .map_err(|e| SqlError::new("XX000", e.to_string()))?;
    Ok(phys.evaluate(&empty)?.into_array(n)?)
}

fn parse(sql: &str) -> Result<Expr, SqlError> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| SqlError::syntax(e.to_string()))
}

impl Catalog {
    /// ALTER TABLE [IF EXISTS] t op, op, ...: all operations apply together or none does.
    pub async fn alter_table(&self, ctx: &SessionContext, a: &AlterTable) -> Result<(), SqlError> {
        let TableRef { table, storage, .. } = match self.find_table(ctx, &a.name) {
            Ok(t) => t,
            Err(_) if a.if_exists => return Ok(()),
            Err(e) => return Err(e),
        };
        let old = table.def().clone();
        let mut draft = Draft {
            fields: old
                .schema
                .fields()
                .iter()
                .map(|f| f.as_ref().clone())
                .collect(),
            origin: (0..old.schema.fields().len()).map(Some).collect(),
            def: old.clone(),
        };
        for op in &a.operations {
            draft.apply(op)?;
        }
        let schema = Arc::new(Schema::new(draft.fields.clone()));
        let mut def = draft.def.clone();
        def.schema = schema.clone();
        def.time_column = time_column(&schema);
        def.primary_key = def
            .constraints
            .iter()
            .find_map(|k| match k {
                ConstraintDef::Unique {
                    columns,
                    primary: true,
                    ..
                } => Some(columns.clone()),
                _ => None,
            })
            .unwrap_or_default();
        let rules = Rules::compile(&def)?;
        let _ops = table.ops.lock().await;
        let old_rows = table.all_rows().await?;
        let rows = draft.rows(&def, &rules, &old_rows)?;
        // Existing rows must satisfy the new definition (NOT NULL, CHECK, UNIQUE).
        for b in &rows {
            rules
                .check_rows(&def, b)
                .map_err(|e| match SqlError::from(e) {
                    e if e.code == "23502" => SqlError::new(
                        "23502",
                        format!(
                            "column \"{}\" of relation \"{}\" contains null values",
                            first_null(&def, b).unwrap_or_default(),
                            def.name
                        ),
                    ),
                    e if e.code == "23514" => SqlError::new(
                        "23514",
                        format!(
                            "check constraint {} of relation \"{}\" is violated by some row",
                            e.message
                                .rsplit("check constraint ")
                                .next()
                                .unwrap_or_default(),
                            def.name
                        ),
                    ),
                    e => e,
                })?;
        }
        let mut keys = KeyIndex::build(&rules, &[])?;
        for b in &rows {
            keys.insert(&rules, &def, b)?;
        }
        drop(_ops);
        storage.replace_table(&old.name, def, rows).await?;
        self.bump();
        Ok(())
    }
}

/// The first NOT NULL column holding a NULL.
fn first_null(def: &TableDef, b: &RecordBatch) -> Option<String> {
    def.schema
        .fields()
        .iter()
        .zip(b.columns())
        .find(|(f, c)| !f.is_nullable() && c.null_count() > 0)
        .map(|(f, _)| f.name().clone())
}
