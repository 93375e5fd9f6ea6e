//! pgbench `-S` (select-only: one point lookup per transaction) in the three query modes.
//!
//! PostgreSQL is loaded with pgbench's full initialisation (`dtgvp`: with VACUUM and primary
//! keys, as a user would run it; without the keys every lookup is a sequential scan and the
//! comparison would flatter the target). The target gets the same steps, and when it rejects
//! them the steps it supports (`dtg`), which the row notes.

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
/// Full initialisation, then the steps a server without VACUUM or ALTER TABLE can do.
const FULL_INIT: &str = "dtgvp";
const BASIC_INIT: &str = "dtg";
/// Generating 100,000 rows per scale unit: generous, only there to end a hung load.
const INIT_LIMIT_PER_SCALE: Duration = Duration::from_secs(120);

/// One row per query mode.
pub async fn run(servers: &Endpoints, opts: &BenchOptions, bar: &ProgressBar) -> Vec<BenchRow> {
    let tool = pgbench_path();
    bar.set_message("pgbench: loading PostgreSQL");
    let pg_init = init(&tool, &servers.postgres, opts.scale, FULL_INIT).await;
    bar.set_message("pgbench: loading the target");
    let mut notes = Vec::new();
    let target_init = match init(&tool, &servers.target, opts.scale, FULL_INIT).await {
        Ok(()) => Ok(()),
        Err(full) => {
            let basic = init(&tool, &servers.target, opts.scale, BASIC_INIT).await;
            if basic.is_ok() {
                notes.push(format!(
                    "target loaded with `-I {BASIC_INIT}` (no VACUUM, no primary keys): `-I {FULL_INIT}` failed: {full}"
                ));
            }
            basic
        }
    };
    let mut rows = Vec::new();
    for mode in MODES {
        let name = format!("pgbench -S -M {mode}");
        bar.set_message(format!("{name}: target"));
        let target = match &target_init {
            Ok(()) => bench(&tool, &servers.target, mode, opts).await,
            Err(e) => Err(BenchError::Pgbench(format!("loading failed: {e}"))),
        };
        bar.set_message(format!("{name}: PostgreSQL"));
        let postgres = match &pg_init {
            Ok(()) => bench(&tool, &servers.postgres, mode, opts).await,
            Err(e) => Err(BenchError::Pgbench(format!("loading failed: {e}"))),
        };
        let mut row = BenchRow::new(name, "tps", AIM, target, postgres);
        row.notes = notes.clone();
        rows.push(row);
    }
    rows
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
