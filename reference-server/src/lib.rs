//! reference-server: a time-series SQL server that speaks the PostgreSQL wire protocol,
//! built on pgwire + DataFusion. Layers: protocol handlers → session → SQL → catalog → storage.

pub mod catalog;
pub mod config;
pub mod pgtypes;
pub mod protocol;
pub mod server;
pub mod session;
pub mod sql;
pub mod storage;

pub use config::{AuthMethod, ServerConfig};
pub use server::{RunningServer, SESSION_STACK_SIZE, Server, ServerError};
