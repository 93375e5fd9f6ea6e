//! The oracle: a real PostgreSQL to compare against — a throwaway local cluster, a
//! container, or a server given by URL.
//!
//! Local clusters live in a short temp dir under /tmp (data/, server.log, unix socket,
//! certificate). Every cluster is stopped and deleted by `stop()`, Drop, or the Ctrl-C /
//! SIGTERM handler ([`install_signal_cleanup`]); one whose process was killed -9 is found
//! through its record under [`runtime_dir`] and removed by the next start ([`reap_stale`]) or
//! [`stop_detached`]. As root, server tools run as the `postgres` OS user.
//!
//! `Oracle::start` with `auto` returns `Ok(None)` when nothing works; why each kind was
//! unavailable is in [`last_unavailable_reasons`] (or use [`Oracle::resolve`]).

mod binaries;
mod config;
mod container;
mod detached;
mod error;
mod local;
mod options;
mod oracle;
mod probe;
mod runas;
mod shutdown;
mod signals;
mod state;
mod tls;
pub use tls::self_signed_cert;

pub use binaries::{PgBinaries, find_binaries};
pub use detached::{DetachedInfo, list_detached, start_detached, stop_detached};
pub use error::OracleError;
pub use local::LocalCluster;
pub use options::{AuthMethod, LocalOptions, OracleSpec};
pub use oracle::{Oracle, Resolution, Unavailable, last_unavailable_reasons};
pub use probe::redact_url;
pub use signals::install_signal_cleanup;
pub use state::{reap_stale, runtime_dir};
