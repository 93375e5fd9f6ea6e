//! `UPDATE … FROM`, `DELETE … USING`, and UPDATE/DELETE whose WHERE has a subquery. The
//! storage's UPDATE/DELETE evaluate row-wise expressions over the target table alone, so these
//! statements first run as a query that finds the target rows (by primary key, else by every
//! column) with their new values, then reach the table through the ordinary UPDATE/DELETE
//! path keyed on those rows: same WAL, transaction buffer and constraint checks as plain ones.

use std::ops::ControlFlow;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::UInt64Type;
use datafusion::catalog::TableProvider;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{Expr, col, lit, when};
use datafusion::physical_plan::collect;
use datafusion::sql::sqlparser::ast::{
    AssignmentTarget, Delete, Expr as SqlExpr, FromTable, Statement, TableFactor, TableWithJoins,
    Update, UpdateTableFromKind, visit_expressions,
};
use pgwire::api::results::Tag;

use super::SqlError;
use super::execute::Outcome;
use crate::catalog::split_name;
use crate::session::Session;
use crate::storage::Table;

/// Whether `stmt` needs this path (plain UPDATE/DELETE keep the storage's direct one).
pub fn applies(stmt: &Statement) -> bool {
    match stmt {
        Statement::Update(u) => u.from.is_some() || has_subquery(u.selection.as_ref()),
        Statement::Delete(d) => d.using.is_some() || has_subquery(d.selection.as_ref()),
        _ => false,
    }
}

fn has_subquery(e: Option<&SqlExpr>) -> bool {
    e.is_some_and(|e| {
        visit_expressions(e, |e| match e {
            SqlExpr::Subquery(_) | SqlExpr::InSubquery { .. } | SqlExpr::Exists { .. } => {
                ControlFlow::Break(())
            }
            _ => ControlFlow::Continue(()),
        })
        .is_break()
    })
}

/// The name the statement's SQL uses for the target table (its alias, else its name).
fn reference(
    t: &TableWithJoins,
) -> Result<(String, &datafusion::sql::sqlparser::ast::ObjectName), SqlError> {
    match &t.relation {
        TableFactor::Table { name, alias, .. } => Ok((
            alias
                .as_ref()
                .map(|a| a.name.to_string())
                .unwrap_or_else(|| name.to_string()),
            name,
        )),
        _ => Err(SqlError::unsupported(
            "UPDATE/DELETE of something that is not a table",
        )),
    }
}

impl Session {
    /// Runs an UPDATE … FROM / DELETE … USING (see the module docs).
    pub(super) async fn run_update_from(&self, stmt: &Statement) -> Result<Outcome, SqlError> {
        match stmt {
            Statement::Update(u) => self.update_from(u).await,
            Statement::Delete(d) => self.delete_using(d).await,
            _ => Err(SqlError::unsupported("not an UPDATE or DELETE")),
        }
    }

    async fn update_from(&self, u: &Update) -> Result<Outcome, SqlError> {
        if u.returning.is_some() {
            return Err(SqlError::unsupported("RETURNING with UPDATE … FROM"));
        }
        let (refname, name) = reference(&u.table)?;
        let table = self.shared.catalog.find_table(&self.ctx, name)?.table;
        let keys = key_columns(&table);
        let mut items: Vec<String> = keys.iter().map(|k| format!("{refname}.\"{k}\"")).collect();
        let mut targets = Vec::new();
        for a in &u.assignments {
            let AssignmentTarget::ColumnName(c) = &a.target else {
                return Err(SqlError::unsupported("UPDATE of a column tuple with FROM"));
            };
            targets.push(split_name(c).1);
            items.push(a.value.to_string());
        }
        let from = match &u.from {
            Some(UpdateTableFromKind::AfterSet(f) | UpdateTableFromKind::BeforeSet(f)) => {
                f.iter().map(|t| format!(", {t}")).collect::<String>()
            }
            None => String::new(),
        };
        let sql = format!(
            "SELECT {} FROM {}{from}{}",
            items.join(", "),
            u.table,
            where_clause(u.selection.as_ref())
        );
        let batches = self.query_batches(&sql).await?;
        // One new row per target row: PostgreSQL uses an arbitrary joined row; the first here.
        let mut seen = std::collections::HashSet::new();
        let mut matched: Vec<(Vec<ScalarValue>, Vec<ScalarValue>)> = Vec::new();
        for b in &batches {
            let key_arrays = typed(&table, &keys, b, 0)?;
            let value_arrays = typed(&table, &targets, b, keys.len())?;
            for row in 0..b.num_rows() {
                let key = row_values(&key_arrays, row)?;
                if seen.insert(key.clone()) {
                    matched.push((key, row_values(&value_arrays, row)?));
                }
            }
        }
        if matched.is_empty() {
            return Ok(Outcome::Done(Tag::new("UPDATE").with_rows(0)));
        }
        let mut assignments = Vec::new();
        for (i, target) in targets.iter().enumerate() {
            let mut case: Option<datafusion::logical_expr::conditional_expressions::CaseBuilder> =
                None;
            for (key, values) in &matched {
                let cond = key_match(&keys, key);
                let value = lit(values.get(i).cloned().unwrap_or(ScalarValue::Null));
                case = Some(match case {
                    None => when(cond, value),
                    Some(mut c) => c.when(cond, value),
                });
            }
            let expr = match case {
                Some(mut c) => c.otherwise(col(format!("\"{target}\"")))?,
                None => col(format!("\"{target}\"")),
            };
            assignments.push((target.clone(), expr));
        }
        let predicate = any_key(&keys, matched.iter().map(|(k, _)| k));
        let state = self.ctx.state();
        let plan =
            TableProvider::update(table.as_ref(), &state, assignments, vec![predicate]).await?;
        let n = count(collect(plan, self.ctx.task_ctx()).await?);
        Ok(Outcome::Done(Tag::new("UPDATE").with_rows(n)))
    }

    async fn delete_using(&self, d: &Delete) -> Result<Outcome, SqlError> {
        if d.returning.is_some() {
            return Err(SqlError::unsupported("RETURNING with DELETE … USING"));
        }
        let (FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f)) = &d.from;
        let [target] = f.as_slice() else {
            return Err(SqlError::syntax("DELETE of more than one table"));
        };
        let (refname, name) = reference(target)?;
        let table = self.shared.catalog.find_table(&self.ctx, name)?.table;
        let keys = key_columns(&table);
        let items: Vec<String> = keys.iter().map(|k| format!("{refname}.\"{k}\"")).collect();
        let using: String = d.using.iter().flatten().map(|t| format!(", {t}")).collect();
        let sql = format!(
            "SELECT DISTINCT {} FROM {target}{using}{}",
            items.join(", "),
            where_clause(d.selection.as_ref())
        );
        let batches = self.query_batches(&sql).await?;
        let mut matched = Vec::new();
        for b in &batches {
            let arrays = typed(&table, &keys, b, 0)?;
            for row in 0..b.num_rows() {
                matched.push(row_values(&arrays, row)?);
            }
        }
        if matched.is_empty() {
            return Ok(Outcome::Done(Tag::new("DELETE").with_rows(0)));
        }
        let predicate = any_key(&keys, matched.iter());
        let state = self.ctx.state();
        let plan = TableProvider::delete_from(table.as_ref(), &state, vec![predicate]).await?;
        let n = count(collect(plan, self.ctx.task_ctx()).await?);
        Ok(Outcome::Done(Tag::new("DELETE").with_rows(n)))
    }

    async fn query_batches(&self, sql: &str) -> Result<Vec<RecordBatch>, SqlError> {
        let stmt = super::parse::parse(sql)?
            .pop()
            .ok_or_else(|| SqlError::syntax("empty statement"))?;
        let plan = self.plan(&stmt).await?;
        Ok(self.ctx.execute_logical_plan(plan).await?.collect().await?)
    }
}

fn where_clause(selection: Option<&SqlExpr>) -> String {
    selection.map(|s| format!(" WHERE {s}")).unwrap_or_default()
}

/// The columns identifying a row: the primary key, else every column (identical rows match
/// the same joined rows, so they are updated or deleted alike either way).
fn key_columns(table: &Table) -> Vec<String> {
    let def = table.def();
    if def.primary_key.is_empty() {
        def.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    } else {
        def.primary_key.clone()
    }
}

/// Columns `offset..` of `b`, cast to the types of the table's `columns`.
fn typed(
    table: &Table,
    columns: &[String],
    b: &RecordBatch,
    offset: usize,
) -> Result<Vec<ArrayRef>, SqlError> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let array = b
                .columns()
                .get(offset + i)
                .ok_or_else(|| SqlError::new("XX000", "UPDATE … FROM: missing column"))?;
            let field = table.def().schema.field_with_name(c).map_err(|_| {
                SqlError::new(
                    "42703",
                    format!(
                        "column \"{c}\" of relation \"{}\" does not exist",
                        table.def().name
                    ),
                )
            })?;
            cast(array, field.data_type()).map_err(|e| SqlError::new("42804", e.to_string()))
        })
        .collect()
}

fn row_values(arrays: &[ArrayRef], row: usize) -> Result<Vec<ScalarValue>, SqlError> {
    arrays
        .iter()
        .map(|a| Ok(ScalarValue::try_from_array(a.as_ref(), row)?))
        .collect()
}

/// `k1 = v1 AND k2 = v2 …`, with `IS NULL` for NULL values.
fn key_match(keys: &[String], values: &[ScalarValue]) -> Expr {
    keys.iter()
        .zip(values)
        .map(|(k, v)| {
            let c = col(format!("\"{k}\""));
            if v.is_null() {
                c.is_null()
            } else {
                c.eq(lit(v.clone()))
            }
        })
        .reduce(Expr::and)
        .unwrap_or(lit(false))
}

/// Whether a row is one of `rows`: an IN list for a single non-NULL key, else ORed matches.
fn any_key<'a>(keys: &[String], rows: impl Iterator<Item = &'a Vec<ScalarValue>>) -> Expr {
    let rows: Vec<&Vec<ScalarValue>> = rows.collect();
    if let [key] = keys
        && rows.iter().all(|r| r.iter().all(|v| !v.is_null()))
    {
        let list = rows
            .iter()
            .filter_map(|r| r.first().cloned().map(lit))
            .collect();
        return col(format!("\"{key}\"")).in_list(list, false);
    }
    rows.iter()
        .map(|r| key_match(keys, r))
        .reduce(Expr::or)
        .unwrap_or(lit(false))
}

/// The row count a storage UPDATE/DELETE plan returns.
fn count(batches: Vec<RecordBatch>) -> usize {
    batches
        .iter()
        .filter_map(|b| b.columns().first())
        .filter_map(|c| c.as_primitive_opt::<UInt64Type>())
        .filter(|c| !c.is_empty() && c.is_valid(0))
        .map(|c| usize::try_from(c.value(0)).unwrap_or(usize::MAX))
        .sum()
}
