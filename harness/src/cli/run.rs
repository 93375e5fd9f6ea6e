//! `pgcompat run`: the suites against a target, checked against recorded expectations.
//!
//! With an oracle, the same suites first run on PostgreSQL: a case whose expectation does not
//! hold there is reported as `error` (a stale expectation or another PostgreSQL version), never
//! blamed on the target.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::Args;

use super::args::CommonArgs;
use super::gate::{self, GateArgs};
use super::{flows, progress, suites, target};
use crate::checks::sql::run::{run_files, total_cases};
use crate::postgres::Oracle;
use crate::report::{CaseResult, Report, Status};

#[derive(Debug, Clone, Args, Default)]
pub struct RunArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub gate: GateArgs,
}

/// The committed baseline of the built-in target, used when no --baseline is given.
const BUILTIN_BASELINE: &str = "reports/reference-server/report.json";

pub async fn run(mut args: RunArgs) -> anyhow::Result<u8> {
    let (files, scripts) = suites::selected(&args.common)?;
    let opts = args.common.suites.sql_options();
    let resolved = Oracle::resolve(
        &args.common.oracle.spec()?,
        &args.common.oracle.local_options(),
    )
    .await;
    let resolved =
        resolved.map_err(|e| anyhow::anyhow!(e).context("starting the PostgreSQL oracle"))?;
    let oracle = resolved.oracle;
    let oracle_note = oracle.is_none().then(|| {
        let why: Vec<String> = resolved
            .unavailable
            .iter()
            .map(|u| format!("{}: {}", u.kind, u.reason))
            .collect();
        format!(
            "no PostgreSQL oracle, so expectations were not re-checked on PostgreSQL ({})",
            if why.is_empty() {
                "--postgres none".to_owned()
            } else {
                why.join("; ")
            }
        )
    });
    let builtin = args.common.target.is_none();
    let tgt = target::start(args.common.target.as_deref(), &args.common.target_profiles).await?;
    if builtin && args.gate.baseline.is_none() && PathBuf::from(BUILTIN_BASELINE).is_file() {
        args.gate.baseline = Some(BUILTIN_BASELINE.into());
    }
    let mut report = Report::new(
        tgt.description.clone(),
        oracle.as_ref().and_then(|o| o.version().map(str::to_owned)),
    );
    if let Some(n) = oracle_note {
        report.note(n);
    }
    let total = total_cases(&files, &opts);

    let mut on_pg: HashMap<String, CaseResult> = HashMap::new();
    if let Some(o) = &oracle {
        let connect = crate::session::ConnectOptions::from_url(o.url())?;
        let bar = progress::bar(total);
        bar.set_prefix("PostgreSQL");
        for c in run_files(&files, &connect, &opts, &bar).await {
            if c.status != Status::Pass && c.status != Status::Skip {
                on_pg.insert(c.id.clone(), c);
            }
        }
        bar.finish_and_clear();
        if !on_pg.is_empty() {
            report.note(format!(
                "{} cases fail on {} too: their expectations need `pgcompat complete`",
                on_pg.len(),
                o.describe()
            ));
        }
    }

    let bar = progress::bar(total);
    let cases = run_files(&files, &tgt.connect, &opts, &bar).await;
    bar.finish_and_clear();
    for mut c in cases {
        if let Some(pg) = on_pg.get(&c.id) {
            c.status = Status::Error;
            c.message = Some(format!(
                "the expectation fails on PostgreSQL too: {}",
                pg.message.as_deref().unwrap_or("?")
            ));
        }
        report.push(c);
    }
    flows::run(
        &scripts,
        &tgt,
        oracle.as_ref(),
        args.common.oracle.pg_version.as_deref(),
        &mut report,
    )
    .await;
    tgt.stop().await;
    if let Some(o) = oracle {
        o.stop().await?;
    }
    gate::conclude(&mut report, &args.gate, &args.common.report_dir)
}
