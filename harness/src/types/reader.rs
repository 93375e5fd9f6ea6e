//! Bounds-checked big-endian reads over a binary value: every read that would run past the end
//! becomes a [`RenderError::Malformed`] instead of a panic.

use super::RenderError;

/// A cursor over the bytes of one binary value, named after the type being decoded so errors
/// say what was being read.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    type_name: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(type_name: &'static str, buf: &'a [u8]) -> Self {
        Self { buf, type_name }
    }

    /// A malformed-value error for this type.
    pub(crate) fn error(&self, reason: impl Into<String>) -> RenderError {
        malformed(self.type_name, reason)
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len()
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], RenderError> {
        if n > self.buf.len() {
            return Err(self.error(format!(
                "needs {n} more bytes, only {} left",
                self.buf.len()
            )));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], RenderError> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, RenderError> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn i16(&mut self) -> Result<i16, RenderError> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u16(&mut self) -> Result<u16, RenderError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, RenderError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, RenderError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn i64(&mut self) -> Result<i64, RenderError> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, RenderError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    pub(crate) fn f32(&mut self) -> Result<f32, RenderError> {
        Ok(f32::from_be_bytes(self.array()?))
    }

    pub(crate) fn f64(&mut self) -> Result<f64, RenderError> {
        Ok(f64::from_be_bytes(self.array()?))
    }

    /// A length-prefixed sub-value as used inside arrays, records and ranges: `None` for the
    /// length -1 (SQL NULL).
    pub(crate) fn sized(&mut self) -> Result<Option<&'a [u8]>, RenderError> {
        let len = self.i32()?;
        if len == -1 {
            return Ok(None);
        }
        let len = usize::try_from(len).map_err(|_| self.error(format!("negative length {len}")))?;
        self.take(len).map(Some)
    }

    /// Succeeds only if every byte was consumed: trailing garbage means the value is not what
    /// the type says it is.
    pub(crate) fn finish(self) -> Result<(), RenderError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(self.error(format!("{} unexpected trailing bytes", self.buf.len())))
        }
    }
}

pub(crate) fn malformed(type_name: &str, reason: impl Into<String>) -> RenderError {
    RenderError::Malformed {
        type_name: type_name.to_string(),
        reason: reason.into(),
    }
}
