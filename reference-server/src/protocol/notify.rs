//! Sending NotificationResponse: before ReadyForQuery, and while the connection waits idle
//! for the next message (see `connection::message_loop`), never inside a transaction block.

use std::fmt::Debug;

use futures::{Sink, SinkExt};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::response::NotificationResponse;

use super::Backend;
use crate::session::transaction::TxStatus;

impl Backend {
    /// Queues the session's pending notifications (not flushed) when no block is open.
    pub(super) async fn feed_notifications<C>(&self, client: &mut C) -> PgWireResult<()>
    where
        C: Sink<PgWireBackendMessage> + Unpin + Send,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if self.session.tx().status != TxStatus::Idle {
            return Ok(());
        }
        for n in self.session.mailbox.take() {
            client
                .feed(PgWireBackendMessage::NotificationResponse(
                    NotificationResponse::new(n.pid, n.channel, n.payload),
                ))
                .await?;
        }
        Ok(())
    }
}
