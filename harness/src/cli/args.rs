//! Options shared by several verbs.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::checks::sql::Mode;
use crate::checks::sql::run::SqlOptions;
use crate::postgres::{AuthMethod, LocalOptions, OracleSpec};

/// Where the PostgreSQL oracle comes from.
#[derive(Debug, Clone, Args)]
pub struct OracleArgs {
    /// The oracle: auto | local | container | none | a postgres:// URL.
    #[arg(long = "postgres", default_value = "auto", value_name = "SPEC")]
    pub postgres: String,
    /// PostgreSQL major version for a local or container oracle (default: newest found).
    #[arg(long = "pg-version", value_name = "MAJOR")]
    pub pg_version: Option<String>,
}

impl Default for OracleArgs {
    fn default() -> Self {
        OracleArgs {
            postgres: "auto".into(),
            pg_version: None,
        }
    }
}

impl OracleArgs {
    pub fn spec(&self) -> anyhow::Result<OracleSpec> {
        self.postgres
            .parse()
            .map_err(|e| anyhow::anyhow!("--postgres {}: {e}", self.postgres))
    }

    pub fn local_options(&self) -> LocalOptions {
        LocalOptions {
            version: self.pg_version.clone(),
            auth: AuthMethod::Trust,
            ..LocalOptions::default()
        }
    }
}

/// Which suites to run and how.
#[derive(Debug, Clone, Args, Default)]
pub struct SuiteArgs {
    /// More suites: .slt files or folders (repeatable). They run besides the built-in ones.
    #[arg(long = "suite", value_name = "PATH")]
    pub suite: Vec<PathBuf>,
    /// Run only the suites given with --suite, not the built-in ones.
    #[arg(long)]
    pub only_suites: bool,
    /// The built-in suites folder (default: ./suites, else the one this binary was built from).
    #[arg(long, value_name = "DIR")]
    pub suites_dir: Option<PathBuf>,
    /// Protocol lanes to run (repeatable): simple, extended. Default: both.
    #[arg(long = "mode", value_name = "MODE")]
    pub modes: Vec<Mode>,
    /// Seconds one case may take before it is a timeout.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// sqllogictest hash threshold (0 = never hash results).
    #[arg(long, default_value_t = 0)]
    pub hash_threshold: usize,
    /// Extra labels for skipif/onlyif (repeatable).
    #[arg(long = "label")]
    pub labels: Vec<String>,
}

impl SuiteArgs {
    pub fn sql_options(&self) -> SqlOptions {
        SqlOptions {
            modes: if self.modes.is_empty() {
                Mode::ALL.to_vec()
            } else {
                self.modes.clone()
            },
            case_timeout: Duration::from_secs(self.timeout.max(1)),
            hash_threshold: self.hash_threshold,
            labels: self.labels.clone(),
        }
    }
}

/// A report axis that can be selected with `--check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Check {
    Sql,
    Flow,
}

impl CommonArgs {
    pub fn runs(&self, check: Check) -> bool {
        self.checks.is_empty() || self.checks.contains(&check)
    }
}

/// What every verb that tests a server takes.
#[derive(Debug, Clone, Args, Default)]
pub struct CommonArgs {
    /// The server under test (postgres://user:pass@host:port/db). Default: the built-in
    /// reference server, started in-process on a free loopback port.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// More ways to reach the target for protocol scripts that need another server set-up:
    /// `NAME=URL`, NAME one of password, md5, scram, tls, tls_required (repeatable).
    #[arg(long = "target-profile", value_name = "NAME=URL")]
    pub target_profiles: Vec<String>,
    /// Which checks to run (repeatable): sql, flow. Default: all.
    #[arg(long = "check", value_name = "CHECK")]
    pub checks: Vec<Check>,
    #[command(flatten)]
    pub oracle: OracleArgs,
    #[command(flatten)]
    pub suites: SuiteArgs,
    /// Where report.json, report.md, junit.xml and index.html go.
    #[arg(long, default_value = "reports/latest", value_name = "DIR")]
    pub report_dir: PathBuf,
}
