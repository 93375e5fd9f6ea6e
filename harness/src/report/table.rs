//! The short plain-text table printed to the terminal at the end of a run.

use std::fmt::Write;

use super::model::Report;
use super::text::percent;

const HEADER: [&str; 7] = [
    "category", "total", "passed", "%", "failed", "errored", "skipped",
];

/// Per category total/passed/%/failed/errored/skipped, then a totals row; columns aligned.
pub fn summary_table(report: &Report) -> String {
    let row = |name: &str,
               total: usize,
               passed: usize,
               failed: usize,
               errored: usize,
               skipped: usize|
     -> [String; 7] {
        [
            name.to_string(),
            total.to_string(),
            passed.to_string(),
            percent(passed, total, skipped),
            failed.to_string(),
            errored.to_string(),
            skipped.to_string(),
        ]
    };
    let mut rows: Vec<[String; 7]> = vec![HEADER.map(str::to_string)];
    for (category, c) in report.categories_in_order() {
        rows.push(row(
            category.as_str(),
            c.total,
            c.passed,
            c.failed,
            c.errored,
            c.skipped,
        ));
    }
    let s = &report.summary;
    rows.push(row(
        "total", s.total, s.passed, s.failed, s.errored, s.skipped,
    ));

    let mut widths = [0usize; 7];
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for r in &rows {
        let mut line = String::new();
        for (i, (cell, w)) in r.iter().zip(widths).enumerate() {
            // Names left-aligned, numbers right-aligned.
            let _ = match i {
                0 => write!(line, "{cell:<w$}"),
                _ => write!(line, "  {cell:>w$}"),
            };
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if s.expected_failures > 0 {
        let _ = writeln!(
            out,
            "expected failures (listed, counted above): {}",
            s.expected_failures
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::sample;

    #[test]
    fn report_summary_table_snapshot() {
        insta::assert_snapshot!(summary_table(&sample()));
    }

    #[test]
    fn report_summary_table_of_empty_report_has_only_totals() {
        let mut report = Report::new("t", None);
        report.finish();
        let table = summary_table(&report);
        assert_eq!(table.lines().count(), 2);
        assert!(
            table
                .lines()
                .last()
                .is_some_and(|l| l.starts_with("total") && l.contains("n/a"))
        );
    }
}
