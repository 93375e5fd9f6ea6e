//! One client connection, driven here instead of by `pgwire::tokio::process_socket`: the
//! pre-startup requests (SSLRequest, GSSENCRequest, CancelRequest), startup and
//! authentication, then the message loop. Every frame is read with PostgreSQL's length
//! limits and decoded by [`super::decode`] before pgwire's `process_message` sees it, so
//! malformed input gets PostgreSQL 15's answer and can never panic the session.

use std::sync::Arc;
use std::time::Duration;

use bytes::{BufMut, BytesMut};
use futures::SinkExt;
use pgwire::api::{ClientInfo, DefaultClient, PgWireConnectionState};
use pgwire::error::{ErrorInfo, PgWireError};
use pgwire::messages::response::ErrorResponse;
use pgwire::messages::{PgWireBackendMessage, ProtocolVersion};
use pgwire::tokio::TlsAcceptor;
use pgwire::tokio::server::{MaybeTls, PgWireMessageServerCodec, process_error, process_message};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_util::codec::Framed;

use super::cancel::Canceller;
use super::decode::{Decoded, decode};
use super::frame::{Frame, Inbound, ReadError, WireError, error, into_wire};
use super::startup::{self, StartupError};
use super::startup_packet::{self, CANCEL_REQUEST_CODE, GSSENC_REQUEST_CODE, SSL_REQUEST_CODE};
use super::{Backend, extended};
use crate::session::Shared;

/// PostgreSQL's `authentication_timeout` default: startup must finish within this.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

type Codec = PgWireMessageServerCodec<extended::Statement>;

/// The connection after TLS negotiation: pgwire's framed writer (which is also the
/// `ClientInfo` the handlers use) and the bytes read but not yet consumed.
pub struct Conn {
    pub framed: Framed<MaybeTls, Codec>,
    inbound: Inbound,
}

impl Conn {
    pub async fn feed(&mut self, m: PgWireBackendMessage) -> std::io::Result<()> {
        self.framed.feed(m).await
    }

    pub async fn send(&mut self, m: PgWireBackendMessage) -> std::io::Result<()> {
        self.framed.send(m).await
    }

    pub async fn auth_frame(&mut self, limit: usize) -> Result<Frame, ReadError> {
        self.inbound.auth_frame(self.framed.get_mut(), limit).await
    }

    /// Send a FATAL error and end the connection.
    async fn fatal(&mut self, info: WireError) {
        let _ = self
            .framed
            .send(PgWireBackendMessage::ErrorResponse(ErrorResponse::from(
                *info,
            )))
            .await;
    }

    /// Write bytes pgwire cannot encode (non-UTF-8 error text), after anything queued.
    async fn write_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.framed.flush().await?;
        let io = self.framed.get_mut();
        io.write_all(bytes).await?;
        io.flush().await
    }
}

/// Serve one accepted connection to its end.
pub async fn serve(tcp: TcpStream, shared: Arc<Shared>) {
    let backend = Arc::new(Backend::new(shared.clone()));
    let started = tokio::time::timeout(STARTUP_TIMEOUT, start(tcp, &backend, &shared)).await;
    let Ok(Some(mut conn)) = started else {
        return;
    };
    message_loop(&mut conn, &backend).await;
    let _ = conn.framed.close().await;
}

/// What the first packets asked for.
enum Opening {
    Startup {
        io: MaybeTls,
        secure: bool,
        inbound: Inbound,
        body: BytesMut,
    },
    Done,
}

/// SSLRequest / GSSENCRequest / CancelRequest handling up to the StartupMessage, as in
/// PostgreSQL 15's `ProcessStartupPacket`: after a refused GSSENCRequest an SSLRequest is
/// still answered, and a second SSLRequest is just an unsupported protocol version.
async fn open(tcp: TcpStream, shared: &Shared) -> Opening {
    let mut io = MaybeTls::Plain(tcp);
    let mut secure = false;
    let mut inbound = Inbound::default();
    let (mut ssl_done, mut gss_done) = (false, false);
    loop {
        let Ok(body) = inbound.startup_packet(&mut io).await else {
            return Opening::Done;
        };
        match be_u32(&body) {
            CANCEL_REQUEST_CODE => {
                if let (12, Some(pid), Some(key)) = (body.len(), body.get(4..8), body.get(8..)) {
                    shared.cancels.cancel(be_u32(pid) as i32, key);
                }
                return Opening::Done;
            }
            SSL_REQUEST_CODE if !ssl_done => {
                let acceptor = shared.tls_acceptor();
                let answer = if acceptor.is_some() { b'S' } else { b'N' };
                if io.write_all(&[answer]).await.is_err() {
                    return Opening::Done;
                }
                ssl_done = true;
                let Some(acceptor) = acceptor else {
                    continue;
                };
                // Only reachable before TLS: a second SSLRequest is not answered here.
                let MaybeTls::Plain(tcp) = io else {
                    return Opening::Done;
                };
                if !inbound.is_empty() {
                    // CVE-2021-23214: bytes pipelined after SSLRequest are not trusted.
                    let mut plain = tcp;
                    let bytes = raw_error(&error(
                        "FATAL",
                        "08P01",
                        "received unencrypted data after SSL request",
                    ));
                    let _ = plain.write_all(&bytes).await;
                    return Opening::Done;
                }
                match accept(acceptor, tcp).await {
                    Some(tls) => io = tls,
                    None => return Opening::Done,
                }
                secure = true;
                gss_done = true;
            }
            GSSENC_REQUEST_CODE if !gss_done => {
                if io.write_all(b"N").await.is_err() {
                    return Opening::Done;
                }
                gss_done = true;
            }
            _ => {
                return Opening::Startup {
                    io,
                    secure,
                    inbound,
                    body,
                };
            }
        }
    }
}

async fn accept(acceptor: TlsAcceptor, tcp: TcpStream) -> Option<MaybeTls> {
    acceptor
        .accept(tcp)
        .await
        .ok()
        .map(|s| MaybeTls::Tls(Box::new(s)))
}

/// Negotiation, StartupMessage and authentication: a ready connection, or `None` when the
/// connection ended (after its FATAL error, if any).
async fn start(tcp: TcpStream, backend: &Backend, shared: &Shared) -> Option<Conn> {
    let addr = tcp.peer_addr().ok()?;
    let Opening::Startup {
        io,
        secure,
        inbound,
        body,
    } = open(tcp, shared).await
    else {
        return None;
    };
    let client: DefaultClient<extended::Statement> = DefaultClient::new(addr, secure);
    let mut conn = Conn {
        framed: Framed::new(io, PgWireMessageServerCodec::new(client)),
        inbound,
    };
    conn.framed
        .set_state(PgWireConnectionState::AwaitingStartup);
    // PostgreSQL 15 speaks 3.0 only (4-byte cancel keys); pgwire's default is newer.
    conn.framed
        .set_protocol_version(ProtocolVersion::PROTOCOL3_0);

    let code = be_u32(&body);
    let (major, minor) = ((code >> 16) as u16, (code & 0xffff) as u16);
    let unsupported =
        format!("unsupported frontend protocol {major}.{minor}: server supports 3.0 to 3.0");
    if major < 3 {
        // PostgreSQL answers an old-protocol client in the old format: 'E', text, NUL.
        let mut old = vec![b'E'];
        old.extend_from_slice(format!("FATAL:  {unsupported}\n\0").as_bytes());
        let _ = conn.write_raw(&old).await;
        return None;
    }
    if major > 3 {
        conn.fatal(error("FATAL", "0A000", unsupported)).await;
        return None;
    }
    let params = match startup_packet::parse(&body) {
        Ok(p) => p,
        Err(e) => {
            conn.fatal(e).await;
            return None;
        }
    };
    match startup::run(backend, &mut conn, minor, params).await {
        Ok(()) => Some(conn),
        Err(StartupError::Fatal(e)) => {
            conn.fatal(e).await;
            None
        }
        Err(StartupError::UnknownRawRole(user)) => {
            let mut message = b"role \"".to_vec();
            message.extend_from_slice(&user);
            message.extend_from_slice(b"\" does not exist");
            let bytes = encode_error(&[
                (b'S', b"FATAL"),
                (b'V', b"FATAL"),
                (b'C', b"28000"),
                (b'M', &message),
            ]);
            let _ = conn.write_raw(&bytes).await;
            None
        }
        Err(StartupError::Closed) => None,
    }
}

/// The big-endian u32 at the start of `b` (startup packets have at least 4 bytes).
fn be_u32(b: &[u8]) -> u32 {
    b.get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, u32::from_be_bytes)
}

/// An ErrorResponse from raw field bytes.
fn encode_error(fields: &[(u8, &[u8])]) -> Vec<u8> {
    let mut body = BytesMut::new();
    for (code, value) in fields {
        body.put_u8(*code);
        body.put_slice(value);
        body.put_u8(0);
    }
    body.put_u8(0);
    let mut out = vec![b'E'];
    out.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
    out.extend_from_slice(&body);
    out
}

fn raw_error(info: &ErrorInfo) -> Vec<u8> {
    encode_error(&[
        (b'S', info.severity.as_bytes()),
        (b'V', info.severity.as_bytes()),
        (b'C', info.code.as_bytes()),
        (b'M', info.message.as_bytes()),
    ])
}

/// The FATAL error a terminated session ends with.
fn terminated() -> WireError {
    let mut info = crate::session::control::terminated_error().into_error_info();
    info.severity = "FATAL".into();
    info.severity_nonlocalized = Some("FATAL".into());
    Box::new(info)
}

/// Messages after startup until Terminate, a FATAL error or the end of the stream.
async fn message_loop(conn: &mut Conn, backend: &Arc<Backend>) {
    // Never called: CancelRequests are handled before startup, in `open`.
    let canceller = Arc::new(Canceller::new(backend.session.shared.clone()));
    loop {
        // An idle session (no transaction block) gets notifications as they are committed.
        let idle = matches!(conn.framed.state(), PgWireConnectionState::ReadyForQuery)
            && backend.session.tx().status == crate::session::transaction::TxStatus::Idle;
        let control = backend.session.control.clone();
        let read = tokio::select! {
            biased;
            () = control.terminated() => {
                conn.fatal(terminated()).await;
                return;
            }
            f = conn.inbound.frame(conn.framed.get_mut()) => Some(f),
            () = backend.session.mailbox.wake.notified(), if idle => None,
        };
        let Some(read) = read else {
            let sent = backend.feed_notifications(&mut conn.framed).await;
            if sent.is_err() || conn.framed.flush().await.is_err() {
                return;
            }
            continue;
        };
        let frame = match read {
            Ok(f) => f,
            Err(ReadError::UnknownType(t)) => {
                conn.fatal(error(
                    "FATAL",
                    "08P01",
                    format!("invalid frontend message type {t}"),
                ))
                .await;
                return;
            }
            Err(ReadError::Closed | ReadError::BadLength) => return,
        };
        if frame.tag == b'X' {
            return;
        }
        let state = conn.framed.state();
        // After an error in extended mode everything up to Sync is skipped unread.
        if matches!(state, PgWireConnectionState::AwaitingSync) && frame.tag != b'S' {
            continue;
        }
        if matches!(state, PgWireConnectionState::CopyInProgress(_))
            && !matches!(frame.tag, b'd' | b'c' | b'f' | b'H' | b'S')
        {
            backend.copy_interrupted(&mut conn.framed, frame.tag).await;
            return;
        }
        let extended = match state {
            PgWireConnectionState::CopyInProgress(extended) => extended,
            _ => matches!(frame.tag, b'P' | b'B' | b'E' | b'D' | b'C' | b'H'),
        };
        let result = match decode(frame.tag, &frame.body) {
            Ok(Decoded::Message(msg)) => {
                process_message(
                    msg,
                    &mut conn.framed,
                    backend.clone(),
                    backend.clone(),
                    backend.clone(),
                    backend.clone(),
                    canceller.clone(),
                )
                .await
            }
            Ok(Decoded::Unsupported(e)) | Err(e) => {
                backend.session.tx().on_error();
                let status = backend.session.tx().wire_status();
                conn.framed.set_transaction_status(status);
                Err(into_wire(e))
            }
        };
        if backend.session.control.is_terminated() {
            // pg_terminate_backend ran (maybe in this very statement): FATAL instead of
            // whatever the statement would have ended with, and no ReadyForQuery.
            if !matches!(result, Err(PgWireError::IoError(_))) {
                conn.fatal(terminated()).await;
            }
            return;
        }
        if let Err(e) = result {
            if matches!(e, PgWireError::IoError(_)) {
                return;
            }
            let fatal = e.is_fatal();
            if process_error(&mut conn.framed, e, extended).await.is_err() || fatal {
                return;
            }
        }
    }
}

/// pgwire's handlers are `async_trait`s: every message allocates its handler's future on the
/// heap and moves it there. Planning and running a statement are futures of tens of KiB, so
/// the per-message paths box them; this guards that they stay boxed (an unboxed
/// `session.run` makes these futures ~80 KiB in a debug build).
#[cfg(test)]
mod future_sizes {
    use super::*;
    use pgwire::api::portal::Portal;

    type F = Framed<MaybeTls, Codec>;
    type P = Portal<extended::Statement>;

    /// Generous for a debug build: today's sizes are 0.1–2 KiB.
    const SMALL: usize = 8 * 1024;

    fn size<A, R>(_f: impl FnOnce(A) -> R) -> usize {
        std::mem::size_of::<R>()
    }

    #[test]
    fn per_message_futures_stay_small() {
        let sizes = [
            (
                "execute_portal",
                size(
                    |(b, c, p): (&'static Backend, &'static mut F, &'static P)| {
                        b.execute_portal(c, p, 0)
                    },
                ),
            ),
            (
                "run_simple",
                size(|(b, c): (&'static Backend, &'static mut F)| b.run_simple(c, "")),
            ),
            (
                "ready",
                size(|(b, c): (&'static Backend, &'static mut F)| b.ready(c)),
            ),
            (
                "prepare_cached",
                size(|p: &'static extended::Parser| p.prepare_cached("", &[])),
            ),
        ];
        for (name, bytes) in sizes {
            assert!(bytes <= SMALL, "{name}'s future is {bytes} bytes");
        }
    }
}
