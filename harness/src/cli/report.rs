//! `pgcompat report`: re-render a report.json and optionally gate it on a baseline.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::gate::{self, GateArgs};
use crate::report::Report;

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The report.json to render.
    pub report: PathBuf,
    /// Where the rendered files go (default: beside the report).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub gate: GateArgs,
}

pub async fn run(args: ReportArgs) -> anyhow::Result<u8> {
    let mut report =
        Report::load(&args.report).with_context(|| format!("reading {}", args.report.display()))?;
    let dir = args.out.clone().unwrap_or_else(|| {
        args.report
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."))
    });
    gate::conclude(&mut report, &args.gate, &dir)
}
