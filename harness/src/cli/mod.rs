//! The clap command line: verbs that wire the library together. Nothing here is needed to
//! use the library; each verb is a thin sequence of library calls.

mod args;
mod bench;
mod complete;
mod diff;
mod flows;
mod gate;
mod postgres;
mod progress;
mod report;
mod run;
mod suites;
mod target;

use clap::{Parser, Subcommand};

pub use args::{CommonArgs, OracleArgs, SuiteArgs};

/// Measures, case by case, how PostgreSQL-compatible a server is.
#[derive(Debug, Parser)]
#[command(name = "pgcompat", version, about, long_about = None)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Without a verb, `run`'s options are accepted directly (`pgcompat --target URL`).
    #[command(flatten)]
    run: run::RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the suites against a target and write the report (the default verb).
    Run(run::RunArgs),
    /// Run every record on the target and on PostgreSQL in lockstep; report each difference.
    Diff(diff::DiffArgs),
    /// Rewrite the suites' expected results from a real PostgreSQL.
    Complete(complete::CompleteArgs),
    /// Re-render a report.json (Markdown, JUnit, HTML) and optionally gate it on a baseline.
    Report(report::ReportArgs),
    /// A throwaway PostgreSQL for users and CI: `start` prints its URL, `stop` removes it.
    Postgres(postgres::PostgresArgs),
    /// Benchmark the target against a throwaway PostgreSQL (pgbench -S, COPY, aggregation).
    Bench(bench::BenchArgs),
}

/// Exit codes: 0 success, 1 regressions or unexpected failures, 2 the run itself failed.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PGCOMPAT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    // The built-in reference server runs in this process.
    #[cfg(feature = "builtin")]
    builder.thread_stack_size(reference_server::SESSION_STACK_SIZE);
    let runtime = match builder.build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("pgcompat: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    crate::postgres::install_signal_cleanup();
    let result = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Run(cli.run)) {
            Command::Run(a) => run::run(a).await,
            Command::Diff(a) => diff::run(a).await,
            Command::Complete(a) => complete::run(a).await,
            Command::Report(a) => report::run(a).await,
            Command::Postgres(a) => postgres::run(a).await,
            Command::Bench(a) => bench::run(a).await,
        }
    });
    match result {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("pgcompat: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Cli, Command};

    #[test]
    fn cli_run_options_work_without_the_verb() {
        let cli = Cli::try_parse_from(["pgcompat", "--check", "sql", "--report-dir", "out"])
            .expect("run's options parse at the top level");
        assert!(cli.command.is_none());
        assert_eq!(cli.run.common.report_dir, std::path::PathBuf::from("out"));
        let cli = Cli::try_parse_from(["pgcompat", "run", "--report-dir", "out"])
            .expect("and after the verb");
        assert!(matches!(cli.command, Some(Command::Run(_))));
        assert!(Cli::try_parse_from(["pgcompat", "--report-dir", "out", "diff"]).is_err());
    }
}
