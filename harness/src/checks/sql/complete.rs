//! `pgcompat complete`: rewrite the expectations of slt files from a real PostgreSQL.
//!
//! Every statement and query record runs on PostgreSQL in the simple protocol; its result,
//! error SQLSTATE, column types and command tag become the record's expectation. Records of
//! included files run (they set up state) but only the named file is rewritten.

use std::fmt::Write as _;
use std::path::Path;

use sqllogictest::{
    ExpectedError, Injected, QueryExpect, Record, RecordOutput, StatementExpect,
    default_normalizer, strict_column_validator, update_record_with_output,
};

use super::Mode;
use super::engine::ColType;
use super::expect::Expect;
use super::files::SltFile;
use super::run::{SqlOptions, new_runner, parse, row_validator};
use crate::session::ConnectOptions;

const HEADER: &str = " pgcompat: expected results recorded from PostgreSQL";

#[derive(Debug, thiserror::Error)]
pub enum CompleteError {
    #[error("{0}")]
    Parse(String),
    #[error("{file}:{line}: lost the connection to PostgreSQL: {reason}")]
    ConnectionLost {
        file: String,
        line: u32,
        reason: String,
    },
    #[error("writing {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// What one file's completion changed.
#[derive(Debug, Default, Clone)]
pub struct Completed {
    pub records: usize,
    pub changed: usize,
}

/// Make an error expectation match by SQLSTATE, PostgreSQL's stable contract (messages vary).
fn expect_sqlstate(record: Record<ColType>, code: Option<&str>) -> Record<ColType> {
    let Some(code) = code.filter(|c| !c.is_empty()) else {
        return record;
    };
    let state = || ExpectedError::SqlState(code.to_owned());
    match record {
        Record::Statement {
            loc,
            conditions,
            connection,
            sql,
            expected: StatementExpect::Error(_),
            retry,
        } => Record::Statement {
            loc,
            conditions,
            connection,
            sql,
            expected: StatementExpect::Error(state()),
            retry,
        },
        Record::Query {
            loc,
            conditions,
            connection,
            sql,
            expected: QueryExpect::Error(_),
            retry,
        } => Record::Query {
            loc,
            conditions,
            connection,
            sql,
            expected: QueryExpect::Error(state()),
            retry,
        },
        other => other,
    }
}

/// A query that returned no result set is written `statement ok`, not `statement count`.
fn plain_statement(original: &Record<ColType>, record: Record<ColType>) -> Record<ColType> {
    match (original, record) {
        (
            Record::Query { .. },
            Record::Statement {
                loc,
                conditions,
                connection,
                sql,
                expected: StatementExpect::Count(_),
                retry,
            },
        ) => Record::Statement {
            loc,
            conditions,
            connection,
            sql,
            expected: StatementExpect::Ok,
            retry,
        },
        (_, r) => r,
    }
}

fn write_comment(out: &mut String, lines: &[String]) {
    for l in lines {
        let _ = writeln!(out, "#{}", l.trim_end());
    }
}

/// Complete one file in place. `version` is PostgreSQL's, written into the file's header.
pub async fn complete_file(
    file: &SltFile,
    oracle: &ConnectOptions,
    opts: &SqlOptions,
    version: &str,
) -> Result<Completed, CompleteError> {
    let records = parse(file).map_err(CompleteError::Parse)?;
    let obs = super::engine::ObservationCell::default();
    let mut runner = new_runner(Mode::Simple, oracle, &obs, opts);
    let mut text = String::new();
    let mut stats = Completed::default();
    let mut depth = 0usize;
    let mut pending: Vec<String> = Vec::new();
    let header = format!("{HEADER} {version}");
    let mut wrote_header = false;

    for record in records {
        match &record {
            Record::Injected(Injected::BeginInclude(_)) => {
                depth += 1;
                continue;
            }
            Record::Injected(Injected::EndInclude(_)) => {
                depth = depth.saturating_sub(1);
                continue;
            }
            _ if depth > 0 => {
                runner.apply_record(record).await;
                continue;
            }
            Record::Comment(lines) => {
                for l in lines {
                    if l.starts_with(HEADER) {
                        continue;
                    }
                    if !Expect::is_ours(l) {
                        pending.push(l.clone());
                    }
                }
                continue;
            }
            _ => {}
        }
        if !wrote_header {
            let _ = writeln!(text, "#{header}");
            wrote_header = true;
        }
        write_comment(&mut text, &std::mem::take(&mut pending));
        match &record {
            Record::Statement { loc, .. } | Record::Query { loc, .. } => {
                let line = loc.line();
                let output = runner.apply_record(record.clone()).await;
                let seen = obs.lock().map(|o| o.clone()).unwrap_or_default();
                if seen.connection_lost {
                    return Err(CompleteError::ConnectionLost {
                        file: file.name.clone(),
                        line,
                        reason: seen.actual,
                    });
                }
                let updated = update_record_with_output(
                    &record,
                    &output,
                    " ",
                    row_validator,
                    default_normalizer,
                    strict_column_validator,
                )
                .unwrap_or_else(|| record.clone());
                let updated = plain_statement(&record, updated);
                let updated = expect_sqlstate(updated, seen.error_code.as_deref());
                let failed = matches!(
                    output,
                    RecordOutput::Query { error: Some(_), .. }
                        | RecordOutput::Statement { error: Some(_), .. }
                );
                let expect = Expect::from_observed(&seen.column_types, seen.tag.as_deref());
                if !failed && !expect.is_empty() {
                    let _ = writeln!(text, "#{}", expect.to_comment());
                }
                stats.records += 1;
                if updated.to_string() != record.to_string() {
                    stats.changed += 1;
                }
                let _ = writeln!(text, "{updated}");
            }
            _ => {
                let _ = writeln!(text, "{record}");
                runner.apply_record(record).await;
            }
        }
    }
    write_comment(&mut text, &pending);
    runner.shutdown_async().await;
    while text.ends_with("\n\n") {
        text.pop();
    }
    write_atomically(&file.path, &text)?;
    Ok(stats)
}

fn write_atomically(path: &Path, text: &str) -> Result<(), CompleteError> {
    let err = |source| CompleteError::Write {
        path: path.display().to_string(),
        source,
    };
    let tmp = path.with_extension("slt.tmp");
    std::fs::write(&tmp, text).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}
