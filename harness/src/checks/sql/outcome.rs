//! Turning one slt record's run into a report case.

use sqllogictest::{QueryExpect, Record, StatementExpect};

use super::engine::ColType;
use crate::report::{CaseResult, Category, Status};

/// The parts of a statement/query record a case needs.
pub struct RecordInfo {
    pub line: u32,
    pub file: String,
    pub sql: String,
    pub expected: String,
}

impl RecordInfo {
    /// `None` for records that are not cases (comments, control, conditions ...).
    pub fn of(record: &Record<ColType>) -> Option<RecordInfo> {
        match record {
            Record::Statement {
                loc, sql, expected, ..
            } => Some(RecordInfo {
                line: loc.line(),
                file: loc.file().to_owned(),
                sql: sql.clone(),
                expected: match expected {
                    StatementExpect::Ok => "statement ok".to_owned(),
                    StatementExpect::Count(n) => format!("statement count {n}"),
                    StatementExpect::Error(e) => format!("error {e}"),
                },
            }),
            Record::Query {
                loc, sql, expected, ..
            } => Some(RecordInfo {
                line: loc.line(),
                file: loc.file().to_owned(),
                sql: sql.clone(),
                expected: match expected {
                    QueryExpect::Results { results, .. } => results.join("\n"),
                    QueryExpect::Error(e) => format!("error {e}"),
                },
            }),
            _ => None,
        }
    }
}

/// A fresh case with the SQL category's conventions.
pub fn sql_case(id: String, group: String, status: Status, info: &RecordInfo) -> CaseResult {
    CaseResult {
        id,
        category: Category::Sql,
        group,
        status,
        expected: None,
        actual: None,
        message: None,
        duration_ms: 0,
        sql: Some(info.sql.clone()),
        expected_failure: None,
    }
}

/// A multi-line error as one line for `message`: its first line, and the second when the
/// first only announces it (sqllogictest's `...expected to fail with error:`).
pub fn first_line(s: &str) -> String {
    let mut lines = s.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("").to_owned();
    match lines.next() {
        Some(second) if first.ends_with(':') => format!("{first} {second}"),
        _ => first,
    }
}
