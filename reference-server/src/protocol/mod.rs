//! Protocol layer: one connection's driver ([`connection`]) and the pgwire handlers it
//! dispatches to (simple, extended, copy), all sharing one [`Backend`] per connection that
//! owns that connection's [`Session`].

pub mod auth;
pub mod bound;
pub mod cancel;
pub mod connection;
pub mod copy;
pub mod decode;
pub mod extended;
pub mod fold;
pub mod frame;
pub mod interrupt;
pub mod notify;
pub mod params;
pub mod prepared;
pub mod rows;
pub mod scram;
pub mod simple;
pub mod startup;
pub mod startup_packet;
pub mod tls;

use std::fmt::Debug;
use std::sync::Arc;

use futures::{Sink, SinkExt};
use pgwire::api::ClientInfo;
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::response::NoticeResponse;
use pgwire::messages::startup::ParameterStatus;

use crate::session::{Session, Shared};

/// All handlers of one connection share this.
pub struct Backend {
    pub session: Arc<Session>,
    parser: Arc<extended::Parser>,
    /// Values decoded by the last Bind, for its Execute.
    bound: bound::BoundValues,
}

impl Backend {
    pub fn new(shared: Arc<Shared>) -> Self {
        let session = Arc::new(Session::new(shared));
        Self {
            parser: Arc::new(extended::Parser::new(session.clone())),
            session,
            bound: bound::BoundValues::default(),
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
