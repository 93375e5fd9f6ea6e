//! SQL cursors: `DECLARE name CURSOR [WITH HOLD] FOR query`, `FETCH`, `CLOSE`. psycopg's
//! server-side cursors, psql's `FETCH_COUNT` and pg_dump read large results this way.
//!
//! A cursor keeps the query's record batch stream and hands out rows as FETCH asks; it
//! scans forward only (PostgreSQL's NO SCROLL). A cursor without HOLD belongs to the
//! transaction that declared it and is gone when that ends, as in PostgreSQL; a WITH HOLD
//! cursor lives until CLOSE or the end of the session.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::SendableRecordBatchStream;
use datafusion::physical_plan::memory::MemoryStream;
use datafusion::sql::sqlparser::ast::{
    CloseCursor, Declare, FetchDirection, Statement, Value, ValueWithSpan,
};
use futures::StreamExt;

use super::SqlError;
use super::classify::{Command, PlanKind};
use super::execute::{COMMAND_TAG_KEY, Outcome};
use crate::session::Session;
use crate::session::transaction::TxStatus;

/// How many rows a FETCH asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchCount {
    Rows(u64),
    All,
}

/// A parsed cursor statement.
#[derive(Debug, Clone)]
pub enum CursorCommand {
    Declare {
        name: String,
        query: Box<Statement>,
        /// PostgreSQL's names of the query's columns (see [`Command::column_names`]).
        ///
        /// [`Command::column_names`]: super::classify::Command::column_names
        names: Option<Vec<Option<String>>>,
        hold: bool,
    },
    Fetch {
        name: String,
        count: FetchCount,
    },
    /// `CLOSE name`; None is `CLOSE ALL`.
    Close(Option<String>),
}

impl CursorCommand {
    /// The query a DECLARE opens.
    pub fn query(&self) -> Option<&Statement> {
        match self {
            CursorCommand::Declare { query, .. } => Some(query),
            _ => None,
        }
    }

    /// The cursor form of a statement, an error for the forms this server refuses, None for
    /// other statements.
    pub fn from_statement(stmt: &Statement) -> Option<Result<Self, SqlError>> {
        Some(match stmt {
            Statement::Declare { stmts } => declare(stmts),
            Statement::Fetch {
                name,
                direction,
                into,
                ..
            } => match into {
                Some(_) => Err(SqlError::unsupported("FETCH ... INTO is not supported")),
                None => fetch_count(direction).map(|count| CursorCommand::Fetch {
                    name: name.value.clone(),
                    count,
                }),
            },
            Statement::Close { cursor } => Ok(CursorCommand::Close(match cursor {
                CloseCursor::All => None,
                CloseCursor::Specific { name } => Some(name.value.clone()),
            })),
            _ => return None,
        })
    }
}

fn declare(stmts: &[Declare]) -> Result<CursorCommand, SqlError> {
    let [d] = stmts else {
        return Err(SqlError::unsupported("DECLARE of several cursors"));
    };
    let (Some(query), [name]) = (&d.for_query, d.names.as_slice()) else {
        return Err(SqlError::unsupported("DECLARE without a cursor query"));
    };
    if d.binary == Some(true) {
        return Err(SqlError::unsupported(
            "DECLARE BINARY CURSOR is not supported",
        ));
    }
    let query = Statement::Query(query.clone());
    Ok(CursorCommand::Declare {
        name: name.value.clone(),
        names: super::classify::statement_column_names(&query),
        query: Box::new(query),
        hold: d.hold == Some(true),
    })
}

/// Forward counts; a backward move is PostgreSQL's error for a NO SCROLL cursor.
fn fetch_count(direction: &FetchDirection) -> Result<FetchCount, SqlError> {
    let number = |v: &ValueWithSpan| match &v.value {
        Value::Number(n, _) => n
            .parse::<i64>()
            .map_err(|_| SqlError::new("42601", format!("invalid FETCH count: {n}"))),
        other => Err(SqlError::new(
            "42601",
            format!("invalid FETCH count: {other}"),
        )),
    };
    let forward = |n: i64| match u64::try_from(n) {
        Ok(n) => Ok(FetchCount::Rows(n)),
        Err(_) => Err(backward()),
    };
    match direction {
        FetchDirection::Next => Ok(FetchCount::Rows(1)),
        FetchDirection::All | FetchDirection::ForwardAll => Ok(FetchCount::All),
        FetchDirection::Count { limit } | FetchDirection::Relative { limit } => {
            forward(number(limit)?)
        }
        FetchDirection::Forward { limit } => match limit {
            Some(l) => forward(number(l)?),
            None => Ok(FetchCount::Rows(1)),
        },
        _ => Err(backward()),
    }
}

fn backward() -> SqlError {
    SqlError::new("55000", "cursor can only scan forward")
        .with_hint("Declare it with SCROLL option to enable backward scan.")
}

/// One open cursor.
pub struct Cursor {
    schema: SchemaRef,
    stream: SendableRecordBatchStream,
    /// Rows of a batch already read from the stream but not yet fetched.
    pending: Option<RecordBatch>,
    /// None for WITH HOLD; else the transaction (see [`TxState::generation`]) it belongs to.
    ///
    /// [`TxState::generation`]: crate::session::transaction::TxState::generation
    transaction: Option<u64>,
}

/// The session's open cursors by name.
#[derive(Default)]
pub struct Cursors(HashMap<String, Cursor>);

impl Session {
    /// Run a cursor statement; `plan` is DECLARE's query planned (and bound) already.
    pub async fn run_cursor(
        &self,
        cmd: &CursorCommand,
        plan: Option<LogicalPlan>,
    ) -> Result<Outcome, SqlError> {
        self.drop_ended_cursors();
        match cmd {
            CursorCommand::Declare {
                name,
                query,
                names,
                hold,
            } => {
                let plan = match plan {
                    Some(p) => p,
                    None => self.plan(query).await?,
                };
                self.declare(name, plan, names.as_deref(), *hold).await
            }
            CursorCommand::Fetch { name, count } => self.fetch(name, *count).await,
            CursorCommand::Close(None) => {
                self.cursors().0.clear();
                Ok(super::execute::done("CLOSE CURSOR ALL"))
            }
            CursorCommand::Close(Some(name)) => match self.cursors().0.remove(name) {
                Some(_) => Ok(super::execute::done("CLOSE CURSOR")),
                None => Err(missing(name)),
            },
        }
    }

    /// The columns a FETCH command returns (for Describe), if its cursor is open.
    pub fn fetch_schema(&self, cmd: &Command) -> Option<SchemaRef> {
        match cmd {
            Command::Cursor(c) => match c.as_ref() {
                CursorCommand::Fetch { name, .. } => self.cursor_schema(name),
                _ => None,
            },
            _ => None,
        }
    }

    /// The columns FETCH from this cursor returns (for Describe), if it is open.
    pub fn cursor_schema(&self, name: &str) -> Option<SchemaRef> {
        self.drop_ended_cursors();
        self.cursors().0.get(name).map(|c| fetch_schema(&c.schema))
    }

    async fn declare(
        &self,
        name: &str,
        plan: LogicalPlan,
        names: Option<&[Option<String>]>,
        hold: bool,
    ) -> Result<Outcome, SqlError> {
        let transaction = {
            let tx = self.tx();
            if !hold && tx.status == TxStatus::Idle && !tx.implicit {
                return Err(SqlError::new(
                    "25P01",
                    "DECLARE CURSOR can only be used in transaction blocks",
                ));
            }
            (!hold).then_some(tx.generation)
        };
        if self.cursors().0.contains_key(name) {
            return Err(SqlError::new(
                "42P03",
                format!("cursor \"{name}\" already exists"),
            ));
        }
        let Outcome::Rows { schema, stream } = self.run_plan(PlanKind::Query, plan).await? else {
            return Err(SqlError::new("42P11", "cannot open non-query as cursor"));
        };
        self.cursors().0.insert(
            name.to_owned(),
            Cursor {
                schema: crate::protocol::rows::rename(&schema, names),
                stream,
                pending: None,
                transaction,
            },
        );
        Ok(super::execute::done("DECLARE CURSOR"))
    }

    async fn fetch(&self, name: &str, count: FetchCount) -> Result<Outcome, SqlError> {
        // Out of the map while the stream is read: no lock is held across an await.
        let mut cursor = self.cursors().0.remove(name).ok_or_else(|| missing(name))?;
        let result = cursor.take(count).await;
        self.cursors().0.insert(name.to_owned(), cursor);
        let (schema, batches) = result?;
        let stream = MemoryStream::try_new(batches, schema.clone(), None)?;
        Ok(Outcome::Rows {
            schema,
            stream: Box::pin(stream),
        })
    }

    fn cursors(&self) -> std::sync::MutexGuard<'_, Cursors> {
        crate::session::lock(&self.cursors)
    }

    /// Cursors without HOLD of transactions that have ended are closed.
    fn drop_ended_cursors(&self) {
        let current = self.tx().generation;
        self.cursors()
            .0
            .retain(|_, c| c.transaction.is_none_or(|t| t == current));
    }
}

impl Cursor {
    /// The next `count` rows as batches, with the FETCH schema.
    async fn take(&mut self, count: FetchCount) -> Result<(SchemaRef, Vec<RecordBatch>), SqlError> {
        let schema = fetch_schema(&self.schema);
        let mut want = match count {
            FetchCount::All => usize::MAX,
            FetchCount::Rows(n) => usize::try_from(n).unwrap_or(usize::MAX),
        };
        let mut out = Vec::new();
        while want > 0 {
            let batch = match self.pending.take() {
                Some(b) => b,
                None => match self.stream.next().await {
                    Some(b) => b?,
                    None => break,
                },
            };
            let n = batch.num_rows();
            if n > want {
                self.pending = Some(batch.slice(want, n - want));
                out.push(batch.slice(0, want));
                want = 0;
            } else {
                want -= n;
                out.push(batch);
            }
        }
        let out = out
            .into_iter()
            .map(|b| RecordBatch::try_new(schema.clone(), b.columns().to_vec()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SqlError::new("XX000", e.to_string()))?;
        Ok((schema, out))
    }
}

/// The cursor's columns, tagged so the command completes as `FETCH n`.
fn fetch_schema(schema: &Schema) -> SchemaRef {
    let mut metadata = schema.metadata().clone();
    metadata.insert(COMMAND_TAG_KEY.to_owned(), "FETCH".to_owned());
    Arc::new(Schema::new_with_metadata(schema.fields().clone(), metadata))
}

fn missing(name: &str) -> SqlError {
    SqlError::new("34000", format!("cursor \"{name}\" does not exist"))
}
