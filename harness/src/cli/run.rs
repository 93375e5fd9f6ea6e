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
use super::{progress, suites, target};
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
    let files = suites::sql_files(&args.common.suites)?;
    let opts = args.common.suites.sql_options();
    let oracle = Oracle::start(
        &args.common.oracle.spec()?,
        &args.common.oracle.local_options(),
    )
    .await;
    let (oracle, oracle_note) = match oracle {
        Ok(Some(o)) => (Some(o), None),
        Ok(None) => (
            None,
            Some("no PostgreSQL oracle: expectations were not re-checked on PostgreSQL".to_owned()),
        ),
        Err(e) => return Err(anyhow::anyhow!(e).context("starting the PostgreSQL oracle")),
    };
    let builtin = args.common.target.is_none();
    let tgt = target::start(args.common.target.as_deref()).await?;
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
    tgt.stop().await;
    if let Some(o) = oracle {
        o.stop().await?;
    }
    gate::conclude(&mut report, &args.gate, &args.common.report_dir)
}
