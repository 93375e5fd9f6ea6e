//! A length-checking adaptor for streams read by tokio-postgres, whose decoder reserves
//! whatever length a frame header declares. This watches the backend frame headers as bytes
//! pass through and fails the read, before the driver sees the whole header, when a declared length
//! is below 4 or above the limit.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pub struct BoundedStream<S> {
    inner: S,
    mode: Mode,
    max_message_len: usize,
    header: [u8; 5],
    header_len: usize,
    body_left: usize,
    failed: Option<String>,
}

/// What the next bytes from the server are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Backend frames, checked.
    Frames,
    /// The single-byte answer to an SSLRequest: `'S'` leads to TLS, anything else to frames.
    SslAnswer,
    /// TLS records after `'S'`: not ours to check (the plaintext side gets its own adaptor).
    Passthrough,
}

impl<S> BoundedStream<S> {
    /// `max_message_len` bounds the declared length (which counts its own 4 bytes).
    pub fn new(inner: S, max_message_len: usize) -> Self {
        Self::with_mode(inner, max_message_len, Mode::Frames)
    }

    /// For a stream on which the client first sends an SSLRequest: the one-byte answer is let
    /// through, then TLS records pass unchecked (`'S'`) or frames are checked (otherwise).
    pub fn after_ssl_request(inner: S, max_message_len: usize) -> Self {
        Self::with_mode(inner, max_message_len, Mode::SslAnswer)
    }

    fn with_mode(inner: S, max_message_len: usize, mode: Mode) -> Self {
        BoundedStream {
            inner,
            mode,
            max_message_len,
            header: [0; 5],
            header_len: 0,
            body_left: 0,
            failed: None,
        }
    }

    /// Follows the frame boundaries through `data`, checking each header as it completes.
    fn scan(&mut self, data: &[u8]) -> Result<(), String> {
        let mut rest = data;
        if self.mode == Mode::SslAnswer {
            match rest.split_first() {
                Some((b'S', _)) => self.mode = Mode::Passthrough,
                Some((b'N', tail)) => {
                    self.mode = Mode::Frames;
                    rest = tail;
                }
                Some(_) => self.mode = Mode::Frames,
                None => {}
            }
        }
        if self.mode == Mode::Passthrough {
            return Ok(());
        }
        while !rest.is_empty() {
            if self.body_left > 0 {
                let n = self.body_left.min(rest.len());
                self.body_left -= n;
                rest = rest.get(n..).unwrap_or_default();
                continue;
            }
            let Some((&byte, tail)) = rest.split_first() else {
                break;
            };
            rest = tail;
            if let Some(slot) = self.header.get_mut(self.header_len) {
                *slot = byte;
            }
            self.header_len += 1;
            if self.header_len == self.header.len() {
                self.header_len = 0;
                let [tag, a, b, c, d] = self.header;
                let len = i32::from_be_bytes([a, b, c, d]);
                let tag = (tag as char).escape_default();
                if len < 4 {
                    return Err(format!(
                        "backend frame '{tag}' declares length {len}, below the minimum of 4"
                    ));
                }
                let declared = usize::try_from(len).unwrap_or(usize::MAX);
                if declared > self.max_message_len {
                    return Err(format!(
                        "backend frame '{tag}' declares length {len}, above the limit of {} bytes",
                        self.max_message_len
                    ));
                }
                self.body_left = declared - 4;
            }
        }
        Ok(())
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for BoundedStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Some(msg) = &this.failed {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, msg.clone())));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let fresh = buf.filled().get(before..).unwrap_or_default();
        if let Err(msg) = this.scan(fresh) {
            // Withdraw the bytes so the driver never acts on the bad header.
            buf.set_filled(before);
            this.failed = Some(msg.clone());
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, msg)));
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for BoundedStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
