//! pgbench `-S` (select-only: one point lookup per transaction) in the three query modes.
//!
//! Both servers are loaded with pgbench's own steps: drop, create, generate (`dtg`, required),
//! then VACUUM (`v`) and primary keys (`p`), each run on its own so a server that lacks one
//! still gets the other. PostgreSQL gets all of them, as its users would (without the keys
//! every lookup is a sequential scan and the comparison would flatter the target); a step the
//! target rejects is noted on its rows.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use indicatif::ProgressBar;

use super::error::{BenchError, within};
use super::options::{BenchOptions, Endpoints};
use super::outcome::{Aim, BenchRow};
use super::pgbench_output::{parse_pgbench_output, tail};
use crate::session::{ConnectOptions, TlsMode};

const MODES: [&str; 3] = ["simple", "extended", "prepared"];
const AIM: Aim = Aim {
    ratio: 1.0,
    higher_is_better: true,
};
/// Drop, create, generate: without these there is nothing to benchmark.
const REQUIRED_INIT: &str = "dtg";
/// VACUUM, then primary keys.
const OPTIONAL_INIT: [&str; 2] = ["v", "p"];
/// Generating 100,000 rows per scale unit: generous, only there to end a hung load.
const INIT_LIMIT_PER_SCALE: Duration = Duration::from_secs(120);

/// One row per query mode.
pub async fn run(servers: &Endpoints, opts: &BenchOptions, bar: &ProgressBar) -> Vec<BenchRow> {
    let tool = pgbench_path();
    bar.set_message("pgbench: loading PostgreSQL");
    let pg_init = load(&tool, &servers.postgres, opts.scale).await;
    bar.set_message("pgbench: loading the target");
    let target_init = load(&tool, &servers.target, opts.scale).await;
    let mut notes = Vec::new();
    for (side, init) in [("target", &target_init), ("PostgreSQL", &pg_init)] {
        if let Ok(skipped) = init {
            notes.extend(skipped.iter().map(|e| format!("{side}: step skipped: {e}")));
        }
    }
    let mut rows = Vec::new();
    for mode in MODES {
        let name = format!("pgbench -S -M {mode}");
        bar.set_message(format!("{name}: target"));
        let target = match &target_init {
            Ok(_) => bench(&tool, &servers.target, mode, opts).await,
            Err(e) => Err(BenchError::Pgbench(format!("loading failed: {e}"))),
        };
        bar.set_message(format!("{name}: PostgreSQL"));
        let postgres = match &pg_init {
            Ok(_) => bench(&tool, &servers.postgres, mode, opts).await,
            Err(e) => Err(BenchError::Pgbench(format!("loading failed: {e}"))),
        };
        let mut row = BenchRow::new(name, "tps", AIM, target, postgres);
        row.notes = notes.clone();
        rows.push(row);
    }
    rows
}

/// The required steps, then each optional one; the optional ones that failed, as errors.
async fn load(
    tool: &Path,
    server: &ConnectOptions,
    scale: u32,
) -> Result<Vec<BenchError>, BenchError> {
    init(tool, server, scale, REQUIRED_INIT).await?;
    let mut skipped = Vec::new();
    for step in OPTIONAL_INIT {
        if let Err(e) = init(tool, server, scale, step).await {
            skipped.push(e);
        }
    }
    Ok(skipped)
}

/// `pgbench -i -I steps -s scale`.
async fn init(
    tool: &Path,
    server: &ConnectOptions,
    scale: u32,
    steps: &str,
) -> Result<(), BenchError> {
    let scale_arg = scale.max(1).to_string();
    let args = ["-i", "-I", steps, "-s", scale_arg.as_str(), "-q"];
    let limit = INIT_LIMIT_PER_SCALE * scale.max(1);
    pgbench(tool, server, &args, limit).await.map(|_| ())
}

/// `pgbench -S -M mode -c C -j C -T D -n`, its tps.
async fn bench(
    tool: &Path,
    server: &ConnectOptions,
    mode: &str,
    opts: &BenchOptions,
) -> Result<f64, BenchError> {
    let clients = opts.clients.max(1).to_string();
    let secs = opts.duration.as_secs().max(1);
    let duration = secs.to_string();
    let args = [
        "-S", "-M", mode, "-c", &clients, "-j", &clients, "-T", &duration, "-n",
    ];
    let limit = Duration::from_secs(secs + 60);
    let out = pgbench(tool, server, &args, limit).await?;
    let run = parse_pgbench_output(&out)?;
    if run.failed > 0 {
        return Err(BenchError::Pgbench(format!(
            "{} of {} transactions failed",
            run.failed,
            run.transactions + run.failed
        )));
    }
    Ok(run.tps)
}

/// Runs pgbench against `server` over TCP; its stdout on success, its last lines as the error
/// otherwise. Killed when `limit` passes or the run is dropped (Ctrl-C).
async fn pgbench(
    tool: &Path,
    server: &ConnectOptions,
    args: &[&str],
    limit: Duration,
) -> Result<String, BenchError> {
    let mut cmd = tokio::process::Command::new(tool);
    cmd.args([
        "-h",
        &server.host,
        "-p",
        &server.port.to_string(),
        "-U",
        &server.user,
    ])
    .args(args)
    .arg(&server.database)
    .env("PGSSLMODE", sslmode(server.tls))
    .env("PGCONNECT_TIMEOUT", "10")
    .env_remove("PGOPTIONS")
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .kill_on_drop(true);
    match &server.password {
        Some(p) => cmd.env("PGPASSWORD", p),
        None => cmd.env_remove("PGPASSWORD"),
    };
    let what = format!("pgbench {}", args.join(" "));
    let out = within(limit, &what, async {
        cmd.output().await.map_err(|e| BenchError::Io {
            what: format!("running {}", tool.display()),
            source: e,
        })
    })
    .await?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(BenchError::Pgbench(format!(
            "`{what}` exited with {}: {}",
            out.status,
            tail(&stderr)
        )))
    }
}

fn sslmode(tls: TlsMode) -> &'static str {
    match tls {
        TlsMode::Disable => "disable",
        TlsMode::Prefer => "prefer",
        TlsMode::Require => "require",
    }
}

/// pgbench from the newest PostgreSQL binaries found (the oracle's search), else from PATH.
fn pgbench_path() -> PathBuf {
    crate::postgres::find_binaries(None)
        .ok()
        .map(|b| b.tool("pgbench"))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("pgbench"))
}
