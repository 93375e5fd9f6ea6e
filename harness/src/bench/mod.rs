//! `pgcompat bench`: the same workloads against the target and a real PostgreSQL, in one
//! run, with the ratio of each (issue 3, item 10).
//!
//! Three parts, each a row (or three) of the result, each failing on its own: pgbench `-S` in
//! the three query modes ([`pgbench`]), COPY ingest of a time series ([`copy`]) and a
//! time-bucket aggregation over that series ([`aggregate`]). The data is deterministic
//! ([`series`]) and goes to both servers through the same client code, so the numbers compare
//! the servers, not the loaders; the aggregation checks that both return the same rows.

mod aggregate;
#[cfg(feature = "builtin")]
mod builtin;
mod cleanup;
mod copy;
mod copy_in;
mod error;
mod options;
mod outcome;
mod pgbench;
mod pgbench_output;
mod render;
mod run;
mod series;

#[cfg(feature = "builtin")]
pub use builtin::BuiltinTarget;
pub use cleanup::ScratchDir;
pub use error::BenchError;
pub use options::{BenchOptions, Endpoints, Part};
pub use outcome::{Aim, BenchReport, BenchRow};
pub use pgbench_output::{PgbenchRun, parse_pgbench_output};
pub use render::render_table;
pub use run::run;
pub use series::Series;
