//! Stopping a cluster and deleting its files, from every path that ends one: `stop()`, Drop,
//! the signal handler, stale-record reaping and `stop_detached`.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::runas::{Runner, run};
use super::state::{process_start, remove_record};

/// Marks a directory as ours, so nothing else is ever deleted because a record said so.
pub(crate) const MARKER: &str = ".pgcompat-cluster";

/// Clusters of this process still to be stopped, for the signal handler.
static LIVE: Mutex<Vec<LiveCluster>> = Mutex::new(Vec::new());

#[derive(Debug, Clone)]
struct LiveCluster {
    id: u64,
    dir: std::path::PathBuf,
    bin_dir: std::path::PathBuf,
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn live() -> std::sync::MutexGuard<'static, Vec<LiveCluster>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Records a cluster of this process; the returned id is given to [`take_live`].
pub(crate) fn register_live(dir: &Path, bin_dir: &Path) -> u64 {
    let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    live().push(LiveCluster {
        id,
        dir: dir.to_path_buf(),
        bin_dir: bin_dir.to_path_buf(),
    });
    id
}

/// Removes a cluster from the live list; true if it was there. Whoever takes it stops it, so
/// Drop and the signal handler never both do.
pub(crate) fn take_live(id: u64) -> bool {
    let mut list = live();
    let before = list.len();
    list.retain(|c| c.id != id);
    list.len() != before
}

/// Stops every live cluster of this process (the signal handler's job).
pub(crate) fn shutdown_all_live() {
    let all: Vec<LiveCluster> = std::mem::take(&mut *live());
    for c in all {
        shutdown_cluster(&c.dir, &c.bin_dir);
    }
}

/// Immediate stop, then delete the directory and its record. Never fails: every step is
/// best effort and problems are logged, since this runs from Drop and signal handlers.
pub(crate) fn shutdown_cluster(dir: &Path, bin_dir: &Path) {
    let data = dir.join("data");
    let pid_file = data.join("postmaster.pid");
    if pid_file.exists() {
        stop_server(&data, bin_dir, &pid_file);
    }
    if dir.join(MARKER).exists() {
        if let Err(e) = std::fs::remove_dir_all(dir) {
            tracing::warn!("could not remove {}: {e}", dir.display());
        }
    } else if dir.exists() {
        tracing::warn!(
            "not removing {}: it lacks the {MARKER} marker",
            dir.display()
        );
    }
    remove_record(dir);
}

fn stop_server(data: &Path, bin_dir: &Path, pid_file: &Path) {
    let postmaster = read_postmaster_pid(pid_file);
    let stopped = match Runner::detect() {
        Ok(runner) => {
            let mut cmd = runner.command(&bin_dir.join("pg_ctl"));
            cmd.arg("-D")
                .arg(data)
                .args(["-m", "immediate", "-w", "-t", "30", "stop"])
                .current_dir("/");
            run(cmd, "pg_ctl stop")
                .map_err(|e| tracing::warn!("{e}"))
                .is_ok()
        }
        Err(e) => {
            tracing::warn!("{e}");
            false
        }
    };
    // pg_ctl could not do it (binaries gone, pid file stale...): signal the postmaster directly.
    if let Some(pid) = postmaster {
        if !stopped && is_postgres(pid) {
            // SAFETY: SIGQUIT asks the postmaster for an immediate shutdown.
            unsafe { libc::kill(pid, libc::SIGQUIT) };
        }
        wait_gone(pid, Duration::from_secs(10));
    }
}

fn read_postmaster_pid(pid_file: &Path) -> Option<libc::pid_t> {
    let text = std::fs::read_to_string(pid_file).ok()?;
    let pid: libc::pid_t = text.lines().next()?.trim().parse().ok()?;
    (pid > 0).then_some(pid)
}

/// Guards against signalling an unrelated process that reused a stale pid.
fn is_postgres(pid: libc::pid_t) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|comm| comm.trim() == "postgres")
}

fn wait_gone(pid: libc::pid_t, limit: Duration) {
    let deadline = Instant::now() + limit;
    while u32::try_from(pid).ok().and_then(process_start).is_some() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}
