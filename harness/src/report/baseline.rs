//! The baseline gate: compares a run with a stored report so CI fails on regressions only.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use serde::Serialize;

use super::model::{CaseResult, Category, Report, Status};
use super::text::one_line;

/// One case whose status differs between baseline and current run.
#[derive(Serialize, Clone, PartialEq, Eq, Debug)]
pub struct Change {
    pub id: String,
    /// None when the case is not in the baseline.
    pub before: Option<Status>,
    /// None when the case is not in the current run.
    pub after: Option<Status>,
    /// The current run's message for the case.
    pub message: Option<String>,
}

/// The differences that matter between a baseline report and the current one.
#[derive(Serialize, Clone, Default, PartialEq, Eq, Debug)]
pub struct Comparison {
    /// Passed in the baseline, not passing now (a skip counts: the gate cannot vouch for a
    /// case it did not run), and not listed as an expected failure.
    pub regressions: Vec<Change>,
    /// Did not pass in the baseline, passes now.
    pub improvements: Vec<Change>,
    /// Not in the baseline, failing now. Reported, but not a regression: there is nothing
    /// to regress from (a renamed case shows up here and in `removed`).
    pub new_failures: Vec<Change>,
    /// Passed in the baseline, failing now, but listed in the expected-failures file:
    /// shown so the listing stays a conscious decision, but not a regression.
    pub expected_regressions: Vec<Change>,
    /// Ids in the baseline that the current run did not have, in categories it did run.
    pub removed: Vec<String>,
    /// Categories of the baseline that the current run has no case of (a run restricted with
    /// `--check`), with their baseline case counts: one line each instead of every id.
    pub categories_not_run: Vec<(Category, usize)>,
}

fn change(before: Option<Status>, case: &CaseResult) -> Change {
    Change {
        id: case.id.clone(),
        before,
        after: Some(case.status),
        message: case.message.clone(),
    }
}

/// Compares `current` with `baseline`, case by case on id, in the current run's order.
/// Apply the expected-failures list to `current` first so its entries are honoured.
pub fn compare(baseline: &Report, current: &Report) -> Comparison {
    let before: HashMap<&str, Status> = baseline
        .cases
        .iter()
        .map(|c| (c.id.as_str(), c.status))
        .collect();
    let mut result = Comparison::default();
    let mut seen: HashSet<&str> = HashSet::with_capacity(current.cases.len());
    for case in &current.cases {
        seen.insert(case.id.as_str());
        match before.get(case.id.as_str()).copied() {
            Some(Status::Pass) if !case.status.is_pass() => {
                if case.expected_failure.is_some() && case.status.is_failure() {
                    result
                        .expected_regressions
                        .push(change(Some(Status::Pass), case));
                } else {
                    result.regressions.push(change(Some(Status::Pass), case));
                }
            }
            Some(old) if !old.is_pass() && case.status.is_pass() => {
                result.improvements.push(change(Some(old), case));
            }
            None if case.status.is_failure() => result.new_failures.push(change(None, case)),
            _ => {}
        }
    }
    let ran: HashSet<Category> = current.cases.iter().map(|c| c.category).collect();
    let mut removed_seen: HashSet<&str> = HashSet::new();
    for case in &baseline.cases {
        let id = case.id.as_str();
        if seen.contains(id) || !removed_seen.insert(id) {
            continue;
        }
        if ran.contains(&case.category) {
            result.removed.push(case.id.clone());
        } else if let Some(entry) = result
            .categories_not_run
            .iter_mut()
            .find(|(c, _)| *c == case.category)
        {
            entry.1 += 1;
        } else {
            result.categories_not_run.push((case.category, 1));
        }
    }
    result
}

/// Lists beyond this many entries are cut in [`Comparison::render`] (regressions never are).
const MAX_LISTED: usize = 50;

impl Comparison {
    /// True when the gate should fail: at least one regression.
    pub fn is_regression(&self) -> bool {
        !self.regressions.is_empty()
    }

    /// Human-readable text for the terminal: regressions first (all of them, with messages),
    /// then improvements, new failures, expected regressions and removed cases.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.regressions.is_empty()
            && self.improvements.is_empty()
            && self.new_failures.is_empty()
            && self.expected_regressions.is_empty()
            && self.removed.is_empty()
            && self.categories_not_run.is_empty()
        {
            out.push_str("No changes against the baseline.\n");
            return out;
        }
        section(
            &mut out,
            &format!(
                "Regressions ({}): passed in the baseline, not passing now",
                self.regressions.len()
            ),
            &self.regressions,
            usize::MAX,
        );
        section(
            &mut out,
            &format!("Improvements ({}): now passing", self.improvements.len()),
            &self.improvements,
            MAX_LISTED,
        );
        section(
            &mut out,
            &format!(
                "New failures ({}): not in the baseline",
                self.new_failures.len()
            ),
            &self.new_failures,
            MAX_LISTED,
        );
        section(
            &mut out,
            &format!(
                "Expected failures that passed in the baseline ({}): listed, so not regressions",
                self.expected_regressions.len()
            ),
            &self.expected_regressions,
            MAX_LISTED,
        );
        if !self.removed.is_empty() {
            let _ = writeln!(
                out,
                "Removed ({}): in the baseline, not in this run",
                self.removed.len()
            );
            for id in self.removed.iter().take(MAX_LISTED) {
                let _ = writeln!(out, "  {}", one_line(id));
            }
            more(&mut out, self.removed.len(), MAX_LISTED);
            out.push('\n');
        }
        for (category, count) in &self.categories_not_run {
            let _ = writeln!(
                out,
                "Not compared: category {} ({count} baseline cases) did not run",
                category.as_str()
            );
        }
        if out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

fn status(s: Option<Status>) -> &'static str {
    s.map_or("absent", Status::as_str)
}

fn section(out: &mut String, title: &str, changes: &[Change], limit: usize) {
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title}");
    for c in changes.iter().take(limit) {
        let _ = write!(
            out,
            "  {}: {} -> {}",
            one_line(&c.id),
            status(c.before),
            status(c.after)
        );
        if let Some(message) = &c.message {
            let _ = write!(out, ": {}", one_line(message));
        }
        out.push('\n');
    }
    more(out, changes.len(), limit);
    out.push('\n');
}

fn more(out: &mut String, len: usize, limit: usize) {
    if len > limit {
        let _ = writeln!(out, "  ... and {} more", len - limit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Category;

    fn report(cases: &[(&str, Status)]) -> Report {
        let mut r = Report::new("t", None);
        for (id, status) in cases {
            let mut case = CaseResult::new(*id, Category::Sql, "g", *status);
            case.message = (!status.is_pass()).then(|| format!("{id} went {status}"));
            r.push(case);
        }
        r.recompute();
        r
    }

    fn ids(changes: &[Change]) -> Vec<&str> {
        changes.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn report_compare_classifies_every_kind_of_change() {
        let baseline = report(&[
            ("stays_pass", Status::Pass),
            ("breaks", Status::Pass),
            ("times_out", Status::Pass),
            ("now_skipped", Status::Pass),
            ("fixed", Status::Fail),
            ("unskipped", Status::Skip),
            ("still_fails", Status::Fail),
            ("listed", Status::Pass),
            ("gone", Status::Pass),
        ]);
        let mut current = report(&[
            ("stays_pass", Status::Pass),
            ("breaks", Status::Fail),
            ("times_out", Status::Timeout),
            ("now_skipped", Status::Skip),
            ("fixed", Status::Pass),
            ("unskipped", Status::Pass),
            ("still_fails", Status::Error),
            ("listed", Status::Fail),
            ("brand_new_fail", Status::Crash),
            ("brand_new_pass", Status::Pass),
        ]);
        if let Some(case) = current.cases.iter_mut().find(|c| c.id == "listed") {
            case.expected_failure = Some("known gap".into());
        }
        let cmp = compare(&baseline, &current);
        assert_eq!(
            ids(&cmp.regressions),
            ["breaks", "times_out", "now_skipped"]
        );
        assert_eq!(cmp.regressions[0].before, Some(Status::Pass));
        assert_eq!(cmp.regressions[0].after, Some(Status::Fail));
        assert_eq!(
            cmp.regressions[0].message.as_deref(),
            Some("breaks went fail")
        );
        assert_eq!(ids(&cmp.improvements), ["fixed", "unskipped"]);
        assert_eq!(ids(&cmp.new_failures), ["brand_new_fail"]);
        assert_eq!(cmp.new_failures[0].before, None);
        assert_eq!(ids(&cmp.expected_regressions), ["listed"]);
        assert_eq!(cmp.removed, ["gone"]);
        assert!(cmp.is_regression());
    }

    #[test]
    fn report_compare_category_not_run_is_one_line_not_removed_ids() {
        let mut baseline = report(&[("sql/a", Status::Pass), ("sql/b", Status::Fail)]);
        let mut flow = CaseResult::new("flow/x", Category::Flow, "g", Status::Pass);
        flow.message = None;
        baseline.push(flow.clone());
        baseline.recompute();
        let mut current = Report::new("t", None);
        current.push(flow);
        current.recompute();
        let cmp = compare(&baseline, &current);
        assert!(cmp.removed.is_empty());
        assert_eq!(cmp.categories_not_run, [(Category::Sql, 2)]);
        assert!(!cmp.is_regression());
        assert_eq!(
            cmp.render(),
            "Not compared: category sql (2 baseline cases) did not run\n"
        );
    }

    #[test]
    fn report_compare_expected_failure_alone_is_not_a_regression() {
        let baseline = report(&[("a", Status::Pass)]);
        let mut current = report(&[("a", Status::Fail)]);
        current.cases[0].expected_failure = Some("known".into());
        let cmp = compare(&baseline, &current);
        assert!(!cmp.is_regression());
        assert_eq!(ids(&cmp.expected_regressions), ["a"]);
    }

    #[test]
    fn report_compare_identical_reports_have_no_changes() {
        let r = report(&[("a", Status::Pass), ("b", Status::Fail)]);
        let cmp = compare(&r, &r);
        assert_eq!(cmp, Comparison::default());
        assert_eq!(cmp.render(), "No changes against the baseline.\n");
    }

    #[test]
    fn report_compare_render_snapshot() {
        let baseline = report(&[
            ("sql/a", Status::Pass),
            ("sql/b", Status::Fail),
            ("sql/gone", Status::Pass),
        ]);
        let mut current = report(&[
            ("sql/a", Status::Fail),
            ("sql/b", Status::Pass),
            ("sql/new", Status::Error),
        ]);
        current.cases[0].message = Some("row 1 differs\n\u{1b}[31mred".into());
        insta::assert_snapshot!(compare(&baseline, &current).render());
    }
}
