//! TLS for the client face: a tokio-postgres `TlsConnect` over tokio-rustls (ring), with a
//! bounded adaptor on the plaintext side so the length check still sees the frames.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_postgres::tls::{ChannelBinding, TlsConnect, TlsStream};
use tokio_rustls::TlsConnector;

use super::bounded::BoundedStream;

/// The raw stream: the SSLRequest answer, then TLS records (or checked frames after `'N'`).
pub(super) type RawStream = BoundedStream<TcpStream>;

pub(super) struct RustlsConnect {
    pub(super) config: Arc<ClientConfig>,
    pub(super) server_name: ServerName<'static>,
    pub(super) max_message_len: usize,
}

/// The TLS stream handed to tokio-postgres, frames checked after decryption.
pub struct ClientTlsStream(BoundedStream<tokio_rustls::client::TlsStream<RawStream>>);

impl TlsConnect<RawStream> for RustlsConnect {
    type Stream = ClientTlsStream;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<ClientTlsStream>> + Send>>;

    fn connect(self, stream: RawStream) -> Self::Future {
        Box::pin(async move {
            let tls = TlsConnector::from(self.config)
                .connect(self.server_name, stream)
                .await?;
            Ok(ClientTlsStream(BoundedStream::new(
                tls,
                self.max_message_len,
            )))
        })
    }
}

impl TlsStream for ClientTlsStream {
    /// No channel binding: SCRAM then uses the "n" flag, which every server accepts.
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

impl AsyncRead for ClientTlsStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for ClientTlsStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}
