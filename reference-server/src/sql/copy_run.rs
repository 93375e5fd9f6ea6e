//! Running COPY: collecting COPY FROM data in the session and inserting it atomically
//! (a bad row applies nothing), and producing COPY TO rows.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringArray, new_null_array};
use datafusion::arrow::compute::{CastOptions, cast_with_options};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::sql::sqlparser::ast::ObjectName;

use super::copy::{self, CopyFormat, CopyOptions, CopyOut, CopySpec};
use super::{Outcome, SqlError};
use crate::session::Session;

/// COPY FROM STDIN in progress.
pub struct CopyIn {
    table: ObjectName,
    schema: SchemaRef,
    /// Index into the table schema of each incoming column.
    targets: Vec<usize>,
    options: CopyOptions,
    data: Vec<u8>,
}

/// COPY data larger than this is refused instead of exhausting memory.
const MAX_COPY_BYTES: usize = 1 << 30;

impl Session {
    pub(super) async fn start_copy(&self, spec: &CopySpec) -> Result<Outcome, SqlError> {
        match spec {
            CopySpec::From {
                table,
                columns,
                options,
            } => {
                if options.format == CopyFormat::Binary {
                    return Err(SqlError::unsupported(
                        "COPY FROM in binary format is not supported yet",
                    ));
                }
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
                let columns = targets.len();
                *self.copy_in() = Some(CopyIn {
                    table: table.clone(),
                    schema,
                    targets,
                    options: options.clone(),
                    data: Vec::new(),
                });
                Ok(Outcome::CopyIn {
                    columns,
                    options: options.clone(),
                })
            }
            CopySpec::To { source, options } => {
                if options.format == CopyFormat::Binary {
                    return Err(SqlError::unsupported(
                        "COPY TO in binary format is not supported yet",
                    ));
                }
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

    /// Append CopyData.
    pub fn copy_data(&self, bytes: &[u8]) -> Result<(), SqlError> {
        let mut guard = self.copy_in();
        let Some(state) = guard.as_mut() else {
            return Err(SqlError::new("08P01", "unexpected CopyData message"));
        };
        if state.data.len() + bytes.len() > MAX_COPY_BYTES {
            *guard = None;
            return Err(SqlError::new(
                "54000",
                "COPY data exceeds the server's limit",
            ));
        }
        state.data.extend_from_slice(bytes);
        Ok(())
    }

    /// Abandon COPY FROM (CopyFail or error): nothing is applied.
    pub fn abort_copy(&self) {
        *self.copy_in() = None;
    }

    /// CopyDone: decode everything, then insert all rows at once. Returns the row count.
    pub async fn finish_copy(&self) -> Result<usize, SqlError> {
        let Some(state) = self.copy_in().take() else {
            return Err(SqlError::new("08P01", "unexpected CopyDone message"));
        };
        let text = std::str::from_utf8(&state.data)
            .map_err(|_| SqlError::new("22021", "invalid byte sequence for encoding \"UTF8\""))?;
        let table = last(&state.table);
        let rows = copy::decode(text, &state.options, state.targets.len()).map_err(|e| {
            e.error
                .with_context(format!("COPY {table}, line {}", e.line))
        })?;
        if rows.is_empty() {
            return Ok(0);
        }
        let n = rows.len();
        let line_of = |row: usize| row + 1 + usize::from(state.options.header);
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(state.schema.fields().len());
        for (i, field) in state.schema.fields().iter().enumerate() {
            let Some(pos) = state.targets.iter().position(|t| *t == i) else {
                columns.push(new_null_array(field.data_type(), n));
                continue;
            };
            let strings: StringArray = rows.iter().map(|r| r.get(pos).cloned().flatten()).collect();
            let opts = CastOptions {
                safe: false,
                ..Default::default()
            };
            let array = match cast_with_options(&strings, field.data_type(), &opts) {
                Ok(a) => a,
                Err(_) => {
                    // Find the offending value for PostgreSQL's message and CONTEXT.
                    let bad = (0..n).find(|r| {
                        let one = strings.slice(*r, 1);
                        cast_with_options(&one, field.data_type(), &opts).is_err()
                    });
                    let r = bad.unwrap_or(0);
                    let v = if strings.is_valid(r) {
                        strings.value(r)
                    } else {
                        ""
                    };
                    let ty = crate::protocol::rows::pg_type(field.data_type());
                    let err = SqlError::new(
                        "22P02",
                        format!(
                            "invalid input syntax for type {}: \"{v}\"",
                            type_display(ty.name())
                        ),
                    );
                    return Err(err.with_context(format!(
                        "COPY {table}, line {}, column {}: \"{v}\"",
                        line_of(r),
                        field.name()
                    )));
                }
            };
            if !field.is_nullable() && array.null_count() > 0 {
                let r = (0..n).find(|r| array.is_null(*r)).unwrap_or(0);
                let err = SqlError::new(
                    "23502",
                    format!(
                        "null value in column \"{}\" of relation \"{table}\" violates not-null constraint",
                        field.name()
                    ),
                );
                return Err(err.with_context(format!("COPY {table}, line {}", line_of(r))));
            }
            columns.push(array);
        }
        let batch = RecordBatch::try_new(state.schema.clone(), columns)
            .map_err(|e| SqlError::new("XX000", e.to_string()))?;
        let t = self
            .shared
            .catalog
            .find_table(&self.ctx, &state.table)?
            .table;
        t.insert(vec![batch]).await?;
        Ok(n)
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

/// PostgreSQL's spelling of a type in input-syntax errors.
pub fn type_display(name: &str) -> &str {
    match name {
        "int4" => "integer",
        "int8" => "bigint",
        "int2" => "smallint",
        "float8" => "double precision",
        "float4" => "real",
        "bool" => "boolean",
        "timestamp" => "timestamp without time zone",
        "timestamptz" => "timestamp with time zone",
        other => other,
    }
}
