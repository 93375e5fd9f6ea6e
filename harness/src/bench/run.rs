//! Runs the selected parts one after the other into a [`BenchReport`].

use indicatif::ProgressBar;

use super::options::{BenchOptions, Endpoints, Part};
use super::outcome::BenchReport;
use super::{aggregate, copy, pgbench};

/// Runs every selected part on both servers. Never fails as a whole: a part that fails is
/// its rows' `error`, and the other parts still run.
pub async fn run(servers: &Endpoints, opts: &BenchOptions, bar: &ProgressBar) -> BenchReport {
    let mut report = BenchReport {
        started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        target: servers.target_description.clone(),
        postgres: servers.postgres_description.clone(),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        build_profile: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        options: opts.clone(),
        rows: Vec::new(),
    };
    for part in Part::ALL {
        if !opts.runs(part) {
            continue;
        }
        match part {
            Part::Pgbench => report.rows.extend(pgbench::run(servers, opts, bar).await),
            Part::Copy => report.rows.push(copy::run(servers, opts, bar).await),
            Part::Aggregate => report.rows.push(aggregate::run(servers, opts, bar).await),
        }
    }
    report
}
