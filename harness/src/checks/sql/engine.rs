//! Our sqllogictest engine: one PostgreSQL-protocol connection in one of two lanes.
//!
//! Unlike sqllogictest-rs's own postgres engines, both lanes keep every result of a
//! multi-statement query, never panic on an unknown type, render binary values as PostgreSQL
//! renders text, and report what they saw (type OIDs, command tag) through an [`Observation`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures::{StreamExt, pin_mut};
use postgres_types::{FromSql, Type};
use sqllogictest::{AsyncDB, ColumnType, DBOutput};
use tokio::task::JoinHandle;

use super::Mode;
use crate::session::{ConnectOptions, RawSession, SessionError, StatementResult, connect_client};
use crate::types::{self, RenderContext};

/// A column type letter. Any letter is accepted: the real check is on type OIDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColType(pub char);

impl ColumnType for ColType {
    fn from_char(value: char) -> Option<Self> {
        Some(ColType(value))
    }
    fn to_char(&self) -> char {
        self.0
    }
}

/// What the last record run on a connection showed beyond its rows.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    /// Result column type OIDs of the (first) result set.
    pub column_types: Vec<u32>,
    /// The last command tag (simple lane only: tokio-postgres does not expose tags).
    pub tag: Option<String>,
    /// SQLSTATE of the error, if the record failed.
    pub error_code: Option<String>,
    /// The actual result, printable, for reports.
    pub actual: String,
    /// The connection was lost (server closed it or died).
    pub connection_lost: bool,
    /// Remarks, e.g. a lane fallback.
    pub notes: Vec<String>,
}

/// Shared between the engine (writer) and the case runner (reader).
pub type ObservationCell = Arc<Mutex<Observation>>;

/// An error the server sent, with its SQLSTATE.
#[derive(Debug, Clone)]
pub struct ServerError {
    pub severity: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{} {}: {}", .0.severity, .0.code, .0.message)]
    Server(ServerError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("client error: {0}")]
    Client(String),
    #[error("cannot render column {column} of type {type_name}: {reason}")]
    Render {
        column: usize,
        type_name: String,
        reason: String,
    },
    #[error("result too large: more than {0} rows")]
    TooManyRows(usize),
}

impl EngineError {
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            EngineError::Server(e) => Some(&e.code),
            _ => None,
        }
    }

    /// True when the connection is gone: later records need a new one.
    pub fn is_connection_lost(&self) -> bool {
        matches!(
            self,
            EngineError::Session(
                SessionError::Closed | SessionError::Io(_) | SessionError::Wire(_)
            )
        ) || matches!(self, EngineError::Client(m) if m.contains("connection closed"))
    }
}

/// The most rows one record may return; more is reported, never buffered without bound.
pub const MAX_ROWS: usize = 1_000_000;

enum Conn {
    Simple(Box<RawSession>),
    Extended(Box<ExtendedConn>),
}

struct ExtendedConn {
    client: tokio_postgres::Client,
    task: JoinHandle<()>,
    /// Rendering settings read from the session; refreshed after statements that may set them.
    ctx: Option<RenderContext>,
}

pub struct PgDb {
    conn: Conn,
    obs: ObservationCell,
}

impl PgDb {
    pub async fn connect(
        mode: Mode,
        opts: &ConnectOptions,
        obs: ObservationCell,
    ) -> Result<PgDb, EngineError> {
        let conn = match mode {
            Mode::Simple => Conn::Simple(Box::new(RawSession::connect(opts).await?)),
            Mode::Extended => {
                let (client, task) = connect_client(opts).await?;
                Conn::Extended(Box::new(ExtendedConn {
                    client,
                    task,
                    ctx: None,
                }))
            }
        };
        Ok(PgDb { conn, obs })
    }

    fn observe(&self, f: impl FnOnce(&mut Observation)) {
        if let Ok(mut o) = self.obs.lock() {
            f(&mut o);
        }
    }
}

#[async_trait]
impl AsyncDB for PgDb {
    type Error = EngineError;
    type ColumnType = ColType;

    async fn run(&mut self, sql: &str) -> Result<DBOutput<ColType>, EngineError> {
        self.observe(|o| *o = Observation::default());
        let mut seen = Observation::default();
        let result = match &mut self.conn {
            Conn::Simple(s) => run_simple(s, sql, &mut seen).await,
            Conn::Extended(c) => run_extended(c, sql, &mut seen).await,
        };
        if let Err(e) = &result {
            seen.error_code = e.sqlstate().map(str::to_owned);
            seen.connection_lost = e.is_connection_lost();
            seen.actual = e.to_string();
        }
        self.observe(|o| *o = seen);
        result
    }

    async fn shutdown(&mut self) {
        match &mut self.conn {
            Conn::Simple(_) => {}
            Conn::Extended(c) => c.task.abort(),
        }
    }

    fn engine_name(&self) -> &str {
        "postgres"
    }

    async fn sleep(dur: Duration) {
        tokio::time::sleep(dur).await;
    }

    async fn run_command(command: std::process::Command) -> std::io::Result<std::process::Output> {
        tokio::process::Command::from(command).output().await
    }

    fn error_sql_state(err: &EngineError) -> Option<String> {
        err.sqlstate().map(str::to_owned)
    }
}

/// How sqllogictest writes a value: NULL, `(empty)` for the empty string, else the text.
fn slt_value(v: Option<&str>) -> String {
    match v {
        None => "NULL".to_owned(),
        Some("") => "(empty)".to_owned(),
        Some(s) => s.to_owned(),
    }
}

fn rows_output(types: &[u32], rows: Vec<Vec<String>>, seen: &mut Observation) -> DBOutput<ColType> {
    seen.actual = rows
        .iter()
        .take(200)
        .map(|r| r.join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    DBOutput::Rows {
        types: types
            .iter()
            .map(|&t| ColType(types::type_letter(t)))
            .collect(),
        rows,
    }
}

/// The row count at the end of a command tag (`INSERT 0 3` → 3), 0 when there is none.
pub fn tag_count(tag: &str) -> u64 {
    tag.rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

async fn run_simple(
    s: &mut RawSession,
    sql: &str,
    seen: &mut Observation,
) -> Result<DBOutput<ColType>, EngineError> {
    let result = s.simple_query(sql).await?;
    let mut types: Option<Vec<u32>> = None;
    let mut rows = Vec::new();
    let mut last_tag = None;
    for stmt in result.statements {
        match stmt {
            StatementResult::Rows {
                columns,
                rows: data,
                tag,
            } => {
                if types.is_none() {
                    types = Some(columns.iter().map(|c| c.type_oid).collect());
                }
                for row in data {
                    if rows.len() >= MAX_ROWS {
                        return Err(EngineError::TooManyRows(MAX_ROWS));
                    }
                    let mut out = Vec::with_capacity(row.len());
                    for (i, v) in row.iter().enumerate() {
                        let text = match v {
                            None => None,
                            Some(b) => {
                                Some(std::str::from_utf8(b).map_err(|_| EngineError::Render {
                                    column: i + 1,
                                    type_name: "text".into(),
                                    reason: "the server sent invalid UTF-8".into(),
                                })?)
                            }
                        };
                        out.push(slt_value(text));
                    }
                    rows.push(out);
                }
                last_tag = Some(tag);
            }
            StatementResult::Command { tag } => last_tag = Some(tag),
            StatementResult::Empty => {}
            StatementResult::CopyOut { data, tag } => {
                types.get_or_insert_with(|| vec![Type::TEXT.oid()]);
                for line in String::from_utf8_lossy(&data).lines() {
                    rows.push(vec![slt_value(Some(line))]);
                }
                last_tag = Some(tag);
            }
            StatementResult::Error(e) => {
                seen.tag = last_tag;
                return Err(EngineError::Server(ServerError {
                    severity: e.severity().unwrap_or("ERROR").to_owned(),
                    code: e.code().unwrap_or("").to_owned(),
                    message: e.message().unwrap_or("").to_owned(),
                }));
            }
        }
    }
    seen.tag = last_tag.clone();
    match types {
        Some(t) => {
            seen.column_types = t.clone();
            Ok(rows_output(&t, rows, seen))
        }
        None => {
            seen.actual = last_tag.clone().unwrap_or_default();
            Ok(DBOutput::StatementComplete(
                last_tag.as_deref().map(tag_count).unwrap_or(0),
            ))
        }
    }
}

/// A value in whatever binary form the server sent; rendering happens in `crate::types`.
struct RawValue<'a>(&'a [u8]);

impl<'a> FromSql<'a> for RawValue<'a> {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(RawValue(raw))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

fn client_error(e: tokio_postgres::Error) -> EngineError {
    match e.as_db_error() {
        Some(db) => EngineError::Server(ServerError {
            severity: db.severity().to_owned(),
            code: db.code().code().to_owned(),
            message: db.message().to_owned(),
        }),
        None if e.is_closed() => EngineError::Client("connection closed".into()),
        None => EngineError::Client(e.to_string()),
    }
}

/// Statements that may change how values render (or undo such a change).
fn may_change_settings(sql: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    [
        "set", "reset", "rollback", "commit", "discard", "end", "abort",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Read the rendering settings from the session, one SHOW at a time so that a target that
/// lacks one setting still gives the others. `None` when none could be read (e.g. inside a
/// failed transaction): then nothing is cached.
async fn read_context(client: &tokio_postgres::Client) -> Option<RenderContext> {
    let mut params = BTreeMap::new();
    for name in [
        "TimeZone",
        "DateStyle",
        "IntervalStyle",
        "extra_float_digits",
        "bytea_output",
    ] {
        if let Ok(msgs) = client.simple_query(&format!("SHOW {name}")).await {
            for m in msgs {
                if let tokio_postgres::SimpleQueryMessage::Row(r) = m
                    && let Some(v) = r.get(0)
                {
                    params.insert(name.to_owned(), v.to_owned());
                }
            }
        }
    }
    (!params.is_empty()).then(|| RenderContext::from_server_params(&params))
}

async fn run_extended(
    c: &mut ExtendedConn,
    sql: &str,
    seen: &mut Observation,
) -> Result<DBOutput<ColType>, EngineError> {
    let stmt = match c.client.prepare(sql).await {
        Ok(stmt) => stmt,
        Err(e)
            if e.as_db_error()
                .is_some_and(|d| d.message().contains("cannot insert multiple commands")) =>
        {
            // PostgreSQL itself refuses several statements in one Parse: such a record runs
            // through the simple protocol on this same session instead.
            seen.notes
                .push("several statements: ran with the simple protocol".into());
            return run_extended_fallback(c, sql, seen).await;
        }
        Err(e) => return Err(client_error(e)),
    };
    if may_change_settings(sql) {
        c.ctx = None;
    }
    let oids: Vec<u32> = stmt.columns().iter().map(|c| c.type_().oid()).collect();
    if oids.is_empty() {
        let n = c
            .client
            .execute_raw(&stmt, std::iter::empty::<i32>())
            .await
            .map_err(client_error)?;
        seen.actual = format!("{n} rows affected");
        return Ok(DBOutput::StatementComplete(n));
    }
    seen.column_types = oids.clone();
    // Read before executing: a second request while rows stream in could stall the pipeline.
    if c.ctx.is_none() {
        c.ctx = read_context(&c.client).await;
    }
    let ctx = c.ctx.clone().unwrap_or_default();
    let stream = c
        .client
        .query_raw(&stmt, std::iter::empty::<i32>())
        .await
        .map_err(client_error)?;
    pin_mut!(stream);
    let mut rows = Vec::new();
    while let Some(row) = stream.next().await {
        let row = row.map_err(client_error)?;
        if rows.len() >= MAX_ROWS {
            return Err(EngineError::TooManyRows(MAX_ROWS));
        }
        let mut out = Vec::with_capacity(oids.len());
        for (i, &oid) in oids.iter().enumerate() {
            let raw: Option<RawValue> = row.try_get(i).map_err(client_error)?;
            let text = match raw {
                None => None,
                Some(RawValue(bytes)) => {
                    Some(types::render_binary(oid, bytes, &ctx).map_err(|e| {
                        EngineError::Render {
                            column: i + 1,
                            type_name: types::type_name(oid)
                                .map(str::to_owned)
                                .unwrap_or_else(|| oid.to_string()),
                            reason: e.to_string(),
                        }
                    })?)
                }
            };
            out.push(slt_value(text.as_deref()));
        }
        rows.push(out);
    }
    Ok(rows_output(&oids, rows, seen))
}

async fn run_extended_fallback(
    c: &mut ExtendedConn,
    sql: &str,
    seen: &mut Observation,
) -> Result<DBOutput<ColType>, EngineError> {
    c.ctx = None;
    let msgs = c.client.simple_query(sql).await.map_err(client_error)?;
    let mut rows = Vec::new();
    let mut width = None;
    let mut count = 0;
    for m in msgs {
        match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => {
                width.get_or_insert(r.len());
                rows.push((0..r.len()).map(|i| slt_value(r.get(i))).collect());
            }
            tokio_postgres::SimpleQueryMessage::CommandComplete(n) => count = n,
            _ => {}
        }
    }
    match width {
        // The simple protocol through tokio-postgres gives no type OIDs: text letters.
        Some(w) => Ok(rows_output(&vec![Type::TEXT.oid(); w], rows, seen)),
        None => Ok(DBOutput::StatementComplete(count)),
    }
}
