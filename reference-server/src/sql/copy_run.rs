//! Running COPY: COPY FROM data is decoded as it arrives (text, csv or binary, through
//! [`crate::pgtypes::CopyDecoder`]) into compact Arrow batches that are inserted together at
//! CopyDone, so a bad row applies nothing; COPY TO yields a stream of rows.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions, new_null_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::common::DFSchema;
use datafusion::optimizer::simplify_expressions::{ExprSimplifier, SimplifyContext};
use datafusion::sql::sqlparser::ast::{ObjectName, Statement};

use super::copy::{CopyOptions, CopyOut, CopySpec};
use super::{Outcome, SqlError};
use crate::pgtypes::{self, CopyDecoder, CopyError};
use crate::session::Session;
use crate::storage::Table;

/// Rows decoded before they are packed into an Arrow batch (at least).
const BATCH_ROWS: usize = 8192;

/// Decoded COPY data held before CopyDone larger than this is refused instead of
/// exhausting memory.
const MAX_COPY_BYTES: usize = 1 << 30;

/// COPY FROM STDIN in progress.
pub struct CopyIn {
    table: ObjectName,
    schema: SchemaRef,
    /// Index into the table schema of each incoming column.
    targets: Vec<usize>,
    decoder: CopyDecoder,
    /// Rows decoded so far, in the incoming columns' schema.
    batches: Vec<RecordBatch>,
    bytes: usize,
    /// A HEADER line precedes the data (for error line numbers).
    header: bool,
    /// Statements that followed the COPY in the same simple Query, run after CopyDone.
    rest: Vec<Statement>,
}

impl CopyIn {
    fn fail(&self, e: CopyError) -> SqlError {
        let err = SqlError::new(e.code, e.message.clone());
        if self.decoder.in_binary_header() {
            return err;
        }
        err.with_context(e.context(&last(&self.table)))
    }

    /// Move decoded rows into Arrow batches once a batch's worth is pending.
    fn pack(&mut self) -> Result<(), SqlError> {
        while self.decoder.pending_rows() >= BATCH_ROWS {
            let batch = self
                .decoder
                .take_batch(usize::MAX)
                .map_err(|e| self.fail(e))?;
            let Some(batch) = batch else { break };
            self.bytes += batch.get_array_memory_size();
            if self.bytes > MAX_COPY_BYTES {
                return Err(SqlError::new(
                    "54000",
                    "COPY data exceeds the server's limit",
                ));
            }
            self.batches.push(batch);
        }
        Ok(())
    }
}

impl Session {
    pub(super) async fn start_copy(&self, spec: &CopySpec) -> Result<Outcome, SqlError> {
        match spec {
            CopySpec::From {
                table,
                columns,
                options,
            } => self.start_copy_in(table, columns, options).await,
            CopySpec::To { source, options } => {
                let sql = match source {
                    CopyOut::Table { table, columns } if columns.is_empty() => {
                        format!("SELECT * FROM {table}")
                    }
                    CopyOut::Table { table, columns } => {
                        let cols: Vec<String> = columns
                            .iter()
                            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                            .collect();
                        format!("SELECT {} FROM {table}", cols.join(", "))
                    }
                    CopyOut::Query(q) => q.to_string(),
                };
                let df = self.ctx.sql(&sql).await?;
                let schema = Arc::new(df.schema().as_arrow().clone());
                let stream = df.execute_stream().await?;
                Ok(Outcome::CopyOut {
                    schema,
                    stream,
                    options: options.clone(),
                })
            }
        }
    }

    async fn start_copy_in(
        &self,
        table: &ObjectName,
        columns: &[String],
        options: &CopyOptions,
    ) -> Result<Outcome, SqlError> {
        let schema = self.table_schema(table).await?;
        let targets = if columns.is_empty() {
            (0..schema.fields().len()).collect()
        } else {
            columns
                .iter()
                .map(|c| {
                    schema
                        .index_of(&c.to_ascii_lowercase())
                        .or_else(|_| schema.index_of(c))
                        .map_err(|_| {
                            SqlError::new(
                                "42703",
                                format!(
                                    "column \"{c}\" of relation \"{}\" does not exist",
                                    last(table)
                                ),
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?
        };
        let incoming = Arc::new(Schema::new(
            targets
                .iter()
                .map(|&i| schema.field(i).clone())
                .collect::<Vec<_>>(),
        ));
        let cols = incoming
            .fields()
            .iter()
            .map(|f| pgtypes::pg_type_of(f))
            .collect();
        let settings = self.settings().format_settings();
        let decoder =
            CopyDecoder::new(incoming, cols, options.clone(), &settings).with_table(last(table));
        let n = targets.len();
        *self.copy_in() = Some(CopyIn {
            table: table.clone(),
            schema,
            targets,
            decoder,
            batches: Vec::new(),
            bytes: 0,
            header: options.header,
            rest: Vec::new(),
        });
        Ok(Outcome::CopyIn {
            columns: n,
            options: options.clone(),
        })
    }

    /// Decode one CopyData payload. On error the COPY is over (nothing applied).
    pub fn copy_data(&self, bytes: &[u8]) -> Result<(), SqlError> {
        let mut guard = self.copy_in();
        let Some(state) = guard.as_mut() else {
            return Err(SqlError::new("08P01", "unexpected CopyData message"));
        };
        let result = match state.decoder.push(bytes) {
            Ok(()) => state.pack(),
            Err(e) => Err(state.fail(e)),
        };
        if result.is_err() {
            *guard = None;
        }
        result
    }

    /// Keep the statements that followed COPY FROM STDIN in a simple Query until CopyDone.
    pub fn set_copy_rest(&self, rest: Vec<Statement>) {
        if let Some(state) = self.copy_in().as_mut() {
            state.rest = rest;
        }
    }

    /// A message other than CopyData/CopyDone/CopyFail/Flush/Sync arrived during COPY FROM
    /// STDIN: the COPY is abandoned with PostgreSQL's error (its CONTEXT names the line the
    /// COPY was waiting for).
    pub fn copy_interrupted(&self, tag: u8) -> SqlError {
        let err = SqlError::new(
            "08P01",
            format!("unexpected message type 0x{tag:02X} during COPY from stdin"),
        );
        match self.copy_in().take() {
            Some(state) => err.with_context(format!(
                "COPY {}, line {}",
                last(&state.table),
                state.decoder.lines() + 1
            )),
            None => err,
        }
    }

    /// Abandon COPY FROM (CopyFail or error): nothing is applied.
    pub fn abort_copy(&self) {
        *self.copy_in() = None;
    }

    /// CopyDone: decode what is left, then insert every row at once. Returns the row count
    /// and the statements to run next (see [`Session::set_copy_rest`]).
    pub async fn finish_copy(&self) -> Result<(usize, Vec<Statement>), SqlError> {
        let Some(mut state) = self.copy_in().take() else {
            return Err(SqlError::new("08P01", "unexpected CopyDone message"));
        };
        state.pack()?;
        if let Some(b) = state.decoder.finish().map_err(|e| state.fail(e))? {
            state.batches.push(b);
        }
        let rest = std::mem::take(&mut state.rest);
        let n: usize = state.batches.iter().map(RecordBatch::num_rows).sum();
        if n == 0 {
            return Ok((0, rest));
        }
        let t = self
            .shared
            .catalog
            .find_table(&self.ctx, &state.table)?
            .table;
        let batches = self.table_batches(&state, &t).await?;
        state.batches.clear();
        self.copy_insert(&t, batches).await?;
        Ok((n, rest))
    }

    /// The decoded rows widened to the whole table: a column the COPY leaves out gets its
    /// DEFAULT (sequences included), as in PostgreSQL, else NULL.
    async fn table_batches(
        &self,
        state: &CopyIn,
        table: &Table,
    ) -> Result<Vec<RecordBatch>, SqlError> {
        let name = last(&state.table);
        let first_line = 1 + u64::from(state.header);
        let missing: Vec<usize> = (0..state.schema.fields().len())
            .filter(|i| !state.targets.contains(i))
            .collect();
        let mut defaults = Vec::new();
        for &i in &missing {
            let field = state.schema.field(i);
            let default = table
                .rules()
                .defaults
                .iter()
                .find(|(c, _)| c == field.name());
            defaults.push(match default {
                Some((_, expr)) => {
                    // Simplifying fixes now() and friends to this statement's start, as
                    // the planner does for INSERT; they cannot be invoked unsimplified.
                    let at_start = SimplifyContext::builder().with_current_time().build();
                    let expr = ExprSimplifier::new(at_start).simplify(expr.clone())?;
                    Some(
                        self.ctx
                            .state()
                            .create_physical_expr(expr, &DFSchema::empty())?,
                    )
                }
                None => None,
            });
        }
        if defaults.iter().any(Option::is_some) {
            table.prepare_sequences().await?;
        }
        let mut out = Vec::with_capacity(state.batches.len());
        for batch in &state.batches {
            let n = batch.num_rows();
            let mut columns: Vec<ArrayRef> = Vec::with_capacity(state.schema.fields().len());
            for (i, field) in state.schema.fields().iter().enumerate() {
                if let Some(pos) = state.targets.iter().position(|t| *t == i) {
                    columns.push(batch.column(pos).clone());
                    continue;
                }
                let default = missing
                    .iter()
                    .position(|m| *m == i)
                    .and_then(|k| defaults.get(k))
                    .and_then(Option::as_ref);
                match default {
                    Some(expr) => {
                        let input = RecordBatch::try_new_with_options(
                            Arc::new(Schema::empty()),
                            vec![],
                            &RecordBatchOptions::new().with_row_count(Some(n)),
                        )
                        .map_err(|e| SqlError::new("XX000", e.to_string()))?;
                        let values = expr.evaluate(&input)?.into_array(n)?;
                        let values = cast(&values, field.data_type())
                            .map_err(|e| SqlError::new("XX000", e.to_string()))?;
                        columns.push(values);
                    }
                    None if field.is_nullable() || n == 0 => {
                        columns.push(new_null_array(field.data_type(), n))
                    }
                    None => {
                        return Err(SqlError::new(
                            "23502",
                            format!(
                                "null value in column \"{}\" of relation \"{name}\" violates not-null constraint",
                                field.name()
                            ),
                        )
                        .with_context(format!("COPY {name}, line {first_line}")));
                    }
                }
            }
            out.push(
                RecordBatch::try_new(state.schema.clone(), columns)
                    .map_err(|e| SqlError::new("XX000", e.to_string()))?,
            );
        }
        Ok(out)
    }

    async fn table_schema(&self, table: &ObjectName) -> Result<SchemaRef, SqlError> {
        let t = self.shared.catalog.find_table(&self.ctx, table)?.table;
        Ok(t.schema())
    }
}

fn last(n: &ObjectName) -> String {
    n.0.last()
        .and_then(|p| p.as_ident())
        .map(|i| i.value.clone())
        .unwrap_or_else(|| n.to_string())
}
