//! `pgcompat bench`: the benchmark against the target and a throwaway PostgreSQL, with ratios.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::args::OracleArgs;
use crate::bench::{self, BenchOptions, Endpoints, Part};
use crate::postgres::{LocalOptions, Oracle};
use crate::session::ConnectOptions;

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// The server to benchmark (postgres://user:pass@host:port/db). Default: the built-in
    /// reference server, in-process, with a durable data dir in a temp dir.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    #[command(flatten)]
    pub oracle: OracleArgs,
    /// Seconds each pgbench run lasts.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub duration: u64,
    /// pgbench clients (and threads).
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub clients: u32,
    /// pgbench scale factor (100,000 accounts each).
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub scale: u32,
    /// Rows of the series the aggregation runs over.
    #[arg(long, default_value_t = 10_000_000, value_name = "N")]
    pub rows: u64,
    /// Rows of the COPY ingest.
    #[arg(long, default_value_t = 1_000_000, value_name = "N")]
    pub copy_rows: u64,
    /// Run only these parts (repeatable): pgbench, copy, aggregate. Default: all.
    #[arg(long = "only", value_name = "PART")]
    pub only: Vec<Part>,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// Exit code 1 when any row has an error, else 0.
pub async fn run(args: BenchArgs) -> anyhow::Result<u8> {
    let opts = BenchOptions {
        duration: Duration::from_secs(args.duration.max(1)),
        clients: args.clients.max(1),
        scale: args.scale.max(1),
        rows: args.rows.max(1),
        copy_rows: args.copy_rows.max(1),
        only: args.only.clone(),
    };
    let oracle = Oracle::start(&args.oracle.spec()?, &durable(args.oracle.local_options()))
        .await
        .context("starting PostgreSQL")?
        .ok_or_else(|| {
            anyhow::anyhow!(
                "bench needs a PostgreSQL to compare with (--postgres local|container|URL), and none is available: {}",
                crate::postgres::last_unavailable_reasons()
                    .iter()
                    .map(|u| format!("{}: {}", u.kind, u.reason))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        })?;
    let result = with_target(&args, &oracle, &opts).await;
    if let Err(e) = oracle.stop().await {
        tracing::warn!("stopping PostgreSQL: {e}");
    }
    let report = result?;
    println!("{}", bench::render_table(&report));
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(u8::from(report.has_errors()))
}

/// Starts the target (built-in unless --target), runs the parts, stops it.
async fn with_target(
    args: &BenchArgs,
    oracle: &Oracle,
    opts: &BenchOptions,
) -> anyhow::Result<bench::BenchReport> {
    let postgres = ConnectOptions::from_url(oracle.url())?;
    let bar = spinner();
    let report = match &args.target {
        Some(url) => {
            let target =
                ConnectOptions::from_url(url).with_context(|| format!("--target {url}"))?;
            let servers = Endpoints {
                target_description: target.redacted_url(),
                target,
                postgres,
                postgres_description: oracle.describe(),
            };
            bench::run(&servers, opts, &bar).await
        }
        None => builtin(postgres, oracle.describe(), opts, &bar).await?,
    };
    bar.finish_and_clear();
    Ok(report)
}

#[cfg(feature = "builtin")]
async fn builtin(
    postgres: ConnectOptions,
    postgres_description: String,
    opts: &BenchOptions,
    bar: &ProgressBar,
) -> anyhow::Result<bench::BenchReport> {
    let target = bench::BuiltinTarget::start().await?;
    let servers = Endpoints {
        target: target.connect().clone(),
        target_description: target.describe(),
        postgres,
        postgres_description,
    };
    let report = bench::run(&servers, opts, bar).await;
    target.stop().await;
    Ok(report)
}

#[cfg(not(feature = "builtin"))]
async fn builtin(
    _postgres: ConnectOptions,
    _postgres_description: String,
    _opts: &BenchOptions,
    _bar: &ProgressBar,
) -> anyhow::Result<bench::BenchReport> {
    anyhow::bail!(
        "this pgcompat was built without the reference server (feature `builtin`): pass --target URL"
    )
}

/// A throwaway cluster as durable as the reference server (which fsyncs its WAL before
/// acknowledging), not the oracle's fsync=off: otherwise COPY would compare a durable
/// server with one that is not.
fn durable(mut opts: LocalOptions) -> LocalOptions {
    for name in ["fsync", "synchronous_commit", "full_page_writes"] {
        opts.settings.push((name.into(), "on".into()));
    }
    opts
}

/// Steps and COPY progress on stderr (hidden when stderr is not a terminal).
fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
