//! The raw face: our own codec over one connection, every message visible.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use bytes::BytesMut;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::auth::authenticate;
use super::error::SessionError;
use super::options::{ConnectOptions, TlsMode};
use super::stream::PgStream;
use super::tls;
use crate::wire::{BackendMessage, Direction, FrameDecoder, FrontendMessage, Transcript};

/// What a CancelRequest needs: the backend's process id and secret key (4 bytes in protocol
/// 3.0, up to 256 in 3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendKey {
    pub pid: i32,
    pub key: Vec<u8>,
}

/// How much one socket read asks for; frames larger than this arrive over several reads.
const READ_CHUNK: usize = 16 * 1024;

pub struct RawSession {
    stream: PgStream,
    decoder: FrameDecoder,
    write_buf: BytesMut,
    read_buf: Box<[u8]>,
    io_timeout: Duration,
    max_result_bytes: usize,
    server_params: BTreeMap<String, String>,
    backend_key: Option<BackendKey>,
    transaction_status: u8,
    protocol_version: (u16, u16),
    recording: bool,
    transcript: Transcript,
}

/// Opens the TCP stream (and, unless `opts.tls` is `Disable`, negotiates TLS with an
/// SSLRequest) without sending a startup message, for protocol scripts that send their own.
/// A script that sends its own SSLRequest gets the `EncryptionResponse` from `recv` and then
/// calls [`RawSession::start_tls`].
pub async fn connect_raw_startup(opts: &ConnectOptions) -> Result<RawSession, SessionError> {
    within(
        opts.connect_timeout,
        format!("connecting to {}:{}", opts.host, opts.port),
        async {
            let tcp = TcpStream::connect((opts.host.as_str(), opts.port)).await?;
            tcp.set_nodelay(true)?;
            let mut session = RawSession::new(PgStream::Tcp(tcp), opts);
            if opts.tls != TlsMode::Disable {
                session.send(&[FrontendMessage::SslRequest]).await?;
                match session.recv().await? {
                    BackendMessage::EncryptionResponse { accepted: true } => {
                        session.start_tls(opts).await?
                    }
                    BackendMessage::EncryptionResponse { accepted: false }
                        if opts.tls == TlsMode::Prefer => {}
                    BackendMessage::EncryptionResponse { accepted: false } => {
                        return Err(SessionError::Tls(
                            "the server refused the SSLRequest (sslmode=require)".into(),
                        ));
                    }
                    BackendMessage::ErrorResponse(fields) => {
                        return Err(SessionError::Auth(fields));
                    }
                    other => {
                        return Err(SessionError::Protocol(format!(
                            "{} in answer to SSLRequest",
                            other.name()
                        )));
                    }
                }
            }
            Ok(session)
        },
    )
    .await
}

/// Runs `fut`, failing with a Timeout naming `what` when it takes longer than `limit`.
pub(super) async fn within<T>(
    limit: Duration,
    what: impl Into<String>,
    fut: impl Future<Output = Result<T, SessionError>>,
) -> Result<T, SessionError> {
    match tokio::time::timeout(limit, fut).await {
        Ok(result) => result,
        Err(_) => Err(SessionError::Timeout {
            what: format!("{} after {limit:?}", what.into()),
        }),
    }
}

impl std::fmt::Debug for RawSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawSession")
            .field("tls", &self.stream.is_tls())
            .field("backend_key", &self.backend_key.as_ref().map(|k| k.pid))
            .field("transaction_status", &(self.transaction_status as char))
            .field("protocol_version", &self.protocol_version)
            .field("transcript_entries", &self.transcript.entries.len())
            .finish_non_exhaustive()
    }
}

impl RawSession {
    fn new(stream: PgStream, opts: &ConnectOptions) -> Self {
        RawSession {
            stream,
            decoder: FrameDecoder::new(opts.max_message_len),
            write_buf: BytesMut::new(),
            read_buf: vec![0; READ_CHUNK].into_boxed_slice(),
            io_timeout: opts.io_timeout,
            max_result_bytes: opts.max_result_bytes,
            server_params: BTreeMap::new(),
            backend_key: None,
            transaction_status: b'I',
            protocol_version: opts.protocol_version,
            recording: opts.record_transcript,
            transcript: Transcript::default(),
        }
    }

    /// Connects, sends a 3.0 startup message (user, database, client_encoding=UTF8 unless
    /// given, then `opts.params`) and authenticates (trust, cleartext, MD5, SCRAM-SHA-256)
    /// until the first ReadyForQuery.
    pub async fn connect(opts: &ConnectOptions) -> Result<RawSession, SessionError> {
        within(
            opts.connect_timeout,
            format!("starting a session on {}:{}", opts.host, opts.port),
            async {
                let mut session = connect_raw_startup(opts).await?;
                session.send(&[startup_message(opts)]).await?;
                authenticate(&mut session, opts).await?;
                Ok(session)
            },
        )
        .await
    }

    /// Upgrades the stream to TLS after the server accepted an SSLRequest.
    pub async fn start_tls(&mut self, opts: &ConnectOptions) -> Result<(), SessionError> {
        if self.decoder.buffered() > 0 {
            // Bytes sent before the handshake would be read as if they came over TLS.
            return Err(SessionError::Protocol(format!(
                "{} unencrypted byte(s) followed the SSLRequest answer",
                self.decoder.buffered()
            )));
        }
        let tcp = match std::mem::replace(&mut self.stream, PgStream::Closed) {
            PgStream::Tcp(tcp) => tcp,
            other => {
                self.stream = other;
                return Err(SessionError::Tls("the stream is not plain TCP".into()));
            }
        };
        self.stream = PgStream::Tls(Box::new(tls::handshake(tcp, opts).await?));
        Ok(())
    }

    pub(super) fn stream_mut(&mut self) -> &mut PgStream {
        &mut self.stream
    }

    pub fn is_tls(&self) -> bool {
        self.stream.is_tls()
    }

    /// Every ParameterStatus seen so far, kept up to date as the server reports changes.
    pub fn server_params(&self) -> &BTreeMap<String, String> {
        &self.server_params
    }

    pub fn backend_key(&self) -> Option<&BackendKey> {
        self.backend_key.as_ref()
    }

    /// The protocol version in use: the one asked for, lowered by NegotiateProtocolVersion.
    pub fn protocol_version(&self) -> (u16, u16) {
        self.protocol_version
    }

    /// `b'I'`, `b'T'` or `b'E'` from the last ReadyForQuery.
    pub fn transaction_status(&self) -> u8 {
        self.transaction_status
    }

    /// Changes the per-message wait, e.g. for a statement known to be slow.
    pub fn set_io_timeout(&mut self, limit: Duration) {
        self.io_timeout = limit;
    }

    pub(super) fn max_result_bytes(&self) -> usize {
        self.max_result_bytes
    }

    /// Turns transcript recording on or off (builder style).
    pub fn with_transcript(mut self, on: bool) -> Self {
        self.recording = on;
        self
    }

    pub fn set_recording(&mut self, on: bool) {
        self.recording = on;
    }

    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Hands over the transcript so far and starts a fresh one.
    pub fn take_transcript(&mut self) -> Transcript {
        std::mem::take(&mut self.transcript)
    }

    /// Encodes all `msgs` into one buffer and writes it. After an SSLRequest/GSSENCRequest the
    /// next `recv` reads the single-byte answer.
    pub async fn send(&mut self, msgs: &[FrontendMessage]) -> Result<(), SessionError> {
        self.write_buf.clear();
        for msg in msgs {
            msg.encode(&mut self.write_buf);
            if matches!(
                msg,
                FrontendMessage::SslRequest | FrontendMessage::GssEncRequest
            ) {
                self.decoder.expect_single_byte();
            }
            if self.recording {
                self.transcript.push(Direction::Send, msg.to_string());
            }
        }
        let (stream, buf) = (&mut self.stream, &self.write_buf);
        within(self.io_timeout, "sending to the server", async {
            stream.write_all(buf).await?;
            stream.flush().await?;
            Ok(())
        })
        .await
    }

    /// The next message from the server, waiting at most `io_timeout`. ParameterStatus,
    /// BackendKeyData and ReadyForQuery also update the session's state.
    pub async fn recv(&mut self) -> Result<BackendMessage, SessionError> {
        let limit = self.io_timeout;
        let frame = within(limit, "waiting for a message from the server", async {
            loop {
                if let Some(frame) = self.decoder.next_frame()? {
                    return Ok(frame);
                }
                let n = self.stream.read(&mut self.read_buf).await?;
                if n == 0 {
                    return Err(SessionError::Closed);
                }
                self.decoder
                    .push(self.read_buf.get(..n).unwrap_or_default());
            }
        })
        .await?;
        let msg = match BackendMessage::parse(&frame) {
            Ok(msg) => msg,
            Err(e) => {
                if self.recording {
                    self.transcript
                        .push(Direction::Recv, format!("<malformed: {e}>"));
                }
                return Err(e.into());
            }
        };
        if self.recording {
            self.transcript.push(Direction::Recv, msg.to_string());
        }
        match &msg {
            BackendMessage::ParameterStatus { name, value } => {
                self.server_params.insert(name.clone(), value.clone());
            }
            BackendMessage::BackendKeyData { pid, key } => {
                self.backend_key = Some(BackendKey {
                    pid: *pid,
                    key: key.clone(),
                });
            }
            BackendMessage::ReadyForQuery { status } => self.transaction_status = *status,
            BackendMessage::NegotiateProtocolVersion { newest_minor, .. } => {
                // PostgreSQL sends the full version code (3 << 16 | minor), not just the minor.
                let minor = u16::try_from(*newest_minor & 0xffff).unwrap_or(0);
                self.protocol_version.1 = self.protocol_version.1.min(minor);
            }
            _ => {}
        }
        Ok(msg)
    }

    /// Every message up to and including the next ReadyForQuery, for protocol scripts. At most
    /// `max_messages` are read: a server that never says ReadyForQuery gets a Protocol error.
    pub async fn recv_until_ready(
        &mut self,
        max_messages: usize,
    ) -> Result<Vec<BackendMessage>, SessionError> {
        let mut out = Vec::new();
        while out.len() < max_messages {
            let msg = self.recv().await?;
            let done = matches!(msg, BackendMessage::ReadyForQuery { .. });
            out.push(msg);
            if done {
                return Ok(out);
            }
        }
        Err(SessionError::Protocol(format!(
            "no ReadyForQuery within {max_messages} messages"
        )))
    }

    /// Sends Terminate and closes the connection; errors are moot at this point.
    pub async fn terminate(mut self) {
        let _ = self.send(&[FrontendMessage::Terminate]).await;
        let _ = tokio::time::timeout(Duration::from_secs(1), self.stream.shutdown()).await;
    }
}

fn startup_message(opts: &ConnectOptions) -> FrontendMessage {
    let mut params = vec![
        ("user".to_owned(), opts.user.clone()),
        ("database".to_owned(), opts.database.clone()),
    ];
    if !opts
        .params
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("client_encoding"))
    {
        params.push(("client_encoding".to_owned(), "UTF8".to_owned()));
    }
    params.extend(opts.params.iter().cloned());
    FrontendMessage::Startup {
        version: opts.protocol_version,
        params,
    }
}
