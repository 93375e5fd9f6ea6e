//! Errors from loading, writing and parsing report files.

use std::path::PathBuf;

/// Everything that can go wrong reading or writing report artefacts; each says which file.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is larger than {limit} bytes; refusing to load it as a report", path.display())]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{} is not a pgcompat report: {reason}", path.display())]
    Malformed { path: PathBuf, reason: String },
    #[error(
        "{} has report schema_version {found}, but this pgcompat {tool} reads only schema_version {supported}",
        path.display()
    )]
    UnsupportedVersion {
        path: PathBuf,
        found: String,
        supported: u32,
        tool: &'static str,
    },
    #[error("{origin}:{line}: {message}")]
    ExpectedFailures {
        origin: String,
        line: usize,
        message: String,
    },
}
