//! report.md: the human summary for a PR comment or a CI job page.

use std::fmt::Write;

use super::model::{CaseResult, Category, Report};
use super::text::{block, one_line, percent, truncate};

/// At most this many failing cases are written out; the rest stay in report.json.
const MAX_FAILURES: usize = 50;
/// Longest expected/actual/SQL value shown before truncation.
const MAX_VALUE_BYTES: usize = 2000;

/// `s` safe inside inline Markdown text: one line, with markup characters escaped.
fn inline(s: &str) -> String {
    let s = one_line(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A code span around `s` that no backtick run inside it can close early.
fn code_span(s: &str) -> String {
    let s = one_line(s);
    let fence = "`".repeat(longest_backtick_run(&s) + 1);
    // Padding keeps a leading/trailing backtick from merging with the fence.
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

fn longest_backtick_run(s: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// A fenced block longer than any backtick run in `value`, so the value cannot end it.
fn fenced(out: &mut String, label: &str, lang: &str, value: &str) {
    let value = truncate(value, MAX_VALUE_BYTES);
    let value = block(&value);
    let fence = "`".repeat(longest_backtick_run(&value).max(2) + 1);
    let _ = writeln!(out, "{label}:\n\n{fence}{lang}\n{value}\n{fence}\n");
}

/// The failing cases to show: up to [`MAX_FAILURES`], shared round-robin across categories so
/// one category's thousands of failures cannot hide every other category's. Within a category,
/// unexpected failures come before listed (expected) ones, each in run order.
fn pick_failures(report: &Report) -> Vec<(Category, Vec<&CaseResult>)> {
    let mut per_category: Vec<(Category, Vec<&CaseResult>)> =
        Category::ALL.into_iter().map(|c| (c, Vec::new())).collect();
    for case in report.cases.iter().filter(|c| c.status.is_failure()) {
        if let Some((_, list)) = per_category.iter_mut().find(|(c, _)| *c == case.category) {
            list.push(case);
        }
    }
    per_category.retain(|(_, list)| !list.is_empty());
    let mut quota = vec![0usize; per_category.len()];
    let mut taken = 0;
    while taken < MAX_FAILURES {
        let mut progressed = false;
        for (slot, (_, list)) in quota.iter_mut().zip(&per_category) {
            if taken < MAX_FAILURES && *slot < list.len() {
                *slot += 1;
                taken += 1;
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
    per_category
        .into_iter()
        .zip(quota)
        .map(|((category, mut list), n)| {
            list.sort_by_key(|c| c.expected_failure.is_some());
            list.truncate(n);
            (category, list)
        })
        .collect()
}

/// The whole report.md.
pub fn to_markdown(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(out, "# PostgreSQL compatibility report\n");
    let _ = writeln!(out, "- **Target:** {}", inline(&report.target));
    let postgres = report.postgres.as_deref().unwrap_or("none (no oracle)");
    let _ = writeln!(out, "- **PostgreSQL:** {}", inline(postgres));
    let _ = writeln!(
        out,
        "- **Date:** {} to {}",
        inline(&report.started_at),
        inline(&report.finished_at)
    );
    let _ = writeln!(out, "- **pgcompat:** {}", inline(&report.tool_version));
    let _ = writeln!(
        out,
        "- **Overall:** {} passed ({} of {} cases; {} failed, {} errored, {} skipped{})\n",
        percent(s.passed, s.total, s.skipped),
        s.passed,
        s.total,
        s.failed,
        s.errored,
        s.skipped,
        if s.expected_failures > 0 {
            format!("; expected failures: {}", s.expected_failures)
        } else {
            String::new()
        },
    );
    if s.skipped > 0 {
        let _ = writeln!(
            out,
            "Pass rates count only cases that ran (skipped cases are excluded).\n"
        );
    }

    for (category, summary) in report.categories_in_order() {
        let _ = writeln!(
            out,
            "## {category}: {} ({} of {})\n",
            percent(summary.passed, summary.total, summary.skipped),
            summary.passed,
            summary.total
        );
        let _ = writeln!(
            out,
            "| Group | Total | Passed | % | Failed | Errored | Skipped |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
        for (name, g) in &summary.groups {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                inline(name),
                g.total,
                g.passed,
                percent(g.passed, g.total, g.skipped),
                g.failed,
                g.errored,
                g.skipped
            );
        }
        out.push('\n');
    }

    let failing = s.failed + s.errored;
    if failing > 0 {
        let picked = pick_failures(report);
        let shown: usize = picked.iter().map(|(_, l)| l.len()).sum();
        let _ = writeln!(out, "## First failures\n");
        if shown < failing {
            let _ = writeln!(
                out,
                "Showing {shown} of {failing} failing cases; report.json has them all.\n"
            );
        }
        for (category, cases) in picked {
            let _ = writeln!(out, "### {category}\n");
            for case in cases {
                write_failure(&mut out, case);
            }
        }
    }

    if !report.notes.is_empty() {
        let _ = writeln!(out, "## Notes\n");
        for note in &report.notes {
            let _ = writeln!(out, "- {}", inline(note));
        }
        out.push('\n');
    }
    // Exactly one trailing newline, whatever the last section was.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn write_failure(out: &mut String, case: &CaseResult) {
    let _ = writeln!(out, "#### {} ({})\n", code_span(&case.id), case.status);
    if let Some(reason) = &case.expected_failure {
        let _ = writeln!(out, "Expected failure: {}\n", inline(reason));
    }
    if let Some(message) = &case.message {
        let _ = writeln!(out, "{}\n", inline(message));
    }
    if let Some(sql) = &case.sql {
        fenced(out, "SQL", "sql", sql);
    }
    if let Some(expected) = &case.expected {
        fenced(out, "Expected", "", expected);
    }
    if let Some(actual) = &case.actual {
        fenced(out, "Actual", "", actual);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::sample;
    use crate::report::model::Status;

    #[test]
    fn report_markdown_snapshot() {
        insta::assert_snapshot!(to_markdown(&sample()));
    }

    #[test]
    fn report_markdown_fences_outgrow_backticks_in_values() {
        let md = to_markdown(&sample());
        assert!(md.contains("````\n```\nfenced\n```\n````"), "{md}");
    }

    #[test]
    fn report_markdown_caps_failures_and_shares_them_across_categories() {
        let mut report = sample();
        for i in 0..500 {
            let mut case =
                CaseResult::new(format!("sql/bulk/{i}"), Category::Sql, "bulk", Status::Fail);
            case.actual = Some("x".repeat(10_000));
            report.push(case);
        }
        report.recompute();
        let md = to_markdown(&report);
        assert_eq!(md.matches("\n#### ").count(), MAX_FAILURES);
        assert!(md.contains("Showing 50 of 505 failing cases"));
        // The lone flow and catalog failures still make the cut.
        assert!(md.contains("flow/extended/portal_suspend"));
        assert!(md.contains("catalog/psql/"));
        assert!(md.contains("[truncated: 2000 of 10000 bytes shown]"));
    }
}
