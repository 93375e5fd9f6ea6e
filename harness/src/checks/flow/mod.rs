//! Protocol conformance by flow: scripted wire conversations (`suites/protocol/<flow>/*.pgs`)
//! replayed against PostgreSQL and the target side by side, their normalised transcripts
//! compared message by message.
//!
//! [`script`] reads the format, [`exec`] plays a case over raw sessions, [`render`] turns
//! messages into stable lines, [`compare`] projects them onto what a case compares, [`diff`]
//! shows a failure side by side, [`run`] and [`complete`] drive whole suites.

pub mod compare;
pub mod complete;
pub mod diff;
pub mod exec;
mod lex;
mod oracle;
pub mod render;
pub mod run;
pub mod script;
mod send;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

pub use complete::{CompleteStats, complete_flows};
pub use oracle::{FLOW_PASSWORD, start_oracle_profiles};
pub use run::run_flows;
pub use script::{Case, Script, collect_scripts, parse_script};

use crate::postgres::OracleError;
use crate::session::ConnectOptions;

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("{}:{line}: {why}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        why: String,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Cluster(#[from] OracleError),
    #[error("oracle set-up: {0}")]
    Oracle(String),
}

/// Where each server profile (trust, password, md5, scram, tls, tls_required) is reached.
#[derive(Debug, Clone, Default)]
pub struct FlowProfiles {
    profiles: BTreeMap<String, ConnectOptions>,
}

impl FlowProfiles {
    pub fn insert(&mut self, profile: &str, opts: ConnectOptions) {
        self.profiles.insert(profile.to_owned(), opts);
    }

    pub fn get(&self, profile: &str) -> Option<&ConnectOptions> {
        self.profiles.get(profile)
    }

    /// Profile names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }
}

#[derive(Debug, Clone)]
pub struct FlowOptions {
    /// The longest wait for any one receive step (and a cancel's close).
    pub step_timeout: Duration,
    /// The longest wait for a connection (TCP, TLS and, in `startup auto`, authentication).
    pub connect_timeout: Duration,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions {
            step_timeout: Duration::from_secs(4),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// How many cases the scripts hold (for a progress bar).
pub fn total_cases(scripts: &[Script]) -> u64 {
    scripts.iter().map(|s| s.cases.len() as u64).sum()
}
