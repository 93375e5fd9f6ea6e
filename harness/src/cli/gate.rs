//! The end of every testing verb: expected failures, the report files, the terminal summary,
//! and the exit code (the CI gate).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use crate::report::{self, ExpectedFailures, Report, Status};

#[derive(Debug, Clone, Args, Default)]
pub struct GateArgs {
    /// A previous report.json: exit non-zero only for regressions against it.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Known gaps, reviewed: `<case id or glob>  # reason` per line. Listed failures do not
    /// fail the run.
    #[arg(long, value_name = "FILE")]
    pub expected_failures: Option<PathBuf>,
}

/// Finish the report, write it, print the summary and decide the exit code: with a
/// baseline, 1 only for regressions; without one, 1 for any failure not listed as expected.
pub fn conclude(report: &mut Report, gate: &GateArgs, dir: &Path) -> anyhow::Result<u8> {
    if let Some(path) = &gate.expected_failures {
        let list = ExpectedFailures::load(path)
            .with_context(|| format!("--expected-failures {}", path.display()))?;
        list.apply(report);
        for id in list.unused(report) {
            println!("expected failure no longer fails (remove it from the list): {id}");
        }
    }
    report.finish();
    let written = report::write_all(report, dir)
        .with_context(|| format!("writing the report to {}", dir.display()))?;
    println!("{}", report::summary_table(report));
    for p in written {
        println!("wrote {}", p.display());
    }
    if let Some(path) = &gate.baseline {
        let base = Report::load(path).with_context(|| format!("--baseline {}", path.display()))?;
        let cmp = report::compare(&base, report);
        println!("{}", cmp.render());
        return Ok(u8::from(cmp.is_regression()));
    }
    let unexpected = report
        .cases
        .iter()
        .filter(|c| {
            !matches!(c.status, Status::Pass | Status::Skip) && c.expected_failure.is_none()
        })
        .count();
    if unexpected > 0 {
        println!(
            "{unexpected} cases did not pass (give --baseline or --expected-failures to gate on known gaps)"
        );
    }
    Ok(u8::from(unexpected > 0))
}
