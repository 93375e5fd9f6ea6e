//! Protocol layer: pgwire handlers for one connection (startup, simple, extended, cancel).
//!
//! pgwire asks the handler factory for its handlers once per connection, so one
//! [`Backend`] per connection owns that connection's [`Session`].

pub mod auth;
pub mod cancel;
pub mod copy;
pub mod extended;
pub mod interrupt;
pub mod params;
pub mod rows;
pub mod simple;
pub mod startup;
pub mod tls;

use std::fmt::Debug;
use std::sync::Arc;

use futures::{Sink, SinkExt};
use pgwire::api::{ClientInfo, PgWireServerHandlers};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::response::NoticeResponse;
use pgwire::messages::startup::ParameterStatus;

use crate::session::{Session, Shared};

/// The per-connection handler set given to `pgwire::tokio::process_socket`.
pub struct ConnectionHandlers {
    backend: Arc<Backend>,
    cancel: Arc<cancel::Canceller>,
}

impl ConnectionHandlers {
    pub fn new(shared: Arc<Shared>) -> Self {
        let cancel = Arc::new(cancel::Canceller::new(shared.clone()));
        Self {
            backend: Arc::new(Backend::new(shared)),
            cancel,
        }
    }
}

impl PgWireServerHandlers for ConnectionHandlers {
    fn simple_query_handler(&self) -> Arc<impl pgwire::api::query::SimpleQueryHandler> {
        self.backend.clone()
    }

    fn extended_query_handler(&self) -> Arc<impl pgwire::api::query::ExtendedQueryHandler> {
        self.backend.clone()
    }

    fn startup_handler(&self) -> Arc<impl pgwire::api::auth::StartupHandler> {
        self.backend.clone()
    }

    fn copy_handler(&self) -> Arc<impl pgwire::api::copy::CopyHandler> {
        self.backend.clone()
    }

    fn cancel_handler(&self) -> Arc<impl pgwire::api::cancel::CancelHandler> {
        self.cancel.clone()
    }
}

/// All handlers of one connection share this.
pub struct Backend {
    pub session: Arc<Session>,
    parser: Arc<extended::Parser>,
}

impl Backend {
    fn new(shared: Arc<Shared>) -> Self {
        let session = Arc::new(Session::new(shared));
        Self {
            parser: Arc::new(extended::Parser::new(session.clone())),
            session,
        }
    }

    /// Send queued notices and ParameterStatus for reported settings that changed.
    async fn flush_session_messages<C>(&self, client: &mut C) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        for n in self.session.take_notices() {
            client
                .feed(PgWireBackendMessage::NoticeResponse(NoticeResponse::from(
                    n,
                )))
                .await?;
        }
        let reports = self.session.settings().take_reports();
        for (k, v) in reports {
            client
                .feed(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(
                    k, v,
                )))
                .await?;
        }
        Ok(())
    }
}
