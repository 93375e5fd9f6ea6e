//! Constraint enforcement: NOT NULL, CHECK, PRIMARY KEY / UNIQUE (and column defaults, which
//! are compiled from the same persisted definition), with PostgreSQL's SQLSTATEs, messages
//! and DETAIL lines.
//!
//! Every write path ends in [`crate::storage::Table::insert`] or an UPDATE's rewritten rows,
//! which call [`Rules::check_rows`] and reserve keys in the table's [`KeyIndex`]. Unique keys
//! live in an in-memory hash set per constraint, built from the table's rows on first use (so
//! after a restart too) and kept current by inserts and updates.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use bytes::BytesMut;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, RecordBatch};
use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::config::Dialect;
use datafusion::common::{DFSchema, DataFusionError};
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::prelude::{SessionConfig, SessionContext};

use super::sequence::Sequence;
use crate::pgtypes::{FormatSettings, encode_text, pg_type_of};
use crate::sql::SqlError;
use crate::sql::error::ErrorObject;
use crate::storage::{ConstraintDef, StorageError, TableDef};

/// Compiles persisted SQL text (CHECK and DEFAULT expressions) with PostgreSQL syntax.
static COMPILER: LazyLock<SessionContext> = LazyLock::new(|| {
    let mut config = SessionConfig::new();
    config.options_mut().sql_parser.dialect = Dialect::PostgreSQL;
    config.options_mut().sql_parser.parse_float_as_decimal = true;
    config.options_mut().sql_parser.map_string_types_to_utf8view = false;
    SessionContext::new_with_config(config)
});

/// The context persisted expressions are planned in.
pub fn compiler() -> &'static SessionContext {
    &COMPILER
}

/// A table's compiled constraints and defaults.
pub struct Rules {
    checks: Vec<(String, Arc<dyn PhysicalExpr>)>,
    uniques: Vec<Unique>,
    /// Default expression per column name (planned into INSERTs by DataFusion).
    pub defaults: Vec<(String, Expr)>,
    /// `serial` / identity sequences, by column index.
    pub sequences: Vec<(usize, Arc<Sequence>)>,
    /// `varchar(n)` / `char(n)` columns: index, n, type as PostgreSQL names it in errors.
    lengths: Vec<(usize, usize, String)>,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules")
            .field("checks", &self.checks.len())
            .field("uniques", &self.uniques.len())
            .finish()
    }
}

struct Unique {
    name: String,
    columns: Vec<usize>,
}

/// The error a violated constraint raises, carried through DataFusion to the client.
pub fn violation(e: SqlError) -> StorageError {
    StorageError::DataFusion(DataFusionError::External(Box::new(e)))
}

fn invalid(what: &str, sql: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError::InvalidDefinition(format!("{what} \"{sql}\": {e}"))
}

/// Parses a SQL expression over the table's columns into a logical expression.
pub fn parse_expr(sql: &str, schema: &Schema) -> Result<Expr, StorageError> {
    let df_schema = DFSchema::try_from(schema.clone())?;
    COMPILER
        .parse_sql_expr(sql, &df_schema)
        .map_err(|e| invalid("expression", sql, e))
}

impl Rules {
    pub fn compile(def: &TableDef) -> Result<Rules, StorageError> {
        let schema = def.schema.as_ref();
        let df_schema = DFSchema::try_from(schema.clone())?;
        let state = COMPILER.state();
        let mut checks = Vec::new();
        let mut uniques = Vec::new();
        for c in &def.constraints {
            match c {
                ConstraintDef::Check { name, expr } => {
                    let e = parse_expr(expr, schema)?;
                    let phys = state
                        .create_physical_expr(e, &df_schema)
                        .map_err(|e| invalid("CHECK", expr, e))?;
                    checks.push((name.clone(), phys));
                }
                ConstraintDef::Unique { name, columns, .. }
                | ConstraintDef::Index {
                    name,
                    columns,
                    unique: true,
                } => {
                    let idx = columns
                        .iter()
                        .map(|c| column_index(def, c))
                        .collect::<Result<Vec<_>, _>>()?;
                    uniques.push(Unique {
                        name: name.clone(),
                        columns: idx,
                    });
                }
                ConstraintDef::ForeignKey { .. } | ConstraintDef::Index { .. } => {}
            }
        }
        let mut defaults = Vec::new();
        let mut sequences = Vec::new();
        for d in &def.defaults {
            let idx = column_index(def, &d.column)?;
            let expr = match Sequence::parse_nextval(&d.expr) {
                Some(seq_name) => {
                    let seq = Arc::new(Sequence::new(seq_name));
                    let e = seq.expr();
                    sequences.push((idx, seq));
                    e
                }
                None => parse_expr(&d.expr, &Schema::empty())?,
            };
            defaults.push((d.column.clone(), expr));
        }
        let lengths = schema
            .fields()
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let ty = pg_type_of(f);
                let n = ty.char_length()?;
                let name = match ty.ty {
                    postgres_types::Type::VARCHAR => "character varying",
                    postgres_types::Type::BPCHAR => "character",
                    _ => return None,
                };
                Some((i, n, format!("{name}({n})")))
            })
            .collect();
        Ok(Rules {
            lengths,
            checks,
            uniques,
            defaults,
            sequences,
        })
    }

    pub fn has_unique(&self) -> bool {
        !self.uniques.is_empty()
    }

    /// Whether column `idx` is part of a unique key (an UPDATE that sets it can collide).
    pub fn is_key_column(&self, idx: usize) -> bool {
        self.uniques.iter().any(|u| u.columns.contains(&idx))
    }

    /// NOT NULL and CHECK constraints of rows already cast to the table's types.
    pub fn check_rows(&self, def: &TableDef, batch: &RecordBatch) -> Result<(), StorageError> {
        for (i, field) in def.schema.fields().iter().enumerate() {
            let Some(col) = batch.columns().get(i) else {
                continue;
            };
            if !field.is_nullable() && col.null_count() > 0 {
                let row = (0..col.len()).find(|r| col.is_null(*r)).unwrap_or(0);
                return Err(violation(
                    SqlError::new(
                        "23502",
                        format!(
                            "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                            field.name(),
                            def.name
                        ),
                    )
                    .with_detail(failing_row(batch, row))
                    .with_object(object(def, Some(field.name()), None)),
                ));
            }
        }
        for (i, n, ty) in &self.lengths {
            let Some(col) = batch
                .columns()
                .get(*i)
                .and_then(|c| c.as_string_opt::<i32>())
            else {
                continue;
            };
            // Excess characters that are all spaces are cut silently, as PostgreSQL does.
            let too_long = col
                .iter()
                .flatten()
                .any(|v| v.chars().count() > *n && v.chars().skip(*n).any(|c| c != ' '));
            if too_long {
                return Err(violation(SqlError::new(
                    "22001",
                    format!("value too long for type {ty}"),
                )));
            }
        }
        for (name, expr) in &self.checks {
            let value = expr.evaluate(batch)?.into_array(batch.num_rows())?;
            let Some(mask) = value.as_any().downcast_ref::<BooleanArray>() else {
                continue;
            };
            // NULL satisfies a CHECK constraint; only false fails.
            if let Some(row) = (0..mask.len()).find(|r| mask.is_valid(*r) && !mask.value(*r)) {
                return Err(violation(
                    SqlError::new(
                        "23514",
                        format!(
                            "new row for relation \"{}\" violates check constraint \"{name}\"",
                            def.name
                        ),
                    )
                    .with_detail(failing_row(batch, row))
                    .with_object(object(def, None, Some(name))),
                ));
            }
        }
        Ok(())
    }
}

/// The ErrorResponse fields naming the violated rule (schema, table, column, constraint).
pub fn object(def: &TableDef, column: Option<&str>, constraint: Option<&str>) -> ErrorObject {
    ErrorObject {
        schema: Some(super::SCHEMA.to_owned()),
        table: Some(def.name.clone()),
        column: column.map(str::to_owned),
        constraint: constraint.map(str::to_owned),
        datatype: None,
    }
}

fn column_index(def: &TableDef, name: &str) -> Result<usize, StorageError> {
    def.schema
        .index_of(name)
        .map_err(|_| StorageError::InvalidDefinition(format!("column \"{name}\" does not exist")))
}

/// PostgreSQL's text form of one value (`null` for NULL), for DETAIL lines.
pub(crate) fn value_text(
    array: &dyn Array,
    row: usize,
    field: &datafusion::arrow::datatypes::Field,
) -> String {
    let mut out = BytesMut::new();
    match encode_text(
        array,
        row,
        &pg_type_of(field),
        &FormatSettings::default(),
        &mut out,
    ) {
        Ok(true) => String::from_utf8_lossy(&out).into_owned(),
        Ok(false) => "null".to_owned(),
        Err(_) => "?".to_owned(),
    }
}

/// `Failing row contains (1, null, x).`
fn failing_row(batch: &RecordBatch, row: usize) -> String {
    let schema = batch.schema();
    let values: Vec<String> = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| value_text(c.as_ref(), row, f))
        .collect();
    format!("Failing row contains ({}).", values.join(", "))
}

/// The keys of every UNIQUE / PRIMARY KEY constraint of one table.
#[derive(Default)]
pub struct KeyIndex {
    sets: Vec<HashSet<Box<[u8]>>>,
}

/// Keys of a batch for one constraint: `None` for rows with a NULL key column.
fn batch_keys(u: &Unique, batch: &RecordBatch) -> Result<Vec<Option<Box<[u8]>>>, StorageError> {
    let cols: Vec<ArrayRef> = u
        .columns
        .iter()
        .filter_map(|i| batch.columns().get(*i).cloned())
        .collect();
    let fields = cols
        .iter()
        .map(|c| SortField::new(c.data_type().clone()))
        .collect();
    let converter = RowConverter::new(fields)?;
    let rows = converter.convert_columns(&cols)?;
    Ok((0..batch.num_rows())
        .map(|r| {
            if cols.iter().any(|c| c.is_null(r)) {
                None
            } else {
                Some(Box::from(rows.row(r).as_ref()))
            }
        })
        .collect())
}

impl KeyIndex {
    /// The index of all rows of a table.
    pub fn build(rules: &Rules, batches: &[RecordBatch]) -> Result<KeyIndex, StorageError> {
        let mut idx = KeyIndex {
            sets: vec![HashSet::new(); rules.uniques.len()],
        };
        for b in batches {
            for (u, set) in rules.uniques.iter().zip(idx.sets.iter_mut()) {
                set.extend(batch_keys(u, b)?.into_iter().flatten());
            }
        }
        Ok(idx)
    }

    /// Adds the keys of `batch`, or fails (adding nothing) with 23505 on the first duplicate,
    /// against existing rows or within the batch.
    pub fn insert(
        &mut self,
        rules: &Rules,
        def: &TableDef,
        batch: &RecordBatch,
    ) -> Result<(), StorageError> {
        let all = self.check(rules, def, batch)?;
        for (set, keys) in self.sets.iter_mut().zip(all) {
            set.extend(keys);
        }
        Ok(())
    }

    /// The keys `batch` would add, or 23505 on the first duplicate.
    pub fn check(
        &self,
        rules: &Rules,
        def: &TableDef,
        batch: &RecordBatch,
    ) -> Result<Vec<HashSet<Box<[u8]>>>, StorageError> {
        let mut all = Vec::with_capacity(rules.uniques.len());
        for (u, set) in rules.uniques.iter().zip(&self.sets) {
            let keys = batch_keys(u, batch)?;
            let mut seen = HashSet::new();
            for (row, k) in keys.iter().enumerate() {
                let Some(k) = k else { continue };
                if set.contains(k) || !seen.insert(k.clone()) {
                    return Err(duplicate(u, def, batch, row));
                }
            }
            all.push(seen);
        }
        Ok(all)
    }

    /// Removes the keys of `batch` (rows deleted or about to be rewritten by UPDATE).
    pub fn remove(&mut self, rules: &Rules, batch: &RecordBatch) -> Result<(), StorageError> {
        for (u, set) in rules.uniques.iter().zip(self.sets.iter_mut()) {
            for k in batch_keys(u, batch)?.into_iter().flatten() {
                set.remove(&k);
            }
        }
        Ok(())
    }

    /// Whether a row with these key columns exists, for ON CONFLICT: the index of the first
    /// constraint whose key of `batch[row]` is present.
    pub fn conflicts(
        &self,
        rules: &Rules,
        batch: &RecordBatch,
    ) -> Result<Vec<Option<usize>>, StorageError> {
        let mut out = vec![None; batch.num_rows()];
        for (ci, (u, set)) in rules.uniques.iter().zip(&self.sets).enumerate() {
            for (row, k) in batch_keys(u, batch)?.into_iter().enumerate() {
                if let (Some(k), Some(slot)) = (k, out.get_mut(row))
                    && slot.is_none()
                    && set.contains(&k)
                {
                    *slot = Some(ci);
                }
            }
        }
        Ok(out)
    }
}

fn duplicate(u: &Unique, def: &TableDef, batch: &RecordBatch, row: usize) -> StorageError {
    let fields = def.schema.fields();
    let names: Vec<String> = u
        .columns
        .iter()
        .filter_map(|i| fields.get(*i).map(|f| f.name().clone()))
        .collect();
    let values: Vec<String> = u
        .columns
        .iter()
        .filter_map(|i| {
            let f = fields.get(*i)?;
            let c = batch.columns().get(*i)?;
            Some(value_text(c.as_ref(), row, f))
        })
        .collect();
    violation(
        SqlError::new(
            "23505",
            format!(
                "duplicate key value violates unique constraint \"{}\"",
                u.name
            ),
        )
        .with_detail(format!(
            "Key ({})=({}) already exists.",
            names.join(", "),
            values.join(", ")
        ))
        .with_object(object(def, None, Some(&u.name))),
    )
}
