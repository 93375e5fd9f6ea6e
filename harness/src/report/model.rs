//! The report model: what report.json holds, and the tallies derived from its cases.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::json::SCHEMA_VERSION;

/// A report axis: each check belongs to exactly one.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Sql,
    Flow,
    Type,
    Catalog,
    Fuzz,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 5] = [
        Category::Sql,
        Category::Flow,
        Category::Type,
        Category::Catalog,
        Category::Fuzz,
    ];

    /// The lowercase name used in report.json keys, ids and CLI filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Sql => "sql",
            Category::Flow => "flow",
            Category::Type => "type",
            Category::Catalog => "catalog",
            Category::Fuzz => "fuzz",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                format!("unknown category `{s}` (expected one of: sql, flow, type, catalog, fuzz)")
            })
    }
}

/// The outcome of one case.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Error,
    Skip,
    Timeout,
    Crash,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::Skip => "skip",
            Status::Timeout => "timeout",
            Status::Crash => "crash",
        }
    }

    pub fn is_pass(self) -> bool {
        self == Status::Pass
    }

    /// The case ran and did not pass: what an expected-failures entry may cover.
    pub fn is_failure(self) -> bool {
        !matches!(self, Status::Pass | Status::Skip)
    }

    /// Counted as `errored` in summaries: the case could not complete normally.
    pub fn is_errored(self) -> bool {
        matches!(self, Status::Error | Status::Timeout | Status::Crash)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One case's result, with enough detail to show the difference without re-running it.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
pub struct CaseResult {
    /// Stable id, e.g. "sql/simple/joins.slt:42"; baselines and expected failures key on it.
    pub id: String,
    pub category: Category,
    /// e.g. "joins" or "extended".
    pub group: String,
    pub status: Status,
    pub expected: Option<String>,
    pub actual: Option<String>,
    /// One-line reason (error text, "timed out after 30s", ...).
    pub message: Option<String>,
    pub duration_ms: u64,
    pub sql: Option<String>,
    /// The reviewed reason, when the case fails and is listed in the expected-failures file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_failure: Option<String>,
}

impl CaseResult {
    /// A result with only the identifying fields set; fill the rest as needed.
    pub fn new(
        id: impl Into<String>,
        category: Category,
        group: impl Into<String>,
        status: Status,
    ) -> Self {
        CaseResult {
            id: id.into(),
            category,
            group: group.into(),
            status,
            expected: None,
            actual: None,
            message: None,
            duration_ms: 0,
            sql: None,
            expected_failure: None,
        }
    }
}

/// Pass rate over the cases that ran: skipped cases were not measured, so they neither help
/// nor hurt (the skipped count is always shown next to it). 0.0 when nothing ran.
pub(crate) fn rate(passed: usize, total: usize, skipped: usize) -> f64 {
    let ran = total.saturating_sub(skipped);
    if ran == 0 {
        0.0
    } else {
        passed as f64 / ran as f64
    }
}

/// Implements the shared tally fields' bookkeeping for the three summary levels.
macro_rules! tally {
    ($ty:ty) => {
        impl $ty {
            fn count(&mut self, status: Status) {
                self.total += 1;
                match status {
                    Status::Pass => self.passed += 1,
                    Status::Fail => self.failed += 1,
                    Status::Skip => self.skipped += 1,
                    Status::Error | Status::Timeout | Status::Crash => self.errored += 1,
                }
            }

            /// Passed / (total - skipped); 0.0 when nothing ran.
            pub fn pass_rate(&self) -> f64 {
                rate(self.passed, self.total, self.skipped)
            }
        }
    };
}

/// Whole-run tallies. `errored` = error + timeout + crash.
#[derive(Serialize, Deserialize, Clone, Default, PartialEq, Eq, Debug)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    /// Failing cases covered by the expected-failures list (included in failed/errored).
    #[serde(default)]
    pub expected_failures: usize,
}
tally!(Summary);

/// Tallies of one category, with its groups.
#[derive(Serialize, Deserialize, Clone, Default, PartialEq, Eq, Debug)]
pub struct CategorySummary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    #[serde(default)]
    pub expected_failures: usize,
    pub groups: BTreeMap<String, GroupSummary>,
}
tally!(CategorySummary);

/// Tallies of one group within a category.
#[derive(Serialize, Deserialize, Clone, Default, PartialEq, Eq, Debug)]
pub struct GroupSummary {
    pub total: usize,
    pub passed: usize,
    #[serde(default)]
    pub failed: usize,
    #[serde(default)]
    pub errored: usize,
    #[serde(default)]
    pub skipped: usize,
}
tally!(GroupSummary);

/// A whole run: what report.json holds and every rendering is made from.
#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
pub struct Report {
    /// Bumped on any incompatible change; [`Report::load`] refuses other versions.
    pub schema_version: u32,
    pub tool_version: String,
    /// Description or redacted URL of the server under test.
    pub target: String,
    /// The oracle PostgreSQL's version; None when the run had no oracle.
    pub postgres: Option<String>,
    /// RFC 3339 UTC.
    pub started_at: String,
    pub finished_at: String,
    pub summary: Summary,
    /// Keyed by [`Category::as_str`]; only categories with cases appear.
    pub categories: BTreeMap<String, CategorySummary>,
    pub notes: Vec<String>,
    pub cases: Vec<CaseResult>,
}

fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Report {
    /// An empty report started now.
    pub fn new(target: impl Into<String>, postgres: Option<String>) -> Self {
        let started_at = now_rfc3339();
        Report {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            target: target.into(),
            postgres,
            finished_at: started_at.clone(),
            started_at,
            summary: Summary::default(),
            categories: BTreeMap::new(),
            notes: Vec::new(),
            cases: Vec::new(),
        }
    }

    pub fn push(&mut self, case: CaseResult) {
        self.cases.push(case);
    }

    /// Adds a run-level remark, e.g. why a whole class of checks was skipped.
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Stamps finished_at and recomputes the tallies; safe to call more than once.
    pub fn finish(&mut self) {
        self.finished_at = now_rfc3339();
        self.recompute();
    }

    /// Rebuilds `summary` and `categories` from `cases` (one linear pass).
    pub fn recompute(&mut self) {
        let mut summary = Summary::default();
        // Keyed by the enum while counting so no key string is allocated per case.
        let mut categories: BTreeMap<Category, CategorySummary> = BTreeMap::new();
        for case in &self.cases {
            summary.count(case.status);
            let category = categories.entry(case.category).or_default();
            category.count(case.status);
            if case.status.is_failure() && case.expected_failure.is_some() {
                summary.expected_failures += 1;
                category.expected_failures += 1;
            }
            match category.groups.get_mut(&case.group) {
                Some(group) => group.count(case.status),
                None => {
                    let mut group = GroupSummary::default();
                    group.count(case.status);
                    category.groups.insert(case.group.clone(), group);
                }
            }
        }
        self.summary = summary;
        self.categories = categories
            .into_iter()
            .map(|(c, s)| (c.as_str().to_string(), s))
            .collect();
    }

    /// Overall pass rate in 0..=1 over the cases that ran (skips excluded).
    pub fn pass_rate(&self) -> f64 {
        self.summary.pass_rate()
    }

    /// Categories in report order (not alphabetical), with their tallies.
    pub fn categories_in_order(&self) -> impl Iterator<Item = (Category, &CategorySummary)> {
        Category::ALL
            .into_iter()
            .filter_map(|c| self.categories.get(c.as_str()).map(|s| (c, s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_recompute_counts_statuses_groups_and_expected_failures() {
        let mut report = Report::new("target", None);
        report.push(CaseResult::new("a", Category::Sql, "joins", Status::Pass));
        report.push(CaseResult::new("b", Category::Sql, "joins", Status::Fail));
        let mut expected = CaseResult::new("c", Category::Sql, "casts", Status::Timeout);
        expected.expected_failure = Some("known".into());
        report.push(expected);
        report.push(CaseResult::new(
            "d",
            Category::Flow,
            "extended",
            Status::Skip,
        ));
        report.push(CaseResult::new(
            "e",
            Category::Flow,
            "extended",
            Status::Crash,
        ));
        report.finish();
        report.finish();

        let s = &report.summary;
        assert_eq!(
            (
                s.total,
                s.passed,
                s.failed,
                s.errored,
                s.skipped,
                s.expected_failures
            ),
            (5, 1, 1, 2, 1, 1)
        );
        let sql = &report.categories["sql"];
        assert_eq!(
            (sql.total, sql.passed, sql.failed, sql.errored),
            (3, 1, 1, 1)
        );
        assert_eq!(sql.groups["joins"].total, 2);
        assert_eq!(sql.groups["casts"].errored, 1);
        let flow = &report.categories["flow"];
        assert_eq!((flow.total, flow.skipped, flow.errored), (2, 1, 1));
        // 1 pass out of 4 that ran.
        assert!((report.pass_rate() - 0.25).abs() < 1e-9);
        let order: Vec<_> = report.categories_in_order().map(|(c, _)| c).collect();
        assert_eq!(order, vec![Category::Sql, Category::Flow]);
    }

    #[test]
    fn report_pass_rate_is_zero_when_nothing_ran() {
        let mut report = Report::new("target", None);
        report.push(CaseResult::new("a", Category::Type, "t", Status::Skip));
        report.finish();
        assert_eq!(report.pass_rate(), 0.0);
    }

    #[test]
    fn report_category_parses_and_rejects_unknown_names() {
        assert_eq!("catalog".parse::<Category>(), Ok(Category::Catalog));
        assert!("SQL".parse::<Category>().is_err());
    }

    #[test]
    fn report_new_stamps_rfc3339_utc() {
        let report = Report::new("t", Some("15.8".into()));
        assert!(chrono::DateTime::parse_from_rfc3339(&report.started_at).is_ok());
        assert!(report.started_at.ends_with('Z'));
        assert_eq!(report.schema_version, 1);
    }
}
