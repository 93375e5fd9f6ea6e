//! Which .slt files a run covers.

use std::path::PathBuf;

use anyhow::Context;

use super::args::{Check, CommonArgs, SuiteArgs};
use crate::checks::flow::{Script, collect_scripts};
use crate::checks::sql::files::{self, SltFile};

/// The built-in suites folder: `--suites-dir`, else `./suites`, else the source tree's.
pub fn suites_dir(args: &SuiteArgs) -> PathBuf {
    if let Some(d) = &args.suites_dir {
        return d.clone();
    }
    let here = PathBuf::from("suites");
    if here.join("sql").is_dir() {
        return here;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../suites"))
}

/// The SQL files to run: the built-in `suites/sql` (unless --only-suites) and every --suite.
pub fn sql_files(args: &SuiteArgs) -> anyhow::Result<Vec<SltFile>> {
    let mut out = Vec::new();
    if !args.only_suites {
        let dir = suites_dir(args).join("sql");
        out.extend(files::collect(&dir, None).with_context(|| "the built-in SQL suites")?);
    }
    for s in &args.suite {
        let prefix = s
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "suite".into());
        let prefix = prefix.strip_suffix(".slt").unwrap_or(&prefix).to_owned();
        out.extend(files::collect(s, Some(&prefix))?);
    }
    if out.is_empty() {
        anyhow::bail!("no .slt files to run");
    }
    Ok(out)
}

/// The protocol scripts: `suites/protocol/**` (none with --only-suites).
pub fn flow_scripts(args: &SuiteArgs) -> anyhow::Result<Vec<Script>> {
    if args.only_suites {
        return Ok(Vec::new());
    }
    let dir = suites_dir(args).join("protocol");
    collect_scripts(&dir).with_context(|| format!("the protocol scripts in {}", dir.display()))
}

/// The SQL files and protocol scripts the `--check` selection of a testing verb asks for.
pub fn selected(common: &CommonArgs) -> anyhow::Result<(Vec<SltFile>, Vec<Script>)> {
    let files = if common.runs(Check::Sql) {
        sql_files(&common.suites)?
    } else {
        Vec::new()
    };
    let scripts = if common.runs(Check::Flow) {
        flow_scripts(&common.suites)?
    } else {
        Vec::new()
    };
    Ok((files, scripts))
}
