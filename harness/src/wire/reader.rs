//! A bounds-checked cursor over one message body: every read says what it was reading so the
//! error names the field, and nothing indexes past the end.

use bytes::Bytes;

use super::error::WireError;

pub(crate) struct Reader<'a> {
    message: &'static str,
    body: &'a Bytes,
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(message: &'static str, body: &'a Bytes) -> Self {
        Reader {
            message,
            body,
            pos: 0,
        }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.body.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], WireError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.body.len());
        let Some(end) = end else {
            return Err(WireError::Truncated {
                message: self.message,
                what,
            });
        };
        let slice = self.body.get(self.pos..end).ok_or(WireError::Truncated {
            message: self.message,
            what,
        })?;
        self.pos = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], WireError> {
        let slice = self.take(N, what)?;
        slice.try_into().map_err(|_| WireError::Truncated {
            message: self.message,
            what,
        })
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, WireError> {
        Ok(u8::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn i8(&mut self, what: &'static str) -> Result<i8, WireError> {
        Ok(i8::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn i16(&mut self, what: &'static str) -> Result<i16, WireError> {
        Ok(i16::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn i32(&mut self, what: &'static str) -> Result<i32, WireError> {
        Ok(i32::from_be_bytes(self.array(what)?))
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, WireError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    /// `n` bytes as a zero-copy slice of the body.
    pub(crate) fn bytes(&mut self, n: usize, what: &'static str) -> Result<Bytes, WireError> {
        let start = self.pos;
        self.take(n, what)?;
        Ok(self.body.slice(start..self.pos))
    }

    /// Everything left in the body.
    pub(crate) fn rest(&mut self) -> Bytes {
        let start = self.pos.min(self.body.len());
        self.pos = self.body.len();
        self.body.slice(start..)
    }

    /// A NUL-terminated UTF-8 string.
    pub(crate) fn cstr(&mut self, what: &'static str) -> Result<String, WireError> {
        let rest = self.body.get(self.pos..).unwrap_or_default();
        let Some(nul) = rest.iter().position(|b| *b == 0) else {
            return Err(WireError::MissingNul {
                message: self.message,
                what,
            });
        };
        let raw = self.take(nul, what)?;
        self.take(1, what)?;
        String::from_utf8(raw.to_vec()).map_err(|_| WireError::InvalidUtf8 {
            message: self.message,
            what,
        })
    }

    /// A count of elements that each need at least `min_size` bytes: rejected when negative or
    /// when the rest of the body cannot hold that many, so callers may allocate `count` slots.
    pub(crate) fn count(
        &mut self,
        raw: i64,
        min_size: usize,
        what: &'static str,
    ) -> Result<usize, WireError> {
        let bad = WireError::BadCount {
            message: self.message,
            what,
            count: raw,
        };
        let count = usize::try_from(raw).map_err(|_| bad.clone())?;
        match count.checked_mul(min_size) {
            Some(need) if need <= self.remaining() => Ok(count),
            _ => Err(bad),
        }
    }

    /// Fails when bytes are left over: a message with trailing garbage is malformed.
    pub(crate) fn finish(&self) -> Result<(), WireError> {
        match self.remaining() {
            0 => Ok(()),
            extra => Err(WireError::TrailingBytes {
                message: self.message,
                extra,
            }),
        }
    }

    pub(crate) fn invalid(&self, detail: String) -> WireError {
        WireError::Invalid {
            message: self.message,
            detail,
        }
    }
}
