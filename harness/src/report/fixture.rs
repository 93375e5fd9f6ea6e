//! A small fixed report for renderer snapshots: fixed timestamps, every status, odd text.

use super::model::{CaseResult, Category, Report, Status};

fn case(id: &str, category: Category, group: &str, status: Status, ms: u64) -> CaseResult {
    let mut case = CaseResult::new(id, category, group, status);
    case.duration_ms = ms;
    case
}

pub(crate) fn sample() -> Report {
    let mut report = Report::new("postgres://app:***@127.0.0.1:5433/db", Some("15.8".into()));
    report.tool_version = "0.1.0".into();
    report.started_at = "2026-01-02T03:04:05Z".into();
    report.finished_at = "2026-01-02T03:05:10Z".into();

    report.push(case(
        "sql/simple/joins.slt:10",
        Category::Sql,
        "joins",
        Status::Pass,
        3,
    ));
    report.push(case(
        "sql/simple/joins.slt:20",
        Category::Sql,
        "joins",
        Status::Pass,
        4,
    ));
    let mut fail = case(
        "sql/simple/joins.slt:42",
        Category::Sql,
        "joins",
        Status::Fail,
        12,
    );
    fail.sql = Some("SELECT a.x, b.y FROM a JOIN b ON a.id = b.id ORDER BY 1".into());
    fail.expected = Some("1 one\n2 two".into());
    fail.actual = Some("1 one\n2 TWO".into());
    fail.message = Some("row 2 differs".into());
    report.push(fail);
    let mut err = case(
        "sql/simple/casts.slt:7",
        Category::Sql,
        "casts",
        Status::Error,
        1,
    );
    err.sql = Some("SELECT '1 day'::interval < '<&\"'".into());
    err.message = Some("ERROR 42883: operator does not exist: interval < unknown".into());
    err.expected = Some("t".into());
    report.push(err);
    let mut xfail = case(
        "sql/simple/casts.slt:9",
        Category::Sql,
        "casts",
        Status::Fail,
        2,
    );
    xfail.expected = Some("```\nfenced\n```".into());
    xfail.actual = Some("bell\u{7} and nul\u{0}".into());
    xfail.message = Some("values differ".into());
    xfail.expected_failure = Some("money type not supported".into());
    report.push(xfail);
    let mut timeout = case(
        "flow/extended/portal_suspend",
        Category::Flow,
        "extended",
        Status::Timeout,
        30000,
    );
    timeout.message = Some("timed out after 30s".into());
    timeout.expected = Some("DataRow\nPortalSuspended".into());
    report.push(timeout);
    report.push(case(
        "flow/simple/empty_query",
        Category::Flow,
        "simple",
        Status::Pass,
        1,
    ));
    let mut skip = case(
        "type/numeric/nan",
        Category::Type,
        "numeric",
        Status::Skip,
        0,
    );
    skip.message = Some("no PostgreSQL oracle".into());
    report.push(skip);
    let mut crash = case(
        "catalog/psql/<d> & \"t\"",
        Category::Catalog,
        "psql",
        Status::Crash,
        5,
    );
    crash.message = Some("connection reset <by peer> & 'gone'".into());
    report.push(crash);
    report.note("differential type checks skipped: no PostgreSQL oracle (--no-oracle)");
    report.recompute();
    report
}
