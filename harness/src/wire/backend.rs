//! Owned, printable backend messages, parsed with bounds checks from a [`Frame`].

use bytes::Bytes;

use super::error::WireError;
use super::frame::Frame;
use super::reader::Reader;

/// Every message a PostgreSQL server may send (protocol 3.0 and 3.2). Owned so it can be kept,
/// compared and printed in a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendMessage {
    AuthenticationOk,
    AuthenticationKerberosV5,
    AuthenticationCleartextPassword,
    AuthenticationMd5Password {
        salt: [u8; 4],
    },
    AuthenticationGss,
    AuthenticationGssContinue {
        data: Bytes,
    },
    AuthenticationSspi,
    AuthenticationSasl {
        mechanisms: Vec<String>,
    },
    AuthenticationSaslContinue {
        data: Bytes,
    },
    AuthenticationSaslFinal {
        data: Bytes,
    },
    /// An authentication code this codec does not know.
    AuthenticationOther {
        code: i32,
        data: Bytes,
    },
    /// `key` is 4 bytes in protocol 3.0 and up to 256 bytes in 3.2.
    BackendKeyData {
        pid: i32,
        key: Vec<u8>,
    },
    ParameterStatus {
        name: String,
        value: String,
    },
    ReadyForQuery {
        status: u8,
    },
    RowDescription {
        fields: Vec<FieldDesc>,
    },
    DataRow {
        values: Vec<Option<Bytes>>,
    },
    CommandComplete {
        tag: String,
    },
    EmptyQueryResponse,
    ErrorResponse(ErrorFields),
    NoticeResponse(ErrorFields),
    ParseComplete,
    BindComplete,
    CloseComplete,
    NoData,
    PortalSuspended,
    ParameterDescription {
        types: Vec<u32>,
    },
    CopyInResponse {
        format: i8,
        column_formats: Vec<i16>,
    },
    CopyOutResponse {
        format: i8,
        column_formats: Vec<i16>,
    },
    CopyBothResponse {
        format: i8,
        column_formats: Vec<i16>,
    },
    CopyData(Bytes),
    CopyDone,
    NegotiateProtocolVersion {
        newest_minor: i32,
        unrecognized: Vec<String>,
    },
    NotificationResponse {
        pid: i32,
        channel: String,
        payload: String,
    },
    FunctionCallResponse {
        value: Option<Bytes>,
    },
    /// The single byte answering SSLRequest/GSSENCRequest: `'S'`/`'G'` accepted, `'N'` refused.
    EncryptionResponse {
        accepted: bool,
    },
    /// A type byte this codec does not know.
    Unknown {
        tag: u8,
        body: Bytes,
    },
}

/// One column of a RowDescription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDesc {
    pub name: String,
    pub table_oid: u32,
    pub column_id: i16,
    pub type_oid: u32,
    pub type_size: i16,
    pub type_modifier: i32,
    pub format: i16,
}

/// The fields of an ErrorResponse/NoticeResponse, in the order the server sent them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorFields {
    pub fields: Vec<(u8, String)>,
}

impl ErrorFields {
    /// The first field with this code (`b'C'`, `b'M'`, ...).
    pub fn get(&self, code: u8) -> Option<&str> {
        self.fields
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, v)| v.as_str())
    }

    /// The non-localized severity (`V`, since 9.6), else the localized one (`S`).
    pub fn severity(&self) -> Option<&str> {
        self.get(b'V').or_else(|| self.get(b'S'))
    }

    /// The SQLSTATE code.
    pub fn code(&self) -> Option<&str> {
        self.get(b'C')
    }

    pub fn message(&self) -> Option<&str> {
        self.get(b'M')
    }

    pub fn detail(&self) -> Option<&str> {
        self.get(b'D')
    }

    pub fn hint(&self) -> Option<&str> {
        self.get(b'H')
    }

    /// The 1-based character position in the query, when it parses as a number.
    pub fn position(&self) -> Option<u32> {
        self.get(b'P').and_then(|p| p.parse().ok())
    }

    /// True for FATAL/PANIC: the server ends the session after sending it.
    pub fn is_fatal(&self) -> bool {
        matches!(self.severity(), Some("FATAL" | "PANIC"))
    }
}

impl BackendMessage {
    /// Parses one frame. Lengths and counts are checked against the body, strings must be
    /// NUL-terminated UTF-8, and trailing bytes are an error: a server is never trusted.
    pub fn parse(frame: &Frame) -> Result<Self, WireError> {
        if frame.single_byte {
            return Ok(BackendMessage::EncryptionResponse {
                accepted: frame.tag != b'N',
            });
        }
        let name = tag_name(frame.tag);
        let mut r = Reader::new(name, &frame.body);
        let msg = match frame.tag {
            b'R' => parse_auth(&mut r)?,
            b'K' => {
                let pid = r.i32("process id")?;
                let key = r.rest().to_vec();
                if !(4..=256).contains(&key.len()) {
                    return Err(r.invalid(format!(
                        "secret key of {} bytes, expected 4..=256",
                        key.len()
                    )));
                }
                BackendMessage::BackendKeyData { pid, key }
            }
            b'S' => BackendMessage::ParameterStatus {
                name: r.cstr("parameter name")?,
                value: r.cstr("parameter value")?,
            },
            b'Z' => {
                let status = r.u8("transaction status")?;
                if !matches!(status, b'I' | b'T' | b'E') {
                    let shown = (status as char).escape_default();
                    return Err(r.invalid(format!("transaction status '{shown}' is not I, T or E")));
                }
                BackendMessage::ReadyForQuery { status }
            }
            b'T' => parse_row_description(&mut r)?,
            b'D' => {
                let raw = r.i16("column count")?;
                let count = r.count(raw.into(), 4, "column count")?;
                let mut values = Vec::with_capacity(count);
                for _ in 0..count {
                    values.push(nullable_bytes(&mut r, "column value")?);
                }
                BackendMessage::DataRow { values }
            }
            b'C' => BackendMessage::CommandComplete {
                tag: r.cstr("command tag")?,
            },
            b'I' => BackendMessage::EmptyQueryResponse,
            b'E' => BackendMessage::ErrorResponse(parse_error_fields(&mut r)?),
            b'N' => BackendMessage::NoticeResponse(parse_error_fields(&mut r)?),
            b'1' => BackendMessage::ParseComplete,
            b'2' => BackendMessage::BindComplete,
            b'3' => BackendMessage::CloseComplete,
            b'n' => BackendMessage::NoData,
            b's' => BackendMessage::PortalSuspended,
            b't' => {
                let raw = r.i16("parameter count")?;
                let count = r.count(raw.into(), 4, "parameter count")?;
                let mut types = Vec::with_capacity(count);
                for _ in 0..count {
                    types.push(r.u32("parameter type")?);
                }
                BackendMessage::ParameterDescription { types }
            }
            b'G' | b'H' | b'W' => {
                let format = r.i8("overall format")?;
                let raw = r.i16("column count")?;
                let count = r.count(raw.into(), 2, "column count")?;
                let mut column_formats = Vec::with_capacity(count);
                for _ in 0..count {
                    column_formats.push(r.i16("column format")?);
                }
                match frame.tag {
                    b'G' => BackendMessage::CopyInResponse {
                        format,
                        column_formats,
                    },
                    b'H' => BackendMessage::CopyOutResponse {
                        format,
                        column_formats,
                    },
                    _ => BackendMessage::CopyBothResponse {
                        format,
                        column_formats,
                    },
                }
            }
            b'd' => BackendMessage::CopyData(r.rest()),
            b'c' => BackendMessage::CopyDone,
            b'v' => {
                let newest_minor = r.i32("newest minor version")?;
                let raw = r.i32("option count")?;
                let count = r.count(raw.into(), 1, "option count")?;
                let mut unrecognized = Vec::with_capacity(count);
                for _ in 0..count {
                    unrecognized.push(r.cstr("unrecognized option")?);
                }
                BackendMessage::NegotiateProtocolVersion {
                    newest_minor,
                    unrecognized,
                }
            }
            b'A' => BackendMessage::NotificationResponse {
                pid: r.i32("process id")?,
                channel: r.cstr("channel")?,
                payload: r.cstr("payload")?,
            },
            b'V' => BackendMessage::FunctionCallResponse {
                value: nullable_bytes(&mut r, "result value")?,
            },
            tag => BackendMessage::Unknown {
                tag,
                body: r.rest(),
            },
        };
        r.finish()?;
        Ok(msg)
    }

    /// The protocol's name for this message (`"RowDescription"`).
    pub fn name(&self) -> &'static str {
        use BackendMessage as M;
        match self {
            M::AuthenticationOk => "AuthenticationOk",
            M::AuthenticationKerberosV5 => "AuthenticationKerberosV5",
            M::AuthenticationCleartextPassword => "AuthenticationCleartextPassword",
            M::AuthenticationMd5Password { .. } => "AuthenticationMD5Password",
            M::AuthenticationGss => "AuthenticationGSS",
            M::AuthenticationGssContinue { .. } => "AuthenticationGSSContinue",
            M::AuthenticationSspi => "AuthenticationSSPI",
            M::AuthenticationSasl { .. } => "AuthenticationSASL",
            M::AuthenticationSaslContinue { .. } => "AuthenticationSASLContinue",
            M::AuthenticationSaslFinal { .. } => "AuthenticationSASLFinal",
            M::AuthenticationOther { .. } => "Authentication",
            M::BackendKeyData { .. } => "BackendKeyData",
            M::ParameterStatus { .. } => "ParameterStatus",
            M::ReadyForQuery { .. } => "ReadyForQuery",
            M::RowDescription { .. } => "RowDescription",
            M::DataRow { .. } => "DataRow",
            M::CommandComplete { .. } => "CommandComplete",
            M::EmptyQueryResponse => "EmptyQueryResponse",
            M::ErrorResponse(_) => "ErrorResponse",
            M::NoticeResponse(_) => "NoticeResponse",
            M::ParseComplete => "ParseComplete",
            M::BindComplete => "BindComplete",
            M::CloseComplete => "CloseComplete",
            M::NoData => "NoData",
            M::PortalSuspended => "PortalSuspended",
            M::ParameterDescription { .. } => "ParameterDescription",
            M::CopyInResponse { .. } => "CopyInResponse",
            M::CopyOutResponse { .. } => "CopyOutResponse",
            M::CopyBothResponse { .. } => "CopyBothResponse",
            M::CopyData(_) => "CopyData",
            M::CopyDone => "CopyDone",
            M::NegotiateProtocolVersion { .. } => "NegotiateProtocolVersion",
            M::NotificationResponse { .. } => "NotificationResponse",
            M::FunctionCallResponse { .. } => "FunctionCallResponse",
            M::EncryptionResponse { .. } => "EncryptionResponse",
            M::Unknown { .. } => "Unknown",
        }
    }
}

/// The message name used in parse errors, from the type byte alone.
fn tag_name(tag: u8) -> &'static str {
    match tag {
        b'R' => "Authentication",
        b'K' => "BackendKeyData",
        b'S' => "ParameterStatus",
        b'Z' => "ReadyForQuery",
        b'T' => "RowDescription",
        b'D' => "DataRow",
        b'C' => "CommandComplete",
        b'I' => "EmptyQueryResponse",
        b'E' => "ErrorResponse",
        b'N' => "NoticeResponse",
        b'1' => "ParseComplete",
        b'2' => "BindComplete",
        b'3' => "CloseComplete",
        b'n' => "NoData",
        b's' => "PortalSuspended",
        b't' => "ParameterDescription",
        b'G' => "CopyInResponse",
        b'H' => "CopyOutResponse",
        b'W' => "CopyBothResponse",
        b'd' => "CopyData",
        b'c' => "CopyDone",
        b'v' => "NegotiateProtocolVersion",
        b'A' => "NotificationResponse",
        b'V' => "FunctionCallResponse",
        _ => "Unknown",
    }
}

fn parse_auth(r: &mut Reader<'_>) -> Result<BackendMessage, WireError> {
    use BackendMessage as M;
    let code = r.i32("authentication code")?;
    Ok(match code {
        0 => M::AuthenticationOk,
        2 => M::AuthenticationKerberosV5,
        3 => M::AuthenticationCleartextPassword,
        5 => {
            let salt = r.bytes(4, "MD5 salt")?;
            let salt: [u8; 4] = salt
                .as_ref()
                .try_into()
                .map_err(|_| r.invalid("short MD5 salt".into()))?;
            M::AuthenticationMd5Password { salt }
        }
        7 => M::AuthenticationGss,
        8 => M::AuthenticationGssContinue { data: r.rest() },
        9 => M::AuthenticationSspi,
        10 => {
            let mut mechanisms = Vec::new();
            loop {
                let mechanism = r.cstr("SASL mechanism")?;
                if mechanism.is_empty() {
                    break;
                }
                mechanisms.push(mechanism);
            }
            M::AuthenticationSasl { mechanisms }
        }
        11 => M::AuthenticationSaslContinue { data: r.rest() },
        12 => M::AuthenticationSaslFinal { data: r.rest() },
        code => M::AuthenticationOther {
            code,
            data: r.rest(),
        },
    })
}

fn parse_row_description(r: &mut Reader<'_>) -> Result<BackendMessage, WireError> {
    const MIN_FIELD_SIZE: usize = 1 + 4 + 2 + 4 + 2 + 4 + 2;
    let raw = r.i16("field count")?;
    let count = r.count(raw.into(), MIN_FIELD_SIZE, "field count")?;
    let mut fields = Vec::with_capacity(count);
    for _ in 0..count {
        fields.push(FieldDesc {
            name: r.cstr("field name")?,
            table_oid: r.u32("table oid")?,
            column_id: r.i16("column number")?,
            type_oid: r.u32("type oid")?,
            type_size: r.i16("type size")?,
            type_modifier: r.i32("type modifier")?,
            format: r.i16("format code")?,
        });
    }
    Ok(BackendMessage::RowDescription { fields })
}

fn parse_error_fields(r: &mut Reader<'_>) -> Result<ErrorFields, WireError> {
    let mut fields = Vec::new();
    loop {
        let code = r.u8("field code")?;
        if code == 0 {
            return Ok(ErrorFields { fields });
        }
        fields.push((code, r.cstr("field value")?));
    }
}

/// An Int32 length then that many bytes; -1 is NULL, any other negative length is malformed.
fn nullable_bytes(r: &mut Reader<'_>, what: &'static str) -> Result<Option<Bytes>, WireError> {
    let len = r.i32("value length")?;
    if len == -1 {
        return Ok(None);
    }
    let len =
        usize::try_from(len).map_err(|_| r.invalid(format!("{what} has negative length {len}")))?;
    Ok(Some(r.bytes(len, what)?))
}
