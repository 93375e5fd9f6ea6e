//! COPY sub-protocol: CopyInResponse/CopyData/CopyDone/CopyFail for COPY FROM STDIN and
//! CopyOutResponse/CopyData/CopyDone for COPY TO STDOUT.

use std::fmt::Debug;

use async_trait::async_trait;
use bytes::Bytes;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::execution::SendableRecordBatchStream;
use futures::{Sink, SinkExt, StreamExt};
use pgwire::api::copy::CopyHandler;
use pgwire::api::results::Tag;
use pgwire::api::{ClientInfo, PgWireConnectionState};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::copy::{CopyData, CopyDone, CopyFail, CopyInResponse, CopyOutResponse};

use super::Backend;
use super::interrupt::Interrupt;
use crate::pgtypes;
use crate::sql::SqlError;
use crate::sql::copy::{CopyFormat, CopyOptions};

fn format_code(options: &CopyOptions) -> i8 {
    i8::from(options.format == CopyFormat::Binary)
}

/// `prefix` (the binary header, not yet sent) followed by `data`.
fn joined(prefix: Option<Bytes>, data: Bytes) -> Bytes {
    match prefix {
        Some(p) => [p, data].concat().into(),
        None => data,
    }
}

async fn send_data<C>(client: &mut C, data: Bytes) -> PgWireResult<()>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    client
        .feed(PgWireBackendMessage::CopyData(CopyData::new(data)))
        .await?;
    Ok(())
}

impl Backend {
    /// Answer `COPY ... FROM STDIN` with CopyInResponse and enter copy-in mode.
    pub(super) async fn begin_copy_in<C>(
        &self,
        client: &mut C,
        columns: usize,
        options: &CopyOptions,
        extended: bool,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let code = format_code(options);
        let n = i16::try_from(columns).unwrap_or(i16::MAX);
        client
            .send(PgWireBackendMessage::CopyInResponse(CopyInResponse::new(
                code,
                n,
                vec![i16::from(code); columns],
            )))
            .await?;
        client.set_state(PgWireConnectionState::CopyInProgress(extended));
        Ok(())
    }

    /// Stream `COPY ... TO STDOUT`: one CopyData per row (the binary header rides with the
    /// first row or the trailer, as in PostgreSQL), then CopyDone and `COPY n`.
    pub(super) async fn copy_out<C>(
        &self,
        client: &mut C,
        schema: SchemaRef,
        mut stream: SendableRecordBatchStream,
        options: &CopyOptions,
        interrupt: &mut Interrupt,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let ncols = schema.fields().len();
        let code = format_code(options);
        let cols: Vec<_> = schema
            .fields()
            .iter()
            .map(|f| pgtypes::pg_type_of(f))
            .collect();
        let settings = self.session.settings().format_settings();
        // Like RowDescription, CopyOutResponse waits for the first batch so that an error
        // raised computing it arrives alone.
        let mut response = Some(CopyOutResponse::new(
            code,
            i16::try_from(ncols).unwrap_or(i16::MAX),
            vec![i16::from(code); ncols],
        ));
        let mut prefix = pgtypes::copy_out_header(options, &schema);
        let mut count = 0usize;
        loop {
            let next = interrupt.race(async { Ok(stream.next().await) }).await?;
            let payloads = match next {
                Some(batch) => {
                    let batch = batch.map_err(|e| SqlError::from(e).into_wire())?;
                    let rows = pgtypes::copy_out_rows(&batch, &cols, options, &settings)
                        .map_err(|e| crate::sql::SqlError::from(e).into_wire())?;
                    Some(rows)
                }
                None => None,
            };
            if let Some(r) = response.take() {
                client
                    .feed(PgWireBackendMessage::CopyOutResponse(r))
                    .await?;
                if options.format != CopyFormat::Binary
                    && let Some(header) = prefix.take()
                {
                    send_data(client, header).await?;
                }
            }
            let Some(payloads) = payloads else { break };
            for row in payloads {
                send_data(client, joined(prefix.take(), row)).await?;
                count += 1;
            }
        }
        if let Some(trailer) = pgtypes::copy_out_trailer(options) {
            send_data(client, joined(prefix.take(), trailer)).await?;
        }
        client
            .feed(PgWireBackendMessage::CopyDone(CopyDone::new()))
            .await?;
        client
            .feed(PgWireBackendMessage::CommandComplete(
                Tag::new("COPY").with_rows(count).into(),
            ))
            .await?;
        Ok(())
    }

    /// A message COPY FROM STDIN does not expect ends the COPY and, as in PostgreSQL (which
    /// cannot tell where the next message starts), the connection: an ERROR, then a FATAL.
    pub(super) async fn copy_interrupted<C>(&self, client: &mut C, tag: u8)
    where
        C: Sink<PgWireBackendMessage> + Unpin + Send,
    {
        let err = self.session.copy_interrupted(tag);
        self.session.tx().on_error();
        let lost = SqlError::new(
            "08P01",
            "terminating connection because protocol synchronization was lost",
        );
        for (severity, e) in [("ERROR", err), ("FATAL", lost)] {
            let mut info = e.into_error_info();
            info.severity = severity.to_owned();
            info.severity_nonlocalized = Some(severity.to_owned());
            if client
                .feed(PgWireBackendMessage::ErrorResponse(info.into()))
                .await
                .is_err()
            {
                return;
            }
        }
        let _ = client.flush().await;
    }

    fn copy_failed(&self, e: SqlError) -> PgWireError {
        self.session.abort_copy();
        self.session.tx().on_error();
        e.into_wire()
    }
}

#[async_trait]
impl CopyHandler for Backend {
    async fn on_copy_data<C>(&self, client: &mut C, copy_data: CopyData) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if let Err(e) = self.session.copy_data(&copy_data.data) {
            // Leave copy mode so the error is reported and the session resumes.
            if matches!(client.state(), PgWireConnectionState::CopyInProgress(false)) {
                client.set_state(PgWireConnectionState::ReadyForQuery);
            }
            return Err(self.copy_failed(e));
        }
        Ok(())
    }

    async fn on_copy_done<C>(&self, client: &mut C, _done: CopyDone) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let result = self.session.finish_copy().await;
        let outcome = match result {
            Ok((n, rest)) => {
                client
                    .feed(PgWireBackendMessage::CommandComplete(
                        Tag::new("COPY").with_rows(n).into(),
                    ))
                    .await?;
                if rest.is_empty() {
                    Ok(())
                } else {
                    // Positions of errors after the COPY are not known: its text is gone.
                    self.run_statements(client, rest, "").await
                }
            }
            Err(e) => Err(self.copy_failed(e)),
        };
        client.set_transaction_status(self.session.tx().wire_status());
        outcome
    }

    async fn on_copy_fail<C>(&self, client: &mut C, fail: CopyFail) -> PgWireError
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let err = self.copy_failed(SqlError::new(
            "57014",
            format!("COPY from stdin failed: {}", fail.message),
        ));
        client.set_transaction_status(self.session.tx().wire_status());
        err
    }
}
