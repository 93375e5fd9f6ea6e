//! One-line renderings of messages for transcripts and reports.

use std::fmt::{self, Display, Formatter, Write as _};

use super::backend::{BackendMessage, ErrorFields, FieldDesc};

/// Values longer than this are cut in transcripts so one message stays one readable line.
const MAX_SHOWN: usize = 120;

/// Renders bytes as a quoted, escaped string when they are UTF-8, else as `\x` hex; long
/// values are cut with a note of how much was left out.
pub(crate) fn quoted(bytes: &[u8]) -> String {
    let shown = bytes.get(..MAX_SHOWN).unwrap_or(bytes);
    let mut out = match std::str::from_utf8(shown) {
        Ok(text) => format!("{text:?}"),
        // A cut may split a UTF-8 sequence: only call it binary if the whole value is not text.
        Err(e) if shown.len() < bytes.len() && e.error_len().is_none() => {
            let text = String::from_utf8_lossy(shown.get(..e.valid_up_to()).unwrap_or_default());
            format!("{text:?}")
        }
        Err(_) => {
            let mut hex = String::from("\\x");
            for b in shown {
                let _ = write!(hex, "{b:02x}");
            }
            hex
        }
    };
    if shown.len() < bytes.len() {
        let _ = write!(out, "…(+{} bytes)", bytes.len() - shown.len());
    }
    out
}

/// A type OID as its PostgreSQL name when it is a built-in type, else `oid=N`.
fn type_name(oid: u32) -> String {
    match postgres_types::Type::from_oid(oid) {
        Some(t) => t.name().to_owned(),
        None => format!("oid={oid}"),
    }
}

impl Display for FieldDesc {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} typmod={} fmt={}",
            self.name,
            type_name(self.type_oid),
            self.type_modifier,
            self.format
        )
    }
}

impl Display for ErrorFields {
    /// `ERROR 42601: syntax error at or near "x" (position 8)`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {:?}",
            self.severity().unwrap_or("?"),
            self.code().unwrap_or("?????"),
            self.message().unwrap_or("")
        )?;
        if let Some(detail) = self.detail() {
            write!(f, " detail={detail:?}")?;
        }
        if let Some(hint) = self.hint() {
            write!(f, " hint={hint:?}")?;
        }
        if let Some(position) = self.get(b'P') {
            write!(f, " position={position}")?;
        }
        Ok(())
    }
}

fn list<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    let shown: Vec<String> = items.iter().map(show).collect();
    format!("[{}]", shown.join(", "))
}

impl Display for BackendMessage {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use BackendMessage as M;
        let name = self.name();
        match self {
            M::AuthenticationMd5Password { salt } => write!(f, "{name} salt={}", quoted(salt)),
            M::AuthenticationGssContinue { data }
            | M::AuthenticationSaslContinue { data }
            | M::AuthenticationSaslFinal { data } => write!(f, "{name} {}", quoted(data)),
            M::AuthenticationSasl { mechanisms } => write!(f, "{name} {mechanisms:?}"),
            M::AuthenticationOther { code, data } => {
                write!(f, "{name} code={code} {}", quoted(data))
            }
            M::BackendKeyData { pid, key } => {
                write!(f, "{name} pid={pid} key=<{} bytes>", key.len())
            }
            M::ParameterStatus { name: param, value } => write!(f, "{name} {param}={value:?}"),
            M::ReadyForQuery { status } => write!(f, "{name} {}", *status as char),
            M::RowDescription { fields } => {
                write!(f, "{name} {}", list(fields, ToString::to_string))
            }
            M::DataRow { values } => write!(
                f,
                "{name} {}",
                list(values, |v| v
                    .as_ref()
                    .map_or_else(|| "NULL".to_owned(), |b| quoted(b)))
            ),
            M::CommandComplete { tag } => write!(f, "{name} {tag:?}"),
            M::ErrorResponse(fields) | M::NoticeResponse(fields) => write!(f, "{name} {fields}"),
            M::ParameterDescription { types } => {
                write!(f, "{name} {}", list(types, |t| type_name(*t)))
            }
            M::CopyInResponse {
                format,
                column_formats,
            }
            | M::CopyOutResponse {
                format,
                column_formats,
            }
            | M::CopyBothResponse {
                format,
                column_formats,
            } => write!(f, "{name} format={format} columns={column_formats:?}"),
            M::CopyData(data) => write!(f, "{name} {}", quoted(data)),
            M::NegotiateProtocolVersion {
                newest_minor,
                unrecognized,
            } => {
                write!(
                    f,
                    "{name} newest_minor={newest_minor} unrecognized={unrecognized:?}"
                )
            }
            M::NotificationResponse {
                pid,
                channel,
                payload,
            } => write!(f, "{name} pid={pid} {channel:?} {payload:?}"),
            M::FunctionCallResponse { value } => match value {
                Some(v) => write!(f, "{name} {}", quoted(v)),
                None => write!(f, "{name} NULL"),
            },
            M::EncryptionResponse { accepted } => write!(
                f,
                "{name} {}",
                if *accepted { "accepted" } else { "refused" }
            ),
            M::Unknown { tag, body } => write!(f, "{name} tag={:?} {}", *tag as char, quoted(body)),
            M::AuthenticationOk
            | M::AuthenticationKerberosV5
            | M::AuthenticationCleartextPassword
            | M::AuthenticationGss
            | M::AuthenticationSspi
            | M::EmptyQueryResponse
            | M::ParseComplete
            | M::BindComplete
            | M::CloseComplete
            | M::NoData
            | M::PortalSuspended
            | M::CopyDone => f.write_str(name),
        }
    }
}
