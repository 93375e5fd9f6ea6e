//! One connection to one server: a raw face (our wire codec) and a client face (tokio-postgres).
//!
//! The raw face ([`RawSession`]) sees every message and never trusts the server: frames are
//! bounded, every wait has a timeout, and results have a size cap. The client face
//! ([`connect_client`]) is a real driver, fed through a bounded stream adaptor.

mod auth;
pub mod bounded;
mod cancel;
mod client;
mod client_tls;
mod error;
mod options;
mod raw;
mod simple;
mod stream;
mod tls;

pub use cancel::cancel;
pub use client::connect_client;
pub use error::SessionError;
pub use options::{ConnectOptions, TlsMode};
pub use raw::{BackendKey, RawSession, connect_raw_startup};
pub use simple::{Notification, SimpleResult, StatementResult};
pub use stream::PgStream;

#[cfg(test)]
mod tests;
