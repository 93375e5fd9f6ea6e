//! What can go wrong in one benchmark part; each becomes that row's error, never a panic.

use std::time::Duration;

/// An error of one benchmark part.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A statement failed on a server (the message says which statement and, for a server
    /// error, its SQLSTATE).
    #[error("{what}: {message}")]
    Sql { what: String, message: String },
    #[error(transparent)]
    Session(#[from] crate::session::SessionError),
    #[error("{what} took longer than {} s", .limit.as_secs())]
    Timeout { what: String, limit: Duration },
    /// pgbench could not be run, failed, or printed something we cannot read.
    #[error("pgbench: {0}")]
    Pgbench(String),
    /// The two servers disagree on a result, so timing them would compare different work.
    #[error("{0}")]
    Mismatch(String),
    /// A server or tool could not be set up.
    #[error("{0}")]
    Setup(String),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl BenchError {
    /// A driver error with the statement that caused it; a server error shows as
    /// `message (SQLSTATE code)`, the part a server author needs.
    pub fn sql(what: impl Into<String>, e: &tokio_postgres::Error) -> Self {
        let message = match e.as_db_error() {
            Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
            None => e.to_string(),
        };
        BenchError::Sql {
            what: what.into(),
            message,
        }
    }
}

/// Runs `fut` with a time limit, so a server that stops answering fails its row instead of
/// hanging the whole run.
pub(crate) async fn within<T>(
    limit: Duration,
    what: &str,
    fut: impl Future<Output = Result<T, BenchError>>,
) -> Result<T, BenchError> {
    tokio::time::timeout(limit, fut).await.unwrap_or_else(|_| {
        Err(BenchError::Timeout {
            what: what.to_owned(),
            limit,
        })
    })
}
