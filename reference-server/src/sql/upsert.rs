//! INSERT ... ON CONFLICT [(cols) | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET ... [WHERE]:
//! rows whose unique key already exists are skipped or turned into an UPDATE of the existing
//! row, with `EXCLUDED.col` bound to the proposed row's value.

use std::ops::ControlFlow;
use std::sync::Arc;

use bytes::BytesMut;
use datafusion::arrow::array::{Array, AsArray, BooleanArray, RecordBatch};
use datafusion::arrow::compute::{concat_batches, filter_record_batch};
use datafusion::arrow::datatypes::UInt64Type;
use datafusion::sql::sqlparser::ast::{
    ConflictTarget, Expr, OnConflictAction, OnInsert, visit_expressions_mut,
};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::SqlError;
use crate::catalog::constraints::KeyIndex;
use crate::pgtypes::{FormatSettings, encode_text, pg_type_of};
use crate::session::Session;
use crate::storage::{ConstraintDef, Table};

/// The columns whose key decides a conflict.
fn target_columns(t: &Table, target: Option<&ConflictTarget>) -> Result<Vec<String>, SqlError> {
    let uniques = t.def().constraints.iter().filter_map(|c| match c {
        ConstraintDef::Unique { name, columns, .. } => Some((name, columns)),
        _ => None,
    });
    match target {
        None => Ok(Vec::new()),
        Some(ConflictTarget::Columns(cols)) => {
            let mut want: Vec<String> = cols.iter().map(crate::catalog::ident).collect();
            want.sort();
            uniques
                .map(|(_, c)| c)
                .find(|c| {
                    let mut c = (*c).clone();
                    c.sort();
                    c == want
                })
                .cloned()
                .ok_or_else(|| {
                    SqlError::new(
                        "42P10",
                        "there is no unique or exclusion constraint matching the ON CONFLICT specification",
                    )
                })
        }
        Some(ConflictTarget::OnConstraint(n)) => {
            let want = crate::catalog::split_name(n).1;
            uniques
                .filter(|(name, _)| **name == want)
                .map(|(_, c)| c.clone())
                .next()
                .ok_or_else(|| {
                    SqlError::new(
                        "42704",
                        format!(
                            "constraint \"{want}\" for table \"{}\" does not exist",
                            t.def().name
                        ),
                    )
                })
        }
    }
}

/// `'text'::type` (or NULL) for one value of the proposed row.
fn literal(batch: &RecordBatch, col: usize, row: usize) -> Result<String, SqlError> {
    let (Some(array), Some(field)) = (
        batch.columns().get(col),
        batch.schema().fields().get(col).cloned(),
    ) else {
        return Ok("NULL".into());
    };
    let ty = pg_type_of(&field);
    let mut out = BytesMut::new();
    let present = encode_text(
        array.as_ref(),
        row,
        &ty,
        &FormatSettings::default(),
        &mut out,
    )
    .map_err(|e| SqlError::new("XX000", e.to_string()))?;
    Ok(if present {
        format!(
            "'{}'::{}",
            String::from_utf8_lossy(&out).replace('\'', "''"),
            ty.type_name()
        )
    } else {
        "NULL".into()
    })
}

fn parse_expr(sql: &str) -> Result<Expr, SqlError> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| SqlError::syntax(e.to_string()))
}

impl Session {
    /// Writes `rows` with ON CONFLICT handling; returns the rows inserted or updated (for
    /// RETURNING, when `want_rows`) and their count (the INSERT tag).
    pub(super) async fn upsert(
        &self,
        t: &Arc<Table>,
        name: &str,
        rows: Vec<RecordBatch>,
        on: &OnInsert,
        want_rows: bool,
    ) -> Result<(Vec<RecordBatch>, u64), SqlError> {
        let OnInsert::OnConflict(oc) = on else {
            return Err(SqlError::unsupported(
                "ON DUPLICATE KEY UPDATE is not supported",
            ));
        };
        let key_cols = target_columns(t, oc.conflict_target.as_ref())?;
        let schema = t.def().schema.clone();
        let rows = rows
            .into_iter()
            .map(|b| {
                // Integer literals are typed int4 as in PostgreSQL; the table's column may be
                // wider (`1024` into a bigint column).
                let columns = b
                    .columns()
                    .iter()
                    .zip(schema.fields())
                    .map(|(c, f)| match c.data_type() == f.data_type() {
                        true => Ok(c.clone()),
                        false => datafusion::arrow::compute::cast(c, f.data_type()),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                RecordBatch::try_new(t.def().schema.clone(), columns)
            })
            .collect::<Result<Vec<_>, _>>();
        // Rows violating NOT NULL cannot be built with the table schema: insert them plainly
        // so the constraint error is PostgreSQL's.
        let Ok(rows) = rows else {
            return Err(SqlError::new(
                "XX000",
                "ON CONFLICT rows do not match the table",
            ));
        };
        let batch =
            concat_batches(&schema, &rows).map_err(|e| SqlError::new("XX000", e.to_string()))?;
        let conflicts = self.conflicts_seen(t, &batch).await?;
        let fresh: BooleanArray = conflicts.iter().map(|c| Some(c.is_none())).collect();
        let to_insert = filter_record_batch(&batch, &fresh)
            .map_err(|e| SqlError::new("XX000", e.to_string()))?;
        // Through the transaction buffer: a ROLLBACK undoes it.
        let mut count = self.tx_writes().insert(t, vec![to_insert.clone()]).await?;
        let mut out = vec![to_insert];
        let OnConflictAction::DoUpdate(update) = &oc.action else {
            return Ok((out, count));
        };
        if key_cols.is_empty() {
            return Err(SqlError::syntax(
                "ON CONFLICT DO UPDATE requires inference specification or constraint name",
            ));
        }
        for (row, _) in conflicts.iter().enumerate().filter(|(_, c)| c.is_some()) {
            let bind = |e: &mut Expr| -> Result<(), SqlError> {
                let mut err = None;
                let _ = visit_expressions_mut(e, |x| {
                    // The target's alias names the table (the UPDATE below takes none).
                    if let Expr::CompoundIdentifier(parts) = x
                        && let [q, _] = parts.as_mut_slice()
                        && q.value == name
                        && name != t.def().name
                    {
                        *q = datafusion::sql::sqlparser::ast::Ident::with_quote('"', &t.def().name);
                    }
                    if let Expr::CompoundIdentifier(parts) = x
                        && let [q, col] = parts.as_slice()
                        && q.value.eq_ignore_ascii_case("excluded")
                    {
                        let c = crate::catalog::ident(col);
                        match schema
                            .index_of(&c)
                            .map_err(|_| ())
                            .and_then(|i| literal(&batch, i, row).map_err(|_| ()))
                        {
                            Ok(l) => match parse_expr(&l) {
                                Ok(v) => *x = Expr::Nested(Box::new(v)),
                                Err(e) => err = Some(e),
                            },
                            Err(()) => {
                                err = Some(SqlError::new(
                                    "42703",
                                    format!("column excluded.{c} does not exist"),
                                ))
                            }
                        }
                    }
                    ControlFlow::<()>::Continue(())
                });
                err.map_or(Ok(()), Err)
            };
            let mut sets = Vec::new();
            for a in &update.assignments {
                let mut v = a.value.clone();
                bind(&mut v)?;
                sets.push(format!("{} = {v}", a.target));
            }
            let mut conds = Vec::new();
            for c in &key_cols {
                let i = schema.index_of(c).map_err(|_| {
                    SqlError::new("42703", format!("column \"{c}\" does not exist"))
                })?;
                conds.push(format!("\"{c}\" = {}", literal(&batch, i, row)?));
            }
            let key_where = conds.join(" AND ");
            let mut where_sql = key_where.clone();
            if let Some(sel) = &update.selection {
                let mut sel = sel.clone();
                bind(&mut sel)?;
                where_sql.push_str(&format!(" AND ({sel})"));
            }
            let table = format!("\"{}\"", t.def().name);
            let sql = format!("UPDATE {table} SET {} WHERE {where_sql}", sets.join(", "));
            let n = updated_count(self.ctx.sql(&sql).await?.collect().await?);
            count += n;
            if n > 0 && want_rows {
                let sql = format!("SELECT * FROM {table} WHERE {key_where}");
                out.extend(self.ctx.sql(&sql).await?.collect().await?);
            }
        }
        Ok((out, count))
    }
}

impl Session {
    /// For each row of `batch`, the unique constraint it conflicts with, among the rows this
    /// session sees: committed ones, unless its open transaction has written to the table.
    async fn conflicts_seen(
        &self,
        t: &Arc<Table>,
        batch: &RecordBatch,
    ) -> Result<Vec<Option<usize>>, SqlError> {
        let tx = self.tx_writes();
        if !tx.is_active() || tx.ops_for(t.id).is_empty() {
            return Ok(t.conflicts(batch).await?);
        }
        let sql = format!("SELECT * FROM \"{}\"", t.def().name.replace('"', "\"\""));
        let rows = self
            .ctx
            .sql(&sql)
            .await?
            .collect()
            .await?
            .into_iter()
            .map(|b| t.conform(b))
            .collect::<Result<Vec<_>, _>>()?;
        let rules = t.rules();
        Ok(KeyIndex::build(rules, &rows)?.conflicts(rules, batch)?)
    }
}

/// The row count DataFusion's UPDATE plan returns.
fn updated_count(batches: Vec<RecordBatch>) -> u64 {
    batches
        .first()
        .and_then(|b| b.columns().first().cloned())
        .and_then(|c| {
            c.as_primitive_opt::<UInt64Type>()
                .filter(|a| !a.is_empty())
                .map(|a| a.value(0))
        })
        .unwrap_or(0)
}
