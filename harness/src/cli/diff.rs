//! `pgcompat diff`: lockstep differential run against PostgreSQL; needs an oracle.

use clap::Args;

use super::args::CommonArgs;
use super::gate::{self, GateArgs};
use super::{flows, progress, suites, target};
use crate::checks::sql::diff::diff_files;
use crate::checks::sql::run::total_cases;
use crate::postgres::Oracle;
use crate::report::Report;
use crate::session::ConnectOptions;

#[derive(Debug, Clone, Args, Default)]
pub struct DiffArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub gate: GateArgs,
}

pub async fn run(args: DiffArgs) -> anyhow::Result<u8> {
    let (files, scripts) = suites::selected(&args.common)?;
    let opts = args.common.suites.sql_options();
    let oracle = Oracle::start(
        &args.common.oracle.spec()?,
        &args.common.oracle.local_options(),
    )
    .await?
    .ok_or_else(|| {
        anyhow::anyhow!(
            "diff needs a PostgreSQL oracle (--postgres local|container|URL), and none is available"
        )
    })?;
    let tgt = target::start(args.common.target.as_deref(), &args.common.target_profiles).await?;
    let mut report = Report::new(tgt.description.clone(), oracle.version().map(str::to_owned));
    report.note(format!("differential run against {}", oracle.describe()));
    let bar = progress::bar(total_cases(&files, &opts));
    let pg = ConnectOptions::from_url(oracle.url())?;
    for c in diff_files(&files, &tgt.connect, &pg, &opts, &bar).await {
        report.push(c);
    }
    bar.finish_and_clear();
    flows::run(
        &scripts,
        &tgt,
        Some(&oracle),
        args.common.oracle.pg_version.as_deref(),
        &mut report,
    )
    .await;
    tgt.stop().await;
    oracle.stop().await?;
    gate::conclude(&mut report, &args.gate, &args.common.report_dir)
}
