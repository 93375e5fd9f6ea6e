//! CancelRequest: asking the server, on a new connection, to cancel a running query.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::error::SessionError;
use super::options::ConnectOptions;
use super::raw::{BackendKey, connect_raw_startup};
use crate::wire::FrontendMessage;

/// The longest wait for the server to close the cancel connection.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// Sends a CancelRequest for `key` on a new connection (TLS as `opts.tls` says). The server
/// answers nothing and closes; waiting for that close (bounded) means the request was
/// processed by the time this returns, as far as the server lets us know.
pub async fn cancel(opts: &ConnectOptions, key: &BackendKey) -> Result<(), SessionError> {
    let mut session = connect_raw_startup(opts).await?;
    session
        .send(&[FrontendMessage::CancelRequest {
            pid: key.pid,
            key: key.key.clone(),
        }])
        .await?;
    session
        .wait_for_close(CLOSE_WAIT.min(opts.io_timeout))
        .await;
    Ok(())
}

impl super::raw::RawSession {
    /// Reads and drops anything until EOF, an error, or `limit`.
    pub(super) async fn wait_for_close(&mut self, limit: Duration) {
        let stream = self.stream_mut();
        let drain = async {
            let mut sink = [0u8; 256];
            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
        };
        let _ = tokio::time::timeout(limit, drain).await;
        let _ = stream.shutdown().await;
    }
}
