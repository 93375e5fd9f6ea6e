//! Reading frontend frames off the socket with PostgreSQL 15's limits, and a cursor over a
//! frame body with its `pq_getmsg*` errors. Nothing here trusts a declared length: bytes are
//! buffered only as they arrive, and every read of a body is bounds-checked.

use bytes::{Buf, BytesMut};
use pgwire::error::{ErrorInfo, PgWireError};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Largest startup-phase packet (`MAX_STARTUP_PACKET_LENGTH`).
pub const MAX_STARTUP_PACKET: usize = 10_000;
/// `PQ_SMALL_MESSAGE_LIMIT`: most message types.
const SMALL_LIMIT: usize = 10_000;
/// `PQ_LARGE_MESSAGE_LIMIT` (`MaxAllocSize - 1`): Query, Parse, Bind, CopyData, FunctionCall.
const LARGE_LIMIT: usize = 0x3fff_fffe;
/// Most bytes asked of the socket at once, so a large declared length allocates gradually.
const READ_CHUNK: usize = 64 * 1024;
/// Fewest bytes asked of the socket: a whole pipeline of small messages (Bind, Describe,
/// Execute, Sync) arrives in one read instead of one read per message part.
const READ_MIN: usize = 8 * 1024;

/// Bytes read from the client but not yet consumed.
#[derive(Default)]
pub struct Inbound {
    buf: BytesMut,
}

/// One frame of the regular (post-startup) protocol.
pub struct Frame {
    pub tag: u8,
    pub body: BytesMut,
}

/// Why no frame could be read; each ends the connection the way PostgreSQL does.
pub enum ReadError {
    /// The client closed the connection (or it failed): close silently.
    Closed,
    /// A length outside PostgreSQL's limits: logged there, and the connection closes silently.
    BadLength,
    /// Not a frontend message type: FATAL 08P01 before the length is even read.
    UnknownType(u8),
}

impl From<std::io::Error> for ReadError {
    fn from(_: std::io::Error) -> Self {
        ReadError::Closed
    }
}

impl Inbound {
    /// Bytes already buffered (after an SSLRequest these would be unencrypted pipelining).
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Buffer at least `n` bytes; `Closed` on end of stream first.
    async fn fill<R: AsyncRead + Unpin>(&mut self, io: &mut R, n: usize) -> Result<(), ReadError> {
        while self.buf.len() < n {
            self.buf
                .reserve((n - self.buf.len()).clamp(READ_MIN, READ_CHUNK));
            if io.read_buf(&mut self.buf).await? == 0 {
                return Err(ReadError::Closed);
            }
        }
        Ok(())
    }

    /// A startup-phase packet (no type byte): its body after the length word.
    pub async fn startup_packet<R: AsyncRead + Unpin>(
        &mut self,
        io: &mut R,
    ) -> Result<BytesMut, ReadError> {
        self.fill(io, 4).await?;
        let len = i32::from_be_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]);
        let len = usize::try_from(len).map_err(|_| ReadError::BadLength)?;
        if !(8..=MAX_STARTUP_PACKET).contains(&len) {
            return Err(ReadError::BadLength);
        }
        self.fill(io, len).await?;
        self.buf.advance(4);
        Ok(self.buf.split_to(len - 4))
    }

    /// A typed message, with PostgreSQL 15's per-type maximum length.
    pub async fn frame<R: AsyncRead + Unpin>(&mut self, io: &mut R) -> Result<Frame, ReadError> {
        self.fill(io, 1).await?;
        let tag = self.buf[0];
        let limit = max_length(tag).ok_or(ReadError::UnknownType(tag))?;
        self.typed_body(io, tag, limit).await
    }

    /// A message during authentication: any type byte (the caller checks it), small limit.
    pub async fn auth_frame<R: AsyncRead + Unpin>(
        &mut self,
        io: &mut R,
        limit: usize,
    ) -> Result<Frame, ReadError> {
        self.fill(io, 1).await?;
        let tag = self.buf[0];
        if tag != b'p' {
            self.buf.advance(1);
            return Ok(Frame {
                tag,
                body: BytesMut::new(),
            });
        }
        self.typed_body(io, tag, limit).await
    }

    /// The rest of a typed message whose type byte is buffered: its length (4..=`limit`),
    /// then its body, read only as the bytes arrive.
    async fn typed_body<R: AsyncRead + Unpin>(
        &mut self,
        io: &mut R,
        tag: u8,
        limit: usize,
    ) -> Result<Frame, ReadError> {
        self.fill(io, 5).await?;
        let len = i32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]);
        let len = usize::try_from(len).map_err(|_| ReadError::BadLength)?;
        if !(4..=limit).contains(&len) {
            return Err(ReadError::BadLength);
        }
        self.fill(io, len + 1).await?;
        self.buf.advance(5);
        Ok(Frame {
            tag,
            body: self.buf.split_to(len - 4),
        })
    }
}

/// The frontend message types PostgreSQL 15 accepts after startup, and their size limits.
fn max_length(tag: u8) -> Option<usize> {
    match tag {
        b'Q' | b'F' | b'B' | b'P' | b'd' => Some(LARGE_LIMIT),
        b'X' | b'C' | b'D' | b'E' | b'H' | b'S' | b'c' | b'f' => Some(SMALL_LIMIT),
        _ => None,
    }
}

/// A protocol error (boxed: `ErrorInfo` is large and errors are rare).
pub type WireError = Box<ErrorInfo>;

/// A protocol-level error as PostgreSQL reports it.
pub fn error(severity: &str, code: &str, message: impl Into<String>) -> WireError {
    let mut info = ErrorInfo::new(severity.to_owned(), code.to_owned(), message.into());
    info.severity_nonlocalized = Some(severity.to_owned());
    Box::new(info)
}

pub fn into_wire(info: WireError) -> PgWireError {
    PgWireError::UserError(info)
}

/// A read position in a frame body, failing like PostgreSQL's `pq_getmsg*` functions.
pub struct Cursor<'a> {
    body: &'a [u8],
    pos: usize,
}

pub type CursorResult<T> = Result<T, WireError>;

fn insufficient() -> WireError {
    error("ERROR", "08P01", "insufficient data left in message")
}

impl<'a> Cursor<'a> {
    pub fn new(body: &'a [u8]) -> Self {
        Self { body, pos: 0 }
    }

    fn rest(&self) -> &'a [u8] {
        self.body.get(self.pos..).unwrap_or_default()
    }

    /// `pq_getmsgbytes`: exactly `n` bytes (negative: insufficient data).
    pub fn bytes(&mut self, n: i64) -> CursorResult<&'a [u8]> {
        let n = usize::try_from(n).map_err(|_| insufficient())?;
        let out = self.rest().get(..n).ok_or_else(insufficient)?;
        self.pos += n;
        Ok(out)
    }

    pub fn byte(&mut self) -> CursorResult<u8> {
        let b = *self
            .rest()
            .first()
            .ok_or_else(|| error("ERROR", "08P01", "no data left in message"))?;
        self.pos += 1;
        Ok(b)
    }

    pub fn u16(&mut self) -> CursorResult<u16> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub fn i16(&mut self) -> CursorResult<i16> {
        self.u16().map(|v| v as i16)
    }

    pub fn i32(&mut self) -> CursorResult<i32> {
        let b = self.bytes(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// `pq_getmsgrawstring`: up to the NUL, unchecked bytes.
    pub fn raw_string(&mut self) -> CursorResult<&'a [u8]> {
        let rest = self.rest();
        let end = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| error("ERROR", "08P01", "invalid string in message"))?;
        self.pos += end + 1;
        Ok(&rest[..end])
    }

    /// `pq_getmsgstring`: a NUL-terminated string in the client encoding (UTF8), validated.
    pub fn string(&mut self) -> CursorResult<String> {
        let raw = self.raw_string()?;
        utf8(raw).map(str::to_owned)
    }

    /// `pq_getmsgend`: the body must be fully consumed.
    pub fn end(&self) -> CursorResult<()> {
        if self.pos == self.body.len() {
            Ok(())
        } else {
            Err(error("ERROR", "08P01", "invalid message format"))
        }
    }

    /// Everything left (CopyData's payload).
    pub fn remaining(&mut self) -> &'a [u8] {
        let rest = self.rest();
        self.pos = self.body.len();
        rest
    }
}

/// Check UTF-8 as `pg_verify_mbstr` does, with its 22021 message naming the bad bytes.
pub fn utf8(raw: &[u8]) -> CursorResult<&str> {
    std::str::from_utf8(raw).map_err(|e| {
        let bad = raw.get(e.valid_up_to()..).unwrap_or_default();
        let first = bad.first().copied().unwrap_or(0);
        // pg_utf_mblen: the sequence length the lead byte announces.
        let announced = match first {
            b if b & 0xe0 == 0xc0 => 2,
            b if b & 0xf0 == 0xe0 => 3,
            b if b & 0xf8 == 0xf0 => 4,
            _ => 1,
        };
        let shown: Vec<String> = bad
            .iter()
            .take(announced.min(8))
            .map(|b| format!("0x{b:02x}"))
            .collect();
        error(
            "ERROR",
            "22021",
            format!(
                "invalid byte sequence for encoding \"UTF8\": {}",
                shown.join(" ")
            ),
        )
    })
}
