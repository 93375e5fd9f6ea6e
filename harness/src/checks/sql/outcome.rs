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

/// The first line of a multi-line error, for the one-line `message`.
pub fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_owned()
}
