//! End-to-end tests of the `pgcompat` binary against real throwaway PostgreSQL clusters.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pgcompat::postgres::{LocalCluster, LocalOptions};
use pgcompat::report::{Report, Status};

fn pgcompat(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgcompat"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("run pgcompat")
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_owned()
}

fn show(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn failing(report: &Report) -> Vec<String> {
    report
        .cases
        .iter()
        .filter(|c| !matches!(c.status, Status::Pass | Status::Skip))
        .map(|c| {
            format!(
                "{} {:?}: {}",
                c.id,
                c.status,
                c.message.clone().unwrap_or_default()
            )
        })
        .collect()
}

/// The harness's self-check: every built-in suite passes on PostgreSQL, in both lanes.
#[tokio::test(flavor = "multi_thread")]
async fn builtin_suites_pass_on_postgres() {
    let pg = LocalCluster::start(&LocalOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = pgcompat(&[
        "run",
        "--target",
        &pg.url(),
        "--postgres",
        "none",
        "--report-dir",
        dir.path().to_str().unwrap(),
    ]);
    let report = Report::load(&dir.path().join("report.json"))
        .unwrap_or_else(|e| panic!("{e}\n{}", show(&out)));
    assert_eq!(failing(&report), Vec::<String>::new(), "{}", show(&out));
    assert!(out.status.success(), "{}", show(&out));
    let sql = &report.categories["sql"];
    assert!(
        sql.total >= 600,
        "300+ records in two lanes, got {}",
        sql.total
    );
    assert_eq!(sql.passed, sql.total);
    for f in ["report.md", "junit.xml", "index.html"] {
        assert!(dir.path().join(f).is_file(), "{f} written");
    }
}

/// A second PostgreSQL with another extra_float_digits differs exactly where floats are
/// printed; an identical one does not differ at all.
#[tokio::test(flavor = "multi_thread")]
async fn diff_reports_planted_differences_and_nothing_else() {
    let oracle = LocalCluster::start(&LocalOptions::default()).await.unwrap();
    let same = LocalCluster::start(&LocalOptions::default()).await.unwrap();
    let planted = LocalCluster::start(&LocalOptions {
        settings: vec![("extra_float_digits".into(), "-2".into())],
        ..LocalOptions::default()
    })
    .await
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = pgcompat(&[
        "diff",
        "--target",
        &same.url(),
        "--postgres",
        &oracle.url(),
        "--report-dir",
        d,
    ]);
    let report = Report::load(&dir.path().join("report.json"))
        .unwrap_or_else(|e| panic!("{e}\n{}", show(&out)));
    assert_eq!(failing(&report), Vec::<String>::new());
    assert!(out.status.success(), "{}", show(&out));

    let out = pgcompat(&[
        "diff",
        "--target",
        &planted.url(),
        "--postgres",
        &oracle.url(),
        "--report-dir",
        d,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let report = Report::load(&dir.path().join("report.json")).unwrap();
    let diffs: Vec<_> = report
        .cases
        .iter()
        .filter(|c| c.status == Status::Fail)
        .collect();
    assert!(!diffs.is_empty(), "the planted difference is found");
    for c in &diffs {
        let types = format!(
            "{}{}",
            c.expected.clone().unwrap_or_default(),
            c.actual.clone().unwrap_or_default()
        );
        assert!(
            types.contains("float")
                || types.contains("numeric")
                || c.message.as_deref().unwrap_or("").contains("rows"),
            "only float output differs: {} {:?}",
            c.id,
            c.message
        );
    }
}

fn write_suite(dir: &Path, wrong_answer: bool) -> PathBuf {
    let suite = dir.join("gate");
    std::fs::create_dir_all(&suite).unwrap();
    let answer = if wrong_answer { 3 } else { 2 };
    std::fs::write(
        suite.join("gate.slt"),
        format!("query I\nSELECT 1 + 1\n----\n{answer}\n\nquery T\nSELECT 'x'\n----\nx\n"),
    )
    .unwrap();
    suite
}

/// The baseline gate: a regression fails the run, an improvement passes it.
#[tokio::test(flavor = "multi_thread")]
async fn baseline_gate_fails_on_regression_and_passes_on_improvement() {
    let pg = LocalCluster::start(&LocalOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = |suite: &Path, report_dir: &Path, baseline: Option<&Path>| {
        let mut args = vec![
            "run".to_owned(),
            "--target".into(),
            pg.url(),
            "--postgres".into(),
            "none".into(),
            "--only-suites".into(),
            "--suite".into(),
            suite.display().to_string(),
            "--report-dir".into(),
            report_dir.display().to_string(),
        ];
        if let Some(b) = baseline {
            args.push("--baseline".into());
            args.push(b.display().to_string());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        pgcompat(&args)
    };
    let good = write_suite(&dir.path().join("good"), false);
    let bad = write_suite(&dir.path().join("bad"), true);
    let (r_good, r_bad) = (dir.path().join("r-good"), dir.path().join("r-bad"));

    let out = run(&good, &r_good, None);
    assert!(out.status.success(), "{}", show(&out));
    let out = run(&bad, &r_bad, None);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failure without baseline fails: {}",
        show(&out)
    );

    let regression = run(
        &bad,
        &dir.path().join("r3"),
        Some(&r_good.join("report.json")),
    );
    assert_eq!(regression.status.code(), Some(1), "{}", show(&regression));
    assert!(String::from_utf8_lossy(&regression.stdout).contains("gate/gate.slt:1"));

    let improvement = run(
        &good,
        &dir.path().join("r4"),
        Some(&r_bad.join("report.json")),
    );
    assert!(improvement.status.success(), "{}", show(&improvement));
    assert!(String::from_utf8_lossy(&improvement.stdout).contains("gate/gate.slt:1"));
}

/// A target that dies mid-run: the cases after its death are `crash`, and a report is written.
#[tokio::test(flavor = "multi_thread")]
async fn killed_target_yields_crash_cases_and_a_report() {
    let pg = LocalCluster::start(&LocalOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("dies");
    std::fs::create_dir_all(&suite).unwrap();
    let mut text = String::from("statement ok\nSELECT pg_sleep(3)\n\n");
    for i in 0..5 {
        text.push_str(&format!("query I\nSELECT {i}\n----\n{i}\n\n"));
    }
    std::fs::write(suite.join("dies.slt"), text).unwrap();
    let url = pg.url();
    let report_dir = dir.path().join("r");
    let (s, r) = (
        suite.display().to_string(),
        report_dir.display().to_string(),
    );
    let child = std::thread::spawn(move || {
        pgcompat(&[
            "run",
            "--target",
            &url,
            "--postgres",
            "none",
            "--only-suites",
            "--suite",
            &s,
            "--mode",
            "simple",
            "--report-dir",
            &r,
        ])
    });
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    pg.stop().await.unwrap();
    let out = child.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let report = Report::load(&report_dir.join("report.json"))
        .unwrap_or_else(|e| panic!("{e}\n{}", show(&out)));
    assert_eq!(report.cases.len(), 6);
    assert!(
        report.cases.iter().all(|c| c.status == Status::Crash),
        "{:?}",
        failing(&report)
    );
}
