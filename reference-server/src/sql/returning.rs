//! INSERT / UPDATE / DELETE ... RETURNING (and INSERT ... ON CONFLICT, see `super::upsert`).
//!
//! The written rows are computed first (INSERT: its planned input; UPDATE: the matching rows
//! with the assignments applied; DELETE: the matching rows), the write runs, and the
//! RETURNING list is evaluated over those rows with the table's name (or alias) in scope.

use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::logical_expr::{Expr as DfExpr, LogicalPlan};
use datafusion::physical_plan::memory::MemoryStream;
use datafusion::sql::sqlparser::ast::{
    Delete, Expr, FromTable, Insert, SelectItem, Statement, TableFactor, TableObject,
    TableWithJoins,
};

use super::{Outcome, SqlError};
use crate::session::Session;
use crate::storage::Table;

impl Session {
    /// Runs an INSERT / UPDATE / DELETE that has RETURNING or ON CONFLICT, or a query with
    /// one in its WITH list.
    pub async fn run_write(&self, stmt: &Statement) -> Result<Outcome, SqlError> {
        match stmt {
            // Boxed: its future holds whole writes and would swell every statement's.
            Statement::Query(_) => Box::pin(self.run_dml_cte(stmt)).await,
            _ => self.write_returning(stmt).await,
        }
    }

    /// Runs an INSERT / UPDATE / DELETE that has RETURNING or ON CONFLICT.
    pub(super) async fn write_returning(&self, stmt: &Statement) -> Result<Outcome, SqlError> {
        if super::update_from::applies(stmt) {
            return Box::pin(self.returning_from(stmt)).await;
        }
        match stmt {
            Statement::Insert(ins) => self.run_insert(ins).await,
            Statement::Update(u) => {
                let (table, alias) = target(&u.table)?;
                let t = self.shared.catalog.find_table(&self.ctx, &table)?.table;
                let name = alias.unwrap_or_else(|| t.def().name.clone());
                let mut plain = u.clone();
                let returning = plain.returning.take().unwrap_or_default();
                // The new rows: every column, assigned ones replaced by their expressions.
                let items = new_row_items(t.def(), &u.assignments, None);
                let rows = self
                    .select_rows(&u.table.to_string(), &items, u.selection.as_ref())
                    .await?;
                self.write(Statement::Update(plain)).await?;
                self.returning(&t, &name, rows, &returning, "UPDATE").await
            }
            Statement::Delete(d) => {
                let first = delete_target(d)?;
                let (table, alias) = target(first)?;
                let t = self.shared.catalog.find_table(&self.ctx, &table)?.table;
                let name = alias.unwrap_or_else(|| t.def().name.clone());
                let mut plain = d.clone();
                let returning = plain.returning.take().unwrap_or_default();
                let rows = self
                    .select_rows(&first.to_string(), &["*".to_owned()], d.selection.as_ref())
                    .await?;
                self.write(Statement::Delete(plain)).await?;
                self.returning(&t, &name, rows, &returning, "DELETE").await
            }
            _ => Err(SqlError::unsupported("RETURNING is not supported here")),
        }
    }

    /// The result columns of a `Command::Write` statement, without running it (for
    /// Describe); `None` when it returns no rows.
    pub async fn describe_write(&self, stmt: &Statement) -> Result<Option<SchemaRef>, SqlError> {
        if super::dml_cte::applies(stmt) {
            return Ok(Some(Box::pin(self.dml_cte_schema(stmt)).await?));
        }
        self.returning_schema(stmt)
    }

    /// The columns of an INSERT / UPDATE / DELETE's RETURNING list; `None` without one.
    pub(super) fn returning_schema(&self, stmt: &Statement) -> Result<Option<SchemaRef>, SqlError> {
        let (table, alias, items) = match stmt {
            Statement::Insert(ins) => {
                let TableObject::TableName(table) = &ins.table else {
                    return Ok(None);
                };
                let alias = ins
                    .table_alias
                    .as_ref()
                    .map(|a| crate::catalog::ident(&a.alias));
                (table.clone(), alias, ins.returning.as_ref())
            }
            Statement::Update(u) => {
                let (table, alias) = target(&u.table)?;
                (table, alias, u.returning.as_ref())
            }
            Statement::Delete(d) => {
                let (table, alias) = target(delete_target(d)?)?;
                (table, alias, d.returning.as_ref())
            }
            _ => return Ok(None),
        };
        let Some(items) = items else {
            return Ok(None);
        };
        let t = self.shared.catalog.find_table(&self.ctx, &table)?.table;
        let name = alias.unwrap_or_else(|| t.def().name.clone());
        let plan = self.returning_plan(&t, &name, Vec::new(), items)?;
        Ok(Some(Arc::new(plan.schema().as_arrow().clone())))
    }

    /// Runs a plain INSERT / UPDATE / DELETE.
    pub(super) async fn write(&self, stmt: Statement) -> Result<(), SqlError> {
        let plan = self.plan(&stmt).await?;
        self.ctx.execute_logical_plan(plan).await?.collect().await?;
        Ok(())
    }

    /// `SELECT items FROM from WHERE selection`, collected.
    async fn select_rows(
        &self,
        from: &str,
        items: &[String],
        selection: Option<&Expr>,
    ) -> Result<Vec<RecordBatch>, SqlError> {
        let mut sql = format!("SELECT {} FROM {from}", items.join(", "));
        if let Some(w) = selection {
            sql.push_str(&format!(" WHERE {w}"));
        }
        Ok(self.ctx.sql(&sql).await?.collect().await?)
    }

    /// The rows an INSERT statement (without RETURNING / ON CONFLICT) would write, already
    /// cast to the table's types and with defaults applied.
    pub(super) async fn insert_rows(&self, ins: &Insert) -> Result<Vec<RecordBatch>, SqlError> {
        let mut plain = ins.clone();
        plain.returning = None;
        plain.on = None;
        plain.table_alias = None;
        let plan = self.plan(&Statement::Insert(plain)).await?;
        let LogicalPlan::Dml(dml) = plan else {
            return Err(SqlError::new("XX000", "INSERT did not plan as DML"));
        };
        Ok(self
            .ctx
            .execute_logical_plan(dml.input.as_ref().clone())
            .await?
            .collect()
            .await?)
    }

    async fn run_insert(&self, ins: &Insert) -> Result<Outcome, SqlError> {
        let TableObject::TableName(table) = &ins.table else {
            return Err(SqlError::unsupported("INSERT into a table function"));
        };
        let t = self.shared.catalog.find_table(&self.ctx, table)?.table;
        let name = ins
            .table_alias
            .as_ref()
            .map(|a| crate::catalog::ident(&a.alias))
            .unwrap_or_else(|| t.def().name.clone());
        t.prepare_sequences().await?;
        let rows = self.insert_rows(ins).await?;
        let (returned, count) = match &ins.on {
            Some(on) => {
                self.upsert(&t, &name, rows, on, ins.returning.is_some())
                    .await?
            }
            None => {
                // Through the transaction buffer: a ROLLBACK (or a failed WITH) undoes it.
                let n = self.tx_writes().insert(&t, rows.clone()).await?;
                (rows, n)
            }
        };
        match &ins.returning {
            Some(items) => self.returning(&t, &name, returned, items, "INSERT").await,
            None => Ok(Outcome::Done(
                pgwire::api::results::Tag::new("INSERT")
                    .with_oid(0)
                    .with_rows(usize::try_from(count).unwrap_or(usize::MAX)),
            )),
        }
    }

    /// Evaluates a RETURNING list over written rows (typed as the table's rows).
    pub(super) async fn returning(
        &self,
        t: &Table,
        name: &str,
        rows: Vec<RecordBatch>,
        items: &[SelectItem],
        tag: &str,
    ) -> Result<Outcome, SqlError> {
        let plan = self.returning_plan(t, name, rows, items)?;
        let df = self.ctx.execute_logical_plan(plan).await?;
        let plain_schema = Arc::new(df.schema().as_arrow().clone());
        let out_schema = Arc::new(plain_schema.as_ref().clone().with_metadata(
            std::collections::HashMap::from([(
                super::execute::COMMAND_TAG_KEY.to_owned(),
                tag.to_owned(),
            )]),
        ));
        let batches = df.collect().await?;
        let stream = MemoryStream::try_new(batches, plain_schema, None)?;
        Ok(Outcome::Rows {
            schema: out_schema,
            stream: Box::pin(stream),
        })
    }

    /// The plan of a RETURNING list over `rows` (no rows: just its result columns).
    fn returning_plan(
        &self,
        t: &Table,
        name: &str,
        rows: Vec<RecordBatch>,
        items: &[SelectItem],
    ) -> Result<LogicalPlan, SqlError> {
        let schema: SchemaRef = t.def().schema.clone();
        // Cast to the table's column types (UPDATE's new rows come from expressions).
        let rows = rows
            .into_iter()
            .map(|b| t.conform(b))
            .collect::<Result<Vec<_>, _>>()?;
        let batch =
            concat_batches(&schema, &rows).map_err(|e| SqlError::new("XX000", e.to_string()))?;
        let df = self.ctx.read_batch(batch)?.alias(name)?;
        let mut exprs: Vec<DfExpr> = Vec::new();
        for item in items {
            match item {
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(_, _) => {
                    exprs.extend(schema.fields().iter().map(|f| {
                        DfExpr::Column(datafusion::common::Column::new(Some(name), f.name()))
                    }));
                }
                SelectItem::UnnamedExpr(e) => {
                    let col = match e {
                        Expr::Identifier(i) => crate::catalog::ident(i),
                        Expr::CompoundIdentifier(p) => {
                            p.last().map(crate::catalog::ident).unwrap_or_default()
                        }
                        _ => "?column?".to_owned(),
                    };
                    exprs.push(df.parse_sql_expr(&e.to_string())?.alias(col));
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    exprs.push(
                        df.parse_sql_expr(&expr.to_string())?
                            .alias(crate::catalog::ident(alias)),
                    );
                }
                SelectItem::ExprWithAliases { .. } => {
                    return Err(SqlError::unsupported("RETURNING with several aliases"));
                }
            }
        }
        // Typed as PostgreSQL types the same expressions in a SELECT (`a * 10` stays int4).
        let fmt = self.settings().format_settings();
        Ok(super::typing::retype_plan(
            df.select(exprs)?.into_unoptimized_plan(),
            &[],
            &fmt,
        )?)
    }
}

/// The first table of a DELETE's FROM list (the one it deletes from).
fn delete_target(d: &Delete) -> Result<&TableWithJoins, SqlError> {
    let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &d.from;
    from.first()
        .ok_or_else(|| SqlError::syntax("DELETE without a table"))
}

/// The table of an UPDATE / DELETE target and its alias.
pub(super) fn target(
    t: &TableWithJoins,
) -> Result<(datafusion::sql::sqlparser::ast::ObjectName, Option<String>), SqlError> {
    if !t.joins.is_empty() {
        return Err(SqlError::unsupported(
            "RETURNING with joins is not supported",
        ));
    }
    match &t.relation {
        TableFactor::Table { name, alias, .. } => Ok((
            name.clone(),
            alias.as_ref().map(|a| crate::catalog::ident(&a.name)),
        )),
        _ => Err(SqlError::unsupported(
            "RETURNING on this target is not supported",
        )),
    }
}

/// The SELECT items of an UPDATE's new rows: every column of the target, each assigned one
/// replaced by its SET expression; `qualifier` names the target where other tables (UPDATE
/// … FROM) could make a column ambiguous.
pub(super) fn new_row_items(
    def: &crate::storage::TableDef,
    assignments: &[datafusion::sql::sqlparser::ast::Assignment],
    qualifier: Option<&str>,
) -> Vec<String> {
    def.schema
        .fields()
        .iter()
        .map(|f| {
            let set = assignments.iter().find(|a| {
                a.target
                    .to_string()
                    .trim_matches('"')
                    .eq_ignore_ascii_case(f.name())
            });
            match (set, qualifier) {
                (Some(a), _) => format!("{} AS {}", a.value, quote(f.name())),
                (None, Some(q)) => format!("{}.{}", quote(q), quote(f.name())),
                (None, None) => quote(f.name()),
            }
        })
        .collect()
}

/// `name` as a quoted SQL identifier.
pub(super) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
