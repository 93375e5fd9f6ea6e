//! Cluster records on disk, one JSON file per cluster under [`runtime_dir`], so a cluster
//! whose owner died (kill -9) is found and removed later, and detached clusters can be stopped
//! by a later process.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::OracleError;
use super::shutdown::shutdown_cluster;

/// What a later process needs to find, describe and stop a cluster.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct ClusterRecord {
    /// The cluster's temp dir (data/, server.log, socket, certificate).
    pub dir: PathBuf,
    pub bin_dir: PathBuf,
    pub port: u16,
    pub url: String,
    pub version: String,
    /// The process whose exit should end the cluster; `None` for a detached cluster.
    pub owner_pid: Option<u32>,
    /// The owner's start time (clock ticks after boot), so a reused pid is not mistaken for it.
    pub owner_start: Option<u64>,
}

/// Where records live: `$PGCOMPAT_RUNTIME_DIR`, else `/tmp/pgcompat-postgres-<euid>`.
pub fn runtime_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PGCOMPAT_RUNTIME_DIR") {
        return PathBuf::from(dir);
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    PathBuf::from(format!("/tmp/pgcompat-postgres-{euid}"))
}

/// The record file of the cluster living in `cluster_dir`.
pub(crate) fn record_path(cluster_dir: &Path) -> PathBuf {
    let name = cluster_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cluster".to_string());
    runtime_dir().join(format!("{name}.json"))
}

/// Writes (or replaces) a record atomically.
pub(crate) fn write_record(record: &ClusterRecord) -> Result<(), OracleError> {
    let dir = runtime_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|e| OracleError::io(format!("create {}", dir.display()), e))?;
    let path = record_path(&record.dir);
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(record).map_err(|e| OracleError::StateFile {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    std::fs::write(&tmp, text)
        .map_err(|e| OracleError::io(format!("write {}", tmp.display()), e))?;
    std::fs::rename(&tmp, &path)
        .map_err(|e| OracleError::io(format!("rename to {}", path.display()), e))
}

pub(crate) fn remove_record(cluster_dir: &Path) {
    let _ = std::fs::remove_file(record_path(cluster_dir));
}

/// Every readable record; unreadable files are skipped (and reported by tracing).
pub(crate) fn list_records() -> Vec<ClusterRecord> {
    let Ok(entries) = std::fs::read_dir(runtime_dir()) else {
        return Vec::new();
    };
    let mut records = Vec::new();
    for path in entries.filter_map(Result::ok).map(|e| e.path()) {
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        match read_record(&path) {
            Ok(r) => records.push(r),
            Err(e) => tracing::warn!("skipping {}: {e}", path.display()),
        }
    }
    records.sort_by_key(|r| r.port);
    records
}

fn read_record(path: &Path) -> Result<ClusterRecord, OracleError> {
    // Records are tiny; refuse anything that is not, instead of reading it whole.
    let meta = std::fs::metadata(path)
        .map_err(|e| OracleError::io(format!("stat {}", path.display()), e))?;
    if meta.len() > 64 * 1024 {
        return Err(OracleError::StateFile {
            path: path.to_path_buf(),
            reason: "larger than 64 KiB".into(),
        });
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| OracleError::io(format!("read {}", path.display()), e))?;
    serde_json::from_str(&text).map_err(|e| OracleError::StateFile {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Stops and removes every cluster whose owning process is gone (killed before it could clean
/// up). Detached clusters are left alone. Returns the ports of the reaped clusters.
pub fn reap_stale() -> Vec<u16> {
    let mut reaped = Vec::new();
    for record in list_records() {
        let Some(pid) = record.owner_pid else {
            continue;
        };
        if owner_alive(pid, record.owner_start) {
            continue;
        }
        tracing::info!(
            "removing PostgreSQL on port {} left by dead process {pid}",
            record.port
        );
        shutdown_cluster(&record.dir, &record.bin_dir);
        reaped.push(record.port);
    }
    reaped
}

/// This process's pid and start time, for records it owns.
pub(crate) fn this_owner() -> (u32, Option<u64>) {
    let pid = std::process::id();
    (pid, process_start(pid))
}

fn owner_alive(pid: u32, start: Option<u64>) -> bool {
    match (process_start(pid), start) {
        (Some(now), Some(then)) => now == then,
        (Some(_), None) => true,
        // No /proc entry (or a zombie): fall back to kill(0) only where /proc is absent.
        (None, _) if Path::new("/proc/self/stat").exists() => false,
        (None, _) => pid_exists(pid),
    }
}

fn pid_exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// Start time of a live (non-zombie) process from /proc/<pid>/stat, field 22.
pub(crate) fn process_start(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?;
    if *state == "Z" || *state == "X" {
        return None;
    }
    fields.get(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_bogus_pid_is_not() {
        let (pid, start) = this_owner();
        assert!(start.is_some());
        assert!(owner_alive(pid, start));
        assert!(!owner_alive(pid, start.map(|s| s + 1)));
        assert!(!owner_alive(u32::MAX - 1, None));
    }
}
