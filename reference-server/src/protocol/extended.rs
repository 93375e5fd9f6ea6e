//! Extended query protocol: Parse (plans once, cached), Bind (validated), Describe
//! (ParameterDescription + RowDescription or NoData), Execute (streams, honours max_rows
//! with PortalSuspended), Close, Sync (honest transaction status).

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, FieldRef, SchemaRef};
use datafusion::common::{ParamValues, ScalarValue};
use datafusion::logical_expr::LogicalPlan;
use futures::{Sink, SinkExt, StreamExt};
use pgwire::api::portal::{Format, Portal, PortalExecutionState};
use pgwire::api::query::ExtendedQueryHandler;
use pgwire::api::results::{FieldInfo, QueryResponse, Response};
use pgwire::api::stmt::{QueryParser, StoredStatement};
use pgwire::api::store::{Entry, PortalStore};
use pgwire::api::{ClientInfo, ClientPortalStore, DEFAULT_NAME, PgWireConnectionState, Type};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::data::{NoData, ParameterDescription};
use pgwire::messages::extendedquery::{
    Bind, BindComplete, Close, CloseComplete, Describe, Execute, Parse, ParseComplete,
    PortalSuspended, Sync as PgSync, TARGET_TYPE_BYTE_PORTAL, TARGET_TYPE_BYTE_STATEMENT,
};
use pgwire::messages::response::EmptyQueryResponse;

use super::interrupt::Interrupt;
use super::{Backend, fold, params, rows};
use crate::session::Session;
use crate::session::transaction::TxStatus;
use crate::sql::point_lookup::{self, PointQuery};
use crate::sql::{Command, Outcome, PlanKind, SqlError, classify, dml_params, parse};

/// A parsed, classified and (for DataFusion statements) planned statement.
pub struct Prepared {
    pub command: Command,
    plan: Option<LogicalPlan>,
    catalog_version: u64,
    /// Types reported in ParameterDescription (client-given, else inferred, else text).
    pub param_types: Vec<Type>,
    /// DataFusion's inferred type per placeholder, used to decode bound values.
    param_arrow: Vec<Option<DataType>>,
    /// Result columns (PostgreSQL names), `None` for statements without rows.
    pub schema: Option<SchemaRef>,
    /// The point-lookup shape of a query, tried before the plan on every Execute.
    point: Option<PointQuery>,
}

pub type Statement = Arc<Prepared>;

/// Parses and plans for one session.
pub struct Parser {
    session: Arc<Session>,
    /// Recently parsed point lookups, so a client that re-sends Parse for the same text (the
    /// unnamed statement of every `-M extended` pgbench transaction) does not plan again.
    recent: std::sync::Mutex<Vec<Recent>>,
}

/// A cached Parse: same text and declared types, same catalog version = same statement.
struct Recent {
    sql: String,
    types: Vec<Option<Type>>,
    stmt: Statement,
}

/// How many distinct statement texts [`Parser::recent`] remembers.
const RECENT: usize = 8;

impl Parser {
    pub fn new(session: Arc<Session>) -> Self {
        Self {
            session,
            recent: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The statement for `sql`: a recent identical point lookup's, else freshly prepared.
    pub(super) async fn prepare_cached(
        &self,
        sql: &str,
        client_types: &[Option<Type>],
    ) -> Result<Option<Statement>, SqlError> {
        let version = self.session.shared.catalog.version();
        let hit = crate::session::lock(&self.recent)
            .iter()
            .find(|r| r.sql == sql && r.types == client_types && r.stmt.catalog_version == version)
            .map(|r| r.stmt.clone());
        if let Some(stmt) = hit {
            if self.session.tx().status == TxStatus::Failed {
                return Err(SqlError::in_failed_transaction());
            }
            return Ok(Some(stmt));
        }
        // Boxed: planning's future is large; a cache hit should not allocate and copy it.
        let Some(prepared) = Box::pin(self.prepare(sql, client_types)).await? else {
            return Ok(None);
        };
        let stmt = Arc::new(prepared);
        // Only point lookups: their plans depend on nothing but the catalog.
        if stmt.point.is_some() {
            let mut recent = crate::session::lock(&self.recent);
            recent.retain(|r| r.sql != sql && r.stmt.catalog_version == version);
            if recent.len() >= RECENT {
                recent.remove(0);
            }
            recent.push(Recent {
                sql: sql.to_owned(),
                types: client_types.to_vec(),
                stmt: stmt.clone(),
            });
        }
        Ok(Some(stmt))
    }

    async fn prepare(
        &self,
        sql: &str,
        client_types: &[Option<Type>],
    ) -> Result<Option<Prepared>, SqlError> {
        let (conforming, warnings) = self.session.conforming_sql(sql);
        let sql = conforming.as_ref();
        warnings.into_iter().for_each(|w| self.session.notice(w));
        let mut statements = parse::parse(sql)?
            .into_iter()
            .map(|s| crate::sql::prepare::expand_execute(&self.session, s))
            .collect::<Result<Vec<_>, _>>()?;
        if statements.len() > 1 {
            return Err(SqlError::syntax(
                "cannot insert multiple commands into a prepared statement",
            ));
        }
        let Some(stmt) = statements.pop() else {
            return Ok(None);
        };
        let command = classify::classify(stmt);
        if self.session.tx().status == TxStatus::Failed && !command.ends_failed_block() {
            return Err(SqlError::in_failed_transaction());
        }
        let catalog_version = self.session.shared.catalog.version();
        let declared: Vec<_> = client_types
            .iter()
            .map(|t| {
                t.as_ref()
                    .filter(|t| **t != Type::UNKNOWN)
                    .map(params::arrow_type)
            })
            .collect();
        let plan = match command.planned_statement() {
            Some(stmt) => Some(
                self.session
                    .plan_with_types(stmt, &declared)
                    .await
                    .map_err(|e| e.locate(sql))?,
            ),
            _ => None,
        };
        let param_fields = match (&plan, dml_params::unplanned(&command)) {
            (Some(plan), _) => inferred_params(plan)?,
            (None, Some(stmt)) => self
                .session
                .write_param_fields(stmt, &declared)
                .await
                .map_err(|e| e.locate(sql))?,
            (None, None) => Vec::new(),
        };
        let param_arrow: Vec<Option<DataType>> = param_fields
            .iter()
            .map(|f| f.as_ref().map(|f| f.data_type().clone()))
            .collect();
        let n = param_arrow.len().max(client_types.len());
        let param_types = (0..n)
            .map(|i| {
                client_types
                    .get(i)
                    .cloned()
                    .flatten()
                    .filter(|t| *t != Type::UNKNOWN)
                    .or_else(|| {
                        // The field keeps a column's declared type (`uuid`, `jsonb` stored
                        // as text) for `INSERT ... VALUES ($1)` and `SET c = $1`.
                        param_fields
                            .get(i)
                            .cloned()
                            .flatten()
                            .map(|f| crate::pgtypes::pg_type_of(&f).ty)
                    })
                    .unwrap_or(Type::TEXT)
            })
            .collect();
        let schema = Session::result_schema(&command, plan.as_ref())
            .map(|s| rows::rename(&s, command.column_names().as_deref()))
            .or_else(|| self.session.fetch_schema(&command));
        let schema = match (&command, schema) {
            (Command::Write(stmt), None) => self
                .session
                .describe_write(stmt)
                .await
                .map_err(|e| e.locate(sql))?,
            (_, schema) => schema,
        };
        let point = match &command {
            Command::Plan {
                stmt,
                kind: PlanKind::Query,
                ..
            } => point_lookup::recognise(stmt),
            _ => None,
        };
        Ok(Some(Prepared {
            point,
            command,
            plan,
            catalog_version,
            param_types,
            param_arrow,
            schema,
        }))
    }
}

/// Placeholder types in `$1..$n` order (gaps are `None`).
fn inferred_params(plan: &LogicalPlan) -> Result<Vec<Option<FieldRef>>, SqlError> {
    let types = plan.get_parameter_fields()?;
    let mut out: Vec<Option<FieldRef>> = Vec::new();
    for (id, ty) in types {
        let Some(idx) = id.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) else {
            continue;
        };
        if idx == 0 || idx > u16::MAX as usize {
            return Err(SqlError::new(
                "42P02",
                format!("there is no parameter {id}"),
            ));
        }
        if out.len() < idx {
            out.resize(idx, None);
        }
        out[idx - 1] = ty;
    }
    Ok(out)
}

#[async_trait]
impl QueryParser for Parser {
    type Statement = Statement;

    async fn parse_sql<C>(
        &self,
        _client: &C,
        sql: &str,
        types: &[Option<Type>],
    ) -> PgWireResult<Option<Statement>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        Ok(self.prepare_cached(sql, types).await?)
    }

    fn get_parameter_types(&self, stmt: &Statement) -> PgWireResult<Vec<Type>> {
        Ok(stmt.param_types.clone())
    }

    fn get_result_schema(
        &self,
        stmt: &Statement,
        format: Option<&Format>,
    ) -> PgWireResult<Vec<FieldInfo>> {
        Ok(stmt
            .schema
            .as_ref()
            .map(|s| rows::fields_for(s, format.unwrap_or(&Format::UnifiedText)))
            .unwrap_or_default())
    }
}

/// A portal's parameters decoded to the types its plan expects; an error names the
/// parameter in CONTEXT as PostgreSQL does.
fn portal_values(portal: &Portal<Statement>, name: &str) -> Result<Vec<ScalarValue>, SqlError> {
    let prepared = &portal.statement.statement;
    let shown = if name == DEFAULT_NAME {
        "unnamed portal".to_owned()
    } else {
        format!("portal \"{name}\"")
    };
    prepared
        .param_types
        .iter()
        .enumerate()
        .map(|(i, pg)| {
            let raw = portal.parameters.get(i).and_then(|p| p.as_ref());
            let binary = portal.parameter_format.is_binary(i);
            params::decode(
                i,
                raw,
                binary,
                pg,
                prepared.param_arrow.get(i).and_then(|t| t.as_ref()),
            )
            .map_err(|e| {
                let n = i + 1;
                match raw.filter(|_| !binary).map(|b| String::from_utf8_lossy(b)) {
                    Some(v) => e.with_context(format!("{shown} parameter ${n} = '{v}'")),
                    None => e.with_context(format!("{shown} parameter ${n}")),
                }
            })
        })
        .collect()
}

fn protocol_violation(message: String) -> PgWireError {
    SqlError::new("08P01", message).into()
}

#[async_trait]
impl ExtendedQueryHandler for Backend {
    type Statement = Statement;
    type QueryParser = Parser;

    fn query_parser(&self) -> Arc<Parser> {
        self.parser.clone()
    }

    async fn on_parse<C>(&self, client: &mut C, message: Parse) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let name = message
            .name
            .clone()
            .unwrap_or_else(|| DEFAULT_NAME.to_owned());
        self.sync_statement_store(client);
        if let Err(e) = self.check_parse_name(&name) {
            self.session.tx().on_error();
            return Err(e.into());
        }
        if name != DEFAULT_NAME && client.portal_store().get_statement(&name).is_some() {
            self.session.tx().on_error();
            return Err(SqlError::new(
                "42P05",
                format!("prepared statement \"{name}\" already exists"),
            )
            .into());
        }
        // A failed Parse of the unnamed statement still destroys the previous one.
        if name == DEFAULT_NAME {
            client.portal_store().rm_statement(DEFAULT_NAME);
        }
        self.session.prepared().set_source(&message.query);
        let parsed = StoredStatement::parse(client, &message, self.parser.clone()).await;
        match parsed {
            Ok(Some(stmt)) => {
                self.register_parsed(&name, &message.query, Some(&stmt.statement));
                client.portal_store().put_statement(Arc::new(stmt))
            }
            Ok(None) => {
                self.register_parsed(&name, &message.query, None);
                client.portal_store().put_empty_statement(&name)
            }
            Err(e) => {
                self.session.tx().on_error();
                return Err(e);
            }
        }
        client
            .feed(PgWireBackendMessage::ParseComplete(ParseComplete::new()))
            .await?;
        Ok(())
    }

    async fn on_bind<C>(&self, client: &mut C, message: Bind) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        self.sync_statement_store(client);
        let result = self.bind(client, &message);
        if result.is_err() {
            self.session.tx().on_error();
        }
        result?;
        client
            .feed(PgWireBackendMessage::BindComplete(BindComplete::new()))
            .await?;
        Ok(())
    }

    async fn on_describe<C>(&self, client: &mut C, message: Describe) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        self.sync_statement_store(client);
        let name = message.name.as_deref().unwrap_or(DEFAULT_NAME);
        let (params, fields) = match message.target_type {
            TARGET_TYPE_BYTE_STATEMENT => match client.portal_store().get_statement(name) {
                Some(Entry::Value(stmt)) => {
                    let p = &stmt.statement;
                    let fields = p
                        .schema
                        .as_ref()
                        .map(|s| rows::fields_for(s, &Format::UnifiedText));
                    (Some(p.param_types.clone()), fields)
                }
                Some(Entry::Empty) => (Some(vec![]), None),
                None => return Err(self.missing_statement(name)),
            },
            TARGET_TYPE_BYTE_PORTAL => match client.portal_store().get_portal(name) {
                Some(Entry::Value(portal)) => {
                    let fields = portal
                        .statement
                        .statement
                        .schema
                        .as_ref()
                        .map(|s| rows::fields_for(s, &portal.result_column_format));
                    (None, fields)
                }
                Some(Entry::Empty) => (None, None),
                // A cursor DECLAREd in SQL is a portal too (psycopg describes it so).
                None => match self.session.cursor_schema(name) {
                    Some(s) => (None, Some(rows::fields_for(&s, &Format::UnifiedText))),
                    None => return Err(self.missing_portal(name)),
                },
            },
            other => {
                return Err(protocol_violation(format!(
                    "invalid DESCRIBE message subtype {other}"
                )));
            }
        };
        if let Some(params) = params {
            client
                .feed(PgWireBackendMessage::ParameterDescription(
                    ParameterDescription::new(params.iter().map(|t| t.oid()).collect()),
                ))
                .await?;
        }
        match fields {
            Some(f) => {
                client
                    .feed(PgWireBackendMessage::RowDescription(rows::row_description(
                        &f,
                    )))
                    .await?
            }
            None => {
                client
                    .feed(PgWireBackendMessage::NoData(NoData::new()))
                    .await?
            }
        }
        Ok(())
    }

    async fn on_execute<C>(&self, client: &mut C, message: Execute) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if !matches!(client.state(), PgWireConnectionState::ReadyForQuery) {
            return Err(PgWireError::NotReadyForQuery);
        }
        let name = message.name.as_deref().unwrap_or(DEFAULT_NAME);
        let portal = match client.portal_store().get_portal(name) {
            Some(Entry::Value(p)) => p,
            Some(Entry::Empty) => {
                client
                    .feed(PgWireBackendMessage::EmptyQueryResponse(
                        EmptyQueryResponse::new(),
                    ))
                    .await?;
                return Ok(());
            }
            None => return Err(self.missing_portal(name)),
        };
        client.set_state(PgWireConnectionState::QueryInProgress);
        // Everything up to Sync is one implicit transaction (committed in `ready`); a
        // statement refused in a transaction block opens none (PostgreSQL only refuses it
        // after other statements of the same pipeline).
        if !matches!(
            portal.statement.statement.command,
            Command::NoOpOutsideBlock(_)
        ) {
            self.session.begin_implicit();
        }
        let max_rows = usize::try_from(message.max_rows).unwrap_or(0);
        let result = self.execute_portal(client, &portal, max_rows).await;
        if !matches!(client.state(), PgWireConnectionState::CopyInProgress(_)) {
            client.set_state(PgWireConnectionState::ReadyForQuery);
        }
        if let Err(e) = result {
            self.session.tx().on_error();
            self.flush_session_messages(client).await?;
            return Err(e);
        }
        self.flush_session_messages(client).await
    }

    async fn on_close<C>(&self, client: &mut C, message: Close) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        self.sync_statement_store(client);
        let name = message.name.as_deref().unwrap_or(DEFAULT_NAME);
        match message.target_type {
            TARGET_TYPE_BYTE_STATEMENT => {
                client.portal_store().rm_statement(name);
                self.forget_statement(name);
            }
            TARGET_TYPE_BYTE_PORTAL => client.portal_store().rm_portal(name),
            _ => {}
        }
        client
            .send(PgWireBackendMessage::CloseComplete(CloseComplete::new()))
            .await?;
        Ok(())
    }

    async fn on_sync<C>(&self, client: &mut C, _message: PgSync) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        client.portal_store().rm_portal(DEFAULT_NAME);
        self.bound.clear();
        self.ready(client).await?;
        client.flush().await?;
        Ok(())
    }

    async fn do_query<C>(
        &self,
        _client: &mut C,
        _portal: &Portal<Statement>,
        _max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Self::Statement>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        Err(PgWireError::ApiError(
            "portals are executed by on_execute".into(),
        ))
    }
}

impl Backend {
    fn missing_statement(&self, name: &str) -> PgWireError {
        self.session.tx().on_error();
        let shown = if name == DEFAULT_NAME { "" } else { name };
        SqlError::new(
            "26000",
            format!("prepared statement \"{shown}\" does not exist"),
        )
        .into()
    }

    fn missing_portal(&self, name: &str) -> PgWireError {
        self.session.tx().on_error();
        let shown = if name == DEFAULT_NAME { "" } else { name };
        SqlError::new("34000", format!("portal \"{shown}\" does not exist")).into()
    }

    /// Validate counts (PostgreSQL's 08P01 messages) and store the portal.
    fn bind<C>(&self, client: &mut C, message: &Bind) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Statement>,
    {
        let stmt_name = message.statement_name.as_deref().unwrap_or(DEFAULT_NAME);
        let portal_name = message.portal_name.as_deref().unwrap_or(DEFAULT_NAME);
        let shown = if stmt_name == DEFAULT_NAME {
            ""
        } else {
            stmt_name
        };
        let stmt = match client.portal_store().get_statement(stmt_name) {
            Some(Entry::Value(s)) => s,
            Some(Entry::Empty) => {
                if !message.parameters.is_empty() {
                    return Err(protocol_violation(format!(
                        "bind message supplies {} parameters, but prepared statement \"{shown}\" requires 0",
                        message.parameters.len()
                    )));
                }
                client.portal_store().put_empty_portal(portal_name);
                return Ok(());
            }
            None => return Err(self.missing_statement(stmt_name)),
        };
        let prepared = &stmt.statement;
        if self.session.tx().status == TxStatus::Failed && !prepared.command.ends_failed_block() {
            return Err(SqlError::in_failed_transaction().into());
        }
        let n_params = prepared.param_types.len();
        if message.parameters.len() != n_params {
            return Err(protocol_violation(format!(
                "bind message supplies {} parameters, but prepared statement \"{shown}\" requires {n_params}",
                message.parameters.len()
            )));
        }
        let pf = message.parameter_format_codes.len();
        if pf > 1 && pf != n_params {
            return Err(protocol_violation(format!(
                "bind message has {pf} parameter formats but {n_params} parameters"
            )));
        }
        let n_cols = prepared
            .schema
            .as_ref()
            .map(|s| s.fields().len())
            .unwrap_or(0);
        let rf = message.result_column_format_codes.len();
        if rf > 1 && rf != n_cols {
            return Err(protocol_violation(format!(
                "bind message has {rf} result formats but query has {n_cols} columns"
            )));
        }
        if let Some(bad) = message
            .parameter_format_codes
            .iter()
            .chain(&message.result_column_format_codes)
            .find(|c| !matches!(c, 0 | 1))
        {
            return Err(protocol_violation(format!(
                "unsupported format code: {bad}"
            )));
        }
        let portal = Arc::new(Portal::try_new(message, stmt.clone())?);
        // PostgreSQL converts the values and plans the portal in Bind: bad values and
        // constant expressions that fail (`1/0`) are Bind's errors, not Execute's. A point
        // lookup has no constant expression to fold (only columns, literals and `$n`).
        let values = portal_values(&portal, portal_name)?;
        if let Some(plan) = prepared
            .plan
            .as_ref()
            .filter(|_| prepared.point.is_none())
            .filter(|_| prepared.catalog_version == self.session.shared.catalog.version())
        {
            let plan = if values.is_empty() {
                plan.clone()
            } else {
                plan.clone()
                    .with_param_values(ParamValues::from(values.clone()))
                    .map_err(SqlError::from)?
            };
            // The plan is not type-coerced yet, so only data errors (class 22: `1/0`,
            // bad casts) are PostgreSQL's; planning errors surface at Execute as before.
            if let Err(e) = fold::check_constants(&plan).map_err(SqlError::from)
                && e.code.starts_with("22")
            {
                return Err(e.into());
            }
        }
        client.portal_store().put_portal(portal.clone());
        self.bound.keep(portal, values);
        Ok(())
    }

    /// The plan to run for a portal: the cached one (re-planned after DDL) with values bound.
    async fn bound_plan(
        &self,
        portal: &Portal<Statement>,
        values: Vec<ScalarValue>,
    ) -> Result<Option<LogicalPlan>, SqlError> {
        let prepared = &portal.statement.statement;
        let Some(stmt) = prepared.command.planned_statement() else {
            return Ok(None);
        };
        let plan = match &prepared.plan {
            Some(p) if prepared.catalog_version == self.session.shared.catalog.version() => {
                p.clone()
            }
            _ => self.session.plan(stmt).await?,
        };
        if values.is_empty() {
            return Ok(Some(plan));
        }
        let bound = plan.with_param_values(ParamValues::from(values))?;
        Ok(Some(bound.recompute_schema()?))
    }

    /// Runs a portal: from the key index if it is a point lookup that fits, else its plan.
    async fn run_portal(&self, portal: &Portal<Statement>) -> Result<Outcome, SqlError> {
        let prepared = &portal.statement.statement;
        let values = match self.bound.take(portal) {
            Some(values) => values,
            None => portal_values(portal, &portal.name)?,
        };
        let failed = self.session.tx().status == TxStatus::Failed;
        if let Some(q) = &prepared.point
            && !failed
            && let Some(out) = self.session.point_lookup(q, &values).await?
        {
            return Ok(out);
        }
        // Boxed: planning and running are large futures; inlined, every Execute (point
        // lookups included) would allocate and copy them.
        if prepared.plan.is_none()
            && !values.is_empty()
            && let Some(cmd) =
                dml_params::bind_command(&prepared.command, &values, &prepared.param_types)?
        {
            return Box::pin(self.session.run(&cmd, None)).await;
        }
        let plan = Box::pin(self.bound_plan(portal, values)).await?;
        Box::pin(self.session.run(&prepared.command, plan)).await
    }

    pub(super) async fn execute_portal<C>(
        &self,
        client: &mut C,
        portal: &Portal<Statement>,
        max_rows: usize,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let timeout = self.session.settings().statement_timeout_ms();
        let mut interrupt = Interrupt::arm(self.session.control.clone(), timeout);
        let state = portal.state();
        let mut state = state.lock().await;
        if matches!(*state, PortalExecutionState::Initial) {
            let prepared = &portal.statement.statement;
            let outcome = interrupt
                .race(async { self.run_portal(portal).await.map_err(SqlError::into_wire) })
                .await?;
            match outcome {
                Outcome::Done(tag) => {
                    *state = PortalExecutionState::Finished;
                    client
                        .feed(PgWireBackendMessage::CommandComplete(tag.into()))
                        .await?;
                    return Ok(());
                }
                Outcome::CopyIn { columns, options } => {
                    *state = PortalExecutionState::Finished;
                    return self.begin_copy_in(client, columns, &options, true).await;
                }
                Outcome::CopyOut {
                    schema,
                    stream,
                    options,
                } => {
                    *state = PortalExecutionState::Finished;
                    return self
                        .copy_out(client, schema, stream, &options, &mut interrupt)
                        .await;
                }
                Outcome::Rows { schema, stream } => {
                    let schema = rows::rename(&schema, prepared.command.column_names().as_deref());
                    let fields = rows::fields_for(&schema, &portal.result_column_format);
                    let settings = self.session.settings().format_settings();
                    let encoder = rows::RowEncoder::new(&schema, &fields, settings);
                    let row_stream = rows::row_stream(stream, encoder);
                    let fields = Arc::new(fields);
                    let mut response = QueryResponse::new(fields, row_stream);
                    response.set_command_tag(crate::sql::execute::rows_command(&schema));
                    *state = PortalExecutionState::Suspended(response);
                }
            }
        }
        let response = match &mut *state {
            PortalExecutionState::Suspended(r) => r,
            _ => {
                client
                    .feed(PgWireBackendMessage::CommandComplete(
                        pgwire::api::results::Tag::new("SELECT").with_rows(0).into(),
                    ))
                    .await?;
                return Ok(());
            }
        };
        let mut sent = 0usize;
        while max_rows == 0 || sent < max_rows {
            let next = interrupt
                .race(async { Ok(response.data_rows().next().await) })
                .await?;
            match next {
                Some(row) => {
                    client.feed(PgWireBackendMessage::DataRow(row?)).await?;
                    sent += 1;
                }
                None => {
                    let tag = crate::sql::execute::rows_tag(response.command_tag(), sent);
                    *state = PortalExecutionState::Finished;
                    client
                        .feed(PgWireBackendMessage::CommandComplete(tag.into()))
                        .await?;
                    return Ok(());
                }
            }
        }
        client
            .feed(PgWireBackendMessage::PortalSuspended(PortalSuspended::new()))
            .await?;
        Ok(())
    }
}
