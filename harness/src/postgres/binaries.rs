//! Finding PostgreSQL server binaries on this machine.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::OracleError;

/// A directory holding initdb, pg_ctl and postgres of one major version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBinaries {
    pub bin_dir: PathBuf,
    /// Major version reported by `postgres --version` (e.g. 15).
    pub major: u32,
    /// Full version reported by `postgres --version` (e.g. "15.14").
    pub version: String,
}

impl PgBinaries {
    pub fn tool(&self, name: &str) -> PathBuf {
        self.bin_dir.join(name)
    }
}

/// Finds server binaries, trying in order: `PG_BIN`, `pg_config --bindir`, every directory of
/// `PGCOMPAT_PG_BIN_DIRS` (colon separated), then `/usr/lib/postgresql/*/bin`.
///
/// With `version` (a major such as "15") the first directory of that major wins; without it
/// `PG_BIN` wins when valid (an explicit choice), else the newest major found.
pub fn find_binaries(version: Option<&str>) -> Result<PgBinaries, OracleError> {
    let wanted_major = match version {
        Some(v) => Some(parse_major(v).ok_or_else(|| {
            OracleError::InvalidOptions(format!("version {v:?} is not a number like \"15\""))
        })?),
        None => None,
    };
    let explicit = std::env::var_os("PG_BIN").map(PathBuf::from);
    let mut candidates: Vec<PathBuf> = Vec::new();
    candidates.extend(explicit.clone());
    candidates.extend(pg_config_bindir());
    if let Some(extra) = std::env::var_os("PGCOMPAT_PG_BIN_DIRS") {
        candidates.extend(std::env::split_paths(&extra).filter(|p| !p.as_os_str().is_empty()));
    }
    candidates.extend(distro_bin_dirs());

    let mut searched = Vec::new();
    let mut found: Vec<PgBinaries> = Vec::new();
    for dir in candidates {
        if searched.contains(&dir) {
            continue;
        }
        searched.push(dir.clone());
        if let Some(bins) = inspect(&dir) {
            found.push(bins);
        }
    }
    let chosen = match wanted_major {
        Some(major) => found.into_iter().find(|b| b.major == major),
        None => {
            let explicit_ok = explicit
                .as_ref()
                .and_then(|dir| found.iter().find(|b| &b.bin_dir == dir).cloned());
            // max_by_key keeps the last maximum; reverse so the earliest source wins a tie.
            explicit_ok.or_else(|| found.into_iter().rev().max_by_key(|b| b.major))
        }
    };
    chosen.ok_or_else(|| OracleError::BinariesNotFound {
        wanted: wanted_major
            .map(|m| format!(" for major version {m}"))
            .unwrap_or_default(),
        searched: if searched.is_empty() {
            "PG_BIN (unset), pg_config (not on PATH), PGCOMPAT_PG_BIN_DIRS (unset), \
             /usr/lib/postgresql/*/bin (none)"
                .to_string()
        } else {
            searched
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        },
    })
}

/// "15", "15.4" or "9.6" → the major used for matching (9.6 counts as 9).
fn parse_major(v: &str) -> Option<u32> {
    v.split('.').next()?.trim().parse().ok()
}

fn pg_config_bindir() -> Option<PathBuf> {
    let out = Command::new("pg_config").arg("--bindir").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (!dir.is_empty()).then(|| PathBuf::from(dir))
}

/// `/usr/lib/postgresql/<major>/bin`, the Debian/Ubuntu layout (several majors side by side).
fn distro_bin_dirs() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin"))
        .collect();
    dirs.sort();
    dirs
}

/// A usable directory: has the three tools and `postgres --version` answers.
fn inspect(dir: &Path) -> Option<PgBinaries> {
    if !["initdb", "pg_ctl", "postgres"]
        .iter()
        .all(|t| dir.join(t).is_file())
    {
        return None;
    }
    let out = Command::new(dir.join("postgres"))
        .arg("--version")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let version = parse_version_output(&String::from_utf8_lossy(&out.stdout))?;
    Some(PgBinaries {
        bin_dir: dir.to_path_buf(),
        major: parse_major(&version)?,
        version,
    })
}

/// "postgres (PostgreSQL) 15.14 (Ubuntu 15.14-1.pgdg22.04+1)" → "15.14".
fn parse_version_output(text: &str) -> Option<String> {
    let after = text.split(')').nth(1)?;
    let token = after.split_whitespace().next()?;
    token
        .chars()
        .next()
        .filter(char::is_ascii_digit)
        .map(|_| token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_version_lines() {
        assert_eq!(
            parse_version_output("postgres (PostgreSQL) 15.14 (Ubuntu 15.14-1)\n").as_deref(),
            Some("15.14")
        );
        assert_eq!(
            parse_version_output("postgres (PostgreSQL) 17.2\n").as_deref(),
            Some("17.2")
        );
        assert_eq!(parse_version_output("garbage"), None);
        assert_eq!(parse_major("9.6"), Some(9));
        assert_eq!(parse_major("x"), None);
    }
}
