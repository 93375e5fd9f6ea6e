//! junit.xml: for CI test tabs (GitHub, GitLab, Jenkins), one `<testsuite>` per category.
//!
//! Expected failures are written as `<skipped type="xfail">`, the convention pytest uses, so
//! a reviewed known gap does not turn a CI test tab red while its details stay visible.

use std::fmt::Write;

use super::model::{CaseResult, Category, Report, Status};
use super::text::{push_xml, seconds, truncate, xml_attr};

/// Longest expected/actual/SQL value written into a failure body.
const MAX_VALUE_BYTES: usize = 16 * 1024;

/// How one case appears in JUnit terms.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failure,
    Error,
    Skipped,
    ExpectedFailure,
}

fn outcome(case: &CaseResult) -> Outcome {
    match case.status {
        Status::Pass => Outcome::Passed,
        Status::Skip => Outcome::Skipped,
        _ if case.expected_failure.is_some() => Outcome::ExpectedFailure,
        Status::Fail => Outcome::Failure,
        Status::Error | Status::Timeout | Status::Crash => Outcome::Error,
    }
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    ms: u64,
}

impl Counts {
    fn add(&mut self, case: &CaseResult) {
        self.tests += 1;
        self.ms = self.ms.saturating_add(case.duration_ms);
        match outcome(case) {
            Outcome::Passed => {}
            Outcome::Failure => self.failures += 1,
            Outcome::Error => self.errors += 1,
            Outcome::Skipped | Outcome::ExpectedFailure => self.skipped += 1,
        }
    }

    fn attrs(&self) -> String {
        format!(
            r#"tests="{}" failures="{}" errors="{}" skipped="{}" time="{}""#,
            self.tests,
            self.failures,
            self.errors,
            self.skipped,
            seconds(self.ms)
        )
    }
}

/// The whole junit.xml.
pub fn to_junit(report: &Report) -> String {
    // One pass to bucket cases by category (keeping run order), so rendering stays linear.
    let mut buckets: Vec<(Category, Vec<&CaseResult>, Counts)> = Category::ALL
        .into_iter()
        .map(|c| (c, Vec::new(), Counts::default()))
        .collect();
    let mut total = Counts::default();
    for case in &report.cases {
        total.add(case);
        if let Some((_, list, counts)) = buckets.iter_mut().find(|(c, ..)| *c == case.category) {
            list.push(case);
            counts.add(case);
        }
    }

    let mut out = String::with_capacity(256 + report.cases.len() * 160);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, r#"<testsuites name="pgcompat" {}>"#, total.attrs());
    for (category, cases, counts) in buckets.iter().filter(|(_, l, _)| !l.is_empty()) {
        let _ = writeln!(
            out,
            r#"  <testsuite name="{category}" {} timestamp="{}">"#,
            counts.attrs(),
            xml_attr(&report.started_at)
        );
        out.push_str("    <properties>\n");
        property(&mut out, "target", &report.target);
        property(
            &mut out,
            "postgres",
            report.postgres.as_deref().unwrap_or("none"),
        );
        property(&mut out, "pgcompat", &report.tool_version);
        out.push_str("    </properties>\n");
        for case in cases {
            write_case(&mut out, category.as_str(), case);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn property(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(
        out,
        r#"      <property name="{name}" value="{}"/>"#,
        xml_attr(value)
    );
}

fn write_case(out: &mut String, category: &str, case: &CaseResult) {
    let _ = write!(
        out,
        r#"    <testcase classname="{}.{}" name="{}" time="{}""#,
        xml_attr(category),
        xml_attr(&case.group),
        xml_attr(&case.id),
        seconds(case.duration_ms)
    );
    let message = case.message.as_deref().unwrap_or(case.status.as_str());
    let (element, message) = match outcome(case) {
        Outcome::Passed => {
            out.push_str("/>\n");
            return;
        }
        Outcome::Skipped => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                xml_attr(message)
            );
            return;
        }
        Outcome::Failure => ("failure", message.to_string()),
        Outcome::Error => ("error", message.to_string()),
        Outcome::ExpectedFailure => (
            "skipped",
            format!(
                "expected failure: {} ({}: {message})",
                case.expected_failure.as_deref().unwrap_or_default(),
                case.status
            ),
        ),
    };
    let kind = if element == "skipped" {
        "xfail"
    } else {
        case.status.as_str()
    };
    let _ = write!(
        out,
        ">\n      <{element} message=\"{}\" type=\"{kind}\">",
        xml_attr(&message)
    );
    write_body(out, case);
    let _ = writeln!(out, "</{element}>\n    </testcase>");
}

/// The SQL and expected vs actual, as plain text sections.
fn write_body(out: &mut String, case: &CaseResult) {
    let sections = [
        ("SQL", &case.sql),
        ("Expected", &case.expected),
        ("Actual", &case.actual),
    ];
    let mut first = true;
    for (label, value) in sections {
        if let Some(value) = value {
            if !first {
                out.push_str("\n\n");
            }
            first = false;
            out.push_str(label);
            out.push_str(":\n");
            push_xml(out, &truncate(value, MAX_VALUE_BYTES), false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::sample;

    #[test]
    fn report_junit_snapshot() {
        insta::assert_snapshot!(to_junit(&sample()));
    }

    #[test]
    fn report_junit_escapes_markup_and_strips_forbidden_chars() {
        let xml = to_junit(&sample());
        assert!(
            xml.contains(r#"name="catalog/psql/&lt;d&gt; &amp; &quot;t&quot;""#),
            "{xml}"
        );
        assert!(xml.contains("connection reset &lt;by peer&gt; &amp; &#39;gone&#39;"));
        assert!(xml.contains("bell\\u{7} and nul\\u{0}"));
        assert!(
            !xml.chars().any(|c| c.is_control() && c != '\n'),
            "raw control char in XML"
        );
    }

    #[test]
    fn report_junit_suite_counts_match_elements() {
        let xml = to_junit(&sample());
        // sql: 5 cases, 1 plain failure, 1 error, 1 expected failure (as skipped).
        assert!(
            xml.contains(r#"<testsuite name="sql" tests="5" failures="1" errors="1" skipped="1""#),
            "{xml}"
        );
        assert!(
            xml.contains(
                r#"<testsuites name="pgcompat" tests="9" failures="1" errors="3" skipped="2""#
            ),
            "{xml}"
        );
        assert_eq!(xml.matches("<testcase ").count(), 9);
        assert_eq!(xml.matches("<failure ").count(), 1);
        assert_eq!(xml.matches("<error ").count(), 3);
        assert_eq!(xml.matches("<skipped ").count(), 2);
    }
}
