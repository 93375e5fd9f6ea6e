//! `pgcompat complete`: record the suites' expectations from a real PostgreSQL.

use clap::Args;

use super::args::{OracleArgs, SuiteArgs};
use super::suites;
use crate::checks::flow::{FlowOptions, complete_flows, start_oracle_profiles};
use crate::checks::sql::complete::complete_file;
use crate::postgres::Oracle;
use crate::session::ConnectOptions;

#[derive(Debug, Clone, Args, Default)]
pub struct CompleteArgs {
    #[command(flatten)]
    pub oracle: OracleArgs,
    #[command(flatten)]
    pub suites: SuiteArgs,
}

pub async fn run(args: CompleteArgs) -> anyhow::Result<u8> {
    let files = suites::sql_files(&args.suites)?;
    let opts = args.suites.sql_options();
    let oracle = Oracle::start(&args.oracle.spec()?, &args.oracle.local_options())
        .await?
        .ok_or_else(|| anyhow::anyhow!("complete needs a PostgreSQL (--postgres local|container|URL), and none is available"))?;
    let version = oracle.version().unwrap_or("(unknown version)").to_owned();
    let pg = ConnectOptions::from_url(oracle.url())?;
    let mut failed = false;
    for f in &files {
        match complete_file(f, &pg, &opts, &version).await {
            Ok(s) => println!("{}: {} records, {} changed", f.name, s.records, s.changed),
            Err(e) => {
                eprintln!("{}: {e}", f.name);
                failed = true;
            }
        }
    }
    let scripts = suites::flow_scripts(&args.suites)?;
    if !scripts.is_empty() {
        let (profiles, clusters) = start_oracle_profiles(args.oracle.pg_version.as_deref()).await?;
        match complete_flows(&scripts, &profiles, &FlowOptions::default()).await {
            Ok(s) => println!("protocol scripts: {s:?}"),
            Err(e) => {
                eprintln!("protocol scripts: {e}");
                failed = true;
            }
        }
        drop(clusters);
    }
    oracle.stop().await?;
    Ok(if failed { 2 } else { 0 })
}
