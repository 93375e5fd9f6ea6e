//! Incremental, bounded framing of the backend byte stream.

use bytes::{Bytes, BytesMut};

use super::error::WireError;

/// One complete backend frame: its type byte and the body after the length word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub tag: u8,
    pub body: Bytes,
    /// True for the lone `'S'`/`'N'` answer to SSLRequest/GSSENCRequest, which has no length
    /// word and so would otherwise look like a (broken) ParameterStatus/NoticeResponse.
    pub single_byte: bool,
}

/// Push bytes in as they arrive, pop complete frames out.
///
/// The declared length is checked before any space is set aside for the body, so a hostile
/// length costs nothing: the buffer only ever holds bytes that actually arrived. After a framing
/// error the stream cannot be resynchronised, so the decoder keeps returning that error.
#[derive(Debug)]
pub struct FrameDecoder {
    buf: BytesMut,
    max_message_len: usize,
    expect_single_byte: bool,
    failed: Option<WireError>,
}

impl FrameDecoder {
    /// `max_message_len` bounds the declared length (which counts its own 4 bytes).
    pub fn new(max_message_len: usize) -> Self {
        FrameDecoder {
            buf: BytesMut::new(),
            max_message_len,
            expect_single_byte: false,
            failed: None,
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next byte is the answer to an SSLRequest or GSSENCRequest: it is read as
    /// a single-byte frame (`'S'`, `'G'` or `'N'`). Any other byte (a server that rejects the request with an
    /// ErrorResponse) falls back to normal framing.
    pub fn expect_single_byte(&mut self) {
        self.expect_single_byte = true;
    }

    /// Bytes received but not yet returned as frames. After an `'S'` answer this must be zero:
    /// bytes sent before the TLS handshake would be unauthenticated (CVE-2021-23222).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    pub fn next_frame(&mut self) -> Result<Option<Frame>, WireError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        if self.expect_single_byte {
            let Some(&first) = self.buf.first() else {
                return Ok(None);
            };
            self.expect_single_byte = false;
            if matches!(first, b'S' | b'G' | b'N') {
                let _ = self.buf.split_to(1);
                return Ok(Some(Frame {
                    tag: first,
                    body: Bytes::new(),
                    single_byte: true,
                }));
            }
        }
        let Some(header) = self.buf.get(..5) else {
            return Ok(None);
        };
        let tag = header.first().copied().unwrap_or_default();
        let len_bytes: [u8; 4] = header
            .get(1..5)
            .and_then(|s| s.try_into().ok())
            .unwrap_or_default();
        let len = i32::from_be_bytes(len_bytes);
        if len < 4 {
            return Err(self.fail(WireError::LengthTooSmall { tag, len }));
        }
        let declared = usize::try_from(len).unwrap_or(usize::MAX);
        if declared > self.max_message_len {
            let max = self.max_message_len;
            return Err(self.fail(WireError::LengthTooLarge { tag, len, max }));
        }
        let total = declared.saturating_add(1);
        if self.buf.len() < total {
            return Ok(None);
        }
        let mut frame = self.buf.split_to(total);
        let body = frame.split_off(5).freeze();
        Ok(Some(Frame {
            tag,
            body,
            single_byte: false,
        }))
    }

    fn fail(&mut self, err: WireError) -> WireError {
        self.failed = Some(err.clone());
        err
    }
}
