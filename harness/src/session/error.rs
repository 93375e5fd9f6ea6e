//! Why a session failed.

use thiserror::Error;

use crate::wire::{ErrorFields, WireError};

#[derive(Debug, Error)]
pub enum SessionError {
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("timed out {what}")]
    Timeout { what: String },
    #[error("the server closed the connection")]
    Closed,
    #[error("malformed data from the server: {0}")]
    Wire(#[from] WireError),
    #[error("startup/authentication rejected by the server: {0}")]
    Auth(ErrorFields),
    #[error("the server ended the session: {0}")]
    Fatal(ErrorFields),
    #[error("the server asked for a password but none was given")]
    PasswordRequired,
    #[error("protocol violation by the server: {0}")]
    Protocol(String),
    #[error("result larger than the {limit}-byte limit (max_result_bytes)")]
    ResultTooLarge { limit: usize },
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("invalid connection options: {0}")]
    Options(String),
    #[error("client (tokio-postgres): {}", chain(.0))]
    Client(#[from] tokio_postgres::Error),
}

/// An error and its sources, `: `-joined: tokio-postgres's own message is only the kind
/// ("error communicating with the server"), the cause is in the source.
fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}
