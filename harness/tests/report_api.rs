//! The report API as the runner uses it: build, apply expected failures, write, reload, gate.

use pgcompat::report::{
    CaseResult, Category, ExpectedFailures, Report, Status, compare, summary_table, write_all,
};

fn run(statuses: &[(&str, Status)]) -> Report {
    let mut report = Report::new("test target", Some("15.8".into()));
    for (id, status) in statuses {
        let mut case = CaseResult::new(*id, Category::Flow, "extended", *status);
        case.message = (!status.is_pass()).then(|| format!("{id}: {status}"));
        report.push(case);
    }
    report.note("a note");
    report.finish();
    report
}

#[test]
fn report_runner_flow_end_to_end() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let baseline_dir = tmp.path().join("baseline");
    let baseline = run(&[
        ("flow/a", Status::Pass),
        ("flow/b", Status::Pass),
        ("flow/c", Status::Fail),
    ]);
    write_all(&baseline, &baseline_dir).expect("write baseline");
    let baseline = Report::load(&baseline_dir.join("report.json")).expect("load baseline");

    let mut current = run(&[
        ("flow/a", Status::Pass),
        ("flow/b", Status::Crash),
        ("flow/c", Status::Fail),
        ("flow/d", Status::Timeout),
    ]);
    let expected = ExpectedFailures::parse("flow/c  # known\nflow/z*  # stale\n").expect("parse");
    expected.apply(&mut current);
    assert_eq!(expected.unused(&current), vec!["flow/z*".to_string()]);
    assert_eq!(current.summary.expected_failures, 1);

    let cmp = compare(&baseline, &current);
    assert!(cmp.is_regression());
    assert_eq!(cmp.regressions.len(), 1);
    assert_eq!(cmp.regressions[0].id, "flow/b");
    assert_eq!(cmp.new_failures.len(), 1);
    assert!(cmp.render().starts_with("Regressions (1)"));

    let table = summary_table(&current);
    assert!(table.contains("flow") && table.contains("25.0%"), "{table}");
}
