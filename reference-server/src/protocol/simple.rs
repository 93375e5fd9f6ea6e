//! Simple query protocol: several statements per Query message, each answered in turn;
//! the first error ends the message (as in PostgreSQL) and ReadyForQuery reports the
//! session's real transaction status.

use std::fmt::Debug;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::sql::sqlparser::ast::Statement;
use futures::{Sink, SinkExt, StreamExt};
use pgwire::api::portal::Format;
use pgwire::api::query::SimpleQueryHandler;
use pgwire::api::results::{Response, Tag};
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, PgWireConnectionState};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::response::{EmptyQueryResponse, ReadyForQuery};
use pgwire::messages::simplequery::Query;

use super::interrupt::Interrupt;
use super::{Backend, rows};
use crate::session::transaction::TxStatus;
use crate::sql::{Outcome, SqlError, classify, parse, point_text};

#[async_trait]
impl SimpleQueryHandler for Backend {
    async fn on_query<C>(&self, client: &mut C, query: Query) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if !matches!(client.state(), PgWireConnectionState::ReadyForQuery) {
            return Err(PgWireError::NotReadyForQuery);
        }
        client.set_state(PgWireConnectionState::QueryInProgress);
        self.run_simple(client, &query.query).await?;
        if self.session.control.is_terminated() {
            // The connection loop sends the FATAL error instead of ReadyForQuery.
            return Err(crate::session::control::terminated_error().into_wire());
        }
        if !matches!(client.state(), PgWireConnectionState::CopyInProgress(_)) {
            client.set_state(PgWireConnectionState::ReadyForQuery);
            self.ready(client).await?;
        }
        Ok(())
    }

    /// Unused: `on_query` above runs statements one by one so each can stream and fail alone.
    async fn do_query<C>(&self, _client: &mut C, _query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        Err(PgWireError::ApiError(
            "simple queries are handled by on_query".into(),
        ))
    }
}

/// Whether a statement error is reported to the client (true) or is a broken connection.
fn is_client_error(e: &PgWireError) -> bool {
    !matches!(e, PgWireError::IoError(_))
}

impl Backend {
    /// ReadyForQuery with the session's transaction status (also mirrored into pgwire's),
    /// after committing the implicit transaction of the Query message / of everything up to Sync.
    pub(super) async fn ready<C>(&self, client: &mut C) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        // Boxed: a commit's future is large and most Syncs have nothing to commit.
        if let Err(e) = Box::pin(self.session.end_implicit()).await {
            self.report_error(client, e.into_wire()).await?;
        }
        self.feed_notifications(client).await?;
        let status = self.session.tx().wire_status();
        client.set_transaction_status(status);
        client
            .send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(
                status,
            )))
            .await?;
        Ok(())
    }

    pub(super) async fn run_simple<C>(&self, client: &mut C, sql: &str) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let (sql, warnings) = self.session.conforming_sql(sql);
        let sql = sql.as_ref();
        for w in warnings {
            client
                .feed(PgWireBackendMessage::NoticeResponse(w.into()))
                .await?;
        }
        if self.simple_point_lookup(client, sql).await? {
            return Ok(());
        }
        let statements = match parse::parse(sql) {
            Ok(s) => s,
            Err(e) => return self.report_error(client, e.into_wire()).await,
        };
        if statements.is_empty() {
            client
                .feed(PgWireBackendMessage::EmptyQueryResponse(
                    EmptyQueryResponse::new(),
                ))
                .await?;
            return Ok(());
        }
        if statements.len() > 1 {
            // Several statements outside a block form one implicit transaction.
            self.session.begin_implicit();
        }
        // Boxed: the general path's future is large, and inlining it would make every
        // Query message (the point lookup above included) allocate and copy it.
        Box::pin(self.run_statements(client, statements, sql)).await
    }

    /// Answers `sql` if it is a plain point lookup ([`point_text`]) the key index can answer,
    /// as the general path would; `false` = not handled, nothing sent. Failed transactions,
    /// lookups the index declines and errors are all left to the general path.
    async fn simple_point_lookup<C>(&self, client: &mut C, sql: &str) -> PgWireResult<bool>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let Some(q) = point_text::recognise(sql) else {
            return Ok(false);
        };
        if self.session.tx().status == TxStatus::Failed {
            return Ok(false);
        }
        let timeout = self.session.settings().statement_timeout_ms();
        let mut interrupt = Interrupt::arm(self.session.control.clone(), timeout);
        let found = interrupt
            .race(async { Ok(self.session.point_lookup(&q, &[]).await) })
            .await;
        let (schema, stream) = match found {
            Ok(Ok(Some(Outcome::Rows { schema, stream }))) => (schema, stream),
            Ok(_) => return Ok(false),
            Err(e) => {
                self.report_error(client, e).await?;
                return Ok(true);
            }
        };
        match self
            .stream_rows(client, schema, None, stream, &mut interrupt)
            .await
        {
            Ok(()) => self.flush_session_messages(client).await?,
            Err(e) if is_client_error(&e) => self.report_error(client, e).await?,
            Err(e) => return Err(e),
        }
        Ok(true)
    }

    /// Runs statements in turn until one fails. A COPY FROM STDIN stops the loop: the
    /// statements after it run once its data has arrived (see `on_copy_done`). `sql` is the
    /// query text that error positions point into.
    pub(super) async fn run_statements<C>(
        &self,
        client: &mut C,
        statements: Vec<Statement>,
        sql: &str,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if !sql.is_empty() {
            self.session.prepared().set_source(sql);
        }
        let mut statements = statements.into_iter();
        while let Some(stmt) = statements.next() {
            let stmt = match crate::sql::prepare::expand_execute(&self.session, stmt) {
                Ok(stmt) => stmt,
                Err(e) => return self.report_error(client, e.into_wire()).await,
            };
            let cmd = classify::classify(stmt);
            let timeout = self.session.settings().statement_timeout_ms();
            let mut interrupt = Interrupt::arm(self.session.control.clone(), timeout);
            let result = match interrupt
                .race(async {
                    self.session
                        .run(&cmd, None)
                        .await
                        .map_err(|e| e.locate(sql).into_wire())
                })
                .await
            {
                Ok(Outcome::Done(tag)) => {
                    // Notices precede CommandComplete, as in PostgreSQL (ParameterStatus
                    // follows it).
                    for n in self.session.take_notices() {
                        client
                            .feed(PgWireBackendMessage::NoticeResponse(n.into()))
                            .await?;
                    }
                    self.send_tag(client, tag).await
                }
                Ok(Outcome::Rows { schema, stream }) => {
                    let names = cmd.column_names();
                    self.stream_rows(client, schema, names, stream, &mut interrupt)
                        .await
                }
                Ok(Outcome::CopyOut {
                    schema,
                    stream,
                    options,
                }) => {
                    self.copy_out(client, schema, stream, &options, &mut interrupt)
                        .await
                }
                Ok(Outcome::CopyIn { columns, options }) => {
                    self.session.set_copy_rest(statements.collect());
                    return self.begin_copy_in(client, columns, &options, false).await;
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => self.flush_session_messages(client).await?,
                Err(e) if is_client_error(&e) => return self.report_error(client, e).await,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn send_tag<C>(&self, client: &mut C, tag: Tag) -> PgWireResult<()>
    where
        C: Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        client
            .feed(PgWireBackendMessage::CommandComplete(tag.into()))
            .await?;
        Ok(())
    }

    /// Queue notices, mark a transaction block failed, send the ErrorResponse.
    pub(super) async fn report_error<C>(&self, client: &mut C, e: PgWireError) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if self.session.control.is_terminated() {
            return Err(e);
        }
        self.session.tx().on_error();
        self.flush_session_messages(client).await?;
        let info: ErrorInfo = e.into();
        client
            .feed(PgWireBackendMessage::ErrorResponse(info.into()))
            .await?;
        Ok(())
    }

    /// RowDescription, every row (cancellable between batches), CommandComplete `SELECT n`.
    /// RowDescription waits for the first batch (or the end of the stream) so an error
    /// raised while computing the first rows arrives alone, as PostgreSQL's does for
    /// errors it raises at plan time (`SELECT 1/0`).
    async fn stream_rows<C>(
        &self,
        client: &mut C,
        schema: SchemaRef,
        names: Option<Vec<Option<String>>>,
        mut stream: SendableRecordBatchStream,
        interrupt: &mut Interrupt,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let schema = rows::rename(&schema, names.as_deref());
        let fields = rows::fields_for(&schema, &Format::UnifiedText);
        let settings = self.session.settings().format_settings();
        let encoder = rows::RowEncoder::new(&schema, &fields, settings);
        let mut description = Some(rows::row_description(&fields));
        let mut count = 0usize;
        loop {
            let next = interrupt
                .race(async {
                    (stream.next().await.transpose()).map_err(|e| SqlError::from(e).into_wire())
                })
                .await;
            let next = match next {
                Ok(next) => next,
                Err(e) => {
                    // Cancelled or timed out while running: PostgreSQL had described the
                    // query before it started (other errors may be plan-time ones: alone).
                    if (is_cancel(&e) || in_function(&e))
                        && let Some(d) = description.take()
                    {
                        client.feed(PgWireBackendMessage::RowDescription(d)).await?;
                    }
                    return Err(e);
                }
            };
            let encoded = match next {
                Some(batch) => Some(encoder.encode(&batch).map_err(SqlError::into_wire)?),
                None => None,
            };
            if let Some(d) = description.take() {
                client.feed(PgWireBackendMessage::RowDescription(d)).await?;
            }
            let Some(encoded) = encoded else { break };
            count += encoded.len();
            for row in encoded {
                client.feed(PgWireBackendMessage::DataRow(row)).await?;
            }
        }
        let tag = crate::sql::execute::rows_tag(crate::sql::execute::rows_command(&schema), count);
        self.send_tag(client, tag).await
    }
}

/// Whether an error was raised inside a user function's body, which PostgreSQL runs only
/// once the query is described.
fn in_function(e: &PgWireError) -> bool {
    matches!(e, PgWireError::UserError(info)
        if info.where_context.as_deref().is_some_and(|c| c.contains("PL/pgSQL function")))
}

/// Whether an error is a query cancel or statement timeout (SQLSTATE 57014).
fn is_cancel(e: &PgWireError) -> bool {
    matches!(e, PgWireError::UserError(info) if info.code == "57014")
}
