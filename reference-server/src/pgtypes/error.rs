//! Errors of the codec, each carrying the SQLSTATE PostgreSQL reports for the same failure.

use thiserror::Error;

/// A value or type the codec cannot handle; `Display` is PostgreSQL's message text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PgTypeError {
    /// A type name PostgreSQL would not know (or this server does not implement).
    #[error("type \"{0}\" does not exist")]
    UnsupportedType(String),
    /// Text that does not parse as the type (`ty` is PostgreSQL's type name in messages).
    #[error("invalid input syntax for type {ty}: \"{value}\"")]
    InvalidText { ty: String, value: String },
    /// A number that parses but does not fit the type.
    #[error("value \"{value}\" is out of range for type {ty}")]
    NumericOutOfRange { ty: String, value: String },
    /// A float literal beyond the type's range (PostgreSQL words this one differently).
    #[error("\"{value}\" is out of range for type {ty}")]
    FloatOutOfRange { ty: String, value: String },
    /// A date/time field such as month 13.
    #[error("date/time field value out of range: \"{0}\"")]
    FieldOutOfRange(String),
    /// A date/time value outside the type's range (`what` is e.g. `timestamp`).
    #[error("{0} out of range")]
    DateTimeOutOfRange(&'static str),
    /// A date/time literal outside the type's range.
    #[error("{what} out of range: \"{value}\"")]
    DateTimeValueOutOfRange { what: &'static str, value: String },
    /// Any other error with its own SQLSTATE (e.g. 22023 for bad bytea hex digits).
    #[error("{message}")]
    Other { code: &'static str, message: String },
    /// Malformed binary-format input.
    #[error("{0}")]
    InvalidBinary(String),
    /// Bytes that are not valid UTF-8.
    #[error("invalid byte sequence for encoding \"UTF8\": {0}")]
    InvalidUtf8(String),
    /// A numeric value with more digits than the declared precision allows.
    #[error("numeric field overflow")]
    NumericOverflow,
    /// Something PostgreSQL supports that this codec does not.
    #[error("{0}")]
    FeatureNotSupported(String),
    /// A COPY option that is not valid.
    #[error("{0}")]
    InvalidOption(String),
}

impl PgTypeError {
    /// The SQLSTATE PostgreSQL uses for this error.
    pub fn sqlstate(&self) -> &'static str {
        match self {
            PgTypeError::UnsupportedType(_) => "42704",
            PgTypeError::InvalidText { ty, .. } if is_datetime_type_name(ty) => "22007",
            PgTypeError::InvalidText { .. } => "22P02",
            PgTypeError::NumericOutOfRange { .. } | PgTypeError::FloatOutOfRange { .. } => "22003",
            PgTypeError::NumericOverflow => "22003",
            PgTypeError::FieldOutOfRange(_)
            | PgTypeError::DateTimeOutOfRange(_)
            | PgTypeError::DateTimeValueOutOfRange { .. } => "22008",
            PgTypeError::Other { code, .. } => code,
            PgTypeError::InvalidBinary(_) => "22P03",
            PgTypeError::InvalidUtf8(_) => "22021",
            PgTypeError::FeatureNotSupported(_) => "0A000",
            PgTypeError::InvalidOption(_) => "42601",
        }
    }

    /// PostgreSQL's report of invalid UTF-8: the bytes of the first bad sequence.
    pub(crate) fn bad_utf8(bytes: &[u8], err: &std::str::Utf8Error) -> Self {
        let at = err.valid_up_to();
        let len = err
            .error_len()
            .unwrap_or(bytes.len().saturating_sub(at))
            .max(1);
        let shown: Vec<String> = bytes
            .iter()
            .skip(at)
            .take(len)
            .map(|b| format!("0x{b:02x}"))
            .collect();
        PgTypeError::InvalidUtf8(shown.join(" "))
    }

    pub(crate) fn invalid(ty: &str, value: &str) -> Self {
        PgTypeError::InvalidText {
            ty: ty.to_string(),
            value: value.to_string(),
        }
    }
}

/// PostgreSQL reports bad date/time syntax as 22007 rather than the generic 22P02.
fn is_datetime_type_name(ty: &str) -> bool {
    matches!(
        ty,
        "date"
            | "time without time zone"
            | "time with time zone"
            | "timestamp without time zone"
            | "timestamp with time zone"
            | "interval"
    )
}
