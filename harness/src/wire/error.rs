//! Why a backend byte stream or message was rejected.

use thiserror::Error;

/// A malformed frame or message from the server. Cloneable so a decoder can keep reporting the
/// error that broke its framing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    #[error("backend frame '{}' declares length {len}, below the minimum of 4", tag_char(*.tag))]
    LengthTooSmall { tag: u8, len: i32 },
    #[error("backend frame '{}' declares length {len}, above the limit of {max} bytes", tag_char(*.tag))]
    LengthTooLarge { tag: u8, len: i32, max: usize },
    #[error("{message}: body ends inside {what}")]
    Truncated {
        message: &'static str,
        what: &'static str,
    },
    #[error("{message}: {what} is not a NUL-terminated string")]
    MissingNul {
        message: &'static str,
        what: &'static str,
    },
    #[error("{message}: {what} is not valid UTF-8")]
    InvalidUtf8 {
        message: &'static str,
        what: &'static str,
    },
    #[error("{message}: {what} {count} is negative or larger than the body allows")]
    BadCount {
        message: &'static str,
        what: &'static str,
        count: i64,
    },
    #[error("{message}: {extra} unexpected trailing byte(s)")]
    TrailingBytes { message: &'static str, extra: usize },
    #[error("{message}: {detail}")]
    Invalid {
        message: &'static str,
        detail: String,
    },
}

/// A tag byte as a printable character (`'Z'`) or escape (`'\x00'`).
pub(crate) fn tag_char(tag: u8) -> String {
    (tag as char).escape_default().to_string()
}
