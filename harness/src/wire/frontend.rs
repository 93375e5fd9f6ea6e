//! Owned frontend messages and their encoding, including deliberately malformed frames.
//!
//! Encoding is byte-exact and never refuses: a string with an embedded NUL is written as is,
//! because sending broken input is part of what the harness tests.

use std::fmt::{self, Display, Formatter};

use bytes::{BufMut, BytesMut};

use super::display::quoted;

/// The request codes that stand where a startup message's protocol version would.
const SSL_REQUEST_CODE: i32 = 80_877_103;
const GSSENC_REQUEST_CODE: i32 = 80_877_104;
const CANCEL_REQUEST_CODE: i32 = 80_877_102;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontendMessage {
    /// `version` is (major, minor): (3, 0) or (3, 2).
    Startup {
        version: (u16, u16),
        params: Vec<(String, String)>,
    },
    SslRequest,
    GssEncRequest,
    /// `key` is 4 bytes in protocol 3.0, up to 256 in 3.2.
    CancelRequest {
        pid: i32,
        key: Vec<u8>,
    },
    /// The password (cleartext or `md5...` hash) without its terminating NUL.
    Password(Vec<u8>),
    SaslInitial {
        mechanism: String,
        data: Vec<u8>,
    },
    SaslResponse(Vec<u8>),
    Query(String),
    Parse {
        name: String,
        sql: String,
        param_types: Vec<u32>,
    },
    Bind {
        portal: String,
        statement: String,
        param_formats: Vec<i16>,
        params: Vec<Option<Vec<u8>>>,
        result_formats: Vec<i16>,
    },
    /// `kind` is `b'S'` (statement) or `b'P'` (portal).
    Describe {
        kind: u8,
        name: String,
    },
    Execute {
        portal: String,
        max_rows: i32,
    },
    Close {
        kind: u8,
        name: String,
    },
    Sync,
    Flush,
    Terminate,
    CopyData(Vec<u8>),
    CopyDone,
    CopyFail(String),
    FunctionCall {
        oid: u32,
        arg_formats: Vec<i16>,
        args: Vec<Option<Vec<u8>>>,
        result_format: i16,
    },
    /// Any frame at all: `tag: None` for an untagged (startup-style) frame, `declared_len: None`
    /// for the true length (4 + body), `Some(n)` to lie about it.
    Raw {
        tag: Option<u8>,
        declared_len: Option<i32>,
        body: Vec<u8>,
    },
}

impl FrontendMessage {
    /// Appends the encoded frame to `buf`.
    pub fn encode(&self, buf: &mut BytesMut) {
        use FrontendMessage as M;
        match self {
            M::Startup { version, params } => untagged(buf, |b| {
                b.put_u16(version.0);
                b.put_u16(version.1);
                for (name, value) in params {
                    put_cstr(b, name);
                    put_cstr(b, value);
                }
                b.put_u8(0);
            }),
            M::SslRequest => untagged(buf, |b| b.put_i32(SSL_REQUEST_CODE)),
            M::GssEncRequest => untagged(buf, |b| b.put_i32(GSSENC_REQUEST_CODE)),
            M::CancelRequest { pid, key } => untagged(buf, |b| {
                b.put_i32(CANCEL_REQUEST_CODE);
                b.put_i32(*pid);
                b.put_slice(key);
            }),
            M::Password(password) => tagged(buf, b'p', |b| {
                b.put_slice(password);
                b.put_u8(0);
            }),
            M::SaslInitial { mechanism, data } => tagged(buf, b'p', |b| {
                put_cstr(b, mechanism);
                b.put_i32(len_i32(data.len()));
                b.put_slice(data);
            }),
            M::SaslResponse(data) => tagged(buf, b'p', |b| b.put_slice(data)),
            M::Query(sql) => tagged(buf, b'Q', |b| put_cstr(b, sql)),
            M::Parse {
                name,
                sql,
                param_types,
            } => tagged(buf, b'P', |b| {
                put_cstr(b, name);
                put_cstr(b, sql);
                b.put_i16(len_i16(param_types.len()));
                for oid in param_types {
                    b.put_u32(*oid);
                }
            }),
            M::Bind {
                portal,
                statement,
                param_formats,
                params,
                result_formats,
            } => tagged(buf, b'B', |b| {
                put_cstr(b, portal);
                put_cstr(b, statement);
                put_i16s(b, param_formats);
                b.put_i16(len_i16(params.len()));
                for param in params {
                    put_nullable(b, param.as_deref());
                }
                put_i16s(b, result_formats);
            }),
            M::Describe { kind, name } => tagged(buf, b'D', |b| {
                b.put_u8(*kind);
                put_cstr(b, name);
            }),
            M::Execute { portal, max_rows } => tagged(buf, b'E', |b| {
                put_cstr(b, portal);
                b.put_i32(*max_rows);
            }),
            M::Close { kind, name } => tagged(buf, b'C', |b| {
                b.put_u8(*kind);
                put_cstr(b, name);
            }),
            M::Sync => tagged(buf, b'S', |_| {}),
            M::Flush => tagged(buf, b'H', |_| {}),
            M::Terminate => tagged(buf, b'X', |_| {}),
            M::CopyData(data) => tagged(buf, b'd', |b| b.put_slice(data)),
            M::CopyDone => tagged(buf, b'c', |_| {}),
            M::CopyFail(reason) => tagged(buf, b'f', |b| put_cstr(b, reason)),
            M::FunctionCall {
                oid,
                arg_formats,
                args,
                result_format,
            } => tagged(buf, b'F', |b| {
                b.put_u32(*oid);
                put_i16s(b, arg_formats);
                b.put_i16(len_i16(args.len()));
                for arg in args {
                    put_nullable(b, arg.as_deref());
                }
                b.put_i16(*result_format);
            }),
            M::Raw {
                tag,
                declared_len,
                body,
            } => {
                if let Some(tag) = tag {
                    buf.put_u8(*tag);
                }
                buf.put_i32(declared_len.unwrap_or_else(|| len_i32(body.len().saturating_add(4))));
                buf.put_slice(body);
            }
        }
    }

    /// The protocol's name for this message (`"Parse"`).
    pub fn name(&self) -> &'static str {
        use FrontendMessage as M;
        match self {
            M::Startup { .. } => "StartupMessage",
            M::SslRequest => "SSLRequest",
            M::GssEncRequest => "GSSENCRequest",
            M::CancelRequest { .. } => "CancelRequest",
            M::Password(_) => "PasswordMessage",
            M::SaslInitial { .. } => "SASLInitialResponse",
            M::SaslResponse(_) => "SASLResponse",
            M::Query(_) => "Query",
            M::Parse { .. } => "Parse",
            M::Bind { .. } => "Bind",
            M::Describe { .. } => "Describe",
            M::Execute { .. } => "Execute",
            M::Close { .. } => "Close",
            M::Sync => "Sync",
            M::Flush => "Flush",
            M::Terminate => "Terminate",
            M::CopyData(_) => "CopyData",
            M::CopyDone => "CopyDone",
            M::CopyFail(_) => "CopyFail",
            M::FunctionCall { .. } => "FunctionCall",
            M::Raw { .. } => "Raw",
        }
    }
}

impl Display for FrontendMessage {
    /// One line; secrets (passwords, SASL payloads, cancel keys) show only their length.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use FrontendMessage as M;
        let name = self.name();
        match self {
            M::Startup { version, params } => {
                let shown: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
                write!(
                    f,
                    "{name} {}.{} [{}]",
                    version.0,
                    version.1,
                    shown.join(", ")
                )
            }
            M::CancelRequest { pid, key } => {
                write!(f, "{name} pid={pid} key=<{} bytes>", key.len())
            }
            M::Password(p) => write!(f, "{name} <{} bytes>", p.len()),
            M::SaslInitial { mechanism, data } => {
                write!(f, "{name} {mechanism} <{} bytes>", data.len())
            }
            M::SaslResponse(data) => write!(f, "{name} <{} bytes>", data.len()),
            M::Query(sql) => write!(f, "{name} {}", quoted(sql.as_bytes())),
            M::Parse {
                name: stmt,
                sql,
                param_types,
            } => {
                write!(
                    f,
                    "{name} {stmt:?} {} types={param_types:?}",
                    quoted(sql.as_bytes())
                )
            }
            M::Bind {
                portal,
                statement,
                param_formats,
                params,
                result_formats,
            } => {
                let shown: Vec<String> = params
                    .iter()
                    .map(|p| p.as_ref().map_or_else(|| "NULL".to_owned(), |v| quoted(v)))
                    .collect();
                write!(
                    f,
                    "{name} portal={portal:?} statement={statement:?} formats={param_formats:?} [{}] results={result_formats:?}",
                    shown.join(", ")
                )
            }
            M::Describe { kind, name: target } | M::Close { kind, name: target } => {
                write!(f, "{name} {} {target:?}", *kind as char)
            }
            M::Execute { portal, max_rows } => write!(f, "{name} {portal:?} max_rows={max_rows}"),
            M::CopyData(data) => write!(f, "{name} {}", quoted(data)),
            M::CopyFail(reason) => write!(f, "{name} {reason:?}"),
            M::FunctionCall { oid, args, .. } => write!(f, "{name} oid={oid} args={}", args.len()),
            M::Raw {
                tag,
                declared_len,
                body,
            } => {
                let tag = tag.map_or_else(|| "none".to_owned(), |t| format!("{:?}", t as char));
                let len = declared_len.map_or_else(|| "auto".to_owned(), |l| l.to_string());
                write!(f, "{name} tag={tag} len={len} {}", quoted(body))
            }
            M::SslRequest | M::GssEncRequest | M::Sync | M::Flush | M::Terminate | M::CopyDone => {
                f.write_str(name)
            }
        }
    }
}

/// Writes `tag`, a length placeholder, the body, then patches in the real length.
fn tagged(buf: &mut BytesMut, tag: u8, body: impl FnOnce(&mut BytesMut)) {
    buf.put_u8(tag);
    untagged(buf, body);
}

fn untagged(buf: &mut BytesMut, body: impl FnOnce(&mut BytesMut)) {
    let start = buf.len();
    buf.put_i32(0);
    body(buf);
    let len = len_i32(buf.len() - start).to_be_bytes();
    if let Some(slot) = buf.get_mut(start..start + 4) {
        slot.copy_from_slice(&len);
    }
}

fn put_cstr(buf: &mut BytesMut, s: &str) {
    buf.put_slice(s.as_bytes());
    buf.put_u8(0);
}

fn put_i16s(buf: &mut BytesMut, values: &[i16]) {
    buf.put_i16(len_i16(values.len()));
    for v in values {
        buf.put_i16(*v);
    }
}

fn put_nullable(buf: &mut BytesMut, value: Option<&[u8]>) {
    match value {
        Some(v) => {
            buf.put_i32(len_i32(v.len()));
            buf.put_slice(v);
        }
        None => buf.put_i32(-1),
    }
}

/// Lengths that do not fit saturate; the server will reject such a frame, which is the point.
fn len_i32(len: usize) -> i32 {
    i32::try_from(len).unwrap_or(i32::MAX)
}

fn len_i16(len: usize) -> i16 {
    i16::try_from(len).unwrap_or(i16::MAX)
}
