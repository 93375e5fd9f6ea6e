//! What to benchmark, how hard, and against which two servers.

use std::time::Duration;

use crate::session::ConnectOptions;

/// One part of the benchmark (`--only`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// pgbench `-S` in simple, extended and prepared mode.
    Pgbench,
    /// COPY FROM STDIN of a 5-column time series.
    Copy,
    /// A time-bucket aggregation over the series.
    Aggregate,
}

impl Part {
    pub const ALL: [Part; 3] = [Part::Pgbench, Part::Copy, Part::Aggregate];
}

/// Sizes of the workloads. The defaults are the README's numbers.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchOptions {
    /// How long each pgbench run lasts.
    #[serde(rename = "duration_secs", serialize_with = "as_secs")]
    pub duration: Duration,
    /// pgbench clients (and threads).
    pub clients: u32,
    /// pgbench scale factor (100,000 accounts per unit).
    pub scale: u32,
    /// Rows of the series the aggregation runs over.
    pub rows: u64,
    /// Rows of the COPY ingest.
    pub copy_rows: u64,
    /// The parts to run; empty means all.
    pub only: Vec<Part>,
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            duration: Duration::from_secs(10),
            clients: 4,
            scale: 10,
            rows: 10_000_000,
            copy_rows: 1_000_000,
            only: Vec::new(),
        }
    }
}

impl BenchOptions {
    pub fn runs(&self, part: Part) -> bool {
        self.only.is_empty() || self.only.contains(&part)
    }
}

/// The two servers: the one under test and the PostgreSQL it is measured against.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub target: ConnectOptions,
    pub postgres: ConnectOptions,
    /// One line each for the output, without passwords.
    pub target_description: String,
    pub postgres_description: String,
}
