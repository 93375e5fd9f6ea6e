//! The benchmark's code path at tiny sizes against real servers: it completes and every row
//! has positive numbers on both sides. Nothing here asserts a speed. Skipped (with a message)
//! on a machine without PostgreSQL server binaries and pgbench.

use std::path::{Path, PathBuf};
use std::process::Command;

use pgcompat::postgres::{LocalCluster, LocalOptions, find_binaries};

/// The PostgreSQL tools the benchmark needs, or why the test cannot run here.
fn tools_present() -> Result<(), String> {
    let bins = find_binaries(None).map_err(|e| e.to_string())?;
    if bins.tool("pgbench").is_file() {
        Ok(())
    } else {
        Err(format!("no pgbench in {}", bins.bin_dir.display()))
    }
}

/// The library's run with the built-in target (a durable data dir) against PostgreSQL.
#[cfg(feature = "builtin")]
mod builtin {
    use super::*;
    use pgcompat::bench::{BenchOptions, BenchReport, BuiltinTarget, Endpoints};
    use pgcompat::session::ConnectOptions;
    use std::time::Duration;

    fn tiny() -> BenchOptions {
        BenchOptions {
            duration: Duration::from_secs(1),
            clients: 1,
            scale: 1,
            rows: 3_000,
            copy_rows: 2_000,
            only: Vec::new(),
        }
    }

    /// Every part ran, nothing failed, and all numbers are positive.
    fn assert_complete(report: &BenchReport) {
        let names: Vec<&str> = report.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "pgbench -S -M simple",
                "pgbench -S -M extended",
                "pgbench -S -M prepared",
                "COPY ingest (2000 rows, 5 columns)",
                "date_bin 1 h aggregation (3000 rows)",
            ]
        );
        for row in &report.rows {
            assert_eq!(row.error, None, "{}", row.name);
            assert!(
                row.notes.iter().all(|n| !n.starts_with("PostgreSQL")),
                "{row:?}"
            );
            for v in [row.target, row.postgres, row.ratio] {
                assert!(v.is_some_and(|v| v > 0.0 && v.is_finite()), "{row:?}");
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn builtin_target_against_postgres_at_tiny_sizes() {
        if let Err(why) = tools_present() {
            eprintln!("skipped: {why}");
            return;
        }
        let cluster = LocalCluster::start(&LocalOptions::default())
            .await
            .expect("PostgreSQL");
        let target = BuiltinTarget::start().await.expect("reference server");
        let servers = Endpoints {
            target: target.connect().clone(),
            target_description: target.describe(),
            postgres: ConnectOptions::from_url(&cluster.url()).expect("url"),
            postgres_description: "local".into(),
        };
        let report =
            pgcompat::bench::run(&servers, &tiny(), &indicatif::ProgressBar::hidden()).await;
        target.stop().await;
        cluster.stop().await.expect("stop PostgreSQL");
        let text = pgcompat::bench::render_table(&report);
        assert_complete(&report);
        assert!(text.contains("date_bin 1 h aggregation"), "{text}");
    }
}

/// The CLI verb, end to end, with PostgreSQL as its own target (so it needs no built-in
/// server): options, table on stdout, `--json`, exit code 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_bench_writes_the_table_and_json() {
    if let Err(why) = tools_present() {
        eprintln!("skipped: {why}");
        return;
    }
    let cluster = LocalCluster::start(&LocalOptions::default())
        .await
        .expect("PostgreSQL");
    let url = cluster.url();
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("bench.json");
    let out = Command::new(env!("CARGO_BIN_EXE_pgcompat"))
        .args(["bench", "--target", &url, "--postgres", &url])
        .args(["--duration", "1", "--clients", "1", "--scale", "1"])
        .args(["--rows", "3000", "--copy-rows", "2000", "--json"])
        .arg(&json)
        .current_dir(repo_root())
        .output()
        .expect("run pgcompat");
    cluster.stop().await.expect("stop PostgreSQL");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("pgbench -S -M prepared (tps)"), "{stdout}");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json file")).expect("json");
    let rows = written["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 5, "{written}");
    for row in rows {
        assert!(row["ratio"].as_f64().is_some_and(|r| r > 0.0), "{row}");
    }
    assert_eq!(written["options"]["rows"], 3000);
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned)
}
