//! COPY sub-protocol: CopyInResponse/CopyData/CopyDone/CopyFail for COPY FROM STDIN and
//! CopyOutResponse/CopyData/CopyDone for COPY TO STDOUT.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::execution::SendableRecordBatchStream;
use futures::{Sink, SinkExt, StreamExt};
use pgwire::api::copy::CopyHandler;
use pgwire::api::portal::Format;
use pgwire::api::results::Tag;
use pgwire::api::{ClientInfo, PgWireConnectionState};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::copy::{CopyData, CopyDone, CopyFail, CopyInResponse, CopyOutResponse};

use super::interrupt::Interrupt;
use super::{Backend, rows};
use crate::sql::SqlError;
use crate::sql::copy::{self, CopyFormat, CopyOptions};

fn format_code(options: &CopyOptions) -> i8 {
    i8::from(options.format == CopyFormat::Binary)
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

    /// Stream `COPY ... TO STDOUT` rows, one CopyData per row, then CopyDone and `COPY n`.
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
        client
            .feed(PgWireBackendMessage::CopyOutResponse(CopyOutResponse::new(
                code,
                i16::try_from(ncols).unwrap_or(i16::MAX),
                vec![i16::from(code); ncols],
            )))
            .await?;
        let format_options = Arc::new(self.session.settings().format_options());
        let fields = Arc::new(rows::fields_for(
            &schema,
            &Format::UnifiedText,
            &format_options,
        ));
        if options.header && options.format == CopyFormat::Csv {
            let mut line = String::new();
            for (i, f) in schema.fields().iter().enumerate() {
                if i > 0 {
                    line.push(options.delimiter);
                }
                copy::encode_field(&mut line, Some(f.name()), options);
            }
            line.push('\n');
            client
                .feed(PgWireBackendMessage::CopyData(CopyData::new(Bytes::from(
                    line,
                ))))
                .await?;
        }
        let mut count = 0usize;
        loop {
            let next = interrupt.race(async { Ok(stream.next().await) }).await?;
            let Some(batch) = next else { break };
            let batch = batch.map_err(|e| SqlError::from(e).into_wire())?;
            for row in rows::encode_batch(&batch, &fields)? {
                let mut line = String::new();
                for (i, value) in rows::text_fields(&row).into_iter().enumerate() {
                    if i > 0 {
                        line.push(options.delimiter);
                    }
                    let text = value.map(String::from_utf8_lossy);
                    copy::encode_field(&mut line, text.as_deref(), options);
                }
                line.push('\n');
                client
                    .feed(PgWireBackendMessage::CopyData(CopyData::new(Bytes::from(
                        line,
                    ))))
                    .await?;
                count += 1;
            }
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
            Ok(n) => {
                client
                    .feed(PgWireBackendMessage::CommandComplete(
                        Tag::new("COPY").with_rows(n).into(),
                    ))
                    .await?;
                Ok(())
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
