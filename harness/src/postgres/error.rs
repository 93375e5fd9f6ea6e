//! Why an oracle could not be found, started, reached or stopped.

use std::path::PathBuf;

/// Every oracle failure; the messages say what was tried and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum OracleError {
    #[error(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found{wanted}; searched: {searched}. \
         Install them (`apt-get install -y postgresql`) or set PG_BIN to the directory that holds \
         initdb and pg_ctl (extra directories: PGCOMPAT_PG_BIN_DIRS=dir1:dir2)"
    )]
    BinariesNotFound { wanted: String, searched: String },
    #[error("invalid oracle {0:?}: expected auto, local, container, none or a postgres:// URL")]
    InvalidSpec(String),
    #[error("invalid auth method {0:?}: expected trust, password, md5 or scram-sha-256")]
    InvalidAuth(String),
    #[error("invalid PostgreSQL options: {0}")]
    InvalidOptions(String),
    #[error("could not run {program}: {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("{program} failed ({status}): {output}")]
    CommandFailed {
        program: String,
        status: String,
        output: String,
    },
    #[error("PostgreSQL did not start: {reason}\n--- last lines of the server log ---\n{log_tail}")]
    StartFailed { reason: String, log_tail: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("cannot connect to PostgreSQL at {target}: {source}")]
    Connect {
        target: String,
        source: tokio_postgres::Error,
    },
    #[error("timed out after {seconds} s connecting to PostgreSQL at {target}")]
    ConnectTimeout { target: String, seconds: u64 },
    #[error("container oracle unavailable: {0}")]
    ContainerUnavailable(String),
    #[error("bad cluster state file {path}: {reason}")]
    StateFile { path: PathBuf, reason: String },
    #[error("no detached PostgreSQL is recorded on port {0}")]
    NoDetachedCluster(u16),
}

impl OracleError {
    /// An I/O error with the action that failed.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        OracleError::Io {
            context: context.into(),
            source,
        }
    }
}
